//! Host names are looked up once and reused for a short time (`TransportBuilder::name_ttl`),
//! and looked up again after a call to the host fails to connect.
//!
//! ureq logs each lookup it makes (`Resolve with timeout ...` under its resolver's target at
//! `trace`); this test counts those lines. The logger is process-wide, so this file holds one
//! test.

use std::sync::Mutex;
use std::time::Duration;

use api_transport::{Error, Method, Path, Request, Retry, Transport};

struct Lookups(Mutex<Vec<String>>);

impl log::Log for Lookups {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let text = record.args().to_string();
        if record.target().starts_with("ureq") && text.starts_with("Resolve") {
            self.0.lock().unwrap().push(text);
        }
    }
    fn flush(&self) {}
}

static LOOKUPS: Lookups = Lookups(Mutex::new(Vec::new()));

fn lookups_of(port: u16) -> usize {
    let needle = format!("localhost:{port}");
    let lines = LOOKUPS.0.lock().unwrap();
    lines.iter().filter(|l| l.contains(&needle)).count()
}

#[test]
fn names_are_looked_up_once_then_again_after_a_failure() {
    log::set_logger(&LOOKUPS).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let mut server = mockito::Server::new();
    let ok = server
        .mock("GET", "/ping")
        .with_body("pong")
        .expect(4)
        .create();
    let port = server.socket_address().port();
    let base = format!("http://localhost:{port}");
    let ping = Request::new(Method::Get, &base, Path::new().lit("ping"));

    let transport = Transport::builder().build();
    for _ in 0..3 {
        assert_eq!(transport.send(&ping).unwrap().body(), b"pong");
    }
    assert_eq!(lookups_of(port), 1, "{:?}", LOOKUPS.0.lock().unwrap());

    // A host nothing listens on: every failed call forgets the name, so each looks it up.
    let closed = test_support::fault_server::refused_port();
    // (Not retried, to count one attempt per call; a retried attempt looks it up too.)
    let gone = Request::new(
        Method::Get,
        &format!("http://localhost:{closed}"),
        Path::new().lit("ping"),
    )
    .retry(Retry::Never);
    for _ in 0..2 {
        assert!(matches!(
            transport.send(&gone),
            Err(Error::NotDelivered { .. })
        ));
    }
    assert_eq!(lookups_of(closed), 2);
    // The first host is still known.
    transport.send(&ping).unwrap();
    assert_eq!(lookups_of(port), 1);

    // With no reuse time, every call looks the name up.
    let uncached = Transport::builder().name_ttl(Duration::ZERO).build();
    let other = mockito::Server::new();
    let other_port = other.socket_address().port();
    let mut other = other;
    let _m = other.mock("GET", "/ping").with_body("pong").create();
    let ping_other = Request::new(
        Method::Get,
        &format!("http://localhost:{other_port}"),
        Path::new().lit("ping"),
    );
    uncached.send(&ping_other).unwrap();
    uncached.send(&ping_other).unwrap();
    assert_eq!(lookups_of(other_port), 2);
    ok.assert();
}
