//! `RUST_LOG=trace` shows what the tool does, and no secret: the binary installs its logger
//! behind api-transport's cap on ureq's targets, so ureq's raw dumps of each request (headers
//! and body, credentials included) never reach standard error, even when `RUST_LOG` asks for
//! them by name.

mod common;

use august_core::Brand;
use august_sandbox::{Sandbox, demo};
use common::{Run, Tool};

/// `RUST_LOG` values: everything at trace, and ureq's targets asked for by name.
const FILTERS: [&str; 2] = [
    "trace",
    "trace,ureq=trace,ureq_proto=trace,ureq_proto::util=trace,ureq::unversioned=trace",
];

/// Everything a run printed.
fn printed(run: &Run) -> String {
    format!("{}\n{}", run.stdout, run.stderr)
}

/// Checks that a run logged (so the logger is there) and showed no secret, nor any of ureq's
/// trace lines.
fn assert_clean(what: &str, run: &Run, secrets: &[(&str, &str)]) {
    let all = printed(run);
    assert!(
        run.stderr.contains("[DEBUG api_transport]"),
        "{what}: the logger is not installed: {run:#?}"
    );
    assert!(
        run.stderr.contains("[DEBUG ureq"),
        "{what}: ureq's debug lines should show: {run:#?}"
    );
    for line in run.stderr.lines() {
        assert!(
            !(line.starts_with("[TRACE ureq") || line.starts_with("[TRACE  ureq")),
            "{what}: a ureq trace line: {line}"
        );
    }
    for (name, secret) in secrets {
        assert!(
            !all.contains(secret),
            "{what}: the {name} was printed:\n{all}"
        );
    }
}

fn brand_keys() -> Vec<(&'static str, &'static str)> {
    Brand::ALL
        .iter()
        .map(|brand| (brand.as_str(), brand.config().api_key))
        .collect()
}

/// `--sandbox` signs in with the demo password, a code and a token, then calls: none of them
/// shows, for August and for Authy.
#[test]
fn the_sandbox_flag_at_trace_prints_no_secret() {
    let tool = Tool::new();
    let mut secrets = brand_keys();
    secrets.extend([
        ("demo password", demo::PASSWORD),
        ("authy api key", demo::AUTHY_API_KEY),
    ]);
    for filter in FILTERS {
        let vars = [("RUST_LOG", filter)];
        let run = tool.run(&["--sandbox", "--json", "locks"], &vars);
        let run = run.expect_code(0);
        assert_clean(&format!("{filter} locks"), &run, &secrets);
        let run = tool
            .run(&["--sandbox", "unlock", demo::FRONT_DOOR_LOCK_ID], &vars)
            .expect_code(0);
        assert_clean(&format!("{filter} unlock"), &run, &secrets);
        let run = tool
            .run(&["--sandbox", "--json", "authy", "app", "details"], &vars)
            .expect_code(0);
        assert_clean(&format!("{filter} authy app details"), &run, &secrets);
    }
}

/// A whole login against a standing sandbox at trace: the password, the code, the token the
/// server issues, the API keys, an Authy token being checked and a phone verification code
/// are never printed.
#[test]
fn a_login_and_calls_at_trace_print_no_secret() {
    let sandbox = Sandbox::start().unwrap_or_else(|e| panic!("{e}"));
    let tool = Tool::new();
    let cache = tool.cache();
    let august_url = sandbox.august_url();
    let authy_url = sandbox.authy_url();
    let authy_key = sandbox.authy_api_key();
    for filter in FILTERS {
        let _ = std::fs::remove_file(&cache);
        let vars = [
            ("RUST_LOG", filter),
            ("AUGUST_BASE_URL", august_url.as_str()),
            ("AUGUST_CACHE_FILE", cache.to_str().unwrap_or_default()),
            ("AUGUST_USERNAME", demo::PHONE),
            ("AUGUST_PASSWORD", demo::PASSWORD),
            ("AUTHY_API_URL", authy_url.as_str()),
            ("AUTHY_API_KEY", authy_key.as_str()),
        ];
        let mut runs = vec![("login", tool.run(&["login"], &vars).expect_code(0))];
        let code = sandbox
            .august_verification_code()
            .unwrap_or_else(|| panic!("no code was sent"));
        runs.push(("verify", tool.run(&["verify", &code], &vars).expect_code(0)));
        let cached = std::fs::read_to_string(&cache).unwrap_or_else(|e| panic!("{e}"));
        let cached: serde_json::Value =
            serde_json::from_str(&cached).unwrap_or_else(|e| panic!("{e}"));
        let token = cached["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token in the cache: {cached}"))
            .to_owned();
        runs.push(("locks", tool.run(&["locks"], &vars).expect_code(0)));
        runs.push((
            "unlock",
            tool.run(&["unlock", demo::FRONT_DOOR_LOCK_ID], &vars)
                .expect_code(0),
        ));
        runs.push((
            "authy tokens verify",
            tool.run(&["authy", "tokens", "verify", "1000", "86420975"], &vars),
        ));
        runs.push((
            "authy phones verification-check",
            tool.run(
                &[
                    "authy",
                    "phones",
                    "verification-check",
                    "555-555-5555",
                    "97531864",
                ],
                &vars,
            ),
        ));
        let mut secrets = brand_keys();
        secrets.extend([
            ("password", demo::PASSWORD),
            ("code", code.as_str()),
            ("access token", token.as_str()),
            ("authy api key", authy_key.as_str()),
            ("authy token", "86420975"),
            ("phone verification code", "97531864"),
        ]);
        for (what, run) in &runs {
            assert_clean(&format!("{filter} {what}"), run, &secrets);
        }
    }
}
