//! Blocking client for the Authy two-factor API: users, token checks, SMS and voice tokens,
//! phone verification, OneTouch push approvals and their callback signatures.
//!
//! The calls and their names follow the reference Python client, authy-python: the same flow
//! reads the same way, with `?` where Python checks `ok()`.
//!
//! Programs use this crate through the `august` crate, as `august::authy` (feature `authy`). The examples are
//! written with those paths, as such a program writes them; a hidden line maps them to this
//! crate, so that they run as its own tests.
//!
//! ```no_run
//! # mod august { pub use authy_client as authy; }
//! use august::authy::{ApiErrorReason, AuthyApiClient, TokenRequestOptions};
//!
//! fn main() -> Result<(), august::authy::Error> {
//!     let authy_api = AuthyApiClient::new("api-key");
//!
//!     // Creating users: an email, a cellphone and a country code (57 is Colombia, 1 the USA).
//!     let user = match authy_api.users().create("user@example.com", "111-111-1111", 57) {
//!         Ok(user) => user,
//!         Err(e) => {
//!             // What went wrong, field by field: {"cellphone": "is invalid", ...}
//!             println!("{:?}", e.errors());
//!             return Err(e);
//!         }
//!     };
//!     // Store user.id() in your user database: every later call needs it.
//!     let authy_id = user.id();
//!
//!     // Sending a token by SMS, even to users of the Authy app.
//!     let sms = authy_api
//!         .users()
//!         .request_sms_with(authy_id, &TokenRequestOptions::new().force(true))?;
//!     println!("sms ignored: {}", sms.ignored());
//!
//!     // Verifying tokens: the token comes from the user through your login form.
//!     match authy_api.tokens().verify(authy_id, "0123456") {
//!         Ok(_) => println!("the user is valid"),
//!         Err(e) if e.reason() == Some(ApiErrorReason::TokenInvalid) => println!("wrong token"),
//!         Err(e) => return Err(e),
//!     }
//!     Ok(())
//! }
//! ```
//!
//! # From authy-python
//!
//! A Python response object is an `Ok` value when `ok()` is true and an [`Error::Api`] when it
//! is false; validation failures (`AuthyFormatException`) are [`Error::InvalidInput`] and send
//! nothing.
//!
//! | authy-python | authy-client |
//! |---|---|
//! | `AuthyApiClient(api_key)` | [`AuthyApiClient::new`]`(api_key)` |
//! | `AuthyApiClient(api_key, api_uri)` | [`AuthyApiClient::builder`]`(api_key).base_url(uri).build()?` |
//! | `response.ok()` | the call returns `Ok(value)` |
//! | `response.errors()` | `Err(e)`: [`Error::errors`], [`ApiError::errors`] (same map) |
//! | `response.content`, `response[key]` | getters on the value; [`ApiError::message`], [`ApiError::error_code`] |
//! | `AuthyFormatException` | [`Error::InvalidInput`] ([`InvalidInput`]) |
//! | `users.create(email, phone, country_code)` → `User` | [`Users::create`]`(email, phone, country_code)` → [`User`] |
//! | `users.create(email, phone)` (country code 1) | [`Users::create_with`]`(email, phone, &CreateUserOptions::new())` |
//! | `users.create(..., send_install_link_via_sms=True)` | [`Users::create_with`]`(email, phone, &CreateUserOptions::new().country_code(cc).send_install_link_via_sms(true))` |
//! | `user.id` | [`User::id`] → [`AuthyId`] |
//! | `users.status(id)` | [`Users::status`]`(id)` → [`UserStatus`] |
//! | `users.delete(id)` | [`Users::delete`]`(id)` → [`Confirmation`] |
//! | `users.request_sms(id, {"force": True})` → `Sms` | [`Users::request_sms`]`(id)`, [`Users::request_sms_with`]`(id, &TokenRequestOptions)` → [`TokenDelivery`] |
//! | `sms.ignored()`, `call.ignored()` | [`TokenDelivery::ignored`] |
//! | `users.request_call(id, options)` → `Call` | [`Users::request_call`], [`Users::request_call_with`] → [`TokenDelivery`] |
//! | `users.generate_qr(id, size, label)` | [`Users::generate_qr`], [`Users::generate_qr_with`]`(id, &QrOptions)` → [`QrCode`] |
//! | `users.registration_status(custom_user_id)` | [`Users::registration_status`] → [`RegistrationStatus`] |
//! | (none) | [`Users::register_activity`]`(id, &Activity)` → [`Confirmation`] |
//! | `tokens.verify(id, token, options)` → `Token` | [`Tokens::verify`]`(id, token)`, [`Tokens::verify_with`]`(id, token, &VerifyOptions)` → [`TokenVerification`] |
//! | `verification.ok()` | `Ok(_)`: status 200 and `"token": "is valid"` (`success` is not read) |
//! | `apps.fetch()` → `App` | [`Apps::fetch`] → [`App`] |
//! | `stats.fetch()` → `Stats` | [`StatsResource::fetch`] → [`Stats`] |
//! | `phones.verification_start(phone, cc, via, locale, code_length)` | [`Phones::verification_start`]`(phone, cc, Via::Sms)`, [`Phones::verification_start_with`]`(phone, cc, &VerificationStartOptions)` → [`PhoneVerification`] |
//! | `phones.verification_check(phone, cc, code)` | [`Phones::verification_check`] → [`Confirmation`] |
//! | `phones.info(phone, cc)` | [`Phones::info`] → [`PhoneInfo`] |
//! | `one_touch.send_request(id, message, seconds_to_expire, details, hidden_details, logos)` | [`OneTouch::send_request`]`(id, &ApprovalRequest::new(message)...)` → [`ApprovalRequestCreated`] |
//! | `response.get_uuid()` | [`ApprovalRequestCreated::uuid`] |
//! | `one_touch.get_approval_status(uuid)` | [`OneTouch::get_approval_status`] → [`ApprovalStatus`] |
//! | `response.status()` (the `success` flag) | `Ok(_)`; the approval state is [`ApprovalStatus::status`] |
//! | `one_touch.validate_one_touch_signature(signature, nonce, method, url, params)` → `bool` | [`OneTouch::validate_one_touch_signature`] → `Result<bool>`; also [`OneTouch::validate_post_callback`], [`OneTouch::validate_get_callback`], [`signature`] |
//!
//! # Errors
//!
//! Every call returns `Result<T, `[`Error`]`>`. [`Error`] says what to do next:
//! [`Error::InvalidInput`] (fix the argument, nothing was sent), [`Error::NotDelivered`] (safe to
//! try again), [`Error::Timeout`] and [`Error::ConnectionLost`] (a call that acts may have
//! taken effect: an SMS or a push may have gone out; a read can be sent again), [`Error::Api`] (status, Authy's `error_code` and message, the
//! `errors` map, and a short snippet when the body was HTML or empty), [`Error::Decode`] (endpoint
//! and JSON path), [`Error::ResponseTooLarge`]. [`Error::kind`] says what to do next in the
//! [`ErrorKind`] vocabulary every client of the workspace shares; [`ApiErrorReason`] names the
//! error codes callers act on: [`ApiErrorReason::TokenInvalid`],
//! [`ApiErrorReason::UserNotFound`], [`ApiErrorReason::InvalidApiKey`],
//! [`ApiErrorReason::NoPendingVerification`], [`ApiErrorReason::RateLimited`], and more.
//!
//! # Transport
//!
//! Requests go through `api-transport`: a 10 s timeout per call, no redirects, `https` only
//! (plain `http` to loopback for tests), a 1 MiB body cap, the API key in the
//! `X-Authy-API-Key` header and nowhere else, the user agent
//! `AuthyRust/<version> (<os>-<arch>; Rust)`. Only reads (user status, registration status,
//! app details and stats, phone information, approval status) are retried, after 429, 502, 503,
//! 504 or a failure to connect. User creation and deletion, SMS and call tokens, token and code
//! checks, phone verifications and OneTouch requests are sent once.
//!
//! # Secrets
//!
//! The API key and a token being verified never appear in `Debug` output, `Display` text,
//! errors or logs: the key travels in a header the transport never logs, the token in a path
//! segment logs show as `{redacted}`.

mod apps;
mod client;
mod de;
mod enum_conversions;
mod error;
mod id_conversions;
mod models;
mod one_touch;
mod options;
mod phones;
pub mod signature;
mod tokens;
mod types;
mod users;

pub use apps::{Apps, StatsResource};
pub use client::{
    API_KEY_HEADER, AuthyApiClient, AuthyApiClientBuilder, DEFAULT_API_URI, DEFAULT_MAX_BODY,
    DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, user_agent,
};
pub use one_touch::OneTouch;
pub use phones::Phones;
pub use tokens::Tokens;
pub use users::{DELETE_USER_SEGMENT, Users};

/// The error of reading a request enum ([`ActivityType`], [`LogoResolution`]) from text.
pub use api_transport::UnknownVariant;
/// What the caller does next about any error (see [`Error::kind`]).
pub use api_transport::{ErrorKind, HasErrorKind};
pub use error::{ApiError, ApiErrorReason, Error, InvalidInput, Result};
pub use models::{
    App, ApprovalRequestCreated, ApprovalState, ApprovalStatus, Confirmation, DetailedDevice,
    MonthlyStats, PhoneInfo, PhoneType, PhoneVerification, QrCode, RegistrationStatus, Stats,
    TokenDelivery, TokenVerification, User, UserStatus, VerifiedDevice,
};
pub use options::{
    Activity, ActivityType, ApprovalRequest, CreateUserOptions, DEFAULT_COUNTRY_CODE, Logo,
    LogoResolution, MAX_ACTION_SIZE, MAX_LOCALE_SIZE, MAX_LOGO_URL_SIZE, MAX_STRING_SIZE,
    QrOptions, TokenRequestOptions, VerificationStartOptions, VerifyOptions, Via,
};
pub use types::{AuthyId, MAX_TOKEN_SIZE, MIN_TOKEN_SIZE};
