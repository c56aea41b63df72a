//! No event lost or repeated across push faults: a dropped long-poll, a duplicated message, a
//! message older than the last feed read, an outage filled by catch-up, a 403; and the same
//! for the websocket.

mod common;

use std::time::Duration;

use august_core::Brand;
use august_live::{Error, ErrorKind, Event, StreamStatus};
use august_sandbox::{DoorState, PushFault, demo};

use common::{Collector, Setup, actions, collect, setup};

fn count(list: &[String], what: &str) -> usize {
    list.iter().filter(|a| a.starts_with(what)).count()
}

#[test]
fn a_dropped_long_poll_loses_and_repeats_nothing() {
    let s = setup(Brand::August);
    let c = collect(s.builder().start().unwrap());
    s.api.unlock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    assert_eq!(c.activities(2, Duration::from_secs(5)).len(), 2);
    s.sandbox.drop_push_connections();
    // While the client reconnects: a lock and a door change.
    s.api.lock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    s.sandbox
        .set_door_state(demo::FRONT_DOOR_LOCK_ID, DoorState::Open)
        .unwrap();
    let got = actions(&c.activities(10, Duration::from_secs(3)));
    assert_eq!(count(&got, "lock:"), 1, "{got:?}");
    assert_eq!(count(&got, "dooropen:"), 1, "{got:?}");
    // The door state the lock's push carries (closed) is older than the opening: given only
    // when the push came before the feed read, and then before the opening.
    let closed = count(&got, "doorclosed:");
    assert!(closed <= 1, "{got:?}");
    assert_eq!(got.len(), 2 + closed, "{got:?}");
    if closed == 1 {
        let at = |what: &str| got.iter().position(|a| a.starts_with(what));
        assert!(at("doorclosed:") < at("dooropen:"), "{got:?}");
    }
    c.stop();
}

#[test]
fn a_duplicated_push_is_given_once() {
    let (s, c) = polled_on_demand(Brand::August);
    s.sandbox.set_push_fault(PushFault::Duplicate { count: 5 });
    s.api.unlock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    s.sandbox.ring_doorbell(demo::FRONT_DOORBELL_ID).unwrap();
    let got = actions(&c.activities(10, Duration::from_secs(2)));
    assert_eq!(
        got,
        ["unlock:pubnub", "doorclosed:pubnub", "buttonpush:pubnub"]
    );
    assert_eq!(s.sandbox.push_messages_published(), 4);
    c.stop();
}

/// A stream of a `brand` account whose feed is read only on demand (push alone otherwise).
fn polled_on_demand(brand: Brand) -> (Setup, Collector) {
    let s = setup(brand);
    let c = collect(s.builder().polls_per_push(0).start().unwrap());
    (s, c)
}

/// An August account's stream, polled only on demand, and an unlock whose push arrives
/// `delay` late.
fn unlock_with_its_push_delayed(delay: Duration) -> (Setup, Collector) {
    let (s, c) = polled_on_demand(Brand::August);
    s.sandbox
        .set_push_fault(PushFault::Delay { delay, count: 1 });
    s.api.unlock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    (s, c)
}

#[test]
fn a_push_older_than_the_last_feed_read_is_dropped() {
    let (_s, c) = unlock_with_its_push_delayed(Duration::from_millis(700));
    c.handle.poll_now();
    let got = actions(&c.activities(10, Duration::from_secs(2)));
    // The feed gave the unlock first; the late push only adds the door state it carries.
    assert_eq!(got, ["unlock:poll", "doorclosed:pubnub"]);
    c.stop();
}

#[test]
fn catch_up_after_an_outage_fills_the_gap() {
    // The push of the unlock never arrives in time; the connection drops.
    let (s, c) = unlock_with_its_push_delayed(Duration::from_secs(30));
    s.sandbox.drop_push_connections();
    let items = c.drain(Duration::from_secs(2));
    let got: Vec<String> = items
        .iter()
        .filter_map(|e| match e {
            Ok(Event::Activity(a)) => Some(format!(
                "{}:{}",
                a.activity().action().unwrap_or_default(),
                a.source().as_str()
            )),
            _ => None,
        })
        .collect();
    assert_eq!(got, ["unlock:poll"]);
    assert!(items.iter().any(|e| matches!(
        e,
        Ok(Event::Status(StreamStatus::CaughtUp {
            new_activities: 1,
            ..
        }))
    )));
    assert!(
        items
            .iter()
            .any(|e| matches!(e, Ok(Event::Status(StreamStatus::PushDisconnected { .. }))))
    );
    c.stop();
}

#[test]
fn a_403_refuses_the_start() {
    let s = setup(Brand::August);
    s.sandbox.set_push_fault(PushFault::Forbidden);
    let err = s.builder().start().unwrap_err();
    assert!(
        matches!(err, Error::PushForbidden { status: 403, .. }),
        "{err}"
    );
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert_eq!(
        err.to_string(),
        "the push service refused the subscription with status 403 (Forbidden); the stream has ended"
    );
}

#[test]
fn a_403_mid_stream_ends_it_with_a_typed_error() {
    let s = setup(Brand::August);
    let c = collect(s.builder().start().unwrap());
    s.sandbox.set_push_fault(PushFault::Forbidden);
    s.sandbox.drop_push_connections();
    let items = c.drain(Duration::from_secs(3));
    let last = items.last().expect("items");
    assert!(
        matches!(last, Err(Error::PushForbidden { status: 403, .. })),
        "{items:?}"
    );
    // The iterator ended after the error.
    let stream = {
        c.handle.stop();
        c.thread.join().unwrap()
    };
    stream.close();
}

#[test]
fn websocket_events_arrive_and_a_closed_socket_reconnects_without_loss() {
    let (s, c) = polled_on_demand(Brand::YaleGlobal);
    // Wait for the socket.
    let first = c.rx.recv_timeout(Duration::from_secs(3)).unwrap().unwrap();
    assert!(
        matches!(first, Event::Status(StreamStatus::PushConnected { .. })),
        "{first:?}"
    );
    s.api.unlock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    // The message carries the door state too, but the door was already known closed.
    let got = actions(&c.activities(2, Duration::from_millis(1500)));
    assert_eq!(got, ["unlock:websocket"]);
    // The server closes the socket; a door opens while the client reconnects.
    s.sandbox.close_websockets();
    std::thread::sleep(Duration::from_millis(20));
    s.sandbox
        .set_door_state(demo::FRONT_DOOR_LOCK_ID, DoorState::Open)
        .unwrap();
    let got = actions(&c.activities(5, Duration::from_secs(3)));
    assert_eq!(got, ["dooropen:poll"], "{got:?}");
    // And the new socket carries the next event.
    s.api.lock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    let got = actions(&c.activities(5, Duration::from_secs(3)));
    assert_eq!(got, ["lock:websocket"], "{got:?}");
    c.stop();
}

#[test]
fn a_dropped_websocket_reconnects_and_repeats_nothing() {
    let (s, c) = polled_on_demand(Brand::YaleGlobal);
    let _ = c.rx.recv_timeout(Duration::from_secs(3)).unwrap().unwrap();
    s.api.unlock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    assert_eq!(c.activities(1, Duration::from_secs(3)).len(), 1);
    s.sandbox.drop_push_connections();
    let items = c.drain(Duration::from_secs(1));
    assert!(
        items.iter().all(|e| !matches!(e, Ok(Event::Activity(_)))),
        "{items:?}"
    );
    assert!(items.iter().any(|e| matches!(
        e,
        Ok(Event::Status(StreamStatus::CaughtUp {
            new_activities: 0,
            ..
        }))
    )));
    c.stop();
}
