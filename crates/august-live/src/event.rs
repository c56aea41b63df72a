//! What a stream yields.

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
#[derive(Debug, Clone, Serialize)]
pub struct RawMessage {
    /// Where it came from.
    pub source: Source,
    /// The device it was routed to, if any.
    pub device_id: Option<String>,
    /// When the stream received it.
    pub received_at: DateTime<Utc>,
    /// The payload.
    pub payload: Value,
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
    /// No push for this stream (the brand has none, or it was turned off): the feed is polled.
    Unavailable {
        /// Why.
        reason: String,
    },
}

/// Something about the stream itself.
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
    /// The stream works without push, polling the feed.
    PollingOnly {
        /// Why.
        reason: String,
        /// How often the feed is read.
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
    /// The feed was read after a reconnection with a gap.
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
