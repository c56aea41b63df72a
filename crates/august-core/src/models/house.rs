//! Houses.

use serde::de::Error as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::de::non_empty_string_at;

/// A house (a place with locks and doorbells): a minimal model of the objects returned by
/// `GET /houses/{house_id}` and `GET /users/houses/mine`.
///
/// The shape of those responses has not been recorded, so only the id and name are read
/// (`HouseID`, else `houseID`, else `_id`; `HouseName`, else `houseName`, else `name`) and the
/// whole object is kept in [`raw`](Self::raw).
///
/// ```
/// # fn main() -> Result<(), serde_json::Error> {
/// let house: august_core::House =
///     serde_json::from_str(r#"{"HouseID": "H1", "HouseName": "Home", "timeZone": "UTC"}"#)?;
/// assert_eq!(house.house_id(), "H1");
/// assert_eq!(house.name(), Some("Home"));
/// assert_eq!(house.raw()["timeZone"], "UTC");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Value")]
pub struct House {
    house_id: String,
    name: Option<String>,
    raw: Value,
}

impl House {
    /// The house's id.
    pub fn house_id(&self) -> &str {
        &self.house_id
    }

    /// The house's name.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The whole object as sent.
    pub fn raw(&self) -> &Value {
        &self.raw
    }
}

impl TryFrom<Value> for House {
    type Error = serde_json::Error;

    /// Reads a house from its JSON object.
    fn try_from(raw: Value) -> Result<Self, serde_json::Error> {
        if !raw.is_object() {
            return Err(serde_json::Error::custom("expected a house object"));
        }
        let house_id = ["HouseID", "houseID", "_id"]
            .iter()
            .find_map(|key| non_empty_string_at(&raw, key))
            .ok_or_else(|| serde_json::Error::missing_field("HouseID"))?;
        let name = ["HouseName", "houseName", "name"]
            .iter()
            .find_map(|key| non_empty_string_at(&raw, key));
        Ok(House {
            house_id,
            name,
            raw,
        })
    }
}
