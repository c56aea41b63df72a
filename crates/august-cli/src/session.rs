//! Settings shared by the commands, the login commands, and the access token of the others.

use std::io::{self, BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use anyhow::{Context as _, anyhow};
use august_auth::{
    AuthenticationState, Authenticator, CacheError, CacheSnapshot, CacheStatus, Refresh,
    ValidationResult, check_cache_path, default_cache_path,
};
use august_core::{Api, Brand, LoginMethod};
use serde_json::json;

use crate::cli::{Cli, LoginArgs, VerifyArgs};
use crate::failure::{CacheRefused, NotLoggedIn, OutcomeUnknown, Usage, after_sending};
use crate::output::{self, key_values};
use crate::pending;

/// The file used when no username is known.
const DEFAULT_CACHE_NAME: &str = "default";

/// How many times an interactive login asks for the code.
const CODE_ATTEMPTS: usize = 3;

/// Everything a command needs from the global options.
pub struct Context {
    /// Print JSON.
    pub json: bool,
    /// The August client.
    pub api: Api,
    /// The account, if known.
    pub username: Option<String>,
    /// `--cache`, if given.
    cache: Option<PathBuf>,
    /// Base URL of the Authy API.
    pub authy_url: Option<String>,
    /// Authy API key.
    pub authy_api_key: Option<String>,
    /// The sandbox started for this run (`--sandbox`), stopped when the context is dropped.
    sandbox: Option<august_sandbox::Sandbox>,
    /// The cached token handed out by [`Context::token`], and its cache file: a 401 on a call
    /// made with it marks it refused there ([`Context::finish`]).
    handed_out: Mutex<Option<(PathBuf, String)>>,
    /// `--api-key`, if given.
    api_key: Option<String>,
    /// `--base-url`, if given.
    base_url: Option<String>,
    /// `--brand`, if given: a cached sign-in of another brand is not used with it.
    brand_given: Option<Brand>,
    /// `--pubnub-origin`, if given.
    pubnub_origin: Option<String>,
    /// `--websocket-url`, if given.
    websocket_url: Option<String>,
    /// The cache file as this run read it to learn its brand, for the command to use rather
    /// than read it again ([`Context::cache_snapshot`]).
    snapshot: Mutex<Option<CacheSnapshot>>,
}

impl Context {
    /// Builds the August client from the global options.
    pub fn new(cli: &Cli) -> anyhow::Result<Context> {
        if cli.sandbox {
            let sandbox = august_sandbox::Sandbox::start()
                .map_err(|e| anyhow::Error::new(e).context("cannot start the sandbox"))?;
            let url = sandbox.august_url();
            return Ok(Context {
                json: cli.json,
                api: build_api_keyed(
                    cli.brand.unwrap_or_default(),
                    Some(&url),
                    cli.api_key.as_deref(),
                )?,
                username: Some(august_sandbox::demo::PHONE.to_owned()),
                cache: None,
                authy_url: Some(sandbox.authy_url()),
                authy_api_key: Some(sandbox.authy_api_key()),
                sandbox: Some(sandbox),
                handed_out: Mutex::new(None),
                api_key: cli.api_key.clone(),
                base_url: Some(url),
                brand_given: cli.brand,
                // The sandbox serves both at its base URL.
                pubnub_origin: None,
                websocket_url: None,
                snapshot: Mutex::new(None),
            });
        }
        let mut ctx = Context {
            json: cli.json,
            api: build_api_keyed(
                cli.brand.unwrap_or_default(),
                cli.base_url.as_deref(),
                cli.api_key.as_deref(),
            )?,
            username: cli.username.clone().filter(|u| !u.is_empty()),
            cache: cli.cache.clone(),
            authy_url: cli.authy_url.clone(),
            authy_api_key: cli.authy_api_key.clone(),
            sandbox: None,
            handed_out: Mutex::new(None),
            api_key: cli.api_key.clone(),
            base_url: cli.base_url.clone().filter(|u| !u.is_empty()),
            brand_given: cli.brand,
            pubnub_origin: cli.pubnub_origin.clone().filter(|u| !u.is_empty()),
            websocket_url: cli.websocket_url.clone().filter(|u| !u.is_empty()),
            snapshot: Mutex::new(None),
        };
        // Without --brand, a cached OAuth or imported sign-in says its brand. The file is read
        // once: the command uses what was read here, so its brand and its token agree even
        // when another process replaces the file meanwhile. A path the policy refuses is not
        // read (nor its mode restricted): the snapshot holds the refusal, and the command that
        // comes to the cache says why.
        if cli.brand.is_none()
            && let Ok(path) = ctx.cache_path(None)
        {
            let snapshot = CacheSnapshot::read(path);
            if let Some(brand) = snapshot.brand()
                && brand != ctx.api.brand()
            {
                ctx.api = ctx.api_for_brand(brand)?;
            }
            *ctx.snapshot
                .get_mut()
                .unwrap_or_else(PoisonError::into_inner) = Some(snapshot);
        }
        Ok(ctx)
    }

    /// The cache file at `path` as this run read it first (to learn its brand), taken; else
    /// read now. Either way under the file policy ([`CacheSnapshot::read`]): a path the policy
    /// refuses is never read, nor its mode restricted, and the snapshot holds the refusal for
    /// whoever uses it.
    pub fn cache_snapshot(&self, path: &Path) -> CacheSnapshot {
        let taken = self
            .snapshot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match taken {
            Some(snapshot) if snapshot.path() == path => snapshot,
            _ => CacheSnapshot::read(path),
        }
    }

    /// The August client for another brand, with the same base URL and API key options.
    pub fn api_for_brand(&self, brand: Brand) -> anyhow::Result<Api> {
        build_api_keyed(brand, self.base_url.as_deref(), self.api_key.as_deref())
    }

    /// Ends a command: when it failed because the server refused the cached token (401), the
    /// token is marked refused in the cache file, so that `august login` logs in afresh (with
    /// the same install id, so no new code) and later commands say to log in.
    pub fn finish(&self, result: anyhow::Result<()>) -> anyhow::Result<()> {
        let Err(error) = &result else {
            return result;
        };
        let refused = error.chain().any(|c| {
            c.downcast_ref::<august_core::Error>()
                .is_some_and(august_core::Error::is_unauthorized)
                || c.downcast_ref::<august_auth::Error>()
                    .is_some_and(august_auth::Error::is_unauthorized)
        });
        let handed_out = self
            .handed_out
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let (true, Some((path, token))) = (refused, handed_out) {
            let mut authenticator =
                Authenticator::new(self.api.clone(), LoginMethod::Phone, "", "")
                    .access_token_cache_file(&path);
            if authenticator.authentication().access_token() == token {
                authenticator.mark_token_refused();
                if let Some(e) = authenticator.last_cache_error() {
                    warn(&format!(
                        "the refused token could not be marked in the cache: {e}"
                    ));
                }
            }
        }
        result
    }

    /// The PubNub origin and the websocket URL of `august watch`: `--pubnub-origin` and
    /// `--websocket-url`, else the base URL when it names another server than the brand's (a
    /// local server or the sandbox, which serve both there), else `None` for the brand's own.
    pub fn push_hosts(&self) -> (Option<String>, Option<String>) {
        let brand_url = self.api.brand().config().base_url;
        let custom = self
            .base_url
            .as_deref()
            .filter(|url| url.trim_end_matches('/') != brand_url.trim_end_matches('/'));
        let or_custom = |given: &Option<String>| given.as_deref().or(custom).map(str::to_owned);
        (
            or_custom(&self.pubnub_origin),
            or_custom(&self.websocket_url),
        )
    }

    /// The sandbox of this run, if `--sandbox` was given.
    pub fn sandbox(&self) -> Option<&august_sandbox::Sandbox> {
        self.sandbox.as_ref()
    }

    /// Signs in as the sandbox's demo user: the whole login, with the verification code read
    /// from the sandbox. Nothing is cached: the sandbox lives for this command only.
    fn sandbox_login(
        &self,
        sandbox: &august_sandbox::Sandbox,
    ) -> anyhow::Result<august_auth::Authentication> {
        use august_sandbox::demo;
        let mut authenticator = Authenticator::new(
            self.api.clone(),
            LoginMethod::Phone,
            demo::PHONE,
            demo::PASSWORD,
        );
        let auth = authenticator.authenticate()?;
        if auth.state() == AuthenticationState::RequiresValidation {
            authenticator.send_verification_code()?;
            let code = sandbox
                .august_verification_code_for(auth.install_id())
                .ok_or_else(|| anyhow!("the sandbox sent no verification code"))?;
            if !validate_and_finish(self, &mut authenticator, &code, None)? {
                return Err(anyhow!("the sandbox refused its own verification code"));
            }
        }
        let auth = authenticator.authentication().clone();
        if auth.state() != AuthenticationState::Authenticated {
            return Err(anyhow!(
                "the sandbox's demo login ended in state {}",
                auth.state()
            ));
        }
        Ok(auth)
    }

    /// The token cache file: `--cache`, else the username's default file, else `default.json`
    /// in the same directory.
    pub fn cache_path(&self, username: Option<&str>) -> anyhow::Result<PathBuf> {
        if let Some(path) = &self.cache {
            return Ok(path.clone());
        }
        let name = username
            .or(self.username.as_deref())
            .unwrap_or(DEFAULT_CACHE_NAME);
        default_cache_path(name).ok_or_else(|| {
            Usage("no per-user data directory for the token cache: pass --cache FILE or set AUGUST_CACHE_FILE".into())
                .into()
        })
    }

    /// The `august verify CODE` command that finds the login waiting for its code that this run
    /// left or found, for the account `username` (`None`: the run named none, and used the
    /// default file): with the `--cache FILE` or `--username USERNAME` it was given on the
    /// command line (one set in the environment is found there again).
    fn verify_command(&self, username: Option<&str>) -> String {
        self.command(username, "verify CODE")
    }

    /// The `august login` command that finds that login again, as [`Context::verify_command`].
    pub fn login_command(&self, username: Option<&str>) -> String {
        self.command(username, "login")
    }

    /// `august [--cache FILE | --username USERNAME] {rest}`, as [`Context::verify_command`];
    /// `august --sandbox {rest}` with the sandbox.
    fn command(&self, username: Option<&str>, rest: &str) -> String {
        if self.sandbox.is_some() {
            return format!("august --sandbox {rest}");
        }
        let in_env = |name: &str, value: &std::ffi::OsStr| {
            std::env::var_os(name).is_some_and(|v| v == value)
        };
        let option = match (&self.cache, username) {
            (Some(path), _) if in_env("AUGUST_CACHE_FILE", path.as_os_str()) => None,
            (Some(path), _) => Some(format!("--cache {}", shell_word_os(path.as_os_str()))),
            (None, Some(username)) if in_env("AUGUST_USERNAME", username.as_ref()) => None,
            (None, Some(username)) => {
                Some(format!("--username {}", shell_word_os(username.as_ref())))
            }
            (None, None) => None,
        };
        match option {
            Some(option) => format!("august {option} {rest}"),
            None => format!("august {rest}"),
        }
    }

    /// What to do after a code check that may have been accepted, for the account `username`
    /// (as [`Context::login_command`]): run `august login`, which `resumes` from the login the
    /// cache keeps; with the sandbox, which keeps nothing from one run to the next, run the
    /// command again (whichever it was: each signs in for itself), which signs in afresh.
    fn login_again(&self, username: Option<&str>, resumes: &str) -> String {
        if self.sandbox.is_some() {
            return "run the command again, which signs in afresh (the sandbox keeps nothing from one run to the next)".to_owned();
        }
        format!("run `{}`, which {resumes}", self.login_command(username))
    }

    /// The access token for an API call: this run's session, or the cached login (refreshed
    /// when it is close to expiry).
    pub fn token(&self) -> anyhow::Result<String> {
        if let Some(sandbox) = &self.sandbox {
            if self.api.brand().requires_oauth() {
                return Ok(crate::signin::sandbox_oauth(self, sandbox)?.access_token()?);
            }
            return Ok(self.sandbox_login(sandbox)?.access_token().to_owned());
        }
        let path = self.cache_path(None)?;
        let snapshot = self.cache_snapshot(&path);
        if snapshot.is_credentials() {
            if let (Some(given), Some(cached)) = (self.brand_given, snapshot.brand())
                && given != cached
            {
                return Err(Usage(format!(
                    "the sign-in cached in {} is for brand {cached}, not {given} (--brand): drop --brand to use it, or sign in for {given} with `{}`",
                    output::path(&path),
                    self.command(self.username.as_deref(), &format!("--brand {given} login"))
                ))
                .into());
            }
            return crate::signin::cached_token(self, snapshot);
        }
        let mut authenticator = self.password_login(&path, snapshot)?;
        let token = if authenticator.should_refresh() {
            // a 401 here marks the token refused in the cache file (the authenticator does)
            let auth = authenticator.refresh_access_token(Refresh::IfNeeded)?;
            if let Some(e) = authenticator.last_cache_error() {
                warn(&format!("the refreshed token was not saved: {e}"));
            }
            auth.access_token().to_owned()
        } else {
            authenticator.authentication().access_token().to_owned()
        };
        *self
            .handed_out
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some((path, token.clone()));
        Ok(token)
    }

    /// The password login cached in `path` as `snapshot` read it, complete and not expired:
    /// every way it cannot be used (no file, a file that is no login, an expired or refused
    /// login, one waiting for its code) is [`NotLoggedIn`] with what to run, and a path the
    /// file policy refuses is [`CacheRefused`].
    pub fn password_login(
        &self,
        path: &Path,
        snapshot: CacheSnapshot,
    ) -> anyhow::Result<Authenticator> {
        let username = self.username.clone().unwrap_or_default();
        let authenticator = Authenticator::new(self.api.clone(), LoginMethod::Phone, username, "")
            .access_token_cache_snapshot(snapshot);
        let where_ = output::path(path);
        // As the user can run it: with the --cache or --username this run was given.
        let login = self.login_command(self.username.as_deref());
        match authenticator.cache_status() {
            CacheStatus::Loaded => {}
            CacheStatus::Expired => {
                return Err(NotLoggedIn(format!(
                    "not logged in: run `{login}` (the login cached in {where_} has expired)"
                ))
                .into());
            }
            CacheStatus::TokenRefused => {
                return Err(NotLoggedIn(format!(
                    "not logged in: run `{login}` (the server refused the login cached in {where_})"
                ))
                .into());
            }
            CacheStatus::Corrupt | CacheStatus::Unreadable | CacheStatus::Refused => {
                let error = authenticator.last_cache_error();
                if let Some(refused) = error.and_then(CacheRefused::of) {
                    return Err(refused.into());
                }
                let reason = error.map_or_else(String::new, |e| format!(" ({e})"));
                return Err(NotLoggedIn(format!("not logged in: run `{login}`{reason}")).into());
            }
            _ => {
                let hint = if self.cache.is_none() && self.username.is_none() {
                    "; give --username or set AUGUST_USERNAME to use that account's login"
                } else {
                    ""
                };
                return Err(NotLoggedIn(format!(
                    "not logged in: run `{login}` (no token cache at {where_}{hint})"
                ))
                .into());
            }
        }
        match authenticator.authentication().state() {
            AuthenticationState::Authenticated => {}
            AuthenticationState::RequiresValidation => {
                let verify = self.verify_command(self.username.as_deref());
                return Err(NotLoggedIn(format!(
                    "not logged in: the login waits for its verification code; run `{verify}` with the code, or `{login}` again to have one sent if none came"
                ))
                .into());
            }
            _ => return Err(NotLoggedIn(format!("not logged in: run `{login}`")).into()),
        }
        Ok(authenticator)
    }
}

/// The August client for a brand and an optional base URL, with the brand's own API key.
#[allow(dead_code)] // for commands that build a client of their own
pub fn build_api(brand: Brand, base_url: Option<&str>) -> anyhow::Result<Api> {
    build_api_keyed(brand, base_url, None)
}

/// The August client for a brand, an optional base URL and an optional partner API key.
pub fn build_api_keyed(
    brand: Brand,
    base_url: Option<&str>,
    api_key: Option<&str>,
) -> anyhow::Result<Api> {
    let mut builder = Api::builder().brand(brand);
    if let Some(url) = base_url.filter(|u| !u.is_empty()) {
        // Said in this tool's words, naming the setting; the URL is not repeated, as it may
        // carry credentials.
        api_transport::check_base_url(url).map_err(|_| {
            Usage(
                "--base-url (or AUGUST_BASE_URL) cannot be used: give an https:// URL, or http:// to a loopback host (localhost, 127.0.0.1, [::1]), with no query, fragment or credentials".into(),
            )
        })?;
        builder = builder.base_url(url);
    }
    if let Some(key) = api_key.filter(|k| !k.is_empty()) {
        builder = builder.api_key(key);
    }
    Ok(builder.build()?)
}

/// `word` as one shell word: as is when it is plain, else in single quotes.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// `word` as one shell word that names the same bytes: as [`output::path`] prints it when that
/// is a shell word already (`$'...'`: not printable text, or starting with `$'`), else the
/// printable text as [`shell_word`] quotes it. A path that is not UTF-8 is written with its own
/// bytes (on Unix), never with replacement characters, which would name another file.
pub fn shell_word_os(word: &std::ffi::OsStr) -> String {
    let printed = output::path(Path::new(word));
    if std::ffi::OsStr::new(&printed) == word {
        shell_word(&printed)
    } else {
        printed
    }
}

/// Prints a warning on standard error.
pub fn warn(text: &str) {
    output::print_err(&format!("warning: {text}\n"));
}

/// Prints news that is no warning (a stream connected, a demo started) to standard error.
pub fn note(text: &str) {
    output::print_err(&format!("note: {text}\n"));
}

/// Whether prompts can be shown and answered.
fn interactive() -> bool {
    io::stdin().is_terminal()
}

/// Reads one line from the terminal after a prompt on standard error.
fn prompt_line(prompt: &str) -> anyhow::Result<String> {
    output::print_err(prompt);
    let mut line = String::new();
    io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_owned())
}

/// The password: `AUGUST_PASSWORD`, else a prompt that does not echo.
fn password(username: &str) -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("AUGUST_PASSWORD")
        && !p.is_empty()
    {
        return Ok(p);
    }
    if !interactive() {
        return Err(Usage(
            "no password: set AUGUST_PASSWORD or run in a terminal to be asked for it".into(),
        )
        .into());
    }
    let p = rpassword::prompt_password(format!("password for {username}: "))?;
    if p.is_empty() {
        return Err(Usage("no password given".into()).into());
    }
    Ok(p)
}

fn username_for_login(ctx: &Context) -> anyhow::Result<String> {
    if let Some(u) = &ctx.username {
        return Ok(u.clone());
    }
    if !interactive() {
        return Err(Usage(
            "no username: pass --username or set AUGUST_USERNAME (a phone number with + and country code, or an e-mail address)".into(),
        )
        .into());
    }
    let u = prompt_line("username (phone number with + and country code, or e-mail): ")?;
    if u.is_empty() {
        return Err(Usage("no username given".into()).into());
    }
    Ok(u)
}

/// What a finished or paused login prints.
fn report(
    ctx: &Context,
    state: AuthenticationState,
    username: &str,
    method: LoginMethod,
    cache: Option<&std::path::Path>,
    expires: Option<&str>,
) -> anyhow::Result<()> {
    if ctx.json {
        return output::print_json(&json!({
            "state": state.as_str(),
            "username": username,
            "login_method": method.as_str(),
            "cache": cache.map(output::json_path),
            "access_token_expires": expires,
        }));
    }
    let cache = cache.map(output::path);
    let mut pairs = vec![
        ("state", state.as_str().to_owned()),
        ("username", username.to_owned()),
        ("method", method.as_str().to_owned()),
        (
            "cache",
            cache.unwrap_or_else(|| "none (sandbox)".to_owned()),
        ),
    ];
    if state == AuthenticationState::Authenticated {
        pairs.push(("expires", output::or_none(expires)));
    }
    output::print(&key_values(&pairs))
}

/// Checks a code and logs in again; `Ok(false)` when the code was refused. A check that may
/// have reached the server uses the code up if it was right, and validates the install: the
/// error says so ([`OutcomeUnknown`]), and that `august login` (for `username`, as
/// [`Context::login_command`] finds the pending login in the cache, with its install id) then
/// logs in without a code, or has a new one sent. A login after an accepted code that may have
/// reached the server says that `august login` finishes it without a new code. With the
/// sandbox, which keeps nothing, both say to log in again ([`Context::login_again`]).
fn validate_and_finish(
    ctx: &Context,
    authenticator: &mut Authenticator,
    code: &str,
    username: Option<&str>,
) -> anyhow::Result<bool> {
    let checked = authenticator
        .validate_verification_code(code)
        .map_err(|e| {
            after_sending(e, || {
                format!(
                    "the verification code check failed, but the code may have been accepted: {}",
                    ctx.login_again(
                        username,
                        "logs in without a code if it was, or has a new one sent"
                    )
                )
            })
        })?;
    match checked {
        ValidationResult::InvalidVerificationCode => Ok(false),
        ValidationResult::Validated => {
            let auth = authenticator.authenticate().map_err(|e| {
                after_sending(e, || {
                    format!(
                        "the verification code was accepted, but the login that follows it failed: {}",
                        ctx.login_again(username, "finishes the sign-in without a new code")
                    )
                })
            })?;
            match auth.state() {
                AuthenticationState::Authenticated => Ok(true),
                AuthenticationState::BadPassword => Err(anyhow!(
                    "the server refused the password after the code was accepted; run `{}` again",
                    ctx.login_command(username)
                )),
                other => Err(anyhow!(
                    "the code was accepted but the server still says {other}; run `{}` again",
                    ctx.login_command(username)
                )),
            }
        }
    }
}

/// A login that ended signed in: fails when its token could not be cached (later commands
/// need it), then reports it.
fn report_logged_in(
    ctx: &Context,
    authenticator: &Authenticator,
    username: &str,
    method: LoginMethod,
    cache: &std::path::Path,
) -> anyhow::Result<()> {
    if let Some(e) = authenticator.last_cache_error() {
        return Err(anyhow!(
            "logged in, but the token could not be cached, so later commands cannot use it: {e}"
        ));
    }
    let auth = authenticator.authentication();
    report(
        ctx,
        auth.state(),
        username,
        method,
        Some(cache),
        auth.access_token_expires(),
    )
}

/// `august login`.
pub fn login(ctx: &Context, args: &LoginArgs) -> anyhow::Result<()> {
    if crate::signin::login(ctx, args)? {
        return Ok(());
    }
    if ctx.api.brand().requires_oauth() {
        return Err(Usage(format!(
            "brand {} has no password login: use `{} --oauth` (with client credentials), `--import-ha FILE` or `--token TOKEN` (see docs/sign-in.md)",
            ctx.api.brand(),
            ctx.login_command(ctx.username.as_deref())
        ))
        .into());
    }
    if let Some(sandbox) = ctx.sandbox() {
        let auth = ctx.sandbox_login(sandbox)?;
        return report(
            ctx,
            auth.state(),
            august_sandbox::demo::PHONE,
            LoginMethod::Phone,
            None,
            auth.access_token_expires(),
        );
    }
    let username = username_for_login(ctx)?;
    let method: LoginMethod = args.method.into();
    let cache = ctx.cache_path(Some(&username))?;
    // A path the policy refuses could keep neither the login nor a login waiting for its
    // code: said before the password is asked for or anything sent (a code included).
    check_cache_path(&cache)?;
    let password = password(&username)?;
    let mut authenticator = Authenticator::new(ctx.api.clone(), method, username.clone(), password)
        .access_token_cache_file(&cache);
    // The login to run again, as the user can run it: with this run's --cache or --username.
    let login = ctx.login_command(Some(&username));
    // Where an unusable file at the path went when the login (or the login waiting for its
    // code) was written over it, said once, as soon as it was written. When the write that
    // kept it aside failed, that write's error says where (`CacheError::kept_aside`).
    let aside_said = std::cell::Cell::new(false);
    let say_kept_aside = |authenticator: &Authenticator| {
        if let Some(aside) = authenticator.kept_aside()
            && authenticator
                .last_cache_error()
                .and_then(CacheError::kept_aside)
                .is_none()
            && !aside_said.replace(true)
        {
            warn(&format!(
                "kept the unusable token cache aside as {}",
                output::path(&aside)
            ));
        }
    };
    // A cached login is checked with the server (a refresh, which also extends it): a token
    // the server refuses is dropped, and the login below starts afresh with the same install
    // id, so a known install needs no new code. An expired or refused cached login starts
    // afresh the same way.
    if authenticator.authentication().state() == AuthenticationState::Authenticated {
        match authenticator.refresh_access_token(Refresh::Force) {
            Ok(_) => {}
            Err(e) if e.is_unauthorized() => {
                warn("the server refused the cached login; logging in again");
            }
            Err(e) => return Err(e.into()),
        }
    }
    let auth = authenticator.authenticate()?;
    match auth.state() {
        AuthenticationState::Authenticated => {
            say_kept_aside(&authenticator);
            return report_logged_in(ctx, &authenticator, &username, method, &cache);
        }
        AuthenticationState::BadPassword => {
            return Err(anyhow!(
                "the server refused the password for {username}; check it and run `{login}` again"
            ));
        }
        AuthenticationState::RequiresValidation | AuthenticationState::RequiresAuthentication => {}
    }
    // A new install: a verification code is needed. The pending login is kept in the cache
    // file (an unusable file there is kept aside), for `august verify CODE`.
    let save_pending = |authenticator: &mut Authenticator| -> anyhow::Result<()> {
        authenticator.save_pending_login()?;
        say_kept_aside(authenticator);
        Ok(())
    };
    // Where the pending login is found again.
    let verify = ctx.verify_command(Some(&username));
    // The code was accepted: the token must be cached for later commands.
    let logged_in = |authenticator: &Authenticator| {
        say_kept_aside(authenticator);
        report_logged_in(ctx, authenticator, &username, method, &cache)
    };
    if let Some(code) = &args.code {
        // Kept before the code is checked, as before a code is sent: a code that validates the
        // install leaves its install id in the cache, for `verify` or the `august login` an
        // error after the check says to run.
        save_pending(&mut authenticator)?;
        if validate_and_finish(ctx, &mut authenticator, code, Some(&username))? {
            return logged_in(&authenticator);
        }
        return Err(anyhow!(
            "the verification code was refused; run `{verify}` with the right code, or `{login}` for a new one"
        ));
    }
    // The pending login is kept before the code is sent: a code costs the user (an SMS, an
    // e-mail) and is sent once, so a cache that cannot keep the login awaiting it fails the
    // login with nothing sent. A request for the code that fails leaves the pending login:
    // `august login` again has a code sent for the same install id, and a code that went out
    // all the same finishes it with `verify`. Only a request refused before the server acted
    // says that no code was sent; after any other failure one may have been.
    save_pending(&mut authenticator)
        .context("no verification code was sent, as the login waiting for it could not be kept")?;
    authenticator.send_verification_code().map_err(|e| {
        if !e.outcome_unknown() {
            return anyhow::Error::new(e).context(format!(
                "no verification code was sent; run `{login}` again to have one sent"
            ));
        }
        OutcomeUnknown::new(
            format!(
                "the request for a verification code failed, but a code may have been sent: if a code arrives, finish with `{verify}`; else run `{login}` again for one"
            ),
            e,
        )
        .into()
    })?;
    let channel = match method {
        LoginMethod::Phone => "by SMS",
        LoginMethod::Email => "by e-mail",
    };
    if !interactive() {
        output::print_err(&format!(
            "a verification code was sent {channel} to {username}; finish with `{verify}`\n"
        ));
        return report(ctx, auth.state(), &username, method, Some(&cache), None);
    }
    for attempt in 1..=CODE_ATTEMPTS {
        let code = prompt_line(&format!("verification code sent {channel} to {username}: "))?;
        if validate_and_finish(ctx, &mut authenticator, &code, Some(&username))? {
            return logged_in(&authenticator);
        }
        if attempt < CODE_ATTEMPTS {
            output::print_err("the code was refused; try again\n");
        }
    }
    Err(anyhow!(
        "the verification code was refused {CODE_ATTEMPTS} times; run `{verify}`, or `{login}` for a new code"
    ))
}

/// `august verify CODE`.
pub fn verify(ctx: &Context, args: &VerifyArgs) -> anyhow::Result<()> {
    if ctx.sandbox().is_some() {
        return Err(Usage(
            "with --sandbox every command signs in by itself: there is no login to verify".into(),
        )
        .into());
    }
    let cache = ctx.cache_path(None)?;
    // A path the policy refuses (its `.lock` file included) could not keep the login: said
    // before the code is checked, which spends it.
    check_cache_path(&cache)?;
    // The file is read once (this run may have read it already, for its brand): the account
    // of the pending login and the login the authenticator continues come from that one read,
    // so that a file another process writes meanwhile cannot pair one file's account with
    // another file's login.
    let snapshot = ctx.cache_snapshot(&cache);
    // The login to run, as the user can run it: with this run's --cache or --username.
    let login = ctx.login_command(ctx.username.as_deref());
    if !snapshot.exists() {
        return Err(NotLoggedIn(format!(
            "no login waits for a code in {}: run `{login}` first",
            output::path(&cache)
        ))
        .into());
    }
    let Some(pending) = snapshot.pending_login() else {
        // Nothing could be read, or no login (the snapshot says why); or a login in another
        // state, or a sign-in of another kind (OAuth, a token), neither waiting for a code.
        return Err(match snapshot.login_error() {
            Some(error) if !snapshot.is_credentials() => {
                unusable_pending_login(Some(error), &login)
            }
            _ => NotLoggedIn(format!(
                "no login waits for a code in {}: run `{login}`",
                output::path(&cache)
            ))
            .into(),
        });
    };
    let username = pending
        .username()
        .map(str::to_owned)
        .or_else(|| ctx.username.clone())
        .ok_or_else(|| {
            Usage("the pending login does not say its account: pass --username".into())
        })?;
    let method = pending.login_method().unwrap_or(LoginMethod::Phone);
    // For the pending login's account, as the code check says it (`validate_and_finish`).
    let login = ctx.login_command(Some(&username));
    let password = password(&username)?;
    let mut authenticator = Authenticator::new(ctx.api.clone(), method, username.clone(), password)
        .access_token_cache_snapshot(snapshot);
    match (
        authenticator.cache_status(),
        authenticator.authentication().state(),
    ) {
        (CacheStatus::Loaded, AuthenticationState::RequiresValidation) => {}
        (CacheStatus::Expired | CacheStatus::TokenRefused, _) => {
            return Err(NotLoggedIn(format!(
                "the pending login has expired: run `{login}` for a new code"
            ))
            .into());
        }
        _ => {
            return Err(unusable_pending_login(
                authenticator.last_cache_error(),
                &login,
            ));
        }
    }
    if !validate_and_finish(ctx, &mut authenticator, &args.code, Some(&username))? {
        return Err(anyhow!(
            "the verification code was refused; check it, or run `{login}` for a new one"
        ));
    }
    report_logged_in(ctx, &authenticator, &username, method, &cache)
}

/// Why `verify` cannot use the cache file, from the error of its read: a path the policy
/// refuses is said as every command says it, anything else as a login to make again with
/// `login` ([`Context::login_command`]).
fn unusable_pending_login(error: Option<&CacheError>, login: &str) -> anyhow::Error {
    if let Some(refused) = error.and_then(CacheRefused::of) {
        return refused.into();
    }
    let reason = error.map_or_else(String::new, |e| format!(" ({e})"));
    NotLoggedIn(format!(
        "the pending login cannot be read: run `{login}`{reason}"
    ))
    .into()
}

/// `august logout`.
pub fn logout(ctx: &Context) -> anyhow::Result<()> {
    if ctx.sandbox().is_some() {
        return Err(Usage(
            "with --sandbox nothing is cached: there is nothing to log out of".into(),
        )
        .into());
    }
    let cache = ctx.cache_path(None)?;
    let deleted = pending::delete(&cache)?;
    let kept_aside = pending::delete_kept_aside(&cache);
    if ctx.json {
        return output::print_json(&json!({
            "logged_out": deleted,
            "cache": output::json_path(&cache),
            "kept_aside_deleted": kept_aside,
        }));
    }
    let mut text = if deleted {
        format!("logged out: deleted {}", output::path(&cache))
    } else {
        format!("not logged in: no {}", output::path(&cache))
    };
    if kept_aside > 0 {
        text.push_str(&format!(
            "; deleted {kept_aside} unusable cache file{} kept aside as {}.corrupt*",
            if kept_aside == 1 { "" } else { "s" },
            output::path(&cache)
        ));
    }
    text.push('\n');
    output::print(&text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::FromArgMatches;

    /// The context of `august ARGS`, as `main` builds it (the environment's variables apply).
    fn context(args: &[&std::ffi::OsStr]) -> Context {
        let matches = crate::cli::command()
            .try_get_matches_from(std::iter::once("august".as_ref()).chain(args.iter().copied()))
            .unwrap();
        Context::new(&Cli::from_arg_matches(&matches).unwrap()).unwrap()
    }

    /// A command reads the cache file once, to learn its brand, and takes its token from what
    /// it read: when another process replaces the file meanwhile (here with a password login
    /// of brand `august`), the brand and the token still agree. The file was read again for
    /// the token, which then was the new file's, sent with the old file's brand.
    #[test]
    fn a_command_takes_brand_and_token_from_one_read_of_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auth.json");
        august_auth::Credentials::fixed(Brand::YaleGlobal, "token-read-first")
            .cache_file(&path)
            .unwrap();
        let ctx = context(&["--cache".as_ref(), path.as_os_str(), "locks".as_ref()]);
        assert_eq!(ctx.api.brand(), Brand::YaleGlobal);
        std::fs::write(
            &path,
            r#"{"install_id": "i", "access_token": "token-written-later", "access_token_expires": "2099-03-06T22:55:12.002Z", "state": "authenticated"}"#,
        )
        .unwrap();
        assert_eq!(ctx.token().unwrap(), "token-read-first");
        // A later command reads the new file.
        let ctx = context(&["--cache".as_ref(), path.as_os_str(), "locks".as_ref()]);
        assert_eq!(ctx.api.brand(), Brand::August);
        assert_eq!(ctx.token().unwrap(), "token-written-later");
    }

    /// After a code check whose outcome is unknown, the advice runs `august login` again for
    /// the same account, which resumes the login the cache keeps; with `--sandbox`, whose
    /// state lives for one run, the command run again (`whoami` here, not `login`) signs in
    /// afresh. It said that this finished the sign-in without a new code, and then named
    /// `august --sandbox login` whatever the command.
    #[test]
    fn the_advice_after_an_accepted_code_is_true_for_the_sandbox() {
        let ctx = context(&[
            "--username".as_ref(),
            "+15555550100".as_ref(),
            "whoami".as_ref(),
        ]);
        assert_eq!(
            ctx.login_again(
                Some("+15555550100"),
                "finishes the sign-in without a new code"
            ),
            "run `august --username +15555550100 login`, which finishes the sign-in without a new code"
        );
        let ctx = context(&["--sandbox".as_ref(), "whoami".as_ref()]);
        assert_eq!(
            ctx.login_again(None, "finishes the sign-in without a new code"),
            "run the command again, which signs in afresh (the sandbox keeps nothing from one run to the next)"
        );
    }

    /// `verify` takes the login waiting for its code from the one read of the cache file this
    /// run made (for its brand): a pending login another process writes there meanwhile is not
    /// seen. The file was read twice more, for the pending login's account and then for the
    /// login the authenticator continues, so that one file's account could be paired with
    /// another file's login.
    #[test]
    fn verify_takes_the_pending_login_from_the_one_read_of_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auth.json");
        let ctx = context(&[
            "--cache".as_ref(),
            path.as_os_str(),
            "verify".as_ref(),
            "123456".as_ref(),
        ]);
        std::fs::write(
            &path,
            r#"{"install_id": "i", "access_token": "t", "access_token_expires": "2099-03-06T22:55:12.002Z", "state": "requires_validation", "username": "+15555550100", "login_method": "phone"}"#,
        )
        .unwrap();
        let args = VerifyArgs {
            code: "123456".into(),
        };
        let error = verify(&ctx, &args).unwrap_err();
        assert_eq!(
            format!("{error:#}"),
            format!(
                "no login waits for a code in {0}: run `august --cache {0} login` first",
                path.display()
            )
        );
    }

    /// `verify` on a cache file that holds a login waiting for no code (a finished password
    /// login, or a sign-in of another kind) says that no login waits for one, before it asks
    /// for the password or sends anything.
    #[test]
    fn verify_finds_no_pending_login_in_a_finished_login_or_another_sign_in() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auth.json");
        let args = VerifyArgs {
            code: "123456".into(),
        };
        let said = format!(
            "no login waits for a code in {0}: run `august --cache {0} login`",
            path.display()
        );
        std::fs::write(
            &path,
            r#"{"install_id": "i", "access_token": "t", "access_token_expires": "2099-03-06T22:55:12.002Z", "state": "authenticated", "username": "+15555550100", "login_method": "phone"}"#,
        )
        .unwrap();
        // A context reads the cache as it is made: one for each content.
        let argv = [
            "--cache".as_ref(),
            path.as_os_str(),
            "verify".as_ref(),
            "123456".as_ref(),
        ];
        assert_eq!(
            format!("{:#}", verify(&context(&argv), &args).unwrap_err()),
            said
        );
        august_auth::Credentials::fixed(Brand::August, "a-token")
            .cache_file(&path)
            .unwrap();
        assert_eq!(
            format!("{:#}", verify(&context(&argv), &args).unwrap_err()),
            said
        );
    }

    /// The hint to finish a login names the `--cache` file given, whatever its bytes: a path
    /// that is not UTF-8 used to be printed with replacement characters, another file.
    #[cfg(unix)]
    #[test]
    fn the_verify_hint_names_a_cache_path_that_is_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let path = std::ffi::OsStr::from_bytes(b"/tmp/caf\xe9 it's\\.json");
        let ctx = context(&["--cache".as_ref(), path, "logout".as_ref()]);
        let hint = ctx.verify_command(Some("+15555550100"));
        assert_eq!(
            hint,
            r"august --cache $'/tmp/caf\xe9 it\'s\\.json' verify CODE"
        );
        // A shell reads the word back as the path's bytes.
        let word = hint
            .strip_prefix("august --cache ")
            .and_then(|h| h.strip_suffix(" verify CODE"))
            .unwrap();
        if let Some(read) = shell_reads(word) {
            assert_eq!(read, path.as_bytes());
        }
    }

    /// The bytes bash reads `word` as; `None` without bash.
    #[cfg(unix)]
    fn shell_reads(word: &str) -> Option<Vec<u8>> {
        let output = std::process::Command::new("bash")
            .args(["-c", &format!("printf %s {word}")])
            .output()
            .ok()?;
        output.status.success().then_some(output.stdout)
    }

    #[cfg(unix)]
    #[test]
    fn shell_words_of_any_bytes_read_back_the_same() {
        use std::os::unix::ffi::OsStrExt;
        for bytes in [
            &b"plain.json"[..],
            b"/tmp/my cache.json",
            b"it's",
            b"\xff\xfe",
            b"line\nbreak",
            b"tab\there\x1b[31m",
            b"back\\slash 'quoted' \xc3\xa9",
            "caf\u{e9}.json".as_bytes(),
            br"$'/tmp/caf\xe9.json'",
        ] {
            let word = shell_word_os(std::ffi::OsStr::from_bytes(bytes));
            assert!(!word.chars().any(char::is_control), "{word:?}");
            if let Some(read) = shell_reads(&word) {
                assert_eq!(read, bytes, "{word}");
            }
        }
        assert_eq!(shell_word_os("/tmp/a b.json".as_ref()), "'/tmp/a b.json'");
        assert_eq!(shell_word_os("a\nb".as_ref()), r"$'a\x0ab'");
    }

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("+15555550100"), "+15555550100");
        assert_eq!(shell_word("me@example.com"), "me@example.com");
        assert_eq!(shell_word("/tmp/my cache.json"), "'/tmp/my cache.json'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
