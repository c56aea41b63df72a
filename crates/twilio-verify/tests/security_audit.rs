//! The secret audit of the Verify client: every call, against a server that answers with the
//! recorded responses, one that echoes the whole request back in a 400 (form values decoded,
//! the raw body, every header, the Basic credentials decoded), and servers that fail in every
//! way, plus the webhook signature checks, with a logger capturing every target at `trace`.
//!
//! Scanned for the API key secret, the Basic header, the codes, the imported TOTP seed, the
//! push auth payload and the auth token of the signature checks: every log line, every
//! result's `Debug`, every error's `Display`, `Debug` and source chain, and the `Debug` of the
//! client, its resource handles and the validator.

use test_support::audit::{Shown, assert_clean};
use test_support::capture;
use test_support::client_tests::Scenario;
use test_support::fault_server as server;
use test_support::fixture;

use std::time::Duration;

use base64::Engine as _;
use capture::{Capture, UreqLevel, shown};
use server::{Act, FaultServer, Recorded, in_parallel};
use twilio_verify::signature::RequestValidator;
use twilio_verify::{
    Channel, Credentials, FactorUpdate, Identity, LookupField, LookupOptions, NewChallenge,
    NewPushAccessToken, NewTotpFactor, ServiceOptions, ServiceSid, StartVerification, VerifyClient,
};

const KEY_SID: &str = "SK00000000000000000000000000000009";
const KEY_SECRET: &str = "API-SECRET-zq81xv";
const CODE: &str = "864209";
const CUSTOM_CODE: &str = "7319025";
const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ";
const PAYLOAD: &str = "PUSHSIG-a9b8c7d6e5";
const AUTH_TOKEN: &str = "AUTHTOKEN-0f1e2d3c4b5a";
/// The seed and URI of the recorded TOTP factor answer.
const ANSWERED_SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
/// The token of the recorded access token answer.
const ACCESS_TOKEN: &str = "eyJ6aXAiOiJERUYi.ACCESS-TOKEN-SECRET.sig";
const TIMEOUT: Duration = Duration::from_millis(150);

fn secrets() -> Vec<(&'static str, String)> {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{KEY_SID}:{KEY_SECRET}"));
    vec![
        ("api key secret", KEY_SECRET.to_owned()),
        ("basic credentials", basic),
        ("code", CODE.to_owned()),
        ("custom code", CUSTOM_CODE.to_owned()),
        ("imported seed", SEED.to_owned()),
        ("push auth payload", PAYLOAD.to_owned()),
        ("auth token", AUTH_TOKEN.to_owned()),
        ("answered seed", ANSWERED_SEED.to_owned()),
        ("access token", ACCESS_TOKEN.to_owned()),
    ]
}

const ENTITY: &str =
    "/v2/Services/VA00000000000000000000000000000001/Entities/ff483d1ff591898a9942916050d2ca3f";

/// The answering server: each path gets its recorded answer.
fn answer(request: &Recorded) -> Vec<Act> {
    let path = request.path();
    let name = match (request.method.as_str(), path) {
        ("POST", "/v2/Services") => "service_create.json",
        ("POST", p) if p.ends_with("/Verifications") => "verification_create_pending.json",
        ("POST", p) if p.ends_with("/VerificationCheck") => "verification_check_approved.json",
        ("POST", p) if p.ends_with("/Verifications/VE00000000000000000000000000000001") => {
            "verification_update_canceled.json"
        }
        ("POST", p) if p == format!("{ENTITY}/Factors") => "factor_totp_create_unverified.json",
        ("POST", p) if p.starts_with(&format!("{ENTITY}/Factors/")) => "factor_totp_verified.json",
        ("POST", p) if p == format!("{ENTITY}/Challenges") => "challenge_totp_approved.json",
        ("POST", p) if p.ends_with("/Notifications") => {
            return server::json(
                201,
                br#"{"sid": "NT00000000000000000000000000000001", "ttl": 300}"#,
            );
        }
        ("POST", p) if p.starts_with(&format!("{ENTITY}/Challenges/")) => {
            "challenge_push_approved.json"
        }
        ("POST", p) if p.ends_with("/AccessTokens") => {
            let body = format!(
                r#"{{"sid": "YK00000000000000000000000000000001", "token": "{ACCESS_TOKEN}", "ttl": 60}}"#
            );
            return server::json(201, body.as_bytes());
        }
        ("GET", p) if p.starts_with("/v2/PhoneNumbers/") => "lookup_v2_line_type_intelligence.json",
        ("GET", "/v2/Services/VA00000000000000000000000000000001") => "service_create.json",
        _ => return vec![Act::Send(server::response(404, &[], b""))],
    };
    server::json(200, fixture!(name).as_bytes())
}

/// A server that puts the whole request in a 400 error message.
fn echo(request: &Recorded) -> Vec<Act> {
    let mut echoed = String::from_utf8_lossy(&request.body).into_owned();
    for (k, v) in form_urlencoded::parse(&request.body) {
        echoed.push_str(&format!(" {k}={v}"));
    }
    for (k, v) in &request.headers {
        echoed.push_str(&format!(" {k}: {v}"));
        if let Some(b64) = v.strip_prefix("Basic ") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap_or_default();
            echoed.push_str(&format!(" decoded {}", String::from_utf8_lossy(&decoded)));
        }
    }
    echoed.push_str(&format!(" target {}", request.target));
    let body = serde_json::json!({
        "code": 60200,
        "message": format!("Invalid parameter: {echoed}"),
        "more_info": format!("https://www.twilio.com/docs/errors/60200?{echoed}"),
        "status": 400,
    });
    vec![Act::Send(server::response(
        400,
        &[("content-type", "application/json")],
        body.to_string().as_bytes(),
    ))]
}

/// The ways this service's own server answers in the audit (every failure follows them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Own {
    Answers,
    Echo,
    RateLimited,
}

fn own_server(own: Own) -> FaultServer {
    match own {
        Own::Answers => FaultServer::start(answer),
        Own::Echo => FaultServer::start(echo),
        Own::RateLimited => FaultServer::fixed(
            429,
            &[("retry-after", "120"), ("content-type", "application/json")],
            fixture!("error_20429_too_many_requests.json").as_bytes(),
        ),
    }
}

type Call = fn(&VerifyClient) -> Vec<String>;

fn va() -> ServiceSid {
    "VA00000000000000000000000000000001".parse().unwrap()
}

fn id() -> Identity {
    Identity::new("ff483d1ff591898a9942916050d2ca3f").unwrap()
}

/// Every call of the client; those carrying a secret are `true`.
fn calls() -> Vec<(&'static str, bool, Call)> {
    vec![
        ("services().create", false, |c| {
            shown(c.services().create("Example App", &ServiceOptions::new()))
        }),
        ("services().fetch", false, |c| {
            shown(c.services().fetch(&va()))
        }),
        ("verifications().start", false, |c| {
            shown(c.verifications(&va()).start("+15555550100", Channel::Sms))
        }),
        ("verifications().start_with custom code", true, |c| {
            let start =
                StartVerification::new("+15555550100", Channel::Sms).custom_code(CUSTOM_CODE);
            shown(c.verifications(&va()).start_with(&start))
        }),
        ("verifications().check_to", true, |c| {
            shown(c.verifications(&va()).check_to("+15555550100", CODE))
        }),
        ("verifications().check_sid", true, |c| {
            shown(
                c.verifications(&va())
                    .check_sid(&"VE00000000000000000000000000000001".parse().unwrap(), CODE),
            )
        }),
        ("verifications().cancel", false, |c| {
            shown(
                c.verifications(&va())
                    .cancel(&"VE00000000000000000000000000000001".parse().unwrap()),
            )
        }),
        ("factors().create_totp import", true, |c| {
            let id = id();
            shown(
                c.factors(&va(), &id)
                    .create_totp(&NewTotpFactor::new("alice-phone").secret(SEED)),
            )
        }),
        ("factors().verify", true, |c| {
            let id = id();
            shown(
                c.factors(&va(), &id)
                    .verify(&"YF00000000000000000000000000000001".parse().unwrap(), CODE),
            )
        }),
        ("factors().update", false, |c| {
            let id = id();
            shown(c.factors(&va(), &id).update(
                &"YF00000000000000000000000000000001".parse().unwrap(),
                &FactorUpdate::new().friendly_name("x"),
            ))
        }),
        ("challenges().create totp", true, |c| {
            let id = id();
            shown(c.challenges(&va(), &id).create(&NewChallenge::totp(
                "YF00000000000000000000000000000001".parse().unwrap(),
                CODE,
            )))
        }),
        ("challenges().update", true, |c| {
            let id = id();
            shown(c.challenges(&va(), &id).update(
                &"YC00000000000000000000000000000001".parse().unwrap(),
                PAYLOAD,
            ))
        }),
        ("challenges().notify", false, |c| {
            let id = id();
            shown(
                c.challenges(&va(), &id)
                    .notify(&"YC00000000000000000000000000000001".parse().unwrap()),
            )
        }),
        ("access_tokens().create", false, |c| {
            shown(
                c.access_tokens(&va())
                    .create(&NewPushAccessToken::new(id()).factor_friendly_name("pixel")),
            )
        }),
        ("lookup().phone_number", false, |c| {
            shown(c.lookup().phone_number(
                "+15555550100",
                &LookupOptions::new().field(LookupField::LineTypeIntelligence),
            ))
        }),
    ]
}

fn signature_checks() -> Vec<String> {
    let v = RequestValidator::new(AUTH_TOKEN);
    let url = "https://example.com/verify/webhook";
    let sig = v.compute_signature(url, &[("type", "challenge.approved")]);
    let mut out = vec![format!("{v:?}"), format!("{v:#?}")];
    out.push(format!(
        "{}",
        v.validate(url, &[("type", "challenge.approved")], &sig)
    ));
    out.push(format!("{}", v.validate_body(url, b"{}", &sig)));
    out
}

fn exercise() -> (Vec<String>, usize, usize) {
    let mut shown_texts = signature_checks();
    let mut answered = 0;
    let mut echoed = 0;
    for scenario in Scenario::all(&[Own::Answers, Own::Echo, Own::RateLimited]) {
        let server = scenario.server(own_server, TIMEOUT, 64 * 1024);
        let base = scenario.base(&server);
        let client = VerifyClient::builder(Credentials::api_key(KEY_SID, KEY_SECRET))
            .base_url(&base)
            .timeout(TIMEOUT)
            .max_retries(0)
            .max_body(64 * 1024)
            .build()
            .unwrap();
        let id = id();
        let va = va();
        shown_texts.extend([
            format!("{client:?}"),
            format!("{client:#?}"),
            format!("{:?}", client.services()),
            format!("{:?}", client.verifications(&va)),
            format!("{:?}", client.factors(&va, &id)),
            format!("{:?}", client.challenges(&va, &id)),
            format!("{:?}", client.lookup()),
        ]);
        let results = in_parallel(calls(), move |(name, secret, call)| {
            (name, secret, call(&client))
        });
        for (name, carries_secret, texts) in results {
            match scenario {
                Scenario::Own(Own::Answers) => {
                    assert_eq!(
                        texts.first().map(String::as_str),
                        Some("ok"),
                        "{name}: {texts:?}"
                    );
                    answered += 1;
                }
                Scenario::Own(Own::Echo) => {
                    assert_eq!(texts.first().map(String::as_str), Some("error"), "{name}");
                    if carries_secret {
                        assert!(
                            texts.iter().any(|t| t.contains("<redacted>")),
                            "{name}: the echo was not scrubbed: {texts:?}"
                        );
                        echoed += 1;
                    }
                }
                _ => {}
            }
            shown_texts.extend(texts);
        }
    }
    (shown_texts, answered, echoed)
}

#[test]
fn no_secret_in_logs_debug_or_errors() {
    let capture = Capture::install();
    let secrets = secrets();
    let secrets: Vec<(&str, &str)> = secrets.iter().map(|(n, s)| (*n, s.as_str())).collect();

    capture.start(UreqLevel::Debug);
    let (shown_texts, answered, echoed) = exercise();
    assert_eq!(answered, calls().len());
    assert_eq!(echoed, calls().iter().filter(|c| c.1).count());
    let lines = capture.take();
    assert!(lines.iter().any(|l| l.target.starts_with("api_transport")));
    assert_clean(&secrets, UreqLevel::Debug, &lines, &Shown(shown_texts));

    capture.start(UreqLevel::Trace);
    let (shown_texts, _, _) = exercise();
    let lines = capture.take();
    assert_clean(&secrets, UreqLevel::Trace, &lines, &Shown(shown_texts));
}
