//! The signatures of what the sandbox posts: the OneTouch callback's `X-Authy-Signature`, as
//! Authy computes it, and the Verify webhooks' `X-Twilio-Signature`, as Twilio does.
//!
//! OneTouch: signed text = `nonce|METHOD|url|params`, where `params` is the callback's parameters
//! flattened to `key[child][0]=value` pairs, each key and value encoded (unreserved bytes kept,
//! space as `+`, the rest `%XX` upper case), sorted, array positions stripped to `[]`, and joined
//! with `&`. The signature is the standard base64 of HMAC-SHA256(API key, signed text).
//!
//! Verify: signed text = the URL called (query included), then for each parameter name in
//! sorted order, for each of its values sorted without duplicates, `name` + `value` (no
//! separator, no encoding). The signature is the standard base64 of HMAC-SHA1(auth token,
//! signed text).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha1::Sha1;
use sha2::Sha256;

/// Computes `X-Authy-Signature` for a callback.
pub(crate) fn sign(api_key: &str, nonce: &str, method: &str, url: &str, params: &Value) -> String {
    let url = url.split(['?', '#']).next().unwrap_or(url);
    let text = format!(
        "{nonce}|{}|{url}|{}",
        method.to_ascii_uppercase(),
        canonical_params(params)
    );
    base64_mac::<Hmac<Sha256>>(api_key, [text.as_bytes()])
}

/// Computes `X-Twilio-Signature` for a form posted to `url`.
pub(crate) fn sign_twilio(auth_token: &str, url: &str, params: &[(&str, &str)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let pairs = sorted
        .into_iter()
        .flat_map(|(name, value)| [name.as_bytes(), value.as_bytes()]);
    base64_mac::<Hmac<Sha1>>(auth_token, std::iter::once(url.as_bytes()).chain(pairs))
}

/// The standard base64 of the MAC `M`, keyed with `key`, of `parts` one after the other.
fn base64_mac<'a, M: Mac + KeyInit>(
    key: &str,
    parts: impl IntoIterator<Item = &'a [u8]>,
) -> String {
    match <M as KeyInit>::new_from_slice(key.as_bytes()) {
        Ok(mut mac) => {
            for part in parts {
                mac.update(part);
            }
            STANDARD.encode(mac.finalize().into_bytes())
        }
        // HMAC takes keys of any length.
        Err(_) => String::new(),
    }
}

/// The parameter string of the signed text.
pub(crate) fn canonical_params(params: &Value) -> String {
    let mut pairs = Vec::new();
    flatten(None, params, &mut pairs);
    let mut encoded: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| {
            let pair = format!("{}={}", encode(k), encode(v));
            (padded_positions(&pair), pair)
        })
        .collect();
    encoded.sort();
    encoded
        .into_iter()
        .map(|(_, pair)| strip_positions(&pair))
        .collect::<Vec<_>>()
        .join("&")
}

fn flatten(prefix: Option<&str>, value: &Value, out: &mut Vec<(String, String)>) {
    let child_key = |child: &str| match prefix {
        Some(p) => format!("{p}[{child}]"),
        None => child.to_owned(),
    };
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                flatten(Some(&child_key(k)), v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(Some(&child_key(&i.to_string())), v, out);
            }
        }
        scalar => {
            if let Some(p) = prefix {
                let text = match scalar {
                    Value::Null => String::new(),
                    Value::Bool(b) => b.to_string(),
                    Value::Number(n) => n.to_string(),
                    Value::String(s) => s.clone(),
                    Value::Object(_) | Value::Array(_) => String::new(),
                };
                out.push((p.to_owned(), text));
            }
        }
    }
}

/// Keeps `A-Z a-z 0-9 - . _ ~`, turns a space into `+` and every other byte into `%XX`.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Rewrites each `%5B<digits>%5D` with `f`.
fn map_positions(text: &str, f: impl Fn(&str) -> String) -> String {
    const OPEN: &str = "%5B";
    const CLOSE: &str = "%5D";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        let (before, from_open) = rest.split_at(start);
        out.push_str(before);
        let after_open = &from_open[OPEN.len()..];
        let digits_len = after_open.bytes().take_while(u8::is_ascii_digit).count();
        let (digits, tail) = after_open.split_at(digits_len);
        if digits_len > 0 && tail.starts_with(CLOSE) {
            out.push_str(&f(digits));
            rest = &tail[CLOSE.len()..];
        } else {
            out.push_str(OPEN);
            rest = after_open;
        }
    }
    out.push_str(rest);
    out
}

fn padded_positions(text: &str) -> String {
    map_positions(text, |d| format!("%5B{d:0>10}%5D"))
}

fn strip_positions(text: &str) -> String {
    map_positions(text, |_| "%5B%5D".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &[&str] = &[
        include_str!("../../authy-client/tests/fixtures/onetouch_callback_post_approved.json"),
        include_str!(
            "../../authy-client/tests/fixtures/onetouch_callback_post_approved_unlock_methods.json"
        ),
        include_str!(
            "../../authy-client/tests/fixtures/onetouch_callback_post_denied_details.json"
        ),
        include_str!(
            "../../authy-client/tests/fixtures/onetouch_callback_post_approved_details_logos.json"
        ),
        include_str!("../../authy-client/tests/fixtures/onetouch_signature_nested.json"),
        include_str!("../../authy-client/tests/fixtures/onetouch_signature_nested_space.json"),
        include_str!("../../authy-client/tests/fixtures/onetouch_signature_edge_cases.json"),
    ];

    #[test]
    fn reproduces_the_recorded_post_signatures() {
        for text in FIXTURES {
            let f: Value = serde_json::from_str(text).unwrap();
            let params = &f["params"];
            assert_eq!(
                canonical_params(params),
                f["canonical_params"].as_str().unwrap(),
                "canonical params of {}",
                f["nonce"]
            );
            let sig = sign(
                f["api_key"].as_str().unwrap(),
                f["nonce"].as_str().unwrap(),
                f["method"].as_str().unwrap(),
                f["url"].as_str().unwrap(),
                params,
            );
            assert_eq!(sig, f["expected_signature"].as_str().unwrap());
        }
    }

    #[test]
    fn worked_example_of_the_webhooks_doc() {
        let params = serde_json::json!({"b": "val|ue&2", "a": "value1"});
        assert_eq!(canonical_params(&params), "a=value1&b=val%7Cue%262");
        let url = "https://api.authy.com/dashboard/json/application/webhooks";
        assert_eq!(
            sign("foobar123", "1427849783.886085", "POST", url, &params),
            "4f9676D/+BzsEq8NzF0fXpv7qETnzJUW/4YGe7p0EPM="
        );
        assert_eq!(
            sign("foobar123", "1427849783.886085", "get", url, &params),
            "W+RlOV+lGi1EA9jaT1X5hL1aJFAuTRwnHuQhCp2tAxI="
        );
    }

    #[test]
    fn reproduces_the_twilio_signature_vectors() {
        let text =
            include_str!("../../twilio-verify/tests/fixtures/webhook_signature_vectors.json");
        let fixture: Value = serde_json::from_str(text).unwrap();
        let mut checked = 0;
        for v in fixture["vectors"].as_array().unwrap() {
            // Form vectors only, and those a signature was computed for (not the refused ones).
            if v["expected_valid"] != true || v.get("body").is_some() {
                continue;
            }
            let pairs: Vec<(String, String)> = match v["params_multi"].as_array() {
                Some(multi) => multi
                    .iter()
                    .map(|p| (p[0].as_str().unwrap().into(), p[1].as_str().unwrap().into()))
                    .collect(),
                None => v["params"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().into()))
                    .collect(),
            };
            let params: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let signature = sign_twilio(
                v["auth_token"].as_str().unwrap(),
                v["url"].as_str().unwrap(),
                &params,
            );
            assert_eq!(
                signature,
                v["expected_signature"].as_str().unwrap(),
                "{}",
                v["name"]
            );
            checked += 1;
        }
        assert!(checked >= 3, "{checked} vectors");
    }

    #[test]
    fn positions_sort_numerically_beyond_nine() {
        let items: Vec<Value> = (0..12).map(|i| Value::from(format!("v{i}"))).collect();
        let params = serde_json::json!({ "a": items });
        let canonical = canonical_params(&params);
        let values: Vec<&str> = canonical
            .split('&')
            .map(|p| p.split_once('=').unwrap().1)
            .collect();
        let expected: Vec<String> = (0..12).map(|i| format!("v{i}")).collect();
        assert_eq!(values, expected);
        assert!(canonical.starts_with("a%5B%5D=v0&"));
    }
}
