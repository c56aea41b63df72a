//! The one error type of the Verify client.

use std::fmt;
use std::time::Duration;

use api_transport::{ErrorKind, Response};

use crate::client::VerificationStep;
use serde::Deserialize;

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong with a call, shaped around what the caller does next.
///
/// - [`Error::InvalidInput`]: rejected before sending, nothing reached Twilio; fix the argument.
/// - [`Error::NotDelivered`]: nothing reached Twilio; safe to try again.
/// - [`Error::Timeout`] and [`Error::ConnectionLost`]: Twilio may have acted on the request (a
///   code may have been sent, a check may have consumed an attempt or approved the
///   verification, a resource may have been created or changed); the error says what to look
///   at before trying again.
/// - [`Error::Api`]: Twilio answered with an error status; [`ApiError::reason`] names the case.
/// - [`Error::Decode`]: a success answer whose body does not fit the model, or an answer whose
///   body does not decompress.
/// - [`Error::ResponseTooLarge`]: the body was over the configured cap.
///
/// [`Error::outcome_unknown`] says, whatever the variant, whether a request that changes
/// something may have taken effect without the caller being able to tell; it is false for a
/// read, a delete and a push access token's creation, whatever their answer.
///
/// [`Error::kind`] says what to do next in the vocabulary every client shares
/// ([`ErrorKind`](crate::ErrorKind)), without matching the variants.
///
/// No variant carries a credential, a code, a TOTP seed or a factor binding.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The call was refused before anything was sent.
    InvalidInput(InvalidInput),
    /// The request never reached Twilio (DNS, connection refused, TLS handshake).
    NotDelivered {
        /// The call, as `METHOD /path`.
        endpoint: String,
        /// The transport's account of it.
        source: api_transport::Error,
    },
    /// No complete answer within the call's timeout; Twilio may have received and acted on the
    /// request.
    Timeout {
        /// The call, as `METHOD /path`.
        endpoint: String,
        /// The time allowed.
        after: Duration,
        /// What to check before trying again, for a request that changes something (every
        /// `POST` but the push access token's, which is harmless to send again); `None` for a
        /// read, a delete (retried, and done once done) and the access token.
        check: Option<&'static str>,
        /// The transport's account of it.
        source: api_transport::Error,
    },
    /// The connection broke after the request was sent; Twilio may have acted on it.
    ConnectionLost {
        /// The call, as `METHOD /path`.
        endpoint: String,
        /// What to check before trying again, as for [`Error::Timeout`].
        check: Option<&'static str>,
        /// The transport's account of it.
        source: api_transport::Error,
    },
    /// Twilio answered with an error status. Boxed to keep `Result`s small.
    Api(Box<ApiError>),
    /// A success answer whose body does not fit the expected model, or an answer (any status)
    /// whose body does not decompress. Twilio received the request.
    Decode {
        /// The call, as `METHOD /path`.
        endpoint: String,
        /// Where in the JSON it failed (`meta.key`, `.` for the root).
        path: String,
        /// What to check before trying again, as for [`Error::Timeout`].
        check: Option<&'static str>,
        /// What did not fit.
        source: serde_json::Error,
    },
    /// The body was larger than the cap set for the call.
    ResponseTooLarge {
        /// The call, as `METHOD /path`.
        endpoint: String,
        /// The cap in bytes.
        limit: u64,
        /// What to check before trying again, as for [`Error::Timeout`].
        check: Option<&'static str>,
    },
}

impl Error {
    /// The Twilio error code of an API error (`60202`), when the body carried one.
    pub fn code(&self) -> Option<u32> {
        self.api_error().and_then(ApiError::code)
    }

    /// What an API error means on Twilio ([`ApiErrorReason::MaxCheckAttempts`], ...); `None`
    /// for the other variants.
    pub fn reason(&self) -> Option<ApiErrorReason> {
        self.api_error().map(ApiError::reason)
    }
}

api_transport::service_error_common! {
    Error, ApiError, InvalidInput; service = "Twilio"; krate = "twilio_verify";
    lost = "a message may have gone out, an attempt may have been spent, or a resource may have been created or changed";
    extra = (check: Option<&'static str>);
    extra_example = "check: Some(\"list the verifications\")";
    changes = check;
}

/// The end of a lost answer's text: what to check when the call may have changed something,
/// or that it is safe to send again (a read, a delete, a push access token).
fn unknown_or_safe(f: &mut fmt::Formatter<'_>, check: Option<&str>) -> fmt::Result {
    match check {
        Some(check) => write!(f, "; the outcome is unknown: {check}"),
        None => f.write_str("; safe to send again"),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Timeout {
                endpoint,
                after,
                check,
                ..
            } => {
                write!(
                    f,
                    "{endpoint} got no answer within {} ms",
                    after.as_millis()
                )?;
                unknown_or_safe(f, *check)
            }
            Error::ConnectionLost {
                endpoint, check, ..
            } => {
                write!(f, "{endpoint} lost its connection")?;
                unknown_or_safe(f, *check)
            }
            other => other.fmt_common(f),
        }
    }
}

/// Why a call was rejected before sending. No variant holds a rejected value that could be a
/// secret (a code, a seed).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidInput {
    /// A SID without its two-letter prefix and 32 hex digits (`VA…`, `VE…`, `YF…`).
    Sid {
        /// What kind of SID was expected (`service`, `factor`).
        what: &'static str,
        /// The expected prefix.
        prefix: &'static str,
    },
    /// An entity identity that is not 8 to 64 dash-separated alphanumeric characters.
    Identity,
    /// A phone number that is not E.164 (`+` then 7 to 15 digits).
    PhoneNumber,
    /// A `To` that is neither an E.164 phone number nor an e-mail address.
    To,
    /// A code of the wrong length or with characters other than letters and digits.
    Code {
        /// The shortest accepted length.
        min: usize,
        /// The longest accepted length.
        max: usize,
    },
    /// A required text field or list is empty, or was not given.
    Empty {
        /// The parameter.
        field: &'static str,
    },
    /// A text field or list is longer than Twilio accepts.
    TooLong {
        /// The parameter.
        field: &'static str,
        /// The most allowed.
        max: usize,
        /// What was given.
        length: usize,
    },
    /// A text field shorter than Twilio accepts.
    TooShort {
        /// The parameter.
        field: &'static str,
        /// The fewest allowed.
        min: usize,
        /// What was given.
        length: usize,
    },
    /// A number outside its range.
    OutOfRange {
        /// The parameter.
        field: &'static str,
        /// The smallest allowed.
        min: i64,
        /// The largest allowed.
        max: i64,
        /// What was given.
        value: i64,
    },
    /// An empty credential (account or key SID, token or secret).
    Credentials,
    /// A filter the call does not take (the attempts list's `ChannelData.To` given to the
    /// summary).
    NotAFilter {
        /// The filter's parameter (`ChannelData.To`).
        filter: &'static str,
        /// The call (`the attempts summary`).
        call: &'static str,
    },
    /// The transport refused the request before sending: a base URL that is not `https` (or
    /// `http` to loopback), not a URL, or carries a query.
    Refused {
        /// What was wrong.
        reason: String,
    },
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidInput::Sid { what, prefix } => write!(
                f,
                "invalid {what} sid: expected `{prefix}` followed by 32 hex digits"
            ),
            InvalidInput::Identity => f.write_str(
                "invalid identity: expected 8 to 64 dash-separated letters and digits, not personal data",
            ),
            InvalidInput::PhoneNumber => {
                f.write_str("invalid phone number: expected E.164, `+` then 7 to 15 digits")
            }
            InvalidInput::To => f.write_str(
                "invalid to: expected an E.164 phone number (`+` then digits) or an e-mail address",
            ),
            InvalidInput::Code { min, max } => write!(
                f,
                "invalid code: expected {min} to {max} letters or digits, as the user received them"
            ),
            InvalidInput::Empty { field } => write!(f, "missing {field}: a value that is not empty is required"),
            InvalidInput::TooLong { field, max, length } => write!(
                f,
                "invalid {field}: {length} given, at most {max} are accepted"
            ),
            InvalidInput::TooShort { field, min, length } => write!(
                f,
                "invalid {field}: {length} given, at least {min} are needed"
            ),
            InvalidInput::OutOfRange {
                field,
                min,
                max,
                value,
            } => write!(
                f,
                "invalid {field}: {value} is outside {min}..={max}"
            ),
            InvalidInput::Credentials => {
                f.write_str("empty credentials: give an api key sid and secret, or an account sid and auth token")
            }
            InvalidInput::NotAFilter { filter, call } => {
                write!(f, "invalid filter: {call} does not take {filter}")
            }
            InvalidInput::Refused { reason } => f.write_str(reason),
        }
    }
}

/// What an API error means on Twilio, in more detail than [`ErrorKind`] ([`ApiError::reason`]):
/// from Twilio's `code` when it is one callers act on
/// (spec §3.2), else from the HTTP status. [`ApiErrorReason::advice`] says what to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorReason {
    /// 20003 (or a 401 without a code): the credentials were refused.
    Unauthorized,
    /// 20404 on anything but a verification check, or a 404 without Twilio's code on any call
    /// (a page that is not Twilio's answer, such as a wrong base URL's): no such resource.
    NotFound,
    /// 20404 on a verification check: no pending verification (never started, expired,
    /// already approved, or out of attempts). The checks return it as
    /// [`CheckOutcome::NotFound`](crate::CheckOutcome::NotFound).
    NoPendingVerification,
    /// 20429, 60312, 60326 (or a 429 without a code): too many requests.
    RateLimited,
    /// 21481: the page token is not valid.
    InvalidPageToken,
    /// 60200, 60221: a parameter is invalid or missing ([`ApiError::parameter`] names it
    /// when Twilio's message does).
    InvalidParameter,
    /// 60202 (but on a start): five wrong codes for this verification.
    MaxCheckAttempts,
    /// 60203, or 60202 on a start: too many sends to this number without completing a
    /// verification.
    MaxSendAttempts,
    /// 60205: the number is a landline; SMS cannot reach it.
    Landline,
    /// 60212: too many concurrent verifications for this number.
    TooManyConcurrent,
    /// 60311: the factor was not verified (wrong code, behaviour before 2021-10-27).
    FactorVerificationFailed,
    /// 60317: a factor with that binding exists.
    FactorExists,
    /// 60302: the entity already has a factor of that type.
    FactorTypeExists,
    /// 60308: too many wrong codes for this challenge.
    MaxChallengeAttempts,
    /// 60310: too many wrong codes while verifying this factor.
    MaxFactorAttempts,
    /// 60322: the challenge was already answered.
    ChallengeAlreadyResponded,
    /// 60318: the factor is not verified yet.
    FactorUnverified,
    /// 60323: the challenge expired.
    ChallengeExpired,
    /// 60324: the challenge's auth payload was refused.
    ChallengeFailed,
    /// 60410, 60605: delivery blocked (Fraud Guard or geo permissions).
    Blocked,
    /// A 403 without a code Twilio's Verify pages name (an HTML page from a proxy, say).
    Forbidden,
    /// A 5xx status.
    ServerError,
    /// A 3xx: redirects are never followed.
    Redirect,
    /// Any other status or code; [`ApiError::code`] and the message say more.
    Other,
}

impl ApiErrorReason {
    /// The kind for a Twilio code, if it is one callers act on. The call can read a code
    /// otherwise: 60202 is [`ApiErrorReason::MaxSendAttempts`] on a verification start, and
    /// 20404 [`ApiErrorReason::NoPendingVerification`] on a check.
    pub fn from_code(code: u32) -> Option<ApiErrorReason> {
        Some(match code {
            20003 => ApiErrorReason::Unauthorized,
            20404 => ApiErrorReason::NotFound,
            20429 | 60312 | 60326 => ApiErrorReason::RateLimited,
            21481 => ApiErrorReason::InvalidPageToken,
            60200 | 60221 => ApiErrorReason::InvalidParameter,
            60202 => ApiErrorReason::MaxCheckAttempts,
            60203 => ApiErrorReason::MaxSendAttempts,
            60205 => ApiErrorReason::Landline,
            60212 => ApiErrorReason::TooManyConcurrent,
            60311 => ApiErrorReason::FactorVerificationFailed,
            60317 => ApiErrorReason::FactorExists,
            60302 => ApiErrorReason::FactorTypeExists,
            60308 => ApiErrorReason::MaxChallengeAttempts,
            60310 => ApiErrorReason::MaxFactorAttempts,
            60322 => ApiErrorReason::ChallengeAlreadyResponded,
            60318 => ApiErrorReason::FactorUnverified,
            60323 => ApiErrorReason::ChallengeExpired,
            60324 => ApiErrorReason::ChallengeFailed,
            60410 | 60605 => ApiErrorReason::Blocked,
            _ => return None,
        })
    }

    fn from_status(status: u16) -> ApiErrorReason {
        match status {
            300..=399 => ApiErrorReason::Redirect,
            401 => ApiErrorReason::Unauthorized,
            403 => ApiErrorReason::Forbidden,
            404 => ApiErrorReason::NotFound,
            429 => ApiErrorReason::RateLimited,
            500..=599 => ApiErrorReason::ServerError,
            _ => ApiErrorReason::Other,
        }
    }

    /// What the caller should do next, in a few words. The reason knows no call:
    /// [`ApiErrorReason::ServerError`]'s words are a read's; a server error to a request that
    /// changes something may have taken effect, which [`ApiError::kind`] and the error's
    /// `Display` say, with what to check.
    pub fn advice(self) -> &'static str {
        match self {
            ApiErrorReason::Unauthorized => {
                "check the api key sid and secret (or account sid and auth token) and the region"
            }
            ApiErrorReason::NotFound => "check the sid or identity; the resource does not exist",
            ApiErrorReason::NoPendingVerification => {
                "no pending verification: it expired, was already approved or ran out of attempts; start a new one"
            }
            ApiErrorReason::RateLimited => "wait (see retry_after) and try again later",
            ApiErrorReason::InvalidPageToken => "list again from the first page",
            ApiErrorReason::InvalidParameter => "fix the parameter named in the message",
            ApiErrorReason::MaxCheckAttempts => {
                "the verification is spent after five wrong codes; start a new one later"
            }
            ApiErrorReason::MaxSendAttempts => {
                "too many codes sent to this number; wait ten minutes or cancel the pending verification"
            }
            ApiErrorReason::Landline => "use the call channel for this number",
            ApiErrorReason::TooManyConcurrent => "wait for the pending verification to finish",
            ApiErrorReason::FactorVerificationFailed => "ask the user for a fresh code",
            ApiErrorReason::FactorExists => "the factor exists; fetch or list the entity's factors",
            ApiErrorReason::FactorTypeExists => {
                "the entity has a factor of this type; delete it first or use it"
            }
            ApiErrorReason::MaxChallengeAttempts => {
                "the challenge is spent after too many wrong codes; create a new one later"
            }
            ApiErrorReason::MaxFactorAttempts => {
                "the factor is locked after too many wrong codes; delete it and enrol again"
            }
            ApiErrorReason::ChallengeAlreadyResponded => "fetch the challenge to see its status",
            ApiErrorReason::FactorUnverified => {
                "verify the factor first (a TOTP factor with a code; a push factor is verified by its device)"
            }
            ApiErrorReason::ChallengeExpired => "create a new challenge",
            ApiErrorReason::ChallengeFailed => "the answer was refused; create a new challenge",
            ApiErrorReason::Blocked => {
                "delivery to this destination is blocked by fraud guard or geo permissions"
            }
            ApiErrorReason::Forbidden => "access refused; check the account and its permissions",
            ApiErrorReason::ServerError => "twilio failed; try again later",
            ApiErrorReason::Redirect => "redirects are not followed; check the base url",
            ApiErrorReason::Other => "see the status, code and message",
        }
    }
}

/// Twilio's error envelope: `{"code", "message", "more_info", "status"}` (spec §3.1); the
/// RFC 9457 form (`title`, `detail`) is read too.
#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    more_info: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    detail: Option<String>,
    #[serde(default)]
    details: Option<serde_json::Value>,
}

/// The `details` of an error answer; its `Debug` shows none of it, as error text never does.
#[derive(Clone)]
struct Details(serde_json::Value);

impl fmt::Debug for Details {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{..}")
    }
}

/// The longest server message (or `more_info`) kept.
const MAX_MESSAGE: usize = 300;

/// An error answer from Twilio: the HTTP status and, when the body was Twilio's envelope, its
/// `code`, `message`, `more_info` and `details`; otherwise a short snippet of the body (an
/// HTML page, an empty body).
#[derive(Debug, Clone)]
pub struct ApiError {
    endpoint: String,
    status: u16,
    code: Option<u32>,
    message: Option<String>,
    more_info: Option<String>,
    details: Option<Details>,
    kind: ApiErrorReason,
    retry_after: Option<Duration>,
    reached_rate_limit: Option<String>,
    attempts: u32,
    snippet: Option<String>,
    /// What to check before trying again, for a request that changes something, as
    /// [`Error::Timeout`] carries; `None` for the others (reads).
    check: Option<&'static str>,
}

impl ApiError {
    /// The error of an answer; `step` for a verification's start (where 60202 is a send
    /// limit) or check (where a 20404 means no pending verification), and `check` as the call's
    /// [`Error::Timeout`] carries.
    pub(crate) fn from_response(
        endpoint: String,
        response: &Response,
        step: Option<VerificationStep>,
        check: Option<&'static str>,
    ) -> ApiError {
        let status = response.status();
        let envelope: Option<Envelope> = serde_json::from_slice(response.body()).ok();
        let (code, message, more_info, details) = match envelope {
            Some(e) => (
                e.code
                    .and_then(|c| match c {
                        serde_json::Value::Number(n) => n.as_u64(),
                        serde_json::Value::String(s) => s.trim().parse().ok(),
                        _ => None,
                    })
                    .and_then(|c| u32::try_from(c).ok()),
                e.message
                    .or(e.detail)
                    .or(e.title)
                    .map(|m| api_transport::printable(&m, MAX_MESSAGE)),
                e.more_info
                    .filter(|m| !m.is_empty())
                    .map(|m| api_transport::printable(&m, MAX_MESSAGE)),
                e.details.map(Details),
            ),
            None => (None, None, None, None),
        };
        let kind = match (code.and_then(ApiErrorReason::from_code), step) {
            (Some(ApiErrorReason::NotFound), Some(VerificationStep::Check)) => {
                ApiErrorReason::NoPendingVerification
            }
            // Twilio has been seen answering repeated starts with 60202, where its pages say
            // 60203 (spec §3.2): on a start both are the send limit.
            (Some(ApiErrorReason::MaxCheckAttempts), Some(VerificationStep::Start)) => {
                ApiErrorReason::MaxSendAttempts
            }
            (Some(kind), _) => kind,
            (None, _) => ApiErrorReason::from_status(status),
        };
        let snippet = if message.is_none() {
            Some(response.snippet(120)).filter(|s| !s.is_empty())
        } else {
            None
        };
        ApiError {
            endpoint,
            status,
            code,
            message,
            more_info,
            details,
            kind,
            retry_after: response.retry_after(),
            reached_rate_limit: response
                .header("twilio-reached-rate-limit")
                .map(str::to_owned),
            attempts: response.attempts(),
            snippet,
            check,
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

    /// Twilio's error code (`60200`), if the body carried one.
    pub fn code(&self) -> Option<u32> {
        self.code
    }

    /// Twilio's message, if the body carried one: at most 300 characters, as
    /// [`api_transport::printable`] shows them. Do not key logic on it; use
    /// [`ApiError::kind`] or [`ApiError::reason`].
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The documentation link Twilio gave (`more_info`), if any, as [`ApiError::message`] is
    /// kept.
    pub fn more_info(&self) -> Option<&str> {
        self.more_info.as_deref()
    }

    /// The `details` Twilio gave (an object, when it gives one), as sent but for the request's
    /// secrets, which the transport takes out of every error answer. Neither the error's
    /// `Display` nor its `Debug` shows it: look at it, log only what you know to be harmless.
    pub fn details(&self) -> Option<&serde_json::Value> {
        self.details.as_ref().map(|d| &d.0)
    }

    /// What the error means on Twilio (its code, or the status).
    pub fn reason(&self) -> ApiErrorReason {
        self.kind
    }

    /// What the caller does next.
    ///
    /// A server error (5xx) to a request that changes something (every `POST`: a code sent or
    /// checked, a challenge, a service, a webhook or a rate limit created or changed) is
    /// [`ErrorKind::OutcomeUnknown`], as a call without an answer is, and
    /// [`Error::outcome_unknown`] is then true: Twilio may have acted on the request before it
    /// (a gateway may answer 502 once the code went out or the service was created); the
    /// message says what to check. The one `POST` excepted is a push access token's creation,
    /// harmless to send again. Its server error, and a read's or a delete's (retried: a delete
    /// done once is done), is [`ErrorKind::RetryLater`] (or [`ErrorKind::RetryAfter`]), its
    /// message says to try again later, and `outcome_unknown()` is false.
    pub fn kind(&self) -> ErrorKind {
        use ApiErrorReason as R;
        let wait = |otherwise| self.retry_after.map_or(otherwise, ErrorKind::RetryAfter);
        match self.kind {
            R::Unauthorized | R::Redirect => ErrorKind::Configuration,
            R::NotFound => ErrorKind::NotFound,
            R::NoPendingVerification
            | R::InvalidPageToken
            | R::MaxCheckAttempts
            | R::MaxChallengeAttempts
            | R::MaxFactorAttempts
            | R::ChallengeAlreadyResponded
            | R::ChallengeExpired
            | R::ChallengeFailed => ErrorKind::StartOver,
            R::RateLimited | R::MaxSendAttempts | R::TooManyConcurrent => {
                wait(ErrorKind::RateLimited)
            }
            R::InvalidParameter
            | R::Landline
            | R::FactorVerificationFailed
            | R::FactorExists
            | R::FactorTypeExists
            | R::FactorUnverified => ErrorKind::FixInput,
            R::Blocked | R::Forbidden => ErrorKind::Forbidden,
            R::ServerError if self.changes_something() => ErrorKind::OutcomeUnknown,
            R::ServerError => wait(ErrorKind::RetryLater),
            R::Other => ErrorKind::from_status(self.status, self.retry_after),
        }
    }

    /// Whether the answer leaves unknown what Twilio did with a call that changes something:
    /// the rule of [`api_transport::answer_leaves_outcome_unknown`] for the status.
    fn answer_leaves_outcome_unknown(&self) -> bool {
        api_transport::answer_leaves_outcome_unknown(self.status)
    }

    /// For [`ApiErrorReason::InvalidParameter`], the parameter Twilio named (`To` in
    /// `Invalid parameter: To`).
    pub fn parameter(&self) -> Option<&str> {
        if self.kind != ApiErrorReason::InvalidParameter {
            return None;
        }
        let message = self.message.as_deref()?;
        let (_, name) = message.split_once("parameter")?;
        let name = name.trim_start_matches([':', ' ', '`', '\'']);
        let end = name
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
            .unwrap_or(name.len());
        Some(&name[..end]).filter(|n| !n.is_empty())
    }

    /// `Retry-After`, when the answer carried one: up to `Duration::MAX` for a number too large
    /// to count (add it to an `Instant` with `checked_add`).
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The `Twilio-Reached-Rate-Limit` header, raw (its format is not documented).
    pub fn reached_rate_limit(&self) -> Option<&str> {
        self.reached_rate_limit.as_deref()
    }

    /// How many times the request was sent (more than 1 only for retried reads).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The start of a body that was not Twilio's envelope (an HTML page), if not empty.
    pub fn snippet(&self) -> Option<&str> {
        self.snippet.as_deref()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} answered {}", self.endpoint, self.status)?;
        if let Some(code) = self.code {
            write!(f, " (code {code})")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        } else if let Some(snippet) = &self.snippet {
            write!(f, ": {snippet}")?;
        }
        match (self.kind, self.check) {
            // What a lost answer says.
            (ApiErrorReason::ServerError, Some(check)) => {
                write!(f, "; twilio failed; the outcome is unknown: {check}")
            }
            (reason, _) => write!(f, "; {}", reason.advice()),
        }
    }
}

impl std::error::Error for ApiError {}
