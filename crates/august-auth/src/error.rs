//! The authenticator's error type.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use api_transport::{ErrorKind, HasErrorKind};

use crate::authentication::AuthenticationState;
use crate::cache::CacheError;
use crate::credentials::SignInKind;
use crate::import::ImportError;
use crate::oauth::OAuthError;

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, shaped around what the caller does next.
///
/// Problems with the cache file while logging in are not errors: the login result is returned
/// and the problem is kept in
/// [`Authenticator::last_cache_error`](crate::Authenticator::last_cache_error).
///
/// No variant carries a password or an access token.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// An August API call failed: not delivered, timed out, an error status, an answer that
    /// does not fit. [`Error::status`] gives the HTTP status of an error answer; the wrapped
    /// error (also [`std::error::Error::source`]) says more.
    Api(august_core::Error),
    /// A verification code was to be sent or checked before any login: call
    /// [`Authenticator::authenticate`](crate::Authenticator::authenticate) first.
    NoAccessToken,
    /// [`Authenticator::save_cache`](crate::Authenticator::save_cache) or
    /// [`SharedAuthenticator::access_token`](crate::SharedAuthenticator::access_token) was
    /// called while the login is not complete (only authenticated logins are cached or give a
    /// token to use).
    NotAuthenticated {
        /// The current state.
        state: AuthenticationState,
    },
    /// [`Authenticator::save_cache`](crate::Authenticator::save_cache) could not write the
    /// cache file.
    Cache(CacheError),
    /// The OAuth authorization server refused, or its answer was not usable.
    OAuth(OAuthError),
    /// A token could not be imported (a Home Assistant file, a plain token).
    Import(ImportError),
    /// The token expired or was refused and these credentials cannot get a new one: sign in
    /// again ([`Error::SignInAgain::how`] says how).
    SignInAgain {
        /// How the credentials were obtained.
        kind: SignInKind,
        /// What happened.
        reason: String,
        /// What to do.
        how: String,
    },
    /// A token renewal that several calls shared failed with the wrapped error: every call that
    /// waited for it instead of sending its own gets this, and so does the call that sent it
    /// when any other waited (alone, it gets the wrapped error itself). Displayed as the
    /// wrapped error; [`Error::kind`], [`Error::status`] and the other helpers answer as it
    /// does, so match on [`Error::kind`] rather than on this variant.
    RenewalFailed(Arc<Error>),
    /// The call's deadline passed while it waited for the token renewal another call had in
    /// flight: the server did nothing for this call (nothing was sent, or, for a read retried
    /// after a 401, what was sent was refused), so it is safe to try again.
    RenewalWait {
        /// How long the call waited.
        waited: Duration,
    },
}

impl Error {
    /// What the caller does next, whatever the variant.
    ///
    /// ```
    /// use august_auth::{Error, ErrorKind};
    ///
    /// assert_eq!(Error::NoAccessToken.kind(), ErrorKind::SignInAgain);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api(e) => e.kind(),
            Error::NotAuthenticated {
                state: AuthenticationState::BadPassword,
            } => ErrorKind::FixInput,
            Error::NoAccessToken | Error::NotAuthenticated { .. } | Error::SignInAgain { .. } => {
                ErrorKind::SignInAgain
            }
            Error::Cache(e) => e.kind(),
            Error::OAuth(e) => e.kind(),
            Error::Import(e) => e.kind(),
            Error::RenewalFailed(e) => e.kind(),
            Error::RenewalWait { .. } => ErrorKind::NotDelivered,
        }
    }

    /// The HTTP status of an API error answer.
    pub fn status(&self) -> Option<u16> {
        self.api_error().and_then(august_core::Error::status)
    }

    /// The August API error, if this is one.
    pub fn api_error(&self) -> Option<&august_core::Error> {
        match self {
            Error::Api(e) => Some(e),
            Error::RenewalFailed(e) => e.api_error(),
            _ => None,
        }
    }

    /// The cache error, if this is one.
    pub fn cache_error(&self) -> Option<&CacheError> {
        match self {
            Error::Cache(e) => Some(e),
            Error::RenewalFailed(e) => e.cache_error(),
            _ => None,
        }
    }

    /// Whether the server refused the access token (401): log in again.
    pub fn is_unauthorized(&self) -> bool {
        self.api_error()
            .is_some_and(august_core::Error::is_unauthorized)
    }

    /// Whether the server may have acted on a request that changes something while the caller
    /// cannot tell (a verification code sent, say): an August API call's error says so as
    /// [`august_core::Error::outcome_unknown`] does, an OAuth token request's (a code
    /// exchanged, a refresh token rotated) as [`OAuthError::outcome_unknown`] does. Every other
    /// error is a refusal before sending ([`Error::NoAccessToken`] among them) or local, and
    /// says false.
    ///
    /// ```
    /// use std::time::Duration;
    /// use august_auth::Error;
    ///
    /// assert!(!Error::NoAccessToken.outcome_unknown());
    /// let lost = Error::Api(august_core::Error::Timeout {
    ///     endpoint: "POST /validation/phone".into(),
    ///     after: Duration::from_secs(10),
    ///     remote_operation: false,
    /// });
    /// assert!(lost.outcome_unknown());
    /// ```
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Error::Api(e) => e.outcome_unknown(),
            Error::OAuth(e) => e.outcome_unknown(),
            Error::RenewalFailed(e) => e.outcome_unknown(),
            _ => false,
        }
    }

    /// Whether only a new sign-in helps: [`Error::SignInAgain`], or an OAuth `invalid_grant`.
    pub fn needs_sign_in(&self) -> bool {
        match self {
            Error::SignInAgain { .. } => true,
            Error::OAuth(e) => e.needs_sign_in(),
            Error::RenewalFailed(e) => e.needs_sign_in(),
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => fmt::Display::fmt(e, f),
            Error::NoAccessToken => f.write_str("no access token yet: call authenticate() first"),
            Error::NotAuthenticated {
                state: AuthenticationState::BadPassword,
            } => f.write_str(
                "the server refused the password, so there is no login; check the password and authenticate() again",
            ),
            Error::NotAuthenticated { state } => write!(
                f,
                "the login state is {state}, not authenticated; complete the login with authenticate() first"
            ),
            Error::Cache(e) => fmt::Display::fmt(e, f),
            Error::OAuth(e) => fmt::Display::fmt(e, f),
            Error::Import(e) => fmt::Display::fmt(e, f),
            Error::SignInAgain { reason, how, .. } => {
                write!(f, "{reason}; sign in again: {how}")
            }
            Error::RenewalFailed(e) => fmt::Display::fmt(e, f),
            Error::RenewalWait { waited } => write!(
                f,
                "the call's deadline passed after {} ms waiting for the token renewal in flight; the server did nothing for this call, try again",
                waited.as_millis()
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // The wrapped errors are displayed as this one, so their causes are the next level.
        match self {
            Error::Api(e) => e.source(),
            Error::Cache(e) => e.source(),
            Error::OAuth(e) => e.source(),
            Error::Import(e) => e.source(),
            Error::RenewalFailed(e) => e.source(),
            Error::NoAccessToken
            | Error::NotAuthenticated { .. }
            | Error::SignInAgain { .. }
            | Error::RenewalWait { .. } => None,
        }
    }
}

impl HasErrorKind for Error {
    fn kind(&self) -> ErrorKind {
        Error::kind(self)
    }

    fn outcome_unknown(&self) -> bool {
        Error::outcome_unknown(self)
    }
}

impl From<august_core::Error> for Error {
    fn from(e: august_core::Error) -> Self {
        Error::Api(e)
    }
}

impl From<OAuthError> for Error {
    fn from(e: OAuthError) -> Self {
        Error::OAuth(e)
    }
}

impl From<ImportError> for Error {
    fn from(e: ImportError) -> Self {
        Error::Import(e)
    }
}

impl From<CacheError> for Error {
    fn from(e: CacheError) -> Self {
        Error::Cache(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_traits<T: std::error::Error + Send + Sync + 'static>() {}

    #[test]
    fn error_is_send_sync_static() {
        assert_traits::<Error>();
        assert_traits::<CacheError>();
    }

    #[test]
    fn messages_say_what_to_do() {
        assert_eq!(
            Error::NoAccessToken.to_string(),
            "no access token yet: call authenticate() first"
        );
        assert_eq!(
            Error::NotAuthenticated {
                state: AuthenticationState::RequiresValidation
            }
            .to_string(),
            "the login state is requires_validation, not authenticated; complete the login with authenticate() first"
        );
        assert_eq!(
            Error::NotAuthenticated {
                state: AuthenticationState::BadPassword
            }
            .to_string(),
            "the server refused the password, so there is no login; check the password and authenticate() again"
        );
        let cache = Error::Cache(CacheError::Write {
            path: "/nowhere/auth.json".into(),
            source: std::io::Error::other("read-only file system"),
            kept_aside: None,
        });
        assert_eq!(
            cache.to_string(),
            "cannot write the token cache /nowhere/auth.json; check that its directory is writable"
        );
        assert_eq!(
            std::error::Error::source(&cache).map(ToString::to_string),
            Some("read-only file system".to_owned())
        );
        assert_eq!(cache.kind(), ErrorKind::Configuration);
        assert_eq!(cache.status(), None);
        assert!(!cache.is_unauthorized());
        assert!(cache.cache_error().is_some());
        // The write may have been a login waiting for its code: whether a login succeeded is
        // for the caller to say.
        let aside = CacheError::MoveAside {
            path: "/c/auth.json".into(),
            source: std::io::Error::other("permission denied"),
        };
        assert_eq!(
            aside.to_string(),
            "cannot move the unusable token cache /c/auth.json aside; move or delete it by hand"
        );
    }

    #[test]
    fn api_errors_keep_their_source() {
        let e = Error::from(august_core::Error::InvalidInput { reason: "x".into() });
        assert_eq!(e.to_string(), "invalid input, nothing sent: x");
        // Displayed as the wrapped error: its cause, not itself, is the next level.
        assert!(std::error::Error::source(&e).is_none());
        assert!(e.api_error().is_some());
        assert_eq!(e.kind(), ErrorKind::FixInput);
    }
}
