//! The whole August flow — log in (with a verification code when needed), list the locks, lock
//! and unlock one, list the doorbells, read the activity feed — then the Authy flow (create a
//! user, SMS token, token check, phone verification, OneTouch).
//!
//! ```console
//! $ cargo run --example quickstart
//! ```
//!
//! Without settings both run against the embedded sandbox, a local emulator of the two APIs on
//! 127.0.0.1 that hands over the codes it "sends". To use your real August account set
//! `AUGUST_USERNAME` (phone number with `+` and country code, or e-mail), `AUGUST_PASSWORD`,
//! and optionally `AUGUST_LOGIN_METHOD=email`, `AUGUST_BRAND` (`yale_access`, ...),
//! `AUGUST_CACHE_FILE` (default: the per-user data directory) and `AUGUST_LOCK_ID` (the lock to
//! operate; without it nothing is operated); `AUGUST_BASE_URL` points it at another server (a
//! sandbox started with `cargo run -p august-sandbox`). The Authy part then runs only if
//! `AUTHY_API_KEY` is set too (see the `authy` example for its variables).
//!
//! A wrong password ends the example with a message and exit status 1, before any other call.

use std::io::{BufRead, Write};

use anyhow::{Context, Result, bail};
use august::api::{Api, Brand, LockStatus};
use august::authenticator::{AuthenticationState, Authenticator, LoginMethod, ValidationResult};
use august::{Client, Credentials};
use august_sandbox::{Sandbox, demo};
use authy_client as authy;

#[path = "common/authy_flow.rs"]
mod authy_flow;

fn main() -> Result<()> {
    if let Ok(username) = std::env::var("AUGUST_USERNAME") {
        let password = std::env::var("AUGUST_PASSWORD").context("set AUGUST_PASSWORD")?;
        let method = match std::env::var("AUGUST_LOGIN_METHOD").as_deref() {
            Ok("email") => LoginMethod::Email,
            _ => LoginMethod::Phone,
        };
        let brand: Brand = std::env::var("AUGUST_BRAND")
            .unwrap_or_else(|_| "august".into())
            .parse()?;
        let cache = match std::env::var("AUGUST_CACHE_FILE") {
            Ok(path) => path.into(),
            Err(_) => august::authenticator::default_cache_path(&username)
                .context("no data directory on this system; set AUGUST_CACHE_FILE")?,
        };
        let lock_id = std::env::var("AUGUST_LOCK_ID").ok();
        let mut builder = Api::builder().brand(brand);
        if let Ok(url) = std::env::var("AUGUST_BASE_URL") {
            builder = builder.base_url(url);
        }
        let api = builder.build()?;
        run(
            api,
            method,
            &username,
            &password,
            cache,
            lock_id.as_deref(),
            read_code,
        )?;
        if let Ok(key) = std::env::var("AUTHY_API_KEY") {
            println!(
                "\nAuthy: run `cargo run --example authy --features authy` with AUTHY_API_KEY={}…",
                &key[..key.len().min(4)]
            );
        }
        return Ok(());
    }

    let sandbox = Sandbox::start()?;
    println!("Using the embedded sandbox at {}\n", sandbox.august_url());
    let api = Api::builder().base_url(sandbox.august_url()).build()?;
    let dir = tempfile::tempdir()?;
    run(
        api,
        LoginMethod::Phone,
        demo::PHONE,
        demo::PASSWORD,
        dir.path().join("auth.json"),
        Some(demo::FRONT_DOOR_LOCK_ID),
        || {
            sandbox
                .august_verification_code()
                .context("the sandbox sent no code")
        },
    )?;

    println!();
    authy_flow::run_on_sandbox(&sandbox)?;
    println!("\nDone.");
    Ok(())
}

fn read_code() -> Result<String> {
    print!("Verification code: ");
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_owned())
}

fn run(
    api: Api,
    method: LoginMethod,
    username: &str,
    password: &str,
    cache: std::path::PathBuf,
    lock_id: Option<&str>,
    code: impl Fn() -> Result<String>,
) -> Result<()> {
    println!("1. Authenticate {username} by {method}");
    let mut authenticator =
        Authenticator::new(api.clone(), method, username, password).access_token_cache_file(&cache);
    let mut authentication = authenticator.authenticate()?;
    println!("   state: {:?}", authentication.state());
    if authentication.state() == AuthenticationState::BadPassword {
        bail!(
            "the server refused the password for {username}: check it (AUGUST_PASSWORD) and try again"
        );
    }
    if authentication.state() == AuthenticationState::RequiresValidation {
        println!("2. Send a verification code");
        authenticator.send_verification_code()?;
        let code = code()?;
        println!("   validate {code}");
        if authenticator.validate_verification_code(&code)? != ValidationResult::Validated {
            bail!("the verification code was refused: run again for a new one");
        }
        authentication = authenticator.authenticate()?;
        println!(
            "   state: {:?} (token cached in {})",
            authentication.state(),
            cache.display()
        );
    }
    if authentication.state() != AuthenticationState::Authenticated {
        bail!(
            "not logged in (the server says {}): run again",
            authentication.state()
        );
    }
    // From here the client holds the credentials and refreshes the token when due.
    let client = Client::new(api, Credentials::password(authenticator)?)?;

    println!("3. Locks");
    let locks = client.get_locks()?;
    for lock in &locks {
        let detail = client.get_lock_detail(lock.device_id())?;
        println!(
            "   {} {:<20} {:?}, door {:?}, battery {}",
            lock.device_id(),
            detail.device_name(),
            detail.lock_status(),
            detail.door_state(),
            detail
                .battery_level()
                .map_or("unknown".to_owned(), |b| format!("{b}%")),
        );
    }

    if let Some(lock_id) = lock_id {
        println!("4. Lock and unlock {lock_id}");
        let status: LockStatus = client.lock(lock_id)?;
        println!("   lock   -> {status:?}");
        for activity in client.unlock_return_activities(lock_id)? {
            println!(
                "   unlock -> activity {:?} {}",
                activity.kind(),
                activity.action().unwrap_or("?")
            );
        }
    }

    println!("5. Doorbells");
    for doorbell in client.get_doorbells()? {
        println!(
            "   {} {:<12} {} image: {}",
            doorbell.device_id(),
            doorbell.device_name(),
            doorbell.status(),
            doorbell.image_url().unwrap_or("none"),
        );
    }

    if let Some(lock) = locks.first() {
        println!("6. Activity feed of house {}", lock.house_id());
        for activity in client.get_house_activities(lock.house_id(), 8)? {
            println!(
                "   {:<16} {:<26} {}",
                activity.kind().as_str(),
                activity.action().unwrap_or("?"),
                activity.device_name().unwrap_or(""),
            );
        }
    }
    Ok(())
}
