//! The one error type of the live-event crate.

use std::fmt;

pub use api_transport::ErrorKind;

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
    /// The push service refused the subscription (PubNub 403, or the websocket handshake
    /// refused with 403 twice in a row): the stream ends. Check the account and the brand;
    /// retrying in a loop will not help.
    PushForbidden {
        /// The HTTP status.
        status: u16,
        /// The start of the server's answer (secrets scrubbed).
        message: String,
    },
    /// The system refused to start a thread the stream needs (a limit on threads or memory was
    /// reached): nothing of the stream is left running. Try again later, once other threads
    /// have ended.
    Thread {
        /// The thread's name (`august-live-pubnub`, `august-live-socketio`,
        /// `august-live-callback`).
        name: &'static str,
        /// The system's error.
        source: std::io::Error,
    },
}

impl Error {
    /// The wrapping of an API call's error made while `during`, for `map_err`.
    pub(crate) fn api(during: &'static str) -> impl FnOnce(august_core::Error) -> Error {
        move |source| Error::Api {
            during,
            source: Box::new(source),
        }
    }

    /// What the caller does next, in the vocabulary every client of the workspace shares:
    /// [`ErrorKind::FixInput`] for bad settings (nothing was started),
    /// [`ErrorKind::SignInAgain`] when the token source failed or the API refused the token,
    /// [`ErrorKind::Forbidden`] when the push service refused the subscription (poll only, or
    /// check the brand), [`ErrorKind::RetryLater`] when the system refused to start a thread,
    /// and for another API failure what that error says.
    ///
    /// ```
    /// use august_live::{Error, ErrorKind};
    ///
    /// let err = Error::PushForbidden { status: 403, message: String::new() };
    /// assert_eq!(err.kind(), ErrorKind::Forbidden);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput { .. } => ErrorKind::FixInput,
            Error::Token { .. } => ErrorKind::SignInAgain,
            Error::Api { source, .. } => source.kind(),
            Error::PushForbidden { .. } => ErrorKind::Forbidden,
            Error::Thread { .. } => ErrorKind::RetryLater,
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
            Error::Thread { name, .. } => {
                write!(f, "the system refused to start the stream's thread {name}")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Token { source } => Some(source.as_ref()),
            Error::Api { source, .. } => Some(source.as_ref()),
            Error::Thread { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Only an August API call's error can leave its request's outcome unknown: the others are
/// refusals, or local.
impl api_transport::HasErrorKind for Error {
    fn kind(&self) -> ErrorKind {
        Error::kind(self)
    }

    fn outcome_unknown(&self) -> bool {
        matches!(self, Error::Api { source, .. } if source.outcome_unknown())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_says_what_to_do_next() {
        let settings = Error::InvalidInput {
            reason: "no house".into(),
        };
        assert_eq!(settings.kind(), ErrorKind::FixInput);
        let token = Error::Token {
            source: "the cache is empty".into(),
        };
        assert_eq!(token.kind(), ErrorKind::SignInAgain);
        let not_sent = Error::Api {
            during: "listing the locks",
            source: Box::new(august_core::Error::InvalidInput {
                reason: "an empty ID".into(),
            }),
        };
        assert_eq!(not_sent.kind(), ErrorKind::FixInput);
        let forbidden = Error::PushForbidden {
            status: 403,
            message: String::new(),
        };
        assert_eq!(forbidden.kind(), ErrorKind::Forbidden);
        let thread = Error::Thread {
            name: "august-live-pubnub",
            source: std::io::ErrorKind::WouldBlock.into(),
        };
        assert_eq!(thread.kind(), ErrorKind::RetryLater);
        assert_eq!(
            thread.to_string(),
            "the system refused to start the stream's thread august-live-pubnub"
        );
        assert_eq!(api_transport::repeated_cause(&not_sent), None);
    }
}
