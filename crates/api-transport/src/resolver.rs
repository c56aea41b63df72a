//! Name resolution for the ureq agent.
//!
//! ureq resolves the host of every request, even when a pooled connection to it is idle and
//! will be reused, and with a timeout configured (the transport always has one) its default
//! resolver runs each lookup on a newly spawned thread so that the lookup can be abandoned.
//! For a host written as an IP address there is nothing to look up: this resolver returns the
//! address at once and hands every other host to ureq's default resolver unchanged.
//!
//! Measured on loopback (docs/performance.md): the thread spawn and join were most of the
//! client's system time per pooled call.

use std::net::{IpAddr, SocketAddr};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// Resolves IP-literal hosts without a lookup; delegates names to [`DefaultResolver`].
#[derive(Debug, Default)]
pub(crate) struct LiteralResolver {
    names: DefaultResolver,
}

impl Resolver for LiteralResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        match literal_address(uri) {
            Some(address) => {
                let mut addresses = self.empty();
                addresses.push(address);
                Ok(addresses)
            }
            None => self.names.resolve(uri, config, timeout),
        }
    }
}

/// The socket address of a URI whose host is an IPv4 or bracketed IPv6 address, with the
/// scheme's default port when none is given; `None` for a host name or an unknown scheme.
pub(crate) fn literal_address(uri: &Uri) -> Option<SocketAddr> {
    let authority = uri.authority()?;
    let host = authority.host();
    let ip: IpAddr = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
        .parse()
        .ok()?;
    let port = match authority.port_u16() {
        Some(port) => port,
        None => match uri.scheme_str()? {
            "https" => 443,
            "http" => 80,
            _ => return None,
        },
    };
    Some(SocketAddr::new(ip, port))
}

#[cfg(test)]
mod tests {
    use super::*;

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
