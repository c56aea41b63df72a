//! Side-by-side benchmark driver for august-rs.
//!
//! [`server`] is a minimal keep-alive HTTP server answering the recorded lock detail and
//! token-verify responses; the `run_*` functions time N sequential calls through the SDK
//! ([`run_lock_detail`], [`run_authy_verify`]) or through a bare ureq agent
//! ([`run_bare_get`], the transport floor). The `august-bench` binary wraps both for
//! `bench/side_by_side.sh`.

use std::io::Read;
use std::time::{Duration, Instant};

pub mod server;

/// The lock id requested (any id gets the same recorded answer).
pub const LOCK_ID: &str = "A1B2C3D4E5F60718293A4B5C6D7E8F01";
/// The access token sent (the benchmark server does not check it).
pub const ACCESS_TOKEN: &str = "bench-access-token";
/// The Authy API key sent.
pub const AUTHY_API_KEY: &str = "bench-authy-api-key";
/// The Authy user id of the token checks.
pub const AUTHY_ID: u64 = 1000;
/// The token checked.
pub const AUTHY_TOKEN: &str = "0123456";

/// The result of one timed loop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// Calls made.
    pub calls: u32,
    /// Wall time of all of them.
    pub elapsed: Duration,
}

impl Timing {
    /// Calls per second.
    pub fn calls_per_second(&self) -> f64 {
        f64::from(self.calls) / self.elapsed.as_secs_f64()
    }

    /// Mean time of one call, in microseconds.
    pub fn micros_per_call(&self) -> f64 {
        self.elapsed.as_secs_f64() * 1e6 / f64::from(self.calls)
    }
}

/// A failed call, with what went wrong.
#[derive(Debug)]
pub struct CallFailed(pub String);

impl std::fmt::Display for CallFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CallFailed {}

fn timed(
    calls: u32,
    mut call: impl FnMut() -> Result<(), CallFailed>,
) -> Result<Timing, CallFailed> {
    // One untimed call opens the connection, as the Python side's warm-up call does.
    call()?;
    let started = Instant::now();
    for _ in 0..calls {
        call()?;
    }
    Ok(Timing {
        calls,
        elapsed: started.elapsed(),
    })
}

/// `calls` sequential `Api::get_lock_detail` calls against `base_url`, after one warm-up call;
/// every answer is checked to be the recorded lock.
///
/// # Errors
///
/// The first failed call.
pub fn run_lock_detail(base_url: &str, calls: u32) -> Result<Timing, CallFailed> {
    let api = august_core::Api::builder()
        .base_url(base_url)
        .build()
        .map_err(|e| CallFailed(e.to_string()))?;
    timed(calls, || {
        let detail = api
            .get_lock_detail(ACCESS_TOKEN, LOCK_ID)
            .map_err(|e| CallFailed(e.to_string()))?;
        if detail.device_name() != "Front Door Lock" {
            return Err(CallFailed(format!(
                "unexpected lock name {:?}",
                detail.device_name()
            )));
        }
        Ok(())
    })
}

/// `calls` sequential `tokens().verify` calls against `base_url`, after one warm-up call.
///
/// # Errors
///
/// The first failed call.
pub fn run_authy_verify(base_url: &str, calls: u32) -> Result<Timing, CallFailed> {
    let client = authy_client::AuthyApiClient::builder(AUTHY_API_KEY)
        .base_url(base_url)
        .build()
        .map_err(|e| CallFailed(e.to_string()))?;
    timed(calls, || {
        client
            .tokens()
            .verify(AUTHY_ID, AUTHY_TOKEN)
            .map(|_| ())
            .map_err(|e| CallFailed(e.to_string()))
    })
}

/// `calls` sequential bare ureq GETs of `url` (same agent settings as the SDK's transport:
/// no status errors, no redirects, no proxy, a global timeout), each reading the whole body.
///
/// # Errors
///
/// The first failed call.
pub fn run_bare_get(url: &str, calls: u32) -> Result<Timing, CallFailed> {
    let agent = bare_agent();
    let mut body = Vec::with_capacity(8192);
    timed(calls, || {
        body.clear();
        let mut response = agent
            .get(url)
            .call()
            .map_err(|e| CallFailed(e.to_string()))?;
        response
            .body_mut()
            .as_reader()
            .read_to_end(&mut body)
            .map_err(|e| CallFailed(e.to_string()))?;
        if body.is_empty() {
            return Err(CallFailed("empty body".into()));
        }
        Ok(())
    })
}

/// `calls` sequential GETs of `/locks/{LOCK_ID}` under `base_url` through
/// `api_transport::Transport` (what `Api` sends through), after one warm-up call: the
/// transport's share of a `get_lock_detail` call, without the API headers and the decoding.
///
/// # Errors
///
/// The first failed call, or an answer that is not a 200 with a body.
pub fn run_transport_get(base_url: &str, calls: u32) -> Result<Timing, CallFailed> {
    use api_transport::{BaseUrl, Method, Path, Request, Transport};
    let transport = Transport::builder().build();
    // The base URL checked once, as `Api` does.
    let base_url = BaseUrl::parse(base_url).map_err(|e| CallFailed(e.to_string()))?;
    let request = Request::at(
        Method::Get,
        &base_url,
        Path::new().lit("locks").seg(LOCK_ID),
    );
    timed(calls, || {
        let response = transport
            .send(&request)
            .map_err(|e| CallFailed(e.to_string()))?;
        if response.status() != 200 || response.body().is_empty() {
            return Err(CallFailed(format!("unexpected answer {response:?}")));
        }
        Ok(())
    })
}

/// The entries of the recorded house activity feed (`get_house_activities.json`).
pub const HOUSE_ACTIVITIES: &[u8] =
    include_bytes!("../../august-core/tests/fixtures/get_house_activities.json");

/// A legacy activity feed of `entries` entries cycling through the recorded ones, written
/// compactly as the server sends it.
///
/// # Errors
///
/// Never for the recorded fixture; the JSON error otherwise.
pub fn activity_feed(entries: usize) -> Result<Vec<u8>, CallFailed> {
    let recorded: Vec<serde_json::Value> =
        serde_json::from_slice(HOUSE_ACTIVITIES).map_err(|e| CallFailed(e.to_string()))?;
    let feed: Vec<&serde_json::Value> = recorded.iter().cycle().take(entries).collect();
    serde_json::to_vec(&feed).map_err(|e| CallFailed(e.to_string()))
}

/// What [`run_parse_feed`] parses the feed into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseInto {
    /// `august_core::ActivityFeed`.
    Typed,
    /// `serde_json::Value`.
    Value,
    /// Nothing: the JSON is checked and skipped (`serde::de::IgnoredAny`), the floor of any
    /// reader that looks at every byte once.
    Skip,
}

/// Decodes `bytes` into `T`, a `Value` or nothing, as `into` says.
fn parse_as<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    into: ParseInto,
) -> Result<(), CallFailed> {
    let failed = |e: serde_json::Error| CallFailed(e.to_string());
    match into {
        ParseInto::Typed => {
            std::hint::black_box(serde_json::from_slice::<T>(bytes).map_err(failed)?);
        }
        ParseInto::Value => {
            std::hint::black_box(
                serde_json::from_slice::<serde_json::Value>(bytes).map_err(failed)?,
            );
        }
        ParseInto::Skip => {
            std::hint::black_box(
                serde_json::from_slice::<serde::de::IgnoredAny>(bytes).map_err(failed)?,
            );
        }
    }
    Ok(())
}

/// Decodes the recorded lock detail (the bytes the benchmark servers send) `iterations` times
/// into `LockDetail` (typed), a `Value`, or nothing: the decoding share of a
/// `get_lock_detail` call, without the network.
///
/// # Errors
///
/// The parse error.
pub fn run_parse_lock_detail(into: ParseInto, iterations: u32) -> Result<Timing, CallFailed> {
    let started = Instant::now();
    for _ in 0..iterations {
        let bytes = std::hint::black_box(server::LOCK_DETAIL);
        if into == ParseInto::Typed {
            // What `Api::get_lock_detail` does with the body.
            let detail =
                august_core::LockDetail::from_json(bytes).map_err(|e| CallFailed(e.to_string()))?;
            std::hint::black_box(detail);
        } else {
            parse_as::<august_core::LockDetail>(bytes, into)?;
        }
    }
    Ok(Timing {
        calls: iterations,
        elapsed: started.elapsed(),
    })
}

/// The `users` object of the recorded lock detail, compact, as its own document.
///
/// # Errors
///
/// The fixture has no `users` object (it has).
pub fn lock_detail_users() -> Result<Vec<u8>, CallFailed> {
    let detail: serde_json::Value =
        serde_json::from_slice(server::LOCK_DETAIL).map_err(|e| CallFailed(e.to_string()))?;
    let users = detail
        .get("users")
        .filter(|u| u.is_object())
        .ok_or_else(|| CallFailed("the lock detail has no users object".into()))?;
    serde_json::to_vec(users).map_err(|e| CallFailed(e.to_string()))
}

/// Decodes a lock's `users` object (see [`lock_detail_users`]) `iterations` times: in one pass
/// into `BTreeMap<String, User>` ([`ParseInto::Typed`]), or into a `Value` first and then each
/// user from it ([`ParseInto::Value`]), or not at all ([`ParseInto::Skip`]): what reading a
/// lock detail's users costs each way.
///
/// # Errors
///
/// The parse error.
pub fn run_parse_users(
    bytes: &[u8],
    into: ParseInto,
    iterations: u32,
) -> Result<Timing, CallFailed> {
    use std::collections::BTreeMap;
    let failed = |e: serde_json::Error| CallFailed(e.to_string());
    let started = Instant::now();
    for _ in 0..iterations {
        let bytes = std::hint::black_box(bytes);
        match into {
            ParseInto::Value => {
                let value: serde_json::Value = serde_json::from_slice(bytes).map_err(failed)?;
                let users: BTreeMap<String, august_core::User> = match value {
                    serde_json::Value::Object(entries) => entries
                        .into_iter()
                        .filter(|(_, entry)| entry.is_object())
                        .filter_map(|(id, entry)| Some((id, serde_json::from_value(entry).ok()?)))
                        .collect(),
                    _ => BTreeMap::new(),
                };
                std::hint::black_box(users);
            }
            other => parse_as::<BTreeMap<String, august_core::User>>(bytes, other)?,
        }
    }
    Ok(Timing {
        calls: iterations,
        elapsed: started.elapsed(),
    })
}

/// Parses `bytes` `iterations` times (for profiling under callgrind or perf).
///
/// # Errors
///
/// The parse error.
pub fn run_parse_feed(
    bytes: &[u8],
    into: ParseInto,
    iterations: u32,
) -> Result<Timing, CallFailed> {
    let started = Instant::now();
    for _ in 0..iterations {
        parse_as::<august_core::ActivityFeed>(bytes, into)?;
    }
    Ok(Timing {
        calls: iterations,
        elapsed: started.elapsed(),
    })
}

/// `calls` sequential GETs of `path` written by hand on one `TcpStream` to `addr`
/// (`127.0.0.1:port`), each reading the answer's head and its `Content-Length` body: the
/// loopback round trip with this server and no HTTP client at all.
///
/// # Errors
///
/// The first I/O failure or malformed answer.
pub fn run_raw_get(addr: &str, path: &str, calls: u32) -> Result<Timing, CallFailed> {
    use std::io::{BufRead, BufReader, Write};
    let failed = |e: std::io::Error| CallFailed(e.to_string());
    let stream = std::net::TcpStream::connect(addr).map_err(failed)?;
    stream.set_nodelay(true).map_err(failed)?;
    let mut writer = stream.try_clone().map_err(failed)?;
    let mut reader = BufReader::new(stream);
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: */*\r\n\r\n");
    let mut line = String::new();
    let mut body = Vec::with_capacity(8192);
    timed(calls, || {
        writer.write_all(request.as_bytes()).map_err(failed)?;
        let mut length = None;
        loop {
            line.clear();
            if reader.read_line(&mut line).map_err(failed)? == 0 {
                return Err(CallFailed("connection closed".into()));
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse::<usize>().ok();
            }
        }
        let length = length.ok_or_else(|| CallFailed("no content-length".into()))?;
        body.resize(length, 0);
        reader.read_exact(&mut body).map_err(failed)?;
        Ok(())
    })
}

/// A ureq agent configured as `api-transport` configures its own. (The tests' raw client,
/// `test_support::raw_http::agent`, is the same agent; this binary cannot depend on the
/// test-only crate, which brings mockito's async runtime with it.)
pub fn bare_agent() -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(10)))
        .build();
    ureq::Agent::new_with_config(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_loop_reuses_one_connection() {
        let server = server::Server::start(0, server::default_routes()).expect("binds");
        let url = server.url();
        let timing = run_lock_detail(&url, 20).expect("lock detail calls succeed");
        assert_eq!(timing.calls, 20);
        assert_eq!((server.api_connections(), server.api_requests()), (1, 21));
        server.reset();
        run_authy_verify(&url, 5).expect("token checks succeed");
        assert_eq!((server.api_connections(), server.api_requests()), (1, 6));
        server.reset();
        run_bare_get(&format!("{url}/locks/{LOCK_ID}"), 5).expect("bare gets succeed");
        assert_eq!((server.api_connections(), server.api_requests()), (1, 6));
        server.reset();
        run_transport_get(&url, 5).expect("transport gets succeed");
        assert_eq!((server.api_connections(), server.api_requests()), (1, 6));
        server.reset();
        let addr = url.trim_start_matches("http://");
        run_raw_get(addr, &format!("/locks/{LOCK_ID}"), 5).expect("raw gets succeed");
        assert_eq!((server.api_connections(), server.api_requests()), (1, 6));
    }

    #[test]
    fn answers_are_compact_json() {
        let compact = server::compact_json(b"{ \"a\" : [1, 2],\n \"b\": \"x \\\" y\" }");
        assert_eq!(compact, b"{\"a\":[1,2],\"b\":\"x \\\" y\"}");
        let routes = server::default_routes();
        let verify = String::from_utf8_lossy(&routes[1].body).into_owned();
        assert!(verify.contains("\"token\":\"is valid\""), "{verify}");
        let pretty: serde_json::Value =
            serde_json::from_slice(server::LOCK_DETAIL).expect("fixture parses");
        let compact: serde_json::Value =
            serde_json::from_slice(&routes[0].body).expect("compact form parses");
        assert_eq!(pretty, compact);
    }

    #[test]
    fn feeds_have_the_asked_length_and_parse_both_ways() {
        let feed = activity_feed(25).expect("the fixture builds a feed");
        let parsed: august_core::ActivityFeed = serde_json::from_slice(&feed).expect("parses");
        assert_eq!(parsed.as_slice().len(), 25);
        assert_eq!(parsed.as_slice()[10].action(), Some("lock"));
        for into in [ParseInto::Typed, ParseInto::Value, ParseInto::Skip] {
            assert_eq!(run_parse_feed(&feed, into, 2).expect("parses").calls, 2);
            assert!(run_parse_feed(b"{", into, 1).is_err(), "{into:?}");
            assert_eq!(run_parse_lock_detail(into, 2).expect("parses").calls, 2);
            let users = lock_detail_users().expect("the fixture has users");
            assert_eq!(run_parse_users(&users, into, 2).expect("parses").calls, 2);
        }
    }

    #[test]
    fn unknown_routes_fail_the_loop() {
        let server = server::Server::start(0, Vec::new()).expect("binds");
        let err = run_lock_detail(&server.url(), 3).expect_err("404 fails");
        assert!(err.0.contains("404"), "{err}");
    }
}
