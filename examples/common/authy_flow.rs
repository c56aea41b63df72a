//! The Authy flow shared by the `quickstart` and `authy` examples: the calling example says
//! where `authy` comes from (`august::authy` or the `authy_client` crate; the same API).

use anyhow::{Context, Result};

use august_sandbox::Sandbox;

use super::authy::{ApprovalRequest, AuthyApiClient, AuthyId, Via};

/// Who the flow registers, and how it reads what the user receives.
pub struct AuthyInputs<'a> {
    pub email: &'a str,
    pub cellphone: &'a str,
    pub country_code: u16,
    /// The token the user received by SMS.
    pub sms_token: &'a dyn Fn(AuthyId) -> Result<String>,
    /// The code the phone verification sent.
    pub verification_code: &'a dyn Fn() -> Result<String>,
    /// Lets the user answer the OneTouch request (approve in the app).
    pub answer_onetouch: &'a dyn Fn(&str) -> Result<()>,
}

pub fn run(authy_api: &AuthyApiClient, inputs: &AuthyInputs<'_>) -> Result<()> {
    println!("A1. Create the Authy user {}", inputs.email);
    let user = authy_api
        .users()
        .create(inputs.email, inputs.cellphone, inputs.country_code)
        .context("users.create")?;
    let authy_id = user.id();
    println!("    authy id {authy_id}");

    println!("A2. Request an SMS token");
    let sms = authy_api.users().request_sms(authy_id)?;
    println!("    ignored (user has the app): {}", sms.ignored());

    println!("A3. Verify the token");
    let token = (inputs.sms_token)(authy_id)?;
    authy_api.tokens().verify(authy_id, &token)?;
    println!("    token {} is valid", "*".repeat(token.len()));

    println!("A4. Phone verification of {}", inputs.cellphone);
    let started =
        authy_api
            .phones()
            .verification_start(inputs.cellphone, inputs.country_code, Via::Sms)?;
    println!("    {}", started.message().unwrap_or("started"));
    let code = (inputs.verification_code)()?;
    authy_api
        .phones()
        .verification_check(inputs.cellphone, inputs.country_code, &code)?;
    println!("    verified");

    println!("A5. OneTouch approval request");
    let request = ApprovalRequest::new("Log in to the demo")
        .seconds_to_expire(120)
        .detail("Location", "Demo House");
    let created = authy_api.one_touch().send_request(authy_id, &request)?;
    let uuid = created.uuid().to_owned();
    println!("    request {uuid}");
    (inputs.answer_onetouch)(&uuid)?;
    let status = authy_api.one_touch().get_approval_status(&uuid)?;
    println!("    status: {:?}", status.status());
    Ok(())
}

/// The flow against a sandbox, reading what it "sends" from its handle.
pub fn run_on_sandbox(sandbox: &Sandbox) -> Result<()> {
    let authy_api = AuthyApiClient::builder(sandbox.authy_api_key())
        .base_url(sandbox.authy_url())
        .build()?;
    run(
        &authy_api,
        &AuthyInputs {
            email: "new.user@example.com",
            cellphone: "555-555-0142",
            country_code: 1,
            sms_token: &|id| {
                sandbox
                    .authy_token(id.get())
                    .context("the sandbox sent no token")
            },
            verification_code: &|| {
                sandbox
                    .authy_phone_verification_code("1", "555-555-0142")
                    .context("the sandbox sent no code")
            },
            answer_onetouch: &|uuid| {
                sandbox.approve_onetouch(uuid)?;
                println!("    (approved in the sandbox)");
                Ok(())
            },
        },
    )
}
