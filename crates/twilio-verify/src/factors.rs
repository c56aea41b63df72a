//! Factors: TOTP authenticator apps and push devices of an entity (spec §5.5).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client::{Collection, Form, Pages, VerifyClient};
use crate::client::{Raw, keeps_raw, setters};
use crate::error::{InvalidInput, Result};
use crate::types::{
    FactorSid, FactorStatus, FactorType, Identity, NotificationPlatform, Secret, ServiceSid,
    TotpAlgorithm, check_code, check_len, check_range,
};

/// What to check after a factor creation whose answer was lost, or a server error.
const CREATE_UNKNOWN: &str = "the factor may have been created (a TOTP factor's secret is given only once); list the entity's factors, and delete an unverified one, before creating another";
/// What to check after a factor verification whose answer was lost.
const VERIFY_UNKNOWN: &str = "the code may have been accepted or spent one of five attempts; fetch the factor and look at its status";
/// What to check after a factor update whose answer was lost, or a server error.
const UPDATE_UNKNOWN: &str =
    "the change may have been made; fetch the factor to see whether it was before sending it again";

/// Checks a `Config.NotificationToken`: 32 to 255 characters, as Twilio documents it at
/// creation and update.
fn check_notification_token(token: &str) -> Result<()> {
    check_len("notification token", token, 32, 255)?;
    Ok(())
}

/// A factor (`verify.v2.service.entity.factor`). [`Factor::raw`] keeps the whole answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Factor {
    /// The SID (`YF…`).
    pub sid: FactorSid,
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
    /// Creation time.
    #[serde(default, deserialize_with = "crate::dates::lenient")]
    pub date_created: Option<DateTime<Utc>>,
    /// Last update time.
    #[serde(default, deserialize_with = "crate::dates::lenient")]
    pub date_updated: Option<DateTime<Utc>>,
    /// The name (for TOTP, the account name in the key URI).
    #[serde(default)]
    pub friendly_name: Option<String>,
    /// Whether it was verified: only a verified factor can be challenged.
    pub status: FactorStatus,
    /// TOTP or push.
    pub factor_type: FactorType,
    /// Its configuration; a setting of a shape the model does not read is `None` there
    /// ([`Factor::raw`] keeps it), never a failed answer (a TOTP binding is given only once).
    #[serde(default, deserialize_with = "crate::nulls::or_none")]
    pub config: Option<FactorConfig>,
    /// Metadata set by the push SDK.
    #[serde(default)]
    pub metadata: Option<Value>,
    /// The resource URL.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(skip)]
    raw: Raw,
}

keeps_raw!(Factor);

/// A factor's configuration: TOTP (`alg`, `skew`, `code_length`, `time_step`) or push
/// (`sdk_version`, `app_id`, `notification_platform`, `notification_token`).
/// Each is `None` when absent, `null` or of a shape the model does not read (`"skew": "1"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FactorConfig {
    /// TOTP algorithm.
    #[serde(default, deserialize_with = "crate::nulls::or_none")]
    pub alg: Option<TotpAlgorithm>,
    /// TOTP steps accepted either side.
    #[serde(default, deserialize_with = "crate::nulls::or_none")]
    pub skew: Option<u32>,
    /// TOTP digits.
    #[serde(default, deserialize_with = "crate::nulls::or_none")]
    pub code_length: Option<u32>,
    /// TOTP seconds per code.
    #[serde(default, deserialize_with = "crate::nulls::or_none")]
    pub time_step: Option<u32>,
    /// Push SDK version.
    #[serde(default, deserialize_with = "crate::nulls::or_none")]
    pub sdk_version: Option<String>,
    /// Push app id.
    #[serde(default, deserialize_with = "crate::nulls::or_none")]
    pub app_id: Option<String>,
    /// Push platform.
    #[serde(default, deserialize_with = "crate::nulls::or_none")]
    pub notification_platform: Option<NotificationPlatform>,
    /// Push token.
    #[serde(default, deserialize_with = "crate::nulls::or_none")]
    pub notification_token: Option<String>,
}

/// A factor as created: the factor and its binding, which Twilio returns **only** in this
/// answer. `Debug` redacts the TOTP seed and URI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NewFactor {
    /// The factor.
    #[serde(flatten)]
    pub factor: Factor,
    /// The binding: for TOTP the seed and the `otpauth://` URI to show as a QR code; for push
    /// the public key.
    #[serde(default)]
    pub binding: Option<FactorBinding>,
    /// Options Twilio returned.
    #[serde(default)]
    pub options: Option<Value>,
}

impl crate::client::Model for NewFactor {
    fn set_raw(&mut self, mut raw: Value) {
        if let Some(object) = raw.as_object_mut() {
            object.remove("binding");
        }
        self.factor.raw = Raw(raw);
    }
}

/// A factor's binding. The TOTP seed and URI are [`Secret`]s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FactorBinding {
    /// TOTP: the base32 seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
    /// TOTP: the `otpauth://totp/...` key URI (holds the seed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<Secret>,
    /// Push: the key algorithm (`ES256`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Push: the device's public key (base64 DER).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
}

/// A new TOTP factor (`FactorType=totp`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct NewTotpFactor {
    friendly_name: String,
    secret: Option<Secret>,
    config: TotpConfig,
}

impl NewTotpFactor {
    /// A TOTP factor named `friendly_name` (the account name in the key URI; at most 64
    /// characters, no personal data).
    pub fn new(friendly_name: impl Into<String>) -> Self {
        NewTotpFactor {
            friendly_name: friendly_name.into(),
            secret: None,
            config: TotpConfig::default(),
        }
    }

    /// `Binding.Secret`: imports an existing base32 seed (an Authy export) instead of letting
    /// Twilio generate one. A secret: never logged, and taken out of an error answer that
    /// repeats it; the created factor's binding gives it back as sent.
    pub fn secret(mut self, seed: impl Into<String>) -> Self {
        self.secret = Some(Secret::new(seed));
        self
    }

    fn form(&self) -> Result<Form> {
        check_len("friendly name", &self.friendly_name, 1, 64)?;
        let mut f = Form::new();
        f.add("FriendlyName", self.friendly_name.as_str());
        f.add("FactorType", "totp");
        if let Some(seed) = &self.secret {
            check_len("binding secret", seed.expose(), 1, 256)?;
            // The answer's binding repeats it, and is handed back as it came.
            f.secret_in_errors("Binding.Secret", seed.expose());
        }
        self.config.add_to(&mut f)?;
        Ok(f)
    }
}

/// The TOTP settings of a new factor or of a factor update; unset ones are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct TotpConfig {
    time_step: Option<u8>,
    skew: Option<u8>,
    code_length: Option<u8>,
    alg: Option<TotpAlgorithm>,
}

impl TotpConfig {
    /// Checks the set values and adds them to the form.
    fn add_to(&self, f: &mut Form) -> Result<()> {
        if let Some(v) = self.time_step {
            check_range("time step", v.into(), 20, 60)?;
        }
        if let Some(v) = self.skew {
            check_range("skew", v.into(), 0, 2)?;
        }
        if let Some(v) = self.code_length {
            check_range("code length", v.into(), 3, 8)?;
        }
        f.opt("Config.TimeStep", self.time_step);
        f.opt("Config.Skew", self.skew);
        f.opt("Config.CodeLength", self.code_length);
        f.opt("Config.Alg", self.alg.as_ref());
        Ok(())
    }
}

/// The TOTP setters of a type that keeps a [`TotpConfig`] in `config`; `$scope` says which
/// factors a setting applies to.
macro_rules! totp_setters {
    ($ty:ident, $scope:literal) => {
        impl $ty {
            #[doc = concat!("`Config.TimeStep`", $scope, ": seconds per code, 20..=60.")]
            pub fn time_step(mut self, seconds: u8) -> Self {
                self.config.time_step = Some(seconds);
                self
            }

            #[doc = concat!("`Config.Skew`", $scope, ": time steps accepted either side, 0..=2.")]
            pub fn skew(mut self, skew: u8) -> Self {
                self.config.skew = Some(skew);
                self
            }

            #[doc = concat!("`Config.CodeLength`", $scope, ": digits per code, 3..=8.")]
            pub fn code_length(mut self, digits: u8) -> Self {
                self.config.code_length = Some(digits);
                self
            }

            #[doc = concat!("`Config.Alg`", $scope, ".")]
            pub fn alg(mut self, alg: TotpAlgorithm) -> Self {
                self.config.alg = Some(alg);
                self
            }
        }
    };
}

totp_setters!(NewTotpFactor, "");
totp_setters!(FactorUpdate, " (TOTP factors)");

/// A new push factor (`FactorType=push`), as the Verify Push SDK produces it.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct NewPushFactor {
    friendly_name: String,
    public_key: String,
    app_id: String,
    notification_platform: NotificationPlatform,
    notification_token: Option<String>,
    sdk_version: String,
    metadata: Option<Value>,
}

impl NewPushFactor {
    /// A push factor: its name, the device's ES256 public key (base64 DER), the app id, the
    /// notification platform and the SDK version.
    pub fn new(
        friendly_name: impl Into<String>,
        public_key: impl Into<String>,
        app_id: impl Into<String>,
        notification_platform: NotificationPlatform,
        sdk_version: impl Into<String>,
    ) -> Self {
        NewPushFactor {
            friendly_name: friendly_name.into(),
            public_key: public_key.into(),
            app_id: app_id.into(),
            notification_platform,
            notification_token: None,
            sdk_version: sdk_version.into(),
            metadata: None,
        }
    }

    setters! {
        /// `Config.NotificationToken` (32..=255 characters): the device's APNs or FCM token.
        /// Twilio requires it for every push factor, whatever its notification platform: a
        /// factor without it is refused before sending ([`crate::InvalidInput::Empty`]).
        notification_token: impl Into<String>,
        /// `Metadata` (a JSON object of strings).
        metadata: Value,
    }

    fn form(&self) -> Result<Form> {
        check_len("friendly name", &self.friendly_name, 1, 64)?;
        check_len("public key", &self.public_key, 1, 4096)?;
        check_len("app id", &self.app_id, 1, 100)?;
        check_len("sdk version", &self.sdk_version, 1, 64)?;
        let mut f = Form::new();
        f.add("FriendlyName", self.friendly_name.as_str());
        f.add("FactorType", "push");
        f.add("Binding.Alg", "ES256");
        f.add("Binding.PublicKey", self.public_key.as_str());
        f.add("Config.AppId", self.app_id.as_str());
        f.add(
            "Config.NotificationPlatform",
            self.notification_platform.as_str(),
        );
        // Twilio requires it for every push factor, `none` included.
        let token = self
            .notification_token
            .as_ref()
            .ok_or(InvalidInput::Empty {
                field: "notification token",
            })?;
        check_notification_token(token)?;
        f.add("Config.NotificationToken", token.as_str());
        f.add("Config.SdkVersion", self.sdk_version.as_str());
        f.opt("Metadata", self.metadata.as_ref().map(Value::to_string));
        Ok(f)
    }
}

/// Changes to a factor (`POST …/Factors/{YF}` without a code). Unset ones are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct FactorUpdate {
    friendly_name: Option<String>,
    notification_token: Option<String>,
    notification_platform: Option<NotificationPlatform>,
    sdk_version: Option<String>,
    config: TotpConfig,
}

impl FactorUpdate {
    /// No changes.
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        /// `FriendlyName` (at most 64 characters).
        friendly_name: impl Into<String>,
        /// `Config.NotificationToken` (push; 32..=255 characters).
        notification_token: impl Into<String>,
        /// `Config.NotificationPlatform` (push): where the device now gets its notifications.
        notification_platform: NotificationPlatform,
        /// `Config.SdkVersion` (push).
        sdk_version: impl Into<String>,
    }

    fn form(&self) -> Result<Form> {
        let mut f = Form::new();
        if let Some(name) = &self.friendly_name {
            check_len("friendly name", name, 1, 64)?;
        }
        if let Some(token) = &self.notification_token {
            check_notification_token(token)?;
        }
        f.opt("FriendlyName", self.friendly_name.as_ref());
        f.opt("Config.NotificationToken", self.notification_token.as_ref());
        f.opt(
            "Config.NotificationPlatform",
            self.notification_platform.as_ref(),
        );
        f.opt("Config.SdkVersion", self.sdk_version.as_ref());
        self.config.add_to(&mut f)?;
        Ok(f)
    }
}

/// The Factors calls of an entity (`client.factors(&service, &identity)`).
#[derive(Debug, Clone, Copy)]
pub struct Factors<'a> {
    scope: Collection<'a>,
}

impl<'a> Factors<'a> {
    pub(crate) fn new(
        client: &'a VerifyClient,
        service: &'a ServiceSid,
        identity: &'a Identity,
    ) -> Self {
        Factors {
            scope: Collection::of_entity(client, service, identity, "Factors"),
        }
    }

    /// `POST …/Entities/{identity}/Factors` `FactorType=totp`: the answer's binding holds the
    /// seed and the `otpauth://` URI, returned this once.
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
    /// let new = client.factors(&service, &identity).create_totp(&NewTotpFactor::new("alice-phone"))?;
    /// let uri = new.binding.as_ref().and_then(|b| b.uri.as_ref()).map(|u| u.expose());
    /// // Show `uri` as a QR code; then verify the factor with the first code the app shows.
    /// assert!(uri.is_some_and(|u| u.starts_with("otpauth://totp/")));
    /// assert_eq!(new.factor.status, FactorStatus::Unverified);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] for a setting out of range; API errors
    /// [`crate::ApiErrorReason::FactorExists`], [`crate::ApiErrorReason::FactorTypeExists`],
    /// [`crate::ApiErrorReason::RateLimited`] and the others of [`crate::Error`].
    pub fn create_totp(&self, factor: &NewTotpFactor) -> Result<NewFactor> {
        let form = factor.form()?;
        self.scope.create(form, CREATE_UNKNOWN)
    }

    /// `POST …/Entities/{identity}/Factors` `FactorType=push`. The factor comes back
    /// `unverified`: its device verifies it (the Verify Push SDK posts a signed `AuthPayload`
    /// to `…/Factors/{YF}`) before any challenge can be made on it
    /// ([`crate::ApiErrorReason::FactorUnverified`] until then).
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
    /// let factor = NewPushFactor::new("pixel", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE", "com.example.app", NotificationPlatform::Fcm, "1.0")
    ///     .notification_token("fcm-token-0123456789abcdef0123456789");
    /// let new = client.factors(&service, &identity).create_push(&factor)?;
    /// println!("{} {}", new.factor.sid, new.factor.status);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Factors::create_totp`]; [`crate::InvalidInput::Empty`] (`notification token`) for a
    /// factor without [`NewPushFactor::notification_token`], whatever its platform.
    pub fn create_push(&self, factor: &NewPushFactor) -> Result<NewFactor> {
        let form = factor.form()?;
        self.scope.create(form, CREATE_UNKNOWN)
    }

    /// `POST …/Factors/{YF}` with `AuthPayload`: verifies a new TOTP factor with a code from
    /// the app. Sent once. A wrong code is not an error: the factor comes back not
    /// [`FactorStatus::Verified`].
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
    /// let new = client.factors(&service, &identity).create_totp(&NewTotpFactor::new("alice-phone"))?;
    /// # let seed = new.binding.as_ref().and_then(|b| b.secret.as_ref()).ok_or("no seed")?.expose().to_owned();
    /// let code = totp_code(&seed)?; // what the user's app shows
    /// let factor = client.factors(&service, &identity).verify(&new.factor.sid, &code)?;
    /// assert_eq!(factor.status, FactorStatus::Verified);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] for a code that is not 3 to 8 letters or digits;
    /// [`crate::ApiErrorReason::MaxFactorAttempts`], [`crate::ApiErrorReason::FactorVerificationFailed`]
    /// and the others of [`crate::Error`].
    pub fn verify(&self, sid: &FactorSid, code: &str) -> Result<Factor> {
        check_code(code, 3, 8)?;
        let mut form = Form::new();
        form.secret("AuthPayload", code);
        self.scope.update(sid.checked()?, form, VERIFY_UNKNOWN)
    }

    /// `POST …/Factors/{YF}` without a code: changes the settings given.
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
    /// let update = FactorUpdate::new().friendly_name("work phone");
    /// let updated = client.factors(&service, &identity).update(&factor, &update)?;
    /// assert_eq!(updated.friendly_name.as_deref(), Some("work phone"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// The errors of [`crate::Error`].
    pub fn update(&self, sid: &FactorSid, update: &FactorUpdate) -> Result<Factor> {
        let form = update.form()?;
        self.scope.update(sid.checked()?, form, UPDATE_UNKNOWN)
    }

    /// `GET …/Factors/{YF}`.
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
    /// let fetched = client.factors(&service, &identity).fetch(&factor)?;
    /// assert_eq!(fetched.status, FactorStatus::Verified);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::ApiErrorReason::NotFound`] and the others of [`crate::Error`].
    pub fn fetch(&self, sid: &FactorSid) -> Result<Factor> {
        self.scope.fetch(sid.checked()?)
    }

    /// `GET …/Entities/{identity}/Factors`, page after page.
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
    /// for factor in client.factors(&service, &identity).list() {
    ///     let factor = factor?;
    ///     println!("{} {} {}", factor.sid, factor.factor_type, factor.status);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Each item is a `Result`; an error ends the iteration.
    pub fn list(&self) -> Pages<Factor> {
        self.scope.list()
    }

    /// `DELETE …/Factors/{YF}` (204).
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
    /// client.factors(&service, &identity).delete(&factor)?;
    /// assert_eq!(client.factors(&service, &identity).list().count(), 0);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::ApiErrorReason::NotFound`] and the others of [`crate::Error`].
    pub fn delete(&self, sid: &FactorSid) -> Result<()> {
        self.scope.delete(sid.checked()?)
    }
}
