//! Blocking client and typed models for the August and Yale Access smart-lock cloud API.
//!
//! [`Api`] (`august::api::Api`) has one method per endpoint; each takes the access token to use
//! (get one with `august::authenticator::Authenticator`, or let `august::Client` hold it) and
//! returns typed models or an [`Error`] (`august::api::Error`) that says what happened and what
//! to do.
//!
//! Programs use this crate through the `august` crate, as `august::api` (feature `august`, the default). The examples are
//! written with those paths, as such a program writes them; a hidden line maps them to this
//! crate, so that they run as its own tests.
//!
//! ```no_run
//! # mod august { pub use august_core as api; }
//! use august::api::{Api, Brand, LockStatus};
//!
//! fn main() -> Result<(), august::api::Error> {
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
mod capabilities;
mod error;
mod limiter;
pub mod models;
mod session;
mod wire_enum;

/// Helpers the other crates of this workspace share with this one; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use crate::models::de::truthy;
}

pub use api::{
    ACCEPT_VERSION, Api, ApiBuilder, AsyncOperation, DEFAULT_COMMAND_TIMEOUT, DEFAULT_MAX_BODY,
    DEFAULT_MAX_IMAGE, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT, DoorbellImage,
};
pub use api::{ActivityFormat, ApiCall, Delivery, Unlatch};
/// What the caller does next about any error of the workspace's clients (see
/// [`Error::kind`]).
pub use api_transport::{ErrorKind, HasErrorKind};
pub use brand::{
    ACCEPT_VERSION_V4, AUGUST_ACCESS_TOKEN_HEADER, Brand, BrandConfig, OAuthEndpoints, PushKind,
    UnknownBrand, YALE_ACCESS_TOKEN_HEADER,
};
pub use capabilities::{
    Capabilities, IntentMapping, LockCapabilities, LockIntent, WebsocketSubscriber, WireOperation,
    unlatch_supported,
};
#[allow(deprecated)]
pub use error::ApiErrorKind;
pub use error::{ApiError, ApiErrorReason, Error, Result};
pub use limiter::{DEFAULT_WAKEUP_INTERVAL, WakeupLimiter};
pub use models::*;
pub use session::{AccessToken, LoginMethod, Session};
/// The error of reading a closed wire enum ([`LoginMethod`], [`LockIntent`]...) from text.
pub use wire_enum::UnknownVariant;
