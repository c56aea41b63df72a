//! Blocking client and typed models for the August and Yale Access smart-lock cloud API.

pub mod models;
pub use models::*;
