//! The Authy emulation over raw HTTP, including a OneTouch callback received by a local
//! listener whose signature is checked here with an implementation independent of the
//! sandbox's.

mod common;

use std::sync::mpsc;
use std::time::Duration;

use august_sandbox::{Error, Sandbox, demo};
use authy_client::{ApiErrorReason, AuthyApiClient, AuthyId, QrOptions};
use base64::Engine as _;
use hmac::{Hmac, KeyInit as _, Mac as _};
use serde_json::{Value, json};
use sha2::Sha256;

use common::{Raw, raw};

struct Authy<'a> {
    sandbox: &'a Sandbox,
    key: String,
}

impl Authy<'_> {
    fn new(sandbox: &Sandbox) -> Authy<'_> {
        Authy {
            sandbox,
            key: sandbox.authy_api_key(),
        }
    }

    fn get(&self, path: &str) -> Raw {
        raw(
            "GET",
            &format!("{}{path}", self.sandbox.authy_url()),
            &[("X-Authy-API-Key", &self.key)],
            None,
        )
    }

    fn post(&self, path: &str, body: &Value) -> Raw {
        raw(
            "POST",
            &format!("{}{path}", self.sandbox.authy_url()),
            &[("X-Authy-API-Key", &self.key)],
            Some(body),
        )
    }

    fn control(&self, method: &str, path: &str, body: Option<&Value>) -> Raw {
        raw(
            method,
            &format!("{}{path}", self.sandbox.authy_url()),
            &[],
            body,
        )
    }
}

fn create_user(authy: &Authy<'_>, email: &str, phone: &str) -> u64 {
    let r = authy.post(
        "/protected/json/users/new",
        &json!({"user": {"email": email, "cellphone": phone, "country_code": 1}, "send_install_link_via_sms": false}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["message"], "User created successfully.");
    assert_eq!(r.body["success"], true);
    r.body["user"]["id"].as_u64().unwrap()
}

#[test]
fn api_key_is_required() {
    let sandbox = Sandbox::start().unwrap();
    let url = format!("{}/protected/json/app/details", sandbox.authy_url());
    for headers in [vec![], vec![("X-Authy-API-Key", "wrong")]] {
        let r = raw("GET", &url, &headers, None);
        assert_eq!(r.status, 401);
        assert_eq!(
            r.body,
            json!({"error_code": "60001", "message": "Invalid API key", "errors": {"message": "Invalid API key"}, "success": false})
        );
    }
    // The legacy query parameter works too.
    let r = raw(
        "GET",
        &format!("{url}?api_key={}", demo::AUTHY_API_KEY),
        &[],
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.body["app"]["app_id"], 1);
    assert_eq!(r.body["message"], "Application information.");

    let custom = Sandbox::builder().authy_api_key("my-key").start().unwrap();
    let r = raw(
        "GET",
        &format!("{}/protected/json/app/details", custom.authy_url()),
        &[("X-Authy-API-Key", demo::AUTHY_API_KEY)],
        None,
    );
    assert_eq!(r.status, 401);
}

#[test]
fn users_sms_call_and_token_verification() {
    let sandbox = Sandbox::start().unwrap();
    let authy = Authy::new(&sandbox);

    let id = create_user(&authy, "new@example.com", "201-555-0123");
    assert!(id > demo::AUTHY_APP_USER_ID);
    // Users are keyed by phone: the same phone gives the same id.
    assert_eq!(
        create_user(&authy, "other@example.com", "(201) 555 0123"),
        id
    );
    let invalid = authy.post(
        "/protected/json/users/new",
        &json!({"user": {"email": "a@b.c", "cellphone": "12ab", "country_code": 1}}),
    );
    assert_eq!(invalid.status, 400);
    assert_eq!(invalid.body["error_code"], "60027");
    assert_eq!(invalid.body["errors"]["cellphone"], "is invalid");
    assert_eq!(invalid.body["cellphone"], "is invalid");
    assert!(invalid.body["errors"].get("email").is_none());

    let status = authy.get(&format!("/protected/json/users/{id}/status"));
    assert_eq!(status.status, 200);
    assert_eq!(status.body["status"]["authy_id"], id);
    assert_eq!(status.body["status"]["phone_number"], "XXX-XXX-0123");
    assert_eq!(status.body["status"]["registered"], false);
    assert_eq!(status.body["status"]["confirmed"], false);

    // Without force, Authy accepts any token from a user who never logged in.
    let lenient = authy.get(&format!("/protected/json/verify/1234567/{id}"));
    assert_eq!(lenient.status, 200);
    assert_eq!(lenient.body["token"], "is valid");

    let sms = authy.get(&format!("/protected/json/sms/{id}"));
    assert_eq!(sms.status, 200);
    assert_eq!(sms.body["message"], "SMS token was sent");
    assert_eq!(sms.body["cellphone"], "+1-XXX-XXX-XX23");
    let token = sandbox.authy_token(id).unwrap();
    assert_eq!(token.len(), 7);
    let from_endpoint = authy.control("GET", &format!("/__sandbox/authy/token/{id}"), None);
    assert_eq!(from_endpoint.body["token"], json!(token));

    let wrong = if token == "0000000" {
        "1111111"
    } else {
        "0000000"
    };
    let invalid = authy.get(&format!("/protected/json/verify/{wrong}/{id}?force=true"));
    assert_eq!(invalid.status, 401);
    assert_eq!(invalid.body["error_code"], "60020");
    assert_eq!(invalid.body["token"], "is invalid");
    assert_eq!(invalid.body["message"], "Token is invalid");
    let ok = authy.get(&format!("/protected/json/verify/{token}/{id}?force=true"));
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body["token"], "is valid");
    assert_eq!(ok.body["success"], "true");
    assert_eq!(ok.body["message"], "Token is valid.");
    // A token works once; the user is now confirmed, so force no longer matters.
    let reused = authy.get(&format!("/protected/json/verify/{token}/{id}?force=true"));
    assert_eq!(reused.status, 401);
    assert_eq!(reused.body["error_code"], "60019");
    let strict = authy.get(&format!("/protected/json/verify/1234567/{id}"));
    assert_eq!(strict.status, 401);
    assert_eq!(
        authy
            .get(&format!("/protected/json/users/{id}/status"))
            .body["status"]["confirmed"],
        true
    );

    // A token bound to an action is valid only with that action.
    authy.get(&format!("/protected/json/call/{id}?action=login"));
    let call_token = sandbox.authy_token(id).unwrap();
    let no_action = authy.get(&format!(
        "/protected/json/verify/{call_token}/{id}?force=true"
    ));
    assert_eq!(no_action.status, 401);
    let with_action = authy.get(&format!(
        "/protected/json/verify/{call_token}/{id}?force=true&action=login"
    ));
    assert_eq!(with_action.status, 200);

    // A user with the app: SMS ignored unless forced.
    let app_user = demo::AUTHY_APP_USER_ID;
    let ignored = authy.get(&format!("/protected/json/sms/{app_user}"));
    assert_eq!(ignored.body["ignored"], true);
    assert_eq!(ignored.body["device"], "android");
    let forced = authy.get(&format!("/protected/json/sms/{app_user}?force=true"));
    assert!(forced.body.get("ignored").is_none());
    let call = authy.get(&format!("/protected/json/call/{id}"));
    assert_eq!(call.body["message"], "Call started...");

    let stats = authy.get("/protected/json/app/stats");
    assert_eq!(stats.body["message"], "Monthly statistics.");
    assert_eq!(stats.body["stats"][0]["sms_count"], 2);
    assert_eq!(stats.body["stats"][0]["calls_count"], 2);
    assert_eq!(stats.body["stats"][0]["auths_count"], 2);

    let deleted = authy.post(&format!("/protected/json/users/{id}/delete"), &json!({}));
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.body["message"], "User removed from application");
    for path in [
        format!("/protected/json/users/{id}/status"),
        format!("/protected/json/sms/{id}"),
        format!("/protected/json/verify/1234567/{id}"),
    ] {
        let r = authy.get(&path);
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.body["error_code"], "60026");
        assert_eq!(r.body["message"], "User not found.");
    }
}

/// The reference client on the sandbox, with this key and without retries.
fn client(sandbox: &Sandbox, key: &str) -> AuthyApiClient {
    AuthyApiClient::builder(key)
        .base_url(sandbox.authy_url())
        .max_retries(0)
        .build()
        .expect("the sandbox URL is loopback http")
}

fn create_user_with_custom_id(authy: &Authy<'_>, phone: &str, custom_user_id: &str) -> u64 {
    let r = authy.post(
        "/protected/json/users/new",
        &json!({"user": {"email": "custom@example.com", "cellphone": phone, "country_code": 1,
                         "custom_user_id": custom_user_id}}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["user"]["id"].as_u64().unwrap()
}

#[test]
fn generic_authenticator_qr_codes() {
    let sandbox = Sandbox::start().unwrap();
    let authy = Authy::new(&sandbox);
    let api = client(&sandbox, &sandbox.authy_api_key());
    let sms_user = demo::AUTHY_SMS_USER_ID;
    let app_user = demo::AUTHY_APP_USER_ID;

    // Defaults: 300 pixels, the application's name as issuer and label, a link that cannot
    // reach the internet.
    let qr = api.users().generate_qr(AuthyId::new(sms_user)).unwrap();
    assert_eq!(qr.issuer(), Some("August Sandbox"));
    assert_eq!(qr.label(), Some("August Sandbox"));
    assert_eq!(
        qr.qr_code(),
        Some(format!("https://sandbox.invalid/qr/{sms_user}.png?size=300").as_str())
    );
    assert_eq!(qr.message(), None);

    // The size and label given.
    let options = QrOptions::new()
        .size(512)
        .label("Example: app-user@example.com");
    let qr = api
        .users()
        .generate_qr_with(AuthyId::new(app_user), &options)
        .unwrap();
    assert_eq!(qr.label(), Some("Example: app-user@example.com"));
    assert_eq!(qr.issuer(), Some("August Sandbox"));
    assert_eq!(
        qr.qr_code(),
        Some(format!("https://sandbox.invalid/qr/{app_user}.png?size=512").as_str())
    );

    // The answer has exactly the recorded fields; an empty label is the application's name, a
    // size may come as a string of digits.
    let recorded: Value = serde_json::from_str(include_str!(
        "../../authy-client/tests/fixtures/users_generate_qr_ok.json"
    ))
    .unwrap();
    let r = authy.post(
        &format!("/protected/json/users/{sms_user}/secret"),
        &json!({"qr_size": "640", "label": ""}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&r.body), keys(&recorded));
    assert_eq!(
        r.body,
        json!({"label": "August Sandbox", "issuer": "August Sandbox",
               "qr_code": format!("https://sandbox.invalid/qr/{sms_user}.png?size=640"),
               "success": true})
    );

    // A size that is not a positive whole number is refused; the client refuses 0 itself,
    // before sending.
    sandbox.reset_stats();
    let err = api
        .users()
        .generate_qr_with(AuthyId::new(sms_user), &QrOptions::new().size(0))
        .unwrap_err();
    assert!(err.is_invalid_input(), "{err:?}");
    assert_eq!(
        sandbox
            .stats()
            .route("POST /protected/json/users/{authy_id}/secret"),
        0,
        "nothing was sent"
    );
    let invalid_size = json!({"error_code": "60004", "message": "Qr image size is invalid",
                              "errors": {"message": "Qr image size is invalid"}, "success": false});
    for size in [json!("big"), json!(0), json!(-5), json!(1.5), json!([300])] {
        let r = authy.post(
            &format!("/protected/json/users/{sms_user}/secret"),
            &json!({"qr_size": size}),
        );
        assert_eq!(r.status, 400, "{size}");
        assert_eq!(r.body, invalid_size, "{size}");
    }
    let r = authy.post(
        &format!("/protected/json/users/{sms_user}/secret?qr_size=abc"),
        &json!({}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.body, invalid_size);

    // An unknown user, through the client and raw.
    let err = api.users().generate_qr(AuthyId::new(424_242)).unwrap_err();
    assert_eq!(err.reason(), Some(ApiErrorReason::UserNotFound));
    assert_eq!(err.status(), Some(404));
    let r = authy.post("/protected/json/users/424242/secret", &json!({}));
    assert_eq!(
        r.body,
        json!({"error_code": "60026", "message": "User not found.",
               "errors": {"message": "User not found."}, "success": false})
    );

    // A wrong key, through the client and raw.
    let err = client(&sandbox, "WrongKey12345")
        .users()
        .generate_qr(AuthyId::new(sms_user))
        .unwrap_err();
    assert_eq!(err.reason(), Some(ApiErrorReason::InvalidApiKey));
    assert_eq!(err.status(), Some(401));
    let r = raw(
        "POST",
        &format!(
            "{}/protected/json/users/{sms_user}/secret",
            sandbox.authy_url()
        ),
        &[],
        Some(&json!({})),
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error_code"], "60001");
}

#[test]
fn registration_status_by_custom_user_id() {
    let sandbox = Sandbox::start().unwrap();
    let authy = Authy::new(&sandbox);
    let api = client(&sandbox, &sandbox.authy_api_key());

    // The demo users have custom ids.
    let status = api
        .users()
        .registration_status(demo::AUTHY_APP_USER_CUSTOM_ID)
        .unwrap();
    assert_eq!(
        Value::Object(status.content().clone()),
        json!({"message": "Registration status.", "success": true,
               "status": {"authy_id": demo::AUTHY_APP_USER_ID, "registered": true, "confirmed": true}})
    );
    assert_eq!(status.message(), Some("Registration status."));
    let status = api
        .users()
        .registration_status(demo::AUTHY_SMS_USER_CUSTOM_ID)
        .unwrap();
    assert_eq!(
        status.get("status"),
        Some(
            &json!({"authy_id": demo::AUTHY_SMS_USER_ID, "registered": false, "confirmed": false})
        )
    );

    // A user created with a custom id (any text: it travels as a query value).
    let custom = "customer 42/a&b";
    let id = create_user_with_custom_id(&authy, "201-555-0142", custom);
    let status = api.users().registration_status(custom).unwrap();
    assert_eq!(
        status.get("status"),
        Some(&json!({"authy_id": id, "registered": false, "confirmed": false}))
    );
    // `confirmed` follows the first successful forced verification.
    authy.get(&format!("/protected/json/sms/{id}"));
    let token = sandbox.authy_token(id).unwrap();
    let ok = authy.get(&format!("/protected/json/verify/{token}/{id}?force=true"));
    assert_eq!(ok.status, 200);
    let status = api.users().registration_status(custom).unwrap();
    assert_eq!(status.get("status").unwrap()["confirmed"], true);

    // A custom id names one user: the last user created with it takes it.
    let other = create_user_with_custom_id(&authy, "201-555-0143", custom);
    assert_ne!(other, id);
    let status = api.users().registration_status(custom).unwrap();
    assert_eq!(status.get("status").unwrap()["authy_id"], other);
    // Deleting the user frees the id.
    let deleted = authy.post(&format!("/protected/json/users/{other}/delete"), &json!({}));
    assert_eq!(deleted.status, 200);

    // Unknown: the body of any unknown user.
    let not_found = authy.get("/protected/json/users/424242/status").body;
    for unknown in [custom, "nobody"] {
        let err = api.users().registration_status(unknown).unwrap_err();
        assert_eq!(
            err.reason(),
            Some(ApiErrorReason::UserNotFound),
            "{unknown}"
        );
        assert_eq!(err.status(), Some(404));
    }
    let r = authy.get("/protected/json/registrations/status?custom_user_id=nobody");
    assert_eq!(r.status, 404);
    assert_eq!(r.body, not_found);

    // Missing or empty: the client refuses an empty id before sending; raw, 400 60004.
    let err = api.users().registration_status("").unwrap_err();
    assert!(err.is_invalid_input(), "{err:?}");
    for path in [
        "/protected/json/registrations/status",
        "/protected/json/registrations/status?custom_user_id=",
    ] {
        let r = authy.get(path);
        assert_eq!(r.status, 400, "{path}");
        assert_eq!(
            r.body,
            json!({"error_code": "60004",
                   "message": "Invalid parameter: custom_user_id - Parameter is required",
                   "errors": {"message": "Invalid parameter: custom_user_id - Parameter is required"},
                   "success": false}),
            "{path}"
        );
    }

    // A wrong key.
    let err = client(&sandbox, "WrongKey12345")
        .users()
        .registration_status(demo::AUTHY_SMS_USER_CUSTOM_ID)
        .unwrap_err();
    assert_eq!(err.reason(), Some(ApiErrorReason::InvalidApiKey));
    assert_eq!(err.status(), Some(401));
}

#[test]
fn phone_verification_and_phone_info() {
    let sandbox = Sandbox::start().unwrap();
    let authy = Authy::new(&sandbox);

    let missing = authy.post(
        "/protected/json/phones/verification/start",
        &json!({"phone_number": "201-555-0123", "via": "sms"}),
    );
    assert_eq!(missing.status, 400);
    assert_eq!(missing.body["error_code"], "60004");
    assert_eq!(
        missing.body["message"],
        "Invalid parameter: country_code - Parameter is required"
    );
    let bad_phone = authy.post(
        "/protected/json/phones/verification/start",
        &json!({"phone_number": "12", "country_code": 1}),
    );
    assert_eq!(bad_phone.body["error_code"], "60033");

    let start = authy.post(
        "/protected/json/phones/verification/start",
        &json!({"phone_number": "201-555-0123", "country_code": 1, "via": "sms", "code_length": 6}),
    );
    assert_eq!(start.status, 200);
    assert_eq!(
        start.body["message"],
        "Text message sent to +1 201-555-0123."
    );
    assert_eq!(start.body["success"], true);
    let code = sandbox
        .authy_phone_verification_code("1", "2015550123")
        .unwrap();
    assert_eq!(code.len(), 6);
    let from_endpoint = authy.control(
        "GET",
        "/__sandbox/authy/phone_verification?country_code=1&phone_number=201-555-0123",
        None,
    );
    assert_eq!(from_endpoint.body["code"], json!(code));

    let check = |c: &str| {
        authy.get(&format!(
            "/protected/json/phones/verification/check?phone_number=201-555-0123&country_code=1&verification_code={c}"
        ))
    };
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let incorrect = check(wrong);
    assert_eq!(incorrect.status, 401);
    assert_eq!(incorrect.body["error_code"], "60022");
    let ok = check(&code);
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body["message"], "Verification code is correct.");
    let again = check(&code);
    assert_eq!(again.status, 404);
    assert_eq!(again.body["error_code"], "60023");
    assert_eq!(
        again.body["message"],
        "No pending verifications for 201-555-0123 found."
    );

    let info = authy.get("/protected/json/phones/info?phone_number=555-555-0100&country_code=1");
    assert_eq!(info.status, 200);
    assert_eq!(info.body["type"], "voip");
    assert_eq!(info.body["ported"], false);
    assert!(
        info.body["message"]
            .as_str()
            .unwrap()
            .starts_with("Phone number information as of ")
    );
}

/// A callback as the receiver got it.
struct Callback {
    headers: Vec<(String, String)>,
    /// Path with query.
    path: String,
    /// The JSON body.
    params: Value,
}

impl Callback {
    /// The value of header `name` (any case), which must be there.
    fn header(&self, name: &str) -> String {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {name} header in {:?}", self.headers))
    }
}

/// A loopback listener that hands over the first request it receives.
struct Receiver {
    url: String,
    rx: mpsc::Receiver<Callback>,
}

impl Receiver {
    /// The callback received, waited for up to 5 s.
    fn callback(&self) -> Callback {
        self.rx.recv_timeout(Duration::from_secs(5)).unwrap()
    }
}

fn callback_receiver() -> Receiver {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        if let Ok(Some(mut rq)) = server.recv_timeout(Duration::from_secs(10)) {
            let mut body = String::new();
            let _ = rq.as_reader().read_to_string(&mut body);
            let headers = rq
                .headers()
                .iter()
                .map(|h| {
                    (
                        h.field.as_str().as_str().to_owned(),
                        h.value.as_str().to_owned(),
                    )
                })
                .collect();
            let path = rq.url().to_owned();
            let _ = rq.respond(tiny_http::Response::from_string("ok"));
            // A body that is not JSON drops the sender: the test's wait fails at once.
            if let Ok(params) = serde_json::from_str(&body) {
                let _ = tx.send(Callback {
                    headers,
                    path,
                    params,
                });
            }
        }
    });
    Receiver {
        url: format!("http://127.0.0.1:{port}/authy/callback?source=sandbox"),
        rx,
    }
}

/// The §7.1 parameter string, written independently of the sandbox: flatten with a path of
/// keys, encode with a byte table, sort on (key path with numeric positions, value).
fn independent_parameter_string(params: &Value) -> String {
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    enum Part {
        Key(String),
        Pos(usize),
    }
    fn walk(path: &mut Vec<Part>, v: &Value, out: &mut Vec<(Vec<Part>, String)>) {
        let scalar = match v {
            Value::Object(m) => {
                for (k, child) in m {
                    path.push(Part::Key(k.clone()));
                    walk(path, child, out);
                    path.pop();
                }
                return;
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    path.push(Part::Pos(i));
                    walk(path, child, out);
                    path.pop();
                }
                return;
            }
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let copy = path
            .iter()
            .map(|p| match p {
                Part::Key(k) => Part::Key(k.clone()),
                Part::Pos(i) => Part::Pos(*i),
            })
            .collect();
        out.push((copy, scalar));
    }
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else if b == b' ' {
                    "+".to_owned()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }
    let mut pairs = Vec::new();
    walk(&mut Vec::new(), params, &mut pairs);
    let rendered: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(path, value)| {
            let mut sort_key = String::new();
            let mut key = String::new();
            for (i, part) in path.iter().enumerate() {
                let (shown, sorted) = match part {
                    Part::Key(k) if i == 0 => (enc(k), enc(k)),
                    Part::Key(k) => (format!("%5B{}%5D", enc(k)), format!("%5B{}%5D", enc(k))),
                    Part::Pos(p) => ("%5B%5D".to_owned(), format!("%5B{p:012}%5D")),
                };
                key.push_str(&shown);
                sort_key.push_str(&sorted);
            }
            let value = enc(&value);
            (format!("{sort_key}={value}"), format!("{key}={value}"))
        })
        .collect();
    let mut rendered = rendered;
    rendered.sort();
    rendered
        .into_iter()
        .map(|(_, pair)| pair)
        .collect::<Vec<_>>()
        .join("&")
}

fn independent_signature(key: &str, nonce: &str, url: &str, params: &Value) -> String {
    let text = format!(
        "{nonce}|POST|{url}|{}",
        independent_parameter_string(params)
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(text.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[test]
fn the_independent_check_reproduces_a_recorded_vector() {
    let fixture: Value = serde_json::from_str(include_str!(
        "../../authy-client/tests/fixtures/onetouch_callback_post_approved_details_logos.json"
    ))
    .unwrap();
    assert_eq!(
        independent_parameter_string(&fixture["params"]),
        fixture["canonical_params"].as_str().unwrap()
    );
    assert_eq!(
        independent_signature(
            fixture["api_key"].as_str().unwrap(),
            fixture["nonce"].as_str().unwrap(),
            fixture["url"].as_str().unwrap(),
            &fixture["params"],
        ),
        fixture["expected_signature"].as_str().unwrap()
    );
}

/// A callback URL is called where the loopback check looked, and signed over that URL: read as
/// a browser reads it (`\` is `/`), not handed as given to a stricter parser that would refuse
/// it or read another host or path.
#[test]
fn a_callback_goes_to_the_url_as_the_check_read_it() {
    let sandbox = Sandbox::start().unwrap();
    let authy = Authy::new(&sandbox);
    let receiver = callback_receiver();
    let called = receiver.url.split('?').next().unwrap();
    let given = receiver.url.replace("/authy/callback", "\\authy\\callback");
    let set = authy.control(
        "POST",
        "/__sandbox/authy/callback_url",
        Some(&json!({ "url": given })),
    );
    assert_eq!(set.body["url"], json!(receiver.url), "{}", set.text);
    let shown = authy.control("GET", "/__sandbox/authy/callback_url", None);
    assert_eq!(shown.body["url"], json!(receiver.url), "{}", shown.text);

    let id = demo::AUTHY_APP_USER_ID;
    let created = authy.post(
        &format!("/onetouch/json/users/{id}/approval_requests"),
        &json!({"message": "Unlock the front door?"}),
    );
    let uuid = created.body["approval_request"]["uuid"].as_str().unwrap();
    let approved = sandbox.approve_onetouch(uuid).unwrap();
    let delivery = approved.callback.unwrap();
    assert_eq!(delivery.status, Some(200), "{delivery:?}");
    assert_eq!(delivery.url, receiver.url);

    let callback = receiver.callback();
    assert_eq!(callback.path, "/authy/callback?source=sandbox");
    let params = &callback.params;
    assert_eq!(
        callback.header("X-Authy-Signature"),
        independent_signature(
            demo::AUTHY_API_KEY,
            &callback.header("X-Authy-Signature-Nonce"),
            called,
            params
        )
    );
}

#[test]
fn onetouch_create_approve_and_signed_callback() {
    let sandbox = Sandbox::start().unwrap();
    let authy = Authy::new(&sandbox);
    let receiver = callback_receiver();

    // Only loopback http URLs are accepted.
    let refused = authy.control(
        "POST",
        "/__sandbox/authy/callback_url",
        Some(&json!({"url": "http://example.com/cb"})),
    );
    assert_eq!(refused.status, 400);
    assert!(matches!(
        sandbox.set_authy_callback_url("https://127.0.0.1/cb"),
        Err(Error::InvalidCallbackUrl { .. })
    ));
    let registered = authy.control(
        "POST",
        "/__sandbox/authy/callback_url",
        Some(&json!({ "url": receiver.url })),
    );
    assert_eq!(registered.status, 200);

    let id = demo::AUTHY_APP_USER_ID;
    let created = authy.post(
        &format!("/onetouch/json/users/{id}/approval_requests"),
        &json!({
            "message": "Unlock the front door?",
            "seconds_to_expire": 120,
            "details": {"Lock": "Front Door", "Requested by": "Demo User"},
            "hidden_details": {"ip": "127.0.0.1"},
            "logos": [{"res": "default", "url": "https://example.invalid/logo.png"}],
        }),
    );
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(created.body["success"], true);
    let uuid = created.body["approval_request"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();

    let pending = authy.get(&format!("/onetouch/json/approval_requests/{uuid}"));
    assert_eq!(pending.body["approval_request"]["status"], "pending");
    assert_eq!(
        pending.body["approval_request"]["processed_at"],
        Value::Null
    );
    assert_eq!(pending.body["approval_request"]["seconds_to_expire"], 120);
    assert_eq!(pending.body["approval_request"]["_authy_id"], id);

    let approved = authy.control(
        "POST",
        &format!("/__sandbox/authy/onetouch/{uuid}/approve"),
        None,
    );
    assert_eq!(approved.status, 200, "{}", approved.text);
    assert_eq!(approved.body["status"], "approved");
    assert_eq!(approved.body["callback"]["status"], 200);

    let callback = receiver.callback();
    assert_eq!(callback.path, "/authy/callback?source=sandbox");
    let params = &callback.params;
    assert_eq!(params["uuid"], json!(uuid));
    assert_eq!(params["status"], "approved");
    assert_eq!(params["authy_id"], id);
    assert_eq!(params["callback_action"], "approval_request_status");
    assert_eq!(
        params["approval_request"]["transaction"]["details"]["Lock"],
        "Front Door"
    );
    assert_eq!(params["approval_request"]["logos"][0]["res"], "default");
    let nonce = callback.header("X-Authy-Signature-Nonce");
    let signature = callback.header("X-Authy-Signature");
    // Signed over the URL without its query, with the application's API key.
    let url = receiver.url.split('?').next().unwrap();
    assert_eq!(
        signature,
        independent_signature(demo::AUTHY_API_KEY, &nonce, url, params)
    );
    assert_ne!(
        signature,
        independent_signature("another-key", &nonce, url, params)
    );

    let done = authy.get(&format!("/onetouch/json/approval_requests/{uuid}"));
    assert_eq!(done.body["approval_request"]["status"], "approved");
    assert!(done.body["approval_request"]["processed_at"].is_string());

    // Answering twice is refused; denying another request works without a callback.
    let twice = authy.control(
        "POST",
        &format!("/__sandbox/authy/onetouch/{uuid}/deny"),
        None,
    );
    assert_eq!(twice.status, 409);
    sandbox.clear_authy_callback_url();
    let second = authy.post(
        &format!("/onetouch/json/users/{id}/approval_requests"),
        &json!({"message": "Sign in?"}),
    );
    let second_uuid = second.body["approval_request"]["uuid"].as_str().unwrap();
    let denied = sandbox.deny_onetouch(second_uuid).unwrap();
    assert_eq!(denied.status, "denied");
    assert_eq!(denied.callback, None);
    assert_eq!(
        authy
            .get(&format!("/onetouch/json/approval_requests/{second_uuid}"))
            .body["approval_request"]["seconds_to_expire"],
        86_400
    );

    let missing = authy.get("/onetouch/json/approval_requests/no-such-uuid");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body["error_code"], "60049");
    assert_eq!(
        missing.body["message"],
        "Approval request not found: no-such-uuid"
    );
    assert!(matches!(
        sandbox.approve_onetouch("no-such-uuid"),
        Err(Error::ApprovalRequestNotFound { .. })
    ));
    let no_user = authy.post(
        "/onetouch/json/users/999999/approval_requests",
        &json!({"message": "x"}),
    );
    assert_eq!(no_user.status, 404);
    assert_eq!(no_user.body["error_code"], "60026");
}

#[test]
fn an_approval_lifetime_sent_as_a_form_has_the_same_bounds() {
    // authy-client, like Authy's own libraries, sends OneTouch requests as a form: the
    // lifetime arrives as text and is bounded exactly as a JSON number is.
    let sandbox = Sandbox::start().unwrap();
    let key = sandbox.authy_api_key();
    let url = format!(
        "{}/onetouch/json/users/{}/approval_requests",
        sandbox.authy_url(),
        demo::AUTHY_APP_USER_ID
    );
    let post = |lifetime: &str| {
        test_support::raw_http::call(
            "POST",
            &url,
            &[("X-Authy-API-Key", &key)],
            test_support::raw_http::Body::Form(&[
                ("message", "Sign in?"),
                ("seconds_to_expire", lifetime),
            ]),
        )
    };
    for too_long in ["4294967296", "10000000000000"] {
        let refused = post(too_long);
        assert_eq!(refused.status, 400, "{too_long}: {}", refused.text);
        assert_eq!(refused.body["error_code"], "60004");
        assert_eq!(
            refused.body["message"],
            "Invalid parameter: seconds_to_expire - Parameter must be a positive integer of at most 4294967295"
        );
    }
    for not_positive in ["0", "-5", "ten", "", "1e3", "18446744073709551616"] {
        let refused = post(not_positive);
        assert_eq!(refused.status, 400, "{not_positive:?}: {}", refused.text);
        assert_eq!(
            refused.body["message"],
            "Invalid parameter: seconds_to_expire - Parameter must be a positive integer",
            "{not_positive:?}"
        );
    }
    let longest = post("4294967295");
    assert_eq!(longest.status, 200, "{}", longest.text);
    let uuid = longest.body["approval_request"]["uuid"].as_str().unwrap();
    let pending = raw(
        "GET",
        &format!(
            "{}/onetouch/json/approval_requests/{uuid}",
            sandbox.authy_url()
        ),
        &[("X-Authy-API-Key", &key)],
        None,
    );
    assert_eq!(
        pending.body["approval_request"]["seconds_to_expire"],
        4_294_967_295_u64
    );
    assert_eq!(sandbox.approve_onetouch(uuid).unwrap().status, "approved");
}

#[test]
fn an_approval_lifetime_is_at_most_u32_max_seconds() {
    let sandbox = Sandbox::start().unwrap();
    let authy = Authy::new(&sandbox);
    let path = format!(
        "/onetouch/json/users/{}/approval_requests",
        demo::AUTHY_APP_USER_ID
    );
    // Past the calendar's end once added to now: this used to be accepted, and every later
    // status request or answer panicked.
    for too_long in [10_000_000_000_000_u64, 4_294_967_296] {
        let refused = authy.post(
            &path,
            &json!({"message": "Sign in?", "seconds_to_expire": too_long}),
        );
        assert_eq!(refused.status, 400, "{}", refused.text);
        assert_eq!(
            refused.body,
            json!({
                "message": "Invalid parameter: seconds_to_expire - Parameter must be a positive integer of at most 4294967295",
                "success": false,
                "errors": {"message": "Invalid parameter: seconds_to_expire - Parameter must be a positive integer of at most 4294967295"},
                "error_code": "60004",
            })
        );
    }
    // Not a positive integer at all: the message says no more than that.
    let zero = authy.post(
        &path,
        &json!({"message": "Sign in?", "seconds_to_expire": 0}),
    );
    assert_eq!(zero.status, 400, "{}", zero.text);
    assert_eq!(
        zero.body["message"],
        "Invalid parameter: seconds_to_expire - Parameter must be a positive integer"
    );

    let longest = authy.post(
        &path,
        &json!({"message": "Sign in?", "seconds_to_expire": 4_294_967_295_u64}),
    );
    assert_eq!(longest.status, 200, "{}", longest.text);
    let uuid = longest.body["approval_request"]["uuid"].as_str().unwrap();
    let pending = authy.get(&format!("/onetouch/json/approval_requests/{uuid}"));
    assert_eq!(pending.body["approval_request"]["status"], "pending");
    assert_eq!(
        pending.body["approval_request"]["seconds_to_expire"],
        4_294_967_295_u64
    );
    assert_eq!(sandbox.approve_onetouch(uuid).unwrap().status, "approved");
}
