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
    pub fn as_str(self) -> &'static str {
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
