//! Authenticator for the August API: password and two-factor login, token refresh, and a
//! crash-safe on-disk token cache.
//!
//! This part holds the login record ([`Authentication`], [`AuthenticationState`],
//! [`ValidationResult`]), install ids, the expiry and JWT readers and the token cache file.
//! The cache file has py-august's exact format, is replaced atomically with mode 0600, and a
//! file that cannot be used is reported and kept aside, never overwritten.

// The crate-private readers and writers are not all used until the authenticator is in.
#![allow(dead_code)]

mod authentication;
mod cache;
mod error;
mod expiry;
mod install_id;
mod jwt;

pub use august_core::LoginMethod;
pub use authentication::{Authentication, AuthenticationState, UnknownState, ValidationResult};
pub use cache::{CacheError, CacheStatus, default_cache_path};
pub use error::{Error, Result};
pub use expiry::ExpiryError;
pub use install_id::new_install_id;
