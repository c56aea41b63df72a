//! One `Api` shared by 16 threads making 1,000 mixed calls (lock details, lock lists, PINs,
//! unlocks) against a local keep-alive server: every answer reaches the thread that asked for
//! it, every call is sent exactly once, and the connections stay bounded by the threads.

use test_support::fault_server as server;

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use august_core::{Api, LockStatus};
use server::{Act, FaultServer};
use test_support::fixture;

const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE5MDAwMDAwMDB9.c2lnbmF0dXJl";
const THREADS: usize = 16;
const CALLS: usize = 1000;
const FIXTURE_LOCK_ID: &str = "A6697750D607098BAE8D6BAA11EF8063";

/// The lock id a thread uses for its `n`th call: unique to the call, so that an answer meant
/// for another call is noticed.
fn lock_id(thread: usize, n: usize) -> String {
    format!("L{thread:02}X{n:04}")
}

/// Answers by path, after 3 ms: a lock detail whose `LockID` and name echo the id asked for, the lock
/// list, the PIN list, an unlock result.
fn answer(path: &str, detail: &str, locks: &str, pins: &str, unlock: &str) -> Vec<Act> {
    let segments: Vec<&str> = path.split('/').collect();
    let body = match segments.as_slice() {
        ["", "locks", id] => detail
            .replace(FIXTURE_LOCK_ID, id)
            .replace("Front Door Lock", &format!("Lock {id}")),
        ["", "locks", _, "pins"] => pins.to_owned(),
        ["", "users", "locks", "mine"] => locks.to_owned(),
        ["", "remoteoperate", _, "unlock"] => unlock.to_owned(),
        _ => return vec![Act::Send(server::response(404, &[], b""))],
    };
    // A short pause per answer keeps many requests in flight at once.
    let mut script = vec![Act::Wait(Duration::from_millis(3))];
    script.extend(server::json(200, body.as_bytes()));
    script
}

#[test]
fn sixteen_threads_share_one_api() {
    let (detail, locks, pins, unlock) = (
        fixture!("get_lock.online.json"),
        fixture!("get_locks.json"),
        fixture!("get_pins.json"),
        fixture!("unlock.json"),
    );
    let server =
        FaultServer::start(move |request| answer(request.path(), &detail, &locks, &pins, &unlock));
    let api = Api::builder()
        .base_url(server.url())
        .timeout(Duration::from_secs(10))
        .command_timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let expected_pins = api_pin_count();
    let api = Arc::new(api);
    let started = Instant::now();
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let api = Arc::clone(&api);
            thread::spawn(move || {
                let mut done = 0;
                for n in (t..CALLS).step_by(THREADS) {
                    let id = lock_id(t, n);
                    match n % 5 {
                        0 | 1 => {
                            let detail = api
                                .get_lock_detail(TOKEN, &id)
                                .unwrap_or_else(|e| panic!("{id}: {e}"));
                            assert_eq!(detail.device_id(), id);
                            assert_eq!(detail.device_name(), format!("Lock {id}"));
                        }
                        2 => {
                            let locks = api.get_locks(TOKEN).unwrap_or_else(|e| panic!("{e}"));
                            assert_eq!(locks.len(), 2);
                            assert_eq!(locks[0].device_id(), FIXTURE_LOCK_ID);
                        }
                        3 => {
                            let pins = api.get_pins(TOKEN, &id).unwrap_or_else(|e| panic!("{e}"));
                            assert_eq!(pins.len(), expected_pins);
                        }
                        _ => {
                            let status = api
                                .unlock(TOKEN, &id)
                                .unwrap_or_else(|e| panic!("{id}: {e}"));
                            assert_eq!(status, LockStatus::Unlocked);
                        }
                    }
                    done += 1;
                }
                done
            })
        })
        .collect();
    let calls: usize = workers
        .into_iter()
        .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
        .sum();
    let elapsed = started.elapsed();
    let requests = server.requests();
    println!(
        "{calls} calls from {THREADS} threads in {} ms: {} connections accepted, at most {} open and {} answering at once",
        elapsed.as_millis(),
        server.connections(),
        server.max_open(),
        server.max_busy()
    );
    assert_eq!(calls, CALLS);
    // Every call was sent exactly once: no retry, no resent unlock.
    assert_eq!(requests.len(), calls);
    let unlocks = requests.iter().filter(|r| r.method == "PUT").count();
    assert_eq!(unlocks, CALLS / 5);
    let mut unlocked: Vec<&str> = requests
        .iter()
        .filter(|r| r.method == "PUT")
        .map(|r| r.path())
        .collect();
    unlocked.sort_unstable();
    unlocked.dedup();
    assert_eq!(unlocked.len(), CALLS / 5, "an unlock was sent twice");
    // At most one request in flight per thread, and connections bounded by the threads: the
    // pool keeps 16 idle connections, one for each thread here.
    assert!(server.max_busy() <= THREADS, "{} busy", server.max_busy());
    assert!(
        server.max_busy() >= THREADS / 2,
        "little concurrency: {}",
        server.max_busy()
    );
    assert!(server.max_open() <= THREADS, "{} open", server.max_open());
    // Pooled connections are reused: no more connections than threads over the whole run.
    assert!(
        server.connections() <= THREADS,
        "{} connections for {calls} calls",
        server.connections()
    );
}

fn api_pin_count() -> usize {
    let value: serde_json::Value =
        serde_json::from_str(&fixture!("get_pins.json")).unwrap_or_else(|e| panic!("{e}"));
    value["loaded"].as_array().map_or(0, Vec::len)
}
