//! Services: the successors of Authy applications (spec §5.1).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::client::{Form, Pages, VerifyClient, service_path};
use crate::client::{Raw, keeps_raw, setters};
use crate::error::Result;
use crate::types::{CredentialSid, MessagingServiceSid, ServiceSid, check_len, check_range};
use api_transport::Path;

/// What to check after a service creation whose answer was lost, or a server error.
const CREATE_UNKNOWN: &str = "the service may have been created; list the services to see whether it was before creating it again";
/// What to check after a service update whose answer was lost, or a server error.
const UPDATE_UNKNOWN: &str = "the change may have been made; fetch the service to see whether it was before sending it again";

/// A Verify Service (`verify.v2.service`). Fields Twilio may leave out or send as `null` are
/// `None`; [`Service::raw`] keeps the whole answer (passkeys settings...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Service {
    /// The SID (`VA…`): every other call needs it.
    pub sid: ServiceSid,
    /// The account (`AC…`).
    #[serde(default)]
    pub account_sid: Option<String>,
    /// The name shown in messages.
    #[serde(default)]
    pub friendly_name: Option<String>,
    /// Length of the codes sent (4..=10).
    #[serde(default)]
    pub code_length: Option<u8>,
    /// Whether a lookup runs on each verification.
    #[serde(default)]
    pub lookup_enabled: Option<bool>,
    /// Whether PSD2 parameters are passed.
    #[serde(default)]
    pub psd2_enabled: Option<bool>,
    /// Whether SMS to landlines is skipped.
    #[serde(default)]
    pub skip_sms_to_landlines: Option<bool>,
    /// Whether a key must be pressed before a call reads the code.
    #[serde(default)]
    pub dtmf_input_required: Option<bool>,
    /// The alternative text-to-speech name.
    #[serde(default)]
    pub tts_name: Option<String>,
    /// Whether SMS carry a do-not-share warning.
    #[serde(default)]
    pub do_not_share_warning_enabled: Option<bool>,
    /// Whether custom codes are allowed.
    #[serde(default)]
    pub custom_code_enabled: Option<bool>,
    /// Push settings.
    #[serde(default)]
    pub push: Option<ServicePush>,
    /// TOTP settings.
    #[serde(default)]
    pub totp: Option<ServiceTotp>,
    /// WhatsApp sender settings.
    #[serde(default)]
    pub whatsapp: Option<ServiceWhatsapp>,
    /// The default template (`HJ…`).
    #[serde(default)]
    pub default_template_sid: Option<String>,
    /// Whether the service's events are sent to Event Streams subscriptions.
    #[serde(default)]
    pub verify_event_subscription_enabled: Option<bool>,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::dates::lenient")]
    pub date_created: Option<DateTime<Utc>>,
    /// Last update time.
    #[serde(default, deserialize_with = "crate::dates::lenient")]
    pub date_updated: Option<DateTime<Utc>>,
    /// The resource URL.
    #[serde(default)]
    pub url: Option<String>,
    /// The URLs of the service's collections.
    #[serde(default)]
    pub links: Option<ServiceLinks>,
    #[serde(skip)]
    raw: Raw,
}

keeps_raw!(Service);

/// A service's push settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServicePush {
    /// Whether push notifications carry the date (deprecated).
    #[serde(default)]
    pub include_date: Option<bool>,
    /// The APNs credential (`CR…`).
    #[serde(default)]
    pub apn_credential_sid: Option<String>,
    /// The FCM credential (`CR…`).
    #[serde(default)]
    pub fcm_credential_sid: Option<String>,
}

/// A service's WhatsApp sender settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServiceWhatsapp {
    /// The Messaging Service that sends (`MG…`).
    #[serde(default)]
    pub msg_service_sid: Option<String>,
    /// The sender (`whatsapp:+15555550199`).
    #[serde(default)]
    pub from: Option<String>,
}

/// The URLs of a service's collections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServiceLinks {
    /// `…/VerificationCheck`.
    #[serde(default)]
    pub verification_checks: Option<String>,
    /// `…/Verifications`.
    #[serde(default)]
    pub verifications: Option<String>,
    /// `…/RateLimits`.
    #[serde(default)]
    pub rate_limits: Option<String>,
    /// `…/MessagingConfigurations`.
    #[serde(default)]
    pub messaging_configurations: Option<String>,
    /// `…/Entities`.
    #[serde(default)]
    pub entities: Option<String>,
    /// `…/Webhooks`.
    #[serde(default)]
    pub webhooks: Option<String>,
    /// `…/AccessTokens`.
    #[serde(default)]
    pub access_tokens: Option<String>,
}

/// A service's TOTP settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServiceTotp {
    /// The issuer shown by authenticator apps.
    #[serde(default)]
    pub issuer: Option<String>,
    /// Seconds per code (20..=60).
    #[serde(default)]
    pub time_step: Option<u32>,
    /// Digits per code (3..=8).
    #[serde(default)]
    pub code_length: Option<u32>,
    /// Time steps accepted either side (0..=2).
    #[serde(default)]
    pub skew: Option<u32>,
}

/// The settings of a service, for create and update; unset ones are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct ServiceOptions {
    friendly_name: Option<String>,
    code_length: Option<u8>,
    lookup_enabled: Option<bool>,
    skip_sms_to_landlines: Option<bool>,
    dtmf_input_required: Option<bool>,
    tts_name: Option<String>,
    psd2_enabled: Option<bool>,
    do_not_share_warning_enabled: Option<bool>,
    custom_code_enabled: Option<bool>,
    push_include_date: Option<bool>,
    push_apn_credential_sid: Option<CredentialSid>,
    push_fcm_credential_sid: Option<CredentialSid>,
    totp_issuer: Option<String>,
    totp_time_step: Option<u8>,
    totp_code_length: Option<u8>,
    totp_skew: Option<u8>,
    default_template_sid: Option<String>,
    whatsapp_msg_service_sid: Option<MessagingServiceSid>,
    whatsapp_from: Option<String>,
}

impl ServiceOptions {
    /// No settings.
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        /// `FriendlyName`: shown in messages; at most 30 characters.
        friendly_name: impl Into<String>,
        /// `CodeLength`: 4..=10.
        code_length: u8,
        /// `LookupEnabled`.
        lookup_enabled: bool,
        /// `SkipSmsToLandlines` (needs `LookupEnabled`).
        skip_sms_to_landlines: bool,
        /// `DtmfInputRequired`.
        dtmf_input_required: bool,
        /// `TtsName`.
        tts_name: impl Into<String>,
        /// `Psd2Enabled`.
        psd2_enabled: bool,
        /// `DoNotShareWarningEnabled`.
        do_not_share_warning_enabled: bool,
        /// `CustomCodeEnabled`.
        custom_code_enabled: bool,
        /// `Push.IncludeDate` (deprecated by Twilio).
        push_include_date: bool,
        /// `Push.ApnCredentialSid` (`CR…`): the APNs credential push notifications use.
        push_apn_credential_sid: CredentialSid,
        /// `Push.FcmCredentialSid` (`CR…`): the FCM credential push notifications use.
        push_fcm_credential_sid: CredentialSid,
        /// `Totp.Issuer`.
        totp_issuer: impl Into<String>,
        /// `Totp.TimeStep`: 20..=60.
        totp_time_step: u8,
        /// `Totp.CodeLength`: 3..=8.
        totp_code_length: u8,
        /// `Totp.Skew`: 0..=2.
        totp_skew: u8,
        /// `DefaultTemplateSid` (`HJ…`).
        default_template_sid: impl Into<String>,
        /// `Whatsapp.MsgServiceSid` (`MG…`): the Messaging Service that sends WhatsApp codes.
        whatsapp_msg_service_sid: MessagingServiceSid,
        /// `Whatsapp.From`: the WhatsApp sender (`whatsapp:+15555550199`).
        whatsapp_from: impl Into<String>,
    }

    fn form(&self) -> Result<Form> {
        if let Some(name) = &self.friendly_name {
            check_len("friendly name", name, 1, 30)?;
        }
        if let Some(v) = self.code_length {
            check_range("code length", v.into(), 4, 10)?;
        }
        if let Some(v) = self.totp_time_step {
            check_range("totp time step", v.into(), 20, 60)?;
        }
        if let Some(v) = self.totp_code_length {
            check_range("totp code length", v.into(), 3, 8)?;
        }
        if let Some(v) = self.totp_skew {
            check_range("totp skew", v.into(), 0, 2)?;
        }
        let mut f = Form::new();
        f.opt("FriendlyName", self.friendly_name.as_ref());
        f.opt("CodeLength", self.code_length);
        f.opt("LookupEnabled", self.lookup_enabled);
        f.opt("SkipSmsToLandlines", self.skip_sms_to_landlines);
        f.opt("DtmfInputRequired", self.dtmf_input_required);
        f.opt("TtsName", self.tts_name.as_ref());
        f.opt("Psd2Enabled", self.psd2_enabled);
        f.opt(
            "DoNotShareWarningEnabled",
            self.do_not_share_warning_enabled,
        );
        f.opt("CustomCodeEnabled", self.custom_code_enabled);
        f.opt("Push.IncludeDate", self.push_include_date);
        f.opt(
            "Push.ApnCredentialSid",
            self.push_apn_credential_sid
                .as_ref()
                .map(CredentialSid::checked)
                .transpose()?,
        );
        f.opt(
            "Push.FcmCredentialSid",
            self.push_fcm_credential_sid
                .as_ref()
                .map(CredentialSid::checked)
                .transpose()?,
        );
        f.opt("Totp.Issuer", self.totp_issuer.as_ref());
        f.opt("Totp.TimeStep", self.totp_time_step);
        f.opt("Totp.CodeLength", self.totp_code_length);
        f.opt("Totp.Skew", self.totp_skew);
        f.opt("DefaultTemplateSid", self.default_template_sid.as_ref());
        f.opt(
            "Whatsapp.MsgServiceSid",
            self.whatsapp_msg_service_sid
                .as_ref()
                .map(MessagingServiceSid::checked)
                .transpose()?,
        );
        f.opt("Whatsapp.From", self.whatsapp_from.as_ref());
        Ok(f)
    }
}

/// The Services calls (`client.services()`).
#[derive(Debug, Clone, Copy)]
pub struct Services<'a> {
    client: &'a VerifyClient,
}

fn root() -> Path {
    Path::new().lit("v2/Services")
}

impl<'a> Services<'a> {
    pub(crate) fn new(client: &'a VerifyClient) -> Self {
        Services { client }
    }

    /// `POST /v2/Services`: creates a service named `friendly_name` (at most 30 characters).
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
    /// let created = client.services().create("Example App", &ServiceOptions::new().code_length(6))?;
    /// assert_eq!(created.friendly_name.as_deref(), Some("Example App"));
    /// println!("{}", created.sid);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] for a name or setting out of range; API errors as
    /// [`crate::ApiErrorReason::InvalidParameter`] and the others of [`crate::Error`].
    pub fn create(&self, friendly_name: &str, options: &ServiceOptions) -> Result<Service> {
        let options = options.clone().friendly_name(friendly_name);
        let form = options.form()?;
        self.client.post(root(), form, CREATE_UNKNOWN)
    }

    /// `GET /v2/Services/{VA}`.
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
    /// let fetched = client.services().fetch(&service)?;
    /// println!("{:?} {:?}", fetched.friendly_name, fetched.code_length);
    /// assert_eq!(fetched.code_length, Some(6));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::ApiErrorReason::NotFound`] for an unknown SID, and the others of [`crate::Error`].
    pub fn fetch(&self, sid: &ServiceSid) -> Result<Service> {
        self.client.get(service_path(sid)?)
    }

    /// `GET /v2/Services`, page after page.
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
    /// for service in client.services().list() {
    ///     let service = service?;
    ///     println!("{} {:?}", service.sid, service.friendly_name);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Each item is a `Result`; an error ends the iteration.
    pub fn list(&self) -> Pages<Service> {
        self.client.list(root(), &[])
    }

    /// `POST /v2/Services/{VA}`: changes the settings given.
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
    /// let updated = client.services().update(&service, &ServiceOptions::new().code_length(8))?;
    /// assert_eq!(updated.code_length, Some(8));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Services::create`].
    pub fn update(&self, sid: &ServiceSid, options: &ServiceOptions) -> Result<Service> {
        let form = options.form()?;
        self.client.post(service_path(sid)?, form, UPDATE_UNKNOWN)
    }

    /// `DELETE /v2/Services/{VA}` (204).
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
    /// client.services().delete(&service)?;
    /// assert!(client.services().fetch(&service).is_err());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::ApiErrorReason::NotFound`] for an unknown SID, and the others of [`crate::Error`].
    pub fn delete(&self, sid: &ServiceSid) -> Result<()> {
        self.client.remove(service_path(sid)?)
    }
}
