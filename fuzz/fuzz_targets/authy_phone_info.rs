//! The Authy `PhoneInfo` response reader.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = august_fuzz::parse::<authy_client::PhoneInfo>(data);
});
