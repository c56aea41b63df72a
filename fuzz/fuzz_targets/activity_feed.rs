//! An activity feed (`GET /houses/{id}/activities`): parse, then apply every activity to a lock and a doorbell,
//! and check that each activity read again from its entry as a `Value` is the same.
#![no_main]

use std::sync::OnceLock;

use august_core::{Activity, ActivityFeed, DoorbellDetail, LockDetail};

fn lock() -> &'static LockDetail {
    static LOCK: OnceLock<LockDetail> = OnceLock::new();
    LOCK.get_or_init(|| {
        serde_json::from_str(include_str!(
            "../../crates/august-core/tests/fixtures/get_lock.online_with_doorsense.json"
        ))
        .expect("the fixture parses")
    })
}

fn doorbell() -> &'static DoorbellDetail {
    static DOORBELL: OnceLock<DoorbellDetail> = OnceLock::new();
    DOORBELL.get_or_init(|| {
        serde_json::from_str(include_str!(
            "../../crates/august-core/tests/fixtures/get_doorbell.json"
        ))
        .expect("the fixture parses")
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(feed) = august_fuzz::parse::<ActivityFeed>(data) {
        let mut lock = lock().clone();
        let mut doorbell = doorbell().clone();
        for activity in feed.into_vec() {
            let _ = (
                activity.kind(),
                activity.operated_by(),
                activity.start_time(),
                activity.lock_status(),
            );
            let _ = (
                activity.door_state(),
                activity.image_url(),
                activity.operator_image_url(),
            );
            let _ = lock.apply_activity(&activity);
            let _ = doorbell.apply_activity(&activity);
            let _ = serde_json::to_string(&activity);
            // Read from the kept entry as a `Value`, the activity is the same.
            assert_eq!(Activity::from(activity.raw().clone()), activity);
        }
    }
});
