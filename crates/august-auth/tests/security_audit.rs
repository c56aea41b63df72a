//! The secret audit of the authenticator: the whole login flow (password, verification code,
//! refresh, cache), its failures (refused password or code, server errors, timeouts,
//! unwritable and corrupt cache files holding a token) and the shared authenticator, with a
//! logger capturing every target at `trace`.
//!
//! Scanned for the password, the API key and every token (login, validated, refreshed, and the
//! tokens inside corrupt cache files): every log line, every error's `Display` and `Debug` and
//! source chain, and the `Debug` of `Api`, `Authenticator`, `Authentication`,
//! `SharedAuthenticator` and `CacheError`. ureq's own lines are treated as
//! `docs/transport.md` says (see `test_support::capture`).

use test_support::capture;
use test_support::fault_server as server;

use std::fs;
use std::path::Path;
use std::time::Duration;

use august_auth::{Authenticator, LoginMethod, Refresh, SharedAuthenticator, parse_cache_file};
use august_core::Api;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use capture::{Capture, Line, UreqLevel, hits, texts};
use server::{Act, FaultServer, Recorded};
use test_support::audit::{Shown, assert_clean};

const PASSWORD: &str = "PASSWORD-SECRET-pw1";
const API_KEY: &str = "AUGUST-API-KEY-SECRET-k1";
const LOGIN_TOKEN: &str = "LOGIN-TOKEN-SECRET-l1";
const CACHED_TOKEN: &str = "CACHED-TOKEN-SECRET-c1";
const TIMEOUT: Duration = Duration::from_millis(150);

/// The refreshed token: a JWT whose payload (and so the token) holds a marker.
fn refreshed_token() -> String {
    let claims = URL_SAFE_NO_PAD.encode(r#"{"exp":4102444800,"marker":"REFRESHED-SECRET"}"#);
    format!("e30.{claims}.UkVGUkVTSEVELVNJRw")
}

fn secrets(refreshed: &str) -> Vec<(&'static str, String)> {
    vec![
        ("password", PASSWORD.to_owned()),
        ("api key", API_KEY.to_owned()),
        ("login token", LOGIN_TOKEN.to_owned()),
        ("cached token", CACHED_TOKEN.to_owned()),
        ("refreshed token", refreshed.to_owned()),
        // The token's payload part alone, which is what a careless JWT log would show.
        (
            "refreshed payload",
            refreshed.split('.').nth(1).unwrap_or("").to_owned(),
        ),
    ]
}

/// An August API that logs in (first without, then with a validated install), accepts the
/// code `123456` and refuses others, and refreshes tokens.
fn answer(request: &Recorded, refreshed: &str) -> Vec<Act> {
    let with_token = |status: u16, token: &str, body: &[u8]| {
        vec![Act::Send(server::response(
            status,
            &[
                ("content-type", "application/json"),
                ("x-august-access-token", token),
            ],
            body,
        ))]
    };
    let body = String::from_utf8_lossy(&request.body).into_owned();
    match (request.method.as_str(), request.path()) {
        ("POST", "/session") if body.contains(PASSWORD) => {
            let validated = request.index > 2;
            let flags = format!(
                r#"{{"expiresAt":"2099-03-06T22:55:12.002Z","vPassword":true,"vInstallId":{validated}}}"#
            );
            with_token(200, LOGIN_TOKEN, flags.as_bytes())
        }
        ("POST", "/session") => with_token(
            200,
            LOGIN_TOKEN,
            br#"{"expiresAt":"2099-03-06T22:55:12.002Z","vPassword":false,"vInstallId":false}"#,
        ),
        ("POST", "/validation/phone") => server::json(200, b"{}"),
        ("POST", "/validate/phone") if body.contains("123456") => server::json(200, b"{}"),
        ("POST", "/validate/phone") => server::json(400, br#"{"code":400,"message":"bad code"}"#),
        ("GET", "/users/houses/mine") => with_token(200, refreshed, b"[]"),
        _ => vec![Act::Send(server::response(404, &[], b""))],
    }
}

fn api(base: &str) -> Api {
    Api::builder()
        .base_url(base)
        .api_key(API_KEY)
        .timeout(TIMEOUT)
        .max_retries(0)
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// What an authenticator shows: its `Debug`, its login's and its cache error.
trait ShownAuthenticator {
    fn authenticator(&mut self, authenticator: &Authenticator);
}

impl ShownAuthenticator for Shown {
    fn authenticator(&mut self, authenticator: &Authenticator) {
        self.debug(authenticator);
        self.debug(authenticator.authentication());
        if let Some(e) = authenticator.last_cache_error() {
            self.result::<(), _>(&Err(e));
        }
    }
}

/// The whole flow and its failures; returns what was shown.
fn exercise(dir: &Path) -> Shown {
    let mut shown = Shown::default();
    let refreshed = refreshed_token();
    let for_server = refreshed.clone();
    let server = FaultServer::start(move |request| answer(request, &for_server));
    let cache = dir.join("auth.json");
    let _ = fs::remove_file(&cache);

    // Login, a wrong and a right code, login again, refresh; every step cached.
    let mut authenticator = Authenticator::new(
        api(&server.url()),
        LoginMethod::Phone,
        "+15555550100",
        PASSWORD,
    )
    .access_token_cache_file(&cache);
    shown.debug(&api(&server.url()));
    shown.result(&authenticator.authenticate());
    shown.result(&authenticator.send_verification_code());
    shown.result(&authenticator.validate_verification_code("654321"));
    shown.result(&authenticator.validate_verification_code("123456"));
    shown.result(&authenticator.authenticate());
    shown.result(&authenticator.refresh_access_token(Refresh::Force));
    shown.authenticator(&authenticator);
    let written = fs::read(&cache).unwrap_or_default();
    let from_file = parse_cache_file(&cache, &written);
    assert_eq!(
        from_file
            .as_ref()
            .map(|a| a.access_token() == refreshed)
            .ok(),
        Some(true)
    );
    shown.debug(&from_file);

    // A wrong password.
    let mut wrong = Authenticator::new(
        api(&server.url()),
        LoginMethod::Phone,
        "+15555550100",
        "not-it",
    );
    shown.result(&wrong.authenticate());
    shown.authenticator(&wrong);

    // The shared authenticator, its token and its Debug.
    let shared = SharedAuthenticator::new(authenticator);
    shown.result(&shared.access_token().map(|t| t.len()));
    shown.debug(&shared);
    shown.debug(&shared.authentication());

    // Servers that fail: refused logins, refreshes and codes, timeouts, broken connections.
    for script in [
        server::json(401, br#"{"code":401,"message":"unauthorized"}"#),
        server::json(500, b""),
        vec![Act::Send(server::response(
            403,
            &[("content-type", "text/html")],
            b"<html>no</html>",
        ))],
        server::json(200, b"<<< not json >>>"),
        vec![Act::Wait(TIMEOUT * 4)],
        vec![Act::Close],
    ] {
        let failing = FaultServer::always(script);
        let mut authenticator = Authenticator::new(
            api(&failing.url()),
            LoginMethod::Phone,
            "+15555550100",
            PASSWORD,
        )
        .access_token_cache_file(&cache);
        shown.result(&authenticator.refresh_access_token(Refresh::Force));
        shown.authenticator(&authenticator);
        let mut fresh = Authenticator::new(
            api(&failing.url()),
            LoginMethod::Phone,
            "+15555550100",
            PASSWORD,
        );
        shown.result(&fresh.authenticate());
        let shared = SharedAuthenticator::new(
            Authenticator::new(
                api(&failing.url()),
                LoginMethod::Phone,
                "+15555550100",
                PASSWORD,
            )
            .access_token_cache_file(&cache),
        );
        shown.result(&shared.access_token().map(|t| t.len()));
    }
    let mut no_login =
        Authenticator::new(api(&server.url()), LoginMethod::Email, "a@b.c", PASSWORD);
    shown.result(&no_login.send_verification_code());
    shown.result(&no_login.save_cache());

    // Cache files that cannot be used, each holding a token: their errors never show it.
    let bad_files = [
        format!(
            r#"{{"install_id": "i", "access_token": "{CACHED_TOKEN}", "access_token_expires": "2099-01-01T00:00:00Z", "state": "{CACHED_TOKEN}"}}"#
        ),
        format!(
            r#"{{"install_id": "i", "access_token": ["{CACHED_TOKEN}"], "access_token_expires": "2099-01-01T00:00:00Z", "state": "authenticated"}}"#
        ),
        format!(
            r#"{{"install_id": "i", "access_token": "{CACHED_TOKEN}", "access_token_expires": "2099-01-01T00:00:00Z""#
        ),
        format!(r#"["{CACHED_TOKEN}"]"#),
        CACHED_TOKEN.to_owned(),
    ];
    for content in bad_files {
        fs::write(&cache, &content).unwrap_or_else(|e| panic!("{e}"));
        let authenticator = Authenticator::new(
            api(&server.url()),
            LoginMethod::Phone,
            "+15555550100",
            PASSWORD,
        )
        .access_token_cache_file(&cache);
        assert!(authenticator.last_cache_error().is_some(), "{content}");
        shown.authenticator(&authenticator);
        let parsed = parse_cache_file(&cache, content.as_bytes());
        assert!(parsed.is_err());
        shown.result(&parsed);
    }

    // A cache that cannot be written: the login is kept, the error shown.
    let blocker = dir.join("blocker");
    fs::write(&blocker, "").unwrap_or_else(|e| panic!("{e}"));
    let mut unwritable = Authenticator::new(
        api(&server.url()),
        LoginMethod::Phone,
        "+15555550100",
        PASSWORD,
    )
    .access_token_cache_file(blocker.join("auth.json"));
    shown.result(&unwritable.authenticate());
    shown.result(&unwritable.save_cache());
    shown.authenticator(&unwritable);
    shown
}

#[test]
fn no_secret_in_logs_debug_or_errors() {
    let refreshed = refreshed_token();
    let owned = secrets(&refreshed);
    let secrets: Vec<(&str, &str)> = owned.iter().map(|(n, s)| (*n, s.as_str())).collect();
    let capture = Capture::install();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));

    for level in [UreqLevel::Trace, UreqLevel::Debug] {
        capture.start(level);
        let shown = exercise(dir.path());
        let lines = capture.take();
        assert_clean(&secrets, level, &lines, &shown);
        if level == UreqLevel::Trace {
            assert!(lines.iter().any(|l| l.target.starts_with("august_auth")));
            assert!(lines.iter().any(|l| l.target.starts_with("api_transport")));
            let ureq: Vec<Line> = lines.iter().filter(|l| l.by_ureq()).cloned().collect();
            assert!(
                !hits(&secrets, texts(&ureq).iter().map(String::as_str)).is_empty(),
                "ureq at trace no longer shows headers: update docs/transport.md"
            );
        }
    }
}

/// `CacheError::Corrupt` shows no content of the file: an unreadable `access_token_expires` is
/// named, not quoted (a hand-edited file may hold a token there).
#[test]
fn an_unreadable_expiry_is_named_not_quoted_in_the_cache_error() {
    let content = format!(
        r#"{{"install_id": "i", "access_token": "t", "access_token_expires": "{CACHED_TOKEN}", "state": "authenticated"}}"#
    );
    let error = parse_cache_file(Path::new("auth.json"), content.as_bytes())
        .err()
        .unwrap_or_else(|| panic!("an unreadable expiry was accepted"));
    assert!(!error.to_string().contains(CACHED_TOKEN), "{error}");
    assert!(!format!("{error:?}").contains(CACHED_TOKEN));
    assert!(
        error.to_string().contains("access_token_expires"),
        "{error}"
    );
}
