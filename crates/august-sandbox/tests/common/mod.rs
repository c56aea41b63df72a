//! Helpers shared by the integration tests.

#![allow(dead_code)]

use august_core::{Api, LoginMethod};
use august_sandbox::{Sandbox, demo};
use serde_json::Value;
use test_support::raw_http::Body;

/// The `august` brand's API key.
pub const AUGUST_KEY: &str = "d9984f29-07a6-816e-e1c9-44ec9d1be431";

/// An `Api` on the sandbox, without automatic retries unless asked.
pub fn api(sandbox: &Sandbox) -> Api {
    Api::builder()
        .base_url(sandbox.august_url())
        .max_retries(0)
        .build()
        .expect("the sandbox URL is loopback http")
}

/// Logs the demo user in with a fresh install id (session, code, validation, session) and
/// returns the validated access token.
pub fn login(sandbox: &Sandbox, api: &Api, install_id: &str) -> String {
    let identifier = LoginMethod::Phone.identifier(demo::PHONE);
    let first = api
        .get_session(install_id, &identifier, demo::PASSWORD)
        .expect("session");
    api.send_verification_code(first.access_token(), LoginMethod::Phone, demo::PHONE)
        .expect("send code");
    let code = sandbox
        .august_verification_code_for(install_id)
        .expect("a code for this install id");
    api.validate_verification_code(first.access_token(), LoginMethod::Phone, demo::PHONE, &code)
        .expect("validate");
    let second = api
        .get_session(install_id, &identifier, demo::PASSWORD)
        .expect("second session");
    assert!(second.install_id_verified());
    second.access_token().to_owned()
}

pub use test_support::raw_http::Raw;

/// Sends a request with the given headers and optional JSON body.
pub fn raw(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&Value>) -> Raw {
    test_support::raw_http::call(method, url, headers, body.map_or(Body::None, Body::Json))
}

/// The `Authorization` value of HTTP Basic authentication with `user` and `password`.
pub fn basic_auth(user: &str, password: &str) -> String {
    use base64::Engine as _;
    let pair = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {pair}")
}

/// The current code of a TOTP seed (`secret` in base32), `digits` long, as an authenticator
/// app computes it (RFC 6238: SHA-1, 30 s steps).
pub fn totp_code(secret: &str, digits: u8) -> String {
    totp_rs::Builder::new()
        .with_digits(digits)
        .with_secret(totp_rs::Secret::try_from_base32(secret).expect("a base32 secret"))
        .build_noncompliant()
        .generate_current()
        .to_string()
}
