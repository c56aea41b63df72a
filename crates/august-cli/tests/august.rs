//! The August commands against mockito: the whole login, the token cache, every read command,
//! lock and unlock with their exact requests, and the exit codes of the failures.

mod common;

use std::fs;
use std::sync::{Arc, Mutex};

use common::{Run, Tool};
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::{Value, json};
use test_support::client_tests::read_fixture;
use test_support::mocks::nothing_else;

const API_KEY: &str = "d9984f29-07a6-816e-e1c9-44ec9d1be431";
const PHONE: &str = "+15555550100";
const EMAIL: &str = "someone@example.com";
const PASSWORD: &str = "correct-Horse-battery-9";
const EXPIRES: &str = "2099-03-06T22:55:12.002Z";
const PROVISIONAL: &str = "provisional-token-3f9a";
const TOKEN: &str = "final-token-77c1";
const LOCK_ID: &str = "A6697750D607098BAE8D6BAA11EF8063";

/// A recorded answer from august-core's test data.
fn fixture(name: &str) -> String {
    read_fixture(concat!(env!("CARGO_MANIFEST_DIR"), "/../august-core"), name)
}

fn session_body(v_install_id: bool) -> String {
    json!({"expiresAt": EXPIRES, "vPassword": true, "vInstallId": v_install_id}).to_string()
}

/// A `POST /session` mock for the password of the phone account, and the install ids of every
/// `POST /session` request as it records them (see [`session`]).
fn phone_session(
    server: &mut ServerGuard,
    validated: bool,
    token: &str,
) -> (Mock, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let identifier = format!("phone:{PHONE}");
    let mock = session(server, &identifier, validated, token, Some(&seen));
    (mock, seen)
}

/// A `POST /session` mock for the password. With `seen`, it records the install id of every
/// `POST /session` request (mockito asks every mock about every request, so one recording mock
/// sees them all).
fn session(
    server: &mut ServerGuard,
    identifier: &str,
    validated: bool,
    token: &str,
    seen: Option<&Arc<Mutex<Vec<String>>>>,
) -> Mock {
    let seen = seen.map(Arc::clone);
    server
        .mock("POST", "/session")
        .match_header("x-august-api-key", API_KEY)
        .match_header("x-august-access-token", Matcher::Missing)
        .match_body(Matcher::PartialJson(
            json!({"identifier": identifier, "password": PASSWORD}),
        ))
        .match_request(move |request| {
            if let Some(seen) = &seen {
                let body: Value = serde_json::from_slice(request.body().unwrap()).unwrap();
                let id = body["installId"].as_str().unwrap_or_default().to_owned();
                seen.lock().unwrap().push(id);
            }
            true
        })
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_header("x-august-access-token", token)
        .with_body(session_body(validated))
        .expect(1)
        .create()
}

/// The check of the verification code `code` for [`PHONE`], sent once, exactly, and accepted.
fn code_accepted(server: &mut ServerGuard, code: &str) -> Mock {
    authed(server, "POST", "/validate/phone", PROVISIONAL)
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(json!({"phone": PHONE, "code": code})))
        .with_status(200)
        .with_body("{}")
        .expect(1)
        .create()
}

/// A mock of an authenticated call with the headers every call sends.
fn authed(server: &mut ServerGuard, method: &str, path: &str, token: &str) -> Mock {
    server
        .mock(method, path)
        .match_header("x-august-api-key", API_KEY)
        .match_header("x-august-branding", "august")
        .match_header("accept-version", "0.0.1")
        .match_header("x-august-access-token", token)
}

fn ok_json(mock: Mock, body: &str) -> Mock {
    mock.with_status(200)
        .with_header("content-type", "application/json")
        .with_body(body)
        .expect(1)
        .create()
}

/// Writes an authenticated cache file.
fn logged_in(tool: &Tool, token: &str, expires: &str) {
    fs::write(
        tool.cache(),
        format!(
            r#"{{"install_id": "0b5d3b8e-3f5f-4b8a-9c4e-2f6d8a1b7c9d", "access_token": "{token}", "access_token_expires": "{expires}", "state": "authenticated"}}"#
        ),
    )
    .unwrap();
}

/// Runs with `--base-url` and `--cache` set.
fn run(tool: &Tool, server: &ServerGuard, args: &[&str]) -> Run {
    run_env(tool, server, args, &[])
}

/// Runs with `--base-url` and `--cache` set and these environment variables.
fn run_env(tool: &Tool, server: &ServerGuard, args: &[&str], env: &[(&str, &str)]) -> Run {
    let cache = tool.cache();
    let url = server.url();
    let mut all = vec!["--base-url", &url, "--cache", cache.to_str().unwrap()];
    all.extend_from_slice(args);
    tool.run(&all, env)
}

/// Runs `august login --username PHONE EXTRA...` with `--base-url` and `--cache` set and the
/// password in the environment.
fn login(tool: &Tool, server: &ServerGuard, extra: &[&str]) -> Run {
    let mut args = vec!["login", "--username", PHONE];
    args.extend_from_slice(extra);
    run_env(tool, server, &args, &[("AUGUST_PASSWORD", PASSWORD)])
}

fn cache_json(tool: &Tool) -> Value {
    serde_json::from_str(&fs::read_to_string(tool.cache()).unwrap()).unwrap()
}

fn assert_no_secrets(run: &Run) {
    run.assert_prints_none(&[PASSWORD, PROVISIONAL, TOKEN]);
}

#[cfg(unix)]
fn assert_private(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{} has mode {mode:o}", path.display());
}

#[cfg(not(unix))]
fn assert_private(_: &std::path::Path) {}

#[test]
fn login_with_a_code_goes_through_the_whole_flow_and_caches_only_the_final_token() {
    let mut server = Server::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let identifier = format!("phone:{PHONE}");
    let first = session(&mut server, &identifier, false, PROVISIONAL, Some(&seen));
    let validate = code_accepted(&mut server, "012345");
    let second = session(&mut server, &identifier, true, TOKEN, None);
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    let url = server.url();
    let out = tool
        .run(
            &["login", "--code", "012345"],
            &[
                ("AUGUST_BASE_URL", url.as_str()),
                ("AUGUST_USERNAME", PHONE),
                ("AUGUST_PASSWORD", PASSWORD),
                ("AUGUST_CACHE_FILE", tool.cache().to_str().unwrap()),
            ],
        )
        .expect_code(0);
    first.assert();
    validate.assert();
    second.assert();
    others.assert();
    assert_no_secrets(&out);
    assert!(
        out.stdout.starts_with("state     authenticated\n"),
        "{out:#?}"
    );
    assert!(out.stdout.contains(&format!("username  {PHONE}\n")));
    assert!(out.stdout.contains(&format!("expires   {EXPIRES}\n")));
    // the second login reuses the install id the code validated
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0], seen[1]);
    let cache = cache_json(&tool);
    assert_eq!(cache["state"], "authenticated");
    assert_eq!(cache["access_token"], TOKEN);
    assert_eq!(cache["install_id"], seen[0].as_str());
    assert_private(&tool.cache());

    // the cached token is what the next command uses
    let locks = ok_json(
        authed(&mut server, "GET", "/users/locks/mine", TOKEN),
        &fixture("get_locks.json"),
    );
    let out = run(&tool, &server, &["--json", "locks"]).expect_code(0);
    locks.assert();
    let ids: Vec<String> = out
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["device_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        ids,
        [LOCK_ID, "A6697750D607098BAE8D6BAA11EF9999"],
        "server order kept"
    );
}

#[test]
fn login_sends_a_code_and_verify_finishes_it_in_another_process() {
    let mut server = Server::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let identifier = format!("email:{EMAIL}");
    let first = session(&mut server, &identifier, false, PROVISIONAL, Some(&seen));
    let send = authed(&mut server, "POST", "/validation/email", PROVISIONAL)
        .match_body(Matcher::Json(json!({"value": EMAIL})))
        .with_status(200)
        .with_body("{}")
        .expect(1)
        .create();
    let tool = Tool::new();
    let url = server.url();
    let cache = tool.cache();
    let vars = [
        ("AUGUST_BASE_URL", url.as_str()),
        ("AUGUST_USERNAME", EMAIL),
        ("AUGUST_LOGIN_METHOD", "email"),
        ("AUGUST_PASSWORD", PASSWORD),
        ("AUGUST_CACHE_FILE", cache.to_str().unwrap()),
    ];
    let out = tool.run(&["--json", "login"], &vars).expect_code(0);
    first.assert();
    send.assert();
    assert_no_secrets(&out);
    let state = out.json();
    assert_eq!(state["state"], "requires_validation");
    assert_eq!(state["username"], EMAIL);
    assert_eq!(state["login_method"], "email");
    assert!(out.stderr.contains("august verify CODE"), "{out:#?}");
    // the pending login is in the cache file, private, with what verify needs
    let pending = cache_json(&tool);
    assert_eq!(pending["state"], "requires_validation");
    assert_eq!(pending["access_token"], PROVISIONAL);
    assert_eq!(pending["username"], EMAIL);
    assert_eq!(pending["login_method"], "email");
    assert_private(&cache);

    // a pending login is not a login
    let out = tool.run_at(&url, &["locks"], &[]).expect_code(3);
    assert!(out.stderr.contains("august verify CODE"), "{out:#?}");

    let validate = authed(&mut server, "POST", "/validate/email", PROVISIONAL)
        .match_body(Matcher::Json(json!({"email": EMAIL, "code": "004321"})))
        .with_status(200)
        .with_body("{}")
        .expect(1)
        .create();
    let second = session(&mut server, &identifier, true, TOKEN, None);
    let others = nothing_else(&mut server);
    // verify finds the account in the pending record: only the password is given again
    let out = tool
        .run_at(
            &url,
            &["verify", "004321"],
            &[("AUGUST_PASSWORD", PASSWORD)],
        )
        .expect_code(0);
    validate.assert();
    second.assert();
    others.assert();
    assert_no_secrets(&out);
    assert!(
        out.stdout.starts_with("state     authenticated\n"),
        "{out:#?}"
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen[0], seen[1],
        "verify logs in with the validated install id"
    );
    let cache_value = cache_json(&tool);
    assert_eq!(cache_value["state"], "authenticated");
    assert_eq!(cache_value["access_token"], TOKEN);
    assert_eq!(cache_value.get("username"), None);
    assert_private(&cache);
}

/// A login given `--username` on the command line writes `<username>.json`; the command it
/// says to finish with names the account too, and works as printed. It used to say `august
/// verify CODE`, which looks in `default.json` and finds no login.
#[test]
fn the_verify_hint_names_the_account_the_login_was_given() {
    let mut server = Server::new();
    let (first, _seen) = phone_session(&mut server, false, PROVISIONAL);
    let send = authed(&mut server, "POST", "/validation/phone", PROVISIONAL)
        .with_status(200)
        .with_body("{}")
        .expect(1)
        .create();
    let validate = authed(&mut server, "POST", "/validate/phone", PROVISIONAL)
        .match_body(Matcher::PartialJson(json!({"code": "004321"})))
        .with_status(200)
        .with_body("{}")
        .expect(1)
        .create();
    let second = session(&mut server, &format!("phone:{PHONE}"), true, TOKEN, None);
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    let url = server.url();
    let vars = [
        ("AUGUST_BASE_URL", url.as_str()),
        ("AUGUST_PASSWORD", PASSWORD),
    ];
    let out = tool
        .run(&["login", "--username", PHONE], &vars)
        .expect_code(0);
    first.assert();
    send.assert();
    let hint = out
        .stderr
        .split('`')
        .nth(1)
        .unwrap_or_else(|| panic!("no command in {out:#?}"));
    assert_eq!(hint, format!("august --username {PHONE} verify CODE"));
    let args: Vec<&str> = hint
        .split_whitespace()
        .skip(1)
        .map(|w| if w == "CODE" { "004321" } else { w })
        .collect();
    let out = tool.run(&args, &vars).expect_code(0);
    validate.assert();
    second.assert();
    others.assert();
    assert!(
        out.stdout.starts_with("state     authenticated\n"),
        "{out:#?}"
    );
}

#[test]
fn a_refused_code_is_exit_1_and_keeps_the_pending_login() {
    let mut server = Server::new();
    let (first, _seen) = phone_session(&mut server, false, PROVISIONAL);
    let validate = authed(&mut server, "POST", "/validate/phone", PROVISIONAL)
        .with_status(400)
        .with_header("content-type", "application/json")
        .with_body(r#"{"code": 97, "message": "wrong code"}"#)
        .expect(1)
        .create();
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    let out = run(
        &tool,
        &server,
        &["login", "--username", PHONE, "--code", "111111"],
    );
    // the password comes from the environment only
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("AUGUST_PASSWORD"));
    let out = login(&tool, &server, &["--code", "111111"]).expect_code(1);
    first.assert();
    validate.assert();
    others.assert();
    assert_no_secrets(&out);
    assert_eq!(
        out.stderr,
        format!(
            "error: the verification code was refused; run `august --cache {0} verify CODE` with the right code, or `august --cache {0} login` for a new one\n",
            tool.cache().display()
        )
    );
    assert_eq!(cache_json(&tool)["state"], "requires_validation");
}

/// A login that needs a code keeps the login waiting for it before the code is sent: a code
/// costs the user and is sent once. When the cache cannot be written (here a file in `/proc`,
/// where no one creates files, root included, though the path passes the file policy),
/// `login` fails with the cache's error and sends no code. It used to send the code first and then fail, the code spent on a
/// login no `verify` could find.
#[cfg(target_os = "linux")]
#[test]
fn a_cache_that_cannot_be_written_fails_the_login_before_a_code_is_sent() {
    let mut server = Server::new();
    let (first, _seen) = phone_session(&mut server, false, PROVISIONAL);
    let others = nothing_else(&mut server);
    // Created after the catch-all, so that it is the one to count a code request.
    let send = authed(&mut server, "POST", "/validation/phone", PROVISIONAL)
        .with_status(200)
        .with_body("{}")
        .expect(0)
        .create();
    let tool = Tool::new();
    let cache = format!("/proc/august-cli-login-{}.json", std::process::id());
    let url = server.url();
    let out = tool
        .run(
            &[
                "--base-url",
                &url,
                "--cache",
                &cache,
                "login",
                "--username",
                PHONE,
            ],
            &[("AUGUST_PASSWORD", PASSWORD)],
        )
        .expect_code(1);
    first.assert();
    send.assert();
    others.assert();
    assert_no_secrets(&out);
    assert_eq!(
        out.stderr,
        format!(
            "error: no verification code was sent, as the login waiting for it could not be kept: cannot write the token cache {cache}; check that its directory is writable: No such file or directory (os error 2)\n"
        )
    );
}

/// A code whose request failed leaves the login waiting for it in the cache, and `august login`
/// again has a code sent for the same install id (a known install id keeps the codes of one
/// login together). It used to leave nothing, and the next login started with a new install id.
///
/// The server received the request, so a code may have gone out before it failed (a gateway's
/// 5xx may come after the SMS was sent): the error says to finish with `verify` if a code
/// arrives, else to log in again, with exit code 5 (outcome unknown). A 5xx used to say that
/// no code was sent, and the advice had a second SMS sent.
#[test]
fn a_code_that_could_not_be_sent_is_sent_by_the_next_login_for_the_same_install() {
    let mut server = Server::new();
    let (first, seen) = phone_session(&mut server, false, PROVISIONAL);
    let send = authed(&mut server, "POST", "/validation/phone", PROVISIONAL)
        .match_body(Matcher::Json(json!({"value": PHONE})))
        .with_status(500)
        .with_header("content-type", "application/json")
        .with_body(r#"{"message": "the SMS gateway is down"}"#)
        .expect(1)
        .create();
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    let out = login(&tool, &server, &[]).expect_code(5);
    first.assert();
    send.assert();
    others.assert();
    assert_no_secrets(&out);
    assert_eq!(
        out.stderr,
        format!(
            "error: the request for a verification code failed, but a code may have been sent: if a code arrives, finish with `august --cache {0} verify CODE`; else run `august --cache {0} login` again for one: POST /validation/phone failed with status 500: server error: the request may have taken effect: check before sending it again; the server said: the SMS gateway is down\n",
            tool.cache().display()
        )
    );
    let pending = cache_json(&tool);
    assert_eq!(pending["state"], "requires_validation");
    assert_eq!(pending["access_token"], PROVISIONAL);
    server.reset();

    let (again, seen_again) = phone_session(&mut server, false, "provisional-token-2");
    let send = authed(
        &mut server,
        "POST",
        "/validation/phone",
        "provisional-token-2",
    )
    .match_body(Matcher::Json(json!({"value": PHONE})))
    .with_status(200)
    .with_body("{}")
    .expect(1)
    .create();
    let others = nothing_else(&mut server);
    let out = login(&tool, &server, &[]).expect_code(0);
    again.assert();
    send.assert();
    others.assert();
    assert!(
        out.stderr
            .starts_with("a verification code was sent by SMS to +15555550100"),
        "{out:#?}"
    );
    assert_eq!(
        seen_again.lock().unwrap().as_slice(),
        seen.lock().unwrap().as_slice()
    );
    assert_eq!(cache_json(&tool)["access_token"], "provisional-token-2");
}

/// A request for the code that the server refused (a 4xx) sent none: the error says so and to
/// run `august login` again, with the exit code of the refusal (1), and the pending login stays
/// for that login's install id. A later command says the login waits for its code, and that
/// `august login` again has one sent: it said only to run `verify`, or `august login`, as if
/// a code had come. Both commands it names carry the `--cache FILE` the run was given: the
/// `login` half said a bare `august login`, which looks in another file.
#[test]
fn a_code_request_the_server_refuses_says_no_code_was_sent() {
    let mut server = Server::new();
    let (first, _seen) = phone_session(&mut server, false, PROVISIONAL);
    let send = authed(&mut server, "POST", "/validation/phone", PROVISIONAL)
        .match_body(Matcher::Json(json!({"value": PHONE})))
        .with_status(400)
        .with_header("content-type", "application/json")
        .with_body(r#"{"message": "not a mobile number"}"#)
        .expect(1)
        .create();
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    let out = login(&tool, &server, &[]).expect_code(1);
    first.assert();
    send.assert();
    others.assert();
    assert_no_secrets(&out);
    assert!(
        out.stderr.starts_with(&format!(
            "error: no verification code was sent; run `august --cache {} login` again to have one sent: POST /validation/phone failed with status 400",
            tool.cache().display()
        )),
        "{out:#?}"
    );
    assert!(out.stderr.contains("not a mobile number"), "{out:#?}");
    assert_eq!(cache_json(&tool)["state"], "requires_validation");
    let out = run(&tool, &server, &["locks"]).expect_code(3);
    assert_eq!(
        out.stderr,
        format!(
            "error: not logged in: the login waits for its verification code; run `august --cache {0} verify CODE` with the code, or `august --cache {0} login` again to have one sent if none came\n",
            tool.cache().display()
        )
    );
    others.assert();
}

/// A command run while a login waits for its code says to finish it with the `verify` command
/// that finds it, with the `--cache FILE` the run was given, as `login`'s own hint does; the
/// command works as printed. It said a bare `august verify CODE`, which looks in the default
/// file and finds no login there.
#[test]
fn a_later_commands_hint_to_verify_names_the_cache_it_was_given() {
    let mut server = Server::new();
    let tool = Tool::new();
    let pending = json!({
        "install_id": "0b5d3b8e-3f5f-4b8a-9c4e-2f6d8a1b7c9d",
        "access_token": PROVISIONAL,
        "access_token_expires": EXPIRES,
        "state": "requires_validation",
        "username": PHONE,
        "login_method": "phone",
    });
    fs::write(tool.cache(), pending.to_string()).unwrap();
    let out = run(&tool, &server, &["locks"]).expect_code(3);
    let hint = out
        .stderr
        .split('`')
        .nth(1)
        .unwrap_or_else(|| panic!("no command in {out:#?}"));
    let cache = tool.cache().to_str().unwrap().to_owned();
    assert_eq!(hint, format!("august --cache {cache} verify CODE"));
    let validate = code_accepted(&mut server, "004321");
    let second = session(&mut server, &format!("phone:{PHONE}"), true, TOKEN, None);
    let others = nothing_else(&mut server);
    let args: Vec<&str> = hint
        .split_whitespace()
        .skip(1)
        .map(|w| if w == "CODE" { "004321" } else { w })
        .collect();
    let url = server.url();
    let out = tool
        .run(
            &[&["--base-url", url.as_str()][..], &args].concat(),
            &[("AUGUST_PASSWORD", PASSWORD)],
        )
        .expect_code(0);
    validate.assert();
    second.assert();
    others.assert();
    assert!(
        out.stdout.starts_with("state     authenticated\n"),
        "{out:#?}"
    );
    assert_eq!(cache_json(&tool)["access_token"], TOKEN);
}

/// A request for the code that got no answer (the connection closed after it was sent) may
/// have sent one: the pending login is kept, and the error says to finish with `verify` if a
/// code arrives, or to run `august login` again for one, with exit code 5 (outcome unknown; it
/// was 1).
#[test]
fn a_code_request_without_an_answer_says_to_verify_if_the_code_arrives() {
    use test_support::fault_server::{Act, FaultServer, response};
    let server = FaultServer::start(|request| match request.path() {
        "/session" => vec![Act::Send(response(
            200,
            &[
                ("content-type", "application/json"),
                ("x-august-access-token", PROVISIONAL),
            ],
            session_body(false).as_bytes(),
        ))],
        _ => vec![Act::Close],
    });
    let tool = Tool::new();
    let cache = tool.cache();
    let out = tool
        .run(
            &[
                "--base-url",
                &server.url(),
                "--cache",
                cache.to_str().unwrap(),
                "login",
            ],
            &[("AUGUST_USERNAME", PHONE), ("AUGUST_PASSWORD", PASSWORD)],
        )
        .expect_code(5);
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.target))
        .collect();
    assert_eq!(paths, ["POST /session", "POST /validation/phone"]);
    assert_no_secrets(&out);
    let first_line = out.stderr.split(": POST /validation/phone").next();
    assert_eq!(
        first_line,
        Some(
            format!(
                "error: the request for a verification code failed, but a code may have been sent: if a code arrives, finish with `august --cache {0} verify CODE`; else run `august --cache {0} login` again for one",
                cache.display()
            )
            .as_str()
        ),
        "{out:#?}"
    );
    assert_eq!(cache_json(&tool)["state"], "requires_validation");
}

#[test]
fn a_wrong_password_is_refused_without_printing_it() {
    let mut server = Server::new();
    let m = server
        .mock("POST", "/session")
        .with_status(200)
        .with_header("x-august-access-token", PROVISIONAL)
        .with_body(
            json!({"expiresAt": EXPIRES, "vPassword": false, "vInstallId": false}).to_string(),
        )
        .expect(1)
        .create();
    let tool = Tool::new();
    let out = login(&tool, &server, &[]).expect_code(1);
    m.assert();
    assert_no_secrets(&out);
    assert!(
        out.stderr
            .starts_with("error: the server refused the password for +15555550100")
    );
    assert!(!tool.cache().exists());
}

#[test]
fn a_failed_login_request_shows_the_server_error_but_not_the_password() {
    let mut server = Server::new();
    let m = server
        .mock("POST", "/session")
        .with_status(401)
        .with_header("content-type", "application/json")
        .with_body(r#"{"code": 401, "message": "invalid credentials"}"#)
        .expect(1)
        .create();
    let tool = Tool::new();
    let out = login(&tool, &server, &[]).expect_code(3);
    m.assert();
    assert_no_secrets(&out);
    assert_eq!(
        out.stderr,
        format!(
            "error: POST /session failed with status 401: the access token is not valid: log in again; the server said: invalid credentials; run `august --cache {} login`\n",
            tool.cache().display()
        )
    );
}

#[test]
fn locks_prints_an_aligned_table() {
    let mut server = Server::new();
    let m = ok_json(
        authed(&mut server, "GET", "/users/locks/mine", TOKEN),
        &fixture("get_locks.json"),
    );
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    let out = run(&tool, &server, &["locks"]).expect_code(0);
    m.assert();
    assert_eq!(
        out.stdout,
        "ID                                NAME             HOUSE    ROLE\n\
         A6697750D607098BAE8D6BAA11EF8063  Front Door Lock  A House  superuser\n\
         A6697750D607098BAE8D6BAA11EF9999  Back Door Lock   A House  user\n"
    );
    assert_eq!(out.stderr, "");
}

#[test]
fn lock_and_unlock_send_one_put_each_and_print_the_new_state() {
    let mut server = Server::new();
    let lock = ok_json(
        authed(
            &mut server,
            "PUT",
            &format!("/remoteoperate/{LOCK_ID}/lock"),
            TOKEN,
        )
        .match_query(Matcher::Missing),
        &fixture("lock.json"),
    );
    let unlock = ok_json(
        authed(
            &mut server,
            "PUT",
            &format!("/remoteoperate/{LOCK_ID}/unlock"),
            TOKEN,
        )
        .match_query(Matcher::Missing),
        &fixture("unlock.json"),
    );
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    let out = run(&tool, &server, &["lock", LOCK_ID]).expect_code(0);
    assert_eq!(out.stdout, format!("{LOCK_ID}: locked\n"));
    assert_eq!(out.stderr, "", "no spinner when stderr is not a terminal");
    let out = run(&tool, &server, &["--json", "unlock", LOCK_ID]).expect_code(0);
    assert_eq!(
        out.json(),
        json!({"lock_id": LOCK_ID, "operation": "unlock", "status": "unlocked"})
    );
    lock.assert();
    unlock.assert();
    others.assert();
}

#[test]
fn an_unauthorized_token_is_exit_3_with_what_to_do() {
    let mut server = Server::new();
    let m = authed(&mut server, "GET", "/users/locks/mine", TOKEN)
        .with_status(401)
        .with_header("content-type", "application/json")
        .with_body(r#"{"code": 401, "message": "Unauthorized"}"#)
        .expect(1)
        .create();
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    let out = run(&tool, &server, &["locks"]).expect_code(3);
    m.assert();
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        format!(
            "error: GET /users/locks/mine failed with status 401: the access token is not valid: log in again; the server said: Unauthorized; run `august --cache {} login`\n",
            tool.cache().display()
        )
    );
}

#[test]
fn rate_limiting_is_exit_4() {
    let mut server = Server::new();
    // a Retry-After beyond the transport's limit: reported at once, not retried
    let m = authed(&mut server, "GET", "/users/locks/mine", TOKEN)
        .with_status(429)
        .with_header("retry-after", "120")
        .with_body("slow down")
        .expect(1)
        .create();
    let unlock = authed(
        &mut server,
        "PUT",
        &format!("/remoteoperate/{LOCK_ID}/unlock"),
        TOKEN,
    )
    .with_status(429)
    .expect(1)
    .create();
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    let out = run(&tool, &server, &["locks"]).expect_code(4);
    assert!(
        out.stderr.starts_with("error: GET /users/locks/mine failed with status 429: rate limited: wait before trying again"),
        "{out:#?}"
    );
    assert!(out.stderr.contains("retry after 120 s"));
    let out = run(&tool, &server, &["unlock", LOCK_ID]).expect_code(4);
    assert_eq!(out.stderr.lines().count(), 1);
    m.assert();
    unlock.assert();
}

/// A lock operation answered with a 5xx may have moved the lock (a gateway answers 502 or 504
/// after the bridge acted): `lock` and `unlock` exit with 5 (outcome unknown) and say to read
/// the lock's state before trying again, where they exited with 1 and said only "try again
/// later". Each is sent once. A 4xx refused the operation: exit code 1, no such advice.
#[test]
fn a_lock_operation_answered_5xx_exits_5_and_says_to_read_the_lock_state() {
    let mut server = Server::new();
    for (verb, status) in [("lock", 502), ("unlock", 502), ("unlock", 504)] {
        let path = format!("/remoteoperate/{LOCK_ID}/{verb}");
        let mock = authed(&mut server, "PUT", &path, TOKEN)
            .with_status(status)
            .with_header("content-type", "text/html")
            .with_body("<html>bad gateway</html>")
            .expect(1)
            .create();
        let others = nothing_else(&mut server);
        let tool = Tool::new();
        logged_in(&tool, TOKEN, EXPIRES);
        let out = run(&tool, &server, &[verb, LOCK_ID]).expect_code(5);
        mock.assert();
        others.assert();
        assert_eq!(out.stdout, "");
        assert_eq!(
            out.stderr,
            format!(
                "error: the {verb} request failed, but the lock may have moved: read its state with `august status {LOCK_ID}` before trying again: PUT {path} failed with status {status}: server error: the outcome is unknown: read the lock's status before trying again; body starts: <html>bad gateway</html>\n"
            )
        );
        server.reset();
    }

    let refused = authed(
        &mut server,
        "PUT",
        &format!("/remoteoperate/{LOCK_ID}/unlock"),
        TOKEN,
    )
    .with_status(400)
    .with_header("content-type", "application/json")
    .with_body(r#"{"message": "bad request"}"#)
    .expect(1)
    .create();
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    let out = run(&tool, &server, &["unlock", LOCK_ID]).expect_code(1);
    refused.assert();
    assert!(
        out.stderr.starts_with(&format!(
            "error: PUT /remoteoperate/{LOCK_ID}/unlock failed with status 400"
        )),
        "{out:#?}"
    );
    assert!(!out.stderr.contains("may have moved"), "{out:#?}");
}

/// Every August command whose request changes something, answered 502 (which a gateway may
/// send after the request was acted on): sent once, exit code 5 (outcome unknown), and its
/// advice first, before the SDK's message. Answered 400, the request was refused: exit code 1,
/// without the advice.
#[test]
fn every_request_that_changes_something_exits_5_with_its_advice_on_a_502() {
    let mut server = Server::new();
    let lock = format!("/remoteoperate/{LOCK_ID}/lock");
    let unlock = format!("/remoteoperate/{LOCK_ID}/unlock");
    let may_have_moved = |verb: &str| {
        format!(
            "the {verb} request failed, but the lock may have moved: read its state with `august status {LOCK_ID}` before trying again"
        )
    };
    let commands = [
        (vec!["lock", LOCK_ID], "PUT", lock.as_str(), may_have_moved("lock")),
        (vec!["unlock", LOCK_ID], "PUT", unlock.as_str(), may_have_moved("unlock")),
        (
            vec!["wakeup", "K98GiDT45GUL"],
            "PUT",
            "/doorbells/K98GiDT45GUL/wakeup",
            "the wake-up request failed, but the doorbell may have woken up: see its status with `august doorbell K98GiDT45GUL` before trying again".to_owned(),
        ),
    ];
    for (args, method, path, advice) in &commands {
        for (status, code) in [(502, 5), (400, 1)] {
            let mock = common::html_answer(authed(&mut server, method, path, TOKEN), status)
                .expect(1)
                .create();
            let others = nothing_else(&mut server);
            let tool = Tool::new();
            logged_in(&tool, TOKEN, EXPIRES);
            let out = run(&tool, &server, args).expect_code(code);
            mock.assert();
            others.assert();
            out.assert_advice(code, advice);
            server.reset();
        }
    }
}

/// What a code check that may have reached the server says first.
/// The advice after a code check whose outcome is unknown, for the `--cache` file the tests
/// give on the command line: `august login` without it would read another file.
fn code_check_unknown(tool: &Tool) -> String {
    format!(
        "the verification code check failed, but the code may have been accepted: run `august --cache {} login`, which logs in without a code if it was, or has a new one sent",
        tool.cache().display()
    )
}

/// A code check answered 502 may have used the code up and validated the install (a gateway
/// may answer so after the server acted): `login --code` exits with 5 and says to run `august
/// login`, which then needs no code, and keeps the login waiting for the code, whose install
/// id that login uses. The check is sent once. It exited with 1 and kept nothing, so the next
/// login started with a new install id and needed a new code.
#[test]
fn login_code_answered_502_exits_5_and_the_next_login_needs_no_code_if_it_was_accepted() {
    let mut server = Server::new();
    let (first, seen) = phone_session(&mut server, false, PROVISIONAL);
    let validate = authed(&mut server, "POST", "/validate/phone", PROVISIONAL)
        .match_body(Matcher::Json(json!({"phone": PHONE, "code": "012345"})))
        .with_status(502)
        .with_header("content-type", "text/html")
        .with_body("<html>bad gateway</html>")
        .expect(1)
        .create();
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    let out = login(&tool, &server, &["--code", "012345"]).expect_code(5);
    first.assert();
    validate.assert();
    others.assert();
    assert_no_secrets(&out);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .starts_with(&format!("error: {}: ", code_check_unknown(&tool))),
        "{out:#?}"
    );
    let pending = cache_json(&tool);
    assert_eq!(pending["state"], "requires_validation");
    assert_eq!(pending["access_token"], PROVISIONAL);
    server.reset();

    // The code was accepted: the login the error says to run needs none.
    let (again, seen_again) = phone_session(&mut server, true, TOKEN);
    let others = nothing_else(&mut server);
    let out = login(&tool, &server, &[]).expect_code(0);
    again.assert();
    others.assert();
    assert!(
        out.stdout.starts_with("state     authenticated\n"),
        "{out:#?}"
    );
    assert_eq!(
        seen_again.lock().unwrap().as_slice(),
        seen.lock().unwrap().as_slice()
    );
}

/// The login that follows an accepted code (the second `POST /session`) answered 502 may have
/// signed in: `login --code` exits with 5 and says that the code was accepted and that `august
/// login` (with the same `--cache`) finishes the sign-in without a new code, which it does,
/// with the install id the code validated. It exited with 1 and said nothing of the code.
#[test]
fn the_login_after_an_accepted_code_answered_502_exits_5_and_the_next_login_needs_no_code() {
    let mut server = Server::new();
    let (first, seen) = phone_session(&mut server, false, PROVISIONAL);
    let validate = code_accepted(&mut server, "012345");
    let second = server
        .mock("POST", "/session")
        .with_status(502)
        .with_header("content-type", "text/html")
        .with_body("<html>bad gateway</html>")
        .expect(1)
        .create();
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    let out = login(&tool, &server, &["--code", "012345"]).expect_code(5);
    first.assert();
    validate.assert();
    second.assert();
    others.assert();
    assert_no_secrets(&out);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        format!(
            "error: the verification code was accepted, but the login that follows it failed: run `august --cache {} login`, which finishes the sign-in without a new code: POST /session failed with status 502: server error: the request may have taken effect: check before sending it again; body starts: <html>bad gateway</html>\n",
            tool.cache().display()
        )
    );
    server.reset();

    let (again, seen_again) = phone_session(&mut server, true, TOKEN);
    let others = nothing_else(&mut server);
    let out = login(&tool, &server, &[]).expect_code(0);
    again.assert();
    others.assert();
    assert!(
        out.stdout.starts_with("state     authenticated\n"),
        "{out:#?}"
    );
    let first_id = seen.lock().unwrap()[0].clone();
    assert_eq!(seen_again.lock().unwrap().as_slice(), [first_id]);
}

/// A password the server refuses once the code was accepted (the second `POST /session`) says
/// to run `login` again with the `--cache FILE` the run was given. It said a bare `august
/// login`, which logs in to another file.
#[test]
fn a_password_refused_after_the_code_names_the_login_with_the_cache_given() {
    let mut server = Server::new();
    let (first, _seen) = phone_session(&mut server, false, PROVISIONAL);
    let validate = code_accepted(&mut server, "012345");
    let second = server
        .mock("POST", "/session")
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_header("x-august-access-token", PROVISIONAL)
        .with_body(
            json!({"expiresAt": EXPIRES, "vPassword": false, "vInstallId": true}).to_string(),
        )
        .expect(1)
        .create();
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    let out = login(&tool, &server, &["--code", "012345"]).expect_code(1);
    first.assert();
    validate.assert();
    second.assert();
    others.assert();
    assert_no_secrets(&out);
    assert_eq!(
        out.stderr,
        format!(
            "error: the server refused the password after the code was accepted; run `august --cache {} login` again\n",
            tool.cache().display()
        )
    );
}

/// `verify` answered 502 on its code check exits with 5 and says what `login --code` says;
/// the check is sent once and the pending login stays for that `august login`. It exited with
/// 1.
#[test]
fn verify_answered_502_exits_5_and_keeps_the_pending_login() {
    let mut server = Server::new();
    let tool = Tool::new();
    let pending = json!({
        "install_id": "0b5d3b8e-3f5f-4b8a-9c4e-2f6d8a1b7c9d",
        "access_token": PROVISIONAL,
        "access_token_expires": EXPIRES,
        "state": "requires_validation",
        "username": PHONE,
        "login_method": "phone",
    });
    fs::write(tool.cache(), pending.to_string()).unwrap();
    let validate = authed(&mut server, "POST", "/validate/phone", PROVISIONAL)
        .match_body(Matcher::Json(json!({"phone": PHONE, "code": "004321"})))
        .with_status(502)
        .with_header("content-type", "text/html")
        .with_body("<html>bad gateway</html>")
        .expect(1)
        .create();
    let others = nothing_else(&mut server);
    let out = run_env(
        &tool,
        &server,
        &["verify", "004321"],
        &[("AUGUST_PASSWORD", PASSWORD)],
    )
    .expect_code(5);
    validate.assert();
    others.assert();
    assert_no_secrets(&out);
    assert!(
        out.stderr
            .starts_with(&format!("error: {}: ", code_check_unknown(&tool))),
        "{out:#?}"
    );
    assert_eq!(cache_json(&tool), pending);
}

/// `verify` with a cache file that holds no login (not JSON) says that the pending login
/// cannot be read, with why, and to run `august login` (exit code 3), before it sends
/// anything: the code is not spent. The file is left as it was.
#[test]
fn verify_with_a_cache_that_is_not_json_says_so_and_sends_nothing() {
    let mut server = Server::new();
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    fs::write(tool.cache(), "not json").unwrap();
    let out = run_env(
        &tool,
        &server,
        &["verify", "004321"],
        &[("AUGUST_PASSWORD", PASSWORD)],
    )
    .expect_code(3);
    others.assert();
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.starts_with(&format!(
            "error: the pending login cannot be read: run `august --cache {0} login` (the token cache {0} ",
            tool.cache().display()
        )),
        "{out:#?}"
    );
    assert_eq!(fs::read_to_string(tool.cache()).unwrap(), "not json");
}

#[test]
fn without_a_login_commands_say_to_log_in_and_send_nothing() {
    let mut server = Server::new();
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    let out = run(&tool, &server, &["locks"]).expect_code(3);
    // the login command as it can be run: with this run's --cache
    assert!(
        out.stderr.starts_with(&format!(
            "error: not logged in: run `august --cache {} login`",
            tool.cache().display()
        )),
        "{out:#?}"
    );
    // the default cache, with no username known, is default.json in the data directory
    let url = server.url();
    let out = tool
        .run(&["--base-url", &url, "doorbells"], &[])
        .expect_code(3);
    let default = tool.home().join("data/august/default.json");
    assert!(out.stderr.contains(default.to_str().unwrap()), "{out:#?}");
    // and with a username, that account's file
    let out = tool
        .run(
            &["--base-url", &url, "houses"],
            &[("AUGUST_USERNAME", PHONE)],
        )
        .expect_code(3);
    let file = tool.home().join("data/august/+15555550100.json");
    assert!(out.stderr.contains(file.to_str().unwrap()), "{out:#?}");
    // an expired login is not used
    logged_in(&tool, TOKEN, "2001-01-01T00:00:00.000Z");
    let out = run(&tool, &server, &["locks"]).expect_code(3);
    assert!(out.stderr.contains("has expired"), "{out:#?}");
    others.assert();
}

#[test]
fn a_token_close_to_expiry_is_refreshed_and_cached_first() {
    // exp 1900000000 (2030-03-17)
    let new_token = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE5MDAwMDAwMDB9.c2lnbmF0dXJl";
    let soon = (chrono::Utc::now() + chrono::TimeDelta::days(2))
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let mut server = Server::new();
    let refresh = authed(&mut server, "GET", "/users/houses/mine", TOKEN)
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_header("x-august-access-token", new_token)
        .with_body("[]")
        .expect(1)
        .create();
    let locks = ok_json(
        authed(&mut server, "GET", "/users/locks/mine", new_token),
        &fixture("get_locks.json"),
    );
    let tool = Tool::new();
    logged_in(&tool, TOKEN, &soon);
    let out = run(&tool, &server, &["locks"]).expect_code(0);
    refresh.assert();
    locks.assert();
    out.assert_prints_none(&[new_token]);
    let cache = cache_json(&tool);
    assert_eq!(cache["access_token"], new_token);
    assert_eq!(cache["access_token_expires"], "2030-03-17T17:46:40.000000Z");
}

#[test]
fn logout_deletes_the_cache() {
    let server = Server::new();
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    let out = run(&tool, &server, &["logout"]).expect_code(0);
    assert_eq!(
        out.stdout,
        format!("logged out: deleted {}\n", tool.cache().display())
    );
    assert!(!tool.cache().exists());
    let out = run(&tool, &server, &["--json", "logout"]).expect_code(0);
    assert_eq!(out.json()["logged_out"], false);
    run(&tool, &server, &["locks"]).expect_code(3);
}

/// A cache path that is not UTF-8 is printed with its own bytes, in text and JSON: `logout`
/// said it deleted `caf\u{fffd}.json`, which named `caf\xe9.json` and `caf\xff.json` alike,
/// and only one of them was deleted.
#[cfg(unix)]
#[test]
fn logout_prints_a_cache_path_that_is_not_utf8_with_its_bytes() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let tool = Tool::new();
    let e9 = tool.home().join(OsStr::from_bytes(b"caf\xe9.json"));
    let ff = tool.home().join(OsStr::from_bytes(b"caf\xff.json"));
    for path in [&e9, &ff] {
        fs::write(path, "{}").unwrap();
    }
    let logout = |cache: &std::path::Path, json: bool| {
        let mut command = tool.command(if json { &["--json"] } else { &[] }, &[]);
        let output = command
            .arg("--cache")
            .arg(cache)
            .arg("logout")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{output:#?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let home = tool.home().to_str().unwrap();
    assert_eq!(
        logout(&e9, false),
        format!("logged out: deleted $'{home}/caf\\xe9.json'\n")
    );
    assert!(!e9.exists());
    assert!(ff.exists());
    let printed: Value = serde_json::from_str(&logout(&ff, true)).unwrap();
    assert_eq!(printed["cache"], format!("$'{home}/caf\\xff.json'"));
    assert_eq!(printed["logged_out"], true);
    assert!(!ff.exists());
}

/// In `--json` output a path that is UTF-8 is the path itself, control characters included (the
/// JSON string escapes them, and a reader gets the very path back); only a path that is not
/// UTF-8, which no JSON string holds, is the shell word that names its bytes. Text output
/// prints both as shell words. JSON gave a UTF-8 path with a control character as a shell word
/// (`$'...\x0a...'`), not the path.
#[cfg(unix)]
#[test]
fn json_output_gives_a_utf8_path_as_it_is_and_another_as_its_shell_word() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let tool = Tool::new();
    let control = tool.home().join("caf\u{e9}\n\x1b[2J.json");
    let not_utf8 = tool.home().join(OsStr::from_bytes(b"caf\xff\n.json"));
    let logout = |cache: &std::path::Path, json: bool| {
        fs::write(cache, "{}").unwrap();
        let mut command = tool.command(if json { &["--json"] } else { &[] }, &[]);
        let output = command
            .arg("--cache")
            .arg(cache)
            .arg("logout")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{output:#?}");
        assert!(!cache.exists());
        String::from_utf8(output.stdout).unwrap()
    };
    let home = tool.home().to_str().unwrap();
    let printed = logout(&control, true);
    assert!(!printed.contains('\x1b'), "{printed}");
    let printed: Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(printed["cache"], control.to_str().unwrap());
    let printed: Value = serde_json::from_str(&logout(&not_utf8, true)).unwrap();
    assert_eq!(printed["cache"], format!("$'{home}/caf\\xff\\x0a.json'"));
    assert_eq!(
        logout(&control, false),
        format!("logged out: deleted $'{home}/caf\\xc3\\xa9\\x0a\\x1b[2J.json'\n")
    );
    assert_eq!(
        logout(&not_utf8, false),
        format!("logged out: deleted $'{home}/caf\\xff\\x0a.json'\n")
    );
}

/// The cache file is never read through a link, nor from a FIFO (`--cache /dev/stdin`), not
/// even to find the brand a command starts with. A link to credentials used to be followed
/// (and its token sent), a FIFO to block every command.
#[cfg(unix)]
#[test]
fn a_cache_path_that_is_a_link_or_a_fifo_is_never_read() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let mut server = Server::new();
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    let real = tool.home().join("real.json");
    fs::write(
        &real,
        json!({"format": "august-rs-credentials/1", "kind": "imported", "brand": "august", "access_token": TOKEN})
            .to_string(),
    )
    .unwrap();
    std::os::unix::fs::symlink(&real, tool.cache()).unwrap();
    let out = run(&tool, &server, &["locks"]).expect_code(2);
    assert!(out.stderr.contains("symbolic link"), "{out:#?}");
    let out = run(&tool, &server, &["whoami"]);
    assert_ne!(out.code, 0, "{out:#?}");
    assert!(out.stderr.contains("symbolic link"), "{out:#?}");
    others.assert();

    fs::remove_file(tool.cache()).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(tool.cache())
        .status()
        .unwrap();
    assert!(made.success());
    for command in ["locks", "whoami"] {
        let cache = tool.cache();
        let url = server.url();
        let mut child = tool
            .command(
                &[
                    "--base-url",
                    &url,
                    "--cache",
                    cache.to_str().unwrap(),
                    command,
                ],
                &[],
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(10) {
                child.kill().unwrap();
                child.wait().unwrap();
                panic!("`august {command}` waited on the FIFO");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(!status.success(), "{command}: {status:?}");
    }
    others.assert();
}

/// `auth.json` in a new directory every user can write to (mode 0777, no sticky bit): a cache
/// path the policy refuses.
#[cfg(unix)]
fn in_a_directory_others_can_write_to(tool: &Tool) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;

    let shared = tool.home().join("shared");
    fs::create_dir(&shared).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o777)).unwrap();
    shared.join("auth.json")
}

/// A cache path the file policy refuses (here a file in a directory others can write to) is
/// never read, nor its mode changed, by a command: `august-auth`'s read refuses it, and the
/// command that comes to the cache says why. Every command without `--brand` read the file (and
/// restricted it to 0600) to learn its brand before the path was checked, `logout` included.
///
/// Every command says it in the same words, with exit code 2 (a setting to change): the path,
/// the policy's reason, and another file to choose. A command that needs the token said "not
/// logged in: run `august login`" with exit code 3, although `august login` is refused the same
/// path; `login --token` checked the token with the server before it found the path refused.
/// A password login where no file is yet creates none.
#[cfg(unix)]
#[test]
fn a_cache_path_the_policy_refuses_is_neither_read_nor_restricted() {
    use std::os::unix::fs::PermissionsExt;

    let mut server = Server::new();
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    let cache = in_a_directory_others_can_write_to(&tool);
    fs::write(
        &cache,
        json!({"format": "august-rs-credentials/1", "kind": "imported", "brand": "yale_global", "access_token": TOKEN})
            .to_string(),
    )
    .unwrap();
    fs::set_permissions(&cache, fs::Permissions::from_mode(0o644)).unwrap();
    let expected = format!(
        "error: the token cache {} is refused: its directory {} can be written by other users (mode 777, no sticky bit); run `chmod go-w` on it, or choose another file with `--cache FILE` or AUGUST_CACHE_FILE (it was left untouched)\n",
        cache.display(),
        cache.parent().unwrap().display()
    );
    let url = server.url();
    for command in [
        &["logout"][..],
        &["locks"],
        &["whoami"],
        &["verify", "123456"],
        &["login", "--username", PHONE],
        &["login", "--token", "a-token"],
    ] {
        let mut args = vec!["--base-url", &url, "--cache", cache.to_str().unwrap()];
        args.extend_from_slice(command);
        let out = tool
            .run(&args, &[("AUGUST_PASSWORD", PASSWORD)])
            .expect_code(2);
        assert_eq!(out.stderr, expected, "{command:?}");
        let mode = fs::metadata(&cache).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "{command:?} changed the mode to {mode:o}");
    }
    assert!(cache.exists());
    // A password login to such a path where no file is stops before it asks for the password:
    // it used to log in, and send a verification code, then fail to keep the login.
    fs::remove_file(&cache).unwrap();
    let args = ["--base-url", &url, "--cache", cache.to_str().unwrap()];
    let login = [&args[..], &["login", "--username", PHONE]].concat();
    let out = tool
        .run(&login, &[("AUGUST_PASSWORD", PASSWORD)])
        .expect_code(2);
    assert_eq!(out.stderr, expected);
    assert!(!cache.exists());
    others.assert();
}

/// `august verify CODE` refuses a cache path whose `<name>.lock` is a symbolic link before it
/// sends the code, which checking spends: the login could not be kept there. Exit code 2 (a
/// setting to change), and the server gets nothing.
#[cfg(unix)]
#[test]
fn verify_refuses_a_lock_file_that_is_a_link_before_it_sends_the_code() {
    let mut server = Server::new();
    let others = nothing_else(&mut server);
    // Created after the catch-all, so that it is the one to count a code sent.
    let validate = authed(&mut server, "POST", "/validate/phone", PROVISIONAL)
        .with_status(200)
        .with_body("{}")
        .expect(0)
        .create();
    let tool = Tool::new();
    let pending = json!({
        "install_id": "0b5d3b8e-3f5f-4b8a-9c4e-2f6d8a1b7c9d",
        "access_token": PROVISIONAL,
        "access_token_expires": EXPIRES,
        "state": "requires_validation",
        "username": PHONE,
        "login_method": "phone",
    });
    fs::write(tool.cache(), pending.to_string()).unwrap();
    let lock = tool.home().join("auth.json.lock");
    let target = tool.home().join("elsewhere");
    std::os::unix::fs::symlink(&target, &lock).unwrap();
    let out = run_env(
        &tool,
        &server,
        &["verify", "123456"],
        &[("AUGUST_PASSWORD", PASSWORD)],
    )
    .expect_code(2);
    validate.assert();
    others.assert();
    assert_no_secrets(&out);
    assert_eq!(
        out.stderr,
        format!(
            "error: the token cache {} is refused: it is a symbolic link, and links are not followed; name the file itself, or choose another file with `--cache FILE` or AUGUST_CACHE_FILE (it was left untouched)\n",
            lock.display()
        )
    );
    assert_eq!(cache_json(&tool), pending);
    assert!(fs::symlink_metadata(&target).is_err());
}

/// A `<name>.lock` that is a symbolic link does not stop a command that only reads the cache
/// (only writes take the lock): `locks` and `whoami` work with the cached login, and the
/// link's target is not created.
#[cfg(unix)]
#[test]
fn a_lock_file_that_is_a_link_does_not_stop_a_command_that_only_reads_the_cache() {
    let mut server = Server::new();
    let locks = ok_json(
        authed(&mut server, "GET", "/users/locks/mine", TOKEN),
        &fixture("get_locks.json"),
    );
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    let target = tool.home().join("elsewhere");
    std::os::unix::fs::symlink(&target, tool.home().join("auth.json.lock")).unwrap();
    let out = run(&tool, &server, &["--json", "locks"]).expect_code(0);
    assert_eq!(out.json()[0]["device_id"], LOCK_ID, "{out:#?}");
    let out = run(&tool, &server, &["--json", "whoami"]).expect_code(0);
    assert_eq!(out.json()["signed_in_with"], "password", "{out:#?}");
    assert_eq!(
        out.json()["cache"],
        tool.cache().to_str().unwrap(),
        "{out:#?}"
    );
    locks.assert();
    others.assert();
    assert!(fs::symlink_metadata(&target).is_err());
}

/// A refused directory whose name is not UTF-8 is printed with its own bytes, as the cache path
/// beside it is: the refusal printed it with a replacement character, another directory.
#[cfg(unix)]
#[test]
fn a_refused_directory_that_is_not_utf8_is_printed_with_its_bytes() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::PermissionsExt;

    let mut server = Server::new();
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    let shared = tool.home().join(OsStr::from_bytes(b"caf\xe9"));
    fs::create_dir(&shared).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o777)).unwrap();
    let cache = shared.join("auth.json");
    let output = tool
        .command(&["--base-url", &server.url()], &[])
        .arg("--cache")
        .arg(&cache)
        .arg("locks")
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let home = tool.home().to_str().unwrap();
    assert_eq!(
        stderr,
        format!(
            "error: the token cache $'{home}/caf\\xe9/auth.json' is refused: its directory $'{home}/caf\\xe9' can be written by other users (mode 777, no sticky bit); run `chmod go-w` on it, or choose another file with `--cache FILE` or AUGUST_CACHE_FILE (it was left untouched)\n"
        )
    );
    others.assert();
}

/// `logout` also deletes the unusable cache files kept aside (`.corrupt`, `.corrupt.N`), which
/// may hold tokens; a link among them is removed itself, its target left alone. They used to
/// stay while logout said "logged out".
#[cfg(unix)]
#[test]
fn logout_deletes_the_files_kept_aside_too() {
    let server = Server::new();
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    let cache = tool.cache().display().to_string();
    let aside = |suffix: &str| std::path::PathBuf::from(format!("{cache}{suffix}"));
    for suffix in [".corrupt", ".corrupt.1", ".corrupt.3", ".corrupt.5"] {
        fs::write(aside(suffix), TOKEN).unwrap();
    }
    let target = tool.home().join("theirs.json");
    fs::write(&target, "theirs").unwrap();
    std::os::unix::fs::symlink(&target, aside(".corrupt.2")).unwrap();
    // Not a file: refused and warned of, and the ones after it still go.
    fs::create_dir(aside(".corrupt.4")).unwrap();
    let unrelated = aside(".corrupted");
    fs::write(&unrelated, "kept").unwrap();
    let out = run(&tool, &server, &["logout"]).expect_code(0);
    assert_eq!(
        out.stdout,
        format!(
            "logged out: deleted {cache}; deleted 5 unusable cache files kept aside as {cache}.corrupt*\n"
        )
    );
    assert!(
        out.stderr.starts_with("warning: ") && out.stderr.contains(".corrupt.4"),
        "{}",
        out.stderr
    );
    assert!(aside(".corrupt.4").is_dir());
    for suffix in [
        "",
        ".corrupt",
        ".corrupt.1",
        ".corrupt.2",
        ".corrupt.3",
        ".corrupt.5",
    ] {
        assert!(fs::symlink_metadata(aside(suffix)).is_err(), "{suffix}");
    }
    assert_eq!(fs::read_to_string(&target).unwrap(), "theirs");
    assert_eq!(fs::read_to_string(&unrelated).unwrap(), "kept");
    // Only files kept aside left: they go too.
    fs::write(aside(".corrupt"), TOKEN).unwrap();
    let out = run(&tool, &server, &["--json", "logout"]).expect_code(0);
    let printed = out.json();
    assert_eq!(printed["logged_out"], false);
    assert_eq!(printed["kept_aside_deleted"], 1);
    assert!(!aside(".corrupt").exists());
}

/// `whoami` with a cache path that is a dangling link says the link is refused: it used to
/// look at the path through the link, find nothing and say "not logged in".
#[cfg(unix)]
#[test]
fn whoami_refuses_a_dangling_link_rather_than_find_no_cache() {
    let server = Server::new();
    let tool = Tool::new();
    let link = tool.home().join("link.json");
    std::os::unix::fs::symlink(tool.home().join("gone.json"), &link).unwrap();
    let url = server.url();
    let out = tool
        .run(
            &[
                "--base-url",
                &url,
                "--cache",
                link.to_str().unwrap(),
                "whoami",
            ],
            &[],
        )
        .expect_code(2);
    assert!(out.stderr.contains("symbolic link"), "{out:#?}");
    assert!(!out.stderr.contains("not logged in"), "{out:#?}");
}

/// A cache path that is a link in a directory others can write to: `logout` removes the link
/// and says nothing of the kept-aside names that are not there (the directory's check used to
/// be warned of once for each of the hundred).
#[cfg(unix)]
#[test]
fn logout_of_a_link_in_a_shared_directory_warns_of_nothing_absent() {
    let server = Server::new();
    let tool = Tool::new();
    let target = tool.home().join("target.json");
    fs::write(&target, "theirs").unwrap();
    let link = in_a_directory_others_can_write_to(&tool);
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let url = server.url();
    let out = tool
        .run(
            &[
                "--base-url",
                &url,
                "--cache",
                link.to_str().unwrap(),
                "logout",
            ],
            &[],
        )
        .expect_code(0);
    assert_eq!(out.stderr, "", "{out:#?}");
    assert!(fs::symlink_metadata(&link).is_err());
    assert_eq!(fs::read_to_string(&target).unwrap(), "theirs");
}

/// `login --token` checks the token before caching it: a mistyped one leaves the cached
/// password login (and its validated install id) as it was. It used to replace it first. An
/// unusable file at the path is kept aside, not overwritten.
#[test]
fn login_token_replaces_the_cache_only_with_a_token_that_works() {
    let mut server = Server::new();
    let refused = authed(&mut server, "GET", "/users/houses/mine", "mistyped")
        .with_status(401)
        .with_body(r#"{"message": "Unauthorized"}"#)
        .expect(1)
        .create();
    let accepted = ok_json(
        authed(&mut server, "GET", "/users/houses/mine", "new-token-8"),
        "[]",
    );
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    let before = fs::read_to_string(tool.cache()).unwrap();
    let out = run(&tool, &server, &["login", "--token", "mistyped"]);
    assert_ne!(out.code, 0, "{out:#?}");
    refused.assert();
    assert_eq!(fs::read_to_string(tool.cache()).unwrap(), before);

    fs::write(tool.cache(), "not json").unwrap();
    let out = run(&tool, &server, &["login", "--token", "new-token-8"]).expect_code(0);
    accepted.assert();
    others.assert();
    assert_eq!(cache_json(&tool)["access_token"], "new-token-8");
    let aside = format!("{}.corrupt", tool.cache().display());
    assert_eq!(fs::read_to_string(&aside).unwrap(), "not json");
    assert!(
        out.stderr.contains("kept the unusable token cache aside"),
        "{out:#?}"
    );
}

/// `login --token` over an unusable cache file names the file it kept that one aside as: the
/// first free name, here `.corrupt.1`, as `.corrupt` is taken. It said "`<cache>.corrupt` (or
/// `.corrupt.N`)", from a read of the file of its own before the one that decided.
#[test]
fn login_token_names_the_file_it_kept_an_unusable_cache_aside_as() {
    let mut server = Server::new();
    let accepted = ok_json(
        authed(&mut server, "GET", "/users/houses/mine", "new-token-8"),
        "[]",
    );
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    let cache = tool.unusable_cache_with_corrupt_taken();
    let out = run(&tool, &server, &["login", "--token", "new-token-8"]).expect_code(0);
    accepted.assert();
    others.assert();
    assert_eq!(
        out.stderr,
        format!("warning: kept the unusable token cache aside as {cache}.corrupt.1\n")
    );
    assert_eq!(cache_json(&tool)["access_token"], "new-token-8");
    tool.assert_kept_aside_as_corrupt_1();
}

/// `login --code` over an unusable cache file, in one run, names the file it kept that one
/// aside as when it writes the login: the first free name, here `.corrupt.1`, as `.corrupt` is
/// taken. It said nothing: only a login waiting for its code got the warning.
#[test]
fn login_with_a_code_names_the_file_it_kept_an_unusable_cache_aside_as() {
    let mut server = Server::new();
    let identifier = format!("phone:{PHONE}");
    let first = session(&mut server, &identifier, false, PROVISIONAL, None);
    let validate = ok_json(
        authed(&mut server, "POST", "/validate/phone", PROVISIONAL)
            .match_body(Matcher::PartialJson(json!({"code": "012345"}))),
        "{}",
    );
    let second = session(&mut server, &identifier, true, TOKEN, None);
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    let cache = tool.unusable_cache_with_corrupt_taken();
    let out = login(&tool, &server, &["--code", "012345"]).expect_code(0);
    first.assert();
    validate.assert();
    second.assert();
    others.assert();
    assert_eq!(
        out.stderr,
        format!("warning: kept the unusable token cache aside as {cache}.corrupt.1\n")
    );
    assert_eq!(cache_json(&tool)["access_token"], TOKEN);
    tool.assert_kept_aside_as_corrupt_1();
}

/// A cache path whose file name (244 bytes) leaves room for `.corrupt` but not for the
/// temporary file written beside it (`.<name>.XXXXXX.tmp`, past the 255 bytes a file name may
/// have), holding an unusable file: a login keeps that file aside, then cannot write.
#[cfg(target_os = "linux")]
fn unusable_cache_whose_write_fails(tool: &Tool) -> (std::path::PathBuf, String) {
    let cache = tool.home().join(format!("{}.json", "c".repeat(239)));
    fs::write(&cache, "not json").unwrap();
    let aside = format!("{}.corrupt", cache.display());
    (cache, aside)
}

/// `login --token` whose write fails after it kept an unusable cache file aside names the
/// file it kept it as: it said only that the token could not be cached.
#[cfg(target_os = "linux")]
#[test]
fn login_token_that_cannot_cache_names_the_file_it_kept_aside() {
    let mut server = Server::new();
    let accepted = ok_json(
        authed(&mut server, "GET", "/users/houses/mine", "new-token-8"),
        "[]",
    );
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    let (cache, aside) = unusable_cache_whose_write_fails(&tool);
    let url = server.url();
    let args = ["--base-url", &url, "--cache", cache.to_str().unwrap()];
    let out = tool
        .run(
            &[&args[..], &["login", "--token", "new-token-8"]].concat(),
            &[],
        )
        .expect_code(1);
    accepted.assert();
    others.assert();
    let said = format!(
        "error: signed in, but the token could not be cached: cannot write the token cache {}; check that its directory is writable; the unusable file that was there is kept aside as {aside}: ",
        cache.display()
    );
    assert!(out.stderr.starts_with(&said), "{out:#?}");
    // then the I/O error, with the temporary file's path
    assert!(out.stderr.contains("(os error 36)"), "{out:#?}");
    assert_eq!(out.stderr.lines().count(), 1, "{out:#?}");
    assert_eq!(fs::read_to_string(&aside).unwrap(), "not json");
    assert!(!cache.exists());
}

/// The password login says it once too, in its error: a warning said it before the error,
/// which did not.
#[cfg(target_os = "linux")]
#[test]
fn password_login_that_cannot_cache_names_the_file_it_kept_aside_once() {
    let mut server = Server::new();
    let identifier = format!("phone:{PHONE}");
    let first = session(&mut server, &identifier, false, PROVISIONAL, None);
    // The login waiting for its code cannot be kept, so the code is not checked: it is not
    // spent on a login no later command could finish.
    let validate = authed(&mut server, "POST", "/validate/phone", PROVISIONAL)
        .expect(0)
        .create();
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    let (cache, aside) = unusable_cache_whose_write_fails(&tool);
    let url = server.url();
    let args = ["--base-url", &url, "--cache", cache.to_str().unwrap()];
    let login = ["login", "--username", PHONE, "--code", "012345"];
    let out = tool
        .run(
            &[&args[..], &login].concat(),
            &[("AUGUST_PASSWORD", PASSWORD)],
        )
        .expect_code(1);
    first.assert();
    validate.assert();
    others.assert();
    let said = format!(
        "error: cannot write the token cache {}; check that its directory is writable; the unusable file that was there is kept aside as {aside}: ",
        cache.display()
    );
    assert!(out.stderr.starts_with(&said), "{out:#?}");
    assert_eq!(out.stderr.matches(aside.as_str()).count(), 1, "{out:#?}");
    assert_eq!(fs::read_to_string(&aside).unwrap(), "not json");
}

#[test]
fn lock_detail_and_status_show_the_models() {
    let mut server = Server::new();
    let detail = authed(&mut server, "GET", &format!("/locks/{LOCK_ID}"), TOKEN)
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(fixture("get_lock.online_with_doorsense.json"))
        .expect(2)
        .create();
    let status = authed(&mut server, "GET", &format!("/locks/{LOCK_ID}/status"), TOKEN)
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(r#"{"status": "kAugLockState_Locked", "doorState": "kAugDoorState_Open", "dateTime": "2020-02-19T19:44:54.371Z"}"#)
        .expect(1)
        .create();
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    let out = run(&tool, &server, &["lock-detail", LOCK_ID]).expect_code(0);
    let json = run(&tool, &server, &["--json", "lock-detail", LOCK_ID])
        .expect_code(0)
        .json();
    let line = |key: &str| {
        out.stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(key))
            .unwrap_or_else(|| panic!("no {key} line in {}", out.stdout))
            .to_owned()
    };
    assert!(line("id").ends_with(json["device_id"].as_str().unwrap()));
    assert!(line("name").ends_with(json["device_name"].as_str().unwrap()));
    assert!(line("status").ends_with(json["lock_status"].as_str().unwrap()));
    assert!(line("door").ends_with(json["door_state"].as_str().unwrap()));
    assert!(line("battery").ends_with(&format!("{}%", json["battery_level"])));
    let out = run(&tool, &server, &["status", LOCK_ID]).expect_code(0);
    assert_eq!(
        out.stdout,
        "status  locked\ndoor    open\nat      2020-02-19 19:44:54 UTC\n"
    );
    detail.assert();
    status.assert();
}

#[test]
fn doorbells_doorbell_and_wakeup() {
    let mut server = Server::new();
    let list = ok_json(
        authed(&mut server, "GET", "/users/doorbells/mine", TOKEN),
        &fixture("get_doorbells.json"),
    );
    let detail = ok_json(
        authed(&mut server, "GET", "/doorbells/K98GiDT45GUL", TOKEN),
        &fixture("get_doorbell.json"),
    );
    let wakeup = authed(&mut server, "PUT", "/doorbells/K98GiDT45GUL/wakeup", TOKEN)
        .with_status(200)
        .with_body("{}")
        .expect(1)
        .create();
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    let out = run(&tool, &server, &["--json", "doorbells"]).expect_code(0);
    let bells = out.json();
    assert!(!bells.as_array().unwrap().is_empty());
    assert!(!out.stdout.contains("content_token"));
    let out = run(&tool, &server, &["doorbell", "K98GiDT45GUL"]).expect_code(0);
    assert!(
        out.stdout
            .starts_with("id            K98GiDT45GUL\nname          Front Door\n"),
        "{out:#?}"
    );
    assert!(out.stdout.contains("online        yes\n"));
    let out = run(&tool, &server, &["wakeup", "K98GiDT45GUL"]).expect_code(0);
    assert_eq!(out.stdout, "K98GiDT45GUL: woken up\n");
    list.assert();
    detail.assert();
    wakeup.assert();
}

/// The doorbell `K98GiDT45GUL` as recorded, answered once for the cached token, its recent
/// image at `/cdn/snap.jpg` on `server` (to be mocked by the caller).
fn doorbell_with_image(server: &mut ServerGuard) -> Mock {
    let mut doorbell: Value = serde_json::from_str(&fixture("get_doorbell.json")).unwrap();
    doorbell["recentImage"]["secure_url"] = json!(format!("{}/cdn/snap.jpg", server.url()));
    ok_json(
        authed(server, "GET", "/doorbells/K98GiDT45GUL", TOKEN),
        &doorbell.to_string(),
    )
}

#[test]
fn image_is_fetched_from_its_own_url_without_the_august_headers() {
    let mut server = Server::new();
    let detail = doorbell_with_image(&mut server);
    let image = server
        .mock("GET", "/cdn/snap.jpg")
        .match_header("x-august-access-token", Matcher::Missing)
        .match_header("x-august-api-key", Matcher::Missing)
        .with_status(200)
        .with_header("content-type", "image/jpeg")
        .with_body([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])
        .expect(1)
        .create();
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    let file = tool.home().join("snap.jpg");
    let out = run(
        &tool,
        &server,
        &["image", "K98GiDT45GUL", "-o", file.to_str().unwrap()],
    )
    .expect_code(0);
    detail.assert();
    image.assert();
    assert_eq!(fs::read(&file).unwrap(), [0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    assert_eq!(
        out.stdout,
        format!("wrote 7 bytes (image/jpeg) to {}\n", file.display())
    );
}

/// `-o FILE` writes a file of mode 0600 (umask aside), and replaces a link at FILE rather than
/// writing through it to the file it names: the image goes to a temporary file renamed over
/// FILE. It used to be written with the umask's mode, and through the link.
#[cfg(unix)]
#[test]
fn an_image_file_is_private_and_replaces_a_link_at_its_path() {
    use std::os::unix::fs::PermissionsExt;

    let jpeg = [0xff, 0xd8, 0xff, 0xe0, 1, 2, 3];
    for link in [false, true] {
        let mut server = Server::new();
        let detail = doorbell_with_image(&mut server);
        let image = server
            .mock("GET", "/cdn/snap.jpg")
            .with_status(200)
            .with_header("content-type", "image/jpeg")
            .with_body(jpeg)
            .expect(1)
            .create();
        let tool = Tool::new();
        logged_in(&tool, TOKEN, EXPIRES);
        let file = tool.home().join("snap.jpg");
        let other = tool.home().join("other.txt");
        if link {
            fs::write(&other, "not an image").unwrap();
            std::os::unix::fs::symlink(&other, &file).unwrap();
        }
        run(
            &tool,
            &server,
            &["image", "K98GiDT45GUL", "-o", file.to_str().unwrap()],
        )
        .expect_code(0);
        detail.assert();
        image.assert();
        let meta = fs::symlink_metadata(&file).unwrap();
        assert!(meta.is_file(), "{meta:?}");
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(fs::read(&file).unwrap(), jpeg);
        if link {
            assert_eq!(fs::read_to_string(&other).unwrap(), "not an image");
        }
        let names: Vec<_> = fs::read_dir(tool.home())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.contains("snap"))
            .collect();
        assert_eq!(names, ["snap.jpg"]);
    }
}

/// `august image ID -o - | head -c0`: the reader going away is no failure, as for every other
/// command's output. It used to exit 1 with "Broken pipe".
#[test]
fn image_to_a_closed_standard_output_is_no_failure() {
    use std::process::Stdio;

    let mut server = Server::new();
    let detail = doorbell_with_image(&mut server);
    let image = server
        .mock("GET", "/cdn/snap.jpg")
        .with_status(200)
        .with_header("content-type", "image/jpeg")
        .with_body([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])
        .expect(1)
        .create();
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    let cache = tool.cache();
    let url = server.url();
    let args = ["--base-url", &url, "--cache", cache.to_str().unwrap()];
    let mut child = tool
        .command(&args, &[])
        .args(["image", "K98GiDT45GUL", "-o", "-"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(output.stderr.is_empty(), "{output:?}");
    detail.assert();
    image.assert();
}

/// A 401 from the image host refused the doorbell's content token, not the login's token: an
/// ordinary failure (exit 1), the cached login kept. It used to mark the cached token refused
/// and say to log in again (exit 3).
#[test]
fn a_refused_image_leaves_the_login_alone() {
    let mut server = Server::new();
    let detail = doorbell_with_image(&mut server);
    let image = server
        .mock("GET", "/cdn/snap.jpg")
        .with_status(401)
        .with_body(r#"{"message": "Unauthorized"}"#)
        .expect(1)
        .create();
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    let file = tool.home().join("snap.jpg");
    let out = run(
        &tool,
        &server,
        &["image", "K98GiDT45GUL", "-o", file.to_str().unwrap()],
    )
    .expect_code(1);
    assert!(out.stderr.contains("content token"), "{out:#?}");
    assert!(!out.stderr.contains("august login"), "{out:#?}");
    detail.assert();
    image.assert();
    let cache = cache_json(&tool);
    assert_eq!(cache["state"], "authenticated");
    assert_eq!(cache["access_token"], TOKEN);
    assert!(!file.exists());
}

#[test]
fn houses_house_activity_and_pins() {
    let mut server = Server::new();
    // read by `houses` and, once, for the house names of the activity table
    let houses = authed(&mut server, "GET", "/users/houses/mine", TOKEN)
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(r#"[{"HouseID": "000000000000", "HouseName": "A House"}]"#)
        .expect(2)
        .create();
    let house = ok_json(
        authed(&mut server, "GET", "/houses/000000000000", TOKEN),
        r#"{"HouseID": "000000000000", "HouseName": "A House", "timeZone": "America/Vancouver"}"#,
    );
    let activity = ok_json(
        authed(&mut server, "GET", "/houses/000000000000/activities", TOKEN)
            .match_query(Matcher::Exact("limit=3".into())),
        &fixture("get_house_activities.json"),
    );
    let default_limit = ok_json(
        authed(&mut server, "GET", "/houses/000000000000/activities", TOKEN)
            .match_query(Matcher::Exact("limit=8".into())),
        &fixture("get_house_activities.json"),
    );
    let pins = ok_json(
        authed(&mut server, "GET", &format!("/locks/{LOCK_ID}/pins"), TOKEN),
        &fixture("get_pins.json"),
    );
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    let out = run(&tool, &server, &["houses"]).expect_code(0);
    assert_eq!(out.stdout, "ID            NAME\n000000000000  A House\n");
    let out = run(&tool, &server, &["house", "000000000000"]).expect_code(0);
    assert_eq!(
        out.stdout,
        "id         000000000000\nname       A House\ntime zone  America/Vancouver\n"
    );
    let out = run(
        &tool,
        &server,
        &["activity", "000000000000", "--limit", "3"],
    )
    .expect_code(0);
    assert!(out.stdout.starts_with("TIME "), "{out:#?}");
    assert!(out.stdout.lines().next().unwrap().ends_with("  HOUSE"));
    assert!(
        // the entries' own house, which is not among the account's: its id
        out.stdout
            .lines()
            .skip(1)
            .all(|l| l.ends_with("  mock-house-id")),
        "{out:#?}"
    );
    let json = run(&tool, &server, &["--json", "activity", "000000000000"])
        .expect_code(0)
        .json();
    let entries = json.as_array().unwrap();
    assert_eq!(out.stdout.lines().count(), entries.len() + 1);
    let out = run(&tool, &server, &["pins", LOCK_ID]).expect_code(0);
    assert!(out.stdout.starts_with("NAME "), "{out:#?}");
    assert!(out.stdout.contains("123456"));
    houses.assert();
    house.assert();
    activity.assert();
    default_limit.assert();
    pins.assert();
}

#[test]
fn usage_errors_are_exit_2() {
    let tool = Tool::new();
    let out = tool.run(&["frobnicate"], &[]);
    assert_eq!(out.code, 2);
    let out = tool.run(&["--brand", "acme", "locks"], &[]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("unknown brand `acme`"), "{out:#?}");
    let out = tool.run(&["login"], &[("AUGUST_PASSWORD", PASSWORD)]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--username"), "{out:#?}");
    let out = tool.run(&["--help"], &[]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("Exit codes:"));
    assert!(out.stdout.contains("5  outcome unknown"));
}

#[test]
fn a_plain_http_base_url_to_another_host_is_refused_before_sending() {
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    let out = tool
        .run(
            &[
                "--base-url",
                "http://example.com",
                "--cache",
                tool.cache().to_str().unwrap(),
                "locks",
            ],
            &[],
        )
        .expect_code(2);
    assert!(
        out.stderr
            .starts_with("error: --base-url (or AUGUST_BASE_URL) cannot be used: "),
        "{out:#?}"
    );
    assert_eq!(out.stderr.lines().count(), 1);
}

/// The install id `logged_in` writes.
const CACHED_INSTALL_ID: &str = "0b5d3b8e-3f5f-4b8a-9c4e-2f6d8a1b7c9d";

fn login_env<'a>(tool_cache: &'a str, url: &'a str) -> [(&'static str, &'a str); 4] {
    [
        ("AUGUST_BASE_URL", url),
        ("AUGUST_USERNAME", PHONE),
        ("AUGUST_PASSWORD", PASSWORD),
        ("AUGUST_CACHE_FILE", tool_cache),
    ]
}

/// A mock of `GET path` refusing `TOKEN` once with a 401.
fn refusing_the_token(server: &mut ServerGuard, path: &str) -> Mock {
    authed(server, "GET", path, TOKEN)
        .with_status(401)
        .with_body(r#"{"message": "Unauthorized"}"#)
        .expect(1)
        .create()
}

#[test]
fn a_refused_token_is_marked_and_login_starts_afresh_with_the_same_install_id() {
    let mut server = Server::new();
    let refused = refusing_the_token(&mut server, "/users/locks/mine");
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    run(&tool, &server, &["locks"]).expect_code(3);
    refused.assert();
    // the cache now says the token was refused, install id kept, py-august's four keys
    let cache = cache_json(&tool);
    assert_eq!(cache["state"], "requires_authentication");
    assert_eq!(cache["install_id"], CACHED_INSTALL_ID);
    assert_eq!(cache.as_object().unwrap().len(), 4);
    // later commands say so and send nothing
    let others = nothing_else(&mut server);
    let out = run(&tool, &server, &["locks"]).expect_code(3);
    assert!(
        out.stderr
            .contains("the server refused the login cached in"),
        "{out:#?}"
    );
    others.assert();
    server.reset();

    // `august login` logs in again with the cached install id: a known install, no code
    let (login, seen) = phone_session(&mut server, true, "new-token-5");
    let others = nothing_else(&mut server);
    let url = server.url();
    let cache_path = tool.cache();
    let out = tool
        .run(&["login"], &login_env(cache_path.to_str().unwrap(), &url))
        .expect_code(0);
    login.assert();
    others.assert();
    assert!(
        out.stdout.starts_with("state     authenticated\n"),
        "{out:#?}"
    );
    assert_eq!(seen.lock().unwrap().as_slice(), [CACHED_INSTALL_ID]);
    let cache = cache_json(&tool);
    assert_eq!(cache["state"], "authenticated");
    assert_eq!(cache["access_token"], "new-token-5");
    assert_eq!(cache["install_id"], CACHED_INSTALL_ID);
}

#[test]
fn login_checks_a_cached_token_and_logs_in_afresh_when_it_is_refused() {
    let mut server = Server::new();
    // the refresh that checks the cached token is refused
    let check = refusing_the_token(&mut server, "/users/houses/mine");
    let (login, seen) = phone_session(&mut server, true, "new-token-6");
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    let url = server.url();
    let cache_path = tool.cache();
    let out = tool
        .run(&["login"], &login_env(cache_path.to_str().unwrap(), &url))
        .expect_code(0);
    check.assert();
    login.assert();
    others.assert();
    assert!(
        out.stderr
            .contains("the server refused the cached login; logging in again")
    );
    assert_eq!(seen.lock().unwrap().as_slice(), [CACHED_INSTALL_ID]);
    assert_eq!(cache_json(&tool)["access_token"], "new-token-6");
    assert_no_secrets(&out);
}

#[test]
fn login_with_an_expired_cache_logs_in_afresh_with_the_same_install_id() {
    let mut server = Server::new();
    let (login, seen) = phone_session(&mut server, true, "new-token-7");
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    logged_in(&tool, TOKEN, "2001-01-01T00:00:00.000Z");
    let url = server.url();
    let cache_path = tool.cache();
    tool.run(&["login"], &login_env(cache_path.to_str().unwrap(), &url))
        .expect_code(0);
    login.assert();
    others.assert();
    assert_eq!(seen.lock().unwrap().as_slice(), [CACHED_INSTALL_ID]);
    assert_eq!(cache_json(&tool)["access_token"], "new-token-7");
}

/// Text from the server that would drive the terminal (a carriage return, escape sequences,
/// a right-to-left override) is written with each of those a space: a lock operation's
/// status on standard output, a server's error message on standard error. Both went out as
/// sent; only tables and key/value lists were cleaned. `--json` keeps the text as sent
/// (serde_json escapes the control characters).
#[test]
fn text_from_the_server_cannot_drive_the_terminal() {
    use test_support::errors::{
        TERMINAL_CONTROLS, TERMINAL_CONTROLS_SHOWN, terminal_controls_body,
    };
    let mut server = Server::new();
    let unlock = authed(
        &mut server,
        "PUT",
        &format!("/remoteoperate/{LOCK_ID}/unlock"),
        TOKEN,
    )
    .with_status(200)
    .with_header("content-type", "application/json")
    .with_body(json!({ "status": TERMINAL_CONTROLS }).to_string())
    .expect(2)
    .create();
    let locks = authed(&mut server, "GET", "/users/locks/mine", TOKEN)
        .with_status(400)
        .with_header("content-type", "application/json")
        .with_body(terminal_controls_body("message"))
        .expect(1)
        .create();
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    let out = run(&tool, &server, &["unlock", LOCK_ID]).expect_code(0);
    assert_eq!(
        out.stdout,
        format!("{LOCK_ID}: {TERMINAL_CONTROLS_SHOWN}\n")
    );
    let out = run(&tool, &server, &["--json", "unlock", LOCK_ID]).expect_code(0);
    assert_eq!(out.json()["status"], TERMINAL_CONTROLS);
    let out = run(&tool, &server, &["locks"]).expect_code(1);
    assert!(out.stderr.contains(TERMINAL_CONTROLS_SHOWN), "{out:#?}");
    assert!(
        out.stderr
            .trim_end()
            .chars()
            .all(api_transport::is_printable),
        "{out:#?}"
    );
    unlock.assert();
    locks.assert();
}

/// Capabilities without a `lock` object are said on a line of their own.
#[test]
fn capabilities_without_a_lock_object_end_their_line() {
    let mut server = Server::new();
    let _caps = server
        .mock("GET", "/devices/capabilities")
        .match_query(Matcher::Any)
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body("{}")
        .create();
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    let out = run(&tool, &server, &["capabilities", "LOCK1"]).expect_code(0);
    assert_eq!(out.stdout, "the answer has no lock capabilities\n");
}

/// `whoami` says what every other command says of a cache it cannot use, with the same exit
/// code (3, log in again): a file that is no login, one too large to be one, a login waiting
/// for its code, a login the server refused. It exited with 1 on the first two and printed the
/// library's own advice (`Authenticator::authenticate; CLI: august login`) on the others.
#[test]
fn whoami_says_what_every_command_says_of_an_unusable_login() {
    let mut server = Server::new();
    let tool = Tool::new();
    let pending = json!({
        "install_id": CACHED_INSTALL_ID,
        "access_token": PROVISIONAL,
        "access_token_expires": EXPIRES,
        "state": "requires_validation",
        "username": PHONE,
        "login_method": "phone",
    });
    let cases = [
        ("not JSON", "{not json".to_owned()),
        (
            "too large",
            format!("{{\"pad\": \"{}\"}}", "x".repeat(70 * 1024)),
        ),
        ("pending", pending.to_string()),
    ];
    let others = nothing_else(&mut server);
    for (what, content) in &cases {
        fs::write(tool.cache(), content).unwrap();
        let locks = run(&tool, &server, &["locks"]).expect_code(3);
        let whoami = run(&tool, &server, &["whoami"]).expect_code(3);
        assert!(
            locks.stderr.starts_with("error: not logged in: "),
            "{what}: {locks:#?}"
        );
        assert_eq!(whoami.stderr, locks.stderr, "{what}");
    }
    others.assert();
    server.reset();

    let refused = refusing_the_token(&mut server, "/users/locks/mine");
    logged_in(&tool, TOKEN, EXPIRES);
    run(&tool, &server, &["locks"]).expect_code(3);
    refused.assert();
    let others = nothing_else(&mut server);
    let locks = run(&tool, &server, &["locks"]).expect_code(3);
    let whoami = run(&tool, &server, &["whoami"]).expect_code(3);
    assert_eq!(
        whoami.stderr,
        format!(
            "error: not logged in: run `august --cache {} login` (the server refused the login cached in {})\n",
            tool.cache().display(),
            tool.cache().display()
        )
    );
    assert_eq!(whoami.stderr, locks.stderr);
    others.assert();
}

/// Writes a cache file of `kind` (`oauth`, `imported`, ...) for brand `yale_global` whose access
/// token [`TOKEN`] expired in 2020, with a refresh token for OAuth.
fn expired_sign_in(tool: &Tool, kind: &str) {
    let mut cached = json!({
        "format": "august-rs-credentials/1",
        "kind": kind,
        "brand": "yale_global",
        "access_token": TOKEN,
        "expires_at": "2020-01-01T00:00:00Z",
    });
    if kind == "oauth" {
        cached["refresh_token"] = json!("refresh-token-5e21");
    }
    fs::write(tool.cache(), cached.to_string()).unwrap();
}

/// A cached OAuth sign-in whose refresh token the token endpoint refuses (`invalid_grant`)
/// says to sign in again with the command that signs in to this run's cache file. It printed
/// the library's advice, a bare `august login --oauth`, which signs in to the default file.
#[test]
fn a_refused_oauth_refresh_names_the_login_for_this_cache_file() {
    let mut server = Server::new();
    let refresh = server
        .mock("POST", "/oauth/token")
        .match_body(Matcher::UrlEncoded(
            "refresh_token".into(),
            "refresh-token-5e21".into(),
        ))
        .with_status(400)
        .with_header("content-type", "application/json")
        .with_body(r#"{"error": "invalid_grant"}"#)
        .expect(1)
        .create();
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    expired_sign_in(&tool, "oauth");
    let token_url = format!("{}/oauth/token", server.url());
    let out = run_env(
        &tool,
        &server,
        &["locks"],
        &[
            ("AUGUST_OAUTH_CLIENT_ID", "client-id-0c4d"),
            ("AUGUST_OAUTH_CLIENT_SECRET", "client-secret-9b7a"),
            ("AUGUST_OAUTH_TOKEN_URL", &token_url),
        ],
    )
    .expect_code(3);
    assert_eq!(
        out.stderr,
        format!(
            "error: not logged in: run `august --cache {} login --oauth` (the refresh token was refused (the token endpoint answered 400 invalid_grant: the code or refresh token is no longer valid: sign in again))\n",
            tool.cache().display()
        )
    );
    refresh.assert();
    others.assert();
}

/// An expired OAuth token with no client credentials to renew it with says so beside the login
/// to run: setting them renews the token without a new sign-in.
#[test]
fn an_expired_oauth_token_without_client_credentials_says_to_set_them() {
    let mut server = Server::new();
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    expired_sign_in(&tool, "oauth");
    let out = run(&tool, &server, &["locks"]).expect_code(3);
    let login = format!("august --cache {} login", tool.cache().display());
    assert!(
        out.stderr.starts_with(&format!(
            "error: not logged in: run `{login} --oauth`, or set AUGUST_OAUTH_CLIENT_ID (and AUGUST_OAUTH_CLIENT_SECRET) so that the token can be renewed ("
        )),
        "{out:#?}"
    );
    others.assert();
}

/// An expired token that cannot be renewed says to sign in again with the command that signs
/// in to this run's cache file, with the options of that kind of sign-in. It printed the
/// library's advice, a bare `august login --token` or `--import-ha`.
#[test]
fn an_expired_token_names_the_login_for_this_cache_file() {
    let mut server = Server::new();
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    let login = format!("august --cache {} login", tool.cache().display());
    for (kind, run_again) in [
        (
            "imported",
            format!("`{login} --import-ha FILE` or `{login} --token TOKEN`"),
        ),
        ("fixed", format!("`{login} --token TOKEN`")),
        ("home_assistant", format!("`{login} --import-ha FILE`")),
    ] {
        expired_sign_in(&tool, kind);
        let out = run(&tool, &server, &["locks"]).expect_code(3);
        assert_eq!(
            out.stderr,
            format!(
                "error: not logged in: run {run_again} (the access token expired at 2020-01-01T00:00:00Z)\n"
            ),
            "{kind}"
        );
    }
    others.assert();
}

/// A brand without a password login names the OAuth sign-in with this run's cache file.
#[test]
fn a_brand_without_a_password_login_names_the_login_for_this_cache_file() {
    let mut server = Server::new();
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    let out = run(&tool, &server, &["--brand", "yale_global", "login"]).expect_code(2);
    assert_eq!(
        out.stderr,
        format!(
            "error: brand yale_global has no password login: use `august --cache {} login --oauth` (with client credentials), `--import-ha FILE` or `--token TOKEN` (see docs/sign-in.md)\n",
            tool.cache().display()
        )
    );
    others.assert();
}

/// `house` shows the server's other fields as the guide says a key/value list does: keys in
/// words, times in UTC to the second, counts in the singular for one. It showed
/// `createdAt  2025-11-02T21:33:54.910Z` and `users  1 fields`.
#[test]
fn house_shows_times_in_utc_to_the_second_and_keys_in_words() {
    let mut server = Server::new();
    let house = ok_json(
        authed(&mut server, "GET", "/houses/000000000000", TOKEN),
        r#"{"HouseID": "000000000000", "HouseName": "A House", "createdAt": "2025-11-02T21:33:54.910Z", "users": {"u1": {}}, "locks": ["L1"], "doorbells": ["D1", "D2"], "image_count": 2}"#,
    );
    let others = nothing_else(&mut server);
    let tool = Tool::new();
    logged_in(&tool, TOKEN, EXPIRES);
    let out = run(&tool, &server, &["house", "000000000000"]).expect_code(0);
    assert_eq!(
        out.stdout,
        "id           000000000000\n\
         name         A House\n\
         created at   2025-11-02 21:33:54 UTC\n\
         doorbells    2 entries\n\
         image count  2\n\
         locks        1 entry\n\
         users        1 field\n"
    );
    house.assert();
    others.assert();
}
