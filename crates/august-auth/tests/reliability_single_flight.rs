//! `SharedAuthenticator`: one refresh for many threads, the current token kept through a
//! failed refresh while it is valid, and typed errors otherwise.

mod common;

use common::{INSTALL_ID, PASSWORD, PHONE};

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use august_auth::{
    AuthenticationState, Authenticator, CacheStatus, DEFAULT_REFRESH_RETRY_INTERVAL, Error,
    ErrorKind, LoginMethod, SharedAuthenticator, parse_cache_file,
};
use august_core::Api;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{TimeDelta, Utc};
use mockito::{Matcher, Mock, Server, ServerGuard};

const OLD_TOKEN: &str = "old-token-due-for-renewal";

/// A token whose JWT payload says it expires on 2100-01-01.
fn new_token(tag: &str) -> String {
    let payload = URL_SAFE_NO_PAD.encode(format!("{{\"exp\":4102444800,\"tag\":\"{tag}\"}}"));
    format!("e30.{payload}.c2ln")
}

fn api(server: &ServerGuard) -> Api {
    Api::builder()
        .base_url(server.url())
        .max_retries(0)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A cache file holding `OLD_TOKEN`, authenticated, expiring `left` from now.
fn cache_expiring_in(dir: &Path, left: TimeDelta) -> PathBuf {
    let path = dir.join("auth.json");
    let expires = (Utc::now() + left).format("%Y-%m-%dT%H:%M:%S%.3fZ");
    let content = format!(
        "{{\"install_id\": \"{INSTALL_ID}\", \"access_token\": \"{OLD_TOKEN}\", \"access_token_expires\": \"{expires}\", \"state\": \"authenticated\"}}"
    );
    fs::write(&path, content).unwrap_or_else(|e| panic!("{e}"));
    path
}

fn due_for_renewal(server: &ServerGuard, dir: &Path) -> Authenticator {
    let path = cache_expiring_in(dir, TimeDelta::days(1));
    let authenticator = Authenticator::new(api(server), LoginMethod::Phone, PHONE, PASSWORD)
        .access_token_cache_file(&path);
    assert_eq!(authenticator.cache_status(), CacheStatus::Loaded);
    assert!(authenticator.should_refresh());
    authenticator
}

fn cached_token(path: &Path) -> String {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{e}"));
    parse_cache_file(path, &bytes)
        .unwrap_or_else(|e| panic!("{e}"))
        .access_token()
        .to_owned()
}

#[test]
fn eight_threads_share_one_refresh() {
    let mut server = Server::new();
    let fresh = new_token("fresh");
    // The answer takes 300 ms, so the other threads arrive while the refresh is in flight.
    let refresh = server
        .mock("GET", "/users/houses/mine")
        .match_header("x-august-access-token", OLD_TOKEN)
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_header("x-august-access-token", &fresh)
        .with_chunked_body(|w| {
            thread::sleep(Duration::from_millis(300));
            w.write_all(b"[]")
        })
        .expect(1)
        .create();
    let _others = server
        .mock("GET", Matcher::Any)
        .with_status(599)
        .expect(0)
        .create();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let shared = Arc::new(SharedAuthenticator::new(due_for_renewal(
        &server,
        dir.path(),
    )));
    let barrier = Arc::new(Barrier::new(8));
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let shared = Arc::clone(&shared);
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                let started = Instant::now();
                let first = shared.access_token();
                let waited = started.elapsed();
                // Later calls find a fresh token and send nothing.
                let later: Vec<_> = (0..20).map(|_| shared.access_token()).collect();
                (first, waited, later)
            })
        })
        .collect();
    let mut waited_for_the_refresh = 0;
    for worker in workers {
        let (first, waited, later) = worker
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        assert_eq!(first.ok().as_deref(), Some(fresh.as_str()));
        for token in later {
            assert_eq!(token.ok().as_deref(), Some(fresh.as_str()));
        }
        if waited >= Duration::from_millis(250) {
            waited_for_the_refresh += 1;
        }
    }
    refresh.assert();
    // Every thread waited for the one refresh: none went ahead with the old token.
    assert_eq!(waited_for_the_refresh, 8);
    assert_eq!(cached_token(&dir.path().join("auth.json")), fresh);
    assert_eq!(
        shared.authentication().access_token_expires(),
        Some("2100-01-01T00:00:00.000000Z")
    );
    let authenticator = Arc::try_unwrap(shared)
        .unwrap_or_else(|_| panic!("still shared"))
        .into_inner()
        .unwrap_or_else(|_| panic!("no other clone"));
    assert!(!authenticator.should_refresh());
}

#[test]
fn a_token_not_due_is_returned_without_a_request() {
    let mut server = Server::new();
    let none = server
        .mock("GET", Matcher::Any)
        .with_status(599)
        .expect(0)
        .create();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = cache_expiring_in(dir.path(), TimeDelta::days(30));
    let shared = SharedAuthenticator::new(
        Authenticator::new(api(&server), LoginMethod::Phone, PHONE, PASSWORD)
            .access_token_cache_file(&path),
    );
    for _ in 0..5 {
        assert_eq!(shared.access_token().ok().as_deref(), Some(OLD_TOKEN));
    }
    none.assert();
}

/// What a caller calls for a token: a password login shared one of two ways.
type AccessToken = Box<dyn Fn() -> Result<String, Error>>;
/// Shares the login, with the retry interval given (the default when `None`).
type Share = fn(Authenticator, Option<Duration>) -> AccessToken;

/// The two ways to share a password login, each with its retry interval setting: a
/// `SharedAuthenticator` (set on a clone: the interval is the same for every clone), and
/// `Credentials` over it.
const WAYS: [(&str, Share); 2] = [
    ("shared authenticator", |authenticator, interval| {
        let shared = SharedAuthenticator::new(authenticator);
        if let Some(interval) = interval {
            let _ = shared.clone().refresh_retry_interval(interval);
        }
        Box::new(move || shared.access_token())
    }),
    ("credentials", |authenticator, interval| {
        let mut credentials =
            august_auth::Credentials::password(authenticator).unwrap_or_else(|e| panic!("{e}"));
        if let Some(interval) = interval {
            credentials = credentials.refresh_retry_interval(interval);
        }
        Box::new(move || credentials.access_token())
    }),
];

/// While the token is valid, a failed refresh keeps it and is not tried again before the
/// retry interval has passed (60 s by default; at every call with no interval), then is, and
/// its success replaces the token: for both ways to share a login.
#[test]
fn a_failed_refresh_keeps_the_valid_token_and_waits_before_trying_again() {
    assert_eq!(DEFAULT_REFRESH_RETRY_INTERVAL, Duration::from_secs(60));
    // (status of the failed refreshes, interval, calls, refresh requests among them)
    let cases = [
        (503, None, 10, 1),
        (502, Some(Duration::ZERO), 2, 2),
        (503, Some(Duration::from_millis(400)), 2, 1),
    ];
    for (way, share) in WAYS {
        for (status, interval, calls, requests) in cases {
            let case = format!("{way}, {interval:?}");
            let mut server = Server::new();
            let failing = server
                .mock("GET", "/users/houses/mine")
                .with_status(status)
                .expect(requests)
                .create();
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            let access_token = share(due_for_renewal(&server, dir.path()), interval);
            for _ in 0..calls {
                assert_eq!(access_token().ok().as_deref(), Some(OLD_TOKEN), "{case}");
            }
            let failed_at = Instant::now();
            failing.assert();
            // Once the interval has passed (not waited for the default's minute).
            let Some(interval) = interval else { continue };
            failing.remove();
            let fresh = new_token("after-outage");
            let ok = server
                .mock("GET", "/users/houses/mine")
                .with_header("x-august-access-token", &fresh)
                .with_body("[]")
                .expect(1)
                .create();
            thread::sleep(interval.saturating_sub(failed_at.elapsed()));
            assert_eq!(access_token().ok(), Some(fresh.clone()), "{case}");
            assert_eq!(access_token().ok(), Some(fresh), "{case}");
            ok.assert();
        }
    }
}

/// A token whose JWT payload says it expires `left` from now.
fn token_expiring_in(tag: &str, left: TimeDelta) -> String {
    let exp = (Utc::now() + left).timestamp();
    let payload = URL_SAFE_NO_PAD.encode(format!("{{\"exp\":{exp},\"tag\":\"{tag}\"}}"));
    format!("e30.{payload}.c2ln")
}

/// A server that gives tokens expiring within the renewal threshold (a day, where a password
/// login renews 7 days before expiry): the new token is used and cached, and not refreshed
/// again before the retry interval has passed, then is once; for both ways to share a login.
/// Every call used to send a refresh first (and rewrite the cache file).
#[test]
fn a_refresh_whose_new_token_is_due_already_is_not_sent_again_at_every_call() {
    for (way, share) in WAYS {
        // Long enough that the calls made within it all come before it ends on a loaded
        // machine.
        for interval in [None, Some(Duration::from_millis(1500))] {
            let case = format!("{way}, {interval:?}");
            let mut server = Server::new();
            let first = token_expiring_in("first", TimeDelta::days(1));
            let second = token_expiring_in("second", TimeDelta::days(1));
            let refresh = server
                .mock("GET", "/users/houses/mine")
                .match_header("x-august-access-token", OLD_TOKEN)
                .with_header("x-august-access-token", &first)
                .with_body("[]")
                .expect(1)
                .create();
            let again = server
                .mock("GET", "/users/houses/mine")
                .match_header("x-august-access-token", first.as_str())
                .with_header("x-august-access-token", &second)
                .with_body("[]")
                .expect(usize::from(interval.is_some()))
                .create();
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            let access_token = share(due_for_renewal(&server, dir.path()), interval);
            for _ in 0..5 {
                assert_eq!(
                    access_token().ok().as_deref(),
                    Some(first.as_str()),
                    "{case}"
                );
            }
            let refreshed_at = Instant::now();
            refresh.assert();
            assert_eq!(cached_token(&dir.path().join("auth.json")), first, "{case}");
            let Some(interval) = interval else {
                again.assert();
                continue;
            };
            thread::sleep(interval.saturating_sub(refreshed_at.elapsed()));
            for _ in 0..3 {
                assert_eq!(
                    access_token().ok().as_deref(),
                    Some(second.as_str()),
                    "{case}"
                );
            }
            again.assert();
            assert_eq!(
                cached_token(&dir.path().join("auth.json")),
                second,
                "{case}"
            );
        }
    }
}

/// A refresh that gives a token whose expiry has passed already (a server clock behind ours):
/// the token is used, and not refreshed again at every call before the retry interval.
#[test]
fn a_refresh_whose_new_token_has_expired_already_is_not_sent_again_at_every_call() {
    for (way, share) in WAYS {
        let mut server = Server::new();
        let past = token_expiring_in("past", TimeDelta::minutes(-5));
        let refresh = server
            .mock("GET", "/users/houses/mine")
            .with_header("x-august-access-token", &past)
            .with_body("[]")
            .expect(1)
            .create();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let access_token = share(due_for_renewal(&server, dir.path()), None);
        for _ in 0..4 {
            assert_eq!(access_token().ok().as_deref(), Some(past.as_str()), "{way}");
        }
        refresh.assert();
    }
}

#[test]
fn a_new_token_without_expiry_is_not_asked_for_again_at_once() {
    let mut server = Server::new();
    let bad = server
        .mock("GET", "/users/houses/mine")
        .with_header("x-august-access-token", "not-a-jwt")
        .with_body("[]")
        .expect(1)
        .create();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let shared = SharedAuthenticator::new(due_for_renewal(&server, dir.path()));
    for _ in 0..3 {
        assert_eq!(shared.access_token().ok().as_deref(), Some(OLD_TOKEN));
    }
    bad.assert();
}

#[test]
fn an_expired_token_whose_refresh_fails_is_an_error() {
    let mut server = Server::new();
    let login = server
        .mock("POST", "/session")
        .with_header("x-august-access-token", "expired-login-token")
        .with_body(r#"{"expiresAt":"2001-01-01T00:00:00.000Z","vPassword":true,"vInstallId":true}"#)
        .expect(1)
        .create();
    let refused = server
        .mock("GET", "/users/houses/mine")
        .with_status(401)
        .with_body(r#"{"code":401,"message":"token expired"}"#)
        .expect(1)
        .create();
    let shared = SharedAuthenticator::new(
        Authenticator::new(api(&server), LoginMethod::Phone, PHONE, PASSWORD)
            .install_id(INSTALL_ID),
    );
    let authentication = shared
        .with(Authenticator::authenticate)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(authentication.state(), AuthenticationState::Authenticated);
    match shared.access_token() {
        Err(e) => {
            assert!(e.is_unauthorized(), "{e:?}");
            assert_eq!(e.status(), Some(401));
        }
        Ok(token) => panic!("an expired token was handed out: {token}"),
    }
    login.assert();
    refused.assert();
}

/// A password login against `server` whose token (`login-token`) expires at `expires` (as the
/// server writes `expiresAt`), with the refresh answered by a token that is not a JWT, expected
/// `refreshes` times; the two mocks are given to assert.
fn login_refreshed_without_expiry(
    server: &mut ServerGuard,
    expires: &str,
    refreshes: usize,
) -> (Authenticator, [Mock; 2]) {
    let login = server
        .mock("POST", "/session")
        .with_header("x-august-access-token", "login-token")
        .with_body(format!(
            r#"{{"expiresAt":"{expires}","vPassword":true,"vInstallId":true}}"#
        ))
        .expect(1)
        .create();
    let refresh = server
        .mock("GET", "/users/houses/mine")
        .match_header("x-august-access-token", "login-token")
        .with_header("x-august-access-token", "not-a-jwt")
        .with_body("[]")
        .expect(refreshes)
        .create();
    let mut authenticator =
        Authenticator::new(api(server), LoginMethod::Phone, PHONE, PASSWORD).install_id(INSTALL_ID);
    let state = authenticator
        .authenticate()
        .unwrap_or_else(|e| panic!("{e}"))
        .state();
    assert_eq!(state, AuthenticationState::Authenticated);
    (authenticator, [login, refresh])
}

/// The error for an expired token whose refresh gave none usable: log in again, without the
/// token in the message.
fn assert_sign_in_again(result: Result<String, Error>, case: &str) {
    match result {
        Err(e @ Error::SignInAgain { .. }) => {
            assert_eq!(e.kind(), ErrorKind::SignInAgain, "{case}");
            assert!(e.needs_sign_in(), "{case}");
            let message = e.to_string();
            assert!(message.contains("has expired"), "{case}: {message}");
            assert!(
                message.contains("log in with the password"),
                "{case}: {message}"
            );
            assert!(!message.contains("login-token"), "{case}: {message}");
        }
        other => panic!("{case}: expected SignInAgain, got {other:?}"),
    }
}

/// A login whose token has expired, and whose refresh gives a token with no expiry that can be
/// read: nothing usable to hand out, and the caller is told to log in again (for both ways to
/// share a login, and for a forced refresh). The expired token used to be handed out, for the
/// next call to see refused. A login whose own expiry cannot be read keeps its token instead:
/// nothing says it has expired, and a new login would give the same; nor does it ask again at
/// every call (it used to).
#[test]
fn an_expired_token_whose_refresh_gives_no_usable_expiry_is_sign_in_again() {
    for (way, share) in WAYS {
        let mut server = Server::new();
        let (login, mocks) =
            login_refreshed_without_expiry(&mut server, "2001-01-01T00:00:00.000Z", 2);
        let access_token = share(login, None);
        // Each call tries again: an expired token is not kept through a failure.
        for _ in 0..2 {
            assert_sign_in_again(access_token(), way);
        }
        mocks.iter().for_each(Mock::assert);

        let mut server = Server::new();
        let (login, mocks) = login_refreshed_without_expiry(&mut server, "not a date", 1);
        let access_token = share(login, None);
        // Not asked again before the retry interval has passed, as after a failure.
        for _ in 0..3 {
            assert_eq!(access_token().ok().as_deref(), Some("login-token"), "{way}");
        }
        mocks.iter().for_each(Mock::assert);
    }
    let mut server = Server::new();
    let (login, mocks) = login_refreshed_without_expiry(&mut server, "2001-01-01T00:00:00.000Z", 1);
    let credentials = august_auth::Credentials::password(login).unwrap_or_else(|e| panic!("{e}"));
    assert_sign_in_again(credentials.refresh_now(), "refresh_now");
    mocks.iter().for_each(Mock::assert);
}

#[test]
fn no_token_before_a_login() {
    let server = Server::new();
    let shared = SharedAuthenticator::from(Authenticator::new(
        api(&server),
        LoginMethod::Email,
        "someone@example.com",
        PASSWORD,
    ));
    match shared.access_token() {
        Err(Error::NotAuthenticated { state }) => {
            assert_eq!(state, AuthenticationState::RequiresAuthentication);
        }
        other => panic!("expected NotAuthenticated, got {other:?}"),
    }
    let error = shared.access_token().err().map(|e| e.to_string());
    assert_eq!(
        error.as_deref(),
        Some(
            "the login state is requires_authentication, not authenticated; complete the login with authenticate() first"
        )
    );
}

#[test]
fn debug_shows_neither_password_nor_token() {
    let mut server = Server::new();
    let _login = server
        .mock("POST", "/session")
        .with_header("x-august-access-token", "SECRET-LOGIN-TOKEN")
        .with_body(r#"{"expiresAt":"2099-01-01T00:00:00.000Z","vPassword":true,"vInstallId":true}"#)
        .create();
    let shared = SharedAuthenticator::new(
        Authenticator::new(api(&server), LoginMethod::Phone, PHONE, PASSWORD)
            .install_id(INSTALL_ID),
    );
    shared
        .with(Authenticator::authenticate)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        format!("{shared:?}"),
        "SharedAuthenticator { authenticator: Authenticator { login_method: Phone, username: \"+15555550100\", password: <redacted>, authentication: Authentication { state: Authenticated, install_id: \"9f6b2a3c-1d4e-4f5a-8b7c-6d5e4f3a2b1c\", access_token: <redacted>, access_token_expires: Some(\"2099-01-01T00:00:00.000Z\") }, access_token_cache_file: None, cache_status: NotConfigured, renewal_threshold: 604800s, .. }, refresh_retry_interval: 60s }"
    );
    // While another thread holds it, Debug does not wait.
    shared.with(|_| {
        assert_eq!(
            format!("{shared:?}"),
            "SharedAuthenticator { authenticator: <in use>, refresh_retry_interval: 60s }"
        );
    });
    let pretty = format!("{shared:#?}");
    assert!(!pretty.contains("SECRET-LOGIN-TOKEN") && !pretty.contains(PASSWORD));
}

#[test]
fn shared_authenticator_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<SharedAuthenticator>();
}
