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
    /// ```no_run
    /// # use authy_client::AuthyApiClient;
    /// # fn main() -> Result<(), authy_client::Error> {
    /// let authy_api = AuthyApiClient::new("api-key");
    /// let app = authy_api.apps().fetch()?;
    /// println!("{:?} on plan {:?}", app.name(), app.plan());
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
    /// ```no_run
    /// # use authy_client::AuthyApiClient;
    /// # fn main() -> Result<(), authy_client::Error> {
    /// let authy_api = AuthyApiClient::new("api-key");
    /// for month in authy_api.stats().fetch()?.months() {
    ///     println!("{:?} {:?}: {} sms", month.month(), month.year(), month.sms_count());
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
