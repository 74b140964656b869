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
    /// Waiting on a third party, and the customer has had no news for days: send a status note.
    KeepPosted,
    /// Waiting on the customer, who has not answered for days: follow up.
    FollowUp,
    /// The owner asked to be reminded of the case at this time.
    Reminder,
}

impl Threshold {
    /// A reminder to the owner rather than a customer waiting for an answer.
    pub fn is_reminder(self) -> bool {
        matches!(self, Threshold::KeepPosted | Threshold::FollowUp | Threshold::Reminder)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Threshold::DueSoon => "due_soon",
            Threshold::Overdue => "overdue",
            Threshold::HardLimit => "hard_limit",
            Threshold::KeepPosted => "keep_posted",
            Threshold::FollowUp => "follow_up",
            Threshold::Reminder => "reminder",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Threshold::DueSoon => "reply due soon",
            Threshold::Overdue => "overdue",
            Threshold::HardLimit => "past the hard limit",
            Threshold::KeepPosted => "no news from you, keep them posted",
            Threshold::FollowUp => "no answer yet, follow up",
            Threshold::Reminder => "your reminder",
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
        [one] if one.threshold == Threshold::Reminder => Some(Notification {
            title: format!("{}: you asked to be reminded (#{})", one.contact_name, one.case_number),
            body: one.subject.clone(),
            case_number: Some(one.case_number),
        }),
        [one] if one.threshold.is_reminder() => Some(Notification {
            title: format!("{}: {} (#{})", one.contact_name, reminder_title(one.threshold), one.case_number),
            body: format!("{} since your last message: {}", human_duration(one.waiting_secs), one.subject),
            case_number: Some(one.case_number),
        }),
        [one] => Some(Notification {
            title: format!("{} waiting {} (#{})", one.contact_name, human_duration(one.waiting_secs), one.case_number),
            body: format!("{}: {}", capitalise(one.threshold.label()), one.subject),
            case_number: Some(one.case_number),
        }),
        many => {
            let title = if many.iter().all(|a| a.threshold.is_reminder()) {
                format!("{} customers to get back to", many.len())
            } else if many.iter().all(|a| matches!(a.threshold, Threshold::Overdue | Threshold::HardLimit)) {
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

fn reminder_title(threshold: Threshold) -> &'static str {
    match threshold {
        Threshold::KeepPosted => "send a status note",
        _ => "time to follow up",
    }
}

/// A reminder that has come due: what to do, and since when the silence has lasted.
pub type DueReminder = (Threshold, DateTime<Utc>);

/// A reminder crossed at `now`: the threshold and since when the customer has heard nothing
/// (keep posted) or not answered (follow up). Wall-clock days; `None` when nothing is due.
pub fn reminder_due(
    status: crate::model::Status,
    last_shop_reply_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    settings: &crate::sla::SlaSettings,
    now: DateTime<Utc>,
) -> (Option<DueReminder>, Option<DateTime<Utc>>) {
    match reminder_schedule(status, last_shop_reply_at, created_at, settings) {
        Some((threshold, since, due)) if due <= now => (Some((threshold, since)), None),
        Some((_, _, due)) => (None, Some(due)),
        None => (None, None),
    }
}

/// The reminder a case's status calls for, whatever the time: the threshold, since when the
/// silence is counted, and when it comes due. The store keeps the due moment on the case.
pub fn reminder_schedule(
    status: crate::model::Status,
    last_shop_reply_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    settings: &crate::sla::SlaSettings,
) -> Option<(Threshold, DateTime<Utc>, DateTime<Utc>)> {
    use crate::model::Status;
    let (threshold, days, since) = match status {
        Status::WaitingOnThirdParty => (Threshold::KeepPosted, settings.keep_posted_days, last_shop_reply_at.unwrap_or(created_at)),
        Status::WaitingOnCustomer => (Threshold::FollowUp, settings.follow_up_days, last_shop_reply_at?),
        _ => return None,
    };
    Some((threshold, since, since + chrono::Duration::days(i64::from(days))))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Shows notifications; an error says why it could not (no notification service, say).
pub trait Notifier {
    fn show(&self, notification: &Notification) -> Result<(), String>;
}

/// What the owner reads after "Desktop notifications are unavailable:" when the desktop refused
/// one. `detail` is the system's own words (D-Bus names on Linux), which belong in the log.
pub fn notification_failure(detail: &str) -> String {
    const STILL: &str = "Late customers still show here and on the tray icon.";
    if detail.contains("ServiceUnknown") || detail.contains("org.freedesktop.Notifications") {
        format!("no notification service is running on this desktop. {STILL}")
    } else if detail.contains("DBUS_SESSION_BUS_ADDRESS") || detail.contains("session bus") || detail.contains("Failed to connect to socket") {
        format!("this session has no desktop message bus to show them on. {STILL}")
    } else {
        format!("the desktop refused to show one ({detail}). {STILL}")
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    #[test]
    fn a_refused_notification_is_explained_without_the_desktop_s_jargon() {
        let unknown = "org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.Notifications was not provided by any .service files";
        let said = notification_failure(unknown);
        assert!(said.starts_with("no notification service is running"), "{said}");
        assert!(!said.contains("org.freedesktop"), "{said}");
        let said = notification_failure("Failed to connect to socket /run/user/0/bus: No such file or directory");
        assert!(said.contains("no desktop message bus") && !said.contains("socket"), "{said}");
        assert!(notification_failure("permission denied").contains("(permission denied)"), "something new keeps its own words");
    }

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
    fn reminders_come_due_after_days_without_news_or_answer() {
        use crate::model::Status;
        let s = crate::sla::SlaSettings::default();
        let reply = t(0);
        // (status, last shop reply, now in minutes, due, next)
        let rows = [
            (Status::WaitingOnThirdParty, Some(reply), 2 * 1440 - 1, None, Some(t(2 * 1440))),
            (Status::WaitingOnThirdParty, Some(reply), 2 * 1440, Some((Threshold::KeepPosted, reply)), None),
            (Status::WaitingOnThirdParty, None, 2 * 1440 + 60, Some((Threshold::KeepPosted, t(60))), None),
            (Status::WaitingOnCustomer, Some(reply), 3 * 1440, Some((Threshold::FollowUp, reply)), None),
            (Status::WaitingOnCustomer, None, 9000, None, None),
            (Status::Open, Some(reply), 9000, None, None),
        ];
        for (status, last, at, due, next) in rows {
            // A case without a shop reply counts from when it was opened (here: 60 min in).
            let got = reminder_due(status, last, t(60), &s, t(at));
            assert_eq!(got, (due, next), "{status:?} at {at}");
        }
    }

    #[test]
    fn reminders_read_as_things_to_do() {
        let mut a = alert(1003, "Chloé Martin", Threshold::KeepPosted, 2 * 1440 + 30);
        a.subject = "Teapot arrived broken".into();
        let one = compose(&[a.clone()]).expect("one");
        assert_eq!(one.title, "Chloé Martin: send a status note (#1003)");
        assert_eq!(one.body, "2 d since your last message: Teapot arrived broken");
        let two = compose(&[a, alert(1005, "Emma", Threshold::FollowUp, 4400)]).expect("two");
        assert_eq!(two.title, "2 customers to get back to");
        assert!(two.body.contains("#1005 Emma: 3 d 1 h (no answer yet, follow up)"), "{}", two.body);
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
