//! The PubNub path end to end against the sandbox.

mod common;

use std::time::Duration;

use august_core::Brand;
use august_live::{Event, PushState, Source, StreamStatus};
use august_sandbox::{DoorState, demo};

use common::{actions, collect, setup};

#[test]
fn lock_door_and_doorbell_events_are_pushed_in_order() {
    let s = setup(Brand::August);
    let stream = s.builder().polls_per_push(0).start().unwrap();
    assert_eq!(stream.push_state(), &PushState::Connected);
    let c = collect(stream);
    s.api.unlock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    s.sandbox
        .set_door_state(demo::FRONT_DOOR_LOCK_ID, DoorState::Open)
        .unwrap();
    s.sandbox.ring_doorbell(demo::FRONT_DOORBELL_ID).unwrap();
    s.sandbox.trigger_motion(demo::FRONT_DOORBELL_ID).unwrap();
    let got = c.activities(5, Duration::from_secs(5));
    assert_eq!(
        actions(&got),
        [
            "unlock:pubnub",
            "doorclosed:pubnub",
            "dooropen:pubnub",
            "buttonpush:pubnub",
            "doorbell_motion_detected:pubnub"
        ]
    );
    let unlock = &got[0];
    assert_eq!(
        unlock.activity().device_id(),
        Some(demo::FRONT_DOOR_LOCK_ID)
    );
    assert!(unlock.activity().operated_remote());
    assert_eq!(unlock.activity().user_id(), Some(demo::USER_ID));
    assert_eq!(unlock.activity().operated_by(), Some("Demo User"));
    assert_eq!(
        unlock.yale_user().and_then(|u| u.first_name()),
        Some(demo::FIRST_NAME)
    );
    assert_eq!(unlock.source(), Source::Pubnub);
    assert!(got[4].activity().image_url().is_some());
    c.stop();
}

#[test]
fn polls_after_a_push_add_nothing_already_pushed() {
    let s = setup(Brand::August);
    let stream = s.builder().start().unwrap();
    let c = collect(stream);
    s.api.lock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    let got = c.activities(2, Duration::from_secs(5));
    assert_eq!(actions(&got), ["lock:pubnub", "doorclosed:pubnub"]);
    // Two feed reads follow (100 ms apart here); they find the same lock and drop it.
    let rest = c.drain(Duration::from_millis(800));
    assert!(
        rest.iter().all(|e| !matches!(e, Ok(Event::Activity(_)))),
        "{rest:?}"
    );
    let stats = s.sandbox.stats();
    assert!(
        stats
            .routes
            .get("GET /houses/{house_id}/activities")
            .copied()
            >= Some(3),
        "{:?}",
        stats.routes
    );
    c.stop();
}

#[test]
fn polling_only_says_so_and_still_delivers() {
    let s = setup(Brand::August);
    let stream = s
        .builder()
        .polling_only()
        .poll_interval(Duration::from_millis(200))
        .start()
        .unwrap();
    // Said as what it is: the brand has push, turned off.
    let reason = "push is turned off (polling only)";
    assert_eq!(
        stream.push_state(),
        &PushState::Unavailable {
            reason: reason.to_owned()
        }
    );
    let c = collect(stream);
    let first = c.rx.recv_timeout(Duration::from_secs(2)).unwrap().unwrap();
    match first {
        Event::Status(status) => assert_eq!(
            status,
            StreamStatus::PollingOnly {
                reason: reason.to_owned(),
                interval: Duration::from_millis(200),
            }
        ),
        other => panic!("{other:?}"),
    }
    s.api.unlock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    let got = c.activities(1, Duration::from_secs(3));
    assert_eq!(actions(&got), ["unlock:poll"]);
    c.stop();
}

#[test]
fn the_v4_feed_can_be_read_instead() {
    let s = setup(Brand::August);
    let stream = s
        .builder()
        .activity_format(august_core::ActivityFormat::V4)
        .polls_per_push(0)
        .start()
        .unwrap();
    let c = collect(stream);
    // A push that never arrives in time, and a read on demand: the v4 entry, with its id.
    s.sandbox.set_push_fault(august_sandbox::PushFault::Delay {
        delay: Duration::from_secs(30),
        count: 1,
    });
    s.api.unlock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    c.handle.poll_now();
    let got = c.activities(1, Duration::from_secs(3));
    assert_eq!(actions(&got), ["remote_unlock:poll"]);
    assert!(got[0].activity().activity_id().is_some());
    assert_eq!(got[0].activity().operated_by(), Some("Demo User"));
    c.stop();
}

#[test]
fn the_token_source_is_asked_again_so_a_refreshed_token_is_used() {
    use std::sync::{Arc, Mutex};

    let s = setup(Brand::August);
    let current = Arc::new(Mutex::new(s.token.clone()));
    let source = {
        let current = Arc::clone(&current);
        move || Ok::<_, std::io::Error>(current.lock().unwrap().clone())
    };
    let stream = august_live::ActivityStream::builder(s.api.clone(), source)
        .pubnub_origin(s.sandbox.pubnub_origin())
        .polls_per_push(0)
        .start()
        .unwrap();
    let c = collect(stream);
    // Every token issued so far expires; the source now gives a fresh one.
    s.sandbox.expire_access_tokens();
    let fresh = s.sandbox.demo_access_token();
    *current.lock().unwrap() = fresh.clone();
    s.sandbox.set_push_fault(august_sandbox::PushFault::Delay {
        delay: Duration::from_secs(30),
        count: 1,
    });
    s.api.unlock(&fresh, demo::FRONT_DOOR_LOCK_ID).unwrap();
    c.handle.poll_now();
    let got = c.activities(1, Duration::from_secs(3));
    assert_eq!(actions(&got), ["unlock:poll"]);
    c.stop();
}
