//! One token renewal at a time, and no lock held while it is on the network: callers that
//! find a renewal in flight wait for it and share its result, each within its own deadline, and
//! whatever only reads the credentials does not wait for it.

mod common;

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use august_auth::{
    Authenticator, CacheStatus, Client, Credentials, Error, LoginMethod, OAuthError, OAuthTokens,
    SharedAuthenticator,
};
use august_core::{Brand, ErrorKind};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{TimeDelta, Utc};
use common::{INSTALL_ID, PASSWORD, PHONE, api_at, oauth_client, token_request};
use mockito::{Matcher, Mock, Server, ServerGuard};

const LOCKS: &str = r#"{"lock-1": {"LockName": "Front", "UserType": "superuser", "macAddress": "AA", "HouseID": "h", "HouseName": "Home"}}"#;
const ROTATED: &str = r#"{"access_token": "at-2", "refresh_token": "rt-2", "expires_in": 3600}"#;
const UNAVAILABLE: &str = r#"{"error": "temporarily_unavailable"}"#;

/// The error a failed renewal shared with the calls that waited for it.
fn shared_failure(err: &Error) -> &Arc<Error> {
    let Error::RenewalFailed(shared) = err else {
        panic!("{err:?}");
    };
    shared
}

/// Asserts that `err` is the token endpoint's 503.
fn assert_unavailable(err: &Error) {
    assert!(
        matches!(err, Error::OAuth(OAuthError::Refused { status: 503, .. })),
        "{err:?}"
    );
}

/// OAuth credentials refreshed at `server` whose access token `at-1` expired a minute ago.
fn expired_oauth(server: &ServerGuard) -> Credentials {
    Credentials::oauth(
        oauth_client(server),
        OAuthTokens::new(
            "at-1",
            Some("rt-1".into()),
            Some(Utc::now() - TimeDelta::minutes(1)),
        ),
    )
}

/// A client of the Yale Global API at `server` whose calls have `timeout`.
fn client(server: &ServerGuard, credentials: Credentials, timeout: Duration) -> Client {
    let api = api_at(&server.url())
        .brand(Brand::YaleGlobal)
        .timeout(timeout)
        .build()
        .unwrap();
    Client::new(api, credentials).unwrap()
}

/// A channel that says when a slow answer has started, the sender for a mock's body.
fn started() -> (Arc<Mutex<SyncSender<()>>>, Receiver<()>) {
    let (tx, rx) = sync_channel(16);
    (Arc::new(Mutex::new(tx)), rx)
}

/// The one refresh of `rt-1` the token endpoint of `server` expects, answering `status` with
/// `body` after `delay`; the receiver hears when it has started.
fn slow_refresh(
    server: &mut ServerGuard,
    status: usize,
    body: &'static str,
    delay: Duration,
) -> (Mock, Receiver<()>) {
    let (signal, started) = started();
    let mock = token_request(server)
        .match_body(Matcher::UrlEncoded("refresh_token".into(), "rt-1".into()))
        .with_status(status)
        .with_header("content-type", "application/json")
        .with_chunked_body(move |w| {
            let _ = signal.lock().unwrap().send(());
            thread::sleep(delay);
            w.write_all(body.as_bytes())
        })
        .expect(1)
        .create();
    (mock, started)
}

/// Starts `renew` on a thread of its own (with no deadline) and returns once its request is on
/// the network (`started` heard).
fn in_flight<T: Send + 'static>(
    started: &Receiver<()>,
    renew: impl FnOnce() -> T + Send + 'static,
) -> thread::JoinHandle<T> {
    let leader = thread::spawn(renew);
    started.recv().unwrap();
    leader
}

#[test]
fn eight_calls_on_an_expired_token_send_one_token_request_and_use_its_token() {
    let mut server = Server::new();
    let (refresh, _started) = slow_refresh(&mut server, 200, ROTATED, Duration::from_millis(400));
    let locks = server
        .mock("GET", "/users/locks/mine")
        .match_header("x-access-token", "at-2")
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(LOCKS)
        .expect(8)
        .create();
    let client = client(&server, expired_oauth(&server), Duration::from_secs(5));
    let barrier = Arc::new(Barrier::new(8));
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let (client, barrier) = (client.clone(), Arc::clone(&barrier));
            thread::spawn(move || {
                barrier.wait();
                client.get_locks().map(|locks| locks.len())
            })
        })
        .collect();
    for worker in workers {
        assert_eq!(worker.join().unwrap().unwrap(), 1);
    }
    refresh.assert();
    locks.assert();
}

#[test]
fn calls_that_waited_for_a_failed_renewal_share_its_error_without_sending_another() {
    let mut server = Server::new();
    let (refresh, started) =
        slow_refresh(&mut server, 503, UNAVAILABLE, Duration::from_millis(600));
    let credentials = expired_oauth(&server);
    let leader = in_flight(&started, {
        let credentials = credentials.clone();
        move || credentials.access_token()
    });
    let waiters: Vec<_> = (0..4)
        .map(|_| {
            let credentials = credentials.clone();
            thread::spawn(move || credentials.access_token())
        })
        .collect();
    let leader = leader.join().unwrap().unwrap_err();
    // The leader had waiters: it gets the shared error too, and that error is the 503's.
    let shared = shared_failure(&leader);
    assert_unavailable(shared);
    for waiter in waiters {
        let err = waiter.join().unwrap().unwrap_err();
        assert!(Arc::ptr_eq(shared_failure(&err), shared), "{err:?}");
    }
    refresh.assert();
}

/// OAuth credentials refreshed at `server` whose access token `at-1` expires in 30 s: due for
/// renewal (the margin is 60 s) but not expired.
fn due_oauth(server: &ServerGuard) -> Credentials {
    Credentials::oauth(
        oauth_client(server),
        OAuthTokens::new(
            "at-1",
            Some("rt-1".into()),
            Some(Utc::now() + TimeDelta::seconds(30)),
        ),
    )
}

/// `times` refreshes of `rt-1` the token endpoint of `server` expects, each answered at once
/// with `status` and `body`.
fn refresh_answer(server: &mut ServerGuard, status: usize, body: &str, times: usize) -> Mock {
    token_request(server)
        .match_body(Matcher::UrlEncoded("refresh_token".into(), "rt-1".into()))
        .with_status(status)
        .with_header("content-type", "application/json")
        .with_body(body)
        .expect(times)
        .create()
}

/// Once `failing` had its refreshes, the next call on `credentials` renews: one refresh, and
/// its token.
fn next_call_renews(server: &mut ServerGuard, credentials: &Credentials, failing: Mock) {
    failing.assert();
    failing.remove();
    let renewed = refresh_answer(server, 200, ROTATED, 1);
    assert_eq!(credentials.access_token().unwrap(), "at-2");
    renewed.assert();
}

#[test]
fn a_due_call_that_waited_for_a_renewal_after_a_refusal_does_not_keep_the_refused_token() {
    let mut server = Server::new();
    let (failing, started) =
        slow_refresh(&mut server, 503, UNAVAILABLE, Duration::from_millis(600));
    let credentials = due_oauth(&server);
    // The server refused at-1: the renewal for a new token is on the network when a call that
    // finds the token merely due joins it.
    let refused = in_flight(&started, {
        let credentials = credentials.clone();
        move || credentials.after_rejection("at-1")
    });
    let due = thread::spawn({
        let credentials = credentials.clone();
        move || credentials.access_token()
    });
    let err = refused.join().unwrap().unwrap_err();
    let shared = shared_failure(&err);
    assert_unavailable(shared);
    // The due call gets the renewal's error, not the token the server refused.
    let err = due.join().unwrap().unwrap_err();
    assert!(Arc::ptr_eq(shared_failure(&err), shared), "{err:?}");
    // Nor do due renewals wait out the retry interval, as after a failure that keeps a token.
    next_call_renews(&mut server, &credentials, failing);
}

#[test]
fn a_due_renewal_after_a_refusal_gives_its_error_instead_of_the_refused_token() {
    let mut server = Server::new();
    let failing = refresh_answer(&mut server, 503, UNAVAILABLE, 2);
    let credentials = due_oauth(&server);
    assert_unavailable(&credentials.after_rejection("at-1").unwrap_err());
    // The token is due and the server refused it: the next call renews, and a failure is its
    // error, not at-1 (a due renewal that fails keeps only a token that still works).
    assert_unavailable(&credentials.access_token().unwrap_err());
    next_call_renews(&mut server, &credentials, failing);
}

#[test]
fn a_call_whose_deadline_ends_before_the_renewal_in_flight_gets_its_error_at_its_deadline() {
    let mut server = Server::new();
    let (refresh, started) = slow_refresh(&mut server, 200, ROTATED, Duration::from_millis(2000));
    let locks = server
        .mock("GET", "/users/locks/mine")
        .with_status(200)
        .with_body(LOCKS)
        .expect(0)
        .create();
    let credentials = expired_oauth(&server);
    // The renewal runs for a caller with no deadline of its own.
    let leader = in_flight(&started, {
        let credentials = credentials.clone();
        move || credentials.access_token()
    });
    let timeout = Duration::from_millis(300);
    let hurried = client(&server, credentials, timeout);
    let begun = Instant::now();
    let err = hurried.get_locks().unwrap_err();
    let took = begun.elapsed();
    assert!(matches!(err, Error::RenewalWait { .. }), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::NotDelivered);
    assert!(took >= timeout, "ended before its deadline: {took:?}");
    assert!(
        took < Duration::from_millis(1200),
        "waited for the renewal instead: {took:?}"
    );
    assert_eq!(leader.join().unwrap().unwrap(), "at-2");
    refresh.assert();
    locks.assert();
}

#[test]
fn reading_the_credentials_does_not_wait_for_a_renewal_in_flight() {
    let mut server = Server::new();
    let (refresh, started) = slow_refresh(&mut server, 200, ROTATED, Duration::from_millis(1500));
    let credentials = expired_oauth(&server);
    let leader = in_flight(&started, {
        let credentials = credentials.clone();
        move || credentials.access_token()
    });
    let begun = Instant::now();
    assert_eq!(credentials.brand(), Some(Brand::YaleGlobal));
    assert!(credentials.info().can_refresh);
    assert!(format!("{credentials:?}").starts_with("Credentials"));
    assert!(credentials.last_cache_error().is_none());
    let took = begun.elapsed();
    assert!(took < Duration::from_millis(500), "waited: {took:?}");
    assert_eq!(leader.join().unwrap().unwrap(), "at-2");
    refresh.assert();
}

/// A token whose JWT payload says it expires on 2100-01-01.
fn new_jwt() -> String {
    let payload = URL_SAFE_NO_PAD.encode(r#"{"exp":4102444800}"#);
    format!("e30.{payload}.c2ln")
}

/// A password login at `server` whose token `old-token` is due for renewal (a day left), its
/// cache file in the directory given back; the one refresh the server expects answers `fresh`
/// after 1.5 s, and the receiver hears when it has started.
fn password_login_due(
    server: &mut ServerGuard,
    fresh: &str,
) -> (Authenticator, tempfile::TempDir, Mock, Receiver<()>) {
    let (signal, started) = started();
    let refresh = server
        .mock("GET", "/users/houses/mine")
        .match_header("x-august-access-token", "old-token")
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_header("x-august-access-token", fresh)
        .with_chunked_body(move |w| {
            let _ = signal.lock().unwrap().send(());
            thread::sleep(Duration::from_millis(1500));
            w.write_all(b"[]")
        })
        .expect(1)
        .create();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.json");
    let expires = (Utc::now() + TimeDelta::days(1)).format("%Y-%m-%dT%H:%M:%S%.3fZ");
    std::fs::write(
        &path,
        format!(
            r#"{{"install_id": "{INSTALL_ID}", "access_token": "old-token", "access_token_expires": "{expires}", "state": "authenticated"}}"#
        ),
    )
    .unwrap();
    let api = api_at(&server.url()).build().unwrap();
    let authenticator =
        Authenticator::new(api, LoginMethod::Phone, PHONE, PASSWORD).access_token_cache_file(&path);
    assert_eq!(authenticator.cache_status(), CacheStatus::Loaded);
    (authenticator, dir, refresh, started)
}

/// A shared password login at `server` whose due refresh (to the token given back) is on the
/// network, asked for by the leader given back; the mock of that refresh and the directory of
/// the login's cache file.
fn shared_refreshing(
    server: &mut ServerGuard,
) -> (
    SharedAuthenticator,
    thread::JoinHandle<Result<String, Error>>,
    String,
    Mock,
    tempfile::TempDir,
) {
    let fresh = new_jwt();
    let (authenticator, dir, refresh, started) = password_login_due(server, &fresh);
    let shared = SharedAuthenticator::new(authenticator);
    let leader = in_flight(&started, {
        let shared = shared.clone();
        move || shared.access_token()
    });
    (shared, leader, fresh, refresh, dir)
}

#[test]
fn a_shared_authenticator_is_read_while_its_refresh_is_on_the_network() {
    let mut server = Server::new();
    let (shared, leader, fresh, refresh, _dir) = shared_refreshing(&mut server);
    let begun = Instant::now();
    assert_eq!(shared.authentication().access_token(), "old-token");
    assert!(!format!("{shared:?}").contains("<in use>"));
    // Another caller within a short deadline stops waiting at it.
    waits_until_its_deadline_then_gets(|| shared.access_token(), begun, leader, &fresh);
    refresh.assert();
}

/// `token`, called within a 200 ms deadline while `leader`'s renewal (begun at `begun`) is on
/// the network, stops waiting at that deadline; then the leader and `token` give `fresh`.
fn waits_until_its_deadline_then_gets(
    token: impl Fn() -> Result<String, Error>,
    begun: Instant,
    leader: thread::JoinHandle<Result<String, Error>>,
    fresh: &str,
) {
    let err = api_transport::within(Duration::from_millis(200), &token).unwrap_err();
    assert!(matches!(err, Error::RenewalWait { .. }), "{err:?}");
    let took = begun.elapsed();
    assert!(took < Duration::from_millis(800), "waited: {took:?}");
    assert_eq!(leader.join().unwrap().unwrap(), fresh);
    assert_eq!(token().unwrap(), fresh);
}

#[test]
fn a_forced_refresh_of_a_password_login_is_the_single_flight_too() {
    let mut server = Server::new();
    let fresh = new_jwt();
    let (authenticator, _dir, refresh, started) = password_login_due(&mut server, &fresh);
    let credentials = Credentials::password(authenticator).unwrap();
    let leader = in_flight(&started, {
        let credentials = credentials.clone();
        move || credentials.refresh_now()
    });
    let begun = Instant::now();
    assert!(credentials.info().can_refresh);
    assert!(format!("{credentials:?}").starts_with("Credentials"));
    // A due caller joins the forced refresh in flight instead of sending its own, and stops at
    // its deadline.
    waits_until_its_deadline_then_gets(|| credentials.access_token(), begun, leader, &fresh);
    refresh.assert();
}

#[test]
fn a_login_ended_while_its_refresh_was_out_gives_no_token() {
    let mut server = Server::new();
    let (shared, leader, _fresh, refresh, _dir) = shared_refreshing(&mut server);
    // While the refresh is on the network, a call made with the token gets a 401.
    assert!(shared.mark_token_refused("old-token"));
    let err = leader.join().unwrap().unwrap_err();
    assert!(
        matches!(err, Error::NotAuthenticated { .. }),
        "not an empty token: {err:?}"
    );
    assert_eq!(err.kind(), ErrorKind::SignInAgain);
    refresh.assert();
}
