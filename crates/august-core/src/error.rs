//! The one error type of the August client.

use std::fmt;
use std::time::Duration;

use api_transport::{ErrorKind, HasErrorKind};

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong with a call, shaped around what the caller does next.
///
/// - [`Error::InvalidInput`]: nothing was sent; fix the argument or the configuration.
/// - [`Error::NotDelivered`]: nothing reached the server; safe to try again.
/// - [`Error::Timeout`] and [`Error::ConnectionLost`]: the server may have acted. For a lock
///   operation the outcome is unknown: read the lock's status before trying again.
/// - [`Error::Api`]: the server answered with an error status; [`ApiError::reason`] says which.
/// - [`Error::Decode`]: the server answered 2xx with a body that does not fit the model (or
///   with JSON followed by other data), or answered with a body that does not decompress.
/// - [`Error::ResponseTooLarge`]: the body was over the configured cap.
///
/// [`Error::outcome_unknown`] says, whatever the variant, whether a request that changes
/// something may have taken effect without the caller being able to tell; it is false for a
/// `GET`, whatever its answer.
///
/// [`Error::kind`] says what to do next in the vocabulary every client shares
/// ([`ErrorKind`](crate::ErrorKind)), without matching the variants.
///
/// No variant carries an access token, an API key or a password.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The call was refused before sending: an empty ID, a base URL that is not `https`, a brand
    /// that does not allow password login.
    InvalidInput {
        /// What was wrong.
        reason: String,
    },
    /// The request never reached the server (DNS, connection refused, TLS handshake).
    NotDelivered {
        /// The call, as `METHOD /path`.
        endpoint: String,
        /// The transport's account of it.
        source: api_transport::Error,
    },
    /// No complete answer within the call's timeout; the server may have acted on the request.
    Timeout {
        /// The call, as `METHOD /path`.
        endpoint: String,
        /// The time allowed.
        after: Duration,
        /// Whether the call operates a lock, whose state is then unknown.
        remote_operation: bool,
    },
    /// The connection broke after the request was sent; the server may have acted on it.
    ConnectionLost {
        /// The call, as `METHOD /path`.
        endpoint: String,
        /// Whether the call operates a lock, whose state is then unknown.
        remote_operation: bool,
        /// The transport's account of it.
        source: api_transport::Error,
    },
    /// The server answered with an error status.
    Api(ApiError),
    /// A successful answer whose body does not fit the expected model, or an answer (any
    /// status) whose body does not decompress. The server received the request.
    Decode {
        /// The call, as `METHOD /path`.
        endpoint: String,
        /// Where in the JSON it failed (`LockStatus.dateTime`, `.` for the root), or the header
        /// that was missing.
        path: String,
        /// What did not fit.
        reason: String,
    },
    /// The body was larger than the cap set for the call.
    ResponseTooLarge {
        /// The call, as `METHOD /path`.
        endpoint: String,
        /// The cap in bytes.
        limit: u64,
    },
    /// Refused locally, nothing sent: the account woke a lock too recently
    /// ([`WakeupLimiter`](crate::WakeupLimiter)). Wait `retry_after`.
    RateLimited {
        /// How long to wait.
        retry_after: Duration,
        /// From when it is allowed.
        next_allowed: std::time::Instant,
    },
}

impl Error {
    /// What the caller does next.
    ///
    /// A lock operation whose answer was lost ([`Error::Timeout`], [`Error::ConnectionLost`])
    /// or was a server error is [`ErrorKind::CheckLockState`], another request that changes
    /// something [`ErrorKind::OutcomeUnknown`], and [`Error::outcome_unknown`] is then true; a
    /// `GET`'s is [`ErrorKind::RetryLater`], and its `outcome_unknown()` false.
    ///
    /// ```
    /// use august_core::{Error, ErrorKind};
    ///
    /// let err = Error::Timeout {
    ///     endpoint: "PUT /remoteoperate/L1/unlock".into(),
    ///     after: std::time::Duration::from_secs(60),
    ///     remote_operation: true,
    /// };
    /// assert_eq!(err.kind(), ErrorKind::CheckLockState);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput { .. } => ErrorKind::FixInput,
            Error::NotDelivered { .. } => ErrorKind::NotDelivered,
            Error::Timeout {
                endpoint,
                remote_operation,
                ..
            }
            | Error::ConnectionLost {
                endpoint,
                remote_operation,
                ..
            } => unknown_outcome(endpoint, *remote_operation),
            Error::Api(e) => e.kind(),
            Error::Decode { .. } => ErrorKind::ReportBug,
            Error::ResponseTooLarge { .. } => ErrorKind::Configuration,
            Error::RateLimited { retry_after, .. } => ErrorKind::RetryAfter(*retry_after),
        }
    }

    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            _ => None,
        }
    }

    /// The API error, if this is one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the server refused the API key (see [`ApiErrorReason::ApiKeyRejected`]).
    pub fn is_api_key_rejected(&self) -> bool {
        matches!(self, Error::Api(e) if e.kind == ApiErrorReason::ApiKeyRejected)
    }

    /// Whether the call was refused by the local wake-up limiter.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Error::RateLimited { .. })
    }

    /// Whether the call timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// Whether the server said the access token is not (or no longer) valid: log in again.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Error::Api(e) if e.kind == ApiErrorReason::Unauthorized)
    }

    /// Whether the server may have acted on a request that changes something while the caller
    /// cannot tell. For a lock operation, read the lock's status before trying again.
    ///
    /// False for a `GET`, which changes nothing, whatever its answer: its [`Error::kind`] says
    /// to try it again later. For a request that changes something (a lock operation, a code
    /// sent, a doorbell woken up), true when it may have reached the server and no answer says
    /// what was done: no
    /// answer in time ([`Error::Timeout`]), a connection lost after sending
    /// ([`Error::ConnectionLost`]), an answer with a 5xx status (a gateway may answer one after
    /// the request was acted on) or a 3xx (never followed), an answer too large
    /// ([`Error::ResponseTooLarge`]) or that could not be read ([`Error::Decode`]). False when
    /// nothing was done: the request was refused before sending ([`Error::InvalidInput`]), was
    /// not delivered ([`Error::NotDelivered`]), was refused by the local wake-up limit
    /// ([`Error::RateLimited`]), or the server refused it with a 4xx (a 429 included), but
    /// August's 408 to a lock operation ([`ApiErrorReason::BridgeTimeout`]: the bridge did not
    /// answer the server in time, and the lock may have moved).
    ///
    /// [`Error::kind`] agrees: a lock operation whose answer was lost or answered with a server
    /// error is [`ErrorKind::CheckLockState`], another request that changes something
    /// [`ErrorKind::OutcomeUnknown`]; but for an answer too large, an answer that could not be
    /// read and a 3xx, whose kind says what to fix or check first.
    ///
    /// ```
    /// use std::time::Duration;
    /// use august_core::Error;
    ///
    /// let lost = Error::Timeout {
    ///     endpoint: "PUT /remoteoperate/L1/unlock".into(),
    ///     after: Duration::from_secs(60),
    ///     remote_operation: true,
    /// };
    /// assert!(lost.outcome_unknown());
    /// let refused = Error::InvalidInput { reason: "empty lock id".into() };
    /// assert!(!refused.outcome_unknown());
    /// let read = Error::Timeout {
    ///     endpoint: "GET /locks/L1/status".into(),
    ///     after: Duration::from_secs(10),
    ///     remote_operation: false,
    /// };
    /// assert!(!read.outcome_unknown());
    /// ```
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Error::InvalidInput { .. } | Error::NotDelivered { .. } | Error::RateLimited { .. } => {
                false
            }
            Error::Timeout { endpoint, .. }
            | Error::ConnectionLost { endpoint, .. }
            | Error::Decode { endpoint, .. }
            | Error::ResponseTooLarge { endpoint, .. } => changes_something(endpoint),
            Error::Api(e) => HasErrorKind::outcome_unknown(e),
        }
    }

    pub(crate) fn from_transport(
        err: api_transport::Error,
        endpoint: String,
        remote_operation: bool,
    ) -> Error {
        use api_transport::Error as T;
        match err {
            T::InvalidRequest { reason } => Error::InvalidInput { reason },
            T::NotDelivered { .. } => Error::NotDelivered {
                endpoint,
                source: err,
            },
            T::Timeout { after } => Error::Timeout {
                endpoint,
                after,
                remote_operation,
            },
            T::ResponseTooLarge { limit } => Error::ResponseTooLarge { endpoint, limit },
            T::Undecodable { status, reason } => Error::Decode {
                endpoint,
                path: ".".to_owned(),
                reason: if remote_operation && (200..300).contains(&status) {
                    format!(
                        "the body of the {status} answer cannot be decoded ({reason}); the server accepted the operation but its answer could not be read: read the lock's status"
                    )
                } else {
                    format!("the body of the {status} answer cannot be decoded ({reason})")
                },
            },
            other => Error::ConnectionLost {
                endpoint,
                remote_operation,
                source: other,
            },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidInput { reason } => write!(f, "invalid input, nothing sent: {reason}"),
            Error::NotDelivered { endpoint, .. } => write!(
                f,
                "{endpoint} was not delivered; check the network and the base URL, then try again"
            ),
            Error::Timeout {
                endpoint,
                after,
                remote_operation,
            } => {
                write!(
                    f,
                    "{endpoint} got no answer within {} ms",
                    after.as_millis()
                )?;
                if *remote_operation {
                    f.write_str("; the outcome is unknown: the lock may have moved, read its status before trying again")
                } else {
                    f.write_str("; try again later")
                }
            }
            Error::ConnectionLost {
                endpoint,
                remote_operation,
                ..
            } => {
                write!(f, "{endpoint} lost its connection after sending")?;
                if *remote_operation {
                    f.write_str(
                        "; the outcome is unknown: read the lock's status before trying again",
                    )
                } else {
                    f.write_str("; the server may have received the request")
                }
            }
            Error::Api(e) => fmt::Display::fmt(e, f),
            // The path names the server's keys, the reason may quote its values; the reason
            // is not cut, as its end may say what to do (read the lock's status).
            Error::Decode {
                endpoint,
                path,
                reason,
            } => write!(
                f,
                "{endpoint} answered with a body that does not fit the model at `{}`: {}",
                api_transport::printable(path, 300),
                api_transport::printable(reason, usize::MAX)
            ),
            Error::ResponseTooLarge { endpoint, limit } => write!(
                f,
                "{endpoint} answered with a body over the {limit} byte limit; raise the limit in the builder if this is expected"
            ),
            Error::RateLimited { retry_after, .. } => write!(
                f,
                "rate limited, nothing sent: this account woke a lock too recently; try again in {} minutes",
                retry_after.as_secs() / 60
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // The transport's account: the fact behind "not delivered" or "lost".
            Error::NotDelivered { source, .. } | Error::ConnectionLost { source, .. } => {
                Some(source)
            }
            // Displayed as the API error itself, so its cause (none) is the next level.
            Error::Api(e) => std::error::Error::source(e),
            _ => None,
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

/// An answer leaves the outcome unknown only to a call that changes something
/// ([`Error::outcome_unknown`]).
impl HasErrorKind for ApiError {
    fn kind(&self) -> ErrorKind {
        ApiError::kind(self)
    }

    fn outcome_unknown(&self) -> bool {
        // August's 408 to a lock operation: the bridge did not answer the server, the lock
        // may have moved.
        changes_something(&self.endpoint)
            && (api_transport::answer_leaves_outcome_unknown(self.status)
                || (self.kind == ApiErrorReason::BridgeTimeout && self.remote_operation))
    }
}

/// Whether the call (`METHOD /path`) changes something: any but a `GET`, which is a read (a
/// lock operation is a `PUT`).
fn changes_something(endpoint: &str) -> bool {
    !endpoint.starts_with("GET ")
}

/// A call whose answer was lost, or a server error: a lock operation leaves the lock's state
/// unknown, a read can simply be sent again, anything else may have happened.
fn unknown_outcome(endpoint: &str, remote_operation: bool) -> ErrorKind {
    if remote_operation {
        ErrorKind::CheckLockState
    } else if changes_something(endpoint) {
        ErrorKind::OutcomeUnknown
    } else {
        ErrorKind::RetryLater
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(e)
    }
}

/// What an error status means on the August API, in more detail than [`ErrorKind`]
/// ([`ApiError::reason`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorReason {
    /// 401: the access token is missing, expired or not validated. Log in again.
    Unauthorized,
    /// 403: forbidden, or blocked by a firewall (often with an HTML page). Check the brand and
    /// the account; do not retry in a loop.
    Forbidden,
    /// 403 whose message says the API key is not valid: the key built into the public apps is
    /// refused (both backends refuse them today). Pass the partner key the vendor gave you
    /// with [`ApiBuilder::api_key`](crate::ApiBuilder::api_key) (CLI: `--api-key` or
    /// `AUGUST_API_KEY`), or sign in with OAuth or an imported token for the OAuth brands.
    ApiKeyRejected,
    /// 404: no such lock, doorbell, house or alarm for this account.
    NotFound,
    /// 408: the bridge did not answer in time.
    BridgeTimeout,
    /// The lock has no bridge (Connect) to operate it remotely. No status produces it: no
    /// source gives 409 this meaning, so a 409 is [`ApiErrorReason::Other`] with the server's
    /// message. Kept for compatibility.
    NoBridge,
    /// 422: the bridge is offline.
    BridgeOffline,
    /// 423: the bridge is busy with another operation; try again shortly.
    BridgeBusy,
    /// 429: rate limited; wait ([`ApiError::retry_after`]) before trying again.
    RateLimited,
    /// The lock reported a mechanical problem (jammed). No status produces it: no source gives
    /// 531 this meaning, so a 531 is a [`ApiErrorReason::ServerError`] as any other 5xx. Kept
    /// for compatibility.
    MechanicalFailure,
    /// 3xx: the server redirected; redirects are not followed so that credentials never reach
    /// another host. Check the base URL.
    Redirect,
    /// 5xx: a server fault; try again later.
    ServerError,
    /// Any other status.
    Other,
}

impl ApiErrorReason {
    /// The kind of an HTTP status.
    pub fn from_status(status: u16) -> Self {
        match status {
            401 => ApiErrorReason::Unauthorized,
            403 => ApiErrorReason::Forbidden,
            404 => ApiErrorReason::NotFound,
            408 => ApiErrorReason::BridgeTimeout,
            422 => ApiErrorReason::BridgeOffline,
            423 => ApiErrorReason::BridgeBusy,
            429 => ApiErrorReason::RateLimited,
            300..=399 => ApiErrorReason::Redirect,
            500..=599 => ApiErrorReason::ServerError,
            _ => ApiErrorReason::Other,
        }
    }

    fn advice(self) -> &'static str {
        match self {
            ApiErrorReason::Unauthorized => "the access token is not valid: log in again",
            ApiErrorReason::Forbidden => {
                "access forbidden or blocked: check the brand and the account"
            }
            ApiErrorReason::ApiKeyRejected => {
                "this brand's built-in key is no longer accepted; pass your partner key with ApiBuilder::api_key (CLI: --api-key or AUGUST_API_KEY)"
            }
            ApiErrorReason::NotFound => "not found: check the ID",
            ApiErrorReason::BridgeTimeout => "the bridge (Connect) failed to respond in time",
            ApiErrorReason::NoBridge => "the lock has no bridge (Connect) for remote operation",
            ApiErrorReason::BridgeOffline => "the bridge (Connect) is offline",
            ApiErrorReason::BridgeBusy => "the bridge (Connect) is in use: try again shortly",
            ApiErrorReason::RateLimited => "rate limited: wait before trying again",
            ApiErrorReason::MechanicalFailure => {
                "the lock reported a mechanical problem: check the door and the bolt"
            }
            ApiErrorReason::Redirect => {
                "the server redirected, which is not followed: check the base URL"
            }
            ApiErrorReason::ServerError => "server error: try again later",
            ApiErrorReason::Other => "the request failed",
        }
    }
}

/// An error answer from the August API: status, the server's code and message when its body is
/// JSON, else a short snippet of the body (an HTML page from a firewall, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub(crate) endpoint: String,
    pub(crate) status: u16,
    pub(crate) kind: ApiErrorReason,
    pub(crate) code: Option<i64>,
    pub(crate) message: Option<String>,
    pub(crate) snippet: String,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) attempts: u32,
    /// Whether the call was a lock operation.
    pub(crate) remote_operation: bool,
}

impl ApiError {
    pub(crate) fn from_response(
        endpoint: String,
        response: &api_transport::Response,
        remote_operation: bool,
    ) -> Self {
        let status = response.status();
        let (code, message) = parse_error_body(response.body());
        let kind = match ApiErrorReason::from_status(status) {
            ApiErrorReason::Forbidden if message.as_deref().is_some_and(says_api_key_invalid) => {
                ApiErrorReason::ApiKeyRejected
            }
            kind => kind,
        };
        ApiError {
            endpoint,
            status,
            kind,
            code,
            message,
            snippet: if response.is_json() {
                String::new()
            } else {
                response.snippet(120)
            },
            retry_after: response.retry_after(),
            attempts: response.attempts(),
            remote_operation,
        }
    }

    /// The call, as `METHOD /path`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// What the status means on the August API (bridge offline, bridge busy, API key refused...).
    pub fn reason(&self) -> ApiErrorReason {
        self.kind
    }

    /// What the caller does next.
    pub fn kind(&self) -> ErrorKind {
        use ApiErrorReason as R;
        match self.kind {
            R::Unauthorized => ErrorKind::SignInAgain,
            R::Forbidden => ErrorKind::Forbidden,
            R::ApiKeyRejected | R::Redirect => ErrorKind::Configuration,
            R::NotFound => ErrorKind::NotFound,
            // The bridge did not answer: a lock may or may not have moved; anything else, a
            // read, can be asked again.
            R::BridgeTimeout if self.remote_operation => ErrorKind::CheckLockState,
            R::BridgeTimeout => ErrorKind::RetryLater,
            R::NoBridge | R::BridgeOffline | R::MechanicalFailure => ErrorKind::CheckDevice,
            // A server error may come after the request was acted on: as for a lost answer,
            // a call that changes something is checked before it is sent again.
            R::ServerError => match unknown_outcome(&self.endpoint, self.remote_operation) {
                ErrorKind::RetryLater => self.retry_later(),
                check => check,
            },
            R::BridgeBusy => self.retry_later(),
            R::RateLimited => match self.retry_after {
                Some(after) => ErrorKind::RetryAfter(after),
                None => ErrorKind::RateLimited,
            },
            R::Other => ErrorKind::from_status(self.status, self.retry_after),
        }
    }

    /// `Retry-After`'s wait, if the server said one, else a retry later.
    fn retry_later(&self) -> ErrorKind {
        match self.retry_after {
            Some(after) => ErrorKind::RetryAfter(after),
            None => ErrorKind::RetryLater,
        }
    }

    /// What the status means for this call, in words.
    fn advice(&self) -> &'static str {
        match (self.kind, self.kind()) {
            (ApiErrorReason::ServerError, ErrorKind::CheckLockState) => {
                "server error: the outcome is unknown: read the lock's status before trying again"
            }
            (ApiErrorReason::ServerError, ErrorKind::OutcomeUnknown) => {
                "server error: the request may have taken effect: check before sending it again"
            }
            (reason, _) => reason.advice(),
        }
    }

    /// The server's numeric `code`, when its body was JSON with one.
    pub fn code(&self) -> Option<i64> {
        self.code
    }

    /// The server's `message`, when its body was JSON with one: at most 300 characters, as
    /// [`api_transport::printable`] shows them.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The start of a non-JSON body (an HTML page, plain text), empty otherwise.
    pub fn snippet(&self) -> &str {
        &self.snippet
    }

    /// How long the server asked to wait (`Retry-After`), if it said: up to `Duration::MAX` for
    /// a number too large to count (add it to an `Instant` with `checked_add`).
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// How many times the request was sent (more than 1 after automatic retries of a read).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed with status {}: {}",
            self.endpoint,
            self.status,
            self.advice()
        )?;
        if let Some(m) = &self.message {
            write!(f, "; the server said: {m}")?;
        } else if !self.snippet.is_empty() {
            write!(f, "; body starts: {}", self.snippet)?;
        }
        if let Some(after) = self.retry_after {
            write!(f, "; retry after {} s", after.as_secs())?;
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The former name of [`ApiErrorReason`].
#[deprecated(note = "renamed ApiErrorReason; `kind()` now returns the shared ErrorKind")]
pub type ApiErrorKind = ApiErrorReason;

/// Whether a 403's JSON `message` says the API key was refused ("API key is not valid").
fn says_api_key_invalid(message: &str) -> bool {
    message.to_ascii_lowercase().contains("api key")
}

/// Reads `code` and `message` from any JSON error body (whatever its content type says).
fn parse_error_body(body: &[u8]) -> (Option<i64>, Option<String>) {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(body)
    else {
        return (None, None);
    };
    let code = map.get("code").and_then(|c| {
        c.as_i64()
            .or_else(|| c.as_str().and_then(|s| s.parse().ok()))
    });
    let message = map
        .get("message")
        .and_then(|m| m.as_str())
        .map(|m| api_transport::printable(m, 300));
    (code, message)
}
