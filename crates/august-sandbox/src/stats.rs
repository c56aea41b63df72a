//! Counters of what the sandbox received.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A snapshot of the sandbox's counters, from [`Sandbox::stats`](crate::Sandbox::stats) or
/// `GET /__sandbox/stats` (same field names in JSON).
///
/// `connections` counts every TCP connection accepted on the public port (control requests'
/// connections included). `requests` and `routes` count the requests to the emulated APIs,
/// faulted ones included; requests to `/__sandbox/...` are counted in `control_requests` only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Stats {
    /// TCP connections accepted on the public port.
    pub connections: u64,
    /// Requests to the emulated August and Authy APIs (and the doorbell image host).
    pub requests: u64,
    /// Requests per route template (`GET /locks/{lock_id}`); requests that matched no route
    /// are counted under `unmatched`.
    pub routes: BTreeMap<String, u64>,
    /// Requests to which a fault was applied.
    pub faults_applied: u64,
    /// Requests to the sandbox-only endpoints under `/__sandbox/`.
    pub control_requests: u64,
}

impl Stats {
    /// The number of requests to one route template, 0 if none.
    pub fn route(&self, template: &str) -> u64 {
        self.routes.get(template).copied().unwrap_or(0)
    }
}

/// The request counters (connections are counted by the relay).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) requests: u64,
    pub(crate) routes: BTreeMap<String, u64>,
    pub(crate) faults_applied: u64,
    pub(crate) control_requests: u64,
}

impl Counters {
    pub(crate) fn record(&mut self, template: &str) {
        self.requests += 1;
        match self.routes.get_mut(template) {
            Some(n) => *n += 1,
            None => {
                self.routes.insert(template.to_owned(), 1);
            }
        }
    }

    pub(crate) fn snapshot(&self, connections: u64) -> Stats {
        Stats {
            connections,
            requests: self.requests,
            routes: self.routes.clone(),
            faults_applied: self.faults_applied,
            control_requests: self.control_requests,
        }
    }
}
