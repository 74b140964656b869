//! The waiting clock: since when a customer has waited for the shop, derived from a case's
//! timeline alone, so it can always be recomputed and never drifts from the messages.
//!
//! Rules: a customer's message starts the clock if it is not running; only a reply the
//! customer sees (a message from the shop that Shopdesk did not send by itself, including a
//! logged call back) stops it; internal notes and automatic acknowledgements change nothing.
//! Messages count in the order they happened, not the order they were logged.

use chrono::{DateTime, Utc};

use crate::model::{Channel, Direction};

/// What the clock needs to know of one timeline message.
#[derive(Debug, Clone, Copy)]
pub struct ClockInput {
    pub happened_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub direction: Direction,
    pub channel: Channel,
    pub automatic: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClockFacts {
    /// The oldest customer message no visible shop reply has followed.
    pub waiting_since: Option<DateTime<Utc>>,
    /// The channel of the message that started the wait (its reply target applies).
    pub waiting_channel: Option<Channel>,
    /// The first visible shop reply after the customer first wrote.
    pub first_response_at: Option<DateTime<Utc>>,
    /// The shop's latest visible reply.
    pub last_shop_reply_at: Option<DateTime<Utc>>,
}

pub fn facts(messages: impl IntoIterator<Item = ClockInput>) -> ClockFacts {
    let mut messages: Vec<ClockInput> = messages.into_iter().collect();
    messages.sort_by_key(|m| (m.happened_at, m.recorded_at));
    let mut facts = ClockFacts::default();
    let mut customer_has_written = false;
    for m in messages {
        match m.direction {
            // A customer's answer that asks for nothing (a good satisfaction rating).
            Direction::FromCustomer if m.automatic => {}
            Direction::FromCustomer => {
                customer_has_written = true;
                if facts.waiting_since.is_none() {
                    facts.waiting_since = Some(m.happened_at);
                    facts.waiting_channel = Some(m.channel);
                }
            }
            Direction::FromShop if !m.automatic => {
                facts.waiting_since = None;
                facts.waiting_channel = None;
                facts.last_shop_reply_at = Some(m.happened_at);
                if customer_has_written && facts.first_response_at.is_none() {
                    facts.first_response_at = Some(m.happened_at);
                }
            }
            Direction::FromShop | Direction::Note => {}
        }
    }
    facts
}

/// How long the customer has waited at `now`, in whole seconds (never negative).
pub fn waiting_secs(waiting_since: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<i64> {
    waiting_since.map(|since| (now - since).num_seconds().max(0))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::Direction::{FromCustomer as C, FromShop as S, Note as N};

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, h, m, 0).single().expect("valid time")
    }

    fn msg(at: DateTime<Utc>, direction: Direction, automatic: bool) -> ClockInput {
        ClockInput { happened_at: at, recorded_at: at, direction, channel: Channel::Email, automatic }
    }

    #[test]
    fn clock_rules_over_timelines() {
        // (timeline, waiting_since, first_response_at, last_shop_reply_at)
        type Row = (Vec<ClockInput>, Option<DateTime<Utc>>, Option<DateTime<Utc>>, Option<DateTime<Utc>>);
        let rows: Vec<(&str, Row)> = vec![
            ("empty timeline: nobody waits", (vec![], None, None, None)),
            ("one customer message starts the clock", (vec![msg(t(9, 0), C, false)], Some(t(9, 0)), None, None)),
            (
                "a second customer message keeps the oldest time",
                (vec![msg(t(9, 0), C, false), msg(t(10, 0), C, false)], Some(t(9, 0)), None, None),
            ),
            (
                "a visible reply stops the clock",
                (vec![msg(t(9, 0), C, false), msg(t(9, 30), S, false)], None, Some(t(9, 30)), Some(t(9, 30))),
            ),
            (
                "an automatic acknowledgement does not stop it",
                (vec![msg(t(9, 0), C, false), msg(t(9, 1), S, true)], Some(t(9, 0)), None, None),
            ),
            (
                "an internal note does not stop it",
                (vec![msg(t(9, 0), C, false), msg(t(9, 5), N, false)], Some(t(9, 0)), None, None),
            ),
            (
                "the customer writing again restarts it from the new message",
                (
                    vec![msg(t(9, 0), C, false), msg(t(9, 30), S, false), msg(t(11, 0), C, false)],
                    Some(t(11, 0)),
                    Some(t(9, 30)),
                    Some(t(9, 30)),
                ),
            ),
            (
                "a shop message before the customer ever wrote is not a first response",
                (
                    vec![msg(t(8, 0), S, false), msg(t(9, 0), C, false)],
                    Some(t(9, 0)),
                    None,
                    Some(t(8, 0)),
                ),
            ),
        ];
        for (name, (timeline, waiting, first, last)) in rows {
            let got = facts(timeline);
            assert_eq!(got.waiting_since, waiting, "{name}: waiting_since");
            assert_eq!(got.first_response_at, first, "{name}: first_response_at");
            assert_eq!(got.last_shop_reply_at, last, "{name}: last_shop_reply_at");
        }
    }

    #[test]
    fn a_voicemail_logged_late_counts_at_its_real_time() {
        // The shop called back at 10:00; the voicemail from 9:00 was only logged at 10:30.
        let reply = msg(t(10, 0), S, false);
        let voicemail = ClockInput {
            happened_at: t(9, 0),
            recorded_at: t(10, 30),
            direction: C,
            channel: Channel::Voicemail,
            automatic: false,
        };
        let got = facts([reply, voicemail]);
        assert_eq!(got.waiting_since, None, "the call back answered the earlier voicemail");
        assert_eq!(got.first_response_at, Some(t(10, 0)));
    }

    #[test]
    fn the_wait_remembers_the_channel_it_started_on() {
        let mut chat = msg(t(9, 0), C, false);
        chat.channel = Channel::Chat;
        let email = msg(t(9, 10), C, false);
        assert_eq!(facts([email, chat]).waiting_channel, Some(Channel::Chat));
        assert_eq!(facts([chat, msg(t(9, 5), S, false)]).waiting_channel, None);
    }

    #[test]
    fn waiting_secs_is_measured_at_the_given_now() {
        assert_eq!(waiting_secs(Some(t(9, 0)), t(11, 15)), Some(2 * 3600 + 15 * 60));
        assert_eq!(waiting_secs(Some(t(9, 0)), t(8, 0)), Some(0), "clock skew never gives a negative wait");
        assert_eq!(waiting_secs(None, t(9, 0)), None);
    }
}

/// A waiting time as a person says it: "just now", "45 min", "2 h 14 min", "3 d 4 h".
pub fn human_duration(secs: i64) -> String {
    let mins = secs.max(0) / 60;
    let (days, hours, minutes) = (mins / 1440, mins % 1440 / 60, mins % 60);
    match (days, hours, minutes) {
        (0, 0, 0) => "just now".to_string(),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
mod human_tests {
    #[test]
    fn durations_read_like_speech() {
        let rows = [(0, "just now"), (59, "just now"), (60, "1 min"), (45 * 60, "45 min"), (7200, "2 h"),
            (2 * 3600 + 14 * 60, "2 h 14 min"), (86400, "1 d"), (3 * 86400 + 4 * 3600 + 59, "3 d 4 h"), (-5, "just now")];
        for (secs, want) in rows {
            assert_eq!(super::human_duration(secs), want, "{secs}");
        }
    }
}
