//! Headers checked once and shared by the requests of a client (its API key, its branding,
//! the version it speaks), so that sending a request does not check, copy and convert them
//! again.

use std::fmt;
use std::sync::Arc;

use ureq::http::{HeaderMap, HeaderName};

use crate::Error;
use crate::settings::http_header;

/// A set of headers, each checked once when added (as [`Request::header`](crate::Request::header)
/// headers are when sent), for [`Request::headers`](crate::Request::headers). Cheap to clone:
/// a request that uses them holds a reference, not a copy.
///
/// Values are never logged nor shown in `Debug`; values added with
/// [`Headers::secret_header`] are taken out of error answers as
/// [`Request::secret_header`](crate::Request::secret_header) values are.
///
/// ```
/// use api_transport::Headers;
///
/// # fn main() -> Result<(), api_transport::Error> {
/// let headers = Headers::new()
///     .header("accept-version", "0.0.1")?
///     .secret_header("x-api-key", "KEY123")?;
/// assert_eq!(format!("{headers:?}"), r#"Headers(["accept-version", "x-api-key"])"#);
/// assert!(Headers::new().header("x-a", "line\nbreak").is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Default)]
pub struct Headers {
    inner: Arc<Inner>,
}

#[derive(Clone, Default)]
struct Inner {
    map: HeaderMap,
    secrets: Vec<String>,
    present: Present,
}

/// Which of the headers that ureq adds when a request has none are present.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Present {
    pub(crate) host: bool,
    pub(crate) user_agent: bool,
    pub(crate) accept: bool,
    pub(crate) accept_encoding: bool,
}

impl Present {
    pub(crate) fn note(&mut self, name: &HeaderName) {
        use ureq::http::header::{ACCEPT, ACCEPT_ENCODING, HOST, USER_AGENT};
        if name == HOST {
            self.host = true;
        } else if name == USER_AGENT {
            self.user_agent = true;
        } else if name == ACCEPT {
            self.accept = true;
        } else if name == ACCEPT_ENCODING {
            self.accept_encoding = true;
        }
    }
}

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Headers::default()
    }

    /// Adds a header.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] for a name that is not an HTTP header name or a value that
    /// cannot be sent (see [`check_header`](crate::check_header)).
    pub fn header(self, name: &str, value: &str) -> Result<Self, Error> {
        self.add(name, value, false)
    }

    /// Adds a header whose value is a credential (an API key): never logged, and taken out of
    /// error answers that repeat it (and of successful ones to a request that carries a
    /// [`Request::secret_value`](crate::Request::secret_value)).
    ///
    /// # Errors
    ///
    /// As [`Headers::header`].
    pub fn secret_header(self, name: &str, value: &str) -> Result<Self, Error> {
        self.add(name, value, true)
    }

    fn add(mut self, name: &str, value: &str, secret: bool) -> Result<Self, Error> {
        let (header_name, header_value) = http_header(name, value)?;
        let inner = Arc::make_mut(&mut self.inner);
        inner.present.note(&header_name);
        inner.map.append(header_name, header_value);
        if secret && !value.is_empty() {
            inner.secrets.push(value.to_owned());
        }
        Ok(self)
    }

    /// These headers followed by `more`.
    pub(crate) fn merged(&self, more: &Headers) -> Headers {
        let mut merged = self.clone();
        let inner = Arc::make_mut(&mut merged.inner);
        for (name, value) in &more.inner.map {
            inner.present.note(name);
            inner.map.append(name.clone(), value.clone());
        }
        inner.secrets.extend(more.inner.secrets.iter().cloned());
        merged
    }

    /// How many headers there are.
    pub fn len(&self) -> usize {
        self.inner.map.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.inner.map.is_empty()
    }

    /// The headers as `http` keeps them.
    pub(crate) fn map(&self) -> &HeaderMap {
        &self.inner.map
    }

    /// Which of the headers ureq would add are present.
    pub(crate) fn present(&self) -> Present {
        self.inner.present
    }

    /// The secret values.
    pub(crate) fn secrets(&self) -> &[String] {
        &self.inner.secrets
    }

    /// The names, lowercase, in the order they were added.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.inner.map.keys().map(HeaderName::as_str)
    }
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.names().collect();
        f.debug_tuple("Headers").field(&names).finish()
    }
}
