//! The OneTouch callback signature check (spec §7), usable without a client.
//!
//! When a user answers an approval request, Authy calls the application's callback URL with
//! `X-Authy-Signature` (Base64 of an HMAC-SHA256) and `X-Authy-Signature-Nonce`. The signed text
//! is `nonce|METHOD|url|parameters`, where the parameters are flattened (`a[b][c]`, array
//! positions as `[]`), encoded (`A-Z a-z 0-9 - . _ ~` kept, space as `+`, every other byte as
//! upper-case `%XX`), and sorted. The key is the application's API key.
//!
//! [`verify`] mirrors the seed's `validate_one_touch_signature`; [`verify_post`] takes the raw
//! POST body and [`verify_get`] the raw GET query string. A wrong signature is `Ok(false)`;
//! missing inputs are [`InvalidInput`] errors. The comparison runs in constant time.
//!
//! ```
//! use authy_client::signature;
//!
//! let params = serde_json::json!({"b": "val|ue&2", "a": "value1"});
//! let url = "https://api.authy.com/dashboard/json/application/webhooks";
//! let valid = signature::verify(
//!     "foobar123",
//!     "4f9676D/+BzsEq8NzF0fXpv7qETnzJUW/4YGe7p0EPM=",
//!     "1427849783.886085",
//!     "POST",
//!     url,
//!     &params,
//! )?;
//! assert!(valid);
//! # Ok::<(), authy_client::Error>(())
//! ```

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::error::{Error, InvalidInput};

type HmacSha256 = Hmac<Sha256>;

/// Width to which array positions are zero-padded for sorting, so that `[10]` sorts after
/// `[9]`.
const POSITION_WIDTH: usize = 10;

/// The HTTP method of a callback, as configured for OneTouch in the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallbackMethod {
    /// The callback's parameters are in the query string.
    Get,
    /// The callback's parameters are the JSON body.
    Post,
}

impl CallbackMethod {
    /// `GET` or `POST`, as signed.
    pub fn as_str(self) -> &'static str {
        match self {
            CallbackMethod::Get => "GET",
            CallbackMethod::Post => "POST",
        }
    }
}

impl fmt::Display for CallbackMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CallbackMethod {
    type Err = InvalidInput;

    /// `get` or `post` in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("get") {
            Ok(CallbackMethod::Get)
        } else if s.eq_ignore_ascii_case("post") {
            Ok(CallbackMethod::Post)
        } else {
            Err(InvalidInput::Method)
        }
    }
}

/// One part of a flattened key: text written as is (`approval_request`, `[status]`), or an
/// array position (written `[]` once sorted).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Position(usize),
}

#[derive(Debug)]
struct Pair {
    key: Vec<Part>,
    value: String,
}

/// Checks the signature of a callback whose parameters are given as a JSON object (py:
/// `validate_one_touch_signature(signature, nonce, method, url, params)`).
///
/// For `POST`, `params` is the parsed JSON body; for `GET`, the decoded query parameters as a
/// flat object (`{"approval_request[logos][][res]": "default", ...}`). `method` is `GET` or
/// `POST` in any case. `url` is the callback URL as Authy called it; a query or fragment on it
/// is ignored.
///
/// # Errors
///
/// [`Error::InvalidInput`], checked in the seed's order: an empty `signature`
/// ([`InvalidInput::Signature`]), an empty `nonce` ([`InvalidInput::Nonce`]), a `method` other
/// than GET or POST ([`InvalidInput::Method`]), `params` not a non-empty object
/// ([`InvalidInput::Params`]).
pub fn verify(
    api_key: &str,
    signature: &str,
    nonce: &str,
    method: &str,
    url: &str,
    params: &Value,
) -> Result<bool, Error> {
    check_headers(signature, nonce)?;
    let method: CallbackMethod = method.parse()?;
    let canonical = canonical_params(method, params)?;
    Ok(matches(api_key, signature, nonce, method, url, &canonical))
}

/// Checks the signature of a `POST` callback from its raw body.
///
/// # Errors
///
/// [`Error::InvalidInput`]: an empty `signature` or `nonce`, or a body that is not a non-empty
/// JSON object ([`InvalidInput::Params`]).
pub fn verify_post(
    api_key: &str,
    signature: &str,
    nonce: &str,
    url: &str,
    body: &[u8],
) -> Result<bool, Error> {
    check_headers(signature, nonce)?;
    let params: Value = serde_json::from_slice(body).map_err(|e| InvalidInput::Params {
        reason: format!("the body is not JSON ({e})"),
    })?;
    let canonical = canonical_params(CallbackMethod::Post, &params)?;
    Ok(matches(
        api_key,
        signature,
        nonce,
        CallbackMethod::Post,
        url,
        &canonical,
    ))
}

/// Checks the signature of a `GET` callback from its raw query string (with or without the
/// leading `?`).
///
/// # Errors
///
/// [`Error::InvalidInput`]: an empty `signature`, `nonce` or query.
pub fn verify_get(
    api_key: &str,
    signature: &str,
    nonce: &str,
    url: &str,
    query: &str,
) -> Result<bool, Error> {
    check_headers(signature, nonce)?;
    let canonical = canonical_query(query)?;
    Ok(matches(
        api_key,
        signature,
        nonce,
        CallbackMethod::Get,
        url,
        &canonical,
    ))
}

/// The parameter string of spec §7.1 (steps 2 to 6) for parameters given as a JSON object.
///
/// ```
/// use authy_client::signature::{CallbackMethod, canonical_params};
///
/// let params = serde_json::json!({"foo": {"bar": {"biz": "foo bar"}}, "qux": "net"});
/// assert_eq!(
///     canonical_params(CallbackMethod::Post, &params)?,
///     "foo%5Bbar%5D%5Bbiz%5D=foo+bar&qux=net"
/// );
/// # Ok::<(), authy_client::InvalidInput>(())
/// ```
///
/// # Errors
///
/// [`InvalidInput::Params`] unless `params` is a non-empty JSON object.
pub fn canonical_params(method: CallbackMethod, params: &Value) -> Result<String, InvalidInput> {
    let Value::Object(map) = params else {
        return Err(InvalidInput::Params {
            reason: "they must be a JSON object".into(),
        });
    };
    if map.is_empty() {
        return Err(InvalidInput::Params {
            reason: "they are empty".into(),
        });
    }
    let mut pairs = Vec::new();
    flatten(params, &mut Vec::new(), &mut pairs);
    if method == CallbackMethod::Get {
        pairs = renumber(pairs);
    }
    Ok(join(pairs))
}

/// The parameter string of spec §7.1 for a raw GET query string: decoded (`+` is a space),
/// repeated `[]` keys numbered in order, then encoded and sorted like a POST body.
///
/// # Errors
///
/// [`InvalidInput::Params`] if the query is empty.
pub fn canonical_query(query: &str) -> Result<String, InvalidInput> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let pairs: Vec<Pair> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| Pair {
            key: vec![Part::Text(k.into_owned())],
            value: v.into_owned(),
        })
        .collect();
    if pairs.is_empty() {
        return Err(InvalidInput::Params {
            reason: "the query string is empty".into(),
        });
    }
    Ok(join(renumber(pairs)))
}

/// The signature Authy sends for these inputs: Base64 of HMAC-SHA256 over
/// `nonce|METHOD|url|canonical_params`, keyed with the API key. Useful to test a callback
/// handler; `canonical_params` comes from [`canonical_params`] or [`canonical_query`].
pub fn sign(
    api_key: &str,
    nonce: &str,
    method: CallbackMethod,
    url: &str,
    canonical_params: &str,
) -> String {
    BASE64.encode(
        mac(api_key, nonce, method, url, canonical_params)
            .finalize()
            .into_bytes(),
    )
}

fn check_headers(signature: &str, nonce: &str) -> Result<(), InvalidInput> {
    if signature.trim().is_empty() {
        return Err(InvalidInput::Signature);
    }
    if nonce.trim().is_empty() {
        return Err(InvalidInput::Nonce);
    }
    Ok(())
}

fn mac(api_key: &str, nonce: &str, method: CallbackMethod, url: &str, params: &str) -> HmacSha256 {
    let mut mac = match HmacSha256::new_from_slice(api_key.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length.
        Err(_) => unreachable!("hmac accepts keys of any length"),
    };
    let url = url.split(['?', '#']).next().unwrap_or("");
    for part in [nonce, "|", method.as_str(), "|", url, "|", params] {
        mac.update(part.as_bytes());
    }
    mac
}

/// Compares in constant time (`verify_slice` uses `subtle`).
fn matches(
    api_key: &str,
    signature: &str,
    nonce: &str,
    method: CallbackMethod,
    url: &str,
    params: &str,
) -> bool {
    let Ok(given) = BASE64.decode(signature.trim()) else {
        return false;
    };
    mac(api_key, nonce, method, url, params)
        .verify_slice(&given)
        .is_ok()
}

/// Step 2: `k`, `p[c]` for object children, `p[i]` for array elements; empty objects and arrays
/// give nothing; `null` is empty text, booleans `true`/`false`, numbers their decimal text.
fn flatten(value: &Value, prefix: &mut Vec<Part>, out: &mut Vec<Pair>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let part = if prefix.is_empty() {
                    Part::Text(k.clone())
                } else {
                    Part::Text(format!("[{k}]"))
                };
                prefix.push(part);
                flatten(v, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                prefix.push(Part::Position(i));
                flatten(v, prefix, out);
                prefix.pop();
            }
        }
        scalar => out.push(Pair {
            key: prefix.clone(),
            value: match scalar {
                Value::Null => String::new(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                Value::String(s) => s.clone(),
                // Objects and arrays are handled above.
                Value::Object(_) | Value::Array(_) => String::new(),
            },
        }),
    }
}

/// GET keys arrive bracketed (`a[logos][][res]`): each `[]` becomes the position given by how
/// many times the same full key was seen before, so array elements keep their order.
fn renumber(pairs: Vec<Pair>) -> Vec<Pair> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    pairs
        .into_iter()
        .map(|pair| {
            let raw = render_raw(&pair.key);
            let count = seen.entry(raw).or_insert(0);
            let position = *count;
            *count += 1;
            let mut key = Vec::new();
            for part in pair.key {
                match part {
                    Part::Text(text) => {
                        for (i, piece) in text.split("[]").enumerate() {
                            if i > 0 {
                                key.push(Part::Position(position));
                            }
                            if !piece.is_empty() {
                                key.push(Part::Text(piece.to_owned()));
                            }
                        }
                    }
                    position @ Part::Position(_) => key.push(position),
                }
            }
            Pair {
                key,
                value: pair.value,
            }
        })
        .collect()
}

fn render_raw(key: &[Part]) -> String {
    key.iter()
        .map(|p| match p {
            Part::Text(t) => t.clone(),
            Part::Position(i) => format!("[{i}]"),
        })
        .collect()
}

/// Steps 3 to 6: encode, sort with zero-padded positions, write positions as `[]` (and any
/// `%5B<digits>%5D` in keys and values as `%5B%5D`, as py rewrites the whole string), join.
fn join(pairs: Vec<Pair>) -> String {
    let mut entries: Vec<(String, String)> = pairs
        .iter()
        .map(|pair| {
            let value = encode(&pair.value);
            let mut sort_key = String::new();
            let mut key = String::new();
            for part in &pair.key {
                match part {
                    Part::Text(t) => {
                        let encoded = encode(t);
                        sort_key.push_str(&encoded);
                        key.push_str(&strip_positions(&encoded));
                    }
                    Part::Position(i) => {
                        sort_key.push_str(&format!("%5B{i:0POSITION_WIDTH$}%5D"));
                        key.push_str("%5B%5D");
                    }
                }
            }
            let entry = format!("{key}={}", strip_positions(&value));
            (format!("{sort_key}={value}"), entry)
        })
        .collect();
    entries.sort();
    entries
        .into_iter()
        .map(|(_, entry)| entry)
        .collect::<Vec<_>>()
        .join("&")
}

/// Step 3: bytes of the UTF-8 text; `A-Z a-z 0-9 - . _ ~` kept, space as `+`, every other byte
/// as `%XX` in upper case.
fn encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0x0F)]));
            }
        }
    }
    out
}

/// Step 5 on encoded text: `%5B<digits>%5D` becomes `%5B%5D`, as the reference does.
fn strip_positions(encoded: &str) -> String {
    const OPEN: &str = "%5B";
    const CLOSE: &str = "%5D";
    let mut out = String::with_capacity(encoded.len());
    let mut rest = encoded;
    while let Some(start) = rest.find(OPEN) {
        let (before, from_open) = rest.split_at(start);
        out.push_str(before);
        let after_open = &from_open[OPEN.len()..];
        let digits = after_open.bytes().take_while(u8::is_ascii_digit).count();
        if after_open[digits..].starts_with(CLOSE) {
            out.push_str(OPEN);
            out.push_str(CLOSE);
            rest = &after_open[digits + CLOSE.len()..];
        } else {
            out.push_str(OPEN);
            rest = after_open;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const URL: &str = "https://api.authy.com/dashboard/json/application/webhooks";

    #[test]
    fn encoding_follows_step_3() {
        assert_eq!(encode("a~b*c"), "a~b%2Ac");
        assert_eq!(encode("a b"), "a+b");
        assert_eq!(encode("[x]/|&,"), "%5Bx%5D%2F%7C%26%2C");
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(encode("AZaz09-._"), "AZaz09-._");
    }

    #[test]
    fn positions_are_stripped_only_when_digits() {
        assert_eq!(strip_positions("a%5B12%5D%5Bres%5D"), "a%5B%5D%5Bres%5D");
        assert_eq!(strip_positions("a%5B%5D"), "a%5B%5D");
        assert_eq!(strip_positions("a%5Bx1%5D"), "a%5Bx1%5D");
        assert_eq!(strip_positions("%5B"), "%5B");
        assert_eq!(strip_positions("%5B1"), "%5B1");
    }

    #[test]
    fn worked_example_of_the_spec() {
        let params = json!({"b": "val|ue&2", "a": "value1"});
        let canonical = canonical_params(CallbackMethod::Post, &params).unwrap();
        assert_eq!(canonical, "a=value1&b=val%7Cue%262");
        assert_eq!(
            sign(
                "foobar123",
                "1427849783.886085",
                CallbackMethod::Post,
                URL,
                &canonical
            ),
            "4f9676D/+BzsEq8NzF0fXpv7qETnzJUW/4YGe7p0EPM="
        );
        assert_eq!(
            sign(
                "foobar123",
                "1427849783.886085",
                CallbackMethod::Get,
                URL,
                &canonical
            ),
            "W+RlOV+lGi1EA9jaT1X5hL1aJFAuTRwnHuQhCp2tAxI="
        );
    }

    #[test]
    fn arrays_keep_element_order_beyond_nine() {
        let items: Vec<Value> = (0..12).map(|i| json!({"n": i.to_string()})).collect();
        let canonical = canonical_params(CallbackMethod::Post, &json!({"l": items})).unwrap();
        let values: Vec<&str> = canonical
            .split('&')
            .map(|e| e.rsplit('=').next().unwrap())
            .collect();
        let expected: Vec<String> = (0..12).map(|i| i.to_string()).collect();
        assert_eq!(values, expected);
        assert!(canonical.starts_with("l%5B%5D%5Bn%5D=0&l%5B%5D%5Bn%5D=1&"));
    }

    #[test]
    fn get_query_arrays_are_numbered_per_key() {
        let q = "a%5Bl%5D%5B%5D%5Bres%5D=low&a%5Bl%5D%5B%5D%5Burl%5D=u1&a%5Bl%5D%5B%5D%5Bres%5D=default&a%5Bl%5D%5B%5D%5Burl%5D=u2";
        assert_eq!(
            canonical_query(q).unwrap(),
            "a%5Bl%5D%5B%5D%5Bres%5D=low&a%5Bl%5D%5B%5D%5Burl%5D=u1&a%5Bl%5D%5B%5D%5Bres%5D=default&a%5Bl%5D%5B%5D%5Burl%5D=u2"
        );
        assert_eq!(canonical_query("?b=1&a=x+y").unwrap(), "a=x+y&b=1");
        assert!(matches!(
            canonical_query(""),
            Err(InvalidInput::Params { .. })
        ));
    }

    #[test]
    fn inputs_are_checked_in_the_seed_order() {
        let p = json!({"a": "1"});
        let input = |r: Result<bool, Error>| match r {
            Err(Error::InvalidInput(e)) => e,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            input(verify("k", "", "", "x", URL, &json!(null))),
            InvalidInput::Signature
        );
        assert_eq!(
            input(verify("k", "s", " ", "x", URL, &json!(null))),
            InvalidInput::Nonce
        );
        assert_eq!(
            input(verify("k", "s", "n", "PUT", URL, &json!(null))),
            InvalidInput::Method
        );
        assert!(matches!(
            input(verify("k", "s", "n", "post", URL, &json!({}))),
            InvalidInput::Params { .. }
        ));
        assert!(matches!(
            input(verify("k", "s", "n", "get", URL, &json!(["a"]))),
            InvalidInput::Params { .. }
        ));
        assert!(matches!(
            input(verify_post("k", "s", "n", URL, b"<html>")),
            InvalidInput::Params { .. }
        ));
        // Well-formed inputs with a wrong or non-Base64 signature are simply not valid.
        assert!(!verify("k", "s", "n", "post", URL, &p).unwrap());
        assert!(!verify("k", "AAAA", "n", "post", URL, &p).unwrap());
    }

    #[test]
    fn lower_case_method_and_query_on_the_url_are_normalised() {
        let params = json!({"b": "val|ue&2", "a": "value1"});
        let sig = "4f9676D/+BzsEq8NzF0fXpv7qETnzJUW/4YGe7p0EPM=";
        let nonce = "1427849783.886085";
        assert!(verify("foobar123", sig, nonce, "post", URL, &params).unwrap());
        let with_query = format!("{URL}?x=1");
        assert!(verify("foobar123", sig, nonce, "POST", &with_query, &params).unwrap());
        assert!(
            verify(
                "foobar123",
                &format!(" {sig} "),
                nonce,
                "POST",
                URL,
                &params
            )
            .unwrap()
        );
    }
}
