//! What the workspace's tests share, so that a fault server or an error check is written once:
//! servers that fail in the ways a client must survive ([`servers`]) and the checks of what an
//! error tells its caller ([`errors`]).
//!
//! A dev-dependency only (`test-support = { workspace = true }`); never published.

pub mod errors;
pub mod servers;
