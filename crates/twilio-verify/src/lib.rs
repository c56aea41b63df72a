//! Blocking client for Twilio Verify v2, the successor of the Authy API: one-time codes by SMS,
//! voice call, e-mail and WhatsApp; TOTP and push factors with their challenges; Lookup v2
//! phone information; and the `X-Twilio-Signature` check of Verify's webhooks.
//!
//! Programs use this crate through the `august` crate, as `august::verify` (feature `verify`). The examples are
//! written with those paths, as such a program writes them; a hidden line maps them to this
//! crate, so that they run as its own tests.
//!
//! ```no_run
//! # mod august { pub use twilio_verify as verify; }
//! use august::verify::{Channel, CheckOutcome, Credentials, ServiceSid, VerifyClient};
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // An API key (SID `SK…` and its secret) is recommended; the Account SID and auth token
//!     // work too (`Credentials::account`).
//!     let client = VerifyClient::new(Credentials::api_key("SK…", "api-key-secret"));
//!     let service: ServiceSid = "VA00000000000000000000000000000001".parse()?;
//!
//!     // Send a code by SMS (never resent automatically)...
//!     client.verifications(&service).start("+15555550100", Channel::Sms)?;
//!     // ...and check what the user typed: success is `Approved` only.
//!     match client.verifications(&service).check_to("+15555550100", "123456")? {
//!         CheckOutcome::Approved(_) => println!("verified"),
//!         CheckOutcome::Pending(_) => println!("wrong code"),
//!         CheckOutcome::NotFound => println!("no pending verification: start again"),
//!         other => println!("not verified: {other:?}"),
//!     }
//!     Ok(())
//! }
//! ```
//!
//! # Calls
//!
//! | resource | calls |
//! |---|---|
//! | [`Services`] | create, fetch, list, update, delete |
//! | [`Verifications`] | start (every channel and option), fetch, cancel, approve, check |
//! | [`Entities`] | create, fetch, list, delete |
//! | [`Factors`] | TOTP and push create, verify, fetch, list, update, delete |
//! | [`Challenges`] | create (TOTP code or push), fetch, list, update, notify |
//! | [`Lookup`] | phone number with data packages |
//! | [`Attempts`] | summary, list, fetch |
//! | [`Webhooks`] | create, fetch, list, update, delete |
//! | [`AccessTokens`] | create (push enrolment) |
//! | [`RateLimits`] | create, fetch, list, update, delete, and their buckets |
//!
//! Lists are [`Pages`]: an iterator of records that follows Twilio's `meta.next_page_url` as
//! given (only on the configured base URL's origin).
//!
//! # Dates
//!
//! The dates of the answers (`date_created`, `date_updated`, `expiration_date`...) are
//! `Option<chrono::DateTime<Utc>>`, read leniently with the workspace's one ISO-8601 reader:
//! a date it refuses is `None` and never fails the answer, and `raw()` keeps the text as
//! sent. `Serialize` writes them in RFC 3339.
//!
//! ```
//! # mod august { pub use twilio_verify as verify; }
//! use august::verify::{Entity, chrono::{TimeZone, Utc}};
//!
//! let entity: Entity = serde_json::from_str(r#"{
//!     "sid": "YE00000000000000000000000000000001",
//!     "identity": "ff483d1ff591898a9942916050d2ca3f",
//!     "date_created": "2015-07-30T20:00:00Z",
//!     "date_updated": "2015-02-30T20:00:00Z"
//! }"#)?;
//! assert_eq!(entity.date_created, Some(Utc.with_ymd_and_hms(2015, 7, 30, 20, 0, 0).unwrap()));
//! assert_eq!(entity.date_updated, None); // no 30 February: None, the answer still reads
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! # Errors
//!
//! Every call returns `Result<T, `[`Error`]`>`. [`Error::InvalidInput`] (fix the argument;
//! nothing was sent), [`Error::NotDelivered`] (safe to try again), [`Error::Timeout`] and
//! [`Error::ConnectionLost`] (the outcome is unknown; the error says what to check),
//! [`Error::Api`] with Twilio's `code`, `message`, `more_info` and the status, and an
//! [`ApiErrorReason`] whose [`ApiErrorReason::advice`] says what to do next. [`Error::kind`]
//! says it in the [`ErrorKind`] vocabulary every client of the workspace shares.
//!
//! # Never resent
//!
//! Requests go through `api-transport`, with one deadline per call (10 s by default). Reads
//! (GET) and deletes are retried after 429, 502, 503, 504 or a failure to connect. Every POST
//! is sent once: a verification start (sends a message), a verification check (spends an
//! attempt, and a success deletes the verification, so a retried check would answer "not
//! found"), a factor verification, a challenge create or update, a notification.
//!
//! # Secrets
//!
//! The API key secret and the auth token travel in the `Authorization` header only; codes,
//! TOTP seeds and push signatures are marked secret in the body. None of them appears in
//! `Debug`, `Display`, errors or logs, even when a server echoes them in an error answer. A
//! factor's binding (seed and `otpauth://` URI) is a [`Secret`]: `Debug` prints `<redacted>`,
//! [`Secret::expose`] gives it to you once.

mod access_tokens;
mod attempts;
mod challenges;
mod client;
mod dates;
mod entities;
mod error;
mod factors;
mod id_conversions;
mod lookup;
mod nulls;
mod rate_limits;
#[cfg(test)]
mod raw_tests;
mod services;
pub mod signature;
mod types;
mod verifications;
mod webhooks;

/// The `chrono` version of the dates this crate takes (`NewChallenge::expiration_date`) and
/// gives (`date_created`...).
pub use chrono;

pub use access_tokens::{AccessToken, AccessTokens, NewPushAccessToken};
/// What the caller does next about any error (see [`Error::kind`]).
pub use api_transport::{ErrorKind, HasErrorKind};
pub use attempts::{Attempt, Attempts, AttemptsFilter, AttemptsSummary};
pub use challenges::{
    Challenge, ChallengeDetails, ChallengeField, ChallengeFilter, Challenges, NewChallenge,
    Notification,
};
pub use client::{
    Credentials, DEFAULT_LOOKUP_URL, DEFAULT_MAX_BODY, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT,
    DEFAULT_VERIFY_URL, Pages, VerifyClient, VerifyClientBuilder, user_agent,
};
pub use entities::{Entities, Entity};
pub use error::{ApiError, ApiErrorReason, Error, InvalidInput, Result};
pub use factors::{
    Factor, FactorBinding, FactorConfig, FactorUpdate, Factors, NewFactor, NewPushFactor,
    NewTotpFactor,
};
pub use lookup::{LineTypeIntelligence, Lookup, LookupField, LookupOptions, PhoneNumberInfo};
pub use rate_limits::{Bucket, RateLimit, RateLimits};
pub use services::{
    Service, ServiceLinks, ServiceOptions, ServicePush, ServiceTotp, ServiceWhatsapp, Services,
};
pub use types::{
    AccessTokenSid, AccountSid, ApiKeySid, AttemptSid, BucketSid, ChallengeSid, ChallengeStatus,
    Channel, CredentialSid, EntitySid, FactorSid, FactorStatus, FactorType, Identity, LineType,
    MessagingServiceSid, NotificationPlatform, NotificationSid, RateLimitSid, RespondedReason,
    Secret, ServiceSid, TotpAlgorithm, ValidationError, VerificationSid, VerificationStatus,
    WebhookSid, is_e164,
};
pub use verifications::{
    CheckOutcome, CheckTarget, CheckVerification, RiskCheck, SendCodeAttempt, Sna,
    StartVerification, Verification, VerificationCarrier, VerificationCheck, VerificationLookup,
    Verifications,
};
pub use webhooks::{Webhook, WebhookOptions, Webhooks};
