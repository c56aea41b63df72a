//! Verification attempt statistics, the successor of Authy's app stats (spec §5.10).

use serde::{Deserialize, Serialize};

use crate::client::{Api, Call, Model, VerifyClient};
use crate::error::Result;
use crate::types::{Channel, ServiceSid};
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
}

impl Model for AttemptsSummary {}

/// Filters of the attempts summary; unset ones are not sent.
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
}

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
    /// # Errors
    ///
    /// The errors of [`crate::Error`].
    pub fn summary(&self, filter: &AttemptsFilter) -> Result<AttemptsSummary> {
        let mut call = Call::get(Api::Verify, Path::new().lit("v2/Attempts/Summary"));
        for (name, value) in &filter.params {
            call = call.query(name, value.as_str());
        }
        self.client.send_json(&call)
    }
}
