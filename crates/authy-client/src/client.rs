//! The client, its builder, and the plumbing every call shares.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use api_transport::{ClientSettings, Method, Path, Request, Response, Retry, Transport};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::apps::{Apps, StatsResource};
use crate::error::{ACTED, ApiError, Error, Hints, InvalidInput, Result};
use crate::one_touch::OneTouch;
use crate::phones::Phones;
use crate::tokens::Tokens;
use crate::users::Users;
use api_transport::Secret;

/// The Authy API's address.
pub const DEFAULT_API_URI: &str = "https://api.authy.com";
/// Default timeout of a call, from connecting to the last body byte.
pub const DEFAULT_TIMEOUT: Duration = api_transport::DEFAULT_TIMEOUT;
/// Default number of automatic retries of a read.
pub const DEFAULT_MAX_RETRIES: u32 = api_transport::DEFAULT_MAX_RETRIES;
/// Default cap of a response body, in bytes.
pub const DEFAULT_MAX_BODY: u64 = api_transport::DEFAULT_MAX_BODY;
/// The header that carries the application's API key.
pub const API_KEY_HEADER: &str = "X-Authy-API-Key";

/// `AuthyRust/<crate version> (<os>-<arch>; Rust)`, sent on every request.
pub fn user_agent() -> String {
    format!(
        "AuthyRust/{} ({}-{}; Rust)",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

/// Blocking client of the Authy API (py: `AuthyApiClient`).
///
/// Cheap to clone (clones share one connection pool and the settings), `Send` and `Sync`. The
/// calls are grouped as in the seed: [`users`](Self::users), [`tokens`](Self::tokens),
/// [`phones`](Self::phones), [`apps`](Self::apps), [`stats`](Self::stats) and
/// [`one_touch`](Self::one_touch).
///
/// ```no_run
/// use authy_client::AuthyApiClient;
///
/// # fn main() -> Result<(), authy_client::Error> {
/// let authy_api = AuthyApiClient::new("api-key");
/// let user = authy_api.users().create("user@example.com", "111-111-1111", 57)?;
/// let verification = authy_api.tokens().verify(user.id(), "0123456")?;
/// println!("{:?}", verification.message());
/// # Ok(())
/// # }
/// ```
///
/// The examples on the resources' calls run against the embedded sandbox (`august-sandbox`),
/// set up in hidden lines: there `authy_api` is a client for the sandbox's demo application,
/// `demo` its demo data (users 1000, without the app, and 1001, with it) and `sandbox` the
/// handle that reads back the tokens and codes it "sends".
#[derive(Clone)]
pub struct AuthyApiClient {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    base_url: String,
    /// Sent in [`API_KEY_HEADER`], never shown.
    api_key: Secret,
    max_retries: u32,
    headers: Vec<(String, String)>,
}

impl fmt::Debug for AuthyApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthyApiClient")
            .field("base_url", &self.inner.base_url)
            .field("api_key", &self.inner.api_key)
            .field("timeout", &self.inner.transport.timeout())
            .field("max_retries", &self.inner.max_retries)
            .finish()
    }
}

/// Builds an [`AuthyApiClient`]. Every setter says its default.
#[derive(Clone)]
#[must_use]
pub struct AuthyApiClientBuilder {
    /// Sent in [`API_KEY_HEADER`], never shown.
    api_key: Secret,
    base_url: String,
    settings: ClientSettings,
}

impl fmt::Debug for AuthyApiClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthyApiClientBuilder")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key)
            .field("timeout", &self.settings.timeout)
            .field("max_retries", &self.settings.max_retries)
            .field("max_body", &self.settings.max_body)
            .finish()
    }
}

api_transport::client_settings_setters! {
    AuthyApiClientBuilder.settings; calls = "every call";
    reads = "a read (user status, registration status, app details and stats, phone information, approval status)";
    never = "Nothing else is ever resent: not user creation or deletion, SMS, calls, token or code checks, phone verifications, OneTouch requests.";
    reserved = "`X-Authy-API-Key`"; body = "1 MiB";
}

impl AuthyApiClientBuilder {
    /// The API's base URL (py: `api_uri`), `https`, or `http` to a loopback host for tests;
    /// one trailing `/` is dropped. Defaults to [`DEFAULT_API_URI`].
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The former name of [`AuthyApiClientBuilder::base_url`]. Defaults to [`DEFAULT_API_URI`].
    #[deprecated(note = "use base_url, the name every client's builder uses")]
    pub fn api_uri(self, uri: impl Into<String>) -> Self {
        self.base_url(uri)
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] ([`InvalidInput::Refused`]) if the API URI is not a URL, not
    /// `https` (or `http` to loopback), or carries credentials, a query or a fragment, or an
    /// extra header cannot be sent or would replace one the client sets.
    pub fn build(self) -> Result<AuthyApiClient> {
        let reserved = [&[API_KEY_HEADER][..], &api_transport::RESERVED_HEADERS[..]].concat();
        let refused = |reason| InvalidInput::Refused { reason };
        self.settings.check_headers(&reserved).map_err(refused)?;
        let base_url = api_transport::checked_base_url(&self.base_url).map_err(refused)?;
        Ok(AuthyApiClient {
            inner: Arc::new(Inner {
                transport: self.settings.transport(user_agent()),
                base_url,
                api_key: self.api_key,
                max_retries: self.settings.max_retries,
                headers: self.settings.headers,
            }),
        })
    }
}

impl AuthyApiClient {
    /// A client for the Authy API with the application's API key and the defaults (py:
    /// `AuthyApiClient(api_key)`).
    ///
    /// ```
    /// use authy_client::AuthyApiClient;
    ///
    /// let authy_api = AuthyApiClient::new("your-api-key");
    /// assert_eq!(authy_api.base_url(), "https://api.authy.com");
    /// ```
    pub fn new(api_key: impl Into<String>) -> AuthyApiClient {
        match AuthyApiClient::builder(api_key).build() {
            Ok(client) => client,
            // The default URI is a valid https URL.
            Err(_) => unreachable!("the default base url is valid"),
        }
    }

    /// A builder with the application's API key and the defaults.
    ///
    /// ```
    /// use authy_client::AuthyApiClient;
    /// use std::time::Duration;
    ///
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sandbox = Sandbox::start()?;
    /// let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY)
    ///     .base_url(sandbox.authy_url()) // the real service when left out
    ///     .timeout(Duration::from_secs(10))
    ///     .build()?;
    /// assert_eq!(authy_api.timeout(), Duration::from_secs(10));
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder(api_key: impl Into<String>) -> AuthyApiClientBuilder {
        AuthyApiClientBuilder {
            api_key: Secret::new(api_key),
            base_url: DEFAULT_API_URI.to_owned(),
            settings: ClientSettings::new(DEFAULT_MAX_BODY),
        }
    }

    /// The base URL calls go to, without a trailing `/`.
    ///
    /// ```
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// assert_eq!(authy_api.base_url(), sandbox.authy_url());
    /// # Ok(())
    /// # }
    /// ```
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The former name of [`AuthyApiClient::base_url`].
    #[deprecated(note = "use base_url, the name every client uses")]
    pub fn api_uri(&self) -> &str {
        self.base_url()
    }

    /// The timeout of every call.
    ///
    /// ```
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// println!("every call gives up after {:?}", authy_api.timeout());
    /// # Ok(())
    /// # }
    /// ```
    pub fn timeout(&self) -> Duration {
        self.inner.transport.timeout()
    }

    /// Users: create, status, delete, SMS and call tokens, QR codes, registration status,
    /// activities (py: `authy_api.users`).
    ///
    /// ```
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let status = authy_api.users().status(AuthyId::new(demo::AUTHY_SMS_USER_ID))?;
    /// println!("registered: {}, devices: {:?}", status.registered(), status.devices());
    /// # Ok(())
    /// # }
    /// ```
    pub fn users(&self) -> Users<'_> {
        Users::new(self)
    }

    /// Token verification (py: `authy_api.tokens`).
    ///
    /// ```
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// authy_api.users().request_sms(AuthyId::new(demo::AUTHY_SMS_USER_ID))?;
    /// let token = sandbox.authy_token(demo::AUTHY_SMS_USER_ID).ok_or("no token")?;
    /// authy_api.tokens().verify(AuthyId::new(demo::AUTHY_SMS_USER_ID), &token)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn tokens(&self) -> Tokens<'_> {
        Tokens::new(self)
    }

    /// Phone verification and phone information (py: `authy_api.phones`).
    ///
    /// ```
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let info = authy_api.phones().info("555-555-0100", 1)?;
    /// println!("{}", info.phone_type());
    /// # Ok(())
    /// # }
    /// ```
    pub fn phones(&self) -> Phones<'_> {
        Phones::new(self)
    }

    /// The application's details (py: `authy_api.apps`).
    ///
    /// ```
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let app = authy_api.apps().fetch()?;
    /// assert_eq!(app.app_id(), Some(demo::AUTHY_APP_ID));
    /// # Ok(())
    /// # }
    /// ```
    pub fn apps(&self) -> Apps<'_> {
        Apps::new(self)
    }

    /// The application's statistics (py: `authy_api.stats`).
    ///
    /// ```
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let stats = authy_api.stats().fetch()?;
    /// println!("{} months", stats.months().len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn stats(&self) -> StatsResource<'_> {
        StatsResource::new(self)
    }

    /// OneTouch push approvals and their callback signatures (py: `authy_api.one_touch`).
    ///
    /// ```
    /// use authy_client::ApprovalRequest;
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let request = ApprovalRequest::new("Login requested for your Example account.");
    /// let created = authy_api.one_touch().send_request(AuthyId::new(demo::AUTHY_APP_USER_ID), &request)?;
    /// println!("poll {}", created.uuid());
    /// # Ok(())
    /// # }
    /// ```
    pub fn one_touch(&self) -> OneTouch<'_> {
        OneTouch::new(self)
    }

    pub(crate) fn api_key(&self) -> &str {
        self.inner.api_key.expose()
    }

    // ----- plumbing -----

    /// Sends a call and returns the 200 answer; any other status is an [`ApiError`].
    pub(crate) fn send(&self, call: Call) -> Result<(String, Response)> {
        let (endpoint, response) = self.exchange(&call)?;
        if response.status() == 200 {
            Ok((endpoint, response))
        } else {
            Err(self.api_error(endpoint, &response, &call))
        }
    }

    /// Sends a call and decodes its 200 answer.
    pub(crate) fn send_json<T: DeserializeOwned>(&self, call: Call) -> Result<T> {
        let check = call.check;
        let (endpoint, response) = self.send(call)?;
        decode(&endpoint, response.body(), check)
    }

    /// Sends a call and returns whatever status came back.
    pub(crate) fn exchange(&self, call: &Call) -> Result<(String, Response)> {
        let request = call.request(self);
        let endpoint = format!("{} {}", request.method(), request.path().redacted());
        if self.api_key().trim().is_empty() {
            return Err(InvalidInput::Empty { field: "api key" }.into());
        }
        let response = self
            .inner
            .transport
            .send(&request)
            .map_err(|e| Error::from_transport(e, endpoint.clone(), call.check))?;
        Ok((endpoint, response))
    }

    /// The error of a call's answer other than 200.
    pub(crate) fn api_error(&self, endpoint: String, response: &Response, call: &Call) -> Error {
        let error = ApiError::from_response(endpoint, response, call.hints, call.check);
        log::debug!(
            target: "authy_client",
            "{} -> status {}, error code {:?}, {:?}",
            error.endpoint(),
            error.status(),
            error.error_code(),
            error.reason()
        );
        error.into()
    }
}

/// One call: method, path, parameters, retry rule, what a bare 401 or 404 means and whether
/// it acts.
pub(crate) struct Call {
    method: Method,
    path: Path,
    query: Vec<(&'static str, String)>,
    body: Option<Value>,
    retry: Retry,
    secrets: Vec<String>,
    pub(crate) hints: Hints,
    /// What to check before sending it again when it got no answer or a server error: `Some`
    /// for a call that acts, `None` for a read.
    pub(crate) check: Option<&'static str>,
}

impl Call {
    /// A read: a GET that may be retried.
    pub(crate) fn read(path: Path, hints: Hints) -> Call {
        Call {
            method: Method::Get,
            path,
            query: Vec::new(),
            body: None,
            retry: Retry::Safe,
            secrets: Vec::new(),
            hints,
            check: None,
        }
    }

    /// A GET that acts (sends an SMS, starts a call, consumes a token or code): sent once.
    pub(crate) fn act(path: Path, hints: Hints) -> Call {
        Call {
            retry: Retry::Never,
            check: Some(ACTED),
            ..Call::read(path, hints)
        }
    }

    /// A POST with a JSON body: sent once.
    pub(crate) fn post(path: Path, body: Value, hints: Hints) -> Call {
        Call {
            method: Method::Post,
            path,
            query: Vec::new(),
            body: Some(body),
            retry: Retry::Never,
            secrets: Vec::new(),
            hints,
            check: Some(ACTED),
        }
    }

    pub(crate) fn query(mut self, params: Vec<(&'static str, String)>) -> Call {
        self.query.extend(params);
        self
    }

    /// Marks a value the call carries in its path, query or body (a token being checked, a
    /// code, a hidden detail) as a secret, so that no answer can quote it.
    pub(crate) fn secret(mut self, value: impl Into<String>) -> Call {
        self.secrets.push(value.into());
        self
    }

    pub(crate) fn request(&self, client: &AuthyApiClient) -> Request {
        let mut request = Request::new(self.method, client.base_url(), self.path.clone())
            .secret_header(API_KEY_HEADER, client.api_key())
            .retry(self.retry);
        for (name, value) in &client.inner.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        for (name, value) in &self.query {
            request = request.query(*name, value.as_str());
        }
        if let Some(body) = &self.body {
            request = request.json_body(body.to_string().into_bytes());
        }
        for secret in &self.secrets {
            request = request.secret_value(secret.as_str());
        }
        request
    }
}

/// A path under `/protected/json/`.
pub(crate) fn protected(rest: &'static str) -> Path {
    Path::new().lit("protected/json").lit(rest)
}

/// Decodes a JSON body, naming the JSON path where it does not fit; `check` as the call's
/// [`Error::Timeout`] carries.
///
/// A well-formed body is decoded directly; only one that fails is decoded a second time with
/// `serde_path_to_error` (which allocates for every key it passes) to name the path.
pub(crate) fn decode<T: DeserializeOwned>(
    endpoint: &str,
    body: &[u8],
    check: Option<&'static str>,
) -> Result<T> {
    if let Ok(value) = serde_json::from_slice(body) {
        return Ok(value);
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut *de);
    if let Ok(value) = value {
        // The tracked pass reads one document and stops; the first pass failed, so what
        // follows the document (garbage, a second document) is the fault.
        return match de.end() {
            Ok(()) => Ok(value),
            Err(source) => Err(Error::Decode {
                endpoint: endpoint.to_owned(),
                path: ".".to_owned(),
                check,
                source,
            }),
        };
    }
    value.map_err(|e| {
        let path = e.path().to_string();
        Error::Decode {
            endpoint: endpoint.to_owned(),
            path,
            check,
            source: e.into_inner(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_names_the_path_only_when_needed() {
        let ok: Value = decode("GET /x", br#"{"a": [1]}"#, None).expect("decodes");
        assert_eq!(ok["a"][0], 1);
        #[derive(Debug, serde::Deserialize)]
        struct Probe {
            #[allow(dead_code)]
            user: Inner,
        }
        #[derive(Debug, serde::Deserialize)]
        struct Inner {
            #[allow(dead_code)]
            id: u64,
        }
        match decode::<Probe>("GET /y", br#"{"user": {"id": "x"}}"#, None) {
            Err(Error::Decode { endpoint, path, .. }) => {
                assert_eq!(endpoint, "GET /y");
                assert_eq!(path, "user.id");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn a_document_followed_by_other_data_is_refused() {
        for body in [&br#"{"a": 1} garbage"#[..], br#"{"a": 1}{}"#, b"[1]]"] {
            match decode::<Value>("GET /z", body, None) {
                Err(Error::Decode { path, source, .. }) => {
                    assert_eq!(path, ".");
                    assert!(source.to_string().contains("trailing"), "{source}");
                }
                other => panic!("{body:?}: expected a decode error, got {other:?}"),
            }
        }
    }

    #[test]
    fn debug_hides_the_api_key() {
        let client = AuthyApiClient::new("s3cr3t-key");
        assert_eq!(
            format!("{client:?}"),
            "AuthyApiClient { base_url: \"https://api.authy.com\", api_key: \"<redacted>\", timeout: 10s, max_retries: 3 }"
        );
        let builder = AuthyApiClient::builder("s3cr3t-key").timeout(Duration::from_secs(2));
        assert_eq!(
            format!("{builder:?}"),
            "AuthyApiClientBuilder { base_url: \"https://api.authy.com\", api_key: \"<redacted>\", timeout: 2s, max_retries: 3, max_body: 1048576 }"
        );
        assert_eq!(
            format!("{:?}", client.users()),
            "Users { client: AuthyApiClient { base_url: \"https://api.authy.com\", api_key: \"<redacted>\", timeout: 10s, max_retries: 3 } }"
        );
        assert_eq!(
            format!("{:#?}", client.one_touch())
                .matches("s3cr3t")
                .count(),
            0
        );
        for text in [
            format!("{:?}", client.tokens()),
            format!("{:?}", client.phones()),
            format!("{:?}", client.apps()),
            format!("{:?}", client.stats()),
            format!("{:#?}", client),
        ] {
            assert!(!text.contains("s3cr3t"), "{text}");
            assert!(text.contains("<redacted>"), "{text}");
        }
    }

    #[test]
    fn base_url_rules() {
        let c = AuthyApiClient::builder("k")
            .base_url("http://127.0.0.1:9/")
            .build()
            .unwrap();
        assert_eq!(c.base_url(), "http://127.0.0.1:9");
        for bad in [
            "http://api.authy.com",
            "api.authy.com",
            "https://u:p@api.authy.com",
            "https://api.authy.com?x=1",
        ] {
            let err = AuthyApiClient::builder("k")
                .base_url(bad)
                .build()
                .unwrap_err();
            assert!(
                matches!(err, Error::InvalidInput(InvalidInput::Refused { .. })),
                "{bad}: {err:?}"
            );
        }
        assert_eq!(AuthyApiClient::new("k").base_url(), DEFAULT_API_URI);
    }

    #[test]
    fn user_agent_names_the_client() {
        let ua = user_agent();
        assert!(
            ua.starts_with(concat!("AuthyRust/", env!("CARGO_PKG_VERSION"), " (")),
            "{ua}"
        );
        assert!(ua.ends_with("; Rust)"), "{ua}");
        assert!(ua.contains(std::env::consts::OS), "{ua}");
    }

    #[test]
    fn client_is_send_sync_and_cheap_to_clone() {
        fn check<T: Send + Sync + Clone>() {}
        check::<AuthyApiClient>();
        let a = AuthyApiClient::new("k");
        let b = a.clone();
        assert!(Arc::ptr_eq(&a.inner, &b.inner));
    }
}
