//! The recorded shapes of the August answers: every field a recorded answer has, filled in
//! where the sandbox's own data has nothing to say, so that clients reading fields the SDK does
//! not model find them, with the JSON type the service sends.
//!
//! The templates in `templates/` are the union of the recorded answers of each call (the
//! fixtures of py-august, MIT licence, Copyright (c) 2017 Joe Lu). Fields whose value carries a
//! meaning (state, battery, door, bridge, keypad, images, who did what) are never taken from a
//! template: the sandbox's state decides them, or they stay absent.

use std::sync::OnceLock;

use serde_json::Value;

/// A template by name.
#[derive(Clone, Copy)]
pub(crate) enum Shape {
    LockDetail,
    LockListItem,
    DoorbellDetail,
    DoorbellListItem,
    Pin,
    LockActivity,
    DoorActivity,
    MotionActivity,
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

fn template(shape: Shape) -> &'static Value {
    static T: OnceLock<Vec<Value>> = OnceLock::new();
    let all = T.get_or_init(|| {
        vec![
            parse(include_str!("templates/lock_detail.json")),
            parse(include_str!("templates/lock_list_item.json")),
            parse(include_str!("templates/doorbell_detail.json")),
            parse(include_str!("templates/doorbell_list_item.json")),
            parse(include_str!("templates/pin.json")),
            parse(include_str!("templates/lock_activity.json")),
            parse(include_str!("templates/door_activity.json")),
            parse(include_str!("templates/motion_activity.json")),
        ]
    });
    &all[shape as usize]
}

/// Keys never added from a template (their presence or value means something); they are still
/// filled inside when the sandbox sends them.
const MEANINGFUL: &[&str] = &[
    "Bridge",
    "keypad",
    "LockStatus",
    "doorState",
    "battery",
    "battery_soc",
    "doorbell_low_battery",
    "recentImage",
    "image",
    "status",
    "LockID",
    "pins",
    "hostLockInfo",
    "users",
    "remote",
    "agent",
    "callingUser",
    "otherUser",
    "source",
    "accessStartTime",
    "accessEndTime",
    "accessTimes",
];

/// Adds to `v` every key of `template` it lacks (recursively), except the meaningful ones.
fn fill(v: &mut Value, template: &Value) {
    let (Value::Object(obj), Value::Object(t)) = (v, template) else {
        return;
    };
    for (key, tv) in t {
        match obj.get_mut(key) {
            Some(existing) => fill(existing, tv),
            None if MEANINGFUL.contains(&key.as_str()) => {}
            None => {
                obj.insert(key.clone(), tv.clone());
            }
        }
    }
}

/// `v` with every field the recorded answers of `shape` have.
pub(crate) fn recorded(shape: Shape, mut v: Value) -> Value {
    fill(&mut v, template(shape));
    v
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn fill_adds_missing_keys_but_keeps_values_and_meaningful_absences() {
        let template = json!({
            "name": "recorded", "settings": {"a": 1, "b": true},
            "Bridge": {"operative": true}, "info": {"remote": true, "duration": 5},
        });
        let mut v = json!({"name": "sandbox", "settings": {"a": 7}, "info": {}});
        fill(&mut v, &template);
        assert_eq!(
            v,
            json!({"name": "sandbox", "settings": {"a": 7, "b": true}, "info": {"duration": 5}})
        );
    }

    #[test]
    fn every_template_is_an_object() {
        for shape in [
            Shape::LockDetail,
            Shape::LockListItem,
            Shape::DoorbellDetail,
            Shape::DoorbellListItem,
            Shape::Pin,
            Shape::LockActivity,
            Shape::DoorActivity,
            Shape::MotionActivity,
        ] {
            assert!(template(shape).is_object());
        }
    }
}
