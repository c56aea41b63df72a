//! Access tokens imported from elsewhere: a Home Assistant config entry, or a plain token.
//!
//! Home Assistant keeps its config entries in `<config>/.storage/core.config_entries`. For the
//! OAuth integrations (`august`, `yale`) an entry's `data` is
//! `{"auth_implementation": ..., "token": {"access_token", "refresh_token", "expires_in",
//! "expires_at", ...}}`. [`ImportedToken::from_home_assistant`] accepts the whole file, one
//! entry, an entry's `data`, or the `token` object alone.
//!
//! An imported token is never refreshed: the client credentials are Home Assistant's (or its
//! cloud's), and refreshing on its behalf could break its installation if refresh tokens
//! rotate. It is used until it expires.

use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use august_core::Brand;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::cache::{no_wait, printable_path};
use crate::oauth::{OAuthTokens, epoch_seconds};

/// Larger files are not Home Assistant config-entry files.
const MAX_HA_FILE: u64 = 16 * 1024 * 1024;

/// Where an imported token came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportOrigin {
    /// A Home Assistant config entry.
    HomeAssistant {
        /// The entry's `domain` (`august`, `yale`), when the entry was given.
        domain: Option<String>,
        /// The entry's `auth_implementation` (`cloud`, or the domain for local credentials).
        auth_implementation: Option<String>,
    },
    /// A token given as is.
    Plain,
}

/// An access token from another program, with what is known of it. `Debug` shows no token.
#[derive(Clone, PartialEq, Eq)]
pub struct ImportedToken {
    pub(crate) brand: Brand,
    /// The access token, its refresh token and expiry.
    pub(crate) tokens: OAuthTokens,
    pub(crate) origin: ImportOrigin,
}

impl fmt::Debug for ImportedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("ImportedToken");
        out.field("brand", &self.brand);
        self.tokens.redacted_fields(&mut out);
        out.field("origin", &self.origin).finish()
    }
}

impl ImportedToken {
    /// A token you hold, for `brand`, with its refresh token and expiry if you know them.
    ///
    /// ```
    /// use august_auth::ImportedToken;
    /// use august_core::Brand;
    ///
    /// let token = ImportedToken::from_access_token(Brand::YaleGlobal, "eyJ...", None, None).unwrap();
    /// assert_eq!(token.brand(), Brand::YaleGlobal);
    /// assert_eq!(token.expires_at(), None);
    /// ```
    ///
    /// # Errors
    ///
    /// [`ImportError::Missing`] for an empty token, [`ImportError::Expired`] when `expires_at`
    /// has passed.
    pub fn from_access_token(
        brand: Brand,
        access_token: impl Into<String>,
        refresh_token: Option<String>,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<ImportedToken, ImportError> {
        let access_token = access_token.into().trim().to_owned();
        if access_token.is_empty() {
            return Err(ImportError::Missing {
                field: "access_token",
            });
        }
        check_not_expired(expires_at, "get a new token where this one came from")?;
        Ok(ImportedToken {
            brand,
            tokens: OAuthTokens::new(access_token, refresh_token, expires_at),
            origin: ImportOrigin::Plain,
        })
    }

    /// Reads a Home Assistant config entry from JSON: the whole `core.config_entries` file
    /// (the `august` or `yale` entry is picked), one entry, an entry's `data`, or its `token`.
    ///
    /// The brand: domain `august` → `yale_august`, `yale` → `yale_global`; for `data` alone,
    /// the token's `service` (`august` or `yale`, added by Home Assistant Cloud) says it; for
    /// a `token` object alone, `brand` must be given. A given `brand` also picks the entry when
    /// the file has both; of two entries of one brand, pass the one to import alone. Expiry:
    /// `expires_at`; without it the expiry is unknown (a 401 then says the token expired).
    ///
    /// ```
    /// use august_auth::ImportedToken;
    /// use august_core::Brand;
    ///
    /// let entry = br#"{"domain": "yale", "data": {"auth_implementation": "cloud",
    ///     "token": {"access_token": "a.b.c", "refresh_token": "r", "expires_in": 3600}}}"#;
    /// let token = ImportedToken::from_home_assistant(entry, None).unwrap();
    /// assert_eq!(token.brand(), Brand::YaleGlobal);
    /// ```
    ///
    /// # Errors
    ///
    /// [`ImportError::NotJson`], [`ImportError::NoEntry`] (no August/Yale entry),
    /// [`ImportError::SeveralEntries`], [`ImportError::PreOAuthEntry`],
    /// [`ImportError::Missing`] / [`ImportError::Invalid`] for a field,
    /// [`ImportError::BrandNeeded`], [`ImportError::Expired`].
    pub fn from_home_assistant(
        json: &[u8],
        brand: Option<Brand>,
    ) -> Result<ImportedToken, ImportError> {
        let value: Value = serde_json::from_slice(json).map_err(|e| ImportError::NotJson {
            reason: format!(
                "line {} column {}: {:?} error",
                e.line(),
                e.column(),
                e.classify()
            )
            .to_lowercase(),
        })?;
        let Value::Object(root) = value else {
            return Err(ImportError::Invalid {
                field: ".",
                reason: "not a JSON object".into(),
            });
        };
        let (domain, data) = if let Some(entries) = root
            .get("data")
            .and_then(|d| d.get("entries"))
            .and_then(Value::as_array)
        {
            pick_entry(entries, brand)?
        } else if root.contains_key("domain") {
            entry_parts(&root)?
        } else {
            (None, &root)
        };
        let (auth_implementation, token) = if data.contains_key("access_token") {
            (None, data)
        } else {
            let auth = data
                .get("auth_implementation")
                .and_then(Value::as_str)
                .map(str::to_owned);
            match data.get("token") {
                Some(Value::Object(token)) => (auth, token),
                Some(_) => {
                    return Err(ImportError::Invalid {
                        field: "token",
                        reason: "not a JSON object".into(),
                    });
                }
                None if auth.is_none()
                    && (data.contains_key("access_token_cache_file")
                        || data.contains_key("login_method")) =>
                {
                    return Err(ImportError::PreOAuthEntry);
                }
                None => return Err(ImportError::Missing { field: "token" }),
            }
        };
        let access_token = match token.get("access_token") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
            Some(Value::String(_)) | None => {
                return Err(ImportError::Missing {
                    field: "token.access_token",
                });
            }
            Some(_) => {
                return Err(ImportError::Invalid {
                    field: "token.access_token",
                    reason: "not a string".into(),
                });
            }
        };
        let refresh_token = match token.get("refresh_token") {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            Some(Value::String(_) | Value::Null) | None => None,
            Some(_) => {
                return Err(ImportError::Invalid {
                    field: "token.refresh_token",
                    reason: "not a string".into(),
                });
            }
        };
        let expires_at = match token.get("expires_at") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => Some(n.as_f64().and_then(epoch_seconds).ok_or_else(
                || ImportError::Invalid {
                    field: "token.expires_at",
                    reason: "not a time in seconds since 1970".into(),
                },
            )?),
            Some(_) => {
                return Err(ImportError::Invalid {
                    field: "token.expires_at",
                    reason: "not a number of seconds".into(),
                });
            }
        };
        let service = token.get("service").and_then(Value::as_str);
        let from_domain = domain
            .as_deref()
            .or(service)
            .map(|d| brand_of_domain(d).ok_or_else(|| ImportError::UnknownDomain(d.to_owned())))
            .transpose()?;
        let brand = match (brand, from_domain) {
            (Some(given), Some(found)) if given != found => {
                return Err(ImportError::BrandMismatch { given, found });
            }
            (Some(b), _) | (None, Some(b)) => b,
            (None, None) => return Err(ImportError::BrandNeeded),
        };
        check_not_expired(expires_at, "re-import it from Home Assistant")?;
        Ok(ImportedToken {
            brand,
            tokens: OAuthTokens::new(access_token, refresh_token, expires_at),
            origin: ImportOrigin::HomeAssistant {
                domain,
                auth_implementation,
            },
        })
    }

    /// Reads a Home Assistant config-entry file (usually
    /// `<config>/.storage/core.config_entries`), as [`ImportedToken::from_home_assistant`].
    ///
    /// ```
    /// use august_auth::ImportedToken;
    /// use august_core::Brand;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = august_sandbox::Sandbox::start()?;
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("core.config_entries");
    /// # std::fs::write(&path, sandbox.home_assistant_config_entries("yale_august"))?;
    /// let token = ImportedToken::from_home_assistant_file(&path, None)?;
    /// assert_eq!(token.brand(), Brand::YaleAugust);
    /// assert!(token.expires_at().is_some());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ImportError::Read`] when the file cannot be read, and for anything but a regular file
    /// (a FIFO is not waited on; a link is followed to what it names) and a file over 16 MiB;
    /// and those of [`ImportedToken::from_home_assistant`].
    pub fn from_home_assistant_file(
        path: impl AsRef<Path>,
        brand: Option<Brand>,
    ) -> Result<ImportedToken, ImportError> {
        let path = path.as_ref();
        let bytes = read_capped(path).map_err(|source| ImportError::Read {
            path: path.to_owned(),
            source,
        })?;
        ImportedToken::from_home_assistant(&bytes, brand)
    }

    /// The brand the token is for.
    pub fn brand(&self) -> Brand {
        self.brand
    }

    /// The access token.
    pub fn access_token(&self) -> &str {
        self.tokens.access_token()
    }

    /// The refresh token, if one came with it (kept, never used without client credentials).
    pub fn refresh_token(&self) -> Option<&str> {
        self.tokens.refresh_token()
    }

    /// When the token expires, if known.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.tokens.expires_at()
    }

    /// Where it came from.
    pub fn origin(&self) -> &ImportOrigin {
        &self.origin
    }
}

fn check_not_expired(expires_at: Option<DateTime<Utc>>, how: &str) -> Result<(), ImportError> {
    match expires_at {
        Some(at) if at <= Utc::now() => Err(ImportError::Expired {
            expired_at: at,
            how: how.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// Reads at most [`MAX_HA_FILE`] bytes of a regular file, opened once without waiting on a
/// FIFO, and checked through the open file (so nothing swapped in at the path after a check is
/// read). A link is followed: Home Assistant's file is the user's to place, and is only read.
pub(crate) fn read_capped(path: &Path) -> io::Result<Vec<u8>> {
    let file = no_wait(fs::OpenOptions::new().read(true)).open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(MAX_HA_FILE + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_HA_FILE {
        return Err(io::Error::other(format!("larger than {MAX_HA_FILE} bytes")));
    }
    Ok(bytes)
}

fn brand_of_domain(domain: &str) -> Option<Brand> {
    match domain {
        "august" => Some(Brand::YaleAugust),
        "yale" => Some(Brand::YaleGlobal),
        _ => None,
    }
}

type EntryParts<'a> = (Option<String>, &'a Map<String, Value>);

fn entry_parts(entry: &Map<String, Value>) -> Result<EntryParts<'_>, ImportError> {
    let domain = entry
        .get("domain")
        .and_then(Value::as_str)
        .map(str::to_owned);
    match entry.get("data") {
        Some(Value::Object(data)) => Ok((domain, data)),
        Some(_) => Err(ImportError::Invalid {
            field: "data",
            reason: "not a JSON object".into(),
        }),
        None => Err(ImportError::Missing { field: "data" }),
    }
}

fn pick_entry(entries: &[Value], brand: Option<Brand>) -> Result<EntryParts<'_>, ImportError> {
    let brand_of = |e: &Map<String, Value>| {
        e.get("domain")
            .and_then(Value::as_str)
            .and_then(brand_of_domain)
    };
    let candidates: Vec<&Map<String, Value>> = entries
        .iter()
        .filter_map(Value::as_object)
        .filter(|e| brand_of(e).is_some_and(|b| brand.is_none_or(|wanted| wanted == b)))
        .collect();
    match candidates.as_slice() {
        [] => Err(ImportError::NoEntry),
        [one] => entry_parts(one),
        several => Err(ImportError::SeveralEntries {
            titles: several
                .iter()
                .map(|e| {
                    let domain = e.get("domain").and_then(Value::as_str).unwrap_or("?");
                    let title = e.get("title").and_then(Value::as_str).unwrap_or("untitled");
                    format!("{domain}: {}", api_transport::printable(title, 64))
                })
                .collect(),
            brand: brand_of(several[0])
                .filter(|first| several.iter().all(|e| brand_of(e) == Some(*first))),
        }),
    }
}

/// Why a token could not be imported. No variant carries a token.
#[derive(Debug)]
#[non_exhaustive]
pub enum ImportError {
    /// The file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The text is not JSON.
    NotJson {
        /// Where it stops being JSON.
        reason: String,
    },
    /// The file has no `august` or `yale` entry.
    NoEntry,
    /// The file has several August/Yale entries. When they are of both brands, passing the
    /// brand of the one to import picks it (if it is the only one of its brand); otherwise
    /// pass that entry alone (its object in the file's `data.entries`) instead of the file.
    SeveralEntries {
        /// `domain: title` of each, the title at most 64 characters, as
        /// [`api_transport::printable`] shows them.
        titles: Vec<String>,
        /// The brand they are all of, when they are of one (passing a brand then picks none of
        /// them); `None` when they are of both.
        brand: Option<Brand>,
    },
    /// An August entry from before Home Assistant moved to OAuth: it holds no token.
    PreOAuthEntry,
    /// A required field is missing.
    Missing {
        /// The field.
        field: &'static str,
    },
    /// A field has the wrong type or value.
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A `domain` or `service` that is neither `august` nor `yale`.
    UnknownDomain(String),
    /// Only a `token` object was given: say which brand it is for.
    BrandNeeded,
    /// The brand given differs from the entry's.
    BrandMismatch {
        /// The brand given.
        given: Brand,
        /// The entry's brand.
        found: Brand,
    },
    /// The token has already expired.
    Expired {
        /// When it expired.
        expired_at: DateTime<Utc>,
        /// How to get a fresh one.
        how: String,
    },
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Read { path, .. } => {
                write!(f, "cannot read the token file {}", printable_path(path))
            }
            ImportError::NotJson { reason } => write!(f, "the token file is not JSON ({reason})"),
            ImportError::NoEntry => f.write_str(
                "the Home Assistant file has no august or yale config entry: set up the August or Yale integration in Home Assistant first",
            ),
            ImportError::SeveralEntries {
                titles,
                brand: None,
            } => write!(
                f,
                "the Home Assistant file has several August/Yale entries ({}): pass the brand of the one to import (yale_august or yale_global), or that entry alone (its object in the file's data.entries) instead of the whole file",
                titles.join(", ")
            ),
            ImportError::SeveralEntries {
                titles,
                brand: Some(brand),
            } => write!(
                f,
                "the Home Assistant file has several {brand} entries ({}): import the one you want alone (its object in the file's data.entries) instead of the whole file",
                titles.join(", ")
            ),
            ImportError::PreOAuthEntry => f.write_str(
                "this August entry predates Home Assistant's move to OAuth and holds no token: re-authenticate the integration in Home Assistant, then import again",
            ),
            ImportError::Missing { field } => write!(f, "the token has no `{field}`"),
            ImportError::Invalid { field, reason } => write!(f, "`{field}` is unusable: {reason}"),
            ImportError::UnknownDomain(d) => write!(
                f,
                "domain or service `{}` is neither august nor yale",
                api_transport::printable(d, 40)
            ),
            ImportError::BrandNeeded => f.write_str(
                "a bare token object does not say its brand: pass yale_august (August) or yale_global (Yale)",
            ),
            ImportError::BrandMismatch { given, found } => write!(
                f,
                "the entry is for brand {found}, not {given}: pass {found} or no brand"
            ),
            ImportError::Expired { expired_at, how } => write!(
                f,
                "the token expired at {}: {how}",
                expired_at.format("%Y-%m-%d %H:%M:%S UTC")
            ),
        }
    }
}

impl ImportError {
    /// What the caller does next: [`ErrorKind::SignInAgain`](api_transport::ErrorKind) for an
    /// expired token or an entry without one, [`ErrorKind::FixInput`](api_transport::ErrorKind)
    /// for a file or token that cannot be used as given.
    pub fn kind(&self) -> api_transport::ErrorKind {
        match self {
            ImportError::Expired { .. } | ImportError::PreOAuthEntry => {
                api_transport::ErrorKind::SignInAgain
            }
            _ => api_transport::ErrorKind::FixInput,
        }
    }
}

impl api_transport::HasErrorKind for ImportError {
    fn kind(&self) -> api_transport::ErrorKind {
        ImportError::kind(self)
    }
}

impl std::error::Error for ImportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ImportError::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}
