//! Phone verification and intelligence: `/protected/json/phones/...`.

use crate::client::{AuthyApiClient, Call, protected};
use crate::error::{Hints, Result};
use crate::models::{Confirmation, PhoneInfo, PhoneVerification};
use crate::options::{VerificationStartOptions, Via};
use crate::types::{check_country_code, check_text, check_verification_code};

/// The longest phone number accepted before sending.
const MAX_PHONE_SIZE: usize = 64;

/// Phone calls, reached with [`AuthyApiClient::phones`] (py: `authy_api.phones`).
#[derive(Debug, Clone, Copy)]
pub struct Phones<'a> {
    client: &'a AuthyApiClient,
}

impl<'a> Phones<'a> {
    pub(crate) fn new(client: &'a AuthyApiClient) -> Self {
        Phones { client }
    }

    /// Sends a verification code to a phone number by SMS or call, 4 digits, in English (py:
    /// `phones.verification_start(phone_number, country_code, via)`;
    /// `POST /protected/json/phones/verification/start`).
    ///
    /// ```
    /// use authy_client::Via;
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let started = authy_api.phones().verification_start("555-555-0123", 1, Via::Sms)?;
    /// println!("{:?}, expires in {:?} s", started.message(), started.seconds_to_expire());
    /// assert!(sandbox.authy_phone_verification_code("1", "555-555-0123").is_some());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for an empty phone number or a
    /// country code outside 1..=999. [`Error::Api`](crate::Error::Api) with
    /// [`ApiErrorReason::PhoneInvalid`](crate::ApiErrorReason::PhoneInvalid),
    /// [`ApiErrorReason::InvalidParameter`](crate::ApiErrorReason::InvalidParameter),
    /// [`ApiErrorReason::Landline`](crate::ApiErrorReason::Landline), ...; transport errors. Never
    /// retried.
    pub fn verification_start(
        &self,
        phone_number: &str,
        country_code: u16,
        via: Via,
    ) -> Result<PhoneVerification> {
        self.verification_start_with(
            phone_number,
            country_code,
            &VerificationStartOptions::new().via(via),
        )
    }

    /// [`verification_start`](Self::verification_start) with `via`, `locale` and
    /// `code_length` (py: `phones.verification_start(phone_number, country_code, via, locale,
    /// code_length)`).
    ///
    /// ```
    /// use authy_client::{VerificationStartOptions, Via};
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let options = VerificationStartOptions::new().via(Via::Call).locale("es").code_length(6);
    /// authy_api.phones().verification_start_with("555-555-0123", 1, &options)?;
    /// let code = sandbox.authy_phone_verification_code("1", "555-555-0123").ok_or("no code")?;
    /// assert_eq!(code.len(), 6);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`verification_start`](Self::verification_start), plus
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for a code length outside 4..=10
    /// ([`InvalidInput::CodeLength`](crate::InvalidInput::CodeLength)) or an empty or
    /// over-long locale.
    pub fn verification_start_with(
        &self,
        phone_number: &str,
        country_code: u16,
        options: &VerificationStartOptions,
    ) -> Result<PhoneVerification> {
        check_text("phone number", phone_number, MAX_PHONE_SIZE)?;
        check_country_code(country_code)?;
        options.validate()?;
        self.client.send_json(Call::post(
            protected("phones/verification/start"),
            options.body(phone_number, country_code),
            // No code is sent yet: a bare 401 or 404 reads as for any other call.
            Hints::GENERIC,
        ))
    }

    /// Checks the code the user received (py: `phones.verification_check(phone_number,
    /// country_code, verification_code)`; `GET /protected/json/phones/verification/check`).
    /// `Ok` means the code is correct.
    ///
    /// ```
    /// use authy_client::{ApiErrorReason, Via};
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// authy_api.phones().verification_start("555-555-0123", 1, Via::Sms)?;
    /// let code = sandbox.authy_phone_verification_code("1", "555-555-0123").ok_or("no code")?;
    /// match authy_api.phones().verification_check("555-555-0123", 1, &code) {
    ///     Ok(_) => println!("phone verified"),
    ///     Err(e) if e.reason() == Some(ApiErrorReason::VerificationIncorrect) => println!("wrong code: ask again"),
    ///     Err(e) => return Err(e.into()),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for an empty phone number, a
    /// country code outside 1..=999 or a code that is not 4 to 10 digits.
    /// [`Error::Api`](crate::Error::Api) with
    /// [`ApiErrorReason::VerificationIncorrect`](crate::ApiErrorReason::VerificationIncorrect),
    /// [`ApiErrorReason::NoPendingVerification`](crate::ApiErrorReason::NoPendingVerification),
    /// [`ApiErrorReason::PhoneInvalid`](crate::ApiErrorReason::PhoneInvalid); transport errors. Never
    /// retried (the code may be consumed).
    pub fn verification_check(
        &self,
        phone_number: &str,
        country_code: u16,
        verification_code: &str,
    ) -> Result<Confirmation> {
        check_text("phone number", phone_number, MAX_PHONE_SIZE)?;
        check_country_code(country_code)?;
        check_verification_code(verification_code)?;
        self.client.send_json(
            Call::act(protected("phones/verification/check"), Hints::VERIFICATION)
                .query(vec![
                    ("phone_number", phone_number.to_owned()),
                    ("country_code", country_code.to_string()),
                    ("verification_code", verification_code.to_owned()),
                ])
                .secret(verification_code),
        )
    }

    /// What kind of line a number is, its provider, whether it was ported (py:
    /// `phones.info(phone_number, country_code)`; `GET /protected/json/phones/info`).
    ///
    /// ```
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let info = authy_api.phones().info("555-555-0100", 1)?;
    /// println!("{} by {:?}, ported: {:?}", info.phone_type(), info.provider(), info.ported());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for an empty phone number or a
    /// country code outside 1..=999. [`Error::Api`](crate::Error::Api) with
    /// [`ApiErrorReason::PhoneInfoUnavailable`](crate::ApiErrorReason::PhoneInfoUnavailable),
    /// [`ApiErrorReason::PhoneInvalid`](crate::ApiErrorReason::PhoneInvalid); transport and decode
    /// errors. Retried as a read.
    pub fn info(&self, phone_number: &str, country_code: u16) -> Result<PhoneInfo> {
        check_text("phone number", phone_number, MAX_PHONE_SIZE)?;
        check_country_code(country_code)?;
        self.client.send_json(
            Call::read(protected("phones/info"), Hints::GENERIC).query(vec![
                ("phone_number", phone_number.to_owned()),
                ("country_code", country_code.to_string()),
            ]),
        )
    }
}
