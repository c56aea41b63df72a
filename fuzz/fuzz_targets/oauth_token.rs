//! OAuth token answers through the real `OAuthClient` against a local stub: a code exchange and a refresh (picked by the second byte, which also picks the content type), with any status and body; and the body read as a redirect, `STATE` standing for the request's state.
#![no_main]

use august_auth::{AuthorizationCode, OAuthClient, OAuthError, OAuthTokens};
use august_core::Brand;
use august_fuzz::{Answer, Stub};
use std::sync::OnceLock;
use std::time::Duration;

const REFRESH_TOKEN: &str = "fuzz-refresh-token";

fn client() -> &'static OAuthClient {
    static CLIENT: OnceLock<OAuthClient> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let url = Stub::get().url();
        OAuthClient::with_endpoints(
            Brand::YaleGlobal,
            "fuzz-client-id",
            "fuzz-client-secret",
            "http://127.0.0.1:1/callback",
            format!("{url}/oauth/authorize"),
            format!("{url}/oauth/token"),
        )
        .expect("loopback endpoints are accepted")
        .timeout(Duration::from_secs(5))
    })
}

fn show_error(e: &OAuthError) {
    let _ = (
        e.to_string(),
        format!("{e:?}"),
        e.kind(),
        e.code().map(|c| format!("{c:?}")),
        e.status(),
        e.needs_sign_in(),
    );
}

fn show(result: &Result<OAuthTokens, OAuthError>) {
    match result {
        Ok(tokens) => {
            let _ = (
                format!("{tokens:?}"),
                tokens.access_token(),
                tokens.refresh_token(),
                tokens.expires_at(),
            );
        }
        Err(e) => show_error(e),
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    match data.get(1).copied().unwrap_or(0) / 3 % 3 {
        0 => {
            Stub::get().set(Answer::from_input(data));
            show(&client().exchange_code(&AuthorizationCode::new("fuzz-code")));
        }
        1 => {
            Stub::get().set(Answer::from_input(data));
            let result = client().refresh(REFRESH_TOKEN);
            if let Ok(tokens) = &result {
                // A reply without a usable refresh token keeps the one that was sent.
                let kept = tokens.refresh_token().expect("a refresh token");
                assert!(!kept.trim().is_empty());
            }
            show(&result);
        }
        _ => {
            let request = client().authorization_request();
            let redirect = String::from_utf8_lossy(data.get(2..).unwrap_or_default())
                .replace("STATE", request.state());
            match request.code_from_redirect(&redirect) {
                Ok(code) => assert!(!code.secret().is_empty()),
                Err(e) => show_error(&e),
            }
        }
    }
});
