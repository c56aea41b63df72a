//! The secret audit of the August client: every public call, against a server that answers
//! and against servers that fail in every way (error statuses, HTML, bodies that do not fit,
//! timeouts, broken connections, refusals, oversized bodies, redirects), with a logger
//! capturing every target at `trace`.
//!
//! Scanned for the password, the caller's access token, the tokens the server issues (login
//! and refresh), the API keys (the one configured and every brand's built-in one) and a
//! doorbell content token: every log line, every result's `Debug` (the models), every
//! error's `Display`, `Debug` and source chain, and the `Debug` of `Api` and `Session`.
//!
//! ureq's own lines are treated as `docs/transport.md` says: at `trace` they show paths and
//! raw request bytes (headers included), so the run with everything at `trace` checks this
//! crate's lines only and counts ureq's; the run with ureq capped at `debug` checks every
//! line.

use test_support::audit::{Shown, assert_clean};
use test_support::capture;
use test_support::fault_server as server;

use std::fmt::Debug;
use std::time::Duration;

use august_core::{AlarmList, Api, ArmState, AsyncOperation, Brand, DoorbellDetail, LoginMethod};
use capture::{
    Capture, Echo, Failure, Line, UreqLevel, assert_echoes_scrubbed, echo_server, hits, shown,
    texts,
};
use server::{Act, FaultServer, Recorded, in_parallel};
use test_support::fixture;

/// With every character a JSON, form or HTML encoder changes.
const PASSWORD: &str = "PASSWORD-SECRET \"pw1\" <\u{e9}\u{1F511}> & /\\ +%41";
const EMAIL: &str = "ada.secret+august@example.com";
const CODE: &str = "012345";
const TOKEN: &str = "ACCESS-TOKEN-SECRET-t1";
const SESSION_TOKEN: &str = "SESSION-TOKEN-SECRET-s1";
const REFRESHED_TOKEN: &str = "REFRESHED-TOKEN-SECRET-r1";
const API_KEY: &str = "AUGUST-API-KEY-SECRET-k1";
const CONTENT_TOKEN: &str = "CONTENT-TOKEN-SECRET-c1";
const PHONE: &str = "+15555550100";
const TIMEOUT: Duration = Duration::from_millis(150);
/// The logger is process-wide: the tests of this file run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
const CAP: u64 = 64 * 1024;

fn secrets() -> Vec<(&'static str, &'static str)> {
    let mut list = vec![
        ("password", PASSWORD),
        ("access token", TOKEN),
        ("login token", SESSION_TOKEN),
        ("refreshed token", REFRESHED_TOKEN),
        ("api key", API_KEY),
        ("content token", CONTENT_TOKEN),
    ];
    for brand in Brand::ALL {
        list.push((brand.as_str(), brand.config().api_key));
    }
    list
}

const ALARMS: &str = r#"[{"alarmID": "al1", "location": "Home", "houseID": "h1", "pubsubChannel": "c", "serialNumber": "s", "status": "DISARM", "areaIDs": ["a1", "a2"]}]"#;
const ALARM_DEVICES: &str = r#"[{"_id": "d1", "name": "Door", "alarmID": "al1", "serialNumber": "s1", "type": "contact", "status": {"online": true, "lowBattery": false, "contactOpen": true, "firmwareVersion": "1.0"}}]"#;

/// The doorbell detail fixture with a content token and its image on `base`.
fn doorbell_json(base: &str) -> String {
    let mut value: serde_json::Value =
        serde_json::from_str(&fixture!("get_doorbell.json")).unwrap_or_else(|e| panic!("{e}"));
    value["contentToken"] = CONTENT_TOKEN.into();
    value["recentImage"]["secure_url"] = format!("{base}/snapshots/latest.jpg").into();
    value.to_string()
}

/// The answering server: each path gets its recorded answer; login and refresh hand out new
/// tokens.
fn answer(request: &Recorded, base: &str) -> Vec<Act> {
    let path = request.path();
    let segments: Vec<&str> = path.split('/').collect();
    let json = |body: &str| server::json(200, body.as_bytes());
    match (request.method.as_str(), segments.as_slice()) {
        ("POST", ["", "session"]) => vec![Act::Send(server::response(
            200,
            &[
                ("content-type", "application/json"),
                ("x-august-access-token", SESSION_TOKEN),
            ],
            br#"{"expiresAt":"2099-03-06T22:55:12.002Z","vPassword":true,"vInstallId":false}"#,
        ))],
        ("POST", ["", "validation" | "validate", _]) => json("{}"),
        ("GET", ["", "users", "houses", "mine"]) => vec![Act::Send(server::response(
            200,
            &[
                ("content-type", "application/json"),
                ("x-august-access-token", REFRESHED_TOKEN),
            ],
            br#"[{"HouseID": "h1", "HouseName": "Home"}]"#,
        ))],
        ("GET", ["", "users", "doorbells", "mine"]) => json(&fixture!("get_doorbells.json")),
        ("GET", ["", "doorbells", _]) => json(&doorbell_json(base)),
        ("PUT", ["", "doorbells", _, "wakeup"]) => json("{}"),
        ("GET", ["", "snapshots", _]) => vec![Act::Send(server::response(
            200,
            &[("content-type", "image/jpeg")],
            b"\xff\xd8\xff\xe0 jpeg bytes",
        ))],
        ("GET", ["", "houses", _]) => json(r#"{"HouseID": "h1", "HouseName": "Home"}"#),
        ("GET", ["", "houses", _, "activities"]) => json(&fixture!("get_house_activities.json")),
        ("GET", ["", "users", "locks", "mine"]) => json(&fixture!("get_locks.json")),
        ("GET", ["", "locks", _]) => json(&fixture!("get_lock.online.json")),
        ("GET", ["", "locks", _, "status"]) => {
            json(r#"{"status": "kAugLockState_Locked", "doorState": "kAugLockDoorState_Closed"}"#)
        }
        ("GET", ["", "locks", _, "pins"]) => json(&fixture!("get_pins.json")),
        ("PUT", ["", "remoteoperate", _, operation]) => match request.query() {
            Some(_) => json(r#"{"status":"kAugLockState_Pending"}"#),
            None if *operation == "lock" => json(&fixture!("lock.json")),
            None => json(&fixture!("unlock.json")),
        },
        ("GET", ["", "users", "me"]) => json(r#"{"UserID": "u1", "FirstName": "Ada"}"#),
        ("GET", ["", "users", "alarms", "mine"]) => json(ALARMS),
        ("GET", ["", "alarms", _, "devices"]) => json(ALARM_DEVICES),
        ("PUT", ["", "alarms", _, "state", _]) => json(r#"{"ok": true}"#),
        _ => vec![Act::Send(server::response(404, &[], b""))],
    }
}

/// The ways a server answers in the audit: this service's own answers, then every failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    Answers,
    Unauthorized,
    WrongShape,
    RateLimited,
    Failing(Failure),
}

impl Scenario {
    fn all() -> Vec<Scenario> {
        [
            Scenario::Answers,
            Scenario::Unauthorized,
            Scenario::WrongShape,
            Scenario::RateLimited,
        ]
        .into_iter()
        .chain(Failure::ALL.map(Scenario::Failing))
        .collect()
    }

    fn server(self) -> FaultServer {
        let json = [("content-type", "application/json")];
        match self {
            Scenario::Answers => {
                // The image URL names the server itself, known once it is bound.
                let base = std::sync::Arc::new(std::sync::OnceLock::<String>::new());
                let for_answers = std::sync::Arc::clone(&base);
                let server = FaultServer::start(move |request| {
                    answer(request, for_answers.get().map_or("", String::as_str))
                });
                let _ = base.set(server.url());
                server
            }
            Scenario::Unauthorized => {
                FaultServer::fixed(401, &json, br#"{"code":401,"message":"unauthorized"}"#)
            }
            Scenario::WrongShape => FaultServer::fixed(200, &json, br#"{"unexpected": [1, 2, 3]}"#),
            Scenario::RateLimited => FaultServer::fixed(
                429,
                &[("retry-after", "120"), json[0]],
                br#"{"message":"slow down"}"#,
            ),
            Scenario::Failing(failure) => failure.server(TIMEOUT, CAP),
        }
    }

    /// The base URL to give the client.
    fn base(self, server: &FaultServer) -> String {
        match self {
            Scenario::Failing(failure) => failure.base(server),
            _ => server.url(),
        }
    }
}

fn client(brand: Brand, base: &str, api_key: Option<&str>) -> Api {
    let mut builder = Api::builder()
        .brand(brand)
        .base_url(base)
        .timeout(TIMEOUT)
        .command_timeout(TIMEOUT)
        .max_retries(0)
        .max_body(CAP)
        .max_image(CAP);
    if let Some(key) = api_key {
        builder = builder.api_key(key);
    }
    builder.build().unwrap_or_else(|e| panic!("{e}"))
}

type Call = fn(&Api, &Api, &str) -> Vec<String>;

/// Every public call of `Api`. The second client is a Yale Home one (alarms); the string is
/// the base URL (images).
fn calls() -> Vec<(&'static str, Call)> {
    vec![
        ("get_session", |a, _, _| {
            shown(a.get_session("install-1", &LoginMethod::Phone.identifier(PHONE), PASSWORD))
        }),
        ("send_verification_code", |a, _, _| {
            shown(a.send_verification_code(TOKEN, LoginMethod::Phone, PHONE))
        }),
        ("validate_verification_code", |a, _, _| {
            shown(a.validate_verification_code(TOKEN, LoginMethod::Email, EMAIL, CODE))
        }),
        // The call returns the new token itself, as an `AccessToken` whose `Debug` hides it.
        ("refresh_access_token", |a, _, _| {
            shown(a.refresh_access_token(TOKEN))
        }),
        ("get_doorbells", |a, _, _| shown(a.get_doorbells(TOKEN))),
        ("get_doorbell_detail", |a, _, _| {
            shown(a.get_doorbell_detail(TOKEN, "K98GiDT45GUL"))
        }),
        ("wakeup_doorbell", |a, _, _| {
            shown(a.wakeup_doorbell(TOKEN, "K98GiDT45GUL"))
        }),
        ("get_doorbell_image", |a, _, base| {
            let detail: DoorbellDetail =
                serde_json::from_str(&doorbell_json(base)).unwrap_or_else(|e| panic!("{e}"));
            let mut out = shown(a.get_doorbell_image(&detail));
            out.extend([format!("{detail:?}"), format!("{detail:#?}")]);
            out
        }),
        ("get_image", |a, _, base| {
            shown(a.get_image(&format!("{base}/snapshots/x.jpg"), CONTENT_TOKEN))
        }),
        ("get_houses", |a, _, _| shown(a.get_houses(TOKEN))),
        ("get_house", |a, _, _| shown(a.get_house(TOKEN, "h1"))),
        ("get_house_activities", |a, _, _| {
            shown(a.get_house_activities(TOKEN, "h1", 8))
        }),
        ("get_locks", |a, _, _| shown(a.get_locks(TOKEN))),
        ("get_operable_locks", |a, _, _| {
            shown(a.get_operable_locks(TOKEN))
        }),
        ("get_lock_detail", |a, _, _| {
            shown(a.get_lock_detail(TOKEN, "L1"))
        }),
        ("get_lock_state", |a, _, _| {
            shown(a.get_lock_state(TOKEN, "L1"))
        }),
        ("get_lock_status", |a, _, _| {
            shown(a.get_lock_status(TOKEN, "L1"))
        }),
        ("get_lock_door_status", |a, _, _| {
            shown(a.get_lock_door_status(TOKEN, "L1"))
        }),
        ("get_pins", |a, _, _| shown(a.get_pins(TOKEN, "L1"))),
        ("lock", |a, _, _| shown(a.lock(TOKEN, "L1"))),
        ("unlock", |a, _, _| shown(a.unlock(TOKEN, "L1"))),
        ("unlatch", |a, _, _| shown(a.unlatch(TOKEN, "L1"))),
        ("lock_return_activities", |a, _, _| {
            shown(a.lock_return_activities(TOKEN, "L1"))
        }),
        ("unlock_return_activities", |a, _, _| {
            shown(a.unlock_return_activities(TOKEN, "L1"))
        }),
        ("unlatch_return_activities", |a, _, _| {
            shown(a.unlatch_return_activities(TOKEN, "L1"))
        }),
        ("lock_async", |a, _, _| {
            shown(a.lock_async(TOKEN, "L1", AsyncOperation::default()))
        }),
        ("unlock_async", |a, _, _| {
            shown(a.unlock_async(
                TOKEN,
                "L1",
                AsyncOperation {
                    persistent_connection: true,
                },
            ))
        }),
        ("unlatch_async", |a, _, _| {
            shown(a.unlatch_async(TOKEN, "L1", AsyncOperation::default()))
        }),
        ("status_async", |a, _, _| {
            shown(a.status_async(TOKEN, "L1", AsyncOperation::default()))
        }),
        ("get_user", |a, _, _| shown(a.get_user(TOKEN))),
        ("get_alarms", |_, y, _| shown(y.get_alarms(TOKEN))),
        ("get_alarm_devices", |_, y, _| {
            shown(y.get_alarm_devices(TOKEN, "al1"))
        }),
        ("arm_alarm", |_, y, _| {
            let alarms: AlarmList = serde_json::from_str(ALARMS).unwrap_or_else(|e| panic!("{e}"));
            let alarm = alarms.into_vec().into_iter().next();
            let alarm = alarm.unwrap_or_else(|| panic!("no alarm in the list"));
            shown(y.arm_alarm(TOKEN, &alarm, &ArmState::Away))
        }),
    ]
}

/// Runs every call in every scenario; returns what the calls showed and how many calls
/// succeeded in the answering scenario.
fn exercise(api_key: Option<&'static str>) -> (Vec<String>, usize) {
    let mut shown_texts = Vec::new();
    let mut answered = 0;
    for scenario in Scenario::all() {
        let server = scenario.server();
        let base = scenario.base(&server);
        let august = client(Brand::August, &base, api_key);
        let yale = client(Brand::YaleGlobal, &base, api_key);
        shown_texts.push(format!("{august:?}"));
        shown_texts.push(format!("{yale:#?}"));
        let results = in_parallel(calls(), move |(name, call)| {
            (name, call(&august, &yale, &base))
        });
        for (name, texts) in results {
            if scenario == Scenario::Answers {
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
    let secrets = secrets();
    let capture = Capture::install();

    // Everything at trace: this crate's and the transport's lines must be clean.
    capture.start(UreqLevel::Trace);
    let (shown_texts, answered) = exercise(Some(API_KEY));
    assert_eq!(answered, calls().len());
    let lines = capture.take();
    assert!(lines.iter().any(|l| l.target.starts_with("api_transport")));
    assert_clean(&secrets, UreqLevel::Trace, &lines, &Shown(shown_texts));
    let ureq: Vec<Line> = lines.iter().filter(|l| l.by_ureq()).cloned().collect();
    let ureq_hits = hits(&secrets, texts(&ureq).iter().map(String::as_str));
    println!("ureq at trace: {} lines holding a secret", ureq_hits.len());
    assert!(
        ureq_hits.iter().any(|h| h.starts_with("access token")),
        "ureq at trace no longer shows headers: update docs/transport.md"
    );

    // As documented: trace, with ureq capped at debug. Every line must be clean, with the
    // configured key and with the brands' built-in keys.
    for api_key in [Some(API_KEY), None] {
        capture.start(UreqLevel::Debug);
        let (shown_texts, _) = exercise(api_key);
        let lines = capture.take();
        assert!(lines.iter().any(|l| l.by_ureq()));
        assert_clean(&secrets, UreqLevel::Debug, &lines, &Shown(shown_texts));
    }
}

/// The start of an error body is shown (a firewall's page says why), but a server or proxy that
/// echoes the request's headers back must not put the token in the error's text: the credentials
/// the client sent are replaced by `<redacted>` in error answers.
#[test]
fn an_error_page_echoing_the_request_has_the_credentials_scrubbed() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let echo = FaultServer::start(|request| {
        let token = request.header("x-august-access-token").unwrap_or("");
        let page = format!("<html>bad request; you sent x-august-access-token: {token}</html>");
        vec![Act::Send(server::response(
            400,
            &[("content-type", "text/html")],
            page.as_bytes(),
        ))]
    });
    let api = client(Brand::August, &echo.url(), Some(API_KEY));
    let error = api
        .get_lock_detail(TOKEN, "L1")
        .err()
        .unwrap_or_else(|| panic!("a 400 succeeded"));
    assert!(!error.to_string().contains(TOKEN), "{error}");
    assert!(!format!("{error:?}").contains(TOKEN));
    assert_eq!(
        error
            .api_error()
            .map(|e| e.snippet().contains("x-august-access-token: <redacted>")),
        Some(true)
    );
}

/// A server that quotes the whole request back in a 400 (as JSON, JSON with ASCII escapes, an
/// HTML page repeating the form, and plain text starting with the body, the query or the
/// headers), for every call: no spelling of the password, the login identifier, the code, the
/// tokens or the API key reaches an error's `Display`, `Debug`, source chain or a log line.
#[test]
fn error_answers_quoting_the_request_have_every_secret_scrubbed() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut secrets = secrets();
    secrets.extend([
        ("phone", PHONE),
        ("phone identifier", "phone:+15555550100"),
        ("email", EMAIL),
        ("code", CODE),
    ]);
    let capture = Capture::install();
    for style in Echo::ALL {
        capture.start(UreqLevel::Debug);
        let echo = echo_server(style);
        let base = echo.url();
        let august = client(Brand::August, &base, Some(API_KEY));
        let yale = client(Brand::YaleGlobal, &base, Some(API_KEY));
        let results = in_parallel(calls(), move |(name, call)| {
            (name, call(&august, &yale, &base))
        });
        assert!(echo.request_count() >= calls().len());
        // The answer of a login is still shown, with the secrets taken out.
        assert_echoes_scrubbed(style, results, &capture.take(), &secrets, |name| {
            name == "get_session"
        });
    }
}
