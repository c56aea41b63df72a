//! The OneTouch signature canonicaliser for JSON parameters (POST bodies, and GET parameters given as an object): a signature made over the canonical form always verifies.
#![no_main]

use authy_client::signature::{self, CallbackMethod};

const KEY: &str = "fuzz-key";
const NONCE: &str = "1455825429";
const URL: &str = "https://example.com/callback";

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(params) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    for method in [CallbackMethod::Post, CallbackMethod::Get] {
        if let Ok(canonical) = signature::canonical_params(method, &params) {
            let signed = signature::sign(KEY, NONCE, method, URL, &canonical);
            let valid = signature::verify(KEY, &signed, NONCE, method.as_str(), URL, &params);
            assert_eq!(valid.ok(), Some(true));
        }
    }
    if let Ok(canonical) = signature::canonical_params(CallbackMethod::Post, &params) {
        let signed = signature::sign(KEY, NONCE, CallbackMethod::Post, URL, &canonical);
        assert_eq!(
            signature::verify_post(KEY, &signed, NONCE, URL, data).ok(),
            Some(true)
        );
    }
});
