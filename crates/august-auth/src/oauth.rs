//! OAuth sign-in for holders of client credentials: the authorization-code flow and refresh as
//! the August and Yale authorization servers expect them.
//!
//! The flow (spec: the code flow Home Assistant's local application credentials run):
//! 1. [`OAuthClient::authorization_request`] gives the URL to open in a browser, with
//!    `response_type=code`, `client_id`, `redirect_uri` and a random `state`; no `scope`, no
//!    PKCE (the servers are not known to accept either).
//! 2. The browser comes back to the redirect URI with `code` and `state`: a program on the
//!    user's machine listens there with a [`RedirectReceiver`] (bound before step 1), which
//!    answers the browser, checks the state and takes the code; a web application reads the
//!    redirect itself and gives it to [`AuthorizationRequest::code_from_redirect`].
//! 3. [`OAuthClient::exchange_code`] posts `grant_type=authorization_code`, `code`,
//!    `redirect_uri`, `client_id`, `client_secret` (client authentication in the form body,
//!    never HTTP Basic) to the token URL.
//! 4. [`OAuthClient::refresh`] posts `grant_type=refresh_token`, `refresh_token`,
//!    `client_id`, `client_secret`. A reply without a `refresh_token` keeps the old one.
//!
//! Requests go through the `oauth2` crate over the shared transport: one deadline per call, no
//! redirects followed, a body cap, never retried, and the client secret, code and refresh token
//! scrubbed from any error answer that echoes them.

use std::cell::Cell;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use api_transport::{ErrorKind, HasErrorKind, Method, Request, Retry, Secret, Transport};
use august_core::Brand;
use chrono::{DateTime, TimeDelta, Utc};
use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
    BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet, RedirectUrl,
    RequestTokenError, StandardRevocableToken, TokenUrl,
};
use serde::{Deserialize, Serialize};

mod redirect;

pub use redirect::{DEFAULT_REDIRECT_TIMEOUT, RedirectReceiver};

/// Default timeout of a token request.
pub const DEFAULT_OAUTH_TIMEOUT: Duration = Duration::from_secs(20);

/// The content type of a token request's body.
const FORM: &str = "application/x-www-form-urlencoded";

/// Largest token reply accepted.
const MAX_TOKEN_REPLY: u64 = 64 * 1024;

/// The OAuth client of a brand's authorization server: your client id, client secret and
/// registered redirect URI.
///
/// Cheap to clone, `Send` and `Sync`. `Debug` shows the client id and the endpoints, never the
/// secret.
///
/// ```no_run
/// use august_auth::OAuthClient;
/// use august_core::Brand;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let client = OAuthClient::new(
///     Brand::YaleGlobal,
///     "my-client-id",
///     std::env::var("AUGUST_OAUTH_CLIENT_SECRET")?,
///     "http://127.0.0.1:8765/callback",
/// )?;
/// let request = client.authorization_request();
/// println!("open {}", request.url());
/// // ... the browser comes back to the redirect URI:
/// let redirected = "http://127.0.0.1:8765/callback?code=...&state=...";
/// let code = request.code_from_redirect(redirected)?;
/// let tokens = client.exchange_code(&code)?;
/// println!("expires at {:?}", tokens.expires_at());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct OAuthClient {
    inner: Arc<ClientInner>,
}

#[derive(Clone)]
struct ClientInner {
    brand: Brand,
    client_id: String,
    client_secret: String,
    redirect_uri: String,
    authorize_url: String,
    token_url: String,
    transport: Transport,
    headers: Vec<(String, String)>,
    /// The `oauth2` client, built once from the URLs above.
    oauth2: Oauth2Client,
}

impl fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthClient")
            .field("brand", &self.inner.brand)
            .field("client_id", &self.inner.client_id)
            .field("client_secret", &"<redacted>")
            .field("redirect_uri", &self.inner.redirect_uri)
            .field("authorize_url", &self.inner.authorize_url)
            .field("token_url", &self.inner.token_url)
            .finish()
    }
}

type Oauth2Client = oauth2::Client<
    BasicErrorResponse,
    TokenReply,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

impl OAuthClient {
    /// A client for `brand`'s authorization server (its URLs from the brand table).
    ///
    /// ```
    /// use august_auth::OAuthClient;
    /// use august_core::Brand;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = OAuthClient::new(Brand::YaleGlobal, "my-client-id", "my-secret", "http://127.0.0.1:8765/callback")?;
    /// assert_eq!(client.brand(), Brand::YaleGlobal);
    /// // A brand that signs in with a password has no OAuth server.
    /// assert!(OAuthClient::new(Brand::August, "id", "secret", "http://127.0.0.1:8765/callback").is_err());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`OAuthError::InvalidConfig`] when the brand does not sign in with OAuth, the client id
    /// is empty or the redirect URI is not a URL.
    pub fn new(
        brand: Brand,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> Result<OAuthClient, OAuthError> {
        let endpoints = brand.config().oauth.ok_or_else(|| OAuthError::InvalidConfig {
            reason: format!(
                "brand {brand} does not sign in with OAuth (only yale_global and yale_august do)"
            ),
        })?;
        OAuthClient::with_endpoints(
            brand,
            client_id,
            client_secret,
            redirect_uri,
            endpoints.authorize_url,
            endpoints.token_url,
        )
    }

    /// A client for other endpoints than the brand's (a local sandbox, a test server). The
    /// URLs must be `https`, or `http` to a loopback host.
    ///
    /// ```
    /// use august_auth::OAuthClient;
    /// use august_core::Brand;
    /// use august_sandbox::{Sandbox, demo};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sandbox = Sandbox::start()?;
    /// let (authorize_url, token_url) = sandbox.oauth_endpoints("yale_global");
    /// let client = OAuthClient::with_endpoints(
    ///     Brand::YaleGlobal,
    ///     demo::OAUTH_CLIENT_ID,
    ///     demo::OAUTH_CLIENT_SECRET,
    ///     "http://127.0.0.1:8765/callback",
    ///     authorize_url,
    ///     token_url.clone(),
    /// )?;
    /// assert_eq!(client.token_url(), token_url);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`OAuthClient::new`], and when an endpoint is not an acceptable URL.
    pub fn with_endpoints(
        brand: Brand,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        redirect_uri: impl Into<String>,
        authorize_url: impl Into<String>,
        token_url: impl Into<String>,
    ) -> Result<OAuthClient, OAuthError> {
        let (client_id, client_secret, redirect_uri, authorize_url, token_url) = (
            client_id.into(),
            client_secret.into(),
            redirect_uri.into(),
            authorize_url.into(),
            token_url.into(),
        );
        if client_id.trim().is_empty() {
            return Err(OAuthError::InvalidConfig {
                reason: "the client id is empty".into(),
            });
        }
        for (what, url) in [("authorize URL", &authorize_url), ("token URL", &token_url)] {
            api_transport::check_base_url(url).map_err(|e| OAuthError::InvalidConfig {
                reason: format!("the {what} is not usable: {e}"),
            })?;
        }
        let invalid = |what: &'static str| {
            move |e: oauth2::url::ParseError| OAuthError::InvalidConfig {
                reason: format!("the {what} is not a URL: {e}"),
            }
        };
        let mut oauth2 = oauth2::Client::new(ClientId::new(client_id.clone()))
            .set_auth_uri(AuthUrl::new(authorize_url.clone()).map_err(invalid("authorize URL"))?)
            .set_token_uri(TokenUrl::new(token_url.clone()).map_err(invalid("token URL"))?)
            .set_redirect_uri(
                RedirectUrl::new(redirect_uri.clone()).map_err(invalid("redirect URI"))?,
            )
            .set_auth_type(AuthType::RequestBody);
        if !client_secret.is_empty() {
            oauth2 = oauth2.set_client_secret(ClientSecret::new(client_secret.clone()));
        }
        Ok(OAuthClient {
            inner: Arc::new(ClientInner {
                brand,
                client_id,
                client_secret,
                redirect_uri,
                authorize_url,
                token_url,
                transport: transport(DEFAULT_OAUTH_TIMEOUT),
                headers: Vec::new(),
                oauth2,
            }),
        })
    }

    /// Sets the timeout of each token request (the whole call). Defaults to 20 s
    /// ([`DEFAULT_OAUTH_TIMEOUT`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// use august_auth::OAuthClient;
    /// use august_core::Brand;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = OAuthClient::new(Brand::YaleGlobal, "my-client-id", "my-secret",
    ///     "http://127.0.0.1:8765/callback")?
    ///     .timeout(Duration::from_secs(60));
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn timeout(self, timeout: Duration) -> OAuthClient {
        let inner = ClientInner {
            transport: transport(timeout),
            ..ClientInner::clone(&self.inner)
        };
        OAuthClient {
            inner: Arc::new(inner),
        }
    }

    /// Adds a header sent with every token request (a tracing id, a proxy's header); call it
    /// again for more. Not for credentials: it is not redacted. Defaults to none.
    ///
    /// ```
    /// use august_auth::OAuthClient;
    /// use august_core::Brand;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = OAuthClient::new(Brand::YaleGlobal, "my-client-id", "my-secret",
    ///     "http://127.0.0.1:8765/callback")?
    ///     .header("x-request-id", "sign-in-42")?;
    /// # let _ = client;
    /// // The client sets these itself: refused.
    /// let taken = OAuthClient::new(Brand::YaleGlobal, "my-client-id", "my-secret",
    ///     "http://127.0.0.1:8765/callback")?
    ///     .header("Authorization", "Basic abc");
    /// assert!(taken.is_err());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`OAuthError::InvalidConfig`] when the name is not an HTTP token, the value is not
    /// visible ASCII, or the header is one the client sets (`Authorization`, `Content-Type`,
    /// `Accept`, `User-Agent`).
    pub fn header(
        self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<OAuthClient, OAuthError> {
        let (name, value) = (name.into(), value.into());
        api_transport::check_header(&name, &value).map_err(|e| OAuthError::InvalidConfig {
            reason: match e {
                api_transport::Error::InvalidRequest { reason } => reason,
                other => other.to_string(),
            },
        })?;
        let reserved = [
            "authorization",
            "content-type",
            "accept",
            "user-agent",
            "host",
            "content-length",
        ];
        if reserved.iter().any(|r| r.eq_ignore_ascii_case(&name)) {
            return Err(OAuthError::InvalidConfig {
                reason: format!("the header {name} is set by the client and cannot be added"),
            });
        }
        let mut inner = ClientInner::clone(&self.inner);
        inner.headers.push((name, value));
        Ok(OAuthClient {
            inner: Arc::new(inner),
        })
    }

    /// The brand the tokens are for.
    ///
    /// ```
    /// use august_auth::OAuthClient;
    /// use august_core::Brand;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = OAuthClient::new(Brand::YaleGlobal, "my-client-id", "my-secret", "http://127.0.0.1:8765/callback")?;
    /// assert_eq!(client.brand(), Brand::YaleGlobal);
    /// # Ok(())
    /// # }
    /// ```
    pub fn brand(&self) -> Brand {
        self.inner.brand
    }

    /// The client id.
    ///
    /// ```
    /// use august_auth::OAuthClient;
    /// use august_core::Brand;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = OAuthClient::new(Brand::YaleGlobal, "my-client-id", "my-secret", "http://127.0.0.1:8765/callback")?;
    /// assert_eq!(client.client_id(), "my-client-id");
    /// # Ok(())
    /// # }
    /// ```
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// The timeout of each token request ([`OAuthClient::timeout`]).
    pub(crate) fn request_timeout(&self) -> Duration {
        self.inner.transport.timeout()
    }

    /// The redirect URI sent with the authorization request and the code exchange.
    ///
    /// ```
    /// use august_auth::OAuthClient;
    /// use august_core::Brand;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = OAuthClient::new(Brand::YaleGlobal, "my-client-id", "my-secret", "http://127.0.0.1:8765/callback")?;
    /// assert_eq!(client.redirect_uri(), "http://127.0.0.1:8765/callback");
    /// # Ok(())
    /// # }
    /// ```
    pub fn redirect_uri(&self) -> &str {
        &self.inner.redirect_uri
    }

    /// The token URL.
    ///
    /// ```
    /// use august_auth::OAuthClient;
    /// use august_core::Brand;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = OAuthClient::new(Brand::YaleGlobal, "my-client-id", "my-secret", "http://127.0.0.1:8765/callback")?;
    /// assert!(client.token_url().starts_with("https://"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn token_url(&self) -> &str {
        &self.inner.token_url
    }

    /// A new authorization request: the URL to open in the user's browser and the random
    /// `state` it carries, checked when the browser comes back.
    ///
    /// ```
    /// use august_auth::OAuthClient;
    /// use august_core::Brand;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = OAuthClient::new(Brand::YaleGlobal, "my-client-id", "my-secret", "http://127.0.0.1:8765/callback")?;
    /// let request = client.authorization_request();
    /// println!("open {} in a browser", request.url());
    /// assert!(request.url().contains(request.state()));
    /// # Ok(())
    /// # }
    /// ```
    pub fn authorization_request(&self) -> AuthorizationRequest {
        let (url, state) = self.inner.oauth2.authorize_url(CsrfToken::new_random).url();
        AuthorizationRequest {
            url: url.to_string(),
            state: state.secret().clone(),
            redirect_uri: self.inner.redirect_uri.clone(),
        }
    }

    /// Exchanges an authorization code for tokens (`grant_type=authorization_code`). Sent once,
    /// never retried (a code is single-use).
    ///
    /// ```
    /// # use august_auth::{Credentials, OAuthClient};
    /// # use august_core::Brand;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let (authorize, token) = sandbox.oauth_endpoints("yale_global");
    /// # let client = OAuthClient::with_endpoints(Brand::YaleGlobal, demo::OAUTH_CLIENT_ID,
    /// #     demo::OAUTH_CLIENT_SECRET, "http://127.0.0.1:1/callback", authorize, token)?;
    /// # let request = client.authorization_request();
    /// # let redirect = sandbox.approve_oauth(request.url())?;
    /// let code = request.code_from_redirect(&redirect)?;
    /// let tokens = client.exchange_code(&code)?;
    /// assert!(tokens.refresh_token().is_some());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`OAuthError::Refused`] with the server's OAuth error (`invalid_grant` for a used or
    /// expired code, `invalid_client` for a wrong secret, ...),
    /// [`OAuthError::UnexpectedResponse`] for an answer that is neither tokens nor an OAuth
    /// error, [`OAuthError::Transport`] when no answer came, [`OAuthError::InvalidInput`] for an
    /// empty code (nothing is sent).
    pub fn exchange_code(&self, code: &AuthorizationCode) -> Result<OAuthTokens, OAuthError> {
        not_blank(code.secret(), "the authorization code is empty")?;
        let http = TransportClient::new(
            &self.inner.transport,
            &self.inner.headers,
            [self.inner.client_secret.as_str(), code.secret()],
        );
        let result = self
            .inner
            .oauth2
            .exchange_code(oauth2::AuthorizationCode::new(code.secret().to_owned()))
            .request(&http);
        let reply = result.map_err(|e| map_error(e, http.status.get()))?;
        Ok(reply.into_tokens(None))
    }

    /// Gets new tokens with a refresh token (`grant_type=refresh_token`). The reply's refresh
    /// token replaces the old one; a reply without one keeps `refresh_token`. Sent once.
    ///
    /// ```
    /// # use august_auth::{Credentials, OAuthClient};
    /// # use august_core::Brand;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let (authorize, token) = sandbox.oauth_endpoints("yale_global");
    /// # let client = OAuthClient::with_endpoints(Brand::YaleGlobal, demo::OAUTH_CLIENT_ID,
    /// #     demo::OAUTH_CLIENT_SECRET, "http://127.0.0.1:1/callback", authorize, token)?;
    /// # let request = client.authorization_request();
    /// # let redirect = sandbox.approve_oauth(request.url())?;
    /// # let tokens = client.exchange_code(&request.code_from_redirect(&redirect)?)?;
    /// let refreshed = client.refresh(tokens.refresh_token().unwrap())?;
    /// assert_ne!(refreshed.access_token(), tokens.access_token());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`OAuthClient::exchange_code`]; `invalid_grant` means the refresh token is no longer
    /// valid (revoked, or rotated and already used): sign in again. An empty refresh token is
    /// [`OAuthError::InvalidInput`], and nothing is sent.
    pub fn refresh(&self, refresh_token: &str) -> Result<OAuthTokens, OAuthError> {
        not_blank(refresh_token, "the refresh token is empty")?;
        let http = TransportClient::new(
            &self.inner.transport,
            &self.inner.headers,
            [self.inner.client_secret.as_str(), refresh_token],
        );
        let token = oauth2::RefreshToken::new(refresh_token.to_owned());
        let reply = self
            .inner
            .oauth2
            .exchange_refresh_token(&token)
            .request(&http)
            .map_err(|e| map_error(e, http.status.get()))?;
        Ok(reply.into_tokens(Some(refresh_token)))
    }
}

/// Refuses a code or token that is empty or only white space: a server would answer
/// `invalid_request` or `invalid_grant`, and the latter would read as "sign in again".
fn not_blank(value: &str, reason: &str) -> Result<(), OAuthError> {
    if value.trim().is_empty() {
        return Err(OAuthError::InvalidInput {
            reason: reason.to_owned(),
        });
    }
    Ok(())
}

fn transport(timeout: Duration) -> Transport {
    Transport::builder()
        .timeout(timeout)
        .max_retries(0)
        .max_body(MAX_TOKEN_REPLY)
        .build()
}

/// An authorization request in progress: the URL for the browser and the `state` to check.
///
/// `Debug` shows neither the state nor the URL (which carries it).
pub struct AuthorizationRequest {
    url: String,
    state: String,
    redirect_uri: String,
}

impl fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("url", &"<redacted: carries the state>")
            .field("redirect_uri", &self.redirect_uri)
            .finish()
    }
}

impl AuthorizationRequest {
    /// The URL to open in the user's browser.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The `state` value (to compare yourself if you receive the redirect another way).
    pub fn state(&self) -> &str {
        &self.state
    }

    /// Reads the redirect the browser came back with: a full URL
    /// (`http://127.0.0.1:8765/callback?code=...&state=...`), a path with its query, or the
    /// query alone. Checks `state` and returns the code.
    ///
    /// ```
    /// # use august_auth::{Credentials, OAuthClient};
    /// # use august_core::Brand;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let (authorize, token) = sandbox.oauth_endpoints("yale_global");
    /// # let client = OAuthClient::with_endpoints(Brand::YaleGlobal, demo::OAUTH_CLIENT_ID,
    /// #     demo::OAUTH_CLIENT_SECRET, "http://127.0.0.1:1/callback", authorize, token)?;
    /// # let request = client.authorization_request();
    /// # let redirect = sandbox.approve_oauth(request.url())?;
    /// // `redirect` is where the browser was sent: the redirect URI with `code` and `state`.
    /// let code = request.code_from_redirect(&redirect)?;
    /// assert!(request.code_from_redirect("code=x&state=forged").is_err());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`OAuthError::StateMismatch`] when `state` is missing or differs (the redirect is not
    /// the answer to this request: do not use it), [`OAuthError::AuthorizationDenied`] when it
    /// carries `error` (the user or the server refused), [`OAuthError::MissingCode`] when it
    /// has no code.
    pub fn code_from_redirect(&self, redirect: &str) -> Result<AuthorizationCode, OAuthError> {
        self.check_redirect(RedirectQuery::parse(redirect))
    }

    /// Checks a redirect's `state`, then takes its error or its code. The one place a
    /// redirect's `state` is checked, for [`AuthorizationRequest::code_from_redirect`] and the
    /// [`RedirectReceiver`] alike.
    fn check_redirect(&self, query: RedirectQuery) -> Result<AuthorizationCode, OAuthError> {
        if !query.state.as_deref().is_some_and(|s| same(s, &self.state)) {
            return Err(OAuthError::StateMismatch);
        }
        if let Some(denied) = query.denied() {
            return Err(denied);
        }
        query.code.ok_or(OAuthError::MissingCode)
    }
}

/// What a redirect's query says (RFC 6749, sections 4.1.2 and 4.1.2.1). No `Debug`: it holds
/// the code and the state.
struct RedirectQuery {
    /// The code, when there is a non-empty one.
    code: Option<AuthorizationCode>,
    state: Option<String>,
    error: Option<String>,
    description: Option<String>,
}

impl RedirectQuery {
    /// Reads a full URL (`http://127.0.0.1:8765/callback?code=...&state=...`), a path with its
    /// query, or the query alone; a parameter given twice counts as its last value.
    fn parse(redirect: &str) -> RedirectQuery {
        let query = match redirect.split_once('?') {
            Some((_, q)) => q,
            None => redirect,
        };
        let query = query.split('#').next().unwrap_or_default();
        let mut out = RedirectQuery {
            code: None,
            state: None,
            error: None,
            description: None,
        };
        for (k, v) in oauth2::url::form_urlencoded::parse(query.as_bytes()) {
            match k.as_ref() {
                "code" => out.code = (!v.is_empty()).then(|| AuthorizationCode::new(v)),
                "state" => out.state = Some(v.into_owned()),
                "error" => out.error = Some(v.into_owned()),
                "error_description" => out.description = Some(v.into_owned()),
                _ => {}
            }
        }
        out
    }

    /// The error the redirect carries instead of a code: its code and description (at most 300
    /// characters, as [`api_transport::printable`] shows them), as the server sent them.
    fn denied(&self) -> Option<OAuthError> {
        let error = self.error.as_deref()?;
        Some(OAuthError::AuthorizationDenied {
            kind: OAuthErrorCode::from_code(error),
            description: self.description.as_deref().map(server_description),
        })
    }
}

/// A server's description of an OAuth error, as this crate keeps it: at most 300 characters,
/// as [`api_transport::printable`] shows them (it reaches terminals and logs).
fn server_description(description: &str) -> String {
    api_transport::printable(description, 300)
}

/// Compares without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// An authorization code from the redirect. `Debug` does not show it
/// (`AuthorizationCode("<redacted>")`).
#[derive(Clone, Debug)]
pub struct AuthorizationCode(Secret);

impl AuthorizationCode {
    /// A code received some other way (your own web server).
    pub fn new(code: impl Into<String>) -> AuthorizationCode {
        AuthorizationCode(Secret::new(code))
    }

    /// The code.
    pub fn secret(&self) -> &str {
        self.0.expose()
    }
}

/// Tokens from the authorization server. `Debug` shows the expiry and whether a refresh token
/// is present, never a token.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthTokens {
    pub(crate) access_token: String,
    pub(crate) refresh_token: Option<String>,
    pub(crate) expires_at: Option<DateTime<Utc>>,
}

impl OAuthTokens {
    /// Tokens you already hold (from your own storage).
    ///
    /// An empty (or blank) `refresh_token` is taken as none: it cannot be refreshed with
    /// (the server would refuse `refresh_token=`), so credentials built from it say they cannot
    /// refresh instead of failing at the first refresh. The same holds for every way in: a
    /// token reply or a Home Assistant file whose `refresh_token` is `""` has none, and a
    /// refresh reply with `""` keeps the refresh token that was sent, as a reply without one
    /// does. The access token is kept as given, and so is the expiry within the years every
    /// expiry is read in (a cache file, a JWT, a token reply's `expires_at`: 1970 to 9999), so
    /// that a cache file written with it can be read back: a later one is taken as the end of
    /// 9999, an earlier one as the start of 1970.
    ///
    /// ```
    /// use august_auth::OAuthTokens;
    /// use chrono::{Datelike, TimeZone, Utc};
    ///
    /// let tokens = OAuthTokens::new("an-access-token", Some(String::new()), None);
    /// assert_eq!(tokens.refresh_token(), None);
    /// let tokens = OAuthTokens::new("an-access-token", Some(" ".into()), None);
    /// assert_eq!(tokens.refresh_token(), None);
    /// let tokens = OAuthTokens::new("an-access-token", Some("a-refresh-token".into()), None);
    /// assert_eq!(tokens.refresh_token(), Some("a-refresh-token"));
    ///
    /// let far = Utc.with_ymd_and_hms(20000, 1, 1, 0, 0, 0).unwrap();
    /// let tokens = OAuthTokens::new("an-access-token", None, Some(far));
    /// assert_eq!(tokens.expires_at().map(|at| at.year()), Some(9999));
    /// ```
    pub fn new(
        access_token: impl Into<String>,
        refresh_token: Option<String>,
        expires_at: Option<DateTime<Utc>>,
    ) -> OAuthTokens {
        OAuthTokens {
            access_token: access_token.into(),
            refresh_token: refresh_token.filter(|r| !r.trim().is_empty()),
            expires_at: expires_at.map(within_readable_years),
        }
    }

    /// The access token, sent in the brand's token header.
    pub fn access_token(&self) -> &str {
        &self.access_token
    }

    /// The refresh token, if the server gave one.
    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh_token.as_deref()
    }

    /// When the access token expires: from the reply's `expires_at`, else `expires_in` counted
    /// from the reply; `None` when the reply said neither. An `expires_at` that is negative,
    /// not a number (nor a numeric string) or past year 9999 is not used, and an `expires_in`
    /// that is negative or not a number (nor a numeric string) neither: the expiry is then
    /// unknown (`None`) unless the other field gives it. An `expires_in` reaching past year
    /// 9999 gives the end of 9999 (see [`OAuthTokens::new`]).
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.expires_at
    }
}

impl OAuthTokens {
    /// These tokens, with `old` as their refresh token when they have none (an empty one is
    /// none, [`OAuthTokens::new`]): a token reply or a cached record without one keeps the
    /// refresh token that was sent or held.
    pub(crate) fn or_refresh_token(mut self, old: Option<String>) -> OAuthTokens {
        self.refresh_token = self.refresh_token.or(old);
        self
    }

    /// Adds the fields to a `Debug` output, the tokens redacted.
    pub(crate) fn redacted_fields(&self, out: &mut fmt::DebugStruct<'_, '_>) {
        out.field("access_token", &"<redacted>")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at", &self.expires_at);
    }
}

impl fmt::Debug for OAuthTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("OAuthTokens");
        self.redacted_fields(&mut out);
        out.finish()
    }
}

/// The token reply: `access_token` required; `refresh_token`, `expires_in` (a number or a
/// numeric string), `expires_at` (seconds since the epoch) optional; `token_type` and `scope`
/// accepted and ignored.
#[derive(Debug, Clone, Deserialize, Serialize)]
struct TokenReply {
    access_token: oauth2::AccessToken,
    #[serde(default)]
    refresh_token: Option<oauth2::RefreshToken>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    expires_at: Option<serde_json::Value>,
    #[serde(skip, default = "bearer")]
    token_type: BasicTokenType,
}

fn bearer() -> BasicTokenType {
    BasicTokenType::Bearer
}

/// Seconds as a JSON number or a numeric string.
fn seconds(value: &serde_json::Value) -> Option<f64> {
    let s = match value {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    (s.is_finite() && s >= 0.0).then_some(s)
}

pub(crate) use crate::expiry::epoch_seconds;
use crate::expiry::{MAX_EPOCH_SECONDS, within_readable_years};

impl TokenReply {
    fn into_tokens(self, old_refresh: Option<&str>) -> OAuthTokens {
        let now = Utc::now();
        let expires_at = self
            .expires_at
            .as_ref()
            .and_then(seconds)
            .and_then(epoch_seconds)
            .or_else(|| {
                let secs = self.expires_in.as_ref().and_then(seconds)?;
                // At most the span of the years an expiry is read in (a later expiry is the
                // end of 9999, as `OAuthTokens::new` takes it).
                let secs = secs.min(MAX_EPOCH_SECONDS as f64);
                let delta = TimeDelta::try_milliseconds((secs * 1000.0) as i64)?;
                now.checked_add_signed(delta)
            });
        OAuthTokens::new(
            self.access_token.secret().clone(),
            self.refresh_token.map(|r| r.secret().clone()),
            expires_at,
        )
        // An empty one is none: the one that was sent stays usable.
        .or_refresh_token(old_refresh.map(str::to_owned))
    }
}

impl oauth2::TokenResponse for TokenReply {
    type TokenType = BasicTokenType;

    fn access_token(&self) -> &oauth2::AccessToken {
        &self.access_token
    }

    fn token_type(&self) -> &BasicTokenType {
        &self.token_type
    }

    fn expires_in(&self) -> Option<Duration> {
        self.expires_in
            .as_ref()
            .and_then(seconds)
            .map(|s| Duration::from_secs_f64(s.min(1e12)))
    }

    fn refresh_token(&self) -> Option<&oauth2::RefreshToken> {
        self.refresh_token.as_ref()
    }

    fn scopes(&self) -> Option<&Vec<oauth2::Scope>> {
        None
    }
}

/// `oauth2`'s blocking HTTP client on the shared transport: no redirects, the transport's
/// deadline and body cap, never retried, secrets taken out of error answers.
struct TransportClient<'a> {
    transport: &'a Transport,
    headers: &'a [(String, String)],
    secrets: Vec<String>,
    /// The status of the last answer, for errors `oauth2` reports without it.
    status: Cell<Option<u16>>,
}

impl<'a> TransportClient<'a> {
    fn new<'s>(
        transport: &'a Transport,
        headers: &'a [(String, String)],
        secrets: impl IntoIterator<Item = &'s str>,
    ) -> TransportClient<'a> {
        TransportClient {
            transport,
            headers,
            secrets: secrets.into_iter().map(str::to_owned).collect(),
            status: Cell::new(None),
        }
    }
}

impl oauth2::SyncHttpClient for TransportClient<'_> {
    type Error = api_transport::Error;

    fn call(&self, request: oauth2::HttpRequest) -> Result<oauth2::HttpResponse, Self::Error> {
        let method = match *request.method() {
            oauth2::http::Method::GET => Method::Get,
            oauth2::http::Method::POST => Method::Post,
            oauth2::http::Method::PUT => Method::Put,
            oauth2::http::Method::DELETE => Method::Delete,
            ref other => {
                return Err(api_transport::Error::InvalidRequest {
                    reason: format!("method {other} is not supported"),
                });
            }
        };
        let mut out = Request::absolute(method, &request.uri().to_string()).retry(Retry::Never);
        let mut content_type = None;
        for (name, value) in request.headers() {
            let value = value
                .to_str()
                .map_err(|_| api_transport::Error::InvalidRequest {
                    reason: format!("header {name} is not text"),
                })?;
            if name == oauth2::http::header::CONTENT_TYPE {
                content_type = Some(value.to_owned());
            } else {
                out = out.header(name.as_str(), value);
            }
        }
        for (name, value) in self.headers {
            out = out.header(name.as_str(), value.as_str());
        }
        let body = request.into_body();
        match content_type.as_deref() {
            // Every token request `oauth2` makes carries a form.
            Some(FORM) => out = out.encoded_form_body(body),
            None if body.is_empty() => {}
            other => {
                return Err(api_transport::Error::InvalidRequest {
                    reason: format!(
                        "only a form body is sent, not one of type {}",
                        other.unwrap_or("none")
                    ),
                });
            }
        }
        // Out of error answers only: a successful one is decoded, never shown (`map_error`
        // keeps no value of it), and may hand the refresh token back unchanged.
        for secret in &self.secrets {
            out = out.secret_in_errors(secret.as_str());
        }
        let response = self.transport.send(&out)?;
        let status = response.status();
        self.status.set(Some(status));
        let mut builder = oauth2::http::Response::builder().status(status);
        if let Some(ct) = response.content_type() {
            builder = builder.header(oauth2::http::header::CONTENT_TYPE, ct);
        }
        let mut body = response.into_body();
        // `oauth2` reads every answer but a 200 as an error, whose description is shown: one
        // the transport counts as successful (201 to 299) is scrubbed here as it scrubs those.
        if status != 200 && status < 300 {
            let secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
            body = api_transport::redact(&String::from_utf8_lossy(&body), &secrets).into_bytes();
        }
        builder
            .body(body)
            .map_err(|e| api_transport::Error::ConnectionLost {
                reason: format!("the answer cannot be read: {e}"),
            })
    }
}

fn map_error(
    e: RequestTokenError<api_transport::Error, BasicErrorResponse>,
    status: Option<u16>,
) -> OAuthError {
    match e {
        RequestTokenError::ServerResponse(r) => OAuthError::Refused {
            status: status.unwrap_or(400),
            kind: OAuthErrorCode::from_basic(r.error()),
            description: r.error_description().map(|d| server_description(d)),
        },
        RequestTokenError::Request(source) => OAuthError::Transport { source },
        RequestTokenError::Parse(e, _body) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            // A serde message may quote a value; only keep the shape of the problem.
            let what = if inner.to_string().starts_with("missing field") {
                inner.to_string()
            } else {
                format!("{:?} error", inner.classify()).to_lowercase()
            };
            OAuthError::UnexpectedResponse {
                status,
                reason: format!(
                    "the answer is not a token reply nor an OAuth error (at `{path}`: {what})"
                ),
            }
        }
        RequestTokenError::Other(reason) => OAuthError::UnexpectedResponse { status, reason },
    }
}

/// The OAuth error codes of RFC 6749 section 5.2 (and 4.1.2.1 for the redirect), as
/// [`OAuthError::code`] gives them; [`OAuthError::kind`] says what to do next.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OAuthErrorCode {
    /// `invalid_grant`: the code or refresh token is not valid (expired, used, revoked, or
    /// issued for another redirect URI or client). Sign in again.
    InvalidGrant,
    /// `invalid_client`: the client id or secret is wrong.
    InvalidClient,
    /// `invalid_request`: a parameter is missing or malformed.
    InvalidRequest,
    /// `unauthorized_client`: this client may not use this grant.
    UnauthorizedClient,
    /// `unsupported_grant_type`.
    UnsupportedGrantType,
    /// `invalid_scope`.
    InvalidScope,
    /// `access_denied`: the user or the server refused (redirect only).
    AccessDenied,
    /// Another code, as sent (at most 64 characters, as [`api_transport::printable`] shows
    /// them).
    Other(String),
}

impl OAuthErrorCode {
    fn from_basic(e: &BasicErrorResponseType) -> OAuthErrorCode {
        match e {
            BasicErrorResponseType::InvalidGrant => OAuthErrorCode::InvalidGrant,
            BasicErrorResponseType::InvalidClient => OAuthErrorCode::InvalidClient,
            BasicErrorResponseType::InvalidRequest => OAuthErrorCode::InvalidRequest,
            BasicErrorResponseType::UnauthorizedClient => OAuthErrorCode::UnauthorizedClient,
            BasicErrorResponseType::UnsupportedGrantType => OAuthErrorCode::UnsupportedGrantType,
            BasicErrorResponseType::InvalidScope => OAuthErrorCode::InvalidScope,
            BasicErrorResponseType::Extension(other) => OAuthErrorCode::from_code(other),
        }
    }

    fn from_code(code: &str) -> OAuthErrorCode {
        match code {
            "invalid_grant" => OAuthErrorCode::InvalidGrant,
            "invalid_client" => OAuthErrorCode::InvalidClient,
            "invalid_request" => OAuthErrorCode::InvalidRequest,
            "unauthorized_client" => OAuthErrorCode::UnauthorizedClient,
            "unsupported_grant_type" => OAuthErrorCode::UnsupportedGrantType,
            "invalid_scope" => OAuthErrorCode::InvalidScope,
            "access_denied" => OAuthErrorCode::AccessDenied,
            other => OAuthErrorCode::Other(api_transport::printable(other, 64)),
        }
    }

    /// The code as the server sends it (another code as [`OAuthErrorCode::Other`] keeps it).
    pub fn as_str(&self) -> &str {
        match self {
            OAuthErrorCode::InvalidGrant => "invalid_grant",
            OAuthErrorCode::InvalidClient => "invalid_client",
            OAuthErrorCode::InvalidRequest => "invalid_request",
            OAuthErrorCode::UnauthorizedClient => "unauthorized_client",
            OAuthErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            OAuthErrorCode::InvalidScope => "invalid_scope",
            OAuthErrorCode::AccessDenied => "access_denied",
            OAuthErrorCode::Other(code) => code,
        }
    }

    fn advice(&self) -> &'static str {
        match self {
            OAuthErrorCode::InvalidGrant => {
                "the code or refresh token is no longer valid: sign in again"
            }
            OAuthErrorCode::InvalidClient => "the client id or client secret is wrong",
            OAuthErrorCode::InvalidRequest => "the server found the request malformed",
            OAuthErrorCode::UnauthorizedClient => "this client may not use this grant",
            OAuthErrorCode::UnsupportedGrantType => "the server does not support this grant",
            OAuthErrorCode::InvalidScope => "the server refused the scope",
            OAuthErrorCode::AccessDenied => "access was denied",
            OAuthErrorCode::Other(_) => "the server refused the request",
        }
    }
}

impl fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What went wrong with an OAuth request or redirect. No variant carries the client secret,
/// a code, a token or the state.
#[derive(Debug)]
#[non_exhaustive]
pub enum OAuthError {
    /// The client could not be built: a brand without OAuth, an empty client id, a URL that is
    /// not acceptable. Nothing was sent.
    InvalidConfig {
        /// What is wrong.
        reason: String,
    },
    /// A value given to a call cannot be sent: an empty authorization code or refresh token.
    /// Nothing was sent.
    InvalidInput {
        /// What is wrong.
        reason: String,
    },
    /// The redirect's `state` is missing or is not this request's: the redirect is not the
    /// answer to this sign-in (an old tab, a forged link). Nothing was exchanged.
    StateMismatch,
    /// The redirect carried an `error` instead of a code.
    AuthorizationDenied {
        /// The error code.
        kind: OAuthErrorCode,
        /// The server's `error_description`.
        description: Option<String>,
    },
    /// The redirect carried neither a code nor an error.
    MissingCode,
    /// The token endpoint answered with an OAuth error.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The `error` code.
        kind: OAuthErrorCode,
        /// The server's `error_description`.
        description: Option<String>,
    },
    /// The token endpoint answered with something that is neither tokens nor an OAuth error
    /// (an HTML page, an empty body, another content type).
    UnexpectedResponse {
        /// The HTTP status, when an answer came.
        status: Option<u16>,
        /// What did not fit.
        reason: String,
    },
    /// No answer: not delivered, timed out, or the connection broke. A code exchange that
    /// timed out may have used the code.
    Transport {
        /// The transport's account.
        source: api_transport::Error,
    },
    /// [`RedirectReceiver::bind`] could not listen on the redirect URI's address: the port is
    /// taken (another sign-in in progress, another program) or needs privileges.
    Listen {
        /// The address, `host:port`.
        address: String,
        /// The system's account.
        source: std::io::Error,
    },
    /// [`RedirectReceiver::receive`] waited its whole timeout and no redirect of this sign-in
    /// came: the user did not finish in the browser, or the browser was sent elsewhere. Start
    /// the sign-in again.
    RedirectTimeout {
        /// How long it waited.
        waited: Duration,
        /// How many redirects with another `state` were refused meanwhile (a tab of an earlier
        /// sign-in, a forged link).
        other_state: usize,
    },
}

impl OAuthError {
    /// What the caller does next.
    pub fn kind(&self) -> ErrorKind {
        use OAuthErrorCode as C;
        match self {
            OAuthError::InvalidConfig { .. } => ErrorKind::Configuration,
            OAuthError::InvalidInput { .. } => ErrorKind::FixInput,
            OAuthError::StateMismatch | OAuthError::MissingCode => ErrorKind::StartOver,
            OAuthError::AuthorizationDenied { .. } => ErrorKind::SignInAgain,
            OAuthError::Refused { status, kind, .. } => match kind {
                C::InvalidGrant => ErrorKind::SignInAgain,
                C::InvalidClient
                | C::UnauthorizedClient
                | C::UnsupportedGrantType
                | C::InvalidScope => ErrorKind::Configuration,
                C::InvalidRequest => ErrorKind::ReportBug,
                C::AccessDenied => ErrorKind::Forbidden,
                C::Other(code) if code == "temporarily_unavailable" || code == "server_error" => {
                    ErrorKind::RetryLater
                }
                C::Other(_) => ErrorKind::from_status(*status, None),
            },
            OAuthError::UnexpectedResponse {
                status: Some(500..=599),
                ..
            } => ErrorKind::RetryLater,
            OAuthError::UnexpectedResponse { .. } => ErrorKind::ReportBug,
            OAuthError::Transport { source } => source.kind(),
            OAuthError::Listen { .. } => ErrorKind::Configuration,
            OAuthError::RedirectTimeout { .. } => ErrorKind::StartOver,
        }
    }

    /// Whether the token endpoint may have acted on the request (a code exchanged, a refresh
    /// token rotated) while the caller cannot tell: a token request sent without an answer
    /// ([`OAuthError::Transport`], as [`HasErrorKind::outcome_unknown`] says of the
    /// transport's error), or answered with a status that leaves it unknown (a 5xx, a 3xx) or
    /// a success without readable tokens. False for an error before the request or outside it
    /// (the redirect, the listener, the configuration) and for a refusal with a 4xx status.
    ///
    /// [`kind`](Self::kind) says what to do next; for a server error it is
    /// [`ErrorKind::RetryLater`]: asking again is safe (a refresh token the lost answer
    /// rotated is refused with `invalid_grant`, which says to sign in again).
    ///
    /// ```
    /// use august_auth::OAuthError;
    ///
    /// assert!(!OAuthError::MissingCode.outcome_unknown());
    /// let gateway = OAuthError::UnexpectedResponse { status: Some(502), reason: "an HTML page".into() };
    /// assert!(gateway.outcome_unknown());
    /// let refused = OAuthError::UnexpectedResponse { status: Some(400), reason: "an HTML page".into() };
    /// assert!(!refused.outcome_unknown());
    /// ```
    pub fn outcome_unknown(&self) -> bool {
        match self {
            OAuthError::Transport { source } => HasErrorKind::outcome_unknown(source),
            OAuthError::Refused { status, .. } => {
                api_transport::answer_leaves_outcome_unknown(*status)
            }
            OAuthError::UnexpectedResponse { status, .. } => !matches!(status, Some(400..=499)),
            _ => false,
        }
    }

    /// The OAuth error code, for [`OAuthError::Refused`] and
    /// [`OAuthError::AuthorizationDenied`].
    pub fn code(&self) -> Option<&OAuthErrorCode> {
        match self {
            OAuthError::Refused { kind, .. } | OAuthError::AuthorizationDenied { kind, .. } => {
                Some(kind)
            }
            _ => None,
        }
    }

    /// The HTTP status of an answer from the token endpoint.
    pub fn status(&self) -> Option<u16> {
        match self {
            OAuthError::Refused { status, .. } => Some(*status),
            OAuthError::UnexpectedResponse { status, .. } => *status,
            _ => None,
        }
    }

    /// Whether only a new sign-in helps (the grant is no longer valid).
    pub fn needs_sign_in(&self) -> bool {
        matches!(self.code(), Some(OAuthErrorCode::InvalidGrant))
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OAuthError::InvalidConfig { reason } => write!(f, "oauth client not usable: {reason}"),
            OAuthError::InvalidInput { reason } => write!(f, "token request not sent: {reason}"),
            OAuthError::StateMismatch => f.write_str(
                "the redirect's state does not match this sign-in: ignore it and start the sign-in again",
            ),
            OAuthError::AuthorizationDenied { kind, description } => {
                write!(f, "the authorization server refused with {kind}")?;
                if let Some(d) = description {
                    write!(f, ": {d}")?;
                }
                Ok(())
            }
            OAuthError::MissingCode => {
                f.write_str("the redirect carries no authorization code: start the sign-in again")
            }
            OAuthError::Refused {
                status,
                kind,
                description,
            } => {
                write!(
                    f,
                    "the token endpoint answered {status} {kind}: {}",
                    kind.advice()
                )?;
                if let Some(d) = description {
                    write!(f, "; the server said: {d}")?;
                }
                Ok(())
            }
            OAuthError::UnexpectedResponse { status, reason } => {
                f.write_str("the token endpoint answered")?;
                if let Some(s) = status {
                    write!(f, " {s}")?;
                }
                write!(f, " with something unexpected: {reason}")
            }
            OAuthError::Transport { source } => match source {
                api_transport::Error::NotDelivered { .. } => {
                    f.write_str("the token request was not delivered; try again")
                }
                api_transport::Error::InvalidRequest { .. } => {
                    f.write_str("the token request could not be sent")
                }
                _ => f.write_str(
                    "the token request got no usable answer; a code exchange may have used the code",
                ),
            },
            OAuthError::Listen { address, .. } => {
                write!(f, "cannot listen on {address} for the redirect")
            }
            OAuthError::RedirectTimeout {
                waited,
                other_state,
            } => {
                write!(f, "no redirect came back within {}", Readable(*waited))?;
                match other_state {
                    0 => {}
                    1 => f.write_str(" (1 redirect of another sign-in was refused)")?,
                    n => write!(f, " ({n} redirects of other sign-ins were refused)")?,
                }
                f.write_str(": start the sign-in again")
            }
        }
    }
}

/// A wait as a person reads it, to the millisecond: milliseconds below a second (so that
/// 800 ms is not "0 s"), whole minutes as minutes, else seconds with the milliseconds there
/// are (`1.5 s`, `119 s`).
struct Readable(Duration);

impl fmt::Display for Readable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (secs, millis) = (self.0.as_secs(), self.0.subsec_millis());
        if secs == 0 {
            write!(f, "{millis} ms")
        } else if millis != 0 {
            let fraction = format!("{millis:03}");
            write!(f, "{secs}.{} s", fraction.trim_end_matches('0'))
        } else if secs.is_multiple_of(60) {
            write!(f, "{} min", secs / 60)
        } else {
            write!(f, "{secs} s")
        }
    }
}

impl HasErrorKind for OAuthError {
    fn kind(&self) -> ErrorKind {
        OAuthError::kind(self)
    }

    fn outcome_unknown(&self) -> bool {
        OAuthError::outcome_unknown(self)
    }
}

/// The former name of [`OAuthErrorCode`].
#[deprecated(
    note = "renamed OAuthErrorCode; `OAuthError::kind()` now returns the shared ErrorKind"
)]
pub type OAuthErrorKind = OAuthErrorCode;

impl std::error::Error for OAuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            OAuthError::Transport { source } => Some(source),
            OAuthError::Listen { source, .. } => Some(source),
            _ => None,
        }
    }
}
