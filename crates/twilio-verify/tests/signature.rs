//! `X-Twilio-Signature`: the vectors of `tests/fixtures/webhook_signature_vectors.json`
//! (Twilio's own from twilio-python's tests, and ones computed for the spec).

use serde_json::Value;
use twilio_verify::signature::{RequestValidator, body_sha256};

fn vectors() -> Vec<Value> {
    let path = format!(
        "{}/tests/fixtures/webhook_signature_vectors.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let v: Value = serde_json::from_str(&text).unwrap();
    v["vectors"].as_array().unwrap().clone()
}

fn vector(name: &str) -> Value {
    vectors()
        .into_iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no vector {name}"))
}

fn params(v: &Value) -> Vec<(String, String)> {
    if let Some(multi) = v["params_multi"].as_array() {
        return multi
            .iter()
            .map(|p| {
                (
                    p[0].as_str().unwrap().to_owned(),
                    p[1].as_str().unwrap().to_owned(),
                )
            })
            .collect();
    }
    v["params"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

fn refs(p: &[(String, String)]) -> Vec<(&str, &str)> {
    p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[test]
fn every_form_vector_computes_and_validates() {
    let mut checked = 0;
    for v in vectors() {
        if v.get("body").is_some() {
            continue;
        }
        let validator = RequestValidator::new(v["auth_token"].as_str().unwrap());
        let url = v["url"].as_str().unwrap();
        let p = params(&v);
        let expected = v["expected_signature"].as_str().unwrap();
        assert_eq!(
            validator.compute_signature(url, &refs(&p)),
            expected,
            "{}",
            v["name"]
        );
        assert_eq!(
            validator.validate(url, &refs(&p), expected),
            v["expected_valid"].as_bool().unwrap(),
            "{}",
            v["name"]
        );
        checked += 1;
    }
    assert_eq!(checked, 3);
}

#[test]
fn the_order_of_the_parameters_does_not_matter() {
    let v = vector("twilio_python_repeated_keys");
    let validator = RequestValidator::new("12345");
    let url = v["url"].as_str().unwrap();
    let mut p = params(&v);
    p.reverse();
    assert!(validator.validate(url, &refs(&p), "IK+Dwps556ElfBT0I3Rgjkr1wJU="));
}

#[test]
fn verify_push_webhook_with_port_and_tampering() {
    let v = vector("verify_push_webhook_form");
    let validator = RequestValidator::new(v["auth_token"].as_str().unwrap());
    let url = v["url"].as_str().unwrap();
    let p = params(&v);
    let with_port = v["signature_of_url_with_port_443"].as_str().unwrap();
    assert!(validator.validate(url, &refs(&p), with_port));
    assert_eq!(
        validator.compute_signature("https://example.com:443/verify/webhook?tenant=1", &refs(&p)),
        with_port
    );
    // The same check from the raw form body.
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(p.iter())
        .finish();
    assert!(validator.validate_form_body(url, body.as_bytes(), "BHFyiCm8SH7NPHj+bqZTatz19p0="));
    // A tampered parameter is refused.
    let tampered: Vec<(String, String)> = p
        .iter()
        .map(|(k, val)| {
            if k == "type" {
                (
                    k.clone(),
                    v["tampered_params_type"].as_str().unwrap().to_owned(),
                )
            } else {
                (k.clone(), val.clone())
            }
        })
        .collect();
    assert!(!validator.validate(url, &refs(&tampered), "BHFyiCm8SH7NPHj+bqZTatz19p0="));
    assert_eq!(
        validator.compute_signature(url, &refs(&tampered)),
        v["tampered_signature_for_reference"].as_str().unwrap()
    );
    // Another token, another URL: refused.
    assert!(!RequestValidator::new("wrong").validate(
        url,
        &refs(&p),
        "BHFyiCm8SH7NPHj+bqZTatz19p0="
    ));
    assert!(!validator.validate(
        "https://example.com/verify/webhook?tenant=2",
        &refs(&p),
        "BHFyiCm8SH7NPHj+bqZTatz19p0="
    ));
}

#[test]
fn json_body_with_body_sha256() {
    let v = vector("json_body_with_bodySHA256");
    let validator = RequestValidator::new(v["auth_token"].as_str().unwrap());
    let url = v["url"].as_str().unwrap();
    let body = v["body"].as_str().unwrap();
    let expected = v["expected_signature"].as_str().unwrap();
    assert_eq!(
        body_sha256(body.as_bytes()),
        v["body_sha256_hex"].as_str().unwrap()
    );
    assert_eq!(validator.compute_signature(url, &[]), expected);
    assert!(validator.validate_body(url, body.as_bytes(), expected));
    // Another body with the same URL and signature is refused.
    assert!(!validator.validate_body(url, b"{\"type\":\"challenge.denied\"}", expected));
    // No bodySHA256 in the URL: refused.
    assert!(!validator.validate_body(
        "https://example.com/verify/webhook",
        body.as_bytes(),
        expected
    ));
}
