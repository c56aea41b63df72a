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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

impl Shape {
    /// The shape of a legacy feed item with this action.
    pub(crate) fn of_activity(action: &str) -> Shape {
        match action {
            "dooropen" | "doorclosed" => Shape::DoorActivity,
            action if action.starts_with("doorbell_") => Shape::MotionActivity,
            _ => Shape::LockActivity,
        }
    }

    /// Every shape, in the order of the templates.
    #[cfg(test)]
    const ALL: [Shape; 8] = [
        Shape::LockDetail,
        Shape::LockListItem,
        Shape::DoorbellDetail,
        Shape::DoorbellListItem,
        Shape::Pin,
        Shape::LockActivity,
        Shape::DoorActivity,
        Shape::MotionActivity,
    ];
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
    use test_support::json_shape::{self, Rules};

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
        for shape in Shape::ALL {
            assert!(template(shape).is_object());
        }
    }

    fn fixture(name: &str) -> Value {
        let text = test_support::fixture!(&format!("august/{name}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// The recorded answers each template stands for: whole fixtures, the values of a map
    /// keyed by ids (`*`), the elements of a list (`key[]`), the items of the recorded feed
    /// whose action is one of the template's.
    fn recorded_answers(shape: Shape) -> Vec<(String, Value)> {
        let whole = |names: &[&str]| -> Vec<(String, Value)> {
            names
                .iter()
                .map(|n| ((*n).to_owned(), fixture(n)))
                .collect()
        };
        let values = |name: &str| -> Vec<(String, Value)> {
            let v = fixture(name);
            let map = v.as_object().cloned().unwrap_or_default();
            map.into_iter()
                .map(|(k, v)| (format!("{name} {k}"), v))
                .collect()
        };
        let activities = |shape: Shape| -> Vec<(String, Value)> {
            let mut all = whole(&[
                "auto_relock_activity.json",
                "auto_unlock_activity.json",
                "bluetooth_lock_activity.json",
                "keypad_lock_activity.json",
                "lock_activity.json",
                "remote_lock_activity.json",
                "unlock_activity.json",
                "door_closed_activity.json",
                "door_closed_activity_wrong_deviceid.json",
                "door_closed_activity_wrong_houseid.json",
                "door_open_activity.json",
                "doorbell_motion_activity.json",
                "doorbell_motion_activity_no_image.json",
                "doorbell_motion_activity_old.json",
                "doorbell_motion_activity_wrong.json",
            ]);
            let feed = fixture("get_house_activities.json");
            for (i, item) in feed.as_array().into_iter().flatten().enumerate() {
                all.push((format!("get_house_activities.json item {i}"), item.clone()));
            }
            all.retain(|(_, v)| Shape::of_activity(v["action"].as_str().unwrap_or("")) == shape);
            all
        };
        match shape {
            Shape::LockDetail => whole(&[
                "get_lock.online.json",
                "get_lock.online_with_doorsense.json",
                "get_lock.doorsense_init.json",
                "get_lock.offline.json",
            ]),
            Shape::LockListItem => values("get_locks.json"),
            Shape::DoorbellDetail => whole(&[
                "get_doorbell.json",
                "get_doorbell.battery_full.json",
                "get_doorbell.battery_low.json",
                "get_doorbell.battery_medium.json",
                "get_doorbell.offline.json",
                "get_doorbell_missing_image.json",
            ]),
            Shape::DoorbellListItem => values("get_doorbells.json"),
            Shape::Pin => {
                let pins = fixture("get_pins.json");
                let mut all = Vec::new();
                for list in ["created", "loaded", "deleted"] {
                    for (i, pin) in pins[list].as_array().into_iter().flatten().enumerate() {
                        all.push((format!("get_pins.json {list}[{i}]"), pin.clone()));
                    }
                }
                all
            }
            Shape::LockActivity | Shape::DoorActivity | Shape::MotionActivity => activities(shape),
        }
    }

    /// Whether the last key of a path (`a.b[].c`) is one a template never adds.
    fn meaningful(path: &str) -> bool {
        let last = path.rsplit('.').next().unwrap_or(path);
        MEANINGFUL.contains(&last.trim_end_matches("[]"))
    }

    /// Where the recorded answers of one call disagree on a type, the template holds one of
    /// them: `(path, the type the template holds, why)`.
    const TYPES_THAT_VARY: &[(&str, &str, &str)] = &[(
        "secChipCertSerial",
        "string",
        "null on some recorded doorbells, \"\" on the offline one",
    )];

    /// Every key a recorded answer has, the template of its shape has, with the recorded type
    /// (keys the sandbox's state decides excepted: they are never taken from a template). The
    /// answers are padded from the templates, so a key lost here is a key lost in the answers
    /// without the sandbox's own code noticing.
    #[test]
    fn every_template_has_every_key_of_the_recorded_answers() {
        let mut problems = Vec::new();
        for shape in Shape::ALL {
            let answers = recorded_answers(shape);
            assert!(!answers.is_empty());
            for (name, recorded) in answers {
                let varies = |p: &str| {
                    TYPES_THAT_VARY.iter().any(|(path, kind, _)| {
                        p == *path && json_shape::kind(&template(shape)[p]) == *kind
                    })
                };
                let skip = |p: &str| meaningful(p) || varies(p);
                let rules = Rules {
                    skip: &skip,
                    maps: &[],
                };
                for d in json_shape::differences(&recorded, template(shape), rules) {
                    problems.push(format!("template {shape:?}: {name}: {d}"));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
