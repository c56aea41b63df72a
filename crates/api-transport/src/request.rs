use std::fmt;
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::{BaseUrl, Headers};

/// Everything but the unreserved characters of RFC 3986 is encoded in a path segment, so no
/// value can add a `/`, a `?`, a `#` or a `%`-sequence of its own.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// HTTP methods the clients use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a request may be sent again automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Reads: retried after 429, 502, 503, 504 and failures to connect, within the policy.
    Safe,
    /// Anything that changes the world (a lock operation, a login, an SMS): sent once.
    Never,
}

/// A request path built segment by segment.
///
/// Literal segments are the client's own; value segments (IDs, tokens) are percent-encoded,
/// with `.` and `..` encoded too, so a value can never change which resource is addressed.
/// Secret segments are encoded the same way but replaced by `{redacted}` in [`Path::redacted`],
/// the form that logs use.
///
/// ```
/// use api_transport::Path;
///
/// let path = Path::new().lit("locks").seg("A/../B").lit("status");
/// assert_eq!(path.encoded(), "/locks/A%2F..%2FB/status");
/// let path = Path::new().lit("verify").secret("0123456").seg("42");
/// assert_eq!(path.redacted(), "/verify/{redacted}/42");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Path {
    encoded: String,
    /// The logged form, kept only once it differs from `encoded` (a secret segment): most
    /// paths have none, and building a path is on the path of every call.
    redacted: Option<String>,
    invalid: Option<&'static str>,
    secrets: Vec<String>,
}

impl Path {
    /// An empty path (`/` once a segment is added).
    pub fn new() -> Self {
        Path {
            encoded: String::new(),
            redacted: None,
            invalid: None,
            secrets: Vec::new(),
        }
    }

    /// Appends a literal segment written by the client (`"locks"`, `"users/new"`): used as is.
    pub fn lit(mut self, segment: &'static str) -> Self {
        self.reserve(segment.len());
        self.encoded.push('/');
        self.encoded.push_str(segment);
        if let Some(redacted) = &mut self.redacted {
            redacted.push('/');
            redacted.push_str(segment);
        }
        self
    }

    /// Appends a value segment (an ID): percent-encoded, kept in logs.
    pub fn seg(mut self, value: &str) -> Self {
        if value.is_empty() {
            self.invalid.get_or_insert("an empty ID or path segment");
        }
        self.reserve(value.len());
        let start = self.encoded.len();
        self.encoded.push('/');
        push_segment(&mut self.encoded, value);
        if let Some(redacted) = &mut self.redacted {
            redacted.push_str(&self.encoded[start..]);
        }
        self
    }

    /// Appends a value segment as [`Path::seg`] does, but with `+` kept literal: a phone
    /// number in E.164 as Twilio writes it in its own URLs (`/v2/PhoneNumbers/+14159929960`).
    /// A `+` adds no segment, query or `%`-sequence, and every other character is encoded as
    /// [`Path::seg`] encodes it.
    ///
    /// ```
    /// use api_transport::Path;
    ///
    /// let path = Path::new().lit("PhoneNumbers").seg_keeping_plus("+1 415/%2B");
    /// assert_eq!(path.encoded(), "/PhoneNumbers/+1%20415%2F%252B");
    /// ```
    pub fn seg_keeping_plus(self, value: &str) -> Self {
        let start = self.encoded.len();
        let mut path = self.seg(value);
        if value.contains('+') {
            // `seg` writes a `%` only as the start of an encoded byte (a `%` of the value is
            // `%25`), so each `%2B` it wrote is a `+` of the value.
            let written = path.encoded.split_off(start);
            let tail = written.replace("%2B", "+");
            if let Some(redacted) = &mut path.redacted {
                // It ends with what `seg` wrote, as `encoded` did.
                redacted.truncate(redacted.len() - written.len());
                redacted.push_str(&tail);
            }
            path.encoded.push_str(&tail);
        }
        path
    }

    /// Appends a secret value segment (a token): percent-encoded, `{redacted}` in logs.
    pub fn secret(mut self, value: &str) -> Self {
        if value.is_empty() {
            self.invalid.get_or_insert("an empty ID or path segment");
        }
        let redacted = self.redacted.get_or_insert_with(|| self.encoded.clone());
        redacted.push_str("/{redacted}");
        self.encoded.push('/');
        push_segment(&mut self.encoded, value);
        self.secrets.push(value.to_owned());
        self
    }

    /// Room for one more segment of about `len` bytes; the first segment gets room for a
    /// typical path, so that building one allocates once.
    fn reserve(&mut self, len: usize) {
        self.encoded.reserve(if self.encoded.is_empty() {
            len.max(60) + 4
        } else {
            len + 1
        });
    }

    fn redacted_url() -> Self {
        Path {
            encoded: String::new(),
            redacted: Some("{url}".to_owned()),
            invalid: None,
            secrets: Vec::new(),
        }
    }

    /// The path as sent.
    pub fn encoded(&self) -> &str {
        &self.encoded
    }

    /// The path as logged: secret segments replaced by `{redacted}`.
    pub fn redacted(&self) -> &str {
        self.redacted.as_deref().unwrap_or(&self.encoded)
    }

    pub(crate) fn secrets(&self) -> &[String] {
        &self.secrets
    }

    pub(crate) fn invalid(&self) -> Option<&'static str> {
        self.invalid
    }
}

impl Default for Path {
    fn default() -> Self {
        Path::new()
    }
}

impl fmt::Debug for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Path").field(&self.redacted()).finish()
    }
}

/// Appends a value segment, percent-encoded, to `out`.
fn push_segment(out: &mut String, value: &str) {
    match value {
        // RFC 3986 dot segments would be resolved away by a server or a proxy.
        "." => out.push_str("%2E"),
        ".." => out.push_str("%2E%2E"),
        _ => out.extend(utf8_percent_encode(value, SEGMENT)),
    }
}

/// Where a request goes: a base URL as given (checked when sent) or checked once.
#[derive(Clone)]
pub(crate) enum Base {
    Text(String),
    Checked(BaseUrl),
}

/// One request, built by a client and sent by [`crate::Transport::send`].
///
/// Its `Debug` output shows the method, the redacted path, the header names and the body
/// length: never a header value, a query value or the body.
#[derive(Clone)]
pub struct Request {
    pub(crate) method: Method,
    pub(crate) base: Base,
    pub(crate) path: Path,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) shared: Option<Headers>,
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) content_type: Option<String>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: Retry,
    pub(crate) max_body: Option<u64>,
    pub(crate) absolute: bool,
    /// The values taken out of answers, each with where: error answers only
    /// ([`Request::secret_in_errors`]), or successful answers too when the request carries a
    /// [`Request::secret_value`].
    pub(crate) secrets: Vec<(String, Scrubbed)>,
    pub(crate) has_secret_values: bool,
}

/// Which answers a secret of a request is taken out of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scrubbed {
    /// Error answers, and successful answers to a request that carries secret values.
    Answers,
    /// Error answers only.
    Errors,
}

impl Request {
    /// A request to `base_url` + `path`. `base_url` is a scheme and host with an optional port
    /// and path prefix (`https://api.example.com`, `http://127.0.0.1:8080/prefix`); one trailing
    /// `/` is tolerated. Defaults: retried only if `method` is `GET`, the transport's timeout
    /// and body cap, no headers, no body.
    pub fn new(method: Method, base_url: &str, path: Path) -> Self {
        Request::with_base(method, Base::Text(base_url.to_owned()), path)
    }

    /// A request to `path` under a base URL checked once ([`BaseUrl::parse`]), for a client
    /// that sends many requests to one server: the URL is neither checked nor parsed again
    /// when the request is sent. Defaults as for [`Request::new`].
    pub fn at(method: Method, base_url: &BaseUrl, path: Path) -> Self {
        Request::with_base(method, Base::Checked(base_url.clone()), path)
    }

    fn with_base(method: Method, base: Base, path: Path) -> Self {
        Request {
            method,
            base,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            shared: None,
            body: None,
            content_type: None,
            timeout: None,
            retry: if method == Method::Get {
                Retry::Safe
            } else {
                Retry::Never
            },
            max_body: None,
            absolute: false,
            secrets: Vec::new(),
            has_secret_values: false,
        }
    }

    /// A request to an absolute URL found in data (a doorbell snapshot on a CDN), used as
    /// given, query included. The same scheme rules apply (`https`, or `http` to loopback);
    /// logs show only `{url}`, and the values of its query long enough to be a credential (a
    /// signed URL's signature; six characters or more) are taken out of error answers, as
    /// [`Request::secret_in_errors`] values are: shorter ones (a page size, `true`) are left,
    /// so that an error answer repeating them still reads as sent. Defaults as for
    /// [`Request::new`].
    pub fn absolute(method: Method, url: &str) -> Self {
        let mut request = Request::new(method, url, Path::new());
        request.path = Path::redacted_url();
        request.absolute = true;
        let query = url.split('#').next().unwrap_or("").split_once('?');
        if let Some((_, query)) = query {
            for (_, value) in form_urlencoded::parse(query.as_bytes()) {
                if value.chars().count() >= crate::scrub::MIN_ANYWHERE {
                    request = request.secret_in_errors(value);
                }
            }
        }
        request
    }

    /// Appends a query parameter (form-encoded on the wire). Never logged.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a header. Header values are sent, never logged or shown in `Debug`, so API keys
    /// and access tokens can travel here.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds headers checked once and shared by many requests (a client's API key, the
    /// version of the API it speaks). They are sent before the request's own headers; a
    /// content type set with [`Request::content_type`] or a body replaces theirs. A second
    /// call adds to the first.
    pub fn headers(mut self, headers: &Headers) -> Self {
        match &mut self.shared {
            None => self.shared = Some(headers.clone()),
            Some(shared) => *shared = shared.merged(headers),
        }
        self
    }

    /// Adds a header whose value is a credential (an API key, an access token). Besides never
    /// being logged, the value is replaced by `<redacted>` wherever an error answer (status 300
    /// and above) repeats it, so that a server or proxy that echoes the request cannot put it in
    /// an error message; in a request that also carries a [`Request::secret_value`], wherever
    /// a successful answer repeats it too, as that value is.
    pub fn secret_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let value = value.into();
        self.secrets.push((value.clone(), Scrubbed::Answers));
        self.headers.push((name.into(), value));
        self
    }

    /// Marks a value carried in the query or the body (a password, a verification code) as a
    /// secret: wherever the answer repeats it, raw, JSON-escaped, percent-encoded or as HTML
    /// entities, it is replaced by `<redacted>` before the body is handed back, so no error
    /// message or decoding error can quote it. This applies to successful answers too, and
    /// not to this value alone: a successful answer to a request that carries one is also
    /// scrubbed of the request's other secrets ([`Request::secret_header`] values, the secret
    /// headers of its shared [`Headers`], its [`Path::secret`] segments), all but its
    /// [`Request::secret_in_errors`] values, which error answers (status 300 and above) alone
    /// lose. There, as the body is still decoded, only exact-case matches that stand alone
    /// (not inside a longer word or number) of values of 6 characters or more are replaced.
    /// Nothing is added to the request itself. In error answers, values shorter than 4
    /// characters are not scrubbed (they would match ordinary text); values shorter than 6
    /// only where they stand alone.
    pub fn secret_value(mut self, value: impl Into<String>) -> Self {
        let value = value.into();
        if !value.is_empty() {
            self.secrets.push((value, Scrubbed::Answers));
            self.has_secret_values = true;
        }
        self
    }

    /// Marks a value carried in the query or the body as a secret that a successful answer may
    /// legitimately repeat (a refresh token a server hands back unchanged, a seed echoed in the
    /// record it created): it is replaced by `<redacted>` wherever an error answer (status 300
    /// and above) repeats it, as [`Request::secret_value`] values are, and a successful answer
    /// is handed back with it as it came. Use it only where nothing shows a successful answer's
    /// text (the client decodes it and its decoding errors quote no value). Nothing is added to
    /// the request itself. By default a value is no secret at all.
    ///
    /// ```
    /// use api_transport::{Method, Path, Request};
    ///
    /// let request = Request::new(Method::Post, "https://auth.example.com", Path::new().lit("token"))
    ///     .encoded_form_body(b"grant_type=refresh_token&refresh_token=rt-abc123".to_vec())
    ///     // An error answer that echoes it has it taken out; the tokens of a successful one are
    ///     // kept as sent, even when the server hands the same refresh token back.
    ///     .secret_in_errors("rt-abc123");
    /// # let _ = request;
    /// ```
    pub fn secret_in_errors(mut self, value: impl Into<String>) -> Self {
        let value = value.into();
        if !value.is_empty() {
            self.secrets.push((value, Scrubbed::Errors));
        }
        self
    }

    /// Sets a JSON body (`Content-Type: application/json` unless a content type is set).
    pub fn json_body(mut self, body: Vec<u8>) -> Self {
        self.body = Some(body);
        if self.content_type.is_none() {
            self.content_type = Some("application/json".into());
        }
        self
    }

    /// Sets a form-encoded body (`application/x-www-form-urlencoded`) from name/value pairs.
    pub fn form_body<'a>(self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            ser.append_pair(k, v);
        }
        self.encoded_form_body(ser.finish().into_bytes())
    }

    /// Sets a body that is already form-encoded (as an OAuth library builds it), sent as it is
    /// with `Content-Type: application/x-www-form-urlencoded`.
    ///
    /// ```
    /// use api_transport::{Method, Path, Request};
    ///
    /// let request = Request::new(Method::Post, "https://auth.example.com", Path::new().lit("token"))
    ///     .encoded_form_body(b"grant_type=refresh_token&refresh_token=rt%2Fabc123".to_vec())
    ///     // The refresh token is a secret: an error answer that echoes it has it taken out.
    ///     .secret_value("rt/abc123");
    /// # let _ = request;
    /// ```
    pub fn encoded_form_body(mut self, body: Vec<u8>) -> Self {
        self.body = Some(body);
        self.content_type = Some("application/x-www-form-urlencoded".into());
        self
    }

    /// Sets the `Content-Type` header (sent even without a body, as the August apps do).
    pub fn content_type(mut self, value: impl Into<String>) -> Self {
        self.content_type = Some(value.into());
        self
    }

    /// Overrides the transport's timeout for this call (the whole call, body included); at
    /// most [`LONGEST_TIMEOUT`](crate::LONGEST_TIMEOUT).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout.min(crate::LONGEST_TIMEOUT));
        self
    }

    /// Overrides whether the call may be retried.
    pub fn retry(mut self, retry: Retry) -> Self {
        self.retry = retry;
        self
    }

    /// Overrides the transport's response body cap for this call, in bytes.
    pub fn max_body(mut self, bytes: u64) -> Self {
        self.max_body = Some(bytes);
        self
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self
            .shared
            .iter()
            .flat_map(Headers::names)
            .chain(self.headers.iter().map(|(n, _)| n.as_str()))
            .collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path.redacted())
            .field("query_params", &self.query.len())
            .field("headers", &names)
            .field("body_bytes", &self.body.as_ref().map_or(0, Vec::len))
            .field("retry", &self.retry)
            .finish()
    }
}
