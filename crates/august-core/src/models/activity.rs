//! Activities: the events of a house's activity feed, and merging them into device details.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::{Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::activity_wire::{Entry, Leaf, Node, Skip, User};

use super::bridge::BridgeState;
use super::de::{Redacted, wire_string_impls};
use super::lock::{LockDoorStatus, LockStatus};
use super::raw::{RawJson, WithRaw};

/// Lock operation actions.
const LOCK_ACTIONS: &[&str] = &[
    "lock",
    "unlock",
    "onetouchlock",
    "one_touch_lock",
    "auto_lock",
    "locking",
    "unlocking",
    "unlatch",
    "unlatching",
    "jammed",
    "rf_lock",
    "rf_secure",
    "rf_unlock",
    "rf_unlatch",
    "ble_lock",
    "ble_unlock",
    "ble_unlatch",
    "remote_lock",
    "remote_unlock",
    "remote_unlatch",
    "pin_lock",
    "pin_unlock",
    "pin_unlatch",
    "manual_lock",
    "manual_unlock",
    "manual_unlatch",
    "homekey_lock",
    "homekey_unlock",
    "homekey_unlatch",
    "linked_lock",
    "linked_unlock",
    "finger_lock",
    "finger_unlock",
];

/// Actions that lock.
const LOCKED_ACTIONS: &[&str] = &[
    "lock",
    "onetouchlock",
    "one_touch_lock",
    "auto_lock",
    "rf_lock",
    "rf_secure",
    "ble_lock",
    "remote_lock",
    "pin_lock",
    "manual_lock",
    "homekey_lock",
    "linked_lock",
    "finger_lock",
];

/// Actions that unlock.
const UNLOCKED_ACTIONS: &[&str] = &[
    "unlock",
    "rf_unlock",
    "ble_unlock",
    "remote_unlock",
    "pin_unlock",
    "manual_unlock",
    "homekey_unlock",
    "linked_unlock",
    "finger_unlock",
];

/// Actions that unlatch.
const UNLATCHED_ACTIONS: &[&str] = &[
    "unlatch",
    "rf_unlatch",
    "ble_unlatch",
    "remote_unlatch",
    "pin_unlatch",
    "manual_unlatch",
    "homekey_unlatch",
];

/// Lock actions that imply the keypad was used, when `info.keypad` is absent.
const KEYPAD_ACTIONS: &[&str] = &[
    "onetouchlock",
    "one_touch_lock",
    "pin_lock",
    "pin_unlatch",
    "pin_unlock",
    "finger_lock",
    "finger_unlock",
];

/// Lock actions that imply a remote operation, when `info.remote` is absent.
const REMOTE_ACTIONS: &[&str] = &["remote_lock", "remote_unlatch", "remote_unlock"];

/// Lock actions that imply a tag (RF or HomeKey), when `info.tag` is absent.
const TAG_ACTIONS: &[&str] = &[
    "rf_secure",
    "rf_lock",
    "rf_unlatch",
    "rf_unlock",
    "homekey_lock",
    "homekey_unlatch",
    "homekey_unlock",
];

/// Lock actions that imply the thumb turn, when `info.manual` is absent.
const MANUAL_ACTIONS: &[&str] = &["manual_lock", "manual_unlatch", "manual_unlock"];

/// `UserID` of the calling user of an auto-relock.
const AUTO_RELOCK_USER: &str = "automaticrelock";

/// Operator names for lock actions that name nobody.
fn default_operator(action: &str) -> Option<(&'static str, &'static str)> {
    Some(match action {
        "rf_secure" => ("Radio Frequency", "Secure"),
        "rf_lock" => ("Radio Frequency", "Lock"),
        "rf_unlatch" => ("Radio Frequency", "Unlatch"),
        "rf_unlock" => ("Radio Frequency", "Unlock"),
        "homekey_lock" => ("Homekey", "Lock"),
        "homekey_unlatch" => ("Homekey", "Unlatch"),
        "homekey_unlock" => ("Homekey", "Unlock"),
        "linked_lock" => ("Linked", "Lock"),
        "linked_unlock" => ("Linked", "Unlock"),
        "auto_lock" => ("Auto", "Lock"),
        "onetouchlock" | "one_touch_lock" => ("One-Touch", "Lock"),
        "ble_lock" => ("Bluetooth", "Lock"),
        "ble_unlatch" => ("Bluetooth", "Unlatch"),
        "ble_unlock" => ("Bluetooth", "Unlock"),
        "manual_lock" => ("Manual", "Lock"),
        "manual_unlatch" => ("Manual", "Unlatch"),
        "manual_unlock" => ("Manual", "Unlock"),
        "finger_lock" => ("Fingerprint", "Lock"),
        "finger_unlock" => ("Fingerprint", "Unlock"),
        "pin_lock" => ("Pin", "Lock"),
        "pin_unlatch" => ("Pin", "Unlatch"),
        "pin_unlock" => ("Pin", "Unlock"),
        _ => return None,
    })
}

/// What an activity is about, derived from its `action`.
///
/// ```
/// use august_core::ActivityType;
///
/// assert_eq!(ActivityType::from_action("remote_unlock"), ActivityType::LockOperation);
/// assert_eq!(ActivityType::from_action("dooropen"), ActivityType::DoorOperation);
/// assert_eq!(ActivityType::from_action("doorbell_call_missed"), ActivityType::DoorbellDing);
/// assert_eq!(ActivityType::from_action("something_new"), ActivityType::Unknown);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ActivityType {
    /// The lock was operated (`lock`, `unlock`, `onetouchlock`, `remote_unlock`,
    /// `manual_lock`, `auto_lock`, `jammed`, …).
    LockOperation,
    /// The door was opened or closed (`dooropen`, `doorclosed`, `door_open`, `door_close`).
    DoorOperation,
    /// Someone rang (`doorbell_call_missed`, `doorbell_call_hangup`, `buttonpush`,
    /// `lock_accessory_motion_detect`).
    DoorbellDing,
    /// The doorbell saw motion (`doorbell_motion_detected`).
    DoorbellMotion,
    /// Someone answered or watched the doorbell's video (`doorbell_call_initiated`).
    DoorbellView,
    /// The doorbell took a snapshot (`imagecapture`).
    DoorbellImageCapture,
    /// A bridge went online or offline (`associated_bridge_online`,
    /// `associated_bridge_offline`).
    BridgeOperation,
    /// An action this library does not know, or no action at all; the activity keeps the
    /// raw action in [`Activity::action`].
    Unknown,
}

impl ActivityType {
    /// The kind of an action string (exact, case-sensitive match).
    pub fn from_action(action: &str) -> Self {
        match action {
            "doorbell_call_missed"
            | "doorbell_call_hangup"
            | "buttonpush"
            | "lock_accessory_motion_detect" => ActivityType::DoorbellDing,
            "doorbell_motion_detected" => ActivityType::DoorbellMotion,
            "doorbell_call_initiated" => ActivityType::DoorbellView,
            "imagecapture" => ActivityType::DoorbellImageCapture,
            "associated_bridge_online" | "associated_bridge_offline" => {
                ActivityType::BridgeOperation
            }
            "doorclosed" | "dooropen" | "door_open" | "door_close" => ActivityType::DoorOperation,
            action if LOCK_ACTIONS.contains(&action) => ActivityType::LockOperation,
            _ => ActivityType::Unknown,
        }
    }

    /// The kind's name: `lock_operation`, `door_operation`, `doorbell_ding`,
    /// `doorbell_motion`, `doorbell_view`, `doorbell_image_capture`, `bridge_operation` or
    /// `unknown`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ActivityType::LockOperation => "lock_operation",
            ActivityType::DoorOperation => "door_operation",
            ActivityType::DoorbellDing => "doorbell_ding",
            ActivityType::DoorbellMotion => "doorbell_motion",
            ActivityType::DoorbellView => "doorbell_view",
            ActivityType::DoorbellImageCapture => "doorbell_image_capture",
            ActivityType::BridgeOperation => "bridge_operation",
            ActivityType::Unknown => "unknown",
        }
    }
}

wire_string_impls!(ActivityType);

/// One event of a house's activity feed (`GET /houses/{house_id}/activities`), or one
/// synthesised from a remote operation ([`RemoteOperationResult::activities`]).
///
/// Both wire formats are read: the legacy one (`Accept-Version: 0.0.1`: `dateTime`,
/// `callingUser`, `entities`, `info`) and v4 (`Accept-Version: 4.0.0`: `timestamp`, `user`,
/// `icon`). Parsing never fails: an entry with an unknown or missing action, or one that is
/// not even an object, becomes an activity of kind [`ActivityType::Unknown`] that keeps the
/// raw action and the whole entry ([`raw`](Self::raw)).
///
/// Kind-specific values are `None` (or false) for other kinds. `Debug` and `Serialize` omit
/// the raw entry and never show the content token.
///
/// Reading is one pass over the entry's JSON that looks only at the keys above, so a feed
/// parses faster than into `serde_json::Value` (see `docs/performance.md`); the entry's text is
/// kept, and becomes a `Value` the first time [`raw`](Self::raw) is called. An `Activity`
/// deserializes from serde_json: text, a reader, or a `Value`.
///
/// [`RemoteOperationResult::activities`]: crate::RemoteOperationResult::activities
///
/// ```
/// # fn main() -> Result<(), serde_json::Error> {
/// use august_core::{Activity, ActivityType};
///
/// let activity: Activity = serde_json::from_str(
///     r#"{"action": "lock", "dateTime": 1582007218000, "deviceID": "L1",
///         "deviceType": "lock", "callingUser": {"FirstName": "Ann", "LastName": "Lee"},
///         "info": {"remote": true}}"#,
/// )?;
/// assert_eq!(activity.kind(), ActivityType::LockOperation);
/// assert_eq!(activity.operated_by(), Some("Ann Lee"));
/// assert!(activity.operated_remote());
///
/// let unknown: Activity = serde_json::from_str(r#"{"action": "teleport", "deviceID": "L1"}"#)?;
/// assert_eq!(unknown.kind(), ActivityType::Unknown);
/// assert_eq!(unknown.action(), Some("teleport"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, PartialEq, Serialize)]
pub struct Activity {
    kind: ActivityType,
    action: Option<String>,
    device_id: Option<String>,
    device_name: Option<String>,
    device_type: Option<String>,
    house_id: Option<String>,
    activity_id: Option<String>,
    start_time: Option<DateTime<Utc>>,
    end_time: Option<DateTime<Utc>>,
    user_id: Option<String>,
    operated_by: Option<String>,
    operated_remote: bool,
    operated_keypad: bool,
    operated_manual: bool,
    operated_tag: bool,
    operated_autorelock: bool,
    operator_image_url: Option<String>,
    operator_thumbnail_url: Option<String>,
    image_url: Option<String>,
    image_created_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    content_token: Option<String>,
    #[serde(skip)]
    raw: RawJson,
}

impl Activity {
    /// What the activity is about.
    pub fn kind(&self) -> ActivityType {
        self.kind
    }

    /// The action as sent (`action`), e.g. `lock`, `dooropen`, `remote_unlock`.
    pub fn action(&self) -> Option<&str> {
        self.action.as_deref()
    }

    /// The device the activity is about (`deviceID`).
    pub fn device_id(&self) -> Option<&str> {
        self.device_id.as_deref()
    }

    /// The device's name (`deviceName`).
    pub fn device_name(&self) -> Option<&str> {
        self.device_name.as_deref()
    }

    /// The device's type (`deviceType`): `lock` or `doorbell`.
    pub fn device_type(&self) -> Option<&str> {
        self.device_type.as_deref()
    }

    /// The house (`entities.house`; legacy format only).
    pub fn house_id(&self) -> Option<&str> {
        self.house_id.as_deref()
    }

    /// The activity's id (`entities.activity` in the legacy format, `id` in v4).
    pub fn activity_id(&self) -> Option<&str> {
        self.activity_id.as_deref()
    }

    /// When the activity started (`dateTime`, else `timestamp`, epoch milliseconds; for
    /// dings and views `info.started` when set).
    pub fn start_time(&self) -> Option<DateTime<Utc>> {
        self.start_time
    }

    /// When the activity ended: the start time, except for dings and views (`info.ended`
    /// when set).
    pub fn end_time(&self) -> Option<DateTime<Utc>> {
        self.end_time
    }

    /// The id of the user who caused the activity (`callingUser.UserID`, v4 `user.UserID`).
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }

    /// Lock operations: who operated the lock, `"<first> <last>"` from the calling user
    /// (either part alone when the other is missing); for actions that name nobody, a
    /// description such as `Manual Lock` or `Auto Lock`; otherwise `None`.
    pub fn operated_by(&self) -> Option<&str> {
        self.operated_by.as_deref()
    }

    /// Lock operations: operated remotely (`info.remote`, else a `remote_*` action).
    pub fn operated_remote(&self) -> bool {
        self.operated_remote
    }

    /// Lock operations: operated from the keypad (`info.keypad`, else a `pin_*`,
    /// `finger_*` or one-touch action).
    pub fn operated_keypad(&self) -> bool {
        self.operated_keypad
    }

    /// Lock operations: operated by hand (`info.manual`, else a `manual_*` action).
    pub fn operated_manual(&self) -> bool {
        self.operated_manual
    }

    /// Lock operations: operated with a tag, RF or HomeKey (`info.tag`, else an `rf_*` or
    /// `homekey_*` action).
    pub fn operated_tag(&self) -> bool {
        self.operated_tag
    }

    /// Lock operations: locked by auto-relock (calling user `automaticrelock`, or the
    /// `auto_lock` action).
    pub fn operated_autorelock(&self) -> bool {
        self.operated_autorelock
    }

    /// Lock operations: picture of the operator (`imageInfo.original.secure_url` of the
    /// calling user; falls back to the thumbnail).
    pub fn operator_image_url(&self) -> Option<&str> {
        self.operator_image_url.as_deref()
    }

    /// Lock operations: thumbnail of the operator (`imageInfo.thumbnail.secure_url`, v4
    /// `user.thumbnail`, else the action `icon`; falls back to the picture).
    pub fn operator_thumbnail_url(&self) -> Option<&str> {
        self.operator_thumbnail_url.as_deref()
    }

    /// Doorbell activities: the snapshot (`info.image.secure_url` for motion, the
    /// `info.image` URL for dings and views, else `attachment`).
    pub fn image_url(&self) -> Option<&str> {
        self.image_url.as_deref()
    }

    /// Doorbell motion and image captures: when the snapshot was taken
    /// (`info.image.created_at`, else the start time when there is an image; `None` without
    /// an image).
    pub fn image_created_at(&self) -> Option<DateTime<Utc>> {
        self.image_created_at
    }

    /// Doorbell motion and image captures: the doorbell's new content token
    /// (`doorbell.contentToken`), if any. A secret: never logged or serialised.
    pub fn content_token(&self) -> Option<&str> {
        self.content_token.as_deref()
    }

    /// Lock operations: the lock status the action leads to.
    pub fn lock_status(&self) -> Option<LockStatus> {
        if self.kind != ActivityType::LockOperation {
            return None;
        }
        let action = self.action.as_deref()?;
        Some(if LOCKED_ACTIONS.contains(&action) {
            LockStatus::Locked
        } else if UNLOCKED_ACTIONS.contains(&action) {
            LockStatus::Unlocked
        } else if UNLATCHED_ACTIONS.contains(&action) {
            LockStatus::Unlatched
        } else {
            match action {
                "locking" => LockStatus::Locking,
                "unlocking" => LockStatus::Unlocking,
                "unlatching" => LockStatus::Unlatching,
                "jammed" => LockStatus::Jammed,
                _ => return None,
            }
        })
    }

    /// Door operations: the door state the action leads to.
    pub fn door_state(&self) -> Option<LockDoorStatus> {
        match self.action.as_deref()? {
            "dooropen" | "door_open" => Some(LockDoorStatus::Open),
            "doorclosed" | "door_close" => Some(LockDoorStatus::Closed),
            _ => None,
        }
    }

    /// Bridge operations: the bridge state the action reports.
    pub(crate) fn bridge_state(&self) -> Option<BridgeState> {
        match self.action.as_deref()? {
            "associated_bridge_online" => Some(BridgeState::Online),
            "associated_bridge_offline" => Some(BridgeState::Offline),
            _ => None,
        }
    }

    /// The whole entry as sent. Made from the kept text on the first call, then kept.
    pub fn raw(&self) -> &Value {
        self.raw.value()
    }

    /// The activity a remote operation implies: a `lock`-type record for `lock_id` at `at`.
    pub(crate) fn synthesised(lock_id: &str, action: Option<&str>, at: DateTime<Utc>) -> Self {
        let mut activity = Activity::from(json!({
            "dateTime": at.timestamp_millis(),
            "deviceID": lock_id,
            "deviceType": "lock",
            "action": action,
        }));
        // Keep the exact instant, not its millisecond rounding.
        activity.start_time = Some(at);
        activity.end_time = Some(at);
        activity
    }
}

impl fmt::Debug for Activity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Activity")
            .field("kind", &self.kind)
            .field("action", &self.action)
            .field("device_id", &self.device_id)
            .field("device_name", &self.device_name)
            .field("device_type", &self.device_type)
            .field("house_id", &self.house_id)
            .field("activity_id", &self.activity_id)
            .field("start_time", &self.start_time)
            .field("end_time", &self.end_time)
            .field("user_id", &self.user_id)
            .field("operated_by", &self.operated_by)
            .field("operated_remote", &self.operated_remote)
            .field("operated_keypad", &self.operated_keypad)
            .field("operated_manual", &self.operated_manual)
            .field("operated_tag", &self.operated_tag)
            .field("operated_autorelock", &self.operated_autorelock)
            .field("operator_image_url", &self.operator_image_url)
            .field("operator_thumbnail_url", &self.operator_thumbnail_url)
            .field("image_url", &self.image_url)
            .field("image_created_at", &self.image_created_at)
            .field(
                "content_token",
                &self.content_token.as_ref().map(|_| Redacted),
            )
            .finish_non_exhaustive()
    }
}

impl<'de> Deserialize<'de> for Activity {
    /// Reads an activity entry of any JSON value (see [`Activity`]); fails only where reading
    /// the entry into a `serde_json::Value` fails (a number beyond `f64`, a lone surrogate in
    /// a string). The entry's text is kept as sent for [`raw`](Activity::raw).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let WithRaw { wire, raw } = WithRaw::<Node<Entry>>::deserialize(deserializer)?;
        Ok(Activity::from_entry(wire.into_fields(), raw))
    }
}

impl From<Value> for Activity {
    /// Reads an activity entry; never fails (see [`Activity`]).
    fn from(raw: Value) -> Self {
        // Reading a `Value` cannot fail: every key of the entry accepts any JSON value.
        let entry = Node::<Entry>::deserialize(&raw).unwrap_or_default();
        Activity::from_entry(entry.into_fields(), RawJson::from_value(raw))
    }
}

impl Activity {
    /// Derives the activity's values from the keys of its entry.
    fn from_entry(entry: Entry, raw: RawJson) -> Self {
        let Entry {
            action,
            device_id,
            device_name,
            device_type,
            id,
            date_time,
            timestamp,
            icon,
            attachment,
            entities,
            calling_user,
            user,
            info,
            doorbell,
        } = entry;
        let owned_action = action.into_string();
        let action = owned_action.as_deref().unwrap_or_default();
        let kind = owned_action
            .as_deref()
            .map_or(ActivityType::Unknown, ActivityType::from_action);
        let info = info.into_fields();
        let entities = entities.into_fields();
        // The first of `callingUser` and `user` that is a non-empty object.
        let calling_user = if calling_user.is_non_empty_object() {
            calling_user.into_fields()
        } else if user.is_non_empty_object() {
            user.into_fields()
        } else {
            User::default()
        };
        let start_time = date_time.datetime().or_else(|| timestamp.datetime());
        let user_id = calling_user.user_id.into_string();

        let mut activity = Activity {
            kind,
            device_id: device_id.into_string(),
            device_name: device_name.into_string(),
            device_type: device_type.into_string(),
            house_id: entities.house.into_string(),
            activity_id: entities.activity.into_string().or_else(|| id.into_string()),
            start_time,
            end_time: start_time,
            operated_autorelock: kind == ActivityType::LockOperation
                && (user_id.as_deref() == Some(AUTO_RELOCK_USER) || action == "auto_lock"),
            user_id,
            operated_by: None,
            operated_remote: false,
            operated_keypad: false,
            operated_manual: false,
            operated_tag: false,
            operator_image_url: None,
            operator_thumbnail_url: None,
            image_url: None,
            image_created_at: None,
            content_token: None,
            action: None,
            raw,
        };

        match kind {
            ActivityType::LockOperation => {
                let mut first = calling_user.first_name.into_non_empty();
                let mut last = calling_user.last_name.into_non_empty();
                if first.is_none()
                    && last.is_none()
                    && let Some((f, l)) = default_operator(action)
                {
                    first = Some(f.to_owned());
                    last = Some(l.to_owned());
                }
                activity.operated_by = match (first, last) {
                    (Some(first), Some(last)) => Some(format!("{first} {last}")),
                    (name, None) | (None, name) => name,
                };
                let flag = |value: &Leaf, actions: &[&str]| {
                    if value.is_present() {
                        value.truthy()
                    } else {
                        actions.contains(&action)
                    }
                };
                activity.operated_remote = flag(&info.remote, REMOTE_ACTIONS);
                activity.operated_keypad = flag(&info.keypad, KEYPAD_ACTIONS);
                activity.operated_manual = flag(&info.manual, MANUAL_ACTIONS);
                activity.operated_tag = flag(&info.tag, TAG_ACTIONS);

                // `imageInfo` when truthy (an object, or something without images), else
                // the user's own `original` and `thumbnail`.
                let image_info = calling_user.image_info;
                let (original, thumbnail) = if image_info.truthy() {
                    let images = image_info.into_fields();
                    (images.original, images.thumbnail)
                } else {
                    (calling_user.original, calling_user.thumbnail)
                };
                let mut image = original.into_url();
                let mut thumbnail = thumbnail.into_url().or_else(|| icon.into_non_empty());
                if image.is_none() {
                    image.clone_from(&thumbnail);
                }
                if thumbnail.is_none() {
                    thumbnail.clone_from(&image);
                }
                activity.operator_image_url = image;
                activity.operator_thumbnail_url = thumbnail;
            }
            ActivityType::DoorbellMotion | ActivityType::DoorbellImageCapture => {
                match info.image {
                    Node::Object { fields, .. } => {
                        activity.image_url = fields.secure_url.into_non_empty();
                        activity.image_created_at = fields.created_at.datetime().or(start_time);
                    }
                    Node::Leaf(Leaf::Str(url)) => {
                        activity.image_url = Some(url).filter(|url| !url.is_empty());
                        activity.image_created_at = start_time;
                    }
                    Node::Leaf(_) => activity.image_url = attachment.into_non_empty(),
                }
                activity.content_token = doorbell.into_fields().content_token.into_non_empty();
            }
            ActivityType::DoorbellDing | ActivityType::DoorbellView => {
                activity.image_url = info
                    .image
                    .into_url()
                    .or_else(|| info.attachment.into_non_empty());
                let time_at = |value: &Leaf| value.truthy().then(|| value.datetime()).flatten();
                activity.start_time = time_at(&info.started).or(start_time);
                activity.end_time = time_at(&info.ended).or(start_time);
            }
            _ => {}
        }
        activity.action = owned_action;
        activity
    }
}

/// The response of `GET /houses/{house_id}/activities`: a bare array of activities, or an
/// object `{"events": [...]}`; the activities keep the server's order and none is dropped
/// (see [`Activity`]).
///
/// ```
/// # fn main() -> Result<(), serde_json::Error> {
/// use august_core::{ActivityFeed, ActivityType};
///
/// let feed: ActivityFeed = serde_json::from_str(
///     r#"{"events": [{"action": "remote_unlock", "deviceID": "L1", "timestamp": 1700000000000},
///                    {"action": "teleport"}, 42]}"#,
/// )?;
/// let kinds: Vec<_> = feed.as_slice().iter().map(|a| a.kind()).collect();
/// assert_eq!(
///     kinds,
///     [ActivityType::LockOperation, ActivityType::Unknown, ActivityType::Unknown]
/// );
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(transparent)]
pub struct ActivityFeed(Vec<Activity>);

impl ActivityFeed {
    /// The activities, in the server's order.
    pub fn into_vec(self) -> Vec<Activity> {
        self.0
    }

    /// The activities as a slice.
    pub fn as_slice(&self) -> &[Activity] {
        &self.0
    }
}

impl IntoIterator for ActivityFeed {
    type Item = Activity;
    type IntoIter = std::vec::IntoIter<Activity>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'de> Deserialize<'de> for ActivityFeed {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FeedVisitor;

        impl<'de> Visitor<'de> for FeedVisitor {
            type Value = ActivityFeed;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of activities or an object with `events`")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ActivityFeed, A::Error> {
                let mut activities = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(activity) = seq.next_element::<Activity>()? {
                    activities.push(activity);
                }
                Ok(ActivityFeed(activities))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ActivityFeed, A::Error> {
                let mut events = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key == "events" && events.is_none() {
                        events = Some(map.next_value::<Option<Vec<Activity>>>()?);
                    } else {
                        map.next_value::<Skip>()?;
                    }
                }
                match events {
                    Some(events) => Ok(ActivityFeed(events.unwrap_or_default())),
                    None => Err(A::Error::missing_field("events")),
                }
            }
        }

        deserializer.deserialize_any(FeedVisitor)
    }
}

/// Why an activity could not be applied to a device detail
/// ([`LockDetail::apply_activity`], [`DoorbellDetail::apply_activity`]).
///
/// [`LockDetail::apply_activity`]: crate::LockDetail::apply_activity
/// [`DoorbellDetail::apply_activity`]: crate::DoorbellDetail::apply_activity
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApplyActivityError {
    /// The activity is about another device (its `deviceID` differs, or is missing).
    DeviceMismatch {
        /// The id of the device the activity was applied to.
        device_id: String,
        /// The activity's device id.
        activity_device_id: Option<String>,
    },
    /// The activity's kind says nothing about this kind of device (e.g. a door event applied
    /// to a doorbell, or an unknown action).
    UnsupportedKind {
        /// The activity's kind.
        kind: ActivityType,
    },
    /// The activity has no valid time, so it cannot be ordered against the current state.
    MissingTime,
}

impl fmt::Display for ApplyActivityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplyActivityError::DeviceMismatch {
                device_id,
                activity_device_id: Some(other),
            } => write!(
                f,
                "activity for device {other} cannot be applied to device {device_id}"
            ),
            ApplyActivityError::DeviceMismatch {
                device_id,
                activity_device_id: None,
            } => write!(
                f,
                "activity without a device id cannot be applied to device {device_id}"
            ),
            ApplyActivityError::UnsupportedKind { kind } => {
                write!(
                    f,
                    "activity of kind {kind} cannot be applied to this device"
                )
            }
            ApplyActivityError::MissingTime => f.write_str("activity has no valid time"),
        }
    }
}

impl ApplyActivityError {
    /// What the caller does next: always [`ErrorKind::FixInput`](crate::ErrorKind) (apply
    /// the activity to its own device, or skip it).
    pub fn kind(&self) -> crate::ErrorKind {
        crate::ErrorKind::FixInput
    }
}

impl crate::HasErrorKind for ApplyActivityError {
    fn kind(&self) -> crate::ErrorKind {
        ApplyActivityError::kind(self)
    }
}

impl std::error::Error for ApplyActivityError {}

#[cfg(test)]
#[path = "activity_reference.rs"]
mod reference;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prop_oneof;
    use proptest::strategy::{BoxedStrategy, Strategy, Union};

    /// A JSON object made of `0..7` entries drawn from `fields` (keys may repeat), or, now
    /// and then, a value of another type.
    fn object(fields: Vec<(&'static str, BoxedStrategy<String>)>) -> BoxedStrategy<String> {
        let pairs: Vec<BoxedStrategy<String>> = fields
            .into_iter()
            .map(|(key, value)| value.prop_map(move |v| format!("\"{key}\":{v}")).boxed())
            .collect();
        prop_oneof![
            6 => proptest::collection::vec(Union::new(pairs), 0..7)
                .prop_map(|pairs| format!("{{{}}}", pairs.join(","))),
            1 => scalar(),
        ]
        .boxed()
    }

    /// A JSON value of any type, as the server might send where another was expected.
    fn scalar() -> BoxedStrategy<String> {
        const SCALARS: &[&str] = &[
            "null",
            "true",
            "false",
            "0",
            "1",
            "-1",
            "0.0",
            "-0",
            "1.5",
            "1e300",
            "\"\"",
            "\"x\"",
            "\"1582007218000\"",
            "1582007218000",
            "1582007218000.5",
            "9223372036854775807",
            "9223372036854775808",
            "18446744073709551615",
            "\"2017-12-10T04:48:30.272Z\"",
            "\"2000-00-00T00:00:00.447Z\"",
            "\"https://i/x.jpg\"",
            "\"a\\u0041\"",
            "[]",
            "{}",
            "[0]",
            "{\"secure_url\":\"https://i/y.jpg\"}",
            "\"automaticrelock\"",
        ];
        proptest::sample::select(SCALARS)
            .prop_map(str::to_owned)
            .boxed()
    }

    /// JSON text of an activity entry: the keys the reader looks at (some escaped, some
    /// repeated, some of an unexpected type), and others.
    fn entry_text() -> impl Strategy<Value = String> {
        // Every kind equally often, then every lock action.
        let actions: Vec<String> = [
            "lock",
            "unlock",
            "dooropen",
            "door_close",
            "doorbell_motion_detected",
            "imagecapture",
            "doorbell_call_missed",
            "doorbell_call_initiated",
            "associated_bridge_online",
            "teleport",
            "",
        ]
        .iter()
        .chain(LOCK_ACTIONS)
        .map(|action| format!("\"{action}\""))
        .collect();
        let actions = prop_oneof![
            3 => proptest::sample::select(actions[..11].to_vec()),
            1 => proptest::sample::select(actions),
        ];
        let action = prop_oneof![6 => actions, 1 => scalar()].boxed();
        let image = || {
            prop_oneof![
                2 => object(vec![("secure_url", scalar()), ("created_at", scalar()), ("x", scalar())]),
                1 => scalar(),
            ]
            .boxed()
        };
        let images = object(vec![("original", image()), ("thumbnail", image())]);
        let user = || {
            object(vec![
                ("FirstName", scalar()),
                ("LastName", scalar()),
                ("UserID", scalar()),
                ("imageInfo", images.clone()),
                ("original", image()),
                ("thumbnail", image()),
            ])
        };
        let info = || {
            object(vec![
                ("remote", scalar()),
                ("keypad", scalar()),
                ("manual", scalar()),
                ("tag", scalar()),
                ("image", image()),
                ("attachment", scalar()),
                ("started", scalar()),
                ("ended", scalar()),
            ])
        };
        let time = prop_oneof![
            2 => proptest::strategy::Just("1582007218000".to_owned()),
            1 => scalar(),
        ];
        let rest = object(vec![
            ("action", action.clone()),
            (
                "\\u0061ction",
                proptest::strategy::Just("\"lock\"".to_owned()).boxed(),
            ),
            ("deviceID", scalar()),
            ("deviceName", scalar()),
            ("deviceType", scalar()),
            ("id", scalar()),
            ("dateTime", scalar()),
            ("timestamp", scalar()),
            ("icon", scalar()),
            ("attachment", scalar()),
            (
                "entities",
                object(vec![("house", scalar()), ("activity", scalar())]),
            ),
            ("callingUser", user()),
            ("user", user()),
            ("info", info()),
            ("doorbell", object(vec![("contentToken", scalar())])),
            ("other", scalar()),
        ]);
        // Most entries start with an action, a time and often `info`, so that the keys each
        // kind reads are there.
        let head = (action, time, proptest::option::of(info()));
        (proptest::option::weighted(0.8, head), rest).prop_map(|(head, rest)| match head {
            Some((action, time, info)) if rest.starts_with('{') => {
                let info = info
                    .map(|info| format!(",\"info\":{info}"))
                    .unwrap_or_default();
                let sep = if rest == "{}" { "" } else { "," };
                format!(
                    "{{\"action\":{action},\"dateTime\":{time}{info}{sep}{}",
                    &rest[1..]
                )
            }
            _ => rest,
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// The one-pass reader derives what the `Value` reader of earlier releases derived,
        /// whether it reads JSON text or a `Value`.
        #[test]
        fn one_pass_reader_matches_the_value_reader(text in entry_text()) {
            let value: Value = serde_json::from_str(&text).expect("the strategy writes JSON");
            let expected = reference::reference(value.clone());
            let read: Activity = serde_json::from_str(&text).expect("any JSON is an activity");
            proptest::prop_assert_eq!(&read, &expected);
            proptest::prop_assert_eq!(read.content_token(), expected.content_token());
            proptest::prop_assert_eq!(read.raw(), &value);
            proptest::prop_assert_eq!(&Activity::from(value), &expected);
        }
    }

    #[test]
    fn every_lock_action_has_a_resulting_state() {
        for action in LOCK_ACTIONS {
            let activity = Activity::from(json!({ "action": action }));
            assert_eq!(activity.kind(), ActivityType::LockOperation, "{action}");
            assert!(activity.lock_status().is_some(), "{action}");
        }
    }

    /// Every way serde_json hands over an entry reads it the same: text, bytes, a reader, a
    /// `Value` (owned or borrowed), and `From<Value>`.
    #[test]
    fn every_serde_json_source_reads_the_same_activity() {
        let text = r#"{"action": "pin_unlock", "dateTime": 1582007218000, "deviceID": "L1",
            "callingUser": {"FirstName": "Ann", "UserID": "u1"}, "info": {"keypad": true}}"#;
        let value: Value = serde_json::from_str(text).expect("JSON");
        let from_text: Activity = serde_json::from_str(text).expect("reads");
        let from_bytes: Activity = serde_json::from_slice(text.as_bytes()).expect("reads");
        let from_reader: Activity = serde_json::from_reader(text.as_bytes()).expect("reads");
        let from_value: Activity = serde_json::from_value(value.clone()).expect("reads");
        let from_ref = Activity::deserialize(&value).expect("reads");
        for activity in [&from_bytes, &from_reader, &from_value, &from_ref] {
            assert_eq!(activity, &from_text);
        }
        assert_eq!(Activity::from(value.clone()), from_text);
        assert_eq!(from_text.operated_by(), Some("Ann"));
        assert!(from_text.operated_keypad());
        assert_eq!(from_text.raw(), &value);
    }

    #[test]
    fn debug_hides_the_content_token_and_raw_entry() {
        let activity = Activity::from(json!({
            "action": "imagecapture", "deviceID": "D1", "dateTime": 0,
            "doorbell": {"contentToken": "s3cr3t-token"},
            "info": {"image": {"secure_url": "https://i/x.jpg"}}
        }));
        assert_eq!(activity.content_token(), Some("s3cr3t-token"));
        assert_eq!(
            format!("{activity:?}"),
            "Activity { kind: DoorbellImageCapture, action: Some(\"imagecapture\"), \
             device_id: Some(\"D1\"), device_name: None, device_type: None, house_id: None, \
             activity_id: None, start_time: Some(1970-01-01T00:00:00Z), \
             end_time: Some(1970-01-01T00:00:00Z), user_id: None, operated_by: None, \
             operated_remote: false, operated_keypad: false, operated_manual: false, \
             operated_tag: false, operated_autorelock: false, operator_image_url: None, \
             operator_thumbnail_url: None, image_url: Some(\"https://i/x.jpg\"), \
             image_created_at: Some(1970-01-01T00:00:00Z), content_token: Some(<redacted>), .. }"
        );
        let text = serde_json::to_string(&activity).expect("serialises");
        assert!(!text.contains("s3cr3t"), "{text}");
    }

    #[test]
    fn error_messages() {
        let mismatch = ApplyActivityError::DeviceMismatch {
            device_id: "ABC".into(),
            activity_device_id: Some("notABC".into()),
        };
        assert_eq!(
            mismatch.to_string(),
            "activity for device notABC cannot be applied to device ABC"
        );
        let kind = ApplyActivityError::UnsupportedKind {
            kind: ActivityType::DoorOperation,
        };
        assert_eq!(
            kind.to_string(),
            "activity of kind door_operation cannot be applied to this device"
        );
        assert_eq!(
            ApplyActivityError::MissingTime.to_string(),
            "activity has no valid time"
        );
    }
}
