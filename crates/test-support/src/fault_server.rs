//! A scripted HTTP/1.1 server on 127.0.0.1 for the fault and stress tests of the workspace.
//!
//! Used by the fault, stress, property and secret-audit tests of every client crate (as
//! `use test_support::fault_server as server`), so that every crate scripts faults the same way.
//!
//! Each request is read with `peek` first and only consumed once the script is known, so a
//! script can end with [`Act::Reset`]: the socket is closed with the request still unread,
//! which makes the kernel answer with a TCP reset instead of an orderly close. Every request
//! is recorded (method, raw target, headers, body, arrival time, connection number), and the
//! server counts the connections it accepted and the most it had open at once.
//!
//! Everything here is test code: failures to read or write a socket end that connection, and
//! nothing panics on what a client sends.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// How long a connection may sit idle before the server closes it.
const IDLE: Duration = Duration::from_secs(5);
/// Requests larger than this are refused (the connection is closed).
const MAX_REQUEST: usize = 1024 * 1024;

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// 0 for the first request the server saw, then 1, 2, ...
    pub index: usize,
    /// 0 for the first connection the server accepted, then 1, 2, ...
    pub connection: usize,
    /// `GET`, `PUT`, ...
    pub method: String,
    /// The request target exactly as sent (`/locks/A%2FB?x=1`).
    pub target: String,
    /// Header names (lower-cased) and values.
    pub headers: Vec<(String, String)>,
    /// The request body.
    pub body: Vec<u8>,
    /// When the request was complete.
    pub at: Instant,
}

impl Recorded {
    /// The target without its query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The query, if any (without the `?`).
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// The first value of a header (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One step of the server's answer to a request.
#[derive(Debug, Clone)]
pub enum Act {
    /// Write these bytes.
    Send(Vec<u8>),
    /// Do nothing for this long.
    Wait(Duration),
    /// Write these bytes `chunk` bytes at a time, waiting `every` before each chunk.
    Trickle {
        /// The bytes.
        bytes: Vec<u8>,
        /// Bytes per write.
        chunk: usize,
        /// Pause before each write.
        every: Duration,
    },
    /// Close the connection with the request unread: the client gets a TCP reset.
    Reset,
    /// Close the connection in order (FIN).
    Close,
}

/// A whole answer. Without a final [`Act::Close`] or [`Act::Reset`] the connection stays open
/// for the next request (keep-alive).
pub type Script = Vec<Act>;

type Responder = dyn Fn(&Recorded) -> Script + Send + Sync;

struct Shared {
    requests: Mutex<Vec<Recorded>>,
    accepted: AtomicUsize,
    open: AtomicUsize,
    max_open: AtomicUsize,
    busy: AtomicUsize,
    max_busy: AtomicUsize,
    stop: AtomicBool,
}

/// A server on an ephemeral loopback port, answering each request with the script its
/// responder returns. Stops accepting when dropped.
pub struct FaultServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl FaultServer {
    /// Starts a server; `respond` is called once per complete request.
    pub fn start(respond: impl Fn(&Recorded) -> Script + Send + Sync + 'static) -> FaultServer {
        let listener = match TcpListener::bind("127.0.0.1:0") {
            Ok(l) => l,
            Err(e) => panic!("cannot bind a loopback port: {e}"),
        };
        let addr = match listener.local_addr() {
            Ok(a) => a,
            Err(e) => panic!("no local address: {e}"),
        };
        let shared = Arc::new(Shared {
            requests: Mutex::new(Vec::new()),
            accepted: AtomicUsize::new(0),
            open: AtomicUsize::new(0),
            max_open: AtomicUsize::new(0),
            busy: AtomicUsize::new(0),
            max_busy: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        });
        let respond: Arc<Responder> = Arc::new(respond);
        let accept_shared = Arc::clone(&shared);
        thread::spawn(move || {
            for stream in listener.incoming() {
                if accept_shared.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let connection = accept_shared.accepted.fetch_add(1, Ordering::SeqCst);
                let now_open = accept_shared.open.fetch_add(1, Ordering::SeqCst) + 1;
                accept_shared.max_open.fetch_max(now_open, Ordering::SeqCst);
                let shared = Arc::clone(&accept_shared);
                let respond = Arc::clone(&respond);
                thread::spawn(move || {
                    serve(stream, connection, &shared, &*respond);
                    shared.open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        FaultServer { addr, shared }
    }

    /// A server that answers every request with the same script.
    pub fn always(script: Script) -> FaultServer {
        FaultServer::start(move |_| script.clone())
    }

    /// A server that answers every request with `status`, `headers` and `body`.
    pub fn fixed(status: u16, headers: &[(&str, &str)], body: &[u8]) -> FaultServer {
        FaultServer::always(vec![Act::Send(response(status, headers, body))])
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many requests were received.
    pub fn request_count(&self) -> usize {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// How many connections were accepted.
    pub fn connections(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// The most connections open at the same time, as the server sees them: a connection the
    /// client has just closed counts until the server reads the close.
    pub fn max_open(&self) -> usize {
        self.shared.max_open.load(Ordering::SeqCst)
    }

    /// The most requests being answered at the same time.
    pub fn max_busy(&self) -> usize {
        self.shared.max_busy.load(Ordering::SeqCst)
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.shared.open.load(Ordering::SeqCst)
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
    }
}

/// A URL on which nothing listens: connecting is refused.
pub fn refused_url() -> String {
    format!("http://127.0.0.1:{}", refused_port())
}

/// A loopback port on which nothing listens, and which no test server can take meanwhile.
///
/// A port freed by dropping a listener would not do: a server that another test starts at the
/// same time may be given it, and a "refused" call would reach that server. Ports below 1024
/// are never handed out by a bind to port 0 (the ephemeral range starts above), so the first of
/// these that refuses a connection stays closed for the whole run.
pub fn refused_port() -> u16 {
    const CANDIDATES: [u16; 6] = [9, 1, 7, 19, 47, 51];
    let refuses = |port: u16| {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        matches!(
            TcpStream::connect_timeout(&addr, Duration::from_millis(500)),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused
        )
    };
    match CANDIDATES.into_iter().find(|port| refuses(*port)) {
        Some(port) => port,
        None => {
            panic!("no candidate port below 1024 refused a connection on 127.0.0.1: {CANDIDATES:?}")
        }
    }
}

fn serve(mut stream: TcpStream, connection: usize, shared: &Shared, respond: &Responder) {
    let _ = stream.set_read_timeout(Some(IDLE));
    let _ = stream.set_nodelay(true);
    loop {
        let Some((length, mut request)) = peek_request(&stream) else {
            return;
        };
        request.connection = connection;
        {
            let mut requests = shared
                .requests
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            request.index = requests.len();
            requests.push(request.clone());
        }
        let now_busy = shared.busy.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_busy.fetch_max(now_busy, Ordering::SeqCst);
        let keep_going = answer(&mut stream, length, respond(&request));
        shared.busy.fetch_sub(1, Ordering::SeqCst);
        if !keep_going {
            return;
        }
    }
}

/// Plays a script; `false` when the connection is over.
fn answer(stream: &mut TcpStream, length: usize, script: Script) -> bool {
    let resets = script.iter().any(|a| matches!(a, Act::Reset));
    if !resets {
        let mut consumed = vec![0u8; length];
        if stream.read_exact(&mut consumed).is_err() {
            return false;
        }
    }
    for act in script {
        match act {
            Act::Send(bytes) => {
                if stream
                    .write_all(&bytes)
                    .and_then(|()| stream.flush())
                    .is_err()
                {
                    return false;
                }
            }
            Act::Wait(d) => thread::sleep(d),
            Act::Trickle {
                bytes,
                chunk,
                every,
            } => {
                for piece in bytes.chunks(chunk.max(1)) {
                    thread::sleep(every);
                    if stream
                        .write_all(piece)
                        .and_then(|()| stream.flush())
                        .is_err()
                    {
                        return false;
                    }
                }
            }
            // Unread bytes in the receive buffer make the close send RST; the stream is
            // closed when the caller drops it.
            Act::Reset => return false,
            Act::Close => {
                let _ = stream.shutdown(Shutdown::Both);
                return false;
            }
        }
    }
    true
}

/// Waits for one whole request without consuming it; returns its length and its parsed form.
fn peek_request(stream: &TcpStream) -> Option<(usize, Recorded)> {
    let mut buf = vec![0u8; 8192];
    loop {
        let n = stream.peek(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        if let Some(head_end) = find(&buf[..n], b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
            let mut lines = head.split("\r\n");
            let mut first = lines.next()?.split(' ');
            let method = first.next()?.to_owned();
            let target = first.next()?.to_owned();
            let headers: Vec<(String, String)> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                .collect();
            let body_len = headers
                .iter()
                .find(|(k, _)| k == "content-length")
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .unwrap_or(0);
            let total = head_end + 4 + body_len;
            if total > MAX_REQUEST {
                return None;
            }
            if n >= total {
                let body = buf[head_end + 4..total].to_vec();
                return Some((
                    total,
                    Recorded {
                        index: 0,
                        connection: 0,
                        method,
                        target,
                        headers,
                        body,
                        at: Instant::now(),
                    },
                ));
            }
            if buf.len() < total {
                buf.resize(total, 0);
                continue;
            }
        } else if n == buf.len() {
            if buf.len() >= MAX_REQUEST {
                return None;
            }
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        // Part of the request is still on its way.
        thread::sleep(Duration::from_millis(1));
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A complete response with `Content-Length`.
pub fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = head(status, headers, Some(body.len()));
    out.extend_from_slice(body);
    out
}

/// A status line and headers; `Content-Length` added when `length` is given.
pub fn head(status: u16, headers: &[(&str, &str)], length: Option<usize>) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(length) = length {
        out.push_str(&format!("content-length: {length}\r\n"));
    }
    out.push_str("\r\n");
    out.into_bytes()
}

/// A JSON answer with this status.
pub fn json(status: u16, body: &[u8]) -> Script {
    vec![Act::Send(response(
        status,
        &[("content-type", "application/json")],
        body,
    ))]
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        403 => "Forbidden",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// The faults of the fault matrix, each a way for a server to answer badly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After: 1`.
    RateLimitedRetryAfter,
    /// 429 without `Retry-After`.
    RateLimited,
    /// 500 with a JSON error body.
    Status500,
    /// 502 with an empty body.
    Status502,
    /// 503 with an empty body.
    Status503,
    /// 504 with an empty body.
    Status504,
    /// 403 with an HTML page, as a firewall sends.
    Html403,
    /// Nothing listens on the port.
    Refused,
    /// Headers and half the body, then a TCP reset.
    ResetMidBody,
    /// 200 with an honest `Content-Length` over JSON cut in half.
    TruncatedJson,
    /// 200 announcing the whole body, half of it sent, then the connection closed.
    TruncatedTransfer,
    /// No answer for longer than the client's timeout.
    Stall,
    /// The body trickles in so slowly that it ends after the timeout.
    TrickleSlow,
    /// The body trickles in, ending well within the timeout.
    TrickleFast,
    /// 200 with a body over the client's cap.
    Oversized,
    /// 302 to another host over https.
    RedirectOtherHost,
    /// 302 to plain http (a second local server, which must see nothing).
    RedirectHttp,
    /// 200, the expected JSON served as `text/html`.
    JsonAsHtml,
    /// 200, an HTML page served as `application/json`.
    HtmlAsJson,
    /// The request is read and the connection closed without a byte of answer.
    CloseWithoutAnswer,
}

impl Fault {
    /// Every fault, in the order of the matrix.
    pub const ALL: [Fault; 20] = [
        Fault::RateLimitedRetryAfter,
        Fault::RateLimited,
        Fault::Status500,
        Fault::Status502,
        Fault::Status503,
        Fault::Status504,
        Fault::Html403,
        Fault::Refused,
        Fault::ResetMidBody,
        Fault::TruncatedJson,
        Fault::TruncatedTransfer,
        Fault::Stall,
        Fault::TrickleSlow,
        Fault::TrickleFast,
        Fault::Oversized,
        Fault::RedirectOtherHost,
        Fault::RedirectHttp,
        Fault::JsonAsHtml,
        Fault::HtmlAsJson,
        Fault::CloseWithoutAnswer,
    ];

    /// The faults a read recovers from when they happen once.
    pub const TRANSIENT: [Fault; 8] = [
        Fault::RateLimitedRetryAfter,
        Fault::RateLimited,
        Fault::Status502,
        Fault::Status503,
        Fault::Status504,
        Fault::ResetMidBody,
        Fault::TruncatedTransfer,
        Fault::CloseWithoutAnswer,
    ];

    /// The row name in `docs/reliability.md`.
    pub fn name(self) -> &'static str {
        match self {
            Fault::RateLimitedRetryAfter => "429 + Retry-After: 1",
            Fault::RateLimited => "429, no Retry-After",
            Fault::Status500 => "500",
            Fault::Status502 => "502",
            Fault::Status503 => "503",
            Fault::Status504 => "504",
            Fault::Html403 => "403 HTML page",
            Fault::Refused => "connection refused",
            Fault::ResetMidBody => "reset mid-body",
            Fault::TruncatedJson => "truncated JSON (honest length)",
            Fault::TruncatedTransfer => "truncated transfer (short of Content-Length)",
            Fault::Stall => "stall past the timeout",
            Fault::TrickleSlow => "body trickles past the timeout",
            Fault::TrickleFast => "body trickles within the timeout",
            Fault::Oversized => "body over the cap",
            Fault::RedirectOtherHost => "302 to another host",
            Fault::RedirectHttp => "302 to http",
            Fault::JsonAsHtml => "JSON served as text/html",
            Fault::HtmlAsJson => "HTML served as application/json",
            Fault::CloseWithoutAnswer => "closed without answering",
        }
    }

    /// The server's answer. `ok` is the body of a successful answer with its content type,
    /// `timeout` the client's, `cap` its body limit, `decoy` the URL of a server that must
    /// never be reached.
    pub fn script(self, ok: &Success, timeout: Duration, cap: usize, decoy: &str) -> Script {
        let half = ok.body.len() / 2;
        let ok_headers = ok.header_list(ok.content_type);
        let ok_head = |length: usize| head(200, &ok_headers, Some(length));
        match self {
            Fault::RateLimitedRetryAfter => vec![Act::Send(response(
                429,
                &[("retry-after", "1"), ("content-type", "application/json")],
                br#"{"message":"slow down","code":429}"#,
            ))],
            Fault::RateLimited => json(429, br#"{"message":"slow down","code":429}"#),
            Fault::Status500 => json(500, br#"{"message":"internal error","code":500}"#),
            Fault::Status502 => vec![Act::Send(response(502, &[], b""))],
            Fault::Status503 => vec![Act::Send(response(503, &[], b""))],
            Fault::Status504 => vec![Act::Send(response(504, &[], b""))],
            Fault::Html403 => vec![Act::Send(response(
                403,
                &[("content-type", "text/html")],
                b"<html><body><h1>403 Forbidden</h1>Request blocked.</body></html>",
            ))],
            // The client is given a refused URL instead: the script never runs.
            Fault::Refused => vec![Act::Close],
            Fault::ResetMidBody => {
                let mut first = ok_head(ok.body.len());
                first.extend_from_slice(&ok.body[..half]);
                vec![
                    Act::Send(first),
                    Act::Wait(Duration::from_millis(50)),
                    Act::Reset,
                ]
            }
            Fault::TruncatedJson => vec![Act::Send(response(200, &ok_headers, &ok.body[..half]))],
            Fault::TruncatedTransfer => {
                let mut first = ok_head(ok.body.len());
                first.extend_from_slice(&ok.body[..half]);
                vec![Act::Send(first), Act::Close]
            }
            Fault::Stall => vec![
                Act::Wait(timeout * 4),
                Act::Send(response(200, &ok_headers, &ok.body)),
            ],
            // At most ten pieces, the last one landing at twice the timeout, or all within a
            // quarter of it.
            Fault::TrickleSlow => trickle(ok_head(ok.body.len()), &ok.body, timeout * 2),
            Fault::TrickleFast => trickle(ok_head(ok.body.len()), &ok.body, timeout / 4),
            Fault::Oversized => {
                let mut body = b"{\"pad\":\"".to_vec();
                body.resize(cap * 2, b'x');
                body.extend_from_slice(b"\"}");
                vec![Act::Send(response(200, &ok_headers, &body))]
            }
            Fault::RedirectOtherHost => vec![Act::Send(response(
                302,
                &[("location", "https://elsewhere.example.com/steal")],
                b"",
            ))],
            Fault::RedirectHttp => {
                let location = format!("{decoy}/steal");
                vec![Act::Send(response(302, &[("location", &location)], b""))]
            }
            Fault::JsonAsHtml => vec![Act::Send(response(
                200,
                &ok.header_list("text/html; charset=utf-8"),
                &ok.body,
            ))],
            Fault::HtmlAsJson => vec![Act::Send(response(
                200,
                &ok.header_list("application/json"),
                b"<html><body>Service temporarily unavailable</body></html>",
            ))],
            Fault::CloseWithoutAnswer => vec![Act::Close],
        }
    }
}

/// How to cut a body into at most ten pieces: the piece size and the number of pieces.
/// The head, then `body` in at most ten pieces, spread evenly over `within`.
fn trickle(head: Vec<u8>, body: &[u8], within: Duration) -> Script {
    let (chunk, pieces) = pieces(body.len());
    vec![
        Act::Send(head),
        Act::Trickle {
            bytes: body.to_vec(),
            chunk,
            every: within / pieces,
        },
    ]
}

fn pieces(length: usize) -> (usize, u32) {
    let chunk = length.div_ceil(10).max(1);
    let count = length.div_ceil(chunk).max(1);
    (chunk, u32::try_from(count).unwrap_or(10))
}

/// The body and content type of a successful answer.
#[derive(Debug, Clone)]
pub struct Success {
    /// The body.
    pub body: Vec<u8>,
    /// Its content type.
    pub content_type: &'static str,
    /// Extra headers of the successful answer (a login's token header).
    pub headers: Vec<(&'static str, String)>,
}

impl Success {
    /// A JSON body.
    pub fn json(body: impl Into<Vec<u8>>) -> Success {
        Success {
            body: body.into(),
            content_type: "application/json",
            headers: Vec::new(),
        }
    }

    /// Adds a header to the successful answer.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Success {
        self.headers.push((name, value.into()));
        self
    }

    /// The successful answer's headers, with `content_type` as its content type.
    fn header_list(&self, content_type: &'static str) -> Vec<(&str, &str)> {
        let mut headers: Vec<(&str, &str)> = vec![("content-type", content_type)];
        headers.extend(self.headers.iter().map(|(n, v)| (*n, v.as_str())));
        headers
    }

    /// The successful answer as a script.
    pub fn script(&self) -> Script {
        vec![Act::Send(response(
            200,
            &self.header_list(self.content_type),
            &self.body,
        ))]
    }
}

/// Runs `f` on its own thread for each item and returns the results in order: the cells of a
/// matrix mostly wait on timers, so they run side by side.
pub fn in_parallel<T: Send + 'static, R: Send + 'static>(
    items: Vec<T>,
    f: impl Fn(T) -> R + Send + Sync + 'static,
) -> Vec<R> {
    let f = Arc::new(f);
    let handles: Vec<_> = items
        .into_iter()
        .map(|item| {
            let f = Arc::clone(&f);
            thread::spawn(move || f(item))
        })
        .collect();
    handles
        .into_iter()
        .map(|h| match h.join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        })
        .collect()
}
