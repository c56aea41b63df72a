//! The Authy flow: create a user, request an SMS, verify the token, verify a phone number, send
//! a OneTouch request and read its status.
//!
//! ```console
//! $ cargo run --example authy --features authy
//! ```
//!
//! Without settings it runs against the embedded sandbox (a local emulator on 127.0.0.1), which
//! hands over the tokens it "sends". To use the real service set `AUTHY_API_KEY`,
//! `AUTHY_EMAIL`, `AUTHY_CELLPHONE` and `AUTHY_COUNTRY_CODE`; the example then asks for the
//! tokens on standard input.

use anyhow::{Context, Result};
use august::authy::{self, AuthyApiClient};

use august_sandbox::Sandbox;

#[path = "common/authy_flow.rs"]
mod authy_flow;
#[path = "common/prompt.rs"]
mod prompt;

fn main() -> Result<()> {
    if let Ok(key) = std::env::var("AUTHY_API_KEY") {
        let email = std::env::var("AUTHY_EMAIL").context("set AUTHY_EMAIL")?;
        let cellphone = std::env::var("AUTHY_CELLPHONE").context("set AUTHY_CELLPHONE")?;
        let country_code = std::env::var("AUTHY_COUNTRY_CODE")
            .unwrap_or_else(|_| "1".into())
            .parse()
            .context("AUTHY_COUNTRY_CODE must be a number")?;
        let authy_api = AuthyApiClient::new(key);
        return authy_flow::run(
            &authy_api,
            &authy_flow::AuthyInputs {
                email: &email,
                cellphone: &cellphone,
                country_code,
                sms_token: &|_| prompt::line("Token from the SMS: "),
                verification_code: &|| prompt::line("Verification code: "),
                answer_onetouch: &|_| {
                    prompt::line("Approve the request in the app, then press Enter").map(drop)
                },
            },
        );
    }
    let sandbox = Sandbox::start()?;
    println!("Using the embedded sandbox at {}\n", sandbox.authy_url());
    authy_flow::run_on_sandbox(&sandbox)
}
