//! The settings every client's builder exposes the same way (timeout, retries and their
//! backoff, extra headers, body cap, name cache), their checks, and the macro that writes their
//! setters once for all the builders.

use std::time::Duration;

use crate::{
    DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_MAX_RETRIES, DEFAULT_NAME_TTL,
    DEFAULT_TIMEOUT, Error, Transport,
};

/// The transport settings a client's builder holds, with the checks its `build` makes.
///
/// A builder keeps one of these in a field and gets its setters from
/// [`client_settings_setters!`](crate::client_settings_setters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSettings {
    /// The deadline of a call.
    pub timeout: Duration,
    /// How many times a request safe to repeat is sent again.
    pub max_retries: u32,
    /// The first wait before a retry.
    pub initial_backoff: Duration,
    /// The longest wait between two attempts.
    pub max_backoff: Duration,
    /// Extra headers sent on every request, in order.
    pub headers: Vec<(String, String)>,
    /// The cap of a response body in bytes.
    pub max_body: u64,
    /// How long a host's addresses are reused.
    pub name_ttl: Duration,
}

impl ClientSettings {
    /// The transport's defaults, with the client's own body cap.
    pub fn new(max_body: u64) -> ClientSettings {
        ClientSettings {
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
            headers: Vec::new(),
            max_body,
            name_ttl: DEFAULT_NAME_TTL,
        }
    }

    /// The transport these settings describe, sending `user_agent`.
    pub fn transport(&self, user_agent: impl Into<String>) -> Transport {
        Transport::builder()
            .timeout(self.timeout)
            .user_agent(user_agent)
            .max_retries(self.max_retries)
            .initial_backoff(self.initial_backoff)
            .max_backoff(self.max_backoff)
            .max_body(self.max_body)
            .name_ttl(self.name_ttl)
            .build()
    }

    /// Checks the extra headers: each one can be sent ([`check_header`](crate::check_header))
    /// and none replaces one of `reserved`, the headers the client sets itself (compared
    /// without case).
    ///
    /// # Errors
    ///
    /// Why the first refused header is refused.
    pub fn check_headers(&self, reserved: &[&str]) -> Result<(), String> {
        for (name, value) in &self.headers {
            crate::check_header(name, value).map_err(reason)?;
            if reserved.iter().any(|r| r.eq_ignore_ascii_case(name)) {
                return Err(format!(
                    "the header {name} is set by the client and cannot be added"
                ));
            }
        }
        Ok(())
    }
}

/// Checks a `User-Agent` a client's builder was given, as
/// [`ClientSettings::check_headers`] checks an extra header: a transport would send the default
/// instead of a value that cannot be sent ([`TransportBuilder::user_agent`](crate::TransportBuilder::user_agent)),
/// and a builder that can refuse it refuses it.
///
/// ```
/// assert!(api_transport::check_user_agent("my-app/1.0").is_ok());
/// assert!(api_transport::check_user_agent("my-app\n").is_err());
/// ```
///
/// # Errors
///
/// Why the value is refused.
pub fn check_user_agent(user_agent: &str) -> Result<(), String> {
    crate::check_header("user-agent", user_agent).map_err(reason)
}

/// The headers every client sets itself, whatever its API: an extra header never replaces them.
pub const RESERVED_HEADERS: [&str; 4] = ["content-type", "user-agent", "host", "content-length"];

/// A base URL without one trailing `/`, once [`check_base_url`](crate::check_base_url) accepts
/// it.
///
/// # Errors
///
/// Why the URL is refused.
pub fn checked_base_url(url: &str) -> Result<String, String> {
    let url = url.strip_suffix('/').unwrap_or(url);
    crate::check_base_url(url).map_err(reason)?;
    Ok(url.to_owned())
}

/// The reason of a refusal, for a client's own input error.
fn reason(error: Error) -> String {
    match error {
        Error::InvalidRequest { reason } => reason,
        other => other.to_string(),
    }
}

/// Writes the setters a client's builder shares with the others, on a builder that keeps a
/// [`ClientSettings`] in the named field, with docs that name the builder and end with the
/// default.
///
/// The arguments, in this order: the builder type and the field; `calls =` the calls the
/// timeout covers; `reads =` the requests retried; `never =` the sentence that says what is
/// never resent; `reserved =` the headers the client sets beyond [`RESERVED_HEADERS`], which
/// every client sets; `body =` the default body cap, as the docs say it.
#[macro_export]
macro_rules! client_settings_setters {
    ($builder:ident . $field:ident; calls = $calls:literal; reads = $reads:literal;
     never = $never:literal; reserved = $reserved:literal; body = $body:literal;) => {
        impl $builder {
            #[doc = concat!("Timeout of ", $calls, ", from connecting to the last body byte; at most [`api_transport::LONGEST_TIMEOUT`]. Defaults to 10 s.")]
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.$field.timeout = timeout.min($crate::LONGEST_TIMEOUT);
                self
            }

            #[doc = concat!("How many times ", $reads, " is sent again after 429, 502, 503, 504, a failure to connect or a connection lost, with backoff; `0` turns retries off. ", $never, " Defaults to 3.")]
            pub fn max_retries(mut self, retries: u32) -> Self {
                self.$field.max_retries = retries;
                self
            }

            #[doc = concat!("First wait before sending a read again; it doubles at each retry (with jitter), up to [`", stringify!($builder), "::max_backoff`](Self::max_backoff), and a `Retry-After` from the server replaces it. Defaults to 250 ms ([`api_transport::DEFAULT_INITIAL_BACKOFF`]).")]
            pub fn initial_backoff(mut self, delay: ::std::time::Duration) -> Self {
                self.$field.initial_backoff = delay;
                self
            }

            /// Longest wait between two attempts of a read (`Retry-After` aside). Defaults to
            /// 5 s ([`api_transport::DEFAULT_MAX_BACKOFF`]).
            pub fn max_backoff(mut self, delay: ::std::time::Duration) -> Self {
                self.$field.max_backoff = delay;
                self
            }

            #[doc = concat!("Adds a header sent on every request (a tracing id, a proxy's header); call it again for more. Not for credentials: it is not redacted. The name must be an HTTP token and the value visible ASCII, checked by [`", stringify!($builder), "::build`](Self::build); it cannot replace a header the client sets (", $reserved, ", and `Content-Type`, `User-Agent`, `Host`, `Content-Length`). Defaults to none.")]
            pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.$field.headers.push((name.into(), value.into()));
                self
            }

            #[doc = concat!("Cap of a response body in bytes; a larger one fails the call with `ResponseTooLarge`. Defaults to ", $body, ".")]
            pub fn max_body(mut self, bytes: u64) -> Self {
                self.$field.max_body = bytes;
                self
            }

            /// How long the API host's addresses are reused before its name is looked up
            /// again; a call that fails to connect, times out or loses its connection makes
            /// the next one look it up at once. `Duration::ZERO` looks it up on every call.
            /// Defaults to 30 s ([`api_transport::DEFAULT_NAME_TTL`]).
            pub fn name_ttl(mut self, ttl: ::std::time::Duration) -> Self {
                self.$field.name_ttl = ttl;
                self
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_the_client_sets_are_refused_whatever_their_case() {
        let mut settings = ClientSettings::new(10);
        settings.headers.push(("X-Trace".into(), "1".into()));
        assert_eq!(settings.check_headers(&["x-api-key"]), Ok(()));
        settings.headers.push(("X-Api-Key".into(), "2".into()));
        assert_eq!(
            settings.check_headers(&["x-api-key"]).unwrap_err(),
            "the header X-Api-Key is set by the client and cannot be added"
        );
    }

    #[test]
    fn unsendable_headers_are_refused_with_the_transports_reason() {
        let mut settings = ClientSettings::new(10);
        settings.headers.push(("bad name".into(), "v".into()));
        let reason = settings.check_headers(&[]).unwrap_err();
        assert!(reason.contains("not a valid HTTP header name"), "{reason}");
    }

    #[test]
    fn base_urls_lose_one_trailing_slash_and_are_checked() {
        assert_eq!(
            checked_base_url("https://api.example.com/").as_deref(),
            Ok("https://api.example.com")
        );
        assert!(checked_base_url("http://example.com").is_err());
        assert!(checked_base_url("https://a.example.com/?q=1").is_err());
    }

    #[test]
    fn the_defaults_are_the_transports() {
        let settings = ClientSettings::new(7);
        assert_eq!(settings.timeout, DEFAULT_TIMEOUT);
        assert_eq!(settings.max_retries, DEFAULT_MAX_RETRIES);
        assert_eq!(settings.max_body, 7);
        assert!(settings.headers.is_empty());
    }
}
