//! The whole August flow: log in (with a verification code when needed), list the locks, lock
//! and unlock one, list the doorbells, read the activity feed.
//!
//! ```console
//! $ cargo run --example quickstart
//! ```
//!
//! Without settings it runs against a local stand-in server on 127.0.0.1 that answers with
//! recorded API responses (the code it "sends" is 123456). To use your real account set
//! `AUGUST_USERNAME` (phone number with `+` and country code, or e-mail), `AUGUST_PASSWORD`,
//! and optionally `AUGUST_LOGIN_METHOD=email`, `AUGUST_CACHE_FILE` (default: the per-user
//! cache directory) and `AUGUST_LOCK_ID` (the lock to operate; without it nothing is operated).

use std::io::{BufRead, Write};

use anyhow::{Context, Result, bail};
use august::api::{Api, LockStatus};
use august::authenticator::{AuthenticationState, Authenticator, LoginMethod, ValidationResult};

fn main() -> Result<()> {
    match std::env::var("AUGUST_USERNAME") {
        Ok(username) => {
            let password = std::env::var("AUGUST_PASSWORD").context("set AUGUST_PASSWORD")?;
            let method = match std::env::var("AUGUST_LOGIN_METHOD").as_deref() {
                Ok("email") => LoginMethod::Email,
                _ => LoginMethod::Phone,
            };
            let cache = match std::env::var("AUGUST_CACHE_FILE") {
                Ok(path) => path.into(),
                Err(_) => august::authenticator::default_cache_path(&username)
                    .context("no cache directory on this system; set AUGUST_CACHE_FILE")?,
            };
            let lock_id = std::env::var("AUGUST_LOCK_ID").ok();
            run(
                Api::new(),
                method,
                &username,
                &password,
                cache,
                lock_id.as_deref(),
                read_code,
            )
        }
        Err(_) => {
            let server = stand_in::start();
            println!("Using a local stand-in server at {}\n", server.url());
            let api = Api::builder().base_url(server.url()).build()?;
            let dir = tempfile::tempdir()?;
            run(
                api,
                LoginMethod::Phone,
                "+15555550100",
                "correct horse",
                dir.path().join("auth.json"),
                Some("A6697750D607098BAE8D6BAA11EF8063"),
                || Ok("123456".to_owned()),
            )
        }
    }
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
        bail!("wrong password");
    }
    if authentication.state() == AuthenticationState::RequiresValidation {
        println!("2. Send a verification code");
        authenticator.send_verification_code()?;
        let code = code()?;
        println!("   validate {code}");
        if authenticator.validate_verification_code(&code)? != ValidationResult::Validated {
            bail!("the code was not accepted");
        }
        authentication = authenticator.authenticate()?;
        println!(
            "   state: {:?} (token cached in {})",
            authentication.state(),
            cache.display()
        );
    }
    let token = authentication.access_token();

    println!("3. Locks");
    let locks = api.get_locks(token)?;
    for lock in &locks {
        let detail = api.get_lock_detail(token, lock.device_id())?;
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
        let status: LockStatus = api.lock(token, lock_id)?;
        println!("   lock   -> {status:?}");
        for activity in api.unlock_return_activities(token, lock_id)? {
            println!(
                "   unlock -> activity {:?} {}",
                activity.kind(),
                activity.action().unwrap_or("?")
            );
        }
    }

    println!("5. Doorbells");
    for doorbell in api.get_doorbells(token)? {
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
        for activity in api.get_house_activities(token, lock.house_id(), 8)? {
            println!(
                "   {:?} {:<12} {}",
                activity.kind(),
                activity.action().unwrap_or("?"),
                activity.device_name().unwrap_or(""),
            );
        }
    }
    println!("\nDone.");
    Ok(())
}

/// A local stand-in for the August API, answering with the recorded responses.
mod stand_in {
    use mockito::{Matcher, Server, ServerGuard};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    const FIXTURES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/august-core/tests/fixtures/"
    );

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{FIXTURES}{name}")).unwrap_or_else(|_| "{}".into())
    }

    pub fn start() -> ServerGuard {
        let mut server = Server::new();
        let validated = Arc::new(AtomicBool::new(false));
        let session_state = validated.clone();
        server
            .mock("POST", "/session")
            .with_header("x-august-access-token", "eyJhbGciOiJub25lIn0.eyJleHAiOjQxMDI0NDQ4MDB9.")
            .with_body_from_request(move |_| {
                let v = session_state.load(Ordering::SeqCst);
                format!(r#"{{"expiresAt":"2100-01-01T00:00:00.000Z","vPassword":true,"vInstallId":{v}}}"#)
                    .into_bytes()
            })
            .create();
        server
            .mock("POST", "/validation/phone")
            .with_body("{}")
            .create();
        server
            .mock("POST", "/validate/phone")
            .match_body(Matcher::PartialJson(serde_json::json!({"code": "123456"})))
            .with_body_from_request(move |_| {
                validated.store(true, Ordering::SeqCst);
                b"{}".to_vec()
            })
            .create();
        server
            .mock("GET", "/users/locks/mine")
            .with_body(fixture("get_locks.json"))
            .create();
        server
            .mock("GET", Matcher::Regex("^/locks/[^/]+$".into()))
            .with_body(fixture("get_lock.online.json"))
            .create();
        server
            .mock("PUT", Matcher::Regex("^/remoteoperate/[^/]+/lock$".into()))
            .with_body(fixture("lock.json"))
            .create();
        server
            .mock(
                "PUT",
                Matcher::Regex("^/remoteoperate/[^/]+/unlock$".into()),
            )
            .with_body(fixture("unlock.json"))
            .create();
        server
            .mock("GET", "/users/doorbells/mine")
            .with_body(fixture("get_doorbells.json"))
            .create();
        server
            .mock("GET", Matcher::Regex("^/houses/[^/]+/activities".into()))
            .with_body(fixture("get_house_activities.json"))
            .create();
        server
    }
}
