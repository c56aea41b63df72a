//! Running the built `august` binary with a clean environment.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Every variable the tool reads; removed before each run so the caller's environment never
/// leaks in.
const VARIABLES: [&str; 28] = [
    "AUGUST_API_KEY",
    "AUGUST_BASE_URL",
    "AUGUST_PUBNUB_ORIGIN",
    "AUGUST_WEBSOCKET_URL",
    "AUGUST_BRAND",
    "AUGUST_CACHE_FILE",
    "AUGUST_USERNAME",
    "AUGUST_JSON",
    "AUGUST_SANDBOX",
    "AUGUST_PASSWORD",
    "AUGUST_LOGIN_METHOD",
    "AUGUST_OAUTH_CLIENT_ID",
    "AUGUST_OAUTH_CLIENT_SECRET",
    "AUGUST_OAUTH_REDIRECT_URI",
    "AUGUST_OAUTH_AUTHORIZE_URL",
    "AUGUST_OAUTH_TOKEN_URL",
    "AUTHY_API_URL",
    "AUTHY_API_KEY",
    "TWILIO_VERIFY_URL",
    "TWILIO_LOOKUP_URL",
    "TWILIO_API_KEY_SID",
    "TWILIO_API_KEY_SECRET",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_VERIFY_SERVICE_SID",
    "RUST_LOG",
    "RUST_BACKTRACE",
    "NO_COLOR",
];

/// The outcome of one run.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// `mock` answering `status` with an HTML page (a gateway's), as a command's request that
/// changes something gets it in the tests of exit code 5; the request's count is the caller's.
pub fn html_answer(mock: mockito::Mock, status: usize) -> mockito::Mock {
    mock.with_status(status)
        .with_header("content-type", "text/html")
        .with_body("<html>answer</html>")
}

impl Run {
    /// For a request that changes something and failed: with exit code 5 (outcome unknown),
    /// nothing on standard output and the error starting with `advice`; with another code,
    /// without it.
    pub fn assert_advice(&self, code: i32, advice: &str) {
        assert_eq!(self.stdout, "", "{self:#?}");
        if code == 5 {
            assert!(
                self.stderr.starts_with(&format!("error: {advice}: ")),
                "{self:#?}"
            );
        } else {
            assert!(!self.stderr.contains(advice), "{self:#?}");
        }
    }

    /// Standard output as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }

    /// Panics with the whole run if it printed any of `secrets` (on either stream).
    pub fn assert_prints_none(&self, secrets: &[&str]) {
        for secret in secrets {
            assert!(
                !self.stdout.contains(secret) && !self.stderr.contains(secret),
                "a secret was printed: {self:#?}"
            );
        }
    }

    /// Panics with the whole run unless the exit code is `code`.
    pub fn expect_code(self, code: i32) -> Run {
        assert_eq!(self.code, code, "unexpected exit code: {self:#?}");
        self
    }
}

/// A home directory of its own and a command builder.
pub struct Tool {
    pub home: tempfile::TempDir,
}

impl Tool {
    pub fn new() -> Tool {
        Tool {
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// A cache file path inside the temporary home.
    pub fn cache(&self) -> PathBuf {
        self.home.path().join("auth.json")
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Makes the cache file unusable (`not json`) with its first kept-aside name, `.corrupt`,
    /// already taken, so that the next login keeps it aside as `.corrupt.1`. Returns the cache
    /// file's path as text.
    pub fn unusable_cache_with_corrupt_taken(&self) -> String {
        let cache = self.cache().display().to_string();
        std::fs::write(format!("{cache}.corrupt"), "kept before").unwrap();
        std::fs::write(self.cache(), "not json").unwrap();
        cache
    }

    /// Asserts that the file [`Tool::unusable_cache_with_corrupt_taken`] made was kept aside
    /// as `.corrupt.1`, and that `.corrupt` was left as it was.
    pub fn assert_kept_aside_as_corrupt_1(&self) {
        let cache = self.cache().display().to_string();
        assert_eq!(
            std::fs::read_to_string(format!("{cache}.corrupt.1")).unwrap(),
            "not json"
        );
        assert_eq!(
            std::fs::read_to_string(format!("{cache}.corrupt")).unwrap(),
            "kept before"
        );
    }

    /// Runs `august` against the August API at `base_url` with this tool's cache file
    /// (`AUGUST_BASE_URL`, `AUGUST_CACHE_FILE`), and these arguments and other variables.
    pub fn run_at(&self, base_url: &str, args: &[&str], vars: &[(&str, &str)]) -> Run {
        let cache = self.cache();
        let mut all = vec![
            ("AUGUST_BASE_URL", base_url),
            ("AUGUST_CACHE_FILE", cache.to_str().unwrap()),
        ];
        all.extend_from_slice(vars);
        self.run(args, &all)
    }

    /// The `august` command with these arguments and variables, the environment cleaned and
    /// the home directory this tool's.
    pub fn command(&self, args: &[&str], vars: &[(&str, &str)]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_august"));
        for v in VARIABLES {
            command.env_remove(v);
        }
        command
            .env("HOME", self.home.path())
            .env("XDG_DATA_HOME", self.home.path().join("data"))
            .args(args);
        for (k, v) in vars {
            command.env(k, v);
        }
        command
    }

    /// Runs `august` with these arguments and variables (and nothing on standard input).
    pub fn run(&self, args: &[&str], vars: &[(&str, &str)]) -> Run {
        let output = self.command(args, vars).output().unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}
