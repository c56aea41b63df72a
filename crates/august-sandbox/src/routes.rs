//! The routes the sandbox answers, by the API they belong to.

use std::fmt;

use crate::http::{RouteName, Routes, match_path, segments};

/// An API the sandbox emulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Api {
    /// The August (Yale Access) REST API: sign-in, houses, locks, doorbells, the activity feed.
    August,
    /// August's live side: device capabilities, websocket subscribers, PubNub and Socket.IO
    /// push, the brands' OAuth authorization servers.
    AugustLive,
    /// The Authy API.
    Authy,
    /// Twilio Verify v2 and Lookup v2.
    Verify,
}

/// A route the sandbox answers: a method and a path pattern such as `/locks/{lock_id}`.
///
/// Its [`Display`](fmt::Display) form is `GET /locks/{lock_id}`. For the August, August live
/// and Authy APIs that is the route template counted in [`Stats::routes`](crate::Stats::routes)
/// and matched by [`Sandbox::set_fault`](crate::Sandbox::set_fault); the Verify and Lookup
/// routes and the OAuth server are answered before faults and counts apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Route {
    /// The API the route belongs to.
    pub api: Api,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path pattern; `{name}` stands for one path segment.
    pub pattern: &'static str,
}

impl Route {
    /// Whether a request with this method and path (the query left out) is one of this
    /// route's. The path's segments are percent-decoded as the sandbox decodes them.
    ///
    /// ```
    /// let route = august_sandbox::routes()
    ///     .into_iter()
    ///     .find(|r| r.to_string() == "GET /locks/{lock_id}")
    ///     .unwrap();
    /// assert!(route.matches("GET", "/locks/ABC123"));
    /// assert!(!route.matches("GET", "/locks/ABC123/status"));
    /// assert!(!route.matches("get", "/locks/ABC123"), "methods match as the server's do");
    /// ```
    pub fn matches(&self, method: &str, path: &str) -> bool {
        self.method == method && match_path(self.pattern, &segments(path)).is_some()
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        RouteName {
            method: self.method,
            pattern: self.pattern,
        }
        .fmt(f)
    }
}

/// Every route the sandbox answers, August's first, then the live side's, Authy's and
/// Verify's (the sandbox-only `/__sandbox/` endpoints are not among them).
///
/// ```
/// use august_sandbox::{Api, routes};
///
/// let verify = routes().into_iter().filter(|r| r.api == Api::Verify).count();
/// assert!(verify > 20);
/// ```
pub fn routes() -> Vec<Route> {
    table(Api::August, crate::august::ROUTES)
        .chain(table(Api::AugustLive, crate::live::ROUTES))
        .chain(table(Api::AugustLive, crate::push::ROUTES))
        .chain(table(Api::AugustLive, crate::oauth::ROUTES))
        .chain(table(Api::Authy, crate::authy::ROUTES))
        .chain(table(Api::Verify, crate::verify::ROUTES))
        .collect()
}

/// The routes of one table, all of `api`.
fn table<H>(api: Api, routes: &'static Routes<H>) -> impl Iterator<Item = Route> {
    routes.iter().map(move |(method, pattern, _)| Route {
        api,
        method,
        pattern,
    })
}
