//! The HTTP layer shared by the august-rs clients (`august::api`, `august::authy`,
//! `august::verify`).
//!
//! Programs do not use this crate directly: the clients' builders expose its settings, and the
//! `august` crate re-exports only its logging guard, as `august::logging`
//! (`august::logging::install_capped_logger`). The example below is for client authors and uses
//! this crate's own name.
//!
//! It configures [ureq](https://docs.rs/ureq) once, deliberately:
//!
//! - every call has a timeout covering the whole exchange, body included
//!   ([`TransportBuilder::timeout`], 10 s by default; a request may set its own); a read or
//!   write blocked at the deadline ends at most 20 ms after it (socket timeouts are only set
//!   again when they drift that far), never before;
//! - a pooled connection is checked with one non-blocking peek before it is reused, except
//!   by a request that is safe to repeat when its last answer was read less than 100 ms ago
//!   (servers close idle connections after seconds; a GET that meets a closed one anyway is
//!   retried); a call on it makes two system calls (the request written, the answer read),
//!   three with the peek;
//! - HTTP statuses are never turned into errors here: [`Transport::send`] returns every response
//!   with its status and body, and each client maps statuses to its own typed errors;
//! - redirects are never followed (a custom credential header must never reach another host);
//!   a 3xx comes back as a response;
//! - plain `http` is refused except for loopback hosts (`127.0.0.0/8`, `::1`, `localhost`), which
//!   tests and local servers use; proxies are not read from the environment;
//! - response bodies are capped ([`TransportBuilder::max_body`], 1 MiB by default, per request
//!   with [`Request::max_body`]);
//! - path values are percent-encoded by [`Path`], so no ID can change the request path;
//! - a client that sends many requests to one server checks its base URL and its constant
//!   headers once ([`BaseUrl`] with [`Request::at`], [`Headers`] with [`Request::headers`]),
//!   instead of on every call;
//! - only [`Retry::Safe`] requests are retried: after 429, 502, 503, 504 or a failure to deliver,
//!   at most [`TransportBuilder::max_retries`] times (3 by default, 0 allowed), with exponential
//!   backoff and jitter, honouring `Retry-After` up to [`TransportBuilder::max_retry_after`];
//! - logs (through the `log` facade, target `api_transport`) carry the method, the path with
//!   secret segments redacted, the status, the elapsed time and the attempt: never a query, a
//!   header value or a body.
//!
//! ```no_run
//! use api_transport::{Method, Path, Request, Transport};
//!
//! # fn main() -> Result<(), api_transport::Error> {
//! let transport = Transport::builder().build();
//! let request = Request::new(Method::Get, "https://api.example.com", Path::new().lit("locks").seg("A1"))
//!     .header("x-api-key", "secret");
//! let response = transport.send(&request)?;
//! println!("{} {} bytes", response.status(), response.body().len());
//! # Ok(())
//! # }
//! ```
//!
//! ureq itself logs at `debug` and `trace` level under the `ureq` and `ureq_proto` targets; at
//! `trace` it dumps the raw bytes of every request, headers and body included (credentials,
//! passwords, codes), and neither ureq nor ureq-proto has a setting or a feature that turns this
//! off. An application that enables `trace` logging must cap those two targets at `debug`:
//! install its logger with [`install_capped_logger`] (or wrap it in [`CappedLogger`]), as the
//! `august` and `august-sandbox` binaries do.

mod base_url;
mod builder;
mod connector;
mod deadline;
mod error;
mod headers;
mod kind;
mod logging;
mod request;
mod resolver;
mod scrub;
mod secret;
mod service_error;
mod settings;
mod stop;
mod tcp;
mod text;
pub mod time;
mod unknown_variant;

use std::fmt;
use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use ureq::http::{HeaderValue, Uri, header};

pub use base_url::BaseUrl;
pub use builder::{ClientSettings, RESERVED_HEADERS, check_user_agent, checked_base_url};
pub use deadline::{deadline, within};
pub use error::Error;
pub use headers::Headers;
pub use kind::{ErrorKind, HasErrorKind, answer_leaves_outcome_unknown, repeated_cause};
pub use logging::{CappedLogger, UREQ_LOG_CAPS, exceeds_ureq_cap, install_capped_logger};
use request::{Base, Scrubbed};
pub use request::{Method, Path, Request, Retry};
pub use resolver::{DEFAULT_NAME_TTL, resolve};
pub use scrub::redact;
pub use secret::Secret;
pub use settings::{DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF, check_header};
pub use tcp::connect;
pub use text::{is_printable, printable};
pub use unknown_variant::UnknownVariant;

/// Default timeout of a call.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest timeout a call is given: a year, no timeout in practice. A longer one (such as
/// `Duration::MAX`, to mean "never time out") is this long, since the clock cannot count
/// beyond what it can add to now.
pub const LONGEST_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 60 * 60);
/// Default response body cap, in bytes.
pub const DEFAULT_MAX_BODY: u64 = 1024 * 1024;
/// Default number of idle connections kept for reuse.
pub const DEFAULT_MAX_IDLE_CONNECTIONS: usize = 16;
/// Default number of automatic retries of a [`Retry::Safe`] request.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// The `User-Agent` of a transport that is not given one (or is given one that cannot be sent).
const DEFAULT_USER_AGENT: &str = concat!("api-transport/", env!("CARGO_PKG_VERSION"));
/// Why an attempt of a transport that was shut down is not sent.
const SHUT_DOWN: &str = "the transport was shut down";
/// The most room made for a body before it is read, whatever its announced length: beyond
/// it, the buffer grows with what actually comes.
const MAX_PREALLOCATION: u64 = 1024 * 1024;

/// A response: status, headers and the whole body (already read, within the cap).
#[derive(Clone)]
pub struct Response {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: Vec<u8>,
    attempts: u32,
}

impl Response {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        // Kept as received: looking a header up is cheaper than copying them all into strings.
        // A value that is not visible ASCII is treated as absent.
        self.headers.get(name)?.to_str().ok()
    }

    /// The `Content-Type` header, if any.
    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }

    /// Whether the content type is JSON (`application/json`, parameters allowed, or a `+json`
    /// type).
    pub fn is_json(&self) -> bool {
        self.content_type().is_some_and(|ct| {
            let essence = ct.split(';').next().unwrap_or("").trim();
            essence.eq_ignore_ascii_case("application/json") || essence.ends_with("+json")
        })
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Takes the body.
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }

    /// How many times the request was sent to get this response (1 without retries).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// `Retry-After` as a duration from now (seconds or an HTTP date), if present and valid;
    /// [`Duration::MAX`] for a number of seconds too large to count.
    pub fn retry_after(&self) -> Option<Duration> {
        parse_retry_after(self.header("retry-after")?)
    }

    /// The start of the body as text, at most `max` characters, for error messages.
    pub fn snippet(&self, max: usize) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let text = text.trim();
        let mut out = text::printable(text, max);
        if text.chars().count() > max {
            out.push('…');
        }
        out
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("content_type", &self.content_type())
            .field("body_bytes", &self.body.len())
            .field("attempts", &self.attempts)
            .finish()
    }
}

/// Parses `Retry-After`: delay seconds or an HTTP date. A number of seconds too large to
/// count is [`Duration::MAX`]: longer than any wait.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::MAX);
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Settings of a [`Transport`], fixed when it is built.
#[derive(Debug, Clone)]
struct Settings {
    timeout: Duration,
    max_body: u64,
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    user_agent: String,
    max_idle_connections: usize,
    name_ttl: Duration,
}

/// Builds a [`Transport`]. Every setter says its default.
#[derive(Debug, Clone)]
#[must_use]
pub struct TransportBuilder {
    settings: Settings,
}

impl TransportBuilder {
    /// Timeout of a whole call, from connecting to the last body byte; at most
    /// [`LONGEST_TIMEOUT`]. Defaults to 10 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout.min(LONGEST_TIMEOUT);
        self
    }

    /// Response body cap in bytes; a larger body is [`Error::ResponseTooLarge`]. Defaults to
    /// 1 MiB.
    pub fn max_body(mut self, bytes: u64) -> Self {
        self.settings.max_body = bytes;
        self
    }

    /// How many times a [`Retry::Safe`] request is sent again after 429, 502, 503, 504 or a
    /// failure to deliver. `0` turns retries off. Defaults to 3.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.settings.max_retries = retries;
        self
    }

    /// First backoff delay; it doubles at each retry (with jitter of up to half the delay
    /// added), up to [`TransportBuilder::max_backoff`]. Defaults to 250 ms.
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.settings.initial_backoff = delay;
        self
    }

    /// Longest backoff delay. Defaults to 5 s.
    pub fn max_backoff(mut self, delay: Duration) -> Self {
        self.settings.max_backoff = delay;
        self
    }

    /// Longest `Retry-After` the transport waits for; a longer one ends the retries and the
    /// response is returned as is. Defaults to 30 s.
    pub fn max_retry_after(mut self, delay: Duration) -> Self {
        self.settings.max_retry_after = delay;
        self
    }

    /// How many idle connections the pool keeps open for reuse (the clients talk to one host,
    /// so this is also the number per host). Threads sharing a client beyond this number open
    /// and close connections. Defaults to 16.
    pub fn max_idle_connections(mut self, connections: usize) -> Self {
        self.settings.max_idle_connections = connections;
        self
    }

    /// How long the addresses of a host name are reused before it is looked up again; a call
    /// that cannot connect or loses its connection makes the next one look it up at once.
    /// `Duration::ZERO` looks the name up on every call. Hosts written as IP addresses are
    /// never looked up. Defaults to [`DEFAULT_NAME_TTL`] (30 s).
    pub fn name_ttl(mut self, ttl: Duration) -> Self {
        self.settings.name_ttl = ttl;
        self
    }

    /// The `User-Agent` header. A value that cannot be sent (anything but visible ASCII,
    /// spaces and tabs: a line break, a non-ASCII character) is replaced by the default, with a
    /// warning logged when the transport is built. Defaults to `api-transport/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.settings.user_agent = user_agent.into();
        self
    }

    /// Builds the transport and its connection pool.
    pub fn build(self) -> Transport {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .proxy(None)
            // Every request carries the transport's own (see `http_request`): ureq, which would
            // build one from text for each request, builds none.
            .user_agent(ureq::config::AutoHeaderValue::None)
            .timeout_global(Some(self.settings.timeout))
            .max_idle_connections(self.settings.max_idle_connections)
            .max_idle_connections_per_host(self.settings.max_idle_connections)
            .build();
        // Our TCP connections under ureq's TLS, and ureq's resolver, with their failures
        // reported as failures before sending (see `connector`, `tcp`); names are cached (see
        // `resolver`).
        let names = Arc::new(resolver::NameCache::new(self.settings.name_ttl));
        let agent = ureq::Agent::with_parts(
            config,
            connector::NotSentOnFailure::new(),
            resolver::CachingResolver::new(Arc::clone(&names)),
        );
        // Sent with every request unless it has its own: built once here, where ureq would
        // build them again for each request.
        let user_agent = settings::header_value("user-agent", &self.settings.user_agent)
            .unwrap_or_else(|_| {
                log::warn!(
                    "the User-Agent set cannot be sent (only visible ASCII characters, spaces and tabs are allowed): sending {DEFAULT_USER_AGENT}"
                );
                HeaderValue::from_static(DEFAULT_USER_AGENT)
            });
        Transport {
            agent,
            names,
            user_agent,
            settings: Arc::new(self.settings),
            stop: Arc::default(),
        }
    }
}

/// A blocking HTTP client with one connection pool; cheap to clone (the pool is shared), `Send`
/// and `Sync`.
#[derive(Clone)]
pub struct Transport {
    agent: ureq::Agent,
    names: Arc<resolver::NameCache>,
    user_agent: HeaderValue,
    settings: Arc<Settings>,
    /// Set by [`Transport::shutdown`]: no request is sent any more.
    stop: Arc<stop::Stop>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("timeout", &self.settings.timeout)
            .field("max_body", &self.settings.max_body)
            .field("max_retries", &self.settings.max_retries)
            .finish()
    }
}

impl Default for Transport {
    fn default() -> Self {
        Transport::builder().build()
    }
}

impl Transport {
    /// A builder with the defaults.
    pub fn builder() -> TransportBuilder {
        TransportBuilder {
            settings: Settings {
                timeout: DEFAULT_TIMEOUT,
                max_body: DEFAULT_MAX_BODY,
                max_retries: DEFAULT_MAX_RETRIES,
                initial_backoff: Duration::from_millis(250),
                max_backoff: Duration::from_secs(5),
                max_retry_after: Duration::from_secs(30),
                max_idle_connections: DEFAULT_MAX_IDLE_CONNECTIONS,
                name_ttl: DEFAULT_NAME_TTL,
                user_agent: DEFAULT_USER_AGENT.to_owned(),
            },
        }
    }

    /// The timeout of a call unless a request sets its own.
    pub fn timeout(&self) -> Duration {
        self.settings.timeout
    }

    /// Closes every connection of the pool, the idle ones and the ones calls are waiting on,
    /// and refuses new ones: a call blocked on a connection (a long-poll) returns at once
    /// with [`Error::ConnectionLost`], a call waiting to retry returns at once with what its
    /// attempts got (as when it runs out of retries, see [`Transport::send`]), and every later
    /// call fails with [`Error::NotDelivered`]. Clones share the pool, so this ends theirs too:
    /// it is meant for a transport that a worker owns, to stop the worker from another thread
    /// without waiting out its timeout.
    ///
    /// ```
    /// use api_transport::{Error, Method, Path, Request, Transport};
    ///
    /// let transport = Transport::builder().build();
    /// transport.shutdown();
    /// let err = transport
    ///     .send(&Request::new(Method::Get, "http://127.0.0.1:9", Path::new()))
    ///     .unwrap_err();
    /// assert!(matches!(err, Error::NotDelivered { .. }));
    /// ```
    pub fn shutdown(&self) {
        self.stop.set();
        self.agent.clone().shutdown();
    }

    /// Sends a request and reads the whole response, retrying a [`Retry::Safe`] request as the
    /// policy allows. Any HTTP status is a response, not an error.
    ///
    /// The call has one deadline: the timeout (the request's own, or the transport's) bounds
    /// every attempt, every backoff and every `Retry-After` wait together. A wait is not started
    /// when the wait and another attempt as long as the last one would not end before the
    /// deadline: the last answer or error is returned instead.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] before sending (a bad URL, a header that cannot be sent);
    /// otherwise the failure of the last attempt that may have reached the server (an answer,
    /// if it got one, is returned as the call's even when a retry after it was refused), or,
    /// if none did, [`Error::NotDelivered`] with the reason.
    pub fn send(&self, request: &Request) -> Result<Response, Error> {
        let uri = target(request)?;
        // Checked (so that a request that cannot be sent is neither sent nor retried) and
        // built once: the first attempt sends it, a retry builds it again.
        let mut prepared = Some(self.http_request(request, uri.clone())?);
        let mut timeout = request.timeout.unwrap_or(self.settings.timeout);
        let started = Instant::now();
        // A timeout too large to add to now has no deadline in practice.
        let mut deadline = started.checked_add(timeout);
        let mut own_timeout = request.timeout.is_some();
        // A deadline over several calls (`within`) that ends first is this call's, and named
        // in its timeout error.
        if let Some(scoped) = deadline::current()
            && deadline.is_none_or(|d| scoped.at < d)
        {
            // ureq's own timer needs setting only when the transport's ends well after the
            // scope's: a scope opened for this one call (as `august_auth::Client` does) ends a
            // few microseconds before it, within the slack every deadline already allows.
            own_timeout |=
                deadline.is_none_or(|d| d.duration_since(scoped.at) > tcp::TIMEOUT_SLACK);
            deadline = Some(scoped.at);
            timeout = scoped.whole;
        }
        let left = || deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let mut attempt: u32 = 0;
        let mut earlier = Attempts::default();
        // Whether an attempt was already retried at once after its pooled connection was
        // found closed: once per call, so that a restarted server that closed several pooled
        // connections does not use up the call's retries within milliseconds.
        let mut retried_at_once = false;
        loop {
            let budget = left().unwrap_or(timeout);
            if budget.is_zero() {
                // The deadline passed before another attempt could be sent.
                return earlier.end(attempt);
            }
            attempt += 1;
            let attempt_started = Instant::now();
            // The first attempt of a call with the transport's timeout runs under the agent's
            // own timeout (the same length, started a few instructions later, by the time ureq
            // starts its clock), which spares ureq a copy of its configuration per call; any
            // other attempt gets what is left.
            let own_budget = (attempt > 1 || own_timeout).then_some(budget);
            // Whether the attempt went out on a pooled connection taken without a probe.
            let (outcome, unprobed) = if self.stop.is_set() {
                let reason = SHUT_DOWN.into();
                (Err(Error::NotDelivered { reason }), false)
            } else {
                match prepared
                    .take()
                    .map_or_else(|| self.http_request(request, uri.clone()), Ok)
                {
                    Ok(http_request) => {
                        // A connection that is fresh is reused without its check only by a
                        // request that may be sent again, should it be closed after all.
                        let mark = tcp::Repeatable::mark(self.retry_left(request, attempt));
                        let outcome = self.exchange(request, http_request, own_budget, timeout);
                        (outcome, mark.unprobed())
                    }
                    Err(e) => (Err(e), false),
                }
            };
            let took = attempt_started.elapsed();
            let elapsed = took.as_millis();
            let path = request.path.redacted();
            match &outcome {
                Ok(resp) => {
                    log::debug!(
                        "{} {} -> {} in {elapsed} ms (attempt {attempt})",
                        request.method,
                        path,
                        resp.status
                    );
                }
                Err(err) => {
                    log::debug!(
                        "{} {} -> failed in {elapsed} ms (attempt {attempt}): {err}",
                        request.method,
                        path
                    );
                    // A pooled connection reused without a probe and found lost was closed by
                    // the server, which says nothing of the host.
                    let closed_idle = unprobed && matches!(err, Error::ConnectionLost { .. });
                    if !closed_idle
                        && matches!(
                            err,
                            Error::NotDelivered { .. }
                                | Error::ConnectionLost { .. }
                                | Error::Timeout { .. }
                        )
                    {
                        // The host may have moved: look its name up again next time.
                        self.names.forget(&uri);
                    }
                }
            }
            let at_once = unprobed && !retried_at_once;
            retried_at_once |= at_once && matches!(outcome, Err(Error::ConnectionLost { .. }));
            // The next attempt is expected to take about as long as this one.
            let wait = self
                .retry_wait(request, attempt, &outcome, at_once)
                .filter(|delay| {
                    let fits = left().is_none_or(|left| delay.saturating_add(took) < left);
                    if !fits {
                        log::info!(
                            "{} {}: not retrying, the {} ms deadline of the call would pass",
                            request.method,
                            path,
                            timeout.as_millis()
                        );
                    }
                    fits
                });
            earlier.keep(outcome);
            let Some(delay) = wait else {
                return earlier.end(attempt);
            };
            log::info!(
                "{} {}: retrying in {} ms",
                request.method,
                path,
                delay.as_millis()
            );
            if self.stop.sleep(delay) {
                // Shut down while waiting: no attempt is sent any more.
                return earlier.end(attempt);
            }
        }
    }

    /// Whether attempt number `attempt` of `request` may be followed by another.
    fn retry_left(&self, request: &Request, attempt: u32) -> bool {
        request.retry == Retry::Safe && attempt <= self.settings.max_retries
    }

    /// The delay before the next attempt after `outcome`, or `None` to stop. `at_once`: the
    /// attempt went out on a pooled connection taken without a probe, and none of the call's
    /// earlier attempts was retried at once for that; lost there, the connection was most
    /// likely closed by the server, and the retry, on a new connection, need not wait.
    fn retry_wait(
        &self,
        request: &Request,
        attempt: u32,
        outcome: &Result<Response, Error>,
        at_once: bool,
    ) -> Option<Duration> {
        if !self.retry_left(request, attempt) || self.stop.is_set() {
            return None;
        }
        match outcome {
            Ok(resp) if matches!(resp.status, 429 | 502 | 503 | 504) => match resp.retry_after() {
                Some(after) if after > self.settings.max_retry_after => None,
                Some(after) => Some(after),
                None => Some(self.backoff(attempt)),
            },
            Ok(_) => None,
            Err(Error::ConnectionLost { .. }) if at_once => Some(Duration::ZERO),
            Err(Error::NotDelivered { .. } | Error::ConnectionLost { .. }) => {
                Some(self.backoff(attempt))
            }
            Err(_) => None,
        }
    }

    /// The error of an attempt that got no answer, `timeout` the call's. ureq's pool refuses a
    /// connection once the agent is shut down, with an I/O error that it is not connected: a
    /// [`Transport::shutdown`] that came after the attempt's own check, before anything was
    /// sent.
    fn attempt_error(&self, err: ureq::Error, timeout: Duration) -> Error {
        match err {
            ureq::Error::Io(io)
                if io.kind() == std::io::ErrorKind::NotConnected && self.stop.is_set() =>
            {
                Error::NotDelivered {
                    reason: SHUT_DOWN.into(),
                }
            }
            err => error::from_ureq(err, timeout),
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self
            .settings
            .initial_backoff
            .saturating_mul(1u32 << (attempt - 1).min(16))
            .min(self.settings.max_backoff);
        let half = u64::try_from(base.as_millis() / 2).unwrap_or(u64::MAX);
        let jitter = if half == 0 {
            0
        } else {
            rand::random_range(0..=half)
        };
        base.saturating_add(Duration::from_millis(jitter))
            .min(self.settings.max_backoff)
    }

    /// One attempt: sends `http_request` within `budget` (the agent's timeout when `None`) and
    /// reads its answer, scrubbed of the request's secrets; `timeout` is the whole call's,
    /// named in a timeout error.
    fn exchange(
        &self,
        request: &Request,
        mut http_request: ureq::http::Request<()>,
        budget: Option<Duration>,
        timeout: Duration,
    ) -> Result<Response, Error> {
        if let Some(budget) = budget {
            http_request = self
                .agent
                .configure_request(http_request)
                .timeout_global(Some(budget))
                .build();
        }
        // A GET without a body is sent without one (no `Content-Length: 0`); other methods
        // say that their body is empty.
        let response = match request.body.as_deref() {
            None if request.method == Method::Get => self.agent.run(http_request),
            body => self
                .agent
                .run(http_request.map(|()| body.unwrap_or_default())),
        };
        let mut response = response.map_err(|e| self.attempt_error(e, timeout))?;
        let status = response.status().as_u16();
        let headers = std::mem::take(response.headers_mut());
        let limit = request.max_body.unwrap_or(self.settings.max_body);
        // Room for the whole body at once when its length is announced (within the cap), so
        // that it is read in one or two reads instead of a growing buffer's many.
        // Only as much as [`MAX_PREALLOCATION`] is taken on the server's word: a forged length
        // under a large cap reserves no more than that before a byte has come.
        let announced = headers
            .get(ureq::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
            .unwrap_or(0)
            .min(limit.saturating_add(1))
            .min(MAX_PREALLOCATION);
        let mut body = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
        // Read through a reader capped at limit + 1 bytes so an oversized body is detected
        // without buffering it.
        let reader = response.body_mut().with_config().limit(u64::MAX).reader();
        let read = reader.take(limit.saturating_add(1)).read_to_end(&mut body);
        if let Err(io) = read {
            return Err(error::from_body_read(io, status, timeout));
        }
        if body.len() as u64 > limit {
            return Err(Error::ResponseTooLarge { limit });
        }
        // The one place where the secrets of a request are taken out of an answer: an error
        // answer always (its start is shown in error messages), thoroughly; a successful
        // answer to a request that carries secret values carefully, as it is still decoded
        // (so that not even a decoding error can quote them), of all but the values it may
        // legitimately repeat (`Request::secret_in_errors`).
        let secrets = |rules: scrub::Rules| {
            let shared = request.shared.as_ref().map_or(&[][..], Headers::secrets);
            let own = request
                .secrets
                .iter()
                .filter(move |(_, scrubbed)| {
                    rules == scrub::Rules::Error || *scrubbed == Scrubbed::Answers
                })
                .map(|(secret, _)| secret);
            shared.iter().chain(own).chain(request.path.secrets())
        };
        if status >= 300 {
            scrub::scrub(&mut body, secrets(scrub::Rules::Error), scrub::Rules::Error);
        } else if request.has_secret_values {
            scrub::scrub(
                &mut body,
                secrets(scrub::Rules::Success),
                scrub::Rules::Success,
            );
        }
        Ok(Response {
            status,
            headers,
            body,
            attempts: 1,
        })
    }
}

impl Transport {
    /// The request as ureq sends it, without its body, built in place (the `http` builder
    /// moves the whole request through a closure for each header). Shared headers are copied
    /// as they were checked and converted once; `Host`, `User-Agent`, `Accept` and
    /// `Accept-Encoding`, which ureq would add to each request, are added from values built
    /// once.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] for a header that cannot be sent as is (see
    /// [`settings::http_header`]).
    fn http_request(&self, request: &Request, uri: Uri) -> Result<ureq::http::Request<()>, Error> {
        use ureq::http::Method as HttpMethod;
        let mut http_request = ureq::http::Request::new(());
        *http_request.method_mut() = match request.method {
            Method::Get => HttpMethod::GET,
            Method::Post => HttpMethod::POST,
            Method::Put => HttpMethod::PUT,
            Method::Delete => HttpMethod::DELETE,
        };
        *http_request.uri_mut() = uri;
        let shared = request.shared.as_ref();
        let headers = http_request.headers_mut();
        // Room for all at once (a copy of the shared map would be exactly full, and grow with
        // the first header added).
        headers.reserve(shared.map_or(0, Headers::len) + request.headers.len() + 6);
        let mut present = headers::Present::default();
        if let Some(shared) = shared {
            for (name, value) in shared.map() {
                headers.append(name.clone(), value.clone());
            }
            present = shared.present();
        }
        for (name, value) in &request.headers {
            let (header, value) = settings::http_header(name, value)?;
            present.note(&header);
            headers.append(header, value);
        }
        if let Some(ct) = &request.content_type {
            let value = settings::header_value("content-type", ct)?;
            // The request's own content type replaces one of the shared headers.
            if request.shared.is_some() {
                headers.insert(header::CONTENT_TYPE, value);
            } else {
                headers.append(header::CONTENT_TYPE, value);
            }
        }
        if !present.host
            && !request.absolute
            && let Base::Checked(base) = &request.base
            && let Some(host) = base.host()
        {
            headers.append(header::HOST, host.clone());
        }
        if !present.user_agent {
            headers.append(header::USER_AGENT, self.user_agent.clone());
        }
        if !present.accept {
            headers.append(header::ACCEPT, HeaderValue::from_static("*/*"));
        }
        if !present.accept_encoding {
            // What ureq sends with its `gzip` feature (it decodes such answers).
            headers.append(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        }
        Ok(http_request)
    }
}

/// What the attempts of a call got, from which its result is taken when it ends.
#[derive(Default)]
struct Attempts {
    /// The outcome of the last attempt that may have reached the server.
    delivered: Option<Result<Response, Error>>,
    /// The error of the last attempt that did not.
    undelivered: Option<Error>,
}

impl Attempts {
    /// Takes in an attempt's outcome.
    fn keep(&mut self, outcome: Result<Response, Error>) {
        match outcome {
            Err(e @ Error::NotDelivered { .. }) => self.undelivered = Some(e),
            outcome => self.delivered = Some(outcome),
        }
    }

    /// The call's result after `attempts` attempts: the outcome of the last attempt that may
    /// have reached the server, so that an attempt refused after an earlier one was answered
    /// does not hide that answer nor say that nothing arrived; otherwise why nothing did.
    fn end(self, attempts: u32) -> Result<Response, Error> {
        match self.delivered {
            Some(outcome) => outcome.map(|mut response| {
                response.attempts = attempts;
                response
            }),
            None => Err(self.undelivered.unwrap_or_else(|| Error::NotDelivered {
                reason: "the call's deadline passed before it was sent".into(),
            })),
        }
    }
}

/// The URL a request goes to: base URL, path and query joined, refusing plain HTTP to anything
/// but loopback (checked here for a base URL given as text, once for a [`BaseUrl`]).
fn target(request: &Request) -> Result<Uri, Error> {
    if let Some(reason) = request.path.invalid() {
        return Err(Error::InvalidRequest {
            reason: reason.into(),
        });
    }
    let query = (!request.query.is_empty()).then(|| {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &request.query {
            ser.append_pair(k, v);
        }
        ser.finish()
    });
    let url = match &request.base {
        Base::Checked(base) => return base.uri(request.path.encoded(), query.as_deref()),
        Base::Text(url) if request.absolute => {
            let without_query = url.split(['?', '#']).next().unwrap_or("");
            check_base_url(without_query)?;
            url.clone()
        }
        Base::Text(base_url) => {
            let base = base_url.strip_suffix('/').unwrap_or(base_url);
            check_base_url(base)?;
            let mut url = String::with_capacity(base.len() + request.path.encoded().len() + 32);
            url.push_str(base);
            url.push_str(request.path.encoded());
            if let Some(query) = &query {
                url.push('?');
                url.push_str(query);
            }
            url
        }
    };
    Uri::try_from(url).map_err(|_| Error::InvalidRequest {
        reason: "the base URL is not a valid URL".into(),
    })
}

/// Checks that a base URL is `https`, or `http` to a loopback host, with no query or fragment.
///
/// # Errors
///
/// [`Error::InvalidRequest`] saying what is wrong.
pub fn check_base_url(base: &str) -> Result<(), Error> {
    let invalid = |reason: &str| Error::InvalidRequest {
        reason: reason.to_owned(),
    };
    let uri: ureq::http::Uri = base
        .parse()
        .map_err(|_| invalid("the base URL is not a valid URL"))?;
    let host = uri
        .host()
        .ok_or_else(|| invalid("the base URL has no host"))?;
    if base.contains('?') || base.contains('#') {
        return Err(invalid("the base URL must not have a query or a fragment"));
    }
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err(invalid("the base URL must not carry credentials"));
    }
    match uri.scheme_str() {
        Some("https") => Ok(()),
        Some("http") if is_loopback(host) => Ok(()),
        Some("http") => Err(invalid(
            "plain http is only allowed to loopback hosts; use https",
        )),
        _ => Err(invalid("the base URL must start with https://")),
    }
}

/// Whether a host is loopback: `localhost`, `127.0.0.0/8` or `::1`.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost",
            "127.0.0.1",
            "127.9.8.7",
            "[::1]",
            "::1",
            "LOCALHOST",
        ] {
            assert!(is_loopback(h), "{h}");
        }
        for h in [
            "10.0.0.1",
            "example.com",
            "localhost.example.com",
            "128.0.0.1",
        ] {
            assert!(!is_loopback(h), "{h}");
        }
    }

    #[test]
    fn base_url_rules() {
        assert!(check_base_url("https://api-production.august.com").is_ok());
        assert!(check_base_url("http://127.0.0.1:8080").is_ok());
        assert!(check_base_url("http://[::1]:1").is_ok());
        assert!(check_base_url("http://localhost:9/prefix").is_ok());
        for bad in [
            "http://api-production.august.com",
            "ftp://127.0.0.1",
            "not a url",
            "https://user:pw@example.com",
            "https://example.com?x=1",
            "127.0.0.1:80",
        ] {
            assert!(
                matches!(check_base_url(bad), Err(Error::InvalidRequest { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn segments_cannot_escape() {
        let p = Path::new()
            .lit("locks")
            .seg("..")
            .seg(".")
            .seg("a/b?c#d%20e f");
        assert_eq!(p.encoded(), "/locks/%2E%2E/%2E/a%2Fb%3Fc%23d%2520e%20f");
        let p = Path::new().lit("x").seg("");
        assert!(p.invalid().is_some());
        let p = Path::new().lit("verify").secret("123456").seg("7");
        assert_eq!(p.encoded(), "/verify/123456/7");
        assert_eq!(p.redacted(), "/verify/{redacted}/7");
        assert_eq!(format!("{p:?}"), "Path(\"/verify/{redacted}/7\")");
    }

    #[test]
    fn a_plus_kept_literal_adds_nothing_else() {
        let p = Path::new()
            .lit("PhoneNumbers")
            .seg_keeping_plus("+15555550100");
        assert_eq!(p.encoded(), "/PhoneNumbers/+15555550100");
        assert_eq!(p.redacted(), "/PhoneNumbers/+15555550100");
        let p = Path::new()
            .lit("a")
            .secret("tok+")
            .seg_keeping_plus("+1/..%2B?")
            .seg("+");
        assert_eq!(p.encoded(), "/a/tok%2B/+1%2F..%252B%3F/%2B");
        assert_eq!(p.redacted(), "/a/{redacted}/+1%2F..%252B%3F/%2B");
        let p = Path::new().lit("x").seg_keeping_plus("..");
        assert_eq!(p.encoded(), "/x/%2E%2E");
        assert!(Path::new().seg_keeping_plus("").invalid().is_some());
    }

    #[test]
    fn request_debug_hides_values() {
        let r = Request::new(
            Method::Post,
            "https://h",
            Path::new().lit("a").secret("tok"),
        )
        .header("x-api-key", "KEY123")
        .query("phone", "5551234")
        .json_body(b"{\"password\":\"pw\"}".to_vec());
        let dbg = format!("{r:?}");
        assert_eq!(
            dbg,
            "Request { method: Post, path: \"/a/{redacted}\", query_params: 1, headers: [\"x-api-key\"], body_bytes: 17, retry: Never }"
        );
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(
            parse_retry_after("99999999999999999999"),
            Some(Duration::MAX)
        );
        assert_eq!(parse_retry_after(""), None);
    }

    #[test]
    fn a_shutdown_before_the_pool_gives_a_connection_is_not_delivered() {
        // What ureq's pool answers once the agent is shut down.
        let refused = || {
            ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::NotConnected,
                "Agent is shut down",
            ))
        };
        let transport = Transport::builder().build();
        assert!(matches!(
            transport.attempt_error(refused(), DEFAULT_TIMEOUT),
            Error::ConnectionLost { .. }
        ));
        transport.shutdown();
        assert_eq!(
            transport.attempt_error(refused(), DEFAULT_TIMEOUT),
            Error::NotDelivered {
                reason: "the transport was shut down".into()
            }
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let t = Transport::builder()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(1000))
            .build();
        for _ in 0..50 {
            let b1 = t.backoff(1);
            assert!(b1 >= Duration::from_millis(100) && b1 <= Duration::from_millis(150));
            let b3 = t.backoff(3);
            assert!(b3 >= Duration::from_millis(400) && b3 <= Duration::from_millis(600));
            assert!(t.backoff(30) <= Duration::from_millis(1000));
        }
    }
}
