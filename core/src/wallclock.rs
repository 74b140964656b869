//! The wall clock of the app and the command line: the system's, optionally moved by
//! `SHOPDESK_CLOCK_OFFSET_SECS` so an end-to-end test can have hours pass (a customer waiting
//! past the target, a retry's backoff) without waiting. The shell and the CLI take `now` from
//! here and hand it to every rule; no rule reads the system clock itself.

use chrono::{DateTime, Duration, Utc};

pub const OFFSET_ENV: &str = "SHOPDESK_CLOCK_OFFSET_SECS";

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Clock {
    offset: Duration,
}

impl Clock {
    pub fn from_env() -> Clock {
        Clock::from_offset(std::env::var(OFFSET_ENV).ok().as_deref())
    }

    fn from_offset(value: Option<&str>) -> Clock {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return Clock::default();
        };
        match value.parse::<i64>() {
            Ok(secs) => {
                tracing::warn!(secs, "the app's clock is moved by {OFFSET_ENV}");
                Clock { offset: Duration::seconds(secs) }
            }
            Err(_) => {
                tracing::warn!(value, "ignoring {OFFSET_ENV}: not a whole number of seconds");
                Clock::default()
            }
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_comes_from_a_whole_number_of_seconds_or_not_at_all() {
        let rows = [(None, 0), (Some(""), 0), (Some("3600"), 3600), (Some(" -90 "), -90), (Some("3h"), 0)];
        for (value, secs) in rows {
            assert_eq!(Clock::from_offset(value).offset, Duration::seconds(secs), "{value:?}");
        }
    }
}
