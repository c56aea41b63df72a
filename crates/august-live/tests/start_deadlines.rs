//! What `start()` waits for, at most: the devices are read within one deadline, however many
//! calls that takes, and running out of it is a timeout, during a call or between two.

use std::time::{Duration, Instant};

use august_core::Api;
use august_live::{ActivityStream, Error, ErrorKind, StaticToken};
use august_sandbox::{Fault, Sandbox, demo};

mod common;

use common::hold::HoldAfter;

#[test]
fn a_server_that_stalls_on_the_second_device_ends_the_read_at_its_one_deadline() {
    let sandbox = Sandbox::start().expect("sandbox");
    // Each call may take 6 s; the whole read of the devices 1 s.
    let api = Api::builder()
        .base_url(sandbox.august_url())
        .timeout(Duration::from_secs(6))
        .build()
        .expect("api");
    // The front door's details come at once, the back door's never in time.
    sandbox.set_fault(
        &format!("GET /locks/{}", demo::BACK_DOOR_LOCK_ID),
        Fault::Latency(Duration::from_secs(8)),
    );
    let started = Instant::now();
    let err = ActivityStream::builder(api, StaticToken::new(sandbox.demo_access_token()))
        .pubnub_origin(sandbox.pubnub_origin())
        .device_read_timeout(Duration::from_secs(1))
        .start()
        .expect_err("the stalled read must end the start");
    let took = started.elapsed();
    // The call's own timeout (6 s) would have been waited out without the one deadline.
    assert!(took < Duration::from_secs(4), "start() took {took:?}");
    assert_device_read_timeout(&err, Duration::from_secs(1));
    let stats = sandbox.stats();
    assert!(
        stats.routes.get("GET /locks/{lock_id}").copied() >= Some(2),
        "the stall was not on a later device: {:?}",
        stats.routes
    );
}

/// Holds the thread that starts the stream past its deadline where the transport logs the
/// answer to a lock's details: as a thread descheduled between two calls of the device read.
static HOLD: HoldAfter = HoldAfter::new("GET /locks/");

#[test]
fn a_deadline_that_passes_between_two_device_calls_is_a_timeout() {
    let sandbox = Sandbox::start().expect("sandbox");
    let api = Api::builder()
        .base_url(sandbox.august_url())
        .build()
        .expect("api");
    HoldAfter::install_for_this_thread(&HOLD);
    // The first lock's details are read in time; the deadline passes before the second's are
    // asked for.
    let timeout = Duration::from_secs(3);
    let err = ActivityStream::builder(api, StaticToken::new(sandbox.demo_access_token()))
        .pubnub_origin(sandbox.pubnub_origin())
        .device_read_timeout(timeout)
        .start()
        .expect_err("the read ran out of time");
    assert!(HOLD.held(), "no lock's details were read: {err:?}");
    let stats = sandbox.stats();
    assert_eq!(
        stats.routes.get("GET /locks/{lock_id}").copied(),
        Some(1),
        "the second lock's details were asked for: {:?}",
        stats.routes
    );
    // What a call that runs out of the read's time during it gives.
    assert_device_read_timeout(&err, timeout);
}

/// Asserts that `err` is the timeout of a lock-detail call that ran out of the device read's
/// `timeout`: `start()`'s error for a device read over its deadline.
fn assert_device_read_timeout(err: &Error, timeout: Duration) {
    match err {
        Error::Api { during, source } => {
            assert_eq!(*during, "reading a lock's details");
            assert!(
                matches!(
                    source.as_ref(),
                    august_core::Error::Timeout { endpoint, after, remote_operation: false }
                        if *after == timeout && endpoint.starts_with("GET /locks/")
                ),
                "{source:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.kind(), ErrorKind::RetryLater);
}
