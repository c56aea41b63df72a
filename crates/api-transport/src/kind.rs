//! The one vocabulary every client's errors share: what the caller does next.

use std::fmt;
use std::time::Duration;

use crate::Error;

/// What the caller does next about an error, the same for every client of the workspace
/// (August, its sign-in, Authy, Twilio Verify).
///
/// Every public error type has a `kind()` returning it (and implements [`HasErrorKind`]), so
/// one `match` handles any error. The service's own detail (its error code, its finer reason)
/// stays on the error under another name (`reason()`, `code()`).
///
/// New variants may be added: keep a `_` arm that shows the error's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The credentials are missing, expired or were refused (a 401, an OAuth `invalid_grant`,
    /// an expired imported token): sign in again.
    SignInAgain,
    /// The configuration was refused: an API key or client secret, a base URL (a redirect),
    /// a body cap, a feature not enabled for the account, a cache file that cannot be used.
    /// Fix it; trying again as is will fail the same way.
    Configuration,
    /// The input was refused, before sending or by the server (a malformed ID, a wrong or
    /// reused code, an invalid phone number): fix it, or ask the user again.
    FixInput,
    /// No such resource (lock, user, verification, factor) for these credentials.
    NotFound,
    /// The credentials are valid but not allowed to do this (forbidden, blocked): do not retry
    /// in a loop.
    Forbidden,
    /// The server asked to wait this long (`Retry-After`) before trying again: as large as it
    /// wrote it, up to `Duration::MAX` for a number too large to count (add it to an `Instant`
    /// with `checked_add`).
    RetryAfter(Duration),
    /// Rate limited without saying for how long: wait (seconds to minutes) before trying again.
    RateLimited,
    /// A passing fault on the server's side (a 5xx to a call that can be sent again, a busy
    /// bridge, a read that timed out): try again later, with a backoff.
    RetryLater,
    /// The request never reached the server (DNS, connection refused, TLS): nothing happened,
    /// safe to try again once the network is back.
    NotDelivered,
    /// A lock operation whose answer was lost (a timeout, a broken connection) or was a server
    /// error (a 5xx): the lock may have moved. Read its state before trying again.
    CheckLockState,
    /// A call that changes something (sends a code, creates a user) whose answer was lost or
    /// was a server error (a 5xx): it may have happened. Check before sending it again.
    OutcomeUnknown,
    /// The device cannot act: its bridge is offline or missing, or the lock is jammed. Check
    /// it in place or in the vendor's app.
    CheckDevice,
    /// The verification, challenge or sign-in is over (expired, out of attempts, already
    /// answered): start a new one.
    StartOver,
    /// The server answered with something this client cannot read (a body that does not fit
    /// the model, an unexpected reply): a bug, in the client or the service. Report it with the
    /// error's message.
    ReportBug,
    /// Anything else: the error's message says more.
    Other,
}

impl ErrorKind {
    /// The generic kind of an HTTP error status, for answers the service does not detail;
    /// `retry_after` is the answer's `Retry-After`, if any.
    ///
    /// ```
    /// use std::time::Duration;
    /// use api_transport::ErrorKind;
    ///
    /// assert_eq!(ErrorKind::from_status(401, None), ErrorKind::SignInAgain);
    /// assert_eq!(
    ///     ErrorKind::from_status(429, Some(Duration::from_secs(3))),
    ///     ErrorKind::RetryAfter(Duration::from_secs(3))
    /// );
    /// assert_eq!(ErrorKind::from_status(429, None), ErrorKind::RateLimited);
    /// ```
    pub fn from_status(status: u16, retry_after: Option<Duration>) -> ErrorKind {
        match (status, retry_after) {
            (429 | 503, Some(after)) => ErrorKind::RetryAfter(after),
            (429, None) => ErrorKind::RateLimited,
            (300..=399, _) => ErrorKind::Configuration,
            (400 | 422, _) => ErrorKind::FixInput,
            (401, _) => ErrorKind::SignInAgain,
            (403, _) => ErrorKind::Forbidden,
            (404 | 410, _) => ErrorKind::NotFound,
            (500..=599, _) => ErrorKind::RetryLater,
            _ => ErrorKind::Other,
        }
    }

    /// How long to wait before trying again, when the server said (up to `Duration::MAX`, as
    /// [`ErrorKind::RetryAfter`]).
    pub fn retry_after(self) -> Option<Duration> {
        match self {
            ErrorKind::RetryAfter(after) => Some(after),
            _ => None,
        }
    }

    /// Whether the same call may simply be sent again (after waiting, for
    /// [`ErrorKind::RetryAfter`] and [`ErrorKind::RateLimited`]).
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::RetryAfter(_)
                | ErrorKind::RateLimited
                | ErrorKind::RetryLater
                | ErrorKind::NotDelivered
        )
    }

    /// What to do, in a few words.
    pub fn advice(self) -> &'static str {
        match self {
            ErrorKind::SignInAgain => "sign in again",
            ErrorKind::Configuration => "fix the configuration",
            ErrorKind::FixInput => "fix the input",
            ErrorKind::NotFound => "check the id: not found",
            ErrorKind::Forbidden => "not allowed: check the account's permissions",
            ErrorKind::RetryAfter(_) => "wait as asked, then try again",
            ErrorKind::RateLimited => "rate limited: wait, then try again",
            ErrorKind::RetryLater => "try again later",
            ErrorKind::NotDelivered => "not delivered: try again when the network is back",
            ErrorKind::CheckLockState => "read the lock's state before trying again",
            ErrorKind::OutcomeUnknown => "it may have happened: check before sending it again",
            ErrorKind::CheckDevice => "check the device and its bridge",
            ErrorKind::StartOver => "start a new one",
            ErrorKind::ReportBug => "unexpected answer: report it",
            ErrorKind::Other => "see the message",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::RetryAfter(after) => {
                write!(f, "wait {} ms, then try again", after.as_millis())
            }
            other => f.write_str(other.advice()),
        }
    }
}

/// An error that says what the caller does next. Every public error type of the workspace
/// implements it, so code that handles errors of several clients can take any of them.
///
/// ```
/// use api_transport::{ErrorKind, HasErrorKind};
///
/// fn should_retry(err: &impl HasErrorKind) -> bool {
///     err.kind().is_retryable()
/// }
/// let err = api_transport::Error::NotDelivered { reason: "host not found".into() };
/// assert!(should_retry(&err));
/// ```
pub trait HasErrorKind {
    /// What the caller does next.
    fn kind(&self) -> ErrorKind;

    /// Whether the request may have taken effect while the caller cannot tell: a request that
    /// changes something whose answer was lost, or said nothing of what was done (a 5xx). When
    /// it is true, check before sending the request again. False for a request that changes
    /// nothing or is harmless to send again, whatever its answer, where the error knows its
    /// request: the transport's own [`Error`] does not, and answers as for a request that
    /// changes something.
    ///
    /// By default, what the kind says: true for [`ErrorKind::OutcomeUnknown`] and
    /// [`ErrorKind::CheckLockState`]. A client whose rule is finer overrides it with its
    /// errors' own `outcome_unknown()`: a request that changes something may also have taken
    /// effect when its kind names what to fix first (an answer too large or that could not be
    /// read, a redirect).
    ///
    /// ```
    /// use std::time::Duration;
    /// use api_transport::{Error, HasErrorKind};
    ///
    /// fn check_first(err: &impl HasErrorKind) -> bool {
    ///     err.outcome_unknown()
    /// }
    /// assert!(check_first(&Error::Timeout { after: Duration::from_secs(10) }));
    /// assert!(!check_first(&Error::NotDelivered { reason: "host not found".into() }));
    /// ```
    fn outcome_unknown(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::OutcomeUnknown | ErrorKind::CheckLockState
        )
    }
}

impl Error {
    /// What the caller does next. A call that got no answer is [`ErrorKind::OutcomeUnknown`]
    /// here: the client that sent it knows better (a read is [`ErrorKind::RetryLater`], a lock
    /// operation [`ErrorKind::CheckLockState`]).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidRequest { .. } => ErrorKind::FixInput,
            Error::NotDelivered { .. } => ErrorKind::NotDelivered,
            Error::Timeout { .. } | Error::ConnectionLost { .. } => ErrorKind::OutcomeUnknown,
            Error::ResponseTooLarge { .. } => ErrorKind::Configuration,
            Error::Undecodable { .. } => ErrorKind::ReportBug,
        }
    }
}

impl HasErrorKind for Error {
    fn kind(&self) -> ErrorKind {
        Error::kind(self)
    }

    /// The transport does not know whether its call changes something, so it answers as for
    /// one that does (a client's error, which knows its call, says false for a read): true when
    /// the request may have reached the server and no answer says what was done (no answer in
    /// time, a connection lost after sending, an answer too large or that could not be read);
    /// false when it was refused before sending or not delivered.
    fn outcome_unknown(&self) -> bool {
        self.may_have_been_delivered()
    }
}

/// The first level of an error's chain whose message repeats the message of its cause, as
/// `(message, cause)`; `None` when every cause adds a fact. The workspace's tests hold every
/// error type to it.
///
/// ```
/// use api_transport::repeated_cause;
///
/// let err = api_transport::Error::NotDelivered { reason: "host not found".into() };
/// assert_eq!(repeated_cause(&err), None);
/// ```
pub fn repeated_cause(err: &(dyn std::error::Error + 'static)) -> Option<(String, String)> {
    let mut above = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if text.is_empty() || above.contains(&text) {
            return Some((above, text));
        }
        above = text;
        cause = c.source();
    }
    None
}

/// Whether an error answer with this `status` leaves the outcome of the request unknown: the
/// rule every client's `outcome_unknown()` applies to an answer. A 4xx is the service's refusal
/// (the request was not acted on) and a 2xx says what was done; any other status leaves it
/// unknown: a 5xx (a gateway may answer one after the service acted on the request), a 3xx (a
/// redirect is never followed, and may come after the request was acted on, as a 303 does).
///
/// ```
/// use api_transport::answer_leaves_outcome_unknown;
///
/// assert!(answer_leaves_outcome_unknown(502));
/// assert!(!answer_leaves_outcome_unknown(400));
/// assert!(!answer_leaves_outcome_unknown(429));
/// ```
pub fn answer_leaves_outcome_unknown(status: u16) -> bool {
    !matches!(status, 200..=299 | 400..=499)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_what_to_do() {
        let d = Duration::from_secs(7);
        assert_eq!(ErrorKind::from_status(401, Some(d)), ErrorKind::SignInAgain);
        assert_eq!(ErrorKind::from_status(403, None), ErrorKind::Forbidden);
        assert_eq!(ErrorKind::from_status(404, None), ErrorKind::NotFound);
        assert_eq!(ErrorKind::from_status(400, None), ErrorKind::FixInput);
        assert_eq!(ErrorKind::from_status(302, None), ErrorKind::Configuration);
        assert_eq!(
            ErrorKind::from_status(429, Some(d)),
            ErrorKind::RetryAfter(d)
        );
        assert_eq!(
            ErrorKind::from_status(503, Some(d)),
            ErrorKind::RetryAfter(d)
        );
        assert_eq!(ErrorKind::from_status(502, None), ErrorKind::RetryLater);
        assert_eq!(ErrorKind::from_status(418, None), ErrorKind::Other);
        assert_eq!(ErrorKind::RetryAfter(d).retry_after(), Some(d));
        assert_eq!(
            ErrorKind::RetryAfter(d).to_string(),
            "wait 7000 ms, then try again"
        );
    }

    #[test]
    fn only_a_refusal_or_a_success_says_what_was_done() {
        for status in [500, 502, 503, 504, 531, 301, 303, 307, 100] {
            assert!(answer_leaves_outcome_unknown(status), "{status}");
        }
        for status in [200, 204, 400, 401, 404, 408, 409, 422, 429, 499] {
            assert!(!answer_leaves_outcome_unknown(status), "{status}");
        }
    }

    #[derive(Debug)]
    struct Wrapper(Error, bool);

    impl fmt::Display for Wrapper {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            if self.1 {
                write!(f, "call failed: {}", self.0)
            } else {
                f.write_str("call failed")
            }
        }
    }

    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn a_cause_that_repeats_the_message_is_found() {
        let inner = || Error::NotDelivered {
            reason: "host not found".into(),
        };
        assert_eq!(repeated_cause(&Wrapper(inner(), false)), None);
        assert_eq!(
            repeated_cause(&Wrapper(inner(), true)),
            Some((
                "call failed: request not delivered: host not found".to_owned(),
                "request not delivered: host not found".to_owned()
            ))
        );
    }

    /// An error whose kind alone answers.
    struct Kinded(ErrorKind);

    impl HasErrorKind for Kinded {
        fn kind(&self) -> ErrorKind {
            self.0
        }
    }

    #[test]
    fn by_default_the_kind_says_whether_the_outcome_is_unknown() {
        assert!(Kinded(ErrorKind::OutcomeUnknown).outcome_unknown());
        assert!(Kinded(ErrorKind::CheckLockState).outcome_unknown());
        for known in [
            ErrorKind::SignInAgain,
            ErrorKind::Configuration,
            ErrorKind::FixInput,
            ErrorKind::NotFound,
            ErrorKind::Forbidden,
            ErrorKind::RetryAfter(Duration::from_secs(3)),
            ErrorKind::RateLimited,
            ErrorKind::RetryLater,
            ErrorKind::NotDelivered,
            ErrorKind::CheckDevice,
            ErrorKind::StartOver,
            ErrorKind::ReportBug,
            ErrorKind::Other,
        ] {
            assert!(!Kinded(known).outcome_unknown(), "{known:?}");
        }
    }

    #[test]
    fn a_transport_error_answers_as_for_a_call_that_changes_something() {
        let unknown = [
            Error::Timeout {
                after: Duration::from_secs(1),
            },
            Error::ConnectionLost {
                reason: "reset".into(),
            },
            Error::ResponseTooLarge { limit: 1024 },
            Error::Undecodable {
                status: 200,
                reason: "corrupt".into(),
            },
        ];
        for e in unknown {
            assert!(e.outcome_unknown(), "{e:?}");
        }
        let known = [
            Error::InvalidRequest {
                reason: "not https".into(),
            },
            Error::NotDelivered {
                reason: "host not found".into(),
            },
        ];
        for e in known {
            assert!(!e.outcome_unknown(), "{e:?}");
        }
    }

    #[test]
    fn transport_errors_have_kinds() {
        let e = Error::NotDelivered {
            reason: "host not found".into(),
        };
        assert_eq!(e.kind(), ErrorKind::NotDelivered);
        assert!(e.kind().is_retryable());
        let e = Error::Timeout {
            after: Duration::from_secs(1),
        };
        assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);
        assert!(!e.kind().is_retryable());
        let e = Error::Undecodable {
            status: 200,
            reason: "corrupt".into(),
        };
        assert_eq!(HasErrorKind::kind(&e), ErrorKind::ReportBug);
    }
}
