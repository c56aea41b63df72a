//! Property tests of the OneTouch callback signature: the check does not depend on the order
//! in which the callback's parameters arrive (JSON keys of a POST body, pairs of a GET query,
//! array elements excepted), and any changed value makes it fail.

use authy_client::signature::{
    CallbackMethod, canonical_params, canonical_query, sign, verify, verify_get, verify_post,
};
use proptest::prelude::*;
use serde_json::{Map, Value};

const API_KEY: &str = "foobar123";
const NONCE: &str = "1427849783.886085";
const URL: &str = "https://example.com/authy/callback";

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_]{1,8}",
        "[ -~]{0,12}",
        any::<String>(),
        Just("a b&c=d".to_owned()),
        Just("[]".to_owned()),
        Just("%5B0%5D".to_owned()),
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        text().prop_map(Value::String),
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ]
}

/// A callback body: an object of scalars, objects and arrays, a few levels deep.
fn params() -> impl Strategy<Value = Map<String, Value>> {
    let value = scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(text(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    prop::collection::btree_map(text(), value, 1..6).prop_map(|m| m.into_iter().collect())
}

/// Writes `value` as JSON text with every object's keys in an order drawn from `order`
/// (rotated by a different amount at each object), arrays in their order.
fn write_shuffled(value: &Value, order: &mut impl Iterator<Item = usize>, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            if !entries.is_empty() {
                let by = order.next().unwrap_or(0) % entries.len();
                entries.rotate_left(by);
                if order.next().unwrap_or(0) % 2 == 1 {
                    entries.reverse();
                }
            }
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_shuffled(v, order, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_shuffled(v, order, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

fn query(pairs: &[(String, String)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    ser.finish()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_post_body_verifies_whatever_its_key_order(
        params in params(),
        orders in prop::collection::vec(prop::collection::vec(0usize..16, 64), 1..4),
    ) {
        let value = Value::Object(params);
        let canonical = canonical_params(CallbackMethod::Post, &value)
            .unwrap_or_else(|e| panic!("{e}"));
        let signature = sign(API_KEY, NONCE, CallbackMethod::Post, URL, &canonical);
        prop_assert!(verify(API_KEY, &signature, NONCE, "post", URL, &value).unwrap_or(false));
        for order in orders {
            let mut body = String::new();
            write_shuffled(&value, &mut order.into_iter().cycle(), &mut body);
            prop_assert_eq!(
                verify_post(API_KEY, &signature, NONCE, URL, body.as_bytes()).ok(),
                Some(true),
                "{}", body
            );
        }
    }

    #[test]
    fn a_get_query_verifies_whatever_its_pair_order(
        scalars in prop::collection::btree_map("[a-z]{1,6}(\\[[a-z]{1,4}\\])?", text(), 1..6),
        logos in prop::collection::vec(text(), 0..4),
        rotation in any::<usize>(),
        slots in prop::collection::vec(0usize..16, 4),
    ) {
        let scalars: Vec<(String, String)> = scalars.into_iter().collect();
        let array: Vec<(String, String)> = logos
            .into_iter()
            .map(|v| ("approval_request[logos][][url]".to_owned(), v))
            .collect();
        // The order Authy sent: scalars, then the array elements.
        let mut sent = scalars.clone();
        sent.extend(array.iter().cloned());
        // Another order: scalars rotated, array elements spread among them in their order.
        let mut other = scalars.clone();
        let len = other.len();
        other.rotate_left(rotation % len);
        let mut positions: Vec<usize> = slots.iter().take(array.len()).map(|s| s % (len + 1)).collect();
        positions.sort_unstable();
        for (offset, (position, pair)) in positions.into_iter().zip(&array).enumerate() {
            other.insert(position + offset, pair.clone());
        }
        let canonical = canonical_query(&query(&sent)).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(canonical_query(&query(&other)).ok(), Some(canonical.clone()));
        let signature = sign(API_KEY, NONCE, CallbackMethod::Get, URL, &canonical);
        prop_assert_eq!(verify_get(API_KEY, &signature, NONCE, URL, &query(&other)).ok(), Some(true));
        prop_assert_eq!(
            verify_get(API_KEY, &signature, NONCE, URL, &format!("?{}", query(&other))).ok(),
            Some(true)
        );
    }

    #[test]
    fn a_changed_value_fails(params in params(), replacement in text()) {
        let value = Value::Object(params);
        let canonical = canonical_params(CallbackMethod::Post, &value)
            .unwrap_or_else(|e| panic!("{e}"));
        let signature = sign(API_KEY, NONCE, CallbackMethod::Post, URL, &canonical);
        let mut changed = value.clone();
        if let Value::Object(map) = &mut changed {
            let key = format!("extra-{replacement}");
            prop_assume!(!map.contains_key(&key));
            map.insert(key, Value::String(replacement));
        }
        prop_assert_eq!(
            verify(API_KEY, &signature, NONCE, "POST", URL, &changed).ok(),
            Some(false)
        );
        prop_assert_eq!(
            verify(API_KEY, &signature, "another-nonce", "POST", URL, &value).ok(),
            Some(false)
        );
        prop_assert_eq!(
            verify("another-key", &signature, NONCE, "POST", URL, &value).ok(),
            Some(false)
        );
    }
}
