//! The part of a service client's error type that every client writes the same way: the
//! mapping from this crate's [`Error`](crate::Error), the accessors, and the conversions.

/// Writes, for a client's error type, what every service client's error shares.
///
/// The error is an enum with the variants `InvalidInput(I)`, `NotDelivered { endpoint, source }`,
/// `Timeout { endpoint, after, source, .. }`, `ConnectionLost { endpoint, source, .. }`,
/// `Api(Box<A>)`, `Decode { endpoint, path, source: serde_json::Error, .. }` and
/// `ResponseTooLarge { endpoint, limit, .. }`, each but the first two with the `changes` field
/// (an `Option`: `Some` for a call that changes something; a read and a call harmless to
/// repeat have `None`), which `A` has too; `I` has a `Refused { reason }` variant and
/// `Display`, `A` a `status()`, a `kind()` and an `answer_leaves_outcome_unknown()` (the rule
/// of [`answer_leaves_outcome_unknown`] for its status, unless the answer itself says what was
/// done). The invoking crate depends on `serde` and `serde_json`.
///
/// Written: a private `changes_something()` for the error and `A` (from `changes`),
/// `kind()` (a lost answer's from `changes_something()`, an answer's `A::kind()`), `api_error()`, `status()`, `is_timeout()`, `is_invalid_input()`,
/// `outcome_unknown()` (false for a call that changes nothing; otherwise the rule for the
/// variant, `A`'s for an answer), a
/// crate-private `from_transport(err, endpoint, extra...)` (the `extra` fields are copied into
/// `Timeout`, `ConnectionLost`, `Decode` and `ResponseTooLarge`), a private `fmt_common` for
/// the client's `Display` (every variant but `Timeout` and `ConnectionLost` worded once),
/// `std::error::Error` with a `source()` that adds the transport's or the decoder's cause,
/// `I::kind()` (always `FixInput`) and `std::error::Error` for `I`,
/// [`HasErrorKind`] for the three types (whose `outcome_unknown()` is the error's and, for `A`,
/// its answer's rule to a call that changes something), and `From<A>` and `From<I>` for the error.
///
/// `krate` is the invoking crate's name, for the examples; `lost` says what may have happened
/// when the outcome is unknown; `extra_example` gives the `extra` fields of a call that changes
/// something, for the examples; `changes` names the field that says whether a call changes
/// something.
///
/// [`HasErrorKind`]: crate::HasErrorKind
/// [`answer_leaves_outcome_unknown`]: crate::answer_leaves_outcome_unknown
#[macro_export]
macro_rules! service_error_common {
    ($error:ident, $api:ident, $input:ident; service = $service:literal; krate = $krate:literal;
     lost = $lost:literal; extra = ($($field:ident: $ty:ty),*);
     extra_example = $example:literal; changes = $changes:ident;) => {
        impl $api {
            /// Whether the call changes something: its `check` (the `changes` field) is `Some`.
            fn changes_something(&self) -> bool {
                self.$changes.is_some()
            }
        }

        impl $error {
            /// Whether the call changes something (its `changes` field is `Some`); a read, or
            /// a call harmless to send again, does not.
            fn changes_something(&self) -> bool {
                match self {
                    $error::InvalidInput(_) | $error::NotDelivered { .. } => false,
                    $error::Timeout { $changes, .. }
                    | $error::ConnectionLost { $changes, .. }
                    | $error::Decode { $changes, .. }
                    | $error::ResponseTooLarge { $changes, .. } => $changes.is_some(),
                    $error::Api(e) => e.changes_something(),
                }
            }

            /// What the caller does next, whatever the variant.
            ///
            #[doc = concat!("A request that changes something whose answer was lost ([`", stringify!($error), "::Timeout`], [`", stringify!($error), "::ConnectionLost`]) or was a server error (see [`", stringify!($api), "::kind`]) is [`ErrorKind::OutcomeUnknown`](crate::ErrorKind::OutcomeUnknown) (", $lost, "), and [`outcome_unknown`](Self::outcome_unknown) is then true; a read's, or a call's harmless to send again, is [`ErrorKind::RetryLater`](crate::ErrorKind::RetryLater), and its `outcome_unknown()` false.")]
            ///
            /// ```
            #[doc = concat!("use ", $krate, "::{Error, ErrorKind, InvalidInput};")]
            ///
            /// let refused = Error::from(InvalidInput::Refused { reason: "not https".into() });
            /// assert_eq!(refused.kind(), ErrorKind::FixInput);
            /// ```
            pub fn kind(&self) -> $crate::ErrorKind {
                use $crate::ErrorKind;
                match self {
                    $error::InvalidInput(_) => ErrorKind::FixInput,
                    $error::NotDelivered { .. } => ErrorKind::NotDelivered,
                    $error::Timeout { .. } | $error::ConnectionLost { .. } => {
                        if self.changes_something() {
                            ErrorKind::OutcomeUnknown
                        } else {
                            ErrorKind::RetryLater
                        }
                    }
                    $error::Api(e) => e.kind(),
                    $error::Decode { .. } => ErrorKind::ReportBug,
                    $error::ResponseTooLarge { .. } => ErrorKind::Configuration,
                }
            }

            /// The API error, if this is one.
            pub fn api_error(&self) -> Option<&$api> {
                match self {
                    $error::Api(e) => Some(e.as_ref()),
                    _ => None,
                }
            }

            /// The HTTP status of an API error.
            pub fn status(&self) -> Option<u16> {
                self.api_error().map($api::status)
            }

            #[doc = concat!("Whether the call timed out (", $service, " may have acted on it).")]
            pub fn is_timeout(&self) -> bool {
                matches!(self, $error::Timeout { .. })
            }

            /// Whether the call was rejected before anything was sent.
            pub fn is_invalid_input(&self) -> bool {
                matches!(self, $error::InvalidInput(_))
            }

            #[doc = concat!("Whether ", $service, " may have acted on a request that changes something while the caller cannot tell: ", $lost, ".")]
            ///
            /// False for a call that changes nothing or is harmless to send again (a read),
            /// whatever its answer: its [`kind`](Self::kind) says to try it again later.
            #[doc = concat!("For a request that changes something, true when it may have reached ", $service, " and no answer says what was done: no answer in time ([`", stringify!($error), "::Timeout`]), a connection lost after sending ([`", stringify!($error), "::ConnectionLost`]), an answer with a 5xx status (a gateway may answer one after the request was acted on) or a 3xx (never followed), an answer too large ([`", stringify!($error), "::ResponseTooLarge`]) or that could not be read ([`", stringify!($error), "::Decode`]). False when the request was refused before sending ([`", stringify!($error), "::InvalidInput`]), was not delivered ([`", stringify!($error), "::NotDelivered`]), or got an answer that says what was done: a 4xx refusal (a rate limit included), a 2xx, or, whatever the status, an error code that says nothing went out, where the service has one.")]
            ///
            /// When it is true, check before sending the request again; [`kind`](Self::kind)
            /// is then [`ErrorKind::OutcomeUnknown`](crate::ErrorKind::OutcomeUnknown) but for
            /// an answer too large, an answer that could not be read, and a 3xx, whose kind
            /// says what to fix first.
            ///
            /// ```
            #[doc = concat!("use ", $krate, "::{Error, InvalidInput};")]
            ///
            /// // Nothing was sent.
            /// let refused = Error::from(InvalidInput::Refused { reason: "not https".into() });
            /// assert!(!refused.outcome_unknown());
            /// // A request that changes something got an answer too large to read: what it
            /// // said is unknown.
            #[doc = concat!("let too_large = Error::ResponseTooLarge { endpoint: \"POST /v\".into(), limit: 1024, ", $example, " };")]
            /// assert!(too_large.outcome_unknown());
            /// ```
            pub fn outcome_unknown(&self) -> bool {
                match self {
                    $error::InvalidInput(_) | $error::NotDelivered { .. } => false,
                    $error::Timeout { .. }
                    | $error::ConnectionLost { .. }
                    | $error::Decode { .. }
                    | $error::ResponseTooLarge { .. } => self.changes_something(),
                    $error::Api(e) => $crate::HasErrorKind::outcome_unknown(e.as_ref()),
                }
            }

            /// The error of a call the transport could not complete: refused before sending,
            /// not delivered, timed out, too large, undecodable or cut off.
            pub(crate) fn from_transport(
                err: $crate::Error,
                endpoint: String,
                $($field: $ty),*
            ) -> $error {
                use $crate::Error as T;
                match err {
                    T::InvalidRequest { reason } => $error::InvalidInput($input::Refused { reason }),
                    T::NotDelivered { .. } => $error::NotDelivered {
                        endpoint,
                        source: err,
                    },
                    T::Timeout { after } => $error::Timeout {
                        endpoint,
                        after,
                        $($field,)*
                        source: err,
                    },
                    T::ResponseTooLarge { limit } => $error::ResponseTooLarge {
                        endpoint,
                        limit,
                        $($field,)*
                    },
                    T::Undecodable { status, reason } => $error::Decode {
                        endpoint,
                        path: ".".to_owned(),
                        $($field,)*
                        source: <::serde_json::Error as ::serde::de::Error>::custom(format_args!(
                            "the body of the {status} answer cannot be decoded ({reason})"
                        )),
                    },
                    other => $error::ConnectionLost {
                        endpoint,
                        $($field,)*
                        source: other,
                    },
                }
            }
        }

        impl $error {
            /// The message of the variants every client words the same way; the client's
            /// `Display` words `Timeout` and `ConnectionLost` itself.
            fn fmt_common(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    $error::InvalidInput(e) => write!(f, "nothing sent: {e}"),
                    $error::NotDelivered { endpoint, .. } => {
                        write!(f, "{endpoint} was not delivered; safe to try again")
                    }
                    $error::Timeout { endpoint, .. } | $error::ConnectionLost { endpoint, .. } => {
                        write!(f, "{endpoint} got no complete answer; the outcome is unknown")
                    }
                    $error::Api(e) => ::std::fmt::Display::fmt(e, f),
                    // The path names the server's keys.
                    $error::Decode { endpoint, path, .. } => write!(
                        f,
                        "{endpoint} answered with a body that does not fit the model at `{}`",
                        $crate::printable(path, 300)
                    ),
                    $error::ResponseTooLarge { endpoint, limit, .. } => write!(
                        f,
                        "{endpoint} answered with a body over the {limit} byte limit; raise the limit in the builder if this is expected"
                    ),
                }
            }
        }

        impl ::std::error::Error for $error {
            fn source(&self) -> Option<&(dyn ::std::error::Error + 'static)> {
                match self {
                    // Displayed as "nothing sent: " and the input error, whose cause is the
                    // next level.
                    $error::InvalidInput(e) => ::std::error::Error::source(e),
                    // The transport's account of what failed.
                    $error::NotDelivered { source, .. }
                    | $error::Timeout { source, .. }
                    | $error::ConnectionLost { source, .. } => Some(source),
                    // Displayed as the API error itself, which has no cause of its own.
                    $error::Api(_) | $error::ResponseTooLarge { .. } => None,
                    $error::Decode { source, .. } => Some(source),
                }
            }
        }

        impl $input {
            /// What the caller does next: always
            /// [`ErrorKind::FixInput`](crate::ErrorKind::FixInput) (nothing was sent).
            pub fn kind(&self) -> $crate::ErrorKind {
                $crate::ErrorKind::FixInput
            }
        }

        impl ::std::error::Error for $input {}

        impl $crate::HasErrorKind for $error {
            fn kind(&self) -> $crate::ErrorKind {
                $error::kind(self)
            }

            fn outcome_unknown(&self) -> bool {
                $error::outcome_unknown(self)
            }
        }

        /// An answer leaves the outcome unknown only to a call that changes something.
        impl $crate::HasErrorKind for $api {
            fn kind(&self) -> $crate::ErrorKind {
                $api::kind(self)
            }

            fn outcome_unknown(&self) -> bool {
                self.changes_something() && self.answer_leaves_outcome_unknown()
            }
        }

        impl $crate::HasErrorKind for $input {
            fn kind(&self) -> $crate::ErrorKind {
                $input::kind(self)
            }
        }

        impl From<$api> for $error {
            fn from(e: $api) -> Self {
                $error::Api(Box::new(e))
            }
        }

        impl From<$input> for $error {
            fn from(e: $input) -> Self {
                $error::InvalidInput(e)
            }
        }
    };
}
