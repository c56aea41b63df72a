//! What the transport logs: method, redacted path, status, time, attempt; never a header value,
//! a query value, a body or a secret path segment.

use std::sync::Mutex;

use api_transport::{Method, Path, Request, Transport};

struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        if record.target().starts_with("api_transport") {
            self.0
                .lock()
                .unwrap()
                .push(format!("{} {}", record.level(), record.args()));
        }
    }
    fn flush(&self) {}
}

static LOGS: Capture = Capture(Mutex::new(Vec::new()));

#[test]
fn logs_carry_no_secret() {
    log::set_logger(&LOGS).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let mut server = mockito::Server::new();
    let _busy = server
        .mock("GET", mockito::Matcher::Any)
        .with_status(503)
        .expect(1)
        .create();
    let _ok = server
        .mock("GET", mockito::Matcher::Any)
        .with_body("BODY-SECRET")
        .create();
    let transport = Transport::builder()
        .initial_backoff(std::time::Duration::from_millis(1))
        .build();
    let request = Request::new(
        Method::Get,
        &server.url(),
        Path::new().lit("verify").secret("TOKEN-SECRET").seg("1234"),
    )
    .query("phone", "QUERY-SECRET")
    .header("x-api-key", "KEY-SECRET");
    transport.send(&request).unwrap();
    let post = Request::new(Method::Post, &server.url(), Path::new().lit("session"))
        .json_body(br#"{"password":"PASSWORD-SECRET"}"#.to_vec());
    let _ = transport.send(&post);

    let lines = LOGS.0.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("DEBUG GET /verify/{redacted}/1234 -> 503 in ")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("INFO GET /verify/{redacted}/1234: retrying in "))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("-> 200 in ") && l.ends_with("(attempt 2)"))
    );
    for line in &lines {
        for secret in [
            "TOKEN-SECRET",
            "QUERY-SECRET",
            "KEY-SECRET",
            "BODY-SECRET",
            "PASSWORD-SECRET",
        ] {
            assert!(!line.contains(secret), "{line}");
        }
    }
}
