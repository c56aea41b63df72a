//! `august twilio ...` against mockito and the sandbox: each subcommand's exact request, its
//! output and exit code, and the secret and token never printed.

mod common;

use common::{Run, Tool};
use mockito::{Matcher, Mock, Server, ServerGuard};
use test_support::client_tests::read_fixture;
use test_support::fault_server::{Act, FaultServer};
use test_support::mocks::nothing_else;

const KEY_SID: &str = "SK00000000000000000000000000000009";
const KEY_SECRET: &str = "cli-api-key-secret-77";
/// `Basic base64(KEY_SID:KEY_SECRET)`.
const AUTH: &str =
    "Basic U0swMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwOTpjbGktYXBpLWtleS1zZWNyZXQtNzc=";
const VA: &str = "VA00000000000000000000000000000001";

/// A recorded answer from twilio-verify's test data.
fn fixture(name: &str) -> String {
    read_fixture(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../twilio-verify"),
        name,
    )
}

fn post(server: &mut ServerGuard, path: &str, body: &str, status: usize, answer: &str) -> Mock {
    server
        .mock("POST", path)
        .match_header("authorization", AUTH)
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_body(Matcher::Exact(body.to_owned()))
        .with_status(status)
        .with_header("content-type", "application/json")
        .with_body(answer)
        .expect(1)
        .create()
}

fn get(server: &mut ServerGuard, path: &str, query: Matcher, answer: &str) -> Mock {
    server
        .mock("GET", path)
        .match_header("authorization", AUTH)
        .match_query(query)
        .with_header("content-type", "application/json")
        .with_body(answer)
        .expect(1)
        .create()
}

/// Runs `august [--json] twilio ARGS` against the server, the credentials from the
/// environment.
fn twilio(tool: &Tool, server: &ServerGuard, json: bool, args: &[&str]) -> Run {
    twilio_at(tool, &server.url(), json, args)
}

/// [`twilio`] against the server at `url`.
fn twilio_at(tool: &Tool, url: &str, json: bool, args: &[&str]) -> Run {
    let mut all = if json {
        vec!["--json", "twilio"]
    } else {
        vec!["twilio"]
    };
    all.extend_from_slice(args);
    let out = tool.run(
        &all,
        &[
            ("TWILIO_VERIFY_URL", url),
            ("TWILIO_LOOKUP_URL", url),
            ("TWILIO_API_KEY_SID", KEY_SID),
            ("TWILIO_API_KEY_SECRET", KEY_SECRET),
            ("TWILIO_VERIFY_SERVICE_SID", VA),
        ],
    );
    out.assert_prints_none(&[KEY_SECRET, AUTH]);
    out
}

#[test]
fn verification_start_and_check() {
    let mut server = Server::new();
    let start = post(
        &mut server,
        &format!("/v2/Services/{VA}/Verifications"),
        "To=%2B15555550100&Channel=call&Locale=es",
        201,
        &fixture("verification_create_pending.json"),
    );
    let tool = Tool::new();
    let out = twilio(
        &tool,
        &server,
        true,
        &[
            "verifications",
            "start",
            "+15555550100",
            "--channel",
            "call",
            "--locale",
            "es",
        ],
    )
    .expect_code(0);
    assert_eq!(out.json()["sid"], "VE00000000000000000000000000000001");
    assert_eq!(out.json()["status"], "pending");
    start.assert();

    let check = post(
        &mut server,
        &format!("/v2/Services/{VA}/VerificationCheck"),
        "To=%2B15555550100&Code=123456",
        200,
        &fixture("verification_check_approved.json"),
    );
    let out = twilio(
        &tool,
        &server,
        false,
        &["verifications", "check", "+15555550100", "123456"],
    )
    .expect_code(0);
    assert_eq!(out.stdout, "status  approved\n");
    check.assert();
    check.remove();

    let gone = post(
        &mut server,
        &format!("/v2/Services/{VA}/VerificationCheck"),
        "To=%2B15555550100&Code=123456",
        404,
        &fixture("error_20404_not_found.json"),
    );
    let out = twilio(
        &tool,
        &server,
        true,
        &["verifications", "check", "+15555550100", "123456"],
    )
    .expect_code(1);
    assert_eq!(out.json()["status"], "not_found");
    assert_eq!(out.stderr, "error: the code was not approved (not_found)\n");
    gone.assert();
}

#[test]
fn errors_give_their_exit_codes() {
    let mut server = Server::new();
    let limited = post(
        &mut server,
        &format!("/v2/Services/{VA}/Verifications"),
        "To=%2B15555550100&Channel=sms",
        429,
        &fixture("error_60203_max_send_attempts.json"),
    );
    let tool = Tool::new();
    let out = twilio(
        &tool,
        &server,
        false,
        &["verifications", "start", "+15555550100"],
    )
    .expect_code(1);
    assert!(
        out.stderr
            .contains("(code 60203): Max send attempts reached"),
        "{out:#?}"
    );
    limited.assert();
    limited.remove();
    let limited = post(
        &mut server,
        &format!("/v2/Services/{VA}/Verifications"),
        "To=%2B15555550100&Channel=sms",
        429,
        &fixture("error_20429_too_many_requests.json"),
    );
    twilio(
        &tool,
        &server,
        false,
        &["verifications", "start", "+15555550100"],
    )
    .expect_code(4);
    limited.assert();
    // Bad input is refused before sending, with the usage code.
    let none = server.mock("POST", Matcher::Any).expect(0).create();
    twilio(
        &tool,
        &server,
        false,
        &["verifications", "start", "5555550100"],
    )
    .expect_code(2);
    twilio(&tool, &server, false, &["factors", "list", "bad identity"]).expect_code(2);
    let out = tool
        .run(&["twilio", "lookup", "+15555550100"], &[])
        .expect_code(2);
    assert!(out.stderr.contains("no Twilio credentials"), "{out:#?}");
    none.assert();
}

#[test]
fn lookup_with_fields() {
    let mut server = Server::new();
    let m = get(
        &mut server,
        "/v2/PhoneNumbers/+15555550100",
        Matcher::Exact("Fields=line_type_intelligence".into()),
        &fixture("lookup_v2_line_type_intelligence.json"),
    );
    let tool = Tool::new();
    let out = twilio(
        &tool,
        &server,
        false,
        &[
            "lookup",
            "+15555550100",
            "--fields",
            "line_type_intelligence",
        ],
    )
    .expect_code(0);
    assert!(
        out.stdout.contains("line type        nonFixedVoip\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("carrier          Twilio - SMS/MMS-SVR\n"),
        "{}",
        out.stdout
    );
    m.assert();
}

#[test]
fn challenges_and_factors() {
    let mut server = Server::new();
    let entity =
        "/v2/Services/VA00000000000000000000000000000001/Entities/ff483d1ff591898a9942916050d2ca3f";
    let m = post(
        &mut server,
        &format!("{entity}/Challenges"),
        "FactorSid=YF00000000000000000000000000000002&Details.Message=Log+in%3F&Details.Fields=%7B%22label%22%3A%22IP%22%2C%22value%22%3A%22203.0.113.7%22%7D",
        201,
        &fixture("challenge_push_pending.json"),
    );
    let tool = Tool::new();
    let out = twilio(
        &tool,
        &server,
        true,
        &[
            "challenges",
            "create",
            "ff483d1ff591898a9942916050d2ca3f",
            "YF00000000000000000000000000000002",
            "--message",
            "Log in?",
            "--field",
            "IP=203.0.113.7",
        ],
    )
    .expect_code(0);
    assert_eq!(out.json()["status"], "pending");
    m.assert();

    let m = post(
        &mut server,
        &format!("{entity}/Factors/YF00000000000000000000000000000001"),
        "AuthPayload=654321",
        200,
        &fixture("factor_totp_verified.json"),
    );
    let out = twilio(
        &tool,
        &server,
        false,
        &[
            "factors",
            "verify",
            "ff483d1ff591898a9942916050d2ca3f",
            "YF00000000000000000000000000000001",
            "654321",
        ],
    )
    .expect_code(0);
    assert!(out.stdout.contains("status  verified"), "{}", out.stdout);
    m.assert();
}

#[test]
fn challenge_list_shows_dates_as_every_table_does() {
    let mut server = Server::new();
    let path = format!("/v2/Services/{VA}/Entities/ff483d1ff591898a9942916050d2ca3f/Challenges");
    let page = format!(
        r#"{{"challenges":[{}],"meta":{{"key":"challenges","next_page_url":null}}}}"#,
        fixture("challenge_push_pending.json")
    );
    let m = get(&mut server, &path, Matcher::Missing, &page);
    let args = ["challenges", "list", "ff483d1ff591898a9942916050d2ca3f"];
    let out = twilio(&Tool::new(), &server, false, &args).expect_code(0);
    // The `created` column in the format of the August tables (`august activity`...).
    assert_eq!(
        out.stdout,
        "SID                                 STATUS   FACTOR                              CREATED\n\
         YC00000000000000000000000000000001  pending  YF00000000000000000000000000000002  2015-07-30 20:00:00 UTC\n"
    );
    m.assert();
}

#[test]
fn signature_check() {
    let tool = Tool::new();
    let args = [
        "twilio",
        "signature",
        "--url",
        "https://mycompany.com/myapp.php?foo=1&bar=2",
        "--param",
        "CallSid=CA1234567890ABCDE",
        "--param",
        "Caller=+14158675309",
        "--param",
        "Digits=1234",
        "--param",
        "From=+14158675309",
        "--param",
        "To=+18005551212",
        "--signature",
    ];
    let mut good = args.to_vec();
    good.push("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
    let out = tool
        .run(&good, &[("TWILIO_AUTH_TOKEN", "12345")])
        .expect_code(0);
    assert_eq!(out.stdout, "valid  yes\n");
    let mut bad = args.to_vec();
    bad.push("AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    let out = tool
        .run(&bad, &[("TWILIO_AUTH_TOKEN", "12345")])
        .expect_code(1);
    assert_eq!(out.stderr, "error: the signature does not match\n");
    tool.run(&good, &[]).expect_code(2);
}

#[test]
fn sandbox_runs_the_commands() {
    let tool = Tool::new();
    let out = tool
        .run(
            &[
                "--sandbox",
                "--json",
                "twilio",
                "verifications",
                "start",
                "+15555550100",
            ],
            &[],
        )
        .expect_code(0);
    assert_eq!(out.json()["status"], "pending");
    assert_eq!(out.json()["sandbox_code"].as_str().map(str::len), Some(6));
    let out = tool
        .run(
            &[
                "--sandbox",
                "--json",
                "twilio",
                "lookup",
                "+15555550107",
                "--fields",
                "line_type_intelligence",
            ],
            &[],
        )
        .expect_code(0);
    assert_eq!(out.json()["line_type_intelligence"]["type"], "landline");
    let out = tool
        .run(
            &[
                "--sandbox",
                "--json",
                "twilio",
                "factors",
                "create-totp",
                "user-0042-0001",
                "alice",
            ],
            &[],
        )
        .expect_code(0);
    assert!(
        out.json()["binding"]["uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
}

/// A verification start answered with a 5xx may have sent the code (a gateway may answer one
/// after Twilio acted): it exits with 5 (outcome unknown) and says to ask the user before
/// starting another, where it exited with 1. It is sent once. A read answered so keeps exit
/// code 1.
#[test]
fn a_start_answered_5xx_exits_5_and_says_to_ask_the_user() {
    let mut server = Server::new();
    let start = post(
        &mut server,
        &format!("/v2/Services/{VA}/Verifications"),
        "To=%2B15555550100&Channel=sms",
        500,
        r#"{"code": 20500, "message": "Internal Server Error", "status": 500}"#,
    );
    let fetch = server
        .mock(
            "GET",
            format!("/v2/Services/{VA}/Verifications/VE00000000000000000000000000000001").as_str(),
        )
        .match_header("authorization", AUTH)
        .with_status(500)
        .with_header("content-type", "application/json")
        .with_body(r#"{"code": 20500, "message": "Internal Server Error", "status": 500}"#)
        .expect(1)
        .create();
    let tool = Tool::new();
    let out = twilio(
        &tool,
        &server,
        false,
        &["verifications", "start", "+15555550100"],
    )
    .expect_code(5);
    assert_eq!(
        out.stderr,
        format!(
            "error: the request to start the verification failed, but a code may have been sent to +15555550100: ask the user before starting another: POST /v2/Services/{VA}/Verifications answered 500 (code 20500): Internal Server Error; twilio failed; the outcome is unknown: a code may have been sent and the attempt counts toward the send limit; fetch the verification (or wait for the user) before starting another\n"
        )
    );
    start.assert();
    let out = twilio(
        &tool,
        &server,
        false,
        &[
            "verifications",
            "fetch",
            "VE00000000000000000000000000000001",
        ],
    )
    .expect_code(1);
    assert!(
        out.stderr.starts_with(&format!(
            "error: GET /v2/Services/{VA}/Verifications/VE00000000000000000000000000000001 answered 500"
        )),
        "{out:#?}"
    );
    fetch.assert();
}

/// Every Verify command whose request changes something (a code checked, a verification
/// canceled, an entity, factor or challenge created, a factor verified or deleted), answered
/// 502 (which a gateway may send after Twilio acted): sent once, exit code 5 (outcome
/// unknown), and its advice first, before the SDK's message. Answered 400, the request was
/// refused: exit code 1, without the advice. A DELETE is the exception to "sent once": the
/// client retries it as it does a read (3 retries after a 5xx; a 404 after a retry is taken
/// as deleted), so a 502 is sent 4 times before it exits 5. `factors create-totp` fetches the
/// entity first: the last column is the status of that fetch's answer (404: the entity is
/// created first). A row is the command line, then the request it sends.
#[test]
fn every_request_that_changes_something_exits_5_with_its_advice_on_a_502() {
    const ID: &str = "ff483d1ff591898a9942916050d2ca3f";
    const YF: &str = "YF00000000000000000000000000000001";
    const VE: &str = "VE00000000000000000000000000000001";
    let entity = format!("/v2/Services/{VA}/Entities/{ID}");
    let factor = format!("{entity}/Factors/{YF}");
    let commands: [(String, &str, String, String, Option<usize>); 6] = [
        (
            "verifications check +15555550100 123456".into(),
            "POST",
            format!("/v2/Services/{VA}/VerificationCheck"),
            "the check failed, but the code may have been accepted or spent an attempt: do not check it again (an approved verification is deleted, and a second check says not_found)".into(),
            None,
        ),
        (
            format!("verifications cancel {VE}"),
            "POST",
            format!("/v2/Services/{VA}/Verifications/{VE}"),
            format!("the request to cancel failed, but the verification may have been canceled: see `august twilio verifications fetch {VE}` before trying again"),
            None,
        ),
        (
            format!("factors create-totp {ID} phone"),
            "POST",
            format!("/v2/Services/{VA}/Entities"),
            format!("the request to create the entity {ID} failed, but it may have been created: the command run again uses it if it exists"),
            Some(404),
        ),
        (
            format!("factors create-totp {ID} phone"),
            "POST",
            format!("{entity}/Factors"),
            format!("the request to create the factor failed, but it may have been created: see `august twilio factors list {ID}` before trying again"),
            Some(200),
        ),
        (
            format!("factors verify {ID} {YF} 654321"),
            "POST",
            factor,
            format!("the check failed, but the code may have been accepted or spent an attempt: see `august twilio factors list {ID}` before checking again"),
            None,
        ),
        (
            format!("challenges create {ID} {YF} --code 123456"),
            "POST",
            format!("{entity}/Challenges"),
            format!("the request to create the challenge failed, but a push may have reached the device or a code spent an attempt: see `august twilio challenges list {ID}` before creating another"),
            None,
        ),
    ];
    let mut server = Server::new();
    let tool = Tool::new();
    for (line, method, path, advice, fetched) in &commands {
        let args: Vec<&str> = line.split(' ').collect();
        for (status, code) in [(502, 5), (400, 1)] {
            let fetch = fetched.map(|answer| {
                let body = match answer {
                    404 => fixture("error_20404_not_found.json"),
                    _ => fixture("entity_create.json"),
                };
                server
                    .mock("GET", entity.as_str())
                    .match_header("authorization", AUTH)
                    .with_status(answer)
                    .with_header("content-type", "application/json")
                    .with_body(body)
                    .expect(1)
                    .create()
            });
            let mock = common::html_answer(
                server
                    .mock(method, path.as_str())
                    .match_header("authorization", AUTH),
                status,
            )
            .expect(1)
            .create();
            let others = nothing_else(&mut server);
            let out = twilio(&tool, &server, false, &args).expect_code(code);
            if let Some(fetch) = &fetch {
                fetch.assert();
            }
            mock.assert();
            others.assert();
            out.assert_advice(code, advice);
            server.reset();
        }
    }
}

/// A factor's deletion is harmless to send again (done once, it is done): answered 502, it is
/// retried, then exits with 1 and says to try again later; without an answer, it exits with 1
/// and says it is safe to send again. It exited with 5, saying the factor may have been
/// deleted, next to the SDK's word that it is safe to send again.
#[test]
fn a_factor_delete_that_failed_exits_1_and_says_it_can_be_sent_again() {
    const ID: &str = "ff483d1ff591898a9942916050d2ca3f";
    const YF: &str = "YF00000000000000000000000000000001";
    let factor = format!("/v2/Services/{VA}/Entities/{ID}/Factors/{YF}");
    let mut server = Server::new();
    let tool = Tool::new();
    let mock = common::html_answer(
        server
            .mock("DELETE", factor.as_str())
            .match_header("authorization", AUTH),
        502,
    )
    .expect(4)
    .create();
    let others = nothing_else(&mut server);
    let out = twilio(&tool, &server, false, &["factors", "delete", ID, YF]).expect_code(1);
    mock.assert();
    others.assert();
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        format!(
            "error: DELETE {factor} answered 502: <html>answer</html>; twilio failed; try again later\n"
        )
    );

    let closing = FaultServer::always(vec![Act::Close]);
    let out =
        twilio_at(&tool, &closing.url(), false, &["factors", "delete", ID, YF]).expect_code(1);
    assert_eq!(closing.request_count(), 4, "{:?}", closing.requests());
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.starts_with(&format!(
            "error: DELETE {factor} lost its connection; safe to send again: "
        )),
        "{out:#?}"
    );
}

/// A read that got no answer changed nothing: `lookup` against a server that closes every
/// connection without answering is retried until the retries run out, then exits with 1, as an
/// August read does; it exited with 5, as if something may have changed. A verification start
/// against the same server is sent once and exits with 5.
#[test]
fn a_read_without_an_answer_exits_1_and_a_request_that_changes_something_5() {
    let server = FaultServer::always(vec![Act::Close]);
    let tool = Tool::new();
    let out = twilio_at(&tool, &server.url(), false, &["lookup", "+15555550100"]).expect_code(1);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.starts_with(
            "error: GET /v2/PhoneNumbers/+15555550100 lost its connection; safe to send again: "
        ),
        "{out:#?}"
    );
    let reads = server.request_count();
    assert_eq!(reads, 4, "{:?}", server.requests());
    let out = twilio_at(
        &tool,
        &server.url(),
        false,
        &["verifications", "start", "+15555550100"],
    )
    .expect_code(5);
    assert_eq!(server.request_count(), reads + 1);
    assert!(
        out.stderr.starts_with(
            "error: the request to start the verification failed, but a code may have been sent to +15555550100: ask the user before starting another: "
        ),
        "{out:#?}"
    );
    assert!(!out.stderr.contains("safe to send again"), "{out:#?}");
}

/// A wrong TOTP code is a failed command, as a verification check that is not approved is:
/// a factor verify Verify answers with `unverified`, and a challenge created with `--code`
/// that is not `approved`, show the answer, then exit with 1 and say so. They exited with 0.
/// A push challenge created `pending` waits for the user and exits with 0.
#[test]
fn a_wrong_totp_code_exits_1() {
    const ID: &str = "ff483d1ff591898a9942916050d2ca3f";
    const YF: &str = "YF00000000000000000000000000000002";
    let entity = format!("/v2/Services/{VA}/Entities/{ID}");
    let mut server = Server::new();
    let tool = Tool::new();
    let m = post(
        &mut server,
        &format!("{entity}/Factors/{YF}"),
        "AuthPayload=000000",
        200,
        &fixture("factor_totp_create_unverified.json"),
    );
    let out = twilio(
        &tool,
        &server,
        false,
        &["factors", "verify", ID, YF, "000000"],
    )
    .expect_code(1);
    assert!(
        out.stdout.contains("status  unverified\n"),
        "{}",
        out.stdout
    );
    assert_eq!(
        out.stderr,
        "error: the code was not verified (unverified)\n"
    );
    m.assert();

    let m = post(
        &mut server,
        &format!("{entity}/Challenges"),
        &format!("FactorSid={YF}&AuthPayload=000000"),
        201,
        &fixture("challenge_push_pending.json"),
    );
    let args = ["challenges", "create", ID, YF, "--code", "000000"];
    let out = twilio(&tool, &server, false, &args).expect_code(1);
    assert!(out.stdout.contains("status  pending\n"), "{}", out.stdout);
    assert_eq!(out.stderr, "error: the code was not approved (pending)\n");
    m.assert();

    let m = post(
        &mut server,
        &format!("{entity}/Challenges"),
        &format!("FactorSid={YF}&Details.Message=Log+in%3F"),
        201,
        &fixture("challenge_push_pending.json"),
    );
    let args = ["challenges", "create", ID, YF, "--message", "Log in?"];
    twilio(&tool, &server, false, &args).expect_code(0);
    m.assert();
}
