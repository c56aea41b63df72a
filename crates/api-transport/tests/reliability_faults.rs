//! The transport under every fault of the matrix, for a request that may be retried
//! (`Retry::Safe`) and one that may not (`Retry::Never`): the outcome, how many requests the
//! server saw, and how long the call took.
//!
//! The clients' own matrices (`august-core`, `authy-client`) repeat this through their public
//! calls; this one pins the layer they share, with a fast backoff so that it runs in about two
//! seconds.

use test_support::fault_server as server;

use std::time::{Duration, Instant};

use api_transport::{Error, Method, Path, Request, Response, Retry, Transport};
use server::{Act, Fault, FaultServer, Success, in_parallel, refused_url};

const TIMEOUT: Duration = Duration::from_millis(800);
const CAP: u64 = 16 * 1024;
const RETRIES: u32 = 2;
const BACKOFF: Duration = Duration::from_millis(20);
/// Scheduling slack allowed on top of the computed bound.
const MARGIN: Duration = Duration::from_millis(400);
const BODY: &[u8] = br#"{"LockID":"A1","LockName":"Front Door","status":"kAugLockState_Locked","padding":"0123456789abcdefghijklmnopqrstuvwxyz"}"#;

fn transport() -> Transport {
    Transport::builder()
        .timeout(TIMEOUT)
        .max_body(CAP)
        .max_retries(RETRIES)
        .initial_backoff(BACKOFF)
        .max_backoff(BACKOFF)
        .build()
}

/// What a call gave, reduced to what the matrix compares.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Status(u16),
    InvalidRequest,
    NotDelivered,
    Timeout,
    ConnectionLost,
    TooLarge,
    Undecodable,
}

fn outcome(result: &Result<api_transport::Response, Error>) -> Outcome {
    match result {
        Ok(r) => Outcome::Status(r.status()),
        Err(Error::InvalidRequest { .. }) => Outcome::InvalidRequest,
        Err(Error::NotDelivered { .. }) => Outcome::NotDelivered,
        Err(Error::Timeout { .. }) => Outcome::Timeout,
        Err(Error::ConnectionLost { .. }) => Outcome::ConnectionLost,
        Err(Error::ResponseTooLarge { .. }) => Outcome::TooLarge,
        Err(Error::Undecodable { .. }) => Outcome::Undecodable,
        Err(other) => panic!("unexpected error variant: {other:?}"),
    }
}

/// The outcome and request count the policy promises for a fault that never goes away.
fn expected(fault: Fault, retry: Retry) -> (Outcome, usize) {
    let all = if retry == Retry::Safe {
        1 + RETRIES as usize
    } else {
        1
    };
    match fault {
        // `Retry-After: 1` is longer than what is left of the call's 800 ms: not waited for.
        Fault::RateLimitedRetryAfter => (Outcome::Status(429), 1),
        Fault::RateLimited => (Outcome::Status(429), all),
        Fault::Status500 => (Outcome::Status(500), 1),
        Fault::Status502 => (Outcome::Status(502), all),
        Fault::Status503 => (Outcome::Status(503), all),
        Fault::Status504 => (Outcome::Status(504), all),
        Fault::Html403 => (Outcome::Status(403), 1),
        Fault::Refused => (Outcome::NotDelivered, 0),
        Fault::ResetMidBody | Fault::TruncatedTransfer | Fault::CloseWithoutAnswer => {
            (Outcome::ConnectionLost, all)
        }
        Fault::TruncatedJson | Fault::TrickleFast | Fault::JsonAsHtml | Fault::HtmlAsJson => {
            (Outcome::Status(200), 1)
        }
        Fault::Stall | Fault::TrickleSlow => (Outcome::Timeout, 1),
        Fault::Oversized => (Outcome::TooLarge, 1),
        Fault::RedirectOtherHost | Fault::RedirectHttp => (Outcome::Status(302), 1),
    }
}

struct Cell {
    fault: Fault,
    retry: Retry,
    outcome: Outcome,
    requests: usize,
    decoy_requests: usize,
    elapsed: Duration,
}

fn run(fault: Fault, retry: Retry) -> Cell {
    let decoy = FaultServer::always(vec![Act::Close]);
    let ok = Success::json(BODY);
    let script = fault.script(&ok, TIMEOUT, CAP as usize, &decoy.url());
    let server = FaultServer::always(script);
    let base = if fault == Fault::Refused {
        refused_url()
    } else {
        server.url()
    };
    let request = Request::new(Method::Get, &base, Path::new().lit("locks").seg("A1")).retry(retry);
    let started = Instant::now();
    let result = transport().send(&request);
    let elapsed = started.elapsed();
    let requests = server.requests();
    Cell {
        fault,
        retry,
        outcome: outcome(&result),
        requests: requests.len(),
        decoy_requests: decoy.request_count(),
        elapsed,
    }
}

/// The longest a call may take: one timeout for the whole call, every attempt and wait
/// included, plus scheduling slack.
fn bound() -> Duration {
    TIMEOUT + MARGIN
}

#[test]
fn every_fault_for_retried_and_unretried_requests() {
    let mut cells = Vec::new();
    for fault in Fault::ALL {
        for retry in [Retry::Safe, Retry::Never] {
            cells.push((fault, retry));
        }
    }
    let results = in_parallel(cells, |(fault, retry)| run(fault, retry));
    let mut failures = Vec::new();
    for cell in &results {
        let (outcome, requests) = expected(cell.fault, cell.retry);
        let limit = bound();
        println!(
            "| {} | {:?} | {:?} | {} | {} ms |",
            cell.fault.name(),
            cell.retry,
            cell.outcome,
            cell.requests,
            cell.elapsed.as_millis()
        );
        if cell.outcome != outcome || cell.requests != requests {
            failures.push(format!(
                "{} / {:?}: got {:?} after {} requests, expected {:?} after {}",
                cell.fault.name(),
                cell.retry,
                cell.outcome,
                cell.requests,
                outcome,
                requests
            ));
        }
        if cell.elapsed > limit {
            failures.push(format!(
                "{} / {:?}: took {} ms, bound {} ms",
                cell.fault.name(),
                cell.retry,
                cell.elapsed.as_millis(),
                limit.as_millis()
            ));
        }
        if cell.decoy_requests != 0 {
            failures.push(format!("{}: the redirect was followed", cell.fault.name()));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_transient_fault_costs_a_read_one_retry_and_a_write_nothing_more() {
    let cells: Vec<(Fault, Retry)> = Fault::TRANSIENT
        .into_iter()
        .flat_map(|f| [(f, Retry::Safe), (f, Retry::Never)])
        .collect();
    let results = in_parallel(cells, |(fault, retry)| {
        let ok = Success::json(BODY);
        let fault_script = fault.script(&ok, TIMEOUT, CAP as usize, "http://127.0.0.1:9");
        let server = FaultServer::start(move |r| {
            if r.index == 0 {
                fault_script.clone()
            } else {
                ok.script()
            }
        });
        let mut request =
            Request::new(Method::Get, &server.url(), Path::new().lit("x")).retry(retry);
        if fault == Fault::RateLimitedRetryAfter {
            // The call's deadline must leave room for the 1 s the server asks to wait.
            request = request.timeout(Duration::from_millis(1500));
        }
        let result = transport().send(&request);
        let requests = server.requests();
        let gap = requests.get(1).map(|r| r.at.duration_since(requests[0].at));
        (fault, retry, outcome(&result), requests.len(), gap)
    });
    for (fault, retry, got, requests, gap) in results {
        if fault == Fault::RateLimitedRetryAfter && retry == Retry::Safe {
            // The retry waits the second the server asked for.
            let gap = gap.expect("a second request");
            assert!(
                gap >= Duration::from_millis(950),
                "Retry-After not honoured: {gap:?}"
            );
        }
        match retry {
            Retry::Safe => {
                assert_eq!(got, Outcome::Status(200), "{}", fault.name());
                assert_eq!(requests, 2, "{}", fault.name());
            }
            Retry::Never => {
                assert_ne!(got, Outcome::Status(200), "{}", fault.name());
                assert_eq!(requests, 1, "{}", fault.name());
            }
        }
    }
}

/// Sends `GET /{path}` to `server` with `transport`: the result, and how long the call took.
fn timed_get(
    transport: &Transport,
    server: &FaultServer,
    path: &'static str,
) -> (Result<Response, Error>, Duration) {
    let started = Instant::now();
    let result = transport.send(&Request::new(
        Method::Get,
        &server.url(),
        Path::new().lit(path),
    ));
    (result, started.elapsed())
}

#[test]
fn a_retry_after_longer_than_the_cap_returns_at_once() {
    let server = FaultServer::fixed(503, &[("retry-after", "3600")], b"");
    let (result, elapsed) = timed_get(&transport(), &server, "x");
    let response = result.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 503);
    assert_eq!(response.attempts(), 1);
    assert_eq!(server.request_count(), 1);
    assert!(elapsed < TIMEOUT + MARGIN);
}

/// A `Retry-After` in seconds too many to count is longer than the cap, not absent: the answer
/// is returned at once, not retried after the backoff.
#[test]
fn a_retry_after_too_large_to_count_returns_at_once() {
    let server = FaultServer::fixed(503, &[("retry-after", "99999999999999999999")], b"");
    let (result, _) = timed_get(&transport(), &server, "x");
    let response = result.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 503);
    assert_eq!(server.request_count(), 1);
    assert_eq!(response.retry_after(), Some(Duration::MAX));
}

#[test]
fn default_policy_numbers() {
    assert_eq!(api_transport::DEFAULT_MAX_RETRIES, 3);
    assert_eq!(api_transport::DEFAULT_TIMEOUT, Duration::from_secs(10));
    assert_eq!(api_transport::DEFAULT_MAX_BODY, 1024 * 1024);
    assert_eq!(Transport::default().timeout(), Duration::from_secs(10));
}

// ----- one deadline per call -----

/// A transport as an application configures it: a 1 s timeout, the default backoff.
fn one_second() -> Transport {
    Transport::builder().timeout(Duration::from_secs(1)).build()
}

/// Attempts that each stall 0.9 s and then reset the connection: a second attempt could not
/// end within the 1 s of the call, so it is not started, and the call ends with the first
/// attempt's error.
#[test]
fn attempts_that_stall_then_reset_end_within_the_deadline() {
    let server = FaultServer::always(vec![Act::Wait(Duration::from_millis(900)), Act::Reset]);
    let (result, elapsed) = timed_get(&one_second(), &server, "locks");
    assert_eq!(outcome(&result), Outcome::ConnectionLost, "{result:?}");
    assert!(elapsed < Duration::from_millis(1200), "{elapsed:?}");
    assert_eq!(server.request_count(), 1);
}

/// `Retry-After: 3` with 1 s for the call: the wait is not started and the 503 is the answer.
#[test]
fn a_retry_after_past_the_deadline_returns_the_answer_at_once() {
    let server = FaultServer::fixed(
        503,
        &[("retry-after", "3"), ("content-type", "application/json")],
        br#"{"message":"busy"}"#,
    );
    let (result, elapsed) = timed_get(&one_second(), &server, "locks");
    let response = result.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 503);
    assert_eq!(response.retry_after(), Some(Duration::from_secs(3)));
    assert_eq!(response.attempts(), 1);
    assert!(elapsed < Duration::from_millis(1200), "{elapsed:?}");
    assert_eq!(server.request_count(), 1);
}

/// Slow 503s: the attempts that fit in the second are made, the one that would not is not,
/// and the last 503 is the answer.
#[test]
fn retries_stop_when_the_next_attempt_would_not_fit() {
    let mut script = vec![Act::Wait(Duration::from_millis(400))];
    script.extend(server::json(503, br#"{"message":"busy"}"#));
    let server = FaultServer::always(script);
    let transport = Transport::builder()
        .timeout(Duration::from_secs(1))
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_millis(10))
        .max_retries(5)
        .build();
    let (result, elapsed) = timed_get(&transport, &server, "locks");
    let response = result.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 503);
    assert_eq!(response.attempts(), 2);
    assert_eq!(server.request_count(), 2);
    assert!(elapsed < Duration::from_millis(1200), "{elapsed:?}");
}

/// A write gets the request's own timeout as its deadline too (a lock operation's command
/// timeout): a server that never answers ends the call at that deadline with a timeout.
#[test]
fn a_write_ends_at_its_own_deadline() {
    let server = FaultServer::always(vec![Act::Wait(Duration::from_secs(3))]);
    let started = Instant::now();
    let result = Transport::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .send(
            &Request::new(Method::Put, &server.url(), Path::new().lit("unlock"))
                .timeout(Duration::from_millis(500)),
        );
    let elapsed = started.elapsed();
    assert!(
        matches!(result, Err(Error::Timeout { after }) if after == Duration::from_millis(500)),
        "{result:?}"
    );
    assert!(elapsed < Duration::from_millis(800), "{elapsed:?}");
}

// ----- what did not leave the machine -----

/// A host name that does not resolve: not delivered (nothing was sent), for a read and for a
/// write alike. `.invalid` never resolves (RFC 6761); the lookup fails at once without a
/// network, and with one the name server says so.
#[test]
fn a_name_that_does_not_resolve_is_not_delivered() {
    for method in [Method::Get, Method::Put] {
        let result = Transport::builder()
            .timeout(Duration::from_secs(5))
            .initial_backoff(Duration::from_millis(1))
            .build()
            .send(&Request::new(
                method,
                "https://nonexistent.invalid",
                Path::new().lit("remoteoperate").seg("L1").lit("unlock"),
            ));
        let Err(err) = result else {
            panic!("{method}: a lookup of nonexistent.invalid succeeded");
        };
        assert!(
            matches!(err, Error::NotDelivered { .. }),
            "{method}: {err:?}"
        );
        assert!(!err.may_have_been_delivered());
        assert!(!err.to_string().contains("nonexistent"), "{err}");
    }
}

/// A refused connection: not delivered, for a read and for a write.
#[test]
fn a_refused_connection_is_not_delivered() {
    for method in [Method::Get, Method::Put] {
        let result = transport().send(&Request::new(method, &refused_url(), Path::new().lit("x")));
        assert_eq!(
            outcome(&result),
            Outcome::NotDelivered,
            "{method}: {result:?}"
        );
    }
}

/// A header value that cannot be sent (a non-ASCII character in a token, a line break) is
/// refused before anything is sent, and not retried.
#[test]
fn a_header_that_cannot_be_sent_is_refused_before_sending() {
    let server = FaultServer::always(server::json(200, b"{}"));
    for (method, value) in [
        (Method::Get, "tök€n"),
        (Method::Put, "token\r\nx-injected: 1"),
        (Method::Get, "token\u{0}"),
    ] {
        let request = Request::new(method, &server.url(), Path::new().lit("locks"))
            .secret_header("x-august-access-token", value);
        let result = transport().send(&request);
        let Err(Error::InvalidRequest { reason }) = &result else {
            panic!("{value:?}: {result:?}");
        };
        assert!(reason.contains("x-august-access-token"), "{reason}");
        assert!(!reason.contains(value), "{reason}");
    }
    assert_eq!(server.request_count(), 0);
}

/// A gzip body that does not decompress: a decoding error naming the status, sent once even
/// for a read that may be retried (the server did answer; asking again gives the same body).
#[test]
fn a_corrupt_gzip_body_is_undecodable_and_not_retried() {
    for (method, status) in [(Method::Get, 200), (Method::Put, 200), (Method::Get, 503)] {
        let server = FaultServer::fixed(
            status,
            &[
                ("content-type", "application/json"),
                ("content-encoding", "gzip"),
            ],
            b"\x1f\x8b\x08\x00garbage that is not a deflate stream at all",
        );
        let result = transport().send(&Request::new(
            method,
            &server.url(),
            Path::new().lit("locks"),
        ));
        assert!(
            matches!(&result, Err(Error::Undecodable { status: s, .. }) if *s == status),
            "{method} {status}: {result:?}"
        );
        assert_eq!(server.request_count(), 1, "{method} {status}");
    }
}

/// A request head ureq cannot write (a header line longer than its 128 KiB output buffer) is
/// refused before any byte is sent, and not retried; a query that long does not even make a
/// URL.
#[test]
fn a_request_head_too_long_to_send_is_refused_and_not_retried() {
    let server = FaultServer::always(server::json(200, b"{}"));
    let long = "a".repeat(200_000);
    for request in [
        Request::new(Method::Get, &server.url(), Path::new().lit("locks")).header("x-long", &long),
        Request::new(Method::Get, &server.url(), Path::new().lit("locks")).query("q", &long),
    ] {
        let result = transport().send(&request);
        assert!(
            matches!(&result, Err(Error::InvalidRequest { .. })),
            "{result:?}"
        );
    }
    assert!(server.connections() <= 1, "{}", server.connections());
    assert_eq!(server.request_count(), 0);
}
