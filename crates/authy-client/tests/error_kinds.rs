//! What every Authy error tells the caller to do next (`kind()`), the facts its causes add,
//! and the builder settings (base URL, extra headers, retry backoff) as they reach the wire.

use std::time::Duration;

use authy_client::{ApiErrorReason, AuthyApiClient, AuthyId, Error, ErrorKind, HasErrorKind};
use mockito::{Matcher, Server, ServerGuard};
use test_support::errors::{
    TERMINAL_CONTROLS_SHOWN, UNRESOLVABLE, answered_error, assert_backoff_is_the_one_set,
    assert_causes_add_facts, assert_kind, assert_kinds, assert_shows_no_terminal_control,
    terminal_controls_body,
};

const KEY: &str = "authy-key-123";
const ID: AuthyId = AuthyId::new(1000);

fn client(server: &ServerGuard) -> AuthyApiClient {
    builder(&server.url()).build().unwrap()
}

const STATUS: (&str, &str) = ("GET", "/protected/json/users/1000/status");

fn builder(url: &str) -> authy_client::AuthyApiClientBuilder {
    AuthyApiClient::builder(KEY).base_url(url).max_retries(0)
}

fn status_error(status: usize, headers: &[(&str, &str)], body: &str) -> Error {
    answered_error(STATUS, status, headers, body, |url| {
        builder(url)
            .build()
            .unwrap()
            .users()
            .status(ID)
            .unwrap_err()
    })
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
    let cases = [
        (404, body("60026"), ErrorKind::NotFound),
        (400, body("60023"), ErrorKind::StartOver),
        (401, body("60020"), ErrorKind::FixInput),
        (403, body("60017"), ErrorKind::Forbidden),
        (503, "<html>down</html>".to_owned(), ErrorKind::RetryLater),
    ];
    assert_kinds(cases, |status, body| status_error(status, &[], body).kind());
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
    assert_kind(&err, err.kind(), ErrorKind::ReportBug, Some(2));
}

#[test]
fn a_name_that_does_not_resolve_is_not_delivered() {
    let c = builder(UNRESOLVABLE).build().unwrap();
    let err = c.users().request_sms(ID).unwrap_err();
    assert_kind(&err, err.kind(), ErrorKind::NotDelivered, Some(2));
}

#[test]
fn an_sms_without_an_answer_has_an_unknown_outcome() {
    let c = AuthyApiClient::builder(KEY)
        .base_url(test_support::servers::silent())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = c.users().request_sms(ID).unwrap_err();
    assert!(err.is_timeout());
    assert_kind(&err, err.kind(), ErrorKind::OutcomeUnknown, None);
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
    let c = builder(&server.url())
        .header("x-request-id", "r-1")
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

#[test]
fn the_retry_backoff_is_the_one_set() {
    assert_backoff_is_the_one_set(STATUS, &[], |url, initial, max| {
        let c = builder(url)
            .max_retries(1)
            .initial_backoff(initial)
            .max_backoff(max)
            .build()
            .unwrap();
        c.users()
            .status(ID)
            .unwrap_err()
            .api_error()
            .unwrap()
            .attempts()
    });
}

/// The error of an SMS request answered `status` with `body`.
fn sms_error(status: usize, body: &str) -> Error {
    let mut server = Server::new();
    let m = server
        .mock("GET", "/protected/json/sms/1000")
        .match_query(Matcher::Any)
        .match_header("x-authy-api-key", KEY)
        .with_status(status)
        .with_body(body)
        .expect(1)
        .create();
    let err = client(&server).users().request_sms(ID).unwrap_err();
    m.assert();
    err
}

/// Whether an SMS request may have sent one while the caller cannot tell
/// (`outcome_unknown()`): after a 5xx (a gateway may answer one after Authy sent the SMS), an
/// answer that cannot be read, or no answer, it may have; after a 4xx, a request that was not
/// delivered or one refused before sending, it did not.
#[test]
fn an_sms_may_have_gone_out_after_a_5xx_but_not_after_a_4xx() {
    for status in [500, 502] {
        let err = sms_error(status, "<html>bad gateway</html>");
        assert_eq!(err.status(), Some(status as u16), "{err:?}");
        assert!(err.outcome_unknown(), "{status}: {err:?}");
    }
    for status in [400, 404, 429] {
        let err = sms_error(
            status,
            r#"{"message":"refused","success":false,"error_code":"60004"}"#,
        );
        assert_eq!(err.status(), Some(status as u16), "{err:?}");
        assert!(!err.outcome_unknown(), "{status}: {err:?}");
    }
    let unreadable = sms_error(200, "not json");
    assert!(matches!(unreadable, Error::Decode { .. }), "{unreadable:?}");
    assert!(unreadable.outcome_unknown());

    let silent = AuthyApiClient::builder(KEY)
        .base_url(test_support::servers::silent())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let timeout = silent.users().request_sms(ID).unwrap_err();
    assert!(timeout.is_timeout(), "{timeout:?}");
    assert!(timeout.outcome_unknown());

    let refused = builder(&test_support::fault_server::refused_url())
        .build()
        .unwrap();
    let not_delivered = refused.users().request_sms(ID).unwrap_err();
    assert!(
        matches!(not_delivered, Error::NotDelivered { .. }),
        "{not_delivered:?}"
    );
    assert!(!not_delivered.outcome_unknown());
    let invalid = refused.tokens().verify(ID, "12ab56").unwrap_err();
    assert!(invalid.is_invalid_input(), "{invalid:?}");
    assert!(!invalid.outcome_unknown());
}

/// A token check answered 200 without a valid token is an API error whose answer says what
/// happened: its outcome is known.
#[test]
fn a_token_refused_with_a_200_has_a_known_outcome() {
    let mut server = Server::new();
    let m = server
        .mock("GET", "/protected/json/verify/123456/1000")
        .match_query(Matcher::Any)
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(r#"{"message":"Token is invalid","token":"is invalid","success":false}"#)
        .expect(1)
        .create();
    let err = client(&server).tokens().verify(ID, "123456").unwrap_err();
    m.assert();
    assert_eq!(err.status(), Some(200), "{err:?}");
    assert!(!err.outcome_unknown(), "{err:?}");
}

/// A server error (5xx) may come after Authy acted on the request: to a call that acts (an SMS
/// request, a `GET` that sends one) kind() says the outcome is unknown, as for a call without
/// an answer, and so do the words. A code that says the SMS was not sent makes the outcome
/// known, whatever the status; a status read changes nothing and is tried again later. A 4xx
/// keeps its kind and words.
#[test]
fn a_server_error_may_have_taken_effect_a_refusal_did_not() {
    let sms = sms_error(502, "<html>bad gateway</html>");
    assert_eq!(sms.kind(), ErrorKind::OutcomeUnknown, "{sms:?}");
    assert!(sms.outcome_unknown());
    assert_eq!(
        sms.to_string(),
        "GET /protected/json/sms/1000 failed with status 502: server error; authy may have acted on it, so check before sending it again; body starts: <html>bad gateway</html>"
    );
    let not_sent = sms_error(
        503,
        r#"{"message":"SMS not sent","success":false,"error_code":"60015"}"#,
    );
    assert_eq!(not_sent.reason(), Some(ApiErrorReason::DeliveryFailed));
    assert_eq!(not_sent.kind(), ErrorKind::RetryLater, "{not_sent:?}");
    assert!(!not_sent.outcome_unknown(), "{not_sent:?}");
    assert_eq!(
        not_sent.to_string(),
        "GET /protected/json/sms/1000 failed with status 503 and error code 60015: the sms or call could not be started: try again later or use another channel; authy said: SMS not sent"
    );
    let read = status_error(500, &[("retry-after", "3")], "{}");
    assert_eq!(
        read.kind(),
        ErrorKind::RetryAfter(Duration::from_secs(3)),
        "{read:?}"
    );
    assert!(!read.outcome_unknown(), "{read:?}");
    assert_eq!(
        read.to_string(),
        "GET /protected/json/users/1000/status failed with status 500: server error: try again later; retry after 3 s"
    );

    let refused = sms_error(
        400,
        r#"{"message":"SMS not sent","success":false,"error_code":"60015"}"#,
    );
    assert_eq!(refused.kind(), ErrorKind::RetryLater, "{refused:?}");
    assert_eq!(
        refused.to_string(),
        "GET /protected/json/sms/1000 failed with status 400 and error code 60015: the sms or call could not be started: try again later or use another channel; authy said: SMS not sent"
    );
    let invalid = sms_error(
        400,
        r#"{"message":"Invalid parameter","success":false,"error_code":"60004"}"#,
    );
    assert_eq!(invalid.kind(), ErrorKind::FixInput, "{invalid:?}");
    assert_eq!(
        invalid.to_string(),
        "GET /protected/json/sms/1000 failed with status 400 and error code 60004: a parameter is missing or invalid: check the arguments; authy said: Invalid parameter"
    );
}

/// A user status read answered 503 is sent again by the client (once, then once per retry):
/// it changes nothing, so its error says to try again later, and nothing about an SMS.
/// Its `outcome_unknown()` is false: a read cannot have taken effect.
#[test]
fn a_status_read_answered_503_is_retried_and_can_be_sent_again_later() {
    let mut server = Server::new();
    let m = server
        .mock(STATUS.0, STATUS.1)
        .match_header("x-authy-api-key", KEY)
        .with_status(503)
        .with_body("<html>unavailable</html>")
        .expect(3)
        .create();
    let c = builder(&server.url())
        .max_retries(2)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(2))
        .build()
        .unwrap();
    let err = c.users().status(ID).unwrap_err();
    m.assert();
    assert_eq!(err.api_error().unwrap().attempts(), 3, "{err:?}");
    assert_eq!(err.kind(), ErrorKind::RetryLater, "{err:?}");
    assert!(!err.outcome_unknown(), "{err:?}");
    assert_eq!(
        err.to_string(),
        "GET /protected/json/users/1000/status failed with status 503: server error: try again later; body starts: <html>unavailable</html> (after 3 attempts)"
    );
}

/// An SMS request answered 503 is sent once, however many retries reads get: the SMS may
/// have gone out, and its error says so.
#[test]
fn an_sms_request_answered_503_is_sent_once_and_its_outcome_is_unknown() {
    let mut server = Server::new();
    let m = server
        .mock("GET", "/protected/json/sms/1000")
        .match_query(Matcher::Any)
        .with_status(503)
        .with_body("<html>unavailable</html>")
        .expect(1)
        .create();
    let c = builder(&server.url())
        .max_retries(2)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(2))
        .build()
        .unwrap();
    let err = c.users().request_sms(ID).unwrap_err();
    m.assert();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{err:?}");
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(
        err.to_string(),
        "GET /protected/json/sms/1000 failed with status 503: server error; authy may have acted on it, so check before sending it again; body starts: <html>unavailable</html>"
    );
}

/// A read without an answer changed nothing: it can be sent again later, and its text does
/// not say that Authy may have acted; an SMS request without one may have sent an SMS.
#[test]
fn a_read_without_an_answer_can_be_sent_again_an_sms_request_not() {
    let c = builder(&test_support::servers::silent())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let read = c.users().status(ID).unwrap_err();
    assert!(read.is_timeout(), "{read:?}");
    assert_eq!(read.kind(), ErrorKind::RetryLater, "{read:?}");
    assert_eq!(
        read.to_string(),
        "GET /protected/json/users/1000/status got no answer within 300 ms; a read changes nothing, so try again later"
    );
    let sms = c.users().request_sms(ID).unwrap_err();
    assert!(sms.is_timeout(), "{sms:?}");
    assert_eq!(sms.kind(), ErrorKind::OutcomeUnknown, "{sms:?}");
    assert_eq!(
        sms.to_string(),
        "GET /protected/json/sms/1000 got no answer within 300 ms; authy may have acted on it, so check before sending it again"
    );
}

/// `outcome_unknown()` says whether a call that acts may have: a status read answered 5xx,
/// with a body that cannot be read, or without an answer changed nothing, and is false; an
/// SMS request in the same cases may have sent one, and is true. kind() agrees.
#[test]
fn a_read_never_has_an_unknown_outcome_an_sms_request_may() {
    for (read, sms) in [
        (
            status_error(502, &[], "<html>bad gateway</html>"),
            sms_error(502, "<html>bad gateway</html>"),
        ),
        (
            status_error(200, &[], "not json"),
            sms_error(200, "not json"),
        ),
    ] {
        assert!(!read.outcome_unknown(), "{read:?}");
        assert!(sms.outcome_unknown(), "{sms:?}");
    }
    let silent = builder(&test_support::servers::silent())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let read = silent.users().status(ID).unwrap_err();
    assert!(read.is_timeout(), "{read:?}");
    assert_eq!(read.kind(), ErrorKind::RetryLater, "{read:?}");
    assert!(!read.outcome_unknown(), "{read:?}");
    let sms = silent.users().request_sms(ID).unwrap_err();
    assert!(sms.is_timeout(), "{sms:?}");
    assert_eq!(sms.kind(), ErrorKind::OutcomeUnknown, "{sms:?}");
    assert!(sms.outcome_unknown(), "{sms:?}");
}

/// A server's message that would drive a terminal (a carriage return, escape sequences, a
/// right-to-left override) is kept and shown with each of those a space: it was kept as sent.
#[test]
fn a_server_message_cannot_drive_a_terminal() {
    let err = status_error(400, &[], &terminal_controls_body("message"));
    let api = err.api_error().unwrap();
    assert_eq!(api.message(), Some(TERMINAL_CONTROLS_SHOWN));
    assert_shows_no_terminal_control(&err.to_string());
}

#[test]
fn a_bare_401_or_404_reads_as_the_key_on_a_start_and_as_the_code_on_a_check() {
    let start = |status| {
        answered_error(
            ("POST", "/protected/json/phones/verification/start"),
            status,
            &[],
            "{}",
            |url| {
                builder(url)
                    .build()
                    .unwrap()
                    .phones()
                    .verification_start("201-555-0123", 1, authy_client::Via::Sms)
                    .unwrap_err()
            },
        )
    };
    let check = |status| {
        let mut server = Server::new();
        let mock = server
            .mock("GET", "/protected/json/phones/verification/check")
            .match_query(Matcher::Any)
            .with_status(status)
            .with_body("{}")
            .expect(1)
            .create();
        let err = client(&server)
            .phones()
            .verification_check("201-555-0123", 1, "1234")
            .unwrap_err();
        mock.assert();
        err
    };
    // No code was sent yet: a bare 401 is the key's, as on every other call.
    let err = start(401);
    assert_eq!(err.reason(), Some(ApiErrorReason::Unauthorized));
    assert_eq!(err.kind(), ErrorKind::Configuration);
    let err = start(404);
    assert_eq!(err.reason(), Some(ApiErrorReason::NotFound));
    let err = check(401);
    assert_eq!(err.reason(), Some(ApiErrorReason::VerificationIncorrect));
    let err = check(404);
    assert_eq!(err.reason(), Some(ApiErrorReason::NoPendingVerification));
}
