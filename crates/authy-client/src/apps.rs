//! The application: `/protected/json/app/details` and `/protected/json/app/stats`.

use crate::client::{AuthyApiClient, Call, protected};
use crate::error::{Hints, Result};
use crate::models::{App, Stats};

/// The application's details, reached with [`AuthyApiClient::apps`] (py: `authy_api.apps`).
#[derive(Debug, Clone, Copy)]
pub struct Apps<'a> {
    client: &'a AuthyApiClient,
}

impl<'a> Apps<'a> {
    pub(crate) fn new(client: &'a AuthyApiClient) -> Self {
        Apps { client }
    }

    /// The application's name, plan and features (py: `apps.fetch()`;
    /// `GET /protected/json/app/details`).
    ///
    /// ```
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let app = authy_api.apps().fetch()?;
    /// println!("{:?} on plan {:?}", app.name(), app.plan());
    /// assert_eq!(app.app_id(), Some(demo::AUTHY_APP_ID));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with
    /// [`ApiErrorReason::InvalidApiKey`](crate::ApiErrorReason::InvalidApiKey); transport and decode
    /// errors. Retried as a read.
    pub fn fetch(&self) -> Result<App> {
        self.client
            .send_json(Call::read(protected("app/details"), Hints::GENERIC))
    }
}

/// The application's statistics, reached with [`AuthyApiClient::stats`] (py:
/// `authy_api.stats`, a `StatsResource`).
#[derive(Debug, Clone, Copy)]
pub struct StatsResource<'a> {
    client: &'a AuthyApiClient,
}

impl<'a> StatsResource<'a> {
    pub(crate) fn new(client: &'a AuthyApiClient) -> Self {
        StatsResource { client }
    }

    /// Monthly counts of API calls, authentications, calls, SMS and users (py:
    /// `stats.fetch()`; `GET /protected/json/app/stats`).
    ///
    /// ```
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let stats = authy_api.stats().fetch()?;
    /// for month in stats.months() {
    ///     println!("{:?} {:?}: {} sms, {} calls", month.month(), month.year(), month.sms_count(), month.calls_count());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with
    /// [`ApiErrorReason::InvalidApiKey`](crate::ApiErrorReason::InvalidApiKey); transport and decode
    /// errors. Retried as a read.
    pub fn fetch(&self) -> Result<Stats> {
        self.client
            .send_json(Call::read(protected("app/stats"), Hints::GENERIC))
    }
}
