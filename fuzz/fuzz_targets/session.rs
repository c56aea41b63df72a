//! The login answer (`POST /session`) through the real client against a local stub: any status, content type and body, including the error body reader.
#![no_main]

use august_core::{Api, LoginMethod};
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
    let mut answer = Answer::from_input(data);
    answer
        .headers
        .push(("x-august-access-token", "fuzz-token".to_owned()));
    Stub::get().set(answer);
    let result = api().get_session(
        "install",
        &LoginMethod::Phone.identifier("+15555550100"),
        "pw",
    );
    match result {
        Ok(session) => {
            let _ = format!("{session:?}");
        }
        Err(e) => {
            let _ = (e.to_string(), format!("{e:?}"));
        }
    }
});
