//! Verifications (codes by SMS, call, e-mail, WhatsApp) and their checks (spec §5.2, §5.3).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client::{Call, Collection, Form, VerifyClient};
use crate::client::{Raw, keeps_raw, setters};
use crate::error::{ApiErrorReason, Error, InvalidInput, Result};
use crate::types::{
    Channel, LineType, ServiceSid, VerificationSid, VerificationStatus, check_code, is_e164,
    is_email,
};

/// What to check after a start whose answer was lost.
const START_UNKNOWN: &str = "a code may have been sent and the attempt counts toward the send limit; fetch the verification (or wait for the user) before starting another";
/// What to check after a check whose answer was lost.
const CHECK_UNKNOWN: &str = "the code may have been accepted, and an accepted verification is deleted (a second check answers not found); do not check again, fetch the verification: not found after a lost answer may mean approved";
/// What to check after an update whose answer was lost.
const UPDATE_UNKNOWN: &str = "the status may have changed; fetch the verification";

/// A verification (`verify.v2.service.verification`). [`Verification::raw`] keeps the whole
/// answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Verification {
    /// The SID (`VE…`).
    pub sid: VerificationSid,
    /// The service (`VA…`).
    #[serde(default)]
    pub service_sid: Option<String>,
    /// The account (`AC…`).
    #[serde(default)]
    pub account_sid: Option<String>,
    /// The phone number or e-mail address.
    #[serde(default)]
    pub to: Option<String>,
    /// The channel of the last send.
    #[serde(default)]
    pub channel: Option<Channel>,
    /// The state: judge success by [`VerificationStatus::Approved`] only.
    pub status: VerificationStatus,
    /// Legacy flag; use `status`.
    #[serde(default)]
    pub valid: Option<bool>,
    /// What Twilio's lookup found for the number (`{}` when nothing); `None` when absent,
    /// `null` or of another shape ([`Verification::raw`] keeps it).
    #[serde(default, deserialize_with = "crate::nulls::or_none")]
    pub lookup: Option<VerificationLookup>,
    /// PSD2 amount.
    #[serde(default)]
    pub amount: Option<String>,
    /// PSD2 payee.
    #[serde(default)]
    pub payee: Option<String>,
    /// Silent network auth (channel `sna`): where the device goes; `None` for the other
    /// channels.
    #[serde(default, deserialize_with = "crate::nulls::or_none")]
    pub sna: Option<Sna>,
    /// The sends so far; `None` when absent, `null` or of a shape the model does not read
    /// ([`Verification::raw`] keeps it).
    #[serde(default, deserialize_with = "crate::nulls::or_none")]
    pub send_code_attempts: Option<Vec<SendCodeAttempt>>,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::dates::lenient")]
    pub date_created: Option<DateTime<Utc>>,
    /// Last update time.
    #[serde(default, deserialize_with = "crate::dates::lenient")]
    pub date_updated: Option<DateTime<Utc>>,
    /// The resource URL.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(skip)]
    raw: Raw,
}

keeps_raw!(Verification);

/// What Twilio's lookup found for a verification's number (`lookup`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VerificationLookup {
    /// The carrier, when Twilio looked it up.
    #[serde(default, deserialize_with = "crate::nulls::or_none")]
    pub carrier: Option<VerificationCarrier>,
}

/// The carrier of a verification's number (`lookup.carrier`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VerificationCarrier {
    /// The carrier's name.
    #[serde(default, deserialize_with = "crate::nulls::or_none")]
    pub name: Option<String>,
    /// The line type (`mobile`, `landline`, `voip`...).
    #[serde(default, rename = "type", deserialize_with = "crate::nulls::or_none")]
    pub line_type: Option<LineType>,
    /// Mobile country code.
    #[serde(default, deserialize_with = "crate::nulls::or_none")]
    pub mobile_country_code: Option<String>,
    /// Mobile network code.
    #[serde(default, deserialize_with = "crate::nulls::or_none")]
    pub mobile_network_code: Option<String>,
    /// An error code when the carrier is unknown.
    #[serde(default, deserialize_with = "crate::nulls::or_none")]
    pub error_code: Option<i64>,
}

/// Silent network auth of a verification (`sna`). `Debug` shows its URL without the query,
/// which carries the one-time token the device opens.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Sna {
    /// The URL the device opens over its mobile data connection.
    #[serde(default, deserialize_with = "crate::nulls::or_none")]
    pub url: Option<String>,
}

impl std::fmt::Debug for Sna {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Up to the query or fragment, which is where the one-time token rides; each shown
        // only as present.
        let url = self.url.as_deref().map(|url| {
            let (before, rest) = url.split_at(url.find(['?', '#']).unwrap_or(url.len()));
            let mut shown = before.to_owned();
            if let Some(query) = rest.strip_prefix('?') {
                shown.push_str("?<redacted>");
                if query.contains('#') {
                    shown.push_str("#<redacted>");
                }
            } else if !rest.is_empty() {
                shown.push_str("#<redacted>");
            }
            shown
        });
        f.debug_struct("Sna").field("url", &url).finish()
    }
}

/// One send of a verification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SendCodeAttempt {
    /// When it was sent.
    #[serde(default, deserialize_with = "crate::dates::lenient")]
    pub time: Option<DateTime<Utc>>,
    /// The channel (`SMS`, `whatsapp`: case varies, compared case-insensitively).
    #[serde(default)]
    pub channel: Option<Channel>,
    /// The attempt (`VL…`).
    #[serde(default)]
    pub attempt_sid: Option<String>,
}

/// The answer of a verification check (`verify.v2.service.verification_check`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VerificationCheck {
    /// The verification's SID (`VE…`).
    pub sid: VerificationSid,
    /// The service.
    #[serde(default)]
    pub service_sid: Option<String>,
    /// The account.
    #[serde(default)]
    pub account_sid: Option<String>,
    /// The phone number or e-mail address.
    #[serde(default)]
    pub to: Option<String>,
    /// The channel.
    #[serde(default)]
    pub channel: Option<Channel>,
    /// The state after the check.
    pub status: VerificationStatus,
    /// Legacy flag; use `status`.
    #[serde(default)]
    pub valid: Option<bool>,
    /// PSD2 amount.
    #[serde(default)]
    pub amount: Option<String>,
    /// PSD2 payee.
    #[serde(default)]
    pub payee: Option<String>,
    /// SNA error codes (empty, or `None` when the channel was not `sna`).
    #[serde(default)]
    pub sna_attempts_error_codes: Option<Vec<Value>>,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::dates::lenient")]
    pub date_created: Option<DateTime<Utc>>,
    /// Last update time.
    #[serde(default, deserialize_with = "crate::dates::lenient")]
    pub date_updated: Option<DateTime<Utc>>,
    #[serde(skip)]
    raw: Raw,
}

keeps_raw!(VerificationCheck);

/// What a verification check found (spec §5.3): success is `Approved` only.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub enum CheckOutcome {
    /// The code was right; Twilio has deleted the verification.
    Approved(VerificationCheck),
    /// The code was wrong; attempts remain.
    Pending(VerificationCheck),
    /// Another status (canceled, expired...): not approved.
    NotApproved(VerificationCheck),
    /// 404/20404: no pending verification (never started, expired, already approved, or out
    /// of attempts). After a lost answer this may mean the earlier check succeeded. A 404
    /// without Twilio's 20404 (a page that is not Twilio's answer) is an error instead,
    /// [`ApiErrorReason::NotFound`].
    NotFound,
    /// 429/60202: the fifth wrong code; the verification is spent.
    MaxAttempts,
}

impl CheckOutcome {
    /// Whether the code was accepted.
    pub fn is_approved(&self) -> bool {
        matches!(self, CheckOutcome::Approved(_))
    }
}

/// `RiskCheck` of a verification start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskCheck {
    /// Fraud Guard and geo permissions apply.
    Enable,
    /// Skip them for this verification.
    Disable,
}

/// The parameters of a verification start (`POST …/Verifications`). Unset ones are not sent.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct StartVerification {
    to: String,
    channel: Channel,
    custom_friendly_name: Option<String>,
    send_digits: Option<String>,
    locale: Option<String>,
    custom_code: Option<crate::types::Secret>,
    amount: Option<String>,
    payee: Option<String>,
    rate_limits: BTreeMap<String, String>,
    channel_configuration: Option<Value>,
    app_hash: Option<String>,
    template_sid: Option<String>,
    template_custom_substitutions: Option<Value>,
    device_ip: Option<String>,
    enable_sna_client_token: Option<bool>,
    risk_check: Option<RiskCheck>,
    tags: BTreeMap<String, String>,
}

impl StartVerification {
    /// A start to `to` (E.164 phone number, or an e-mail address for [`Channel::Email`]) by
    /// `channel`.
    pub fn new(to: impl Into<String>, channel: Channel) -> Self {
        StartVerification {
            to: to.into(),
            channel,
            custom_friendly_name: None,
            send_digits: None,
            locale: None,
            custom_code: None,
            amount: None,
            payee: None,
            rate_limits: BTreeMap::new(),
            channel_configuration: None,
            app_hash: None,
            template_sid: None,
            template_custom_substitutions: None,
            device_ip: None,
            enable_sna_client_token: None,
            risk_check: None,
            tags: BTreeMap::new(),
        }
    }

    setters! {
        /// `CustomFriendlyName`: overrides the service name in the message.
        custom_friendly_name: impl Into<String>,
        /// `SendDigits`: DTMF sent when a call is answered.
        send_digits: impl Into<String>,
        /// `Locale` (`en`, `es`, `pt-BR`...).
        locale: impl Into<String>,
    }

    /// `CustomCode` (4..=10 characters; needs `CustomCodeEnabled`). A secret: never logged.
    pub fn custom_code(mut self, code: impl Into<String>) -> Self {
        self.custom_code = Some(crate::types::Secret::new(code));
        self
    }

    setters! {
        /// `Amount` (PSD2).
        amount: impl Into<String>,
        /// `Payee` (PSD2).
        payee: impl Into<String>,
    }

    /// Adds one entry of `RateLimits` (a rate limit's unique name and this request's value).
    pub fn rate_limit(mut self, unique_name: impl Into<String>, value: impl Into<String>) -> Self {
        self.rate_limits.insert(unique_name.into(), value.into());
        self
    }

    setters! {
        /// `ChannelConfiguration` (e-mail: `from`, `from_name`, template data...).
        channel_configuration: Value,
        /// `AppHash` (Android SMS Retriever).
        app_hash: impl Into<String>,
        /// `TemplateSid` (`HJ…`).
        template_sid: impl Into<String>,
        /// `TemplateCustomSubstitutions`.
        template_custom_substitutions: Value,
        /// `DeviceIp` (encouraged with [`Channel::Auto`]).
        device_ip: impl Into<String>,
        /// `EnableSnaClientToken`.
        enable_sna_client_token: bool,
        /// `RiskCheck`.
        risk_check: RiskCheck,
    }

    /// Adds one of `Tags` (at most 10; no personal data).
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.insert(key.into(), value.into());
        self
    }

    fn form(&self) -> Result<Form> {
        check_to(&self.to, Some(&self.channel))?;
        if self.tags.len() > 10 {
            return Err(InvalidInput::TooLong {
                field: "tags",
                max: 10,
                length: self.tags.len(),
            }
            .into());
        }
        let mut f = Form::new();
        f.add("To", self.to.as_str());
        f.add("Channel", self.channel.as_str());
        f.opt("CustomFriendlyName", self.custom_friendly_name.as_ref());
        f.opt("SendDigits", self.send_digits.as_ref());
        f.opt("Locale", self.locale.as_ref());
        if let Some(code) = &self.custom_code {
            check_code(code.expose(), 4, 10)?;
            f.secret("CustomCode", code.expose());
        }
        f.opt("Amount", self.amount.as_ref());
        f.opt("Payee", self.payee.as_ref());
        if !self.rate_limits.is_empty() {
            f.add("RateLimits", json(&self.rate_limits));
        }
        f.opt(
            "ChannelConfiguration",
            self.channel_configuration.as_ref().map(Value::to_string),
        );
        f.opt("AppHash", self.app_hash.as_ref());
        f.opt("TemplateSid", self.template_sid.as_ref());
        f.opt(
            "TemplateCustomSubstitutions",
            self.template_custom_substitutions
                .as_ref()
                .map(Value::to_string),
        );
        f.opt("DeviceIp", self.device_ip.as_ref());
        f.opt("EnableSnaClientToken", self.enable_sna_client_token);
        f.opt(
            "RiskCheck",
            self.risk_check.map(|r| match r {
                RiskCheck::Enable => "enable",
                RiskCheck::Disable => "disable",
            }),
        );
        if !self.tags.is_empty() {
            f.add("Tags", json(&self.tags));
        }
        Ok(f)
    }
}

fn json(map: &BTreeMap<String, String>) -> String {
    serde_json::to_string(map).unwrap_or_default()
}

/// `To` must be E.164 for phone channels and an e-mail address for e-mail.
fn check_to(to: &str, channel: Option<&Channel>) -> Result<(), InvalidInput> {
    let ok = match channel {
        Some(Channel::Email) => is_email(to),
        Some(Channel::Unknown(_)) | None => is_e164(to) || is_email(to),
        Some(_) => is_e164(to),
    };
    if ok {
        Ok(())
    } else if matches!(channel, Some(Channel::Email)) {
        Err(InvalidInput::To)
    } else {
        Err(InvalidInput::PhoneNumber)
    }
}

/// How a check names its verification: `To` or `VerificationSid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckTarget {
    /// The phone number or e-mail address the code was sent to.
    To(String),
    /// The verification's SID.
    Sid(VerificationSid),
}

/// The parameters of a verification check (`POST …/VerificationCheck`). Unset ones are not
/// sent.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct CheckVerification {
    target: CheckTarget,
    code: Option<crate::types::Secret>,
    amount: Option<String>,
    payee: Option<String>,
    sna_client_token: Option<crate::types::Secret>,
}

impl CheckVerification {
    /// A check of the verification `target` names. It needs a [`CheckVerification::code`],
    /// or a [`CheckVerification::sna_client_token`] for a silent network authentication.
    pub fn new(target: CheckTarget) -> Self {
        CheckVerification {
            target,
            code: None,
            amount: None,
            payee: None,
            sna_client_token: None,
        }
    }

    /// `Code`: the code the user typed in (4..=10 letters or digits). A secret: never logged.
    pub fn code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(crate::types::Secret::new(code));
        self
    }

    setters! {
        /// `Amount` (PSD2): must match the verification's.
        amount: impl Into<String>,
        /// `Payee` (PSD2): must match the verification's.
        payee: impl Into<String>,
    }

    /// `SnaClientToken`: the token a silent network authentication (`sna`) gave the device;
    /// a check with it needs no code. A secret: never logged.
    pub fn sna_client_token(mut self, token: impl Into<String>) -> Self {
        self.sna_client_token = Some(crate::types::Secret::new(token));
        self
    }

    fn form(&self) -> Result<Form> {
        let mut f = Form::new();
        match &self.target {
            CheckTarget::To(to) => {
                check_to(to, None)?;
                f.add("To", to.as_str());
            }
            CheckTarget::Sid(sid) => f.add("VerificationSid", sid.checked()?),
        }
        match (&self.code, &self.sna_client_token) {
            (Some(code), _) => {
                check_code(code.expose(), 4, 10)?;
                f.secret("Code", code.expose());
            }
            (None, Some(_)) => {}
            (None, None) => return Err(InvalidInput::Empty { field: "code" }.into()),
        }
        f.opt("Amount", self.amount.as_ref());
        f.opt("Payee", self.payee.as_ref());
        if let Some(token) = &self.sna_client_token {
            if token.expose().is_empty() {
                return Err(InvalidInput::Empty {
                    field: "sna client token",
                }
                .into());
            }
            f.secret("SnaClientToken", token.expose());
        }
        Ok(f)
    }
}

/// The Verifications calls of a service (`client.verifications(&service)`).
#[derive(Debug, Clone, Copy)]
pub struct Verifications<'a> {
    verifications: Collection<'a>,
    /// `VerificationCheck`, a collection of its own: checks are posted there, never read.
    checks: Collection<'a>,
}

impl<'a> Verifications<'a> {
    pub(crate) fn new(client: &'a VerifyClient, service: &'a ServiceSid) -> Self {
        Verifications {
            verifications: Collection::of_service(client, service, "Verifications"),
            checks: Collection::of_service(client, service, "VerificationCheck"),
        }
    }

    /// `POST /v2/Services/{VA}/Verifications` with `To` and `Channel`: sends a code. Sent
    /// once, never retried.
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
    /// let verification = client.verifications(&service).start("+15555550100", Channel::Sms)?;
    /// assert_eq!(verification.status, VerificationStatus::Pending);
    /// println!("sent {} to {:?}", verification.sid, verification.to);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a `to` that is not E.164 (or an e-mail address for
    /// e-mail); API errors [`ApiErrorReason::InvalidParameter`], [`ApiErrorReason::MaxSendAttempts`]
    /// (60203, and 60202, which Twilio has been seen to answer here too),
    /// [`ApiErrorReason::TooManyConcurrent`], [`ApiErrorReason::Landline`], [`ApiErrorReason::Blocked`],
    /// [`ApiErrorReason::RateLimited`]; [`Error::Timeout`] when the outcome is unknown.
    pub fn start(&self, to: &str, channel: Channel) -> Result<Verification> {
        self.start_with(&StartVerification::new(to, channel))
    }

    /// `POST /v2/Services/{VA}/Verifications` with every option. Sent once.
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
    /// let start = StartVerification::new("+15555550100", Channel::Sms).locale("es");
    /// let verification = client.verifications(&service).start_with(&start)?;
    /// assert_eq!(verification.channel, Some(Channel::Sms));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Verifications::start`].
    pub fn start_with(&self, start: &StartVerification) -> Result<Verification> {
        let form = start.form()?;
        let call = Call::post(self.verifications.path()?, form, START_UNKNOWN).verification_start();
        self.verifications.send(&call)
    }

    /// `GET /v2/Services/{VA}/Verifications/{VE}`. An approved, expired or spent verification
    /// answers 404 ([`ApiErrorReason::NotFound`]).
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
    /// # let sid = client.verifications(&service).start("+15555550100", Channel::Sms)?.sid;
    /// let verification = client.verifications(&service).fetch(&sid)?;
    /// assert_eq!(verification.status, VerificationStatus::Pending);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ApiErrorReason::NotFound`], [`ApiErrorReason::RateLimited`] and the others of [`Error`].
    pub fn fetch(&self, sid: &VerificationSid) -> Result<Verification> {
        self.verifications.fetch(sid.checked()?)
    }

    fn update(&self, sid: &VerificationSid, status: &str) -> Result<Verification> {
        let mut form = Form::new();
        form.add("Status", status);
        self.verifications
            .update(sid.checked()?, form, UPDATE_UNKNOWN)
    }

    /// `POST …/Verifications/{VE}` `Status=canceled`: frees the number from the send limit.
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
    /// # let sid = client.verifications(&service).start("+15555550100", Channel::Sms)?.sid;
    /// let verification = client.verifications(&service).cancel(&sid)?;
    /// assert_eq!(verification.status, VerificationStatus::Canceled);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ApiErrorReason::NotFound`] when it is no longer pending, and the others of [`Error`].
    pub fn cancel(&self, sid: &VerificationSid) -> Result<Verification> {
        self.update(sid, "canceled")
    }

    /// `POST …/Verifications/{VE}` `Status=approved` (custom-code flows).
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
    /// # let sid = client.verifications(&service).start("+15555550100", Channel::Sms)?.sid;
    /// // The user proved the number another way (a support call, say).
    /// let verification = client.verifications(&service).approve(&sid)?;
    /// assert_eq!(verification.status, VerificationStatus::Approved);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Verifications::cancel`].
    pub fn approve(&self, sid: &VerificationSid) -> Result<Verification> {
        self.update(sid, "approved")
    }

    /// `POST /v2/Services/{VA}/VerificationCheck` with `To` and `Code`. Sent once, never
    /// retried: a retried check after a lost success answers "not found".
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
    /// client.verifications(&service).start("+15555550100", Channel::Sms)?;
    /// let code = sandbox.verify_code("+15555550100").ok_or("no code")?; // the user types it in
    /// match client.verifications(&service).check_to("+15555550100", &code)? {
    ///     CheckOutcome::Approved(_) => println!("approved"),
    ///     CheckOutcome::Pending(_) => println!("wrong code, try again"),
    ///     CheckOutcome::NotFound => println!("no pending verification: start again"),
    ///     other => println!("{other:?}"),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a code that is not 4 to 10 letters or digits; API errors
    /// other than 20404 and 60202 (those are outcomes), a 404 without Twilio's code among them
    /// ([`ApiErrorReason::NotFound`]); [`Error::Timeout`] when the outcome is unknown.
    pub fn check_to(&self, to: &str, code: &str) -> Result<CheckOutcome> {
        self.check(&CheckTarget::To(to.to_owned()), code)
    }

    /// `POST …/VerificationCheck` with `VerificationSid` and `Code`. Sent once.
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
    /// let sid = client.verifications(&service).start("+15555550100", Channel::Sms)?.sid;
    /// let code = sandbox.verify_code("+15555550100").ok_or("no code")?;
    /// assert!(client.verifications(&service).check_sid(&sid, &code)?.is_approved());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Verifications::check_to`].
    pub fn check_sid(&self, sid: &VerificationSid, code: &str) -> Result<CheckOutcome> {
        self.check(&CheckTarget::Sid(sid.clone()), code)
    }

    /// `POST …/VerificationCheck` for a target. Sent once.
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
    /// client.verifications(&service).start("user@example.com", Channel::Email)?;
    /// let code = sandbox.verify_code("user@example.com").ok_or("no code")?;
    /// let target = CheckTarget::To("user@example.com".into());
    /// assert!(client.verifications(&service).check(&target, &code)?.is_approved());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Verifications::check_to`].
    pub fn check(&self, target: &CheckTarget, code: &str) -> Result<CheckOutcome> {
        self.check_with(&CheckVerification::new(target.clone()).code(code))
    }

    /// `POST …/VerificationCheck` with every option: `Code`, or `SnaClientToken` for a silent
    /// network authentication, and the PSD2 `Amount` and `Payee`. Sent once, never retried.
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
    /// let start = StartVerification::new("+15555550100", Channel::Sms).amount("12.50").payee("ACME");
    /// let sid = client.verifications(&service).start_with(&start)?.sid;
    /// let code = sandbox.verify_code("+15555550100").ok_or("no code")?;
    /// let check = CheckVerification::new(CheckTarget::Sid(sid)).code(code).payee("ACME");
    /// // The right code for another amount is not approved; for the amount started with, it is.
    /// let other = check.clone().amount("99.00");
    /// assert!(!client.verifications(&service).check_with(&other)?.is_approved());
    /// assert!(client.verifications(&service).check_with(&check.amount("12.50"))?.is_approved());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a code that is not 4 to 10 letters or digits, or for a
    /// check with neither a code nor an SNA client token ([`InvalidInput::Empty`], `code`);
    /// otherwise as [`Verifications::check_to`].
    pub fn check_with(&self, check: &CheckVerification) -> Result<CheckOutcome> {
        let form = check.form()?;
        let call = Call::post(self.checks.path()?, form, CHECK_UNKNOWN).verification_check();
        match self.checks.send::<VerificationCheck>(&call) {
            Ok(check) => Ok(match check.status {
                VerificationStatus::Approved => CheckOutcome::Approved(check),
                VerificationStatus::Pending => CheckOutcome::Pending(check),
                _ => CheckOutcome::NotApproved(check),
            }),
            Err(Error::Api(e)) if e.reason() == ApiErrorReason::NoPendingVerification => {
                Ok(CheckOutcome::NotFound)
            }
            Err(Error::Api(e)) if e.reason() == ApiErrorReason::MaxCheckAttempts => {
                Ok(CheckOutcome::MaxAttempts)
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_rules() {
        assert!(check_to("+15555550100", Some(&Channel::Sms)).is_ok());
        assert_eq!(
            check_to("5555550100", Some(&Channel::Sms)),
            Err(InvalidInput::PhoneNumber)
        );
        assert!(check_to("a@example.com", Some(&Channel::Email)).is_ok());
        assert_eq!(
            check_to("+15555550100", Some(&Channel::Email)),
            Err(InvalidInput::To)
        );
        assert!(check_to("a@example.com", None).is_ok());
    }

    #[test]
    fn start_form_uses_the_wire_names() {
        let start = StartVerification::new("+15555550100", Channel::Sms)
            .locale("es")
            .custom_code("12345")
            .rate_limit("end_user_ip_address", "203.0.113.7")
            .risk_check(RiskCheck::Disable)
            .tag("flow", "login");
        let form = start.form().unwrap();
        let names: Vec<&str> = form_names(&form);
        assert_eq!(
            names,
            [
                "To",
                "Channel",
                "Locale",
                "CustomCode",
                "RateLimits",
                "RiskCheck",
                "Tags"
            ]
        );
    }

    fn verification(extra: Value) -> Verification {
        let mut answer = serde_json::json!({
            "sid": "VE00000000000000000000000000000001", "status": "pending",
        });
        answer
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        serde_json::from_value(answer).expect("lookup and sna never fail a verification")
    }

    #[test]
    fn sna_debug_hides_the_url_query() {
        let sna = |url: Option<&str>| Sna {
            url: url.map(str::to_owned),
        };
        assert_eq!(
            format!(
                "{:?}",
                sna(Some("https://mi.dnlsrv.com/m/id/ANBByzx7?data=AAA"))
            ),
            r#"Sna { url: Some("https://mi.dnlsrv.com/m/id/ANBByzx7?<redacted>") }"#
        );
        assert_eq!(
            format!("{:?}", sna(Some("https://mi.dnlsrv.com/m/id/ANBByzx7"))),
            r#"Sna { url: Some("https://mi.dnlsrv.com/m/id/ANBByzx7") }"#
        );
        assert_eq!(
            format!("{:?}", sna(Some("https://h/p#frag?x"))),
            r#"Sna { url: Some("https://h/p#<redacted>") }"#
        );
        assert_eq!(
            format!("{:?}", sna(Some("https://h/p?data=AAA#frag"))),
            r#"Sna { url: Some("https://h/p?<redacted>#<redacted>") }"#
        );
        assert_eq!(format!("{:?}", sna(None)), "Sna { url: None }");
    }

    #[test]
    fn lookup_and_sna_are_typed() {
        let v = verification(serde_json::json!({
            "lookup": {"carrier": {"mobile_country_code": "310", "type": "mobile",
                "error_code": null, "mobile_network_code": "150", "name": "Carrier Inc."}},
            "sna": {"url": "https://mi.dnlsrv.com/m/id/ANBByzx7?data=AAA"},
        }));
        let carrier = v.lookup.unwrap().carrier.unwrap();
        assert_eq!(carrier.name.as_deref(), Some("Carrier Inc."));
        assert_eq!(carrier.line_type, Some(LineType::Mobile));
        assert_eq!(carrier.mobile_country_code.as_deref(), Some("310"));
        assert_eq!(carrier.mobile_network_code.as_deref(), Some("150"));
        assert_eq!(carrier.error_code, None);
        assert_eq!(
            v.sna.unwrap().url.as_deref(),
            Some("https://mi.dnlsrv.com/m/id/ANBByzx7?data=AAA")
        );

        let v = verification(serde_json::json!({"lookup": {}, "sna": null}));
        assert_eq!(v.lookup, Some(VerificationLookup::default()));
        assert_eq!(v.sna, None);

        // A shape the model does not read is absent, never a failed answer; raw() keeps it.
        let v = verification(serde_json::json!({
            "lookup": {"carrier": {"error_code": "60600", "mobile_country_code": 310}},
            "sna": "https://example.com",
        }));
        let carrier = v.lookup.unwrap().carrier.unwrap();
        assert_eq!(
            (carrier.error_code, carrier.mobile_country_code),
            (None, None)
        );
        assert_eq!(v.sna, None);
        let v = verification(serde_json::json!({"lookup": "none", "sna": {"url": 7}}));
        assert_eq!(v.lookup, None);
        assert_eq!(v.sna.unwrap().url, None);
    }

    fn form_names(form: &Form) -> Vec<&str> {
        form.names()
    }
}
