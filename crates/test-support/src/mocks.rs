//! mockito mocks that the tests of several crates write the same way.

use mockito::{Matcher, Mock, ServerGuard};

/// Mocks that answer 599 to any request no other mock matched, and whose
/// [`assert`](NothingElse::assert) fails if one arrived.
pub struct NothingElse(Vec<Mock>);

impl NothingElse {
    /// Fails the test if any request reached these mocks.
    pub fn assert(&self) {
        for m in &self.0 {
            m.assert();
        }
    }
}

/// Catches every GET, POST, PUT and DELETE that no other mock takes. mockito gives a request
/// to the first matching mock that still expects hits, otherwise to the last matching one:
/// these expect none, so created after the others they take only what no other mock wants
/// (including the repeats of a mock whose hits are used up).
pub fn nothing_else(server: &mut ServerGuard) -> NothingElse {
    NothingElse(
        ["GET", "POST", "PUT", "DELETE"]
            .into_iter()
            .map(|method| {
                server
                    .mock(method, Matcher::Any)
                    .with_status(599)
                    .expect(0)
                    .create()
            })
            .collect(),
    )
}

/// Mocks of the Authy API that pin what every call sends: the application's API key in its
/// header (and nowhere else), the user agent, the content type of a JSON body (none on a
/// GET), and the exact query or body. The client's tests and the CLI's use the same ones.
pub mod authy {
    use mockito::{Matcher, Mock, ServerGuard};

    /// A mock of `METHOD path` with the key `key` in `X-Authy-API-Key`, no `api_key` header, the
    /// `AuthyRust/x.y.z (...)` user agent and the content type of the method.
    pub fn authed(server: &mut ServerGuard, key: &str, method: &str, path: &str) -> Mock {
        let mock = server
            .mock(method, path)
            .match_header("x-authy-api-key", key)
            .match_header(
                "user-agent",
                Matcher::Regex(r"^AuthyRust/\d+\.\d+\.\d+ \(".into()),
            )
            .match_header("api_key", Matcher::Missing);
        if method == "GET" {
            mock.match_header("content-type", Matcher::Missing)
        } else {
            mock.match_header("content-type", "application/json")
        }
    }

    /// A POST mock pinning the whole JSON body and the absence of a query.
    pub fn post(server: &mut ServerGuard, key: &str, path: &str, body: serde_json::Value) -> Mock {
        authed(server, key, "POST", path)
            .match_query(Matcher::Missing)
            .match_body(Matcher::Json(body))
    }

    /// A GET mock pinning the exact query string (`""` for none).
    pub fn get(server: &mut ServerGuard, key: &str, path: &str, query: &str) -> Mock {
        let query = if query.is_empty() {
            Matcher::Missing
        } else {
            Matcher::Exact(query.into())
        };
        authed(server, key, "GET", path).match_query(query)
    }

    /// Answers a mock once with `status` and a JSON `body`.
    pub fn reply(mock: Mock, status: usize, body: &str) -> Mock {
        mock.with_status(status)
            .with_header("content-type", "application/json")
            .with_body(body)
            .expect(1)
            .create()
    }
}
