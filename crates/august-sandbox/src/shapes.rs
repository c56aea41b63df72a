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
    use std::collections::HashSet;

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

    /// The recorded August answers that are no template's: built whole by the sandbox.
    const NOT_PADDED: &[(&str, &str)] = &[
        (
            "lock.json",
            "a remote operation's result, built whole by the sandbox",
        ),
        ("lock_without_doorstate.json", "as lock.json"),
        ("unlock.json", "as lock.json"),
        ("unlock_without_doorstate.json", "as lock.json"),
    ];

    /// The recorded answers each template is the union of, found by the fixtures' names, so
    /// that a recording added to `tests/fixtures/august/` is held here without being listed:
    /// whole answers (`get_lock.*`, `get_doorbell.*`, `*_activity*`), the values of the lists
    /// keyed by ids (`get_locks.json`, `get_doorbells.json`), the elements of the PIN lists and
    /// the items of the recorded feed. Every fixture is a template's or in [`NOT_PADDED`],
    /// every entry of [`NOT_PADDED`] is a fixture, and every source gives at least one answer.
    fn recorded_answers() -> Vec<(Shape, String, Value)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/august");
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect();
        names.sort();
        let activity = |v: &Value| Shape::of_activity(v["action"].as_str().unwrap_or(""));
        let mut all = Vec::new();
        let mut not_padded_seen = Vec::new();
        for name in names {
            let v: Value = serde_json::from_str(&test_support::fixture!(&format!("august/{name}")))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let parts: Vec<(Shape, String, Value)> = match name.as_str() {
                "get_locks.json" | "get_doorbells.json" => {
                    let shape = if name == "get_locks.json" {
                        Shape::LockListItem
                    } else {
                        Shape::DoorbellListItem
                    };
                    let map = v.as_object().cloned().unwrap_or_default();
                    map.into_iter()
                        .map(|(id, item)| (shape, format!("{name} {id}"), item))
                        .collect()
                }
                "get_pins.json" => {
                    let lists = v.as_object().cloned().unwrap_or_default();
                    lists
                        .into_iter()
                        .flat_map(|(list, pins)| {
                            let pins = pins.as_array().cloned().unwrap_or_default();
                            pins.into_iter().enumerate().map(move |(i, pin)| {
                                (Shape::Pin, format!("get_pins.json {list}[{i}]"), pin)
                            })
                        })
                        .collect()
                }
                "get_house_activities.json" => {
                    let items = v.as_array().cloned().unwrap_or_default();
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(i, item)| (activity(&item), format!("{name} item {i}"), item))
                        .collect()
                }
                n if n.contains("_activity") => vec![(activity(&v), name.clone(), v)],
                n if n.starts_with("get_lock.") => vec![(Shape::LockDetail, name.clone(), v)],
                n if n.starts_with("get_doorbell.") || n.starts_with("get_doorbell_") => {
                    vec![(Shape::DoorbellDetail, name.clone(), v)]
                }
                n => {
                    assert!(
                        NOT_PADDED.iter().any(|(f, _)| *f == n),
                        "{n}: a recorded answer that is neither a template's nor in NOT_PADDED"
                    );
                    not_padded_seen.push(name.clone());
                    continue;
                }
            };
            assert!(!parts.is_empty(), "{name}: no recorded answer in it");
            all.extend(parts);
        }
        for (file, _) in NOT_PADDED {
            assert!(
                not_padded_seen.iter().any(|seen| seen == file),
                "{file}: listed in NOT_PADDED but no longer recorded"
            );
        }
        all
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

    /// Every key path of `v` (`a.b[].c`, an array by its first element) with its JSON type
    /// ([`json_shape::kind`]), outside the meaningful keys.
    fn key_paths(v: &Value, path: &str, out: &mut Vec<(String, &'static str)>) {
        match v {
            Value::Object(obj) => {
                for (key, sub) in obj {
                    let p = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    if !meaningful(&p) {
                        key_paths(sub, &p, out);
                        out.push((p, json_shape::kind(sub)));
                    }
                }
            }
            Value::Array(items) => {
                if let Some(first) = items.first() {
                    key_paths(first, &format!("{path}[]"), out);
                }
            }
            _ => {}
        }
    }

    /// The key paths of `template` that none of `recorded` has with the same type: keys a
    /// template would add to the answers although no recording of the call has them.
    fn invented(template: &Value, recorded: &[&Value]) -> Vec<String> {
        let mut paths = Vec::new();
        key_paths(template, "", &mut paths);
        let mut seen = Vec::new();
        for r in recorded {
            key_paths(r, "", &mut seen);
        }
        let seen: HashSet<(String, &str)> = seen.into_iter().collect();
        paths
            .into_iter()
            .filter(|p| !seen.contains(p))
            .map(|(path, _)| path)
            .collect()
    }

    #[test]
    fn invented_finds_the_keys_no_recording_has_with_that_type() {
        let template = json!({"a": 1, "b": {"c": "x", "d": true}, "e": [{"f": 1}], "Bridge": {}});
        let one = json!({"a": 2, "b": {"c": "y"}});
        let two = json!({"b": {"d": "not a boolean"}, "e": []});
        assert_eq!(invented(&template, &[&one, &two]), ["b.d", "e[].f"]);
        let three = json!({"b": {"d": false}, "e": [{"f": 0}]});
        assert!(invented(&template, &[&one, &two, &three]).is_empty());
    }

    /// Each template is the union of the recorded answers of its call, the keys the state
    /// decides excepted (they are never taken from a template): every key path of every
    /// recording is in it with the recorded type, and it has no key path (with its type) that
    /// no recording has, so the padding never adds a field the service does not send. The
    /// answers' own test (`tests/fidelity.rs`) holds only the first direction.
    #[test]
    fn every_template_is_the_union_of_its_recorded_answers() {
        let answers = recorded_answers();
        let mut problems = Vec::new();
        for shape in Shape::ALL {
            let template = template(shape);
            assert!(template.is_object(), "template {shape:?}");
            let mine: Vec<&(Shape, String, Value)> =
                answers.iter().filter(|(s, _, _)| *s == shape).collect();
            assert!(!mine.is_empty(), "template {shape:?}: no recorded answer");
            for (_, name, recorded) in &mine {
                let varies = |p: &str| {
                    TYPES_THAT_VARY.iter().any(|(path, kind, _)| {
                        p == *path && json_shape::kind(&template[p]) == *kind
                    })
                };
                let skip = |p: &str| meaningful(p) || varies(p);
                let rules = Rules {
                    skip: &skip,
                    maps: &[],
                };
                for d in json_shape::differences(recorded, template, rules) {
                    problems.push(format!("template {shape:?}: {name}: {d}"));
                }
            }
            let recorded: Vec<&Value> = mine.iter().map(|(_, _, v)| v).collect();
            for p in invented(template, &recorded) {
                problems.push(format!(
                    "template {shape:?}: `{p}` is in no recorded answer"
                ));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
