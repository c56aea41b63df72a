//! The token cache file reader (`august_auth::parse_cache_file`).
#![no_main]

use std::path::Path;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    match august_auth::parse_cache_file(Path::new("auth.json"), data) {
        Ok(authentication) => {
            let _ = (
                authentication.parsed_expiry(),
                format!("{authentication:?}"),
            );
        }
        Err(e) => {
            let _ = (e.to_string(), format!("{e:?}"));
        }
    }
});
