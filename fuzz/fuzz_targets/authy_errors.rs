//! Authy answers through the real client against a local stub: a token check, a read and an
//! SMS (picked by the second byte, which also picks the content type), with any status and
//! body.
#![no_main]

use august_fuzz::{Answer, Stub};
use authy_client::{AuthyApiClient, AuthyId};
use std::sync::OnceLock;
use std::time::Duration;

fn client() -> &'static AuthyApiClient {
    static CLIENT: OnceLock<AuthyApiClient> = OnceLock::new();
    CLIENT.get_or_init(|| {
        AuthyApiClient::builder("fuzz-key")
            .base_url(Stub::get().url())
            .max_retries(0)
            .timeout(Duration::from_secs(5))
            .build()
            .expect("a loopback URL is accepted")
    })
}

fn show<T: std::fmt::Debug>(result: Result<T, authy_client::Error>) {
    match result {
        Ok(value) => {
            let _ = format!("{value:?}");
        }
        Err(e) => {
            let _ = (e.to_string(), format!("{e:?}"), e.kind(), e.reason(), e.errors());
        }
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    Stub::get().set(Answer::from_input(data));
    let id = AuthyId::new(1000);
    match data.get(1).copied().unwrap_or(0) / 3 % 3 {
        0 => show(client().tokens().verify(id, "0123456")),
        1 => show(client().users().status(id)),
        _ => show(client().users().request_sms(id)),
    }
});
