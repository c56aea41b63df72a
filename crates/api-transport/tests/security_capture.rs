//! A `log` logger that records every line of every target, for the secret audits of the
//! workspace (included with `#[path]` by each crate's `security_audit.rs`).
//!
//! ureq logs under the `ureq` and `ureq_proto` targets; at `trace` it prints full request
//! paths and dumps raw request bytes, headers included (see `docs/transport.md`). The audits
//! therefore run twice: once with every target at `trace` (the crates' own lines must be
//! clean; ureq's are counted, as evidence of why the documentation says to cap them), and once
//! as the documentation recommends, everything at `trace` but `ureq*` capped at `debug`, where
//! every line must be clean.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use log::{Level, LevelFilter, Log, Metadata, Record};

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
