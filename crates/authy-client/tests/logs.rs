//! Logs at debug level (the client's, the transport's and ureq's) never carry the API key or a
//! token being verified, even when calls fail.

use std::sync::Mutex;

use authy_client::{AuthyApiClient, AuthyId};
use log::{Level, LevelFilter, Log, Metadata, Record};
use mockito::{Matcher, Server};

const KEY: &str = "bf12974d70818a08199d17d5e2bae630";
const TOKEN: &str = "0987654321";

struct Capture {
    lines: Mutex<Vec<String>>,
}

impl Log for Capture {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= Level::Debug
    }

    fn log(&self, record: &Record) {
        // The mock server's own logs describe what it received; they are not the client's.
        if record.target().starts_with("mockito") || record.target().starts_with("hyper") {
            return;
        }
        if self.enabled(record.metadata()) {
            self.lines.lock().unwrap().push(format!(
                "{} {}: {}",
                record.level(),
                record.target(),
                record.args()
            ));
        }
    }

    fn flush(&self) {}
}

static LOGGER: Capture = Capture {
    lines: Mutex::new(Vec::new()),
};

#[test]
fn neither_the_key_nor_the_token_is_logged() {
    log::set_logger(&LOGGER).unwrap();
    log::set_max_level(LevelFilter::Debug);

    let mut server = Server::new();
    let verify = server
        .mock("GET", "/protected/json/verify/0987654321/1000")
        .match_query(Matcher::Any)
        .with_status(401)
        .with_body(r#"{"message": "Token is invalid", "error_code": "60020", "success": false}"#)
        .expect(1)
        .create();
    let status = server
        .mock("GET", "/protected/json/users/1000/status")
        .with_status(503)
        .expect(2)
        .create();
    let client = AuthyApiClient::builder(KEY)
        .base_url(server.url())
        .max_retries(1)
        .build()
        .unwrap();
    let err = client
        .tokens()
        .verify(AuthyId::new(1000), TOKEN)
        .unwrap_err();
    let err2 = client.users().status(AuthyId::new(1000)).unwrap_err();
    verify.assert();
    status.assert();

    let lines = LOGGER.lines.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("/protected/json/verify/{redacted}/1000")),
        "{lines:#?}"
    );
    assert!(lines.iter().any(|l| l.contains("retrying")), "{lines:#?}");
    for line in lines.iter().chain([&err.to_string(), &err2.to_string()]) {
        assert!(!line.contains(KEY), "{line}");
        assert!(!line.contains(TOKEN), "{line}");
    }
}
