//! Parsing recorded response bytes into the typed models, beside parsing the same bytes into
//! `serde_json::Value`.
//!
//! For each input three ways are timed:
//! - `typed`: `serde_json::from_slice::<Model>`, what `Api` does for a well-formed body;
//! - `typed_path_tracked`: the same through `serde_path_to_error`, the tracking `Api` used on
//!   every body before it kept that for the error path only;
//! - `value`: `serde_json::from_slice::<serde_json::Value>`.
//!
//! Activity feeds of 1,000 and 10,000 entries repeat the entries of
//! `get_house_activities.json`, written compactly as the server sends them.
//!
//! `cargo bench -p august-core --bench parse`

// `criterion_group!` defines a public function without documentation.
#![allow(missing_docs)]

use august_core::{ActivityFeed, DoorbellDetail, LockDetail};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use serde::de::DeserializeOwned;
use std::hint::black_box;

const LOCK_DETAIL: &[u8] = include_bytes!("../tests/fixtures/get_lock.online.json");
const DOORBELL_DETAIL: &[u8] = include_bytes!("../tests/fixtures/get_doorbell.json");
const HOUSE_ACTIVITIES: &[u8] = include_bytes!("../tests/fixtures/get_house_activities.json");

/// A feed of `n` entries cycling through the recorded ones, serialised compactly.
fn activity_feed(n: usize) -> Vec<u8> {
    let entries: Vec<serde_json::Value> =
        serde_json::from_slice(HOUSE_ACTIVITIES).expect("the fixture is a JSON array");
    let feed: Vec<&serde_json::Value> = entries.iter().cycle().take(n).collect();
    serde_json::to_vec(&feed).expect("values serialise")
}

fn typed<T: DeserializeOwned>(bytes: &[u8]) -> T {
    serde_json::from_slice(bytes).expect("the input parses")
}

fn typed_path_tracked<T: DeserializeOwned>(bytes: &[u8]) -> T {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).expect("the input parses")
}

fn compare<T: DeserializeOwned>(c: &mut Criterion, group: &str, bytes: &[u8]) {
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function(BenchmarkId::new("typed", bytes.len()), |b| {
        b.iter(|| typed::<T>(black_box(bytes)));
    });
    g.bench_function(BenchmarkId::new("typed_path_tracked", bytes.len()), |b| {
        b.iter(|| typed_path_tracked::<T>(black_box(bytes)));
    });
    g.bench_function(BenchmarkId::new("value", bytes.len()), |b| {
        b.iter(|| typed::<serde_json::Value>(black_box(bytes)));
    });
    g.finish();
}

fn parse(c: &mut Criterion) {
    compare::<LockDetail>(c, "lock_detail", LOCK_DETAIL);
    compare::<DoorbellDetail>(c, "doorbell_detail", DOORBELL_DETAIL);
    for n in [1_000, 10_000] {
        let feed = activity_feed(n);
        let parsed: ActivityFeed = typed(&feed);
        assert_eq!(parsed.as_slice().len(), n);
        compare::<ActivityFeed>(c, &format!("activity_feed_{n}"), &feed);
    }
}

criterion_group!(benches, parse);
criterion_main!(benches);
