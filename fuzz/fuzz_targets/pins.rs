//! A lock's PIN list (`GET /locks/{id}/pins`).
#![no_main]

use august_core::PinList;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(list) = august_fuzz::parse::<PinList>(data) {
        for pin in list.into_vec() {
            let _ = (pin.access_times(), pin.access_times_raw());
            let _ = serde_json::to_string(&pin);
        }
    }
});
