//! The command line itself: global options after the subcommand, each group's help, shell
//! completions, tables aligned by display width, and house names in the tables.

mod common;

use std::fs;

use common::{Run, Tool};
use mockito::{Mock, Server, ServerGuard};

const API_KEY: &str = "d9984f29-07a6-816e-e1c9-44ec9d1be431";
const TOKEN: &str = "final-token-77c1";

fn logged_in(tool: &Tool) {
    fs::write(
        tool.cache(),
        format!(
            r#"{{"install_id": "0b5d3b8e-3f5f-4b8a-9c4e-2f6d8a1b7c9d", "access_token": "{TOKEN}", "access_token_expires": "2099-03-06T22:55:12.002Z", "state": "authenticated"}}"#
        ),
    )
    .unwrap();
}

/// Runs `august` with `args`, signed in, against `server` (`--base-url` and `--cache` added),
/// expecting success.
fn run_signed_in(server: &ServerGuard, args: &[&str]) -> Run {
    let tool = Tool::new();
    logged_in(&tool);
    let (url, cache) = (server.url(), tool.cache());
    let mut all = args.to_vec();
    all.extend(["--base-url", &url, "--cache", cache.to_str().unwrap()]);
    tool.run(&all, &[]).expect_code(0)
}

fn get(server: &mut ServerGuard, path: &str, body: &str, times: usize) -> Mock {
    server
        .mock("GET", path)
        .match_header("x-august-api-key", API_KEY)
        .match_header("x-august-access-token", TOKEN)
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(body)
        .expect(times)
        .create()
}

#[test]
fn global_options_work_after_the_subcommand() {
    let tool = Tool::new();
    // August commands
    for args in [
        &["locks", "--sandbox", "--json"][..],
        &["houses", "--json", "--sandbox"],
        &["--sandbox", "doorbells", "--json"],
        &["--json", "--sandbox", "locks"],
    ] {
        let out = tool.run(args, &[]).expect_code(0);
        assert!(out.json().is_array(), "{args:?}: {out:#?}");
    }
    // the Authy group: after the group, and after the last subcommand
    for args in [
        &["authy", "app", "details", "--sandbox", "--json"][..],
        &["authy", "--json", "app", "details", "--sandbox"],
    ] {
        let out = tool.run(args, &[]).expect_code(0);
        assert_eq!(out.json()["app"]["name"], "August Sandbox", "{args:?}");
    }
    // the Twilio group, mixed with its own options
    let out = tool
        .run(
            &[
                "twilio",
                "lookup",
                "+15555550100",
                "--sandbox",
                "--json",
                "--fields",
                "line_type_intelligence",
            ],
            &[],
        )
        .expect_code(0);
    assert_eq!(out.json()["phone_number"], "+15555550100", "{out:#?}");
    // a value-taking global after the subcommand: the cache file named there is the one read
    let cache = tool.home().join("elsewhere.json");
    let out = tool
        .run(&["whoami", "--cache", cache.to_str().unwrap()], &[])
        .expect_code(3);
    assert!(out.stderr.contains("elsewhere.json"), "{out:#?}");
}

#[test]
fn an_august_only_option_is_still_accepted_in_the_authy_group() {
    let tool = Tool::new();
    let out = tool
        .run(
            &[
                "authy",
                "--brand",
                "august",
                "app",
                "details",
                "--sandbox",
                "--json",
            ],
            &[],
        )
        .expect_code(0);
    assert_eq!(out.json()["app"]["app_id"], 1);
}

/// The option names in the `Options:` part of a help text.
fn options(help: &str) -> Vec<String> {
    help.split("Options:")
        .nth(1)
        .unwrap_or_else(|| panic!("no options in {help}"))
        .lines()
        .filter_map(|l| {
            let word = l.split_whitespace().find(|w| w.starts_with("--"))?;
            Some(word.trim_end_matches(',').to_owned())
        })
        .collect()
}

const AUGUST_ONLY: [&str; 7] = [
    "--base-url",
    "--brand",
    "--cache",
    "--username",
    "--api-key",
    "--pubnub-origin",
    "--websocket-url",
];

#[test]
fn the_authy_and_twilio_help_lists_only_the_options_they_read() {
    let tool = Tool::new();
    for args in [
        &["authy", "--help"][..],
        &["authy", "users", "--help"],
        &["authy", "users", "status", "--help"],
        &["help", "authy", "onetouch", "create"],
    ] {
        let out = tool.run(args, &[]).expect_code(0);
        let shown = options(&out.stdout);
        for hidden in AUGUST_ONLY {
            assert!(!shown.iter().any(|o| o == hidden), "{args:?}: {shown:?}");
        }
        for global in ["--json", "--sandbox", "--authy-url", "--authy-api-key"] {
            assert!(shown.iter().any(|o| o == global), "{args:?}: {shown:?}");
        }
    }
    for args in [&["twilio", "--help"][..], &["twilio", "lookup", "--help"]] {
        let out = tool.run(args, &[]).expect_code(0);
        let shown = options(&out.stdout);
        for hidden in AUGUST_ONLY
            .iter()
            .chain(&["--authy-url", "--authy-api-key"])
        {
            assert!(!shown.iter().any(|o| o == hidden), "{args:?}: {shown:?}");
        }
        assert!(shown.iter().any(|o| o == "--json"), "{args:?}: {shown:?}");
    }
}

#[test]
fn august_command_help_lists_the_global_options() {
    let tool = Tool::new();
    for args in [&["locks", "--help"][..], &["login", "--help"]] {
        let out = tool.run(args, &[]).expect_code(0);
        let shown = options(&out.stdout);
        for global in AUGUST_ONLY.iter().chain(&["--json", "--sandbox"]) {
            assert!(shown.iter().any(|o| o == global), "{args:?}: {shown:?}");
        }
        assert!(!shown.iter().any(|o| o == "--authy-api-key"), "{shown:?}");
    }
    // the top level lists every option, and says how logging is turned on
    let out = tool.run(&["--help"], &[]).expect_code(0);
    let shown = options(&out.stdout);
    for global in AUGUST_ONLY.iter().chain(&["--authy-api-key", "--json"]) {
        assert!(shown.iter().any(|o| o == global), "{shown:?}");
    }
    assert!(out.stdout.contains("RUST_LOG"), "{out:#?}");
}

#[test]
fn completions_name_the_subcommands() {
    let tool = Tool::new();
    let out = tool.run(&["completions", "bash"], &[]).expect_code(0);
    for word in [
        "locks",
        "lock-detail",
        "authy",
        "onetouch",
        "twilio",
        "--json",
    ] {
        assert!(out.stdout.contains(word), "bash completion lacks {word}");
    }
    assert!(out.stdout.contains("complete -F _august"), "{}", out.stdout);
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let out = tool.run(&["completions", shell], &[]).expect_code(0);
        assert!(out.stdout.contains("locks"), "{shell}: {out:#?}");
    }
    let out = tool.run(&["completions", "tcsh"], &[]).expect_code(2);
    assert!(out.stderr.contains("bash"), "{out:#?}");
}

/// The completions offer the brands `--brand` takes, by the names it takes, and not the
/// retired `yale_home`, which it refuses.
#[test]
fn completions_offer_the_brands() {
    let tool = Tool::new();
    let out = tool.run(&["completions", "bash"], &[]).expect_code(0);
    assert!(
        out.stdout
            .contains(r#"compgen -W "august yale_access yale_global yale_august""#),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("yale_home"), "{}", out.stdout);
}

#[test]
fn tables_align_wide_characters_and_show_house_names() {
    let mut server = Server::new();
    let locks = get(
        &mut server,
        "/users/locks/mine",
        r#"{
            "L1": {"LockName": "Haustür 🚪", "UserType": "superuser", "HouseID": "H1", "HouseName": "Zuhause"},
            "L2": {"LockName": "玄関", "UserType": "user", "HouseID": "H2"}
        }"#,
        1,
    );
    // once per command, however many rows need a name
    let houses = get(
        &mut server,
        "/users/houses/mine",
        r#"[{"HouseID": "H1", "HouseName": "Zuhause"}, {"HouseID": "H2", "HouseName": "東京の家"}]"#,
        2,
    );
    let bells = get(
        &mut server,
        "/users/doorbells/mine",
        r#"{
            "D1": {"doorbellID": "D1", "name": "Tür", "HouseID": "H2", "status": "doorbell_call_status_online", "serialNumber": "s", "firmwareVersion": "1"},
            "D2": {"doorbellID": "D2", "name": "裏口", "HouseID": "H2", "status": "doorbell_offline", "serialNumber": "t", "firmwareVersion": "1"},
            "D3": {"doorbellID": "D3", "name": "Shed", "HouseID": "H9", "status": "doorbell_offline", "serialNumber": "u", "firmwareVersion": "1"}
        }"#,
        1,
    );
    let run = |command: &str| run_signed_in(&server, &[command]);
    let out = run("locks");
    assert_eq!(
        out.stdout,
        "ID  NAME        HOUSE     ROLE\n\
         L1  Haustür 🚪  Zuhause   superuser\n\
         L2  玄関        東京の家  user\n",
        "{out:#?}"
    );
    let out = run("doorbells");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "ID  NAME  HOUSE     STATUS                       IMAGE AT"
    );
    assert_eq!(
        lines[1..],
        [
            "D1  Tür   東京の家  doorbell_call_status_online  -",
            "D2  裏口  東京の家  doorbell_offline             -",
            // not one of the account's houses: its id
            "D3  Shed  H9        doorbell_offline             -",
        ],
        "{out:#?}"
    );
    locks.assert();
    houses.assert();
    bells.assert();
}

#[test]
fn activity_shows_the_house_name() {
    let mut server = Server::new();
    let entries = fs::read_to_string(format!(
        "{}/../august-core/tests/fixtures/get_house_activities.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .replace("mock-house-id", "H1");
    let activity = server
        .mock("GET", "/houses/H1/activities")
        .match_query(mockito::Matcher::Exact("limit=2".into()))
        .with_status(200)
        .with_body(entries)
        .expect(1)
        .create();
    let houses = get(
        &mut server,
        "/users/houses/mine",
        r#"[{"HouseID": "H1", "HouseName": "Ferienhaus Größe"}]"#,
        1,
    );
    let out = run_signed_in(&server, &["activity", "H1", "--limit", "2"]);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].ends_with("  HOUSE"), "{out:#?}");
    assert!(lines.len() > 1, "{out:#?}");
    assert!(
        lines[1..].iter().all(|l| l.ends_with("  Ferienhaus Größe")),
        "{out:#?}"
    );
    activity.assert();
    houses.assert();
}

#[test]
fn house_ids_are_shown_when_the_houses_cannot_be_read() {
    let mut server = Server::new();
    let bells = get(
        &mut server,
        "/users/doorbells/mine",
        r#"{"D1": {"doorbellID": "D1", "name": "Tür", "HouseID": "H2", "status": "doorbell_offline", "serialNumber": "s", "firmwareVersion": "1"}}"#,
        1,
    );
    let houses = server
        .mock("GET", "/users/houses/mine")
        .with_status(400)
        .with_body(r#"{"message": "no"}"#)
        .expect(1)
        .create();
    let out = run_signed_in(&server, &["doorbells"]);
    assert_eq!(
        out.stdout,
        "ID  NAME  HOUSE  STATUS            IMAGE AT\nD1  Tür   H2     doorbell_offline  -\n"
    );
    assert!(
        out.stderr.starts_with("warning: house ids shown"),
        "{out:#?}"
    );
    bells.assert();
    houses.assert();
}

/// An argument or setting an SDK refuses before sending anything ("invalid input, nothing
/// sent") is a usage error, exit code 2, as clap's own are: they exited with 1. The base URL
/// is named by its option and said with its real rule (http to a loopback host is allowed),
/// and never repeated (it may carry credentials); a verification channel outside the list is
/// refused by clap rather than sent.
#[test]
fn input_the_sdks_refuse_before_sending_is_a_usage_error() {
    let tool = Tool::new();
    logged_in(&tool);
    let cache = tool.cache();
    let out = tool
        .run(
            &[
                "--base-url",
                "ftp://user:secret-pw@example.com",
                "--cache",
                cache.to_str().unwrap(),
                "locks",
            ],
            &[],
        )
        .expect_code(2);
    assert_eq!(
        out.stderr,
        "error: --base-url (or AUGUST_BASE_URL) cannot be used: give an https:// URL, or http:// to a loopback host (localhost, 127.0.0.1, [::1]), with no query, fragment or credentials\n"
    );
    for args in [
        &["--sandbox", "status", ""][..],
        &["--sandbox", "authy", "tokens", "verify", "1002", "12"],
        &["--sandbox", "authy", "users", "qr", "1002", "--size", "0"],
        &["--sandbox", "twilio", "lookup", "12"],
    ] {
        let out = tool.run(args, &[]).expect_code(2);
        assert!(
            out.stderr.starts_with("error: ") && out.stderr.contains("nothing sent"),
            "{args:?}: {out:#?}"
        );
    }
    let out = tool
        .run(
            &[
                "--sandbox",
                "twilio",
                "verifications",
                "start",
                "+15555550100",
                "--channel",
                "bogus",
            ],
            &[],
        )
        .expect_code(2);
    assert!(
        out.stderr
            .starts_with("error: invalid value 'bogus' for '--channel <CHANNEL>'"),
        "{out:#?}"
    );
}

/// An image that cannot be written says which file, as every path is printed, and the system's
/// reason, nothing more: it added the temporary file's path in Rust's quoting
/// (`at path "/dir/.x.jpg.fmKaGH.tmp"`), a file the user never named.
#[test]
fn an_image_that_cannot_be_written_names_the_file_asked_for() {
    let tool = Tool::new();
    let file = tool.home().join("missing").join("x.jpg");
    let out = tool
        .run(
            &[
                "--sandbox",
                "image",
                august_sandbox::demo::FRONT_DOORBELL_ID,
                "-o",
                file.to_str().unwrap(),
            ],
            &[],
        )
        .expect_code(1);
    assert_eq!(
        out.stderr,
        format!(
            "error: cannot write the image to {}: No such file or directory (os error 2)\n",
            file.display()
        )
    );
}
