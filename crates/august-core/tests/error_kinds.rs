//! What every August error tells the caller to do next (`kind()`), the facts its causes add,
//! and the builder settings (extra headers, retry backoff) as they reach the wire.

use std::time::Duration;

use august_core::{Api, ApiErrorReason, Error, ErrorKind, HasErrorKind};
use mockito::Server;
use test_support::errors::{
    TERMINAL_CONTROLS, TERMINAL_CONTROLS_SHOWN, UNRESOLVABLE, answered_error,
    assert_backoff_is_the_one_set, assert_causes_add_facts, assert_kind,
    assert_shows_no_terminal_control, terminal_controls_body,
};

const TOKEN: &str = "token-123";

const LOCKS: (&str, &str) = ("GET", "/users/locks/mine");

fn builder(url: &str) -> august_core::ApiBuilder {
    Api::builder().base_url(url).max_retries(0)
}

fn status_error(status: usize, headers: &[(&str, &str)], body: &str) -> Error {
    answered_error(LOCKS, status, headers, body, |url| {
        builder(url).build().unwrap().get_locks(TOKEN).unwrap_err()
    })
}

/// A client of a server that never answers, giving up after 300 ms, reads and lock
/// operations alike, without retries.
fn silent_api() -> Api {
    Api::builder()
        .base_url(test_support::servers::silent())
        .timeout(Duration::from_millis(300))
        .command_timeout(Duration::from_millis(300))
        .max_retries(0)
        .build()
        .unwrap()
}

/// The error of an unlock of `L1` answered once with `status` and `body`.
fn unlock_error(status: usize, body: &str) -> Error {
    answered_error(
        ("PUT", "/remoteoperate/L1/unlock"),
        status,
        &[],
        body,
        |url| {
            builder(url)
                .build()
                .unwrap()
                .unlock(TOKEN, "L1")
                .unwrap_err()
        },
    )
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
    for (status, want) in [
        (404, ErrorKind::NotFound),
        (409, ErrorKind::Other),
        (422, ErrorKind::CheckDevice),
        (531, ErrorKind::RetryLater),
        // To a read; to a lock operation it is CheckLockState (below).
        (408, ErrorKind::RetryLater),
        (423, ErrorKind::RetryLater),
        (500, ErrorKind::RetryLater),
        (400, ErrorKind::FixInput),
    ] {
        assert_eq!(status_error(status, &[], "{}").kind(), want, "{status}");
    }
    assert_eq!(
        status_error(503, &[("retry-after", "3")], "{}").kind(),
        ErrorKind::RetryAfter(Duration::from_secs(3))
    );
}

/// No source gives 409 or 531 a meaning of their own: they read as any other 4xx and 5xx,
/// with the server's message.
#[test]
fn a_409_and_a_531_read_as_their_class_with_the_servers_message() {
    let body = r#"{"code":97,"message":"the server's own words"}"#;
    let err = status_error(409, &[], body);
    let api = err.api_error().unwrap();
    assert_eq!(api.reason(), ApiErrorReason::Other);
    assert_eq!(err.kind(), ErrorKind::Other);
    assert_eq!(api.message(), Some("the server's own words"));
    assert_eq!(
        err.to_string(),
        "GET /users/locks/mine failed with status 409: the request failed; \
         the server said: the server's own words"
    );
    let err = status_error(531, &[], body);
    assert_eq!(
        err.api_error().unwrap().reason(),
        ApiErrorReason::ServerError
    );
    assert_eq!(err.kind(), ErrorKind::RetryLater);
    assert_eq!(
        err.to_string(),
        "GET /users/locks/mine failed with status 531: server error: try again later; \
         the server said: the server's own words"
    );
    // To a lock operation, a 531 leaves the lock's state unknown, as a 500 does; a 409 is
    // refused as any other 4xx.
    let err = unlock_error(531, body);
    assert_eq!(
        err.api_error().unwrap().reason(),
        ApiErrorReason::ServerError
    );
    assert_eq!(err.kind(), ErrorKind::CheckLockState);
    assert!(err.outcome_unknown());
    let err = unlock_error(409, body);
    assert_eq!(err.api_error().unwrap().reason(), ApiErrorReason::Other);
    assert_eq!(err.kind(), ErrorKind::Other);
    assert!(!err.outcome_unknown());
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
    let api = builder(UNRESOLVABLE)
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

#[test]
fn a_lock_operation_without_an_answer_means_check_the_lock() {
    let api = silent_api();
    let err = api.unlock(TOKEN, "L1").unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_kind(&err, err.kind(), ErrorKind::CheckLockState, None);
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

/// A user agent that cannot be sent is refused as an extra header that cannot be sent is.
#[test]
fn the_user_agent_is_checked_when_building() {
    for value in ["me\n", "mé"] {
        let err = Api::builder().user_agent(value).build().unwrap_err();
        let Error::InvalidInput { reason } = &err else {
            panic!("{value:?}: {err:?}");
        };
        assert_eq!(
            reason,
            "the value of header user-agent cannot be sent: only visible ASCII characters, spaces and tabs are allowed"
        );
        assert_eq!(err.kind(), ErrorKind::FixInput);
    }
    assert!(
        Api::builder()
            .user_agent("my-app/1.0 (home)")
            .build()
            .is_ok()
    );
}

#[test]
fn the_retry_backoff_is_the_one_set() {
    let token = [("x-august-access-token", TOKEN)];
    assert_backoff_is_the_one_set(LOCKS, &token, |url, initial, max| {
        let api = builder(url)
            .max_retries(1)
            .initial_backoff(initial)
            .max_backoff(max)
            .build()
            .unwrap();
        api.get_locks(TOKEN)
            .unwrap_err()
            .api_error()
            .unwrap()
            .attempts()
    });
}

#[test]
fn parse_errors_are_fix_input() {
    let err = "nope".parse::<august_core::Brand>().unwrap_err();
    assert_kind(&err, err.kind(), ErrorKind::FixInput, Some(1));
}

/// Whether an unlock may have taken effect while the caller cannot tell (`outcome_unknown()`):
/// after a 5xx (a gateway's 502 or 504 may come after the bridge moved the lock), an answer
/// that cannot be read, or no answer, it may have; after a 4xx, a request that was not
/// delivered or one refused before sending, it did not. A 5xx counted as a known outcome
/// before, as if the lock had certainly not moved.
#[test]
fn an_unlock_may_have_taken_effect_after_a_5xx_but_not_after_a_4xx() {
    for status in [500, 502, 504] {
        let err = unlock_error(status, "<html>bad gateway</html>");
        assert_eq!(err.status(), Some(status as u16), "{err:?}");
        assert!(err.outcome_unknown(), "{status}: {err:?}");
        // One answer: kind() says the same as outcome_unknown(), and so does the message.
        assert_eq!(err.kind(), ErrorKind::CheckLockState, "{status}: {err:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "PUT /remoteoperate/L1/unlock failed with status {status}: server error: the outcome is unknown: read the lock's status before trying again"
            )
        );
    }
    // August's 408: the bridge did not answer the server in time.
    let bridge = unlock_error(408, r#"{"message":"bridge timeout"}"#);
    assert_eq!(bridge.kind(), ErrorKind::CheckLockState, "{bridge:?}");
    assert!(bridge.outcome_unknown(), "{bridge:?}");
    // A 408 to another call: it was not acted on, and can be sent again.
    let not_acted = answered_error(("POST", "/validation/phone"), 408, &[], "", |url| {
        builder(url)
            .build()
            .unwrap()
            .send_verification_code(TOKEN, august_core::LoginMethod::Phone, "+15555550100")
            .unwrap_err()
    });
    assert_eq!(not_acted.kind(), ErrorKind::RetryLater, "{not_acted:?}");
    assert!(!not_acted.outcome_unknown(), "{not_acted:?}");
    for status in [400, 404, 429] {
        let err = unlock_error(status, r#"{"message":"refused"}"#);
        assert_eq!(err.status(), Some(status as u16), "{err:?}");
        assert!(!err.outcome_unknown(), "{status}: {err:?}");
    }
    let unreadable = unlock_error(200, "not json");
    assert!(matches!(unreadable, Error::Decode { .. }), "{unreadable:?}");
    assert!(unreadable.outcome_unknown());

    let silent = silent_api();
    let timeout = silent.unlock(TOKEN, "L1").unwrap_err();
    assert!(timeout.is_timeout(), "{timeout:?}");
    assert!(timeout.outcome_unknown());

    let refused = builder(&test_support::fault_server::refused_url())
        .build()
        .unwrap();
    let not_delivered = refused.unlock(TOKEN, "L1").unwrap_err();
    assert!(
        matches!(not_delivered, Error::NotDelivered { .. }),
        "{not_delivered:?}"
    );
    assert!(!not_delivered.outcome_unknown());
    let invalid = refused.unlock(TOKEN, "").unwrap_err();
    assert!(matches!(invalid, Error::InvalidInput { .. }), "{invalid:?}");
    assert!(!invalid.outcome_unknown());
}

/// A server error to a request that changes something other than a lock (a code sent) says
/// that it may have taken effect, in kind() and in words; to a read, to try again later.
#[test]
fn a_server_error_to_a_request_that_changes_something_may_have_taken_effect() {
    let send_code = answered_error(("POST", "/validation/phone"), 502, &[], "", |url| {
        builder(url)
            .build()
            .unwrap()
            .send_verification_code(TOKEN, august_core::LoginMethod::Phone, "+15555550100")
            .unwrap_err()
    });
    assert_eq!(send_code.kind(), ErrorKind::OutcomeUnknown, "{send_code:?}");
    assert!(send_code.outcome_unknown());
    assert_eq!(
        send_code.to_string(),
        "POST /validation/phone failed with status 502: server error: the request may have taken effect: check before sending it again"
    );
    let read = answered_error(("GET", "/users/locks/mine"), 502, &[], "", |url| {
        builder(url)
            .max_retries(0)
            .build()
            .unwrap()
            .get_locks(TOKEN)
            .unwrap_err()
    });
    assert_eq!(read.kind(), ErrorKind::RetryLater, "{read:?}");
    assert!(
        read.to_string().contains("server error: try again later"),
        "{read}"
    );
}

/// `outcome_unknown()` is false for a read, whatever its answer: a lock list answered 502,
/// with a body that cannot be read, or without an answer changed nothing; a code sent or an
/// unlock in the same cases may have taken effect. kind() agrees.
#[test]
fn a_read_never_has_an_unknown_outcome_a_code_sent_may() {
    let read = |status: usize, body: &str| {
        answered_error(("GET", "/users/locks/mine"), status, &[], body, |url| {
            builder(url)
                .max_retries(0)
                .build()
                .unwrap()
                .get_locks(TOKEN)
                .unwrap_err()
        })
    };
    let send_code = |status: usize, body: &str| {
        answered_error(("POST", "/validation/phone"), status, &[], body, |url| {
            builder(url)
                .build()
                .unwrap()
                .send_verification_code(TOKEN, august_core::LoginMethod::Phone, "+15555550100")
                .unwrap_err()
        })
    };
    let server_error = read(502, "<html>bad gateway</html>");
    assert_eq!(
        server_error.kind(),
        ErrorKind::RetryLater,
        "{server_error:?}"
    );
    assert!(!server_error.outcome_unknown(), "{server_error:?}");
    let unreadable = read(200, "not json");
    assert!(matches!(unreadable, Error::Decode { .. }), "{unreadable:?}");
    assert!(!unreadable.outcome_unknown(), "{unreadable:?}");
    let change = send_code(502, "<html>bad gateway</html>");
    assert!(change.outcome_unknown(), "{change:?}");
    let change = unlock_error(200, "not json");
    assert!(matches!(change, Error::Decode { .. }), "{change:?}");
    assert!(change.outcome_unknown(), "{change:?}");
    let silent = silent_api();
    let read = silent.get_locks(TOKEN).unwrap_err();
    assert!(read.is_timeout(), "{read:?}");
    assert_eq!(read.kind(), ErrorKind::RetryLater, "{read:?}");
    assert!(!read.outcome_unknown(), "{read:?}");
    let change = silent
        .send_verification_code(TOKEN, august_core::LoginMethod::Phone, "+15555550100")
        .unwrap_err();
    assert!(change.is_timeout(), "{change:?}");
    assert_eq!(change.kind(), ErrorKind::OutcomeUnknown, "{change:?}");
    assert!(change.outcome_unknown(), "{change:?}");
}

/// A server's message that would drive a terminal (a carriage return, escape sequences, a
/// right-to-left override) is kept and shown with each of those a space: it was kept as sent,
/// and a program printing the error let the server rewrite its user's terminal.
#[test]
fn a_server_message_cannot_drive_a_terminal() {
    let err = status_error(400, &[], &terminal_controls_body("message"));
    let api = err.api_error().unwrap();
    assert_eq!(api.message(), Some(TERMINAL_CONTROLS_SHOWN));
    assert_shows_no_terminal_control(&err.to_string());
}

/// A body that does not fit the model, whose keys and values would drive a terminal, is
/// reported with each control character a space: the path names the server's key, the reason
/// may quote its value. Both were shown as sent.
#[test]
fn a_body_that_does_not_fit_cannot_drive_a_terminal() {
    let body = serde_json::json!({ format!("lock{TERMINAL_CONTROLS}"): 5 }).to_string();
    let err = status_error(200, &[], &body);
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert_shows_no_terminal_control(&err.to_string());
}
