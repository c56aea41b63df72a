//! The fault matrix of the Verify client: every fault of `test_support::fault_server` against a read
//! (`verifications().fetch`) and the calls that reach a person or spend an attempt (a
//! verification start, a verification check, a push challenge), through the public client with
//! short timeouts.
//!
//! For each cell: the typed outcome, how many requests the server saw (a start, a check or a
//! challenge is never sent twice), that no redirect was followed, and that the call ended within
//! its deadline. `cargo test -p twilio-verify --test reliability_faults -- --nocapture
//! --test-threads=1` prints the rows of `docs/reliability.md`.

use test_support::errors::answered_error;
use test_support::fault_server as server;
use test_support::fixture;
use test_support::{fault_matrix, fault_outcome, kind_by_name};

use std::time::Duration;

use fault_matrix::{CAP, Outcome, RETRIES, TIMEOUT, matrix, transient_faults};
use server::{Act, FaultServer, Recorded, Success};
use twilio_verify::{
    ApiErrorReason, Challenge, Channel, CheckOutcome, Credentials, Error, Identity, NewChallenge,
    ServiceSid, Verification, VerificationCheck, VerifyClient,
};

const KEY_SID: &str = "SK00000000000000000000000000000009";
const KEY_SECRET: &str = "api-key-secret-value";

fn client(base: &str) -> VerifyClient {
    VerifyClient::builder(Credentials::api_key(KEY_SID, KEY_SECRET))
        .base_url(base)
        .timeout(TIMEOUT)
        .max_retries(RETRIES)
        .max_body(CAP)
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn service() -> ServiceSid {
    ServiceSid::new("VA00000000000000000000000000000001").unwrap_or_else(|e| panic!("{e}"))
}

/// The classes of call of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// `verifications().fetch`: a read, retried within the policy.
    Fetch,
    /// `verifications().start`: sends an SMS, never resent.
    Start,
    /// `verifications().check_to`: spends an attempt, never resent.
    Check,
    /// `challenges().create`: pushes an approval request, never resent.
    Push,
}

impl fault_matrix::Class for Class {
    type Kind = ApiErrorReason;
    kind_by_name!(ApiErrorReason);
    type Client = VerifyClient;

    const ALL: &'static [Class] = &[Class::Fetch, Class::Start, Class::Check, Class::Push];

    fn client(base: &str) -> VerifyClient {
        client(base)
    }

    fn name(self) -> &'static str {
        match self {
            Class::Fetch => "verifications().fetch",
            Class::Start => "verifications().start",
            Class::Check => "verifications().check_to",
            Class::Push => "challenges().create (push)",
        }
    }

    fn retried(self) -> bool {
        self == Class::Fetch
    }

    /// A lost answer of a start, a check or a push says the outcome is unknown.
    fn remote_operation(self) -> bool {
        self != Class::Fetch
    }

    fn success(self) -> Success {
        Success::json(fixture!(self.fixture()))
    }

    fn check_request(request: &Recorded) {
        assert_eq!(
            request.header("authorization"),
            Some(
                "Basic U0swMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwOTphcGkta2V5LXNlY3JldC12YWx1ZQ=="
            )
        );
    }

    fn call(self, client: &VerifyClient, _base: &str) -> Outcome<ApiErrorReason> {
        let expected = fixture!(self.fixture());
        let service = service();
        let identity =
            Identity::new("ff483d1ff591898a9942916050d2ca3f").unwrap_or_else(|e| panic!("{e}"));
        let result = match self {
            Class::Fetch => client
                .verifications(&service)
                .fetch(
                    &"VE00000000000000000000000000000001"
                        .parse()
                        .unwrap_or_else(|e| panic!("{e}")),
                )
                .map(|got| {
                    let want: Verification =
                        serde_json::from_str(&expected).unwrap_or_else(|e| panic!("{e}"));
                    assert_eq!(got.sid, want.sid);
                    assert_eq!(got.status, want.status);
                }),
            Class::Start => client
                .verifications(&service)
                .start("+15555550100", Channel::Sms)
                .map(|got| {
                    let want: Verification =
                        serde_json::from_str(&expected).unwrap_or_else(|e| panic!("{e}"));
                    assert_eq!(got.sid, want.sid);
                }),
            Class::Check => client
                .verifications(&service)
                .check_to("+15555550100", "123456")
                .map(|got| {
                    let want: VerificationCheck =
                        serde_json::from_str(&expected).unwrap_or_else(|e| panic!("{e}"));
                    let CheckOutcome::Approved(got) = got else {
                        panic!("not approved: {got:?}")
                    };
                    assert_eq!((&got.sid, &got.status), (&want.sid, &want.status));
                    let whole: serde_json::Value =
                        serde_json::from_str(&expected).unwrap_or_else(|e| panic!("{e}"));
                    assert_eq!(got.raw(), &whole);
                }),
            Class::Push => client
                .challenges(&service, &identity)
                .create(&NewChallenge::push(
                    "YF00000000000000000000000000000002"
                        .parse()
                        .unwrap_or_else(|e| panic!("{e}")),
                    "Unlock the front door?",
                ))
                .map(|got| {
                    let want: Challenge =
                        serde_json::from_str(&expected).unwrap_or_else(|e| panic!("{e}"));
                    assert_eq!(got.sid, want.sid);
                    assert_eq!(got.status, want.status);
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
            Class::Fetch | Class::Start => "verification_create_pending.json",
            Class::Check => "verification_check_approved.json",
            Class::Push => "challenge_push_pending.json",
        }
    }
}

/// What the matrix compares of an error.
///
/// A timeout or a lost connection counts as one of a remote operation when it carries what to
/// check.
fn outcome(error: &Error) -> Outcome<ApiErrorReason> {
    fault_outcome!(Error, error, |e: &Error| matches!(
        e,
        Error::Timeout { check: Some(_), .. } | Error::ConnectionLost { check: Some(_), .. }
    ))
}

#[test]
fn read_verification() {
    matrix(Class::Fetch);
}

#[test]
fn verification_start() {
    matrix(Class::Start);
}

#[test]
fn verification_check() {
    matrix(Class::Check);
}

#[test]
fn push_challenge() {
    matrix(Class::Push);
}

/// A fault that happens once: the read recovers with exactly one more request; a start, a
/// check or a push is never sent again.
#[test]
fn a_transient_fault_is_retried_for_reads_only() {
    transient_faults::<Class>();
}

/// A check that timed out says what to look at; a rate-limited start keeps `Retry-After`.
#[test]
fn errors_say_what_to_do_next() {
    let short = Duration::from_millis(300);
    let stall = FaultServer::always(vec![Act::Wait(short * 4)]);
    let error = VerifyClient::builder(Credentials::api_key(KEY_SID, KEY_SECRET))
        .base_url(stall.url())
        .timeout(short)
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
        .verifications(&service())
        .check_to("+15555550100", "123456")
        .err()
        .unwrap_or_else(|| panic!("a stalled check succeeded"));
    assert!(error.is_timeout());
    assert!(error.outcome_unknown());
    assert_eq!(
        error.to_string(),
        "POST /v2/Services/VA00000000000000000000000000000001/VerificationCheck got no answer within 300 ms; the outcome is unknown: the code may have been accepted, and an accepted verification is deleted (a second check answers not found); do not check again, fetch the verification: not found after a lost answer may mean approved"
    );
    assert_eq!(stall.request_count(), 1);

    // Answered once: a rate-limited start is not sent again.
    let limited = answered_error(
        (
            "POST",
            "/v2/Services/VA00000000000000000000000000000001/Verifications",
        ),
        429,
        &[("retry-after", "1")],
        &fixture!("error_60203_max_send_attempts.json"),
        |url| {
            client(url)
                .verifications(&service())
                .start("+15555550100", Channel::Sms)
        },
    );
    match limited {
        Err(Error::Api(e)) => {
            assert_eq!(e.status(), 429);
            assert_eq!(e.code(), Some(60203));
            assert_eq!(e.reason(), ApiErrorReason::MaxSendAttempts);
            assert_eq!(e.retry_after(), Some(std::time::Duration::from_secs(1)));
            assert_eq!(e.attempts(), 1);
        }
        other => panic!("expected a 429 error, got {other:?}"),
    }
}
