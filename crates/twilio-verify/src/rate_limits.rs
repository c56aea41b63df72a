//! Programmable rate limits of a service and their buckets (spec §5.8): name a limit, give it
//! buckets (`Max` per `Interval` seconds), then pass a value for it on each verification start
//! ([`crate::StartVerification::rate_limit`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::client::{Collection, Form, Pages, VerifyClient};
use crate::client::{Raw, keeps_raw};
use crate::error::Result;
use crate::types::{BucketSid, RateLimitSid, ServiceSid, check_len};

/// What to check after a rate limit creation whose answer was lost, or a server error.
const CREATE_UNKNOWN: &str = "the rate limit may have been created; list the service's rate limits to see whether it was before creating it again";
/// What to check after a rate limit update whose answer was lost, or a server error.
const UPDATE_UNKNOWN: &str = "the change may have been made; fetch the rate limit to see whether it was before sending it again";
/// What to check after a bucket creation whose answer was lost, or a server error.
const CREATE_BUCKET_UNKNOWN: &str = "the bucket may have been created; list the rate limit's buckets to see whether it was before creating it again";
/// What to check after a bucket update whose answer was lost, or a server error.
const UPDATE_BUCKET_UNKNOWN: &str = "the change may have been made; list the rate limit's buckets to see whether it was before sending it again";

/// A rate limit (`verify.v2.service.rate_limit`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RateLimit {
    /// The SID (`RK…`).
    pub sid: RateLimitSid,
    /// The service.
    #[serde(default)]
    pub service_sid: Option<String>,
    /// The account.
    #[serde(default)]
    pub account_sid: Option<String>,
    /// The name used as the key of `RateLimits` on a verification start.
    #[serde(default)]
    pub unique_name: Option<String>,
    /// The description.
    #[serde(default)]
    pub description: Option<String>,
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

keeps_raw!(RateLimit);

/// A bucket of a rate limit (`verify.v2.service.rate_limit.bucket`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Bucket {
    /// The SID (`BL…`).
    pub sid: BucketSid,
    /// The rate limit (`RK…`).
    #[serde(default)]
    pub rate_limit_sid: Option<String>,
    /// The service.
    #[serde(default)]
    pub service_sid: Option<String>,
    /// The account.
    #[serde(default)]
    pub account_sid: Option<String>,
    /// Requests allowed per interval.
    #[serde(default)]
    pub max: u32,
    /// The interval, in seconds.
    #[serde(default)]
    pub interval: u32,
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

keeps_raw!(Bucket);

/// The Rate Limits calls of a service (`client.rate_limits(&service)`).
#[derive(Debug, Clone, Copy)]
pub struct RateLimits<'a> {
    limits: Collection<'a>,
}

impl<'a> RateLimits<'a> {
    pub(crate) fn new(client: &'a VerifyClient, service: &'a ServiceSid) -> Self {
        RateLimits {
            limits: Collection::of_service(client, service, "RateLimits"),
        }
    }

    /// The buckets of a rate limit: `…/RateLimits/{RK}/Buckets`.
    fn buckets_of<'b>(&'b self, rate_limit: &'b RateLimitSid) -> Collection<'b> {
        self.limits.of_rate_limit_here(rate_limit, "Buckets")
    }

    fn max_per_interval(max: u32, interval: u32) -> Form {
        let mut form = Form::new();
        form.add("Max", max.to_string());
        form.add("Interval", interval.to_string());
        form
    }

    /// `POST /v2/Services/{VA}/RateLimits` with `UniqueName` (no personal data) and
    /// `Description`.
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
    /// let limit = client.rate_limits(&service).create("end_user_ip_address", "per IP")?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] for an empty or over-long name; the errors of
    /// [`crate::Error`].
    pub fn create(&self, unique_name: &str, description: &str) -> Result<RateLimit> {
        check_len("unique name", unique_name, 1, 191)?;
        let mut form = Form::new();
        form.add("UniqueName", unique_name);
        form.add("Description", description);
        self.limits.create(form, CREATE_UNKNOWN)
    }

    /// `GET …/RateLimits/{RK}`.
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
    /// # let rate_limit = client.rate_limits(&service).create("end_user_ip_address", "per IP")?.sid;
    /// let limit = client.rate_limits(&service).fetch(&rate_limit)?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::ApiErrorReason::NotFound`] and the others of [`crate::Error`].
    pub fn fetch(&self, sid: &RateLimitSid) -> Result<RateLimit> {
        self.limits.fetch(sid.checked()?)
    }

    /// `GET …/RateLimits`, page after page.
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
    /// for limit in client.rate_limits(&service).list() {
    ///     println!("{:?}", limit?.unique_name);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Each item is a `Result`; an error ends the iteration.
    pub fn list(&self) -> Pages<RateLimit> {
        self.limits.list()
    }

    /// `POST …/RateLimits/{RK}` with a new `Description`.
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
    /// # let rate_limit = client.rate_limits(&service).create("end_user_ip_address", "per IP")?.sid;
    /// client.rate_limits(&service).update(&rate_limit, "per client IP")?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// The errors of [`crate::Error`].
    pub fn update(&self, sid: &RateLimitSid, description: &str) -> Result<RateLimit> {
        let mut form = Form::new();
        form.add("Description", description);
        self.limits.update(sid.checked()?, form, UPDATE_UNKNOWN)
    }

    /// `DELETE …/RateLimits/{RK}` (204).
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
    /// # let rate_limit = client.rate_limits(&service).create("end_user_ip_address", "per IP")?.sid;
    /// client.rate_limits(&service).delete(&rate_limit)?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::ApiErrorReason::NotFound`] and the others of [`crate::Error`].
    pub fn delete(&self, sid: &RateLimitSid) -> Result<()> {
        self.limits.delete(sid.checked()?)
    }

    /// `POST …/RateLimits/{RK}/Buckets` with `Max` requests per `Interval` seconds.
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
    /// # let rate_limit = client.rate_limits(&service).create("end_user_ip_address", "per IP")?.sid;
    /// // at most 10 starts per IP per minute
    /// client.rate_limits(&service).create_bucket(&rate_limit, 10, 60)?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// The errors of [`crate::Error`].
    pub fn create_bucket(
        &self,
        rate_limit: &RateLimitSid,
        max: u32,
        interval: u32,
    ) -> Result<Bucket> {
        self.buckets_of(rate_limit).create(
            RateLimits::max_per_interval(max, interval),
            CREATE_BUCKET_UNKNOWN,
        )
    }

    /// `GET …/RateLimits/{RK}/Buckets`, page after page.
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
    /// # let rate_limit = client.rate_limits(&service).create("end_user_ip_address", "per IP")?.sid;
    /// for bucket in client.rate_limits(&service).buckets(&rate_limit) {
    ///     let bucket = bucket?;
    ///     println!("{} per {} s", bucket.max, bucket.interval);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Each item is a `Result`; an error ends the iteration.
    pub fn buckets(&self, rate_limit: &RateLimitSid) -> Pages<Bucket> {
        self.buckets_of(rate_limit).list()
    }

    /// `POST …/Buckets/{BL}` setting `Max` requests per `Interval` seconds.
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
    /// # let rate_limit = client.rate_limits(&service).create("end_user_ip_address", "per IP")?.sid;
    /// # let bucket = client.rate_limits(&service).create_bucket(&rate_limit, 10, 60)?.sid;
    /// let limits = client.rate_limits(&service);
    /// limits.update_bucket(&rate_limit, &bucket, 20, 60)?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// The errors of [`crate::Error`].
    pub fn update_bucket(
        &self,
        rate_limit: &RateLimitSid,
        bucket: &BucketSid,
        max: u32,
        interval: u32,
    ) -> Result<Bucket> {
        self.buckets_of(rate_limit).update(
            bucket.checked()?,
            RateLimits::max_per_interval(max, interval),
            UPDATE_BUCKET_UNKNOWN,
        )
    }

    /// `DELETE …/Buckets/{BL}` (204).
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
    /// # let rate_limit = client.rate_limits(&service).create("end_user_ip_address", "per IP")?.sid;
    /// # let bucket = client.rate_limits(&service).create_bucket(&rate_limit, 10, 60)?.sid;
    /// let limits = client.rate_limits(&service);
    /// limits.delete_bucket(&rate_limit, &bucket)?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::ApiErrorReason::NotFound`] and the others of [`crate::Error`].
    pub fn delete_bucket(&self, rate_limit: &RateLimitSid, bucket: &BucketSid) -> Result<()> {
        self.buckets_of(rate_limit).delete(bucket.checked()?)
    }
}
