//! Webhooks of a service: where Twilio posts Verify Push events, the successor of the
//! OneTouch callback (spec §5.9). Check what arrives with [`crate::signature`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::client::{Collection, Form, Pages, VerifyClient};
use crate::client::{Raw, keeps_raw, setters};
use crate::error::{InvalidInput, Result};
use crate::types::{ServiceSid, WebhookSid, check_len};

/// What to check after a webhook creation whose answer was lost, or a server error.
const CREATE_UNKNOWN: &str = "the webhook may have been created; list the service's webhooks to see whether it was before creating it again";
/// What to check after a webhook update whose answer was lost, or a server error.
const UPDATE_UNKNOWN: &str = "the change may have been made; fetch the webhook to see whether it was before sending it again";

/// A webhook (`verify.v2.service.webhook`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Webhook {
    /// The SID (`YW…`).
    pub sid: WebhookSid,
    /// The service.
    #[serde(default)]
    pub service_sid: Option<String>,
    /// The account.
    #[serde(default)]
    pub account_sid: Option<String>,
    /// The name.
    #[serde(default)]
    pub friendly_name: Option<String>,
    /// The events sent (`factor.verified`, `challenge.approved`, `*`...; none when Twilio
    /// sends `null`).
    #[serde(default, deserialize_with = "crate::nulls::empty")]
    pub event_types: Vec<String>,
    /// `enabled` or `disabled`.
    #[serde(default)]
    pub status: Option<String>,
    /// `v2` or the legacy `v1`.
    #[serde(default)]
    pub version: Option<String>,
    /// Where the events go.
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// `POST` or `GET`.
    #[serde(default)]
    pub webhook_method: Option<String>,
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

keeps_raw!(Webhook);

/// The settings of a webhook; for create, name, events and URL are required.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct WebhookOptions {
    friendly_name: Option<String>,
    event_types: Vec<String>,
    webhook_url: Option<String>,
    enabled: Option<bool>,
    legacy_v1: bool,
}

impl WebhookOptions {
    /// No settings.
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        /// `FriendlyName`.
        friendly_name: impl Into<String>,
    }

    /// Adds one of `EventTypes` (`*`, `factor.created`, `factor.verified`, `factor.deleted`,
    /// `challenge.approved`, `challenge.denied`); sent as a repeated field.
    pub fn event_type(mut self, event: impl Into<String>) -> Self {
        self.event_types.push(event.into());
        self
    }

    setters! {
        /// `WebhookUrl` (`https`).
        webhook_url: impl Into<String>,
        /// `Status`: `enabled` (`true`) or `disabled`.
        enabled: bool,
    }

    /// `Version=v1`, the legacy payload (`v2` by default).
    pub fn legacy_v1(mut self) -> Self {
        self.legacy_v1 = true;
        self
    }

    fn form(&self, create: bool) -> Result<Form> {
        if create {
            if self.event_types.is_empty() {
                return Err(InvalidInput::Empty {
                    field: "event types",
                }
                .into());
            }
            if self.webhook_url.is_none() {
                return Err(InvalidInput::Empty {
                    field: "webhook url",
                }
                .into());
            }
            if self.friendly_name.is_none() {
                return Err(InvalidInput::Empty {
                    field: "friendly name",
                }
                .into());
            }
        }
        let mut f = Form::new();
        if let Some(name) = &self.friendly_name {
            check_len("friendly name", name, 1, 64)?;
            f.add("FriendlyName", name.as_str());
        }
        for event in &self.event_types {
            f.add("EventTypes", event.as_str());
        }
        f.opt("WebhookUrl", self.webhook_url.as_ref());
        f.opt(
            "Status",
            self.enabled.map(|e| if e { "enabled" } else { "disabled" }),
        );
        if self.legacy_v1 {
            f.add("Version", "v1");
        }
        Ok(f)
    }
}

/// The Webhooks calls of a service (`client.webhooks(&service)`).
#[derive(Debug, Clone, Copy)]
pub struct Webhooks<'a> {
    webhooks: Collection<'a>,
}

impl<'a> Webhooks<'a> {
    pub(crate) fn new(client: &'a VerifyClient, service: &'a ServiceSid) -> Self {
        Webhooks {
            webhooks: Collection::of_service(client, service, "Webhooks"),
        }
    }

    /// `POST /v2/Services/{VA}/Webhooks`.
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
    /// let options = WebhookOptions::new()
    ///     .friendly_name("push events")
    ///     .event_type("challenge.approved")
    ///     .event_type("challenge.denied")
    ///     .webhook_url("https://example.com/verify/webhook");
    /// let webhook = client.webhooks(&service).create(&options)?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] without a name, an event or a URL; the errors of
    /// [`crate::Error`].
    pub fn create(&self, options: &WebhookOptions) -> Result<Webhook> {
        let form = options.form(true)?;
        self.webhooks.create(form, CREATE_UNKNOWN)
    }

    /// `GET /v2/Services/{VA}/Webhooks/{YW}`.
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
    /// # let options = WebhookOptions::new().friendly_name("push events").event_type("*")
    /// #     .webhook_url("https://example.com/verify/webhook");
    /// # let webhook = client.webhooks(&service).create(&options)?.sid;
    /// let webhook = client.webhooks(&service).fetch(&webhook)?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::ApiErrorReason::NotFound`] and the others of [`crate::Error`].
    pub fn fetch(&self, sid: &WebhookSid) -> Result<Webhook> {
        self.webhooks.fetch(sid.checked()?)
    }

    /// `GET /v2/Services/{VA}/Webhooks`, page after page.
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
    /// for webhook in client.webhooks(&service).list() {
    ///     println!("{:?}", webhook?.webhook_url);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Each item is a `Result`; an error ends the iteration.
    pub fn list(&self) -> Pages<Webhook> {
        self.webhooks.list()
    }

    /// `POST /v2/Services/{VA}/Webhooks/{YW}`: changes the settings given.
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
    /// # let options = WebhookOptions::new().friendly_name("push events").event_type("*")
    /// #     .webhook_url("https://example.com/verify/webhook");
    /// # let webhook = client.webhooks(&service).create(&options)?.sid;
    /// let disable = WebhookOptions::new().enabled(false);
    /// client.webhooks(&service).update(&webhook, &disable)?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// The errors of [`crate::Error`].
    pub fn update(&self, sid: &WebhookSid, options: &WebhookOptions) -> Result<Webhook> {
        let form = options.form(false)?;
        self.webhooks.update(sid.checked()?, form, UPDATE_UNKNOWN)
    }

    /// `DELETE /v2/Services/{VA}/Webhooks/{YW}` (204).
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
    /// # let options = WebhookOptions::new().friendly_name("push events").event_type("*")
    /// #     .webhook_url("https://example.com/verify/webhook");
    /// # let webhook = client.webhooks(&service).create(&options)?.sid;
    /// client.webhooks(&service).delete(&webhook)?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::ApiErrorReason::NotFound`] and the others of [`crate::Error`].
    pub fn delete(&self, sid: &WebhookSid) -> Result<()> {
        self.webhooks.delete(sid.checked()?)
    }
}
