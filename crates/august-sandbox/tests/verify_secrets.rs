//! The access tokens the Verify emulator mints are secrets: with every log target on (ureq's
//! capped at `debug`, as `docs/transport.md` recommends), no line written while one is created
//! and fetched carries it. A binary of its own, as it installs the process's logger.

use august_sandbox::{Sandbox, verify as sb};
use test_support::capture::{Capture, UreqLevel, hits, texts};
use twilio_verify::{Credentials, Identity, NewPushAccessToken, ServiceSid, VerifyClient};

#[test]
fn an_access_token_is_in_no_log_line() {
    let capture = Capture::install();
    capture.start(UreqLevel::Debug);
    let sandbox = Sandbox::start().unwrap();
    let client = VerifyClient::builder(Credentials::api_key(sb::API_KEY_SID, sb::API_KEY_SECRET))
        .base_url(sandbox.verify_url())
        .build()
        .unwrap();
    let service: ServiceSid = sb::SERVICE_SID.parse().unwrap();
    let tokens = client.access_tokens(&service);
    let identity = Identity::new("user-0042-0201").unwrap();
    let created = tokens.create(&NewPushAccessToken::new(identity)).unwrap();
    let fetched = tokens.fetch(&created.sid).unwrap();
    assert_eq!(fetched.token.expose(), created.token.expose());
    drop(sandbox);
    let lines = capture.take();
    // The sandbox did log (its start and stop at least): the scan read its lines.
    assert!(
        lines.iter().any(|l| l.text.starts_with("sandbox")),
        "{lines:?}"
    );
    let texts = texts(&lines);
    let found = hits(
        &[("access token", created.token.expose())],
        texts.iter().map(String::as_str),
    );
    assert_eq!(found, Vec::<String>::new());
}
