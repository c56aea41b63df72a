//! The blocking client: one method per endpoint.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use api_transport::{BaseUrl, ClientSettings, Headers, Method, Path, Request, Transport};
use serde::de::DeserializeOwned;

use crate::brand::Brand;
use crate::error::{ApiError, Error, Result};
use crate::models::de::truthy;
use crate::models::raw::{KeepsRaw, RawJson};
use crate::models::{
    Activity, ActivityFeed, Alarm, AlarmDevice, AlarmDeviceList, AlarmList, ArmState, Doorbell,
    DoorbellDetail, DoorbellList, House, Lock, LockDetail, LockDoorStatus, LockList, LockStatus,
    LockStatusResponse, Pin, PinList, RemoteOperationResult,
};
use crate::session::{AccessToken, LoginMethod, Session};

mod calls;
mod live;
pub use calls::{ApiCall, Delivery};
pub use live::{ActivityFormat, Unlatch};

/// Default timeout of a call.
pub const DEFAULT_TIMEOUT: Duration = api_transport::DEFAULT_TIMEOUT;
/// Default timeout of a remote lock operation, which waits for the bridge to reach the lock.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// Default cap of a JSON response body.
pub const DEFAULT_MAX_BODY: u64 = 4 * 1024 * 1024;
/// Default cap of a doorbell image.
pub const DEFAULT_MAX_IMAGE: u64 = 16 * 1024 * 1024;
/// Default `User-Agent`.
pub const DEFAULT_USER_AGENT: &str = concat!("august-rs/", env!("CARGO_PKG_VERSION"));
/// `Accept-Version` sent with every call (the legacy activity format the models read).
pub const ACCEPT_VERSION: &str = "0.0.1";

/// Blocking client of the August API.
///
/// Cheap to clone (clones share one connection pool and settings), `Send` and `Sync`. Every
/// call takes the access token it should use: get one with `august-auth`'s `Authenticator`.
///
/// ```no_run
/// use august_core::Api;
///
/// # fn main() -> Result<(), august_core::Error> {
/// let api = Api::new();
/// let token = std::env::var("AUGUST_ACCESS_TOKEN").unwrap_or_default();
/// for lock in api.get_locks(&token)? {
///     let detail = api.get_lock_detail(&token, lock.device_id())?;
///     println!("{}: {:?}", detail.device_name(), detail.lock_status());
/// }
/// # Ok(())
/// # }
/// ```
///
/// The example on each call runs against the embedded sandbox (`august-sandbox`), signed in as
/// its demo user in hidden lines: there `api` is an `Api` for the sandbox, `token` an access
/// token, and `demo` the sandbox's demo data (its locks, doorbells and house).
#[derive(Clone)]
pub struct Api {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    brand: Brand,
    base_url: String,
    api_key: String,
    command_timeout: Duration,
    max_image: u64,
    headers: Vec<(String, String)>,
    /// The base URL and the headers every request sends, checked and converted once.
    prebuilt: Option<Prebuilt>,
}

/// What every request of a client shares, built when the client is.
struct Prebuilt {
    base_url: BaseUrl,
    /// The headers of [`Api::request_versioned`] but the access token, with
    /// [`ACCEPT_VERSION`], then with [`crate::ACCEPT_VERSION_V4`].
    headers: Headers,
    headers_v4: Headers,
}

/// The headers every request to the API carries, but the access token and the extra headers
/// of [`ApiBuilder::header`]: `(name, value, secret)`.
fn api_headers<'a>(
    brand: Brand,
    api_key: &'a str,
    accept_version: &'a str,
) -> [(&'static str, &'a str, bool); 5] {
    let config = brand.config();
    [
        ("accept-version", accept_version, false),
        (config.api_key_header, api_key, true),
        (config.branding_header, config.branding, false),
        ("x-august-country", "US", false),
        ("content-type", "application/json", false),
    ]
}

impl Prebuilt {
    /// `None` when the base URL or a header cannot be sent: each request then says why, as a
    /// request built from scratch does.
    fn new(
        brand: Brand,
        base_url: &str,
        api_key: &str,
        extra: &[(String, String)],
    ) -> Option<Prebuilt> {
        let headers = |accept_version: &str| -> std::result::Result<Headers, api_transport::Error> {
            let mut headers = Headers::new();
            for (name, value, secret) in api_headers(brand, api_key, accept_version) {
                headers = if secret {
                    headers.secret_header(name, value)?
                } else {
                    headers.header(name, value)?
                };
            }
            for (name, value) in extra {
                headers = headers.header(name, value)?;
            }
            Ok(headers)
        };
        Some(Prebuilt {
            base_url: BaseUrl::parse(base_url).ok()?,
            headers: headers(ACCEPT_VERSION).ok()?,
            headers_v4: headers(crate::brand::ACCEPT_VERSION_V4).ok()?,
        })
    }
}

impl fmt::Debug for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Api")
            .field("brand", &self.inner.brand)
            .field("base_url", &self.inner.base_url)
            .field("api_key", &"<redacted>")
            .field("timeout", &self.inner.transport.timeout())
            .field("command_timeout", &self.inner.command_timeout)
            .finish()
    }
}

impl Default for Api {
    fn default() -> Self {
        Api::new()
    }
}

/// Builds an [`Api`]. Every setter says its default.
#[must_use]
#[derive(Clone)]
pub struct ApiBuilder {
    brand: Brand,
    base_url: Option<String>,
    api_key: Option<String>,
    command_timeout: Duration,
    user_agent: String,
    settings: ClientSettings,
    max_image: u64,
}

impl fmt::Debug for ApiBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiBuilder")
            .field("brand", &self.brand)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.settings.timeout)
            .field("command_timeout", &self.command_timeout)
            .field("headers", &self.settings.headers)
            .finish()
    }
}

api_transport::client_settings_setters! {
    ApiBuilder.settings; calls = "every call but remote lock operations";
    reads = "a read (GET)"; never = "Lock operations, logins and verification calls are never retried.";
    reserved = "the brand's API key, access token and branding headers, `Accept-Version`, `X-August-Country`"; body = "4 MiB";
}

impl ApiBuilder {
    /// The brand (host, API key, header names). Defaults to [`Brand::August`].
    pub fn brand(mut self, brand: Brand) -> Self {
        self.brand = brand;
        self
    }

    /// Overrides the brand's base URL (a local server, a proxy you run). It must be `https`,
    /// or `http` to a loopback host. Defaults to the brand's.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Overrides the brand's API key: the partner key the vendor gave you. The keys built into
    /// the public apps are refused by both backends today (a 403 of kind
    /// [`ApiErrorReason::ApiKeyRejected`](crate::ApiErrorReason::ApiKeyRejected)); the CLI takes
    /// it from `--api-key` or `AUGUST_API_KEY`. Defaults to the brand's built-in key.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Timeout of remote lock operations (lock, unlock, unlatch, their async forms, status
    /// wake-up); at most [`api_transport::LONGEST_TIMEOUT`]. Defaults to 60 s.
    pub fn command_timeout(mut self, timeout: Duration) -> Self {
        self.command_timeout = timeout.min(api_transport::LONGEST_TIMEOUT);
        self
    }

    /// The `User-Agent` header: visible ASCII, spaces and tabs, or [`ApiBuilder::build`]
    /// refuses it. Defaults to `august-rs/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Cap of a doorbell image in bytes. Defaults to 16 MiB.
    pub fn max_image(mut self, bytes: u64) -> Self {
        self.max_image = bytes;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] if the base URL is not `https` (or `http` to loopback) or is
    /// not a URL, the brand is retired and no API key was given, an extra header cannot be
    /// sent or would replace one the client sets, or the user agent cannot be sent.
    pub fn build(self) -> Result<Api> {
        let config = self.brand.config();
        let reserved = [
            config.api_key_header,
            config.access_token_header,
            config.branding_header,
            "accept-version",
            "x-august-country",
        ];
        let refused = |reason| Error::InvalidInput { reason };
        self.settings
            .check_headers(&[&reserved[..], &api_transport::RESERVED_HEADERS[..]].concat())
            .map_err(refused)?;
        api_transport::check_user_agent(&self.user_agent).map_err(refused)?;
        if config.retired && self.api_key.is_none() {
            return Err(Error::InvalidInput {
                reason: format!(
                    "brand {} is retired (the server refuses its built-in key): Yale Home accounts sign in with brand yale_global through OAuth; pass a key you were given with ApiBuilder::api_key to use it anyway",
                    config.id
                ),
            });
        }
        let base_url = self.base_url.as_deref().unwrap_or(config.base_url);
        let base_url =
            api_transport::checked_base_url(base_url.trim_end_matches('/')).map_err(refused)?;
        Ok(self.assemble(base_url))
    }

    /// Builds the client for an already checked base URL.
    fn assemble(self, base_url: String) -> Api {
        let config = self.brand.config();
        let transport = self.settings.transport(self.user_agent);
        let api_key = self.api_key.unwrap_or_else(|| config.api_key.to_owned());
        let prebuilt = Prebuilt::new(self.brand, &base_url, &api_key, &self.settings.headers);
        Api {
            inner: Arc::new(Inner {
                transport,
                brand: self.brand,
                base_url,
                api_key,
                command_timeout: self.command_timeout,
                max_image: self.max_image,
                headers: self.settings.headers,
                prebuilt,
            }),
        }
    }
}

/// Options of the asynchronous remote operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AsyncOperation {
    /// Whether the lock's bridge keeps a persistent connection (`LockDetail` bridge's
    /// `hyper_bridge`); adds `connection=persistent`. Defaults to `false`.
    pub persistent_connection: bool,
}

/// A doorbell snapshot: its bytes and content type.
#[derive(Clone, PartialEq, Eq)]
pub struct DoorbellImage {
    bytes: Vec<u8>,
    content_type: Option<String>,
}

impl DoorbellImage {
    /// The image bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Takes the image bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The `Content-Type` the server gave (`image/jpeg`), if any.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }
}

impl fmt::Debug for DoorbellImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DoorbellImage")
            .field("bytes", &self.bytes.len())
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// The remote operations of `/remoteoperate/{lock_id}/...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    Lock,
    Unlock,
    Unlatch,
}

impl Operation {
    fn segment(self) -> &'static str {
        match self {
            Operation::Lock => "lock",
            Operation::Unlock => "unlock",
            Operation::Unlatch => "unlatch",
        }
    }
}

impl Api {
    /// A client for [`Brand::August`] with the defaults.
    ///
    /// ```
    /// use august_core::{Api, Brand};
    ///
    /// let api = Api::new();
    /// assert_eq!(api.brand(), Brand::August);
    /// assert!(api.base_url().starts_with("https://"));
    /// ```
    pub fn new() -> Api {
        // The brand table holds only https URLs, so there is nothing to check.
        Api::builder().assemble(Brand::August.config().base_url.to_owned())
    }

    /// A builder with the defaults.
    ///
    /// ```
    /// use august_core::{Api, Brand};
    /// use std::time::Duration;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = august_sandbox::Sandbox::start()?;
    /// let api = Api::builder()
    ///     .brand(Brand::YaleAccess)
    ///     .base_url(sandbox.august_url()) // the real service when left out
    ///     .timeout(Duration::from_secs(10))
    ///     .build()?;
    /// assert_eq!(api.brand(), Brand::YaleAccess);
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder() -> ApiBuilder {
        ApiBuilder {
            brand: Brand::August,
            base_url: None,
            api_key: None,
            command_timeout: DEFAULT_COMMAND_TIMEOUT,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            settings: ClientSettings::new(DEFAULT_MAX_BODY),
            max_image: DEFAULT_MAX_IMAGE,
        }
    }

    /// The timeout of a call (the builder's `timeout`): every attempt, wait and retry of one
    /// call ends within it. Lock operations have their own ([`Api::command_timeout`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// use august_core::Api;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let api = Api::builder().timeout(Duration::from_secs(5)).build()?;
    /// assert_eq!(api.timeout(), Duration::from_secs(5));
    /// # Ok(())
    /// # }
    /// ```
    pub fn timeout(&self) -> Duration {
        self.inner.transport.timeout()
    }

    /// The timeout of a lock operation (the builder's `command_timeout`): the lock, unlock
    /// and unlatch calls and their asynchronous forms, which wait for the lock.
    ///
    /// ```
    /// use std::time::Duration;
    /// use august_core::Api;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let api = Api::builder().command_timeout(Duration::from_secs(30)).build()?;
    /// assert_eq!(api.command_timeout(), Duration::from_secs(30));
    /// # Ok(())
    /// # }
    /// ```
    pub fn command_timeout(&self) -> Duration {
        self.inner.command_timeout
    }

    /// The brand.
    ///
    /// ```
    /// use august_core::{Api, Brand};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let api = Api::builder().brand(Brand::YaleAccess).build()?;
    /// assert_eq!(api.brand(), Brand::YaleAccess);
    /// # Ok(())
    /// # }
    /// ```
    pub fn brand(&self) -> Brand {
        self.inner.brand
    }

    /// The headers every request of this client carries, for a connection the client does not
    /// make itself (the `yale_global` push websocket): the API key it was built with (a
    /// partner key set with [`ApiBuilder::api_key`] included), the branding, the access token
    /// and the extra headers of [`ApiBuilder::header`]. The key and the token are secrets:
    /// never log what this returns.
    ///
    /// ```
    /// use august_core::{Api, Brand};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let api = Api::builder().brand(Brand::YaleGlobal).api_key("partner-key").build()?;
    /// let headers = api.connection_headers("token");
    /// assert!(headers.contains(&("x-api-key".to_owned(), "partner-key".to_owned())));
    /// assert!(headers.contains(&("x-access-token".to_owned(), "token".to_owned())));
    /// # Ok(())
    /// # }
    /// ```
    pub fn connection_headers(&self, access_token: &str) -> Vec<(String, String)> {
        let config = self.inner.brand.config();
        let mut headers = vec![
            (
                config.api_key_header.to_owned(),
                self.inner.api_key.as_str().to_owned(),
            ),
            (
                config.branding_header.to_owned(),
                config.branding.to_owned(),
            ),
            (
                config.access_token_header.to_owned(),
                access_token.to_owned(),
            ),
        ];
        headers.extend(self.inner.headers.iter().cloned());
        headers
    }

    /// The base URL calls go to.
    ///
    /// ```
    /// use august_core::Api;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let api = Api::builder().base_url("http://127.0.0.1:8080").build()?;
    /// assert_eq!(api.base_url(), "http://127.0.0.1:8080");
    /// # Ok(())
    /// # }
    /// ```
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    // ----- plumbing -----

    fn request(&self, method: Method, path: Path, access_token: Option<&str>) -> Request {
        self.request_versioned(method, path, access_token, ACCEPT_VERSION)
    }

    /// [`Api::request`] with another `Accept-Version` (the v4 activity feed).
    fn request_versioned(
        &self,
        method: Method,
        path: Path,
        access_token: Option<&str>,
        accept_version: &'static str,
    ) -> Request {
        let config = self.inner.brand.config();
        if let Some(prebuilt) = &self.inner.prebuilt {
            let headers = match accept_version {
                ACCEPT_VERSION => Some(&prebuilt.headers),
                crate::brand::ACCEPT_VERSION_V4 => Some(&prebuilt.headers_v4),
                _ => None,
            };
            if let Some(headers) = headers {
                let request = Request::at(method, &prebuilt.base_url, path).headers(headers);
                return match access_token {
                    Some(token) => request.secret_header(config.access_token_header, token),
                    None => request,
                };
            }
        }
        let mut request = Request::new(method, &self.inner.base_url, path);
        for (name, value, secret) in
            api_headers(self.inner.brand, &self.inner.api_key, accept_version)
        {
            request = match (name, secret) {
                ("content-type", _) => request.content_type(value),
                (_, true) => request.secret_header(name, value),
                (_, false) => request.header(name, value),
            };
        }
        if let Some(token) = access_token {
            request = request.secret_header(config.access_token_header, token);
        }
        for (name, value) in &self.inner.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        request
    }

    fn endpoint(request: &Request) -> String {
        // Built for every decoded answer: joined by hand, without the formatting machinery.
        let (method, path) = (request.method().as_str(), request.path().redacted());
        let mut endpoint = String::with_capacity(method.len() + 1 + path.len());
        endpoint.push_str(method);
        endpoint.push(' ');
        endpoint.push_str(path);
        endpoint
    }

    /// Sends and maps any non-2xx status to [`Error::Api`].
    fn send(&self, request: &Request, remote_operation: bool) -> Result<api_transport::Response> {
        // The endpoint text is built only for an error.
        let response = self
            .inner
            .transport
            .send(request)
            .map_err(|e| Error::from_transport(e, Self::endpoint(request), remote_operation))?;
        if (200..300).contains(&response.status()) {
            Ok(response)
        } else {
            Err(
                ApiError::from_response(Self::endpoint(request), &response, remote_operation)
                    .into(),
            )
        }
    }

    fn send_json<T: DeserializeOwned>(&self, request: &Request) -> Result<T> {
        let response = self.send(request, false)?;
        decode_at(&|| Self::endpoint(request), response.body())
    }

    fn token_path_check(token: &str) -> Result<()> {
        if token.is_empty() {
            return Err(Error::InvalidInput {
                reason: "empty access token: authenticate first".into(),
            });
        }
        Ok(())
    }

    fn get<T: DeserializeOwned>(&self, access_token: &str, path: Path) -> Result<T> {
        Self::token_path_check(access_token)?;
        self.send_json(&self.request(Method::Get, path, Some(access_token)))
    }

    /// [`Api::get`] for a model that keeps the answer's text for `raw()`.
    fn get_keeping_raw<M: KeepsRaw>(&self, access_token: &str, path: Path) -> Result<M> {
        Self::token_path_check(access_token)?;
        let request = self.request(Method::Get, path, Some(access_token));
        let response = self.send(&request, false)?;
        decode_keeping_raw(&|| Self::endpoint(&request), response.into_body())
    }

    fn new_token_from(
        &self,
        request: &Request,
        response: &api_transport::Response,
    ) -> Result<String> {
        response
            .header("x-access-token")
            .or_else(|| response.header("x-august-access-token"))
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| Error::Decode {
                endpoint: Self::endpoint(request),
                path: "header x-august-access-token".into(),
                reason: "the response carries no access token".into(),
            })
    }

    // ----- login -----

    /// Starts a login (`POST /session`): the answer carries an access token in a header and
    /// says whether the password and the install id are verified. Never retried.
    ///
    /// `identifier` is `<method>:<username>` (see [`LoginMethod::identifier`]).
    ///
    /// ```
    /// # use august_core::{Api, LoginMethod};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// let identifier = LoginMethod::Phone.identifier(demo::PHONE);
    /// let session = api.get_session("my-install-id", &identifier, demo::PASSWORD)?;
    /// assert!(session.password_verified());
    /// // A new install id must be validated with a code before the token works everywhere.
    /// assert!(!session.install_id_verified());
    /// println!("token valid until {}", session.expires_at());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidInput`] for a brand that signs in with OAuth only: use
    ///   `august_auth::OAuthClient` instead.
    /// - [`Error::Api`] for an error status (a wrong password is not one: check
    ///   [`Session::password_verified`]); 429: wait before trying again.
    /// - [`Error::Decode`] when the token header or one of `expiresAt`, `vPassword`,
    ///   `vInstallId` is missing: report it.
    /// - The transport errors: a login is never resent for you; [`Error::NotDelivered`] is safe
    ///   to try again, and so is a timeout (a new login replaces the old one).
    pub fn get_session(
        &self,
        install_id: &str,
        identifier: &str,
        password: &str,
    ) -> Result<Session> {
        if self.inner.brand.config().requires_oauth {
            return Err(Error::InvalidInput {
                reason: format!(
                    "brand {} requires an OAuth access token; password login is not available",
                    self.inner.brand
                ),
            });
        }
        let body = serde_json::json!({
            "installId": install_id,
            "identifier": identifier,
            "password": password,
        });
        let request = self
            .request(Method::Post, Path::new().lit("session"), None)
            .json_body(body.to_string().into_bytes())
            .secret_value(password)
            .secret_value(identifier)
            .secret_value(
                identifier
                    .split_once(':')
                    .map_or(identifier, |(_, user)| user),
            );
        let response = self.send(&request, false)?;
        let access_token = self.new_token_from(&request, &response)?;
        let endpoint = Self::endpoint(&request);
        let raw: serde_json::Value = decode(&endpoint, response.body())?;
        let field = |name: &str| -> Result<&serde_json::Value> {
            raw.get(name).ok_or_else(|| Error::Decode {
                endpoint: endpoint.clone(),
                path: name.to_owned(),
                reason: format!("missing field `{name}`"),
            })
        };
        let expires_at = field("expiresAt")?
            .as_str()
            .ok_or_else(|| Error::Decode {
                endpoint: endpoint.clone(),
                path: "expiresAt".to_owned(),
                reason: "`expiresAt` is not a string".to_owned(),
            })?
            .to_owned();
        Ok(Session {
            access_token,
            expires_at,
            password_verified: truthy(field("vPassword")?),
            install_id_verified: truthy(field("vInstallId")?),
        })
    }

    /// Asks the server to send a verification code (`POST /validation/phone` or `/email`) to
    /// `username`, using the provisional token of [`Api::get_session`]. Never retried.
    ///
    /// ```
    /// # use august_core::{Api, LoginMethod};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// let identifier = LoginMethod::Phone.identifier(demo::PHONE);
    /// let session = api.get_session("my-install-id", &identifier, demo::PASSWORD)?;
    /// api.send_verification_code(session.access_token(), LoginMethod::Phone, demo::PHONE)?;
    /// // The code goes out by SMS; the sandbox keeps it instead.
    /// assert!(sandbox.august_verification_code().is_some());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`] for an error status (401: the provisional token expired, log in again;
    /// 429: too many codes, wait). [`Error::Timeout`] and [`Error::ConnectionLost`]: a code may
    /// have gone out, so ask the user before sending another; [`Error::NotDelivered`]: nothing
    /// was sent, try again.
    pub fn send_verification_code(
        &self,
        access_token: &str,
        login_method: LoginMethod,
        username: &str,
    ) -> Result<()> {
        Self::token_path_check(access_token)?;
        let path = match login_method {
            LoginMethod::Phone => Path::new().lit("validation").lit("phone"),
            LoginMethod::Email => Path::new().lit("validation").lit("email"),
        };
        let body = serde_json::json!({ "value": username });
        let request = self
            .request(Method::Post, path, Some(access_token))
            .json_body(body.to_string().into_bytes())
            .secret_value(username);
        self.send(&request, false).map(drop)
    }

    /// Submits a verification code (`POST /validate/phone` or `/email`); the code travels as a
    /// JSON string, leading zeros kept. Never retried.
    ///
    /// ```
    /// # use august_core::{Api, LoginMethod};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// let identifier = LoginMethod::Phone.identifier(demo::PHONE);
    /// let session = api.get_session("my-install-id", &identifier, demo::PASSWORD)?;
    /// api.send_verification_code(session.access_token(), LoginMethod::Phone, demo::PHONE)?;
    /// let code = sandbox.august_verification_code().ok_or("no code")?; // what the user types in
    /// api.validate_verification_code(session.access_token(), LoginMethod::Phone, demo::PHONE, &code)?;
    ///
    /// // Logging in again with the same install id gives a token for everything.
    /// let session = api.get_session("my-install-id", &identifier, demo::PASSWORD)?;
    /// assert!(session.install_id_verified());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`] for an error status: a wrong or expired code is a 4xx other than 401
    /// (ask the user again, or send a new code); 401 means the provisional token expired (log in
    /// again). The transport errors: safe to try again with the same code.
    pub fn validate_verification_code(
        &self,
        access_token: &str,
        login_method: LoginMethod,
        username: &str,
        code: &str,
    ) -> Result<()> {
        Self::token_path_check(access_token)?;
        let path = match login_method {
            LoginMethod::Phone => Path::new().lit("validate").lit("phone"),
            LoginMethod::Email => Path::new().lit("validate").lit("email"),
        };
        let mut body = serde_json::Map::new();
        body.insert(login_method.as_str().to_owned(), username.into());
        body.insert("code".to_owned(), code.into());
        let request = self
            .request(Method::Post, path, Some(access_token))
            .json_body(serde_json::Value::Object(body).to_string().into_bytes())
            .secret_value(code)
            .secret_value(username);
        self.send(&request, false).map(drop)
    }

    /// Gets a fresh access token (`GET /users/houses/mine`, token read from the response
    /// header). The token does not show itself in `Debug` (see [`AccessToken`]).
    ///
    /// ```
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// let fresh = api.refresh_access_token(token)?;
    /// // Use the new token from now on; it does not show itself in `Debug`.
    /// assert_eq!(api.get_houses(fresh.as_str())?.len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`]: 401 when the token is no longer valid (sign in again).
    /// [`Error::Decode`] when the response has no token header (keep the current token). The
    /// transport errors: the current token stays valid, try again later.
    pub fn refresh_access_token(&self, access_token: &str) -> Result<AccessToken> {
        Self::token_path_check(access_token)?;
        let request = self.request(
            Method::Get,
            Path::new().lit("users").lit("houses").lit("mine"),
            Some(access_token),
        );
        let response = self.send(&request, false)?;
        self.new_token_from(&request, &response)
            .map(AccessToken::from)
    }

    // ----- doorbells -----

    /// The account's doorbells (`GET /users/doorbells/mine`), in the server's order.
    ///
    /// ```
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// let doorbells = api.get_doorbells(token)?;
    /// for doorbell in &doorbells {
    ///     println!("{} {} online: {}", doorbell.device_id(), doorbell.device_name(), doorbell.is_online());
    /// }
    /// assert_eq!(doorbells.len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::Api`] for an error status: 401 ([`Error::is_unauthorized`]) means the token
    ///   expired or was revoked, so sign in again; 404 an unknown id. 429, 502, 503 and 504 were
    ///   already retried within the call's deadline: try again later.
    /// - [`Error::NotDelivered`], [`Error::Timeout`], [`Error::ConnectionLost`]: a read is safe
    ///   to try again.
    /// - [`Error::Decode`]: the answer does not fit the model; report it with the endpoint and
    ///   JSON path the error names.
    pub fn get_doorbells(&self, access_token: &str) -> Result<Vec<Doorbell>> {
        let list: DoorbellList = self.get(
            access_token,
            Path::new().lit("users").lit("doorbells").lit("mine"),
        )?;
        Ok(list.into_vec())
    }

    /// One doorbell's detail (`GET /doorbells/{id}`).
    ///
    /// ```
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// let doorbell = api.get_doorbell_detail(token, demo::FRONT_DOORBELL_ID)?;
    /// assert_eq!(doorbell.device_name(), "Front Door");
    /// assert!(doorbell.is_online());
    /// println!("firmware {}, battery {:?}", doorbell.firmware_version(), doorbell.battery_level());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`]: 404 for an unknown id (list the devices again), 401 sign in again.
    /// [`Error::Decode`] when the answer does not fit the model (report it); the transport
    /// errors, after which a read is safe to try again.
    pub fn get_doorbell_detail(
        &self,
        access_token: &str,
        doorbell_id: &str,
    ) -> Result<DoorbellDetail> {
        self.get(access_token, Path::new().lit("doorbells").seg(doorbell_id))
    }

    /// Wakes a doorbell up (`PUT /doorbells/{id}/wakeup`). Never retried.
    ///
    /// ```
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// api.wakeup_doorbell(token, demo::FRONT_DOORBELL_ID)?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`]: 404 for an unknown id, 401 sign in again, and any status of an offline
    /// doorbell (try again when [`DoorbellDetail::is_online`]). The transport errors: waking
    /// twice does no harm, so it is safe to try again.
    pub fn wakeup_doorbell(&self, access_token: &str, doorbell_id: &str) -> Result<()> {
        Self::token_path_check(access_token)?;
        let request = self.sent_as(
            self.request(
                Method::Put,
                Path::new().lit("doorbells").seg(doorbell_id).lit("wakeup"),
                Some(access_token),
            ),
            ApiCall::WakeupDoorbell,
        );
        self.send(&request, false).map(drop)
    }

    /// Downloads a doorbell's latest snapshot from its own host (a CDN), with none of the
    /// August headers: only `Authorization: <contentToken>` when the doorbell has one.
    ///
    /// ```
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// let doorbell = api.get_doorbell_detail(token, demo::FRONT_DOORBELL_ID)?;
    /// let image = api.get_doorbell_image(&doorbell)?;
    /// assert_eq!(image.content_type(), Some("image/jpeg"));
    /// println!("{} bytes", image.bytes().len());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when the doorbell has no image or its URL is not `https`;
    /// [`Error::Api`] for an error status (401: the content token expired, read the doorbell
    /// detail again); the transport errors.
    pub fn get_doorbell_image(&self, doorbell: &DoorbellDetail) -> Result<DoorbellImage> {
        let url = doorbell.image_url().ok_or_else(|| Error::InvalidInput {
            reason: "the doorbell has no image".into(),
        })?;
        self.get_image(url, doorbell.content_token().unwrap_or(""))
    }

    /// Downloads an image from an absolute URL, sending `Authorization: <content_token>` when
    /// the token is not empty and no other credential.
    ///
    /// ```
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// let doorbell = api.get_doorbell_detail(token, demo::FRONT_DOORBELL_ID)?;
    /// let url = doorbell.image_url().ok_or("no snapshot")?;
    /// let image = api.get_image(url, doorbell.content_token().unwrap_or(""))?;
    /// assert!(!image.bytes().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Api::get_doorbell_image`].
    pub fn get_image(&self, url: &str, content_token: &str) -> Result<DoorbellImage> {
        let mut request = Request::absolute(Method::Get, url).max_body(self.inner.max_image);
        if !content_token.is_empty() {
            request = request.secret_header("authorization", content_token);
        }
        let response = self.send(&request, false)?;
        let content_type = response.content_type().map(str::to_owned);
        Ok(DoorbellImage {
            bytes: response.into_body(),
            content_type,
        })
    }

    // ----- houses and activities -----

    /// The account's houses (`GET /users/houses/mine`).
    ///
    /// ```
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// let houses = api.get_houses(token)?;
    /// assert_eq!(houses[0].house_id(), demo::HOUSE_ID);
    /// assert_eq!(houses[0].name(), Some("Demo House"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::Api`] for an error status: 401 ([`Error::is_unauthorized`]) means the token
    ///   expired or was revoked, so sign in again; 404 an unknown id. 429, 502, 503 and 504 were
    ///   already retried within the call's deadline: try again later.
    /// - [`Error::NotDelivered`], [`Error::Timeout`], [`Error::ConnectionLost`]: a read is safe
    ///   to try again.
    /// - [`Error::Decode`]: the answer does not fit the model; report it with the endpoint and
    ///   JSON path the error names.
    pub fn get_houses(&self, access_token: &str) -> Result<Vec<House>> {
        self.get(
            access_token,
            Path::new().lit("users").lit("houses").lit("mine"),
        )
    }

    /// One house (`GET /houses/{id}`).
    ///
    /// ```
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// let house = api.get_house(token, demo::HOUSE_ID)?;
    /// assert_eq!(house.name(), Some("Demo House"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::Api`] for an error status: 401 ([`Error::is_unauthorized`]) means the token
    ///   expired or was revoked, so sign in again; 404 an unknown id. 429, 502, 503 and 504 were
    ///   already retried within the call's deadline: try again later.
    /// - [`Error::NotDelivered`], [`Error::Timeout`], [`Error::ConnectionLost`]: a read is safe
    ///   to try again.
    /// - [`Error::Decode`]: the answer does not fit the model; report it with the endpoint and
    ///   JSON path the error names.
    pub fn get_house(&self, access_token: &str, house_id: &str) -> Result<House> {
        self.get(access_token, Path::new().lit("houses").seg(house_id))
    }

    /// The latest `limit` activities of a house (`GET /houses/{id}/activities?limit=N`), in
    /// server order. Unknown actions are kept as [`Activity`] values of an unknown kind.
    ///
    /// ```
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// let activities = api.get_house_activities(token, demo::HOUSE_ID, 10)?;
    /// for activity in &activities {
    ///     println!(
    ///         "{:?} {} on {:?} by {:?}",
    ///         activity.start_time(),
    ///         activity.kind().as_str(),
    ///         activity.device_name(),
    ///         activity.operated_by(),
    ///     );
    /// }
    /// assert_eq!(activities.len(), 6);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::Api`] for an error status: 401 ([`Error::is_unauthorized`]) means the token
    ///   expired or was revoked, so sign in again; 404 an unknown id. 429, 502, 503 and 504 were
    ///   already retried within the call's deadline: try again later.
    /// - [`Error::NotDelivered`], [`Error::Timeout`], [`Error::ConnectionLost`]: a read is safe
    ///   to try again.
    /// - [`Error::Decode`]: the answer does not fit the model; report it with the endpoint and
    ///   JSON path the error names.
    pub fn get_house_activities(
        &self,
        access_token: &str,
        house_id: &str,
        limit: u32,
    ) -> Result<Vec<Activity>> {
        self.house_activities(access_token, house_id, limit, ACCEPT_VERSION)
    }

    /// `GET /houses/{id}/activities` with the feed format's `Accept-Version`.
    fn house_activities(
        &self,
        access_token: &str,
        house_id: &str,
        limit: u32,
        accept_version: &'static str,
    ) -> Result<Vec<Activity>> {
        Self::token_path_check(access_token)?;
        let request = self
            .request_versioned(
                Method::Get,
                Path::new().lit("houses").seg(house_id).lit("activities"),
                Some(access_token),
                accept_version,
            )
            .query("limit", limit.to_string());
        let feed: ActivityFeed = self.send_json(&request)?;
        Ok(feed.into_vec())
    }

    // ----- locks -----

    /// The account's locks (`GET /users/locks/mine`), in the server's order.
    ///
    /// ```
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// let locks = api.get_locks(token)?;
    /// for lock in &locks {
    ///     println!("{} {} in {:?}", lock.device_id(), lock.device_name(), lock.house_name());
    /// }
    /// assert_eq!(locks.len(), 3);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::Api`] for an error status: 401 ([`Error::is_unauthorized`]) means the token
    ///   expired or was revoked, so sign in again; 404 an unknown id. 429, 502, 503 and 504 were
    ///   already retried within the call's deadline: try again later.
    /// - [`Error::NotDelivered`], [`Error::Timeout`], [`Error::ConnectionLost`]: a read is safe
    ///   to try again.
    /// - [`Error::Decode`]: the answer does not fit the model; report it with the endpoint and
    ///   JSON path the error names.
    pub fn get_locks(&self, access_token: &str) -> Result<Vec<Lock>> {
        let list: LockList = self.get(
            access_token,
            Path::new().lit("users").lit("locks").lit("mine"),
        )?;
        Ok(list.into_vec())
    }

    /// The locks this account may operate (`UserType` `superuser`).
    ///
    /// ```
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// let locks = api.get_operable_locks(token)?;
    /// assert!(locks.iter().all(|lock| lock.is_operable()));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Api::get_locks`].
    pub fn get_operable_locks(&self, access_token: &str) -> Result<Vec<Lock>> {
        Ok(self
            .get_locks(access_token)?
            .into_iter()
            .filter(Lock::is_operable)
            .collect())
    }

    /// One lock's detail (`GET /locks/{id}`).
    ///
    /// ```
    /// use august_core::{LockDoorStatus, LockStatus};
    ///
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// let lock = api.get_lock_detail(token, demo::FRONT_DOOR_LOCK_ID)?;
    /// assert_eq!(lock.device_name(), "Front Door");
    /// assert_eq!(lock.lock_status(), &LockStatus::Locked);
    /// assert_eq!(lock.door_state(), &LockDoorStatus::Closed);
    /// println!("battery {:?}%, bridge online: {}", lock.battery_level(), lock.bridge_is_online());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`]: 404 for an unknown id (list the devices again), 401 sign in again.
    /// [`Error::Decode`] when the answer does not fit the model (report it); the transport
    /// errors, after which a read is safe to try again.
    pub fn get_lock_detail(&self, access_token: &str, lock_id: &str) -> Result<LockDetail> {
        self.get_keeping_raw(access_token, Path::new().lit("locks").seg(lock_id))
    }

    /// The lock's bolt and door state (`GET /locks/{id}/status`).
    ///
    /// ```
    /// use august_core::{LockDoorStatus, LockStatus};
    ///
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// let state = api.get_lock_state(token, demo::FRONT_DOOR_LOCK_ID)?;
    /// assert_eq!(state.status(), &LockStatus::Locked);
    /// assert_eq!(state.door_state(), &LockDoorStatus::Closed);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::Api`] for an error status: 401 ([`Error::is_unauthorized`]) means the token
    ///   expired or was revoked, so sign in again; 404 an unknown id. 429, 502, 503 and 504 were
    ///   already retried within the call's deadline: try again later.
    /// - [`Error::NotDelivered`], [`Error::Timeout`], [`Error::ConnectionLost`]: a read is safe
    ///   to try again.
    /// - [`Error::Decode`]: the answer does not fit the model; report it with the endpoint and
    ///   JSON path the error names.
    pub fn get_lock_state(&self, access_token: &str, lock_id: &str) -> Result<LockStatusResponse> {
        self.get(
            access_token,
            Path::new().lit("locks").seg(lock_id).lit("status"),
        )
    }

    /// The lock's bolt state (`GET /locks/{id}/status`).
    ///
    /// ```
    /// use august_core::LockStatus;
    ///
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// assert_eq!(api.get_lock_status(token, demo::FRONT_DOOR_LOCK_ID)?, LockStatus::Locked);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Api::get_lock_state`].
    pub fn get_lock_status(&self, access_token: &str, lock_id: &str) -> Result<LockStatus> {
        Ok(self.get_lock_state(access_token, lock_id)?.status().clone())
    }

    /// The door state from the lock's door sensor (`GET /locks/{id}/status`).
    ///
    /// ```
    /// use august_core::LockDoorStatus;
    ///
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// assert_eq!(api.get_lock_door_status(token, demo::FRONT_DOOR_LOCK_ID)?, LockDoorStatus::Closed);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Api::get_lock_state`].
    pub fn get_lock_door_status(
        &self,
        access_token: &str,
        lock_id: &str,
    ) -> Result<LockDoorStatus> {
        Ok(self
            .get_lock_state(access_token, lock_id)?
            .door_state()
            .clone())
    }

    /// The lock's entry codes (`GET /locks/{id}/pins`).
    ///
    /// ```
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// let pins = api.get_pins(token, demo::FRONT_DOOR_LOCK_ID)?;
    /// for pin in &pins {
    ///     println!("{} {}: slot {}, {}", pin.first_name(), pin.last_name(), pin.slot(), pin.state());
    /// }
    /// assert_eq!(pins.len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::Api`] for an error status: 401 ([`Error::is_unauthorized`]) means the token
    ///   expired or was revoked, so sign in again; 404 an unknown id. 429, 502, 503 and 504 were
    ///   already retried within the call's deadline: try again later.
    /// - [`Error::NotDelivered`], [`Error::Timeout`], [`Error::ConnectionLost`]: a read is safe
    ///   to try again.
    /// - [`Error::Decode`]: the answer does not fit the model; report it with the endpoint and
    ///   JSON path the error names.
    pub fn get_pins(&self, access_token: &str, lock_id: &str) -> Result<Vec<Pin>> {
        let list: PinList = self.get(
            access_token,
            Path::new().lit("locks").seg(lock_id).lit("pins"),
        )?;
        Ok(list.into_vec())
    }

    // ----- remote operations -----

    /// Sends `op` to the lock as `call` (its timeout and delivery).
    fn operate(
        &self,
        access_token: &str,
        lock_id: &str,
        op: Operation,
        call: ApiCall,
    ) -> Result<(String, RemoteOperationResult)> {
        Self::token_path_check(access_token)?;
        let request = self.sent_as(
            self.request(
                Method::Put,
                Path::new()
                    .lit("remoteoperate")
                    .seg(lock_id)
                    .lit(op.segment()),
                Some(access_token),
            ),
            call,
        );
        let endpoint = Self::endpoint(&request);
        let response = self.send(&request, call.delivery() == Delivery::LockOperation)?;
        let status = response.status();
        let result = decode(&endpoint, response.body()).map_err(|e| match e {
            Error::Decode {
                endpoint,
                path,
                reason,
            } => Error::Decode {
                endpoint,
                path,
                reason: format!(
                    "{reason}; the server accepted the operation (status {status}) but its answer could not be read: read the lock's status"
                ),
            },
            other => other,
        })?;
        Ok((endpoint, result))
    }

    fn operate_activities(
        &self,
        access_token: &str,
        lock_id: &str,
        op: Operation,
        call: ApiCall,
    ) -> Result<Vec<Activity>> {
        let (endpoint, result) = self.operate(access_token, lock_id, op, call)?;
        result.activities().ok_or_else(|| Error::Decode {
            endpoint,
            path: "info.startTime".into(),
            reason: "the answer has no info.startTime or info.lockID to build activities from; the operation itself succeeded".into(),
        })
    }

    /// Locks the lock (`PUT /remoteoperate/{id}/lock`) and returns its new state. Waits up to
    /// the command timeout; never resent.
    ///
    /// ```
    /// use august_core::LockStatus;
    ///
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// assert_eq!(api.lock(token, demo::FRONT_DOOR_LOCK_ID)?, LockStatus::Locked);
    ///
    /// // The back door has no bridge: the server refuses with 409.
    /// let error = api.lock(token, demo::BACK_DOOR_LOCK_ID).unwrap_err();
    /// assert_eq!(error.status(), Some(409));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::Api`]: 422 the bridge is offline (check its power and Wi-Fi); 423 the bridge
    ///   is busy (try again in a few seconds); 401 sign in again; another 4xx (the sandbox
    ///   answers 409 for a lock without a bridge) carries the server's message.
    /// - [`Error::Timeout`] / [`Error::ConnectionLost`], and [`Error::Api`] with 408 (the
    ///   bridge did not answer the server in time) or a 5xx (a server error): the lock may
    ///   have moved ([`Error::outcome_unknown`], kind
    ///   [`CheckLockState`](crate::ErrorKind::CheckLockState)). Read its state
    ///   ([`Api::get_lock_status`]) before sending the operation again: it is never resent
    ///   for you.
    /// - [`Error::NotDelivered`]: nothing was sent; safe to try again.
    /// - [`Error::Decode`]: the lock acted but the answer does not fit the model; read its state.
    pub fn lock(&self, access_token: &str, lock_id: &str) -> Result<LockStatus> {
        Ok(self
            .operate(access_token, lock_id, Operation::Lock, ApiCall::Lock)?
            .1
            .status()
            .clone())
    }

    /// Unlocks the lock (`PUT /remoteoperate/{id}/unlock`). As [`Api::lock`].
    ///
    /// ```
    /// use august_core::LockStatus;
    ///
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// assert_eq!(api.unlock(token, demo::FRONT_DOOR_LOCK_ID)?, LockStatus::Unlocked);
    /// assert_eq!(api.get_lock_status(token, demo::FRONT_DOOR_LOCK_ID)?, LockStatus::Unlocked);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Api::lock`].
    pub fn unlock(&self, access_token: &str, lock_id: &str) -> Result<LockStatus> {
        Ok(self
            .operate(access_token, lock_id, Operation::Unlock, ApiCall::Unlock)?
            .1
            .status()
            .clone())
    }

    /// Unlatches the lock (`PUT /remoteoperate/{id}/unlatch`, locks that support it). As
    /// [`Api::lock`].
    ///
    /// ```
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// let status = api.unlatch(token, demo::FRONT_DOOR_LOCK_ID)?;
    /// println!("now {}", status.as_str());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Api::lock`].
    pub fn unlatch(&self, access_token: &str, lock_id: &str) -> Result<LockStatus> {
        Ok(self
            .operate(access_token, lock_id, Operation::Unlatch, ApiCall::Unlatch)?
            .1
            .status()
            .clone())
    }

    /// Locks and returns the activities the answer describes (the lock operation, and the
    /// door state when the lock has a door sensor).
    ///
    /// ```
    /// use august_core::LockStatus;
    ///
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// let activities = api.lock_return_activities(token, demo::FRONT_DOOR_LOCK_ID)?;
    /// for activity in &activities {
    ///     println!("{} at {:?}", activity.kind().as_str(), activity.start_time());
    /// }
    /// assert!(activities.iter().any(|a| a.lock_status() == Some(LockStatus::Locked)));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Api::lock`]; [`Error::Decode`] when the answer is the short shape without
    /// `info.startTime` (the lock did move: read its state or the house's activities).
    pub fn lock_return_activities(
        &self,
        access_token: &str,
        lock_id: &str,
    ) -> Result<Vec<Activity>> {
        self.operate_activities(
            access_token,
            lock_id,
            Operation::Lock,
            ApiCall::LockReturnActivities,
        )
    }

    /// Unlocks and returns the activities. As [`Api::lock_return_activities`].
    ///
    /// ```
    /// use august_core::LockStatus;
    ///
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// let activities = api.unlock_return_activities(token, demo::FRONT_DOOR_LOCK_ID)?;
    /// for activity in &activities {
    ///     println!("{} at {:?}", activity.kind().as_str(), activity.start_time());
    /// }
    /// assert!(activities.iter().any(|a| a.lock_status() == Some(LockStatus::Unlocked)));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Api::lock_return_activities`].
    pub fn unlock_return_activities(
        &self,
        access_token: &str,
        lock_id: &str,
    ) -> Result<Vec<Activity>> {
        self.operate_activities(
            access_token,
            lock_id,
            Operation::Unlock,
            ApiCall::UnlockReturnActivities,
        )
    }

    /// Unlatches and returns the activities. As [`Api::lock_return_activities`].
    ///
    /// ```
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// let activities = api.unlatch_return_activities(token, demo::FRONT_DOOR_LOCK_ID)?;
    /// for activity in &activities {
    ///     println!("{} at {:?}", activity.kind().as_str(), activity.start_time());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Api::lock_return_activities`].
    pub fn unlatch_return_activities(
        &self,
        access_token: &str,
        lock_id: &str,
    ) -> Result<Vec<Activity>> {
        self.operate_activities(
            access_token,
            lock_id,
            Operation::Unlatch,
            ApiCall::UnlatchReturnActivities,
        )
    }

    fn operate_async(
        &self,
        access_token: &str,
        lock_id: &str,
        segment: &'static str,
        wakeup: bool,
        options: AsyncOperation,
        call: ApiCall,
    ) -> Result<String> {
        Self::token_path_check(access_token)?;
        let mut request = self
            .request(
                Method::Put,
                Path::new().lit("remoteoperate").seg(lock_id).lit(segment),
                Some(access_token),
            )
            .query("v", "2.3.1")
            .query("type", "async");
        if wakeup {
            request = request.query("intent", "wakeup");
        }
        if options.persistent_connection {
            request = request.query("connection", "persistent");
        }
        let request = self.sent_as(request, call);
        let response = self.send(&request, call.delivery() == Delivery::LockOperation)?;
        Ok(String::from_utf8_lossy(response.body()).into_owned())
    }

    /// Starts a lock operation without waiting for it (`?v=2.3.1&type=async`); the outcome
    /// arrives on the push channel. Returns the server's body as text. Never resent.
    ///
    /// ```
    /// use august_core::AsyncOperation;
    ///
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// // The outcome comes later, on the lock's push channel.
    /// let body = api.lock_async(token, demo::FRONT_DOOR_LOCK_ID, AsyncOperation::default())?;
    /// println!("accepted: {body}");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Api::lock`].
    pub fn lock_async(
        &self,
        access_token: &str,
        lock_id: &str,
        options: AsyncOperation,
    ) -> Result<String> {
        self.operate_async(
            access_token,
            lock_id,
            "lock",
            false,
            options,
            ApiCall::LockAsync,
        )
    }

    /// Starts an unlock without waiting for it. As [`Api::lock_async`].
    ///
    /// ```
    /// use august_core::AsyncOperation;
    ///
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// // The outcome comes later, on the lock's push channel.
    /// let body = api.unlock_async(token, demo::FRONT_DOOR_LOCK_ID, AsyncOperation::default())?;
    /// println!("accepted: {body}");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Api::lock`].
    pub fn unlock_async(
        &self,
        access_token: &str,
        lock_id: &str,
        options: AsyncOperation,
    ) -> Result<String> {
        self.operate_async(
            access_token,
            lock_id,
            "unlock",
            false,
            options,
            ApiCall::UnlockAsync,
        )
    }

    /// Starts an unlatch without waiting for it. As [`Api::lock_async`].
    ///
    /// ```
    /// use august_core::AsyncOperation;
    ///
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// // The outcome comes later, on the lock's push channel.
    /// let body = api.unlatch_async(token, demo::FRONT_DOOR_LOCK_ID, AsyncOperation::default())?;
    /// println!("accepted: {body}");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Api::lock`].
    pub fn unlatch_async(
        &self,
        access_token: &str,
        lock_id: &str,
        options: AsyncOperation,
    ) -> Result<String> {
        self.operate_async(
            access_token,
            lock_id,
            "unlatch",
            false,
            options,
            ApiCall::UnlatchAsync,
        )
    }

    /// Asks the lock to report its status (`status?v=2.3.1&type=async&intent=wakeup`). Wakes the
    /// lock and costs battery: do not call it in a loop.
    ///
    /// ```
    /// use august_core::AsyncOperation;
    ///
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// // The outcome comes later, on the lock's push channel.
    /// let body = api.status_async(token, demo::FRONT_DOOR_LOCK_ID, AsyncOperation::default())?;
    /// println!("accepted: {body}");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Api::lock`].
    pub fn status_async(
        &self,
        access_token: &str,
        lock_id: &str,
        options: AsyncOperation,
    ) -> Result<String> {
        self.operate_async(
            access_token,
            lock_id,
            "status",
            true,
            options,
            ApiCall::StatusAsync,
        )
    }

    // ----- user -----

    /// The signed-in user (`GET /users/me`), as raw JSON (`UserID`, names, ...).
    ///
    /// ```
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// let user = api.get_user(token)?;
    /// assert_eq!(user["UserID"], demo::USER_ID);
    /// assert_eq!(user["FirstName"], "Demo");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::Api`] for an error status: 401 ([`Error::is_unauthorized`]) means the token
    ///   expired or was revoked, so sign in again; 404 an unknown id. 429, 502, 503 and 504 were
    ///   already retried within the call's deadline: try again later.
    /// - [`Error::NotDelivered`], [`Error::Timeout`], [`Error::ConnectionLost`]: a read is safe
    ///   to try again.
    /// - [`Error::Decode`]: the answer does not fit the model; report it with the endpoint and
    ///   JSON path the error names.
    pub fn get_user(&self, access_token: &str) -> Result<serde_json::Value> {
        self.get(access_token, Path::new().lit("users").lit("me"))
    }

    // ----- alarms -----

    /// The account's alarms (`GET /users/alarms/mine`); empty without a request for brands
    /// without alarms.
    ///
    /// ```
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// for alarm in api.get_alarms(token)? {
    ///     println!("{} in house {}: {}", alarm.device_name(), alarm.house_id(), alarm.status());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::Api`] for an error status: 401 ([`Error::is_unauthorized`]) means the token
    ///   expired or was revoked, so sign in again; 404 an unknown id. 429, 502, 503 and 504 were
    ///   already retried within the call's deadline: try again later.
    /// - [`Error::NotDelivered`], [`Error::Timeout`], [`Error::ConnectionLost`]: a read is safe
    ///   to try again.
    /// - [`Error::Decode`]: the answer does not fit the model; report it with the endpoint and
    ///   JSON path the error names.
    pub fn get_alarms(&self, access_token: &str) -> Result<Vec<Alarm>> {
        if !self.inner.brand.config().supports_alarms {
            return Ok(Vec::new());
        }
        let list: AlarmList = self.get(
            access_token,
            Path::new().lit("users").lit("alarms").lit("mine"),
        )?;
        Ok(list.into_vec())
    }

    /// An alarm's devices (`GET /alarms/{id}/devices`); empty without a request for brands
    /// without alarms.
    ///
    /// ```
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// for alarm in api.get_alarms(token)? {
    ///     let Some(alarm_id) = alarm.device_id() else { continue };
    ///     for device in api.get_alarm_devices(token, alarm_id)? {
    ///         println!("{}: online {}, battery {}%", device.device_name(), device.is_online(), device.battery_level());
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::Api`] for an error status: 401 ([`Error::is_unauthorized`]) means the token
    ///   expired or was revoked, so sign in again; 404 an unknown id. 429, 502, 503 and 504 were
    ///   already retried within the call's deadline: try again later.
    /// - [`Error::NotDelivered`], [`Error::Timeout`], [`Error::ConnectionLost`]: a read is safe
    ///   to try again.
    /// - [`Error::Decode`]: the answer does not fit the model; report it with the endpoint and
    ///   JSON path the error names.
    pub fn get_alarm_devices(
        &self,
        access_token: &str,
        alarm_id: &str,
    ) -> Result<Vec<AlarmDevice>> {
        if !self.inner.brand.config().supports_alarms {
            return Ok(Vec::new());
        }
        let list: AlarmDeviceList = self.get(
            access_token,
            Path::new().lit("alarms").seg(alarm_id).lit("devices"),
        )?;
        Ok(list.into_vec())
    }

    /// Arms or disarms an alarm (`PUT /alarms/{id}/state/{state}` with its `areaIDs`); returns
    /// the server's JSON. Never resent. Brands without alarms get `{}` without a request.
    ///
    /// ```
    /// use august_core::ArmState;
    ///
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = &sandbox.demo_access_token();
    /// for alarm in api.get_alarms(token)? {
    ///     let answer = api.arm_alarm(token, &alarm, &ArmState::Away)?;
    ///     println!("{answer}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::Api`] for an error status: 401 ([`Error::is_unauthorized`]) means the token
    ///   expired or was revoked, so sign in again; 404 an unknown id. 429, 502, 503 and 504 were
    ///   already retried within the call's deadline: try again later.
    /// - [`Error::NotDelivered`], [`Error::Timeout`], [`Error::ConnectionLost`]: a read is safe
    ///   to try again.
    /// - [`Error::Decode`]: the answer does not fit the model; report it with the endpoint and
    ///   JSON path the error names.
    pub fn arm_alarm(
        &self,
        access_token: &str,
        alarm: &Alarm,
        state: &ArmState,
    ) -> Result<serde_json::Value> {
        if !self.inner.brand.config().supports_alarms {
            return Ok(serde_json::Value::Object(serde_json::Map::new()));
        }
        Self::token_path_check(access_token)?;
        let alarm_id = alarm.device_id().ok_or_else(|| Error::InvalidInput {
            reason: "the alarm has no alarmID".into(),
        })?;
        let body = serde_json::json!({ "areaIDs": alarm.area_ids() });
        let request = self
            .request(
                Method::Put,
                Path::new()
                    .lit("alarms")
                    .seg(alarm_id)
                    .lit("state")
                    .seg(state.as_str()),
                Some(access_token),
            )
            .json_body(body.to_string().into_bytes());
        let request = self.sent_as(request, ApiCall::ArmAlarm);
        let response = self.send(&request, false)?;
        if response.body().iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Value::Null);
        }
        decode(&Self::endpoint(&request), response.body())
    }
}

/// Decodes a JSON body, naming the JSON path where it does not fit.
///
/// A well-formed body is decoded directly. Tracking the path costs an allocation per object
/// key and per level (about half the time of a lock detail's decoding), so only a body that
/// fails is decoded a second time with `serde_path_to_error`, which gives the path and the
/// same error as a tracked first pass would have.
fn decode<T: DeserializeOwned>(endpoint: &str, body: &[u8]) -> Result<T> {
    decode_at(&|| endpoint.to_owned(), body)
}

/// Decodes a body whose model keeps the answer's text for `raw()`: the wire struct is read
/// in one pass and the body's bytes are kept beside it.
fn decode_keeping_raw<M: KeepsRaw>(endpoint: &dyn Fn() -> String, body: Vec<u8>) -> Result<M> {
    let wire = match M::read_wire_bytes(&body) {
        Ok(wire) => wire,
        Err(_) => decode_tracked::<M::Wire>(endpoint, &body)?,
    };
    Ok(M::from_wire(wire, RawJson::from_body(body)))
}

/// [`decode`] with the endpoint's text built only when the body does not decode.
fn decode_at<T: DeserializeOwned>(endpoint: &dyn Fn() -> String, body: &[u8]) -> Result<T> {
    match crate::models::raw::from_json_bytes(body) {
        Ok(value) => Ok(value),
        Err(_) => decode_tracked(endpoint, body),
    }
}

/// Decodes a body that failed a direct decode again, tracking the path, for the error.
fn decode_tracked<T: DeserializeOwned>(endpoint: &dyn Fn() -> String, body: &[u8]) -> Result<T> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut *de);
    if let Ok(value) = value {
        // The tracked pass reads one document and stops; the first pass failed, so what
        // follows the document (garbage, a second document) is the fault.
        return match de.end() {
            Ok(()) => Ok(value),
            Err(e) => Err(Error::Decode {
                endpoint: endpoint(),
                path: ".".to_owned(),
                reason: format!("the JSON document is followed by other data ({e})"),
            }),
        };
    }
    value.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let reason = if body.iter().all(u8::is_ascii_whitespace) {
            "empty body".to_owned()
        } else {
            inner.to_string()
        };
        Error::Decode {
            endpoint: endpoint(),
            path,
            reason,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_names_the_path_only_when_needed() {
        let ok: LockStatusResponse =
            decode("GET /x", br#"{"status": "kAugLockState_Locked"}"#).expect("decodes");
        assert_eq!(ok.status(), &LockStatus::Locked);
        // A body that fails the direct decode is decoded again to name where it fails.
        match decode_keeping_raw::<LockDetail>(
            &|| "GET /locks/{id}".into(),
            br#"{"LockID": 7}"#.to_vec(),
        ) {
            Err(Error::Decode {
                endpoint,
                path,
                reason,
            }) => {
                assert_eq!(endpoint, "GET /locks/{id}");
                assert_eq!(path, "LockID");
                assert!(reason.starts_with("invalid type: integer `7`"), "{reason}");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
        match decode::<LockStatusResponse>("GET /x", b"  ") {
            Err(Error::Decode { reason, .. }) => assert_eq!(reason, "empty body"),
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn a_lock_detail_names_the_place_inside_an_entry_it_keeps() {
        let body = br#"{"LockID": "L", "LockName": "N", "HouseID": "H", "SerialNumber": "S",
            "currentFirmwareVersion": "1", "battery": 0.5,
            "keypad": {"_id": "K", "serialNumber": "S", "currentFirmwareVersion": "1"}}"#;
        match decode_keeping_raw::<LockDetail>(&|| "GET /locks/{id}".into(), body.to_vec()) {
            Err(Error::Decode { path, reason, .. }) => {
                assert_eq!(path, "keypad");
                assert!(
                    reason.starts_with("missing field `batteryLevel`"),
                    "{reason}"
                );
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn a_truncated_activity_feed_names_the_entry_where_it_ends() {
        // Activities keep their entry's text; the path-tracking second pass still reads them.
        let body = br#"{"events": [{"action": "lock", "dateTime": 1}, {"action": "unl"#;
        match decode::<ActivityFeed>("GET /houses/{id}/activities", body) {
            Err(Error::Decode { path, reason, .. }) => {
                assert_eq!(path, "events[1]");
                assert!(reason.starts_with("EOF while parsing a string"), "{reason}");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
        let whole = br#"{"events": [{"action": "lock", "dateTime": 1}]}"#;
        let feed: ActivityFeed = decode("GET /x", whole).expect("decodes");
        let entry = serde_json::json!({"action": "lock", "dateTime": 1});
        assert_eq!(feed.as_slice()[0].raw(), &entry);
    }
}
