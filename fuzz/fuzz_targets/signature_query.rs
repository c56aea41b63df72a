//! The OneTouch signature canonicaliser for GET query strings: a signature made over the canonical form always verifies.
#![no_main]

use authy_client::signature::{self, CallbackMethod};

const KEY: &str = "fuzz-key";
const NONCE: &str = "1455825429";
const URL: &str = "https://example.com/callback";

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(canonical) = signature::canonical_query(query) {
        let signed = signature::sign(KEY, NONCE, CallbackMethod::Get, URL, &canonical);
        assert_eq!(
            signature::verify_get(KEY, &signed, NONCE, URL, query).ok(),
            Some(true)
        );
    }
});
