//! The secret audit of the sign-ins besides the password: the OAuth client secret, the
//! authorization code, the `state`, access and refresh tokens (issued, rotated, imported) must
//! not appear in any log line (every target at `trace`, ureq's own lines aside as
//! `docs/transport.md` says), nor in the `Display`, `Debug` or source chain of any error, nor in
//! the `Debug` of `OAuthClient`, `AuthorizationRequest`, `AuthorizationCode`, `OAuthTokens`,
//! `ImportedToken`, `Credentials` and `Client`, even when the token endpoint echoes the request
//! back in its error answers.

mod common;

use test_support::capture;
use test_support::fault_server as server;

use std::time::Duration;

use august_auth::{
    AuthorizationCode, Client, Credentials, ImportedToken, OAuthClient, OAuthTokens,
};
use august_core::Brand;
use capture::{Capture, UreqLevel};
use chrono::{TimeDelta, Utc};
use server::{Act, FaultServer, Recorded};
use test_support::audit::{Shown, assert_clean};

const CLIENT_SECRET: &str = "CLIENT-SECRET-cs1";
const CODE: &str = "AUTH-CODE-SECRET-ac1";
const BAD_CODE: &str = "AUTH-CODE-SECRET-bad2";
const REFRESH: &str = "REFRESH-TOKEN-SECRET-rt1";
const ROTATED: &str = "REFRESH-TOKEN-SECRET-rt2";
const ACCESS: &str = "ACCESS-TOKEN-SECRET-at1";
const NEW_ACCESS: &str = "ACCESS-TOKEN-SECRET-at2";
const IMPORTED: &str = "IMPORTED-TOKEN-SECRET-it1";
const IMPORTED_REFRESH: &str = "IMPORTED-REFRESH-SECRET-ir1";

/// A token endpoint that echoes the whole request in its error answers, and an API that
/// refuses every token (401, echoing the headers).
fn answer(request: &Recorded) -> Vec<Act> {
    let body = String::from_utf8_lossy(&request.body).into_owned();
    let echo = format!("{} {body} {:?}", request.target, request.headers).replace('"', "'");
    let json = |status: u16, text: String| {
        vec![Act::Send(server::response(
            status,
            &[("content-type", "application/json")],
            text.as_bytes(),
        ))]
    };
    match request.path() {
        "/token" if body.contains(BAD_CODE) => json(
            400,
            format!(r#"{{"error": "invalid_grant", "error_description": "{echo}"}}"#),
        ),
        "/token" if body.contains(ROTATED) => vec![Act::Send(server::response(
            500,
            &[("content-type", "text/html")],
            format!("<html>{echo}</html>").as_bytes(),
        ))],
        "/token" => json(
            200,
            format!(
                r#"{{"access_token": "{NEW_ACCESS}", "refresh_token": "{ROTATED}", "expires_in": 3600}}"#
            ),
        ),
        _ => json(401, format!(r#"{{"message": "refused: {echo}"}}"#)),
    }
}

fn exercise(state: &mut String) -> Shown {
    let mut shown = Shown::default();
    let server = FaultServer::start(answer);
    let oauth = OAuthClient::with_endpoints(
        Brand::YaleGlobal,
        "client-id",
        CLIENT_SECRET,
        "http://127.0.0.1:1/callback",
        format!("{}/authorize", server.url()),
        format!("{}/token", server.url()),
    )
    .unwrap()
    .timeout(Duration::from_secs(2));
    shown.debug(&oauth);
    let request = oauth.authorization_request();
    *state = request.state().to_owned();
    shown.debug(&request);
    // A redirect for another request, one with an error, one right.
    shown.result(&request.code_from_redirect(&format!("code={CODE}&state=other")));
    shown.result(&request.code_from_redirect(&format!(
        "error=access_denied&error_description=no&state={state}"
    )));
    let code = request.code_from_redirect(&format!("code={CODE}&state={state}"));
    shown.result(&code);
    shown.debug(&AuthorizationCode::new(CODE));
    // The exchange refused with the request echoed, then accepted.
    shown.result(&oauth.exchange_code(&AuthorizationCode::new(BAD_CODE)));
    let tokens = oauth.exchange_code(&code.unwrap());
    shown.result(&tokens);
    // A refresh whose answer is an HTML page echoing the request.
    shown.result(&oauth.refresh(ROTATED));
    shown.result(&oauth.refresh(REFRESH));

    // Credentials and the client: a refresh when due, an API that refuses every token.
    let credentials = Credentials::oauth(
        oauth.clone(),
        OAuthTokens::new(ACCESS, Some(REFRESH.into()), Some(Utc::now())),
    );
    shown.debug(&credentials);
    shown.debug(&credentials.info());
    shown.result(&credentials.access_token().map(|_| ()));
    let api = common::yale_global_api(&server.url());
    let client = Client::new(api.clone(), credentials).unwrap();
    shown.debug(&client);
    shown.result(&client.get_locks());
    shown.result(&client.lock("lock-1"));

    // Imported tokens: Debug, expiry errors, a refused token.
    let imported = ImportedToken::from_access_token(
        Brand::YaleGlobal,
        IMPORTED,
        Some(IMPORTED_REFRESH.into()),
        Some(Utc::now() + TimeDelta::hours(1)),
    )
    .unwrap();
    shown.debug(&imported);
    shown.result(&ImportedToken::from_access_token(
        Brand::YaleGlobal,
        IMPORTED,
        Some(IMPORTED_REFRESH.into()),
        Some(Utc::now() - TimeDelta::hours(1)),
    ));
    let entry = format!(
        r#"{{"domain": "yale", "data": {{"token": {{"access_token": "{IMPORTED}", "refresh_token": "{IMPORTED_REFRESH}", "expires_at": "{IMPORTED}"}}}}}}"#
    );
    shown.result(&ImportedToken::from_home_assistant(entry.as_bytes(), None));
    let broken = format!(r#"{{"token": {{"access_token": "{IMPORTED}"#);
    shown.result(&ImportedToken::from_home_assistant(broken.as_bytes(), None));
    let client = Client::new(api, Credentials::imported(imported)).unwrap();
    shown.debug(&client);
    shown.result(&client.get_houses());
    shown
}

#[test]
fn no_signin_secret_in_logs_debug_or_errors() {
    let capture = Capture::install();
    for level in [UreqLevel::Trace, UreqLevel::Debug] {
        capture.start(level);
        let mut state = String::new();
        let shown = exercise(&mut state);
        let lines = capture.take();
        assert!(state.len() >= 20);
        let secrets = [
            ("client secret", CLIENT_SECRET),
            ("code", CODE),
            ("refused code", BAD_CODE),
            ("refresh token", REFRESH),
            ("rotated refresh token", ROTATED),
            ("access token", ACCESS),
            ("new access token", NEW_ACCESS),
            ("imported token", IMPORTED),
            ("imported refresh token", IMPORTED_REFRESH),
            ("state", state.as_str()),
        ];
        assert!(lines.iter().any(|l| l.target.starts_with("api_transport")));
        assert_clean(&secrets, level, &lines, &shown);
        // The errors were real: the echoing server was reached.
        assert!(shown.0.iter().any(|s| s.contains("invalid_grant")));
        assert!(shown.0.iter().any(|s| s.contains("sign in again")));
    }
}
