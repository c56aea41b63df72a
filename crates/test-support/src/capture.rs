//! A `log` logger that records every line of every target, for the secret audits of the
//! workspace (each crate's `security_audit.rs`).
//!
//! ureq logs under the `ureq` and `ureq_proto` targets; at `trace` it prints full request
//! paths and dumps raw request bytes, headers included (see `docs/transport.md`). The audits
//! therefore run twice: once with every target at `trace` (the crates' own lines must be
//! clean; ureq's are counted, as evidence of why the documentation says to cap them), and once
//! as the documentation recommends, everything at `trace` but `ureq*` capped at `debug`, where
//! every line must be clean.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use log::{Level, LevelFilter, Log, Metadata, Record};

use crate::fault_server::{Act, FaultServer, refused_url, response};

/// One captured line.
#[derive(Debug, Clone)]
pub struct Line {
    /// The record's target.
    pub target: String,
    /// Its level.
    pub level: Level,
    /// The formatted message.
    pub text: String,
}

impl Line {
    /// Whether ureq wrote it.
    pub fn by_ureq(&self) -> bool {
        self.target.starts_with("ureq")
    }
}

/// How the ureq targets are filtered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UreqLevel {
    /// Everything at `trace`, ureq included.
    Trace,
    /// ureq capped at `debug`, as `docs/transport.md` recommends.
    Debug,
}

/// The process-wide capturing logger.
pub struct Capture {
    lines: Mutex<Vec<Line>>,
    ureq_trace: AtomicUsize,
}

impl Log for Capture {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        if metadata.target().starts_with("ureq") && self.ureq_trace.load(Ordering::SeqCst) == 0 {
            metadata.level() <= Level::Debug
        } else {
            true
        }
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
            self.lines
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(Line {
                    target: record.target().to_owned(),
                    level: record.level(),
                    text: record.args().to_string(),
                });
        }
    }

    fn flush(&self) {}
}

impl Capture {
    /// Installs the logger (once per process) with every level enabled.
    pub fn install() -> &'static Capture {
        static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();
        CAPTURE.get_or_init(|| {
            let capture: &'static Capture = Box::leak(Box::new(Capture {
                lines: Mutex::new(Vec::new()),
                ureq_trace: AtomicUsize::new(1),
            }));
            if log::set_logger(capture).is_err() {
                panic!("another logger is installed in this test binary");
            }
            log::set_max_level(LevelFilter::Trace);
            capture
        })
    }

    /// Sets how ureq's targets are filtered and forgets the lines so far.
    pub fn start(&self, ureq: UreqLevel) {
        self.ureq_trace
            .store(usize::from(ureq == UreqLevel::Trace), Ordering::SeqCst);
        self.take();
    }

    /// The lines captured since the last call, removed from the logger.
    pub fn take(&self) -> Vec<Line> {
        std::mem::take(&mut *self.lines.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Every text a scan must read: each line, plus, for each run of ureq's raw byte dumps
/// (`ureq_proto::util` at `trace`: 16 bytes a line as hex and ASCII, so a secret is split
/// across lines), the ASCII columns joined back together.
pub fn texts(lines: &[Line]) -> Vec<String> {
    let mut out: Vec<String> = lines.iter().map(|l| l.text.clone()).collect();
    let mut dump = String::new();
    for line in lines {
        let is_dump = line.target.starts_with("ureq_proto") && line.level == Level::Trace;
        match line.text.rsplit_once("  ") {
            Some((hex, ascii))
                if is_dump && hex.bytes().all(|b| b.is_ascii_hexdigit() || b == b' ') =>
            {
                dump.push_str(ascii);
            }
            _ => {
                if !dump.is_empty() {
                    out.push(std::mem::take(&mut dump));
                }
            }
        }
    }
    if !dump.is_empty() {
        out.push(dump);
    }
    out
}

/// Every `(secret name, place)` pair where a secret occurs in one of `texts`.
pub fn hits<'a>(secrets: &[(&str, &str)], texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut found = Vec::new();
    for text in texts {
        for (name, secret) in secrets {
            if !secret.is_empty() && text.contains(secret) {
                let excerpt: String = text.chars().take(300).collect();
                found.push(format!("{name} in: {excerpt}"));
            }
        }
    }
    found
}

/// Everything a result can show, after `ok` or `error`: the value's `Debug` (plain and
/// pretty), or the error's `Display`, `Debug` (plain and pretty) and its whole source chain.
pub fn shown<T: std::fmt::Debug, E: std::error::Error>(result: Result<T, E>) -> Vec<String> {
    match result {
        Ok(value) => vec!["ok".into(), format!("{value:?}"), format!("{value:#?}")],
        Err(error) => {
            let mut out = vec![
                "error".into(),
                error.to_string(),
                format!("{error:?}"),
                format!("{error:#?}"),
            ];
            let mut source = error.source();
            while let Some(s) = source {
                out.push(s.to_string());
                out.push(format!("{s:?}"));
                source = s.source();
            }
            out
        }
    }
}

// ----- servers that quote the request back -----

/// How an echoing server quotes a request in its 400 answer. The clients show only the start
/// of a non-JSON body, so each plain style puts one part of the request first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Echo {
    /// JSON: `message` holds the whole raw request, body first (JSON-escaped), `errors` every
    /// field of the query and the body, decoded.
    Json,
    /// As [`Echo::Json`], with every non-ASCII character escaped (`\u00e9`), as Python's
    /// `json.dumps` writes by default.
    JsonAscii,
    /// An HTML page repeating the form: every field of the query and the body (last first)
    /// as an `<input>` whose value is HTML-escaped, then the raw request.
    Html,
    /// Plain text: the body as sent, then the rest of the request.
    Body,
    /// Plain text: the query as sent (percent-encoded), the same decoded, then the rest.
    Query,
    /// Plain text: the header lines (credential-looking headers first), then the rest.
    Headers,
}

impl Echo {
    /// Every style.
    pub const ALL: [Echo; 6] = [
        Echo::Json,
        Echo::JsonAscii,
        Echo::Html,
        Echo::Body,
        Echo::Query,
        Echo::Headers,
    ];
}

/// Percent-decodes a query or form string (`+` is a space).
fn form_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                Some(b) => {
                    out.push(b);
                    i += 2;
                }
                None => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The fields of a request: its query pairs, then the string leaves of a JSON body (or the
/// pairs of a form body), decoded.
fn fields(target: &str, body: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let pairs = |text: &str, out: &mut Vec<(String, String)>| {
        for pair in text.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            out.push((form_decode(k), form_decode(v)));
        }
    };
    if let Some((_, query)) = target.split_once('?') {
        pairs(query, &mut out);
    }
    fn leaves(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    leaves(&format!("{prefix}{k}."), v, out);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    leaves(&format!("{prefix}{i}."), v, out);
                }
            }
            serde_json::Value::String(s) => {
                out.push((prefix.trim_end_matches('.').to_owned(), s.clone()));
            }
            other => out.push((prefix.trim_end_matches('.').to_owned(), other.to_string())),
        }
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) => leaves("", &value, &mut out),
        Err(_) => pairs(&String::from_utf8_lossy(body), &mut out),
    }
    out
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn ascii_json(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// The failures every secret audit puts a client through, beside the answers of its own
/// service (its error bodies, a 429, a body of the wrong shape).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// A 403 HTML page.
    HtmlForbidden,
    /// A 500 without a body.
    ServerError,
    /// A 200 that is not JSON.
    NotJson,
    /// A 302 to another host.
    Redirect,
    /// A 200 twice as large as the client's cap.
    Oversized,
    /// No answer until four times the client's timeout.
    Stall,
    /// The connection closed without an answer.
    Close,
    /// Nothing listening (see [`Failure::base`]).
    Refused,
}

impl Failure {
    /// Every failure.
    pub const ALL: [Failure; 8] = [
        Failure::HtmlForbidden,
        Failure::ServerError,
        Failure::NotJson,
        Failure::Redirect,
        Failure::Oversized,
        Failure::Stall,
        Failure::Close,
        Failure::Refused,
    ];

    /// The server that fails so a client with this `timeout` and body `cap`.
    pub fn server(self, timeout: Duration, cap: u64) -> FaultServer {
        let json = [("content-type", "application/json")];
        match self {
            Failure::HtmlForbidden => FaultServer::fixed(
                403,
                &[("content-type", "text/html")],
                b"<html><body><h1>403 Forbidden</h1>blocked</body></html>",
            ),
            Failure::ServerError => FaultServer::fixed(500, &[], b""),
            Failure::NotJson => FaultServer::fixed(200, &json, b"<<< not json >>>"),
            Failure::Redirect => {
                FaultServer::fixed(302, &[("location", "https://elsewhere.example.com/x")], b"")
            }
            Failure::Oversized => {
                let cap = usize::try_from(cap).unwrap_or(usize::MAX / 2);
                FaultServer::fixed(200, &json, &vec![b' '; 2 * cap])
            }
            Failure::Stall => FaultServer::always(vec![Act::Wait(timeout * 4)]),
            Failure::Close | Failure::Refused => FaultServer::always(vec![Act::Close]),
        }
    }

    /// The base URL to give the client: the server's, or where nothing listens.
    pub fn base(self, server: &FaultServer) -> String {
        if self == Failure::Refused {
            refused_url()
        } else {
            server.url()
        }
    }
}

/// A server that answers every request with [`echo`] of it in `style`.
pub fn echo_server(style: Echo) -> FaultServer {
    FaultServer::start(move |request| {
        let (status, content_type, body) = echo(
            style,
            &request.method,
            &request.target,
            &request.headers,
            &request.body,
        );
        vec![Act::Send(response(
            status,
            &[("content-type", content_type)],
            &body,
        ))]
    })
}

/// Checks what every call showed against an [`echo_server`] in `style` (`(name, texts)`, the
/// texts as [`shown`] gives them) and the log `lines` of the run: each call failed; those
/// `redacted` names still show the answer, with `<redacted>` in place of the secrets; and no
/// spelling of a secret stands in a shown text or a log line.
pub fn assert_echoes_scrubbed<N: AsRef<str>>(
    style: Echo,
    results: impl IntoIterator<Item = (N, Vec<String>)>,
    lines: &[Line],
    secrets: &[(&str, &str)],
    redacted: impl Fn(&str) -> bool,
) {
    let mut shown_texts = Vec::new();
    for (name, texts) in results {
        let name = name.as_ref();
        assert_eq!(
            texts.first().map(String::as_str),
            Some("error"),
            "{style:?} / {name}: {texts:?}"
        );
        if redacted(name) {
            assert!(
                texts.iter().any(|t| t.contains("<redacted>")),
                "{style:?} / {name}: {texts:?}"
            );
        }
        shown_texts.extend(texts);
    }
    assert_eq!(
        spelled_hits(secrets, texts(lines).iter().map(String::as_str)),
        Vec::<String>::new(),
        "{style:?}"
    );
    assert_eq!(
        spelled_hits(secrets, shown_texts.iter().map(String::as_str)),
        Vec::<String>::new(),
        "{style:?}"
    );
}

/// The 400 answer of an echoing server: status, content type and body.
pub fn echo(
    style: Echo,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> (u16, &'static str, Vec<u8>) {
    let mut header_lines: Vec<String> = headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
    // Credential-looking names (x-..., authorization) first.
    header_lines.sort_by(|a, b| b.cmp(a));
    let head = format!(
        "{method} {target} HTTP/1.1\r\n{}",
        header_lines.join("\r\n")
    );
    let raw = format!("{head}\r\n\r\n{}", String::from_utf8_lossy(body));
    let mut fields = fields(target, body);
    fields.reverse();
    match style {
        Echo::Json | Echo::JsonAscii => {
            let errors: serde_json::Map<String, serde_json::Value> = fields
                .into_iter()
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect();
            // The clients keep the start of `message`: the body comes first.
            let message = format!("{}\r\n{head}", String::from_utf8_lossy(body));
            let value = serde_json::json!({
                "message": message,
                "code": 400,
                "success": false,
                "errors": errors,
            });
            let mut text = value.to_string();
            if style == Echo::JsonAscii {
                text = ascii_json(&text);
            }
            (400, "application/json", text.into_bytes())
        }
        Echo::Html => {
            let inputs: String = fields
                .iter()
                .map(|(k, v)| {
                    format!(
                        "<input name=\"{}\" value=\"{}\">",
                        html_escape(k),
                        html_escape(v)
                    )
                })
                .collect();
            let page = format!(
                "<html><form>{inputs}</form><pre>{}</pre></html>",
                html_escape(&raw)
            );
            (400, "text/html", page.into_bytes())
        }
        Echo::Body => {
            let mut text = body.to_vec();
            text.extend_from_slice(b"\n");
            text.extend_from_slice(raw.as_bytes());
            (400, "text/plain", text)
        }
        Echo::Query => {
            let query = target.split_once('?').map_or("", |(_, q)| q);
            let text = format!("{query}\n{}\n{raw}", form_decode(query));
            (400, "text/plain", text.into_bytes())
        }
        Echo::Headers => (400, "text/plain", raw.into_bytes()),
    }
}

/// Every spelling of `secret` a server may use to quote it: raw, JSON-escaped (with `\/`, and
/// with every non-ASCII character as `\uXXXX`), percent-encoded (form style with `+`, every
/// byte but letters and digits, either case of hex) and HTML-escaped.
pub fn spellings(secret: &str) -> Vec<String> {
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json.trim_matches('"').to_owned();
    let mut percent = String::new();
    for b in secret.bytes() {
        if b.is_ascii_alphanumeric() {
            percent.push(char::from(b));
        } else {
            percent.push_str(&format!("%{b:02X}"));
        }
    }
    let mut out = vec![
        secret.to_owned(),
        json.clone(),
        json.replace('/', "\\/"),
        ascii_json(&json),
        percent.clone(),
        percent.to_lowercase(),
        percent.replace("%20", "+"),
        html_escape(secret),
    ];
    out.sort();
    out.dedup();
    out
}

/// As [`hits`], for every spelling of each secret; a secret shorter than 6 characters counts
/// only where it stands alone (not inside a longer word or number), as the transport scrubs it.
pub fn spelled_hits<'a>(
    secrets: &[(&str, &str)],
    texts: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let mut found = Vec::new();
    let texts: Vec<&str> = texts.into_iter().collect();
    for (name, secret) in secrets {
        let short = secret.chars().count() < 6;
        for spelling in spellings(secret) {
            for text in &texts {
                let hit = text.match_indices(&spelling).any(|(at, m)| {
                    !short || {
                        let before = text[..at].chars().next_back();
                        let after = text[at + m.len()..].chars().next();
                        !before.is_some_and(|c| c.is_ascii_alphanumeric())
                            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
                    }
                });
                if hit {
                    let excerpt: String = text.chars().take(300).collect();
                    found.push(format!("{name} as {spelling:?} in: {excerpt}"));
                }
            }
        }
    }
    found
}
