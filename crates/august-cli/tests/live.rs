//! `august watch` and `august capabilities`, unattended against `--sandbox`.

mod common;

use common::Tool;
use serde_json::Value;

#[test]
fn watch_prints_ndjson_and_stops_after_count() {
    let tool = Tool::new();
    let run = tool
        .run(&["--sandbox", "watch", "--json", "--count", "3"], &[])
        .expect_code(0);
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    for line in &lines {
        assert_eq!(line["event"], "activity");
        assert_eq!(line["source"], "pubnub");
    }
    assert_eq!(lines[0]["action"], "unlock");
    assert_eq!(lines[0]["device_name"], "Front Door");
    // Good news is no warning: it has a neutral prefix (it had `warning: `).
    assert!(
        run.stderr.contains("note: push connected (pubnub)\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("note: sandbox: a demo event"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("warning:"), "{}", run.stderr);
}

#[test]
fn watch_as_text() {
    let tool = Tool::new();
    let run = tool
        .run(&["--sandbox", "watch", "--count", "1"], &[])
        .expect_code(0);
    assert!(
        run.stdout
            .contains("Front Door  unlock  Demo User  (pubnub)"),
        "{}",
        run.stdout
    );
}

#[test]
fn capabilities_of_a_lock() {
    let tool = Tool::new();
    let run = tool
        .run(
            &[
                "--sandbox",
                "--json",
                "capabilities",
                "A1B2C3D4E5F60718293A4B5C6D7E8F01",
            ],
            &[],
        )
        .expect_code(0);
    assert_eq!(run.json()["lock"]["unlatch"], true);
    // A 404 reads as no capabilities (an older device), which an unknown id gets too.
    let run = tool
        .run(&["--sandbox", "capabilities", "NO-SUCH-LOCK"], &[])
        .expect_code(0);
    assert_eq!(
        run.stdout,
        "no capabilities known for this device: an older device, or an id the server does not know\n"
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_watch_cleanly() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let tool = Tool::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_august"))
        .env("HOME", tool.home())
        .env_remove("AUGUST_BASE_URL")
        .args(["--sandbox", "watch"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the first event, then interrupt.
    // The reader stays open: a closed pipe would end `watch` by itself.
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert!(first.contains("unlock"), "{first}");
    let sent = Instant::now();
    interrupt(&child);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(0));
            break;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(5),
            "watch did not stop"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(reader);
}

/// Sends SIGINT (a Ctrl-C) to `child`.
#[cfg(unix)]
fn interrupt(child: &std::process::Child) {
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// A second Ctrl-C while `watch` closes its stream ends it at once, with exit code 130. The
/// close is held here by a standard error nobody reads any more (a terminal paused with
/// Ctrl-S holds it the same way): the push thread logs the PubNub `leave` as it ends, and that
/// write waits.
#[cfg(unix)]
#[test]
fn a_second_ctrl_c_while_watch_closes_exits_at_once() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::Stdio;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    let tool = Tool::new();
    let (stderr_reader, mut stderr) = std::io::pipe().unwrap();
    let mut child = tool
        .command(
            &["--sandbox", "watch"],
            &[("RUST_LOG", "august_live=debug")],
        )
        .stdout(Stdio::piped())
        .stderr(stderr.try_clone().unwrap())
        .spawn()
        .unwrap();
    // Once the first event is printed, the Ctrl-C handler is set.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.contains("unlock"), "{first}");
    // Standard error fills up: from now on, every write to it waits.
    let written = Arc::new(AtomicUsize::new(0));
    let filling = {
        let written = Arc::clone(&written);
        std::thread::spawn(move || {
            while stderr.write_all(&[b'.'; 1024]).is_ok() {
                written.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    let mut seen = 0;
    loop {
        std::thread::sleep(Duration::from_millis(300));
        let now = written.load(Ordering::SeqCst);
        if now == seen && now > 0 {
            break;
        }
        seen = now;
    }

    // The first Ctrl-C stops the stream; its close waits on the log of the leave.
    interrupt(&child);
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "watch ended although its close could not log"
    );
    // The second one ends it at once.
    let sent = Instant::now();
    interrupt(&child);
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if sent.elapsed() > Duration::from_secs(5) {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // Nobody reads standard error: the filling thread's write fails and it ends.
    drop(stderr_reader);
    filling.join().unwrap();
    assert_eq!(code, Some(130), "the second Ctrl-C did not end watch");
}

/// With the reader of standard error gone (`august watch 2>&1 | head -1`), warnings and the
/// error line are dropped and the command ends with its own exit code. The first warning used
/// to panic (exit code 101).
#[test]
fn a_closed_standard_error_is_no_panic() {
    use std::process::Stdio;

    let tool = Tool::new();
    let run = |args: &[&str]| {
        let mut child = tool
            .command(args, &[])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stderr.take());
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        (output.status.code(), stdout)
    };
    // `watch` notes ("sandbox: a demo event ...", "push connected") and goes on.
    let (code, stdout) = run(&["--sandbox", "watch", "--count", "2"]);
    assert_eq!(code, Some(0), "{stdout}");
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    // A failure keeps its exit code (3: not logged in).
    let (code, stdout) = run(&["locks"]);
    assert_eq!(code, Some(3), "{stdout}");
}

/// `watch` ends by waiting for the stream's push thread, which says goodbye to the push
/// service (PubNub's `leave`) before the process ends: ended at once, the process cut it.
#[test]
fn watch_leaves_the_push_service_before_it_ends() {
    let tool = Tool::new();
    let run = tool
        .run(
            &["--sandbox", "watch", "--count", "1"],
            &[("RUST_LOG", "august_live=debug")],
        )
        .expect_code(0);
    let leaves = run.stderr.matches("pubnub: left, answered 200").count();
    assert_eq!(leaves, 1, "{}", run.stderr);
}

/// With `--base-url` naming a local server (a standing sandbox, not `--sandbox`), `watch`
/// subscribes there too: the sandbox serves PubNub at its base URL, and an unlock made while
/// it watches arrives by push.
#[test]
fn watch_subscribes_at_a_custom_base_url() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    use august_sandbox::{Sandbox, demo};

    let sandbox = Sandbox::start().unwrap();
    let url = sandbox.august_url();
    let tool = Tool::new();
    let token = sandbox.demo_access_token();
    tool.run_at(&url, &["login", "--token", &token], &[])
        .expect_code(0);

    let cache = tool.cache();
    let mut child = tool
        .command(
            &["--base-url", &url, "watch", "--count", "1"],
            &[("AUGUST_CACHE_FILE", cache.to_str().unwrap())],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (news, news_in) = mpsc::channel();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = news.send(line);
        }
    });
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match news_in.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) if line.contains("push connected (pubnub)") => break,
            Ok(line) => seen.push(line),
            Err(_) => {
                let _ = child.kill();
                panic!("push never connected: {seen:#?}");
            }
        }
    }
    tool.run_at(&url, &["unlock", demo::FRONT_DOOR_LOCK_ID], &[])
        .expect_code(0);

    let (line, line_in) = mpsc::channel();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || {
        let mut first = String::new();
        let _ = stdout.read_line(&mut first);
        let _ = line.send(first);
    });
    let Ok(first) = line_in.recv_timeout(Duration::from_secs(20)) else {
        let _ = child.kill();
        panic!("no event arrived");
    };
    assert!(
        first.ends_with("Front Door  unlock  Demo User  (pubnub)\n"),
        "{first}"
    );
    assert_eq!(child.wait().unwrap().code(), Some(0));
}
