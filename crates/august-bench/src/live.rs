//! Live-event figures: push latency from a sandbox operation to the event out of the
//! stream's iterator, the CPU time of an idle stream, and memory over many events.

use std::time::{Duration, Instant};

use august_core::Api;
use august_live::{ActivityStream, Event, StaticToken};
use august_sandbox::{Sandbox, demo};

fn start(sandbox: &Sandbox) -> Result<ActivityStream, String> {
    let api = Api::builder()
        .base_url(sandbox.august_url())
        .build()
        .map_err(|e| e.to_string())?;
    ActivityStream::builder(api, StaticToken::new(sandbox.demo_access_token()))
        .pubnub_origin(sandbox.pubnub_origin())
        // Pure push: no feed reads after each push.
        .polls_per_push(0)
        .start()
        .map_err(|e| e.to_string())
}

/// The next activity, skipping status events.
fn next_activity(stream: &mut ActivityStream) -> Result<(), String> {
    loop {
        match stream.next() {
            Some(Ok(Event::Activity(_))) => return Ok(()),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.to_string()),
            None => return Err("the stream ended".into()),
        }
    }
}

/// `events` doorbell rings, one at a time: the time from the ring (a sandbox operation,
/// pushed over the PubNub long-poll) to the activity out of the iterator. Prints JSON with
/// the median, p99 and max in microseconds.
pub fn latency(events: usize) -> Result<String, String> {
    let sandbox = Sandbox::start().map_err(|e| e.to_string())?;
    let mut stream = start(&sandbox)?;
    let mut micros = Vec::with_capacity(events);
    for _ in 0..events {
        let t0 = Instant::now();
        sandbox
            .ring_doorbell(demo::FRONT_DOORBELL_ID)
            .map_err(|e| e.to_string())?;
        next_activity(&mut stream)?;
        micros.push(t0.elapsed().as_micros());
    }
    micros.sort_unstable();
    let at = |q: f64| micros[((micros.len() as f64 - 1.0) * q).round() as usize];
    stream.close();
    Ok(format!(
        "{{\"events\": {events}, \"median_us\": {}, \"p99_us\": {}, \"max_us\": {}}}",
        at(0.5),
        at(0.99),
        micros.last().copied().unwrap_or(0)
    ))
}

/// CPU time (user + system, whole process: the sandbox included) in clock ticks, from
/// `/proc/self/stat`.
fn cpu_ticks() -> Result<u64, String> {
    let stat = std::fs::read_to_string("/proc/self/stat").map_err(|e| e.to_string())?;
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let num = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    Ok(num(11) + num(12))
}

/// Resident memory in KiB, from `/proc/self/statm` (4 KiB pages).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4)
}

/// An idle stream (connected, nothing happening) for `seconds`: the process's CPU time.
pub fn idle(seconds: u64) -> Result<String, String> {
    let sandbox = Sandbox::start().map_err(|e| e.to_string())?;
    let stream = start(&sandbox)?;
    let stop = stream.stop_handle();
    let consumer = std::thread::spawn(move || stream.count());
    let before = cpu_ticks()?;
    std::thread::sleep(Duration::from_secs(seconds));
    let after = cpu_ticks()?;
    stop.stop();
    let _ = consumer.join();
    // Clock ticks are 1/100 s on Linux.
    Ok(format!(
        "{{\"seconds\": {seconds}, \"cpu_ms\": {}, \"sandbox_hold_s\": 20}}",
        (after - before) * 10
    ))
}

/// `events` events (rings) through one stream; prints the resident memory after each tenth.
pub fn memory(events: usize) -> Result<String, String> {
    let sandbox = Sandbox::start().map_err(|e| e.to_string())?;
    let mut stream = start(&sandbox)?;
    let mut samples = Vec::new();
    let step = (events / 10).max(1);
    let started = Instant::now();
    for i in 1..=events {
        sandbox
            .ring_doorbell(demo::FRONT_DOORBELL_ID)
            .map_err(|e| e.to_string())?;
        next_activity(&mut stream)?;
        if i % step == 0 {
            samples.push(format!("[{i}, {}]", rss_kib()));
        }
    }
    stream.close();
    Ok(format!(
        "{{\"events\": {events}, \"seconds\": {:.1}, \"rss_kib_after_events\": [{}]}}",
        started.elapsed().as_secs_f64(),
        samples.join(", ")
    ))
}
