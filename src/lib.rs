//! Blocking Rust client for the August (and Yale Access) smart-lock cloud API, its two-factor
//! authenticator with an on-disk token cache, and a client for the Authy two-factor API.
//!
//! This crate only re-exports the workspace's crates, behind features:
//!
//! | feature | default | what it brings |
//! |---|---|---|
//! | `august` | yes | [`api`] (the August API client and models) and [`authenticator`] |
//! | `live` | yes | [`live`] (push and activity-feed catch-up as one blocking stream) |
//! | `authy` | no | [`authy`] (the Authy API client) |
//!
//! ```no_run
//! # #[cfg(feature = "august")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use august::api::Api;
//! use august::authenticator::{AuthenticationState, Authenticator, LoginMethod, ValidationResult};
//!
//! let api = Api::new();
//! let mut authenticator =
//!     Authenticator::new(api.clone(), LoginMethod::Phone, "+15555550100", "password")
//!         .access_token_cache_file("auth.json");
//! let mut authentication = authenticator.authenticate()?;
//! if authentication.state() == AuthenticationState::RequiresValidation {
//!     authenticator.send_verification_code()?;
//!     let code = "123456"; // read it from the user
//!     if authenticator.validate_verification_code(code)? == ValidationResult::Validated {
//!         authentication = authenticator.authenticate()?;
//!     }
//! }
//! let locks = api.get_locks(authentication.access_token())?;
//! for lock in &locks {
//!     println!("{} {}", lock.device_id(), lock.device_name());
//! }
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "august"))]
//! # fn main() {}
//! ```

#[cfg(feature = "august")]
pub use august_core as api;

#[cfg(feature = "august")]
pub use august_auth as authenticator;

#[cfg(feature = "authy")]
pub use authy_client as authy;

#[cfg(feature = "live")]
pub use august_live as live;
