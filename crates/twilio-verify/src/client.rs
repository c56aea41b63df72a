//! The client, its builder, and the plumbing every call shares.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use api_transport::{ClientSettings, Method, Path, Request, Response, Retry, Transport};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::challenges::Challenges;
use crate::entities::Entities;
use crate::error::{ApiError, Error, InvalidInput, Result};
use crate::factors::Factors;
use crate::lookup::Lookup;
use crate::services::Services;
use crate::types::{Identity, RateLimitSid, Secret, ServiceSid};
use crate::verifications::Verifications;

/// Verify v2's base URL (paths start with `/v2/`).
pub const DEFAULT_VERIFY_URL: &str = "https://verify.twilio.com";
/// Lookup v2's base URL (paths start with `/v2/`).
pub const DEFAULT_LOOKUP_URL: &str = "https://lookups.twilio.com";
/// Default timeout of a call, from connecting to the last body byte, retries included.
pub const DEFAULT_TIMEOUT: Duration = api_transport::DEFAULT_TIMEOUT;
/// Default number of automatic retries of a read.
pub const DEFAULT_MAX_RETRIES: u32 = api_transport::DEFAULT_MAX_RETRIES;
/// Default cap of a response body, in bytes.
pub const DEFAULT_MAX_BODY: u64 = api_transport::DEFAULT_MAX_BODY;

/// `twilio-verify-rust/<crate version> (<os> <arch>)`, sent on every request.
pub fn user_agent() -> String {
    format!(
        "twilio-verify-rust/{} ({} {})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

/// The credentials of the account: HTTP Basic on every request.
///
/// Twilio recommends an API key (SID `SK…` and its secret) in production; the Account SID
/// (`AC…`) with the auth token works too. `Debug` never shows the secret or the token.
#[derive(Clone)]
pub struct Credentials {
    username: String,
    password: Secret,
}

impl Credentials {
    /// An API key SID (`SK…`) and its secret (recommended).
    pub fn api_key(sid: impl Into<String>, secret: impl Into<String>) -> Credentials {
        Credentials {
            username: sid.into(),
            password: Secret::new(secret),
        }
    }

    /// The Account SID (`AC…`) and its auth token.
    pub fn account(account_sid: impl Into<String>, auth_token: impl Into<String>) -> Credentials {
        Credentials {
            username: account_sid.into(),
            password: Secret::new(auth_token),
        }
    }

    /// The Basic username (the API key SID or the Account SID).
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Whether the username or the secret is empty: nothing can be sent with them.
    fn is_empty(&self) -> bool {
        self.username.trim().is_empty() || self.password.expose().is_empty()
    }

    fn header(&self) -> String {
        let pair = format!("{}:{}", self.username, self.password.expose());
        format!("Basic {}", BASE64.encode(pair))
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &self.password)
            .finish()
    }
}

/// Blocking client of Twilio Verify v2 and Lookup v2.
///
/// Cheap to clone (clones share one connection pool and the settings), `Send` and `Sync`. The
/// calls are grouped by resource: [`services`](Self::services),
/// [`verifications`](Self::verifications), [`entities`](Self::entities),
/// [`factors`](Self::factors), [`challenges`](Self::challenges), [`lookup`](Self::lookup).
///
/// ```no_run
/// use twilio_verify::{Channel, CheckOutcome, Credentials, ServiceSid, VerifyClient};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let client = VerifyClient::new(Credentials::api_key("SK…", "secret"));
/// let service: ServiceSid = "VA00000000000000000000000000000001".parse()?;
/// client.verifications(&service).start("+15555550100", Channel::Sms)?;
/// match client.verifications(&service).check_to("+15555550100", "123456")? {
///     CheckOutcome::Approved(_) => println!("signed in"),
///     other => println!("not approved: {other:?}"),
/// }
/// # Ok(())
/// # }
/// ```
///
/// The examples on the resources' calls run against the embedded sandbox (`august-sandbox`)
/// where it emulates the resource, set up in hidden lines: there `client` is a client for the
/// sandbox, `service` its demo service, `identity` an end user's identity, and `sandbox` the
/// handle that reads back the codes it "sends" and answers push challenges. The examples of
/// webhooks, rate limits, access tokens and the attempts list need the real service and are
/// only compiled.
#[derive(Clone)]
pub struct VerifyClient {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    verify_url: String,
    lookup_url: String,
    credentials: Credentials,
    timeout: Duration,
    max_retries: u32,
    headers: Vec<(String, String)>,
}

impl fmt::Debug for VerifyClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyClient")
            .field("verify_url", &self.inner.verify_url)
            .field("lookup_url", &self.inner.lookup_url)
            .field("credentials", &self.inner.credentials)
            .field("timeout", &self.inner.timeout)
            .field("max_retries", &self.inner.max_retries)
            .finish()
    }
}

/// Builds a [`VerifyClient`]. Every setter says its default.
#[derive(Debug, Clone)]
#[must_use]
pub struct VerifyClientBuilder {
    credentials: Credentials,
    verify_url: String,
    lookup_url: String,
    settings: ClientSettings,
}

api_transport::client_settings_setters! {
    VerifyClientBuilder.settings; calls = "every call"; reads = "a read (a GET, or a DELETE)";
    never = "Nothing that sends a message, checks a code or answers a challenge is ever resent.";
    reserved = "`Authorization`, `Accept`, `Accept-Charset`"; body = "1 MiB";
}

impl VerifyClientBuilder {
    /// Verify's base URL, without `/v2` (`https`, or `http` to a loopback host for tests and
    /// the sandbox); one trailing `/` is dropped. Defaults to [`DEFAULT_VERIFY_URL`].
    pub fn verify_url(mut self, url: impl Into<String>) -> Self {
        self.verify_url = url.into();
        self
    }

    /// Lookup's base URL, without `/v2`; same rules. Defaults to [`DEFAULT_LOOKUP_URL`].
    pub fn lookup_url(mut self, url: impl Into<String>) -> Self {
        self.lookup_url = url.into();
        self
    }

    /// Both base URLs at once (the sandbox serves both APIs from one origin), as
    /// [`VerifyClientBuilder::verify_url`] and [`VerifyClientBuilder::lookup_url`]. Defaults to
    /// [`DEFAULT_VERIFY_URL`] and [`DEFAULT_LOOKUP_URL`].
    pub fn base_url(self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.verify_url(url.clone()).lookup_url(url)
    }

    /// Builds the client.
    ///
    /// ```
    /// use std::time::Duration;
    /// use twilio_verify::{Credentials, VerifyClient};
    ///
    /// let client = VerifyClient::builder(Credentials::api_key("SK…", "your-api-key-secret"))
    ///     .timeout(Duration::from_secs(5))
    ///     .build()?;
    /// assert!(client.verify_url().starts_with("https://verify.twilio.com"));
    /// // Plain `http` only to a loopback host: the credentials never cross a network in clear.
    /// let insecure = VerifyClient::builder(Credentials::api_key("SK…", "your-api-key-secret"))
    ///     .base_url("http://verify.example.com")
    ///     .build();
    /// assert!(insecure.is_err());
    /// # Ok::<(), twilio_verify::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] if a base URL is not a URL, not `https` (or `http` to
    /// loopback), or carries credentials, a query or a fragment; if a credential is empty; or
    /// if an extra header cannot be sent or would replace one the client sets.
    pub fn build(self) -> Result<VerifyClient> {
        if self.credentials.is_empty() {
            return Err(InvalidInput::Credentials.into());
        }
        self.assemble()
    }

    /// Checks the URLs and the extra headers and makes the client, whatever the credentials
    /// (a client with an empty one refuses every call).
    fn assemble(self) -> Result<VerifyClient> {
        let verify_url = check_base(&self.verify_url)?;
        let lookup_url = check_base(&self.lookup_url)?;
        let reserved = ["authorization", "accept", "accept-charset"];
        self.settings
            .check_headers(&[&reserved[..], &api_transport::RESERVED_HEADERS[..]].concat())
            .map_err(|reason| InvalidInput::Refused { reason })?;
        Ok(VerifyClient {
            inner: Arc::new(Inner {
                transport: self.settings.transport(user_agent()),
                verify_url,
                lookup_url,
                credentials: self.credentials,
                timeout: self.settings.timeout,
                max_retries: self.settings.max_retries,
                headers: self.settings.headers,
            }),
        })
    }
}

fn check_base(url: &str) -> Result<String> {
    Ok(api_transport::checked_base_url(url).map_err(|reason| InvalidInput::Refused { reason })?)
}

/// The `scheme://host[:port]` of a URL, lower-cased.
fn origin(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    format!("{}://{}", scheme, host).to_ascii_lowercase()
}

impl VerifyClient {
    /// A client with the credentials and the defaults.
    ///
    /// # Panics
    ///
    /// Never for non-empty credentials; with an empty credential every call fails with
    /// [`InvalidInput::Credentials`] instead (use [`VerifyClient::builder`] to check early).
    ///
    /// ```
    /// use twilio_verify::{Credentials, VerifyClient};
    ///
    /// let client = VerifyClient::new(Credentials::api_key("SK…", "your-api-key-secret"));
    /// assert!(client.verify_url().starts_with("https://verify.twilio.com"));
    /// ```
    pub fn new(credentials: Credentials) -> VerifyClient {
        // The builder without its credential check: calls refuse to send instead.
        match VerifyClient::builder(credentials).assemble() {
            Ok(client) => client,
            Err(_) => unreachable!("the default urls are valid and no header is added"),
        }
    }

    /// A builder with the credentials and the defaults.
    ///
    /// ```
    /// use std::time::Duration;
    /// use twilio_verify::{Credentials, VerifyClient};
    /// # use august_sandbox::{Sandbox, verify as demo};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sandbox = Sandbox::start()?;
    /// let client = VerifyClient::builder(Credentials::api_key(demo::API_KEY_SID, demo::API_KEY_SECRET))
    ///     .base_url(sandbox.verify_url()) // Verify and Lookup; the real services when left out
    ///     .timeout(Duration::from_secs(10))
    ///     .build()?;
    /// assert_eq!(client.timeout(), Duration::from_secs(10));
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder(credentials: Credentials) -> VerifyClientBuilder {
        VerifyClientBuilder {
            credentials,
            verify_url: DEFAULT_VERIFY_URL.to_owned(),
            lookup_url: DEFAULT_LOOKUP_URL.to_owned(),
            settings: ClientSettings::new(DEFAULT_MAX_BODY),
        }
    }

    /// Verify's base URL, without a trailing `/`.
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
    /// assert_eq!(client.verify_url(), sandbox.verify_url());
    /// # Ok(())
    /// # }
    /// ```
    pub fn verify_url(&self) -> &str {
        &self.inner.verify_url
    }

    /// Lookup's base URL, without a trailing `/`.
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
    /// assert_eq!(client.lookup_url(), sandbox.lookup_url());
    /// # Ok(())
    /// # }
    /// ```
    pub fn lookup_url(&self) -> &str {
        &self.inner.lookup_url
    }

    /// The deadline of every call.
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
    /// println!("every call gives up after {:?}", client.timeout());
    /// # Ok(())
    /// # }
    /// ```
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// Services (the successors of Authy applications).
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
    /// assert_eq!(fetched.code_length, Some(6));
    /// # Ok(())
    /// # }
    /// ```
    pub fn services(&self) -> Services<'_> {
        Services::new(self)
    }

    /// Verifications (codes by SMS, call, e-mail, WhatsApp) of a service, and their checks.
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
    /// # Ok(())
    /// # }
    /// ```
    pub fn verifications<'a>(&'a self, service: &'a ServiceSid) -> Verifications<'a> {
        Verifications::new(self, service)
    }

    /// Entities (one per end user) of a service.
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
    /// let entity = client.entities(&service).create(&identity)?;
    /// assert_eq!(entity.identity, identity);
    /// # Ok(())
    /// # }
    /// ```
    pub fn entities<'a>(&'a self, service: &'a ServiceSid) -> Entities<'a> {
        Entities::new(self, service)
    }

    /// Factors (TOTP apps and push devices) of an entity.
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
    /// assert_eq!(new.factor.status, FactorStatus::Unverified);
    /// # Ok(())
    /// # }
    /// ```
    pub fn factors<'a>(&'a self, service: &'a ServiceSid, identity: &'a Identity) -> Factors<'a> {
        Factors::new(self, service, identity)
    }

    /// Challenges (TOTP checks and push approvals) of an entity.
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
    /// let pending = ChallengeFilter::new().status(ChallengeStatus::Pending);
    /// assert_eq!(client.challenges(&service, &identity).list(&pending).count(), 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn challenges<'a>(
        &'a self,
        service: &'a ServiceSid,
        identity: &'a Identity,
    ) -> Challenges<'a> {
        Challenges::new(self, service, identity)
    }

    /// Webhooks (Verify Push events) of a service.
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
    pub fn webhooks<'a>(&'a self, service: &'a ServiceSid) -> crate::webhooks::Webhooks<'a> {
        crate::webhooks::Webhooks::new(self, service)
    }

    /// Programmable rate limits of a service and their buckets.
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
    pub fn rate_limits<'a>(
        &'a self,
        service: &'a ServiceSid,
    ) -> crate::rate_limits::RateLimits<'a> {
        crate::rate_limits::RateLimits::new(self, service)
    }

    /// Access tokens for the Verify Push SDK.
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
    /// let identity = Identity::new("user-0042-0001")?;
    /// let token = client.access_tokens(&service).create(&NewPushAccessToken::new(identity))?;
    /// println!("{}", token.sid);
    /// # Ok(())
    /// # }
    /// ```
    pub fn access_tokens<'a>(
        &'a self,
        service: &'a ServiceSid,
    ) -> crate::access_tokens::AccessTokens<'a> {
        crate::access_tokens::AccessTokens::new(self, service)
    }

    /// Verification attempt statistics.
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
    /// let summary = client.attempts().summary(&AttemptsFilter::new().service(&service))?;
    /// println!("{} attempts", summary.total_attempts);
    /// # Ok(())
    /// # }
    /// ```
    pub fn attempts(&self) -> crate::attempts::Attempts<'_> {
        crate::attempts::Attempts::new(self)
    }

    /// Lookup v2 (phone number information).
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
    /// let info = client.lookup().phone_number("+15555550100", &LookupOptions::new())?;
    /// assert_eq!(info.valid, Some(true));
    /// # Ok(())
    /// # }
    /// ```
    pub fn lookup(&self) -> Lookup<'_> {
        Lookup::new(self)
    }

    // ----- plumbing -----

    fn request(&self, call: &Call) -> Result<Request> {
        let creds = &self.inner.credentials;
        if creds.is_empty() {
            return Err(InvalidInput::Credentials.into());
        }
        let mut request = match &call.target {
            Target::Path(api, path) => {
                let base = match api {
                    Api::Verify => &self.inner.verify_url,
                    Api::Lookup => &self.inner.lookup_url,
                };
                Request::new(call.method, base, path.clone())
            }
            // Only a next page the list checked with `is_own_url`.
            Target::Url(url) => Request::absolute(call.method, url),
        };
        request = request
            .secret_header("Authorization", creds.header())
            .secret_value(creds.password.expose())
            .header("Accept-Charset", "utf-8")
            .timeout(self.inner.timeout)
            .retry(call.retry);
        if call.method != Method::Delete {
            request = request.header("Accept", "application/json");
        }
        for (name, value) in &self.inner.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        for (name, value) in &call.query {
            request = request.query(name.as_str(), value.as_str());
        }
        for secret in &call.secrets {
            request = request.secret_value(secret.as_str());
        }
        for secret in &call.secrets_in_errors {
            request = request.secret_in_errors(secret.as_str());
        }
        if let Some(form) = &call.form {
            request = request.form_body(form.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        Ok(request)
    }

    /// Whether `url` is on the origin of a configured base URL, the only place a next page is
    /// requested: the credentials are not sent elsewhere.
    fn is_own_url(&self, url: &str) -> bool {
        let own = origin(url);
        [&self.inner.verify_url, &self.inner.lookup_url]
            .iter()
            .any(|base| origin(base) == own)
            && url
                .get(own.len()..)
                .is_some_and(|rest| rest.starts_with('/'))
    }

    /// Sends a call and returns its 2xx answer; any other status is an [`ApiError`].
    pub(crate) fn send(&self, call: &Call) -> Result<(String, Response)> {
        let request = self.request(call)?;
        let endpoint = match &call.target {
            Target::Url(_) => format!("{} (next page)", call.method),
            Target::Path(..) => format!("{} {}", call.method, request.path().redacted()),
        };
        let response = self
            .inner
            .transport
            .send(&request)
            .map_err(|e| Error::from_transport(e, endpoint.clone(), call.unknown_outcome))?;
        if (200..300).contains(&response.status()) {
            Ok((endpoint, response))
        } else {
            let error = ApiError::from_response(
                endpoint,
                &response,
                call.verification,
                call.unknown_outcome,
            );
            log::debug!(
                target: "twilio_verify",
                "{} -> status {}, code {:?}, {:?}",
                error.endpoint(),
                error.status(),
                error.code(),
                error.reason()
            );
            Err(error.into())
        }
    }

    /// Sends a call and decodes its answer.
    pub(crate) fn send_json<T: Model>(&self, call: &Call) -> Result<T> {
        let (endpoint, response) = self.send(call)?;
        decode(&endpoint, response.body(), call.unknown_outcome).map_err(|error| {
            without_secrets_in_errors::<T>(error, call, &endpoint, response.body())
        })
    }

    /// Sends a call whose answer has no body (a delete). A 404 after a retried delete means
    /// an earlier attempt removed the resource: success.
    pub(crate) fn send_empty(&self, call: &Call) -> Result<()> {
        match self.send(call) {
            Ok(_) => Ok(()),
            Err(Error::Api(e))
                if call.method == Method::Delete && e.status() == 404 && e.attempts() > 1 =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// `GET` of one Verify resource.
    pub(crate) fn get<T: Model>(&self, path: Path) -> Result<T> {
        self.send_json(&Call::get(Api::Verify, path))
    }

    /// `POST` of a form to Verify: sent once; `check` is what to check when the outcome is
    /// unknown, as [`Call::post`] takes it.
    pub(crate) fn post<T: Model>(&self, path: Path, form: Form, check: &'static str) -> Result<T> {
        self.send_json(&Call::post(path, form, check))
    }

    /// `DELETE` of one Verify resource.
    pub(crate) fn remove(&self, path: Path) -> Result<()> {
        self.send_empty(&Call::delete(path))
    }

    /// `GET` of a Verify list with these query parameters, page after page.
    pub(crate) fn list<T: Model>(&self, path: Path, query: &[(&str, String)]) -> Pages<T> {
        let mut call = Call::get(Api::Verify, path);
        for (name, value) in query {
            call = call.query(name, value.as_str());
        }
        Pages {
            client: Some(self.clone()),
            next: Some(call),
            followed: HashSet::new(),
            empty_pages: 0,
            pages: 0,
            max_pages: DEFAULT_MAX_PAGES,
            buffer: VecDeque::new(),
            error: None,
            _model: std::marker::PhantomData,
        }
    }
}

/// A model decoded from an answer; those that are a subset of the answer keep the whole of it
/// (`raw()`).
pub trait Model: DeserializeOwned {
    /// Keeps the whole answer, for the models that are a subset of it.
    fn set_raw(&mut self, raw: Value) {
        let _ = raw;
    }
}

/// The whole answer a model keeps (`raw()`). Its `Debug` shows none of it (`{..}`, as an error's
/// details): an answer can carry what the model's own `Debug` hides (a silent network auth
/// URL's one-time token, a factor's seed).
#[derive(Clone, Default, PartialEq)]
pub(crate) struct Raw(pub(crate) Value);

impl fmt::Debug for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{..}")
    }
}

/// For a model with a `raw: Raw` field: `raw()`, and a [`Model`] that fills it with the
/// whole answer (or list record).
macro_rules! keeps_raw {
    ($model:ident) => {
        impl $model {
            /// The whole answer (or list record), fields this model does not name included.
            /// `Debug` shows it as `{..}`.
            pub fn raw(&self) -> &serde_json::Value {
                &self.raw.0
            }
        }

        impl $crate::client::Model for $model {
            fn set_raw(&mut self, raw: serde_json::Value) {
                self.raw = $crate::client::Raw(raw);
            }
        }
    };
}

pub(crate) use keeps_raw;

/// Setters of optional settings, each storing `Some(value.into())` in the field of its name.
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty,)+) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, value: $ty) -> Self {
                self.$name = Some(value.into());
                self
            }
        )+
    };
}

pub(crate) use setters;

/// Decodes a JSON body, naming the JSON path where it does not fit; `check` as the call's
/// [`Error::Timeout`] carries.
pub(crate) fn decode<T: Model>(
    endpoint: &str,
    body: &[u8],
    check: Option<&'static str>,
) -> Result<T> {
    let value: Value = serde_json::from_slice(body).map_err(|e| Error::Decode {
        endpoint: endpoint.to_owned(),
        path: ".".to_owned(),
        check,
        source: e,
    })?;
    from_value(endpoint, value, check)
}

/// The decoding `error` of a successful answer to `call`, as it reads with the values the
/// answer may repeat by design (`Form::secret_in_errors`, a TOTP seed) taken out, so that it
/// cannot quote them (serde quotes a string of an unexpected type): decoded again from the
/// answer with those values redacted.
fn without_secrets_in_errors<T: Model>(
    error: Error,
    call: &Call,
    endpoint: &str,
    body: &[u8],
) -> Error {
    if call.secrets_in_errors.is_empty() {
        return error;
    }
    let secrets: Vec<&str> = call.secrets_in_errors.iter().map(String::as_str).collect();
    let redacted = api_transport::redact(&String::from_utf8_lossy(body), &secrets);
    match (
        decode::<T>(endpoint, redacted.as_bytes(), call.unknown_outcome),
        error,
    ) {
        (Err(redacted), _) => redacted,
        // Once redacted the answer decodes: the error was about a secret's own text.
        (
            Ok(_),
            Error::Decode {
                endpoint,
                path,
                check,
                ..
            },
        ) => Error::Decode {
            endpoint,
            path,
            check,
            source: serde::de::Error::custom("a value the request sent is not as expected"),
        },
        (Ok(_), error) => error,
    }
}

fn from_value<T: Model>(endpoint: &str, value: Value, check: Option<&'static str>) -> Result<T> {
    let mut model: T = match serde_path_to_error::deserialize(&value) {
        Ok(model) => model,
        Err(e) => {
            return Err(Error::Decode {
                endpoint: endpoint.to_owned(),
                path: e.path().to_string(),
                check,
                source: e.into_inner(),
            });
        }
    };
    model.set_raw(value);
    Ok(model)
}

/// Which API a path belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Api {
    Verify,
    Lookup,
}

#[derive(Debug, Clone)]
enum Target {
    Path(Api, Path),
    Url(String),
}

/// One call: method, path, parameters, retry rule and what a lost answer means.
#[derive(Clone)]
pub(crate) struct Call {
    method: Method,
    target: Target,
    query: Vec<(String, String)>,
    form: Option<Vec<(String, String)>>,
    secrets: Vec<String>,
    /// Secrets the successful answer may repeat (a TOTP seed imported): taken out of error
    /// answers only.
    secrets_in_errors: Vec<String>,
    retry: Retry,
    unknown_outcome: Option<&'static str>,
    verification: Option<VerificationStep>,
}

/// A call of a verification's life whose error codes read differently from elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VerificationStep {
    /// A start (`POST …/Verifications`): 60202 is a send limit, as 60203.
    Start,
    /// A check (`POST …/VerificationCheck`): a 20404 means no pending verification.
    Check,
}

impl Call {
    /// A GET, retried as the transport does.
    pub(crate) fn get(api: Api, path: Path) -> Call {
        Call::get_at(Target::Path(api, path))
    }

    /// A GET of `target`, retried as the transport does.
    fn get_at(target: Target) -> Call {
        Call {
            method: Method::Get,
            target,
            query: Vec::new(),
            form: None,
            secrets: Vec::new(),
            secrets_in_errors: Vec::new(),
            retry: Retry::Safe,
            unknown_outcome: None,
            verification: None,
        }
    }

    /// A DELETE: idempotent in effect, retried as reads are.
    pub(crate) fn delete(path: Path) -> Call {
        Call {
            method: Method::Delete,
            ..Call::get(Api::Verify, path)
        }
    }

    /// A POST with a form body: sent once. Every POST changes something on Twilio (creates,
    /// changes, sends or checks), and a lost answer or a server error may come after Twilio
    /// acted on it: such an error is [`ErrorKind::OutcomeUnknown`](crate::ErrorKind) and says
    /// `check`, what to look at before sending it again (for a creation, list the collection;
    /// for a change, fetch the resource).
    pub(crate) fn post(path: Path, form: Form, check: &'static str) -> Call {
        Call {
            unknown_outcome: Some(check),
            ..Call::post_repeatable(path, form)
        }
    }

    /// A POST with a form body, sent once, that is harmless to send again: it creates nothing
    /// a second request would duplicate (a short-lived token). A lost answer or a server error
    /// is [`ErrorKind::RetryLater`](crate::ErrorKind), as a read's. Only for a call whose
    /// documentation says why; every other POST is [`Call::post`].
    pub(crate) fn post_repeatable(path: Path, form: Form) -> Call {
        Call {
            method: Method::Post,
            form: Some(form.pairs),
            secrets: form.secrets,
            secrets_in_errors: form.secrets_in_errors,
            retry: Retry::Never,
            ..Call::get(Api::Verify, path)
        }
    }

    /// A verification check: a 20404 means no pending verification.
    pub(crate) fn verification_check(mut self) -> Call {
        self.verification = Some(VerificationStep::Check);
        self
    }

    /// A verification start: 60202 is a send limit, as 60203.
    pub(crate) fn verification_start(mut self) -> Call {
        self.verification = Some(VerificationStep::Start);
        self
    }

    pub(crate) fn query(mut self, name: &str, value: impl Into<String>) -> Call {
        self.query.push((name.to_owned(), value.into()));
        self
    }

    fn next_page(&self, url: String) -> Call {
        Call::get_at(Target::Url(url))
    }
}

/// A form body: PascalCase names (dotted for nested settings), repeated names allowed, and
/// the values that are secrets.
#[derive(Default)]
pub(crate) struct Form {
    pairs: Vec<(String, String)>,
    secrets: Vec<String>,
    secrets_in_errors: Vec<String>,
}

impl Form {
    pub(crate) fn new() -> Form {
        Form::default()
    }

    pub(crate) fn add(&mut self, name: &str, value: impl Into<String>) {
        self.pairs.push((name.to_owned(), value.into()));
    }

    pub(crate) fn opt<V: ToString>(&mut self, name: &str, value: Option<V>) {
        if let Some(v) = value {
            self.add(name, v.to_string());
        }
    }

    #[cfg(test)]
    pub(crate) fn names(&self) -> Vec<&str> {
        self.pairs.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// Adds a secret, taken out of every answer that repeats it.
    pub(crate) fn secret(&mut self, name: &str, value: &str) {
        self.add(name, value);
        self.secrets.push(value.to_owned());
    }

    /// Adds a secret the successful answer repeats by design (a TOTP seed imported comes back
    /// in the factor's binding): taken out of error answers only
    /// ([`Request::secret_in_errors`]).
    pub(crate) fn secret_in_errors(&mut self, name: &str, value: &str) {
        self.add(name, value);
        self.secrets_in_errors.push(value.to_owned());
    }
}

/// Pages in a row without a record, each naming a next page, after which a list is taken to
/// never end: Twilio ends a list with a page that names no next page, and an iteration that
/// reads empty pages yields nothing while it reads them.
const MAX_EMPTY_PAGES: usize = 10;

/// Pages a list reads at most unless [`Pages::max_pages`] says otherwise: 10,000 pages of
/// Twilio's default 50 records are half a million records.
const DEFAULT_MAX_PAGES: usize = 10_000;

/// The records of a list, page after page: each page after the first is the
/// `meta.next_page_url` Twilio gave, requested as is (same origin as the base URL only).
///
/// An error ends the iteration after it is yielded. A `next_page_url` on another origin than
/// the base URL's is an [`Error::Decode`] at `meta.next_page_url`, yielded after the records
/// of the page that gave it: the credentials are not sent there. So is a `next_page_url` that
/// names a page this iteration already read (a requested next page, or a page's own
/// `meta.url`, the first page's included): the list would never end (and a loop of empty
/// pages would never yield); a tenth page in a row without a record that names a next page;
/// and a page past [`Pages::max_pages`] (10,000 by default), which bounds a list whose every
/// page names a new next page.
pub struct Pages<T> {
    client: Option<VerifyClient>,
    next: Option<Call>,
    /// The URLs of the pages read so far: each page's `meta.url`, and the next-page URLs
    /// requested.
    followed: HashSet<String>,
    /// Pages in a row without a record.
    empty_pages: usize,
    /// Pages read so far.
    pages: usize,
    /// The most pages read before the list is taken to never end.
    max_pages: usize,
    buffer: VecDeque<T>,
    error: Option<Error>,
    _model: std::marker::PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("buffered", &self.buffer.len())
            .field("more", &self.next.is_some())
            .finish()
    }
}

impl<T> Pages<T> {
    /// Asks for `size` records per page (`PageSize`, clamped to 1..=1000; Twilio's default is
    /// 50). Takes effect on the first page, before the iteration starts; later pages follow
    /// the URLs Twilio gives. Defaults to Twilio's page size (50).
    #[must_use]
    pub fn page_size(mut self, size: u16) -> Self {
        if let Some(call) = self.next.as_mut()
            && self.buffer.is_empty()
            && matches!(call.target, Target::Path(..))
        {
            call.query.retain(|(name, _)| name != "PageSize");
            call.query
                .push(("PageSize".to_owned(), size.clamp(1, 1000).to_string()));
        }
        self
    }

    /// Reads at most `pages` pages (at least 1): a page that names a next page past them ends
    /// the iteration with an [`Error::Decode`] at `meta.next_page_url`, after its records, as
    /// a list that does not end does. Defaults to 10,000 pages.
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
    /// for entity in client.entities(&service).list().page_size(100).max_pages(50) {
    ///     println!("{}", entity?.identity);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn max_pages(mut self, pages: usize) -> Self {
        self.max_pages = pages.max(1);
        self
    }
}

impl<T: Model> Pages<T> {
    /// An iterator that yields one error (a call refused before sending).
    pub(crate) fn failed(error: Error) -> Pages<T> {
        Pages {
            client: None,
            next: None,
            followed: HashSet::new(),
            empty_pages: 0,
            pages: 0,
            max_pages: DEFAULT_MAX_PAGES,
            buffer: VecDeque::new(),
            error: Some(error),
            _model: std::marker::PhantomData,
        }
    }

    fn fetch(&mut self, call: Call) -> Result<()> {
        let Some(client) = &self.client else {
            return Ok(());
        };
        let (endpoint, response) = client.send(&call)?;
        let mut value: Value =
            serde_json::from_slice(response.body()).map_err(|e| Error::Decode {
                endpoint: endpoint.clone(),
                path: ".".to_owned(),
                check: None,
                source: e,
            })?;
        let meta = value.get("meta").cloned().unwrap_or(Value::Null);
        let key = match meta.get("key").and_then(Value::as_str) {
            Some(key) => key.to_owned(),
            None => {
                return Err(Error::Decode {
                    endpoint,
                    path: "meta.key".to_owned(),
                    check: None,
                    source: serde::de::Error::custom("missing page key"),
                });
            }
        };
        let records = match value.get_mut(&key).map(Value::take) {
            Some(Value::Array(records)) => records,
            _ => {
                return Err(Error::Decode {
                    endpoint,
                    path: key,
                    check: None,
                    source: serde::de::Error::custom("expected an array of records"),
                });
            }
        };
        self.pages += 1;
        self.empty_pages = if records.is_empty() {
            self.empty_pages + 1
        } else {
            0
        };
        for (i, record) in records.into_iter().enumerate() {
            let model = from_value(&endpoint, record, None).map_err(|e| match e {
                Error::Decode {
                    endpoint,
                    path,
                    check,
                    source,
                } => Error::Decode {
                    endpoint,
                    path: format!("{key}[{i}].{path}"),
                    check,
                    source,
                },
                other => other,
            })?;
            self.buffer.push_back(model);
        }
        // The page's own URL counts as read: a next page that names it (the first page's
        // among them, which was requested by path) would start the list over.
        if let Some(url) = meta.get("url").and_then(Value::as_str) {
            self.followed.insert(url.to_owned());
        }
        if let Some(url) = meta.get("next_page_url").and_then(Value::as_str)
            && !url.is_empty()
        {
            let refused = if !client.is_own_url(url) {
                Some(
                    "the next page is not on the configured base url; credentials are not sent there",
                )
            } else if !self.followed.insert(url.to_owned()) {
                Some("the next page is one already read: the list does not end")
            } else if self.empty_pages >= MAX_EMPTY_PAGES {
                Some("page after page without a record: the list does not end")
            } else if self.pages >= self.max_pages {
                Some("more pages than the list's max_pages: the list is taken to never end")
            } else {
                None
            };
            match refused {
                None => self.next = Some(call.next_page(url.to_owned())),
                // This page's records are new: they are yielded before the error.
                Some(reason) => {
                    self.error = Some(Error::Decode {
                        endpoint,
                        path: "meta.next_page_url".to_owned(),
                        check: None,
                        source: serde::de::Error::custom(reason),
                    });
                }
            }
        }
        Ok(())
    }
}

impl<T: Model> Iterator for Pages<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            if let Some(e) = self.error.take() {
                return Some(Err(e));
            }
            let call = self.next.take()?;
            if let Err(e) = self.fetch(call) {
                self.buffer.clear();
                return Some(Err(e));
            }
        }
    }
}

/// A path under Verify's `/v2/Services/{VA}`.
pub(crate) fn service_path(service: &ServiceSid) -> Result<Path> {
    Ok(Path::new().lit("v2/Services").seg(service.checked()?))
}

/// One collection of a service (`…/Services/{VA}/Webhooks`), of an entity
/// (`…/Entities/{identity}/Factors`) or of a rate limit (`…/RateLimits/{RK}/Buckets`), and
/// the calls every resource makes on it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Collection<'a> {
    client: &'a VerifyClient,
    service: &'a ServiceSid,
    parent: Parent<'a>,
    name: &'static str,
}

/// What a collection belongs to, under its service.
#[derive(Debug, Clone, Copy)]
enum Parent<'a> {
    /// The service itself: `/v2/Services/{VA}`.
    Service,
    /// `…/Entities/{identity}`.
    Entity(&'a Identity),
    /// `…/RateLimits/{RK}`.
    RateLimit(&'a RateLimitSid),
}

impl<'a> Collection<'a> {
    /// `/v2/Services/{VA}/{name}`.
    pub(crate) fn of_service(
        client: &'a VerifyClient,
        service: &'a ServiceSid,
        name: &'static str,
    ) -> Self {
        Collection {
            client,
            service,
            parent: Parent::Service,
            name,
        }
    }

    /// `/v2/Services/{VA}/Entities/{identity}/{name}`.
    pub(crate) fn of_entity(
        client: &'a VerifyClient,
        service: &'a ServiceSid,
        identity: &'a Identity,
        name: &'static str,
    ) -> Self {
        Collection {
            parent: Parent::Entity(identity),
            ..Collection::of_service(client, service, name)
        }
    }

    /// `/v2/Services/{VA}/RateLimits/{RK}/{name}`.
    pub(crate) fn of_rate_limit(
        client: &'a VerifyClient,
        service: &'a ServiceSid,
        rate_limit: &'a RateLimitSid,
        name: &'static str,
    ) -> Self {
        Collection {
            parent: Parent::RateLimit(rate_limit),
            ..Collection::of_service(client, service, name)
        }
    }

    /// The collection `name` of one rate limit of this collection's service:
    /// `/v2/Services/{VA}/RateLimits/{RK}/{name}`.
    pub(crate) fn of_rate_limit_here<'b>(
        &'b self,
        rate_limit: &'b RateLimitSid,
        name: &'static str,
    ) -> Collection<'b> {
        Collection::of_rate_limit(self.client, self.service, rate_limit, name)
    }

    /// The collection's path.
    pub(crate) fn path(&self) -> Result<Path> {
        let service = service_path(self.service)?;
        let base = match self.parent {
            Parent::Service => service,
            Parent::Entity(identity) => service.lit("Entities").seg(identity.checked()?),
            Parent::RateLimit(sid) => service.lit("RateLimits").seg(sid.checked()?),
        };
        Ok(base.lit(self.name))
    }

    /// The path of one item of the collection, by its checked SID.
    pub(crate) fn item(&self, sid: &str) -> Result<Path> {
        Ok(self.path()?.seg(sid))
    }

    /// `POST` to the collection: creates an item. Sent once; `check` says how to find out
    /// whether it was created when the outcome is unknown ([`Call::post`]).
    pub(crate) fn create<T: Model>(&self, form: Form, check: &'static str) -> Result<T> {
        self.send(&Call::post(self.path()?, form, check))
    }

    /// `POST` to one item: changes it. Sent once; `check` says how to find out whether the
    /// change was made when the outcome is unknown ([`Call::post`]).
    pub(crate) fn update<T: Model>(&self, sid: &str, form: Form, check: &'static str) -> Result<T> {
        self.send(&Call::post(self.item(sid)?, form, check))
    }

    /// Sends a call built on the collection's paths (a sub-resource of an item, or a call with
    /// its own error rules).
    pub(crate) fn send<T: Model>(&self, call: &Call) -> Result<T> {
        self.client.send_json(call)
    }

    /// `GET` of one item.
    pub(crate) fn fetch<T: Model>(&self, sid: &str) -> Result<T> {
        self.client.get(self.item(sid)?)
    }

    /// `GET` of the collection, page after page.
    pub(crate) fn list<T: Model>(&self) -> Pages<T> {
        self.list_where(&[])
    }

    /// `GET` of the collection with these query parameters (filters), page after page; a
    /// path that cannot be built is the one error the pages yield.
    pub(crate) fn list_where<T: Model>(&self, query: &[(&str, String)]) -> Pages<T> {
        match self.path() {
            Ok(path) => self.client.list(path, query),
            Err(e) => Pages::failed(e),
        }
    }

    /// `DELETE` of one item.
    pub(crate) fn delete(&self, sid: &str) -> Result<()> {
        self.client.remove(self.item(sid)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_secret() {
        let client = VerifyClient::new(Credentials::api_key(
            "SK00000000000000000000000000000001",
            "s3cr3t-key",
        ));
        let text = format!("{client:?}");
        assert_eq!(
            text,
            "VerifyClient { verify_url: \"https://verify.twilio.com\", lookup_url: \"https://lookups.twilio.com\", credentials: Credentials { username: \"SK00000000000000000000000000000001\", password: \"<redacted>\" }, timeout: 10s, max_retries: 3 }"
        );
        let builder = VerifyClient::builder(Credentials::account("AC1", "tok3n"));
        assert!(!format!("{builder:?}").contains("tok3n"));
    }

    #[test]
    fn basic_auth_header() {
        let c = Credentials::account("AC1", "token");
        assert_eq!(c.header(), "Basic QUMxOnRva2Vu");
    }

    #[test]
    fn base_urls_are_checked() {
        let creds = || Credentials::api_key("SK1", "x");
        let c = VerifyClient::builder(creds())
            .base_url("http://127.0.0.1:9/")
            .build()
            .unwrap();
        assert_eq!(c.verify_url(), "http://127.0.0.1:9");
        assert_eq!(c.lookup_url(), "http://127.0.0.1:9");
        for bad in [
            "http://verify.twilio.com",
            "verify.twilio.com",
            "https://a?b=1",
        ] {
            assert!(
                VerifyClient::builder(creds())
                    .verify_url(bad)
                    .build()
                    .is_err(),
                "{bad}"
            );
        }
        assert!(matches!(
            VerifyClient::builder(Credentials::api_key("SK1", "")).build(),
            Err(Error::InvalidInput(InvalidInput::Credentials))
        ));
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin("https://Verify.twilio.com/v2/x?y"),
            "https://verify.twilio.com"
        );
        assert_eq!(origin("http://127.0.0.1:8/v2"), "http://127.0.0.1:8");
    }

    #[test]
    fn client_is_send_sync_and_cheap_to_clone() {
        fn check<T: Send + Sync + Clone>() {}
        check::<VerifyClient>();
        let a = VerifyClient::new(Credentials::api_key("SK1", "x"));
        let b = a.clone();
        assert!(Arc::ptr_eq(&a.inner, &b.inner));
    }
}
