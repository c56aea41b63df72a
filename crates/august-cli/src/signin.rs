//! The sign-ins besides the password: OAuth with client credentials, a token imported from
//! Home Assistant or given by hand, `whoami`, and the token of a command signed in that way.

use std::io::BufRead;
use std::path::Path;

use anyhow::Context as _;
use august_auth::{
    CacheSnapshot, Credentials, CredentialsInfo, DEFAULT_REDIRECT_TIMEOUT, ImportedToken,
    OAuthClient, OAuthError, RedirectReceiver, SignInKind,
};
use august_core::Brand;
use serde_json::json;

use crate::cli::LoginArgs;
use crate::failure::{self, NotLoggedIn, Usage};
use crate::output::{self, key_values};
use crate::session::{Context, warn};

/// The redirect URI the sandbox flow uses (never connected to: the sandbox approves in-process).
const SANDBOX_REDIRECT: &str = "http://127.0.0.1:1/callback";

/// The OAuth client from the environment (`AUGUST_OAUTH_CLIENT_ID`,
/// `AUGUST_OAUTH_CLIENT_SECRET`, optional endpoint overrides), for refreshing a cached OAuth
/// token; `None` when no client id is set.
/// The OAuth client id set in the environment (`AUGUST_OAUTH_CLIENT_ID`), if any: without one,
/// the CLI has no client to renew an OAuth token with.
pub fn oauth_client_id() -> Option<String> {
    std::env::var("AUGUST_OAUTH_CLIENT_ID")
        .ok()
        .filter(|s| !s.is_empty())
}

fn oauth_from_env(brand: Brand) -> anyhow::Result<Option<OAuthClient>> {
    let Some(id) = oauth_client_id() else {
        return Ok(None);
    };
    let secret = std::env::var("AUGUST_OAUTH_CLIENT_SECRET").unwrap_or_default();
    let redirect = std::env::var("AUGUST_OAUTH_REDIRECT_URI")
        .unwrap_or_else(|_| "http://127.0.0.1:8765/callback".into());
    Ok(Some(oauth_client(
        brand,
        &id,
        &secret,
        &redirect,
        std::env::var("AUGUST_OAUTH_AUTHORIZE_URL").ok(),
        std::env::var("AUGUST_OAUTH_TOKEN_URL").ok(),
    )?))
}

fn oauth_client(
    brand: Brand,
    id: &str,
    secret: &str,
    redirect: &str,
    authorize_url: Option<String>,
    token_url: Option<String>,
) -> anyhow::Result<OAuthClient> {
    let (authorize_url, token_url) = oauth_endpoints(brand, authorize_url, token_url)?;
    Ok(OAuthClient::with_endpoints(
        brand,
        id,
        secret,
        redirect,
        authorize_url,
        token_url,
    )?)
}

/// The authorize and token URLs: those given, else the brand's; a usage error for a brand
/// without OAuth.
fn oauth_endpoints(
    brand: Brand,
    authorize_url: Option<String>,
    token_url: Option<String>,
) -> anyhow::Result<(String, String)> {
    let endpoints = brand.config().oauth.ok_or_else(|| {
        Usage(format!(
            "brand {brand} does not sign in with OAuth: pass --brand yale_global or --brand yale_august"
        ))
    })?;
    Ok((
        authorize_url.unwrap_or_else(|| endpoints.authorize_url.to_owned()),
        token_url.unwrap_or_else(|| endpoints.token_url.to_owned()),
    ))
}

/// The token of a command whose cache holds this tool's credentials (as `cache` read it),
/// refreshed (and saved) when due.
pub fn cached_token(ctx: &Context, cache: CacheSnapshot) -> anyhow::Result<String> {
    let credentials = load(ctx, cache)?;
    let token = credentials.access_token()?;
    if let Some(e) = credentials.last_cache_error() {
        warn(&format!("the refreshed token was not saved: {e}"));
    }
    Ok(token)
}

/// The credentials of the cache file as `cache` read it ([`Context::cache_snapshot`], under
/// the file policy: a refused path is an error here).
fn load(ctx: &Context, cache: CacheSnapshot) -> anyhow::Result<Credentials> {
    let oauth = oauth_from_env(ctx.api.brand())?;
    Credentials::from_snapshot(cache, &ctx.api, oauth).map_err(|e| {
        if e.needs_sign_in() {
            let login = ctx.login_command(ctx.username.as_deref());
            let text = failure::sign_in_again(&e, &login).unwrap_or_else(|| e.to_string());
            anyhow::Error::new(NotLoggedIn(text))
        } else {
            e.into()
        }
    })
}

/// The sandbox's OAuth sign-in, unattended: the demo client, the sandbox approving the demo
/// user, the code exchanged.
pub fn sandbox_oauth(
    ctx: &Context,
    sandbox: &august_sandbox::Sandbox,
) -> anyhow::Result<Credentials> {
    use august_sandbox::demo;
    let brand = ctx.api.brand();
    let (authorize, token) = sandbox.oauth_endpoints(brand.as_str());
    let client = oauth_client(
        brand,
        demo::OAUTH_CLIENT_ID,
        demo::OAUTH_CLIENT_SECRET,
        SANDBOX_REDIRECT,
        Some(authorize),
        Some(token),
    )?;
    let request = client.authorization_request();
    let redirect = sandbox.approve_oauth(request.url())?;
    let tokens = client.exchange_code(&request.code_from_redirect(&redirect)?)?;
    Ok(Credentials::oauth(client, tokens))
}

/// The August client for the credentials' brand: the context's, or one for the brand the
/// credentials say (at that brand's host unless a base URL was given).
pub fn api_for(ctx: &Context, credentials: &Credentials) -> anyhow::Result<august_core::Api> {
    match credentials.brand() {
        Some(brand) if brand != ctx.api.brand() => ctx.api_for_brand(brand),
        _ => Ok(ctx.api.clone()),
    }
}

/// `august login --oauth`, `--import-ha FILE`, `--token TOKEN`; `Ok(false)` for a password
/// login (none of them given).
pub fn login(ctx: &Context, args: &LoginArgs) -> anyhow::Result<bool> {
    // With the sandbox, a brand that has no password login signs in with the sandbox's OAuth.
    let oauth = args.oauth
        || (ctx.sandbox().is_some()
            && ctx.api.brand().requires_oauth()
            && args.import_ha.is_none()
            && args.token.is_none());
    if !oauth && args.import_ha.is_none() && args.token.is_none() {
        return Ok(false);
    }
    // A path the policy refuses could not keep the sign-in: said before anything is sent or a
    // browser opened (an OAuth code is spent once exchanged).
    if ctx.sandbox().is_none() {
        august_auth::check_cache_path(&ctx.cache_path(None)?)?;
    }
    let credentials = if oauth {
        login_oauth(ctx, args)?
    } else if let Some(file) = &args.import_ha {
        login_home_assistant(ctx, file)?
    } else if let Some(token) = &args.token {
        login_token(ctx, args, token)?
    } else {
        return Ok(false);
    };
    // Check it works before caching it: a mistyped token or a wrong brand must not replace the
    // login cached there. Tokens an OAuth sign-in was just given are cached unless the service
    // refuses them (401, 403): when the check fails otherwise (unreachable, rate limited, a
    // 5xx, a timeout) they are likely good, and the code they came from is spent.
    let api = api_for(ctx, &credentials)?;
    let token = credentials.access_token()?;
    if let Err(e) = api.get_houses(&token) {
        let refused = matches!(e.status(), Some(401 | 403));
        if !oauth || refused {
            return Err(e.into());
        }
        warn(&format!(
            "the new token could not be checked ({e}); it is cached anyway"
        ));
    }
    let credentials = match ctx.sandbox() {
        Some(_) => credentials,
        None => {
            let cache = ctx.cache_path(None)?;
            // A path the policy refused was said above; one refused since is refused by
            // `cache_file`, in the same words. An unusable file there is kept aside by
            // `cache_file`, which says where (its error does when the write then fails): its
            // read of the file is the only one.
            let credentials = credentials
                .cache_file(&cache)
                .with_context(|| "signed in, but the token could not be cached".to_owned())?;
            if let Some(aside) = credentials.kept_aside() {
                warn(&format!(
                    "kept the unusable token cache aside as {}",
                    output::path(&aside)
                ));
            }
            credentials
        }
    };
    report(ctx, &credentials.info(), None)?;
    Ok(true)
}

fn login_oauth(ctx: &Context, args: &LoginArgs) -> anyhow::Result<Credentials> {
    if let Some(sandbox) = ctx.sandbox() {
        return sandbox_oauth(ctx, sandbox);
    }
    let brand = ctx.api.brand();
    let id = args.client_id.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| {
        Usage("--oauth needs your client id: pass --client-id or set AUGUST_OAUTH_CLIENT_ID (client credentials come from the vendor's partner program; see docs/sign-in.md)".into())
    })?;
    let secret = args.client_secret.as_deref().unwrap_or_default();
    let (authorize_url, token_url) =
        oauth_endpoints(brand, args.authorize_url.clone(), args.token_url.clone())?;
    // Listening before the client is made: the browser is sent to the address listened on,
    // which for port 0 is the free port taken (a loopback redirect URI may have any port,
    // RFC 8252 section 7.3).
    let receiver = RedirectReceiver::bind(&args.redirect_uri).map_err(|e| match e {
        OAuthError::InvalidConfig { reason } => anyhow::Error::new(Usage(reason)),
        other => other.into(),
    })?;
    let client = OAuthClient::with_endpoints(
        brand,
        id,
        secret,
        receiver.redirect_uri(),
        authorize_url,
        token_url,
    )?;
    let request = client.authorization_request();
    // The receiver waits as long as august-auth does by default.
    output::print_err(&format!(
        "open this URL to sign in (waiting up to {} minutes for the redirect to {}):\n{}\n",
        DEFAULT_REDIRECT_TIMEOUT.as_secs() / 60,
        receiver.redirect_uri(),
        request.url()
    ));
    if !args.no_browser && webbrowser::open(request.url()).is_err() {
        output::print_err("(no browser could be opened: open the URL yourself)\n");
    }
    let code = receiver.receive(&request)?;
    let tokens = client.exchange_code(&code)?;
    Ok(Credentials::oauth(client, tokens))
}

fn login_home_assistant(ctx: &Context, file: &Path) -> anyhow::Result<Credentials> {
    let brand = ctx.api.brand();
    if let Some(sandbox) = ctx.sandbox() {
        let id = if brand.requires_oauth() {
            brand.as_str()
        } else {
            "yale_august"
        };
        let cannot_write = || {
            format!(
                "cannot write the demo Home Assistant file {}",
                output::path(file)
            )
        };
        // Written only where nothing is: what is there is the file to import, as it would be
        // without the sandbox.
        let contents = sandbox.home_assistant_config_entries(id);
        if output::write_file(file, contents.as_bytes(), false).with_context(cannot_write)? {
            output::print_err(&format!(
                "wrote the sandbox's demo Home Assistant file to {}\n",
                output::path(file)
            ));
        }
    }
    let wanted = brand.requires_oauth().then_some(brand);
    Ok(Credentials::home_assistant(file, wanted)?)
}

/// The value of a secret option: as given, or for `-` the next line of standard input (so
/// that it stays out of the process list and the shell history).
fn secret_value(option: &str, value: &str) -> anyhow::Result<String> {
    if value != "-" {
        return Ok(value.to_owned());
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let line = line.trim();
    if line.is_empty() {
        return Err(Usage(format!("{option} -: no line on standard input")).into());
    }
    Ok(line.to_owned())
}

fn login_token(ctx: &Context, args: &LoginArgs, token: &str) -> anyhow::Result<Credentials> {
    // With both read from standard input, the token is the first line.
    let token = secret_value("--token", token)?;
    let refresh_token = args
        .refresh_token
        .as_deref()
        .map(|r| secret_value("--refresh-token", r))
        .transpose()?;
    let expires_at = args
        .expires_at
        .as_deref()
        .map(|s| {
            api_transport::time::parse_iso8601(s).map_err(|_| {
                Usage(format!(
                    "--expires-at `{s}` is not an RFC 3339 time such as 2026-01-15T11:00:00Z"
                ))
            })
        })
        .transpose()?;
    let expires_at = expires_at.or_else(|| august_auth::access_token_expiry(&token));
    let imported =
        ImportedToken::from_access_token(ctx.api.brand(), token, refresh_token, expires_at)?;
    Ok(Credentials::imported(imported))
}

/// `august whoami`.
pub fn whoami(ctx: &Context) -> anyhow::Result<()> {
    if let Some(sandbox) = ctx.sandbox() {
        let info = if ctx.api.brand().requires_oauth() {
            sandbox_oauth(ctx, sandbox)?.info()
        } else {
            let token = ctx.token()?;
            CredentialsInfo {
                kind: SignInKind::Password,
                can_refresh: true,
                ..Credentials::fixed(ctx.api.brand(), token).info()
            }
        };
        return report(ctx, &info, Some(august_sandbox::demo::PHONE));
    }
    let path = ctx.cache_path(None)?;
    // The one read of the file says what it holds (a path the policy refuses, such as a
    // dangling link, is refused with its reason rather than taken for no cache); a password
    // login is taken as every command takes it, and unusable, said in the same words.
    let snapshot = ctx.cache_snapshot(&path);
    let credentials = if snapshot.is_credentials() {
        load(ctx, snapshot)?
    } else {
        Credentials::password(ctx.password_login(&path, snapshot)?)?
    };
    let mut info = credentials.info();
    if info.cache_file.is_none() {
        info.cache_file = Some(path);
    }
    report(ctx, &info, ctx.username.as_deref())
}

fn report(ctx: &Context, info: &CredentialsInfo, username: Option<&str>) -> anyhow::Result<()> {
    let brand = info.brand.unwrap_or_else(|| ctx.api.brand());
    let account = info
        .emails
        .first()
        .map(String::as_str)
        .or(username)
        .or(info.user_id.as_deref());
    let cache = info.cache_file.as_deref();
    if ctx.json {
        // RFC 3339, as every time in JSON output.
        return output::print_json(&json!({
            "account": account,
            "user_id": info.user_id,
            "brand": brand.as_str(),
            "signed_in_with": info.kind.as_str(),
            "access_token_expires": info.expires_at,
            "can_refresh": info.can_refresh,
            "cache": cache.map(output::json_path),
        }));
    }
    let cache = cache.map(output::path);
    output::print(&key_values(&[
        ("account", output::or_none(account)),
        ("user id", output::or_none(info.user_id.as_deref())),
        ("brand", brand.as_str().to_owned()),
        ("signed in", info.kind.as_str().to_owned()),
        ("expires", output::time(info.expires_at)),
        ("can refresh", output::yes_no(info.can_refresh)),
        (
            "cache",
            cache.unwrap_or_else(|| "none (sandbox)".to_owned()),
        ),
    ]))
}
