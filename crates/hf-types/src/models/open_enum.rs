//! A macro for string enums that keep values they do not know.
//!
//! The Hub adds stages, dtypes and roles over time; an unknown value must not
//! break deserialisation, so each such enum has an `Other(String)` variant and
//! round-trips the exact wire string.

/// Defines `enum $name { Known..., Other(String) }` with `as_str`, `From<&str>`,
/// `FromStr` (infallible), `Display`, `Serialize` and `Deserialize` as the wire string.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// The value as written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Other(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match Self::from(value.as_str()) {
                    Self::Other(_) => Self::Other(value),
                    known => known,
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::from)
            }
        }
    };
}

pub(crate) use open_enum;

#[cfg(test)]
mod tests {
    open_enum! {
        /// Test enum.
        pub enum Color {
            /// Red.
            Red => "red",
        }
    }

    #[test]
    fn known_and_unknown_values_round_trip() {
        assert_eq!(Color::from("red"), Color::Red);
        assert_eq!(
            Color::from(String::from("blue")),
            Color::Other("blue".into())
        );
        assert_eq!("red".parse::<Color>(), Ok(Color::Red));
        assert_eq!(Color::Other("blue".into()).to_string(), "blue");
        let read: Vec<Color> = serde_json::from_str(r#"["red", "blue"]"#).unwrap();
        assert_eq!(serde_json::to_string(&read).unwrap(), r#"["red","blue"]"#);
    }
}
