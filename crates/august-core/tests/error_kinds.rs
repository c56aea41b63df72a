//! What every August error tells the caller to do next (`kind()`), the facts its causes add,
//! and the builder settings (extra headers, retry backoff) as they reach the wire.

use std::io::Read;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use august_core::{Api, ApiErrorReason, Error, ErrorKind, HasErrorKind};
use mockito::{Server, ServerGuard};

const TOKEN: &str = "token-123";

fn api(server: &ServerGuard) -> Api {
    Api::builder()
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
        .mock("GET", "/users/locks/mine")
        .with_status(status)
        .with_header("content-type", "application/json")
        .with_body(body);
    for (name, value) in headers {
        mock = mock.with_header(*name, value);
    }
    let mock = mock.expect(1).create();
    let err = api(&server).get_locks(TOKEN).unwrap_err();
    mock.assert();
    err
}

#[test]
fn a_refused_token_means_sign_in_again() {
    let err = status_error(401, &[], r#"{"code":401,"message":"unauthorized"}"#);
    assert_eq!(err.kind(), ErrorKind::SignInAgain);
    assert_eq!(err.api_error().unwrap().kind(), ErrorKind::SignInAgain);
    assert_eq!(
        err.api_error().unwrap().reason(),
        ApiErrorReason::Unauthorized
    );
    assert_eq!(HasErrorKind::kind(&err), ErrorKind::SignInAgain);
    assert_eq!(assert_causes_add_facts(&err), 1);
}

#[test]
fn a_429_with_retry_after_says_how_long() {
    let err = status_error(429, &[("retry-after", "7")], "{}");
    assert_eq!(err.kind(), ErrorKind::RetryAfter(Duration::from_secs(7)));
    assert_eq!(err.kind().retry_after(), Some(Duration::from_secs(7)));
    let err = status_error(429, &[], "{}");
    assert_eq!(err.kind(), ErrorKind::RateLimited);
}

#[test]
fn a_refused_api_key_is_configuration() {
    let err = status_error(
        403,
        &[],
        r#"{"code":"Forbidden","message":"API key is not valid"}"#,
    );
    assert_eq!(
        err.api_error().unwrap().reason(),
        ApiErrorReason::ApiKeyRejected
    );
    assert_eq!(err.kind(), ErrorKind::Configuration);
    let err = status_error(403, &[], r#"{"message":"nope"}"#);
    assert_eq!(err.kind(), ErrorKind::Forbidden);
}

#[test]
fn statuses_of_the_bridge_and_the_server() {
    assert_eq!(status_error(404, &[], "{}").kind(), ErrorKind::NotFound);
    assert_eq!(status_error(409, &[], "{}").kind(), ErrorKind::CheckDevice);
    assert_eq!(status_error(422, &[], "{}").kind(), ErrorKind::CheckDevice);
    assert_eq!(status_error(531, &[], "{}").kind(), ErrorKind::CheckDevice);
    assert_eq!(
        status_error(408, &[], "{}").kind(),
        ErrorKind::CheckLockState
    );
    assert_eq!(status_error(423, &[], "{}").kind(), ErrorKind::RetryLater);
    assert_eq!(status_error(500, &[], "{}").kind(), ErrorKind::RetryLater);
    assert_eq!(status_error(400, &[], "{}").kind(), ErrorKind::FixInput);
    assert_eq!(
        status_error(503, &[("retry-after", "3")], "{}").kind(),
        ErrorKind::RetryAfter(Duration::from_secs(3))
    );
}

#[test]
fn a_body_that_does_not_fit_is_a_bug_to_report() {
    let err = status_error(200, &[], r#"{"not":"a list"}"#);
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::ReportBug);
}

#[test]
fn input_refused_before_sending_is_fix_input() {
    let err = Api::builder()
        .base_url("http://example.com")
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::FixInput);
    let err = Api::new().get_lock_detail(TOKEN, "").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::FixInput);
}

#[test]
fn a_name_that_does_not_resolve_is_not_delivered_and_the_cause_adds_the_fact() {
    let api = Api::builder()
        .base_url("https://nonexistent.invalid")
        .max_retries(0)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    for err in [
        api.get_locks(TOKEN).unwrap_err(),
        api.unlock(TOKEN, "L1").unwrap_err(),
    ] {
        assert_eq!(err.kind(), ErrorKind::NotDelivered, "{err:?}");
        assert!(err.kind().is_retryable());
        // The message says what to do; the transport's account is the cause.
        assert!(err.to_string().contains("was not delivered"), "{err}");
        assert_eq!(assert_causes_add_facts(&err), 2, "{err:?}");
        let cause = std::error::Error::source(&err).unwrap().to_string();
        assert!(cause.starts_with("request not delivered: "), "{cause}");
    }
}

/// A server that accepts, reads and never answers.
fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            let mut s = stream;
            let mut buf = [0u8; 4096];
            let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
            let _ = s.read(&mut buf);
            held.push(s);
        }
    });
    url
}

#[test]
fn a_lock_operation_without_an_answer_means_check_the_lock() {
    let api = Api::builder()
        .base_url(silent_server())
        .timeout(Duration::from_millis(300))
        .command_timeout(Duration::from_millis(300))
        .max_retries(0)
        .build()
        .unwrap();
    let err = api.unlock(TOKEN, "L1").unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::CheckLockState);
    assert_causes_add_facts(&err);
    // A read that timed out can simply be sent again later.
    let err = api.get_locks(TOKEN).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RetryLater);
}

#[test]
fn extra_headers_are_sent_on_every_request() {
    let mut server = Server::new();
    let mock = server
        .mock("GET", "/users/locks/mine")
        .match_header("x-request-id", "abc-123")
        .match_header("x-tenant", "home")
        .match_header("x-august-access-token", TOKEN)
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body("{}")
        .expect(2)
        .create();
    let api = Api::builder()
        .base_url(server.url())
        .header("x-request-id", "abc-123")
        .header("x-tenant", "home")
        .build()
        .unwrap();
    api.get_locks(TOKEN).unwrap();
    api.clone().get_locks(TOKEN).unwrap();
    mock.assert();
}

#[test]
fn extra_headers_are_checked_when_building() {
    for (name, value) in [
        ("bad name", "v"),
        ("x-a", "line\nbreak"),
        ("x-august-access-token", "other"),
        ("User-Agent", "me"),
    ] {
        let err = Api::builder().header(name, value).build().unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{name}: {err:?}");
        assert_eq!(err.kind(), ErrorKind::FixInput);
    }
}

fn timed_retry(initial: Duration, max: Duration) -> Duration {
    let mut server = Server::new();
    let mock = server
        .mock("GET", "/users/locks/mine")
        .match_header("x-august-access-token", TOKEN)
        .with_status(503)
        .with_body("{}")
        .expect(2)
        .create();
    let api = Api::builder()
        .base_url(server.url())
        .max_retries(1)
        .initial_backoff(initial)
        .max_backoff(max)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = api.get_locks(TOKEN).unwrap_err();
    let elapsed = started.elapsed();
    mock.assert();
    assert_eq!(err.api_error().unwrap().attempts(), 2);
    elapsed
}

#[test]
fn the_retry_backoff_is_the_one_set() {
    let long = timed_retry(Duration::from_millis(600), Duration::from_millis(600));
    assert!(long >= Duration::from_millis(600), "{long:?}");
    // Far below the default first wait (250 ms, plus jitter).
    let short = timed_retry(Duration::from_millis(1), Duration::from_millis(1));
    assert!(short < Duration::from_millis(200), "{short:?}");
}

#[test]
fn parse_errors_are_fix_input() {
    let err = "nope".parse::<august_core::Brand>().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::FixInput);
    assert_eq!(assert_causes_add_facts(&err), 1);
}
