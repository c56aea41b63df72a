//! `Api::get_lock_detail` per call against a local keep-alive server, beside:
//! - `transport_send`: the same request through `api_transport::Transport` alone (no decoding);
//! - `bare_ureq_get`: a bare ureq GET of the same URL that reads the body, with a default
//!   ureq agent configured like the transport (the transport floor);
//! - `bare_ureq_get_and_parse`: that GET plus `serde_json::from_slice::<LockDetail>`.
//!
//! Before timing, 1,000 sequential SDK calls are made and the server's count of TCP
//! connections is printed (and must be 1).
//!
//! `cargo bench -p august-core --bench client`

// `criterion_group!` defines a public function without documentation.
#![allow(missing_docs)]

#[allow(dead_code)]
#[path = "../../august-bench/src/server.rs"]
mod server;

use std::hint::black_box;
use std::io::Read;

use august_core::{Api, LockDetail};
use criterion::{Criterion, criterion_group, criterion_main};
use test_support::raw_http::agent as bare_agent;

const LOCK_ID: &str = "A1B2C3D4E5F60718293A4B5C6D7E8F01";
const TOKEN: &str = "bench-access-token";

fn bare_get(agent: &ureq::Agent, url: &str, body: &mut Vec<u8>) {
    body.clear();
    let mut response = agent.get(url).call().expect("the bare GET succeeds");
    response
        .body_mut()
        .as_reader()
        .read_to_end(body)
        .expect("the body reads");
}

fn client(c: &mut Criterion) {
    let server = server::Server::start(0, server::default_routes()).expect("the server binds");
    let base = server.url();
    let url = format!("{base}/locks/{LOCK_ID}");
    let api = Api::builder()
        .base_url(&base)
        .build()
        .expect("a loopback URL is accepted");

    for _ in 0..1_000 {
        api.get_lock_detail(TOKEN, LOCK_ID)
            .expect("the call succeeds");
    }
    println!(
        "get_lock_detail: {} sequential calls used {} TCP connection(s)",
        server.api_requests(),
        server.api_connections()
    );
    assert_eq!(server.api_connections(), 1, "one connection for every call");

    let mut g = c.benchmark_group("get_lock_detail");
    g.bench_function("sdk", |b| {
        b.iter(|| {
            api.get_lock_detail(TOKEN, black_box(LOCK_ID))
                .expect("the call succeeds")
        });
    });
    let transport = api_transport::Transport::builder().build();
    let request = api_transport::Request::new(
        api_transport::Method::Get,
        &base,
        api_transport::Path::new().lit("locks").seg(LOCK_ID),
    )
    .header("x-august-access-token", TOKEN);
    g.bench_function("transport_send", |b| {
        b.iter(|| {
            transport
                .send(black_box(&request))
                .expect("the call succeeds")
        });
    });
    let agent = bare_agent();
    let mut body = Vec::with_capacity(8192);
    g.bench_function("bare_ureq_get", |b| {
        b.iter(|| bare_get(&agent, black_box(&url), &mut body));
    });
    g.bench_function("bare_ureq_get_and_parse", |b| {
        b.iter(|| {
            bare_get(&agent, black_box(&url), &mut body);
            serde_json::from_slice::<LockDetail>(&body).expect("the body parses")
        });
    });
    g.finish();
}

criterion_group!(benches, client);
criterion_main!(benches);
