//! Verification attempt statistics, the successor of Authy's app stats (spec §5.10).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use serde_json::Value;

use crate::client::{Api, Call, Pages, VerifyClient};
use crate::client::{Raw, keeps_raw};
use crate::error::{InvalidInput, Result};
use crate::types::{AttemptSid, Channel, ServiceSid, VerificationSid};
use api_transport::Path;

/// `GET /v2/Attempts/Summary`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AttemptsSummary {
    /// Attempts in the period.
    #[serde(default)]
    pub total_attempts: u64,
    /// Attempts that were converted (checked successfully).
    #[serde(default)]
    pub total_converted: u64,
    /// Attempts that were not.
    #[serde(default)]
    pub total_unconverted: u64,
    /// The rate, as Twilio writes it (a string: `"81.818181818"`).
    #[serde(default)]
    pub conversion_rate_percentage: Option<String>,
    /// The resource URL.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(skip)]
    raw: Raw,
}

keeps_raw!(AttemptsSummary);

/// One verification attempt (`verify.v2.verification_attempt`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Attempt {
    /// The SID (`VL…`).
    pub sid: AttemptSid,
    /// The account.
    #[serde(default)]
    pub account_sid: Option<String>,
    /// The service.
    #[serde(default)]
    pub service_sid: Option<String>,
    /// The verification.
    #[serde(default)]
    pub verification_sid: Option<String>,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::dates::lenient")]
    pub date_created: Option<DateTime<Utc>>,
    /// Last update time.
    #[serde(default, deserialize_with = "crate::dates::lenient")]
    pub date_updated: Option<DateTime<Utc>>,
    /// `converted` or `unconverted`.
    #[serde(default)]
    pub conversion_status: Option<String>,
    /// The channel.
    #[serde(default)]
    pub channel: Option<Channel>,
    /// `{value, currency}`.
    #[serde(default)]
    pub price: Option<Value>,
    /// Channel details (`to`, `status`, `carrier`...).
    #[serde(default)]
    pub channel_data: Option<Value>,
    /// The resource URL.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(skip)]
    raw: Raw,
}

keeps_raw!(Attempt);

/// Filters of the attempts summary and list; unset ones are not sent. `to`,
/// `verification_sid` and `converted` apply to the list only, `destination_prefix` to the
/// summary only: a call given one that is not its own refuses it before sending
/// ([`InvalidInput::NotAFilter`](crate::InvalidInput::NotAFilter)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct AttemptsFilter {
    params: Vec<(&'static str, String)>,
}

impl AttemptsFilter {
    /// No filter: the whole account.
    pub fn new() -> Self {
        Self::default()
    }

    /// `VerifyServiceSid`.
    pub fn service(mut self, sid: &ServiceSid) -> Self {
        self.params
            .push(("VerifyServiceSid", sid.as_str().to_owned()));
        self
    }

    /// `DateCreatedAfter` (`YYYY-MM-DDTHH:MM:SSZ`).
    pub fn created_after(mut self, when: chrono::DateTime<chrono::Utc>) -> Self {
        self.params.push((
            "DateCreatedAfter",
            when.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        ));
        self
    }

    /// `DateCreatedBefore` (`YYYY-MM-DDTHH:MM:SSZ`).
    pub fn created_before(mut self, when: chrono::DateTime<chrono::Utc>) -> Self {
        self.params.push((
            "DateCreatedBefore",
            when.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        ));
        self
    }

    /// `Country` (ISO alpha-2).
    pub fn country(mut self, country: impl Into<String>) -> Self {
        self.params.push(("Country", country.into()));
        self
    }

    /// `Channel`.
    pub fn channel(mut self, channel: &Channel) -> Self {
        self.params.push(("Channel", channel.as_str().to_owned()));
        self
    }

    /// `DestinationPrefix` (summary only): the start of the E.164 numbers counted (`+1`).
    pub fn destination_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.params.push(("DestinationPrefix", prefix.into()));
        self
    }

    /// `ChannelData.To` (list only).
    pub fn to(mut self, to: impl Into<String>) -> Self {
        self.params.push(("ChannelData.To", to.into()));
        self
    }

    /// `VerificationSid` (list only).
    pub fn verification_sid(mut self, sid: &VerificationSid) -> Self {
        self.params
            .push(("VerificationSid", sid.as_str().to_owned()));
        self
    }

    /// `Status`: `converted` or `unconverted` (list only).
    pub fn converted(mut self, converted: bool) -> Self {
        let status = if converted {
            "converted"
        } else {
            "unconverted"
        };
        self.params.push(("Status", status.to_owned()));
        self
    }

    /// The parameters, or the first that `call` does not take (`not_taken`) refused.
    fn for_call(
        &self,
        call: &'static str,
        not_taken: &[&str],
    ) -> Result<&[(&'static str, String)], InvalidInput> {
        match self
            .params
            .iter()
            .find(|(name, _)| not_taken.contains(name))
        {
            Some((filter, _)) => Err(InvalidInput::NotAFilter { filter, call }),
            None => Ok(&self.params),
        }
    }
}

/// The filters of the list that the summary does not take.
const LIST_ONLY: &[&str] = &["ChannelData.To", "VerificationSid", "Status"];
/// The filters of the summary that the list does not take.
const SUMMARY_ONLY: &[&str] = &["DestinationPrefix"];

/// The Attempts calls (`client.attempts()`).
#[derive(Debug, Clone, Copy)]
pub struct Attempts<'a> {
    client: &'a VerifyClient,
}

impl<'a> Attempts<'a> {
    pub(crate) fn new(client: &'a VerifyClient) -> Self {
        Attempts { client }
    }

    /// `GET /v2/Attempts/Summary` with filters.
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
    /// # let code = sandbox.verify_code("+15555550100").ok_or("no code")?;
    /// client.verifications(&service).check_sid(&sid, &code)?;
    /// let summary = client.attempts().summary(&AttemptsFilter::new().service(&service))?;
    /// println!("{} of {} converted", summary.total_converted, summary.total_attempts);
    /// assert_eq!(summary.total_converted, 1);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] ([`InvalidInput::NotAFilter`]) for a filter of the list
    /// only (`to`, `verification_sid`, `converted`), before sending; the errors of
    /// [`crate::Error`].
    pub fn summary(&self, filter: &AttemptsFilter) -> Result<AttemptsSummary> {
        let params = filter.for_call("the attempts summary", LIST_ONLY)?;
        let mut call = Call::get(Api::Verify, Path::new().lit("v2/Attempts/Summary"));
        for (name, value) in params {
            call = call.query(name, value.as_str());
        }
        self.client.send_json(&call)
    }

    /// `GET /v2/Attempts` with filters, page after page.
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
    /// # client.verifications(&service).start("+15555550100", Channel::Sms)?;
    /// for attempt in client.attempts().list(&AttemptsFilter::new().to("+15555550100")) {
    ///     println!("{:?}", attempt?.conversion_status);
    /// }
    /// # assert_eq!(client.attempts().list(&AttemptsFilter::new().to("+15555550100")).count(), 1);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Each item is a `Result`; an error ends the iteration. A filter of the summary only
    /// (`destination_prefix`) is refused before sending: the one item is
    /// [`crate::Error::InvalidInput`] ([`InvalidInput::NotAFilter`]).
    pub fn list(&self, filter: &AttemptsFilter) -> Pages<Attempt> {
        match filter.for_call("the attempts list", SUMMARY_ONLY) {
            Ok(params) => self.client.list(Path::new().lit("v2/Attempts"), params),
            Err(e) => Pages::failed(e.into()),
        }
    }

    /// `GET /v2/Attempts/{VL}`.
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
    /// let started = client.verifications(&service).start("+15555550100", Channel::Sms)?;
    /// let sent = started.send_code_attempts.unwrap_or_default();
    /// let sid: AttemptSid = sent[0].attempt_sid.as_deref().ok_or("no attempt")?.parse()?;
    /// let attempt = client.attempts().fetch(&sid)?;
    /// assert_eq!(attempt.verification_sid.as_deref(), Some(started.sid.as_str()));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::ApiErrorReason::NotFound`] and the others of [`crate::Error`].
    pub fn fetch(&self, sid: &AttemptSid) -> Result<Attempt> {
        let path = Path::new().lit("v2/Attempts").seg(sid.checked()?);
        self.client.get(path)
    }
}
