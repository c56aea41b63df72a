//! The `Value`-based activity reader of earlier releases, kept as the reference the one-pass
//! reader (`activity_wire`) is checked against: both must derive the same activity
//! from any entry, including entries with keys of unexpected types and duplicate keys.

use serde_json::Value;

use super::{
    AUTO_RELOCK_USER, Activity, ActivityType, KEYPAD_ACTIONS, MANUAL_ACTIONS, REMOTE_ACTIONS,
    TAG_ACTIONS, default_operator,
};
use crate::models::datetime;
use crate::models::de::{non_empty_string_at, str_at, truthy};
use crate::models::raw::RawJson;

/// A URL given either as a string or as an image object with `secure_url`.
fn url_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        object @ Value::Object(_) => non_empty_string_at(object, "secure_url"),
        _ => None,
    }
}

/// The activity the `Value`-based reader of earlier releases derived from an entry.
pub(super) fn reference(raw: Value) -> Activity {
    {
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
            raw: RawJson::from_value(Value::Null),
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
        activity.raw = RawJson::from_value(raw);
        activity
    }
}
