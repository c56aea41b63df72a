//! A doorbell's detail (`GET /doorbells/{id}`).
#![no_main]

use august_core::DoorbellDetail;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(detail) = august_fuzz::parse::<DoorbellDetail>(data) {
        let _ = (
            detail.image_url(),
            detail.image_created_at(),
            detail.content_token(),
        );
        let _ = serde_json::to_string(&detail);
    }
});
