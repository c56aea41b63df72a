//! Push messages into activities: the rules of the PubNub and Socket.IO conversions.
//!
//! One function, [`convert`], applies the same rules to both transports: the status-echo filter,
//! the time rules (`info.startTime`, else `info.context.startDate`, else the message time), the
//! lock rules (calling user, manual and remote flags, bridge offline, lock status, door state)
//! and the doorbell rules (motion, image capture, ding). A message that yields no activity and
//! is not a status echo is handed to the caller as a raw event, so nothing is silently lost.

use std::collections::BTreeMap;

use august_core::__private::truthy;
use august_core::{Activity, LockDoorStatus, LockStatus, User};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// Where an activity came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Source {
    /// Read from the house's activity feed (`GET /houses/{id}/activities`).
    Poll,
    /// Pushed over PubNub (brands `august`, `yale_access`, `yale_august`).
    Pubnub,
    /// Pushed over the Socket.IO websocket (brand `yale_global`).
    Websocket,
}

impl Source {
    /// `poll`, `pubnub` or `websocket`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Poll => "poll",
            Source::Pubnub => "pubnub",
            Source::Websocket => "websocket",
        }
    }

    /// Whether the activity was pushed (not polled).
    pub fn is_push(self) -> bool {
        !matches!(self, Source::Poll)
    }
}

/// What kind of device a push channel belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// A lock.
    Lock,
    /// A doorbell.
    Doorbell,
}

impl DeviceKind {
    /// `lock` or `doorbell`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Lock => "lock",
            DeviceKind::Doorbell => "doorbell",
        }
    }
}

/// The device a message is about, as the stream knows it from the device details.
#[derive(Debug, Clone, Default)]
pub struct Device {
    /// The device id (`LockID`, `DoorbellID`).
    pub device_id: String,
    /// Its name.
    pub device_name: String,
    /// Its house.
    pub house_id: String,
    /// Lock or doorbell; `None` is read as a lock.
    pub kind: Option<DeviceKind>,
    /// The lock's users (`users` of the lock detail), to name the calling user.
    pub users: BTreeMap<String, User>,
}

/// The result of converting one message.
#[derive(Debug, Clone, Default)]
pub struct Converted {
    /// The activities, in the order bridge, lock, door (or the one doorbell activity).
    pub activities: Vec<Activity>,
    /// Set when the message yields no activity and is not a status echo: the payload as sent.
    pub raw: Option<Value>,
}

/// Lock status values the lock-status table maps to `lock` besides the [`LockStatus`] ones.
const SECURE_STATES: &[&str] = &["secure", "securemode"];

/// Doorbell statuses that become an activity.
const DOORBELL_ACTIONS: &[&str] = &["doorbell_motion_detected", "imagecapture", "buttonpush"];

/// Converts one push payload about `device` into activities.
///
/// `message_time` is the publish time of a PubNub message, or the receipt time of a websocket
/// event; it is used when the payload carries neither `info.startTime` nor
/// `info.context.startDate` (or they cannot be read).
pub fn convert(device: &Device, payload: &Value, message_time: DateTime<Utc>) -> Converted {
    let Some(object) = payload.as_object() else {
        return Converted {
            activities: Vec::new(),
            raw: Some(payload.clone()),
        };
    };
    let info = object_or_empty(object.get("info"));
    let context = object_or_empty(info.get("context"));
    // T2/T3/T4: the first time that can be read.
    let (time, accept_user) =
        match parse_time(info.get("startTime")).or_else(|| parse_time(context.get("startDate"))) {
            Some(t) => (t, true),
            None => (message_time, false),
        };
    let converted = match device.kind.unwrap_or(DeviceKind::Lock) {
        DeviceKind::Lock => lock_activities(device, object, info, accept_user, time),
        DeviceKind::Doorbell => doorbell_activities(device, object, time),
    };
    match converted {
        Some(activities) if activities.is_empty() => Converted {
            activities,
            raw: Some(payload.clone()),
        },
        Some(activities) => Converted {
            activities,
            raw: None,
        },
        // A status echo: nothing at all.
        None => Converted::default(),
    }
}

/// `None` for a status echo (rule L1), else the activities (possibly none).
fn lock_activities(
    device: &Device,
    payload: &Map<String, Value>,
    mut info: Map<String, Value>,
    accept_user: bool,
    time: DateTime<Utc>,
) -> Option<Vec<Activity>> {
    let error = payload.get("error");
    let failed = payload.get("result").and_then(Value::as_str) == Some("failed");
    // L1: the echo of a status poll.
    if info.get("action").and_then(Value::as_str) == Some("status")
        && !error.is_some_and(truthy)
        && !failed
    {
        return None;
    }
    // L2 / L2b: who operated.
    let calling_id = payload.get("callingUserID").and_then(string_of);
    let mut calling_user = Value::Object(Map::new());
    match calling_id.as_deref() {
        Some(id) if accept_user && !id.is_empty() => {
            let mut user = json!({ "UserID": id });
            // 5.6a: name the operator from the lock's users, as a later poll would.
            if let Some(known) = device.users.get(id)
                && let Some(obj) = user.as_object_mut()
            {
                if let Some(first) = known.first_name() {
                    obj.insert("FirstName".into(), json!(first));
                }
                if let Some(last) = known.last_name() {
                    obj.insert("LastName".into(), json!(last));
                }
            }
            calling_user = user;
        }
        Some(id) if id.starts_with("manual") => {
            info.insert("manual".into(), Value::Bool(true));
        }
        _ => {}
    }
    // L3: any `remoteEvent` key marks a remote operation.
    if payload.contains_key("remoteEvent") {
        info.insert("remote".into(), Value::Bool(true));
    }
    let mut actions: Vec<&str> = Vec::new();
    let error_obj = object_or_empty(error);
    let bridge_offline = error_obj.get("restCode").and_then(Value::as_i64) == Some(98)
        || error_obj.get("name").and_then(Value::as_str) == Some("ERRNO_BRIDGE_OFFLINE");
    if bridge_offline {
        // L4.
        actions.push("associated_bridge_offline");
    } else {
        // L5: `lockAction` when the key is there (even null), else `status`.
        let state = if payload.contains_key("lockAction") {
            payload.get("lockAction")
        } else {
            payload.get("status")
        };
        if let Some(state) = state.and_then(Value::as_str).filter(|s| !s.is_empty()) {
            match state {
                "associated_bridge_online" | "associated_bridge_offline" => {
                    actions.push(if state == "associated_bridge_online" {
                        "associated_bridge_online"
                    } else {
                        "associated_bridge_offline"
                    });
                }
                s if SECURE_STATES.contains(&s) => actions.push("lock"),
                s => {
                    if let Some(action) = lock_action(&LockStatus::from_wire(Some(s))) {
                        actions.push(action);
                    }
                }
            }
        }
    }
    // L6: the door.
    if let Some(door) = payload
        .get("doorState")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        match LockDoorStatus::from_wire(Some(door)) {
            LockDoorStatus::Open => actions.push("dooropen"),
            LockDoorStatus::Closed => actions.push("doorclosed"),
            _ => {}
        }
    }
    let info = Value::Object(info);
    Some(
        actions
            .into_iter()
            .map(|action| build(device, action, time, &calling_user, &info))
            .collect(),
    )
}

fn lock_action(status: &LockStatus) -> Option<&'static str> {
    Some(match status {
        LockStatus::Locked => "lock",
        LockStatus::Unlatched => "unlatch",
        LockStatus::Unlocked => "unlock",
        LockStatus::Locking => "locking",
        LockStatus::Unlatching => "unlatching",
        LockStatus::Unlocking => "unlocking",
        LockStatus::Jammed => "jammed",
        _ => return None,
    })
}

fn doorbell_activities(
    device: &Device,
    payload: &Map<String, Value>,
    time: DateTime<Utc>,
) -> Option<Vec<Activity>> {
    // D1 / D2.
    let mut info = object_or_empty(payload.get("data"));
    if !info.contains_key("image") || info.get("image").is_some_and(Value::is_null) {
        let result = object_or_empty(info.get("result"));
        info.insert("image".into(), Value::Object(result));
    }
    // Client rule: an empty image object is no image at all.
    if info
        .get("image")
        .and_then(Value::as_object)
        .is_some_and(Map::is_empty)
    {
        info.remove("image");
    }
    let ms = time.timestamp_millis();
    info.entry("started").or_insert_with(|| json!(ms));
    info.entry("ended").or_insert_with(|| json!(ms));
    // D3.
    let status = payload.get("status").and_then(Value::as_str).unwrap_or("");
    let Some(action) = DOORBELL_ACTIONS.iter().find(|a| **a == status) else {
        return Some(Vec::new());
    };
    let info = Value::Object(info);
    Some(vec![build(
        device,
        action,
        time,
        &Value::Object(Map::new()),
        &info,
    )])
}

fn build(
    device: &Device,
    action: &str,
    time: DateTime<Utc>,
    calling_user: &Value,
    info: &Value,
) -> Activity {
    let kind = device.kind.unwrap_or(DeviceKind::Lock);
    Activity::from(json!({
        "action": action,
        "dateTime": time.timestamp_millis(),
        "deviceID": device.device_id,
        "deviceName": device.device_name,
        "deviceType": kind.as_str(),
        "entities": { "house": device.house_id },
        "callingUser": calling_user,
        "info": info,
    }))
}

fn object_or_empty(value: Option<&Value>) -> Map<String, Value> {
    value
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// A string, or a number as its decimal text.
fn string_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads an ISO-8601 time (with or without an offset, UTC assumed without); `None` when absent,
/// null or unreadable.
pub(crate) fn parse_time(value: Option<&Value>) -> Option<DateTime<Utc>> {
    api_transport::time::parse_iso8601(value?.as_str()?).ok()
}

/// A PubNub timetoken (100 ns units since the epoch) as a time, rounded to the microsecond;
/// `None` when unreadable or outside the years 0000 to 9999.
pub(crate) fn timetoken_time(timetoken: &str) -> Option<DateTime<Utc>> {
    let ticks: i64 = timetoken.trim().parse().ok()?;
    let micros = ticks.checked_add(5)? / 10;
    DateTime::from_timestamp_micros(micros).and_then(api_transport::time::in_rfc3339_years)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lock() -> Device {
        Device {
            device_id: "L1".into(),
            device_name: "Front".into(),
            house_id: "H1".into(),
            kind: Some(DeviceKind::Lock),
            users: BTreeMap::new(),
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn timetokens_are_100ns_ticks() {
        assert_eq!(
            timetoken_time("17684712000000000"),
            Some(at("2026-01-15T10:00:00Z"))
        );
        assert_eq!(timetoken_time("x"), None);
        // Nothing that cannot be written back, and no overflow rounding the largest.
        assert_eq!(timetoken_time(&i64::MAX.to_string()), None);
        assert_eq!(timetoken_time("2534023008000000000"), None);
        assert_eq!(
            timetoken_time("2534023007999999990"),
            Some(at("9999-12-31T23:59:59.999999Z"))
        );
    }

    #[test]
    fn lock_action_null_suppresses_status() {
        let c = convert(
            &lock(),
            &json!({"lockAction": null, "status": "locked"}),
            at("2026-01-15T10:00:00Z"),
        );
        assert!(c.activities.is_empty());
        assert!(c.raw.is_some());
    }

    #[test]
    fn secure_maps_to_lock_and_numbers_are_user_ids() {
        let c = convert(
            &lock(),
            &json!({"status": "securemode", "callingUserID": 42,
                    "info": {"startTime": "2026-01-15T10:00:00.5Z"}}),
            at("2026-01-15T11:00:00Z"),
        );
        assert_eq!(c.activities.len(), 1);
        assert_eq!(c.activities[0].action(), Some("lock"));
        assert_eq!(c.activities[0].user_id(), Some("42"));
        assert_eq!(
            c.activities[0].start_time(),
            Some(at("2026-01-15T10:00:00.5Z"))
        );
    }

    #[test]
    fn unreadable_times_fall_back_and_manual_is_flagged() {
        let c = convert(
            &lock(),
            &json!({"status": "unlocked", "callingUserID": "manualunlock",
                    "info": {"startTime": "yesterday", "context": null}}),
            at("2026-01-15T11:00:00Z"),
        );
        assert_eq!(
            c.activities[0].start_time(),
            Some(at("2026-01-15T11:00:00Z"))
        );
        assert!(c.activities[0].operated_manual());
        assert_eq!(c.activities[0].user_id(), None);
    }

    #[test]
    fn non_objects_are_raw() {
        let c = convert(&lock(), &json!("hello"), at("2026-01-15T11:00:00Z"));
        assert_eq!(c.raw, Some(json!("hello")));
    }
}
