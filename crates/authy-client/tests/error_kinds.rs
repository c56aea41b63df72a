//! What every Authy error tells the caller to do next (`kind()`), the facts its causes add,
//! and the builder settings (base URL, extra headers, retry backoff) as they reach the wire.

use std::io::Read;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use authy_client::{ApiErrorReason, AuthyApiClient, AuthyId, Error, ErrorKind, HasErrorKind};
use mockito::{Matcher, Server, ServerGuard};

const KEY: &str = "authy-key-123";
const ID: AuthyId = AuthyId::new(1000);

fn client(server: &ServerGuard) -> AuthyApiClient {
    AuthyApiClient::builder(KEY)
        .base_url(server.url())
        .max_retries(0)
        .build()
        .unwrap()
}

/// No level of the chain repeats the message of the level above it; the number of levels.
fn assert_causes_add_facts(err: &(dyn std::error::Error + 'static)) -> usize {
    assert_eq!(api_transport::repeated_cause(err), None);
    std::iter::successors(Some(err), |e| e.source()).count()
}

fn status_error(status: usize, headers: &[(&str, &str)], body: &str) -> Error {
    let mut server = Server::new();
    let mut mock = server
        .mock("GET", "/protected/json/users/1000/status")
        .with_status(status)
        .with_header("content-type", "application/json")
        .with_body(body);
    for (name, value) in headers {
        mock = mock.with_header(*name, value);
    }
    let mock = mock.expect(1).create();
    let err = client(&server).users().status(ID).unwrap_err();
    mock.assert();
    err
}

#[test]
fn a_refused_api_key_is_configuration() {
    let err = status_error(
        401,
        &[],
        r#"{"message":"Invalid API key","success":false,"errors":{"message":"Invalid API key"},"error_code":"60001"}"#,
    );
    assert_eq!(err.reason(), Some(ApiErrorReason::InvalidApiKey));
    assert_eq!(err.kind(), ErrorKind::Configuration);
    assert_eq!(HasErrorKind::kind(&err), ErrorKind::Configuration);
    assert_eq!(assert_causes_add_facts(&err), 1);
}

#[test]
fn a_429_with_retry_after_says_how_long() {
    let err = status_error(429, &[("retry-after", "4")], "{}");
    assert_eq!(err.kind(), ErrorKind::RetryAfter(Duration::from_secs(4)));
    let err = status_error(429, &[], "{}");
    assert_eq!(err.kind(), ErrorKind::RateLimited);
}

#[test]
fn codes_map_to_what_to_do() {
    let body = |code: &str| format!(r#"{{"message":"m","success":false,"error_code":"{code}"}}"#);
    assert_eq!(
        status_error(404, &[], &body("60026")).kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        status_error(400, &[], &body("60023")).kind(),
        ErrorKind::StartOver
    );
    assert_eq!(
        status_error(401, &[], &body("60020")).kind(),
        ErrorKind::FixInput
    );
    assert_eq!(
        status_error(403, &[], &body("60017")).kind(),
        ErrorKind::Forbidden
    );
    assert_eq!(
        status_error(503, &[], "<html>down</html>").kind(),
        ErrorKind::RetryLater
    );
}

#[test]
fn a_wrong_token_means_ask_the_user_again() {
    let mut server = Server::new();
    let m = server
        .mock("GET", "/protected/json/verify/123456/1000")
        .match_query(Matcher::Any)
        .with_status(401)
        .with_header("content-type", "application/json")
        .with_body(r#"{"message":"Token is invalid","token":"is invalid","success":false,"error_code":"60020"}"#)
        .create();
    let err = client(&server).tokens().verify(ID, "123456").unwrap_err();
    m.assert();
    assert_eq!(err.reason(), Some(ApiErrorReason::TokenInvalid));
    assert_eq!(err.kind(), ErrorKind::FixInput);
}

#[test]
fn input_refused_before_sending_is_fix_input() {
    let err = AuthyApiClient::new(KEY)
        .tokens()
        .verify(ID, "12ab56")
        .unwrap_err();
    assert!(err.is_invalid_input());
    assert_eq!(err.kind(), ErrorKind::FixInput);
    assert_eq!(err.invalid_input().unwrap().kind(), ErrorKind::FixInput);
    assert_causes_add_facts(&err);
}

#[test]
fn a_body_that_does_not_fit_is_a_bug_to_report() {
    let err = status_error(200, &[], r#"{"status": 12}"#);
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::ReportBug);
    assert_eq!(assert_causes_add_facts(&err), 2);
}

#[test]
fn a_name_that_does_not_resolve_is_not_delivered() {
    let c = AuthyApiClient::builder(KEY)
        .base_url("https://nonexistent.invalid")
        .max_retries(0)
        .build()
        .unwrap();
    let err = c.users().request_sms(ID).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotDelivered, "{err:?}");
    assert_eq!(assert_causes_add_facts(&err), 2);
}

#[test]
fn an_sms_without_an_answer_has_an_unknown_outcome() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut s in listener.incoming().flatten() {
            let mut buf = [0u8; 2048];
            let _ = s.read(&mut buf);
            held.push(s);
        }
    });
    let c = AuthyApiClient::builder(KEY)
        .base_url(url)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = c.users().request_sms(ID).unwrap_err();
    assert!(err.is_timeout());
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown);
    assert_causes_add_facts(&err);
}

#[test]
fn extra_headers_are_sent_on_every_request() {
    let mut server = Server::new();
    let m = server
        .mock("GET", "/protected/json/users/1000/status")
        .match_header("x-request-id", "r-1")
        .match_header("x-authy-api-key", KEY)
        .with_status(500)
        .with_body("{}")
        .expect(2)
        .create();
    let c = AuthyApiClient::builder(KEY)
        .base_url(server.url())
        .header("x-request-id", "r-1")
        .max_retries(0)
        .build()
        .unwrap();
    let _ = c.users().status(ID);
    let _ = c.users().status(ID);
    m.assert();
    for (name, value) in [("x a", "v"), ("X-Authy-API-Key", "other"), ("x-b", "é")] {
        let err = AuthyApiClient::builder(KEY)
            .header(name, value)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FixInput, "{name}");
    }
}

#[test]
#[allow(deprecated)]
fn the_former_api_uri_name_still_sets_the_base_url() {
    let c = AuthyApiClient::builder(KEY)
        .api_uri("http://127.0.0.1:9/")
        .build()
        .unwrap();
    assert_eq!(c.base_url(), "http://127.0.0.1:9");
    assert_eq!(c.api_uri(), "http://127.0.0.1:9");
}

fn timed_retry(initial: Duration, max: Duration) -> Duration {
    let mut server = Server::new();
    let m = server
        .mock("GET", "/protected/json/users/1000/status")
        .with_status(503)
        .with_body("{}")
        .expect(2)
        .create();
    let c = AuthyApiClient::builder(KEY)
        .base_url(server.url())
        .max_retries(1)
        .initial_backoff(initial)
        .max_backoff(max)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = c.users().status(ID).unwrap_err();
    let elapsed = started.elapsed();
    m.assert();
    assert_eq!(err.api_error().unwrap().attempts(), 2);
    elapsed
}

#[test]
fn the_retry_backoff_is_the_one_set() {
    let long = timed_retry(Duration::from_millis(600), Duration::from_millis(600));
    assert!(long >= Duration::from_millis(600), "{long:?}");
    let short = timed_retry(Duration::from_millis(1), Duration::from_millis(1));
    assert!(short < Duration::from_millis(200), "{short:?}");
}
