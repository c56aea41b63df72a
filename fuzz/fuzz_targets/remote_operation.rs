//! The answer to a remote lock operation (`PUT /remoteoperate/{id}/...`) and its status response.
#![no_main]

use august_core::{LockStatusResponse, RemoteOperationResult};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(result) = august_fuzz::parse::<RemoteOperationResult>(data) {
        let _ = result.status();
        let _ = result.activities();
    }
    let _ = august_fuzz::parse::<LockStatusResponse>(data);
});
