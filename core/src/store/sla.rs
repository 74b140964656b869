//! Reply-target settings and the per-case clock evaluation, wired to the stored timeline:
//! a case's pauses come from its status-change events.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};

use super::{from_ms, to_ms, Store};
use crate::alerts::{self, Alert, Threshold};
use crate::error::Result;
use crate::ids::CaseId;
use crate::model::{Channel, CaseSummary, QueueFilter, Status};
use crate::prefs::AppPrefs;
use crate::sla::{self, Calendar, ClockCase, ClockState, ClockStateKind, Pause, SlaSettings};

const SLA_KEY: &str = "sla";
const PREFS_KEY: &str = "app";

/// Who changes a case when Shopdesk does it by itself.
pub const AUTOMATIC_AUTHOR: &str = "Shopdesk";

/// What a case's clock needs beyond its summary.
pub(crate) struct ClockFields {
    pub waiting_channel: Channel,
    pub answered_before: bool,
    pub reply_target_mins: Option<u32>,
}

/// The settings and calendar in force, read once per query.
pub(crate) struct ClockContext {
    settings: SlaSettings,
    calendar: Calendar,
    now: DateTime<Utc>,
}

/// A settings document by key; missing or unreadable (written by hand, say) gives the defaults.
pub(super) fn read_setting<T: serde::de::DeserializeOwned + Default>(conn: &Connection, key: &str) -> Result<T> {
    let json: Option<String> =
        super::cached_row(conn, "SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?;
    Ok(match json {
        Some(json) => serde_json::from_str(&json).unwrap_or_else(|e| {
            tracing::warn!(error = %e, key, "settings are unreadable; using the defaults");
            T::default()
        }),
        None => T::default(),
    })
}

pub(super) fn write_setting<T: serde::Serialize>(conn: &Connection, key: &str, value: &T) -> Result<()> {
    let json = serde_json::to_string(value).map_err(|e| crate::Error::Invalid(e.to_string()))?;
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, json.as_str()],
    )?;
    Ok(())
}

pub(super) fn load_settings(conn: &Connection) -> Result<SlaSettings> {
    read_setting(conn, SLA_KEY)
}

/// The spans a case waited on the customer or a third party, from its status-change events.
fn pauses(conn: &Connection, case_id: CaseId) -> Result<Vec<Pause>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, new_value FROM case_events WHERE case_id = ?1 AND kind = 'status_changed' ORDER BY at, rowid",
    )?;
    let rows = stmt.query_map([case_id], |r| Ok((from_ms(r.get(0)?), r.get::<_, Status>(1)?)))?;
    let mut spans: Vec<Pause> = Vec::new();
    for row in rows {
        let (at, status) = row?;
        let open = spans.last().is_some_and(|(_, end)| end.is_none());
        match (sla::pauses_clock(status), open) {
            (true, false) => spans.push((at, None)),
            (false, true) => {
                if let Some(last) = spans.last_mut() {
                    last.1 = Some(at);
                }
            }
            _ => {}
        }
    }
    Ok(spans)
}

impl ClockContext {
    pub(crate) fn load(conn: &Connection, now: DateTime<Utc>) -> Result<ClockContext> {
        let settings = load_settings(conn)?;
        let calendar = match sla::validate(&settings) {
            Ok(calendar) => calendar,
            Err(e) => {
                tracing::warn!(error = %e, "reply-target settings are invalid; using the defaults");
                sla::validate(&SlaSettings::default())?
            }
        };
        Ok(ClockContext { settings, calendar, now })
    }

    pub(crate) fn clock(
        &self,
        conn: &Connection,
        case_id: CaseId,
        status: Status,
        waiting_since: Option<DateTime<Utc>>,
        fields: &ClockFields,
    ) -> Result<Option<ClockState>> {
        if waiting_since.is_none() || !status.is_open() {
            return Ok(None);
        }
        let case = ClockCase {
            waiting_since,
            waiting_channel: fields.waiting_channel,
            answered_before: fields.answered_before,
            status,
            target_override_mins: fields.reply_target_mins,
            pauses: pauses(conn, case_id)?,
        };
        Ok(sla::evaluate(&case, &self.settings, &self.calendar, self.now))
    }
}

impl Store {
    pub fn sla_settings(&self) -> Result<SlaSettings> {
        load_settings(&self.conn)
    }

    pub fn app_prefs(&self) -> Result<AppPrefs> {
        read_setting(&self.conn, PREFS_KEY)
    }

    pub fn set_app_prefs(&mut self, prefs: &AppPrefs) -> Result<()> {
        write_setting(&self.conn, PREFS_KEY, prefs)
    }

    /// Checks and saves the reply targets and business hours.
    pub fn set_sla_settings(&mut self, settings: &SlaSettings) -> Result<()> {
        sla::validate(settings)?;
        write_setting(&self.conn, SLA_KEY, settings)
    }

    /// Open cases whose customer's clock is due soon or overdue at `now`, overdue first, then
    /// by how long the customer has waited.
    pub fn sla_check(&self, now: DateTime<Utc>) -> Result<Vec<CaseSummary>> {
        let mut alerts: Vec<CaseSummary> = self
            .queue(&QueueFilter::default(), now)?
            .items
            .into_iter()
            .filter(|c| {
                c.clock.as_ref().is_some_and(|k| matches!(k.state, ClockStateKind::DueSoon | ClockStateKind::Overdue))
            })
            .collect();
        alerts.sort_by_key(|c| (c.clock.as_ref().map(|k| std::cmp::Reverse(k.state)), c.waiting_since));
        Ok(alerts)
    }

    /// Alerts for thresholds crossed at `now` that have not been announced for the current wait,
    /// one per case (its highest threshold), longest waiting first.
    pub fn pending_alerts(&self, now: DateTime<Utc>) -> Result<Vec<Alert>> {
        Ok(self.sweep_clocks(now)?.pending)
    }

    /// The next moment after `now` at which some waiting customer's clock crosses a threshold:
    /// when the scheduler should wake next. `None` when no clock is running.
    pub fn next_clock_change(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
        Ok(self.sweep_clocks(now)?.next_change)
    }

    /// Everything the scheduler needs from one read of the open cases at `now`.
    pub fn sweep_clocks(&self, now: DateTime<Utc>) -> Result<ClockSweep> {
        let items = self.queue(&QueueFilter::default(), now)?.items;
        let settings = self.sla_settings()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT threshold FROM clock_alerts WHERE case_id = ?1 AND waiting_since = ?2",
        )?;
        let mut sweep = ClockSweep::default();
        for case in items {
            // Each source of alerts: the thresholds it has crossed, and since when (the key under
            // which they are recorded as announced).
            let mut crossed: Vec<(Vec<Threshold>, DateTime<Utc>)> = Vec::new();
            // A "remind me" the owner set: once, when it comes due.
            match case.remind_at {
                Some(at) if at > now => sweep.next_change = sweep.next_change.into_iter().chain([at]).min(),
                Some(at) => crossed.push((vec![Threshold::Reminder], at)),
                None => {}
            }
            let (reminder, next_reminder) = alerts::reminder_due(case.status, case.last_shop_reply_at, case.created_at, &settings, now);
            sweep.next_change = sweep.next_change.into_iter().chain(next_reminder).min();
            crossed.extend(reminder.map(|(threshold, since)| (vec![threshold], since)));
            if let (Some(clock), Some(since)) = (&case.clock, case.waiting_since) {
                if clock.state == ClockStateKind::Overdue {
                    sweep.overdue += 1;
                }
                if clock.state != ClockStateKind::Paused {
                    let upcoming = [clock.warn_at, clock.due_at, clock.hard_limit_at].into_iter().flatten().filter(|at| *at > now);
                    sweep.next_change = sweep.next_change.into_iter().chain(upcoming).min();
                }
                crossed.push((alerts::crossed(clock, now), since));
            }
            for (thresholds, since) in crossed {
                let fired = fired(&mut stmt, &case, since)?;
                let new: Vec<Threshold> = thresholds.into_iter().filter(|t| !fired.iter().any(|f| f == t.as_str())).collect();
                sweep.pending.extend(alert_for(&case, new, since, now));
            }
        }
        Ok(sweep)
    }

    /// Reminders due at `now` (announced or not), longest silence first: cases waiting on a
    /// third party whose customer has had no news, and cases waiting on a customer who has not
    /// answered.
    pub fn due_reminders(&self, now: DateTime<Utc>) -> Result<Vec<Alert>> {
        let settings = self.sla_settings()?;
        let items = self.queue(&QueueFilter::default(), now)?.items;
        let mut due: Vec<Alert> = items
            .iter()
            .filter_map(|case| {
                let (due, _) = alerts::reminder_due(case.status, case.last_shop_reply_at, case.created_at, &settings, now);
                due.and_then(|(threshold, since)| alert_for(case, vec![threshold], since, now))
            })
            .collect();
        due.sort_by_key(|a| (a.waiting_since, a.case_number));
        Ok(due)
    }

    /// Solves the cases that waited on the customer longer than the shop's auto-solve setting
    /// without an answer (from the shop's last message); returns their numbers. Each is a
    /// status change on the timeline by "Shopdesk".
    pub fn auto_solve(&mut self, now: DateTime<Utc>) -> Result<Vec<u32>> {
        let Some(days) = self.sla_settings()?.auto_solve_days else {
            return Ok(Vec::new());
        };
        let cutoff = now - chrono::Duration::days(i64::from(days));
        let filter = QueueFilter { status: Some(Status::WaitingOnCustomer), ..QueueFilter::default() };
        let quiet: Vec<u32> = self
            .queue(&filter, now)?
            .items
            .iter()
            .filter(|c| c.last_shop_reply_at.is_some_and(|at| at <= cutoff))
            .map(|c| c.number)
            .collect();
        let patch = crate::model::CasePatch { status: Some(Status::Solved), ..Default::default() };
        for number in &quiet {
            self.update_case(*number, &patch, AUTOMATIC_AUTHOR, now)?;
        }
        Ok(quiet)
    }

    /// Records alerts as announced, so they never fire again for the same wait.
    pub fn record_alerts(&mut self, announced: &[Alert], now: DateTime<Utc>) -> Result<()> {
        let tx = self.conn.transaction()?;
        for alert in announced {
            for threshold in &alert.thresholds {
                tx.execute(
                    "INSERT OR IGNORE INTO clock_alerts (case_id, waiting_since, threshold, fired_at) VALUES (?1, ?2, ?3, ?4)",
                    rusqlite::params![alert.case_id, to_ms(alert.waiting_since), threshold.as_str(), to_ms(now)],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

/// The thresholds already announced for a case's wait (or reminder) that began at `since`.
fn fired(stmt: &mut rusqlite::CachedStatement<'_>, case: &CaseSummary, since: DateTime<Utc>) -> Result<Vec<String>> {
    Ok(stmt
        .query_map(rusqlite::params![case.id, to_ms(since)], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// An alert announcing the highest of `thresholds` on a case (none when the list is empty).
/// The seconds are counted from `since`: how long the customer has waited, or the silence lasted.
fn alert_for(case: &CaseSummary, thresholds: Vec<Threshold>, since: DateTime<Utc>, now: DateTime<Utc>) -> Option<Alert> {
    let highest = thresholds.iter().max().copied()?;
    Some(Alert {
        case_id: case.id,
        case_number: case.number,
        contact_name: case.contact_name.clone(),
        subject: case.subject.clone(),
        threshold: highest,
        thresholds,
        waiting_since: since,
        waiting_secs: (now - since).num_seconds().max(0),
    })
}

/// What one look at every open case's clock found.
#[derive(Debug, Default)]
pub struct ClockSweep {
    /// Thresholds crossed and not yet announced, one alert per case.
    pub pending: Vec<Alert>,
    /// Customers past their reply target now.
    pub overdue: usize,
    /// When the next threshold is crossed.
    pub next_change: Option<DateTime<Utc>>,
}
