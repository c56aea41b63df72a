//! The whole OAuth sign-in, unattended, against the embedded sandbox: build the authorization
//! URL, let a "browser" follow it to the redirect, which a `RedirectReceiver` on a loopback
//! port receives (checking the state), exchange the code, make calls, force a refresh, make calls again, then start over from the
//! token cache as a restarted program would.
//!
//! ```console
//! $ cargo run --example oauth
//! ```
//!
//! With real client credentials the same code runs against the brand's authorization server:
//! build the client with `OAuthClient::new(Brand::YaleGlobal, id, secret, redirect_uri)` and
//! open the URL in a browser instead (`august login --oauth` does that).

use anyhow::{Context, Result, bail};
use api_transport::{Method, Request, Transport};
use august::api::{Api, Brand};
use august::{Client, Credentials, OAuthClient, RedirectReceiver};
use august_sandbox::{Sandbox, demo};

fn main() -> Result<()> {
    let sandbox = Sandbox::start()?;
    let brand = Brand::YaleGlobal;
    println!("Sandbox at {}; brand {brand}", sandbox.august_url());

    // The redirect comes back to a loopback port, as a desktop program's does: port 0 takes a
    // free one (a real client gives the redirect URI registered for it).
    let receiver = RedirectReceiver::bind("http://127.0.0.1:0/callback")?;
    let (authorize_url, token_url) = sandbox.oauth_endpoints(brand.as_str());
    let oauth = OAuthClient::with_endpoints(
        brand,
        demo::OAUTH_CLIENT_ID,
        demo::OAUTH_CLIENT_SECRET,
        receiver.redirect_uri(),
        authorize_url,
        token_url,
    )?;

    println!("1. Authorize");
    let request = oauth.authorization_request();
    let browser = std::thread::spawn({
        let url = request.url().to_owned();
        move || browse(&url)
    });
    // Answers the browser, checks the state and takes the code.
    let code = receiver.receive(&request)?;
    browser
        .join()
        .map_err(|_| anyhow::anyhow!("the browser thread panicked"))??;
    println!("   redirected to {}", receiver.redirect_uri());

    println!("2. Exchange the code");
    let tokens = oauth.exchange_code(&code)?;
    println!("   access token expires at {:?}", tokens.expires_at());

    let dir = tempfile::tempdir()?;
    let cache = dir.path().join("oauth.json");
    let credentials = Credentials::oauth(oauth.clone(), tokens).cache_file(&cache)?;
    let api = Api::builder()
        .brand(brand)
        .base_url(sandbox.august_url())
        .build()?;
    let client = Client::new(api.clone(), credentials)?;

    println!("3. Calls");
    calls(&client)?;

    println!("4. Forced refresh (the refresh token rotates and is cached first)");
    let before = client.credentials().info();
    client.credentials().refresh_now()?;
    let after = client.credentials().info();
    println!(
        "   expiry {:?} -> {:?}",
        before.expires_at, after.expires_at
    );
    calls(&client)?;

    println!("5. Restart from the cache {}", cache.display());
    drop(client);
    let restored = Credentials::load(&cache, &api, Some(oauth))?;
    let info = restored.info();
    println!(
        "   {} sign-in, brand {:?}, user {:?}, can refresh: {}",
        info.kind, info.brand, info.user_id, info.can_refresh
    );
    let client = Client::new(api, restored)?;
    client.credentials().refresh_now()?;
    calls(&client)?;
    println!("Done.");
    Ok(())
}

fn calls(client: &Client) -> Result<()> {
    let locks = client.get_locks()?;
    for lock in &locks {
        println!(
            "   {:<12} {}",
            lock.device_name(),
            client.get_lock_status(lock.device_id())?
        );
    }
    if locks.is_empty() {
        bail!("no locks");
    }
    Ok(())
}

/// What a browser does: open the authorization URL; the server approves the demo user and
/// redirects; follow the redirect to the loopback receiver.
fn browse(url: &str) -> Result<()> {
    let transport = Transport::default();
    let answer = transport.send(&Request::absolute(Method::Get, url))?;
    if answer.status() != 302 {
        bail!("the authorize endpoint answered {}", answer.status());
    }
    let location = answer
        .header("location")
        .context("the redirect has no Location")?
        .to_owned();
    let followed = transport.send(&Request::absolute(Method::Get, &location))?;
    if followed.status() != 200 {
        bail!("the redirect target answered {}", followed.status());
    }
    Ok(())
}
