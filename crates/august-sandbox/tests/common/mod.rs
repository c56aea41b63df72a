//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::time::Duration;

use august_core::{Api, LoginMethod};
use august_sandbox::{Sandbox, demo};
use serde_json::Value;

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

/// A plain HTTP client that returns every status as a response.
pub fn agent() -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(10)))
        .build();
    ureq::Agent::new_with_config(config)
}

/// Status, headers of interest and JSON body of a raw request.
pub struct Raw {
    pub status: u16,
    pub body: Value,
    pub text: String,
    pub headers: Vec<(String, String)>,
}

impl Raw {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn collect(response: ureq::http::Response<ureq::Body>) -> Raw {
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let text = response
        .into_body()
        .read_to_string()
        .expect("a readable body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Raw {
        status,
        body,
        text,
        headers,
    }
}

/// Sends a request with the given headers and optional JSON body.
pub fn raw(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&Value>) -> Raw {
    let agent = agent();
    let response = match method {
        "GET" | "DELETE" => {
            let mut rb = if method == "GET" {
                agent.get(url)
            } else {
                agent.delete(url)
            };
            for (k, v) in headers {
                rb = rb.header(*k, *v);
            }
            rb.call()
        }
        _ => {
            let mut rb = match method {
                "PUT" => agent.put(url),
                _ => agent.post(url),
            };
            for (k, v) in headers {
                rb = rb.header(*k, *v);
            }
            match body {
                Some(b) => rb
                    .header("Content-Type", "application/json")
                    .send(b.to_string().as_bytes()),
                None => rb.send_empty(),
            }
        }
    };
    collect(response.expect("the sandbox answers"))
}
