//! The secret audit of the Authy client: every call, against a server that answers with the
//! recorded responses and against servers that fail in every way, plus the OneTouch callback
//! checks, with a logger capturing every target at `trace`.
//!
//! Scanned for the API key, a token being verified and a phone verification code: every log
//! line, every result's `Debug` (the models), every error's `Display`, `Debug` and source
//! chain, and the `Debug` of the client and its resource handles. ureq's own lines are treated
//! as `docs/transport.md` says (see `test_support::capture`).

use test_support::audit::{Shown, assert_clean};
use test_support::capture;
use test_support::client_tests::Scenario;
use test_support::fault_server as server;
use test_support::fixture;

use std::fmt::Debug;
use std::time::Duration;

use authy_client::signature::{self, CallbackMethod};
use authy_client::{
    Activity, ActivityType, ApprovalRequest, AuthyApiClient, AuthyId, CreateUserOptions, Logo,
    LogoResolution, QrOptions, TokenRequestOptions, VerificationStartOptions, VerifyOptions, Via,
};
use capture::{
    Capture, Echo, Line, UreqLevel, assert_echoes_scrubbed, echo_server, hits, shown, texts,
};
use server::{Act, FaultServer, Recorded, in_parallel};

const API_KEY: &str = "AUTHY-API-KEY-SECRET-a1b2";
const TOKEN: &str = "987654321012";
const CODE: &str = "86420975";
/// A 4-digit phone verification code: scrubbed where it stands alone.
const SHORT_CODE: &str = "0918";
/// A OneTouch hidden detail, with characters every encoder changes.
const HIDDEN: &str = "HIDDEN-DETAIL-SECRET \"h1\" <\u{e9}> & /\\ +%41";
/// The logger is process-wide: the tests of this file run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
const TIMEOUT: Duration = Duration::from_millis(150);
const SECRETS: [(&str, &str); 3] = [
    ("api key", API_KEY),
    ("token", TOKEN),
    ("verification code", CODE),
];

/// The answering server: each path gets its recorded answer.
fn answer(request: &Recorded) -> Vec<Act> {
    let name = match (request.method.as_str(), request.path()) {
        ("POST", "/protected/json/users/new") => "users_create_ok.json",
        ("GET", "/protected/json/users/1000/status") => "users_status_ok.json",
        ("POST", "/protected/json/users/1000/delete") => "users_delete_ok.json",
        ("GET", "/protected/json/sms/1000") => "users_request_sms_ok.json",
        ("GET", "/protected/json/call/1000") => "users_request_call_ok.json",
        ("POST", "/protected/json/users/1000/secret") => "users_generate_qr_ok.json",
        ("POST", "/protected/json/users/1000/register_activity") => {
            "users_register_activity_ok.json"
        }
        ("GET", "/protected/json/app/details") => "app_details_ok.json",
        ("GET", "/protected/json/app/stats") => "app_stats_ok.json",
        ("POST", "/protected/json/phones/verification/start") => {
            "phones_verification_start_ok.json"
        }
        ("GET", "/protected/json/phones/verification/check") => "phones_verification_check_ok.json",
        ("GET", "/protected/json/phones/info") => "phones_info_ok.json",
        ("POST", "/onetouch/json/users/1000/approval_requests") => "onetouch_create_ok.json",
        ("GET", path) if path.starts_with("/onetouch/json/approval_requests/") => {
            "onetouch_status_ok.json"
        }
        ("GET", path) if path.starts_with("/protected/json/verify/") => "tokens_verify_ok.json",
        ("GET", "/protected/json/registrations/status") => {
            return server::json(
                200,
                br#"{"message": "Registration status.", "status": "completed", "success": true}"#,
            );
        }
        _ => return vec![Act::Send(server::response(404, &[], b""))],
    };
    server::json(200, fixture!(name).as_bytes())
}

/// The ways this service's own server answers in the audit (every failure follows them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Own {
    Answers,
    InvalidKey,
    TokenInvalid,
    WrongShape,
    RateLimited,
}

fn own_server(own: Own) -> FaultServer {
    let json = [("content-type", "application/json")];
    match own {
        Own::Answers => FaultServer::start(answer),
        Own::InvalidKey => FaultServer::fixed(
            401,
            &json,
            fixture!("error_invalid_api_key.json").as_bytes(),
        ),
        Own::TokenInvalid => FaultServer::fixed(
            401,
            &json,
            fixture!("tokens_verify_invalid.json").as_bytes(),
        ),
        Own::WrongShape => FaultServer::fixed(200, &json, br#"{"success": "maybe", "user": 7}"#),
        Own::RateLimited => FaultServer::fixed(
            429,
            &[("retry-after", "120"), json[0]],
            br#"{"message":"Too many requests","error_code":"60010","success":false}"#,
        ),
    }
}

type Call = fn(&AuthyApiClient) -> Vec<String>;

fn id() -> AuthyId {
    AuthyId::new(1000)
}

/// Every call of the client that talks to Authy.
fn calls() -> Vec<(&'static str, Call)> {
    vec![
        ("users().create", |c| {
            shown(c.users().create("user@example.com", "555-555-5555", 1))
        }),
        ("users().create_with", |c| {
            let options = CreateUserOptions::new()
                .country_code(57)
                .send_install_link_via_sms(true);
            shown(
                c.users()
                    .create_with("user@example.com", "555-555-5555", &options),
            )
        }),
        ("users().status", |c| shown(c.users().status(id()))),
        ("users().delete", |c| shown(c.users().delete(id()))),
        ("users().request_sms", |c| {
            shown(c.users().request_sms(id()))
        }),
        ("users().request_sms_with", |c| {
            let options = TokenRequestOptions::new()
                .force(true)
                .action("login")
                .action_message("Log in");
            shown(c.users().request_sms_with(id(), &options))
        }),
        ("users().request_call", |c| {
            shown(c.users().request_call(id()))
        }),
        ("users().request_call_with", |c| {
            shown(
                c.users()
                    .request_call_with(id(), &TokenRequestOptions::new().locale("en")),
            )
        }),
        ("users().generate_qr", |c| {
            shown(c.users().generate_qr(id()))
        }),
        ("users().generate_qr_with", |c| {
            shown(
                c.users()
                    .generate_qr_with(id(), &QrOptions::new().size(300).label("me")),
            )
        }),
        ("users().registration_status", |c| {
            shown(c.users().registration_status("user-42"))
        }),
        ("users().register_activity", |c| {
            let activity = Activity::new(ActivityType::PasswordReset, "203.0.113.7").data("k", "v");
            shown(c.users().register_activity(id(), &activity))
        }),
        ("tokens().verify", |c| shown(c.tokens().verify(id(), TOKEN))),
        ("tokens().verify_with", |c| {
            shown(
                c.tokens()
                    .verify_with(id(), TOKEN, &VerifyOptions::new().force(false)),
            )
        }),
        ("apps().fetch", |c| shown(c.apps().fetch())),
        ("stats().fetch", |c| shown(c.stats().fetch())),
        ("phones().verification_start", |c| {
            shown(c.phones().verification_start("555-555-5555", 1, Via::Sms))
        }),
        ("phones().verification_start_with", |c| {
            let options = VerificationStartOptions::new()
                .via(Via::Call)
                .locale("es")
                .code_length(8);
            shown(
                c.phones()
                    .verification_start_with("555-555-5555", 1, &options),
            )
        }),
        ("phones().verification_check", |c| {
            shown(c.phones().verification_check("555-555-5555", 1, CODE))
        }),
        ("phones().verification_check (4 digits)", |c| {
            shown(c.phones().verification_check("555-555-5555", 1, SHORT_CODE))
        }),
        ("phones().info", |c| {
            shown(c.phones().info("555-555-5555", 1))
        }),
        ("one_touch().send_request", |c| {
            let request = ApprovalRequest::new("Unlock the front door?")
                .seconds_to_expire(120)
                .detail("Door", "Front")
                .hidden_detail("ip", "203.0.113.7")
                .hidden_detail("secret", HIDDEN)
                .logo(Logo::new(
                    LogoResolution::Default,
                    "https://example.com/logo.png",
                ));
            shown(c.one_touch().send_request(id(), &request))
        }),
        ("one_touch().get_approval_status", |c| {
            shown(
                c.one_touch()
                    .get_approval_status("8d031630-d15b-0134-b0a8-0a77bbe8093e"),
            )
        }),
    ]
}

/// The callback checks, with right and wrong signatures, valid and invalid inputs.
fn callback_checks(client: &AuthyApiClient) -> Vec<String> {
    let url = "https://example.com/authy/callback";
    let params = serde_json::json!({"status": "approved", "uuid": "u-1"});
    let canonical = signature::canonical_params(CallbackMethod::Post, &params)
        .unwrap_or_else(|e| panic!("{e}"));
    let good = signature::sign(API_KEY, "nonce-1", CallbackMethod::Post, url, &canonical);
    let mut out = Vec::new();
    for sig in [good.as_str(), "d3Jvbmc=", "", "not base64 at all"] {
        out.extend(shown(client.one_touch().validate_one_touch_signature(
            sig, "nonce-1", "POST", url, &params,
        )));
        out.extend(shown(client.one_touch().validate_post_callback(
            sig,
            "nonce-1",
            url,
            params.to_string().as_bytes(),
        )));
        out.extend(shown(client.one_touch().validate_get_callback(
            sig,
            "nonce-1",
            url,
            "status=approved&uuid=u-1",
        )));
        out.extend(shown(client.one_touch().validate_post_callback(
            sig,
            "",
            url,
            b"not json",
        )));
        out.extend(shown(
            client
                .one_touch()
                .validate_get_callback(sig, "nonce-1", url, ""),
        ));
    }
    out
}

/// Runs every call in every scenario; returns what the calls showed and how many succeeded
/// against the answering server.
fn exercise() -> (Vec<String>, usize) {
    let mut shown_texts = Vec::new();
    let mut answered = 0;
    let own = [
        Own::Answers,
        Own::InvalidKey,
        Own::TokenInvalid,
        Own::WrongShape,
        Own::RateLimited,
    ];
    for scenario in Scenario::all(&own) {
        let server = scenario.server(own_server, TIMEOUT, 64 * 1024);
        let base = scenario.base(&server);
        let client = AuthyApiClient::builder(API_KEY)
            .base_url(&base)
            .timeout(TIMEOUT)
            .max_retries(0)
            .max_body(64 * 1024)
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        for handle in [
            format!("{client:?}"),
            format!("{client:#?}"),
            format!("{:?}", client.users()),
            format!("{:?}", client.tokens()),
            format!("{:?}", client.phones()),
            format!("{:?}", client.apps()),
            format!("{:?}", client.stats()),
            format!("{:?}", client.one_touch()),
        ] {
            shown_texts.push(handle);
        }
        shown_texts.extend(callback_checks(&client));
        let results = in_parallel(calls(), move |(name, call)| (name, call(&client)));
        for (name, texts) in results {
            if scenario == Scenario::Own(Own::Answers) {
                assert_eq!(
                    texts.first().map(String::as_str),
                    Some("ok"),
                    "{name} failed against the answering server: {texts:?}"
                );
                answered += 1;
            }
            shown_texts.extend(texts);
        }
    }
    (shown_texts, answered)
}

#[test]
fn no_secret_in_logs_debug_or_errors() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let capture = Capture::install();

    capture.start(UreqLevel::Trace);
    let (shown_texts, answered) = exercise();
    assert_eq!(answered, calls().len());
    let lines = capture.take();
    assert!(lines.iter().any(|l| l.target.starts_with("api_transport")));
    assert_clean(&SECRETS, UreqLevel::Trace, &lines, &Shown(shown_texts));
    let ureq: Vec<Line> = lines.iter().filter(|l| l.by_ureq()).cloned().collect();
    let ureq_hits = hits(&SECRETS, texts(&ureq).iter().map(String::as_str));
    for (name, _) in SECRETS {
        assert!(
            ureq_hits.iter().any(|h| h.starts_with(name)),
            "ureq at trace no longer shows the {name}: update docs/transport.md"
        );
    }

    capture.start(UreqLevel::Debug);
    let (shown_texts, _) = exercise();
    let lines = capture.take();
    assert!(lines.iter().any(|l| l.by_ureq()));
    assert_clean(&SECRETS, UreqLevel::Debug, &lines, &Shown(shown_texts));
}

/// A server that quotes the whole request back in a 400 (as JSON with an `errors` map of every
/// field, JSON with ASCII escapes, an HTML page repeating the form, and plain text starting
/// with the body, the query or the headers), for every call: no spelling of the API key, a
/// token being checked, a verification code or a hidden detail reaches an error's `Display`,
/// `Debug`, source chain or a log line.
#[test]
fn error_answers_quoting_the_request_have_every_secret_scrubbed() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut secrets = SECRETS.to_vec();
    secrets.extend([("short code", SHORT_CODE), ("hidden detail", HIDDEN)]);
    let capture = Capture::install();
    for style in Echo::ALL {
        capture.start(UreqLevel::Debug);
        let echo = echo_server(style);
        let client = AuthyApiClient::builder(API_KEY)
            .base_url(echo.url())
            .timeout(Duration::from_secs(2))
            .max_retries(0)
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let results = in_parallel(calls(), move |(name, call)| (name, call(&client)));
        assert!(echo.request_count() >= calls().len());
        // The answer is still shown (the `errors` map in full), with the secrets taken out.
        let carries_secret = |name: &str| {
            name.starts_with("tokens()")
                || name.starts_with("phones().verification_check")
                || name == "one_touch().send_request"
        };
        assert_echoes_scrubbed(style, results, &capture.take(), &secrets, |name| {
            carries_secret(name) && style == Echo::Json
        });
    }
}
