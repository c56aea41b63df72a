//! The end of the authorization-code flow for a program on the user's machine: the browser
//! comes back to a loopback redirect URI (RFC 8252, section 7.3), where [`RedirectReceiver`]
//! listens, answers it and takes the code. A `localhost` URI is listened on 127.0.0.1 and ::1
//! alike, on one port, since a browser may take either for the name.
//!
//! One thread, no threads left behind: the listeners and the connections are non-blocking and
//! polled until the redirect comes or the deadline passes. A connection that sends nothing
//! (a browser's preconnect, a port scan), garbage, too much or too slowly is dropped, and the
//! wait goes on.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use url::{Host, Url};

use super::{AuthorizationCode, AuthorizationRequest, OAuthError, RedirectQuery};

/// How long [`RedirectReceiver::receive`] waits for the redirect unless told otherwise.
pub const DEFAULT_REDIRECT_TIMEOUT: Duration = Duration::from_secs(300);

/// The most a request may send before the end of its head (request line and headers).
const MAX_REQUEST_HEAD: usize = 16 * 1024;

/// How long one connection may take to send its request's head.
const CONNECTION_WAIT: Duration = Duration::from_secs(10);

/// How many connections are read at once; more are closed unread.
const MAX_CONNECTIONS: usize = 16;

/// How many connections one round of the loop accepts.
const ACCEPTS_PER_ROUND: usize = 64;

/// The pause of a round in which nothing happened.
const IDLE: Duration = Duration::from_millis(20);

/// How long writing an answer may take (a few hundred bytes to a socket never written to).
const WRITE_WAIT: Duration = Duration::from_secs(1);

/// How many free ports a `localhost` redirect URI on port 0 tries: each is free on 127.0.0.1
/// and may be taken on ::1.
const PORT_ATTEMPTS: usize = 8;

/// Listens on the loopback address of a redirect URI (`http://127.0.0.1:PORT/PATH`,
/// `http://[::1]:PORT/PATH` or `http://localhost:PORT/PATH`) and receives the browser's
/// redirect there: [`RedirectReceiver::receive`] answers the browser with a short page and
/// returns the authorization code, its `state` checked.
///
/// An IP literal is listened on as it is. `localhost` is not looked up: a browser may take it
/// for 127.0.0.1 or for ::1, so both are listened on, on the same port, and the redirect is
/// received on either (on 127.0.0.1 alone where the machine has no ::1).
///
/// Bind it before opening the authorization URL, so the redirect finds it listening. Port 0
/// takes a free port: build the [`OAuthClient`](crate::OAuthClient) with
/// [`RedirectReceiver::redirect_uri`], which names it (a real authorization server accepts only
/// the redirect URI registered for your client, so there give that one).
///
/// Only a request whose path is the redirect URI's is read as the redirect; it must be a
/// `GET` of at most 16 KiB (request line and headers) sent within 10 s of connecting. Anything
/// else is answered and dropped while the wait goes on. `Debug` shows the redirect URI and
/// the timeout.
///
/// ```
/// use august_auth::{OAuthClient, RedirectReceiver};
/// use august_core::Brand;
/// # use api_transport::{Method, Request, Transport};
/// # use august_sandbox::{Sandbox, demo};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let sandbox = Sandbox::start()?;
/// # let (authorize_url, token_url) = sandbox.oauth_endpoints("yale_global");
/// let receiver = RedirectReceiver::bind("http://127.0.0.1:0/callback")?;
/// let client = OAuthClient::with_endpoints(
///     Brand::YaleGlobal,
///     demo::OAUTH_CLIENT_ID,
///     demo::OAUTH_CLIENT_SECRET,
///     receiver.redirect_uri(),
///     authorize_url,
///     token_url,
/// )?;
/// let request = client.authorization_request();
/// println!("open {} in a browser", request.url());
/// # // The browser: the sandbox approves, the redirect is followed to the receiver.
/// # let location = sandbox.approve_oauth(request.url())?;
/// # let browser = std::thread::spawn(move || {
/// #     Transport::default().send(&Request::absolute(Method::Get, &location)).map(|a| a.status())
/// # });
/// let code = receiver.receive(&request)?;
/// let tokens = client.exchange_code(&code)?;
/// # assert_eq!(browser.join().unwrap()?, 200);
/// # assert!(tokens.refresh_token().is_some());
/// # Ok(())
/// # }
/// ```
pub struct RedirectReceiver {
    /// One listener, or for `localhost` two: 127.0.0.1, then ::1 on the same port.
    listeners: Vec<TcpListener>,
    /// The redirect URI, with the port listened on when it was given as 0.
    redirect_uri: String,
    /// The path the redirect comes to, as a URL parser writes it.
    path: String,
    timeout: Duration,
}

impl fmt::Debug for RedirectReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedirectReceiver")
            .field("redirect_uri", &self.redirect_uri)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl RedirectReceiver {
    /// Listens on the host and port of `redirect_uri` (port 80 when it names none; port 0 for
    /// any free port), for the redirect to its path: `localhost` on 127.0.0.1 and, when the
    /// machine has it, ::1, on the same port (for port 0, a port free on both). Waits up to 5
    /// minutes ([`DEFAULT_REDIRECT_TIMEOUT`]) unless [`RedirectReceiver::timeout`] says
    /// otherwise.
    ///
    /// ```
    /// use august_auth::RedirectReceiver;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let receiver = RedirectReceiver::bind("http://127.0.0.1:0/callback")?;
    /// assert_ne!(receiver.local_addr()?.port(), 0);
    /// // The receiver listens itself: only a loopback http URI will do.
    /// assert!(RedirectReceiver::bind("https://example.com/callback").is_err());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`OAuthError::InvalidConfig`] when `redirect_uri` is not an `http` URL on `127.0.0.1`
    /// (or another loopback address), `[::1]` or `localhost`, or carries a user name, a
    /// password or a fragment; [`OAuthError::Listen`] when the address cannot be listened on
    /// (the port is taken, or needs privileges); for `localhost`, when the port is taken on
    /// 127.0.0.1 or on ::1 (a browser sent to the other program there would hand it the code),
    /// or, for port 0, when 8 ports free on 127.0.0.1 were all taken on ::1.
    pub fn bind(redirect_uri: impl Into<String>) -> Result<RedirectReceiver, OAuthError> {
        let redirect_uri = redirect_uri.into();
        // Not quoted, here or below, with what it may carry before its host: a password.
        let mut url = Url::parse(&redirect_uri).map_err(|e| OAuthError::InvalidConfig {
            reason: format!("the redirect URI is not a URL: {e}"),
        })?;
        let shown = {
            let mut shown = url.clone();
            let _ = shown.set_username("");
            let _ = shown.set_password(None);
            shown
        };
        let refused = |why: String| OAuthError::InvalidConfig {
            reason: format!("the redirect URI {shown} {why}"),
        };
        if url.scheme() != "http" {
            return Err(refused(
                "must be http://127.0.0.1:PORT/PATH (or localhost): the redirect is received here"
                    .into(),
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refused("must not carry a user name or password".into()));
        }
        if url.fragment().is_some() {
            return Err(refused("must not have a fragment".into()));
        }
        let (ip, localhost) = match url.host() {
            Some(Host::Ipv4(ip)) if ip.is_loopback() => (IpAddr::V4(ip), false),
            Some(Host::Ipv6(ip)) if ip.is_loopback() => (IpAddr::V6(ip), false),
            Some(Host::Domain(name)) if name.eq_ignore_ascii_case("localhost") => {
                (IpAddr::V4(Ipv4Addr::LOCALHOST), true)
            }
            other => {
                let host = other.map(|h| h.to_string()).unwrap_or_default();
                return Err(refused(format!(
                    "must be on 127.0.0.1, [::1] or localhost, not {host}"
                )));
            }
        };
        let port = url.port_or_known_default().unwrap_or(80);
        let (listeners, bound) = listen(SocketAddr::new(ip, port), localhost)?;
        let redirect_uri = if port == 0 {
            // Cannot fail: the URL has a host and an http scheme.
            let _ = url.set_port(Some(bound));
            url.to_string()
        } else {
            redirect_uri
        };
        Ok(RedirectReceiver {
            listeners,
            redirect_uri,
            path: url.path().to_owned(),
            timeout: DEFAULT_REDIRECT_TIMEOUT,
        })
    }

    /// Sets how long [`RedirectReceiver::receive`] waits for the redirect. Defaults to 5
    /// minutes ([`DEFAULT_REDIRECT_TIMEOUT`]). A timeout that runs past what the clock can
    /// count (`Duration::MAX`, say) waits without a deadline, until a redirect of the sign-in
    /// comes.
    ///
    /// ```
    /// use std::time::Duration;
    /// use august_auth::RedirectReceiver;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let receiver = RedirectReceiver::bind("http://127.0.0.1:0/callback")?
    ///     .timeout(Duration::from_secs(120));
    /// # let _ = receiver;
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> RedirectReceiver {
        self.timeout = timeout;
        self
    }

    /// The redirect URI as given to [`RedirectReceiver::bind`], or, when it said port 0, with
    /// the port listened on.
    ///
    /// ```
    /// use august_auth::RedirectReceiver;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let receiver = RedirectReceiver::bind("http://127.0.0.1:0/callback")?;
    /// let port = receiver.local_addr()?.port();
    /// assert_eq!(receiver.redirect_uri(), format!("http://127.0.0.1:{port}/callback"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The address listened on; for `localhost`, the one on 127.0.0.1 (the same port is
    /// listened on on ::1).
    ///
    /// ```
    /// use august_auth::RedirectReceiver;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let receiver = RedirectReceiver::bind("http://127.0.0.1:0/callback")?;
    /// assert!(receiver.local_addr()?.ip().is_loopback());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// The system's, when it cannot say (not expected for a listening socket).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listeners[0].local_addr()
    }

    /// Waits for the browser to come back with the answer to `request`, within the timeout:
    /// answers it with a short page and returns the code, its `state` checked as
    /// [`AuthorizationRequest::code_from_redirect`] checks it. The code is only returned:
    /// never logged, shown on the page or carried by an error.
    ///
    /// Only a redirect of this sign-in ends the wait: one with a code, or with an `error`
    /// ([`OAuthError::AuthorizationDenied`]), and this request's `state`. Everything else is
    /// answered and the wait goes on:
    /// - a request to the redirect's path with neither a code nor an error (a browser's
    ///   prefetch, a reload, a stray request): 400;
    /// - a redirect whose `state` is missing or not this request's (a tab of an earlier
    ///   sign-in, a forged link): 400, its code never used, and counted in the
    ///   [`OAuthError::RedirectTimeout`] the wait may end with. Ending the wait instead would
    ///   let any page the browser opens cut the sign-in short;
    /// - another path (`/favicon.ico`): 404; another method than `GET`: 405.
    ///
    /// May be called again (with a new request) after an error.
    ///
    /// See [`RedirectReceiver`] for the whole flow.
    ///
    /// ```no_run
    /// use august_auth::{OAuthClient, RedirectReceiver};
    /// use august_core::Brand;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let redirect_uri = "http://127.0.0.1:8765/callback"; // the one registered for your client
    /// let receiver = RedirectReceiver::bind(redirect_uri)?;
    /// let client = OAuthClient::new(
    ///     Brand::YaleGlobal,
    ///     "my-client-id",
    ///     std::env::var("AUGUST_OAUTH_CLIENT_SECRET")?,
    ///     redirect_uri,
    /// )?;
    /// let request = client.authorization_request();
    /// println!("open {} in a browser", request.url());
    /// let tokens = client.exchange_code(&receiver.receive(&request)?)?;
    /// # let _ = tokens;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`OAuthError::RedirectTimeout`] when no redirect of this sign-in came within the timeout
    /// (start the sign-in again); [`OAuthError::AuthorizationDenied`] when it came with an
    /// `error` (the user or the server refused); [`OAuthError::InvalidConfig`] when `request` was made for another redirect URI
    /// than this receiver's (the browser would never come here).
    pub fn receive(&self, request: &AuthorizationRequest) -> Result<AuthorizationCode, OAuthError> {
        if !same_uri(&request.redirect_uri, &self.redirect_uri) {
            return Err(OAuthError::InvalidConfig {
                reason: format!(
                    "the authorization request sends the browser to {}, not to {} where the redirect is received",
                    request.redirect_uri, self.redirect_uri
                ),
            });
        }
        // None: a timeout past what the clock counts, which is no deadline at all.
        let deadline = Instant::now().checked_add(self.timeout);
        let mut open: Vec<Connection> = Vec::new();
        let mut other_state = 0;
        loop {
            let now = Instant::now();
            if deadline.is_some_and(|deadline| now >= deadline) {
                return Err(OAuthError::RedirectTimeout {
                    waited: self.timeout,
                    other_state,
                });
            }
            let connection_until = now + CONNECTION_WAIT;
            let until = deadline.map_or(connection_until, |d| d.min(connection_until));
            let mut active = false;
            for listener in &self.listeners {
                active |= Self::accept(listener, &mut open, until);
            }
            let mut i = 0;
            while i < open.len() {
                let head = match open[i].poll() {
                    Poll::Waiting { read } => {
                        active |= read;
                        i += 1;
                        continue;
                    }
                    Poll::Gone(why) => {
                        log::debug!("a connection to the redirect receiver was dropped: {why}");
                        open.swap_remove(i);
                        active = true;
                        continue;
                    }
                    Poll::TooLarge => {
                        log::debug!(
                            "a request to the redirect receiver was larger than {MAX_REQUEST_HEAD} bytes"
                        );
                        open.swap_remove(i).answer(&Page::TOO_LARGE);
                        active = true;
                        continue;
                    }
                    Poll::Head(head) => head,
                };
                let connection = open.swap_remove(i);
                active = true;
                match self.judge(&head, request) {
                    Judged::Answer(page) => connection.answer(&page),
                    Judged::OtherSignIn => {
                        other_state += 1;
                        connection.answer(&Page::OTHER_SIGN_IN);
                    }
                    Judged::Done(page, outcome) => {
                        connection.answer(&page);
                        return outcome;
                    }
                }
            }
            if !active {
                let left = deadline.map_or(IDLE, |d| d.saturating_duration_since(now));
                std::thread::sleep(IDLE.min(left));
            }
        }
    }

    /// Accepts the connections waiting on `listener`, up to [`MAX_CONNECTIONS`] open at once, each
    /// to be read by `until`; whether any came.
    fn accept(listener: &TcpListener, open: &mut Vec<Connection>, until: Instant) -> bool {
        let mut any = false;
        for _ in 0..ACCEPTS_PER_ROUND {
            let stream = match listener.accept() {
                Ok((stream, _)) => stream,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => {
                    // One connection that failed (reset before it was accepted): not the listener.
                    log::debug!("a connection to the redirect receiver failed: {e}");
                    break;
                }
            };
            any = true;
            if open.len() >= MAX_CONNECTIONS {
                log::debug!("too many connections to the redirect receiver: one was closed unread");
                continue;
            }
            // Accepted sockets do not take the listener's mode everywhere.
            if let Err(e) = stream.set_nonblocking(true) {
                log::debug!("a connection to the redirect receiver was dropped: {e}");
                continue;
            }
            open.push(Connection {
                stream,
                head: Vec::new(),
                until,
            });
        }
        any
    }

    /// What to answer a request whose head is `head`, and whether the wait ends with it.
    fn judge(&self, head: &[u8], request: &AuthorizationRequest) -> Judged {
        let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
        let Ok(line) = std::str::from_utf8(line) else {
            return Judged::Answer(Page::BAD_REQUEST);
        };
        let mut parts = line.split_ascii_whitespace();
        let (Some(method), Some(target), Some(version)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Judged::Answer(Page::BAD_REQUEST);
        };
        // An origin-form target only: `//host/path` would name another host.
        if !target.starts_with('/') || target.starts_with("//") || !version.starts_with("HTTP/") {
            return Judged::Answer(Page::BAD_REQUEST);
        }
        let (path, _) = target.split_once('?').unwrap_or((target, ""));
        if path_of(path).as_deref() != Some(self.path.as_str()) {
            log::debug!("a request to another path than the redirect's was answered 404");
            return Judged::Answer(Page::NOT_FOUND);
        }
        if method != "GET" {
            return Judged::Answer(Page::METHOD_NOT_ALLOWED);
        }
        let query = RedirectQuery::parse(target);
        if query.code.is_none() && query.error.is_none() {
            log::debug!(
                "a request to the redirect's path without a code or an error was answered 400"
            );
            return Judged::Answer(Page::NO_CODE);
        }
        match request.check_redirect(query) {
            Ok(code) => Judged::Done(Page::SIGNED_IN, Ok(code)),
            Err(OAuthError::StateMismatch) => {
                log::warn!(
                    "a redirect whose state is not this sign-in's was refused (an old tab, or a forged link); still waiting"
                );
                Judged::OtherSignIn
            }
            Err(e @ OAuthError::AuthorizationDenied { .. }) => Judged::Done(Page::DENIED, Err(e)),
            // Not reached: a request with neither a code nor an error was answered above.
            Err(_) => Judged::Answer(Page::NO_CODE),
        }
    }
}

/// Listens on `addr` and, for `localhost`, on ::1 too, on the port taken on `addr` (port 0
/// tries again with another free port while that one is taken on ::1); the listeners and
/// their port. A machine without ::1 has `localhost` on 127.0.0.1 alone.
fn listen(addr: SocketAddr, localhost: bool) -> Result<(Vec<TcpListener>, u16), OAuthError> {
    let mut attempts = 1;
    loop {
        let first = listen_on(addr).map_err(listen_error(addr))?;
        let port = first.local_addr().map_err(listen_error(addr))?.port();
        if !localhost {
            return Ok((vec![first], port));
        }
        let ipv6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port);
        match listen_on(ipv6) {
            Ok(second) => return Ok((vec![first, second], port)),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => {
                if addr.port() != 0 || attempts == PORT_ATTEMPTS {
                    return Err(listen_error(ipv6)(e));
                }
                log::debug!("port {port} is taken on ::1: the redirect receiver takes another");
                attempts += 1;
            }
            Err(e) => {
                log::debug!(
                    "::1 cannot be listened on ({e}): a redirect to localhost is received on 127.0.0.1 only"
                );
                return Ok((vec![first], port));
            }
        }
    }
}

/// A non-blocking listener on `addr`.
fn listen_on(addr: SocketAddr) -> io::Result<TcpListener> {
    let listener = TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// The error of listening on `addr`.
fn listen_error(addr: SocketAddr) -> impl Fn(io::Error) -> OAuthError {
    move |source| OAuthError::Listen {
        address: addr.to_string(),
        source,
    }
}

/// What a request gets, and whether it ends the wait.
enum Judged {
    /// This page; the wait goes on.
    Answer(Page),
    /// A redirect with another state: refused with [`Page::OTHER_SIGN_IN`], and counted; the
    /// wait goes on.
    OtherSignIn,
    /// This page, and the wait ends with this outcome.
    Done(Page, Result<AuthorizationCode, OAuthError>),
}

/// An answer: status line and a plain-text body.
struct Page {
    status: &'static str,
    body: &'static str,
}

impl Page {
    const SIGNED_IN: Page = Page {
        status: "200 OK",
        body: "Signed in: you can close this window.",
    };
    const DENIED: Page = Page {
        status: "200 OK",
        body: "The sign-in was refused: you can close this window.",
    };
    const NO_CODE: Page = Page {
        status: "400 Bad Request",
        body: "This request carries no authorization code: the sign-in is still waiting for the browser to come back from the authorization server.",
    };
    const OTHER_SIGN_IN: Page = Page {
        status: "400 Bad Request",
        body: "This redirect is not the answer to the sign-in in progress (its state differs) and was ignored: the sign-in is still waiting.",
    };
    const BAD_REQUEST: Page = Page {
        status: "400 Bad Request",
        body: "Not an HTTP request this address can answer.",
    };
    const NOT_FOUND: Page = Page {
        status: "404 Not Found",
        body: "Not found.",
    };
    const METHOD_NOT_ALLOWED: Page = Page {
        status: "405 Method Not Allowed",
        body: "Only GET is answered here.",
    };
    const TOO_LARGE: Page = Page {
        status: "431 Request Header Fields Too Large",
        body: "The request is too large.",
    };
}

/// A connection being read.
struct Connection {
    stream: TcpStream,
    /// What it sent so far, at most [`MAX_REQUEST_HEAD`] bytes.
    head: Vec<u8>,
    /// When it is dropped if its request's head has not ended.
    until: Instant,
}

/// Where reading a connection stands.
enum Poll {
    /// More is to come; `read` says whether anything came this time.
    Waiting { read: bool },
    /// The head of its request (request line and headers) has ended: here it is.
    Head(Vec<u8>),
    /// It sent [`MAX_REQUEST_HEAD`] bytes and the head has not ended.
    TooLarge,
    /// It is of no use: closed, failed, or out of time.
    Gone(String),
}

impl Connection {
    /// Reads what has come, without waiting.
    fn poll(&mut self) -> Poll {
        if Instant::now() >= self.until {
            return Poll::Gone("no whole request came in time".into());
        }
        let mut read = false;
        let mut chunk = [0u8; 4096];
        loop {
            let room = MAX_REQUEST_HEAD - self.head.len();
            if room == 0 {
                return Poll::TooLarge;
            }
            let want = room.min(chunk.len());
            match self.stream.read(&mut chunk[..want]) {
                Ok(0) => return Poll::Gone("closed before its request ended".into()),
                Ok(n) => {
                    read = true;
                    // The end of the head may straddle the previous read.
                    let from = self.head.len().saturating_sub(3);
                    self.head.extend_from_slice(&chunk[..n]);
                    if head_ends(&self.head[from..]) {
                        return Poll::Head(std::mem::take(&mut self.head));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Poll::Waiting { read },
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Poll::Gone(e.to_string()),
            }
        }
    }

    /// Sends `page` and closes the connection.
    fn answer(self, page: &Page) {
        let mut stream = self.stream;
        let _ = stream.set_nonblocking(false);
        let _ = stream.set_write_timeout(Some(WRITE_WAIT));
        let _ = write!(
            stream,
            "HTTP/1.1 {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{}",
            page.status,
            page.body.len(),
            page.body
        );
        let _ = stream.flush();
        let _ = stream.shutdown(Shutdown::Write);
    }
}

/// Whether `bytes` hold the blank line that ends a request's head (`\r\n\r\n`, or `\n\n` from a
/// lenient client).
fn head_ends(bytes: &[u8]) -> bool {
    bytes.windows(4).any(|w| w == b"\r\n\r\n") || bytes.windows(2).any(|w| w == b"\n\n")
}

/// The path of a request target as the URL parser writes it (dot segments resolved), so that it
/// compares with the redirect URI's.
fn path_of(path: &str) -> Option<String> {
    let url = Url::parse("http://127.0.0.1/").ok()?.join(path).ok()?;
    Some(url.path().to_owned())
}

/// Whether two redirect URIs are the same URL once parsed.
fn same_uri(a: &str, b: &str) -> bool {
    match (Url::parse(a), Url::parse(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
