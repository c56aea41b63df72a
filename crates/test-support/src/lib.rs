//! What the workspace's tests share, so that a fault server or an error check is written once:
//! the scripted server that fails in every way a client must survive ([`fault_server`]) and
//! the fault matrix run against it ([`fault_matrix`]), simpler servers ([`servers`]), the
//! logger of the secret audits ([`capture`]) and the checks of what an error tells its caller
//! ([`errors`]).
//!
//! A dev-dependency only (`test-support = { workspace = true }`); never published.

pub mod audit;
pub mod capture;
pub mod client_tests;
pub mod errors;
pub mod fault_matrix;
pub mod fault_server;
pub mod json_shape;
pub mod mocks;
pub mod raw_http;
pub mod servers;
