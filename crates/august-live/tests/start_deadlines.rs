//! What `start()` waits for, at most: the devices are read within one deadline, however many
//! calls that takes.

use std::time::{Duration, Instant};

use august_core::Api;
use august_live::{ActivityStream, Error, StaticToken};
use august_sandbox::{Fault, Sandbox, demo};

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
    match &err {
        Error::Api { during, source } => {
            assert_eq!(*during, "reading a lock's details");
            assert!(
                matches!(
                    source.as_ref(),
                    august_core::Error::Timeout { after, .. } if *after == Duration::from_secs(1)
                ),
                "{source:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    let stats = sandbox.stats();
    assert!(
        stats.routes.get("GET /locks/{lock_id}").copied() >= Some(2),
        "the stall was not on a later device: {:?}",
        stats.routes
    );
}
