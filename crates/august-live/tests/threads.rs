//! No thread is left behind once a stream is closed (PubNub and websocket).

mod common;

use std::time::{Duration, Instant};

use august_core::Brand;
use august_sandbox::demo;

fn live_threads() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .map(|dir| {
            dir.filter_map(|t| {
                let path = t.ok()?.path().join("comm");
                std::fs::read_to_string(path).ok()
            })
            .map(|name| name.trim().to_owned())
            .filter(|name| name.starts_with("august-live"))
            .collect()
        })
        .unwrap_or_default()
}

fn wait_for_no_live_threads() -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let left = live_threads();
        if left.is_empty() || Instant::now() > deadline {
            return left;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn closing_a_stream_ends_its_threads() {
    if !std::path::Path::new("/proc/self/task").exists() {
        return;
    }
    for brand in [Brand::August, Brand::YaleGlobal] {
        let s = common::setup(brand);
        let stream = s.builder().start().unwrap();
        let c = common::collect(stream);
        s.api.unlock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
        assert!(!c.activities(1, Duration::from_secs(3)).is_empty());
        assert!(!live_threads().is_empty());
        c.stop();
        assert_eq!(
            wait_for_no_live_threads(),
            Vec::<String>::new(),
            "{brand:?}"
        );
    }
    // A callback subscription too.
    let s = common::setup(Brand::August);
    let (tx, rx) = std::sync::mpsc::channel();
    let sub = s
        .builder()
        .start()
        .unwrap()
        .spawn(move |item| {
            let _ = tx.send(item.is_ok());
        })
        .unwrap();
    s.api.lock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    assert!(rx.recv_timeout(Duration::from_secs(3)).unwrap());
    sub.stop_and_join();
    assert_eq!(wait_for_no_live_threads(), Vec::<String>::new());
}
