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
    assert!(
        run.stderr.contains("push connected (pubnub)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("sandbox: a demo event"),
        "{}",
        run.stderr
    );
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
    let run = tool
        .run(&["--sandbox", "capabilities", "NO-SUCH-LOCK"], &[])
        .expect_code(0);
    assert!(
        run.stdout.contains("no capabilities known"),
        "{}",
        run.stdout
    );
}
