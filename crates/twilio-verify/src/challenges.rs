//! Challenges: TOTP checks and push approvals, and their notifications (spec §5.6).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client::{Call, Collection, Form, Pages, VerifyClient};
use crate::client::{Raw, keeps_raw, setters};
use crate::error::{InvalidInput, Result};
use crate::types::{
    ChallengeSid, ChallengeStatus, FactorSid, FactorType, Identity, NotificationSid,
    RespondedReason, ServiceSid, check_code, check_len, check_range,
};

const CREATE_UNKNOWN: &str = "a push may have reached the device, or a code may have spent one of five attempts; list the entity's pending challenges before creating another";
const UPDATE_UNKNOWN: &str = "the answer may have been recorded or spent an attempt; fetch the challenge and look at its status";
const NOTIFY_UNKNOWN: &str = "the push may have been sent again; do not resend blindly";

/// A challenge (`verify.v2.service.entity.challenge`). [`Challenge::raw`] keeps the whole
/// answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Challenge {
    /// The SID (`YC…`).
    pub sid: ChallengeSid,
    /// The account.
    #[serde(default)]
    pub account_sid: Option<String>,
    /// The service.
    #[serde(default)]
    pub service_sid: Option<String>,
    /// The entity (`YE…`).
    #[serde(default)]
    pub entity_sid: Option<String>,
    /// The entity's identity.
    #[serde(default)]
    pub identity: Option<String>,
    /// The factor challenged.
    #[serde(default)]
    pub factor_sid: Option<FactorSid>,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::dates::lenient")]
    pub date_created: Option<DateTime<Utc>>,
    /// Last update time.
    #[serde(default, deserialize_with = "crate::dates::lenient")]
    pub date_updated: Option<DateTime<Utc>>,
    /// When it was answered.
    #[serde(default, deserialize_with = "crate::dates::lenient")]
    pub date_responded: Option<DateTime<Utc>>,
    /// When it expires.
    #[serde(default, deserialize_with = "crate::dates::lenient")]
    pub expiration_date: Option<DateTime<Utc>>,
    /// The state: approved means the user proved the factor.
    pub status: ChallengeStatus,
    /// Why it was answered as it was.
    #[serde(default)]
    pub responded_reason: Option<RespondedReason>,
    /// What the push showed.
    #[serde(default)]
    pub details: Option<ChallengeDetails>,
    /// Details not shown to the user.
    #[serde(default)]
    pub hidden_details: Option<Value>,
    /// Metadata from the device.
    #[serde(default)]
    pub metadata: Option<Value>,
    /// The factor's type.
    #[serde(default)]
    pub factor_type: Option<FactorType>,
    /// The resource URL.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(skip)]
    raw: Raw,
}

keeps_raw!(Challenge);

/// What a push challenge shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChallengeDetails {
    /// The message.
    #[serde(default)]
    pub message: Option<String>,
    /// When.
    #[serde(default, deserialize_with = "crate::dates::lenient")]
    pub date: Option<DateTime<Utc>>,
    /// Labelled values (none when Twilio sends `null`).
    #[serde(default, deserialize_with = "crate::nulls::empty")]
    pub fields: Vec<ChallengeField>,
}

/// One labelled value of a challenge's details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChallengeField {
    /// The label (at most 36 characters; empty when Twilio sends `null`).
    #[serde(default, deserialize_with = "crate::nulls::empty")]
    pub label: String,
    /// The value (at most 128 characters; empty when Twilio sends `null`).
    #[serde(default, deserialize_with = "crate::nulls::empty")]
    pub value: String,
}

/// A push notification of a challenge (`…/Challenges/{YC}/Notifications`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Notification {
    /// The SID (`NT…`).
    pub sid: NotificationSid,
    /// The account.
    #[serde(default)]
    pub account_sid: Option<String>,
    /// The service.
    #[serde(default)]
    pub service_sid: Option<String>,
    /// The entity.
    #[serde(default)]
    pub entity_sid: Option<String>,
    /// The identity.
    #[serde(default)]
    pub identity: Option<String>,
    /// The challenge.
    #[serde(default)]
    pub challenge_sid: Option<String>,
    /// The priority (`high`).
    #[serde(default)]
    pub priority: Option<String>,
    /// Seconds the push service keeps trying.
    #[serde(default)]
    pub ttl: Option<u32>,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::dates::lenient")]
    pub date_created: Option<DateTime<Utc>>,
    #[serde(skip)]
    raw: Raw,
}

keeps_raw!(Notification);

/// A new challenge: a TOTP code to check, or a push approval request.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct NewChallenge {
    factor_sid: FactorSid,
    expiration_date: Option<DateTime<Utc>>,
    message: Option<String>,
    fields: Vec<(String, String)>,
    hidden_details: BTreeMap<String, String>,
    auth_payload: Option<crate::types::Secret>,
}

impl NewChallenge {
    /// A TOTP challenge checking `code` (3..=8 characters) on a verified TOTP factor: the
    /// answer is already approved when the code is right.
    pub fn totp(factor_sid: FactorSid, code: impl Into<String>) -> Self {
        NewChallenge::of(factor_sid, None, Some(crate::types::Secret::new(code)))
    }

    /// A push approval request on a verified push factor, showing `message` (1 to 256
    /// characters: Twilio requires `Details.Message` of a push challenge, and an empty one is
    /// refused before sending).
    pub fn push(factor_sid: FactorSid, message: impl Into<String>) -> Self {
        NewChallenge::of(factor_sid, Some(message.into()), None)
    }

    /// A challenge with its message (push) or code (TOTP) and no other setting.
    fn of(
        factor_sid: FactorSid,
        message: Option<String>,
        auth_payload: Option<crate::types::Secret>,
    ) -> Self {
        NewChallenge {
            factor_sid,
            expiration_date: None,
            message,
            fields: Vec::new(),
            hidden_details: BTreeMap::new(),
            auth_payload,
        }
    }

    setters! {
        /// `ExpirationDate` (default 5 minutes from now, at most 60).
        expiration_date: DateTime<Utc>,
    }

    /// Adds one of `Details.Fields` (at most 20; label ≤ 36, value ≤ 128 characters).
    pub fn field(mut self, label: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.push((label.into(), value.into()));
        self
    }

    /// Adds one entry of `HiddenDetails` (not shown to the user; at most 1024 characters in
    /// all).
    pub fn hidden_detail(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.hidden_details.insert(key.into(), value.into());
        self
    }

    fn form(&self) -> Result<Form> {
        let mut f = Form::new();
        f.add("FactorSid", self.factor_sid.checked()?);
        if let Some(when) = self.expiration_date {
            f.add(
                "ExpirationDate",
                when.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            );
        }
        if let Some(message) = &self.message {
            check_len("details message", message, 1, 256)?;
            f.add("Details.Message", message.as_str());
        }
        if self.fields.len() > 20 {
            return Err(InvalidInput::TooLong {
                field: "details fields",
                max: 20,
                length: self.fields.len(),
            }
            .into());
        }
        for (label, value) in &self.fields {
            check_len("details field label", label, 1, 36)?;
            check_len("details field value", value, 1, 128)?;
            f.add(
                "Details.Fields",
                serde_json::json!({"label": label, "value": value}).to_string(),
            );
        }
        if !self.hidden_details.is_empty() {
            let hidden = serde_json::to_string(&self.hidden_details).unwrap_or_default();
            check_len("hidden details", &hidden, 1, 1024)?;
            f.add("HiddenDetails", hidden);
        }
        if let Some(code) = &self.auth_payload {
            check_code(code.expose(), 3, 8)?;
            f.secret("AuthPayload", code.expose());
        }
        Ok(f)
    }
}

/// Filters of a challenge list; unset ones are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct ChallengeFilter {
    factor_sid: Option<FactorSid>,
    status: Option<ChallengeStatus>,
    newest_first: bool,
    page_size: Option<u16>,
}

impl ChallengeFilter {
    /// Every challenge, oldest first.
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        /// `FactorSid`.
        factor_sid: FactorSid,
        /// `Status`.
        status: ChallengeStatus,
    }

    /// `Order=desc`.
    pub fn newest_first(mut self) -> Self {
        self.newest_first = true;
        self
    }

    /// `PageSize` (1..=1000).
    pub fn page_size(mut self, size: u16) -> Self {
        self.page_size = Some(size.clamp(1, 1000));
        self
    }
}

/// The Challenges calls of an entity (`client.challenges(&service, &identity)`).
#[derive(Debug, Clone, Copy)]
pub struct Challenges<'a> {
    scope: Collection<'a>,
}

impl<'a> Challenges<'a> {
    pub(crate) fn new(
        client: &'a VerifyClient,
        service: &'a ServiceSid,
        identity: &'a Identity,
    ) -> Self {
        Challenges {
            scope: Collection::of_entity(client, service, identity, "Challenges"),
        }
    }

    /// `POST …/Entities/{identity}/Challenges`: a TOTP check or a push approval request.
    /// Sent once, never retried.
    ///
    /// ```
    /// # use twilio_verify::*;
    /// # use august_sandbox::{Sandbox, verify as demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let client = VerifyClient::builder(Credentials::api_key(demo::API_KEY_SID, demo::API_KEY_SECRET))
    /// #     .base_url(sandbox.verify_url())
    /// #     .build()?;
    /// # let service: ServiceSid = demo::SERVICE_SID.parse()?;
    /// # let identity = Identity::new("user-0042-0001")?;
    /// # client.entities(&service).create(&identity)?;
    /// # let totp_code = |seed: &str| -> Result<String, Box<dyn std::error::Error>> {
    /// #     let secret = totp_rs::Secret::try_from_base32(seed)?;
    /// #     Ok(totp_rs::Builder::new().with_secret(secret).build_noncompliant().generate_current().to_string())
    /// # };
    /// # let new = client.factors(&service, &identity).create_totp(&NewTotpFactor::new("alice-phone"))?;
    /// # let seed = new.binding.as_ref().and_then(|b| b.secret.as_ref()).ok_or("no seed")?.expose().to_owned();
    /// # let factor = new.factor.sid.clone();
    /// # client.factors(&service, &identity).verify(&factor, &totp_code(&seed)?)?;
    /// let code = totp_code(&seed)?; // what the user's app shows
    /// let challenge = client.challenges(&service, &identity).create(&NewChallenge::totp(factor, code))?;
    /// if challenge.status == ChallengeStatus::Approved {
    ///     println!("signed in");
    /// }
    /// assert_eq!(challenge.status, ChallengeStatus::Approved);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] for limits broken; API errors
    /// [`crate::ApiErrorReason::FactorUnverified`], [`crate::ApiErrorReason::MaxChallengeAttempts`],
    /// [`crate::ApiErrorReason::RateLimited`]; [`crate::Error::Timeout`] when the outcome is unknown.
    pub fn create(&self, challenge: &NewChallenge) -> Result<Challenge> {
        let form = challenge.form()?;
        self.scope.create(form, CREATE_UNKNOWN)
    }

    /// `GET …/Challenges/{YC}`: poll this for a push answer.
    ///
    /// ```
    /// # use twilio_verify::*;
    /// # use august_sandbox::{Sandbox, verify as demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let client = VerifyClient::builder(Credentials::api_key(demo::API_KEY_SID, demo::API_KEY_SECRET))
    /// #     .base_url(sandbox.verify_url())
    /// #     .build()?;
    /// # let service: ServiceSid = demo::SERVICE_SID.parse()?;
    /// # let identity = Identity::new("user-0042-0001")?;
    /// # client.entities(&service).create(&identity)?;
    /// # let push = NewPushFactor::new("pixel", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE", "com.example.app", NotificationPlatform::None, "1.0")
    /// #     .notification_token("none-token-0123456789abcdef0123456");
    /// # let factor = client.factors(&service, &identity).create_push(&push)?.factor.sid;
    /// # sandbox.verify_push_factor(factor.as_str())?; // what the phone does once enrolled
    /// # let challenge = client.challenges(&service, &identity).create(&NewChallenge::push(factor.clone(), "Sign in?"))?;
    /// # let sid = challenge.sid;
    /// let status = client.challenges(&service, &identity).fetch(&sid)?.status;
    /// assert_eq!(status, ChallengeStatus::Pending);
    /// sandbox.approve_verify_challenge(sid.as_str())?; // the user taps Approve on the phone
    /// assert_eq!(client.challenges(&service, &identity).fetch(&sid)?.status, ChallengeStatus::Approved);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::ApiErrorReason::NotFound`] and the others of [`crate::Error`].
    pub fn fetch(&self, sid: &ChallengeSid) -> Result<Challenge> {
        self.scope.fetch(sid.checked()?)
    }

    /// `GET …/Entities/{identity}/Challenges` with filters, page after page.
    ///
    /// ```
    /// # use twilio_verify::*;
    /// # use august_sandbox::{Sandbox, verify as demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let client = VerifyClient::builder(Credentials::api_key(demo::API_KEY_SID, demo::API_KEY_SECRET))
    /// #     .base_url(sandbox.verify_url())
    /// #     .build()?;
    /// # let service: ServiceSid = demo::SERVICE_SID.parse()?;
    /// # let identity = Identity::new("user-0042-0001")?;
    /// # client.entities(&service).create(&identity)?;
    /// # let push = NewPushFactor::new("pixel", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE", "com.example.app", NotificationPlatform::None, "1.0")
    /// #     .notification_token("none-token-0123456789abcdef0123456");
    /// # let factor = client.factors(&service, &identity).create_push(&push)?.factor.sid;
    /// # sandbox.verify_push_factor(factor.as_str())?; // what the phone does once enrolled
    /// # let challenge = client.challenges(&service, &identity).create(&NewChallenge::push(factor.clone(), "Sign in?"))?;
    /// # let sid = challenge.sid;
    /// let pending = ChallengeFilter::new().status(ChallengeStatus::Pending).newest_first();
    /// for challenge in client.challenges(&service, &identity).list(&pending) {
    ///     println!("{}", challenge?.sid);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Each item is a `Result`; an error ends the iteration.
    pub fn list(&self, filter: &ChallengeFilter) -> Pages<Challenge> {
        let mut query = Vec::new();
        if let Some(sid) = &filter.factor_sid {
            query.push(("FactorSid", sid.as_str().to_owned()));
        }
        if let Some(status) = &filter.status {
            query.push(("Status", status.as_str().to_owned()));
        }
        if filter.newest_first {
            query.push(("Order", "desc".to_owned()));
        }
        if let Some(size) = filter.page_size {
            query.push(("PageSize", size.to_string()));
        }
        self.scope.list_where(&query)
    }

    /// `POST …/Challenges/{YC}` with `AuthPayload` (a TOTP code, or the push signature the
    /// device SDK produced). Sent once, never retried.
    ///
    /// ```
    /// # use twilio_verify::*;
    /// # use august_sandbox::{Sandbox, verify as demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let client = VerifyClient::builder(Credentials::api_key(demo::API_KEY_SID, demo::API_KEY_SECRET))
    /// #     .base_url(sandbox.verify_url())
    /// #     .build()?;
    /// # let service: ServiceSid = demo::SERVICE_SID.parse()?;
    /// # let identity = Identity::new("user-0042-0001")?;
    /// # client.entities(&service).create(&identity)?;
    /// # let push = NewPushFactor::new("pixel", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE", "com.example.app", NotificationPlatform::None, "1.0")
    /// #     .notification_token("none-token-0123456789abcdef0123456");
    /// # let factor = client.factors(&service, &identity).create_push(&push)?.factor.sid;
    /// # sandbox.verify_push_factor(factor.as_str())?; // what the phone does once enrolled
    /// # let challenge = client.challenges(&service, &identity).create(&NewChallenge::push(factor.clone(), "Sign in?"))?;
    /// # let sid = challenge.sid;
    /// // The device answers a push challenge with its signed payload.
    /// let challenge = client.challenges(&service, &identity).update(&sid, "signed-payload")?;
    /// assert_eq!(challenge.status, ChallengeStatus::Approved);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::ApiErrorReason::ChallengeExpired`], [`crate::ApiErrorReason::ChallengeFailed`],
    /// [`crate::ApiErrorReason::ChallengeAlreadyResponded`],
    /// [`crate::ApiErrorReason::MaxChallengeAttempts`]; [`crate::Error::Timeout`] when the outcome
    /// is unknown.
    pub fn update(&self, sid: &ChallengeSid, auth_payload: &str) -> Result<Challenge> {
        self.update_inner(sid, auth_payload, None)
    }

    /// As [`Challenges::update`], with `Metadata` (a JSON object of strings), as the device
    /// SDK sends it.
    ///
    /// ```
    /// # use twilio_verify::*;
    /// # use august_sandbox::{Sandbox, verify as demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let client = VerifyClient::builder(Credentials::api_key(demo::API_KEY_SID, demo::API_KEY_SECRET))
    /// #     .base_url(sandbox.verify_url())
    /// #     .build()?;
    /// # let service: ServiceSid = demo::SERVICE_SID.parse()?;
    /// # let identity = Identity::new("user-0042-0001")?;
    /// # client.entities(&service).create(&identity)?;
    /// # let push = NewPushFactor::new("pixel", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE", "com.example.app", NotificationPlatform::None, "1.0")
    /// #     .notification_token("none-token-0123456789abcdef0123456");
    /// # let factor = client.factors(&service, &identity).create_push(&push)?.factor.sid;
    /// # sandbox.verify_push_factor(factor.as_str())?; // what the phone does once enrolled
    /// # let challenge = client.challenges(&service, &identity).create(&NewChallenge::push(factor.clone(), "Sign in?"))?;
    /// # let sid = challenge.sid;
    /// let metadata = serde_json::json!({"os": "Android"});
    /// let challenge = client.challenges(&service, &identity).update_with_metadata(&sid, "signed-payload", &metadata)?;
    /// assert_eq!(challenge.status, ChallengeStatus::Approved);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Challenges::update`].
    pub fn update_with_metadata(
        &self,
        sid: &ChallengeSid,
        auth_payload: &str,
        metadata: &Value,
    ) -> Result<Challenge> {
        self.update_inner(sid, auth_payload, Some(metadata))
    }

    fn update_inner(
        &self,
        sid: &ChallengeSid,
        auth_payload: &str,
        metadata: Option<&Value>,
    ) -> Result<Challenge> {
        check_len("auth payload", auth_payload, 1, 5456)?;
        let mut form = Form::new();
        form.secret("AuthPayload", auth_payload);
        form.opt("Metadata", metadata.map(Value::to_string));
        self.scope.update(sid.checked()?, form, UPDATE_UNKNOWN)
    }

    /// `POST …/Challenges/{YC}/Notifications`: sends the push again (Twilio keeps trying for
    /// 300 s). Sent once.
    ///
    /// ```
    /// # use twilio_verify::*;
    /// # use august_sandbox::{Sandbox, verify as demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let client = VerifyClient::builder(Credentials::api_key(demo::API_KEY_SID, demo::API_KEY_SECRET))
    /// #     .base_url(sandbox.verify_url())
    /// #     .build()?;
    /// # let service: ServiceSid = demo::SERVICE_SID.parse()?;
    /// # let identity = Identity::new("user-0042-0001")?;
    /// # client.entities(&service).create(&identity)?;
    /// # let push = NewPushFactor::new("pixel", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE", "com.example.app", NotificationPlatform::None, "1.0")
    /// #     .notification_token("none-token-0123456789abcdef0123456");
    /// # let factor = client.factors(&service, &identity).create_push(&push)?.factor.sid;
    /// # sandbox.verify_push_factor(factor.as_str())?; // what the phone does once enrolled
    /// # let challenge = client.challenges(&service, &identity).create(&NewChallenge::push(factor.clone(), "Sign in?"))?;
    /// # let sid = challenge.sid;
    /// let notification = client.challenges(&service, &identity).notify(&sid)?;
    /// println!("{} {:?}", notification.sid, notification.ttl);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// The errors of [`crate::Error`]; [`crate::Error::Timeout`] when the outcome is unknown.
    pub fn notify(&self, sid: &ChallengeSid) -> Result<Notification> {
        self.notify_inner(sid, None)
    }

    /// As [`Challenges::notify`], trying for `ttl` seconds (`Ttl`, 0..=300; 0 is one
    /// immediate attempt).
    ///
    /// ```
    /// # use twilio_verify::*;
    /// # use august_sandbox::{Sandbox, verify as demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let client = VerifyClient::builder(Credentials::api_key(demo::API_KEY_SID, demo::API_KEY_SECRET))
    /// #     .base_url(sandbox.verify_url())
    /// #     .build()?;
    /// # let service: ServiceSid = demo::SERVICE_SID.parse()?;
    /// # let identity = Identity::new("user-0042-0001")?;
    /// # client.entities(&service).create(&identity)?;
    /// # let push = NewPushFactor::new("pixel", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE", "com.example.app", NotificationPlatform::None, "1.0")
    /// #     .notification_token("none-token-0123456789abcdef0123456");
    /// # let factor = client.factors(&service, &identity).create_push(&push)?.factor.sid;
    /// # sandbox.verify_push_factor(factor.as_str())?; // what the phone does once enrolled
    /// # let challenge = client.challenges(&service, &identity).create(&NewChallenge::push(factor.clone(), "Sign in?"))?;
    /// # let sid = challenge.sid;
    /// let notification = client.challenges(&service, &identity).notify_with_ttl(&sid, 60)?;
    /// println!("{} {:?}", notification.sid, notification.ttl);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] for a TTL over 300; as [`Challenges::notify`].
    pub fn notify_with_ttl(&self, sid: &ChallengeSid, ttl: u16) -> Result<Notification> {
        self.notify_inner(sid, Some(ttl))
    }

    fn notify_inner(&self, sid: &ChallengeSid, ttl: Option<u16>) -> Result<Notification> {
        let mut form = Form::new();
        if let Some(ttl) = ttl {
            check_range("ttl", ttl.into(), 0, 300)?;
            form.add("Ttl", ttl.to_string());
        }
        let path = self.scope.item(sid.checked()?)?.lit("Notifications");
        self.scope.send(&Call::post(path, form, NOTIFY_UNKNOWN))
    }
}
