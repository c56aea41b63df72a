//! The one error type of the August client.

use std::fmt;
use std::time::Duration;

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong with a call, shaped around what the caller does next.
///
/// - [`Error::InvalidInput`]: nothing was sent; fix the argument or the configuration.
/// - [`Error::NotDelivered`]: nothing reached the server; safe to try again.
/// - [`Error::Timeout`] and [`Error::ConnectionLost`]: the server may have acted. For a lock
///   operation the outcome is unknown: read the lock's status before trying again.
/// - [`Error::Api`]: the server answered with an error status; [`ApiError::kind`] says which.
/// - [`Error::Decode`]: the server answered 2xx with a body that does not fit the model (or
///   with JSON followed by other data), or answered with a body that does not decompress.
/// - [`Error::ResponseTooLarge`]: the body was over the configured cap.
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

    /// Whether the server refused the API key (see [`ApiErrorKind::ApiKeyRejected`]).
    pub fn is_api_key_rejected(&self) -> bool {
        matches!(self, Error::Api(e) if e.kind == ApiErrorKind::ApiKeyRejected)
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
        matches!(self, Error::Api(e) if e.kind == ApiErrorKind::Unauthorized)
    }

    /// Whether the server may have acted on a request whose answer was lost (timeout or broken
    /// connection). For a lock operation, check the lock's status before trying again.
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, Error::Timeout { .. } | Error::ConnectionLost { .. })
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
            Error::NotDelivered { endpoint, source } => {
                write!(f, "{endpoint} was not delivered: {source}")
            }
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
                source,
            } => {
                write!(f, "{endpoint}: {source}")?;
                if *remote_operation {
                    f.write_str(
                        "; the outcome is unknown: read the lock's status before trying again",
                    )
                } else {
                    Ok(())
                }
            }
            Error::Api(e) => fmt::Display::fmt(e, f),
            Error::Decode {
                endpoint,
                path,
                reason,
            } => write!(
                f,
                "{endpoint} answered with a body that does not fit the model at `{path}`: {reason}"
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
            Error::NotDelivered { source, .. } | Error::ConnectionLost { source, .. } => {
                Some(source)
            }
            Error::Api(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(e)
    }
}

/// What an error status means for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorKind {
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
    /// 409: the lock has no bridge (Connect) to operate it remotely.
    NoBridge,
    /// 422: the bridge is offline.
    BridgeOffline,
    /// 423: the bridge is busy with another operation; try again shortly.
    BridgeBusy,
    /// 429: rate limited; wait ([`ApiError::retry_after`]) before trying again.
    RateLimited,
    /// 531: the lock reported a mechanical problem (jammed).
    MechanicalFailure,
    /// 3xx: the server redirected; redirects are not followed so that credentials never reach
    /// another host. Check the base URL.
    Redirect,
    /// Any other 5xx: a server fault; try again later.
    ServerError,
    /// Any other status.
    Other,
}

impl ApiErrorKind {
    /// The kind of an HTTP status.
    pub fn from_status(status: u16) -> Self {
        match status {
            401 => ApiErrorKind::Unauthorized,
            403 => ApiErrorKind::Forbidden,
            404 => ApiErrorKind::NotFound,
            408 => ApiErrorKind::BridgeTimeout,
            409 => ApiErrorKind::NoBridge,
            422 => ApiErrorKind::BridgeOffline,
            423 => ApiErrorKind::BridgeBusy,
            429 => ApiErrorKind::RateLimited,
            531 => ApiErrorKind::MechanicalFailure,
            300..=399 => ApiErrorKind::Redirect,
            500..=599 => ApiErrorKind::ServerError,
            _ => ApiErrorKind::Other,
        }
    }

    fn advice(self) -> &'static str {
        match self {
            ApiErrorKind::Unauthorized => "the access token is not valid: log in again",
            ApiErrorKind::Forbidden => {
                "access forbidden or blocked: check the brand and the account"
            }
            ApiErrorKind::ApiKeyRejected => {
                "this brand's built-in key is no longer accepted; pass your partner key with ApiBuilder::api_key (CLI: --api-key or AUGUST_API_KEY)"
            }
            ApiErrorKind::NotFound => "not found: check the ID",
            ApiErrorKind::BridgeTimeout => "the bridge (Connect) failed to respond in time",
            ApiErrorKind::NoBridge => "the lock has no bridge (Connect) for remote operation",
            ApiErrorKind::BridgeOffline => "the bridge (Connect) is offline",
            ApiErrorKind::BridgeBusy => "the bridge (Connect) is in use: try again shortly",
            ApiErrorKind::RateLimited => "rate limited: wait before trying again",
            ApiErrorKind::MechanicalFailure => {
                "the lock reported a mechanical problem: check the door and the bolt"
            }
            ApiErrorKind::Redirect => {
                "the server redirected, which is not followed: check the base URL"
            }
            ApiErrorKind::ServerError => "server error: try again later",
            ApiErrorKind::Other => "the request failed",
        }
    }
}

/// An error answer from the August API: status, the server's code and message when its body is
/// JSON, else a short snippet of the body (an HTML page from a firewall, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub(crate) endpoint: String,
    pub(crate) status: u16,
    pub(crate) kind: ApiErrorKind,
    pub(crate) code: Option<i64>,
    pub(crate) message: Option<String>,
    pub(crate) snippet: String,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) attempts: u32,
}

impl ApiError {
    pub(crate) fn from_response(endpoint: String, response: &api_transport::Response) -> Self {
        let status = response.status();
        let (code, message) = parse_error_body(response.body());
        let kind = match ApiErrorKind::from_status(status) {
            ApiErrorKind::Forbidden if message.as_deref().is_some_and(says_api_key_invalid) => {
                ApiErrorKind::ApiKeyRejected
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

    /// What the status means.
    pub fn kind(&self) -> ApiErrorKind {
        self.kind
    }

    /// The server's numeric `code`, when its body was JSON with one.
    pub fn code(&self) -> Option<i64> {
        self.code
    }

    /// The server's `message`, when its body was JSON with one.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The start of a non-JSON body (an HTML page, plain text), empty otherwise.
    pub fn snippet(&self) -> &str {
        &self.snippet
    }

    /// How long the server asked to wait (`Retry-After`), if it said.
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
            self.kind.advice()
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
        .map(|m| m.chars().take(300).collect());
    (code, message)
}
