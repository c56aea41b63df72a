//! Holds a JSON value against a recorded one by shape: every key path of the recorded value
//! present with the same JSON type, recursively. The sandbox's fidelity tests hold its answers
//! (and the templates it pads them from) against the recorded answers with it.
//!
//! A key path is written `a.b[].c`: an array's elements are held against the recorded array's
//! first element, and a map keyed by ids (`maps`) has its values held against the recorded
//! map's first value, at `a.*`.

use serde_json::Value;

/// A JSON value's type name: `null`, `boolean`, `number`, `string`, `array` or `object`.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// What a comparison leaves out: key paths not held (with everything under them), and the key
/// paths of maps keyed by ids (`""` for the whole value).
#[derive(Clone, Copy)]
pub struct Rules<'a> {
    /// Whether a key path is left out.
    pub skip: &'a dyn Fn(&str) -> bool,
    /// Key paths of maps keyed by ids.
    pub maps: &'a [&'a str],
}

impl Rules<'_> {
    /// Holds every key path.
    pub const ALL: Rules<'static> = Rules {
        skip: &|_| false,
        maps: &[],
    };
}

/// Every key path of `recorded` missing from `got` or of another type, as messages
/// (`` `a.b` missing ``, `` `a`: fixture has number, sandbox sends string ``).
pub fn differences(recorded: &Value, got: &Value, rules: Rules<'_>) -> Vec<String> {
    let mut out = Vec::new();
    walk(recorded, got, "", rules, &mut out);
    out
}

fn walk(recorded: &Value, got: &Value, path: &str, rules: Rules<'_>, out: &mut Vec<String>) {
    if (rules.skip)(path) {
        return;
    }
    if rules.maps.contains(&path)
        && let (Value::Object(f), Value::Object(g)) = (recorded, got)
    {
        let at = if path.is_empty() {
            "*".to_owned()
        } else {
            format!("{path}.*")
        };
        match (f.values().next(), g.values().next()) {
            (Some(fv), Some(gv)) => walk(fv, gv, &at, rules, out),
            (Some(_), None) => out.push(format!(
                "`{path}`: empty, the fixture's values cannot be held"
            )),
            _ => {}
        }
        return;
    }
    if kind(recorded) != kind(got) {
        out.push(format!(
            "`{path}`: fixture has {}, sandbox sends {}",
            kind(recorded),
            kind(got)
        ));
        return;
    }
    match (recorded, got) {
        (Value::Object(f), Value::Object(g)) => {
            for (key, fv) in f {
                let sub = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match g.get(key) {
                    Some(gv) => walk(fv, gv, &sub, rules, out),
                    None if (rules.skip)(&sub) => {}
                    None => out.push(format!("`{sub}` missing")),
                }
            }
        }
        (Value::Array(f), Value::Array(g)) => {
            if let Some(first) = f.first() {
                match g.first() {
                    Some(gv) => walk(first, gv, &format!("{path}[]"), rules, out),
                    None => out.push(format!(
                        "`{path}`: empty, the fixture's elements cannot be held"
                    )),
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_comparison_catches_a_missing_key_a_type_change_and_an_empty_list() {
        let fx = json!({"a": 1, "b": {"c": "x", "d": null}, "e": [{"f": true}]});
        assert_eq!(
            differences(
                &fx,
                &json!({"a": "1", "b": {"d": null}, "e": []}),
                Rules::ALL
            ),
            [
                "`a`: fixture has number, sandbox sends string",
                "`b.c` missing",
                "`e`: empty, the fixture's elements cannot be held",
            ]
        );
        let skip_bd = |p: &str| p == "b.d";
        let out = differences(
            &fx,
            &json!({"a": 2.5, "b": {"c": "y", "d": 1}, "e": [{"f": false, "g": 0}]}),
            Rules {
                skip: &skip_bd,
                maps: &[],
            },
        );
        assert!(out.is_empty(), "{out:?}");
        assert_eq!(
            differences(
                &fx,
                &json!({"a": 2, "b": {"c": "y", "d": 1}, "e": [{}]}),
                Rules::ALL
            ),
            [
                "`b.d`: fixture has null, sandbox sends number",
                "`e[].f` missing"
            ]
        );
    }

    #[test]
    fn maps_are_held_by_their_first_value() {
        let fx = json!({"users": {"u1": {"name": "a"}}});
        let rules = Rules {
            skip: &|_| false,
            maps: &["users"],
        };
        assert_eq!(
            differences(&fx, &json!({"users": {"u9": {}}}), rules),
            ["`users.*.name` missing"]
        );
        assert_eq!(
            differences(&fx, &json!({"users": {}}), rules),
            ["`users`: empty, the fixture's values cannot be held"]
        );
        assert!(differences(&fx, &json!({"users": {"u9": {"name": "b"}}}), rules).is_empty());
    }
}
