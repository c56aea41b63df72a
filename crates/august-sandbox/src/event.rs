//! What the sandbox "sends" to the outside world, reported as events.

use std::fmt;

use serde::Serialize;

/// The result of posting a signed OneTouch callback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CallbackDelivery {
    /// Where the callback was posted.
    pub url: String,
    /// The HTTP status the receiver answered with, if it answered.
    pub status: Option<u16>,
    /// Why the callback could not be delivered, if it could not.
    pub error: Option<String>,
}

/// The outcome of approving or denying a OneTouch request through the sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct OneTouchAnswer {
    /// The request's uuid.
    pub uuid: String,
    /// Its new status: `approved` or `denied`.
    pub status: String,
    /// The signed callback posted, if a callback URL is registered.
    pub callback: Option<CallbackDelivery>,
}

/// Something the sandbox would have sent to a person or a server: codes and tokens it "sends"
/// by SMS, e-mail or call, and OneTouch requests and callbacks.
///
/// Register a listener with [`SandboxBuilder::on_event`](crate::SandboxBuilder::on_event);
/// the `august-sandbox` binary prints each event's `Display` form on stdout. The codes and
/// tokens are sandbox values, printed on purpose: they are what a user would read on a phone.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// `POST /validation/{phone,email}`: an August verification code was "sent".
    AugustVerificationCode {
        /// `phone` or `email`.
        method: String,
        /// The phone number or e-mail address it went to.
        value: String,
        /// The install id the code validates.
        install_id: String,
        /// The code.
        code: String,
    },
    /// `GET /protected/json/sms/{id}` or `/call/{id}`: an Authy token was "sent" (or, for a user
    /// with the app and no `force`, shown in the app only).
    AuthyToken {
        /// The Authy user.
        authy_id: u64,
        /// `sms` or `call`.
        channel: String,
        /// Whether the request was ignored because the user has the app.
        ignored: bool,
        /// The token.
        token: String,
    },
    /// `POST /protected/json/phones/verification/start`: a verification code was "sent".
    PhoneVerification {
        /// The country calling code.
        country_code: String,
        /// The phone number's digits.
        phone_number: String,
        /// `sms` or `call`.
        via: String,
        /// The code.
        code: String,
    },
    /// `POST /onetouch/json/users/{id}/approval_requests`: a push approval request was created.
    OneTouchRequest {
        /// The request's uuid.
        uuid: String,
        /// The Authy user it is for.
        authy_id: u64,
        /// The message shown to the user.
        message: String,
    },
    /// An approval request was approved or denied through the sandbox.
    OneTouchAnswer {
        /// The request's uuid.
        uuid: String,
        /// `approved` or `denied`.
        status: String,
        /// The callback posted, if a callback URL is registered.
        callback: Option<CallbackDelivery>,
    },
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::AugustVerificationCode {
                method,
                value,
                install_id,
                code,
            } => write!(
                f,
                "august: verification code {code} sent by {method} to {value} (install id {install_id})"
            ),
            Event::AuthyToken {
                authy_id,
                channel,
                ignored,
                token,
            } => {
                if *ignored {
                    write!(
                        f,
                        "authy: {channel} to user {authy_id} ignored (the user has the app); the app shows token {token}"
                    )
                } else {
                    write!(
                        f,
                        "authy: token {token} sent by {channel} to user {authy_id}"
                    )
                }
            }
            Event::PhoneVerification {
                country_code,
                phone_number,
                via,
                code,
            } => write!(
                f,
                "authy: phone verification code {code} sent by {via} to +{country_code} {phone_number}"
            ),
            Event::OneTouchRequest {
                uuid,
                authy_id,
                message,
            } => write!(
                f,
                "authy: onetouch request {uuid} for user {authy_id}: {message:?} (approve with POST /__sandbox/authy/onetouch/{uuid}/approve)"
            ),
            Event::OneTouchAnswer {
                uuid,
                status,
                callback,
            } => {
                write!(f, "authy: onetouch request {uuid} {status}")?;
                match callback {
                    Some(CallbackDelivery {
                        url,
                        status: Some(s),
                        ..
                    }) => write!(f, "; callback to {url} answered {s}"),
                    Some(CallbackDelivery {
                        url,
                        error: Some(e),
                        ..
                    }) => write!(f, "; callback to {url} failed: {e}"),
                    Some(CallbackDelivery { url, .. }) => write!(f, "; callback to {url}"),
                    None => f.write_str("; no callback url registered"),
                }
            }
        }
    }
}
