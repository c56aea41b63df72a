//! Brands: which host, API key and headers a client uses (spec sections 1 and 2, as data).

use std::fmt;
use std::str::FromStr;

/// The brand of the app an account belongs to. It decides the host, the API key and the header
/// names. Defaults to [`Brand::August`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Brand {
    /// August (`august`), the default.
    #[default]
    August,
    /// Yale Access (`yale_access`).
    YaleAccess,
    /// Yale Home (`yale_home`): retired. Its built-in key is refused by the server and Yale
    /// Home accounts now sign in through [`Brand::YaleGlobal`] (OAuth). Parsing `yale_home`
    /// fails with [`UnknownBrand::is_retired`]; an [`Api`](crate::Api) for it builds only with
    /// a key you pass ([`ApiBuilder::api_key`](crate::ApiBuilder::api_key)).
    #[deprecated(note = "Yale Home accounts sign in through `Brand::YaleGlobal` (OAuth)")]
    YaleHome,
    /// Yale Global (`yale_global`); needs an OAuth token, no password login.
    YaleGlobal,
    /// Yale August (`yale_august`); needs an OAuth token, no password login.
    YaleAugust,
}

/// The fixed settings of a brand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrandConfig {
    /// Identifier (`august`, `yale_home`, ...).
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// API base URL.
    pub base_url: &'static str,
    /// Header that carries the API key.
    pub api_key_header: &'static str,
    /// The API key.
    pub api_key: &'static str,
    /// Header that carries the branding value.
    pub branding_header: &'static str,
    /// Branding value.
    pub branding: &'static str,
    /// Header that carries the access token.
    pub access_token_header: &'static str,
    /// Whether the brand only accepts OAuth tokens (no password and code login).
    pub requires_oauth: bool,
    /// Whether the brand has alarms.
    pub supports_alarms: bool,
    /// The account-settings site.
    pub config_url: &'static str,
    /// The OAuth authorization server, for brands that sign in with OAuth.
    pub oauth: Option<OAuthEndpoints>,
    /// How the brand pushes live events.
    pub push: PushKind,
    /// Whether the brand is retired (its built-in key is refused).
    pub retired: bool,
}

/// The OAuth authorization server of a brand (spec section 1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OAuthEndpoints {
    /// Where the user's browser is sent to approve access.
    pub authorize_url: &'static str,
    /// Where codes and refresh tokens are exchanged for tokens (`POST`, form-encoded).
    pub token_url: &'static str,
}

/// How a brand pushes live events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PushKind {
    /// PubNub long-poll subscribe with this subscribe key.
    PubNub {
        /// The PubNub subscribe key.
        subscribe_key: &'static str,
    },
    /// Socket.IO over a websocket at this URL.
    SocketIo {
        /// The Socket.IO server.
        url: &'static str,
    },
}

/// `Accept-Version` of the v4 activity feed (`GET /houses/{id}/activities` wrapped in
/// `events`); the other calls use [`ACCEPT_VERSION`](crate::ACCEPT_VERSION).
pub const ACCEPT_VERSION_V4: &str = "4.0.0";
/// Header that carries the access token for the `x-august-*` brands.
pub const AUGUST_ACCESS_TOKEN_HEADER: &str = "x-august-access-token";
/// Header that carries the access token for the `x-*` (Yale Global) brands.
pub const YALE_ACCESS_TOKEN_HEADER: &str = "x-access-token";

const PUBNUB_SUBSCRIBE_KEY: &str = "sub-c-1030e062-0ebe-11e5-a5c2-0619f8945a4f";
const AUGUST_OAUTH: OAuthEndpoints = OAuthEndpoints {
    authorize_url: "https://auth.august.com/authorization",
    token_url: "https://auth.august.com/access_token",
};
const YALE_OAUTH: OAuthEndpoints = OAuthEndpoints {
    authorize_url: "https://oauth.aaecosystem.com/authorize",
    token_url: "https://oauth.aaecosystem.com/access_token",
};

const AUGUST_HOST: &str = "https://api-production.august.com";
const AAECOSYSTEM_HOST: &str = "https://api.aaecosystem.com";

impl Brand {
    /// Every brand, the retired `yale_home` included.
    #[allow(deprecated)]
    pub const ALL: [Brand; 5] = [
        Brand::August,
        Brand::YaleAccess,
        Brand::YaleHome,
        Brand::YaleGlobal,
        Brand::YaleAugust,
    ];

    /// The brands a new program can use today (every brand but the retired `yale_home`).
    pub const CURRENT: [Brand; 4] = [
        Brand::August,
        Brand::YaleAccess,
        Brand::YaleGlobal,
        Brand::YaleAugust,
    ];

    /// The brand's settings.
    #[allow(deprecated)]
    pub fn config(self) -> BrandConfig {
        let august = |id, name, api_key, branding, requires_oauth| BrandConfig {
            id,
            name,
            base_url: AUGUST_HOST,
            api_key_header: "x-august-api-key",
            api_key,
            branding_header: "x-august-branding",
            branding,
            access_token_header: AUGUST_ACCESS_TOKEN_HEADER,
            requires_oauth,
            supports_alarms: false,
            config_url: "https://account.august.com",
            oauth: requires_oauth.then_some(AUGUST_OAUTH),
            push: PushKind::PubNub {
                subscribe_key: PUBNUB_SUBSCRIBE_KEY,
            },
            retired: false,
        };
        let yale = |id, name, api_key, requires_oauth| BrandConfig {
            id,
            name,
            base_url: AAECOSYSTEM_HOST,
            api_key_header: "x-api-key",
            api_key,
            branding_header: "x-branding",
            branding: "yale",
            access_token_header: YALE_ACCESS_TOKEN_HEADER,
            requires_oauth,
            supports_alarms: true,
            config_url: "https://account.aaecosystem.com",
            oauth: requires_oauth.then_some(YALE_OAUTH),
            push: PushKind::SocketIo {
                url: "https://websocket.aaecosystem.com/",
            },
            retired: !requires_oauth,
        };
        match self {
            Brand::August => august(
                "august",
                "August",
                "d9984f29-07a6-816e-e1c9-44ec9d1be431",
                "august",
                false,
            ),
            Brand::YaleAccess => august(
                "yale_access",
                "Yale Access",
                "d9984f29-07a6-816e-e1c9-44ec9d1be431",
                "yale",
                false,
            ),
            Brand::YaleHome => yale(
                "yale_home",
                "Yale Home",
                "6e2a2093-6118-42c5-8a41-e1fd25dce7a1",
                false,
            ),
            Brand::YaleGlobal => yale(
                "yale_global",
                "Yale Global",
                "d16a1029-d823-4b55-a4ce-a769a9b56f0e",
                true,
            ),
            Brand::YaleAugust => august(
                "yale_august",
                "Yale August",
                "66814fd9-af2c-426c-9710-b37e7eadfb51",
                "august",
                true,
            ),
        }
    }

    /// The brand's identifier (`august`, `yale_access`, `yale_home`, `yale_global`,
    /// `yale_august`).
    pub fn as_str(self) -> &'static str {
        self.config().id
    }

    /// Whether accounts of this brand sign in only with OAuth (no password login).
    pub fn requires_oauth(self) -> bool {
        self.config().requires_oauth
    }
}

impl fmt::Display for Brand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown or retired brand identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownBrand(pub String);

impl UnknownBrand {
    /// Whether the identifier names a retired brand (`yale_home`), whose accounts now sign in
    /// through [`UnknownBrand::replacement`].
    pub fn is_retired(&self) -> bool {
        self.0.trim().eq_ignore_ascii_case("yale_home")
    }

    /// The brand that replaced a retired one (`yale_global` for `yale_home`).
    pub fn replacement(&self) -> Option<Brand> {
        self.is_retired().then_some(Brand::YaleGlobal)
    }
}

impl fmt::Display for UnknownBrand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_retired() {
            return f.write_str(
                "brand `yale_home` is retired (the server refuses its key): Yale Home accounts sign in with brand `yale_global` through OAuth",
            );
        }
        write!(
            f,
            "unknown brand `{}`: expected august, yale_access, yale_global or yale_august",
            self.0
        )
    }
}

impl UnknownBrand {
    /// What the caller does next: always [`ErrorKind::FixInput`](crate::ErrorKind) (name
    /// another brand; a retired one says which).
    pub fn kind(&self) -> crate::ErrorKind {
        crate::ErrorKind::FixInput
    }
}

impl crate::HasErrorKind for UnknownBrand {
    fn kind(&self) -> crate::ErrorKind {
        UnknownBrand::kind(self)
    }
}

impl std::error::Error for UnknownBrand {}

/// Serialised as its identifier (`yale_global`).
impl serde::Serialize for Brand {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl FromStr for Brand {
    type Err = UnknownBrand;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Brand::CURRENT
            .into_iter()
            .find(|b| b.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownBrand(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(deprecated)]
    fn brand_table_matches_the_spec() {
        let yh = Brand::YaleHome.config();
        assert!(yh.retired);
        assert_eq!(yh.base_url, "https://api.aaecosystem.com");
        assert_eq!(yh.api_key_header, "x-api-key");
        assert_eq!(yh.access_token_header, "x-access-token");
        assert!(yh.supports_alarms);
        assert!(Brand::YaleGlobal.config().requires_oauth);
        assert!(Brand::YaleAugust.config().requires_oauth);
        assert!(!Brand::August.config().requires_oauth);
        assert_eq!(Brand::YaleAccess.config().branding, "yale");
        for b in Brand::CURRENT {
            assert_eq!(b.as_str().parse::<Brand>().unwrap(), b);
            assert!(!b.config().retired);
        }
        assert!("yale".parse::<Brand>().is_err());
    }

    #[test]
    fn oauth_endpoints_and_push_per_brand() {
        let global = Brand::YaleGlobal.config();
        assert_eq!(
            global.oauth,
            Some(OAuthEndpoints {
                authorize_url: "https://oauth.aaecosystem.com/authorize",
                token_url: "https://oauth.aaecosystem.com/access_token",
            })
        );
        assert_eq!(
            global.push,
            PushKind::SocketIo {
                url: "https://websocket.aaecosystem.com/"
            }
        );
        let august = Brand::YaleAugust.config();
        assert_eq!(
            august.oauth.map(|o| o.authorize_url),
            Some("https://auth.august.com/authorization")
        );
        assert_eq!(
            august.oauth.map(|o| o.token_url),
            Some("https://auth.august.com/access_token")
        );
        for b in [Brand::August, Brand::YaleAccess, Brand::YaleAugust] {
            assert_eq!(
                b.config().push,
                PushKind::PubNub {
                    subscribe_key: "sub-c-1030e062-0ebe-11e5-a5c2-0619f8945a4f"
                }
            );
        }
        assert_eq!(Brand::August.config().oauth, None);
        assert_eq!(Brand::YaleAccess.config().oauth, None);
        assert_eq!(
            Brand::YaleAugust.config().access_token_header,
            "x-august-access-token"
        );
        assert_eq!(global.access_token_header, "x-access-token");
    }

    #[test]
    fn yale_home_is_retired_with_an_error_naming_yale_global() {
        let e = "yale_home".parse::<Brand>().unwrap_err();
        assert!(e.is_retired());
        assert_eq!(e.replacement(), Some(Brand::YaleGlobal));
        assert!(e.to_string().contains("yale_global"), "{e}");
        let other = "yale".parse::<Brand>().unwrap_err();
        assert!(!other.is_retired());
        assert_eq!(other.replacement(), None);
    }
}
