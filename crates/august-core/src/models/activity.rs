//! Activities: the events of a house's activity feed, and merging them into device details.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::{Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Value, json};

use super::bridge::BridgeState;
use super::datetime;
use super::de::{Redacted, non_empty_string_at, str_at, truthy};
use super::lock::{LockDoorStatus, LockStatus};

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

impl fmt::Display for ActivityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ActivityType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

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
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "Value")]
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
    raw: Value,
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

    /// The whole entry as sent.
    pub fn raw(&self) -> &Value {
        &self.raw
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

/// A URL given either as a string or as an image object with `secure_url`.
fn url_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        object @ Value::Object(_) => non_empty_string_at(object, "secure_url"),
        _ => None,
    }
}

impl From<Value> for Activity {
    /// Reads an activity entry; never fails (see [`Activity`]).
    fn from(raw: Value) -> Self {
        const NULL: &Value = &Value::Null;
        let owned_action = str_at(&raw, "action").map(str::to_owned);
        let action = owned_action.as_deref().unwrap_or_default();
        let kind = owned_action
            .as_deref()
            .map_or(ActivityType::Unknown, ActivityType::from_action);
        let info = raw.get("info").unwrap_or(NULL);
        let entities = raw.get("entities").unwrap_or(NULL);
        let calling_user = [raw.get("callingUser"), raw.get("user")]
            .into_iter()
            .flatten()
            .find(|user| user.is_object() && truthy(user))
            .unwrap_or(NULL);
        let start_time = raw
            .get("dateTime")
            .and_then(datetime::from_json)
            .or_else(|| raw.get("timestamp").and_then(datetime::from_json));

        let mut activity = Activity {
            kind,
            device_id: str_at(&raw, "deviceID").map(str::to_owned),
            device_name: str_at(&raw, "deviceName").map(str::to_owned),
            device_type: str_at(&raw, "deviceType").map(str::to_owned),
            house_id: str_at(entities, "house").map(str::to_owned),
            activity_id: str_at(entities, "activity")
                .or_else(|| str_at(&raw, "id"))
                .map(str::to_owned),
            start_time,
            end_time: start_time,
            user_id: str_at(calling_user, "UserID").map(str::to_owned),
            operated_by: None,
            operated_remote: false,
            operated_keypad: false,
            operated_manual: false,
            operated_tag: false,
            operated_autorelock: false,
            operator_image_url: None,
            operator_thumbnail_url: None,
            image_url: None,
            image_created_at: None,
            content_token: None,
            action: None,
            raw: Value::Null,
        };

        match kind {
            ActivityType::LockOperation => {
                let mut first = non_empty_string_at(calling_user, "FirstName");
                let mut last = non_empty_string_at(calling_user, "LastName");
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
                let flag = |key: &str, actions: &[&str]| match info.get(key) {
                    Some(value) => truthy(value),
                    None => actions.contains(&action),
                };
                activity.operated_remote = flag("remote", REMOTE_ACTIONS);
                activity.operated_keypad = flag("keypad", KEYPAD_ACTIONS);
                activity.operated_manual = flag("manual", MANUAL_ACTIONS);
                activity.operated_tag = flag("tag", TAG_ACTIONS);
                activity.operated_autorelock =
                    activity.user_id.as_deref() == Some(AUTO_RELOCK_USER) || action == "auto_lock";

                let images = calling_user
                    .get("imageInfo")
                    .filter(|info| truthy(info))
                    .unwrap_or(calling_user);
                let mut image = url_of(images.get("original"));
                let mut thumbnail =
                    url_of(images.get("thumbnail")).or_else(|| non_empty_string_at(&raw, "icon"));
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
                match info.get("image") {
                    Some(image @ (Value::Object(_) | Value::String(_))) => {
                        activity.image_url = url_of(Some(image));
                        activity.image_created_at = image
                            .get("created_at")
                            .and_then(datetime::from_json)
                            .or(start_time);
                    }
                    _ => activity.image_url = non_empty_string_at(&raw, "attachment"),
                }
                activity.content_token = raw
                    .get("doorbell")
                    .and_then(|doorbell| non_empty_string_at(doorbell, "contentToken"));
            }
            ActivityType::DoorbellDing | ActivityType::DoorbellView => {
                activity.image_url =
                    url_of(info.get("image")).or_else(|| non_empty_string_at(info, "attachment"));
                let time_at = |key: &str| {
                    info.get(key)
                        .filter(|value| truthy(value))
                        .and_then(datetime::from_json)
                };
                activity.start_time = time_at("started").or(start_time);
                activity.end_time = time_at("ended").or(start_time);
            }
            _ => {}
        }
        activity.action = owned_action;
        activity.raw = raw;
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
                        map.next_value::<IgnoredAny>()?;
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

impl std::error::Error for ApplyActivityError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lock_action_has_a_resulting_state() {
        for action in LOCK_ACTIONS {
            let activity = Activity::from(json!({ "action": action }));
            assert_eq!(activity.kind(), ActivityType::LockOperation, "{action}");
            assert!(activity.lock_status().is_some(), "{action}");
        }
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
