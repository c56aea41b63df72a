//! Blocking Rust client for the August (and Yale Access) smart-lock cloud API, its two-factor
//! authenticator with an on-disk token cache, and a client for the Authy two-factor API.
//!
//! This crate only re-exports the workspace's crates, behind features:
//!
//! | feature | default | what it brings |
//! |---|---|---|
//! | `august` | yes | [`api`] (the August API client [`api::Api`], its models and [`api::Error`]), [`authenticator`] (sign-in: [`authenticator::Authenticator`] for the password login, [`OAuthClient`] and [`RedirectReceiver`], [`Credentials`]) and [`Client`] |
//! | `live` | yes | [`live`] (push and activity-feed catch-up as one blocking stream) |
//! | `authy` | no | [`authy`] (the Authy API client [`authy::AuthyApiClient`]) |
//! | `verify` | no | [`verify`] (the Twilio Verify v2 and Lookup v2 client [`verify::VerifyClient`]) |
//! | `sandbox` | no | [`sandbox`] (the local emulator of the three APIs, [`sandbox::Sandbox`], with its demo data in [`sandbox::demo`]); alone it brings no client |
//!
//! Every crate's documentation writes its items as you would through this one: `august::api::Api`,
//! `august::authenticator::Authenticator`, `august::authy::AuthyApiClient`,
//! `august::verify::VerifyClient`, `august::sandbox::Sandbox`. [`logging`] keeps ureq's raw
//! request dumps out of your logs.
//!
//! Try it without an account (feature `sandbox`): [`sandbox::Sandbox::start`] serves the August,
//! Authy and Verify APIs on 127.0.0.1, and hands over the codes it "sends":
//!
//! ```
//! # #[cfg(all(feature = "august", feature = "sandbox"))]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use august::api::{Api, LockStatus};
//! use august::authenticator::{AuthenticationState, Authenticator, LoginMethod};
//! use august::sandbox::{Sandbox, demo};
//!
//! let sandbox = Sandbox::start()?;
//! let api = Api::builder().base_url(sandbox.august_url()).build()?;
//! let mut authenticator =
//!     Authenticator::new(api.clone(), LoginMethod::Phone, demo::PHONE, demo::PASSWORD);
//! if authenticator.authenticate()?.state() == AuthenticationState::RequiresValidation {
//!     authenticator.send_verification_code()?;
//!     let code = sandbox.august_verification_code().ok_or("no code was sent")?;
//!     authenticator.validate_verification_code(&code)?;
//! }
//! let token = authenticator.authenticate()?.access_token().to_owned();
//! assert_eq!(api.unlock(&token, demo::FRONT_DOOR_LOCK_ID)?, LockStatus::Unlocked);
//! # Ok(())
//! # }
//! # #[cfg(not(all(feature = "august", feature = "sandbox")))]
//! # fn main() {}
//! ```
//!
//! Against the real service:
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
//! if authentication.state() == AuthenticationState::BadPassword {
//!     return Err("the server refused the password: check it and try again".into());
//! }
//! if authentication.state() == AuthenticationState::RequiresValidation {
//!     authenticator.send_verification_code()?;
//!     let code = "123456"; // read it from the user
//!     if authenticator.validate_verification_code(code)? != ValidationResult::Validated {
//!         return Err("the verification code was refused: ask for a new one".into());
//!     }
//!     authentication = authenticator.authenticate()?;
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
#[doc(inline)]
pub use august_core as api;

#[cfg(feature = "august")]
#[doc(inline)]
pub use august_auth as authenticator;

/// The client that holds its credentials (see [`authenticator::Client`]).
#[cfg(feature = "august")]
pub use august_auth::Client;

/// Every way in: password, OAuth, imported or Home Assistant tokens, a fixed token (see
/// [`authenticator::Credentials`]); the OAuth client and the receiver of its loopback redirect
/// (see [`authenticator::RedirectReceiver`]).
#[cfg(feature = "august")]
pub use august_auth::{Credentials, OAuthClient, RedirectReceiver};

#[cfg(feature = "authy")]
#[doc(inline)]
pub use authy_client as authy;

/// Logging without secrets: ureq dumps the raw bytes of every request at `trace` (credentials,
/// passwords and codes included) and cannot be told not to. Install your logger with
/// [`logging::install_capped_logger`] (or wrap it in [`logging::CappedLogger`]) to keep ureq's
/// targets at `debug` at most, whatever its own filter says.
///
/// ```no_run
/// # struct Stderr;
/// # impl log::Log for Stderr {
/// #     fn enabled(&self, _: &log::Metadata<'_>) -> bool { true }
/// #     fn log(&self, r: &log::Record<'_>) { eprintln!("{}", r.args()) }
/// #     fn flush(&self) {}
/// # }
/// // With env_logger: `let logger = env_logger::Builder::from_default_env().build();`
/// // and `logger.filter()` as the level.
/// august::logging::install_capped_logger(Stderr, log::LevelFilter::Trace)
///     .expect("the first logger");
/// ```
pub mod logging {
    pub use api_transport::{CappedLogger, UREQ_LOG_CAPS, exceeds_ureq_cap, install_capped_logger};
}
#[cfg(feature = "verify")]
#[doc(inline)]
pub use twilio_verify as verify;

#[cfg(feature = "sandbox")]
#[doc(inline)]
pub use august_sandbox as sandbox;

/// `README.md`, whose Rust blocks (the sandbox flow of "Try it in your program" among them) run
/// as doctests.
#[cfg(all(doctest, feature = "august", feature = "sandbox"))]
#[doc = include_str!("../README.md")]
pub struct Readme;

/// `docs/verify.md`, whose Rust blocks run as doctests against the embedded sandbox.
#[cfg(all(doctest, feature = "verify", feature = "sandbox"))]
#[doc = include_str!("../docs/verify.md")]
pub struct VerifyGuide;
#[cfg(feature = "live")]
pub use august_live as live;

/// What the caller does next about any error of any client (August, sign-in, Authy, Verify):
/// every public error type has `kind()` returning it. See `docs/errors.md` for which errors map
/// to each kind.
pub use api_transport::{ErrorKind, HasErrorKind};

/// One deadline over several calls of any client on this thread (retries and waits
/// included): `august::within(Duration::from_secs(5), || { ... })`.
pub use api_transport::within;

/// The JSON values some calls take or give (the models' `raw()`, Authy's `errors()` map).
pub use serde_json;

/// The timestamps of the models and of the Verify filters.
pub use chrono;

/// The logging facade [`logging`] takes loggers and levels of.
pub use log;

/// `docs/errors.md`, whose `match` (the README's "Handling errors" block) compiles as a doctest.
#[cfg(all(doctest, feature = "august"))]
#[doc = include_str!("../docs/errors.md")]
pub struct ErrorsGuide;

/// `docs/authy.md`, whose Rust block (against the real service) compiles as a doctest.
#[cfg(all(doctest, feature = "authy"))]
#[doc = include_str!("../docs/authy.md")]
pub struct AuthyGuide;

/// `docs/live.md`, whose Rust block (against the real service) compiles as a doctest.
#[cfg(all(doctest, feature = "live"))]
#[doc = include_str!("../docs/live.md")]
pub struct LiveGuide;

/// `docs/sign-in.md`, whose Rust block (a Home Assistant file) compiles as a doctest.
#[cfg(all(doctest, feature = "august"))]
#[doc = include_str!("../docs/sign-in.md")]
pub struct SignInGuide;

/// `docs/transport.md`, whose Rust block (env_logger behind the cap) runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../docs/transport.md")]
pub struct TransportGuide;

/// `docs/sandbox.md`, whose Rust blocks run as doctests against the embedded sandbox (the one
/// on the fixed port 8080 compiles only, as that port may be taken).
#[cfg(all(doctest, feature = "august", feature = "verify", feature = "sandbox"))]
#[doc = include_str!("../docs/sandbox.md")]
pub struct SandboxGuide;
