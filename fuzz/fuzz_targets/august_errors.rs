//! Error answers of a read (`GET /locks/{id}`) through the real client: status, content type and body from the input.
#![no_main]

use august_core::Api;
use august_fuzz::{Answer, Stub};
use std::sync::OnceLock;
use std::time::Duration;

fn api() -> &'static Api {
    static API: OnceLock<Api> = OnceLock::new();
    API.get_or_init(|| {
        Api::builder()
            .base_url(Stub::get().url())
            .max_retries(0)
            .timeout(Duration::from_secs(5))
            .build()
            .expect("a loopback URL is accepted")
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    Stub::get().set(Answer::from_input(data));
    match api().get_lock_detail("token", "L1") {
        Ok(detail) => {
            let _ = format!("{detail:?}");
        }
        Err(e) => {
            let _ = (
                e.to_string(),
                format!("{e:?}"),
                e.api_error().map(|a| (a.message(), a.snippet())),
            );
        }
    }
});
