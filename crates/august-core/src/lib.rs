//! Blocking client and typed models for the August and Yale Access smart-lock cloud API.
//!
//! [`Api`] has one method per endpoint; each takes the access token to use (get one with the
//! `august-auth` crate's `Authenticator`) and returns typed models or an [`Error`] that says what
//! happened and what to do.
//!
//! ```no_run
//! use august_core::{Api, Brand, LockStatus};
//!
//! fn main() -> Result<(), august_core::Error> {
//!     let api = Api::builder().brand(Brand::YaleGlobal).build()?;
//!     let token = std::env::var("AUGUST_ACCESS_TOKEN").unwrap_or_default();
//!     for lock in api.get_operable_locks(&token)? {
//!         let detail = api.get_lock_detail(&token, lock.device_id())?;
//!         if detail.lock_status() == &LockStatus::Unlocked {
//!             match api.lock(&token, lock.device_id()) {
//!                 Ok(status) => println!("{} is now {status}", lock.device_name()),
//!                 Err(e) if e.outcome_unknown() => println!("{}: {e}", lock.device_name()),
//!                 Err(e) => return Err(e),
//!             }
//!         }
//!     }
//!     Ok(())
//! }
//! ```
//!
//! Module map: [`Api`] and its builder (calls), [`Brand`] (hosts and keys as data), [`models`]
//! (everything the server returns), [`Error`] (one error type for every call).

mod api;
mod brand;
mod error;
pub mod models;
mod session;

pub use api::{
    ACCEPT_VERSION, Api, ApiBuilder, AsyncOperation, DEFAULT_COMMAND_TIMEOUT, DEFAULT_MAX_BODY,
    DEFAULT_MAX_IMAGE, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT, DoorbellImage,
};
/// What the caller does next about any error of the workspace's clients (see
/// [`Error::kind`]).
pub use api_transport::{ErrorKind, HasErrorKind};
pub use brand::{
    ACCEPT_VERSION_V4, AUGUST_ACCESS_TOKEN_HEADER, Brand, BrandConfig, OAuthEndpoints, PushKind,
    UnknownBrand, YALE_ACCESS_TOKEN_HEADER,
};
#[allow(deprecated)]
pub use error::ApiErrorKind;
pub use error::{ApiError, ApiErrorReason, Error, Result};
pub use models::*;
pub use session::{AccessToken, LoginMethod, Session};
