//! The fault matrix of the August client: every fault of `test_support::fault_server` against each
//! class of call (a read, a remote lock operation, a login, a verification code, a doorbell
//! image), through the public `Api` with short timeouts.
//!
//! For each cell: the typed outcome, how many requests the server saw (a lock operation, a
//! login or a verification code is never sent twice), that no redirect was followed, and that
//! the call ended within its one deadline (every attempt and wait included) and a small margin. `cargo test -p august-core --test reliability_faults -- --nocapture` prints
//! the table of `docs/reliability.md`.

use test_support::fault_server as server;
use test_support::{fault_matrix, kind_by_name};

use std::time::Duration;

use august_core::{Api, ApiErrorReason, Error, LockDetail, LockStatus, LoginMethod};
use fault_matrix::{CAP, Outcome, RETRIES, TIMEOUT, matrix, transient_faults};
use server::{Act, FaultServer, Success};

const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE5MDAwMDAwMDB9.c2lnbmF0dXJl";

fn client(base: &str) -> Api {
    Api::builder()
        .base_url(base)
        .timeout(TIMEOUT)
        .command_timeout(TIMEOUT)
        .max_retries(RETRIES)
        .max_body(CAP)
        .max_image(CAP)
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The classes of call of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// `get_lock_detail`: a read, retried within the policy.
    Read,
    /// `unlock`: a remote lock operation, never resent.
    Unlock,
    /// `get_session`: a login, never resent.
    Login,
    /// `validate_verification_code`: never resent; any 2xx accepts the code.
    Validate,
    /// `get_image`: a doorbell snapshot from an absolute URL, a read.
    Image,
}

impl fault_matrix::Class for Class {
    type Kind = ApiErrorReason;
    kind_by_name!(ApiErrorReason);
    type Client = Api;

    const ALL: &'static [Class] = &[
        Class::Read,
        Class::Unlock,
        Class::Login,
        Class::Validate,
        Class::Image,
    ];

    fn client(base: &str) -> Api {
        client(base)
    }

    fn name(self) -> &'static str {
        match self {
            Class::Read => "get_lock_detail",
            Class::Unlock => "unlock",
            Class::Login => "get_session",
            Class::Validate => "validate_verification_code",
            Class::Image => "get_image",
        }
    }

    fn retried(self) -> bool {
        matches!(self, Class::Read | Class::Image)
    }

    fn remote_operation(self) -> bool {
        self == Class::Unlock
    }

    fn reads_json(self) -> bool {
        matches!(self, Class::Read | Class::Unlock | Class::Login)
    }

    fn success(self) -> Success {
        match self {
            Class::Read => Success::json(test_support::fixture!("get_lock.online.json")),
            Class::Unlock => Success::json(test_support::fixture!("unlock.json")),
            Class::Login => Success::json(
                r#"{"expiresAt":"2099-03-06T22:55:12.002Z","vPassword":true,"vInstallId":true,"hasInstallId":true}"#,
            )
            .with_header("x-august-access-token", "NEW-SESSION-TOKEN"),
            Class::Validate => Success::json("{}"),
            Class::Image => Success {
                body: (0..4096u32).map(|i| (i % 251) as u8).collect(),
                content_type: "image/jpeg",
                headers: Vec::new(),
            },
        }
    }

    fn call(self, api: &Api, base: &str) -> Outcome<ApiErrorReason> {
        match self {
            Class::Read => match api.get_lock_detail(TOKEN, "A6697750D607098BAE8D6BAA11EF8063") {
                Ok(detail) => {
                    let expected: LockDetail =
                        serde_json::from_str(&test_support::fixture!("get_lock.online.json"))
                            .unwrap_or_else(|e| panic!("{e}"));
                    assert_eq!(detail, expected);
                    Outcome::Ok
                }
                Err(e) => outcome(&e),
            },
            Class::Unlock => match api.unlock(TOKEN, "ABC") {
                Ok(status) => {
                    assert_eq!(status, LockStatus::Unlocked);
                    Outcome::Ok
                }
                Err(e) => outcome(&e),
            },
            Class::Login => match api.get_session(
                "install-1",
                &LoginMethod::Phone.identifier("+15555550100"),
                "hunter2",
            ) {
                Ok(session) => {
                    assert_eq!(session.access_token(), "NEW-SESSION-TOKEN");
                    assert!(session.password_verified() && session.install_id_verified());
                    Outcome::Ok
                }
                Err(e) => outcome(&e),
            },
            Class::Validate => {
                match api.validate_verification_code(
                    TOKEN,
                    LoginMethod::Phone,
                    "+15555550100",
                    "012345",
                ) {
                    Ok(()) => Outcome::Ok,
                    Err(e) => outcome(&e),
                }
            }
            Class::Image => {
                match api.get_image(&format!("{base}/snapshot.jpg?sig=abc"), "CONTENT-TOKEN") {
                    // Bytes are returned as served (the image class does not read them).
                    Ok(image) => {
                        assert!(!image.bytes().is_empty());
                        Outcome::Ok
                    }
                    Err(e) => outcome(&e),
                }
            }
        }
    }
}

/// What the matrix compares of an error.
fn outcome(error: &Error) -> Outcome<ApiErrorReason> {
    match error {
        Error::Api(e) => Outcome::Api(e.status(), e.reason()),
        Error::Decode { .. } => Outcome::Decode,
        Error::NotDelivered { .. } => Outcome::NotDelivered,
        Error::Timeout {
            remote_operation, ..
        } => Outcome::Timeout {
            remote_operation: *remote_operation,
        },
        Error::ConnectionLost {
            remote_operation, ..
        } => Outcome::ConnectionLost {
            remote_operation: *remote_operation,
        },
        Error::ResponseTooLarge { .. } => Outcome::TooLarge,
        Error::InvalidInput { .. } => Outcome::InvalidInput,
        other => panic!("unexpected error variant: {other:?}"),
    }
}

#[test]
fn read_get_lock_detail() {
    matrix(Class::Read);
}

#[test]
fn remote_operation_unlock() {
    matrix(Class::Unlock);
}

#[test]
fn login_get_session() {
    matrix(Class::Login);
}

#[test]
fn verification_validate_code() {
    matrix(Class::Validate);
}

#[test]
fn doorbell_image() {
    matrix(Class::Image);
}

/// A fault that happens once: a read recovers with exactly one more request; nothing else is
/// sent again.
#[test]
fn a_transient_fault_is_retried_for_reads_only() {
    transient_faults::<Class>();
}

/// The error of a lock operation that timed out says the outcome is unknown; a read's says to
/// try again; a 429's keeps the server's `Retry-After` and the number of attempts.
#[test]
fn errors_say_what_to_do_next() {
    let stall = FaultServer::always(vec![Act::Wait(TIMEOUT * 4)]);
    let api = client(&stall.url());
    let error = api.unlock(TOKEN, "ABC").err();
    let error = error.unwrap_or_else(|| panic!("a stalled unlock succeeded"));
    assert!(error.outcome_unknown());
    assert!(error.is_timeout());
    let text = error.to_string();
    assert_eq!(
        text,
        format!(
            "PUT /remoteoperate/ABC/unlock got no answer within {} ms; the outcome is unknown: the lock may have moved, read its status before trying again",
            TIMEOUT.as_millis()
        )
    );
    let error = api
        .get_lock_detail(TOKEN, "A1")
        .err()
        .unwrap_or_else(|| panic!("a stalled read succeeded"));
    assert_eq!(
        error.to_string(),
        format!(
            "GET /locks/A1 got no answer within {} ms; try again later",
            TIMEOUT.as_millis()
        )
    );

    let limited = FaultServer::fixed(
        429,
        &[("retry-after", "1"), ("content-type", "application/json")],
        br#"{"message":"slow down","code":429}"#,
    );
    let api = client(&limited.url());
    match api.get_lock_detail(TOKEN, "A1") {
        Err(Error::Api(e)) => {
            assert_eq!(e.reason(), ApiErrorReason::RateLimited);
            assert_eq!(e.retry_after(), Some(Duration::from_secs(1)));
            assert_eq!(e.attempts(), 3);
            assert_eq!(e.message(), Some("slow down"));
            assert_eq!(
                e.to_string(),
                "GET /locks/A1 failed with status 429: rate limited: wait before trying again; the server said: slow down; retry after 1 s (after 3 attempts)"
            );
        }
        other => panic!("expected a 429 error, got {other:?}"),
    }
    match api.unlock(TOKEN, "ABC") {
        Err(Error::Api(e)) => {
            assert_eq!(e.attempts(), 1);
            assert_eq!(e.retry_after(), Some(Duration::from_secs(1)));
        }
        other => panic!("expected a 429 error, got {other:?}"),
    }
    assert_eq!(limited.request_count(), 4);
}

// ----- what did not leave the machine, and what cannot be read -----

/// A client that gives up quickly, for the faults below.
fn quick(base: &str) -> Api {
    Api::builder()
        .base_url(base)
        .timeout(Duration::from_secs(5))
        .command_timeout(Duration::from_secs(5))
        .max_retries(RETRIES)
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The read and the lock operation every fault below is tried on.
fn read_and_unlock(api: &Api, token: &str) -> [(&'static str, Result<(), Error>); 2] {
    [
        ("get_locks", api.get_locks(token).map(drop)),
        ("unlock", api.unlock(token, "L1").map(drop)),
    ]
}

/// A host name that does not resolve and a refused connection: `NotDelivered`, never "outcome
/// unknown", for a read and for `unlock`.
#[test]
fn a_failed_lookup_or_a_refused_connection_is_not_delivered() {
    let unresolved = quick("https://nonexistent.invalid");
    let refused = quick(&server::refused_url());
    for (what, api) in [("lookup", unresolved), ("refused", refused)] {
        for (call, result) in read_and_unlock(&api, TOKEN) {
            let Err(error) = result else {
                panic!("{what} / {call}: succeeded");
            };
            assert!(
                matches!(error, Error::NotDelivered { .. }),
                "{what} / {call}: {error:?}"
            );
            assert!(!error.outcome_unknown(), "{what} / {call}");
            let text = error.to_string();
            assert!(text.contains("was not delivered"), "{text}");
            assert!(
                !text.contains("outcome unknown") && !text.contains("may have"),
                "{text}"
            );
        }
    }
}

/// A token with a character that cannot be sent in a header: refused before sending, as
/// invalid input, and not retried.
#[test]
fn a_token_that_cannot_be_sent_is_invalid_input() {
    let server = FaultServer::always(server::json(200, b"[]"));
    let api = quick(&server.url());
    for (call, result) in read_and_unlock(&api, "tok\u{e9}n-\u{1F511}") {
        let Err(error) = result else {
            panic!("{call}: succeeded");
        };
        assert!(
            matches!(error, Error::InvalidInput { .. }),
            "{call}: {error:?}"
        );
        assert!(
            error.to_string().contains("x-august-access-token"),
            "{error}"
        );
    }
    assert_eq!(server.request_count(), 0);
}

/// A gzip body that does not decompress: a decoding error, sent once, for a read and for
/// `unlock` (whose error says the server accepted the operation).
#[test]
fn a_corrupt_gzip_body_is_a_decode_error_sent_once() {
    let server = FaultServer::fixed(
        200,
        &[
            ("content-type", "application/json"),
            ("content-encoding", "gzip"),
        ],
        b"\x1f\x8b\x08\x00 this is not a deflate stream",
    );
    let api = quick(&server.url());
    for (call, result) in read_and_unlock(&api, TOKEN) {
        let Err(error) = result else {
            panic!("{call}: succeeded");
        };
        assert!(matches!(error, Error::Decode { .. }), "{call}: {error:?}");
        assert!(error.to_string().contains("gzip"), "{error}");
        if call == "unlock" {
            assert!(
                error.to_string().contains("accepted the operation"),
                "{error}"
            );
        }
    }
    assert_eq!(server.request_count(), 2);
}

/// A JSON document followed by anything else is a decoding error, for a read, for `unlock`
/// and for the activity feed (read in one pass).
#[test]
fn a_json_document_followed_by_garbage_is_a_decode_error() {
    for tail in [" garbage", "{}", "]", "\u{0}"] {
        let locks = format!("{}{tail}", test_support::fixture!("get_locks.json"));
        let unlock = format!("{}{tail}", test_support::fixture!("unlock.json"));
        let activities = format!(
            "{}{tail}",
            test_support::fixture!("get_house_activities.json")
        );
        let server = FaultServer::start(move |request| {
            let body = match request.path() {
                "/users/locks/mine" => &locks,
                "/remoteoperate/L1/unlock" => &unlock,
                _ => &activities,
            };
            server::json(200, body.as_bytes())
        });
        let api = quick(&server.url());
        let mut results = Vec::from(read_and_unlock(&api, TOKEN));
        results.push((
            "get_house_activities",
            api.get_house_activities(TOKEN, "h1", 10).map(drop),
        ));
        for (call, result) in results {
            let Err(error) = result else {
                panic!("{call} accepted a document followed by {tail:?}");
            };
            assert!(
                matches!(error, Error::Decode { .. }),
                "{call} / {tail:?}: {error:?}"
            );
        }
        assert_eq!(server.request_count(), 3, "{tail:?}");
    }
}
