//! What every Verify error tells the caller to do next (`kind()`), the facts its causes add,
//! and the builder settings (extra headers, retry backoff) as they reach the wire.

use std::time::Duration;

use mockito::{Server, ServerGuard};
use test_support::errors::{
    UNRESOLVABLE, answered_error, assert_backoff_is_the_one_set, assert_causes_add_facts,
    assert_kind, assert_kinds,
};
use test_support::fixture;
use twilio_verify::{
    ApiErrorReason, Channel, Credentials, Error, ErrorKind, HasErrorKind, ServiceSid,
    VerificationSid, VerifyClient,
};

const KEY_SID: &str = "SK00000000000000000000000000000009";
const KEY_SECRET: &str = "api-key-secret-value";
const VA: &str = "VA00000000000000000000000000000001";
const VE: &str = "VE00000000000000000000000000000001";
const FETCH: &str = "/v2/Services/VA00000000000000000000000000000001/Verifications/VE00000000000000000000000000000001";
const START: &str = "/v2/Services/VA00000000000000000000000000000001/Verifications";

fn builder(url: &str) -> twilio_verify::VerifyClientBuilder {
    VerifyClient::builder(Credentials::api_key(KEY_SID, KEY_SECRET))
        .base_url(url)
        .timeout(Duration::from_secs(5))
        .max_retries(0)
}

fn client(server: &ServerGuard) -> VerifyClient {
    builder(&server.url()).build().unwrap()
}

fn service() -> ServiceSid {
    VA.parse().unwrap()
}

fn sid() -> VerificationSid {
    VE.parse().unwrap()
}

fn fetch_error(status: usize, headers: &[(&str, &str)], body: &str) -> Error {
    answered_error(("GET", FETCH), status, headers, body, |url| {
        let c = builder(url).build().unwrap();
        c.verifications(&service()).fetch(&sid()).unwrap_err()
    })
}

fn start_error(status: usize, headers: &[(&str, &str)], body: &str) -> Error {
    answered_error(("POST", START), status, headers, body, |url| {
        builder(url)
            .build()
            .unwrap()
            .verifications(&service())
            .start("+15555550100", Channel::Sms)
            .unwrap_err()
    })
}

#[test]
fn refused_credentials_are_configuration() {
    let err = fetch_error(401, &[], &fixture!("error_20003_authenticate.json"));
    assert_eq!(err.reason(), Some(ApiErrorReason::Unauthorized));
    assert_eq!(err.kind(), ErrorKind::Configuration);
    assert_eq!(HasErrorKind::kind(&err), ErrorKind::Configuration);
    assert_eq!(assert_causes_add_facts(&err), 1);
}

#[test]
fn a_429_with_retry_after_says_how_long() {
    let body = fixture!("error_20429_too_many_requests.json");
    let err = fetch_error(429, &[("retry-after", "5")], &body);
    assert_eq!(err.kind(), ErrorKind::RetryAfter(Duration::from_secs(5)));
    let err = fetch_error(429, &[], &body);
    assert_eq!(err.kind(), ErrorKind::RateLimited);
}

#[test]
fn codes_map_to_what_to_do() {
    let cases = [
        (
            404,
            fixture!("error_20404_not_found.json"),
            ErrorKind::NotFound,
        ),
        (
            400,
            fixture!("error_60200_invalid_parameter.json"),
            ErrorKind::FixInput,
        ),
        (
            429,
            fixture!("error_60202_max_check_attempts.json"),
            ErrorKind::StartOver,
        ),
        (
            429,
            fixture!("error_60203_max_send_attempts.json"),
            ErrorKind::RateLimited,
        ),
        (502, "<html/>".to_owned(), ErrorKind::RetryLater),
        (302, "".to_owned(), ErrorKind::Configuration),
    ];
    assert_kinds(cases, |status, body| fetch_error(status, &[], body).kind());
}

#[test]
fn input_refused_before_sending_is_fix_input() {
    let server = Server::new();
    let err = client(&server)
        .verifications(&service())
        .start("555-0100", Channel::Sms)
        .unwrap_err();
    assert!(err.is_invalid_input(), "{err:?}");
    assert_kind(&err, err.kind(), ErrorKind::FixInput, None);
}

#[test]
fn a_body_that_does_not_fit_is_a_bug_to_report() {
    let err = fetch_error(200, &[], r#"{"sid": 12}"#);
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert_kind(&err, err.kind(), ErrorKind::ReportBug, Some(2));
}

#[test]
fn a_name_that_does_not_resolve_is_not_delivered() {
    let c = builder(UNRESOLVABLE).build().unwrap();
    let err = c
        .verifications(&service())
        .start("+15555550100", Channel::Sms)
        .unwrap_err();
    assert_kind(&err, err.kind(), ErrorKind::NotDelivered, Some(2));
}

#[test]
fn a_send_without_an_answer_has_an_unknown_outcome_a_read_can_be_retried() {
    let c = builder(&test_support::servers::silent())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = c
        .verifications(&service())
        .start("+15555550100", Channel::Sms)
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_kind(&err, err.kind(), ErrorKind::OutcomeUnknown, None);
    let err = c.verifications(&service()).fetch(&sid()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RetryLater);
}

#[test]
fn extra_headers_are_sent_on_every_request() {
    let mut server = Server::new();
    let m = server
        .mock("POST", START)
        .match_header("x-request-id", "r-9")
        .match_header("authorization", mockito::Matcher::Any)
        .with_status(500)
        .with_body("{}")
        .expect(1)
        .create();
    let g = server
        .mock("GET", FETCH)
        .match_header("x-request-id", "r-9")
        .with_status(500)
        .with_body("{}")
        .expect(1)
        .create();
    let c = builder(&server.url())
        .header("x-request-id", "r-9")
        .build()
        .unwrap();
    let _ = c
        .verifications(&service())
        .start("+15555550100", Channel::Sms);
    let _ = c.verifications(&service()).fetch(&sid());
    m.assert();
    g.assert();
    for (name, value) in [("x a", "v"), ("Authorization", "Basic x"), ("x-b", "é")] {
        let err = builder(&server.url())
            .header(name, value)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FixInput, "{name}");
    }
}

#[test]
fn the_retry_backoff_is_the_one_set() {
    assert_backoff_is_the_one_set(("GET", FETCH), &[], |url, initial, max| {
        let c = builder(url)
            .max_retries(1)
            .initial_backoff(initial)
            .max_backoff(max)
            .build()
            .unwrap();
        let err = c.verifications(&service()).fetch(&sid()).unwrap_err();
        err.api_error().unwrap().attempts()
    });
}

/// Whether a verification start may have sent a code while the caller cannot tell
/// (`outcome_unknown()`): after a 5xx (a gateway may answer one after Twilio sent the code),
/// an answer that cannot be read, or no answer, it may have; after a 4xx, a request that was
/// not delivered or one refused before sending, it did not.
#[test]
fn a_start_may_have_sent_a_code_after_a_5xx_but_not_after_a_4xx() {
    let start = |status: usize, body: &str| start_error(status, &[], body);
    for status in [500, 502] {
        let err = start(status, "<html>bad gateway</html>");
        assert_eq!(err.status(), Some(status as u16), "{err:?}");
        assert!(err.outcome_unknown(), "{status}: {err:?}");
    }
    for (status, body) in [
        (400, fixture!("error_60200_invalid_parameter.json")),
        (404, fixture!("error_20404_not_found.json")),
        (429, fixture!("error_20429_too_many_requests.json")),
    ] {
        let err = start(status, &body);
        assert_eq!(err.status(), Some(status as u16), "{err:?}");
        assert!(!err.outcome_unknown(), "{status}: {err:?}");
    }
    let unreadable = start(201, "not json");
    assert!(matches!(unreadable, Error::Decode { .. }), "{unreadable:?}");
    assert!(unreadable.outcome_unknown());

    let silent = builder(&test_support::servers::silent())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let timeout = silent
        .verifications(&service())
        .start("+15555550100", Channel::Sms)
        .unwrap_err();
    assert!(timeout.is_timeout(), "{timeout:?}");
    assert!(timeout.outcome_unknown());

    let refused = builder(&test_support::fault_server::refused_url())
        .build()
        .unwrap();
    let not_delivered = refused
        .verifications(&service())
        .start("+15555550100", Channel::Sms)
        .unwrap_err();
    assert!(
        matches!(not_delivered, Error::NotDelivered { .. }),
        "{not_delivered:?}"
    );
    assert!(!not_delivered.outcome_unknown());
    let invalid = refused
        .verifications(&service())
        .start("555-0100", Channel::Sms)
        .unwrap_err();
    assert!(invalid.is_invalid_input(), "{invalid:?}");
    assert!(!invalid.outcome_unknown());
}

/// A server error (5xx) to a call that changes something may come after Twilio acted on it:
/// kind() says the outcome is unknown and the words say what to check, as for a lost answer.
/// A read's server error is tried again later; a 4xx keeps its kind and words.
#[test]
fn a_server_error_to_a_start_may_have_sent_a_code_a_read_is_tried_again() {
    let start = start_error(502, &[], "<html>bad gateway</html>");
    assert_eq!(start.kind(), ErrorKind::OutcomeUnknown, "{start:?}");
    assert!(start.outcome_unknown());
    assert_eq!(
        start.to_string(),
        format!(
            "POST {START} answered 502: <html>bad gateway</html>; twilio failed; the outcome is unknown: a code may have been sent and the attempt counts toward the send limit; fetch the verification (or wait for the user) before starting another"
        )
    );
    let waited = start_error(503, &[("retry-after", "5")], "");
    assert_eq!(waited.kind(), ErrorKind::OutcomeUnknown, "{waited:?}");

    let read = fetch_error(502, &[], "<html>bad gateway</html>");
    assert_eq!(read.kind(), ErrorKind::RetryLater, "{read:?}");
    assert_eq!(
        read.to_string(),
        format!(
            "GET {FETCH} answered 502: <html>bad gateway</html>; twilio failed; try again later"
        )
    );
    let read = fetch_error(503, &[("retry-after", "5")], "");
    assert_eq!(read.kind(), ErrorKind::RetryAfter(Duration::from_secs(5)));

    let refused = start_error(400, &[], &fixture!("error_60200_invalid_parameter.json"));
    assert_eq!(refused.kind(), ErrorKind::FixInput, "{refused:?}");
    assert_eq!(
        refused.to_string(),
        format!(
            "POST {START} answered 400 (code 60200): Invalid parameter: To; fix the parameter named in the message"
        )
    );
}

/// A server error to a factor's or an entity's creation may have created it: kind() says the
/// outcome is unknown, with what to check, as outcome_unknown() does.
#[test]
fn a_server_error_to_a_creation_may_have_created_it() {
    let identity = twilio_verify::Identity::new("user-0042").unwrap();
    let entities = format!("/v2/Services/{VA}/Entities");
    let entity = answered_error(("POST", &entities), 502, &[], "", |url| {
        let c = builder(url).build().unwrap();
        c.entities(&service()).create(&identity).unwrap_err()
    });
    assert_eq!(entity.kind(), ErrorKind::OutcomeUnknown, "{entity:?}");
    assert!(entity.outcome_unknown());
    assert!(
        entity
            .to_string()
            .ends_with("the outcome is unknown: the entity may have been created; fetch it before creating it again"),
        "{entity}"
    );
    let factors = format!("/v2/Services/{VA}/Entities/user-0042/Factors");
    let factor = answered_error(("POST", &factors), 502, &[], "", |url| {
        let c = builder(url).build().unwrap();
        c.factors(&service(), &identity)
            .create_totp(&twilio_verify::NewTotpFactor::new("phone"))
            .unwrap_err()
    });
    assert_eq!(factor.kind(), ErrorKind::OutcomeUnknown, "{factor:?}");
    assert!(factor.outcome_unknown());
}
