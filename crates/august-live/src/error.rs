//! The one error type of the live-event crate.

use std::fmt;

/// A boxed error from a token source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong with a stream, shaped around what the caller does next.
///
/// No variant carries an access token, the PubNub subscribe key or a websocket URL with its
/// subscriber id.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The stream was configured wrongly (no house, an invalid URL); nothing was started.
    InvalidInput {
        /// What was wrong.
        reason: String,
    },
    /// The token source failed to give an access token.
    Token {
        /// The token source's error.
        source: BoxError,
    },
    /// An August API call failed (listing devices, reading the user, creating the websocket
    /// subscriber).
    Api {
        /// What the stream was doing.
        during: &'static str,
        /// The API error.
        source: Box<august_core::Error>,
    },
    /// The push service refused the subscription (PubNub 403, or a websocket handshake
    /// refused with 401/403): the stream ends. Check the account and the brand; retrying in a
    /// loop will not help.
    PushForbidden {
        /// The HTTP status.
        status: u16,
        /// The start of the server's answer (secrets scrubbed).
        message: String,
    },
}

/// What the caller should do about an [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Fix the configuration; nothing was started.
    InvalidInput,
    /// Sign in again (the token source or the API refused the credentials).
    Reauthenticate,
    /// The push service refused this account: use polling only, or check the brand.
    PushForbidden,
    /// A network or server problem: try again later.
    Unavailable,
}

impl Error {
    /// What the caller should do next.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput { .. } => ErrorKind::InvalidInput,
            Error::Token { .. } => ErrorKind::Reauthenticate,
            Error::Api { source, .. } if source.is_unauthorized() => ErrorKind::Reauthenticate,
            Error::Api { source, .. }
                if matches!(**source, august_core::Error::InvalidInput { .. }) =>
            {
                ErrorKind::InvalidInput
            }
            Error::Api { .. } => ErrorKind::Unavailable,
            Error::PushForbidden { .. } => ErrorKind::PushForbidden,
        }
    }

    /// The HTTP status, when the error is an answer from a server.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { source, .. } => source.status(),
            Error::PushForbidden { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidInput { reason } => write!(f, "invalid stream settings: {reason}"),
            Error::Token { .. } => f.write_str("the token source gave no access token"),
            Error::Api { during, .. } => write!(f, "the stream failed while {during}"),
            Error::PushForbidden { status, message } => {
                write!(
                    f,
                    "the push service refused the subscription with status {status}"
                )?;
                if !message.is_empty() {
                    write!(f, " ({message})")?;
                }
                f.write_str("; the stream has ended")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Token { source } => Some(source.as_ref()),
            Error::Api { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}
