use std::fmt;
use std::time::Duration;

/// Why a request did not produce an HTTP response.
///
/// Every variant says whether the request may have reached the server, which matters for calls
/// that change the world (unlocking a door, sending an SMS): after [`Error::NotDelivered`] it
/// certainly did not; after [`Error::Timeout`] and [`Error::ConnectionLost`] it may have.
///
/// No variant carries a URL, a header or a body, so an error can be logged without leaking a
/// token that sits in a path or a header. The messages state the fact only; the clients that
/// wrap these errors (as their [`std::error::Error::source`]) say what to do, and
/// [`Error::kind`] says it as an [`ErrorKind`](crate::ErrorKind).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The request was refused before it was sent: a plain `http` URL to a host that is not
    /// loopback, a malformed base URL, an empty path segment, a header that cannot be sent, a
    /// header line too long to write (the start of the request head may have gone out, never a
    /// whole request: the server has nothing to act on).
    InvalidRequest {
        /// What was wrong with it.
        reason: String,
    },
    /// The request never reached the server: the host name did not resolve, the connection was
    /// refused, the TLS handshake failed, the call's deadline ([`crate::within`]) had passed
    /// before it was sent, or the transport was shut down ([`crate::Transport::shutdown`]).
    /// Safe to try again.
    NotDelivered {
        /// What failed, without the URL.
        reason: String,
    },
    /// No complete answer arrived within the time allowed for the call. The server may have
    /// received and acted on the request.
    Timeout {
        /// The time allowed for the call.
        after: Duration,
    },
    /// The connection broke after the request was sent, or the server answered with something
    /// that is not HTTP. The server may have received and acted on the request.
    ConnectionLost {
        /// What failed, without the URL.
        reason: String,
    },
    /// The response body was larger than the cap set for this call.
    ResponseTooLarge {
        /// The cap, in bytes.
        limit: u64,
    },
    /// The server answered, but the body could not be decoded (a corrupt gzip stream). The
    /// server received the request; the call is not retried.
    Undecodable {
        /// The HTTP status of the answer.
        status: u16,
        /// What could not be decoded, without the URL.
        reason: String,
    },
}

impl Error {
    /// Whether the server may have received the request (a timeout, a connection lost after
    /// sending, an answer too large or that could not be decoded): for a lock operation the
    /// outcome is then unknown. What [`HasErrorKind::outcome_unknown`](crate::HasErrorKind::outcome_unknown)
    /// says of this error.
    pub fn may_have_been_delivered(&self) -> bool {
        match self {
            Error::InvalidRequest { .. } | Error::NotDelivered { .. } => false,
            Error::Timeout { .. }
            | Error::ConnectionLost { .. }
            | Error::ResponseTooLarge { .. }
            | Error::Undecodable { .. } => true,
        }
    }

    /// Whether this is a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidRequest { reason } => {
                write!(f, "request refused before sending: {reason}")
            }
            // The facts only: the clients that wrap these errors say what to do.
            Error::NotDelivered { reason } => write!(f, "request not delivered: {reason}"),
            Error::Timeout { after } => write!(
                f,
                "no complete answer within {} ms of sending",
                after.as_millis()
            ),
            Error::ConnectionLost { reason } => {
                write!(f, "connection lost after sending: {reason}")
            }
            Error::ResponseTooLarge { limit } => {
                write!(f, "response body larger than the {limit} byte limit")
            }
            Error::Undecodable { status, reason } => {
                write!(
                    f,
                    "the body of the {status} answer cannot be decoded ({reason})"
                )
            }
        }
    }
}

impl std::error::Error for Error {}

/// A failure that happened before any byte of the request was written: the host name lookup
/// or the connection setup (TCP, TLS). The resolver and the connector of the transport wrap
/// their failures in it (as [`ureq::Error::Other`]) so that [`from_ureq`] reports them as
/// [`Error::NotDelivered`], whatever ureq would have called them (a lookup failure is an
/// uncategorised I/O error, a lookup or connection that runs out of time a timeout).
#[derive(Debug)]
pub(crate) struct BeforeSending {
    pub(crate) reason: String,
}

impl fmt::Display for BeforeSending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for BeforeSending {}

impl BeforeSending {
    /// Wraps a failure of `stage` (`"host name lookup"`, `"connection"`) unless ureq already
    /// says it was not delivered or it is a fault of the request itself.
    pub(crate) fn wrap(stage: &str, err: ureq::Error) -> ureq::Error {
        let reason = match &err {
            ureq::Error::Timeout(_) => format!("{stage} timed out"),
            ureq::Error::HostNotFound => format!("{stage} failed: host not found"),
            // The system's text (`failed to lookup address information: ...`), or the kind.
            ureq::Error::Io(io) => match io.get_ref() {
                Some(inner) => format!("{stage} failed: {inner}"),
                None => format!("{stage} failed: {}", io.kind()),
            },
            ureq::Error::ConnectionFailed => format!("{stage} failed"),
            ureq::Error::Tls(what) => format!("{stage} failed: tls: {what}"),
            ureq::Error::Rustls(e) => format!("{stage} failed: tls: {e}"),
            _ => return err,
        };
        ureq::Error::Other(Box::new(BeforeSending { reason }))
    }
}

/// Maps a ureq error to ours, keeping no text that could hold the URL.
pub(crate) fn from_ureq(err: ureq::Error, timeout: Duration) -> Error {
    use std::io::ErrorKind;
    match err {
        ureq::Error::Other(other) => match other.downcast::<BeforeSending>() {
            Ok(before) => Error::NotDelivered {
                reason: before.reason,
            },
            Err(_) => Error::ConnectionLost {
                reason: "transport failure: other".into(),
            },
        },
        ureq::Error::Timeout(_) => Error::Timeout { after: timeout },
        ureq::Error::HostNotFound => Error::NotDelivered {
            reason: "host not found".into(),
        },
        ureq::Error::ConnectionFailed => Error::NotDelivered {
            reason: "connection failed".into(),
        },
        ureq::Error::BodyExceedsLimit(limit) => Error::ResponseTooLarge { limit },
        // Every failure before sending (the lookup, the TCP and TLS handshakes) comes wrapped
        // in `BeforeSending`: an I/O error that is not is one of the request's own writes or
        // reads, after which it may have arrived, whatever the error (an unreachable host
        // after retransmissions of a request already sent).
        ureq::Error::Io(io) => match io.kind() {
            ErrorKind::TimedOut | ErrorKind::WouldBlock => Error::Timeout { after: timeout },
            _ => Error::ConnectionLost {
                reason: io_reason(&io),
            },
        },
        ureq::Error::Tls(what) => Error::NotDelivered {
            reason: format!("tls: {what}"),
        },
        ureq::Error::Rustls(e) => Error::NotDelivered {
            reason: format!("tls: {e}"),
        },
        // A request line or a header line longer than ureq's output buffer: refused before
        // any byte of it was written, and it would be again.
        ureq::Error::Protocol(ureq_proto::Error::OutputOverflow) => Error::InvalidRequest {
            reason: "the request line or a header is too long to be sent".into(),
        },
        ureq::Error::Protocol(e) => Error::ConnectionLost {
            reason: format!("invalid HTTP from the server: {e}"),
        },
        ureq::Error::BadUri(_) | ureq::Error::Http(_) => Error::InvalidRequest {
            reason: "the URL or a header could not be sent".into(),
        },
        ureq::Error::TooManyRedirects | ureq::Error::RedirectFailed => Error::InvalidRequest {
            reason: "redirects are not followed".into(),
        },
        other => Error::ConnectionLost {
            reason: format!("transport failure: {}", kind_name(&other)),
        },
    }
}

fn io_reason(io: &std::io::Error) -> String {
    // io::Error texts name the failure (errno text), never the URL.
    match io.get_ref() {
        Some(inner) => format!("{}: {inner}", io.kind()),
        None => io.kind().to_string(),
    }
}

fn kind_name(err: &ureq::Error) -> &'static str {
    match err {
        ureq::Error::InvalidProxyUrl => "invalid proxy",
        ureq::Error::StatusCode(_) => "status",
        _ => "other",
    }
}

/// Maps a failure to read the body of a `status` answer: a stream that does not decompress is
/// [`Error::Undecodable`]; the rest is mapped as any ureq error.
pub(crate) fn from_body_read(io: std::io::Error, status: u16, timeout: Duration) -> Error {
    use std::io::ErrorKind;
    match ureq::Error::from(io) {
        ureq::Error::Decompress(what, inner)
            if matches!(
                inner.kind(),
                ErrorKind::InvalidData | ErrorKind::InvalidInput
            ) =>
        {
            Error::Undecodable {
                status,
                reason: format!("corrupt {what} stream: {}", io_reason(&inner)),
            }
        }
        ureq::Error::Decompress(_, inner) => from_ureq(ureq::Error::from(inner), timeout),
        other => from_ureq(other, timeout),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    const TIMEOUT: Duration = Duration::from_secs(10);

    #[test]
    fn an_io_failure_of_the_request_itself_may_have_been_delivered() {
        for kind in [
            io::ErrorKind::ConnectionRefused,
            io::ErrorKind::AddrNotAvailable,
            io::ErrorKind::NetworkUnreachable,
            io::ErrorKind::HostUnreachable,
            io::ErrorKind::NotFound,
        ] {
            let err = from_ureq(ureq::Error::Io(io::Error::from(kind)), TIMEOUT);
            assert!(
                matches!(err, Error::ConnectionLost { .. }) && err.may_have_been_delivered(),
                "{kind:?}: {err:?}"
            );
        }
    }

    #[test]
    fn an_io_failure_before_sending_was_not_delivered() {
        let refused = ureq::Error::Io(io::ErrorKind::ConnectionRefused.into());
        let err = from_ureq(BeforeSending::wrap("connection", refused), TIMEOUT);
        assert_eq!(
            err,
            Error::NotDelivered {
                reason: "connection failed: connection refused".into()
            }
        );
        assert!(!err.may_have_been_delivered());
    }

    #[test]
    fn an_answer_too_large_was_delivered_and_leaves_the_outcome_unknown() {
        use crate::HasErrorKind;
        let err = Error::ResponseTooLarge { limit: 1024 };
        assert!(err.may_have_been_delivered());
        assert!(err.outcome_unknown());
        for err in [
            Error::InvalidRequest { reason: "r".into() },
            Error::NotDelivered { reason: "r".into() },
            Error::Timeout { after: TIMEOUT },
            Error::ConnectionLost { reason: "r".into() },
            Error::Undecodable {
                status: 200,
                reason: "r".into(),
            },
        ] {
            assert_eq!(
                err.may_have_been_delivered(),
                err.outcome_unknown(),
                "{err:?}"
            );
        }
    }
}
