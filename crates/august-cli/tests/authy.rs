//! `august authy ...` against mockito: each subcommand's exact request, its output, and the
//! API key only ever in its header.

mod common;

use common::{Run, Tool};
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::json;
use test_support::client_tests::read_fixture;
use test_support::fault_server::{Act, FaultServer};
use test_support::mocks::authy::{self as authy_mocks, reply};
use test_support::mocks::nothing_else;

const KEY: &str = "test-authy-key-8f2e91";

/// A recorded answer from authy-client's test data.
fn fixture(name: &str) -> String {
    read_fixture(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../authy-client"),
        name,
    )
}

fn authed(server: &mut ServerGuard, method: &str, path: &str) -> Mock {
    authy_mocks::authed(server, KEY, method, path)
}

fn post(server: &mut ServerGuard, path: &str, body: serde_json::Value) -> Mock {
    authy_mocks::post(server, KEY, path, body)
}

fn get(server: &mut ServerGuard, path: &str, query: &str) -> Mock {
    authy_mocks::get(server, KEY, path, query)
}

/// Runs `august --json authy ARGS` against the server, the key from the environment.
fn authy(tool: &Tool, server: &ServerGuard, args: &[&str]) -> Run {
    authy_at(tool, &server.url(), args)
}

/// Runs `august --json authy ARGS` against the server at `url`, the key from the environment.
fn authy_at(tool: &Tool, url: &str, args: &[&str]) -> Run {
    let mut all = vec!["--json", "authy"];
    all.extend_from_slice(args);
    let out = tool.run(&all, &[("AUTHY_API_URL", url), ("AUTHY_API_KEY", KEY)]);
    out.assert_prints_none(&[KEY]);
    out
}

#[test]
fn users_create_status_delete() {
    let mut server = Server::new();
    let create = reply(
        post(
            &mut server,
            "/protected/json/users/new",
            json!({"user": {"email": "user@example.com", "cellphone": "111-111-1111", "country_code": 57},
                   "send_install_link_via_sms": true}),
        ),
        200,
        &fixture("users_create_ok.json"),
    );
    let status = reply(
        get(&mut server, "/protected/json/users/1000/status", ""),
        200,
        &fixture("users_status_ok.json"),
    );
    let delete = reply(
        post(&mut server, "/protected/json/users/1000/delete", json!({})),
        200,
        &fixture("users_delete_ok.json"),
    );
    let tool = Tool::new();
    let out = authy(
        &tool,
        &server,
        &[
            "users",
            "create",
            "--email",
            "user@example.com",
            "--phone",
            "111-111-1111",
            "--country-code",
            "57",
            "--send-install-link",
        ],
    )
    .expect_code(0);
    assert_eq!(
        out.json(),
        json!({"user": {"id": 1000}, "message": "User created successfully."}),
        "--json prints the answer as the service sends it"
    );
    let out = authy(&tool, &server, &["users", "status", "1000"]).expect_code(0);
    assert_eq!(
        out.json()["status"]["authy_id"],
        290907,
        "the id in the answer"
    );
    let out = authy(&tool, &server, &["users", "delete", "1000"]).expect_code(0);
    assert_eq!(out.json()["message"], "User removed from application");
    create.assert();
    status.assert();
    delete.assert();

    // the table form
    let url = server.url();
    let m = reply(
        get(&mut server, "/protected/json/users/1000/status", ""),
        200,
        &fixture("users_status_ok.json"),
    );
    let out = tool
        .run(
            &["authy", "users", "status", "1000"],
            &[("AUTHY_API_URL", url.as_str()), ("AUTHY_API_KEY", KEY)],
        )
        .expect_code(0);
    assert!(out.stdout.starts_with("authy id      290907\n"), "{out:#?}");
    m.assert();
}

#[test]
fn sms_and_call_options_are_flags_in_the_query() {
    let mut server = Server::new();
    let sms = reply(
        get(
            &mut server,
            "/protected/json/sms/1000",
            "force=true&action=login&action_message=Log+in+to+Example&locale=es",
        ),
        200,
        &fixture("users_request_sms_ok.json"),
    );
    let call = reply(
        get(&mut server, "/protected/json/call/1000", ""),
        200,
        &fixture("users_request_call_ignored.json"),
    );
    let tool = Tool::new();
    let out = authy(
        &tool,
        &server,
        &[
            "users",
            "sms",
            "1000",
            "--force",
            "--action",
            "login",
            "--action-message",
            "Log in to Example",
            "--locale",
            "es",
        ],
    )
    .expect_code(0);
    assert_eq!(out.json()["message"], "SMS token was sent");
    assert_eq!(out.json().get("ignored"), None);
    let out = authy(&tool, &server, &["users", "call", "1000"]).expect_code(0);
    assert_eq!(out.json()["ignored"], true);
    sms.assert();
    call.assert();
}

#[test]
fn qr_registration_status_and_register_activity() {
    let mut server = Server::new();
    let qr = reply(
        post(
            &mut server,
            "/protected/json/users/1000/secret",
            json!({"qr_size": 300, "label": "Example"}),
        ),
        200,
        &fixture("users_generate_qr_ok.json"),
    );
    let registration = reply(
        get(
            &mut server,
            "/protected/json/registrations/status",
            "custom_user_id=a%2Fb+c%26d",
        ),
        200,
        r#"{"message": "Registration status.", "status": "completed", "success": true}"#,
    );
    let activity = reply(
        post(
            &mut server,
            "/protected/json/users/1000/register_activity",
            json!({"type": "password_reset", "user_ip": "203.0.113.7", "data": {"reason": "forgot"}}),
        ),
        200,
        &fixture("users_register_activity_ok.json"),
    );
    let tool = Tool::new();
    let out = authy(
        &tool,
        &server,
        &["users", "qr", "1000", "--size", "300", "--label", "Example"],
    )
    .expect_code(0);
    assert!(out.json()["qr_code"].is_string());
    let out = authy(&tool, &server, &["users", "registration-status", "a/b c&d"]).expect_code(0);
    assert_eq!(out.json()["status"], "completed");
    let out = authy(
        &tool,
        &server,
        &[
            "users",
            "register-activity",
            "1000",
            "--type",
            "password-reset",
            "--user-ip",
            "203.0.113.7",
            "--data",
            "reason=forgot",
        ],
    )
    .expect_code(0);
    assert_eq!(out.json()["message"], "Activity was created.");
    qr.assert();
    registration.assert();
    activity.assert();
}

#[test]
fn tokens_verify_forces_by_default_and_never_prints_the_token() {
    let mut server = Server::new();
    let forced = reply(
        get(
            &mut server,
            "/protected/json/verify/0123456/1000",
            "force=true",
        ),
        200,
        &fixture("tokens_verify_ok.json"),
    );
    let unforced = reply(
        get(
            &mut server,
            "/protected/json/verify/7654321/1000",
            "force=false&action=transfer-42",
        ),
        401,
        &fixture("tokens_verify_invalid.json"),
    );
    let tool = Tool::new();
    let out = authy(&tool, &server, &["tokens", "verify", "1000", "0123456"]).expect_code(0);
    assert_eq!(out.json()["message"], "Token is valid.");
    assert_eq!(out.json()["device"]["os_type"], "sms");
    let out = authy(
        &tool,
        &server,
        &[
            "tokens",
            "verify",
            "1000",
            "7654321",
            "--no-force",
            "--action",
            "transfer-42",
        ],
    )
    .expect_code(1);
    assert!(!out.stderr.contains("7654321"), "{out:#?}");
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr.lines().count(), 1);
    forced.assert();
    unforced.assert();
    // a bad token is refused before sending, as a usage error of the SDK
    let out = authy(&tool, &server, &["tokens", "verify", "1000", "12ab"]).expect_code(2);
    assert!(out.stderr.starts_with("error: "), "{out:#?}");
    // a bad authy id is a usage error
    authy(&tool, &server, &["users", "status", "abc"]).expect_code(2);
}

#[test]
fn phones_start_check_and_info() {
    let mut server = Server::new();
    let start = reply(
        post(
            &mut server,
            "/protected/json/phones/verification/start",
            json!({"phone_number": "201-555-0123", "country_code": 57, "via": "call",
                   "code_length": 6, "locale": "es"}),
        ),
        200,
        &fixture("phones_verification_start_ok.json"),
    );
    let check = reply(
        get(
            &mut server,
            "/protected/json/phones/verification/check",
            "phone_number=201-555-0123&country_code=1&verification_code=0123",
        ),
        200,
        &fixture("phones_verification_check_ok.json"),
    );
    let info = reply(
        get(
            &mut server,
            "/protected/json/phones/info",
            "phone_number=775+461+5609&country_code=1",
        ),
        200,
        &fixture("phones_info_ok.json"),
    );
    let tool = Tool::new();
    authy(
        &tool,
        &server,
        &[
            "phones",
            "verification-start",
            "201-555-0123",
            "--country-code",
            "57",
            "--via",
            "call",
            "--code-length",
            "6",
            "--locale",
            "es",
        ],
    )
    .expect_code(0);
    let out = authy(
        &tool,
        &server,
        &["phones", "verification-check", "201-555-0123", "0123"],
    )
    .expect_code(0);
    assert_eq!(out.json()["message"], "Verification code is correct.");
    let out = authy(&tool, &server, &["phones", "info", "775 461 5609"]).expect_code(0);
    assert_eq!(out.json()["provider"], "Pinger");
    start.assert();
    check.assert();
    info.assert();
}

#[test]
fn app_details_and_stats() {
    let mut server = Server::new();
    let details = reply(
        get(&mut server, "/protected/json/app/details", ""),
        200,
        &fixture("app_details_ok.json"),
    );
    let stats = server
        .mock("GET", "/protected/json/app/stats")
        .match_header("x-authy-api-key", KEY)
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(fixture("app_stats_ok.json"))
        .expect(2)
        .create();
    let tool = Tool::new();
    let out = authy(&tool, &server, &["app", "details"]).expect_code(0);
    assert_eq!(out.json()["app"]["name"], "Test");
    let out = authy(&tool, &server, &["app", "stats"]).expect_code(0);
    let months = out.json()["stats"].as_array().unwrap().len();
    let url = server.url();
    let table = tool
        .run(
            &["authy", "app", "stats"],
            &[("AUTHY_API_URL", url.as_str()), ("AUTHY_API_KEY", KEY)],
        )
        .expect_code(0);
    let header = table
        .stdout
        .lines()
        .position(|l| l.starts_with("MONTH"))
        .unwrap();
    assert_eq!(table.stdout.lines().count() - header - 1, months);
    details.assert();
    stats.assert();
}

#[test]
fn onetouch_create_and_status() {
    let mut server = Server::new();
    let create = reply(
        post(
            &mut server,
            "/onetouch/json/users/1000/approval_requests",
            json!({"message": "Login requested for a CapTrade Bank account.",
                   "seconds_to_expire": 120,
                   "details": {"username": "Bill Smith", "location": "California, USA"},
                   "hidden_details": {"ip_address": "10.10.3.203"},
                   "logos": [{"res": "default", "url": "https://example.com/d.png"},
                             {"res": "low", "url": "https://example.com/l.png"}]}),
        ),
        200,
        &fixture("onetouch_create_ok.json"),
    );
    let status = reply(
        get(
            &mut server,
            "/onetouch/json/approval_requests/8d031630-d15b-0134-b0a8-0a77bbe8093e",
            "",
        ),
        200,
        &fixture("onetouch_status_ok.json"),
    );
    let tool = Tool::new();
    let out = authy(
        &tool,
        &server,
        &[
            "onetouch",
            "create",
            "1000",
            "--message",
            "Login requested for a CapTrade Bank account.",
            "--seconds-to-expire",
            "120",
            "--detail",
            "username=Bill Smith",
            "--detail",
            "location=California, USA",
            "--hidden-detail",
            "ip_address=10.10.3.203",
            "--logo",
            "default=https://example.com/d.png",
            "--logo",
            "low=https://example.com/l.png",
        ],
    )
    .expect_code(0);
    assert_eq!(
        out.json(),
        json!({"approval_request": {"uuid": "dda2c400-bc43-0135-d7be-1285ca17e122"}})
    );
    let out = authy(
        &tool,
        &server,
        &["onetouch", "status", "8d031630-d15b-0134-b0a8-0a77bbe8093e"],
    )
    .expect_code(0);
    assert!(
        out.json()["approval_request"]["status"].is_string(),
        "{out:#?}"
    );
    create.assert();
    status.assert();
    authy(
        &tool,
        &server,
        &[
            "onetouch",
            "create",
            "1000",
            "--message",
            "x",
            "--logo",
            "huge=https://e.com/x.png",
        ],
    )
    .expect_code(2);
}

#[test]
fn verify_callback_checks_the_signature_offline() {
    let tool = Tool::new();
    let url = "https://api.authy.com/dashboard/json/application/webhooks";
    let run = |method: &str, data: &[&str], signature: &str, nonce: &str| {
        let mut args = vec![
            "authy",
            "onetouch",
            "verify-callback",
            "--method",
            method,
            "--url",
            url,
            "--nonce",
            nonce,
            "--signature",
            signature,
        ];
        args.extend_from_slice(data);
        tool.run(&args, &[("AUTHY_API_KEY", "foobar123")])
    };
    let nonce = "1427849783.886085";
    let post = "4f9676D/+BzsEq8NzF0fXpv7qETnzJUW/4YGe7p0EPM=";
    let get = "W+RlOV+lGi1EA9jaT1X5hL1aJFAuTRwnHuQhCp2tAxI=";
    let params = r#"{"b": "val|ue&2", "a": "value1"}"#;
    let out = run("post", &["--params", params], post, nonce).expect_code(0);
    assert_eq!(out.stdout, "valid\n");
    run("post", &["--body", params], post, nonce).expect_code(0);
    run("get", &["--query", "b=val%7Cue%262&a=value1"], get, nonce).expect_code(0);
    run("get", &["--params", params], get, nonce).expect_code(0);
    let out = run("post", &["--body", params], post, "1427849783.886086").expect_code(1);
    assert_eq!(
        out.stderr,
        "error: the callback signature does not match: reject the callback\n"
    );
    assert_eq!(out.stdout, "");
    run("post", &["--body", params], get, nonce).expect_code(1);
    // a GET needs its query, a POST its body
    run("get", &["--body", params], get, nonce).expect_code(2);
    run("post", &[], post, nonce).expect_code(2);
    run("post", &["--params", "not json"], post, nonce).expect_code(2);
}

#[test]
fn errors_and_missing_key() {
    let tool = Tool::new();
    let out = tool.run(&["authy", "app", "details"], &[]).expect_code(2);
    assert_eq!(
        out.stderr,
        "error: no Authy API key: set AUTHY_API_KEY or pass --authy-api-key\n"
    );
    let mut server = Server::new();
    let limited = authed(&mut server, "GET", "/protected/json/sms/1000")
        .with_status(429)
        .with_header("content-type", "application/json")
        .with_body(r#"{"message": "Too many requests", "success": false, "error_code": "60003"}"#)
        .expect(1)
        .create();
    let bad_key = authed(&mut server, "GET", "/protected/json/app/details")
        .with_status(401)
        .with_header("content-type", "application/json")
        .with_body(fixture("error_invalid_api_key.json"))
        .expect(1)
        .create();
    let out = authy(&tool, &server, &["users", "sms", "1000"]).expect_code(4);
    assert_eq!(out.stderr.lines().count(), 1);
    let out = authy(&tool, &server, &["app", "details"]).expect_code(1);
    assert!(out.stderr.contains("60001"), "{out:#?}");
    limited.assert();
    bad_key.assert();
    // the key is never shown, not even by --help
    let out = tool
        .run(&["--help"], &[("AUTHY_API_KEY", KEY)])
        .expect_code(0);
    assert!(!out.stdout.contains(KEY));
    assert!(out.stdout.contains("[env: AUTHY_API_KEY]"));
}

/// A request that sends a code answered with a 5xx may have sent it (a gateway may answer one
/// after Authy acted): `users sms` and `phones verification-start` exit with 5 (outcome unknown)
/// and say to ask the user before requesting another, where they exited with 1. Each is sent
/// once. A read answered so keeps exit code 1.
#[test]
fn a_code_request_answered_5xx_exits_5_and_says_to_ask_the_user() {
    let mut server = Server::new();
    let sms = get(&mut server, "/protected/json/sms/1000", "")
        .with_status(500)
        .with_header("content-type", "text/html")
        .with_body("<html>internal error</html>")
        .expect(1)
        .create();
    let start = post(
        &mut server,
        "/protected/json/phones/verification/start",
        json!({"phone_number": "775-461-5609", "country_code": 1, "via": "sms", "code_length": 4}),
    )
    .with_status(502)
    .with_header("content-type", "text/html")
    .with_body("<html>bad gateway</html>")
    .expect(1)
    .create();
    let status = get(&mut server, "/protected/json/users/1000/status", "")
        .with_status(500)
        .with_header("content-type", "text/html")
        .with_body("<html>internal error</html>")
        .expect(1)
        .create();
    let tool = Tool::new();
    let out = authy(&tool, &server, &["users", "sms", "1000"]).expect_code(5);
    assert_eq!(
        out.stderr,
        "error: the request for an SMS failed, but an SMS with a code may have gone out: ask the user before requesting another: GET /protected/json/sms/1000 failed with status 500: server error; authy may have acted on it, so check before sending it again; body starts: <html>internal error</html>\n"
    );
    assert_eq!(out.stdout, "");
    let out = authy(
        &tool,
        &server,
        &["phones", "verification-start", "775-461-5609"],
    )
    .expect_code(5);
    assert!(
        out.stderr.starts_with(
            "error: the request to start the verification failed, but a code may have been sent: ask the user before starting another: POST /protected/json/phones/verification/start failed with status 502"
        ),
        "{out:#?}"
    );
    let out = authy(&tool, &server, &["users", "status", "1000"]).expect_code(1);
    assert!(
        out.stderr
            .starts_with("error: GET /protected/json/users/1000/status failed with status 500"),
        "{out:#?}"
    );
    sms.assert();
    start.assert();
    status.assert();
}

/// Every Authy command whose request changes something (a user created or deleted, a code, a
/// QR code or an approval request sent, an activity registered, a token or code checked, which
/// uses it up), answered 502 (which a
/// gateway may send after Authy acted): sent once, exit code 5 (outcome unknown), and its
/// advice first, before the SDK's message. Answered 400, the request was refused: exit code
/// 1, without the advice. A row is the command line, then the request it sends.
#[test]
fn every_request_that_changes_something_exits_5_with_its_advice_on_a_502() {
    let mut server = Server::new();
    let commands = [
        (
            "users create --email user@example.com --phone 111-111-1111 --country-code 57",
            "POST",
            "/protected/json/users/new",
            "the request to create the user failed, but the user may have been created: creating it again with the same phone and country code gives the same Authy ID",
        ),
        (
            "users create --email user@example.com --phone 111-111-1111 --country-code 57 --send-install-link",
            "POST",
            "/protected/json/users/new",
            "the request to create the user failed, but the user may have been created and the install link sent by SMS: creating it again with the same phone and country code gives the same Authy ID, and with --send-install-link sends another SMS: leave it out unless the user got none",
        ),
        (
            "users delete 1000",
            "POST",
            "/protected/json/users/1000/delete",
            "the request to delete the user failed, but the user may have been deleted: see `august authy users status 1000` before trying again",
        ),
        (
            "users call 1000",
            "GET",
            "/protected/json/call/1000",
            "the request for a call failed, but a call with a code may have gone out: ask the user before requesting another",
        ),
        (
            "users qr 1000",
            "POST",
            "/protected/json/users/1000/secret",
            "the request for a QR code failed, but a new one may have been made: generate one again before showing it to the user",
        ),
        (
            "users register-activity 1000 --type banned --user-ip 203.0.113.7",
            "POST",
            "/protected/json/users/1000/register_activity",
            "the request to register the activity failed, but it may have been registered: check before registering it again",
        ),
        (
            "onetouch create 1000 --message hello",
            "POST",
            "/onetouch/json/users/1000/approval_requests",
            "the approval request failed, but it may have reached the user's device: ask the user before sending another",
        ),
        (
            "tokens verify 1000 0123456",
            "GET",
            "/protected/json/verify/0123456/1000",
            "the token check failed, but the token may have been accepted and recorded as used: ask the user for a new token before checking again (this one would be refused as used)",
        ),
        (
            "phones verification-check 201-555-0123 0123",
            "GET",
            "/protected/json/phones/verification/check",
            "the check failed, but the code may have been accepted: do not check it again (an accepted code ends the verification, and a second check says no verification is pending)",
        ),
    ];
    let tool = Tool::new();
    for (line, method, path, advice) in commands {
        let args: Vec<&str> = line.split(' ').collect();
        for (status, code) in [(502, 5), (400, 1)] {
            let mock = common::html_answer(
                authed(&mut server, method, path).match_query(Matcher::Any),
                status,
            )
            .expect(1)
            .create();
            let others = nothing_else(&mut server);
            let out = authy(&tool, &server, &args).expect_code(code);
            mock.assert();
            others.assert();
            out.assert_advice(code, advice);
            server.reset();
        }
    }
}

/// A read that got no answer changed nothing: `users status` against a server that closes
/// every connection without answering is retried until the retries run out, then exits with 1,
/// as an August read does, and says to try again later; it exited with 5, as if something may
/// have changed. A request that changes something (an SMS) against the same server is sent
/// once and exits with 5.
#[test]
fn a_read_without_an_answer_exits_1_and_a_request_that_changes_something_5() {
    let server = FaultServer::always(vec![Act::Close]);
    let tool = Tool::new();
    let out = authy_at(&tool, &server.url(), &["users", "status", "1000"]).expect_code(1);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.starts_with(
            "error: GET /protected/json/users/1000/status lost its connection after sending; a read changes nothing, so try again later: "
        ),
        "{out:#?}"
    );
    let reads = server.request_count();
    assert_eq!(reads, 4, "{:?}", server.requests());
    let out = authy_at(&tool, &server.url(), &["users", "sms", "1000"]).expect_code(5);
    assert_eq!(server.request_count(), reads + 1);
    assert!(
        out.stderr.starts_with(
            "error: the request for an SMS failed, but an SMS with a code may have gone out: ask the user before requesting another: GET /protected/json/sms/1000 lost its connection after sending; authy may have acted on it, so check before sending it again: "
        ),
        "{out:#?}"
    );
}

/// `users status` of a user with no device shows `devices  -`, as every field without a value
/// is shown: it showed the key with nothing after it.
#[test]
fn users_status_without_devices_shows_none() {
    let mut server = Server::new();
    let status = reply(
        get(&mut server, "/protected/json/users/1000/status", ""),
        200,
        &fixture("users_status_ok.json"),
    );
    let (tool, url) = (Tool::new(), server.url());
    let out = tool
        .run(
            &["authy", "users", "status", "1000"],
            &[("AUTHY_API_URL", url.as_str()), ("AUTHY_API_KEY", KEY)],
        )
        .expect_code(0);
    assert!(out.stdout.contains("\ndevices       -\n"), "{out:#?}");
    status.assert();
}

/// `users registration-status` shows the fields of Authy's `status` object each on a row of
/// its own, in words, and leaves out `success`, which the exit code says: it showed
/// `status  {"authy_id":1000,...}` as raw JSON and `success  true`. A status Authy sends as a
/// word stays one row.
#[test]
fn registration_status_shows_each_field_in_words() {
    let mut server = Server::new();
    let (tool, url) = (Tool::new(), server.url());
    let env = [("AUTHY_API_URL", url.as_str()), ("AUTHY_API_KEY", KEY)];
    let args = ["authy", "users", "registration-status", "customer-42"];
    for (answer, shown) in [
        (
            r#"{"message": "Registration status.", "status": {"authy_id": 1000, "confirmed": false, "registered": true}, "success": true}"#,
            "message     Registration status.\nauthy id    1000\nconfirmed   no\nregistered  yes\n",
        ),
        (
            r#"{"message": "Registration status.", "status": "completed", "success": true}"#,
            "message  Registration status.\nstatus   completed\n",
        ),
    ] {
        let m = reply(
            get(
                &mut server,
                "/protected/json/registrations/status",
                "custom_user_id=customer-42",
            ),
            200,
            answer,
        );
        let out = tool.run(&args, &env).expect_code(0);
        assert_eq!(out.stdout, shown);
        m.assert();
        server.reset();
    }
}
