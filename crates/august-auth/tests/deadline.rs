//! A read of the client keeps one deadline: the read, the renewal after a 401 and the read
//! again end within the Api's timeout, whatever the token endpoint's own timeout.

use std::time::{Duration, Instant};

use august_auth::{Client, Credentials, OAuthClient, OAuthTokens};
use august_core::{Api, Brand, ErrorKind};
use mockito::Server;

#[test]
fn a_read_refused_with_401_and_a_stalled_renewal_ends_at_the_calls_deadline() {
    let mut server = Server::new();
    let refused = server
        .mock("GET", "/users/locks/mine")
        .with_status(401)
        .with_header("content-type", "application/json")
        .with_body(r#"{"message": "access token expired"}"#)
        .expect(1)
        .create();
    // The token endpoint accepts the connection and never answers; the OAuth client's own
    // timeout is 10 s.
    let stalled = test_support::servers::silent();
    let oauth = OAuthClient::with_endpoints(
        Brand::YaleGlobal,
        "client-id",
        "client-secret",
        "http://127.0.0.1:1/callback",
        format!("{stalled}/authorize"),
        format!("{stalled}/access_token"),
    )
    .unwrap();
    let timeout = Duration::from_millis(600);
    let api = Api::builder()
        .brand(Brand::YaleGlobal)
        .base_url(server.url())
        .timeout(timeout)
        .max_retries(0)
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
    let client = Client::new(api, credentials).unwrap();
    let started = Instant::now();
    let err = client.get_locks().unwrap_err();
    let took = started.elapsed();
    refused.assert();
    assert!(took >= timeout, "ended before the deadline: {took:?}");
    assert!(
        took < Duration::from_secs(3),
        "took {took:?}: the renewal had its own 10 s"
    );
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{err:?}");
}
