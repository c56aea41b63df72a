//! What a stream yields.

use std::fmt;
use std::time::Duration;

use august_core::{Activity, User};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::message::Source;

/// An activity with where it came from.
///
/// Serialises as the activity's fields plus `source`, `received_at` and, when known,
/// `yale_user` (the operator from the lock's users).
#[derive(Debug, Clone, Serialize)]
pub struct LiveActivity {
    #[serde(flatten)]
    activity: Activity,
    source: Source,
    received_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    yale_user: Option<User>,
}

impl LiveActivity {
    pub(crate) fn new(
        activity: Activity,
        source: Source,
        received_at: DateTime<Utc>,
        yale_user: Option<User>,
    ) -> Self {
        LiveActivity {
            activity,
            source,
            received_at,
            yale_user,
        }
    }

    /// The activity.
    pub fn activity(&self) -> &Activity {
        &self.activity
    }

    /// Takes the activity.
    pub fn into_activity(self) -> Activity {
        self.activity
    }

    /// Whether it was pushed or polled.
    pub fn source(&self) -> Source {
        self.source
    }

    /// Whether it was pushed (PubNub or websocket), not read from the feed.
    pub fn was_pushed(&self) -> bool {
        self.source.is_push()
    }

    /// When the stream received it.
    pub fn received_at(&self) -> DateTime<Utc> {
        self.received_at
    }

    /// The calling user object as sent (`callingUser`, else v4 `user`), if it is a non-empty
    /// object.
    pub fn calling_user(&self) -> Option<&Value> {
        self.activity.calling_user()
    }

    /// The operator as listed in the lock's users (`users` of the lock details read when the
    /// stream started), if the activity names a user found there.
    pub fn yale_user(&self) -> Option<&User> {
        self.yale_user.as_ref()
    }

    /// Whether the activity only reports a status (the rules of the status-update flag:
    /// `action` `status`; not for a manual operation; else when `info` is empty and the
    /// source is not the websocket).
    pub fn is_status(&self) -> bool {
        let raw = self.activity.raw();
        if self.activity.action() == Some("status") {
            return true;
        }
        if self
            .activity
            .user_id()
            .is_some_and(|id| id.starts_with("manual"))
            || self.activity.operated_manual()
        {
            return false;
        }
        let info_empty = raw
            .get("info")
            .and_then(Value::as_object)
            .is_none_or(serde_json::Map::is_empty);
        info_empty && self.source != Source::Websocket
    }
}

/// A push message that gave no activity (an unknown kind of message, or one about a device the
/// stream does not know), passed on as sent.
///
/// `payload` holds the message as sent. What shows it ([`Debug`], [`Serialize`] and
/// [`shown_payload`](RawMessage::shown_payload)) replaces the value of every key named like a
/// token (`contentToken`, the token of a doorbell's images, or any other key whose name ends
/// in `token` or `tokens` in any case) with `"<redacted>"`, as [`Activity`] leaves out its
/// content token.
#[derive(Clone, Serialize)]
pub struct RawMessage {
    /// Where it came from.
    pub source: Source,
    /// The device it was routed to, if any.
    pub device_id: Option<String>,
    /// When the stream received it.
    pub received_at: DateTime<Utc>,
    /// The payload, as sent.
    #[serde(serialize_with = "serialize_shown")]
    pub payload: Value,
}

impl RawMessage {
    /// The payload with the value of every key named like a token replaced by `"<redacted>"`:
    /// what to print or log.
    ///
    /// ```
    /// use august_live::RawMessage;
    /// # use august_live::Source;
    /// let raw = RawMessage {
    ///     source: Source::Pubnub,
    ///     device_id: None,
    ///     received_at: chrono::Utc::now(),
    ///     payload: serde_json::json!({"doorbell": {"contentToken": "abc"}, "status": "x"}),
    /// };
    /// assert_eq!(
    ///     raw.shown_payload(),
    ///     serde_json::json!({"doorbell": {"contentToken": "<redacted>"}, "status": "x"})
    /// );
    /// ```
    pub fn shown_payload(&self) -> Value {
        shown(&self.payload)
    }
}

/// `payload` as it is shown: a copy, redacted ([`redact_tokens`]).
fn shown(payload: &Value) -> Value {
    let mut shown = payload.clone();
    redact_tokens(&mut shown);
    shown
}

/// Replaces the value of every key whose name ends in `token` or `tokens` (any case), at any
/// depth, with `"<redacted>"`; a `null` stays `null`.
fn redact_tokens(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                let key = key.as_bytes();
                let ends_with = |end: &[u8]| {
                    key.len() >= end.len() && key[key.len() - end.len()..].eq_ignore_ascii_case(end)
                };
                if ends_with(b"token") || ends_with(b"tokens") {
                    if !value.is_null() {
                        *value = Value::from("<redacted>");
                    }
                } else {
                    redact_tokens(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_tokens),
        _ => {}
    }
}

impl fmt::Debug for RawMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawMessage")
            .field("source", &self.source)
            .field("device_id", &self.device_id)
            .field("received_at", &self.received_at)
            .field("payload", &self.shown_payload())
            .finish()
    }
}

/// Serialises a payload as [`RawMessage::shown_payload`] shows it.
fn serialize_shown<S: serde::Serializer>(
    payload: &Value,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    shown(payload).serialize(serializer)
}

/// How push is doing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "push", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PushState {
    /// Connected: activities arrive as they happen.
    Connected,
    /// The connection failed; the stream is reconnecting and will catch up from the feed.
    Reconnecting {
        /// What failed.
        reason: String,
    },
    /// No push for this stream (the brand has none, no device has a push channel, or it was
    /// turned off with [`polling_only`](crate::StreamBuilder::polling_only)): the feed is
    /// polled.
    Unavailable {
        /// Why.
        reason: String,
    },
    /// Push ended on an internal failure (a panic on its thread: a bug, in the stream or in a
    /// dependency) and does not come back in this stream: the feed is polled. Report the
    /// reason as a bug; a new stream has push again.
    Failed {
        /// What failed, such as `the push thread panicked: ...` (the panic's message, up to
        /// its first line break or URL, 120 characters at most).
        reason: String,
    },
}

/// Something about the stream itself.
///
/// ```
/// use august_live::StreamStatus;
///
/// fn on_status(status: &StreamStatus) {
///     match status {
///         StreamStatus::PushFailed { reason, interval } => {
///             // A bug: activities still arrive, from the feed; a new stream has push again.
///             log::error!("push failed ({reason}), polling every {interval:?}: please report");
///         }
///         StreamStatus::PollingOnly { reason, .. } => log::info!("no push: {reason}"),
///         other => log::debug!("{other:?}"),
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum StreamStatus {
    /// Push connected (at start, or again after a failure).
    PushConnected {
        /// `pubnub` or `websocket`.
        transport: Source,
    },
    /// Push lost its connection; the stream retries after `retry_in`.
    PushDisconnected {
        /// What failed.
        reason: String,
        /// When the next attempt is made.
        #[serde(with = "millis")]
        retry_in: Duration,
    },
    /// The stream works without push, polling the feed: said first, when the stream starts
    /// without push (the brand has none, no device has a push channel, or
    /// [`polling_only`](crate::StreamBuilder::polling_only)).
    PollingOnly {
        /// Why, such as `brand yale_home has no known push service`.
        reason: String,
        /// How often the feed is read.
        #[serde(with = "millis")]
        interval: Duration,
    },
    /// Push ended on an internal failure (a panic on its thread: a bug, in the stream or in a
    /// dependency) and does not come back in this stream. Activities still arrive: the feed
    /// is read at once (what push may have missed, then a [`CaughtUp`](Self::CaughtUp)) and
    /// every `interval` after that. Report the reason as a bug; start a new stream to have
    /// push again.
    PushFailed {
        /// What failed, such as `the push thread panicked: ...` (the panic's message, up to
        /// its first line break or URL, 120 characters at most).
        reason: String,
        /// How often the feed is read from now on.
        #[serde(with = "millis")]
        interval: Duration,
    },
    /// A feed read failed; the next one will try again.
    PollFailed {
        /// The house.
        house_id: String,
        /// What failed.
        reason: String,
    },
    /// The feed was read after a reconnection with a gap, or after push failed.
    CaughtUp {
        /// The house.
        house_id: String,
        /// How many new activities it gave.
        new_activities: usize,
    },
}

mod millis {
    use std::time::Duration;

    pub(super) fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }
}

/// One item of a stream.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// A new activity (boxed: it is much larger than the other variants).
    Activity(Box<LiveActivity>),
    /// A push message that gave no activity.
    Raw(RawMessage),
    /// News about the stream.
    Status(StreamStatus),
}

impl Event {
    /// The activity, if this is one.
    pub fn activity(&self) -> Option<&LiveActivity> {
        match self {
            Event::Activity(a) => Some(a.as_ref()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raw_message_shows_no_token_in_debug_or_serialize() {
        let payload = serde_json::json!({
            "status": "doorbell_battery",
            "doorbell": {"contentToken": "ct-SECRET-1", "battery": 80},
            "images": [{"AccessToken": "at-SECRET-2", "url": "https://x/y"}],
            "refresh_token": null,
            "push_tokens": ["pt-SECRET-3"],
            "tokenless": {"a": "kept"},
        });
        let raw = RawMessage {
            source: Source::Pubnub,
            device_id: Some("D1".to_owned()),
            received_at: DateTime::<Utc>::UNIX_EPOCH,
            payload: payload.clone(),
        };
        let debug = format!("{raw:?}");
        let json = serde_json::to_value(&raw).unwrap();
        for shown in [&debug, &json.to_string()] {
            assert!(!shown.contains("SECRET"), "{shown}");
        }
        assert_eq!(
            json,
            serde_json::json!({
                "source": "pubnub",
                "device_id": "D1",
                "received_at": "1970-01-01T00:00:00Z",
                "payload": {
                    "status": "doorbell_battery",
                    "doorbell": {"contentToken": "<redacted>", "battery": 80},
                    "images": [{"AccessToken": "<redacted>", "url": "https://x/y"}],
                    "refresh_token": null,
                    "push_tokens": "<redacted>",
                    "tokenless": {"a": "kept"},
                },
            })
        );
        assert!(debug.contains("doorbell_battery"), "{debug}");
        // The field itself is the message as sent.
        assert_eq!(raw.payload, payload);
    }

    #[test]
    fn push_failed_serialises_apart_from_a_stream_without_push() {
        let failed = StreamStatus::PushFailed {
            reason: "the push thread panicked: boom".to_owned(),
            interval: Duration::from_secs(60),
        };
        assert_eq!(
            serde_json::to_value(&failed).unwrap(),
            serde_json::json!({
                "status": "push_failed",
                "reason": "the push thread panicked: boom",
                "interval": 60000,
            })
        );
        let state = PushState::Failed {
            reason: "the push thread panicked: boom".to_owned(),
        };
        assert_eq!(
            serde_json::to_value(&state).unwrap(),
            serde_json::json!({"push": "failed", "reason": "the push thread panicked: boom"})
        );
    }
}
