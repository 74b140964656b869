//! Reply-target settings and the per-case clock evaluation, wired to the stored timeline:
//! a case's pauses come from its status-change events.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};

use super::cases::{summary_from_row, with_clocks, SUMMARY_SELECT};
use super::{from_ms, to_ms, truncate, Store};
use crate::alerts::{self, Alert, Threshold};
use crate::error::Result;
use crate::ids::CaseId;
use crate::model::{Channel, CaseSummary, Status};
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
pub(super) fn pauses(conn: &Connection, case_id: CaseId) -> Result<Vec<Pause>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, new_value FROM case_events WHERE case_id = ?1 AND kind = 'status_changed' ORDER BY at, rowid",
    )?;
    let rows = stmt.query_map([case_id], |r| Ok((from_ms(r.get(0)?), r.get::<_, Status>(1)?)))?;
    Ok(pause_spans(rows.collect::<rusqlite::Result<Vec<_>>>()?))
}

/// The pauses in a case's status changes (oldest first): what [`pauses`] reads, for callers that
/// read many cases' changes in one query.
pub(super) fn pause_spans(changes: impl IntoIterator<Item = (DateTime<Utc>, Status)>) -> Vec<Pause> {
    let mut spans: Vec<Pause> = Vec::new();
    for (at, status) in changes {
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
    spans
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
        if !ClockContext::runs(status, waiting_since) {
            return Ok(None);
        }
        Ok(self.clock_with_pauses(status, waiting_since, fields, pauses(conn, case_id)?))
    }

    /// Whether a case has a clock to evaluate (and so pauses worth reading).
    pub(crate) fn runs(status: Status, waiting_since: Option<DateTime<Utc>>) -> bool {
        waiting_since.is_some() && status.is_open()
    }

    /// [`ClockContext::clock`] with the case's pauses already read.
    pub(crate) fn clock_with_pauses(
        &self,
        status: Status,
        waiting_since: Option<DateTime<Utc>>,
        fields: &ClockFields,
        pauses: Vec<Pause>,
    ) -> Option<ClockState> {
        if !ClockContext::runs(status, waiting_since) {
            return None;
        }
        let case = ClockCase {
            waiting_since,
            waiting_channel: fields.waiting_channel,
            answered_before: fields.answered_before,
            status,
            target_override_mins: fields.reply_target_mins,
            pauses,
        };
        sla::evaluate(&case, &self.settings, &self.calendar, self.now)
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

    /// Checks and saves the reply targets and business hours; every open case's alert times
    /// move with them, in the same transaction.
    pub fn set_sla_settings(&mut self, settings: &SlaSettings) -> Result<()> {
        sla::validate(settings)?;
        let tx = self.conn.transaction()?;
        write_setting(&tx, SLA_KEY, settings)?;
        refresh_all_alert_times(&tx)?;
        super::search_index::commit(tx)?;
        Ok(())
    }

    /// Computes the stored alert times of every case again (after writing cases directly, as
    /// a benchmark's fixture does; the store's own writes keep them in step).
    pub fn refresh_all_alert_times(&mut self) -> Result<()> {
        let tx = self.conn.transaction()?;
        refresh_all_alert_times(&tx)?;
        super::search_index::commit(tx)?;
        Ok(())
    }

    /// Open cases whose customer's clock is due soon or overdue at `now`, overdue first, then
    /// by how long the customer has waited.
    pub fn sla_check(&self, now: DateTime<Utc>) -> Result<Vec<CaseSummary>> {
        let mut alerts: Vec<CaseSummary> = open_cases(&self.conn, "k.clock_soon_at <= ?1", None, now)?
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

    /// Everything the scheduler needs at `now`, from the alert times stored on the cases: only
    /// the cases with an announcement due are evaluated; the overdue count and the next change
    /// are index lookups.
    pub fn sweep_clocks(&self, now: DateTime<Utc>) -> Result<ClockSweep> {
        let at = to_ms(now);
        let mut sweep = ClockSweep::default();
        // Every moment something changes, announced or not (as a full evaluation would see it).
        // The stored times are NULL on cases that are not open: their indexes answer alone.
        for (column, open) in
            [("k.remind_at", OPEN), ("k.reminder_due_at", "1"), ("k.clock_warn_at", "1"), ("k.clock_due_at", "1"), ("k.clock_hard_at", "1")]
        {
            let mut stmt = self.conn.prepare_cached(&format!("SELECT min({column}) FROM cases k WHERE {open} AND {column} > ?1"))?;
            let next: Option<i64> = stmt.query_row([at], |r| r.get(0))?;
            sweep.next_change = sweep.next_change.into_iter().chain(next.map(from_ms)).min();
        }
        // Overdue: every running clock (a counter the cases' trigger keeps) but those not overdue
        // yet, usually the fresh few.
        let mut stmt = self.conn.prepare_cached(
            "SELECT (SELECT value FROM counters WHERE name = 'running_clocks') - count(*) FROM cases k WHERE k.clock_overdue_at > ?1",
        )?;
        sweep.overdue = stmt.query_row([at], |r| r.get::<_, i64>(0))?.max(0) as usize;
        let settings = self.sla_settings()?;
        let mut fired_stmt = self.conn.prepare_cached(FIRED)?;
        for case in open_cases(&self.conn, "k.alert_next_at <= ?1", None, now)? {
            sweep.pending.extend(pending_of(&case, &settings, &mut fired_stmt, now)?);
        }
        Ok(sweep)
    }

    /// Reminders due at `now` (announced or not), longest silence first: cases waiting on a
    /// third party whose customer has had no news, and cases waiting on a customer who has not
    /// answered.
    pub fn due_reminders(&self, now: DateTime<Utc>) -> Result<Vec<Alert>> {
        let settings = self.sla_settings()?;
        let items = open_summaries(&self.conn, "k.reminder_due_at <= ?1", None, now)?;
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
        let quiet = quiet_cases(&self.conn, now - chrono::Duration::days(i64::from(days)), now)?;
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
        let cases: Vec<CaseId> = announced.iter().map(|a| a.case_id).collect();
        refresh_next_alert(&tx, &cases)?;
        super::search_index::commit(tx)?;
        Ok(())
    }
}

// The cases the queue lists.
use super::queue::OPEN;

/// The queue's order (store/queue.rs: due reminders on top, then its index order), with `?1` the
/// time: lists built from a few cases keep the order the full read of the queue gave them.
fn queue_order() -> String {
    let due = "(k.remind_at IS NOT NULL AND k.remind_at <= ?1)";
    format!("{due} DESC, CASE WHEN {due} THEN k.remind_at END, {}", super::queue::ORDER)
}

const FIRED: &str = "SELECT threshold FROM clock_alerts WHERE case_id = ?1 AND waiting_since = ?2";

/// Open cases meeting `condition` (SQL over `k`, `?1` = `now` and `?2` = `param` in UTC ms),
/// with their clocks at `now`, in the queue's order.
fn open_cases(conn: &Connection, condition: &str, param: Option<i64>, now: DateTime<Utc>) -> Result<Vec<CaseSummary>> {
    let rows = open_summary_rows(conn, condition, param, now)?;
    with_clocks(conn, rows, &ClockContext::load(conn, truncate(now))?)
}

/// [`open_cases`] without their clocks (reminders don't read them).
fn open_summaries(conn: &Connection, condition: &str, param: Option<i64>, now: DateTime<Utc>) -> Result<Vec<CaseSummary>> {
    Ok(open_summary_rows(conn, condition, param, now)?.into_iter().map(|(summary, _)| summary).collect())
}

fn open_summary_rows(
    conn: &Connection,
    condition: &str,
    param: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Vec<(CaseSummary, ClockFields)>> {
    let now = truncate(now);
    let mut stmt = conn.prepare_cached(&format!("{SUMMARY_SELECT} WHERE {OPEN} AND {condition} ORDER BY {}", queue_order()))?;
    let args = [Some(to_ms(now)), param];
    let used = stmt.parameter_count();
    let rows = stmt
        .query_map(rusqlite::params_from_iter(&args[..used]), |r| summary_from_row(r, now))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Numbers of the cases waiting on the customer with the shop's last message at or before
/// `cutoff`, in the queue's order.
fn quiet_cases(conn: &Connection, cutoff: DateTime<Utc>, now: DateTime<Utc>) -> Result<Vec<u32>> {
    let mut stmt = conn.prepare_cached(&format!(
        // The quiet ones only (by the shop's last message), not every case waiting on a customer.
        "SELECT k.number FROM cases k INDEXED BY cases_quiet \
         WHERE {OPEN} AND k.status = 'waiting_on_customer' AND k.last_shop_reply_at <= ?2 ORDER BY {}",
        queue_order()
    ))?;
    let rows = stmt.query_map(rusqlite::params![to_ms(truncate(now)), to_ms(cutoff)], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The alerts one open case has crossed at `now` and not announced: one per source (its own
/// "remind me", the automatic reminder, the clock of the current wait).
fn pending_of(
    case: &CaseSummary,
    settings: &SlaSettings,
    fired_stmt: &mut rusqlite::CachedStatement<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<Alert>> {
    // Each source of alerts: the thresholds it has crossed, and since when (the key under
    // which they are recorded as announced).
    let mut crossed: Vec<(Vec<Threshold>, DateTime<Utc>)> = Vec::new();
    if let Some(at) = case.remind_at.filter(|at| *at <= now) {
        crossed.push((vec![Threshold::Reminder], at));
    }
    let (reminder, _) = alerts::reminder_due(case.status, case.last_shop_reply_at, case.created_at, settings, now);
    crossed.extend(reminder.map(|(threshold, since)| (vec![threshold], since)));
    if let (Some(clock), Some(since)) = (&case.clock, case.waiting_since) {
        crossed.push((alerts::crossed(clock, now), since));
    }
    let mut pending = Vec::new();
    for (thresholds, since) in crossed {
        let fired = fired(fired_stmt, case, since)?;
        let new: Vec<Threshold> = thresholds.into_iter().filter(|t| !fired.iter().any(|f| f == t.as_str())).collect();
        pending.extend(alert_for(case, new, since, now));
    }
    Ok(pending)
}

/// What the sweep keeps per open case (migration 14), in UTC ms; all `None` when the case
/// is not open (the sweep's counts rely on it).
#[derive(Debug, Default, PartialEq)]
struct AlertTimes {
    next_alert_at: Option<i64>,
    warn_at: Option<i64>,
    due_at: Option<i64>,
    hard_at: Option<i64>,
    soon_at: Option<i64>,
    overdue_at: Option<i64>,
    reminder_at: Option<i64>,
}

/// Computes and stores the alert times of `case_ids`: call it in the same transaction as any
/// write that changes what a case's clock or reminders read (its messages, status and pauses,
/// reminder, reply target, creation time, merges, announced alerts).
pub(crate) fn refresh_alert_times(conn: &Connection, case_ids: &[CaseId]) -> Result<()> {
    if case_ids.is_empty() {
        return Ok(());
    }
    // The moments don't depend on the time they are computed at.
    let ctx = ClockContext::load(conn, DateTime::<Utc>::UNIX_EPOCH)?;
    let mut read = conn.prepare_cached(
        "SELECT k.status, k.merged_into IS NULL, k.waiting_since, coalesce(k.waiting_channel, k.channel), \
                k.first_response_at IS NOT NULL, k.reply_target_mins, k.last_shop_reply_at, k.created_at, k.remind_at \
         FROM cases k WHERE k.id = ?1",
    )?;
    let mut write = conn.prepare_cached(
        "UPDATE cases SET alert_next_at = ?2, clock_warn_at = ?3, clock_due_at = ?4, clock_hard_at = ?5, \
                          clock_soon_at = ?6, clock_overdue_at = ?7, reminder_due_at = ?8 WHERE id = ?1",
    )?;
    for &id in case_ids {
        let row = read
            .query_row([id], |r| {
                Ok(CaseTimes {
                    status: r.get(0)?,
                    open: r.get(1)?,
                    waiting_since: r.get::<_, Option<i64>>(2)?.map(from_ms),
                    fields: ClockFields { waiting_channel: r.get(3)?, answered_before: r.get(4)?, reply_target_mins: r.get(5)? },
                    last_shop_reply_at: r.get::<_, Option<i64>>(6)?.map(from_ms),
                    created_at: from_ms(r.get(7)?),
                    remind_at: r.get::<_, Option<i64>>(8)?.map(from_ms),
                })
            })
            .optional()?;
        let Some(row) = row else { continue };
        let times = if row.open && row.status.is_open() { alert_times(conn, &ctx, id, &row)? } else { AlertTimes::default() };
        write.execute(rusqlite::params![
            id,
            times.next_alert_at,
            times.warn_at,
            times.due_at,
            times.hard_at,
            times.soon_at,
            times.overdue_at,
            times.reminder_at
        ])?;
    }
    Ok(())
}

/// Writes a case's waiting-clock facts, just recomputed from its messages, and the alert times
/// they lead to, in one `UPDATE` ([`refresh_alert_times`] would read back and write the row a
/// second time; filing an email does this once per email). A message just added, `(happened_at,
/// now)`, moves the case's last activity in the same write.
/// `ctx`: the reply-target settings (its `now` is not used: the alert moments don't depend on it).
pub(crate) fn write_clock_facts(
    conn: &Connection,
    ctx: &ClockContext,
    id: CaseId,
    facts: &crate::clock::ClockFacts,
    added: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> Result<()> {
    let mut read = conn.prepare_cached(
        "SELECT k.status, k.merged_into IS NULL, k.channel, k.reply_target_mins, k.created_at, k.remind_at FROM cases k WHERE k.id = ?1",
    )?;
    let row = read
        .query_row([id], |r| {
            Ok(CaseTimes {
                status: r.get(0)?,
                open: r.get(1)?,
                waiting_since: facts.waiting_since,
                fields: ClockFields {
                    waiting_channel: facts.waiting_channel.map_or_else(|| r.get(2), Ok)?,
                    answered_before: facts.first_response_at.is_some(),
                    reply_target_mins: r.get(3)?,
                },
                last_shop_reply_at: facts.last_shop_reply_at,
                created_at: from_ms(r.get(4)?),
                remind_at: r.get::<_, Option<i64>>(5)?.map(from_ms),
            })
        })
        .optional()?;
    let Some(row) = row else { return Ok(()) };
    let times = if row.open && row.status.is_open() { alert_times(conn, ctx, id, &row)? } else { AlertTimes::default() };
    conn.prepare_cached(
        "UPDATE cases SET waiting_since = ?2, first_response_at = ?3, last_shop_reply_at = ?4, waiting_channel = ?5, \
                          alert_next_at = ?6, clock_warn_at = ?7, clock_due_at = ?8, clock_hard_at = ?9, \
                          clock_soon_at = ?10, clock_overdue_at = ?11, reminder_due_at = ?12, \
                          last_activity_at = max(last_activity_at, coalesce(?13, last_activity_at)), \
                          updated_at = coalesce(?14, updated_at) WHERE id = ?1",
    )?
    .execute(rusqlite::params![
        id,
        facts.waiting_since.map(to_ms),
        facts.first_response_at.map(to_ms),
        facts.last_shop_reply_at.map(to_ms),
        facts.waiting_channel,
        times.next_alert_at,
        times.warn_at,
        times.due_at,
        times.hard_at,
        times.soon_at,
        times.overdue_at,
        times.reminder_at,
        added.map(|(happened_at, _)| to_ms(happened_at)),
        added.map(|(_, now)| to_ms(now)),
    ])?;
    Ok(())
}

/// [`refresh_alert_times`] for every open case, and none left on the others: after the
/// settings change, and when the columns are first added.
pub(crate) fn refresh_all_alert_times(conn: &Connection) -> Result<()> {
    conn.execute(
        &format!(
            "UPDATE cases AS k SET alert_next_at = NULL, clock_warn_at = NULL, clock_due_at = NULL, clock_hard_at = NULL, \
             clock_soon_at = NULL, clock_overdue_at = NULL, reminder_due_at = NULL WHERE NOT ({OPEN})"
        ),
        [],
    )?;
    let mut stmt = conn.prepare(&format!("SELECT k.id FROM cases k WHERE {OPEN}"))?;
    let ids = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<CaseId>>>()?;
    refresh_alert_times(conn, &ids)
}

/// What a case's alert times are computed from.
struct CaseTimes {
    status: Status,
    open: bool,
    waiting_since: Option<DateTime<Utc>>,
    fields: ClockFields,
    last_shop_reply_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    remind_at: Option<DateTime<Utc>>,
}

/// The moments an open case's alerts change: each threshold of the current wait's clock
/// (exactly when [`alerts::crossed`] and the clock's state would change), its "remind me" and
/// its automatic reminder; the earliest not yet announced is `next_alert_at`.
fn alert_times(conn: &Connection, ctx: &ClockContext, id: CaseId, case: &CaseTimes) -> Result<AlertTimes> {
    let ms = |t: Option<DateTime<Utc>>| t.map(to_ms);
    let min = |a: Option<i64>, b: Option<i64>| a.into_iter().chain(b).min();
    let mut times = AlertTimes::default();
    // (moment, threshold, the key it is recorded under once announced)
    let mut sources: Vec<(i64, Threshold, i64)> = Vec::new();
    if let Some(at) = ms(case.remind_at) {
        sources.push((at, Threshold::Reminder, at));
    }
    if let Some((threshold, since, due)) =
        alerts::reminder_schedule(case.status, case.last_shop_reply_at, case.created_at, &ctx.settings)
    {
        times.reminder_at = Some(to_ms(due));
        sources.push((to_ms(due), threshold, to_ms(since)));
    }
    let clock = ctx.clock(conn, id, case.status, case.waiting_since, &case.fields)?;
    if let (Some(clock), Some(since)) = (clock.filter(|c| c.state != ClockStateKind::Paused), ms(case.waiting_since)) {
        (times.warn_at, times.due_at, times.hard_at) = (ms(clock.warn_at), ms(clock.due_at), ms(clock.hard_limit_at));
        // sla::evaluate's state: due soon once the counted time reaches the warning share of
        // the target (at once when that share rounds to nothing), overdue at the target or
        // the hard limit. Counted time reaches N seconds exactly at the instant it advances to.
        let warn_secs = clock.target_secs * i64::from(ctx.settings.warn_percent) / 100;
        let warn_state_at = if warn_secs <= 0 { Some(i64::MIN) } else { times.warn_at };
        let due_state_at = if clock.target_secs <= 0 { Some(i64::MIN) } else { times.due_at };
        times.overdue_at = min(due_state_at, times.hard_at);
        times.soon_at = min(min(times.warn_at, warn_state_at), times.overdue_at);
        sources.extend(times.soon_at.map(|at| (at, Threshold::DueSoon, since)));
        sources.extend(times.due_at.map(|at| (at, Threshold::Overdue, since)));
        sources.extend(times.hard_at.map(|at| (at, Threshold::HardLimit, since)));
    }
    times.next_alert_at = first_unannounced(conn, id, &sources)?;
    Ok(times)
}

/// The earliest of a case's alert moments `(at, threshold, key)` not recorded as announced.
fn first_unannounced(conn: &Connection, id: CaseId, sources: &[(i64, Threshold, i64)]) -> Result<Option<i64>> {
    let mut stmt = conn.prepare_cached("SELECT waiting_since, threshold FROM clock_alerts WHERE case_id = ?1")?;
    let fired = stmt.query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(sources
        .iter()
        .filter(|(_, threshold, key)| !fired.iter().any(|(k, t)| k == key && t == threshold.as_str()))
        .map(|(at, _, _)| *at)
        .min())
}

/// After alerts are recorded only `alert_next_at` moves: recomputed from the moments already
/// stored on the case, without evaluating its clock again (the first sweep after an import
/// announces tens of thousands at once).
fn refresh_next_alert(conn: &Connection, case_ids: &[CaseId]) -> Result<()> {
    let settings = load_settings(conn)?;
    let mut read = conn.prepare_cached(
        "SELECT k.status, k.merged_into IS NULL, k.waiting_since, k.last_shop_reply_at, k.created_at, k.remind_at, \
                k.clock_soon_at, k.clock_due_at, k.clock_hard_at FROM cases k WHERE k.id = ?1",
    )?;
    let mut write = conn.prepare_cached("UPDATE cases SET alert_next_at = ?2 WHERE id = ?1")?;
    for &id in case_ids {
        type Row = (Status, bool, Option<i64>, Option<i64>, i64, Option<i64>, [Option<i64>; 3]);
        let row: Option<Row> = read
            .query_row([id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, [r.get(6)?, r.get(7)?, r.get(8)?]))
            })
            .optional()?;
        let Some((status, unmerged, waiting_since, last_shop_reply_at, created_at, remind_at, clock)) = row else { continue };
        if !(unmerged && status.is_open()) {
            continue;
        }
        let mut sources: Vec<(i64, Threshold, i64)> = remind_at.map(|at| (at, Threshold::Reminder, at)).into_iter().collect();
        if let Some((threshold, since, due)) =
            alerts::reminder_schedule(status, last_shop_reply_at.map(from_ms), from_ms(created_at), &settings)
        {
            sources.push((to_ms(due), threshold, to_ms(since)));
        }
        if let Some(since) = waiting_since {
            let thresholds = [Threshold::DueSoon, Threshold::Overdue, Threshold::HardLimit];
            sources.extend(clock.iter().zip(thresholds).filter_map(|(at, threshold)| at.map(|at| (at, threshold, since))));
        }
        write.execute(rusqlite::params![id, first_unannounced(conn, id, &sources)?])?;
    }
    Ok(())
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

#[cfg(test)]
#[path = "sla_equivalence.rs"]
mod equivalence;
