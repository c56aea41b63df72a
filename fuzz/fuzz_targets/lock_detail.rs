//! A lock's detail (`GET /locks/{id}`): parse, read every getter that computes, apply a feed of activities.
#![no_main]

use august_core::LockDetail;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(detail) = august_fuzz::parse::<LockDetail>(data) {
        let _ = (
            detail.battery_level(),
            detail.lock_status(),
            detail.door_state(),
        );
        let _ = (
            detail.has_doorbell(),
            detail.supports_unlatch(),
            detail.mac_address(),
        );
        let _ = serde_json::to_string(&detail);
    }
});
