//! The one error type of the Authy client.

use std::fmt;
use std::time::Duration;

use api_transport::ErrorKind;
use serde_json::{Map, Value};

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong with a call, shaped around what the caller does next.
///
/// - [`Error::InvalidInput`]: rejected before sending, nothing reached Authy; fix the argument.
/// - [`Error::NotDelivered`]: nothing reached Authy; safe to try again.
/// - [`Error::Timeout`] and [`Error::ConnectionLost`]: a call that acts (an SMS, a call or a
///   push sent, a token checked, a user created) may have taken effect (an SMS may have gone
///   out): do not resend it blindly; a read can be sent again later.
/// - [`Error::Api`]: Authy answered with an error (or, for a token check, with anything but a
///   valid token); [`ApiError::reason`] names the case, [`ApiError::errors`] is the seed's
///   `errors()` map.
/// - [`Error::Decode`]: a success answer whose body does not fit the model (or is followed by
///   other data), or an answer whose body does not decompress.
/// - [`Error::ResponseTooLarge`]: the body was over the configured cap.
///
/// [`Error::outcome_unknown`] says, whatever the variant, whether a request that changes
/// something may have taken effect without the caller being able to tell; it is false for a
/// read, whatever its answer.
///
/// [`Error::kind`] says what to do next in the vocabulary every client shares
/// ([`ErrorKind`](crate::ErrorKind)), without matching the variants.
///
/// No variant carries the API key or a token being verified.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The call was refused before anything was sent: a token that is not 6 to 12 digits, an
    /// Authy id of 0, a code length outside 4..=10, an empty or over-long field, a base URL that
    /// is not `https`. Also the input errors of the callback signature check.
    InvalidInput(InvalidInput),
    /// The request never reached Authy (DNS, connection refused, TLS handshake).
    NotDelivered {
        /// The call, as `METHOD /path` (secret segments redacted).
        endpoint: String,
        /// The transport's account of it.
        source: api_transport::Error,
    },
    /// No complete answer within the call's timeout; Authy may have received and acted on the
    /// request (sent the SMS, created the approval request).
    Timeout {
        /// The call, as `METHOD /path` (secret segments redacted).
        endpoint: String,
        /// The time allowed.
        after: Duration,
        /// What to check before trying again, for the calls that act (send an SMS, place a
        /// call, send a push, check a token, create or delete a user), or `None` for reads.
        check: Option<&'static str>,
        /// The transport's account of it.
        source: api_transport::Error,
    },
    /// The connection broke after the request was sent; Authy may have acted on it.
    ConnectionLost {
        /// The call, as `METHOD /path` (secret segments redacted).
        endpoint: String,
        /// What to check before trying again, as for [`Error::Timeout`].
        check: Option<&'static str>,
        /// The transport's account of it.
        source: api_transport::Error,
    },
    /// Authy answered with an error status, or a token check answered without a valid token.
    /// Boxed to keep `Result`s small.
    Api(Box<ApiError>),
    /// A success answer whose body does not fit the expected model, or an answer (any status)
    /// whose body does not decompress. Authy received the request.
    Decode {
        /// The call, as `METHOD /path` (secret segments redacted).
        endpoint: String,
        /// Where in the JSON it failed (`user.id`, `.` for the root).
        path: String,
        /// What to check before trying again, as for [`Error::Timeout`].
        check: Option<&'static str>,
        /// What did not fit.
        source: serde_json::Error,
    },
    /// The body was larger than the cap set for the call.
    ResponseTooLarge {
        /// The call, as `METHOD /path` (secret segments redacted).
        endpoint: String,
        /// The cap in bytes.
        limit: u64,
        /// What to check before trying again, as for [`Error::Timeout`].
        check: Option<&'static str>,
    },
}

impl Error {
    /// The Authy `error_code` of an API error, when the body carried one (`60020`).
    pub fn error_code(&self) -> Option<u32> {
        self.api_error().and_then(ApiError::error_code)
    }

    /// What an API error means on Authy ([`ApiErrorReason::TokenInvalid`],
    /// [`ApiErrorReason::UserNotFound`], ...); `None` for the other variants.
    pub fn reason(&self) -> Option<ApiErrorReason> {
        self.api_error().map(ApiError::reason)
    }

    /// The input error, if the call was rejected before sending.
    pub fn invalid_input(&self) -> Option<&InvalidInput> {
        match self {
            Error::InvalidInput(e) => Some(e),
            _ => None,
        }
    }

    /// The seed's `errors()` map of an API error; `None` for any other error.
    pub fn errors(&self) -> Option<&Map<String, Value>> {
        self.api_error().map(ApiError::errors)
    }
}

api_transport::service_error_common! {
    Error, ApiError, InvalidInput; service = "Authy"; krate = "authy_client";
    lost = "an SMS or a push may have gone out, so check before sending another";
    extra = (check: Option<&'static str>);
    extra_example = "check: Some(\"check the user's sms\")";
    changes = check;
}

/// What a read without an answer says: it changed nothing.
const READ_AGAIN: &str = "a read changes nothing, so try again later";

/// What a call that acts says when it got no answer, or a server error (its `check`).
pub(crate) const ACTED: &str = "authy may have acted on it, so check before sending it again";

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Timeout {
                endpoint,
                after,
                check,
                ..
            } => write!(
                f,
                "{endpoint} got no answer within {} ms; {}",
                after.as_millis(),
                check.unwrap_or(READ_AGAIN)
            ),
            Error::ConnectionLost {
                endpoint, check, ..
            } => write!(
                f,
                "{endpoint} lost its connection after sending; {}",
                check.unwrap_or(READ_AGAIN)
            ),
            other => other.fmt_common(f),
        }
    }
}

/// Why a call was rejected before sending (the seed's `AuthyFormatException`).
///
/// No variant holds the rejected value when it could be a secret (a token).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidInput {
    /// The token has a character other than the ASCII digits `0-9`, or is empty
    /// (py: `Invalid Token. Only digits accepted.`).
    TokenNotDigits,
    /// The token is not 6 to 12 digits long (py: `Invalid Token. Unexpected length.`).
    TokenLength {
        /// Its length in characters.
        length: usize,
    },
    /// An Authy id given as text is not all digits (py: `Invalid Authy id. Only digits
    /// accepted.`).
    AuthyIdNotDigits,
    /// The Authy id is 0; Authy ids are positive.
    AuthyIdZero,
    /// A phone verification code length outside 4..=10 (py: `Invalid code_length. Expected
    /// numeric value from 4-10.`).
    CodeLength {
        /// The length asked for.
        length: u8,
    },
    /// A verification method other than `sms` or `call` (py: `Invalid Via. Expected 'sms' or
    /// 'call'.`).
    Via,
    /// A country calling code outside 1..=999.
    CountryCode {
        /// The code given.
        code: u16,
    },
    /// A verification code that is not 4 to 10 ASCII digits.
    VerificationCode,
    /// A required text field is empty (py: `Invalid message - should not be empty. It is
    /// required` for the OneTouch message).
    Empty {
        /// The field.
        field: &'static str,
    },
    /// A text field is longer than Authy accepts.
    TooLong {
        /// The field.
        field: &'static str,
        /// The most characters allowed.
        max: usize,
        /// Its length in characters.
        length: usize,
    },
    /// A number that must be positive is 0 (a QR code size).
    Zero {
        /// The field.
        field: &'static str,
    },
    /// The callback signature is empty (py: `Invalid signature - should not be empty. It is
    /// required`).
    Signature,
    /// The callback nonce is empty (py: `Invalid nonce - should not be empty. It is required`).
    Nonce,
    /// The callback method is not `GET` or `POST` in any case (py: `Invalid method - should not
    /// be empty. It is required`).
    Method,
    /// The callback parameters are missing, empty or not a JSON object (py: `Invalid params -
    /// should not be empty. It is required`).
    Params {
        /// What is wrong with them.
        reason: String,
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
            InvalidInput::TokenNotDigits => f.write_str(
                "invalid token: only digits accepted; pass the code exactly as the user typed it",
            ),
            InvalidInput::TokenLength { length } => write!(
                f,
                "invalid token: unexpected length {length}; a token has 6 to 12 digits"
            ),
            InvalidInput::AuthyIdNotDigits => f.write_str(
                "invalid authy id: only digits accepted; use the id returned when the user was created",
            ),
            InvalidInput::AuthyIdZero => f.write_str(
                "invalid authy id: it must be a positive integer; use the id returned when the user was created",
            ),
            InvalidInput::CodeLength { length } => write!(
                f,
                "invalid code length {length}: expected a value from 4 to 10"
            ),
            InvalidInput::Via => f.write_str("invalid via: expected 'sms' or 'call'"),
            InvalidInput::CountryCode { code } => write!(
                f,
                "invalid country code {code}: expected a calling code from 1 to 999, such as 1 or 57"
            ),
            InvalidInput::VerificationCode => f.write_str(
                "invalid verification code: expected 4 to 10 digits, as the user received them",
            ),
            InvalidInput::Empty { field } => {
                write!(f, "invalid {field}: it must not be empty")
            }
            InvalidInput::TooLong { field, max, length } => write!(
                f,
                "invalid {field}: {length} characters, at most {max} are accepted; shorten it"
            ),
            InvalidInput::Zero { field } => {
                write!(f, "invalid {field}: it must be greater than 0")
            }
            InvalidInput::Signature => f.write_str(
                "invalid signature: it must not be empty; pass the X-Authy-Signature header",
            ),
            InvalidInput::Nonce => f.write_str(
                "invalid nonce: it must not be empty; pass the X-Authy-Signature-Nonce header",
            ),
            InvalidInput::Method => {
                f.write_str("invalid method: expected GET or POST, the callback's HTTP method")
            }
            InvalidInput::Params { reason } => write!(
                f,
                "invalid params: {reason}; pass the callback's JSON body or query string"
            ),
            InvalidInput::Refused { reason } => f.write_str(reason),
        }
    }
}

/// What an API error means on Authy, in more detail than [`ErrorKind`]
/// ([`ApiError::reason`]): from Authy's `error_code` when it is one of the codes callers act
/// on (spec §8.2), else from the HTTP status.
///
/// Every named kind lists its codes. [`ApiError::error_code`] keeps the number in every case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorReason {
    /// 60001: the API key is not valid.
    InvalidApiKey,
    /// 60002: the request is not valid.
    InvalidRequest,
    /// 60004: a parameter is missing or invalid (`country_code - Parameter is required`).
    InvalidParameter,
    /// 60006: voice calls are not enabled for the application.
    CallsDisabled,
    /// 60007: SMS is not enabled for the application.
    SmsDisabled,
    /// 60008, 60057, 60060, 60061: the account or application is suspended.
    Suspended,
    /// 60009 to 60012, 60120: a daily or monthly SMS or call limit was reached.
    LimitReached,
    /// 60013: the destination country is banned.
    BannedCountry,
    /// 60014, 60015: the call or SMS could not be started. Authy says that nothing went out,
    /// whatever the status: the outcome is known.
    DeliveryFailed,
    /// 60016, 60026 (or a 404 without a code on a user call): the user does not exist.
    UserNotFound,
    /// 60017, 60018, 60106, 60107: the user is suspended, disabled or blocked.
    UserBlocked,
    /// 60019: the token was already used.
    TokenReused,
    /// 60020, 60118 (or, on a token check, a 401 without a code or a 200 without
    /// `"token": "is valid"`): the token is not valid.
    TokenInvalid,
    /// 60021: the phone verification could not be created.
    VerificationFailed,
    /// 60022 (or a 401 without a code on a verification check): the code is incorrect.
    VerificationIncorrect,
    /// 60023 (or a 404 without a code on a verification check): no verification is pending.
    NoPendingVerification,
    /// 60024, 60025: phone information could not be obtained.
    PhoneInfoUnavailable,
    /// 60027 (or a 400 without a code on user creation): the user was not valid;
    /// [`ApiError::errors`] names the fields.
    UserInvalid,
    /// 60028: the user could not be deleted.
    DeleteFailed,
    /// 60033, 60059: the phone number is invalid.
    PhoneInvalid,
    /// 60038: the email address is invalid.
    EmailInvalid,
    /// 60047: a Twilio account key was used instead of the Authy application's API key.
    WrongKeyKind,
    /// 60049 (or a 404 without a code on an approval status call): no such approval request.
    ApprovalRequestNotFound,
    /// 60050 to 60055, 60079, 60080: OneTouch problems (unregistered user, no device, request
    /// not pending or invalid, sending failures).
    OneTouch,
    /// 60056: the API must be called over https.
    MustUseTls,
    /// 60082: SMS cannot be sent to a landline.
    Landline,
    /// 60115: the number opted out.
    OptedOut,
    /// 60122, 60123: QR codes cannot be generated (generic authenticator tokens disabled).
    QrUnavailable,
    /// 60127, 60128, 60130: the user is deleted or being deleted.
    UserDeleted,
    /// Any code not named above; the number is kept.
    UnknownCode(u32),
    /// 429 without a named code: rate limited.
    RateLimited,
    /// 400 without a code.
    BadRequest,
    /// 401 without a code.
    Unauthorized,
    /// 403 without a code: the feature is not enabled for the account (or a proxy refused).
    Forbidden,
    /// 404 without a code.
    NotFound,
    /// 3xx: a redirect, which is never followed.
    Redirect,
    /// 5xx without a code: a server fault.
    ServerError,
    /// Any other status without a code.
    Other,
}

impl ApiErrorReason {
    /// The kind named for an Authy error code, if any.
    pub fn from_code(code: u32) -> Option<ApiErrorReason> {
        use ApiErrorReason as K;
        Some(match code {
            60001 => K::InvalidApiKey,
            60002 => K::InvalidRequest,
            60004 => K::InvalidParameter,
            60006 => K::CallsDisabled,
            60007 => K::SmsDisabled,
            60008 | 60057 | 60060 | 60061 => K::Suspended,
            60009..=60012 | 60120 => K::LimitReached,
            60013 => K::BannedCountry,
            60014 | 60015 => K::DeliveryFailed,
            60016 | 60026 => K::UserNotFound,
            60017 | 60018 | 60106 | 60107 => K::UserBlocked,
            60019 => K::TokenReused,
            60020 | 60118 => K::TokenInvalid,
            60021 => K::VerificationFailed,
            60022 => K::VerificationIncorrect,
            60023 => K::NoPendingVerification,
            60024 | 60025 => K::PhoneInfoUnavailable,
            60027 => K::UserInvalid,
            60028 => K::DeleteFailed,
            60033 | 60059 => K::PhoneInvalid,
            60038 => K::EmailInvalid,
            60047 => K::WrongKeyKind,
            60049 => K::ApprovalRequestNotFound,
            60050..=60055 | 60079 | 60080 => K::OneTouch,
            60056 => K::MustUseTls,
            60082 => K::Landline,
            60115 => K::OptedOut,
            60122 | 60123 => K::QrUnavailable,
            60127 | 60128 | 60130 => K::UserDeleted,
            _ => return None,
        })
    }

    /// The kind of an HTTP status when the body names no code.
    pub fn from_status(status: u16) -> ApiErrorReason {
        match status {
            400 => ApiErrorReason::BadRequest,
            401 => ApiErrorReason::Unauthorized,
            403 => ApiErrorReason::Forbidden,
            404 => ApiErrorReason::NotFound,
            429 => ApiErrorReason::RateLimited,
            300..=399 => ApiErrorReason::Redirect,
            500..=599 => ApiErrorReason::ServerError,
            _ => ApiErrorReason::Other,
        }
    }

    fn advice(self) -> &'static str {
        use ApiErrorReason as K;
        match self {
            K::InvalidApiKey => {
                "the api key is not valid: check the application's key in the twilio console"
            }
            K::InvalidRequest => "the request is not valid: check the arguments",
            K::InvalidParameter => "a parameter is missing or invalid: check the arguments",
            K::CallsDisabled => {
                "voice calls are not enabled for this application: enable them or send an sms"
            }
            K::SmsDisabled => "sms is not enabled for this application: enable it in the console",
            K::Suspended => "the account or application is suspended: contact twilio support",
            K::LimitReached => "an sms or call limit was reached: wait or raise the limit",
            K::BannedCountry => "the destination country is banned: use another channel",
            K::DeliveryFailed => {
                "the sms or call could not be started: try again later or use another channel"
            }
            K::UserNotFound => {
                "the user does not exist: check the authy id or create the user again"
            }
            K::UserBlocked => "the user is suspended, disabled or blocked: it cannot authenticate",
            K::TokenReused => "the token was already used: ask the user for a new one",
            K::TokenInvalid => "the token is not valid: ask the user to try again",
            K::VerificationFailed => {
                "the phone verification could not be created: check the number and try again"
            }
            K::VerificationIncorrect => "the verification code is incorrect: ask the user again",
            K::NoPendingVerification => {
                "no verification is pending for this number: start a new one"
            }
            K::PhoneInfoUnavailable => "phone information is unavailable: try again later",
            K::UserInvalid => "the user is not valid: see the field errors",
            K::DeleteFailed => "the user could not be deleted: try again later",
            K::PhoneInvalid => "the phone number is invalid: check it and the country code",
            K::EmailInvalid => "the email address is invalid: check it",
            K::WrongKeyKind => "a twilio account key was used: use the authy application's api key",
            K::ApprovalRequestNotFound => "the approval request does not exist: check the uuid",
            K::OneTouch => {
                "the onetouch request failed: check that the user has a registered device"
            }
            K::MustUseTls => "the api must be called over https: check the base url",
            K::Landline => "sms cannot be sent to a landline: request a voice call instead",
            K::OptedOut => "the number opted out of messages: use another channel",
            K::QrUnavailable => {
                "qr codes are unavailable: enable generic authenticator tokens in the console"
            }
            K::UserDeleted => "the user is deleted or being deleted: create it again",
            K::UnknownCode(_) => "see the error code in the authy documentation",
            K::RateLimited => "rate limited: wait before trying again",
            K::BadRequest => "the request was rejected: check the arguments",
            K::Unauthorized => "not authorized: check the api key",
            K::Forbidden => {
                "forbidden: the feature may not be enabled for this application, check the console"
            }
            K::NotFound => "not found: check the id",
            K::Redirect => "the server redirected, which is not followed: check the base url",
            K::ServerError => "server error: try again later",
            K::Other => "the request failed",
        }
    }
}

/// An error answer from Authy: HTTP status, Authy's `error_code` and `message`, the `errors`
/// map (the seed's `errors()`), and the start of the body when it was not JSON (an HTML page
/// from a proxy, an empty 502).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub(crate) endpoint: String,
    pub(crate) status: u16,
    pub(crate) kind: ApiErrorReason,
    pub(crate) error_code: Option<u32>,
    pub(crate) message: Option<String>,
    pub(crate) errors: Map<String, Value>,
    pub(crate) snippet: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) attempts: u32,
    /// What to check before trying again, for the calls that act, as [`Error::Timeout`]
    /// carries; `None` for reads.
    pub(crate) check: Option<&'static str>,
}

/// What a 400, 401 or 404 without an error code means on a given call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hints {
    pub(crate) bad_request: ApiErrorReason,
    pub(crate) unauthorized: ApiErrorReason,
    pub(crate) not_found: ApiErrorReason,
}

impl Hints {
    pub(crate) const GENERIC: Hints = Hints {
        bad_request: ApiErrorReason::BadRequest,
        unauthorized: ApiErrorReason::Unauthorized,
        not_found: ApiErrorReason::NotFound,
    };
    pub(crate) const USER: Hints = Hints {
        not_found: ApiErrorReason::UserNotFound,
        ..Hints::GENERIC
    };
    pub(crate) const NEW_USER: Hints = Hints {
        bad_request: ApiErrorReason::UserInvalid,
        ..Hints::USER
    };
    pub(crate) const TOKEN: Hints = Hints {
        unauthorized: ApiErrorReason::TokenInvalid,
        ..Hints::USER
    };
    pub(crate) const VERIFICATION: Hints = Hints {
        unauthorized: ApiErrorReason::VerificationIncorrect,
        not_found: ApiErrorReason::NoPendingVerification,
        ..Hints::GENERIC
    };
    pub(crate) const APPROVAL: Hints = Hints {
        not_found: ApiErrorReason::ApprovalRequestNotFound,
        ..Hints::GENERIC
    };
}

/// The longest server message kept.
const MAX_MESSAGE: usize = 300;
/// The longest body snippet kept from a non-JSON body.
const MAX_SNIPPET: usize = 160;

impl ApiError {
    /// Builds the error of a response, whatever its body; `check` as the call's
    /// [`Error::Timeout`] carries.
    pub(crate) fn from_response(
        endpoint: String,
        response: &api_transport::Response,
        hints: Hints,
        check: Option<&'static str>,
    ) -> Self {
        let status = response.status();
        let parsed = serde_json::from_slice::<Value>(response.body()).ok();
        let (error_code, message, errors, snippet) = match parsed {
            Some(Value::Object(content)) => {
                let code = content.get("error_code").and_then(code_of);
                let message = message_of(&content);
                let errors = match content.get("errors") {
                    Some(Value::Object(errors)) => errors.clone(),
                    Some(other) => single("error", other.clone()),
                    None => content,
                };
                (code, message, errors, None)
            }
            Some(other) => (None, None, single("error", other), None),
            None => {
                let snippet = response.snippet(MAX_SNIPPET);
                (
                    None,
                    None,
                    single("error", Value::String(snippet.clone())),
                    Some(snippet),
                )
            }
        };
        let kind = Self::kind_of(status, error_code, hints);
        ApiError {
            endpoint,
            status,
            kind,
            error_code,
            message,
            errors,
            snippet,
            retry_after: response.retry_after(),
            attempts: response.attempts(),
            check,
        }
    }

    /// A token check (a call that acts, `check` as its [`Error::Timeout`] carries) answered
    /// 200 without saying the token is valid.
    pub(crate) fn token_not_valid(
        endpoint: String,
        response: &api_transport::Response,
        check: Option<&'static str>,
    ) -> Self {
        let mut error = ApiError::from_response(endpoint, response, Hints::TOKEN, check);
        if ApiErrorReason::from_code(error.error_code.unwrap_or(0)).is_none() {
            error.kind = ApiErrorReason::TokenInvalid;
        }
        if let Ok(Value::Object(content)) = serde_json::from_slice::<Value>(response.body()) {
            // The seed's errors() on a 200 that is not a valid token: the whole body.
            error.errors = content;
        }
        error
    }

    fn kind_of(status: u16, code: Option<u32>, hints: Hints) -> ApiErrorReason {
        if let Some(kind) = code.and_then(ApiErrorReason::from_code) {
            return kind;
        }
        if status == 429 {
            return ApiErrorReason::RateLimited;
        }
        if let Some(code) = code {
            return ApiErrorReason::UnknownCode(code);
        }
        match status {
            400 => hints.bad_request,
            401 => hints.unauthorized,
            404 => hints.not_found,
            _ => ApiErrorReason::from_status(status),
        }
    }

    /// The call, as `METHOD /path` (secret segments redacted).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// What the error means on Authy (its error code, or the status on this call).
    pub fn reason(&self) -> ApiErrorReason {
        self.kind
    }

    /// What the caller does next.
    ///
    /// A server error (5xx) that would be tried again later ([`ApiErrorReason::ServerError`],
    /// [`ApiErrorReason::PhoneInfoUnavailable`], an unknown code, ...) to a call that acts
    /// (sends an SMS, places a call, sends a push, checks a token, creates or deletes a user;
    /// even a `GET` does) is [`ErrorKind::OutcomeUnknown`], as a call without an answer is:
    /// Authy may have acted on the request before it (a gateway may answer 502 once the SMS
    /// went out), and [`Error::outcome_unknown`] is then true. A read's is
    /// [`ErrorKind::RetryLater`] (or [`ErrorKind::RetryAfter`]), and its `outcome_unknown()`
    /// false: a read changes nothing. [`ApiErrorReason::DeliveryFailed`] (60014, 60015: Authy
    /// says the call or SMS was not started) is [`ErrorKind::RetryLater`] whatever the status:
    /// nothing went out.
    pub fn kind(&self) -> ErrorKind {
        use ApiErrorReason as R;
        let wait = |otherwise| self.retry_after.map_or(otherwise, ErrorKind::RetryAfter);
        match self.kind {
            R::Unauthorized
            | R::InvalidApiKey
            | R::WrongKeyKind
            | R::MustUseTls
            | R::Redirect
            | R::CallsDisabled
            | R::SmsDisabled
            | R::Suspended
            | R::QrUnavailable => ErrorKind::Configuration,
            R::InvalidRequest
            | R::InvalidParameter
            | R::BadRequest
            | R::TokenReused
            | R::TokenInvalid
            | R::VerificationIncorrect
            | R::UserInvalid
            | R::PhoneInvalid
            | R::EmailInvalid
            | R::Landline
            | R::BannedCountry
            | R::OptedOut => ErrorKind::FixInput,
            R::UserNotFound | R::ApprovalRequestNotFound | R::NotFound | R::UserDeleted => {
                ErrorKind::NotFound
            }
            R::UserBlocked | R::Forbidden | R::OneTouch => ErrorKind::Forbidden,
            R::RateLimited | R::LimitReached => wait(ErrorKind::RateLimited),
            R::DeliveryFailed => wait(ErrorKind::RetryLater),
            R::PhoneInfoUnavailable | R::DeleteFailed | R::VerificationFailed | R::ServerError => {
                self.unless_server_error(wait(ErrorKind::RetryLater))
            }
            R::NoPendingVerification => ErrorKind::StartOver,
            R::UnknownCode(_) | R::Other => {
                self.unless_server_error(ErrorKind::from_status(self.status, self.retry_after))
            }
        }
    }

    /// `otherwise`, or [`ErrorKind::OutcomeUnknown`] for a server error (5xx) to a call that
    /// acts: it may come after Authy acted on the request, so the request is checked before it
    /// is sent again, as one without an answer.
    fn unless_server_error(&self, otherwise: ErrorKind) -> ErrorKind {
        if self.changes_something() && (500..=599).contains(&self.status) {
            ErrorKind::OutcomeUnknown
        } else {
            otherwise
        }
    }

    /// Whether the answer leaves unknown what Authy did with a call that acts: the rule of
    /// [`api_transport::answer_leaves_outcome_unknown`] for the status, but for a code that
    /// says nothing went out ([`ApiErrorReason::DeliveryFailed`]), which makes it known.
    fn answer_leaves_outcome_unknown(&self) -> bool {
        api_transport::answer_leaves_outcome_unknown(self.status)
            && self.kind != ApiErrorReason::DeliveryFailed
    }

    /// Authy's `error_code` (sent as a string of digits, `"60020"`), if the body had one.
    pub fn error_code(&self) -> Option<u32> {
        self.error_code
    }

    /// Authy's `message`, or `errors.message` when there is no top-level one: at most 300
    /// characters, as [`api_transport::printable`] shows them.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The seed's `errors()`: the body's `errors` object; the whole body when it has no
    /// `errors` key; `{"error": <start of the body>}` when the body is not a JSON object.
    /// User creation failures name the fields here (`"cellphone": "is invalid"`).
    pub fn errors(&self) -> &Map<String, Value> {
        &self.errors
    }

    /// The start of the body when it was not JSON (an HTML page, an empty body gives `""`).
    pub fn snippet(&self) -> Option<&str> {
        self.snippet.as_deref()
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
        write!(f, "{} failed with status {}", self.endpoint, self.status)?;
        if let Some(code) = self.error_code {
            write!(f, " and error code {code}")?;
        }
        // A server error that leaves the outcome unknown says what to check (the call's
        // `check`, as a lost answer does), whatever the code.
        match self.check {
            Some(check) if self.kind() == ErrorKind::OutcomeUnknown => {
                write!(f, ": server error; {check}")?
            }
            _ => write!(f, ": {}", self.kind.advice())?,
        }
        if let Some(m) = &self.message {
            write!(f, "; authy said: {m}")?;
        } else if let Some(snippet) = &self.snippet {
            if snippet.is_empty() {
                f.write_str("; the body was empty")?;
            } else {
                write!(f, "; body starts: {snippet}")?;
            }
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

fn single(key: &str, value: Value) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(key.to_owned(), value);
    map
}

/// `error_code` as sent (`"60020"`) or as a number.
fn code_of(value: &Value) -> Option<u32> {
    match value {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        _ => None,
    }
}

fn message_of(content: &Map<String, Value>) -> Option<String> {
    content
        .get("message")
        .and_then(Value::as_str)
        .or_else(|| {
            content
                .get("errors")
                .and_then(|e| e.get("message"))
                .and_then(Value::as_str)
        })
        .map(|m| api_transport::printable(m, MAX_MESSAGE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_send_sync_static() {
        fn check<T: std::error::Error + Send + Sync + 'static>() {}
        check::<Error>();
        check::<ApiError>();
        check::<InvalidInput>();
    }

    #[test]
    fn codes_map_to_named_kinds() {
        assert_eq!(
            ApiErrorReason::from_code(60001),
            Some(ApiErrorReason::InvalidApiKey)
        );
        assert_eq!(
            ApiErrorReason::from_code(60020),
            Some(ApiErrorReason::TokenInvalid)
        );
        assert_eq!(
            ApiErrorReason::from_code(60118),
            Some(ApiErrorReason::TokenInvalid)
        );
        assert_eq!(
            ApiErrorReason::from_code(60026),
            Some(ApiErrorReason::UserNotFound)
        );
        assert_eq!(
            ApiErrorReason::from_code(60016),
            Some(ApiErrorReason::UserNotFound)
        );
        assert_eq!(
            ApiErrorReason::from_code(60023),
            Some(ApiErrorReason::NoPendingVerification)
        );
        assert_eq!(
            ApiErrorReason::from_code(60011),
            Some(ApiErrorReason::LimitReached)
        );
        assert_eq!(
            ApiErrorReason::from_code(60079),
            Some(ApiErrorReason::OneTouch)
        );
        assert_eq!(ApiErrorReason::from_code(60099), None);
        assert_eq!(ApiErrorReason::from_code(6000), None);
    }

    #[test]
    fn kind_prefers_named_codes_then_429_then_unknown_codes_then_hints() {
        assert_eq!(
            ApiError::kind_of(401, Some(60001), Hints::TOKEN),
            ApiErrorReason::InvalidApiKey
        );
        assert_eq!(
            ApiError::kind_of(429, Some(60099), Hints::GENERIC),
            ApiErrorReason::RateLimited
        );
        assert_eq!(
            ApiError::kind_of(400, Some(60099), Hints::GENERIC),
            ApiErrorReason::UnknownCode(60099)
        );
        assert_eq!(
            ApiError::kind_of(401, None, Hints::TOKEN),
            ApiErrorReason::TokenInvalid
        );
        assert_eq!(
            ApiError::kind_of(401, None, Hints::GENERIC),
            ApiErrorReason::Unauthorized
        );
        assert_eq!(
            ApiError::kind_of(404, None, Hints::APPROVAL),
            ApiErrorReason::ApprovalRequestNotFound
        );
        assert_eq!(
            ApiError::kind_of(502, None, Hints::USER),
            ApiErrorReason::ServerError
        );
        assert_eq!(
            ApiError::kind_of(302, None, Hints::USER),
            ApiErrorReason::Redirect
        );
        assert_eq!(
            ApiError::kind_of(418, None, Hints::USER),
            ApiErrorReason::Other
        );
        assert_eq!(
            ApiError::kind_of(400, None, Hints::NEW_USER),
            ApiErrorReason::UserInvalid
        );
        assert_eq!(
            ApiError::kind_of(400, None, Hints::USER),
            ApiErrorReason::BadRequest
        );
    }

    #[test]
    fn codes_are_read_from_strings_and_numbers() {
        assert_eq!(code_of(&Value::from("60020")), Some(60020));
        assert_eq!(code_of(&Value::from(60020)), Some(60020));
        assert_eq!(code_of(&Value::from("abc")), None);
        assert_eq!(code_of(&Value::from(-1)), None);
        assert_eq!(code_of(&Value::Null), None);
    }

    #[test]
    fn input_messages_are_lowercase_without_a_period() {
        let all = [
            InvalidInput::TokenNotDigits,
            InvalidInput::TokenLength { length: 5 },
            InvalidInput::AuthyIdNotDigits,
            InvalidInput::AuthyIdZero,
            InvalidInput::CodeLength { length: 11 },
            InvalidInput::Via,
            InvalidInput::CountryCode { code: 0 },
            InvalidInput::VerificationCode,
            InvalidInput::Empty { field: "message" },
            InvalidInput::TooLong {
                field: "message",
                max: 200,
                length: 201,
            },
            InvalidInput::Zero { field: "qr size" },
            InvalidInput::Signature,
            InvalidInput::Nonce,
            InvalidInput::Method,
            InvalidInput::Params {
                reason: "they are empty".into(),
            },
        ];
        for e in all {
            let text = e.to_string();
            assert!(text.starts_with(char::is_lowercase), "{text}");
            assert!(!text.ends_with('.'), "{text}");
        }
        assert_eq!(
            InvalidInput::TokenLength { length: 5 }.to_string(),
            "invalid token: unexpected length 5; a token has 6 to 12 digits"
        );
    }
}
