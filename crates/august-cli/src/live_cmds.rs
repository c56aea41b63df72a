//! Live events and capabilities: `august watch`, `august capabilities`.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use august_live::{ActivityStream, Event, StaticToken, StreamStatus};

use crate::cli::WatchArgs;
use crate::failure;
use crate::output::{self, key_values, or_none};
use crate::session::{Context, note, warn};

/// How often the sandbox's demo generator produces an event under `--sandbox`.
const SANDBOX_DEMO_INTERVAL: Duration = Duration::from_millis(500);

/// `august watch [--house ID] [--count N]`: prints activities as they arrive (NDJSON with
/// `--json`), stream news on standard error; Ctrl-C stops, and a Ctrl-C while the stream
/// closes (after a first Ctrl-C, or once watch has ended by itself) exits at once
/// ([`failure::INTERRUPTED`]).
pub fn watch(ctx: &Context, args: &WatchArgs) -> anyhow::Result<()> {
    let token = ctx.token()?;
    let mut builder = ActivityStream::builder(ctx.api.clone(), StaticToken::new(token));
    if let Some(house) = &args.house {
        builder = builder.house(house.clone());
    }
    if let Some(sandbox) = ctx.sandbox() {
        // The sandbox has no one at the door: its demo generator makes something happen.
        sandbox
            .start_demo_events(SANDBOX_DEMO_INTERVAL)
            .map_err(|e| anyhow::anyhow!("cannot start the sandbox's demo events: {e}"))?;
        note(&format!(
            "sandbox: a demo event (unlock, door, lock, ring, motion) every {} ms",
            SANDBOX_DEMO_INTERVAL.as_millis()
        ));
    }
    let (pubnub_origin, websocket_url) = ctx.push_hosts();
    if let Some(origin) = pubnub_origin {
        builder = builder.pubnub_origin(origin);
    }
    if let Some(url) = websocket_url {
        builder = builder.websocket_url(url);
    }
    let mut stream = builder.start().context("cannot start the stream")?;
    let on_interrupt = stream.stop_handle();
    // This run's exit code once the stream is closed; negative until then.
    let closed = Arc::new(AtomicI32::new(-1));
    // Ctrl-C ends the loop below; a handler can only be set once, which is all we need. The
    // ctrlc crate runs it on one thread for every signal: it must never block (nor write to
    // standard error, which a terminal paused with Ctrl-S holds), or a later Ctrl-C would not
    // be handled.
    let _ = ctrlc::set_handler({
        let closed = Arc::clone(&closed);
        move || {
            let closed = u8::try_from(closed.load(Ordering::SeqCst)).ok();
            match on_ctrl_c(on_interrupt.is_stopped(), closed) {
                Some(code) => std::process::exit(i32::from(code)),
                // `stop` returns at once and writes nothing.
                None => on_interrupt.stop(),
            }
        }
    });

    let printing = print_events(&mut stream, ctx.json, args.count);
    // Stopped and waited for, however printing ended: a PubNub stream's leave (at most 2 s)
    // and a websocket's subscriber deletion are sent by its push thread, which the end of the
    // process would cut short.
    stream.close();
    let code = printing
        .as_ref()
        .map_or_else(failure::exit_code, |()| failure::OK);
    closed.store(i32::from(code), Ordering::SeqCst);
    printing
}

/// What a Ctrl-C does to `august watch`, given whether its stream is `stopped` and, once it is
/// closed, the run's exit code: `None` stops the stream (the loop ends, the stream is closed,
/// the run ends with its code); `Some(code)` ends the process at once with `code`. While the
/// stream closes (stopped by a first Ctrl-C, or as watch ended by itself), that is
/// [`failure::INTERRUPTED`]; once it is closed, the run's own code, which a Ctrl-C as the error
/// line is written (a write that may wait) does not change.
fn on_ctrl_c(stopped: bool, closed: Option<u8>) -> Option<u8> {
    match closed {
        Some(code) => Some(code),
        None if stopped => Some(failure::INTERRUPTED),
        None => None,
    }
}

/// Prints the stream's events until it ends, `count` of them are printed or standard output
/// is closed.
fn print_events(stream: &mut ActivityStream, json: bool, count: Option<u64>) -> anyhow::Result<()> {
    let mut printed: u64 = 0;
    let stdout = std::io::stdout();
    for event in stream.by_ref() {
        let event = event?;
        let line = match &event {
            Event::Status(status) => {
                let text = status_text(status);
                // good news is no warning
                if matches!(
                    status,
                    StreamStatus::PushConnected { .. } | StreamStatus::CaughtUp { .. }
                ) {
                    note(&text);
                } else {
                    warn(&text);
                }
                continue;
            }
            Event::Activity(_) if json => serde_json::to_string(&event)?,
            Event::Raw(_) if json => serde_json::to_string(&event)?,
            Event::Activity(a) => {
                let activity = a.activity();
                output::single_line(&format!(
                    "{}  {}  {}  {}  ({})",
                    activity.start_time().map_or_else(
                        || "-".to_owned(),
                        |t| t.format("%Y-%m-%d %H:%M:%S%.3f UTC").to_string()
                    ),
                    or_none(activity.device_name()),
                    or_none(activity.action()),
                    or_none(activity.operated_by()),
                    a.source().as_str(),
                ))
            }
            Event::Raw(raw) => output::single_line(&format!(
                "raw message ({}): {}",
                raw.source.as_str(),
                raw.shown_payload()
            )),
            _ => continue,
        };
        let mut out = stdout.lock();
        if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
            // The reader went away (a closed pipe): stop quietly.
            break;
        }
        printed += 1;
        if count.is_some_and(|n| printed >= n) {
            break;
        }
    }
    Ok(())
}

fn status_text(status: &StreamStatus) -> String {
    match status {
        StreamStatus::PushConnected { transport } => {
            format!("push connected ({})", transport.as_str())
        }
        StreamStatus::PushDisconnected { reason, retry_in } => format!(
            "push disconnected ({reason}); retrying in {} ms",
            retry_in.as_millis()
        ),
        StreamStatus::PollingOnly { reason, interval } => format!(
            "no push ({reason}): reading the activity feed every {} s",
            interval.as_secs()
        ),
        StreamStatus::PushFailed { reason, interval } => format!(
            "push failed ({reason}), a bug to report: reading the activity feed every {} s; \
             a new `august watch` has push again",
            interval.as_secs()
        ),
        StreamStatus::PollFailed { house_id, reason } => {
            format!("reading the activity feed of {house_id} failed: {reason}")
        }
        StreamStatus::CaughtUp {
            house_id,
            new_activities,
        } => format!("caught up on {house_id}: {new_activities} new"),
        other => format!("{other:?}"),
    }
}

/// `august capabilities LOCK_ID`.
pub fn capabilities(ctx: &Context, lock_id: &str) -> anyhow::Result<()> {
    let token = ctx.token()?;
    let caps = ctx.api.get_lock_capabilities(&token, lock_id)?;
    if ctx.json {
        return output::print_json(&output::to_json(&caps)?);
    }
    let Some(caps) = caps else {
        return output::print(
            "no capabilities known for this device: an older device, or an id the server does not know\n",
        );
    };
    let Some(lock) = caps.lock() else {
        return output::print("the answer has no lock capabilities\n");
    };
    let flag = |v: Option<bool>| {
        v.map_or_else(
            || "-".to_owned(),
            |b| if b { "yes" } else { "no" }.to_owned(),
        )
    };
    output::print(&key_values(&[
        ("unlatch (open the door)", flag(lock.unlatch)),
        ("door sensor", flag(lock.door_sense)),
        ("bluetooth", flag(lock.bluetooth)),
        ("integrated keypad", flag(lock.integrated_keypad)),
        ("integrated wifi", flag(lock.has_integrated_wifi)),
        ("battery type", or_none(lock.battery_type.as_deref())),
        (
            "pin slots",
            match (lock.pin_slot_min, lock.pin_slot_max) {
                (Some(a), Some(b)) => format!("{a}-{b}"),
                _ => "-".to_owned(),
            },
        ),
        ("rfid", flag(lock.supports_rfid)),
        ("fingerprint", flag(lock.supports_fingerprint_credential)),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first Ctrl-C stops the stream; one while it closes (after a first Ctrl-C, or once
    /// watch ended by itself) exits with 130; one once it is closed exits with the run's own
    /// code, which it replaced with 130 (an error's 1 as its line was written, say).
    #[test]
    fn a_ctrl_c_once_the_stream_is_closed_keeps_the_exit_code() {
        assert_eq!(on_ctrl_c(false, None), None);
        assert_eq!(on_ctrl_c(true, None), Some(failure::INTERRUPTED));
        assert_eq!(
            on_ctrl_c(true, Some(failure::FAILURE)),
            Some(failure::FAILURE)
        );
        assert_eq!(on_ctrl_c(true, Some(failure::OK)), Some(failure::OK));
    }

    #[test]
    fn watch_says_push_failed_apart_from_no_push() {
        let failed = StreamStatus::PushFailed {
            reason: "the push thread panicked: boom".to_owned(),
            interval: Duration::from_secs(60),
        };
        assert_eq!(
            status_text(&failed),
            "push failed (the push thread panicked: boom), a bug to report: reading the \
             activity feed every 60 s; a new `august watch` has push again"
        );
        let none = StreamStatus::PollingOnly {
            reason: "this brand has no push".to_owned(),
            interval: Duration::from_secs(60),
        };
        assert_eq!(
            status_text(&none),
            "no push (this brand has no push): reading the activity feed every 60 s"
        );
    }
}
