//! The lock and doorbell lists (`GET /users/locks/mine`, `/users/doorbells/mine`).
#![no_main]

use august_core::{DoorbellList, LockList};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(list) = august_fuzz::parse::<LockList>(data) {
        for lock in list.into_vec() {
            let _ = (lock.is_operable(), lock.device_id(), lock.device_name());
        }
    }
    let _ = august_fuzz::parse::<DoorbellList>(data);
});
