//! Hub timestamps: parse, format, and `serde` helpers.
//!
//! The Hub writes dates as ISO-8601 UTC with a trailing `Z`, normally with
//! milliseconds (`2024-02-19T10:57:45.000Z`, protocol §1.5). Parsing accepts no
//! fraction or any number of fraction digits, and (more leniently than the
//! Python client) any RFC 3339 offset such as `+00:00`, converted to UTC.
//! Formatting always writes UTC with exactly three fraction digits, as the Hub does.
//!
//! Use the module with `#[serde(with = "hf_types::timestamp")]` on an
//! [`OffsetDateTime`] field and `#[serde(with = "hf_types::timestamp::option")]`
//! on an `Option<OffsetDateTime>` field:
//!
//! ```
//! use hf_types::timestamp;
//!
//! let t = timestamp::parse("2024-02-19T10:57:45.123456Z")?;
//! assert_eq!(timestamp::format(t), "2024-02-19T10:57:45.123Z");
//! # Ok::<(), hf_types::InvalidTimestamp>(())
//! ```

use serde::{Deserialize, Deserializer, Serializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// Why a string is not a Hub timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp {input:?}: expected ISO-8601 like 2024-02-19T10:57:45.000Z ({reason})")]
pub struct InvalidTimestamp {
    input: String,
    reason: String,
}

impl InvalidTimestamp {
    /// The rejected input.
    pub fn input(&self) -> &str {
        &self.input
    }
}

/// Parses a Hub timestamp into a UTC [`OffsetDateTime`].
pub fn parse(input: &str) -> Result<OffsetDateTime, InvalidTimestamp> {
    OffsetDateTime::parse(input.trim(), &Rfc3339)
        .map(|t| t.to_offset(UtcOffset::UTC))
        .map_err(|e| InvalidTimestamp {
            input: input.to_owned(),
            reason: e.to_string(),
        })
}

/// Formats a timestamp as the Hub does: UTC, milliseconds, `Z`.
///
/// Years outside `0..=9999` cannot be written in this form; they fall back to
/// RFC 3339 formatting of the UTC value (never seen on the Hub).
pub fn format(value: OffsetDateTime) -> String {
    let utc = value.to_offset(UtcOffset::UTC);
    let hub =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    utc.format(&hub)
        .or_else(|_| utc.format(&Rfc3339))
        .unwrap_or_else(|_| utc.to_string())
}

/// Serialises a timestamp in the Hub's form (`serde(with)` helper).
pub fn serialize<S: Serializer>(value: &OffsetDateTime, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format(*value))
}

/// Deserialises a timestamp written in any form [`parse`] accepts (`serde(with)` helper).
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<OffsetDateTime, D::Error> {
    let raw = String::deserialize(deserializer)?;
    parse(&raw).map_err(serde::de::Error::custom)
}

/// `serde(with)` helpers for `Option<OffsetDateTime>`.
///
/// `null` and an empty string read as `None` (the Python client treats a falsy
/// date as absent). Pair with `#[serde(default, skip_serializing_if = "Option::is_none")]`
/// so that a missing key also reads as `None` and `None` is not written.
pub mod option {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    /// Serialises `Some` in the Hub's form and `None` as `null`.
    pub fn serialize<S: Serializer>(
        value: &Option<OffsetDateTime>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(t) => super::serialize(t, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Deserialises `null`, `""` or a timestamp.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        let raw = Option::<String>::deserialize(deserializer)?;
        match raw.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) => super::parse(s).map(Some).map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> OffsetDateTime {
        parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn fraction_digits_zero_three_six_nine() {
        let base = at("2024-02-19T10:57:45Z");
        assert_eq!(base.unix_timestamp(), 1_708_340_265);
        assert_eq!(base.nanosecond(), 0);
        assert_eq!(at("2024-02-19T10:57:45.000Z"), base);
        assert_eq!(at("2024-02-19T10:57:45.123Z").millisecond(), 123);
        assert_eq!(at("2024-02-19T10:57:45.123456Z").microsecond(), 123_456);
        assert_eq!(at("2024-02-19T10:57:45.1Z").millisecond(), 100);
        assert_eq!(
            at("2024-02-19T10:57:45.123456789Z").nanosecond(),
            123_456_789
        );
        assert_eq!(
            at("2024-02-19T10:57:45.1234567891234Z").nanosecond(),
            123_456_789
        );
    }

    #[test]
    fn offsets_are_accepted_and_normalised_to_utc() {
        let z = at("2024-02-19T10:57:45.000Z");
        assert_eq!(at("2024-02-19T10:57:45.000+00:00"), z);
        let shifted = at("2024-02-19T12:57:45+02:00");
        assert_eq!(shifted, z);
        assert_eq!(shifted.offset(), UtcOffset::UTC);
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "yesterday",
            "2024-02-19",
            "2024-02-19 10:57:45",
            "2024-13-01T00:00:00Z",
        ] {
            let err = parse(bad).unwrap_err();
            assert_eq!(err.input(), bad);
            assert!(err.to_string().contains("invalid timestamp"), "{err}");
        }
    }

    #[test]
    fn formats_like_the_hub() {
        assert_eq!(
            format(at("2024-02-19T10:57:45Z")),
            "2024-02-19T10:57:45.000Z"
        );
        assert_eq!(
            format(at("2022-03-02T23:29:04.5+00:00")),
            "2022-03-02T23:29:04.500Z"
        );
        assert_eq!(
            format(at("2024-02-19T12:57:45.123456+02:00")),
            "2024-02-19T10:57:45.123Z"
        );
    }

    #[test]
    fn serde_helpers() {
        #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
        struct T {
            #[serde(with = "super")]
            at: OffsetDateTime,
            #[serde(
                default,
                with = "super::option",
                skip_serializing_if = "Option::is_none"
            )]
            maybe: Option<OffsetDateTime>,
        }
        let t: T = serde_json::from_str(r#"{"at":"2024-02-19T10:57:45Z"}"#).unwrap();
        assert_eq!(t.maybe, None);
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"at":"2024-02-19T10:57:45.000Z"}"#
        );
        let t: T = serde_json::from_str(r#"{"at":"2024-02-19T10:57:45Z","maybe":null}"#).unwrap();
        assert_eq!(t.maybe, None);
        let t: T = serde_json::from_str(r#"{"at":"2024-02-19T10:57:45Z","maybe":""}"#).unwrap();
        assert_eq!(t.maybe, None);
        let t: T = serde_json::from_str(
            r#"{"at":"2024-02-19T10:57:45Z","maybe":"2024-01-01T00:00:00.000000Z"}"#,
        )
        .unwrap();
        assert_eq!(t.maybe, Some(at("2024-01-01T00:00:00Z")));
        assert!(serde_json::from_str::<T>(r#"{"at":"nope"}"#).is_err());
    }
}
