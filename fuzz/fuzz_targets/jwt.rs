//! The JWT expiry reader (`august_auth::access_token_expiry`): the input as a token, and as a payload encoded into one.
#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(token) = std::str::from_utf8(data) {
        let _ = august_auth::access_token_expiry(token);
    }
    let token = format!("e30.{}.c2ln", URL_SAFE_NO_PAD.encode(data));
    if let Some(expiry) = august_auth::access_token_expiry(&token) {
        // Every accepted expiry lies between 1970 and 9999.
        assert!((0..=253_402_300_799).contains(&expiry.timestamp()));
    }
});
