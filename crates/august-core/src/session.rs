//! Login vocabulary shared by the client and the authenticator.

use std::fmt;

/// How the account is identified at login, and where the verification code is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoginMethod {
    /// A phone number with `+` and country code; the code comes by SMS.
    Phone,
    /// An e-mail address; the code comes by e-mail.
    Email,
}

impl LoginMethod {
    /// `phone` or `email`, as the API spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            LoginMethod::Phone => "phone",
            LoginMethod::Email => "email",
        }
    }

    /// The login identifier, `<method>:<username>` (`phone:+15555550100`).
    pub fn identifier(self, username: &str) -> String {
        format!("{}:{username}", self.as_str())
    }
}

impl fmt::Display for LoginMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An access token the server issued ([`Api::refresh_access_token`]).
///
/// It reads as a `&str` wherever one is expected (it dereferences to `str`), so it can be
/// passed straight to the next call. `Debug` does not show it and there is no `Display`:
/// printing a token takes an explicit [`as_str`](Self::as_str).
///
/// ```
/// use august_core::AccessToken;
///
/// let token = AccessToken::from("eyJhbGciOiJIUzI1NiJ9.e30.c2ln".to_owned());
/// assert_eq!(format!("{token:?}"), "AccessToken(<redacted>)");
/// assert_eq!(token.split('.').count(), 3);
/// assert_eq!(token, "eyJhbGciOiJIUzI1NiJ9.e30.c2ln");
/// let owned: String = token.into_string();
/// assert!(owned.starts_with("eyJ"));
/// ```
///
/// [`Api::refresh_access_token`]: crate::Api::refresh_access_token
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AccessToken(String);

impl AccessToken {
    /// The token.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The token, as an owned string (to store it, say).
    pub fn into_string(self) -> String {
        self.0
    }
}

impl From<String> for AccessToken {
    fn from(token: String) -> Self {
        AccessToken(token)
    }
}

impl std::ops::Deref for AccessToken {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for AccessToken {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for AccessToken {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for AccessToken {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for AccessToken {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// The answer to `POST /session`: a (possibly not yet validated) access token and what the
/// server verified.
///
/// `Debug` does not show the token.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub(crate) access_token: String,
    pub(crate) expires_at: String,
    pub(crate) password_verified: bool,
    pub(crate) install_id_verified: bool,
}

impl Session {
    /// The access token from the response header (provisional until the install is validated).
    pub fn access_token(&self) -> &str {
        &self.access_token
    }

    /// The `expiresAt` value, verbatim (normally ISO-8601 UTC with milliseconds).
    pub fn expires_at(&self) -> &str {
        &self.expires_at
    }

    /// Whether the password was right (`vPassword`).
    pub fn password_verified(&self) -> bool {
        self.password_verified
    }

    /// Whether this install id is already validated (`vInstallId`); if not, a verification
    /// code is needed.
    pub fn install_id_verified(&self) -> bool {
        self.install_id_verified
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("access_token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field("password_verified", &self.password_verified)
            .field("install_id_verified", &self.install_id_verified)
            .finish()
    }
}
