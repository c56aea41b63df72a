//! Every recorded OneTouch signature vector (tests/fixtures/onetouch_callback_*.json and
//! onetouch_signature_*.json) verifies, through every entry point, and any tampering is caught.

use authy_client::signature::{self, CallbackMethod};
use authy_client::{AuthyApiClient, Error, InvalidInput};
use serde_json::Value;

fn fixture_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture_dir().join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string"))
}

/// The callback vectors: one method and one expected signature each.
fn vector_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixture_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| {
            (n.starts_with("onetouch_callback_") || n.starts_with("onetouch_signature_"))
                && n.ends_with(".json")
                && n != "onetouch_signature_python_helper.json"
        })
        .collect();
    names.sort();
    names
}

#[test]
fn there_are_eleven_single_method_vectors() {
    // 8 callbacks recorded by the java and node clients, 3 signature vectors.
    assert_eq!(vector_files().len(), 11, "{:?}", vector_files());
}

#[test]
fn every_vector_gives_its_canonical_string_and_verifies() {
    for name in vector_files() {
        let v = load(&name);
        let method: CallbackMethod = s(&v, "method").parse().unwrap();
        let (key, nonce, url, expected) = (
            s(&v, "api_key"),
            s(&v, "nonce"),
            s(&v, "url"),
            s(&v, "expected_signature"),
        );
        assert_eq!(v["expected_valid"], Value::Bool(true), "{name}");

        let canonical = signature::canonical_params(method, &v["params"]).unwrap();
        assert_eq!(canonical, s(&v, "canonical_params"), "{name}");
        assert_eq!(
            signature::sign(key, nonce, method, url, &canonical),
            expected,
            "{name}"
        );

        // The seed's entry point, with the method as text in any case.
        for m in [method.as_str().to_owned(), method.as_str().to_lowercase()] {
            assert!(
                signature::verify(key, expected, nonce, &m, url, &v["params"]).unwrap(),
                "{name} {m}"
            );
        }

        // The raw-body and raw-query entry points.
        match method {
            CallbackMethod::Post => {
                let body = serde_json::to_vec_pretty(&v["params"]).unwrap();
                assert!(
                    signature::verify_post(key, expected, nonce, url, &body).unwrap(),
                    "{name}"
                );
            }
            CallbackMethod::Get => {
                let query = s(&v, "query");
                assert_eq!(
                    signature::canonical_query(query).unwrap(),
                    canonical,
                    "{name}"
                );
                assert!(
                    signature::verify_get(key, expected, nonce, url, query).unwrap(),
                    "{name}"
                );
                assert!(
                    signature::verify_get(key, expected, nonce, url, &format!("?{query}")).unwrap(),
                    "{name}"
                );
            }
        }

        // Through a client built with the same API key.
        let client = AuthyApiClient::new(key);
        assert!(
            client
                .one_touch()
                .validate_one_touch_signature(expected, nonce, method.as_str(), url, &v["params"])
                .unwrap(),
            "{name}"
        );
    }
}

#[test]
fn tampering_with_any_input_is_rejected() {
    for name in vector_files() {
        let v = load(&name);
        let method = s(&v, "method");
        let (key, nonce, url, expected) = (
            s(&v, "api_key"),
            s(&v, "nonce"),
            s(&v, "url"),
            s(&v, "expected_signature"),
        );
        let params = &v["params"];
        let check = |key: &str, sig: &str, nonce: &str, method: &str, url: &str, p: &Value| {
            signature::verify(key, sig, nonce, method, url, p).unwrap()
        };
        assert!(check(key, expected, nonce, method, url, params), "{name}");

        let other_nonce = format!("{nonce}1");
        assert!(
            !check(key, expected, &other_nonce, method, url, params),
            "{name} nonce"
        );
        let other_method = if method == "GET" { "POST" } else { "GET" };
        assert!(
            !check(key, expected, nonce, other_method, url, params),
            "{name} method"
        );
        let other_url = format!("{url}x");
        assert!(
            !check(key, expected, nonce, method, &other_url, params),
            "{name} url"
        );
        let other_key = format!("{key}x");
        assert!(
            !check(&other_key, expected, nonce, method, url, params),
            "{name} key"
        );

        // Change one parameter value, then add one parameter.
        let mut changed = params.clone();
        let (first_key, first_value) = {
            let map = changed.as_object().unwrap();
            let (k, v) = map
                .iter()
                .find(|(_, v)| v.is_string() || v.is_number())
                .unwrap();
            (k.clone(), v.clone())
        };
        changed[&first_key] = Value::String(format!("{}x", first_value.as_str().unwrap_or("1")));
        assert!(
            !check(key, expected, nonce, method, url, &changed),
            "{name} param"
        );
        let mut added = params.clone();
        added["zz_extra"] = Value::String("1".into());
        assert!(
            !check(key, expected, nonce, method, url, &added),
            "{name} extra param"
        );

        // A different signature, or one of the right form but altered.
        let mut bytes = expected.as_bytes().to_vec();
        bytes[0] = if bytes[0] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(bytes).unwrap();
        assert!(
            !check(key, &altered, nonce, method, url, params),
            "{name} signature"
        );
    }
}

#[test]
fn the_recorded_tampered_signature_fails() {
    let v = load("onetouch_callback_post_nulls_and_empty_objects.json");
    assert_eq!(v["tampered_valid"], Value::Bool(false));
    assert!(
        !signature::verify(
            s(&v, "api_key"),
            s(&v, "tampered_signature"),
            s(&v, "nonce"),
            "POST",
            s(&v, "url"),
            &v["params"],
        )
        .unwrap()
    );
}

#[test]
fn python_helper_vector_verifies_for_post_and_get() {
    let v = load("onetouch_signature_python_helper.json");
    let (key, nonce, url) = (s(&v, "api_key"), s(&v, "nonce"), s(&v, "url"));
    for method in [CallbackMethod::Post, CallbackMethod::Get] {
        let canonical = signature::canonical_params(method, &v["params"]).unwrap();
        assert_eq!(canonical, s(&v, "canonical_params"));
        let expected = v["expected_signature"][method.as_str()].as_str().unwrap();
        assert!(
            signature::verify(key, expected, nonce, method.as_str(), url, &v["params"]).unwrap()
        );
        // The seed's own test values sign an empty parameter string (spec §7.6): they must
        // not pass with the real parameters, and they are indeed the empty-string HMAC.
        let empty = v["python_test_signature_empty_params"][method.as_str()]
            .as_str()
            .unwrap();
        assert!(!signature::verify(key, empty, nonce, method.as_str(), url, &v["params"]).unwrap());
        assert_eq!(signature::sign(key, nonce, method, url, ""), empty);
    }
}

#[test]
fn input_errors_are_typed() {
    let v = load("onetouch_signature_nested.json");
    let client = AuthyApiClient::new(s(&v, "api_key"));
    let one_touch = client.one_touch();
    let err = one_touch
        .validate_one_touch_signature("", "n", "POST", "https://foo.bar/", &v["params"])
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput(InvalidInput::Signature)),
        "{err:?}"
    );
    let err = one_touch
        .validate_post_callback("sig", "n", "https://foo.bar/", b"[1, 2]")
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput(InvalidInput::Params { .. })),
        "{err:?}"
    );
    let err = one_touch
        .validate_get_callback("sig", "", "https://foo.bar/", "a=1")
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput(InvalidInput::Nonce)),
        "{err:?}"
    );
    assert!(
        one_touch
            .validate_post_callback(
                s(&v, "expected_signature"),
                s(&v, "nonce"),
                s(&v, "url"),
                serde_json::to_string(&v["params"]).unwrap().as_bytes(),
            )
            .unwrap()
    );
}

#[test]
fn positions_in_values_are_stripped_as_in_the_reference() {
    // Spec §7.1 step 5 applies to the whole `key=value` strings (py runs its `re.sub` on the
    // joined text), so a message "Order [1]" is signed as `Order+%5B%5D`.
    let params = serde_json::json!({
        "authy_id": "1",
        "status": "approved",
        "approval_request": {"transaction": {
            "message": "Order [1]",
            "details": {"Item": "a[12]b"},
        }},
    });
    let expected = "approval_request%5Btransaction%5D%5Bdetails%5D%5BItem%5D=a%5B%5Db\
                    &approval_request%5Btransaction%5D%5Bmessage%5D=Order+%5B%5D\
                    &authy_id=1&status=approved";
    assert_eq!(
        signature::canonical_params(CallbackMethod::Post, &params).unwrap(),
        expected
    );
    let (key, nonce, url) = ("foobar123", "1512923419", "https://foo.bar/callback");
    let post = signature::sign(key, nonce, CallbackMethod::Post, url, expected);
    assert!(signature::verify(key, &post, nonce, "POST", url, &params).unwrap());
    let body = serde_json::to_vec(&params).unwrap();
    assert!(signature::verify_post(key, &post, nonce, url, &body).unwrap());
    // The query as sent, its values' positions unstripped: stripped when checked.
    let query = "approval_request%5Btransaction%5D%5Bdetails%5D%5BItem%5D=a%5B12%5Db\
                 &approval_request%5Btransaction%5D%5Bmessage%5D=Order+%5B1%5D\
                 &authy_id=1&status=approved";
    let get = signature::sign(key, nonce, CallbackMethod::Get, url, expected);
    assert!(signature::verify_get(key, &get, nonce, url, query).unwrap());
}
