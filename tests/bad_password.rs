//! A wrong password stops the documented flow with a clear message, against the sandbox: the
//! README flow (copied word for word below) and the `quickstart` example.
#![cfg(feature = "august")]

use std::path::{Path, PathBuf};
use std::process::Command;

use august::api::Api;
use august::authenticator::{AuthenticationState, Authenticator, LoginMethod, ValidationResult};
use august_sandbox::{Sandbox, demo};

/// The README's flow, with the sandbox's API, password, cache file and code.
fn readme_flow(
    api: Api,
    password: &str,
    cache: &Path,
    sandbox: &Sandbox,
) -> Result<usize, Box<dyn std::error::Error>> {
    let mut authenticator =
        Authenticator::new(api.clone(), LoginMethod::Phone, demo::PHONE, password)
            .access_token_cache_file(cache);
    let mut authentication = authenticator.authenticate()?;
    if authentication.state() == AuthenticationState::BadPassword {
        return Err("the server refused the password: check it and try again".into());
    }
    if authentication.state() == AuthenticationState::RequiresValidation {
        authenticator.send_verification_code()?;
        let code = sandbox.august_verification_code().unwrap_or_default(); // read it from the user
        if authenticator.validate_verification_code(&code)? != ValidationResult::Validated {
            return Err("the verification code was refused: ask for a new one".into());
        }
        authentication = authenticator.authenticate()?;
    }
    let token = authentication.access_token();
    let locks = api.get_locks(token)?;
    for lock in &locks {
        let detail = api.get_lock_detail(token, lock.device_id())?;
        println!(
            "{}: {:?}, battery {:?}",
            detail.device_name(),
            detail.lock_status(),
            detail.battery_level()
        );
    }
    Ok(locks.len())
}

#[test]
fn the_readme_flow_stops_at_a_wrong_password_with_a_clear_message() {
    let sandbox = Sandbox::start().unwrap();
    let api = Api::builder()
        .base_url(sandbox.august_url())
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("auth.json");

    let err = readme_flow(api.clone(), "not-the-password", &cache, &sandbox).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the server refused the password: check it and try again"
    );
    // only the login was sent; nothing went on to fail with a 401, nothing was cached
    let stats = sandbox.stats();
    assert_eq!(stats.requests, 1, "{stats:?}");
    assert_eq!(stats.route("POST /session"), 1);
    assert!(!cache.exists());

    // the right password goes through the whole flow
    assert_eq!(
        readme_flow(api, demo::PASSWORD, &cache, &sandbox).unwrap(),
        3
    );
}

/// The example binary `cargo test` builds next to the test binaries.
fn quickstart_binary() -> Option<PathBuf> {
    let deps = std::env::current_exe().ok()?.parent()?.to_path_buf();
    let name = format!("quickstart{}", std::env::consts::EXE_SUFFIX);
    let path = deps.parent()?.join("examples").join(name);
    path.is_file().then_some(path)
}

#[test]
fn quickstart_exits_non_zero_with_a_clear_message_on_a_wrong_password() {
    let Some(quickstart) = quickstart_binary() else {
        println!(
            "skipped: the quickstart example is not built (run `cargo test` without --test, or `cargo build --example quickstart`)"
        );
        return;
    };
    let sandbox = Sandbox::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(quickstart)
        .env("AUGUST_BASE_URL", sandbox.august_url())
        .env("AUGUST_USERNAME", demo::PHONE)
        .env("AUGUST_PASSWORD", "not-the-password")
        .env("AUGUST_CACHE_FILE", dir.path().join("auth.json"))
        .env_remove("AUGUST_LOGIN_METHOD")
        .env_remove("AUGUST_BRAND")
        .env_remove("AUGUST_LOCK_ID")
        .env_remove("AUTHY_API_KEY")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("state: BadPassword"), "{stdout}");
    assert!(!stdout.contains("3. Locks"), "{stdout}");
    assert_eq!(
        stderr.trim_end(),
        "Error: the server refused the password for +15555550100: check it (AUGUST_PASSWORD) and try again"
    );
    assert!(!stdout.contains("not-the-password") && !stderr.contains("not-the-password"));
    assert_eq!(sandbox.stats().requests, 1);
}
