//! A push payload (PubNub message or Socket.IO event) converted for a lock and for a doorbell with `august_live::message::convert`: every getter of every activity, and each activity read again from its `raw()` is the same.
#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use august_core::{Activity, LockDetail, User};
use august_live::message::{Converted, Device, DeviceKind, convert};
use chrono::{DateTime, Utc};
use serde_json::Value;

fn lock() -> &'static Device {
    static LOCK: OnceLock<Device> = OnceLock::new();
    LOCK.get_or_init(|| {
        let detail: LockDetail = serde_json::from_str(include_str!(
            "../../crates/august-core/tests/fixtures/get_lock.online_with_doorsense.json"
        ))
        .expect("the fixture parses");
        let mut users: BTreeMap<String, User> = detail.users().clone();
        // The calling user of the live fixtures.
        let ada: User = serde_json::from_str(r#"{"FirstName": "Ada", "LastName": "Example"}"#)
            .expect("a user parses");
        users.insert("0b5e0c1a-7d2e-4f3a-9c4b-000000000001".into(), ada);
        Device {
            device_id: detail.device_id().to_owned(),
            device_name: detail.device_name().to_owned(),
            house_id: detail.house_id().to_owned(),
            kind: Some(DeviceKind::Lock),
            users,
        }
    })
}

fn doorbell() -> Device {
    Device {
        device_id: "DOORBELL0001EXAMPLE".into(),
        device_name: "Front door".into(),
        house_id: "house-example-0001".into(),
        kind: Some(DeviceKind::Doorbell),
        users: BTreeMap::new(),
    }
}

fn read(activity: &Activity) {
    let _ = (
        activity.kind(),
        activity.action(),
        activity.device_id(),
        activity.device_name(),
        activity.device_type(),
        activity.house_id(),
        activity.activity_id(),
    );
    let _ = (
        activity.start_time(),
        activity.end_time(),
        activity.user_id(),
        activity.operated_by(),
        activity.operated_remote(),
        activity.operated_keypad(),
        activity.operated_manual(),
        activity.operated_tag(),
        activity.operated_autorelock(),
    );
    let _ = (
        activity.operator_image_url(),
        activity.operator_thumbnail_url(),
        activity.image_url(),
        activity.image_created_at(),
        activity.content_token(),
        activity.lock_status(),
        activity.door_state(),
        activity.calling_user(),
    );
    let _ = (format!("{activity:?}"), serde_json::to_string(activity));
    assert_eq!(&Activity::from(activity.raw().clone()), activity);
}

fn check(converted: &Converted, payload: &Value) {
    for activity in &converted.activities {
        read(activity);
    }
    // A message that gives no activity is passed on as sent, unless it is a status echo.
    if let Some(raw) = &converted.raw {
        assert!(converted.activities.is_empty());
        assert_eq!(raw, payload);
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(payload) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let time = DateTime::<Utc>::from_timestamp(1_768_471_260, 0).expect("a valid time");
    let mut unknown = lock().clone();
    unknown.kind = None;
    for device in [lock(), &doorbell(), &unknown] {
        check(&convert(device, &payload, time), &payload);
    }
    assert_eq!(
        format!("{:?}", convert(lock(), &payload, time)),
        format!("{:?}", convert(&unknown, &payload, time))
    );
});
