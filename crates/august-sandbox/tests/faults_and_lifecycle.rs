//! Faults as a client sees them, the counters, stopping, and the binary.

mod common;

use std::io::BufRead as _;
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use august_core::{Api, ApiErrorReason, Error as ApiError, LockStatus, LoginMethod};
use august_sandbox::{Error, Fault, FaultRule, Sandbox, demo};
use serde_json::json;

use common::{api, login, raw};

#[test]
fn status_faults_with_retry_after_limits_and_retries() {
    let sandbox = Sandbox::start().unwrap();
    let api = api(&sandbox);
    let token = login(&sandbox, &api, "install-status");

    sandbox.set_fault_rule(
        FaultRule::new(
            "GET /users/locks/mine",
            Fault::rate_limited(Duration::from_secs(2)),
        )
        .times(1),
    );
    let err = api.get_locks(&token).unwrap_err();
    let api_err = err.api_error().unwrap();
    assert_eq!(api_err.status(), 429);
    assert_eq!(api_err.reason(), ApiErrorReason::RateLimited);
    assert_eq!(api_err.retry_after(), Some(Duration::from_secs(2)));
    assert_eq!(api_err.message(), Some("Too Many Requests"));
    // The rule was for one request only.
    assert!(sandbox.faults().is_empty());
    assert_eq!(api.get_locks(&token).unwrap().len(), 3);

    // A glob covers every path under /locks/; other routes are untouched.
    sandbox.set_fault("GET /locks/*", Fault::status(502));
    for result in [
        api.get_lock_detail(&token, demo::FRONT_DOOR_LOCK_ID)
            .map(drop),
        api.get_lock_status(&token, demo::FRONT_DOOR_LOCK_ID)
            .map(drop),
    ] {
        let err = result.unwrap_err();
        assert_eq!(err.status(), Some(502));
        assert_eq!(
            err.api_error().unwrap().reason(),
            ApiErrorReason::ServerError
        );
    }
    assert_eq!(api.get_locks(&token).unwrap().len(), 3);
    // Setting the same pattern again replaces the rule.
    sandbox.set_fault("GET /locks/*", Fault::status(503));
    assert_eq!(sandbox.faults().len(), 1);
    assert_eq!(
        api.get_lock_detail(&token, demo::FRONT_DOOR_LOCK_ID)
            .unwrap_err()
            .status(),
        Some(503)
    );
    assert!(sandbox.clear_fault("GET /locks/*"));
    assert!(
        api.get_lock_detail(&token, demo::FRONT_DOOR_LOCK_ID)
            .is_ok()
    );

    // With retries on, one 503 is absorbed by the client's retry: two requests arrive.
    let retrying = Api::builder()
        .base_url(sandbox.august_url())
        .build()
        .unwrap();
    sandbox
        .set_fault_rule(FaultRule::new("GET /users/doorbells/mine", Fault::status(503)).times(1));
    let before = sandbox.stats();
    assert_eq!(retrying.get_doorbells(&token).unwrap().len(), 2);
    let after = sandbox.stats();
    assert_eq!(
        after.route("GET /users/doorbells/mine") - before.route("GET /users/doorbells/mine"),
        2
    );
    assert_eq!(after.faults_applied - before.faults_applied, 1);
    // Lock operations are never retried by the client.
    sandbox.set_fault_rule(FaultRule::new("PUT /remoteoperate/*", Fault::status(503)).times(1));
    assert_eq!(
        retrying
            .unlock(&token, demo::FRONT_DOOR_LOCK_ID)
            .unwrap_err()
            .status(),
        Some(503)
    );
    assert_eq!(
        api.get_lock_status(&token, demo::FRONT_DOOR_LOCK_ID)
            .unwrap(),
        LockStatus::Locked,
        "a status fault answers without processing"
    );
}

#[test]
fn latency_html_truncated_and_dropped() {
    let sandbox = Sandbox::start().unwrap();
    let api = api(&sandbox);
    let token = login(&sandbox, &api, "install-wire");

    // Latency: the answer comes, late; a short client timeout gives up first.
    sandbox.set_fault("GET /users/me", Fault::Latency(Duration::from_millis(300)));
    let started = Instant::now();
    assert_eq!(api.get_user(&token).unwrap()["UserID"], demo::USER_ID);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let impatient = Api::builder()
        .base_url(sandbox.august_url())
        .timeout(Duration::from_millis(100))
        .max_retries(0)
        .build()
        .unwrap();
    assert!(impatient.get_user(&token).unwrap_err().is_timeout());
    sandbox.clear_faults();

    // An HTML page from "a proxy": the status is kept, the page shows in the snippet.
    sandbox.set_fault("/users/locks/mine", Fault::Html { status: 403 });
    let err = api.get_locks(&token).unwrap_err();
    let api_err = err.api_error().unwrap();
    assert_eq!(api_err.status(), 403);
    assert_eq!(api_err.reason(), ApiErrorReason::Forbidden);
    assert_eq!(api_err.message(), None);
    assert!(
        api_err.snippet().contains("403 Forbidden"),
        "{}",
        api_err.snippet()
    );
    // An HTML page with 200 does not fit the model.
    sandbox.set_fault("/users/locks/mine", Fault::Html { status: 200 });
    assert!(matches!(
        api.get_locks(&token).unwrap_err(),
        ApiError::Decode { .. }
    ));
    sandbox.clear_faults();

    // A truncated body: the connection is lost mid-answer.
    sandbox.set_fault("GET /locks/{lock_id}", Fault::TruncatedBody { keep: 20 });
    let err = api
        .get_lock_detail(&token, demo::FRONT_DOOR_LOCK_ID)
        .unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::ConnectionLost {
                remote_operation: false,
                ..
            }
        ),
        "{err:?}"
    );
    // On a lock operation the server acted but its answer was cut: outcome unknown.
    sandbox.set_fault("PUT /remoteoperate/*", Fault::TruncatedBody { keep: 5 });
    let err = api.unlock(&token, demo::FRONT_DOOR_LOCK_ID).unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::ConnectionLost {
                remote_operation: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.outcome_unknown());
    sandbox.clear_faults();
    assert_eq!(
        api.get_lock_status(&token, demo::FRONT_DOOR_LOCK_ID)
            .unwrap(),
        LockStatus::Unlocked
    );

    // A dropped connection: no answer at all, and the request was not processed.
    sandbox.set_fault_rule(
        FaultRule::new("PUT /remoteoperate/{lock_id}/lock", Fault::DropConnection).times(1),
    );
    let err = api.lock(&token, demo::FRONT_DOOR_LOCK_ID).unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(
        api.get_lock_status(&token, demo::FRONT_DOOR_LOCK_ID)
            .unwrap(),
        LockStatus::Unlocked
    );
    sandbox
        .set_fault_rule(FaultRule::new("GET /users/houses/mine", Fault::DropConnection).times(1));
    let err = api.get_houses(&token).unwrap_err();
    assert!(matches!(err, ApiError::ConnectionLost { .. }), "{err:?}");
    assert_eq!(api.get_houses(&token).unwrap().len(), 1);

    // The Authy side is faulted the same way, with its own error shape.
    sandbox.set_fault("/protected/json/*", Fault::status(503));
    let r = raw(
        "GET",
        &format!("{}/protected/json/app/details", sandbox.authy_url()),
        &[("X-Authy-API-Key", demo::AUTHY_API_KEY)],
        None,
    );
    assert_eq!(r.status, 503);
    assert_eq!(r.body["success"], false);
    assert_eq!(r.body["errors"]["message"], "Service Unavailable");
}

#[test]
fn faults_over_http_and_control_endpoints_are_never_faulted() {
    let sandbox = Sandbox::start().unwrap();
    let api = api(&sandbox);
    let token = login(&sandbox, &api, "install-http-faults");
    let faults_url = format!("{}/__sandbox/faults", sandbox.august_url());

    let set = raw(
        "POST",
        &faults_url,
        &[],
        Some(&json!([
            {"route": "GET /users/locks/mine", "kind": "status", "status": 503, "times": 2},
            {"route": "GET /users/me", "kind": "latency", "ms": 50},
        ])),
    );
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.body.as_array().unwrap().len(), 2);
    assert_eq!(sandbox.faults()[0].remaining(), Some(2));
    for _ in 0..2 {
        assert_eq!(api.get_locks(&token).unwrap_err().status(), Some(503));
    }
    assert_eq!(api.get_locks(&token).unwrap().len(), 3);
    let listed = raw("GET", &faults_url, &[], None);
    assert_eq!(
        listed.body,
        json!([{"route": "GET /users/me", "kind": "latency", "ms": 50}])
    );

    let invalid = raw(
        "POST",
        &faults_url,
        &[],
        Some(&json!({"route": "*", "kind": "explode"})),
    );
    assert_eq!(invalid.status, 400);
    assert!(
        invalid.body["error"]
            .as_str()
            .unwrap()
            .contains("unknown fault kind")
    );

    // Even a fault on everything leaves the sandbox endpoints working.
    sandbox.set_fault("*", Fault::DropConnection);
    let stats = raw(
        "GET",
        &format!("{}/__sandbox/stats", sandbox.august_url()),
        &[],
        None,
    );
    assert_eq!(stats.status, 200);
    assert!(stats.body["connections"].as_u64().unwrap() >= 1);
    assert!(stats.body["routes"]["POST /session"].as_u64().unwrap() >= 2);
    let removed = raw(
        "DELETE",
        &format!("{faults_url}?route=GET%20/users/me"),
        &[],
        None,
    );
    assert_eq!(removed.body, json!([{"route": "*", "kind": "drop"}]));
    let cleared = raw("DELETE", &faults_url, &[], None);
    assert_eq!(cleared.body, json!([]));
    assert_eq!(api.get_locks(&token).unwrap().len(), 3);
}

#[test]
fn a_fault_route_over_2048_bytes_is_refused() {
    let sandbox = Sandbox::start().unwrap();
    let faults_url = format!("{}/__sandbox/faults", sandbox.august_url());
    let post = |route: String| {
        raw(
            "POST",
            &faults_url,
            &[],
            Some(&json!({"route": route, "kind": "drop"})),
        )
    };
    let refused = post(format!("/{}", "a".repeat(2048)));
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert_eq!(
        refused.body["error"],
        "invalid fault rule: `route` must be at most 2048 bytes"
    );
    assert!(sandbox.faults().is_empty());
    let set = post(format!("/{}", "a".repeat(2047)));
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(sandbox.faults().len(), 1);
}

#[test]
fn fault_routes_over_64_kib_together_are_refused() {
    let sandbox = Sandbox::start().unwrap();
    let faults_url = format!("{}/__sandbox/faults", sandbox.august_url());
    let post = |rules: serde_json::Value| raw("POST", &faults_url, &[], Some(&rules));
    // 32 routes of 2,048 bytes, 64 KiB together: the most that may be active
    let route = |n: usize| format!("/{n:02}{}", "a".repeat(2045));
    let rules: Vec<_> = (0..32)
        .map(|n| json!({"route": route(n), "kind": "drop"}))
        .collect();
    let set = post(json!(rules));
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(sandbox.faults().len(), 32);
    // a rule more (with one that would replace a rule, to show nothing of the post is set)
    let refused = post(json!([
        {"route": route(0), "kind": "status", "status": 503},
        {"route": "/x", "kind": "drop"}
    ]));
    assert_eq!(refused.status, 400, "{} rules set", sandbox.faults().len());
    assert_eq!(
        refused.body,
        json!({"error": "at most 65536 bytes of fault rule routes may be active at once"})
    );
    let faults = sandbox.faults();
    assert_eq!(faults.len(), 32);
    assert_eq!(faults[0].fault(), &Fault::DropConnection);
}

#[test]
fn sequential_calls_on_one_api_use_one_connection() {
    let sandbox = Sandbox::start().unwrap();
    sandbox.reset_stats();
    let api = api(&sandbox);
    let token = login(&sandbox, &api, "install-pool");
    for _ in 0..10 {
        assert_eq!(api.get_locks(&token).unwrap().len(), 3);
    }
    api.unlock(&token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    api.get_house_activities(&token, demo::HOUSE_ID, 5).unwrap();
    let stats = sandbox.stats();
    assert_eq!(stats.connections, 1);
    assert_eq!(stats.route("GET /users/locks/mine"), 10);
    assert_eq!(stats.route("POST /session"), 2);
    assert_eq!(stats.requests, 4 + 10 + 2);
    assert_eq!(stats.control_requests, 0);

    // A second client opens a second connection; the counters reset on demand.
    let other = common::api(&sandbox);
    other.get_locks(&token).unwrap();
    assert_eq!(sandbox.stats().connections, 2);
    sandbox.reset_stats();
    assert_eq!(sandbox.stats(), august_sandbox::Stats::default());
}

#[test]
fn drop_closes_the_port_and_cuts_requests_in_flight() {
    let sandbox = Sandbox::start().unwrap();
    let port = sandbox.port();
    let api = api(&sandbox);
    let token = login(&sandbox, &api, "install-drop");
    api.get_locks(&token).unwrap();

    sandbox.set_fault("GET /users/me", Fault::Latency(Duration::from_secs(30)));
    let (waiting_api, waiting_token) = (api.clone(), token.clone());
    let in_flight = std::thread::spawn(move || waiting_api.get_user(&waiting_token));
    std::thread::sleep(Duration::from_millis(200));

    let started = Instant::now();
    drop(sandbox);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(in_flight.join().unwrap().is_err());
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    let rebound = TcpListener::bind(("127.0.0.1", port));
    assert!(rebound.is_ok(), "the port is free again");
    drop(rebound);
    assert!(api.get_locks(&token).is_err());
}

#[test]
fn a_chosen_port_and_a_busy_one() {
    let probe = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let sandbox = Sandbox::builder().port(port).start().unwrap();
    assert_eq!(sandbox.port(), port);
    assert_eq!(sandbox.august_url(), format!("http://127.0.0.1:{port}"));
    match Sandbox::builder().port(port).start() {
        Err(Error::Bind { port: p, .. }) => assert_eq!(p, port),
        other => panic!("expected a bind error, got {other:?}"),
    }
    assert!(matches!(
        Sandbox::builder()
            .authy_callback_url("http://example.com/")
            .start(),
        Err(Error::InvalidCallbackUrl { .. })
    ));
}

#[test]
fn debug_output_hides_the_authy_key() {
    let builder = Sandbox::builder().authy_api_key("super-secret-key");
    assert_eq!(
        format!("{builder:?}"),
        "SandboxBuilder { port: 0, token_lifetime: 10368000s, authy_api_key: \"<redacted>\", callback_url: None, listener: false }"
    );
    let sandbox = builder.start().unwrap();
    let shown = format!("{sandbox:?}");
    assert_eq!(
        shown,
        format!("Sandbox {{ addr: 127.0.0.1:{} }}", sandbox.port())
    );
}

#[test]
fn events_reach_the_listener() {
    let (tx, rx) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let sandbox = Sandbox::builder()
        .on_event(move |e| {
            let _ = tx.lock().unwrap().send(e.to_string());
        })
        .start()
        .unwrap();
    let api = api(&sandbox);
    let session = api
        .get_session(
            "install-events",
            &LoginMethod::Phone.identifier(demo::PHONE),
            demo::PASSWORD,
        )
        .unwrap();
    api.send_verification_code(session.access_token(), LoginMethod::Phone, demo::PHONE)
        .unwrap();
    let line = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    let code = sandbox.august_verification_code().unwrap();
    assert_eq!(
        line,
        format!(
            "august: verification code {code} sent by phone to {} (install id install-events)",
            demo::PHONE
        )
    );
}

#[test]
fn the_binary_prints_urls_credentials_and_codes() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_august-sandbox"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let next_line = |want: &str| -> String {
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(20))
                .expect("the binary prints");
            if line.contains(want) {
                return line;
            }
        }
    };
    let url_line = next_line("August API:");
    let url = url_line.split_whitespace().last().unwrap().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url_line}");
    assert!(next_line("password:").contains(demo::PASSWORD));

    let api = Api::builder().base_url(&url).build().unwrap();
    let identifier = LoginMethod::Email.identifier(demo::EMAIL);
    let session = api
        .get_session("install-binary", &identifier, demo::PASSWORD)
        .unwrap();
    api.send_verification_code(session.access_token(), LoginMethod::Email, demo::EMAIL)
        .unwrap();
    let code_line = next_line("verification code");
    let code = code_line
        .split_whitespace()
        .skip_while(|w| *w != "code")
        .nth(1)
        .unwrap()
        .to_owned();
    api.validate_verification_code(
        session.access_token(),
        LoginMethod::Email,
        demo::EMAIL,
        &code,
    )
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
}
