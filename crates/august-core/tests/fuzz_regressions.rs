//! Inputs found by the fuzz targets of `fuzz/` that once broke a promise, kept as tests.
//!
//! `fuzz/artifacts/<target>/` holds what a run finds; each input that failed is copied to
//! `tests/fuzz_regressions/` under a name that says what it exercises, and checked here the
//! way its target checks it.

use august_core::{Activity, ActivityFeed};
use serde_json::Value;

fn input(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fuzz_regressions/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A feed parses to activities exactly when it parses to a `Value`, and then every activity's
/// `raw()` is its entry and reads back to the same activity (the `activity_feed` target).
fn check_feed(bytes: &[u8]) {
    let value = serde_json::from_slice::<Value>(bytes);
    let feed = serde_json::from_slice::<ActivityFeed>(bytes);
    match (&value, &feed) {
        (Ok(Value::Array(entries)), Ok(feed)) => {
            assert_eq!(entries.len(), feed.as_slice().len());
            for (entry, activity) in entries.iter().zip(feed.as_slice()) {
                assert_eq!(activity.raw(), entry);
                assert_eq!(&Activity::from(entry.clone()), activity);
            }
        }
        (Err(_), Err(_)) => {}
        _ => panic!(
            "a Value reads {:?} but the feed reads {:?}",
            value.as_ref().map(|_| ()),
            feed.as_ref().map(|_| ())
        ),
    }
}

/// An entry with a number beyond `f64` (`605.555615e5555…`) in a key the activity does not
/// read: the entry's text was kept, but `raw()` could not make a `Value` of it and gave `null`.
/// The feed is now refused, as a `Value` refuses it.
#[test]
fn activity_feed_number_out_of_range() {
    let bytes = input("activity_feed_number_out_of_range.json");
    check_feed(&bytes);
    let error = serde_json::from_slice::<ActivityFeed>(&bytes)
        .err()
        .unwrap_or_else(|| panic!("a number out of range was read"));
    assert!(
        error.to_string().starts_with("number out of range"),
        "{error}"
    );
}

/// The same checks on what else a `Value` refuses and skipping without reading could let
/// through, in read and unread keys alike.
#[test]
fn activity_feed_values_a_value_refuses() {
    for text in [
        r#"[{"action": "lock", "other": 1e400}]"#,
        r#"[{"action": "lock", "dateTime": -1e400}]"#,
        r#"[{"action": "lock", "other": ["\ud800"]}]"#,
        r#"[{"action": "lock", "deviceID": "\udc00x"}]"#,
        r#"[{"action": "lock", "info": {"remote": 1e999}}]"#,
        r#"[{"action": "lock", "other": {"\ud800": 1}}]"#,
        r#"[{"action": "lock", "other": "\ud83d\ude00"}]"#,
        r#"[{"action": "lock", "other": 1e308}]"#,
    ] {
        check_feed(text.as_bytes());
    }
    // The keys of a feed object beside `events` are checked too.
    for text in [
        r#"{"events": [{"action": "lock"}], "next": 1e400}"#,
        r#"{"next": "\ud800", "events": []}"#,
    ] {
        assert!(serde_json::from_str::<Value>(text).is_err());
        assert!(
            serde_json::from_str::<ActivityFeed>(text).is_err(),
            "{text}"
        );
    }
}
