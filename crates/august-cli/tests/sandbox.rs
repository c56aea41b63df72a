//! End to end against a standing `august_sandbox::Sandbox`: the login with the code it sends,
//! every August command, the Authy commands, and `--sandbox`.

mod common;

use std::fs;
use std::sync::{Arc, Mutex};

use august_sandbox::{Sandbox, demo};
use common::{Run, Tool};
use serde_json::Value;

/// Runs against the sandbox with a private cache file.
fn august(tool: &Tool, sandbox: &Sandbox, args: &[&str], vars: &[(&str, &str)]) -> Run {
    tool.run_at(&sandbox.august_url(), args, vars)
}

fn authy(sandbox: &Sandbox, tool: &Tool, args: &[&str]) -> Run {
    let url = sandbox.authy_url();
    let key = sandbox.authy_api_key();
    let mut all = vec!["--json", "authy"];
    all.extend_from_slice(args);
    tool.run(
        &all,
        &[
            ("AUTHY_API_URL", url.as_str()),
            ("AUTHY_API_KEY", key.as_str()),
        ],
    )
}

#[test]
fn the_whole_august_flow() {
    let sandbox = Sandbox::start().unwrap();
    let tool = Tool::new();
    let login_vars = [
        ("AUGUST_USERNAME", demo::PHONE),
        ("AUGUST_PASSWORD", demo::PASSWORD),
    ];

    // log in: the code goes "by SMS"; a second process finishes with it
    let out = august(&tool, &sandbox, &["login"], &login_vars).expect_code(0);
    assert!(
        out.stdout.starts_with("state     requires_validation\n"),
        "{out:#?}"
    );
    let code = sandbox.august_verification_code().expect("a code was sent");
    let out = august(&tool, &sandbox, &["verify", &code], &login_vars).expect_code(0);
    assert!(
        out.stdout.starts_with("state     authenticated\n"),
        "{out:#?}"
    );
    out.assert_prints_none(&[demo::PASSWORD]);
    // a second login reuses the cached one: no request, no code
    let out = august(&tool, &sandbox, &["--json", "login"], &login_vars).expect_code(0);
    assert_eq!(out.json()["state"], "authenticated");

    let locks = august(&tool, &sandbox, &["--json", "locks"], &[])
        .expect_code(0)
        .json();
    let ids: Vec<&str> = locks
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["device_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            demo::FRONT_DOOR_LOCK_ID,
            demo::BACK_DOOR_LOCK_ID,
            demo::GARAGE_DOOR_LOCK_ID
        ]
    );

    let front = demo::FRONT_DOOR_LOCK_ID;
    let out = august(&tool, &sandbox, &["unlock", front], &[]).expect_code(0);
    assert_eq!(out.stdout, format!("{front}: unlocked\n"));
    let out = august(&tool, &sandbox, &["status", front], &[]).expect_code(0);
    assert!(
        out.stdout.starts_with("status  unlocked\ndoor    closed\n"),
        "{out:#?}"
    );
    let out = august(&tool, &sandbox, &["--json", "lock", front], &[]).expect_code(0);
    assert_eq!(out.json()["status"], "locked");
    let detail = august(&tool, &sandbox, &["--json", "lock-detail", front], &[])
        .expect_code(0)
        .json();
    assert_eq!(detail["lock_status"], "locked");

    // the activity feed shows both operations, newest first, made remotely by the demo user
    let activity = august(
        &tool,
        &sandbox,
        &["--json", "activity", demo::HOUSE_ID, "--limit", "2"],
        &[],
    )
    .expect_code(0)
    .json();
    let entries = activity.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let actions: Vec<&str> = entries
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["lock", "unlock"]);
    for a in entries {
        assert_eq!(a["device_id"], front);
        assert_eq!(a["operated_remote"], true);
        assert_eq!(a["operated_by"], "Demo User");
    }
    let table = august(&tool, &sandbox, &["activity", demo::HOUSE_ID], &[]).expect_code(0);
    let newest: Vec<&str> = table
        .stdout
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(
        newest[3..],
        [
            "lock_operation",
            "lock",
            "Front",
            "Door",
            "Demo",
            "User",
            "(remote)",
            "Demo",
            "House"
        ],
        "{table:#?}"
    );

    // a lock without a bridge, and one whose bridge is offline
    let out = august(&tool, &sandbox, &["lock", demo::BACK_DOOR_LOCK_ID], &[]).expect_code(1);
    assert!(out.stderr.contains("status 409"), "{out:#?}");
    let out = august(&tool, &sandbox, &["unlock", demo::GARAGE_DOOR_LOCK_ID], &[]).expect_code(1);
    assert!(
        out.stderr.contains("the bridge (Connect) is offline"),
        "{out:#?}"
    );

    // logout: the next command needs a login
    august(&tool, &sandbox, &["logout"], &[]).expect_code(0);
    assert!(!tool.cache().exists());
    let out = august(&tool, &sandbox, &["locks"], &[]).expect_code(3);
    assert!(
        out.stderr
            .starts_with("error: not logged in: run `august login`")
    );
}

/// The password `august login` over an unusable cache file names the file it kept that one
/// aside as, when it writes the login waiting for its code there: the first free name, here
/// `.corrupt.1`, as `.corrupt` is taken. It said "`<cache>.corrupt` (or `.corrupt.N`)". The
/// code then finishes the login in the new file, and nothing more is kept aside.
#[test]
fn login_names_the_file_it_kept_an_unusable_cache_aside_as() {
    let sandbox = Sandbox::start().unwrap();
    let tool = Tool::new();
    let cache = tool.unusable_cache_with_corrupt_taken();
    let vars = [
        ("AUGUST_USERNAME", demo::PHONE),
        ("AUGUST_PASSWORD", demo::PASSWORD),
    ];
    let out = august(&tool, &sandbox, &["login"], &vars).expect_code(0);
    assert_eq!(
        out.stderr,
        format!(
            "warning: kept the unusable token cache aside as {cache}.corrupt.1\n\
             a verification code was sent by SMS to {}; finish with `august verify CODE`\n",
            demo::PHONE
        )
    );
    tool.assert_kept_aside_as_corrupt_1();

    let code = sandbox.august_verification_code().expect("a code was sent");
    let out = august(&tool, &sandbox, &["verify", &code], &vars).expect_code(0);
    assert_eq!(out.stderr, "", "{out:#?}");
    assert!(
        out.stdout.starts_with("state     authenticated\n"),
        "{out:#?}"
    );
    assert_eq!(
        fs::read_to_string(format!("{cache}.corrupt.1")).unwrap(),
        "not json"
    );
    assert!(!std::path::Path::new(&format!("{cache}.corrupt.2")).exists());
}

/// Runs against the sandbox with `--cache FILE` on the command line, a file that is not the
/// default one.
fn august_with_cache(
    tool: &Tool,
    sandbox: &Sandbox,
    cache: &std::path::Path,
    args: &[&str],
    vars: &[(&str, &str)],
) -> Run {
    let url = sandbox.august_url();
    let mut all = vec!["--base-url", &url, "--cache", cache.to_str().unwrap()];
    all.extend_from_slice(args);
    tool.run(&all, vars)
}

/// A password the server refuses says to run `login` again with the `--cache FILE` the run
/// was given, so that the login goes to the same file. It said a bare `august login`, which
/// logs in to another file.
#[test]
fn a_refused_password_names_the_login_with_the_cache_given() {
    let sandbox = Sandbox::start().unwrap();
    let tool = Tool::new();
    let cache = tool.home().join("other-auth.json");
    let out = august_with_cache(
        &tool,
        &sandbox,
        &cache,
        &["login"],
        &[
            ("AUGUST_USERNAME", demo::PHONE),
            ("AUGUST_PASSWORD", "not-the-demo-password"),
        ],
    )
    .expect_code(1);
    assert_eq!(
        out.stderr,
        format!(
            "error: the server refused the password for {}; check it and run `august --cache {} login` again\n",
            demo::PHONE,
            cache.display()
        )
    );
    assert!(!cache.exists());
    assert_eq!(sandbox.stats().route("POST /session"), 1);
}

/// `verify` with no login waiting for a code in the `--cache FILE` given (no file, a file that
/// is not JSON, a pending login that has expired) says to run `login` with that `--cache FILE`,
/// before it sends anything. It said a bare `august login`, which logs in to another file,
/// where `verify` with this `--cache` never finds it.
#[test]
fn verify_without_a_pending_login_names_the_login_with_the_cache_given() {
    let sandbox = Sandbox::start().unwrap();
    let tool = Tool::new();
    let cache = tool.home().join("other-auth.json");
    let vars = [("AUGUST_PASSWORD", demo::PASSWORD)];
    let out =
        august_with_cache(&tool, &sandbox, &cache, &["verify", "123456"], &vars).expect_code(3);
    assert_eq!(
        out.stderr,
        format!(
            "error: no login waits for a code in {0}: run `august --cache {0} login` first\n",
            cache.display()
        )
    );
    fs::write(&cache, "not json").unwrap();
    let out =
        august_with_cache(&tool, &sandbox, &cache, &["verify", "123456"], &vars).expect_code(3);
    assert!(
        out.stderr.starts_with(&format!(
            "error: the pending login cannot be read: run `august --cache {0} login` (the token cache {0} ",
            cache.display()
        )),
        "{out:#?}"
    );
    assert_eq!(fs::read_to_string(&cache).unwrap(), "not json");
    let expired = serde_json::json!({
        "install_id": "0b5d3b8e-3f5f-4b8a-9c4e-2f6d8a1b7c9d",
        "access_token": "provisional",
        "access_token_expires": "2020-01-01T00:00:00.000Z",
        "state": "requires_validation",
        "username": demo::PHONE,
        "login_method": "phone",
    });
    fs::write(&cache, expired.to_string()).unwrap();
    let out =
        august_with_cache(&tool, &sandbox, &cache, &["verify", "123456"], &vars).expect_code(3);
    assert_eq!(
        out.stderr,
        format!(
            "error: the pending login has expired: run `august --cache {} login` for a new code\n",
            cache.display()
        )
    );
    assert_eq!(sandbox.stats().requests, 0);
}

/// A code the server refuses says to check it, or to run `login` with the `--cache FILE` given
/// for a new one; the pending login stays. It said a bare `august login`.
#[test]
fn a_refused_code_names_the_login_with_the_cache_given() {
    let sandbox = Sandbox::start().unwrap();
    let tool = Tool::new();
    let cache = tool.home().join("other-auth.json");
    let vars = [
        ("AUGUST_USERNAME", demo::PHONE),
        ("AUGUST_PASSWORD", demo::PASSWORD),
    ];
    august_with_cache(&tool, &sandbox, &cache, &["login"], &vars).expect_code(0);
    let code = sandbox.august_verification_code().expect("a code was sent");
    // Another code of the same length: each digit one more.
    let wrong: String = code
        .chars()
        .map(|c| char::from_digit((c.to_digit(10).unwrap() + 1) % 10, 10).unwrap())
        .collect();
    let out = august_with_cache(&tool, &sandbox, &cache, &["verify", &wrong], &vars).expect_code(1);
    assert_eq!(
        out.stderr,
        format!(
            "error: the verification code was refused; check it, or run `august --cache {} login` for a new one\n",
            cache.display()
        )
    );
    let out = august_with_cache(&tool, &sandbox, &cache, &["verify", &code], &vars).expect_code(0);
    assert!(
        out.stdout.starts_with("state     authenticated\n"),
        "{out:#?}"
    );
}

#[test]
fn doorbells_houses_and_pins() {
    let sandbox = Sandbox::start().unwrap();
    let tool = Tool::new();
    let vars = [
        ("AUGUST_USERNAME", demo::EMAIL),
        ("AUGUST_LOGIN_METHOD", "email"),
        ("AUGUST_PASSWORD", demo::PASSWORD),
    ];
    august(&tool, &sandbox, &["login"], &vars).expect_code(0);
    let code = sandbox.august_verification_code().unwrap();
    august(&tool, &sandbox, &["verify", &code], &vars).expect_code(0);

    let bells = august(&tool, &sandbox, &["doorbells"], &[]).expect_code(0);
    assert!(bells.stdout.starts_with("ID            NAME"), "{bells:#?}");
    assert!(bells.stdout.contains(demo::FRONT_DOORBELL_ID));
    assert!(bells.stdout.contains(demo::BACK_DOORBELL_ID));
    let bell = august(
        &tool,
        &sandbox,
        &["--json", "doorbell", demo::FRONT_DOORBELL_ID],
        &[],
    )
    .expect_code(0)
    .json();
    assert_eq!(bell["device_id"], demo::FRONT_DOORBELL_ID);
    assert_eq!(bell.get("content_token"), None);
    let file = tool.home().join("front.jpg");
    let out = august(
        &tool,
        &sandbox,
        &[
            "image",
            demo::FRONT_DOORBELL_ID,
            "-o",
            file.to_str().unwrap(),
        ],
        &[],
    )
    .expect_code(0);
    let bytes = fs::read(&file).unwrap();
    assert_eq!(&bytes[..2], [0xff, 0xd8], "a JPEG");
    assert_eq!(
        out.stdout,
        format!(
            "wrote {} bytes (image/jpeg) to {}\n",
            bytes.len(),
            file.display()
        )
    );
    let out = august(
        &tool,
        &sandbox,
        &["image", demo::BACK_DOORBELL_ID, "-o", "x.jpg"],
        &[],
    )
    .expect_code(1);
    assert!(out.stderr.contains("the doorbell has no image"), "{out:#?}");
    august(&tool, &sandbox, &["wakeup", demo::FRONT_DOORBELL_ID], &[]).expect_code(0);

    let houses = august(&tool, &sandbox, &["--json", "houses"], &[])
        .expect_code(0)
        .json();
    assert_eq!(houses[0]["house_id"], demo::HOUSE_ID);
    let house = august(&tool, &sandbox, &["house", demo::HOUSE_ID], &[]).expect_code(0);
    assert!(
        house
            .stdout
            .contains(&format!("name  {}", demo::HOUSE_NAME))
            || house.stdout.contains(demo::HOUSE_NAME),
        "{house:#?}"
    );

    let pins = august(
        &tool,
        &sandbox,
        &["--json", "pins", demo::FRONT_DOOR_LOCK_ID],
        &[],
    )
    .expect_code(0)
    .json();
    let mut codes: Vec<&str> = pins
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["pin"].as_str().unwrap())
        .collect();
    codes.sort_unstable();
    assert_eq!(codes, ["0517", "4242"]);
    let out = august(&tool, &sandbox, &["lock-detail", "NOSUCHLOCK"], &[]).expect_code(1);
    assert!(out.stderr.contains("status 404"), "{out:#?}");
}

#[test]
fn every_authy_call() {
    let sandbox = Sandbox::start().unwrap();
    let tool = Tool::new();

    let user = authy(
        &sandbox,
        &tool,
        &[
            "users",
            "create",
            "--email",
            "new@example.com",
            "--phone",
            "555-555-0199",
            "--country-code",
            "1",
        ],
    )
    .expect_code(0)
    .json();
    let id = user["user"]["id"].as_u64().unwrap();
    let id_text = id.to_string();
    let id = id_text.as_str();
    let status = authy(&sandbox, &tool, &["users", "status", id])
        .expect_code(0)
        .json();
    assert_eq!(
        status["status"]["authy_id"].as_u64(),
        Some(id_text.parse().unwrap())
    );
    assert_eq!(status["status"]["registered"], false);

    let sms = authy(&sandbox, &tool, &["users", "sms", id])
        .expect_code(0)
        .json();
    assert_eq!(
        sms.get("ignored"),
        None,
        "absent unless ignored, as Authy sends it"
    );
    let token = sandbox
        .authy_token(id_text.parse().unwrap())
        .expect("a token was sent");
    let wrong = if token.starts_with('1') {
        "2222222"
    } else {
        "1111111"
    };
    let out = authy(&sandbox, &tool, &["tokens", "verify", id, wrong]).expect_code(1);
    assert!(
        !out.stderr.contains(wrong) && !out.stderr.contains(&token),
        "{out:#?}"
    );
    let ok = authy(&sandbox, &tool, &["tokens", "verify", id, &token])
        .expect_code(0)
        .json();
    assert_eq!(ok["message"], "Token is valid.");

    // the app user: ignored unless forced
    let app_user = demo::AUTHY_APP_USER_ID.to_string();
    let call = authy(&sandbox, &tool, &["users", "call", &app_user])
        .expect_code(0)
        .json();
    assert_eq!(call["ignored"], true);
    let call = authy(&sandbox, &tool, &["users", "call", &app_user, "--force"])
        .expect_code(0)
        .json();
    assert_eq!(call.get("ignored"), None);

    // a QR code for a generic authenticator app, and the registration status of a custom id
    let qr = authy(
        &sandbox,
        &tool,
        &["users", "qr", id, "--size", "300", "--label", "Example"],
    )
    .expect_code(0)
    .json();
    assert_eq!(
        qr,
        serde_json::json!({"qr_code": format!("https://sandbox.invalid/qr/{id}.png?size=300"),
                           "label": "Example", "issuer": "August Sandbox", "message": null})
    );
    let registration = authy(
        &sandbox,
        &tool,
        &[
            "users",
            "registration-status",
            demo::AUTHY_APP_USER_CUSTOM_ID,
        ],
    )
    .expect_code(0)
    .json();
    assert_eq!(
        registration["status"],
        serde_json::json!({"authy_id": demo::AUTHY_APP_USER_ID, "registered": true, "confirmed": true})
    );
    let out = authy(
        &sandbox,
        &tool,
        &["users", "registration-status", "customer-42"],
    )
    .expect_code(1);
    assert!(out.stderr.contains("60026"), "{out:#?}");
    let activity = authy(
        &sandbox,
        &tool,
        &[
            "users",
            "register-activity",
            id,
            "--type",
            "password-reset",
            "--user-ip",
            "203.0.113.7",
            "--data",
            "reason=forgot",
        ],
    )
    .expect_code(0)
    .json();
    assert!(activity["message"].is_string(), "{activity}");

    // phone verification with the code the sandbox "sent"
    let started = authy(
        &sandbox,
        &tool,
        &[
            "phones",
            "verification-start",
            "555-555-0142",
            "--country-code",
            "1",
            "--code-length",
            "6",
        ],
    )
    .expect_code(0)
    .json();
    assert!(started["message"].is_string());
    let code = sandbox
        .authy_phone_verification_code("1", "555-555-0142")
        .expect("a code was sent");
    assert_eq!(code.len(), 6);
    let checked = authy(
        &sandbox,
        &tool,
        &[
            "phones",
            "verification-check",
            "555-555-0142",
            &code,
            "--country-code",
            "1",
        ],
    )
    .expect_code(0)
    .json();
    assert!(checked["message"].is_string(), "{checked}");
    let info = authy(&sandbox, &tool, &["phones", "info", "555-555-0142"])
        .expect_code(0)
        .json();
    assert!(info["type"].is_string(), "{info}");

    let app = authy(&sandbox, &tool, &["app", "details"])
        .expect_code(0)
        .json();
    assert_eq!(app["app"]["app_id"], demo::AUTHY_APP_ID);
    let stats = authy(&sandbox, &tool, &["app", "stats"])
        .expect_code(0)
        .json();
    assert!(stats["stats"].is_array());

    // OneTouch: create, pending, approved by the user, and the signed callback checked
    let received = Arc::new(Mutex::new(None::<(String, String, String)>));
    let mut receiver = mockito::Server::new();
    let record = Arc::clone(&received);
    let callback = receiver
        .mock("POST", "/authy/callback")
        .match_request(move |r| {
            let header = |name: &str| {
                r.header(name)
                    .first()
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned()
            };
            let body = r.utf8_lossy_body().unwrap().into_owned();
            *record.lock().unwrap() = Some((
                header("x-authy-signature"),
                header("x-authy-signature-nonce"),
                body,
            ));
            true
        })
        .with_status(200)
        .expect(1)
        .create();
    let callback_url = format!("{}/authy/callback", receiver.url());
    sandbox.set_authy_callback_url(&callback_url).unwrap();
    let created = authy(
        &sandbox,
        &tool,
        &[
            "onetouch",
            "create",
            id,
            "--message",
            "Unlock the front door?",
            "--seconds-to-expire",
            "120",
            "--detail",
            "door=Front Door",
            "--hidden-detail",
            "ip=203.0.113.7",
            "--logo",
            "default=https://example.com/logo.png",
        ],
    )
    .expect_code(0)
    .json();
    let uuid = created["approval_request"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let status = authy(&sandbox, &tool, &["onetouch", "status", &uuid])
        .expect_code(0)
        .json();
    assert_eq!(status["approval_request"]["status"], "pending");
    sandbox.approve_onetouch(&uuid).unwrap();
    callback.assert();
    let status = authy(&sandbox, &tool, &["onetouch", "status", &uuid])
        .expect_code(0)
        .json();
    assert_eq!(status["approval_request"]["status"], "approved");
    let (signature, nonce, body) = received.lock().unwrap().clone().unwrap();
    let check = |body: &str, nonce: &str| {
        authy(
            &sandbox,
            &tool,
            &[
                "onetouch",
                "verify-callback",
                "--method",
                "post",
                "--url",
                &callback_url,
                "--body",
                body,
                "--nonce",
                nonce,
                "--signature",
                &signature,
            ],
        )
    };
    assert_eq!(
        check(&body, &nonce).expect_code(0).json(),
        serde_json::json!({"valid": true})
    );
    let out = check(&body, "1000000000.000000").expect_code(1);
    assert_eq!(out.json(), serde_json::json!({"valid": false}));
    assert_eq!(
        out.stderr,
        "error: the callback signature does not match: reject the callback\n"
    );

    let deleted = authy(&sandbox, &tool, &["users", "delete", id])
        .expect_code(0)
        .json();
    assert!(deleted["message"].is_string(), "{deleted}");
    let out = authy(&sandbox, &tool, &["users", "status", id]).expect_code(1);
    assert!(out.stderr.starts_with("error: "), "{out:#?}");

    // a wrong key is refused by Authy and never printed
    let url = sandbox.authy_url();
    let out = tool
        .run(
            &["authy", "app", "details"],
            &[
                ("AUTHY_API_URL", url.as_str()),
                ("AUTHY_API_KEY", "WrongKey12345"),
            ],
        )
        .expect_code(1);
    assert!(!out.stderr.contains("WrongKey12345"), "{out:#?}");
    assert!(
        out.stderr.contains("60001") || out.stderr.contains("401"),
        "{out:#?}"
    );
}

#[test]
fn sandbox_flag_signs_in_by_itself() {
    let tool = Tool::new();
    let out = tool
        .run(&["--sandbox", "--json", "locks"], &[])
        .expect_code(0);
    let locks: Value = out.json();
    assert_eq!(locks.as_array().unwrap().len(), 3);
    assert_eq!(locks[0]["device_id"], demo::FRONT_DOOR_LOCK_ID);
    assert_eq!(out.stderr, "");
    // nothing is cached: the sandbox lives for one command
    assert!(!tool.home().join("data").exists());
    let out = tool
        .run(&["--sandbox", "unlock", demo::FRONT_DOOR_LOCK_ID], &[])
        .expect_code(0);
    assert_eq!(
        out.stdout,
        format!("{}: unlocked\n", demo::FRONT_DOOR_LOCK_ID)
    );
    let out = tool
        .run(&["--json", "login"], &[("AUGUST_SANDBOX", "1")])
        .expect_code(0);
    assert_eq!(out.json()["state"], "authenticated");
    assert_eq!(out.json()["cache"], Value::Null);
    let out = tool
        .run(&["--sandbox", "--json", "authy", "app", "details"], &[])
        .expect_code(0);
    assert_eq!(out.json()["app"]["app_id"], demo::AUTHY_APP_ID);
    tool.run(&["--sandbox", "verify", "123456"], &[])
        .expect_code(2);
}

/// `--sandbox login` for a brand without a password login runs the sandbox's OAuth flow, as
/// every other command does under `--sandbox`, instead of refusing the password login.
#[test]
fn sandbox_login_of_an_oauth_brand_signs_in_with_oauth() {
    let tool = Tool::new();
    for brand in ["yale_global", "yale_august"] {
        let out = tool
            .run(&["--sandbox", "--brand", brand, "--json", "login"], &[])
            .expect_code(0);
        let login = out.json();
        assert_eq!(login["brand"], brand, "{out:#?}");
        assert_eq!(login["signed_in_with"], "oauth", "{out:#?}");
        assert_eq!(login["cache"], Value::Null, "{out:#?}");
    }
    assert!(!tool.home().join("data").exists());
}

/// `--sandbox login --import-ha FILE` writes the demo file, mode 0600, only where nothing is:
/// a dangling link at FILE is not followed (the file it names is not created). It used to
/// write through the link.
#[cfg(unix)]
#[test]
fn sandbox_demo_home_assistant_file_is_created_only_where_nothing_is() {
    use std::os::unix::fs::PermissionsExt;

    let tool = Tool::new();
    let file = tool.home().join("core.config_entries");
    let path = file.to_str().unwrap();
    tool.run(&["--sandbox", "login", "--import-ha", path], &[])
        .expect_code(0);
    let meta = fs::symlink_metadata(&file).unwrap();
    assert!(meta.is_file(), "{meta:?}");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);

    let target = tool.home().join("elsewhere.json");
    let link = tool.home().join("linked_entries");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = tool.run(
        &["--sandbox", "login", "--import-ha", link.to_str().unwrap()],
        &[],
    );
    assert_ne!(out.code, 0, "{out:#?}");
    assert!(!target.exists(), "{out:#?}");
    assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
}

#[test]
fn sandbox_flag_answers_qr_codes_and_registration_status() {
    let tool = Tool::new();
    let sms_user = demo::AUTHY_SMS_USER_ID.to_string();
    let app_user = demo::AUTHY_APP_USER_ID.to_string();

    let out = tool
        .run(
            &["--sandbox", "--json", "authy", "users", "qr", &sms_user],
            &[],
        )
        .expect_code(0);
    assert_eq!(
        out.json(),
        serde_json::json!({"qr_code": format!("https://sandbox.invalid/qr/{sms_user}.png?size=300"),
                           "label": "August Sandbox", "issuer": "August Sandbox", "message": null})
    );
    let out = tool
        .run(
            &[
                "--sandbox",
                "authy",
                "users",
                "qr",
                &app_user,
                "--size",
                "512",
                "--label",
                "Front door",
            ],
            &[],
        )
        .expect_code(0);
    assert_eq!(
        out.stdout,
        format!(
            "qr code  https://sandbox.invalid/qr/{app_user}.png?size=512\n\
             label    Front door\n\
             issuer   August Sandbox\n\
             message  -\n"
        ),
        "{out:#?}"
    );
    let out = tool
        .run(
            &["--sandbox", "--json", "authy", "users", "qr", "424242"],
            &[],
        )
        .expect_code(1);
    assert!(out.stderr.contains("60026"), "{out:#?}");

    let out = tool
        .run(
            &[
                "--sandbox",
                "--json",
                "authy",
                "users",
                "registration-status",
                demo::AUTHY_SMS_USER_CUSTOM_ID,
            ],
            &[],
        )
        .expect_code(0);
    assert_eq!(
        out.json(),
        serde_json::json!({"message": "Registration status.", "success": true,
                           "status": {"authy_id": demo::AUTHY_SMS_USER_ID,
                                      "registered": false, "confirmed": false}})
    );
    let out = tool
        .run(
            &[
                "--sandbox",
                "authy",
                "users",
                "registration-status",
                demo::AUTHY_APP_USER_CUSTOM_ID,
            ],
            &[],
        )
        .expect_code(0);
    assert!(
        out.stdout.contains("Registration status.")
            && out.stdout.contains(&format!(
                "\nauthy id    {app_user}\nconfirmed   yes\nregistered  yes\n"
            )),
        "{out:#?}"
    );
    let out = tool
        .run(
            &[
                "--sandbox",
                "--json",
                "authy",
                "users",
                "registration-status",
                "customer-42",
            ],
            &[],
        )
        .expect_code(1);
    assert!(out.stderr.contains("60026"), "{out:#?}");
    assert_eq!(out.stdout, "");
}

#[test]
fn an_unlock_whose_answer_is_lost_exits_5_and_says_the_outcome_is_unknown() {
    let sandbox = Sandbox::start().unwrap();
    let tool = Tool::new();
    let login_vars = [
        ("AUGUST_USERNAME", demo::PHONE),
        ("AUGUST_PASSWORD", demo::PASSWORD),
    ];
    august(&tool, &sandbox, &["login"], &login_vars).expect_code(0);
    let code = sandbox.august_verification_code().expect("a code was sent");
    august(&tool, &sandbox, &["verify", &code], &login_vars).expect_code(0);

    // The sandbox unlocks, then cuts the answer after a few bytes.
    sandbox.set_fault(
        "PUT /remoteoperate/{id}/unlock",
        august_sandbox::Fault::TruncatedBody { keep: 5 },
    );
    sandbox.reset_stats();
    let out = august(
        &tool,
        &sandbox,
        &["unlock", demo::FRONT_DOOR_LOCK_ID],
        &login_vars,
    )
    .expect_code(5);
    assert!(out.stderr.starts_with("error: "), "{out:#?}");
    assert!(out.stderr.contains("outcome is unknown"), "{out:#?}");
    assert_eq!(
        sandbox.stats().route("PUT /remoteoperate/{lock_id}/unlock"),
        1,
        "sent once, never resent"
    );
}
