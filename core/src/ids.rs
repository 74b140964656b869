//! Typed, globally unique ids (UUID v7) so that a case id can't be passed where a contact id
//! is wanted, and several desktops of one shop can later share data without clashes.

use std::fmt;
use std::str::FromStr;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        #[serde(transparent)]
        #[ts(export, type = "string")]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh id; v7 ids sort by creation time.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self)
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                // Written straight into a buffer: `to_string` goes through the formatting
                // machinery, ~550 instructions an id, and an import binds ~5 ids an email.
                let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
                Ok(ToSqlOutput::from(self.0.hyphenated().encode_lower(&mut text).to_owned()))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = value.as_str()?;
                Uuid::parse_str(text).map(Self).map_err(|e| FromSqlError::Other(Box::new(e)))
            }
        }
    };
}

id_type!(
    /// A customer (person or company) the shop talks to.
    ContactId
);
id_type!(
    /// A case; people use its number (#1001), code uses this.
    CaseId
);
id_type!(
    /// One message or logged interaction on a case's timeline.
    MessageId
);
id_type!(
    /// One recorded change (status, field, merge) on a case's timeline.
    EventId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_stored_as_the_text_it_shows() {
        for _ in 0..100 {
            let id = MessageId::new();
            let Ok(ToSqlOutput::Owned(rusqlite::types::Value::Text(stored))) = id.to_sql() else { panic!("an id is stored as text") };
            assert_eq!(stored, id.to_string());
            assert_eq!(stored.len(), 36);
            assert_eq!(stored.parse::<MessageId>().expect("parses back"), id);
        }
    }
}
