//! The runner of the clients' fault matrices: every fault of [`crate::fault_server`] against
//! each class of call, with what the retry policy promises for each cell.
//!
//! Used by `tests/reliability_faults.rs` of `august-core`, `authy-client` and
//! `twilio-verify`. A client describes its classes of call ([`Class`]) and how its errors reduce to an [`Outcome`]; the
//! runner serves each fault, makes the call, and checks the outcome, the number of requests the
//! server saw (a call that makes the server act is never sent twice), that no redirect was
//! followed, that `Retry-After` was waited for, and that the call ended within its one
//! deadline and a small margin. `--nocapture` prints the rows of `docs/reliability.md`.

use std::fmt::Debug;
use std::time::{Duration, Instant};

use crate::fault_server::{Act, Fault, FaultServer, Recorded, Success, in_parallel, refused_url};

/// The timeout of every call (and of remote operations): the deadline of the whole call,
/// attempts and waits included. Long enough for a read to make all its retries, `Retry-After:
/// 1` twice included; a stalled server is given four times as long.
pub const TIMEOUT: Duration = Duration::from_secs(3);
/// The largest body a client accepts.
pub const CAP: u64 = 16 * 1024;
/// The retries a read may make.
pub const RETRIES: u32 = 2;
/// Scheduling slack on top of the computed bound.
const MARGIN: Duration = Duration::from_millis(400);

/// What the matrix needs of a client's error kind.
pub trait Kind: Debug + Clone + PartialEq + Send + 'static {}

impl<K: Debug + Clone + PartialEq + Send + 'static> Kind for K {}

/// Inside `impl Class`: the kinds of the matrix's statuses ([`Class::RATE_LIMITED`] and the
/// others) for a client's error reason whose variants are named as the matrix names them
/// (`RateLimited`, `ServerError`, `Forbidden`, `Redirect`).
#[macro_export]
macro_rules! kind_by_name {
    ($reason:ident) => {
        const RATE_LIMITED: $reason = $reason::RateLimited;
        const SERVER_ERROR: $reason = $reason::ServerError;
        const FORBIDDEN: $reason = $reason::Forbidden;
        const REDIRECT: $reason = $reason::Redirect;
    };
}

/// What a call gave, reduced to what the matrix compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<K> {
    /// The call succeeded and its value matched the served fixture.
    Ok,
    /// An answer with an error status: the status and the client's kind for it.
    Api(u16, K),
    /// A 2xx body that does not decode.
    Decode,
    /// Nothing reached the server.
    NotDelivered,
    /// No (complete) answer in time; `remote_operation` when the error says the outcome is
    /// unknown.
    Timeout {
        /// The error says the lock may have moved.
        remote_operation: bool,
    },
    /// The connection broke before a complete answer.
    ConnectionLost {
        /// The error says the lock may have moved.
        remote_operation: bool,
    },
    /// The body was larger than the cap.
    TooLarge,
    /// The call was refused before sending.
    InvalidInput,
}

/// A class of call of a client.
pub trait Class: Copy + Debug + PartialEq + Send + Sync + 'static {
    /// The client's error kinds.
    type Kind: Kind;
    /// The kind of a 429.
    const RATE_LIMITED: Self::Kind;
    /// The kind of a 5xx.
    const SERVER_ERROR: Self::Kind;
    /// The kind of a 403.
    const FORBIDDEN: Self::Kind;
    /// The kind of a 3xx that was not followed.
    const REDIRECT: Self::Kind;
    /// The client, built for a base URL with the matrix's timeouts, retries and caps.
    type Client;

    /// Every class of the client.
    const ALL: &'static [Self];

    /// Builds the client for `base`.
    fn client(base: &str) -> Self::Client;
    /// The call's name in the report.
    fn name(self) -> &'static str;
    /// Whether the call may be sent again (a read).
    fn retried(self) -> bool;
    /// Whether the call moves a lock (its timeouts say the outcome is unknown).
    fn remote_operation(self) -> bool {
        false
    }
    /// Whether the call decodes a 2xx body (else a bad body still succeeds).
    fn reads_json(self) -> bool {
        true
    }
    /// The answer of a server without fault.
    fn success(self) -> Success;
    /// Makes the call; a success is checked against the fixture it was served from.
    fn call(self, client: &Self::Client, base: &str) -> Outcome<Self::Kind>;
    /// Checks what every request carried (credentials, say).
    fn check_request(request: &Recorded) {
        let _ = request;
    }
}

/// What the policy promises for a fault that never goes away: the outcome and the number of
/// requests the server sees.
pub fn expected<C: Class>(class: C, fault: Fault) -> (Outcome<C::Kind>, usize) {
    let remote_operation = class.remote_operation();
    let all = if class.retried() {
        1 + RETRIES as usize
    } else {
        1
    };
    let body_problem = if class.reads_json() {
        Outcome::Decode
    } else {
        // A body that is not read, or bytes whatever they are, cannot be wrong.
        Outcome::Ok
    };
    match fault {
        Fault::RateLimitedRetryAfter | Fault::RateLimited => {
            (Outcome::Api(429, C::RATE_LIMITED), all)
        }
        Fault::Status500 => (Outcome::Api(500, C::SERVER_ERROR), 1),
        Fault::Status502 => (Outcome::Api(502, C::SERVER_ERROR), all),
        Fault::Status503 => (Outcome::Api(503, C::SERVER_ERROR), all),
        Fault::Status504 => (Outcome::Api(504, C::SERVER_ERROR), all),
        Fault::Html403 => (Outcome::Api(403, C::FORBIDDEN), 1),
        Fault::Refused => (Outcome::NotDelivered, 0),
        Fault::ResetMidBody | Fault::TruncatedTransfer | Fault::CloseWithoutAnswer => {
            (Outcome::ConnectionLost { remote_operation }, all)
        }
        Fault::TruncatedJson | Fault::HtmlAsJson => (body_problem, 1),
        Fault::Stall | Fault::TrickleSlow => (Outcome::Timeout { remote_operation }, 1),
        Fault::TrickleFast | Fault::JsonAsHtml => (Outcome::Ok, 1),
        Fault::Oversized => (Outcome::TooLarge, 1),
        Fault::RedirectOtherHost | Fault::RedirectHttp => (Outcome::Api(302, C::REDIRECT), 1),
    }
}

/// The longest a cell may take: one deadline for the whole call, every attempt and wait
/// included, plus scheduling slack.
fn bound() -> Duration {
    TIMEOUT + MARGIN
}

/// One call under one fault.
struct Cell<C: Class> {
    class: C,
    fault: Fault,
    /// The fault happened on the first request only.
    once: bool,
    outcome: Outcome<C::Kind>,
    requests: usize,
    decoy_requests: usize,
    elapsed: Duration,
    gaps: Vec<Duration>,
}

fn run<C: Class>(class: C, fault: Fault, once: bool) -> Cell<C> {
    let decoy = FaultServer::always(vec![Act::Close]);
    let success = class.success();
    let script = fault.script(&success, TIMEOUT, CAP as usize, &decoy.url());
    let server = FaultServer::start(move |request| {
        if once && request.index > 0 {
            success.script()
        } else {
            script.clone()
        }
    });
    let base = if fault == Fault::Refused {
        refused_url()
    } else {
        server.url()
    };
    let client = C::client(&base);
    let started = Instant::now();
    let outcome = class.call(&client, &base);
    let elapsed = started.elapsed();
    let requests = server.requests();
    requests.iter().for_each(C::check_request);
    Cell {
        class,
        fault,
        once,
        outcome,
        requests: requests.len(),
        decoy_requests: decoy.request_count(),
        elapsed,
        gaps: requests
            .windows(2)
            .map(|w| w[1].at.duration_since(w[0].at))
            .collect(),
    }
}

/// Prints each cell's row and returns what differs from the promise.
fn check<C: Class>(cells: &[Cell<C>]) -> Vec<String> {
    let mut failures = Vec::new();
    for cell in cells {
        let once = if cell.once { " once" } else { "" };
        let what = format!("{} / {}{once}", cell.class.name(), cell.fault.name());
        let (outcome, requests) = if cell.once {
            // A read recovers with exactly one more request; nothing else is sent again.
            if cell.class.retried() {
                (Outcome::Ok, 2)
            } else {
                (expected(cell.class, cell.fault).0, 1)
            }
        } else {
            expected(cell.class, cell.fault)
        };
        println!(
            "| {} | {}{once} | {:?} | {} | {} ms |",
            cell.class.name(),
            cell.fault.name(),
            cell.outcome,
            cell.requests,
            cell.elapsed.as_millis()
        );
        if cell.outcome != outcome || cell.requests != requests {
            failures.push(format!(
                "{what}: got {:?} after {} requests, expected {outcome:?} after {requests}",
                cell.outcome, cell.requests
            ));
        }
        let limit = bound();
        if cell.elapsed > limit {
            failures.push(format!(
                "{what}: took {} ms, bound {} ms",
                cell.elapsed.as_millis(),
                limit.as_millis()
            ));
        }
        if cell.decoy_requests != 0 {
            failures.push(format!("{what}: a redirect was followed"));
        }
        if cell.fault == Fault::RateLimitedRetryAfter
            && cell.gaps.iter().any(|g| *g < Duration::from_millis(950))
        {
            failures.push(format!("{what}: Retry-After not honoured: {:?}", cell.gaps));
        }
    }
    failures
}

/// Every fault, that never goes away, against `class`.
pub fn matrix<C: Class>(class: C) {
    let cells = in_parallel(Fault::ALL.to_vec(), move |fault| run(class, fault, false));
    let failures = check(&cells);
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Every transient fault, on the first request only, against every class.
pub fn transient_faults<C: Class>() {
    let cells: Vec<(C, Fault)> = C::ALL
        .iter()
        .flat_map(|c| Fault::TRANSIENT.into_iter().map(move |f| (*c, f)))
        .collect();
    let cells = in_parallel(cells, |(class, fault)| run(class, fault, true));
    let failures = check(&cells);
    assert!(failures.is_empty(), "{failures:#?}");
}
