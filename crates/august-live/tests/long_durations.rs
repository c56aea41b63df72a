//! Delays too long to add to the clock (`Duration::MAX`, as for "never") are settings, not
//! panics: a feed read that far away never comes, and a reconnection delay that long is the
//! longest there is, `MAX_RECONNECT_DELAY`.

mod common;

use std::time::Duration;

use august_core::Brand;
use august_live::{Event, MAX_RECONNECT_DELAY, StreamStatus};
use august_sandbox::demo;

use common::{Setup, actions, collect, setup};

/// How many times the stream has read the activity feed.
fn feed_reads(s: &Setup) -> u64 {
    s.sandbox.stats().route("GET /houses/{house_id}/activities")
}

#[test]
fn a_poll_interval_too_long_for_the_clock_reads_the_feed_on_demand_only() {
    let s = setup(Brand::August);
    let stream = s
        .builder()
        .polling_only()
        .poll_interval(Duration::MAX)
        .start()
        .expect("start");
    let c = collect(stream);
    match c.rx.recv_timeout(Duration::from_secs(5)) {
        Ok(Ok(Event::Status(StreamStatus::PollingOnly { interval, .. }))) => {
            assert_eq!(interval, Duration::MAX);
        }
        other => panic!("{other:?}"),
    }
    // No timed read comes; one asked for does.
    let read = feed_reads(&s);
    c.drain(Duration::from_millis(500));
    assert_eq!(feed_reads(&s), read);
    s.api.unlock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    c.handle.poll_now();
    let got = c.activities(1, Duration::from_secs(5));
    assert_eq!(actions(&got), ["unlock:poll"]);
    assert_eq!(feed_reads(&s), read + 1);
    c.stop();
}

#[test]
fn feed_reads_after_a_push_too_far_for_the_clock_never_come() {
    let s = setup(Brand::August);
    let stream = s
        .builder()
        .poll_delay_after_push(Duration::MAX)
        .poll_cooldown(Duration::MAX)
        .start()
        .expect("start");
    let c = collect(stream);
    s.api.unlock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    let got = c.activities(2, Duration::from_secs(5));
    assert_eq!(actions(&got), ["unlock:pubnub", "doorclosed:pubnub"]);
    // No feed read follows the push (it finds the same activities, and would show no event).
    let read = feed_reads(&s);
    c.drain(Duration::from_millis(500));
    assert_eq!(feed_reads(&s), read);
    // The stream goes on: the next push arrives too.
    s.api.lock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    let got = c.activities(1, Duration::from_secs(5));
    assert_eq!(actions(&got), ["lock:pubnub"]);
    c.stop();
}

#[test]
fn a_websocket_reconnect_unit_too_long_for_the_clock_waits_the_longest_delay() {
    let s = setup(Brand::YaleGlobal);
    let stream = s
        .builder()
        .reconnect_unit(Duration::MAX)
        .polls_per_push(0)
        .start()
        .expect("start");
    let c = collect(stream);
    match c.rx.recv_timeout(Duration::from_secs(5)) {
        Ok(Ok(Event::Status(StreamStatus::PushConnected { .. }))) => {}
        other => panic!("{other:?}"),
    }
    s.sandbox.close_websockets();
    match c.rx.recv_timeout(Duration::from_secs(5)) {
        Ok(Ok(Event::Status(StreamStatus::PushDisconnected { retry_in, .. }))) => {
            assert_eq!(retry_in, MAX_RECONNECT_DELAY);
        }
        other => panic!("{other:?}"),
    }
    // It waits (150 s): no reconnection meanwhile.
    let rest = c.drain(Duration::from_millis(500));
    assert!(
        !rest
            .iter()
            .any(|e| matches!(e, Ok(Event::Status(StreamStatus::PushConnected { .. })))),
        "{rest:?}"
    );
    c.stop();
}
