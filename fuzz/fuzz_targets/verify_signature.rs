//! The `X-Twilio-Signature` check: the input is a URL and a form body (split at the first newline); a signature made over the URL and the body's parameters verifies, and a JSON body signed through `bodySHA256` verifies.
#![no_main]

use twilio_verify::signature::{RequestValidator, body_sha256};

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let validator = RequestValidator::new(TOKEN);
    let (url, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let url = String::from_utf8_lossy(url);

    // A form body: the signature over its parameters, however they repeat or are encoded.
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let params: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let signature = validator.compute_signature(&url, &params);
    assert!(validator.validate(&url, &params, &signature));
    assert!(validator.validate_form_body(&url, body, &signature));

    // A JSON (or any) body: never panics, whatever the URL and the signature.
    let _ = validator.validate_body(&url, body, &signature);
    let _ = validator.validate_body(&url, body, "");
    let _ = validator.validate_body(&url, body, &String::from_utf8_lossy(body));

    // Signed as Twilio signs it: `bodySHA256` added to a URL that has none and no fragment.
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let has_hash = form_urlencoded::parse(query.as_bytes()).any(|(k, _)| k == "bodySHA256");
    if !url.contains('#') && !has_hash {
        let separator = if url.contains('?') { '&' } else { '?' };
        let signed_url = format!("{url}{separator}bodySHA256={}", body_sha256(body));
        let signature = validator.compute_signature(&signed_url, &[]);
        assert!(validator.validate_body(&signed_url, body, &signature));
    }
});
