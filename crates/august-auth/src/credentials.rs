//! One credentials type behind every way in: a password login, OAuth tokens with client
//! credentials, an imported token, a Home Assistant file, a fixed token.
//!
//! [`Credentials::access_token`] gives a token to use now, refreshed first when it is due and
//! these credentials can refresh (single flight: threads that need a refresh at the same time
//! share one request). [`Credentials::after_rejection`] is what to call when the server refused
//! a token (401). OAuth and imported tokens persist in a token cache file of their own format
//! (refresh token, expiry, brand, kind), written atomically with mode 0600; a refreshed token is
//! written there before it is returned. Processes sharing the file refresh one at a time, under
//! an advisory lock on `<name>.refresh.lock`, so that none sends a refresh token another spent.

use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use august_core::{Api, Brand, LoginMethod};
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::authentication::AuthenticationState;
use crate::authenticator::Authenticator;
#[cfg(doc)]
use crate::backoff::DEFAULT_REFRESH_RETRY_INTERVAL;
use crate::backoff::{RenewalBackoff, Renewed, millis};
use crate::cache::{
    CacheError, CacheSnapshot, CacheStatus, Existing, NoJson, Reader, TokenCache,
    is_unusable_cache_file, printable_path, read_cache_file,
};
use crate::error::{Error, Result};
use crate::import::{ImportError, ImportedToken};
use crate::jwt;
use crate::oauth::{OAuthClient, OAuthError, OAuthTokens};
use crate::shared::SharedAuthenticator;

/// Default for [`Credentials::refresh_margin`]: a token with less than this left is refreshed
/// (or, for a Home Assistant file, read again) before use.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// The `format` value of a credentials cache file.
const FORMAT: &str = "august-rs-credentials/1";

/// How to sign in again with a password, in [`Error::SignInAgain`].
pub(crate) const PASSWORD_SIGN_IN: &str =
    "log in with the password again (Authenticator::authenticate; CLI: august login)";

/// How to sign in again with OAuth, in [`Error::SignInAgain`].
const OAUTH_SIGN_IN: &str =
    "run the OAuth sign-in again (OAuthClient::authorization_request; CLI: august login --oauth)";

/// How a sign-in was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SignInKind {
    /// Password and verification code (`POST /session`), with a partner API key.
    Password,
    /// OAuth authorization code, with your client credentials.
    #[serde(rename = "oauth")]
    OAuth,
    /// A token imported as is (from Home Assistant or given by hand).
    Imported,
    /// A Home Assistant config-entry file, read again when its token nears expiry.
    HomeAssistant,
    /// A fixed access token, never refreshed.
    Fixed,
}

impl SignInKind {
    /// `password`, `oauth`, `imported`, `home_assistant` or `fixed`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignInKind::Password => "password",
            SignInKind::OAuth => "oauth",
            SignInKind::Imported => "imported",
            SignInKind::HomeAssistant => "home_assistant",
            SignInKind::Fixed => "fixed",
        }
    }
}

impl fmt::Display for SignInKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What [`Credentials::info`] tells: enough for a `whoami`. No token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CredentialsInfo {
    /// How the sign-in was made.
    pub kind: SignInKind,
    /// The brand, when known (a password login takes the `Api`'s).
    pub brand: Option<Brand>,
    /// The account's user id (the token's `userId` claim), when the token says it.
    pub user_id: Option<String>,
    /// The e-mail addresses in the token's `email` claim.
    pub emails: Vec<String>,
    /// When the access token expires, if known.
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether a new token can be had without the user (refresh, or re-reading Home
    /// Assistant's file).
    pub can_refresh: bool,
    /// The cache file the credentials persist to, if any.
    pub cache_file: Option<PathBuf>,
}

/// The credentials of one account, shared by every clone (`Send`, `Sync`, cheap to clone).
///
/// ```
/// use august_auth::Credentials;
/// use august_core::Brand;
///
/// let credentials = Credentials::fixed(Brand::YaleGlobal, "an-access-token");
/// assert_eq!(credentials.access_token().unwrap(), "an-access-token");
/// assert!(!credentials.info().can_refresh);
/// ```
///
/// `Debug` shows the kind, the brand and the expiry, never a token or a secret.
#[derive(Clone)]
pub struct Credentials {
    inner: Arc<Inner>,
}

struct Inner {
    source: Source,
    /// The refresh margin in milliseconds (shared by every clone).
    margin_ms: AtomicU64,
    /// The wait after a failed due renewal (a password login's is its shared
    /// authenticator's).
    backoff: Arc<RenewalBackoff>,
}

enum Source {
    Password(SharedAuthenticator),
    /// Boxed: the state is far larger than a shared authenticator.
    Token(Box<Mutex<TokenState>>),
}

struct TokenState {
    kind: SignInKind,
    brand: Brand,
    access_token: String,
    refresh_token: Option<String>,
    expires_at: Option<DateTime<Utc>>,
    oauth: Option<OAuthClient>,
    ha_file: Option<PathBuf>,
    cache: Option<TokenCache>,
    /// The latest problem with the cache file, as [`Credentials::last_cache_error`] says it.
    last_cache_error: Option<String>,
    /// The last access token the server refused (401), so that a failed renewal does not keep
    /// it as a token that still works. It names the current token only until that is replaced.
    refused: Option<String>,
    /// The tokens of the record last read from or written to the cache file: one with other
    /// tokens there was written since, by another process sharing the file.
    seen_in_cache: Option<Record>,
}

/// The tokens of a cache file's record, both: a refresh may rotate the refresh token and give
/// the same access token again. No `Debug`: it holds the tokens.
#[derive(PartialEq, Eq)]
struct Record {
    access_token: String,
    refresh_token: Option<String>,
}

impl Record {
    fn of(tokens: &OAuthTokens) -> Record {
        Record {
            access_token: tokens.access_token.clone(),
            refresh_token: tokens.refresh_token.clone(),
        }
    }
}

/// Why a token is being renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    /// It expires within the margin.
    Due,
    /// The server refused it.
    Refused,
    /// The caller asked.
    Forced,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let info = self.info();
        f.debug_struct("Credentials")
            .field("kind", &info.kind)
            .field("brand", &info.brand)
            .field("expires_at", &info.expires_at)
            .field("can_refresh", &info.can_refresh)
            .finish_non_exhaustive()
    }
}

/// The cache file's content.
#[derive(Serialize, Deserialize)]
struct Stored {
    format: String,
    kind: SignInKind,
    brand: String,
    access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    home_assistant_file: Option<PathBuf>,
}

impl Credentials {
    fn token(state: TokenState) -> Credentials {
        Credentials {
            inner: Arc::new(Inner {
                source: Source::Token(Box::new(Mutex::new(state))),
                margin_ms: AtomicU64::new(millis(DEFAULT_REFRESH_MARGIN)),
                backoff: Arc::default(),
            }),
        }
    }

    /// A password login made with an [`Authenticator`] (py-august's flow; its cache file stays
    /// py-august's). Its token is refreshed as the authenticator does
    /// (`GET /users/houses/mine` within the renewal threshold).
    ///
    /// ```
    /// use august_auth::{AuthenticationState, Credentials, SignInKind};
    /// # use august_auth::{Authenticator, LoginMethod};
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// let mut authenticator = Authenticator::new(api, LoginMethod::Phone, demo::PHONE, demo::PASSWORD);
    /// if authenticator.authenticate()?.state() == AuthenticationState::RequiresValidation {
    ///     authenticator.send_verification_code()?;
    ///     let code = sandbox.august_verification_code().ok_or("no code")?; // ask the user
    ///     authenticator.validate_verification_code(&code)?;
    ///     authenticator.authenticate()?;
    /// }
    /// let credentials = Credentials::password(authenticator)?;
    /// assert_eq!(credentials.info().kind, SignInKind::Password);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotAuthenticated`] when the login is not complete.
    pub fn password(authenticator: Authenticator) -> Result<Credentials> {
        let state = authenticator.authentication().state();
        if state != AuthenticationState::Authenticated {
            return Err(Error::NotAuthenticated { state });
        }
        let shared = SharedAuthenticator::new(authenticator);
        Ok(Credentials {
            inner: Arc::new(Inner {
                backoff: shared.backoff(),
                source: Source::Password(shared),
                margin_ms: AtomicU64::new(millis(DEFAULT_REFRESH_MARGIN)),
            }),
        })
    }

    /// OAuth tokens from [`OAuthClient::exchange_code`], refreshed with `client` when due or
    /// refused.
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
    /// let credentials = Credentials::oauth(client, tokens);
    /// assert!(credentials.info().can_refresh);
    /// # Ok(())
    /// # }
    /// ```
    pub fn oauth(client: OAuthClient, tokens: OAuthTokens) -> Credentials {
        let brand = client.brand();
        Credentials::token(TokenState {
            oauth: Some(client),
            ..TokenState::new(SignInKind::OAuth, brand, tokens)
        })
    }

    /// An imported token, used until it expires (never refreshed: see
    /// [`ImportedToken`]).
    ///
    /// ```
    /// use august_auth::{Credentials, ImportedToken, SignInKind};
    /// use august_core::Brand;
    ///
    /// let token = ImportedToken::from_access_token(Brand::YaleGlobal, "a-token", None, None).unwrap();
    /// let credentials = Credentials::imported(token);
    /// assert_eq!(credentials.info().kind, SignInKind::Imported);
    /// assert_eq!(credentials.access_token().unwrap(), "a-token");
    /// ```
    pub fn imported(token: ImportedToken) -> Credentials {
        Credentials::token(TokenState::new(
            SignInKind::Imported,
            token.brand,
            token.tokens,
        ))
    }

    /// A Home Assistant config-entry file (usually `<config>/.storage/core.config_entries`)
    /// read now and again whenever its token nears expiry or is refused, so a program on the
    /// same machine keeps the token Home Assistant keeps refreshing. The file is never written
    /// and nothing is refreshed on Home Assistant's behalf.
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
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("core.config_entries");
    /// std::fs::write(&path, sandbox.home_assistant_config_entries("yale_global"))?;
    /// let credentials = Credentials::home_assistant(&path, None)?;
    /// assert_eq!(credentials.brand(), Some(Brand::YaleGlobal));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Import`] as [`ImportedToken::from_home_assistant_file`].
    pub fn home_assistant(path: impl Into<PathBuf>, brand: Option<Brand>) -> Result<Credentials> {
        let path = path.into();
        let token = ImportedToken::from_home_assistant_file(&path, brand)?;
        Ok(Credentials::token(TokenState {
            ha_file: Some(path),
            ..TokenState::new(SignInKind::HomeAssistant, token.brand, token.tokens)
        }))
    }

    /// A fixed access token for `brand`, used as is until the server refuses it. Its expiry is
    /// read from the token's `exp` claim when it has one (for [`Credentials::info`] only).
    ///
    /// ```
    /// use august_auth::Credentials;
    /// use august_core::Brand;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let credentials = Credentials::fixed(Brand::YaleGlobal, "a-token-from-elsewhere");
    /// assert_eq!(credentials.access_token()?, "a-token-from-elsewhere");
    /// assert!(!credentials.info().can_refresh);
    /// # Ok(())
    /// # }
    /// ```
    pub fn fixed(brand: Brand, access_token: impl Into<String>) -> Credentials {
        let access_token = access_token.into();
        let expires_at = jwt::expiry(&access_token).ok();
        Credentials::token(TokenState::new(
            SignInKind::Fixed,
            brand,
            OAuthTokens::new(access_token, None, expires_at),
        ))
    }

    /// How much time must be left on a token for it to be used without a refresh (for every
    /// clone). A password login keeps its authenticator's renewal threshold instead. Defaults
    /// to 60 s ([`DEFAULT_REFRESH_MARGIN`]).
    #[must_use]
    pub fn refresh_margin(self, margin: Duration) -> Credentials {
        self.inner
            .margin_ms
            .store(millis(margin), Ordering::Relaxed);
        self
    }

    /// How long after a failed renewal of a token that is due but still valid that token is
    /// used without trying again (for every clone), so an outage does not make every call wait
    /// for a failing refresh first. `Duration::ZERO` tries at every call. The same setting as
    /// [`SharedAuthenticator::refresh_retry_interval`], which a password login uses. Defaults
    /// to 60 s ([`DEFAULT_REFRESH_RETRY_INTERVAL`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// use august_auth::Credentials;
    /// use august_core::Brand;
    ///
    /// let credentials = Credentials::fixed(Brand::YaleGlobal, "a-token")
    ///     .refresh_retry_interval(Duration::from_secs(10));
    /// assert_eq!(credentials.access_token().unwrap(), "a-token");
    /// ```
    #[must_use]
    pub fn refresh_retry_interval(self, interval: Duration) -> Credentials {
        self.inner.backoff.set_interval(interval);
        self
    }

    /// A renewal whatever the expiry (`why` is not [`Why::Due`]), as the single flight for a
    /// new token ([`RenewalBackoff::renew_now`]: a caller takes the result of such a renewal
    /// in flight, and waits for a due one, which may keep the current token, to end before
    /// running its own), unless `done` says, once in the flight, that a renewal that ended
    /// meanwhile made it needless.
    fn renew_now(
        &self,
        state: &Mutex<TokenState>,
        why: Why,
        done: impl FnOnce(&TokenState) -> bool,
    ) -> Result<String> {
        self.inner.backoff.renew_now(|| {
            let st = lock(state);
            if done(&st) {
                return Ok(st.access_token.clone());
            }
            drop(st);
            renew(state, why)
        })
    }

    fn margin(&self) -> Duration {
        Duration::from_millis(self.inner.margin_ms.load(Ordering::Relaxed))
    }

    /// Persists these OAuth, imported or Home Assistant credentials to `path` (atomically, mode
    /// 0600) now and after every refresh; [`Credentials::load`] reads them back. The client
    /// secret is not written. A password login keeps its authenticator's py-august cache
    /// instead.
    ///
    /// A cache file already at `path` (of this format or py-august's) is replaced; anything
    /// else there (unreadable, not JSON, too large) is first moved aside to `<name>.corrupt`
    /// (or `<name>.corrupt.N`), never overwritten. Defaults to no file: the credentials live
    /// in memory only.
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
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("credentials.json");
    /// let credentials = Credentials::oauth(client.clone(), tokens).cache_file(&path)?;
    /// // A later run: the same credentials back, refreshed with the client when due.
    /// let api = august_core::Api::builder().brand(Brand::YaleGlobal).base_url(sandbox.august_url()).build()?;
    /// let again = Credentials::load(&path, &api, Some(client))?;
    /// assert_eq!(again.access_token()?, credentials.access_token()?);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Cache`] when the file cannot be written (when an unusable file was kept aside
    /// first, [`CacheError::kept_aside`] says where, and so does the message): the
    /// credentials, which every clone shares, are left as they were, cached where they were
    /// or nowhere; [`Error::Api`] with `InvalidInput` for a password login.
    pub fn cache_file(self, path: impl Into<PathBuf>) -> Result<Credentials> {
        match &self.inner.source {
            Source::Password(_) => {
                return Err(Error::Api(august_core::Error::InvalidInput {
                    reason:
                        "a password login is cached by its Authenticator (access_token_cache_file)"
                            .into(),
                }));
            }
            Source::Token(state) => {
                let path = path.into();
                let existing = existing_file(&path)?;
                let mut st = lock(state);
                // A failed first write leaves the credentials (every clone's) as they were:
                // kept on this path, they would take a record of the file they never saw
                // written for one written since.
                let cache = st.cache.replace(TokenCache::writing(path, existing));
                let last_cache_error = st.last_cache_error.clone();
                if let Err(e) = st.persist() {
                    st.cache = cache;
                    st.last_cache_error = last_cache_error;
                    return Err(e.into());
                }
            }
        }
        Ok(self)
    }

    /// Reads credentials from a cache file: one written by [`Credentials::cache_file`], or a
    /// py-august password-login cache (refreshed through `api`). OAuth credentials refresh only
    /// when `oauth` is given (the secret is never cached); without it their token is used until
    /// it expires. A Home Assistant source reads its file again.
    ///
    /// See [`Credentials::cache_file`] for an example.
    ///
    /// ```
    /// use august_auth::{Credentials, ImportedToken};
    /// use august_core::{Api, Brand};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("credentials.json");
    /// let token = ImportedToken::from_access_token(Brand::YaleGlobal, "a-token", None, None)?;
    /// Credentials::imported(token).cache_file(&path)?;
    ///
    /// // A later run:
    /// let api = Api::builder().brand(Brand::YaleGlobal).build()?;
    /// let credentials = Credentials::load(&path, &api, None)?;
    /// assert_eq!(credentials.access_token()?, "a-token");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Cache`] for a missing, unreadable or invalid file, or a path the file policy
    /// refuses (a link, not a regular file, another user's file, a directory another user owns
    /// or can write to without the sticky bit: never read, its mode left as it is);
    /// [`Error::SignInAgain`] when the cached login has expired or is not complete;
    /// [`Error::Import`] when a Home Assistant file cannot be read.
    pub fn load(path: impl AsRef<Path>, api: &Api, oauth: Option<OAuthClient>) -> Result<Self> {
        // The file holds a token: one others may read is restricted, as the password cache is.
        Credentials::from_snapshot(CacheSnapshot::read(path.as_ref()), api, oauth)
    }

    /// As [`Credentials::load`], from the cache file as `snapshot` read it (it is not read
    /// again): for a program that looked at the file first, so that what it saw (the brand,
    /// the kind of sign-in) is what it uses.
    ///
    /// See [`CacheSnapshot`] for an example.
    ///
    /// ```
    /// use august_auth::{CacheSnapshot, Credentials};
    /// use august_core::{Api, Brand};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("credentials.json");
    /// Credentials::fixed(Brand::YaleGlobal, "token-1").cache_file(&path)?;
    /// let snapshot = CacheSnapshot::read(&path);
    /// // Another process replaces the file meanwhile: the snapshot is what is used.
    /// Credentials::fixed(Brand::YaleAugust, "token-2").cache_file(&path)?;
    /// let api = Api::builder().brand(Brand::YaleGlobal).build()?;
    /// let credentials = Credentials::from_snapshot(snapshot, &api, None)?;
    /// assert_eq!(credentials.brand(), Some(Brand::YaleGlobal));
    /// assert_eq!(credentials.access_token()?, "token-1");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Credentials::load`].
    pub fn from_snapshot(
        snapshot: CacheSnapshot,
        api: &Api,
        oauth: Option<OAuthClient>,
    ) -> Result<Self> {
        // JSON that is not credentials is py-august's login (or nothing usable), which an
        // authenticator reads from the same parse.
        if snapshot.is_json() && !snapshot.is_credentials() {
            return Credentials::load_password(snapshot, api);
        }
        let (path, json, last_cache_error) = snapshot.into_json();
        let path = path.as_path();
        let cache = TokenCache::new(path.to_owned());
        let corrupt = |reason: String| {
            Error::Cache(CacheError::Corrupt {
                path: path.to_owned(),
                reason,
            })
        };
        let value = match json {
            Ok(value) => value,
            Err(NoJson::Unread(e)) => return Err(e.into()),
            Err(NoJson::Missing) => {
                return Err(CacheError::Unreadable {
                    path: path.to_owned(),
                    source: std::io::ErrorKind::NotFound.into(),
                }
                .into());
            }
            Err(NoJson::NotJson(e)) => {
                return Err(corrupt(format!("not JSON at line {}", e.line())));
            }
        };
        let stored: Stored = serde_json::from_value(value)
            .map_err(|e| corrupt(format!("{:?} error", e.classify()).to_lowercase()))?;
        if stored.format != FORMAT {
            return Err(corrupt("an unknown credentials format".to_owned()));
        }
        let brand: Brand = stored
            .brand
            .parse()
            .map_err(|e: august_core::UnknownBrand| corrupt(e.to_string()))?;
        let expires_at = stored
            .expires_at
            .as_deref()
            .map(|s| {
                api_transport::time::parse_iso8601(s)
                    .map_err(|e| corrupt(format!("`expires_at` is {e}")))
            })
            .transpose()?;
        let oauth = oauth.filter(|_| stored.kind == SignInKind::OAuth);
        if let Some(client) = &oauth
            && client.brand() != brand
        {
            return Err(Error::Api(august_core::Error::InvalidInput {
                reason: format!(
                    "the sign-in cached in {} is for brand {brand}, the OAuth client for {}",
                    printable_path(path),
                    client.brand()
                ),
            }));
        }
        if let Some(client) = &oauth
            && stored
                .client_id
                .as_deref()
                .is_some_and(|id| id != client.client_id())
        {
            return Err(corrupt(
                "the cached OAuth token was issued to another client id".into(),
            ));
        }
        let tokens = OAuthTokens::new(stored.access_token, stored.refresh_token, expires_at);
        let seen_in_cache = Some(Record::of(&tokens));
        let credentials = Credentials::token(TokenState {
            oauth,
            ha_file: stored.home_assistant_file,
            cache: Some(cache),
            last_cache_error: last_cache_error.map(|e| e.to_string()),
            seen_in_cache,
            ..TokenState::new(stored.kind, brand, tokens)
        });
        Ok(credentials)
    }

    fn load_password(snapshot: CacheSnapshot, api: &Api) -> Result<Credentials> {
        let path = snapshot.path().to_owned();
        let authenticator = Authenticator::new(api.clone(), LoginMethod::Phone, "", "")
            .access_token_cache_snapshot(snapshot);
        let how = PASSWORD_SIGN_IN;
        match authenticator.cache_status() {
            CacheStatus::Loaded => {}
            CacheStatus::Expired => {
                return Err(Error::SignInAgain {
                    kind: SignInKind::Password,
                    reason: format!("the login cached in {} has expired", printable_path(&path)),
                    how: how.into(),
                });
            }
            _ => {
                return Err(match authenticator.last_cache_error() {
                    Some(CacheError::Corrupt { reason, .. }) => Error::Cache(CacheError::Corrupt {
                        path: path.to_owned(),
                        reason: reason.clone(),
                    }),
                    _ => Error::SignInAgain {
                        kind: SignInKind::Password,
                        reason: format!("no usable login in {}", printable_path(&path)),
                        how: how.into(),
                    },
                });
            }
        }
        let state = authenticator.authentication().state();
        if state != AuthenticationState::Authenticated {
            return Err(Error::SignInAgain {
                kind: SignInKind::Password,
                reason: format!("the login cached in {} is {state}", printable_path(&path)),
                how: how.into(),
            });
        }
        Credentials::password(authenticator)
    }

    /// An access token to use now: the current one, or a new one when it expires within the
    /// refresh margin and these credentials can get one (an OAuth refresh, Home Assistant's
    /// file read again, a password login's refresh). Threads that call this at once while a
    /// refresh is due send one refresh request between them: the others wait for it (each
    /// within its own deadline) and take its result. No lock is held while the request is
    /// sent, so [`Credentials::info`], `Debug` and the other readers never wait for it.
    ///
    /// A refresh that fails while the current token is still valid, and the server has not
    /// refused it ([`Credentials::after_rejection`]), is logged and the current token returned.
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
    /// let credentials = Credentials::oauth(client, tokens);
    /// let token = credentials.access_token()?; // refreshed first if it expires within a minute
    /// # assert!(!token.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::SignInAgain`] when the token has expired and cannot be renewed;
    /// [`Error::OAuth`] when a needed refresh failed (as [`Error::RenewalFailed`] when other
    /// callers waited for that refresh); [`Error::RenewalWait`] when the deadline in force on
    /// this thread ([`api_transport::within`], which every call of [`crate::Client`] sets)
    /// passed while waiting for another caller's refresh; those of
    /// [`SharedAuthenticator::access_token`] for a password login.
    pub fn access_token(&self) -> Result<String> {
        match &self.inner.source {
            Source::Password(shared) => shared.access_token(),
            Source::Token(state) => {
                let margin = self.margin();
                let (current, usable) = {
                    let st = lock(state);
                    if !st.due(margin) || (!st.can_renew() && !st.expired()) {
                        return Ok(st.access_token.clone());
                    }
                    (st.access_token.clone(), st.token_works())
                };
                // A due renewal that fails while the token still works: keep using it, and do
                // not try again at every call. Which token that is, and whether it still works,
                // is read again after the failure: while this caller waited, the server may
                // have refused the token, and other renewals may have replaced it.
                self.inner.backoff.renew(
                    &current,
                    usable,
                    || {
                        // Checked again in the single flight: a renewal may have ended just
                        // before.
                        let st = lock(state);
                        if !st.due(margin) {
                            return Ok(Renewed::New(st.access_token.clone()));
                        }
                        drop(st);
                        let token = renew(state, Why::Due)?;
                        // A token that expires within the margin too (the server gives such
                        // tokens): used, but not renewed again at every call.
                        let st = lock(state);
                        if st.due(margin) && st.access_token == token {
                            Ok(Renewed::Due(token))
                        } else {
                            Ok(Renewed::New(token))
                        }
                    },
                    || lock(state).working_token(),
                )
            }
        }
    }

    /// After the server refused `rejected` (401): a new token if one can be had, refreshing at
    /// most once however many threads report the same token (a thread whose token was already
    /// replaced gets the new one without a request).
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
    /// let credentials = Credentials::oauth(client, tokens);
    /// let refused = credentials.access_token()?;
    /// let renewed = credentials.after_rejection(&refused)?;
    /// // Another thread reporting the same token gets the new one without a request.
    /// assert_eq!(credentials.after_rejection(&refused)?, renewed);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::SignInAgain`], saying how, when no new token can be had; [`Error::OAuth`] when
    /// the refresh failed ([`Error::RenewalFailed`] when other callers shared it);
    /// [`Error::RenewalWait`] when the deadline in force on this thread passed while waiting
    /// for another caller's renewal.
    pub fn after_rejection(&self, rejected: &str) -> Result<String> {
        match &self.inner.source {
            Source::Password(shared) => {
                let current = shared.authentication();
                if current.access_token() != rejected {
                    return Ok(current.access_token().to_owned());
                }
                Err(Error::SignInAgain {
                    kind: SignInKind::Password,
                    reason: "the server refused the access token".into(),
                    how: PASSWORD_SIGN_IN.into(),
                })
            }
            Source::Token(state) => {
                let mut st = lock(state);
                if st.access_token != rejected {
                    return Ok(st.access_token.clone());
                }
                // Before the renewal starts: due callers waiting for it must not keep this
                // token if it fails, nor take it for one a renewal gave already due.
                st.refused = Some(rejected.to_owned());
                drop(st);
                self.inner.backoff.reset();
                self.renew_now(state, Why::Refused, |st| st.access_token != rejected)
            }
        }
    }

    /// Refreshes now, whatever the expiry (to test a refresh, or after revoking a token).
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
    /// let credentials = Credentials::oauth(client, tokens);
    /// let before = credentials.access_token()?;
    /// assert_ne!(credentials.refresh_now()?, before);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Credentials::after_rejection`].
    pub fn refresh_now(&self) -> Result<String> {
        match &self.inner.source {
            Source::Password(shared) => shared.refresh_now(),
            Source::Token(state) => self.renew_now(state, Why::Forced, |_| false),
        }
    }

    /// The brand the credentials are for, when known.
    ///
    /// ```
    /// use august_auth::Credentials;
    /// use august_core::Brand;
    ///
    /// let credentials = Credentials::fixed(Brand::YaleGlobal, "a-token");
    /// assert_eq!(credentials.brand(), Some(Brand::YaleGlobal));
    /// ```
    pub fn brand(&self) -> Option<Brand> {
        match &self.inner.source {
            Source::Password(_) => None,
            Source::Token(state) => Some(lock(state).brand),
        }
    }

    /// What these credentials are: kind, brand, account, expiry, whether they can refresh.
    ///
    /// ```
    /// use august_auth::{Credentials, SignInKind};
    /// use august_core::Brand;
    ///
    /// // A JWT whose payload is {"userId":"u-1","email":["me@example.com"],"exp":4102444800}.
    /// let token = "e30.eyJ1c2VySWQiOiJ1LTEiLCJlbWFpbCI6WyJtZUBleGFtcGxlLmNvbSJdLCJleHAiOjQxMDI0NDQ4MDB9.c2ln";
    /// let info = Credentials::fixed(Brand::YaleGlobal, token).info();
    /// assert_eq!(info.kind, SignInKind::Fixed);
    /// assert_eq!(info.user_id.as_deref(), Some("u-1"));
    /// assert_eq!(info.emails, ["me@example.com"]);
    /// assert_eq!(info.expires_at.map(|t| t.timestamp()), Some(4102444800));
    /// assert!(!info.can_refresh);
    /// ```
    pub fn info(&self) -> CredentialsInfo {
        let (kind, brand, token, expires_at, can_refresh, cache_file) = match &self.inner.source {
            Source::Password(shared) => {
                let auth = shared.authentication();
                (
                    SignInKind::Password,
                    None,
                    auth.access_token().to_owned(),
                    auth.parsed_expiry().ok(),
                    true,
                    None,
                )
            }
            Source::Token(state) => {
                let st = lock(state);
                (
                    st.kind,
                    Some(st.brand),
                    st.access_token.clone(),
                    st.expires_at,
                    st.can_renew(),
                    st.cache.as_ref().map(|c| c.path().to_owned()),
                )
            }
        };
        let claims = jwt::claims(&token).unwrap_or_default();
        let user_id = claims
            .get("userId")
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        let emails = match claims.get("email") {
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(|e| e.as_str().map(str::to_owned))
                .collect(),
            Some(serde_json::Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        };
        CredentialsInfo {
            kind,
            brand,
            user_id,
            emails,
            expires_at,
            can_refresh,
            cache_file,
        }
    }

    /// The latest problem writing the cache file (a refreshed token that could not be saved, or
    /// a loaded file others may read whose mode could not be restricted to 0600), cleared by the
    /// next successful write.
    ///
    /// ```
    /// use august_auth::{Credentials, ImportedToken};
    /// use august_core::Brand;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// let token = ImportedToken::from_access_token(Brand::YaleGlobal, "a-token", None, None)?;
    /// let credentials = Credentials::imported(token).cache_file(dir.path().join("credentials.json"))?;
    /// // After a refresh whose token could not be written:
    /// if let Some(problem) = credentials.last_cache_error() {
    ///     eprintln!("the new token is not saved: {problem}");
    /// }
    /// assert!(credentials.last_cache_error().is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn last_cache_error(&self) -> Option<String> {
        match &self.inner.source {
            Source::Password(shared) => {
                shared.with(|a| a.last_cache_error().map(ToString::to_string))
            }
            Source::Token(state) => lock(state).last_cache_error.clone(),
        }
    }

    /// Where [`Credentials::cache_file`] kept aside the unusable file it found at the cache
    /// path (the first free name of [`kept_aside_paths`](crate::kept_aside_paths):
    /// `<name>.corrupt`, `<name>.corrupt.N`) before writing the credentials there; `None` when
    /// it found none, or nothing was cached. A password login answers as its authenticator
    /// does ([`Authenticator::kept_aside`]). For a program that tells its user, without reading
    /// the file itself first. When the write that followed failed, `cache_file` returns the
    /// error instead, and the error says where ([`CacheError::kept_aside`]).
    ///
    /// ```
    /// use august_auth::Credentials;
    /// use august_core::Brand;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("credentials.json");
    /// std::fs::write(&path, "not a cache file")?;
    /// let credentials = Credentials::fixed(Brand::YaleGlobal, "a-token").cache_file(&path)?;
    /// assert_eq!(credentials.kept_aside(), Some(dir.path().join("credentials.json.corrupt")));
    /// assert_eq!(std::fs::read_to_string(dir.path().join("credentials.json.corrupt"))?, "not a cache file");
    /// # Ok(())
    /// # }
    /// ```
    pub fn kept_aside(&self) -> Option<PathBuf> {
        match &self.inner.source {
            Source::Password(shared) => shared.with(|a| a.kept_aside()),
            Source::Token(state) => lock(state)
                .cache
                .as_ref()
                .and_then(TokenCache::kept_aside)
                .map(ToOwned::to_owned),
        }
    }
}

fn lock(m: &Mutex<TokenState>) -> MutexGuard<'_, TokenState> {
    // Fields are replaced whole, so a panic elsewhere leaves a usable state.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Renews the token in `state` (run as the single flight): an OAuth refresh, sent without the
/// state's lock so that reading the credentials never waits for the network; Home Assistant's
/// file read again; or the error that says how to sign in again.
///
/// An OAuth refresh of credentials with a cache file runs under the file's refresh lock
/// ([`refresh_lock`]), from looking at the file to saving the new tokens there: another
/// process sharing the file that refreshed meanwhile has saved its tokens before this one
/// looks, so this one takes them instead of sending a refresh token that is spent.
fn renew(state: &Mutex<TokenState>, why: Why) -> Result<String> {
    let (client, cache) = {
        let mut st = lock(state);
        match st.kind {
            SignInKind::OAuth => (st.oauth.clone(), st.cache.clone()),
            SignInKind::HomeAssistant => return st.reread_home_assistant(why),
            _ => return Err(st.sign_in_again(why)),
        }
    };
    match &client {
        // One deadline for the whole renewal, the wait for another process's refresh
        // included: the caller's, or else the client's timeout.
        Some(oauth) if api_transport::deadline().is_none() => {
            api_transport::within(oauth.request_timeout(), || {
                refresh(state, why, client, cache.as_ref())
            })
        }
        _ => refresh(state, why, client, cache.as_ref()),
    }
}

/// The OAuth part of [`renew`], within the deadline in force: the refresh lock of `cache`
/// when there is one ([`refresh_lock`]), held until the new tokens are saved (the writers'
/// lock is another file); the tokens another process saved meanwhile, or a refresh.
fn refresh(
    state: &Mutex<TokenState>,
    why: Why,
    client: Option<OAuthClient>,
    cache: Option<&TokenCache>,
) -> Result<String> {
    let _refresh_lock = client.as_ref().and(cache).and_then(refresh_lock);
    let (client, refresh_token) = {
        let mut st = lock(state);
        // Tokens another process saved are taken whatever the reason: a forced renewal then
        // still sends a refresh, but with the refresh token the other left, not a spent one
        // (a server that detects reuse may revoke every token of the login).
        if st.adopt_newer_cached() && why != Why::Forced {
            return Ok(st.access_token.clone());
        }
        match (client, st.refresh_token.clone()) {
            (Some(client), Some(refresh_token)) => (client, refresh_token),
            _ => return Err(st.sign_in_again(why)),
        }
    };
    let answer = client.refresh(&refresh_token);
    lock(state).take_refreshed(answer)
}

/// The refresh lock of `cache` ([`TokenCache::lock_refresh`]), waited for at most half the
/// time left before the deadline in force on this thread (another process's refresh takes
/// much less), so that a refresh sent without it has the other half; `None` when it was not
/// had (logged): the refresh goes on without it, as it would where there is no file locking.
/// Without a deadline (a client timeout too large to be one), it is waited for as long as it
/// is held.
fn refresh_lock(cache: &TokenCache) -> Option<File> {
    let until = api_transport::deadline().map(|at| {
        let now = Instant::now();
        now + at.saturating_duration_since(now) / 2
    });
    cache.lock_refresh(until).unwrap_or_else(|e| {
        log::warn!("refreshing without the refresh lock: {e}");
        None
    })
}

impl TokenState {
    /// The state of `tokens` of `kind`, renewed by nothing yet, cached nowhere.
    fn new(kind: SignInKind, brand: Brand, tokens: OAuthTokens) -> TokenState {
        TokenState {
            kind,
            brand,
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            expires_at: tokens.expires_at,
            oauth: None,
            ha_file: None,
            cache: None,
            last_cache_error: None,
            refused: None,
            seen_in_cache: None,
        }
    }

    /// Whether the current token still works: it has not expired and the server has not
    /// refused it.
    fn token_works(&self) -> bool {
        !self.expired() && !self.was_refused(&self.access_token)
    }

    /// The current token, when it still works.
    fn working_token(&self) -> Option<String> {
        self.token_works().then(|| self.access_token.clone())
    }

    /// The tokens as the cache file's record holds them.
    fn record(&self) -> Record {
        Record {
            access_token: self.access_token.clone(),
            refresh_token: self.refresh_token.clone(),
        }
    }

    /// Whether the server refused `token` (it may still be the current one).
    fn was_refused(&self, token: &str) -> bool {
        self.refused.as_deref() == Some(token)
    }

    fn due(&self, margin: Duration) -> bool {
        let margin = TimeDelta::from_std(margin).unwrap_or(TimeDelta::MAX);
        self.expires_at.is_some_and(|at| {
            at.checked_sub_signed(margin)
                .is_none_or(|t| t <= Utc::now())
        })
    }

    fn expired(&self) -> bool {
        self.expires_at.is_some_and(|at| at <= Utc::now())
    }

    fn can_renew(&self) -> bool {
        match self.kind {
            SignInKind::OAuth => self.oauth.is_some() && self.refresh_token.is_some(),
            SignInKind::HomeAssistant => self.ha_file.is_some(),
            _ => false,
        }
    }

    /// Takes the tokens in the cache file when another process refreshed them since: with
    /// rotating refresh tokens, ours is spent. The file holds newer tokens when its record was
    /// written since this one last read or wrote it (its access token or its refresh token is
    /// another): every write is of tokens just had from the server or of a new sign-in.
    /// Neither expiry need be known, and a save of ours that failed does not make the older
    /// record in the file look newer.
    fn adopt_newer_cached(&mut self) -> bool {
        let Some(cache) = &self.cache else {
            return false;
        };
        let Some(stored) = read_cache_file(cache.path())
            .ok()
            .flatten()
            .and_then(|bytes| serde_json::from_slice::<Stored>(&bytes).ok())
        else {
            return false;
        };
        let expires_at = stored
            .expires_at
            .as_deref()
            .and_then(|s| api_transport::time::parse_iso8601(s).ok());
        let tokens = OAuthTokens::new(stored.access_token, stored.refresh_token, expires_at);
        let record = Record::of(&tokens);
        let newer = stored.format == FORMAT
            && stored.kind == self.kind
            && stored.brand == self.brand.as_str()
            && record != self.record()
            && self.seen_in_cache.as_ref() != Some(&record);
        if newer {
            self.seen_in_cache = Some(record);
            let tokens = tokens.or_refresh_token(self.refresh_token.take());
            self.access_token = tokens.access_token;
            self.refresh_token = tokens.refresh_token;
            self.expires_at = tokens.expires_at;
        }
        newer
    }

    /// Takes the answer of an OAuth refresh sent with `refresh_token`. A refresh token refused
    /// as no longer valid may have been spent by another process sharing the cache file, which
    /// refreshed with it after this one looked at the file: its tokens are taken from the file
    /// when it has saved them there (looked at once more, not waited for).
    fn take_refreshed(&mut self, answer: Result<OAuthTokens, OAuthError>) -> Result<String> {
        let tokens = match answer {
            Ok(tokens) => tokens,
            Err(e) if e.needs_sign_in() && self.adopt_newer_cached() => {
                log::debug!(
                    "the refresh token was refused ({e}); using the tokens another process saved in the cache file"
                );
                return Ok(self.access_token.clone());
            }
            Err(e) if e.needs_sign_in() => {
                return Err(Error::SignInAgain {
                    kind: SignInKind::OAuth,
                    reason: format!("the refresh token was refused ({e})"),
                    how: OAUTH_SIGN_IN.into(),
                });
            }
            Err(e) => return Err(Error::OAuth(e)),
        };
        // A reply without a refresh token kept the one sent (`OAuthClient::refresh`).
        self.access_token = tokens.access_token;
        self.refresh_token = tokens.refresh_token;
        self.expires_at = tokens.expires_at;
        // Saved before the new tokens are handed out, so that a rotated refresh token is on disk
        // before anything uses it; a failed save is logged and kept for `last_cache_error`, and
        // the tokens handed out all the same.
        if let Err(e) = self.persist() {
            log::warn!("the refreshed token could not be cached: {e}");
        }
        Ok(self.access_token.clone())
    }

    fn reread_home_assistant(&mut self, why: Why) -> Result<String> {
        let Some(path) = self.ha_file.clone() else {
            return Err(self.sign_in_again(why));
        };
        let how = format!(
            "check that Home Assistant is running and its August/Yale integration is signed in, then import {} again",
            printable_path(&path)
        );
        let token = match ImportedToken::from_home_assistant_file(&path, Some(self.brand)) {
            Ok(token) => token,
            Err(ImportError::Expired { expired_at, .. }) => {
                return Err(Error::SignInAgain {
                    kind: SignInKind::HomeAssistant,
                    reason: format!(
                        "Home Assistant's token in {} expired at {} and was not refreshed",
                        printable_path(&path),
                        expired_at.to_rfc3339_opts(SecondsFormat::Secs, true)
                    ),
                    how,
                });
            }
            Err(e) => return Err(Error::Import(e)),
        };
        // The same token again is no renewal after a refusal, nor ever one the server refused.
        let same = token.tokens.access_token == self.access_token;
        if (same && why != Why::Due) || self.was_refused(&token.tokens.access_token) {
            return Err(Error::SignInAgain {
                kind: SignInKind::HomeAssistant,
                reason: format!(
                    "the server refused the token and {} holds no newer one",
                    printable_path(&path)
                ),
                how,
            });
        }
        self.access_token = token.tokens.access_token;
        self.refresh_token = token.tokens.refresh_token;
        self.expires_at = token.tokens.expires_at;
        if let Err(e) = self.persist() {
            log::warn!("the token read from Home Assistant could not be cached: {e}");
        }
        Ok(self.access_token.clone())
    }

    fn sign_in_again(&self, why: Why) -> Error {
        let reason = match (why, self.expires_at) {
            (Why::Refused, _) => "the server refused the access token".to_owned(),
            (_, Some(at)) if at <= Utc::now() => format!(
                "the access token expired at {}",
                at.to_rfc3339_opts(SecondsFormat::Secs, true)
            ),
            _ => "the access token cannot be refreshed".to_owned(),
        };
        let how = match self.kind {
            SignInKind::OAuth => format!(
                "{OAUTH_SIGN_IN}, or pass the client credentials so the token can be refreshed"
            ),
            SignInKind::Imported => {
                "import a fresh token from Home Assistant (CLI: august login --import-ha <config>/.storage/core.config_entries) or pass a new one (august login --token)".to_owned()
            }
            SignInKind::HomeAssistant => {
                "import the Home Assistant file again (CLI: august login --import-ha FILE)".to_owned()
            }
            SignInKind::Fixed => "pass a new access token (CLI: august login --token)".to_owned(),
            SignInKind::Password => PASSWORD_SIGN_IN.to_owned(),
        };
        Error::SignInAgain {
            kind: self.kind,
            reason,
            how,
        }
    }

    /// Writes the credentials to the cache file, if there is one, keeping aside first the
    /// unusable file [`Credentials::cache_file`] found there ([`TokenCache::write`]).
    fn persist(&mut self) -> Result<(), CacheError> {
        let Some(cache) = &mut self.cache else {
            return Ok(());
        };
        let stored = Stored {
            format: FORMAT.to_owned(),
            kind: self.kind,
            brand: self.brand.as_str().to_owned(),
            access_token: self.access_token.clone(),
            refresh_token: self.refresh_token.clone(),
            expires_at: self
                .expires_at
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Micros, true)),
            client_id: self.oauth.as_ref().map(|c| c.client_id().to_owned()),
            home_assistant_file: self.ha_file.clone(),
        };
        let mut bytes = serde_json::to_vec_pretty(&stored).unwrap_or_default();
        bytes.push(b'\n');
        match cache.write(&bytes) {
            Ok(()) => {
                self.last_cache_error = None;
                self.seen_in_cache = Some(self.record());
                Ok(())
            }
            Err(e) => {
                self.last_cache_error = Some(e.to_string());
                Err(e)
            }
        }
    }
}

/// What to do with the file at a cache path that credentials are first written to: a cache
/// file of this format or py-august's gives way to the new sign-in; anything else is kept
/// aside. A path the file policy refuses is refused here already.
fn existing_file(path: &Path) -> Result<Existing, CacheError> {
    Ok(if is_unusable_cache_file(path)? {
        Existing::KeepAside(Reader::Credentials)
    } else {
        Existing::Replace
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backoff::due_call_after_failed_forced_renewal;
    use mockito::{Matcher, Server, ServerGuard};

    /// OAuth credentials refreshed at `server` whose token `at-1` expires in 30 s: due.
    fn due_oauth(server: &ServerGuard) -> Credentials {
        let client = OAuthClient::with_endpoints(
            Brand::YaleGlobal,
            "client",
            "client-secret",
            "http://127.0.0.1:1/callback",
            format!("{}/authorize", server.url()),
            format!("{}/access_token", server.url()),
        )
        .expect("valid endpoints");
        let expires = Utc::now() + TimeDelta::seconds(30);
        Credentials::oauth(
            client,
            OAuthTokens::new("at-1", Some("rt-1".into()), Some(expires)),
        )
    }

    fn token_state(credentials: &Credentials) -> &Mutex<TokenState> {
        match &credentials.inner.source {
            Source::Token(state) => state,
            Source::Password(_) => unreachable!("OAuth credentials"),
        }
    }

    /// What a due call gets when it waited for a forced refresh that failed (503) and, between
    /// its wake-up and its taking that failure, `meanwhile` changed the credentials (as other
    /// renewals would have).
    fn due_call_after_a_failed_forced_refresh(
        meanwhile: impl FnOnce(&mut TokenState) + Send + 'static,
    ) -> Result<String> {
        let mut server = Server::new();
        let refresh = server
            .mock("POST", "/access_token")
            .match_body(Matcher::UrlEncoded("refresh_token".into(), "rt-1".into()));
        let credentials = due_oauth(&server);
        let (hooked, forced, due) = (
            credentials.clone(),
            credentials.clone(),
            credentials.clone(),
        );
        let (forced, due) = due_call_after_failed_forced_renewal(
            refresh,
            br#"{"error": "temporarily_unavailable"}"#,
            &credentials.inner.backoff,
            move || forced.refresh_now(),
            move || meanwhile(&mut lock(token_state(&hooked))),
            move || due.access_token(),
        );
        let forced = forced.unwrap_err();
        assert!(matches!(forced, Error::RenewalFailed(_)), "{forced:?}");
        due
    }

    #[test]
    fn a_failed_renewal_keeps_the_token_current_then_not_the_callers_copy() {
        // Another renewal replaced at-1 with at-2 while the due call waited: it keeps at-2.
        let kept = due_call_after_a_failed_forced_refresh(|st| {
            st.access_token = "at-2".into();
        });
        assert_eq!(kept.ok().as_deref(), Some("at-2"));
    }

    #[test]
    fn a_failed_renewal_keeps_no_token_when_the_current_one_was_refused_since() {
        // While the due call waited, at-1 was renewed to at-2, and the server refused at-2
        // (whose renewal failed too): neither token works, so the call gets the failure.
        let err = due_call_after_a_failed_forced_refresh(|st| {
            st.access_token = "at-2".into();
            st.refused = Some("at-2".into());
        })
        .unwrap_err();
        let Error::RenewalFailed(failure) = &err else {
            panic!("{err:?}");
        };
        assert!(
            matches!(
                **failure,
                Error::OAuth(OAuthError::Refused { status: 503, .. })
            ),
            "{err:?}"
        );
    }
}
