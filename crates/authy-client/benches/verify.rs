//! `tokens().verify` per call against a local keep-alive server answering the recorded
//! `tokens_verify_ok.json`, beside a bare ureq GET of the same URL that reads the body (the
//! transport floor).
//!
//! Before timing, 1,000 sequential checks are made and the server's count of TCP connections
//! is printed (and must be 1).
//!
//! `cargo bench -p authy-client --bench verify`

// `criterion_group!` defines a public function without documentation.
#![allow(missing_docs)]

#[allow(dead_code)]
#[path = "../../august-bench/src/server.rs"]
mod server;

use std::hint::black_box;
use std::io::Read;

use authy_client::{AuthyApiClient, AuthyId};
use criterion::{Criterion, criterion_group, criterion_main};
use test_support::raw_http::agent as bare_agent;

const API_KEY: &str = "bench-authy-api-key";
const TOKEN: &str = "0123456";

fn verify(c: &mut Criterion) {
    let server = server::Server::start(0, server::default_routes()).expect("the server binds");
    let base = server.url();
    let url = format!("{base}/protected/json/verify/{TOKEN}/1000?force=true");
    let client = AuthyApiClient::builder(API_KEY)
        .base_url(&base)
        .build()
        .expect("a loopback URL is accepted");
    let id = AuthyId::from(1000_u64);

    for _ in 0..1_000 {
        client
            .tokens()
            .verify(id, TOKEN)
            .expect("the token is valid");
    }
    println!(
        "tokens().verify: {} sequential calls used {} TCP connection(s)",
        server.api_requests(),
        server.api_connections()
    );
    assert_eq!(server.api_connections(), 1, "one connection for every call");

    let mut g = c.benchmark_group("token_verify");
    g.bench_function("sdk", |b| {
        b.iter(|| {
            client
                .tokens()
                .verify(id, black_box(TOKEN))
                .expect("the token is valid")
        });
    });
    let agent = bare_agent();
    let mut body = Vec::with_capacity(4096);
    g.bench_function("bare_ureq_get", |b| {
        b.iter(|| {
            body.clear();
            let mut response = agent
                .get(black_box(&url))
                .header("X-Authy-API-Key", API_KEY)
                .call()
                .expect("the bare GET succeeds");
            response
                .body_mut()
                .as_reader()
                .read_to_end(&mut body)
                .expect("the body reads");
        });
    });
    g.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);
