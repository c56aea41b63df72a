//! Keeping ureq's raw dumps out of an application's logs.
//!
//! At `trace`, ureq-proto (target `ureq_proto`) writes every request it sends as rows of hex
//! and ASCII: the headers (API keys, access tokens) and the body (passwords, codes) included.
//! Neither ureq nor ureq-proto has a setting or a cargo feature that turns this off; the only
//! switch is the `log` crate's `max_level_*` features, which would silence every crate of the
//! program. So the defence is in the logger: [`CappedLogger`] wraps any `log::Log` and drops
//! the records of the `ureq` and `ureq_proto` targets that are more detailed than `debug`, and
//! those of `tungstenite` (the websocket client of live events, which prints the handshake with
//! its access token at `trace` and the websocket URL with its subscriber id at `debug`) that
//! are more detailed than `info`, whatever the inner logger's own filter (`RUST_LOG`) says.
//! (ureq prints a request's path and query only when its own `trace` is enabled, so with the
//! cap its `debug` lines show `/******` in their place.) The binaries of this workspace
//! install their logger through [`install_capped_logger`]; an application that installs its
//! own logger should do the same, or cap those targets itself ([`UREQ_LOG_CAPS`]).

use log::{Level, LevelFilter, Log, Metadata, Record, SetLoggerError};

/// The log targets of the HTTP and websocket libraries and the most detailed level at which
/// they may be shown: above it they print raw requests, credentials included.
pub const UREQ_LOG_CAPS: [(&str, LevelFilter); 3] = [
    ("ureq", LevelFilter::Debug),
    ("ureq_proto", LevelFilter::Debug),
    ("tungstenite", LevelFilter::Info),
];

/// Whether a record of `target` at `level` goes beyond [`UREQ_LOG_CAPS`]: the target is one
/// of the capped ones or a module below it (`ureq_proto::util`), and the level is more
/// detailed than the cap.
pub fn exceeds_ureq_cap(target: &str, level: Level) -> bool {
    UREQ_LOG_CAPS.iter().any(|(capped, cap)| {
        let within = target
            .strip_prefix(capped)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"));
        within && level > *cap
    })
}

/// A logger that passes records to `L` except those beyond [`UREQ_LOG_CAPS`].
///
/// ```
/// use api_transport::CappedLogger;
/// use log::{Level, Log, Metadata, Record};
///
/// struct Everything;
/// impl Log for Everything {
///     fn enabled(&self, _: &Metadata<'_>) -> bool { true }
///     fn log(&self, _: &Record<'_>) {}
///     fn flush(&self) {}
/// }
///
/// let logger = CappedLogger::new(Everything);
/// let at = |target, level| Metadata::builder().target(target).level(level).build();
/// assert!(logger.enabled(&at("ureq", Level::Debug)));
/// assert!(!logger.enabled(&at("ureq_proto::util", Level::Trace)));
/// assert!(logger.enabled(&at("api_transport", Level::Trace)));
/// ```
#[derive(Debug)]
pub struct CappedLogger<L> {
    inner: L,
}

impl<L: Log> CappedLogger<L> {
    /// Wraps `inner`.
    pub fn new(inner: L) -> Self {
        CappedLogger { inner }
    }
}

impl<L: Log> Log for CappedLogger<L> {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        !exceeds_ureq_cap(metadata.target(), metadata.level()) && self.inner.enabled(metadata)
    }

    fn log(&self, record: &Record<'_>) {
        if !exceeds_ureq_cap(record.target(), record.level()) {
            self.inner.log(record);
        }
    }

    fn flush(&self) {
        self.inner.flush();
    }
}

/// Installs `logger`, wrapped in a [`CappedLogger`], as the process's logger, with `max` as
/// the most detailed level any record may have (the inner logger's own filter, for
/// env_logger `Logger::filter()`).
///
/// ```
/// # struct Stderr;
/// # impl log::Log for Stderr {
/// #     fn enabled(&self, _: &log::Metadata<'_>) -> bool { true }
/// #     fn log(&self, r: &log::Record<'_>) { eprintln!("{}", r.args()) }
/// #     fn flush(&self) {}
/// # }
/// api_transport::install_capped_logger(Stderr, log::LevelFilter::Trace)
///     .expect("no logger installed yet");
/// assert!(!log::log_enabled!(target: "ureq_proto", log::Level::Trace));
/// ```
///
/// # Errors
///
/// [`SetLoggerError`] when a logger is already installed (the new one is then dropped).
pub fn install_capped_logger(
    logger: impl Log + 'static,
    max: LevelFilter,
) -> Result<(), SetLoggerError> {
    log::set_logger(Box::leak(Box::new(CappedLogger::new(logger))))?;
    log::set_max_level(max);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_capped_targets_beyond_their_cap_are_dropped() {
        for (target, level, dropped) in [
            ("ureq", Level::Trace, true),
            ("ureq::unversioned::transport", Level::Trace, true),
            ("ureq_proto", Level::Trace, true),
            ("ureq_proto::util", Level::Trace, true),
            ("ureq", Level::Debug, false),
            ("ureq_proto::client", Level::Info, false),
            ("ureqx", Level::Trace, false),
            ("tungstenite::handshake::client", Level::Trace, true),
            ("tungstenite::client", Level::Debug, true),
            ("tungstenite::protocol", Level::Info, false),
            ("api_transport", Level::Trace, false),
            ("august_cli", Level::Trace, false),
        ] {
            assert_eq!(exceeds_ureq_cap(target, level), dropped, "{target} {level}");
        }
    }
}
