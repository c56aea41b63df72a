//! Authenticator for the August API: password and two-factor login, token refresh, and a
//! crash-safe on-disk token cache.
//!
//! Programs use this crate through the `august` crate, as `august::authenticator` (feature
//! `august`, the default; [`Client`], [`Credentials`] and [`OAuthClient`] are also
//! `august::Client`, `august::Credentials` and `august::OAuthClient`). The examples are written
//! with those paths, as such a program writes them; a hidden line maps them to this crate, so
//! that they run as its own tests.
//!
//! ```no_run
//! # mod august { pub use august_core as api; pub use august_auth as authenticator; }
//! use august::api::Api;
//! use august::authenticator::{AuthenticationState, Authenticator, LoginMethod, ValidationResult};
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let api = Api::new();
//!     let mut authenticator = Authenticator::new(api.clone(), LoginMethod::Phone, "+15555550100", "password")
//!         .access_token_cache_file("auth.json");
//!     let mut authentication = authenticator.authenticate()?;
//!     if authentication.state() == AuthenticationState::BadPassword {
//!         return Err("the server refused the password: check it and try again".into());
//!     }
//!     if authentication.state() == AuthenticationState::RequiresValidation {
//!         authenticator.send_verification_code()?;
//!         let code = "123456"; // read it from the user
//!         if authenticator.validate_verification_code(code)? != ValidationResult::Validated {
//!             return Err("the verification code was refused: ask for a new one".into());
//!         }
//!         authentication = authenticator.authenticate()?;
//!     }
//!     let locks = api.get_locks(authentication.access_token())?;
//!     println!("{} locks", locks.len());
//!     Ok(())
//! }
//! ```
//!
//! The flow: [`Authenticator::authenticate`] logs in (or returns the cached login without any
//! request); [`AuthenticationState::RequiresValidation`] means this install id is new to the
//! account, so [`Authenticator::send_verification_code`] and
//! [`Authenticator::validate_verification_code`], then [`Authenticator::authenticate`] again.
//! [`AuthenticationState::BadPassword`] means the server refused the password: stop there (the
//! token it comes with is useless). Keep the token fresh with
//! [`Authenticator::refresh_access_token`]; when the server refuses it (a 401),
//! [`Authenticator::mark_token_refused`] drops it and the next
//! [`Authenticator::authenticate`] logs in again with the same install id (no new code).
//!
//! The cache file has py-august's exact format (files written by either can be read by the
//! other), is replaced atomically with mode 0600, and a file that cannot be used is reported
//! ([`Authenticator::cache_status`], [`Authenticator::last_cache_error`]) and kept aside,
//! never overwritten. Symbolic links, other users' files and directories other users can
//! write to are refused and left untouched ([`Refusal`]). Cache problems never fail a login.
//!
//! Every way in ends in one [`Credentials`] value: a password login ([`Credentials::password`]),
//! OAuth with your client credentials ([`OAuthClient`], [`RedirectReceiver`] for the redirect,
//! [`Credentials::oauth`]), a token imported from Home Assistant ([`ImportedToken`],
//! [`Credentials::home_assistant`]) or a fixed token. A [`Client`] holds the credentials and makes the [`Api`](august_core::Api) calls
//! without a token argument, refreshing when due. See `docs/sign-in.md` for who can use which.
//!
//! No `Debug` output, log line or error message contains the password, an access or refresh
//! token, a client secret, an authorization code or an OAuth state.

mod authentication;
mod authentication_serde;
mod authenticator;
mod backoff;
mod cache;
mod client;
mod credentials;
mod error;
mod expiry;
mod import;
mod install_id;
mod jwt;
mod oauth;
mod shared;

/// What the caller does next about any error (see [`Error::kind`]).
pub use api_transport::{ErrorKind, HasErrorKind};
pub use august_core::LoginMethod;
pub use authentication::{Authentication, AuthenticationState, UnknownState, ValidationResult};
pub use authentication_serde::UnknownValidationResult;
pub use authenticator::{Authenticator, DEFAULT_RENEWAL_THRESHOLD, Refresh};
pub use backoff::DEFAULT_REFRESH_RETRY_INTERVAL;
pub use cache::{
    CacheError, CacheSnapshot, CacheStatus, PendingLogin, Refusal, check_cache_path,
    default_cache_path, is_unusable_cache_file, kept_aside_paths, parse_cache_file, printable_path,
    read_cache_file,
};
pub use client::Client;
pub use credentials::{Credentials, CredentialsInfo, DEFAULT_REFRESH_MARGIN, SignInKind};
pub use error::{Error, Result};
pub use expiry::ExpiryError;
pub use import::{ImportError, ImportOrigin, ImportedToken};
pub use install_id::new_install_id;
pub use jwt::access_token_expiry;
#[allow(deprecated)]
pub use oauth::OAuthErrorKind;
pub use oauth::{
    AuthorizationCode, AuthorizationRequest, DEFAULT_OAUTH_TIMEOUT, DEFAULT_REDIRECT_TIMEOUT,
    OAuthClient, OAuthError, OAuthErrorCode, OAuthTokens, RedirectReceiver,
};
pub use shared::SharedAuthenticator;
