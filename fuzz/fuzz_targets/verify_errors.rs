//! Verify answers through the real client against a local stub: a verification check, a service fetch and an entity list followed page by page (picked by the second byte, which also picks the content type), with any status and body; `http://stub` in the body stands for the stub's own URL.
#![no_main]

use august_fuzz::{Answer, Stub};
use std::sync::OnceLock;
use std::time::Duration;
use twilio_verify::{Credentials, ServiceSid, VerifyClient};

/// At most this many records are read from a list, so that no input can loop.
const MAX_RECORDS: usize = 50;

fn client() -> &'static VerifyClient {
    static CLIENT: OnceLock<VerifyClient> = OnceLock::new();
    CLIENT.get_or_init(|| {
        VerifyClient::builder(Credentials::api_key("SKfuzz", "fuzz-secret"))
            .base_url(Stub::get().url())
            .max_retries(0)
            .timeout(Duration::from_secs(5))
            .build()
            .expect("a loopback URL is accepted")
    })
}

fn service() -> &'static ServiceSid {
    static SERVICE: OnceLock<ServiceSid> = OnceLock::new();
    SERVICE.get_or_init(|| {
        "VA00000000000000000000000000000001"
            .parse()
            .expect("a valid SID")
    })
}

fn show_error(e: &twilio_verify::Error) {
    let _ = (
        e.to_string(),
        format!("{e:?}"),
        e.kind(),
        e.code(),
        e.reason(),
    );
    if let Some(reason) = e.reason() {
        let _ = reason.advice();
    }
}

fn show<T: std::fmt::Debug>(result: Result<T, twilio_verify::Error>) {
    match result {
        Ok(value) => {
            let _ = format!("{value:?}");
        }
        Err(e) => show_error(&e),
    }
}

/// The body with `http://stub` replaced by the stub's URL, so that a `next_page_url` can be
/// on the client's origin.
fn with_stub_url(body: &[u8]) -> Vec<u8> {
    const MARK: &[u8] = b"http://stub";
    let url = Stub::get().url().as_bytes();
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body;
    while let Some(i) = rest.windows(MARK.len()).position(|w| w == MARK) {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(url);
        rest = &rest[i + MARK.len()..];
    }
    out.extend_from_slice(rest);
    out
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut answer = Answer::from_input(data);
    answer.body = with_stub_url(&answer.body);
    Stub::get().set(answer);
    match data.get(1).copied().unwrap_or(0) / 3 % 3 {
        0 => {
            let outcome = client()
                .verifications(service())
                .check_to("+15555550100", "123456");
            if let Ok(outcome) = &outcome {
                let _ = (outcome.is_approved(), serde_json::to_string(outcome));
            }
            show(outcome);
        }
        1 => {
            let service = client().services().fetch(service());
            if let Ok(service) = &service {
                let _ = service.raw().to_string();
            }
            show(service);
        }
        _ => {
            for record in client().entities(service()).list().take(MAX_RECORDS) {
                match record {
                    Ok(entity) => {
                        let _ = (format!("{entity:?}"), entity.raw().to_string());
                    }
                    Err(e) => show_error(&e),
                }
            }
        }
    }
});
