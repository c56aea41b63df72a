//! A call of the client keeps one deadline: the call, the token renewal after a 401 and (for
//! a read) the call again end within the call's own timeout (`Api::timeout` for a read,
//! `Api::command_timeout` for a lock operation), whatever the token endpoint's own timeout.

mod common;

use std::time::{Duration, Instant};

use august_auth::{Client, Credentials, OAuthTokens};
use august_core::{Brand, ErrorKind};
use common::{api_at, oauth_client_of, refusing};
use mockito::{Server, ServerGuard};

/// A client on `server` with `timeout` and `command_timeout`, whose token endpoint accepts the
/// connection and never answers (the OAuth client's own timeout is 10 s).
fn client_with_stalled_renewal(
    server: &ServerGuard,
    timeout: Duration,
    command_timeout: Duration,
) -> Client {
    let oauth = oauth_client_of(Brand::YaleGlobal, &test_support::servers::silent());
    let api = api_at(&server.url())
        .brand(Brand::YaleGlobal)
        .timeout(timeout)
        .command_timeout(command_timeout)
        .build()
        .unwrap();
    let credentials = Credentials::oauth(
        oauth,
        OAuthTokens::new(
            "at-1",
            Some("rt-1".into()),
            Some(chrono::Utc::now() + chrono::TimeDelta::hours(1)),
        ),
    );
    Client::new(api, credentials).unwrap()
}

/// Asserts that a call took at least `deadline` and ended soon after it.
fn ended_at(deadline: Duration, took: Duration) {
    assert!(took >= deadline, "ended before the deadline: {took:?}");
    assert!(
        took < Duration::from_secs(3),
        "took {took:?}: the renewal had its own 10 s"
    );
}

#[test]
fn a_read_refused_with_401_and_a_stalled_renewal_ends_at_the_calls_deadline() {
    let mut server = Server::new();
    let refused = refusing(&mut server, "GET", "/users/locks/mine").create();
    let timeout = Duration::from_millis(600);
    let client = client_with_stalled_renewal(&server, timeout, Duration::from_secs(60));
    let started = Instant::now();
    let err = client.get_locks().unwrap_err();
    ended_at(timeout, started.elapsed());
    refused.assert();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{err:?}");
    // The renewal may have rotated the refresh token: the kind and the question agree.
    assert!(err.outcome_unknown(), "{err:?}");
}

#[test]
fn a_lock_operation_refused_with_401_and_a_stalled_renewal_ends_at_its_deadline() {
    let mut server = Server::new();
    let refused = refusing(&mut server, "PUT", "/remoteoperate/lock-1/lock").create();
    let command_timeout = Duration::from_millis(600);
    let client = client_with_stalled_renewal(&server, Duration::from_secs(10), command_timeout);
    let started = Instant::now();
    let err = client.lock("lock-1").unwrap_err();
    ended_at(command_timeout, started.elapsed());
    // Sent once; the renewal for the next call ran out of time, so the 401 is what is said.
    refused.assert();
    assert!(
        matches!(&err, august_auth::Error::Api(e) if e.is_unauthorized()),
        "{err:?}"
    );
}
