//! The login flow: password, verification code, token refresh, cache.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use august_core::{Api, LoginMethod};
use chrono::{TimeDelta, Utc};

use crate::authentication::{Authentication, AuthenticationState, ValidationResult};
use crate::cache::{
    CacheError, CacheSnapshot, CacheStatus, Existing, Reader, TokenCache, to_pending_json,
    to_py_json,
};
use crate::error::{Error, Result};
use crate::install_id::new_install_id;
use crate::{expiry, jwt};

/// Default for [`Authenticator::renewal_threshold`]: 7 days.
pub const DEFAULT_RENEWAL_THRESHOLD: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// A cached token with less time left than this is logged about when the cache is read.
const CACHE_WARNING_THRESHOLD: TimeDelta = TimeDelta::days(7);

/// Whether [`Authenticator::refresh_access_token`] asks for a new token only when the current
/// one is close to expiry, or always.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Refresh {
    /// Only when [`Authenticator::should_refresh`] says so. The default.
    #[default]
    IfNeeded,
    /// Whatever the expiry (the login must still be authenticated).
    Force,
}

/// Logs in to the August API with a password and a verification code, keeps the access token
/// fresh, and caches it in a file so that later runs skip both.
///
/// ```no_run
/// use august_auth::{AuthenticationState, Authenticator, LoginMethod, ValidationResult};
/// use august_core::Api;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let api = Api::new();
/// let mut authenticator =
///     Authenticator::new(api.clone(), LoginMethod::Email, "me@example.com", "password")
///         .access_token_cache_file("auth.json");
/// let mut authentication = authenticator.authenticate()?;
/// if authentication.state() == AuthenticationState::BadPassword {
///     return Err("the server refused the password: check it and try again".into());
/// }
/// if authentication.state() == AuthenticationState::RequiresValidation {
///     authenticator.send_verification_code()?;
///     let code = "123456"; // ask the user
///     if authenticator.validate_verification_code(code)? != ValidationResult::Validated {
///         return Err("the verification code was refused: ask for a new one".into());
///     }
///     authentication = authenticator.authenticate()?;
/// }
/// println!("{} locks", api.get_locks(authentication.access_token())?.len());
/// # Ok(())
/// # }
/// ```
///
/// `Debug` shows neither the password nor the access token.
pub struct Authenticator {
    api: Api,
    login_method: LoginMethod,
    username: String,
    password: String,
    renewal_threshold: Duration,
    cache: Option<TokenCache>,
    cache_status: CacheStatus,
    last_cache_error: Option<CacheError>,
    authentication: Authentication,
}

impl Authenticator {
    /// An authenticator for `username` (a phone number with `+` and country code, or an
    /// e-mail address, as `login_method` says), with a random install id, no cache file and
    /// a 7-day renewal threshold. Nothing is sent until [`Authenticator::authenticate`].
    ///
    /// ```
    /// use august_auth::AuthenticationState;
    /// # use august_auth::{Authenticator, LoginMethod};
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// let authenticator = Authenticator::new(api, LoginMethod::Phone, demo::PHONE, demo::PASSWORD);
    /// // Nothing is sent before `authenticate`.
    /// assert_eq!(authenticator.authentication().state(), AuthenticationState::RequiresAuthentication);
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(
        api: Api,
        login_method: LoginMethod,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Authenticator {
        Authenticator {
            api,
            login_method,
            username: username.into(),
            password: password.into(),
            authentication: Authentication::fresh(new_install_id()),
            renewal_threshold: DEFAULT_RENEWAL_THRESHOLD,
            cache: None,
            cache_status: CacheStatus::NotConfigured,
            last_cache_error: None,
        }
    }

    /// Caches authenticated logins in this file, and reads it now (set it when building the
    /// authenticator, before logging in).
    ///
    /// Reading never fails; its outcome is in [`Authenticator::cache_status`]:
    /// - an unexpired cached login is used as is (whatever state it records) and
    ///   [`Authenticator::authenticate`] returns it without any request;
    /// - an expired one gives a new login that reuses the cached install id (so a validated
    ///   install needs no new verification code);
    /// - a file that is not a valid cache file, or cannot be read, gives a new login; the file
    ///   is moved aside to `<name>.corrupt` (or `<name>.corrupt.N`) when that login is written,
    ///   [`Authenticator::last_cache_error`] says what was wrong and
    ///   [`Authenticator::kept_aside`] where the file went;
    /// - a path that is a symbolic link, not a regular file, or another user's file, and any
    ///   path in a directory that another user (other than root) owns or can write to without
    ///   the sticky bit, is refused ([`CacheStatus::Refused`], [`CacheError::Refused`]): nothing
    ///   is read from it or changed, and later logins are not written there (they succeed,
    ///   uncached).
    ///
    /// A file of ours readable by other users is restricted to mode 0600. See
    /// [`default_cache_path`](crate::default_cache_path) for a per-user location. Defaults to
    /// no cache file.
    ///
    /// ```
    /// use august_auth::{Authenticator, CacheStatus, LoginMethod};
    /// use august_core::Api;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let authenticator =
    ///     Authenticator::new(Api::new(), LoginMethod::Phone, "+15555550100", "password")
    ///         .access_token_cache_file(dir.path().join("auth.json"));
    /// // No file yet: the first login is written there.
    /// assert_eq!(authenticator.cache_status(), CacheStatus::Missing);
    /// # Ok(())
    /// # }
    /// ```
    pub fn access_token_cache_file(self, path: impl Into<PathBuf>) -> Self {
        self.access_token_cache_snapshot(CacheSnapshot::read(path))
    }

    /// As [`Authenticator::access_token_cache_file`], with the file as `snapshot` read it (it
    /// is not read again): for a program that looked at the file first
    /// ([`CacheSnapshot::is_credentials`]), so that what it saw is what it uses. Logins are
    /// cached in the snapshot's file. Defaults to no cache file, as
    /// [`Authenticator::access_token_cache_file`].
    ///
    /// ```
    /// use august_auth::{AuthenticationState, Authenticator, CacheSnapshot, CacheStatus, LoginMethod};
    /// use august_core::Api;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("auth.json");
    /// std::fs::write(&path, r#"{"install_id": "i", "access_token": "t", "access_token_expires": "2099-03-06T22:55:12.002Z", "state": "authenticated"}"#)?;
    /// let snapshot = CacheSnapshot::read(&path);
    /// assert!(!snapshot.is_credentials()); // a password login's cache
    /// let authenticator = Authenticator::new(Api::new(), LoginMethod::Phone, "", "")
    ///     .access_token_cache_snapshot(snapshot);
    /// assert_eq!(authenticator.cache_status(), CacheStatus::Loaded);
    /// assert_eq!(authenticator.authentication().state(), AuthenticationState::Authenticated);
    /// # Ok(())
    /// # }
    /// ```
    pub fn access_token_cache_snapshot(mut self, snapshot: CacheSnapshot) -> Self {
        let path = snapshot.path().to_owned();
        let existing = self.load_cache_from(snapshot);
        self.cache = Some(TokenCache::writing(path, existing));
        self
    }

    /// Logs in with this install id instead of a random one. A cache file that holds an install
    /// id wins over this one, whatever the order of the calls, and so does a login already
    /// made. An empty id is ignored. Defaults to a random UUID (see
    /// [`new_install_id`](crate::new_install_id)).
    ///
    /// ```
    /// use august_auth::{Authenticator, LoginMethod};
    /// use august_core::Api;
    ///
    /// let authenticator =
    ///     Authenticator::new(Api::new(), LoginMethod::Phone, "+15555550100", "password")
    ///         .install_id("0b5d3b8e-3f5f-4b8a-9c4e-2f6d8a1b7c9d");
    /// assert_eq!(
    ///     authenticator.authentication().install_id(),
    ///     "0b5d3b8e-3f5f-4b8a-9c4e-2f6d8a1b7c9d"
    /// );
    /// ```
    pub fn install_id(mut self, install_id: impl Into<String>) -> Self {
        let install_id = install_id.into();
        if install_id.is_empty() {
            log::warn!("ignoring an empty install id");
            return self;
        }
        let from_cache = matches!(
            self.cache_status,
            CacheStatus::Loaded | CacheStatus::Expired | CacheStatus::TokenRefused
        );
        if !from_cache && self.authentication.access_token.is_empty() {
            self.authentication.install_id = install_id;
        }
        self
    }

    /// How long before its expiry the access token should be refreshed (see
    /// [`Authenticator::should_refresh`]). Defaults to 7 days
    /// ([`DEFAULT_RENEWAL_THRESHOLD`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// use august_auth::{Authenticator, LoginMethod};
    /// use august_core::Api;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("auth.json");
    /// std::fs::write(&path, r#"{"install_id": "i", "access_token": "t", "access_token_expires": "2099-03-06T22:55:12.002Z", "state": "authenticated"}"#)?;
    /// let authenticator =
    ///     Authenticator::new(Api::new(), LoginMethod::Phone, "+15555550100", "password")
    ///         .access_token_cache_file(&path)
    ///         .renewal_threshold(Duration::from_secs(30 * 24 * 60 * 60));
    /// // The cached token has years left, more than the 30 days.
    /// assert!(!authenticator.should_refresh());
    /// # Ok(())
    /// # }
    /// ```
    pub fn renewal_threshold(mut self, threshold: Duration) -> Self {
        self.renewal_threshold = threshold;
        self
    }

    /// The current login record.
    ///
    /// ```
    /// use august_auth::AuthenticationState;
    /// # use august_auth::{Authenticator, LoginMethod};
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let mut authenticator = Authenticator::new(api.clone(), LoginMethod::Phone, demo::PHONE, demo::PASSWORD);
    /// # authenticator.authenticate()?;
    /// # authenticator.send_verification_code()?;
    /// # let code = sandbox.august_verification_code().ok_or("no code")?;
    /// # authenticator.validate_verification_code(&code)?;
    /// # authenticator.authenticate()?;
    /// let authentication = authenticator.authentication();
    /// assert_eq!(authentication.state(), AuthenticationState::Authenticated);
    /// println!("install {}, token valid until {:?}", authentication.install_id(), authentication.access_token_expires());
    /// # Ok(())
    /// # }
    /// ```
    pub fn authentication(&self) -> &Authentication {
        &self.authentication
    }

    /// What happened when the cache file was read.
    ///
    /// ```
    /// use august_auth::CacheStatus;
    /// # use august_auth::{Authenticator, LoginMethod};
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("auth.json");
    /// let mut authenticator = Authenticator::new(api.clone(), LoginMethod::Phone, demo::PHONE, demo::PASSWORD)
    ///     .access_token_cache_file(&path);
    /// assert_eq!(authenticator.cache_status(), CacheStatus::Missing); // the first run
    /// # authenticator.authenticate()?;
    /// # authenticator.send_verification_code()?;
    /// # let code = sandbox.august_verification_code().ok_or("no code")?;
    /// # authenticator.validate_verification_code(&code)?;
    /// # authenticator.authenticate()?;
    ///
    /// // The next run reads the login back and sends nothing.
    /// let authenticator = Authenticator::new(api, LoginMethod::Phone, demo::PHONE, demo::PASSWORD)
    ///     .access_token_cache_file(&path);
    /// assert_eq!(authenticator.cache_status(), CacheStatus::Loaded);
    /// # Ok(())
    /// # }
    /// ```
    pub fn cache_status(&self) -> CacheStatus {
        self.cache_status
    }

    /// The latest problem with the cache file: from reading it, or from writing it in
    /// [`Authenticator::authenticate`] or [`Authenticator::refresh_access_token`]. A successful
    /// write clears it.
    ///
    /// ```
    /// # use august_auth::{Authenticator, LoginMethod};
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("auth.json");
    /// std::fs::write(&path, "not a cache file")?;
    /// let authenticator = Authenticator::new(api, LoginMethod::Phone, demo::PHONE, demo::PASSWORD)
    ///     .access_token_cache_file(&path);
    /// // Not fatal: the next login replaces the file (the bad one is kept aside).
    /// let problem = authenticator.last_cache_error().ok_or("the file was accepted")?;
    /// println!("{problem}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn last_cache_error(&self) -> Option<&CacheError> {
        self.last_cache_error.as_ref()
    }

    /// Where the unusable file found at the cache path ([`CacheStatus::Corrupt`],
    /// [`CacheStatus::Unreadable`]) was kept aside (the first free name of
    /// [`kept_aside_paths`](crate::kept_aside_paths): `<name>.corrupt`, `<name>.corrupt.N`) when
    /// a login was first written there ([`Authenticator::authenticate`],
    /// [`Authenticator::save_pending_login`], a refresh ...), also when that write then failed;
    /// `None` before that write, when there was no such file, or without a cache file. Setting
    /// the cache file again starts afresh. For a program that tells its user, without reading
    /// the file itself first; [`Credentials::kept_aside`](crate::Credentials::kept_aside)
    /// reports the same for the other sign-ins.
    ///
    /// ```
    /// use august_auth::CacheStatus;
    /// # use august_auth::{Authenticator, LoginMethod};
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("auth.json");
    /// std::fs::write(&path, "not a cache file")?;
    /// let mut authenticator = Authenticator::new(api, LoginMethod::Phone, demo::PHONE, demo::PASSWORD)
    ///     .access_token_cache_file(&path);
    /// assert_eq!(authenticator.cache_status(), CacheStatus::Corrupt);
    /// assert_eq!(authenticator.kept_aside(), None); // nothing written yet
    /// # authenticator.authenticate()?;
    /// # authenticator.send_verification_code()?;
    /// # let code = sandbox.august_verification_code().ok_or("no code")?;
    /// # authenticator.validate_verification_code(&code)?;
    /// authenticator.authenticate()?; // writes the login, keeping the unusable file aside first
    /// assert_eq!(authenticator.kept_aside(), Some(dir.path().join("auth.json.corrupt")));
    /// assert_eq!(std::fs::read_to_string(dir.path().join("auth.json.corrupt"))?, "not a cache file");
    /// # Ok(())
    /// # }
    /// ```
    pub fn kept_aside(&self) -> Option<PathBuf> {
        self.cache
            .as_ref()
            .and_then(TokenCache::kept_aside)
            .map(ToOwned::to_owned)
    }

    /// Takes the login of the cache file as `snapshot` read it; says what the first write does
    /// with the file: an unusable one is kept aside.
    fn load_cache_from(&mut self, snapshot: CacheSnapshot) -> Existing {
        self.last_cache_error = None;
        let loaded = snapshot.into_loaded();
        self.last_cache_error = loaded.warning;
        match loaded.outcome {
            Ok(None) => self.cache_status = CacheStatus::Missing,
            Ok(Some(cached)) => {
                let now = Utc::now();
                match cached.parsed_expiry() {
                    Ok(expiry) if expiry < now => {
                        log::warn!(
                            "the cached access token expired at {}; a new login is needed (the cached install id is kept)",
                            expiry::format(expiry)
                        );
                        self.cache_status = CacheStatus::Expired;
                        self.authentication = Authentication::fresh(cached.install_id);
                    }
                    _ if cached.state == AuthenticationState::RequiresAuthentication => {
                        log::warn!(
                            "the server refused the cached access token; a new login is needed (the cached install id is kept)"
                        );
                        self.cache_status = CacheStatus::TokenRefused;
                        self.authentication = Authentication::fresh(cached.install_id);
                    }
                    expiry => {
                        if let Ok(expiry) = expiry
                            && expiry.signed_duration_since(now) < CACHE_WARNING_THRESHOLD
                        {
                            log::warn!(
                                "the cached access token expires at {}; refresh it with refresh_access_token()",
                                expiry::format(expiry)
                            );
                        }
                        self.cache_status = CacheStatus::Loaded;
                        self.authentication = cached;
                    }
                }
            }
            Err(e) => {
                log::warn!("{e}");
                // A refused path is left alone: not moved aside, not written over.
                let existing;
                (self.cache_status, existing) = match e {
                    CacheError::Corrupt { .. } => (
                        CacheStatus::Corrupt,
                        Existing::KeepAside(Reader::Authenticator),
                    ),
                    CacheError::Refused { .. } => (CacheStatus::Refused, Existing::Replace),
                    _ => (
                        CacheStatus::Unreadable,
                        Existing::KeepAside(Reader::Authenticator),
                    ),
                };
                self.last_cache_error = Some(e);
                return existing;
            }
        }
        Existing::Replace
    }

    /// Writes the current authentication to the cache file, if one is configured.
    fn write_cache(&mut self) -> std::result::Result<(), CacheError> {
        let record = self.authentication.clone();
        self.write_record(&record)
    }

    /// Writes `record` to the cache file, if one is configured.
    fn write_record(&mut self, record: &Authentication) -> std::result::Result<(), CacheError> {
        self.write_bytes(to_py_json(record).as_bytes())
    }

    /// Writes `bytes` to the cache file, if one is configured, moving an unusable file aside
    /// first ([`TokenCache::write`]).
    fn write_bytes(&mut self, bytes: &[u8]) -> std::result::Result<(), CacheError> {
        let Some(cache) = &mut self.cache else {
            return Ok(());
        };
        cache.write(bytes)?;
        self.last_cache_error = None;
        Ok(())
    }

    /// Writes the cache and, on failure, keeps the error for [`Self::last_cache_error`].
    fn write_cache_or_record(&mut self) {
        if let Err(e) = self.write_cache() {
            log::warn!("{e}");
            self.last_cache_error = Some(e);
        }
    }

    /// Logs in, unless already authenticated.
    ///
    /// If the current state is [`AuthenticationState::Authenticated`] (from the cache file or
    /// an earlier call) and the token has not expired, it is returned without any request.
    /// Otherwise `POST /session` is sent with the install id, `<method>:<username>` and the
    /// password, and its answer decides the state: a wrong password gives
    /// [`AuthenticationState::BadPassword`], an install id not yet validated
    /// [`AuthenticationState::RequiresValidation`] (send and validate a code, then call this
    /// again), else [`AuthenticationState::Authenticated`]. Whatever the state, the answer's
    /// token becomes the current one; only an authenticated login is written to the cache
    /// file. After [`Authenticator::mark_token_refused`] (or a 401 on a refresh), this logs
    /// in afresh with the same install id. A cache file that cannot be written does not fail the login: see
    /// [`Authenticator::last_cache_error`].
    ///
    /// ```
    /// use august_auth::AuthenticationState;
    /// # use august_auth::{Authenticator, LoginMethod};
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let mut authenticator = Authenticator::new(api.clone(), LoginMethod::Phone, demo::PHONE, demo::PASSWORD);
    /// match authenticator.authenticate()?.state() {
    ///     AuthenticationState::Authenticated => println!("logged in"),
    ///     AuthenticationState::RequiresValidation => println!("a verification code is needed"),
    ///     AuthenticationState::BadPassword => println!("wrong password"),
    ///     AuthenticationState::RequiresAuthentication => unreachable!(),
    /// }
    /// // The sandbox, like the service, does not know this new install yet.
    /// assert_eq!(authenticator.authentication().state(), AuthenticationState::RequiresValidation);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`] when the request fails (not delivered, timed out, an error status, an
    /// answer without a token or without `expiresAt`, `vPassword`, `vInstallId`).
    pub fn authenticate(&mut self) -> Result<Authentication> {
        if self.authentication.state == AuthenticationState::Authenticated {
            match self.authentication.parsed_expiry() {
                Ok(expiry) if expiry <= Utc::now() => {
                    log::info!("the access token has expired; logging in again");
                }
                _ => return Ok(self.authentication.clone()),
            }
        }
        let identifier = self.login_method.identifier(&self.username);
        let session =
            self.api
                .get_session(&self.authentication.install_id, &identifier, &self.password)?;
        let state = if !session.password_verified() {
            AuthenticationState::BadPassword
        } else if !session.install_id_verified() {
            AuthenticationState::RequiresValidation
        } else {
            AuthenticationState::Authenticated
        };
        self.authentication = Authentication {
            state,
            install_id: self.authentication.install_id.clone(),
            access_token: session.access_token().to_owned(),
            access_token_expires: Some(session.expires_at().to_owned()),
        };
        if state == AuthenticationState::Authenticated {
            self.write_cache_or_record();
        }
        Ok(self.authentication.clone())
    }

    /// Asks the server to send a verification code to the phone number or e-mail address
    /// (`POST /validation/phone` or `/validation/email`), using the token of the last
    /// [`Authenticator::authenticate`]. Never retried, so that one call sends one message.
    ///
    /// ```
    /// # use august_auth::{Authenticator, LoginMethod};
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let mut authenticator = Authenticator::new(api.clone(), LoginMethod::Phone, demo::PHONE, demo::PASSWORD);
    /// authenticator.authenticate()?;
    /// authenticator.send_verification_code()?;
    /// assert!(sandbox.august_verification_code().is_some()); // the sandbox keeps the SMS
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NoAccessToken`] before any login; [`Error::Api`] when the request fails.
    pub fn send_verification_code(&mut self) -> Result<()> {
        if self.authentication.access_token.is_empty() {
            return Err(Error::NoAccessToken);
        }
        self.api.send_verification_code(
            &self.authentication.access_token,
            self.login_method,
            &self.username,
        )?;
        Ok(())
    }

    /// Checks a verification code (`POST /validate/phone` or `/validate/email`).
    ///
    /// The code is a string of ASCII digits, sent as a JSON string with its leading zeros;
    /// spaces and line breaks around it are ignored. An empty code or one with another
    /// character gives [`ValidationResult::InvalidVerificationCode`] without any request, and
    /// so does a 4xx answer other than 401, 403, 408 and 429 (the server's way of refusing a
    /// code). On [`ValidationResult::Validated`], call [`Authenticator::authenticate`] again:
    /// the state itself does not change here. Never retried.
    ///
    /// ```
    /// use august_auth::{AuthenticationState, ValidationResult};
    /// # use august_auth::{Authenticator, LoginMethod};
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let mut authenticator = Authenticator::new(api.clone(), LoginMethod::Phone, demo::PHONE, demo::PASSWORD);
    /// authenticator.authenticate()?;
    /// authenticator.send_verification_code()?;
    /// let code = sandbox.august_verification_code().ok_or("no code")?; // ask the user
    /// assert_eq!(authenticator.validate_verification_code(&code)?, ValidationResult::Validated);
    /// assert_eq!(authenticator.authenticate()?.state(), AuthenticationState::Authenticated);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NoAccessToken`] before any login; [`Error::Api`] when the code could not be
    /// checked: not delivered, timed out, 401 (the provisional token is no longer valid: log
    /// in again), 403, 408, 429 (wait), 5xx. These never count as a wrong code.
    pub fn validate_verification_code(&mut self, code: &str) -> Result<ValidationResult> {
        let code = code.trim();
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(ValidationResult::InvalidVerificationCode);
        }
        if self.authentication.access_token.is_empty() {
            return Err(Error::NoAccessToken);
        }
        match self.api.validate_verification_code(
            &self.authentication.access_token,
            self.login_method,
            &self.username,
            code,
        ) {
            Ok(()) => Ok(ValidationResult::Validated),
            Err(e) if refuses_code(&e) => {
                log::info!("the verification code was refused: {e}");
                Ok(ValidationResult::InvalidVerificationCode)
            }
            Err(e) => Err(Error::Api(e)),
        }
    }

    /// Whether the access token should be refreshed: the state is
    /// [`AuthenticationState::Authenticated`] and the token expires within the renewal
    /// threshold (strictly less time left), or its expiry cannot be read.
    ///
    /// ```
    /// # use august_auth::{Authenticator, LoginMethod};
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let mut authenticator = Authenticator::new(api.clone(), LoginMethod::Phone, demo::PHONE, demo::PASSWORD);
    /// # authenticator.authenticate()?;
    /// # authenticator.send_verification_code()?;
    /// # let code = sandbox.august_verification_code().ok_or("no code")?;
    /// # authenticator.validate_verification_code(&code)?;
    /// # authenticator.authenticate()?;
    /// // A new token has months left: nothing to do within the 7-day threshold.
    /// assert!(!authenticator.should_refresh());
    /// # Ok(())
    /// # }
    /// ```
    pub fn should_refresh(&self) -> bool {
        if self.authentication.state != AuthenticationState::Authenticated {
            return false;
        }
        let threshold = TimeDelta::from_std(self.renewal_threshold).unwrap_or(TimeDelta::MAX);
        match self.authentication.parsed_expiry() {
            Ok(expiry) => expiry.signed_duration_since(Utc::now()) < threshold,
            Err(_) => true,
        }
    }

    /// Gets a new access token (`GET /users/houses/mine`, token from the response header) when
    /// [`Authenticator::should_refresh`] says so, or always with [`Refresh::Force`].
    ///
    /// Returns the current authentication unchanged when no refresh is needed, or when the
    /// login is not authenticated (logged as a warning). The new token's expiry is its JWT
    /// `exp` claim (the signature is not checked), stored as `%Y-%m-%dT%H:%M:%S.%fZ` with six
    /// fractional digits, and the result is written to the cache file (a write failure is kept
    /// in [`Authenticator::last_cache_error`]). A new token without a readable `exp` is
    /// discarded with a warning and the current one kept, as the reference clients do.
    ///
    /// ```
    /// use august_auth::Refresh;
    /// # use august_auth::{Authenticator, LoginMethod};
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let mut authenticator = Authenticator::new(api.clone(), LoginMethod::Phone, demo::PHONE, demo::PASSWORD);
    /// # authenticator.authenticate()?;
    /// # authenticator.send_verification_code()?;
    /// # let code = sandbox.august_verification_code().ok_or("no code")?;
    /// # authenticator.validate_verification_code(&code)?;
    /// # authenticator.authenticate()?;
    /// let authentication = authenticator.refresh_access_token(Refresh::Force)?;
    /// println!("token valid until {:?}", authentication.access_token_expires());
    /// assert_eq!(api.get_locks(authentication.access_token())?.len(), 3);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`] when the request fails or its answer has no token header. On a 401 the
    /// token is marked refused first (see [`Authenticator::mark_token_refused`]): call
    /// [`Authenticator::authenticate`] to log in again with the same install id.
    pub fn refresh_access_token(&mut self, refresh: Refresh) -> Result<Authentication> {
        if refresh == Refresh::IfNeeded && !self.should_refresh() {
            return Ok(self.authentication.clone());
        }
        if self.authentication.state != AuthenticationState::Authenticated {
            log::warn!(
                "not refreshing the access token: the login state is {}; authenticate first",
                self.authentication.state
            );
            return Ok(self.authentication.clone());
        }
        let sent_with = self.authentication.access_token.clone();
        let answer = self.api.refresh_access_token(&sent_with);
        self.take_refreshed(&sent_with, answer)
    }

    /// The API, for a refresh sent without holding the authenticator
    /// ([`crate::SharedAuthenticator`]).
    pub(crate) fn api(&self) -> &Api {
        &self.api
    }

    /// Takes the answer of a refresh sent with the token `sent_with`: the new token (with its
    /// expiry, cached), or the error (a 401 marks the token refused first). When the token is no
    /// longer `sent_with` (a login replaced it meanwhile) the answer is ignored and the current
    /// authentication returned.
    pub(crate) fn take_refreshed(
        &mut self,
        sent_with: &str,
        answer: august_core::Result<august_core::AccessToken>,
    ) -> Result<Authentication> {
        if self.authentication.access_token != sent_with {
            return Ok(self.authentication.clone());
        }
        let new_token = match answer {
            Ok(token) => token.into_string(),
            Err(e) => {
                if e.is_unauthorized() {
                    self.mark_token_refused();
                }
                return Err(Error::Api(e));
            }
        };
        match jwt::expiry(&new_token) {
            Ok(expiry) => {
                self.authentication = Authentication {
                    state: self.authentication.state,
                    install_id: self.authentication.install_id.clone(),
                    access_token: new_token,
                    access_token_expires: Some(expiry::format(expiry)),
                };
                self.write_cache_or_record();
            }
            Err(problem) => {
                log::warn!("{}; keeping the current access token", problem.describe());
            }
        }
        Ok(self.authentication.clone())
    }

    /// Drops the access token because the server refused it (a 401 on an API call), so that
    /// the next [`Authenticator::authenticate`] logs in afresh **with the same install id**: a
    /// server that knows this install (it was validated with a code before) then asks for no
    /// new code. Without this, `authenticate()` keeps returning the refused token, which looks
    /// unexpired.
    ///
    /// The state becomes [`AuthenticationState::RequiresAuthentication`] (no token), and the
    /// cache file records it so that a new authenticator on the same file logs in afresh too
    /// ([`CacheStatus::TokenRefused`]): the file keeps py-august's four keys, with `state` set
    /// to `requires_authentication` (py-august then logs in again as well). A write failure
    /// is kept in [`Authenticator::last_cache_error`]. Does nothing before a login or when the
    /// token was already dropped. [`Authenticator::refresh_access_token`] and
    /// [`SharedAuthenticator`](crate::SharedAuthenticator) call it on a 401 themselves.
    ///
    /// ```
    /// # use august_auth::{Authenticator, LoginMethod};
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let mut authenticator = Authenticator::new(api.clone(), LoginMethod::Phone, demo::PHONE, demo::PASSWORD);
    /// # authenticator.authenticate()?;
    /// # authenticator.send_verification_code()?;
    /// # let code = sandbox.august_verification_code().ok_or("no code")?;
    /// # authenticator.validate_verification_code(&code)?;
    /// # authenticator.authenticate()?;
    /// let token = authenticator.authentication().access_token().to_owned();
    /// sandbox.expire_access_tokens(); // the server stops accepting it
    /// match api.get_locks(&token) {
    ///     Err(e) if e.is_unauthorized() => {
    ///         authenticator.mark_token_refused();
    ///         let again = authenticator.authenticate()?; // same install id: no new code
    ///         assert_eq!(api.get_locks(again.access_token())?.len(), 3);
    ///     }
    ///     other => println!("{} locks", other?.len()),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn mark_token_refused(&mut self) {
        if self.authentication.access_token.is_empty() {
            return;
        }
        log::warn!(
            "the server refused the access token; the next authenticate() logs in again with the same install id"
        );
        let record = Authentication {
            state: AuthenticationState::RequiresAuthentication,
            ..self.authentication.clone()
        };
        self.authentication = Authentication::fresh(record.install_id.clone());
        if let Err(e) = self.write_record(&record) {
            log::warn!("{e}");
            self.last_cache_error = Some(e);
        }
    }

    /// Writes the current (authenticated) login to the cache file now: to retry after
    /// [`Authenticator::last_cache_error`] reported a failed write. Does nothing without a
    /// cache file.
    ///
    /// ```
    /// # use august_auth::{Authenticator, LoginMethod};
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("auth.json");
    /// let mut authenticator = Authenticator::new(api, LoginMethod::Phone, demo::PHONE, demo::PASSWORD)
    ///     .access_token_cache_file(&path);
    /// # authenticator.authenticate()?;
    /// # authenticator.send_verification_code()?;
    /// # let code = sandbox.august_verification_code().ok_or("no code")?;
    /// # authenticator.validate_verification_code(&code)?;
    /// # authenticator.authenticate()?;
    ///
    /// if let Some(problem) = authenticator.last_cache_error() {
    ///     eprintln!("not cached ({problem}), trying again");
    ///     authenticator.save_cache()?;
    /// }
    /// assert!(path.exists());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotAuthenticated`] when the login is not complete, [`Error::Cache`] when the
    /// file cannot be written.
    pub fn save_cache(&mut self) -> Result<()> {
        if self.authentication.state != AuthenticationState::Authenticated {
            return Err(Error::NotAuthenticated {
                state: self.authentication.state,
            });
        }
        self.write_cache().map_err(Error::Cache)
    }

    /// Writes the login that waits for its verification code to the cache file, with the
    /// account it is for, so that another process can finish it.
    ///
    /// Only authenticated logins are cached otherwise. A program that sends the code in one
    /// process and checks it in another (the `august` command's `login`, then `verify CODE`)
    /// calls this before [`Authenticator::send_verification_code`] (a code costs the user and
    /// is sent once, so a file that cannot be written fails before one is sent): an
    /// authenticator for the same file then reads the login back in
    /// [`AuthenticationState::RequiresValidation`]
    /// (until its provisional token expires), [`Authenticator::validate_verification_code`]
    /// checks the code with the cached token and install id, and the next
    /// [`Authenticator::authenticate`] replaces the record with the authenticated login.
    ///
    /// The record is py-august's (which caches every state this way) with two more keys,
    /// `username` and `login_method`, that readers of the format ignore. The file is written as
    /// every cache file is: atomically, mode 0600, under the cache's file policy, and an
    /// unusable file is kept aside as `<name>.corrupt` (see [`Authenticator::kept_aside`]). An
    /// authenticated login is written as [`Authenticator::save_cache`] writes it. Does nothing
    /// without a cache file.
    ///
    /// ```no_run
    /// # use august_auth::{AuthenticationState, Authenticator, LoginMethod};
    /// # fn main() -> Result<(), august_auth::Error> {
    /// let mut authenticator =
    ///     Authenticator::new(august_core::Api::new(), LoginMethod::Phone, "+15555550100", "password")
    ///         .access_token_cache_file("auth.json");
    /// if authenticator.authenticate()?.state() == AuthenticationState::RequiresValidation {
    ///     authenticator.save_pending_login()?; // another process checks the code
    ///     authenticator.send_verification_code()?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotAuthenticated`] when there is no login to keep (a refused password, no
    /// login yet), [`Error::Cache`] when the file cannot be written.
    pub fn save_pending_login(&mut self) -> Result<()> {
        match self.authentication.state {
            AuthenticationState::Authenticated => self.write_cache().map_err(Error::Cache),
            AuthenticationState::RequiresValidation => {
                let bytes =
                    to_pending_json(&self.authentication, &self.username, self.login_method);
                self.write_bytes(bytes.as_bytes()).map_err(Error::Cache)
            }
            state => Err(Error::NotAuthenticated { state }),
        }
    }
}

/// A 4xx other than 401, 403, 408 and 429 is the server refusing the code; anything else
/// (transport failures, timeouts, 5xx, those four statuses) says nothing about the code.
fn refuses_code(e: &august_core::Error) -> bool {
    matches!(e.status(), Some(status @ 400..=499) if !matches!(status, 401 | 403 | 408 | 429))
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("login_method", &self.login_method)
            .field("username", &self.username)
            .field("password", &format_args!("<redacted>"))
            .field("authentication", &self.authentication)
            .field(
                "access_token_cache_file",
                &self.cache.as_ref().map(TokenCache::path),
            )
            .field("cache_status", &self.cache_status)
            .field("renewal_threshold", &self.renewal_threshold)
            .finish_non_exhaustive()
    }
}
