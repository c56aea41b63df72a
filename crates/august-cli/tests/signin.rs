//! The sign-ins besides the password, end to end against the sandbox: OAuth with the loopback
//! redirect, a Home Assistant file, a plain token, `whoami`, refresh from the cache, the
//! refused built-in key, and `--sandbox` with the OAuth brands.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

use august_sandbox::{Fault, Sandbox, demo};
use common::Tool;
use serde_json::Value;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The authorization URL `august login --oauth` prints on standard error, and the rest of
/// standard error, to keep open until the command ends (it may write more).
fn authorization_url(
    child: &mut std::process::Child,
) -> (String, BufReader<std::process::ChildStderr>) {
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no URL printed");
        if line.starts_with("http") {
            return (line.trim().to_owned(), stderr);
        }
    }
}

/// A GET on a loopback URL, as the browser following the redirect; returns the status line.
fn get(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, path) = rest.split_once('/').unwrap();
    let mut stream = TcpStream::connect(authority).unwrap();
    write!(
        stream,
        "GET /{path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn sandbox_covers_the_oauth_brands_unattended() {
    let tool = Tool::new();
    for brand in ["yale_global", "yale_august"] {
        let out = tool
            .run(&["--sandbox", "--brand", brand, "--json", "locks"], &[])
            .expect_code(0);
        assert_eq!(out.json().as_array().unwrap().len(), 3, "{out:#?}");
        let who = tool
            .run(&["--sandbox", "--brand", brand, "--json", "whoami"], &[])
            .expect_code(0)
            .json();
        assert_eq!(who["signed_in_with"], "oauth");
        assert_eq!(who["brand"], brand);
        assert_eq!(who["user_id"], demo::USER_ID);
    }
    let out = tool.run(&["--sandbox", "--brand", "yale_home", "locks"], &[]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("yale_global"), "{out:#?}");
}

/// Connections to the redirect listener that send nothing (a browser's preconnect, a port
/// scan) or garbage, a request to the redirect address without a code (a prefetch) and one to
/// another path do not end the sign-in: the redirect that comes on another connection
/// completes it. The first such connection used to end it (at once, or after a 10 s read), and
/// so did the prefetch.
/// `august login --oauth` against the sandbox (brand `yale_global`, the demo client), waiting
/// for the redirect on a free loopback port; gives the running process and the port.
fn start_oauth_login(sandbox: &Sandbox, tool: &Tool) -> (std::process::Child, u16) {
    let port = free_port();
    let child = spawn_oauth_login(sandbox, tool, &format!("http://127.0.0.1:{port}/callback"));
    (child, port)
}

/// `august login --oauth` against the sandbox as [`start_oauth_login`] runs it, with this
/// redirect URI.
fn spawn_oauth_login(sandbox: &Sandbox, tool: &Tool, redirect: &str) -> std::process::Child {
    let (authorize, token) = sandbox.oauth_endpoints("yale_global");
    Command::new(env!("CARGO_BIN_EXE_august"))
        .args(["--brand", "yale_global", "--json", "login", "--oauth"])
        .args(["--no-browser", "--redirect-uri", redirect])
        .env("HOME", tool.home())
        .env("AUGUST_BASE_URL", sandbox.august_url())
        .env("AUGUST_CACHE_FILE", tool.cache())
        .env("AUGUST_OAUTH_CLIENT_ID", demo::OAUTH_CLIENT_ID)
        .env("AUGUST_OAUTH_CLIENT_SECRET", demo::OAUTH_CLIENT_SECRET)
        .env("AUGUST_OAUTH_AUTHORIZE_URL", &authorize)
        .env("AUGUST_OAUTH_TOKEN_URL", &token)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// A redirect URI with port 0 takes any free port: the authorization URL sends the browser to
/// the port listened on, and the sign-in completes. The URL said port 0, so the browser could
/// never come back and the wait failed.
#[test]
fn login_oauth_on_port_0_sends_the_browser_to_the_port_it_listens_on() {
    let sandbox = Sandbox::start().unwrap();
    let tool = Tool::new();
    let mut child = spawn_oauth_login(&sandbox, &tool, "http://127.0.0.1:0/callback");
    let (authorization_url, _stderr) = authorization_url(&mut child);
    let location = sandbox.approve_oauth(&authorization_url).unwrap();
    let port: u16 = location
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.split_once("/callback?"))
        .and_then(|(port, _)| port.parse().ok())
        .unwrap_or_else(|| panic!("not a redirect to the loopback callback: {location}"));
    assert_ne!(port, 0, "{location}");
    assert!(get(&location).contains("200"));
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["signed_in_with"], "oauth");
    let cached: Value =
        serde_json::from_str(&std::fs::read_to_string(tool.cache()).unwrap()).unwrap();
    assert_eq!(cached["kind"], "oauth");
}

/// The tokens of an OAuth sign-in are cached when the check of them fails for a reason other
/// than a refusal (the code they came from is spent), and not when the service refuses them.
#[test]
fn login_oauth_caches_tokens_the_check_could_not_judge() {
    for (status, cached) in [(503, true), (429, true), (401, false), (403, false)] {
        let sandbox = Sandbox::start().unwrap();
        sandbox.set_fault("GET /users/houses/mine", Fault::status(status));
        let tool = Tool::new();
        let (mut child, _) = start_oauth_login(&sandbox, &tool);
        let (authorization_url, mut rest) = authorization_url(&mut child);
        let location = sandbox.approve_oauth(&authorization_url).unwrap();
        assert!(get(&location).contains("200"));
        let output = child.wait_with_output().unwrap();
        let mut stderr = String::new();
        rest.read_to_string(&mut stderr).unwrap();
        assert_eq!(output.status.success(), cached, "{status}: {output:?}");
        assert_eq!(tool.cache().exists(), cached, "{status}");
        assert_eq!(
            stderr.contains("it is cached anyway"),
            cached,
            "{status}: {stderr}"
        );
    }
}

#[test]
fn login_oauth_gets_the_redirect_past_silent_garbage_and_stray_requests() {
    let sandbox = Sandbox::start().unwrap();
    let tool = Tool::new();
    let cache = tool.cache();
    let (mut child, port) = start_oauth_login(&sandbox, &tool);
    let (authorization_url, _stderr) = authorization_url(&mut child);
    let location = sandbox.approve_oauth(&authorization_url).unwrap();
    // Held open, sending nothing, until the sign-in is over.
    let silent = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut garbage = TcpStream::connect(("127.0.0.1", port)).unwrap();
    garbage.write_all(b"\xff\xfe\x00 not http\r\n\r\n").unwrap();
    // A prefetch of the redirect address and the browser's icon: answered, the wait goes on.
    let prefetch = format!("http://127.0.0.1:{port}/callback");
    assert!(get(&prefetch).contains("400"));
    assert!(get(&format!("http://127.0.0.1:{port}/favicon.ico")).contains("404"));
    let started = std::time::Instant::now();
    assert!(get(&location).contains("200"));
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    // Not held up by the silent connection's read.
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    drop(silent);
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["signed_in_with"], "oauth");
    // The code of the redirect was exchanged: the cached token is the sandbox's.
    let cached: Value = serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    assert_eq!(cached["kind"], "oauth");
    assert_eq!(cached["brand"], "yale_global");
    let who = tool
        .run_at(
            &sandbox.august_url(),
            &["--json", "whoami"],
            &[
                ("AUGUST_OAUTH_CLIENT_ID", demo::OAUTH_CLIENT_ID),
                ("AUGUST_OAUTH_CLIENT_SECRET", demo::OAUTH_CLIENT_SECRET),
            ],
        )
        .expect_code(0)
        .json();
    assert_eq!(who["user_id"], demo::USER_ID);
}

/// A redirect URI the tool cannot receive the redirect on is a usage error (exit code 2); a
/// port it cannot listen on says so.
#[test]
fn login_oauth_says_when_it_cannot_listen_on_the_redirect_uri() {
    let tool = Tool::new();
    let login = |redirect: &str| {
        tool.run(
            &["--brand", "yale_global", "login", "--oauth", "--no-browser"],
            &[
                ("AUGUST_OAUTH_CLIENT_ID", demo::OAUTH_CLIENT_ID),
                ("AUGUST_OAUTH_REDIRECT_URI", redirect),
            ],
        )
    };
    for redirect in [
        "https://127.0.0.1:8765/callback",
        "http://example.com:8765/callback",
    ] {
        let out = login(redirect).expect_code(2);
        assert!(out.stderr.contains("redirect URI"), "{out:#?}");
    }
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let out = login(&format!("http://127.0.0.1:{port}/callback")).expect_code(1);
    assert!(
        out.stderr.contains(&format!(
            "cannot listen on 127.0.0.1:{port} for the redirect"
        )),
        "{out:#?}"
    );
}

#[test]
fn login_oauth_receives_the_redirect_caches_and_refreshes() {
    let sandbox = Sandbox::builder()
        .oauth_token_lifetime(Duration::from_secs(30))
        .start()
        .unwrap();
    let tool = Tool::new();
    let cache = tool.cache();
    let port = free_port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let (authorize, token) = sandbox.oauth_endpoints("yale_global");
    let url = sandbox.august_url();
    let oauth_vars = [
        ("AUGUST_OAUTH_CLIENT_ID", demo::OAUTH_CLIENT_ID),
        ("AUGUST_OAUTH_CLIENT_SECRET", demo::OAUTH_CLIENT_SECRET),
        ("AUGUST_OAUTH_AUTHORIZE_URL", authorize.as_str()),
        ("AUGUST_OAUTH_TOKEN_URL", token.as_str()),
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_august"))
        .args([
            "--brand",
            "yale_global",
            "--json",
            "login",
            "--oauth",
            "--no-browser",
        ])
        .args(["--redirect-uri", &redirect])
        .env("HOME", tool.home())
        .env("AUGUST_BASE_URL", &url)
        .env("AUGUST_CACHE_FILE", &cache)
        .envs(oauth_vars)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Play the browser.
    let (authorization_url, _stderr) = authorization_url(&mut child);
    assert!(authorization_url.contains("state="));
    assert!(!authorization_url.contains(demo::OAUTH_CLIENT_SECRET));
    let location = sandbox.approve_oauth(&authorization_url).unwrap();
    assert!(location.starts_with(&redirect));
    assert!(get(&location).contains("200"));
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["signed_in_with"], "oauth");
    let text = std::fs::read_to_string(&cache).unwrap();
    assert!(!text.contains(demo::OAUTH_CLIENT_SECRET));
    let first: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(first["brand"], "yale_global");

    // Later commands need no --brand, and refresh when due (30 s tokens, 60 s margin).
    let locks = tool
        .run_at(&url, &["--json", "locks"], &oauth_vars)
        .expect_code(0);
    assert_eq!(locks.json().as_array().unwrap().len(), 3);
    let second: Value = serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    assert_ne!(
        first["refresh_token"], second["refresh_token"],
        "rotated and saved"
    );
    let who = tool
        .run_at(&url, &["--json", "whoami"], &oauth_vars)
        .expect_code(0)
        .json();
    assert_eq!(who["signed_in_with"], "oauth");
    assert_eq!(who["can_refresh"], true);
    assert_eq!(who["account"], demo::EMAIL);

    // Without the client credentials the cached token cannot be refreshed.
    let who = tool
        .run_at(&url, &["--json", "whoami"], &[])
        .expect_code(0)
        .json();
    assert_eq!(who["can_refresh"], false);
}

#[test]
fn login_import_ha_and_token_work_for_later_commands() {
    let sandbox = Sandbox::start().unwrap();
    let tool = Tool::new();
    let url = sandbox.august_url();
    let file = tool.home().join("core.config_entries");
    let text = sandbox.home_assistant_config_entries("yale_global");
    std::fs::write(&file, &text).unwrap();
    tool.run_at(&url, &["login", "--import-ha", file.to_str().unwrap()], &[])
        .expect_code(0);
    let locks = tool.run_at(&url, &["--json", "locks"], &[]).expect_code(0);
    assert_eq!(locks.json().as_array().unwrap().len(), 3);
    let who = tool
        .run_at(&url, &["--json", "whoami"], &[])
        .expect_code(0)
        .json();
    assert_eq!(who["signed_in_with"], "home_assistant");
    assert_eq!(who["brand"], "yale_global");
    // The file is read, never written.
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);

    // A plain token.
    let entries: Value = serde_json::from_str(&text).unwrap();
    let token = entries["data"]["entries"][1]["data"]["token"]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = tool
        .run_at(
            &url,
            &[
                "--brand",
                "yale_global",
                "--json",
                "login",
                "--token",
                &token,
            ],
            &[],
        )
        .expect_code(0);
    out.assert_prints_none(&[&token]);
    assert_eq!(out.json()["signed_in_with"], "imported");
    tool.run_at(&url, &["--json", "locks"], &[]).expect_code(0);

    // The expiry is RFC 3339 in JSON, `YYYY-MM-DD HH:MM:SS UTC` in the key/value list.
    let login = |json: &[&'static str]| {
        let mut args = vec!["--brand", "yale_global"];
        args.extend_from_slice(json);
        args.extend_from_slice(&["login", "--expires-at", "2036-11-23T09:31:03Z", "--token"]);
        args.push(&token);
        tool.run_at(&url, &args, &[]).expect_code(0)
    };
    let out = login(&["--json"]);
    assert_eq!(out.json()["access_token_expires"], "2036-11-23T09:31:03Z");
    let who = tool
        .run_at(&url, &["--json", "whoami"], &[])
        .expect_code(0)
        .json();
    assert_eq!(who["access_token_expires"], "2036-11-23T09:31:03Z");
    let out = login(&[]);
    assert!(
        out.stdout
            .contains("\nexpires      2036-11-23 09:31:03 UTC\n"),
        "{out:#?}"
    );

    // A malformed Home Assistant file is a clear error.
    std::fs::write(&file, "{\"data\": {\"entries\": []}}").unwrap();
    let out = tool.run_at(&url, &["login", "--import-ha", file.to_str().unwrap()], &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("no august or yale config entry"),
        "{out:#?}"
    );
}

#[test]
fn a_refused_built_in_key_says_to_pass_the_partner_key() {
    let sandbox = Sandbox::builder().refuse_public_keys().start().unwrap();
    let tool = Tool::new();
    let url = sandbox.august_url();
    let vars = [
        ("AUGUST_USERNAME", demo::PHONE),
        ("AUGUST_PASSWORD", demo::PASSWORD),
    ];
    let out = tool.run_at(&url, &["login"], &vars);
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(
        out.stderr.contains("built-in key is no longer accepted"),
        "{out:#?}"
    );
    assert!(out.stderr.contains("--api-key"), "{out:#?}");
    let out = tool
        .run_at(&url, &["--api-key", demo::PARTNER_API_KEY, "login"], &vars)
        .expect_code(0);
    assert!(out.stdout.contains("requires_validation"), "{out:#?}");
    out.assert_prints_none(&[demo::PARTNER_API_KEY]);
    // Waiting for its code: whoami says to log in (exit 3).
    assert_eq!(tool.run_at(&url, &["whoami"], &vars).code, 3);
    let code = sandbox.august_verification_code().unwrap();
    tool.run_at(
        &url,
        &["--api-key", demo::PARTNER_API_KEY, "verify", &code],
        &vars,
    )
    .expect_code(0);
    let who = tool
        .run_at(
            &url,
            &["--api-key", demo::PARTNER_API_KEY, "--json", "whoami"],
            &vars,
        )
        .expect_code(0)
        .json();
    assert_eq!(who["signed_in_with"], "password");
    assert_eq!(who["brand"], "august");
    assert_eq!(who["account"], demo::PHONE);
    let locks = tool
        .run_at(
            &url,
            &["--api-key", demo::PARTNER_API_KEY, "--json", "locks"],
            &vars,
        )
        .expect_code(0);
    assert_eq!(locks.json().as_array().unwrap().len(), 3);
}

/// `--refresh-token -` reads the refresh token from standard input, as `--token -` does the
/// token (the token first when both are `-`), so neither has to be on the command line. It
/// used to cache `-` as the refresh token.
#[test]
fn login_token_reads_the_refresh_token_from_standard_input() {
    let sandbox = Sandbox::start().unwrap();
    let tool = Tool::new();
    let url = sandbox.august_url();
    let cache = tool.cache();
    let entries: Value =
        serde_json::from_str(&sandbox.home_assistant_config_entries("yale_global")).unwrap();
    let token = entries["data"]["entries"][1]["data"]["token"]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let login = |args: &[&str], stdin: &str| {
        let mut all = vec!["--brand", "yale_global", "--json", "login"];
        all.extend_from_slice(args);
        let vars = [
            ("AUGUST_BASE_URL", url.as_str()),
            ("AUGUST_CACHE_FILE", cache.to_str().unwrap()),
        ];
        let mut child = tool
            .command(&all, &vars)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{output:?}");
        let cached: Value =
            serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
        (
            cached["access_token"].clone(),
            cached["refresh_token"].clone(),
        )
    };
    let (access, refresh) = login(
        &["--token", &token, "--refresh-token", "-"],
        "refresh-from-stdin-1\n",
    );
    assert_eq!(access, token.as_str());
    assert_eq!(refresh, "refresh-from-stdin-1");
    let (access, refresh) = login(
        &["--token", "-", "--refresh-token", "-"],
        &format!("{token}\nrefresh-from-stdin-2\n"),
    );
    assert_eq!(access, token.as_str());
    assert_eq!(refresh, "refresh-from-stdin-2");
}

/// A `--brand` given, the default `august` included, is not the cached sign-in's: the command
/// is refused (exit 2) rather than sending the cached token with another brand (which the
/// server would refuse, marking it refused), or taking `--brand august` as no `--brand`.
#[test]
fn a_brand_given_that_is_not_the_cached_one_is_refused() {
    let sandbox = Sandbox::start().unwrap();
    let tool = Tool::new();
    let url = sandbox.august_url();
    let file = tool.home().join("core.config_entries");
    std::fs::write(&file, sandbox.home_assistant_config_entries("yale_global")).unwrap();
    tool.run_at(&url, &["login", "--import-ha", file.to_str().unwrap()], &[])
        .expect_code(0);
    let cache = tool.cache();
    for brand in ["august", "yale_access"] {
        let out = tool
            .run_at(&url, &["--brand", brand, "locks"], &[])
            .expect_code(2);
        assert_eq!(
            out.stderr,
            format!(
                "error: the sign-in cached in {} is for brand yale_global, not {brand} (--brand): drop --brand to use it, or sign in for {brand} with `august --brand {brand} login`\n",
                cache.display()
            )
        );
        assert_eq!(out.stdout, "");
    }
    // With a cache file given on the command line, the sign-in to make names it.
    let other = tool.home().join("other.json");
    std::fs::copy(&cache, &other).unwrap();
    let out = tool
        .run_at(
            &url,
            &[
                "--cache",
                other.to_str().unwrap(),
                "--brand",
                "august",
                "locks",
            ],
            &[],
        )
        .expect_code(2);
    assert_eq!(
        out.stderr,
        format!(
            "error: the sign-in cached in {other} is for brand yale_global, not august (--brand): drop --brand to use it, or sign in for august with `august --cache {other} --brand august login`\n",
            other = other.display()
        )
    );
    // With a username instead, whose own file holds the sign-in, the sign-in to make names it.
    let own = tool.home().join("data").join("august").join("someone.json");
    std::fs::create_dir_all(own.parent().unwrap()).unwrap();
    std::fs::copy(&cache, &own).unwrap();
    let out = tool
        .run(
            &["--username", "someone", "--brand", "august", "locks"],
            &[("AUGUST_BASE_URL", &url)],
        )
        .expect_code(2);
    assert!(
        out.stderr.ends_with(
            "sign in for august with `august --username someone --brand august login`\n"
        ),
        "{out:#?}"
    );
    // The cached sign-in is as it was: without --brand, or with its own, it works.
    tool.run_at(&url, &["locks"], &[]).expect_code(0);
    tool.run_at(&url, &["--brand", "yale_global", "locks"], &[])
        .expect_code(0);
}
