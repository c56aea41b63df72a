//! Every push fixture, parsed and converted by the rules.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::message::{Device, DeviceKind, convert, timetoken_time};
use crate::pubnub::parse_reply;
use crate::socketio::{Frame, parse_frame};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/",
            $name
        ))
    };
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn device(kind: DeviceKind) -> Device {
    Device {
        device_id: "LOCK0001EXAMPLE".into(),
        device_name: "Front Door".into(),
        house_id: "H1".into(),
        kind: Some(kind),
        users: BTreeMap::new(),
    }
}

/// The activities of the one message of a fixture: `(action, start time)`.
fn converted(text: &str, kind: DeviceKind) -> (Vec<(String, DateTime<Utc>)>, Option<Value>) {
    let reply = parse_reply(text.as_bytes()).unwrap();
    assert_eq!(reply.messages.len(), 1);
    let m = &reply.messages[0];
    let time = timetoken_time(&m.publish_timetoken).unwrap();
    let c = convert(&device(kind), &m.payload, time);
    (
        c.activities
            .iter()
            .map(|a| (a.action().unwrap().to_owned(), a.start_time().unwrap()))
            .collect(),
        c.raw,
    )
}

#[test]
fn handshake() {
    let reply = parse_reply(fixture!("pubnub_subscribe_handshake.json").as_bytes()).unwrap();
    assert_eq!(reply.timetoken, "17684712000000000");
    assert_eq!(reply.region, Some(12));
    assert!(reply.messages.is_empty());
}

#[test]
fn lock_message() {
    let text = fixture!("pubnub_subscribe_lock_message.json");
    let reply = parse_reply(text.as_bytes()).unwrap();
    assert_eq!(reply.messages[0].channel, "example-lock-channel-0001");
    let c = convert(
        &device(DeviceKind::Lock),
        &reply.messages[0].payload,
        at("2026-01-15T10:00:01.800Z"),
    );
    let t = at("2026-01-15T10:00:01.250Z");
    let got: Vec<_> = c
        .activities
        .iter()
        .map(|a| (a.action().unwrap(), a.start_time().unwrap()))
        .collect();
    assert_eq!(got, [("unlock", t), ("doorclosed", t)]);
    let unlock = &c.activities[0];
    assert!(unlock.operated_remote());
    assert_eq!(
        unlock.user_id(),
        Some("0b5e0c1a-7d2e-4f3a-9c4b-000000000001")
    );
    assert_eq!(unlock.device_id(), Some("LOCK0001EXAMPLE"));
    assert_eq!(unlock.house_id(), Some("H1"));
    assert!(c.raw.is_none());
}

#[test]
fn lock_message_names_a_known_operator() {
    let text = fixture!("pubnub_subscribe_lock_message.json");
    let reply = parse_reply(text.as_bytes()).unwrap();
    let mut d = device(DeviceKind::Lock);
    let user: august_core::User =
        serde_json::from_str(r#"{"FirstName": "Ada", "LastName": "Example"}"#).unwrap();
    d.users
        .insert("0b5e0c1a-7d2e-4f3a-9c4b-000000000001".into(), user);
    let c = convert(&d, &reply.messages[0].payload, Utc::now());
    assert_eq!(c.activities[0].operated_by(), Some("Ada Example"));
}

#[test]
fn door_message_uses_the_publish_time() {
    let (got, raw) = converted(
        fixture!("pubnub_subscribe_door_message.json"),
        DeviceKind::Lock,
    );
    assert_eq!(got, [("dooropen".into(), at("2026-01-15T10:01:00Z"))]);
    assert!(raw.is_none());
}

#[test]
fn doorbell_motion() {
    let text = fixture!("pubnub_subscribe_doorbell_motion.json");
    let reply = parse_reply(text.as_bytes()).unwrap();
    let m = &reply.messages[0];
    let c = convert(
        &device(DeviceKind::Doorbell),
        &m.payload,
        timetoken_time(&m.publish_timetoken).unwrap(),
    );
    assert_eq!(c.activities.len(), 1);
    let a = &c.activities[0];
    assert_eq!(a.action(), Some("doorbell_motion_detected"));
    assert_eq!(a.start_time(), Some(at("2026-01-15T10:05:00Z")));
    assert_eq!(
        a.image_url(),
        Some("https://images.example.invalid/doorbell/motion-0001.jpg")
    );
    assert_eq!(a.image_created_at(), Some(at("2026-01-15T10:04:59.500Z")));
}

#[test]
fn status_only_is_ignored() {
    let (got, raw) = converted(
        fixture!("pubnub_subscribe_status_only_ignored.json"),
        DeviceKind::Lock,
    );
    assert!(got.is_empty());
    assert!(raw.is_none());
}

#[test]
fn bridge_offline() {
    let (got, _) = converted(
        fixture!("pubnub_subscribe_bridge_offline.json"),
        DeviceKind::Lock,
    );
    assert_eq!(
        got,
        [(
            "associated_bridge_offline".into(),
            at("2026-01-15T10:15:00Z")
        )]
    );
}

#[test]
fn socketio_session() {
    let session: Value = serde_json::from_str(fixture!("socketio_session.json")).unwrap();
    let frames: Vec<Frame> = session["frames"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["from"] == "server")
        .map(|f| parse_frame(f["text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        frames[0],
        Frame::Open {
            ping_interval: 25_000,
            ping_timeout: 20_000
        }
    );
    assert_eq!(frames[1], Frame::Connected);
    assert_eq!(frames[2], Frame::Ping(String::new()));
    assert_eq!(frames[6], Frame::Close);
    let now = at("2026-01-15T10:00:00Z");
    let mut d = device(DeviceKind::Lock);
    d.device_id = "LOCK0002EXAMPLE".into();
    let events: Vec<Vec<String>> = frames[3..6]
        .iter()
        .map(|f| match f {
            Frame::Event { name, payload, .. } => {
                assert_eq!(name, "data");
                assert_eq!(payload["lockID"], "LOCK0002EXAMPLE");
                convert(&d, payload, now)
                    .activities
                    .iter()
                    .map(|a| {
                        assert_eq!(a.start_time(), Some(now));
                        a.action().unwrap().to_owned()
                    })
                    .collect()
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        events,
        [
            vec!["unlock", "doorclosed"],
            vec!["lock", "doorclosed"],
            vec!["lock", "doorclosed"]
        ]
    );
}
