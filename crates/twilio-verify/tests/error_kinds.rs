//! What every Verify error tells the caller to do next (`kind()`), the facts its causes add,
//! and the builder settings (extra headers, retry backoff) as they reach the wire.

use std::time::Duration;

use mockito::{Server, ServerGuard};
use test_support::errors::{
    TERMINAL_CONTROLS, TERMINAL_CONTROLS_SHOWN, UNRESOLVABLE, answered_error,
    assert_backoff_is_the_one_set, assert_causes_add_facts, assert_kind, assert_kinds,
    assert_shows_no_terminal_control,
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

/// Every POST that creates or changes something, against a server that answers each with
/// `status` (a gateway's page): its error, and the request the server expects once.
type Change = (&'static str, String, fn(&VerifyClient) -> Error);

fn changes() -> Vec<Change> {
    use twilio_verify::{
        FactorSid, FactorUpdate, Identity, ServiceOptions, WebhookOptions, WebhookSid,
    };
    const YF: &str = "YF00000000000000000000000000000001";
    const YW: &str = "YW00000000000000000000000000000001";
    const RK: &str = "RK00000000000000000000000000000001";
    const BL: &str = "BL00000000000000000000000000000001";
    fn identity() -> Identity {
        Identity::new("user-0042").unwrap()
    }
    fn webhook() -> WebhookOptions {
        WebhookOptions::new()
            .friendly_name("push events")
            .event_type("challenge.approved")
            .webhook_url("https://example.com/verify/webhook")
    }
    let base = format!("/v2/Services/{VA}");
    vec![
        ("services().create", "/v2/Services".to_owned(), |c| {
            c.services()
                .create("Example App", &ServiceOptions::new())
                .unwrap_err()
        }),
        ("services().update", base.clone(), |c| {
            c.services()
                .update(&service(), &ServiceOptions::new().code_length(8))
                .unwrap_err()
        }),
        ("webhooks().create", format!("{base}/Webhooks"), |c| {
            c.webhooks(&service()).create(&webhook()).unwrap_err()
        }),
        ("webhooks().update", format!("{base}/Webhooks/{YW}"), |c| {
            let sid: WebhookSid = YW.parse().unwrap();
            c.webhooks(&service())
                .update(&sid, &WebhookOptions::new().enabled(false))
                .unwrap_err()
        }),
        ("rate_limits().create", format!("{base}/RateLimits"), |c| {
            c.rate_limits(&service())
                .create("end_user_ip_address", "per IP")
                .unwrap_err()
        }),
        (
            "rate_limits().update",
            format!("{base}/RateLimits/{RK}"),
            |c| {
                c.rate_limits(&service())
                    .update(&RK.parse().unwrap(), "per client IP")
                    .unwrap_err()
            },
        ),
        (
            "rate_limits().create_bucket",
            format!("{base}/RateLimits/{RK}/Buckets"),
            |c| {
                c.rate_limits(&service())
                    .create_bucket(&RK.parse().unwrap(), 10, 60)
                    .unwrap_err()
            },
        ),
        (
            "rate_limits().update_bucket",
            format!("{base}/RateLimits/{RK}/Buckets/{BL}"),
            |c| {
                c.rate_limits(&service())
                    .update_bucket(&RK.parse().unwrap(), &BL.parse().unwrap(), 20, 60)
                    .unwrap_err()
            },
        ),
        (
            "factors().update",
            format!("{base}/Entities/user-0042/Factors/{YF}"),
            |c| {
                let sid: FactorSid = YF.parse().unwrap();
                c.factors(&service(), &identity())
                    .update(&sid, &FactorUpdate::new().friendly_name("work phone"))
                    .unwrap_err()
            },
        ),
    ]
}

/// A server error to a POST that creates or changes a service, a webhook, a rate limit, a
/// bucket or a factor may come after Twilio acted on it: the request is sent once, even by a
/// client that retries reads, its kind is `OutcomeUnknown` (as `outcome_unknown()` says) and
/// its message says what to check, not "try again later".
#[test]
fn a_server_error_to_any_change_is_sent_once_and_its_outcome_unknown() {
    let expected = [
        "the service may have been created; list the services to see whether it was before creating it again",
        "the change may have been made; fetch the service to see whether it was before sending it again",
        "the webhook may have been created; list the service's webhooks to see whether it was before creating it again",
        "the change may have been made; fetch the webhook to see whether it was before sending it again",
        "the rate limit may have been created; list the service's rate limits to see whether it was before creating it again",
        "the change may have been made; fetch the rate limit to see whether it was before sending it again",
        "the bucket may have been created; list the rate limit's buckets to see whether it was before creating it again",
        "the change may have been made; list the rate limit's buckets to see whether it was before sending it again",
        "the change may have been made; fetch the factor to see whether it was before sending it again",
    ];
    let changes = changes();
    assert_eq!(changes.len(), expected.len());
    for ((name, path, call), check) in changes.into_iter().zip(expected) {
        let mut server = Server::new();
        let mock = server
            .mock("POST", path.as_str())
            .with_status(502)
            .with_body("<html>bad gateway</html>")
            .expect(1)
            .create();
        let c = builder(&server.url())
            .max_retries(3)
            .initial_backoff(Duration::from_millis(1))
            .build()
            .unwrap();
        let err = call(&c);
        mock.assert();
        assert_eq!(err.status(), Some(502), "{name}: {err:?}");
        assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{name}: {err:?}");
        assert!(err.outcome_unknown(), "{name}");
        assert_eq!(
            err.to_string(),
            format!(
                "POST {path} answered 502: <html>bad gateway</html>; twilio failed; the outcome is unknown: {check}"
            ),
            "{name}"
        );
    }
}

/// A change whose answer never came is `OutcomeUnknown` too, and says what to check.
#[test]
fn a_webhook_update_without_an_answer_has_an_unknown_outcome() {
    let c = builder(&test_support::servers::silent())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let sid: twilio_verify::WebhookSid = "YW00000000000000000000000000000001".parse().unwrap();
    let err = c
        .webhooks(&service())
        .update(&sid, &twilio_verify::WebhookOptions::new().enabled(false))
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_kind(&err, err.kind(), ErrorKind::OutcomeUnknown, None);
    assert!(err.outcome_unknown());
    assert_eq!(
        err.to_string(),
        format!(
            "POST /v2/Services/{VA}/Webhooks/YW00000000000000000000000000000001 got no answer within 300 ms; the outcome is unknown: the change may have been made; fetch the webhook to see whether it was before sending it again"
        )
    );
}

/// A push access token is the one POST a server error leaves `RetryLater`: another token is
/// harmless. It is still sent once.
#[test]
fn a_server_error_to_an_access_token_is_sent_once_and_tried_again_later() {
    let path = format!("/v2/Services/{VA}/AccessTokens");
    let mut server = Server::new();
    let mock = server
        .mock("POST", path.as_str())
        .with_status(502)
        .with_body("")
        .expect(1)
        .create();
    let c = builder(&server.url()).max_retries(3).build().unwrap();
    let identity = twilio_verify::Identity::new("user-0042").unwrap();
    let err = c
        .access_tokens(&service())
        .create(&twilio_verify::NewPushAccessToken::new(identity))
        .unwrap_err();
    mock.assert();
    assert_eq!(err.kind(), ErrorKind::RetryLater, "{err:?}");
    assert!(!err.outcome_unknown(), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("POST {path} answered 502; twilio failed; try again later")
    );
}

/// A read answered 5xx is tried again (it changes nothing), then `RetryLater`.
#[test]
fn a_server_error_to_a_service_fetch_is_retried_then_tried_again_later() {
    let mut server = Server::new();
    let path = format!("/v2/Services/{VA}");
    let mock = server
        .mock("GET", path.as_str())
        .with_status(502)
        .with_body("<html>bad gateway</html>")
        .expect(2)
        .create();
    let c = builder(&server.url())
        .max_retries(1)
        .initial_backoff(Duration::from_millis(1))
        .build()
        .unwrap();
    let err = c.services().fetch(&service()).unwrap_err();
    mock.assert();
    assert_eq!(err.api_error().unwrap().attempts(), 2);
    assert_eq!(err.kind(), ErrorKind::RetryLater, "{err:?}");
}

/// What a server error says follows the call it answers: to a read and to the access token,
/// both harmless to send again, to try again later; to a change, what to check first.
#[test]
fn the_text_of_a_server_error_follows_the_call() {
    let token = format!("/v2/Services/{VA}/AccessTokens");
    let mut server = Server::new();
    let mocks =
        [("GET", FETCH), ("POST", token.as_str()), ("POST", START)].map(|(method, path)| {
            server
                .mock(method, path)
                .with_status(503)
                .with_body("")
                .expect(1)
                .create()
        });
    let c = client(&server);
    let read = c.verifications(&service()).fetch(&sid()).unwrap_err();
    let identity = twilio_verify::Identity::new("user-0042").unwrap();
    let access_token = c
        .access_tokens(&service())
        .create(&twilio_verify::NewPushAccessToken::new(identity))
        .unwrap_err();
    let start = c
        .verifications(&service())
        .start("+15555550100", Channel::Sms)
        .unwrap_err();
    for mock in mocks {
        mock.assert();
    }
    assert_eq!(
        read.to_string(),
        format!("GET {FETCH} answered 503; twilio failed; try again later")
    );
    assert_eq!(
        access_token.to_string(),
        format!("POST {token} answered 503; twilio failed; try again later")
    );
    assert_eq!(
        start.to_string(),
        format!(
            "POST {START} answered 503; twilio failed; the outcome is unknown: a code may have been sent and the attempt counts toward the send limit; fetch the verification (or wait for the user) before starting another"
        )
    );
}

/// `outcome_unknown()` is false for a call harmless to send again, whatever its answer: a
/// read, a delete and the access token answered 5xx or not at all; true for a change in the
/// same cases. kind() agrees.
#[test]
fn only_a_change_can_have_an_unknown_outcome() {
    let mut server = Server::new();
    let service_path = format!("/v2/Services/{VA}");
    let token = format!("/v2/Services/{VA}/AccessTokens");
    let mocks = [
        ("GET", FETCH),
        ("DELETE", service_path.as_str()),
        ("POST", token.as_str()),
        ("POST", START),
    ]
    .map(|(method, path)| {
        server
            .mock(method, path)
            .with_status(502)
            .with_body("<html>bad gateway</html>")
            .expect(1)
            .create()
    });
    let identity = twilio_verify::Identity::new("user-0042").unwrap();
    let calls = |c: &VerifyClient| {
        [
            c.verifications(&service()).fetch(&sid()).map(drop),
            c.services().delete(&service()),
            c.access_tokens(&service())
                .create(&twilio_verify::NewPushAccessToken::new(identity.clone()))
                .map(drop),
            c.verifications(&service())
                .start("+15555550100", Channel::Sms)
                .map(drop),
        ]
    };
    let answered = calls(&client(&server));
    for mock in mocks {
        mock.assert();
    }
    let silent = builder(&test_support::servers::silent())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let lost = calls(&silent);
    for errors in [answered, lost] {
        let [read, delete, access_token, start] = errors.map(Result::unwrap_err);
        for harmless in [read, delete, access_token] {
            assert_eq!(harmless.kind(), ErrorKind::RetryLater, "{harmless:?}");
            assert!(!harmless.outcome_unknown(), "{harmless:?}");
        }
        assert_eq!(start.kind(), ErrorKind::OutcomeUnknown, "{start:?}");
        assert!(start.outcome_unknown(), "{start:?}");
    }
}

/// A server's message or documentation link that would drive a terminal (a carriage return,
/// escape sequences, a right-to-left override) is kept and shown with each of those a space,
/// and at most 300 characters of it: both were kept as sent, whole.
#[test]
fn a_server_message_cannot_drive_a_terminal() {
    let body = serde_json::json!({
        "code": 60200,
        "message": TERMINAL_CONTROLS,
        "more_info": format!("{TERMINAL_CONTROLS}{}", "x".repeat(1000)),
    })
    .to_string();
    let err = fetch_error(400, &[], &body);
    let api = err.api_error().unwrap();
    assert_eq!(api.message(), Some(TERMINAL_CONTROLS_SHOWN));
    let more_info = api.more_info().unwrap();
    assert!(
        more_info.starts_with(TERMINAL_CONTROLS_SHOWN),
        "{more_info:?}"
    );
    assert_eq!(more_info.chars().count(), 300);
    assert_shows_no_terminal_control(&err.to_string());
}
