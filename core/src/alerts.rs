//! Alerts: the moments a waiting customer's clock crosses a threshold (due soon, overdue, past
//! the hard limit), and the desktop notification that tells the shop owner. Each threshold
//! fires once per wait; the store records what fired so a restart does not repeat it.
//!
//! Showing a notification is behind [`Notifier`]: the shell implements it with the OS's
//! notification service, tests with a recorder.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::clock::human_duration;
use crate::ids::CaseId;
use crate::sla::{ClockState, ClockStateKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Threshold {
    DueSoon,
    Overdue,
    HardLimit,
}

impl Threshold {
    pub fn as_str(self) -> &'static str {
        match self {
            Threshold::DueSoon => "due_soon",
            Threshold::Overdue => "overdue",
            Threshold::HardLimit => "hard_limit",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Threshold::DueSoon => "reply due soon",
            Threshold::Overdue => "overdue",
            Threshold::HardLimit => "past the hard limit",
        }
    }
}

/// The thresholds a clock has crossed at `now`, lowest first (none while paused).
pub fn crossed(clock: &ClockState, now: DateTime<Utc>) -> Vec<Threshold> {
    if clock.state == ClockStateKind::Paused {
        return Vec::new();
    }
    let reached = |at: Option<DateTime<Utc>>| at.is_some_and(|at| at <= now);
    let mut out = Vec::new();
    if reached(clock.warn_at) || clock.state >= ClockStateKind::DueSoon {
        out.push(Threshold::DueSoon);
    }
    if reached(clock.due_at) {
        out.push(Threshold::Overdue);
    }
    if reached(clock.hard_limit_at) {
        out.push(Threshold::HardLimit);
    }
    out
}

/// One case whose clock crossed a threshold that has not been announced yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Alert {
    pub case_id: CaseId,
    pub case_number: u32,
    pub contact_name: String,
    pub subject: String,
    /// The highest threshold crossed (the one to announce).
    pub threshold: Threshold,
    /// Every threshold crossed and not yet announced (recorded together once shown).
    pub thresholds: Vec<Threshold>,
    pub waiting_since: DateTime<Utc>,
    #[ts(type = "number")]
    pub waiting_secs: i64,
}

/// A desktop notification, ready to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Notification {
    pub title: String,
    pub body: String,
    /// The case to open when the notification is clicked (one case only).
    pub case_number: Option<u32>,
}

/// One notification for a batch of alerts: a single case by name, several grouped into one.
pub fn compose(alerts: &[Alert]) -> Option<Notification> {
    match alerts {
        [] => None,
        [one] => Some(Notification {
            title: format!("{} waiting {} (#{})", one.contact_name, human_duration(one.waiting_secs), one.case_number),
            body: format!("{}: {}", capitalise(one.threshold.label()), one.subject),
            case_number: Some(one.case_number),
        }),
        many => {
            let all_late = many.iter().all(|a| a.threshold >= Threshold::Overdue);
            let title = if all_late {
                format!("{} customers waiting past their reply target", many.len())
            } else {
                format!("{} customers waiting for an answer", many.len())
            };
            let mut lines: Vec<String> = many
                .iter()
                .take(3)
                .map(|a| {
                    format!("#{} {}: {} ({})", a.case_number, a.contact_name, human_duration(a.waiting_secs), a.threshold.label())
                })
                .collect();
            if many.len() > 3 {
                lines.push(format!("and {} more", many.len() - 3));
            }
            Some(Notification { title, body: lines.join("\n"), case_number: None })
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Shows notifications; an error says why it could not (no notification service, say).
pub trait Notifier {
    fn show(&self, notification: &Notification) -> Result<(), String>;
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn t(m: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).single().expect("valid") + Duration::minutes(m)
    }

    fn clock(state: ClockStateKind, hard: Option<i64>) -> ClockState {
        ClockState { state, target_secs: 7200, elapsed_secs: 0, warn_at: Some(t(90)), due_at: Some(t(120)), hard_limit_at: hard.map(t) }
    }

    fn alert(n: u32, name: &str, threshold: Threshold, mins: i64) -> Alert {
        Alert {
            case_id: CaseId::new(),
            case_number: n,
            contact_name: name.into(),
            subject: "Parcel not arrived".into(),
            threshold,
            thresholds: vec![threshold],
            waiting_since: t(0),
            waiting_secs: mins * 60,
        }
    }

    #[test]
    fn thresholds_crossed_at_each_moment() {
        use Threshold::*;
        let rows = [
            (ClockStateKind::OnTrack, 60, vec![]),
            (ClockStateKind::DueSoon, 90, vec![DueSoon]),
            (ClockStateKind::Overdue, 121, vec![DueSoon, Overdue]),
            (ClockStateKind::Paused, 200, vec![]),
        ];
        for (state, at, want) in rows {
            assert_eq!(crossed(&clock(state, None), t(at)), want, "{state:?} at {at}");
        }
        assert_eq!(crossed(&clock(ClockStateKind::Overdue, Some(1440)), t(1441)), vec![DueSoon, Overdue, HardLimit]);
    }

    #[test]
    fn one_alert_names_the_customer_several_are_grouped() {
        let one = compose(&[alert(1042, "Ana Costa", Threshold::Overdue, 130)]).expect("one");
        assert_eq!(one.title, "Ana Costa waiting 2 h 10 min (#1042)");
        assert_eq!(one.body, "Overdue: Parcel not arrived");
        assert_eq!(one.case_number, Some(1042));

        let late = [
            alert(1001, "Ana", Threshold::Overdue, 130),
            alert(1002, "Bo", Threshold::HardLimit, 1500),
            alert(1003, "Cy", Threshold::Overdue, 125),
        ];
        let grouped = compose(&late).expect("grouped");
        assert_eq!(grouped.title, "3 customers waiting past their reply target");
        assert_eq!(grouped.body, "#1001 Ana: 2 h 10 min (overdue)\n#1002 Bo: 1 d 1 h (past the hard limit)\n#1003 Cy: 2 h 5 min (overdue)");
        assert_eq!(grouped.case_number, None);

        let mixed = [late[0].clone(), alert(1004, "Di", Threshold::DueSoon, 95), late[1].clone(), late[2].clone()];
        let grouped = compose(&mixed).expect("grouped");
        assert_eq!(grouped.title, "4 customers waiting for an answer");
        assert!(grouped.body.ends_with("\nand 1 more"), "{}", grouped.body);
        assert_eq!(compose(&[]), None);
    }
}
