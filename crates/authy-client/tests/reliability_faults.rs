//! The fault matrix of the Authy client: every fault of `test_support::fault_server` against a read
//! (`users().status`) and each call that makes Authy act (an SMS, a voice call, a OneTouch
//! request), through the public client with short timeouts.
//!
//! For each cell: the typed outcome, how many requests the server saw (an SMS, a call or a
//! OneTouch request is never sent twice), that no redirect was followed, and that the call ended
//! within its timeout (times the attempts a read may make, plus its waits) and a small margin.
//! `cargo test -p authy-client --test reliability_faults -- --nocapture` prints the table of
//! `docs/reliability.md`.

use test_support::errors::answered_error;
use test_support::fault_server as server;
use test_support::fixture;
use test_support::{fault_matrix, fault_outcome, kind_by_name};

use std::time::Duration;

use authy_client::{
    ApiErrorReason, ApprovalRequest, ApprovalRequestCreated, AuthyApiClient, AuthyId, Error,
    TokenDelivery, UserStatus,
};
use fault_matrix::{CAP, Outcome, RETRIES, TIMEOUT, matrix, transient_faults};
use server::{Act, FaultServer, Recorded, Success};

const API_KEY: &str = "AUTHY-API-KEY-0123456789";

fn client(base: &str) -> AuthyApiClient {
    AuthyApiClient::builder(API_KEY)
        .base_url(base)
        .timeout(TIMEOUT)
        .max_retries(RETRIES)
        .max_body(CAP)
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The classes of call of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// `users().status`: a read, retried within the policy.
    Status,
    /// `users().request_sms`: sends an SMS, never resent.
    Sms,
    /// `users().request_call`: starts a voice call, never resent.
    Call,
    /// `one_touch().send_request`: pushes an approval request, never resent.
    OneTouch,
}

impl fault_matrix::Class for Class {
    type Kind = ApiErrorReason;
    kind_by_name!(ApiErrorReason);
    type Client = AuthyApiClient;

    const ALL: &'static [Class] = &[Class::Status, Class::Sms, Class::Call, Class::OneTouch];

    fn client(base: &str) -> AuthyApiClient {
        client(base)
    }

    fn name(self) -> &'static str {
        match self {
            Class::Status => "users().status",
            Class::Sms => "users().request_sms",
            Class::Call => "users().request_call",
            Class::OneTouch => "one_touch().send_request",
        }
    }

    fn retried(self) -> bool {
        self == Class::Status
    }

    fn success(self) -> Success {
        Success::json(fixture!(self.fixture()))
    }

    fn check_request(request: &Recorded) {
        assert_eq!(request.header("x-authy-api-key"), Some(API_KEY));
    }

    /// Runs the call and checks a successful value against the fixture it was served from.
    fn call(self, client: &AuthyApiClient, _base: &str) -> Outcome<ApiErrorReason> {
        let id = AuthyId::new(1000);
        let expected = fixture!(self.fixture());
        let result = match self {
            Class::Status => client.users().status(id).map(|got| {
                let want: UserStatus =
                    serde_json::from_str(&expected).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(got, want);
            }),
            Class::Sms => client.users().request_sms(id).map(|got| {
                let want: TokenDelivery =
                    serde_json::from_str(&expected).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(got, want);
            }),
            Class::Call => client.users().request_call(id).map(|got| {
                let want: TokenDelivery =
                    serde_json::from_str(&expected).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(got, want);
            }),
            Class::OneTouch => client
                .one_touch()
                .send_request(id, &ApprovalRequest::new("Unlock the front door?"))
                .map(|got| {
                    let want: ApprovalRequestCreated =
                        serde_json::from_str(&expected).unwrap_or_else(|e| panic!("{e}"));
                    assert_eq!(got, want);
                }),
        };
        match result {
            Ok(()) => Outcome::Ok,
            Err(e) => outcome(&e),
        }
    }
}

impl Class {
    fn fixture(self) -> &'static str {
        match self {
            Class::Status => "users_status_ok.json",
            Class::Sms => "users_request_sms_ok.json",
            Class::Call => "users_request_call_ok.json",
            Class::OneTouch => "onetouch_create_ok.json",
        }
    }
}

/// What the matrix compares of an error.
/// The matrix expects no remote operation of Authy (`Class::remote_operation` is false).
fn outcome(error: &Error) -> Outcome<ApiErrorReason> {
    fault_outcome!(Error, error, |_: &Error| false)
}

#[test]
fn read_user_status() {
    matrix(Class::Status);
}

#[test]
fn sms_request() {
    matrix(Class::Sms);
}

#[test]
fn call_request() {
    matrix(Class::Call);
}

#[test]
fn onetouch_request() {
    matrix(Class::OneTouch);
}

/// A fault that happens once: the read recovers with exactly one more request; an SMS, a call
/// or a push is never sent again.
#[test]
fn a_transient_fault_is_retried_for_reads_only() {
    transient_faults::<Class>();
}

/// An SMS that timed out says Authy may have sent it; a rate-limited one keeps `Retry-After`.
#[test]
fn errors_say_what_to_do_next() {
    let stall = FaultServer::always(vec![Act::Wait(TIMEOUT * 4)]);
    let error = client(&stall.url())
        .users()
        .request_sms(AuthyId::new(1000))
        .err()
        .unwrap_or_else(|| panic!("a stalled sms request succeeded"));
    assert!(error.is_timeout());
    assert!(error.outcome_unknown());
    assert_eq!(
        error.to_string(),
        format!(
            "GET /protected/json/sms/1000 got no answer within {} ms; authy may have acted on it, so check before sending it again",
            TIMEOUT.as_millis()
        )
    );
    // Answered once: a rate-limited SMS request is not sent again.
    let limited = answered_error(
        ("GET", "/protected/json/sms/1000"),
        429,
        &[("retry-after", "1")],
        r#"{"message":"Too many requests","success":false,"error_code":"60010"}"#,
        |url| client(url).users().request_sms(AuthyId::new(1000)),
    );
    match limited {
        Err(Error::Api(e)) => {
            assert_eq!(e.status(), 429);
            assert_eq!(e.error_code(), Some(60010));
            assert_eq!(e.reason(), ApiErrorReason::LimitReached);
            assert_eq!(e.retry_after(), Some(Duration::from_secs(1)));
            assert_eq!(e.attempts(), 1);
        }
        other => panic!("expected a 429 error, got {other:?}"),
    }
}
