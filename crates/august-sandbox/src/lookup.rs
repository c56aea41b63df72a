//! Lookup v2 on the sandbox (`GET /v2/PhoneNumbers/{number}`), routed and authenticated with
//! Verify (`crate::verify`): any E.164 number of 7 to 15 digits is valid, and with
//! `Fields=line_type_intelligence` its line type follows its last digit (0-6 `mobile`,
//! 7 `landline`, 8 `fixedVoip`, 9 `nonFixedVoip`).

use serde_json::{Value, json};

use crate::http::{Params, Req, Resp};
use crate::verify::{VerifyState, is_e164};

/// `GET /v2/PhoneNumbers/{number}`.
pub(crate) fn phone_number(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let number = p.get("number");
    let valid = is_e164(number);
    let fields = req.query("Fields").unwrap_or("");
    let line_type = match number.chars().last() {
        Some('7') => "landline",
        Some('8') => "fixedVoip",
        Some('9') => "nonFixedVoip",
        _ => "mobile",
    };
    let lti = if fields
        .split(',')
        .any(|f| f.trim() == "line_type_intelligence")
        && valid
    {
        json!({"error_code": null, "mobile_country_code": "001", "mobile_network_code": "01",
               "carrier_name": "Sandbox Carrier", "type": line_type})
    } else {
        Value::Null
    };
    let (country, calling) = country_of(number);
    Resp::json(
        200,
        &json!({
            "calling_country_code": if valid { Value::from(calling) } else { Value::Null },
            "country_code": if valid { Value::from(country) } else { Value::Null },
            "phone_number": number, "national_format": if valid { Value::from(number) } else { Value::Null },
            "valid": valid,
            "validation_errors": if valid { json!([]) } else { json!(["NOT_A_NUMBER"]) },
            "caller_name": null, "sim_swap": null, "call_forwarding": null, "line_status": null,
            "line_type_intelligence": lti, "identity_match": null, "reassigned_number": null,
            "sms_pumping_risk": null, "phone_number_quality_score": null, "pre_fill": null,
            "url": state.url(&format!("/v2/PhoneNumbers/{number}")),
        }),
    )
}

/// The ISO country and the calling code of an E.164 number, as the sandbox places it: `+1`
/// numbers are `US`, the others `ZZ` (unknown) without a calling code.
pub(crate) fn country_of(number: &str) -> (&'static str, &'static str) {
    if number.starts_with("+1") {
        ("US", "1")
    } else {
        ("ZZ", "")
    }
}
