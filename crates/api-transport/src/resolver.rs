//! Name resolution for the ureq agent.
//!
//! ureq resolves the host of every request, even when a pooled connection to it is idle and
//! will be reused, and with a timeout configured (the transport always has one) its default
//! resolver runs each lookup on a newly spawned thread so that the lookup can be abandoned.
//! So a client polling `api-production.august.com` would pay a thread and a DNS lookup (a round
//! trip to the name server where nothing caches locally) on every call, where a Python client
//! with a session resolves only when it opens a connection.
//!
//! This resolver:
//! - returns a host written as an IP address at once (there is nothing to look up);
//! - keeps the addresses of a name for a short time ([`DEFAULT_NAME_TTL`], set with
//!   `TransportBuilder::name_ttl`), so calls within that time do not look it up again;
//! - reports every failure of a lookup (no such name, no answer in time) as a failure before
//!   sending, so that the transport says `NotDelivered`;
//! - forgets a name when a call to it fails to connect or loses its connection
//!   ([`NameCache::forget`]), so a moved host is looked up again on the next attempt.
//!
//! Measured on loopback (docs/performance.md): the thread spawn and join were most of the
//! client's system time per pooled call.
//!
//! A connection the transport does not make itself (a websocket) looks its host up with
//! [`resolve`]: the same rules (an IP address at once, every failure a failure before
//! sending) and the same lookup, ureq's, given a deadline: it runs on a helper thread, which
//! is waited for no longer than that. It connects to the addresses with
//! [`connect`](crate::connect), as the transport connects to its own.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

use crate::Error;
use crate::error::{BeforeSending, from_ureq};

/// How long the addresses of a host name are reused by default.
pub const DEFAULT_NAME_TTL: Duration = Duration::from_secs(30);

/// At most this many names are kept; past it the cache starts again empty.
const MAX_NAMES: usize = 64;

/// The addresses looked up for each host and port, with when they were looked up. Shared by
/// the resolver (which fills it) and the transport (which forgets a host whose call failed).
/// A client talks to one or two hosts, so the entries are a short list searched in place:
/// a lookup allocates nothing.
#[derive(Debug)]
pub(crate) struct NameCache {
    ttl: Duration,
    names: Mutex<Vec<Name>>,
}

#[derive(Debug)]
struct Name {
    host: String,
    port: u16,
    at: Instant,
    addresses: Vec<SocketAddr>,
}

impl Name {
    fn is(&self, host: &str, port: u16) -> bool {
        self.port == port && self.host.eq_ignore_ascii_case(host)
    }
}

impl NameCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        NameCache {
            ttl,
            names: Mutex::new(Vec::new()),
        }
    }

    /// Copies the fresh addresses of `host:port` into `out`; false when there are none.
    fn fill(&self, host: &str, port: u16, out: &mut ResolvedSocketAddrs) -> bool {
        let names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
        match names.iter().find(|name| name.is(host, port)) {
            Some(name) if name.at.elapsed() < self.ttl => {
                for address in &name.addresses {
                    out.push(*address);
                }
                true
            }
            _ => false,
        }
    }

    fn put(&self, host: &str, port: u16, addresses: &[SocketAddr]) {
        if self.ttl.is_zero() {
            return;
        }
        let mut names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
        names.retain(|name| !name.is(host, port));
        if names.len() >= MAX_NAMES {
            names.clear();
        }
        names.push(Name {
            host: host.to_owned(),
            port,
            at: Instant::now(),
            addresses: addresses.to_vec(),
        });
    }

    /// Forgets the addresses of the host of `uri`, so that the next call looks it up again.
    pub(crate) fn forget(&self, uri: &Uri) {
        let (Some(authority), Some(port)) = (uri.authority(), port_of(uri)) else {
            return;
        };
        let mut names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
        let before = names.len();
        names.retain(|name| !name.is(authority.host(), port));
        if names.len() < before {
            log::debug!("forgot the addresses of {}:{port}", authority.host());
        }
    }
}

/// Resolves IP-literal hosts without a lookup; looks names up with `R` (ureq's
/// [`DefaultResolver`]) and keeps them in a [`NameCache`].
#[derive(Debug)]
pub(crate) struct CachingResolver<R = DefaultResolver> {
    names: R,
    cache: Arc<NameCache>,
}

impl CachingResolver {
    pub(crate) fn new(cache: Arc<NameCache>) -> Self {
        CachingResolver {
            names: DefaultResolver::default(),
            cache,
        }
    }
}

impl<R: Resolver> Resolver for CachingResolver<R> {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        if let Some(address) = literal_address(uri) {
            let mut addresses = self.empty();
            addresses.push(address);
            return Ok(addresses);
        }
        let lookup = |timeout| {
            self.names
                .resolve(uri, config, timeout)
                .map_err(lookup_failed)
        };
        let (Some(authority), Some(port)) = (uri.authority(), port_of(uri)) else {
            return lookup(timeout);
        };
        let mut addresses = self.empty();
        if self.cache.fill(authority.host(), port, &mut addresses) {
            return Ok(addresses);
        }
        let addresses = lookup(timeout)?;
        self.cache.put(authority.host(), port, &addresses);
        Ok(addresses)
    }
}

/// A failed lookup as the transport reports it, for its own calls and for [`resolve`]: a
/// failure before sending, whatever ureq calls it (see [`BeforeSending`]).
fn lookup_failed(err: ureq::Error) -> ureq::Error {
    BeforeSending::wrap("host name lookup", err)
}

/// The URI's port, or its scheme's default; `None` for an unknown scheme.
fn port_of(uri: &Uri) -> Option<u16> {
    match uri.authority()?.port_u16() {
        Some(port) => Some(port),
        None => match uri.scheme_str()? {
            "https" => Some(443),
            "http" => Some(80),
            _ => None,
        },
    }
}

/// The socket address of a URI whose host is an IPv4 or bracketed IPv6 address, with the
/// scheme's default port when none is given; `None` for a host name or an unknown scheme.
pub(crate) fn literal_address(uri: &Uri) -> Option<SocketAddr> {
    let ip = literal_ip(uri.authority()?.host())?;
    let port = port_of(uri)?;
    Some(SocketAddr::new(ip, port))
}

/// The address of a host written as an IPv4 or IPv6 address, bracketed or not.
fn literal_ip(host: &str) -> Option<IpAddr> {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
        .parse()
        .ok()
}

/// The addresses of `host` (a name, or an IPv4 or IPv6 address, bracketed or not) at `port`,
/// for a connection the transport does not make itself (a websocket), within `timeout`: one at
/// least, never an empty list. An address is given back at once. A name is looked up as the
/// transport looks up its own, by ureq's resolver (the system's lookup on a helper thread,
/// waited for at most `timeout`); a lookup that does not answer by then is left to end on its
/// own (no lookup can be cancelled). Nothing is cached: the transport's own calls keep their
/// cache.
///
/// ```
/// use std::time::Duration;
/// use api_transport::resolve;
///
/// let addresses = resolve("[::1]", 443, Duration::ZERO).unwrap();
/// assert_eq!(addresses[0].to_string(), "[::1]:443");
/// ```
///
/// # Errors
///
/// [`Error::NotDelivered`], as for the transport's own lookups, when the name does not
/// resolve (to one address at least) or its lookup does not answer within `timeout` ("host
/// name lookup timed out"): nothing was sent.
pub fn resolve(host: &str, port: u16, timeout: Duration) -> Result<Vec<SocketAddr>, Error> {
    resolve_with(host, port, timeout, &DefaultResolver::default())
}

/// [`resolve`] with the name resolver given, such as a test's that never answers in time. It
/// is handed `timeout` as its deadline, and an address is never given to it.
pub(crate) fn resolve_with(
    host: &str,
    port: u16,
    timeout: Duration,
    names: &dyn Resolver,
) -> Result<Vec<SocketAddr>, Error> {
    if let Some(ip) = literal_ip(host) {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    // Reported as the transport reports its own lookups' failures.
    let failed = |e: ureq::Error| from_ureq(lookup_failed(e), timeout);
    // The port is written out, so the scheme only makes the URI whole. A host that is not a
    // name alone (one with a path, a user or a port of its own) is no name to look up.
    let uri = Uri::builder()
        .scheme("http")
        .authority(format!("{host}:{port}"))
        .path_and_query("/")
        .build()
        .ok()
        .filter(|uri| {
            uri.authority()
                .is_some_and(|a| !host.is_empty() && a.host() == host && a.port_u16() == Some(port))
        })
        .ok_or_else(|| failed(ureq::Error::HostNotFound))?;
    let deadline = NextTimeout {
        after: timeout.into(),
        reason: ureq::Timeout::Resolve,
        ..NextTimeout::default()
    };
    // ureq's resolver reads one setting, the address family, which the transport leaves at
    // its default (either) too.
    let addresses = names
        .resolve(&uri, &Config::default(), deadline)
        .map_err(failed)?;
    if addresses.is_empty() {
        // Against a resolver that breaks its promise of one address at least.
        return Err(failed(ureq::Error::HostNotFound));
    }
    Ok(addresses.iter().copied().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A name resolver that counts its lookups and answers 192.0.2.<lookup number>.
    #[derive(Debug, Default)]
    struct Counting(AtomicUsize);

    impl Resolver for Counting {
        fn resolve(
            &self,
            uri: &Uri,
            _: &Config,
            _: NextTimeout,
        ) -> Result<ResolvedSocketAddrs, ureq::Error> {
            let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
            let mut addresses = self.empty();
            let ip = IpAddr::from([192, 0, 2, u8::try_from(n).unwrap_or(255)]);
            addresses.push(SocketAddr::new(ip, port_of(uri).unwrap_or(0)));
            Ok(addresses)
        }
    }

    fn caching(ttl: Duration) -> (CachingResolver<Counting>, Arc<NameCache>) {
        let cache = Arc::new(NameCache::new(ttl));
        let resolver = CachingResolver {
            names: Counting::default(),
            cache: Arc::clone(&cache),
        };
        (resolver, cache)
    }

    fn lookup(resolver: &CachingResolver<Counting>, uri: &str) -> Vec<String> {
        let uri: Uri = uri.parse().expect("test literal is a URI");
        let config = Config::default();
        let addresses = resolver
            .resolve(&uri, &config, NextTimeout::default())
            .expect("resolves");
        addresses.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_name_is_looked_up_once_within_its_time_and_again_after_a_failure() {
        let (resolver, cache) = caching(Duration::from_secs(60));
        assert_eq!(
            lookup(&resolver, "https://api.example.com/locks/1"),
            ["192.0.2.1:443"]
        );
        assert_eq!(
            lookup(&resolver, "https://API.example.com/users"),
            ["192.0.2.1:443"]
        );
        assert_eq!(resolver.names.0.load(Ordering::SeqCst), 1);
        // Another port is another entry.
        assert_eq!(
            lookup(&resolver, "https://api.example.com:8443/"),
            ["192.0.2.2:8443"]
        );
        // A failed call forgets the name: the next call looks it up again.
        cache.forget(&Uri::from_static("https://api.example.com/locks/1"));
        assert_eq!(
            lookup(&resolver, "https://api.example.com/locks/2"),
            ["192.0.2.3:443"]
        );
        assert_eq!(
            lookup(&resolver, "https://api.example.com:8443/"),
            ["192.0.2.2:8443"]
        );
        assert_eq!(resolver.names.0.load(Ordering::SeqCst), 3);
        // IP literals are never looked up nor kept.
        assert_eq!(lookup(&resolver, "http://127.0.0.1:9/"), ["127.0.0.1:9"]);
        assert_eq!(resolver.names.0.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn a_zero_time_looks_the_name_up_on_every_call_and_old_entries_expire() {
        let (resolver, _) = caching(Duration::ZERO);
        lookup(&resolver, "https://api.example.com/");
        lookup(&resolver, "https://api.example.com/");
        assert_eq!(resolver.names.0.load(Ordering::SeqCst), 2);

        let (resolver, _) = caching(Duration::from_millis(30));
        lookup(&resolver, "https://api.example.com/");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(
            lookup(&resolver, "https://api.example.com/"),
            ["192.0.2.2:443"]
        );
    }

    #[test]
    fn the_cache_is_bounded() {
        let (resolver, cache) = caching(Duration::from_secs(60));
        for i in 0..=MAX_NAMES {
            lookup(&resolver, &format!("https://host{i}.example.com/"));
        }
        let names = cache.names.lock().unwrap_or_else(PoisonError::into_inner);
        assert!(names.len() <= MAX_NAMES, "{}", names.len());
        assert!(
            names
                .iter()
                .any(|name| name.is(&format!("host{MAX_NAMES}.example.com"), 443))
        );
    }

    /// A name resolver that fails as the system's does: no such name (an uncategorised I/O
    /// error from `getaddrinfo`), or no answer in time.
    #[derive(Debug)]
    struct Failing(fn() -> ureq::Error);

    impl Resolver for Failing {
        fn resolve(
            &self,
            _: &Uri,
            _: &Config,
            _: NextTimeout,
        ) -> Result<ResolvedSocketAddrs, ureq::Error> {
            Err((self.0)())
        }
    }

    #[test]
    fn a_failed_lookup_is_a_failure_before_sending() {
        let failures: [fn() -> ureq::Error; 3] = [
            || {
                ureq::Error::Io(std::io::Error::other(
                    "failed to lookup address information: Name or service not known",
                ))
            },
            || ureq::Error::Timeout(ureq::Timeout::Global),
            || ureq::Error::HostNotFound,
        ];
        for failure in failures {
            let resolver = CachingResolver {
                names: Failing(failure),
                cache: Arc::new(NameCache::new(Duration::from_secs(60))),
            };
            let uri: Uri = "https://nonexistent.invalid/locks"
                .parse()
                .expect("test literal is a URI");
            let Err(err) = resolver.resolve(&uri, &Config::default(), NextTimeout::default())
            else {
                panic!("the lookup succeeded");
            };
            let err = crate::error::from_ureq(err, Duration::from_secs(1));
            assert!(
                matches!(&err, crate::Error::NotDelivered { reason } if reason.starts_with("host name lookup")),
                "{err:?}"
            );
            assert!(!err.may_have_been_delivered());
            assert!(!err.to_string().contains("nonexistent"), "{err}");
        }
    }

    /// A name resolver that answers as `answer` does, after keeping the URI and deadline it
    /// was given.
    #[derive(Debug)]
    struct Scripted {
        answer: fn(NextTimeout) -> Result<Vec<SocketAddr>, ureq::Error>,
        asked: Mutex<Vec<(String, NextTimeout)>>,
    }

    impl Scripted {
        fn new(answer: fn(NextTimeout) -> Result<Vec<SocketAddr>, ureq::Error>) -> Self {
            Scripted {
                answer,
                asked: Mutex::default(),
            }
        }

        fn asked(&self) -> Vec<(String, NextTimeout)> {
            self.asked
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone()
        }
    }

    impl Resolver for Scripted {
        fn resolve(
            &self,
            uri: &Uri,
            _: &Config,
            timeout: NextTimeout,
        ) -> Result<ResolvedSocketAddrs, ureq::Error> {
            self.asked
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((uri.to_string(), timeout));
            let mut addresses = self.empty();
            for address in (self.answer)(timeout)? {
                addresses.push(address);
            }
            Ok(addresses)
        }
    }

    #[test]
    fn a_lookup_is_given_the_deadline_and_its_running_out_is_not_delivered() {
        let silent = Scripted::new(|timeout| Err(ureq::Error::Timeout(timeout.reason)));
        let err =
            resolve_with("push.example.com", 443, Duration::from_millis(100), &silent).unwrap_err();
        assert_eq!(
            err,
            crate::Error::NotDelivered {
                reason: "host name lookup timed out".into()
            }
        );
        assert!(!err.may_have_been_delivered());
        let asked = silent.asked();
        assert_eq!(asked.len(), 1);
        assert_eq!(asked[0].0, "http://push.example.com:443/");
        assert_eq!(asked[0].1.after, Duration::from_millis(100).into());
    }

    #[test]
    fn resolve_reports_failures_as_the_transport_does_and_skips_addresses() {
        let nothing = Scripted::new(|_| Err(ureq::Error::HostNotFound));
        let empty = Scripted::new(|_| Ok(Vec::new()));
        let refused = Scripted::new(|_| {
            Err(ureq::Error::Io(std::io::Error::other(
                "Name or service not known",
            )))
        });
        let timeout = Duration::from_secs(5);
        for (names, reason) in [
            (&nothing, "host name lookup failed: host not found"),
            (&empty, "host name lookup failed: host not found"),
            (
                &refused,
                "host name lookup failed: Name or service not known",
            ),
        ] {
            let err = resolve_with("nonexistent.invalid", 443, timeout, names).unwrap_err();
            assert_eq!(
                err,
                crate::Error::NotDelivered {
                    reason: reason.into()
                }
            );
        }
        let found = Scripted::new(|_| Ok(vec![SocketAddr::from(([192, 0, 2, 7], 8443))]));
        let addresses = resolve_with("push.example.com", 8443, timeout, &found).unwrap();
        assert_eq!(addresses, [SocketAddr::from(([192, 0, 2, 7], 8443))]);
        // An address is never looked up, nor is what is not a host name alone.
        let never = Scripted::new(|_| panic!("looked up"));
        for (host, address) in [
            ("127.0.0.1", "127.0.0.1:9"),
            ("[::1]", "[::1]:9"),
            ("::1", "[::1]:9"),
        ] {
            let addresses = resolve_with(host, 9, Duration::ZERO, &never).unwrap();
            assert_eq!(addresses[0].to_string(), address);
        }
        for host in [
            "",
            "user@push.example.com",
            "push.example.com/x",
            "push.example.com:1",
        ] {
            let err = resolve_with(host, 9, timeout, &never).unwrap_err();
            assert_eq!(
                err,
                crate::Error::NotDelivered {
                    reason: "host name lookup failed: host not found".into()
                },
                "{host:?}"
            );
        }
        assert!(never.asked().is_empty());
    }

    #[test]
    fn resolve_looks_a_name_up_with_the_system() {
        // `localhost` is answered from the hosts file: no name server is asked.
        let addresses = resolve("localhost", 9, Duration::from_secs(10)).unwrap();
        assert!(
            addresses
                .iter()
                .all(|address| address.ip().is_loopback() && address.port() == 9),
            "{addresses:?}"
        );
    }

    fn address(uri: &str) -> Option<String> {
        let uri: Uri = uri.parse().expect("test literal is a URI");
        literal_address(&uri).map(|a| a.to_string())
    }

    #[test]
    fn ip_literals_resolve_to_themselves() {
        assert_eq!(
            address("http://127.0.0.1:8080/locks/1").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(address("http://[::1]:9/x").as_deref(), Some("[::1]:9"));
        assert_eq!(
            address("https://10.1.2.3/").as_deref(),
            Some("10.1.2.3:443")
        );
        assert_eq!(address("http://127.0.0.1").as_deref(), Some("127.0.0.1:80"));
    }

    #[test]
    fn names_and_odd_schemes_are_left_to_the_default_resolver() {
        assert_eq!(address("http://localhost:8080/"), None);
        assert_eq!(address("https://api-production.august.com/locks"), None);
        assert_eq!(address("ftp://127.0.0.1/"), None);
        assert_eq!(address("/relative/path"), None);
    }
}
