//! The token cache under stress: many threads and two processes replacing the same file, a
//! writer killed with SIGKILL mid-save, an unwritable directory, loose permissions and
//! symbolic links.
//!
//! Every write goes through the public flow: an authenticator loaded from the cache file
//! refreshes its token (`Refresh::Force`) against a local server that hands out a new JWT each
//! time, and the refresh writes the cache. A reader checks, all along, that the file always
//! parses and is byte for byte one complete write of a token the server issued.
//!
//! The in-CI runs take about two seconds each. The long two-process run has its own command:
//! `cargo test -p august-auth --test stress_cache -- --ignored --exact two_processes_for_a_minute`
//! (`AUGUST_AUTH_STRESS_SECONDS` sets its length).

use test_support::fault_server as server;

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use august_auth::{
    AuthenticationState, Authenticator, CacheError, CacheStatus, LoginMethod, Refresh, Refusal,
    parse_cache_file,
};
use august_core::Api;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use server::{Act, FaultServer};

const PHONE: &str = "+15555550100";
const PASSWORD: &str = "hunter2-password";
const INSTALL_ID: &str = "9f6b2a3c-1d4e-4f5a-8b7c-6d5e4f3a2b1c";
const SEED_TOKEN: &str = "seed-token";
const SEED_EXPIRES: &str = "2099-03-06T22:55:12.002Z";
/// The expiry written after a refresh: the issued tokens' `exp` is 2100-01-01.
const REFRESHED_EXPIRES: &str = "2100-01-01T00:00:00.000000Z";

const ENV_PATH: &str = "AUGUST_AUTH_STRESS_PATH";
const ENV_URL: &str = "AUGUST_AUTH_STRESS_URL";
const ENV_MILLIS: &str = "AUGUST_AUTH_STRESS_MILLIS";
const ENV_SECONDS: &str = "AUGUST_AUTH_STRESS_SECONDS";

/// The exact bytes of a complete cache file holding `token`.
fn complete_write(token: &str, expires: &str) -> String {
    format!(
        "{{\"install_id\": \"{INSTALL_ID}\", \"access_token\": \"{token}\", \"access_token_expires\": \"{expires}\", \"state\": \"authenticated\"}}"
    )
}

fn write_seed(path: &Path) {
    fs::write(path, complete_write(SEED_TOKEN, SEED_EXPIRES)).unwrap_or_else(|e| panic!("{e}"));
}

/// A local August API whose `GET /users/houses/mine` answers each refresh with a new token,
/// remembering every token it issued.
struct TokenServer {
    server: FaultServer,
    issued: Arc<Mutex<HashSet<String>>>,
}

impl TokenServer {
    fn start() -> TokenServer {
        let issued = Arc::new(Mutex::new(HashSet::new()));
        let counter = AtomicU64::new(0);
        let record = Arc::clone(&issued);
        let server = FaultServer::start(move |request| {
            if request.path() != "/users/houses/mine" {
                return vec![Act::Send(server::response(404, &[], b""))];
            }
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let claims = format!("{{\"exp\":4102444800,\"n\":{n}}}");
            let token = format!("e30.{}.c2ln", URL_SAFE_NO_PAD.encode(claims));
            record
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(token.clone());
            vec![Act::Send(server::response(
                200,
                &[
                    ("content-type", "application/json"),
                    ("x-august-access-token", &token),
                ],
                b"[]",
            ))]
        });
        TokenServer { server, issued }
    }

    fn issued(&self, token: &str) -> bool {
        token == SEED_TOKEN
            || self
                .issued
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .contains(token)
    }
}

fn api(url: &str) -> Api {
    Api::builder()
        .base_url(url)
        .max_retries(0)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Refreshes (and so writes the cache) in a loop until `deadline`; returns the number of
/// writes. Panics on the first failed write.
fn write_until(url: &str, path: &Path, deadline: Instant) -> u64 {
    write_until_at_least(url, path, deadline, 0)
}

/// As [`write_until`], going on after the deadline until it has made `at_least` writes, so
/// that a loaded machine still races as many writes as the test needs.
fn write_until_at_least(url: &str, path: &Path, deadline: Instant, at_least: u64) -> u64 {
    let mut authenticator = Authenticator::new(api(url), LoginMethod::Phone, PHONE, PASSWORD)
        .access_token_cache_file(path);
    assert_eq!(authenticator.cache_status(), CacheStatus::Loaded);
    let mut writes = 0;
    while Instant::now() < deadline || writes < at_least {
        let authentication = authenticator
            .refresh_access_token(Refresh::Force)
            .unwrap_or_else(|e| panic!("refresh failed: {e}"));
        assert_eq!(
            authentication.access_token_expires(),
            Some(REFRESHED_EXPIRES)
        );
        if let Some(e) = authenticator.last_cache_error() {
            panic!("the cache write failed: {e}");
        }
        writes += 1;
    }
    writes
}

/// Reads the file until `stop`, checking each read; returns the number of reads and the
/// distinct tokens seen.
fn read_until(path: &Path, server: &TokenServer, stop: &AtomicBool) -> (u64, HashSet<String>) {
    let mut reads = 0;
    let mut seen = HashSet::new();
    while !stop.load(Ordering::SeqCst) {
        check_whole(path, server, &mut seen);
        reads += 1;
    }
    check_whole(path, server, &mut seen);
    (reads, seen)
}

/// The file parses and is exactly one complete write of a token the server issued (or the
/// seed).
fn check_whole(path: &Path, server: &TokenServer, seen: &mut HashSet<String>) {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("the cache file vanished: {e}"));
    let authentication = parse_cache_file(path, &bytes).unwrap_or_else(|e| {
        panic!(
            "a partial cache file: {e}: {:?}",
            String::from_utf8_lossy(&bytes)
        )
    });
    let token = authentication.access_token();
    let expires = if token == SEED_TOKEN {
        SEED_EXPIRES
    } else {
        REFRESHED_EXPIRES
    };
    assert_eq!(
        String::from_utf8_lossy(&bytes),
        complete_write(token, expires)
    );
    assert!(server.issued(token), "a token the server never issued");
    assert_eq!(authentication.state(), AuthenticationState::Authenticated);
    seen.insert(token.to_owned());
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0)
}

/// Seeds a cache file and runs `writers` (given the token server's URL and the file, giving
/// how many writes they made) while a thread reads the file until they end, each read checked
/// whole; then checks that no temporary file is left behind (the lock sidecar stays). Gives the
/// writes, the reads, the tokens seen, and the file with its directory.
fn race(
    writers: impl FnOnce(&str, &Path) -> u64,
) -> (u64, u64, HashSet<String>, tempfile::TempDir, PathBuf) {
    let server = Arc::new(TokenServer::start());
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("auth.json");
    write_seed(&path);
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (path, server, stop) = (path.clone(), Arc::clone(&server), Arc::clone(&stop));
        thread::spawn(move || read_until(&path, &server, &stop))
    };
    let writes = writers(&server.server.url(), &path);
    stop.store(true, Ordering::SeqCst);
    let (reads, seen) = reader
        .join()
        .unwrap_or_else(|p| std::panic::resume_unwind(p));
    assert_eq!(names_in(dir.path()), ["auth.json", "auth.json.lock"]);
    (writes, reads, seen, dir, path)
}

#[test]
fn eight_threads_replace_the_file_and_every_read_is_whole() {
    let deadline = Instant::now() + Duration::from_millis(1500);
    let (writes, reads, seen, _dir, path) = race(|url, path| {
        let writers: Vec<_> = (0..8)
            .map(|_| {
                let (url, path) = (url.to_owned(), path.to_owned());
                thread::spawn(move || write_until_at_least(&url, &path, deadline, 10))
            })
            .collect();
        writers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .sum()
    });
    println!(
        "8 threads: {writes} writes, {reads} reads, {} tokens seen",
        seen.len()
    );
    assert!(seen.len() >= 2, "the reader saw no replacement");
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
}

/// Spawns this test binary in child mode, writing to `path` for `millis`.
fn spawn_writer(path: &Path, url: &str, millis: u64) -> Child {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    Command::new(exe)
        .args(["--exact", "child_writer", "--ignored", "--nocapture"])
        .env(ENV_PATH, path)
        .env(ENV_URL, url)
        .env(ENV_MILLIS, millis.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start a writer process: {e}"))
}

/// The writer side of the process tests. Run by them as a child (with the environment naming
/// the file, the server and the duration); run directly, it writes to a file of its own for
/// half a second and checks it.
#[test]
#[ignore = "child process of the stress tests; runs standalone too"]
fn child_writer() {
    match (std::env::var(ENV_PATH), std::env::var(ENV_URL)) {
        (Ok(path), Ok(url)) => {
            let millis = std::env::var(ENV_MILLIS)
                .ok()
                .and_then(|m| m.parse().ok())
                .unwrap_or(1000);
            let deadline = Instant::now() + Duration::from_millis(millis);
            let writes = write_until(&url, Path::new(&path), deadline);
            println!("child-writes={writes}");
        }
        _ => {
            let server = TokenServer::start();
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            let path = dir.path().join("auth.json");
            write_seed(&path);
            let deadline = Instant::now() + Duration::from_millis(500);
            let writes = write_until(&server.server.url(), &path, deadline);
            assert!(writes > 0);
            check_whole(&path, &server, &mut HashSet::new());
        }
    }
}

fn child_writes(child: Child) -> u64 {
    let output = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "a writer process failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("child-writes="))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no write count in {stdout}"))
}

fn two_processes(millis: u64) -> (u64, u64, usize) {
    let (writes, reads, seen, _dir, _path) = race(|url, path| {
        let children = [
            spawn_writer(path, url, millis),
            spawn_writer(path, url, millis),
        ];
        children.into_iter().map(child_writes).sum()
    });
    (writes, reads, seen.len())
}

#[test]
fn two_processes_replace_the_file_and_every_read_is_whole() {
    let (writes, reads, seen) = two_processes(1500);
    println!("2 processes: {writes} writes, {reads} reads, {seen} tokens seen");
    assert!(writes >= 20, "only {writes} writes");
    assert!(seen >= 2);
}

#[test]
#[ignore = "long run: cargo test -p august-auth --test stress_cache -- --ignored --exact two_processes_for_a_minute"]
fn two_processes_for_a_minute() {
    let seconds = std::env::var(ENV_SECONDS)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60u64);
    let (writes, reads, seen) = two_processes(seconds * 1000);
    println!("2 processes for {seconds} s: {writes} writes, {reads} reads, {seen} tokens seen");
    assert!(writes >= seconds * 10);
}

#[test]
fn a_writer_killed_mid_save_leaves_the_old_or_a_new_whole_file() {
    let server = TokenServer::start();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("auth.json");
    write_seed(&path);
    // Kill at different moments after the first refresh reached the server.
    for delay_ms in [0u64, 1, 2, 3, 5, 8, 13, 21] {
        let before = server.server.request_count();
        let mut child = spawn_writer(&path, &server.server.url(), 30_000);
        let started = Instant::now();
        while server.server.request_count() == before {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the writer never started"
            );
            thread::sleep(Duration::from_millis(1));
        }
        thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap_or_else(|e| panic!("{e}"));
        let _ = child.wait();
        check_whole(&path, &server, &mut HashSet::new());
    }
    // A killed writer may leave its temporary file (never read); never a partial cache.
    let names = names_in(dir.path());
    println!("after 8 kills: {names:?}");
    for name in names {
        assert!(
            name == "auth.json"
                || name == "auth.json.lock"
                || (name.starts_with(".auth.json.") && name.ends_with(".tmp")),
            "unexpected file {name}"
        );
    }
    // The lock died with its holder: a new writer still gets through.
    let writes = write_until(
        &server.server.url(),
        &path,
        Instant::now() + Duration::from_millis(100),
    );
    assert!(writes > 0);
    check_whole(&path, &server, &mut HashSet::new());
}

/// Logs in through a local server answering `POST /session`, with the cache at `path`.
fn login_with_cache(path: &Path) -> (Authenticator, august_auth::Authentication) {
    let server = FaultServer::fixed(
        200,
        &[
            ("content-type", "application/json"),
            ("x-august-access-token", "login-token"),
        ],
        br#"{"expiresAt":"2099-03-06T22:55:12.002Z","vPassword":true,"vInstallId":true}"#,
    );
    let mut authenticator =
        Authenticator::new(api(&server.url()), LoginMethod::Phone, PHONE, PASSWORD)
            .install_id(INSTALL_ID)
            .access_token_cache_file(path);
    let authentication = authenticator
        .authenticate()
        .unwrap_or_else(|e| panic!("the login itself failed: {e}"));
    assert_eq!(server.request_count(), 1);
    (authenticator, authentication)
}

fn assert_write_error_but_logged_in(path: &Path) {
    let (authenticator, authentication) = login_with_cache(path);
    assert_eq!(authentication.state(), AuthenticationState::Authenticated);
    assert_eq!(authentication.access_token(), "login-token");
    match authenticator.last_cache_error() {
        Some(CacheError::Write {
            path: p,
            source,
            kept_aside: None,
        }) => {
            assert_eq!(p, path);
            assert!(!source.to_string().is_empty());
        }
        other => panic!("expected a write error, got {other:?}"),
    }
    assert!(!path.exists());
}

#[cfg(unix)]
#[test]
fn an_unwritable_directory_is_a_typed_error_and_the_login_is_kept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let locked = dir.path().join("read-only");
    fs::create_dir(&locked).unwrap_or_else(|e| panic!("{e}"));
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o500))
        .unwrap_or_else(|e| panic!("{e}"));
    // A privileged user (root in a container) writes anyway; the mode then proves nothing.
    let privileged = fs::write(locked.join("probe"), "").is_ok();
    if privileged {
        println!("running with write access to 0500 directories: mode check skipped");
    } else {
        assert_write_error_but_logged_in(&locked.join("auth.json"));
    }
    let _ = fs::set_permissions(&locked, fs::Permissions::from_mode(0o700));
    // A read-only file system refuses everyone, root included.
    #[cfg(target_os = "linux")]
    assert_write_error_but_logged_in(Path::new("/proc/august-auth-stress.json"));
}

#[cfg(unix)]
#[test]
fn loose_permissions_are_tightened_to_0600() {
    use std::os::unix::fs::PermissionsExt;
    for loose in [0o644, 0o666, 0o640, 0o604, 0o620, 0o777] {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("auth.json");
        write_seed(&path);
        fs::set_permissions(&path, fs::Permissions::from_mode(loose))
            .unwrap_or_else(|e| panic!("{e}"));
        let authenticator = Authenticator::new(
            api("http://127.0.0.1:9"),
            LoginMethod::Phone,
            PHONE,
            PASSWORD,
        )
        .access_token_cache_file(&path);
        assert_eq!(authenticator.cache_status(), CacheStatus::Loaded);
        assert!(authenticator.last_cache_error().is_none());
        assert_eq!(mode(&path), 0o600, "from {loose:o}");
        assert_eq!(authenticator.authentication().access_token(), SEED_TOKEN);
    }
    // A write keeps the file, its lock sidecar and a new directory private.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("new-dir").join("auth.json");
    let server = TokenServer::start();
    fs::create_dir(dir.path().join("new-dir")).unwrap_or_else(|e| panic!("{e}"));
    write_seed(&path);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap_or_else(|e| panic!("{e}"));
    write_until(
        &server.server.url(),
        &path,
        Instant::now() + Duration::from_millis(50),
    );
    assert_eq!(mode(&path), 0o600);
    assert_eq!(
        mode(&dir.path().join("new-dir").join("auth.json.lock")),
        0o600
    );
    let deep = dir.path().join("a").join("b").join("auth.json");
    let (_, authentication) = login_with_cache(&deep);
    assert_eq!(authentication.state(), AuthenticationState::Authenticated);
    assert_eq!(mode(&deep), 0o600);
    assert_eq!(mode(&dir.path().join("a")), 0o700);
    assert_eq!(mode(&dir.path().join("a").join("b")), 0o700);
}

#[cfg(unix)]
#[test]
fn a_symlinked_cache_is_refused_as_documented() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let real_dir = dir.path().join("secrets");
    fs::create_dir(&real_dir).unwrap_or_else(|e| panic!("{e}"));
    let target = real_dir.join("real.json");
    write_seed(&target);
    let seed = fs::read(&target).unwrap_or_default();
    let link_dir = dir.path().join("config");
    fs::create_dir(&link_dir).unwrap_or_else(|e| panic!("{e}"));
    let refused = |authenticator: &Authenticator, link: &Path| {
        assert_eq!(authenticator.cache_status(), CacheStatus::Refused);
        match authenticator.last_cache_error() {
            Some(CacheError::Refused { path, refusal }) => {
                assert_eq!(path, link);
                assert_eq!(*refusal, Refusal::SymbolicLink);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    };

    // A link to a cache file: neither read nor written; the login is returned uncached.
    let link = link_dir.join("auth.json");
    symlink("../secrets/real.json", &link).unwrap_or_else(|e| panic!("{e}"));
    let (authenticator, authentication) = login_with_cache(&link);
    assert_eq!(authentication.access_token(), "login-token");
    refused(&authenticator, &link);
    assert_eq!(fs::read(&target).unwrap_or_default(), seed);
    assert_eq!(
        fs::read_link(&link).ok(),
        Some(PathBuf::from("../secrets/real.json"))
    );
    assert_eq!(names_in(&link_dir), ["auth.json"]);
    assert_eq!(names_in(&real_dir), ["real.json"]);

    // A dangling link: its target is not created.
    let dangling = link_dir.join("later.json");
    symlink("../secrets/later-real.json", &dangling).unwrap_or_else(|e| panic!("{e}"));
    let (authenticator, _) = login_with_cache(&dangling);
    refused(&authenticator, &dangling);
    assert_eq!(names_in(&real_dir), ["real.json"]);

    // A link loop: refused the same way.
    let looped = link_dir.join("loop.json");
    symlink("loop.json", &looped).unwrap_or_else(|e| panic!("{e}"));
    let (authenticator, authentication) = login_with_cache(&looped);
    assert_eq!(authentication.access_token(), "login-token");
    refused(&authenticator, &looped);
}
