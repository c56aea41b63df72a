//! A base URL checked and taken apart once, for the requests of a client that always talks to
//! the same server.

use std::fmt;
use std::sync::Arc;

use ureq::http::uri::{Authority, Parts, PathAndQuery, Scheme};
use ureq::http::{HeaderValue, Uri};

use crate::{Error, check_base_url};

/// A base URL (`https://api.example.com`, `http://127.0.0.1:8080/prefix`), checked once by
/// the rules of [`check_base_url`] and kept taken apart, so that a request built on it with
/// [`Request::at`](crate::Request::at) is sent without checking and parsing the URL again.
/// One trailing `/` is dropped. Cheap to clone.
///
/// ```
/// use api_transport::{BaseUrl, Method, Path, Request};
///
/// # fn main() -> Result<(), api_transport::Error> {
/// let base = BaseUrl::parse("http://127.0.0.1:8080/prefix/")?;
/// assert_eq!(base.as_str(), "http://127.0.0.1:8080/prefix");
/// let request = Request::at(Method::Get, &base, Path::new().lit("locks").seg("A1"));
/// assert!(BaseUrl::parse("http://api.example.com").is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct BaseUrl {
    inner: Arc<Inner>,
}

struct Inner {
    text: String,
    scheme: Scheme,
    authority: Authority,
    /// The path of the base URL, `""` when it has none.
    prefix: String,
    /// The `Host` header as ureq would write it for this URL.
    host: Option<HeaderValue>,
}

impl BaseUrl {
    /// Checks and takes apart a base URL.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] saying what is wrong (see [`check_base_url`]).
    pub fn parse(base_url: &str) -> Result<BaseUrl, Error> {
        let text = base_url.strip_suffix('/').unwrap_or(base_url);
        check_base_url(text)?;
        let invalid = || Error::InvalidRequest {
            reason: "the base URL is not a valid URL".into(),
        };
        let uri: Uri = text.parse().map_err(|_| invalid())?;
        let scheme = uri.scheme().cloned().ok_or_else(invalid)?;
        let authority = uri.authority().cloned().ok_or_else(invalid)?;
        // What follows the authority is the path: `check_base_url` refused a query and a
        // fragment. `Uri::path` says `/` for no path at all, which would add a `/`.
        let after_authority = text.split_once("://").map_or("", |(_, rest)| {
            &rest[authority.as_str().len().min(rest.len())..]
        });
        let prefix = if after_authority.is_empty() {
            String::new()
        } else {
            uri.path().to_owned()
        };
        // The host and, when it is not the scheme's default, the port (as ureq writes it).
        let host = match authority.port() {
            Some(port) if Some(port.as_u16()) != default_port(&scheme) => {
                HeaderValue::try_from(format!("{}:{}", authority.host(), port.as_str())).ok()
            }
            _ => HeaderValue::from_str(authority.host()).ok(),
        };
        Ok(BaseUrl {
            inner: Arc::new(Inner {
                text: text.to_owned(),
                scheme,
                authority,
                prefix,
                host,
            }),
        })
    }

    /// The base URL, without a trailing `/`.
    pub fn as_str(&self) -> &str {
        &self.inner.text
    }

    /// The URL of `path` (already encoded) and `query` under this base.
    pub(crate) fn uri(&self, path: &str, query: Option<&str>) -> Result<Uri, Error> {
        let inner = &*self.inner;
        let mut path_and_query = String::with_capacity(
            inner.prefix.len() + path.len() + query.map_or(0, |q| q.len() + 1) + 1,
        );
        path_and_query.push_str(&inner.prefix);
        path_and_query.push_str(path);
        if !path_and_query.starts_with('/') {
            path_and_query.insert(0, '/');
        }
        if let Some(query) = query {
            path_and_query.push('?');
            path_and_query.push_str(query);
        }
        let mut parts = Parts::default();
        parts.scheme = Some(inner.scheme.clone());
        parts.authority = Some(inner.authority.clone());
        parts.path_and_query =
            Some(
                PathAndQuery::try_from(path_and_query).map_err(|_| Error::InvalidRequest {
                    reason: "the path cannot be sent in a URL".into(),
                })?,
            );
        Uri::from_parts(parts).map_err(|_| Error::InvalidRequest {
            reason: "the base URL is not a valid URL".into(),
        })
    }

    /// The `Host` header of requests to this base URL.
    pub(crate) fn host(&self) -> Option<&HeaderValue> {
        self.inner.host.as_ref()
    }
}

fn default_port(scheme: &Scheme) -> Option<u16> {
    match scheme.as_str() {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BaseUrl").field(&self.inner.text).finish()
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.text)
    }
}

impl PartialEq for BaseUrl {
    fn eq(&self, other: &Self) -> bool {
        self.inner.text == other.inner.text
    }
}

impl Eq for BaseUrl {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_of_a_path_is_the_joined_string_parsed() {
        for (base, path, query) in [
            ("http://127.0.0.1:8080", "/locks/A1", None),
            ("http://127.0.0.1:8080/", "/locks/A1", Some("a=1&b=%20")),
            ("http://localhost:9/prefix", "/x", None),
            ("http://localhost:9/prefix/", "", Some("q=1")),
            ("https://api.example.com", "", None),
            ("https://api.example.com:443//", "/a", None),
            ("http://[::1]:1", "/%2E%2E/b", None),
        ] {
            let parsed = BaseUrl::parse(base).expect(base);
            let uri = parsed.uri(path, query).expect(base);
            let base = base.strip_suffix('/').unwrap_or(base);
            let joined = match query {
                Some(q) => format!("{base}{path}?{q}"),
                None => format!("{base}{path}"),
            };
            let expected: Uri = joined.parse().expect("joined URL");
            assert_eq!(uri, expected, "{joined}");
            // The request target as ureq writes it.
            let target = |uri: &Uri| uri.path_and_query().map(|p| p.as_str().to_owned());
            assert_eq!(target(&uri), target(&expected), "{joined}");
        }
    }

    #[test]
    fn the_host_header_is_ureqs() {
        let host = |base: &str| {
            let base = BaseUrl::parse(base).expect(base);
            base.host()
                .expect("host")
                .to_str()
                .expect("ascii")
                .to_owned()
        };
        assert_eq!(host("http://127.0.0.1:8080"), "127.0.0.1:8080");
        assert_eq!(host("https://api.example.com"), "api.example.com");
        assert_eq!(host("https://api.example.com:443/p"), "api.example.com");
        assert_eq!(host("https://api.example.com:8443"), "api.example.com:8443");
        assert_eq!(host("http://[::1]:80"), "[::1]");
    }

    #[test]
    fn the_rules_of_check_base_url_apply() {
        for bad in [
            "http://api.example.com",
            "https://user:pw@example.com",
            "https://example.com?x=1",
            "not a url",
        ] {
            assert!(
                matches!(BaseUrl::parse(bad), Err(Error::InvalidRequest { .. })),
                "{bad}"
            );
        }
    }
}
