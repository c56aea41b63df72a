//! The login record: its state, install id, access token and expiry.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use crate::expiry::{self, ExpiryError};

/// Where a login stands. The strings are those the cache file stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthenticationState {
    /// No login yet, or the cached one expired: [`Authenticator::authenticate`] will log in.
    ///
    /// [`Authenticator::authenticate`]: crate::Authenticator::authenticate
    RequiresAuthentication,
    /// The password was right but this install id is not validated: send and validate a
    /// verification code, then authenticate again.
    RequiresValidation,
    /// The access token is valid for API calls.
    Authenticated,
    /// The server rejected the password. The flow ends here.
    BadPassword,
}

impl AuthenticationState {
    /// The cache file's string: `requires_authentication`, `requires_validation`,
    /// `authenticated` or `bad_password`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthenticationState::RequiresAuthentication => "requires_authentication",
            AuthenticationState::RequiresValidation => "requires_validation",
            AuthenticationState::Authenticated => "authenticated",
            AuthenticationState::BadPassword => "bad_password",
        }
    }
}

impl fmt::Display for AuthenticationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not one of the four [`AuthenticationState`] strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownState(String);

impl fmt::Display for UnknownState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown authentication state `{}`; expected requires_authentication, requires_validation, authenticated or bad_password",
            self.0
        )
    }
}

impl UnknownState {
    /// What the caller does next: always [`ErrorKind::FixInput`](api_transport::ErrorKind).
    pub fn kind(&self) -> api_transport::ErrorKind {
        api_transport::ErrorKind::FixInput
    }
}

impl api_transport::HasErrorKind for UnknownState {
    fn kind(&self) -> api_transport::ErrorKind {
        UnknownState::kind(self)
    }
}

impl std::error::Error for UnknownState {}

impl FromStr for AuthenticationState {
    type Err = UnknownState;

    /// Parses the exact (case-sensitive) cache file string.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "requires_authentication" => Ok(AuthenticationState::RequiresAuthentication),
            "requires_validation" => Ok(AuthenticationState::RequiresValidation),
            "authenticated" => Ok(AuthenticationState::Authenticated),
            "bad_password" => Ok(AuthenticationState::BadPassword),
            other => Err(UnknownState(api_transport::printable(other, 40))),
        }
    }
}

/// The outcome of [`Authenticator::validate_verification_code`].
///
/// [`Authenticator::validate_verification_code`]: crate::Authenticator::validate_verification_code
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValidationResult {
    /// The code was accepted: call [`Authenticator::authenticate`] again.
    ///
    /// [`Authenticator::authenticate`]: crate::Authenticator::authenticate
    Validated,
    /// The code was empty, not made of digits, or refused by the server: ask for it again or
    /// send a new one.
    InvalidVerificationCode,
}

impl ValidationResult {
    /// `validated` or `invalid_verification_code`.
    pub fn as_str(self) -> &'static str {
        match self {
            ValidationResult::Validated => "validated",
            ValidationResult::InvalidVerificationCode => "invalid_verification_code",
        }
    }
}

impl fmt::Display for ValidationResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A login record: state, install id, access token and the token's expiry.
///
/// The expiry is kept as the string it was received or stored as (the server's `expiresAt`,
/// or the cache file's `access_token_expires`) and parsed on demand by
/// [`Authentication::parsed_expiry`].
///
/// `Debug` does not show the access token.
#[derive(Clone, PartialEq, Eq)]
pub struct Authentication {
    pub(crate) state: AuthenticationState,
    pub(crate) install_id: String,
    pub(crate) access_token: String,
    pub(crate) access_token_expires: Option<String>,
}

impl Authentication {
    /// A record with no token yet, in state [`AuthenticationState::RequiresAuthentication`].
    pub(crate) fn fresh(install_id: String) -> Authentication {
        Authentication {
            state: AuthenticationState::RequiresAuthentication,
            install_id,
            access_token: String::new(),
            access_token_expires: None,
        }
    }

    /// Where the login stands.
    pub fn state(&self) -> AuthenticationState {
        self.state
    }

    /// The install id this login used (or will use); a validated install id skips the
    /// verification code.
    pub fn install_id(&self) -> &str {
        &self.install_id
    }

    /// The access token to pass to the API calls. Empty while the state is
    /// [`AuthenticationState::RequiresAuthentication`]; provisional (not usable for API calls)
    /// in [`AuthenticationState::RequiresValidation`].
    pub fn access_token(&self) -> &str {
        &self.access_token
    }

    /// The token's expiry, verbatim: the server's `expiresAt` after a login
    /// (`2020-03-06T22:55:12.002Z`), six fractional digits after a refresh
    /// (`1970-01-01T00:22:17.000000Z`). `None` before the first login.
    pub fn access_token_expires(&self) -> Option<&str> {
        self.access_token_expires.as_deref()
    }

    /// The token's expiry as a UTC instant.
    ///
    /// Read by the workspace's one ISO-8601 reader: `YYYY-MM-DD`, then `T` or a space, then
    /// `HH:MM` with optional `:SS`, an optional fraction of any length, then `Z`, a numeric
    /// offset (`+01:00`, `+0100`, `+01`) or nothing. A value without a zone is read as UTC.
    ///
    /// # Errors
    ///
    /// [`ExpiryError::Missing`] before the first login, [`ExpiryError::Invalid`] when the
    /// string has another form.
    pub fn parsed_expiry(&self) -> Result<DateTime<Utc>, ExpiryError> {
        match &self.access_token_expires {
            None => Err(ExpiryError::Missing),
            Some(s) => expiry::parse(s),
        }
    }
}

impl fmt::Debug for Authentication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let token = if self.access_token.is_empty() {
            "<none>"
        } else {
            "<redacted>"
        };
        f.debug_struct("Authentication")
            .field("state", &self.state)
            .field("install_id", &self.install_id)
            .field("access_token", &format_args!("{token}"))
            .field("access_token_expires", &self.access_token_expires)
            .finish()
    }
}

#[cfg(test)]
impl Authentication {
    /// An authenticated login of a fixed install id, for the tests.
    pub(crate) fn sample(access_token: &str, expires: &str) -> Authentication {
        Authentication {
            state: AuthenticationState::Authenticated,
            install_id: "0b5d3b8e-3f5f-4b8a-9c4e-2f6d8a1b7c9d".into(),
            access_token: access_token.into(),
            access_token_expires: Some(expires.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [AuthenticationState; 4] = [
        AuthenticationState::RequiresAuthentication,
        AuthenticationState::RequiresValidation,
        AuthenticationState::Authenticated,
        AuthenticationState::BadPassword,
    ];

    #[test]
    fn state_strings_round_trip() {
        let strings: Vec<&str> = ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            strings,
            [
                "requires_authentication",
                "requires_validation",
                "authenticated",
                "bad_password"
            ]
        );
        for state in ALL {
            assert_eq!(state.as_str().parse::<AuthenticationState>(), Ok(state));
            assert_eq!(state.to_string(), state.as_str());
        }
        assert!("Authenticated".parse::<AuthenticationState>().is_err());
        assert!("".parse::<AuthenticationState>().is_err());
        let err = "nope".parse::<AuthenticationState>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown authentication state `nope`; expected requires_authentication, requires_validation, authenticated or bad_password"
        );
    }

    #[test]
    fn validation_result_strings() {
        assert_eq!(ValidationResult::Validated.as_str(), "validated");
        assert_eq!(
            ValidationResult::InvalidVerificationCode.to_string(),
            "invalid_verification_code"
        );
    }

    #[test]
    fn debug_never_shows_the_token() {
        let auth = Authentication::sample("secret-token-value", "2020-03-06T22:55:12.002Z");
        assert_eq!(
            format!("{auth:?}"),
            "Authentication { state: Authenticated, install_id: \"0b5d3b8e-3f5f-4b8a-9c4e-2f6d8a1b7c9d\", access_token: <redacted>, access_token_expires: Some(\"2020-03-06T22:55:12.002Z\") }"
        );
        let pretty = format!("{auth:#?}");
        assert!(!pretty.contains("secret-token-value"));
        let fresh = Authentication::fresh("id".into());
        assert_eq!(
            format!("{fresh:?}"),
            "Authentication { state: RequiresAuthentication, install_id: \"id\", access_token: <none>, access_token_expires: None }"
        );
    }

    #[test]
    fn getters_and_parsed_expiry() {
        let mut auth = Authentication::fresh("id".into());
        assert_eq!(auth.state(), AuthenticationState::RequiresAuthentication);
        assert_eq!(auth.install_id(), "id");
        assert_eq!(auth.access_token(), "");
        assert_eq!(auth.access_token_expires(), None);
        assert_eq!(auth.parsed_expiry(), Err(ExpiryError::Missing));
        auth.access_token_expires = Some("2020-03-06T22:55:12.002Z".into());
        assert_eq!(
            auth.parsed_expiry().map(|d| d.timestamp_millis()),
            Ok(1_583_535_312_002)
        );
        assert_eq!(
            auth.access_token_expires(),
            Some("2020-03-06T22:55:12.002Z")
        );
    }
}
