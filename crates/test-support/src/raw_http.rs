//! Raw HTTP, for the tests and benchmarks that must see what a server sends with nothing
//! normalised by the SDK: an agent configured as `api-transport` configures its own (every
//! status an answer, no redirects, no proxy, a 10 s deadline), and one call with any method,
//! headers and body.

use std::time::Duration;

use serde_json::Value;

/// A plain ureq agent that returns every status as a response and follows no redirect.
/// `august_bench::bare_agent` is the same agent (the shipped benchmark binary cannot depend on
/// this test-only crate): keep the two equal.
pub fn agent() -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(10)))
        .build();
    ureq::Agent::new_with_config(config)
}

/// The body of a request.
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    /// No body (`GET` and `DELETE` never send one).
    None,
    /// JSON, with `Content-Type: application/json`.
    Json(&'a Value),
    /// A form, `application/x-www-form-urlencoded`.
    Form(&'a [(&'a str, &'a str)]),
}

/// An answer as it came: the request's method and path (without the query), the status, the
/// headers, the text and the text parsed as JSON (`Null` when it is not JSON).
#[derive(Debug)]
pub struct Raw {
    /// The request's method.
    pub method: String,
    /// The request's path, without the query.
    pub path: String,
    /// The answer's status.
    pub status: u16,
    /// The answer's body as JSON, `Null` when it is not JSON.
    pub body: Value,
    /// The answer's body as text.
    pub text: String,
    /// The answer's headers.
    pub headers: Vec<(String, String)>,
}

impl Raw {
    /// A header's value (the first one), by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `method url` with `headers` and `body`, and reads the whole answer.
///
/// # Panics
///
/// When no answer comes (the server refused, closed or stalled past the deadline); for a
/// method other than `GET`, `DELETE`, `PUT` and `POST`, or a body given to a `GET` or `DELETE`
/// (a test that would not send what it says).
pub fn call(method: &str, url: &str, headers: &[(&str, &str)], body: Body<'_>) -> Raw {
    let agent = agent();
    let response = match method {
        "GET" | "DELETE" => {
            assert!(
                matches!(body, Body::None),
                "{method} {url}: a {method} is sent without a body"
            );
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
        "PUT" | "POST" => {
            let mut rb = if method == "PUT" {
                agent.put(url)
            } else {
                agent.post(url)
            };
            for (k, v) in headers {
                rb = rb.header(*k, *v);
            }
            match body {
                Body::None => rb.send_empty(),
                Body::Json(v) => rb
                    .header("Content-Type", "application/json")
                    .send(v.to_string().as_bytes()),
                Body::Form(pairs) => rb.send_form(pairs.iter().copied()),
            }
        }
        other => panic!("{other} {url}: not a method these tests send"),
    };
    let response = response.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let text = response
        .into_body()
        .read_to_string()
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    let path = url
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or("/");
    let path = path.split('?').next().unwrap_or(path).to_owned();
    Raw {
        method: method.to_owned(),
        path,
        status,
        body,
        text,
        headers,
    }
}
