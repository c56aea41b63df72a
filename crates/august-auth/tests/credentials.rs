//! Credentials and the client that holds them: refresh when due (single flight), refresh
//! tokens persisted before use, one retry of a read after a 401 and none of a lock operation,
//! and the "sign in again" errors.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier, Mutex, mpsc};
use std::time::{Duration, Instant};

use august_auth::{
    Client, Credentials, Error, ErrorKind, ImportedToken, OAuthClient, OAuthTokens, SignInKind,
};
use august_core::{Api, Brand};
use chrono::{DateTime, TimeDelta, Utc};
use common::{CLIENT_ID, CLIENT_SECRET, oauth_client, refusing, token_endpoint, token_request};
use mockito::{Matcher, Mock, Server, ServerGuard};

/// A token endpoint's answer that rotates the refresh token.
const ROTATED: &str = r#"{"access_token": "at-2", "refresh_token": "rt-2", "expires_in": 3600}"#;
const LOCKS: &str = r#"{"lock-1": {"LockName": "Front", "UserType": "superuser", "macAddress": "AA", "HouseID": "h", "HouseName": "Home"}}"#;

fn oauth(server: &ServerGuard) -> OAuthClient {
    oauth_client(server)
}

/// A cache file's path in a fresh directory, removed with the directory.
fn cache_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("creds.json");
    (dir, path)
}

fn api(server: &ServerGuard) -> Api {
    common::yale_global_api(&server.url())
}

fn expiring_in(seconds: i64) -> Option<chrono::DateTime<Utc>> {
    Some(Utc::now() + TimeDelta::seconds(seconds))
}

/// OAuth credentials refreshed at `server`: access token `at-1` with `refresh_token`,
/// expiring `seconds` from now.
fn oauth_credentials(server: &ServerGuard, refresh_token: &str, seconds: i64) -> Credentials {
    Credentials::oauth(
        oauth(server),
        OAuthTokens::new("at-1", Some(refresh_token.into()), expiring_in(seconds)),
    )
}

/// What `call` gives on eight threads started at the same moment.
fn on_eight_threads(credentials: &Credentials, call: fn(&Credentials) -> String) -> Vec<String> {
    let barrier = Arc::new(Barrier::new(8));
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let (credentials, barrier) = (credentials.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                call(&credentials)
            })
        })
        .collect();
    workers.into_iter().map(|w| w.join().unwrap()).collect()
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn eight_threads_needing_a_refresh_send_one_request() {
    let mut server = Server::new();
    let refresh = token_endpoint(&mut server, Some("rt-1"), 200, ROTATED);
    let credentials = oauth_credentials(&server, "rt-1", 10);
    assert_eq!(
        on_eight_threads(&credentials, |c| c.access_token().unwrap()),
        ["at-2"; 8]
    );
    refresh.assert();
    // Eight 401s for the same token: one refresh between them too.
    let again = token_endpoint(
        &mut server,
        Some("rt-2"),
        200,
        r#"{"access_token": "at-3", "refresh_token": "rt-3", "expires_in": 3600}"#,
    );
    assert_eq!(
        on_eight_threads(&credentials, |c| c.after_rejection("at-2").unwrap()),
        ["at-3"; 8]
    );
    again.assert();
}

#[test]
fn a_rotated_refresh_token_is_persisted_before_the_new_token_is_used() {
    let (_dir, path) = cache_file();
    let mut server = Server::new();
    let refresh = token_endpoint(&mut server, None, 200, ROTATED);
    let seen = path.clone();
    let locks = server
        .mock("GET", "/users/locks/mine")
        .match_header("x-access-token", "at-2")
        .match_request(move |_| {
            // When the new token reaches the API, the cache already holds its refresh token.
            let cached = fs::read_to_string(&seen).unwrap_or_default();
            cached.contains("\"rt-2\"") && cached.contains("\"at-2\"")
        })
        .with_header("content-type", "application/json")
        .with_body(LOCKS)
        .expect(1)
        .create();
    let credentials = oauth_credentials(&server, "rt-1", 5)
        .cache_file(&path)
        .unwrap();
    let client = Client::new(api(&server), credentials).unwrap();
    assert_eq!(client.get_locks().unwrap().len(), 1);
    refresh.assert();
    locks.assert();
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
    #[cfg(unix)]
    assert_eq!(mode(&refresh_lock_of(&path)), 0o600);
    let text = fs::read_to_string(&path).unwrap();
    let stored: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(stored["kind"], "oauth");
    assert_eq!(stored["brand"], "yale_global");
    assert_eq!(stored["refresh_token"], "rt-2");
    assert_eq!(stored["client_id"], CLIENT_ID);
    assert!(stored["expires_at"].as_str().unwrap().ends_with('Z'));
    assert!(!text.contains(CLIENT_SECRET), "the secret is never cached");

    // A restart reads it back and refreshes with the newest refresh token.
    let api = api(&server);
    let again = Credentials::load(&path, &api, Some(oauth(&server))).unwrap();
    let info = again.info();
    assert_eq!(info.kind, SignInKind::OAuth);
    assert_eq!(info.brand, Some(Brand::YaleGlobal));
    assert!(info.can_refresh);
    let next = token_endpoint(
        &mut server,
        Some("rt-2"),
        200,
        r#"{"access_token": "at-3", "expires_in": 3600}"#,
    );
    assert_eq!(again.refresh_now().unwrap(), "at-3");
    next.assert();
    // No refresh token in the reply: the old one is kept, on disk too.
    let stored: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(stored["refresh_token"], "rt-2");
    assert_eq!(stored["access_token"], "at-3");
    // A client of another brand would refresh at the wrong server.
    let august = common::oauth_client_of(Brand::YaleAugust, &server.url());
    let err = Credentials::load(&path, &api, Some(august)).unwrap_err();
    assert!(err.to_string().contains("yale_global"), "{err}");
}

#[test]
fn a_refresh_token_the_server_hands_back_unchanged_stays_in_the_cache_file() {
    let (_dir, path) = cache_file();
    let mut server = Server::new();
    let refresh = token_endpoint(
        &mut server,
        Some("rt-unchanged-1"),
        200,
        r#"{"access_token": "at-2", "refresh_token": "rt-unchanged-1", "expires_in": 3600}"#,
    );
    let credentials = oauth_credentials(&server, "rt-unchanged-1", 5)
        .cache_file(&path)
        .unwrap();
    assert_eq!(credentials.access_token().unwrap(), "at-2");
    refresh.assert();
    let stored: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(stored["access_token"], "at-2");
    assert_eq!(stored["refresh_token"], "rt-unchanged-1");
    // And the next refresh sends it.
    let next = token_endpoint(
        &mut server,
        Some("rt-unchanged-1"),
        200,
        r#"{"access_token": "at-3", "expires_in": 3600}"#,
    );
    assert_eq!(credentials.refresh_now().unwrap(), "at-3");
    next.assert();
}

#[test]
fn an_expiry_past_year_9999_is_cached_as_the_end_of_9999_and_loads() {
    use chrono::{Datelike, TimeZone};

    let (_dir, path) = cache_file();
    let mut server = Server::new();
    let refresh = token_endpoint(
        &mut server,
        Some("rt-1"),
        200,
        r#"{"access_token": "at-2", "refresh_token": "rt-2", "expires_in": 300000000000}"#,
    );
    let credentials = oauth_credentials(&server, "rt-1", 5)
        .cache_file(&path)
        .unwrap();
    assert_eq!(credentials.access_token().unwrap(), "at-2");
    refresh.assert();
    let end_of_9999 = "9999-12-31T23:59:59.999999Z";
    let stored: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(stored["expires_at"], end_of_9999);
    let loaded = Credentials::load(&path, &api(&server), Some(oauth(&server))).unwrap();
    assert_eq!(loaded.info().expires_at.map(|at| at.year()), Some(9999));
    assert_eq!(loaded.access_token().unwrap(), "at-2");

    // Tokens given with such an expiry write a file that loads too.
    let far = Utc.with_ymd_and_hms(20000, 1, 1, 0, 0, 0).unwrap();
    Credentials::oauth(oauth(&server), OAuthTokens::new("at-9", None, Some(far)))
        .cache_file(&path)
        .unwrap();
    let stored: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(stored["expires_at"], end_of_9999);
    let loaded = Credentials::load(&path, &api(&server), Some(oauth(&server))).unwrap();
    assert_eq!(loaded.access_token().unwrap(), "at-9");
}

#[test]
fn a_refused_refresh_token_asks_to_sign_in_again() {
    let mut server = Server::new();
    let _refresh = token_endpoint(
        &mut server,
        None,
        400,
        r#"{"error": "invalid_grant", "error_description": "refresh token rotated"}"#,
    );
    let credentials = oauth_credentials(&server, "rt-old", -5);
    let err = credentials.access_token().unwrap_err();
    assert!(err.needs_sign_in());
    let text = err.to_string();
    assert!(text.contains("sign in again"), "{text}");
    assert!(text.contains("august login --oauth"), "{text}");
    assert!(!text.contains("rt-old"), "{text}");
}

#[test]
fn a_failed_refresh_keeps_a_token_that_has_not_expired_until_the_retry_interval_has_passed() {
    const INTERVAL: Duration = Duration::from_millis(400);
    let mut server = Server::new();
    let failing = token_endpoint(
        &mut server,
        Some("rt-1"),
        503,
        r#"{"error": "temporarily_unavailable"}"#,
    );
    let credentials = oauth_credentials(&server, "rt-1", 30);
    assert_eq!(credentials.access_token().unwrap(), "at-1");
    let failed_at = std::time::Instant::now();
    // Not tried again at every call while the token works (the default interval).
    assert_eq!(credentials.access_token().unwrap(), "at-1");
    // Set on a clone: the interval is the same for every clone.
    let _ = credentials.clone().refresh_retry_interval(INTERVAL);
    assert_eq!(credentials.access_token().unwrap(), "at-1");
    failing.assert();
    failing.remove();
    let refresh = token_endpoint(&mut server, Some("rt-1"), 200, ROTATED);
    std::thread::sleep(INTERVAL.saturating_sub(failed_at.elapsed()));
    for _ in 0..2 {
        assert_eq!(credentials.access_token().unwrap(), "at-2");
    }
    refresh.assert();
}

/// A token endpoint that gives tokens expiring within the refresh margin (`expires_in` under
/// 60 s, or an `expires_at` already passed): the new token is used and cached, and not
/// refreshed again before the retry interval has passed, then is once. Every call used to send
/// a refresh first.
#[test]
fn a_refresh_whose_new_token_is_due_already_is_not_sent_again_at_every_call() {
    // Long enough that the calls made within it all come before it ends on a loaded machine.
    const INTERVAL: Duration = Duration::from_millis(1500);
    let past = Utc::now().timestamp() - 300;
    for expiry in [
        r#""expires_in": 30"#.to_owned(),
        format!(r#""expires_at": {past}"#),
    ] {
        let (_dir, path) = cache_file();
        let mut server = Server::new();
        let refresh = token_endpoint(
            &mut server,
            Some("rt-1"),
            200,
            &format!(r#"{{"access_token": "at-2", "refresh_token": "rt-2", {expiry}}}"#),
        );
        let again = token_endpoint(
            &mut server,
            Some("rt-2"),
            200,
            &format!(r#"{{"access_token": "at-3", "refresh_token": "rt-3", {expiry}}}"#),
        );
        let credentials = oauth_credentials(&server, "rt-1", 10)
            .cache_file(&path)
            .unwrap()
            .refresh_retry_interval(INTERVAL);
        for _ in 0..5 {
            assert_eq!(credentials.access_token().unwrap(), "at-2", "{expiry}");
        }
        let refreshed_at = std::time::Instant::now();
        refresh.assert();
        assert!(fs::read_to_string(&path).unwrap().contains("\"at-2\""));
        std::thread::sleep(INTERVAL.saturating_sub(refreshed_at.elapsed()));
        for _ in 0..3 {
            assert_eq!(credentials.access_token().unwrap(), "at-3", "{expiry}");
        }
        again.assert();
        assert!(fs::read_to_string(&path).unwrap().contains("\"at-3\""));
    }
}

#[test]
fn a_second_process_takes_the_tokens_another_refreshed_instead_of_its_spent_refresh_token() {
    let (_dir, path) = cache_file();
    let mut server = Server::new();
    let refresh = token_endpoint(&mut server, Some("rt-1"), 200, ROTATED);
    oauth_credentials(&server, "rt-1", 5)
        .cache_file(&path)
        .unwrap();
    let api = api(&server);
    let first = Credentials::load(&path, &api, Some(oauth(&server))).unwrap();
    let second = Credentials::load(&path, &api, Some(oauth(&server))).unwrap();
    assert_eq!(first.access_token().unwrap(), "at-2");
    // The second "process" finds the newer tokens in the file: no request with the spent rt-1.
    assert_eq!(second.access_token().unwrap(), "at-2");
    refresh.assert();
}

/// The answer of the token endpoint at `server` to a use of `rt-1`: `status` with `body`, once,
/// written when `answer` says (on a thread of mockito's own, so the server goes on answering).
fn refresh_of_rt1(
    server: &mut ServerGuard,
    status: usize,
    body: &'static str,
    answer: impl Fn() + Send + Sync + 'static,
) -> Mock {
    token_request(server)
        .match_body(Matcher::UrlEncoded("refresh_token".into(), "rt-1".into()))
        .with_status(status)
        .with_header("content-type", "application/json")
        .with_chunked_body(move |w| {
            answer();
            w.write_all(body.as_bytes())
        })
        .expect(1)
        .create()
}

#[test]
fn a_process_whose_refresh_token_another_spent_first_takes_the_tokens_it_saved() {
    const WAIT: Duration = Duration::from_secs(10);
    let (_dir, path) = cache_file();
    let mut server = Server::new();
    // The first use of rt-1 rotates it; the server refuses any other. The first answer waits
    // until the second process's request has come, and that one until the first process has
    // saved its tokens: the second looked at the file before they were there, and is answered
    // after.
    let (first_asked, first_asking) = mpsc::sync_channel::<()>(1);
    let (second_asked, second_asking) = mpsc::sync_channel::<()>(1);
    let (first_saved, first_done) = mpsc::sync_channel::<()>(1);
    let (first_asked, second_asking) = (Mutex::new(first_asked), Mutex::new(second_asking));
    let rotated = refresh_of_rt1(&mut server, 200, ROTATED, move || {
        first_asked.lock().unwrap().send(()).unwrap();
        second_asking.lock().unwrap().recv_timeout(WAIT).unwrap();
    });
    let (second_asked, first_done) = (Mutex::new(second_asked), Mutex::new(first_done));
    let refused = refresh_of_rt1(
        &mut server,
        400,
        r#"{"error": "invalid_grant", "error_description": "refresh token already used"}"#,
        move || {
            second_asked.lock().unwrap().send(()).unwrap();
            first_done.lock().unwrap().recv_timeout(WAIT).unwrap();
        },
    );
    oauth_credentials(&server, "rt-1", -5)
        .cache_file(&path)
        .unwrap();
    // Two processes: each loads the file on its own. The second waits for the refresh lock
    // the first holds for its client's timeout only, then refreshes without it.
    let api = api(&server);
    let first = Credentials::load(&path, &api, Some(oauth(&server))).unwrap();
    let hurried = oauth(&server).timeout(Duration::from_secs(2));
    let second = Credentials::load(&path, &api, Some(hurried)).unwrap();
    let first = std::thread::spawn(move || {
        let token = first.access_token();
        first_saved.send(()).unwrap();
        token
    });
    first_asking.recv_timeout(WAIT).unwrap();
    let token = second.access_token();
    assert_eq!(first.join().unwrap().unwrap(), "at-2");
    assert_eq!(token.unwrap(), "at-2");
    rotated.assert();
    refused.assert();
    // It refreshes with the refresh token the first saved, and the file keeps it.
    refreshes_with_rt2(&mut server, &second);
    let stored: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(stored["refresh_token"], "rt-3");
}

/// A token endpoint that refuses the spent `rt-1` and must not be asked with it.
fn spent_rt1(server: &mut ServerGuard) -> Mock {
    token_request(server)
        .match_body(Matcher::UrlEncoded("refresh_token".into(), "rt-1".into()))
        .with_status(400)
        .with_header("content-type", "application/json")
        .with_body(
            r#"{"error": "invalid_grant", "error_description": "refresh token already used"}"#,
        )
        .expect(0)
        .create()
}

/// Asserts that a forced refresh of `credentials` sends `rt-2` (and gets `at-3`).
fn refreshes_with_rt2(server: &mut ServerGuard, credentials: &Credentials) {
    let next = token_endpoint(
        server,
        Some("rt-2"),
        200,
        r#"{"access_token": "at-3", "refresh_token": "rt-3", "expires_in": 3600}"#,
    );
    assert_eq!(credentials.refresh_now().unwrap(), "at-3");
    next.assert();
}

/// The refresh lock's sidecar of the cache file `path`.
fn refresh_lock_of(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap().to_owned();
    name.push(".refresh.lock");
    path.with_file_name(name)
}

/// The refresh lock of the cache file `path`, taken as another process sharing the file holds
/// it while it refreshes, until the file returned is dropped.
fn hold_refresh_lock(path: &Path) -> fs::File {
    let lock = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(refresh_lock_of(path))
        .unwrap();
    lock.lock().unwrap();
    lock
}

/// Credentials loaded from a new cache file at `path` (as a process sharing it does), whose
/// token `at-1` has expired and whose refresh token is `rt-1`, refreshed with `client`.
fn expired_in_cache(server: &ServerGuard, path: &Path, client: OAuthClient) -> Credentials {
    oauth_credentials(server, "rt-1", -5)
        .cache_file(path)
        .unwrap();
    Credentials::load(path, &api(server), Some(client)).unwrap()
}

#[test]
fn a_refresh_waits_for_another_process_refreshing_and_takes_the_tokens_it_saved() {
    let (_dir, path) = cache_file();
    let mut server = Server::new();
    // The other process spends rt-1: the server would refuse it to this one.
    let spent = spent_rt1(&mut server);
    let credentials = expired_in_cache(&server, &path, oauth(&server));
    let other = hold_refresh_lock(&path);
    let waiting = credentials.clone();
    let waiting = std::thread::spawn(move || waiting.access_token());
    // Time enough to have sent rt-1 and been refused, were the lock not waited for.
    std::thread::sleep(Duration::from_millis(300));
    // The other process saves what its refresh gave, then releases the lock.
    Credentials::oauth(
        oauth(&server),
        OAuthTokens::new("at-2", Some("rt-2".into()), expiring_in(3600)),
    )
    .cache_file(&path)
    .unwrap();
    drop(other);
    assert_eq!(waiting.join().unwrap().unwrap(), "at-2");
    spent.assert();
    // It took the other's refresh token too.
    refreshes_with_rt2(&mut server, &credentials);
}

/// Credentials loaded from the file (`at-1`, `rt-1`, expiring at `first`), then another
/// process sharing it refreshes (`rt-1` spent, `at-2` and `rt-2` saved, expiring at `second`):
/// a forced refresh sends `rt-2`, never the spent `rt-1`.
fn a_forced_refresh_takes_what_another_process_saved(
    first: Option<DateTime<Utc>>,
    second: Option<DateTime<Utc>>,
) {
    let (_dir, path) = cache_file();
    let mut server = Server::new();
    Credentials::oauth(
        oauth(&server),
        OAuthTokens::new("at-1", Some("rt-1".into()), first),
    )
    .cache_file(&path)
    .unwrap();
    let credentials = Credentials::load(&path, &api(&server), Some(oauth(&server))).unwrap();
    assert_eq!(credentials.access_token().unwrap(), "at-1");
    Credentials::oauth(
        oauth(&server),
        OAuthTokens::new("at-2", Some("rt-2".into()), second),
    )
    .cache_file(&path)
    .unwrap();
    let spent = spent_rt1(&mut server);
    refreshes_with_rt2(&mut server, &credentials);
    spent.assert();
}

#[test]
fn a_forced_refresh_sends_the_refresh_token_another_process_saved_not_a_spent_one() {
    a_forced_refresh_takes_what_another_process_saved(expiring_in(3600), expiring_in(7200));
}

#[test]
fn a_forced_refresh_sends_the_refresh_token_another_process_saved_when_no_expiry_is_known() {
    // Token replies without an expiry, on both sides.
    a_forced_refresh_takes_what_another_process_saved(None, None);
}

#[test]
fn a_forced_refresh_sends_the_refresh_token_another_process_saved_with_the_same_access_token() {
    let (_dir, path) = cache_file();
    let mut server = Server::new();
    oauth_credentials(&server, "rt-1", 3600)
        .cache_file(&path)
        .unwrap();
    let credentials = Credentials::load(&path, &api(&server), Some(oauth(&server))).unwrap();
    assert_eq!(credentials.access_token().unwrap(), "at-1");
    // Another process sharing the file refreshes and the server rotates the refresh token
    // alone: rt-1 is spent, at-1 and rt-2 saved.
    oauth_credentials(&server, "rt-2", 3600)
        .cache_file(&path)
        .unwrap();
    let spent = spent_rt1(&mut server);
    refreshes_with_rt2(&mut server, &credentials);
    spent.assert();
}

/// Makes the writers' lock of the cache file `path` a link, so that every write is refused.
#[cfg(unix)]
fn refuse_writes(path: &Path) {
    let mut lock = path.file_name().unwrap().to_owned();
    lock.push(".lock");
    let lock = path.with_file_name(lock);
    let _ = fs::remove_file(&lock);
    std::os::unix::fs::symlink(path.with_file_name("elsewhere"), &lock).unwrap();
}

#[cfg(unix)]
#[test]
fn after_a_save_that_failed_the_older_tokens_in_the_file_are_not_taken() {
    let (_dir, path) = cache_file();
    let mut server = Server::new();
    let refresh = token_endpoint(&mut server, Some("rt-1"), 200, ROTATED);
    let credentials = expired_in_cache(&server, &path, oauth(&server));
    // The save of what the refresh gives is refused.
    refuse_writes(&path);
    assert_eq!(credentials.access_token().unwrap(), "at-2");
    refresh.assert();
    assert!(credentials.last_cache_error().is_some());
    // The file still holds rt-1, which this process spent: the next refresh sends rt-2.
    let spent = spent_rt1(&mut server);
    refreshes_with_rt2(&mut server, &credentials);
    spent.assert();
}

#[cfg(unix)]
#[test]
fn a_cache_file_whose_first_write_failed_is_not_taken_for_one_another_process_wrote() {
    let (_dir, path) = cache_file();
    let mut server = Server::new();
    // An older sign-in of the same brand is in the file, and it cannot be written over.
    Credentials::oauth(
        oauth(&server),
        OAuthTokens::new("at-0", Some("rt-0".into()), expiring_in(3600)),
    )
    .cache_file(&path)
    .unwrap();
    refuse_writes(&path);
    let credentials = oauth_credentials(&server, "rt-1", 3600);
    let clone = credentials.clone();
    let err = credentials.cache_file(&path).unwrap_err();
    assert!(matches!(err, Error::Cache(_)), "{err:?}");
    // The clone is left as it was: it refreshes with its own rt-1, not the file's rt-0, and
    // is cached nowhere.
    let refresh = token_endpoint(&mut server, Some("rt-1"), 200, ROTATED);
    assert_eq!(clone.refresh_now().unwrap(), "at-2");
    refresh.assert();
    assert_eq!(clone.info().cache_file, None);
    assert_eq!(clone.last_cache_error(), None);
}

#[test]
fn a_refresh_lock_never_released_holds_a_refresh_back_for_half_the_client_timeout() {
    const TIMEOUT: Duration = Duration::from_secs(1);
    let (_dir, path) = cache_file();
    let mut server = Server::new();
    let refresh = token_endpoint(&mut server, Some("rt-1"), 200, ROTATED);
    let credentials = expired_in_cache(&server, &path, oauth(&server).timeout(TIMEOUT));
    let _stuck = hold_refresh_lock(&path);
    let started = Instant::now();
    assert_eq!(credentials.access_token().unwrap(), "at-2");
    let waited = started.elapsed();
    assert!(
        waited >= TIMEOUT / 2,
        "the refresh did not wait for the lock: {waited:?}"
    );
    // The wait and the request share the one timeout.
    assert!(waited < TIMEOUT, "{waited:?}");
    refresh.assert();
    // Saved all the same: the writers' lock is another file.
    let stored: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(stored["refresh_token"], "rt-2");
}

#[test]
fn a_wait_for_the_refresh_lock_takes_half_the_callers_time_and_the_refresh_the_rest() {
    const DEADLINE: Duration = Duration::from_millis(800);
    let (_dir, path) = cache_file();
    let mut server = Server::new();
    let refresh = token_endpoint(&mut server, Some("rt-1"), 200, ROTATED);
    // The client's own timeout (20 s) is longer than the caller's deadline.
    let credentials = expired_in_cache(&server, &path, oauth(&server));
    let _other = hold_refresh_lock(&path);
    let started = Instant::now();
    let token = api_transport::within(DEADLINE, || credentials.access_token());
    let waited = started.elapsed();
    assert_eq!(token.unwrap(), "at-2");
    assert!(
        waited >= DEADLINE / 2 && waited < DEADLINE,
        "waited {waited:?}"
    );
    refresh.assert();
}

#[test]
fn a_refresh_whose_caller_has_no_time_left_is_not_sent() {
    let (_dir, path) = cache_file();
    let mut server = Server::new();
    let refresh = token_request(&mut server).expect(0).create();
    let credentials = expired_in_cache(&server, &path, oauth(&server));
    let err = api_transport::within(Duration::ZERO, || credentials.access_token()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotDelivered, "{err}");
    refresh.assert();
}

#[cfg(unix)]
#[test]
fn a_refresh_lock_that_is_a_link_is_left_alone_and_the_refresh_goes_on() {
    let (dir, path) = cache_file();
    let mut server = Server::new();
    let refresh = token_endpoint(&mut server, Some("rt-1"), 200, ROTATED);
    let credentials = expired_in_cache(&server, &path, oauth(&server));
    let target = dir.path().join("target");
    fs::write(&target, "not a lock").unwrap();
    std::os::unix::fs::symlink(&target, refresh_lock_of(&path)).unwrap();
    assert_eq!(credentials.access_token().unwrap(), "at-2");
    refresh.assert();
    assert_eq!(fs::read_to_string(&target).unwrap(), "not a lock");
    assert!(
        fs::symlink_metadata(refresh_lock_of(&path))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn a_read_refused_with_401_is_refreshed_and_retried_once() {
    let mut server = Server::new();
    let stale = refusing(&mut server, "GET", "/users/locks/mine")
        .match_header("x-access-token", "at-1")
        .create();
    let refresh = token_endpoint(&mut server, None, 200, ROTATED);
    let fresh = server
        .mock("GET", "/users/locks/mine")
        .match_header("x-access-token", "at-2")
        .match_header("x-august-access-token", Matcher::Missing)
        .match_header("authorization", Matcher::Missing)
        .with_header("content-type", "application/json")
        .with_body(LOCKS)
        .expect(1)
        .create();
    let credentials = oauth_credentials(&server, "rt-1", 3600);
    let client = Client::new(api(&server), credentials).unwrap();
    assert_eq!(client.get_locks().unwrap().len(), 1);
    stale.assert();
    refresh.assert();
    fresh.assert();
}

#[test]
fn a_lock_operation_refused_with_401_is_not_resent() {
    let mut server = Server::new();
    let lock = refusing(&mut server, "PUT", "/remoteoperate/lock-1/lock").create();
    let refresh = token_endpoint(&mut server, None, 200, ROTATED);
    let credentials = oauth_credentials(&server, "rt-1", 3600);
    let client = Client::new(api(&server), credentials.clone()).unwrap();
    let err = client.lock("lock-1").unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    lock.assert();
    refresh.assert();
    // The next call uses the renewed token.
    assert_eq!(credentials.access_token().unwrap(), "at-2");
}

#[test]
fn a_fixed_token_refused_says_sign_in_again_and_how() {
    let mut server = Server::new();
    let m = server
        .mock("GET", "/users/houses/mine")
        .with_status(401)
        .with_header("content-type", "application/json")
        .with_body(r#"{"message": "invalid access token"}"#)
        .expect(1)
        .create();
    let client = Client::new(
        api(&server),
        Credentials::fixed(Brand::YaleGlobal, "fixed-tok"),
    )
    .unwrap();
    let err = client.get_houses().unwrap_err();
    m.assert();
    assert!(
        matches!(
            err,
            Error::SignInAgain {
                kind: SignInKind::Fixed,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("sign in again: pass a new access token"),
        "{text}"
    );
    assert!(!text.contains("fixed-tok"));
}

#[test]
fn an_imported_token_is_used_until_it_expires_then_says_how_to_reimport() {
    let expired = ImportedToken::from_access_token(
        Brand::YaleAugust,
        "imp-tok",
        None,
        Some(Utc::now() - TimeDelta::seconds(1)),
    )
    .unwrap_err();
    assert!(expired.to_string().contains("expired"), "{expired}");
    let token = ImportedToken::from_access_token(
        Brand::YaleAugust,
        "imp-tok",
        Some("imp-refresh".into()),
        expiring_in(2),
    )
    .unwrap();
    let credentials = Credentials::imported(token);
    // Within the refresh margin but not expired: still used.
    assert_eq!(credentials.access_token().unwrap(), "imp-tok");
    let credentials = credentials.refresh_margin(Duration::ZERO);
    assert_eq!(credentials.access_token().unwrap(), "imp-tok");
    assert!(!credentials.info().can_refresh);
    std::thread::sleep(Duration::from_millis(2100));
    let err = credentials.access_token().unwrap_err();
    let text = err.to_string();
    assert!(text.contains("expired"), "{text}");
    assert!(text.contains("august login --import-ha"), "{text}");
    assert!(!text.contains("imp-tok") && !text.contains("imp-refresh"));
}

#[test]
fn the_client_refuses_credentials_of_another_brand() {
    let server = Server::new();
    let err = Client::new(api(&server), Credentials::fixed(Brand::YaleAugust, "t")).unwrap_err();
    assert!(err.to_string().contains("yale_august"), "{err}");
}

#[test]
fn a_py_august_cache_loads_as_a_password_login() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.json");
    fs::copy("tests/fixtures/py_august_login.json", &path).unwrap();
    let credentials = Credentials::load(&path, &Api::new(), None).unwrap();
    assert_eq!(credentials.info().kind, SignInKind::Password);
    assert!(!credentials.access_token().unwrap().is_empty());
    let expired = dir.path().join("expired.json");
    fs::copy("tests/fixtures/py_august_expired.json", &expired).unwrap();
    let err = Credentials::load(&expired, &Api::new(), None).unwrap_err();
    assert!(err.needs_sign_in(), "{err}");
    let corrupt = dir.path().join("corrupt.json");
    fs::write(&corrupt, b"{\"format\": 3}").unwrap();
    assert!(matches!(
        Credentials::load(&corrupt, &Api::new(), None),
        Err(Error::Cache(_))
    ));
    fs::write(&corrupt, b"not json").unwrap();
    assert!(matches!(
        Credentials::load(&corrupt, &Api::new(), None),
        Err(Error::Cache(_))
    ));
}

/// Credentials cached over a cache file (either format) replace it: the new sign-in is what
/// the caller asked for. Anything else there is moved aside first, never overwritten.
#[test]
fn caching_credentials_keeps_an_unusable_file_aside_and_replaces_a_cache() {
    let imported = || {
        let token = ImportedToken::from_access_token(Brand::YaleGlobal, "new-token", None, None);
        Credentials::imported(token.unwrap())
    };
    let (dir, path) = cache_file();
    let aside = dir.path().join("creds.json.corrupt");
    let py_august = r#"{"install_id": "i", "access_token": "old", "access_token_expires": "2099-01-01T00:00:00Z", "state": "authenticated"}"#;
    for (before, kept) in [
        (py_august, false),
        (r#"{"format": "august-rs-credentials/1"}"#, false),
        ("not json", true),
        ("{}", true),
    ] {
        let _ = fs::remove_file(&aside);
        fs::write(&path, before).unwrap();
        let credentials = imported().cache_file(&path).unwrap();
        assert_eq!(
            credentials.kept_aside(),
            kept.then(|| aside.clone()),
            "{before}"
        );
        let cached: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(cached["access_token"], "new-token", "{before}");
        if kept {
            assert_eq!(fs::read_to_string(&aside).unwrap(), before);
        } else {
            assert!(!aside.exists(), "{before}");
        }
    }
}

/// When the write that follows keeping an unusable file aside fails, the error of
/// `cache_file` says where the file went (`CacheError::kept_aside`, and the message), with the
/// I/O error as its cause: the credentials are consumed, so `kept_aside()` cannot be asked. It
/// said only that the token could not be cached, its cause a copy of that message. Here the
/// file's name (244 bytes) leaves room for `.corrupt` but not for the temporary file written
/// beside it (`.<name>.XXXXXX.tmp`), past the 255 bytes a file name may have.
#[cfg(target_os = "linux")]
#[test]
fn a_failed_first_write_says_where_the_unusable_file_was_kept() {
    use august_auth::CacheError;

    let dir = tempfile::tempdir().unwrap();
    let name = format!("{}.json", "c".repeat(239));
    let path = dir.path().join(&name);
    fs::write(&path, "not a cache file").unwrap();
    let aside = dir.path().join(format!("{name}.corrupt"));
    let error = Credentials::fixed(Brand::YaleGlobal, "a-token")
        .cache_file(&path)
        .unwrap_err();
    match error.cache_error() {
        Some(e @ CacheError::Write { .. }) => assert_eq!(e.kept_aside(), Some(aside.as_path())),
        other => panic!("expected a write error, got {other:?}"),
    }
    assert_eq!(
        error.to_string(),
        format!(
            "cannot write the token cache {}; check that its directory is writable; the unusable file that was there is kept aside as {}",
            path.display(),
            aside.display()
        )
    );
    let cause = std::error::Error::source(&error)
        .and_then(|c| c.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind);
    assert_eq!(cause, Some(std::io::ErrorKind::InvalidFilename));
    assert_eq!(fs::read_to_string(&aside).unwrap(), "not a cache file");
    assert!(!path.exists());
}

#[cfg(unix)]
#[test]
fn credentials_are_never_loaded_through_a_link() {
    let (dir, path) = cache_file();
    let token = ImportedToken::from_access_token(Brand::YaleGlobal, "a-token", None, None);
    Credentials::imported(token.unwrap())
        .cache_file(&path)
        .unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&path, &link).unwrap();
    let api = Api::builder().brand(Brand::YaleGlobal).build().unwrap();
    assert!(Credentials::load(&path, &api, None).is_ok());
    let refused = Credentials::load(&link, &api, None).unwrap_err();
    assert!(
        matches!(
            refused,
            august_auth::Error::Cache(august_auth::CacheError::Refused { .. })
        ),
        "{refused:?}"
    );
}

#[cfg(unix)]
#[test]
fn a_cache_others_may_read_is_restricted_to_0600_when_loaded() {
    use std::os::unix::fs::PermissionsExt;

    let (_dir, path) = cache_file();
    let token = ImportedToken::from_access_token(Brand::YaleGlobal, "a-token", None, None);
    Credentials::imported(token.unwrap())
        .cache_file(&path)
        .unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let api = Api::builder().brand(Brand::YaleGlobal).build().unwrap();
    let credentials = Credentials::load(&path, &api, None).unwrap();
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(credentials.last_cache_error(), None);
    assert_eq!(credentials.access_token().unwrap(), "a-token");
}

#[test]
fn the_client_and_credentials_are_clone_send_and_sync() {
    fn assert_traits<T: Clone + Send + Sync + 'static>() {}
    assert_traits::<Client>();
    assert_traits::<Credentials>();
    assert_traits::<OAuthClient>();
    assert_traits::<OAuthTokens>();
    assert_traits::<ImportedToken>();
    fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<Error>();
    assert_error::<august_auth::OAuthError>();
    assert_error::<august_auth::ImportError>();
}

/// What every reader of a cache snapshot answers for `content` (`None`: no file), the path
/// written `P`: whether there is a file, whether it holds credentials, their brand, `Debug`, what
/// [`Credentials::from_snapshot`] gives, and what an authenticator given the snapshot reports.
fn snapshot_answers(content: Option<&str>) -> Vec<String> {
    use august_auth::{Authenticator, CacheSnapshot, LoginMethod};

    let (_dir, path) = cache_file();
    if let Some(content) = content {
        fs::write(&path, content).unwrap();
    }
    let api = Api::new();
    let p = path.display().to_string();
    let shown = |text: String| text.replace(&p, "P");
    let snapshot = CacheSnapshot::read(&path);
    let mut answers = vec![
        format!("exists {}", snapshot.exists()),
        format!("credentials {}", snapshot.is_credentials()),
        format!("brand {:?}", snapshot.brand()),
        shown(format!("{snapshot:?}")),
    ];
    answers.push(shown(
        match Credentials::from_snapshot(snapshot, &api, None) {
            Ok(credentials) => format!("loaded {}", credentials.info().kind),
            Err(e) => format!("{e:?}"),
        },
    ));
    let authenticator = Authenticator::new(api, LoginMethod::Phone, "", "")
        .access_token_cache_snapshot(CacheSnapshot::read(&path));
    answers.push(shown(format!(
        "{:?} {:?}",
        authenticator.cache_status(),
        authenticator.last_cache_error().map(ToString::to_string)
    )));
    answers
}

/// A snapshot answers its questions and is loaded with the same results and errors for a
/// missing, empty, corrupt or wrong-shaped file as for a good one, whichever reader takes it.
#[test]
fn a_cache_snapshot_answers_alike_for_every_kind_of_file() {
    let py_august = r#"{"install_id": "i", "access_token": "t", "access_token_expires": "2099-01-01T00:00:00Z", "state": "authenticated"}"#;
    let imported = r#"{"format": "august-rs-credentials/1", "kind": "imported", "brand": "yale_global", "access_token": "t"}"#;
    let cases: [(Option<&str>, [&str; 6]); 9] = [
        (
            None,
            [
                "exists false",
                "credentials false",
                "brand None",
                r#"CacheSnapshot { path: "P", content: "no file" }"#,
                r#"Cache(Unreadable { path: "P", source: Kind(NotFound) })"#,
                "Missing None",
            ],
        ),
        (
            Some(""),
            [
                "exists true",
                "credentials false",
                "brand None",
                r#"CacheSnapshot { path: "P", content: "<LEN bytes>" }"#,
                r#"Cache(Corrupt { path: "P", reason: "not JSON at line 1" })"#,
                r#"Corrupt Some("the token cache P is not a valid cache file (not valid JSON: EOF while parsing a value at line 1 column 0); it will be moved aside to P.corrupt at the next login")"#,
            ],
        ),
        (
            Some("not json"),
            [
                "exists true",
                "credentials false",
                "brand None",
                r#"CacheSnapshot { path: "P", content: "<LEN bytes>" }"#,
                r#"Cache(Corrupt { path: "P", reason: "not JSON at line 1" })"#,
                r#"Corrupt Some("the token cache P is not a valid cache file (not valid JSON: expected ident at line 1 column 2); it will be moved aside to P.corrupt at the next login")"#,
            ],
        ),
        (
            Some("[]"),
            [
                "exists true",
                "credentials false",
                "brand None",
                r#"CacheSnapshot { path: "P", content: "<LEN bytes>" }"#,
                r#"Cache(Corrupt { path: "P", reason: "not a JSON object" })"#,
                r#"Corrupt Some("the token cache P is not a valid cache file (not a JSON object); it will be moved aside to P.corrupt at the next login")"#,
            ],
        ),
        (
            Some("{}"),
            [
                "exists true",
                "credentials false",
                "brand None",
                r#"CacheSnapshot { path: "P", content: "<LEN bytes>" }"#,
                r#"Cache(Corrupt { path: "P", reason: "missing key `install_id`" })"#,
                r#"Corrupt Some("the token cache P is not a valid cache file (missing key `install_id`); it will be moved aside to P.corrupt at the next login")"#,
            ],
        ),
        (
            Some(r#"{"format": 3}"#),
            [
                "exists true",
                "credentials true",
                "brand None",
                r#"CacheSnapshot { path: "P", content: "<LEN bytes>" }"#,
                r#"Cache(Corrupt { path: "P", reason: "data error" })"#,
                r#"Corrupt Some("the token cache P is not a valid cache file (missing key `install_id`); it will be moved aside to P.corrupt at the next login")"#,
            ],
        ),
        (
            Some(&imported.replace("yale_global", "nope")),
            [
                "exists true",
                "credentials true",
                "brand None",
                r#"CacheSnapshot { path: "P", content: "<LEN bytes>" }"#,
                r#"Cache(Corrupt { path: "P", reason: "unknown brand `nope`: expected august, yale_access, yale_global or yale_august" })"#,
                r#"Corrupt Some("the token cache P is not a valid cache file (missing key `install_id`); it will be moved aside to P.corrupt at the next login")"#,
            ],
        ),
        (
            Some(imported),
            [
                "exists true",
                "credentials true",
                "brand Some(YaleGlobal)",
                r#"CacheSnapshot { path: "P", content: "<LEN bytes>" }"#,
                "loaded imported",
                r#"Corrupt Some("the token cache P is not a valid cache file (missing key `install_id`); it will be moved aside to P.corrupt at the next login")"#,
            ],
        ),
        (
            Some(py_august),
            [
                "exists true",
                "credentials false",
                "brand None",
                r#"CacheSnapshot { path: "P", content: "<LEN bytes>" }"#,
                "loaded password",
                "Loaded None",
            ],
        ),
    ];
    for (content, expected) in cases {
        let len = content.map_or(0, str::len).to_string();
        let expected: Vec<String> = expected.iter().map(|e| e.replace("LEN", &len)).collect();
        assert_eq!(snapshot_answers(content), expected, "{content:?}");
    }
}

/// A snapshot of a path the file policy refuses holds the refusal, and every reader says it.
#[cfg(unix)]
#[test]
fn a_cache_snapshot_of_a_refused_path_answers_with_the_refusal() {
    use august_auth::{Authenticator, CacheError, CacheSnapshot, CacheStatus, LoginMethod};

    let (dir, path) = cache_file();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&path, &link).unwrap();
    let snapshot = CacheSnapshot::read(&link);
    assert!(snapshot.exists());
    assert!(!snapshot.is_credentials());
    assert_eq!(snapshot.brand(), None);
    assert!(
        format!("{snapshot:?}").contains("symbolic link"),
        "{snapshot:?}"
    );
    let refused = Credentials::from_snapshot(snapshot, &Api::new(), None).unwrap_err();
    assert!(
        matches!(refused, Error::Cache(CacheError::Refused { .. })),
        "{refused:?}"
    );
    let authenticator = Authenticator::new(Api::new(), LoginMethod::Phone, "", "")
        .access_token_cache_snapshot(CacheSnapshot::read(&link));
    assert_eq!(authenticator.cache_status(), CacheStatus::Refused);
}
