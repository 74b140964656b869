//! Cases and their timelines: messages (what was said, on which channel, when) and events
//! (what changed). The waiting clock's facts are stored on the case and recomputed from the
//! messages in the same transaction as every change to them.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::sla::{ClockContext, ClockFields};
use super::{cached_execute, cached_row, contacts, from_ms, to_ms, truncate, Store};
use crate::clock::{self, ClockInput};
use crate::error::{Error, Result};
use crate::ids::{CaseId, ContactId, EventId, MessageId};
use crate::model::{
    Case, CaseEvent, CasePatch, CaseSummary, CaseView, Channel, ContactRef, Direction, EventKind, Message, NewCase,
    NewMessage, Status, TimelineEntry,
};
use crate::mail;
use crate::model::NewContact;
use crate::account::MailAccount;
use crate::normalize;

/// The name events and shop messages carry when nobody else is named.
pub const DEFAULT_AUTHOR: &str = "Shop";

/// How far in the future a logged message may claim to be (clocks differ a little).
const FUTURE_SLACK_MINUTES: i64 = 5;

const CASE_COLUMNS: &str = "k.id, k.number, k.subject, k.contact_id, k.status, k.priority, k.category, \
    k.fault, k.channel, k.order_ref, k.tracking_ref, k.third_party, k.created_at, k.updated_at, \
    (SELECT m.number FROM cases m WHERE m.id = k.merged_into), k.waiting_since, k.first_response_at, \
    k.last_shop_reply_at, k.reply_target_mins, k.waiting_channel, k.remind_at";

fn case_from_row(r: &Row<'_>) -> rusqlite::Result<Case> {
    Ok(Case {
        id: r.get(0)?,
        number: r.get(1)?,
        subject: r.get(2)?,
        contact_id: r.get(3)?,
        status: r.get(4)?,
        priority: r.get(5)?,
        category: r.get(6)?,
        fault: r.get(7)?,
        channel: r.get(8)?,
        order_ref: r.get(9)?,
        tracking_ref: r.get(10)?,
        third_party: r.get(11)?,
        tags: Vec::new(),
        created_at: from_ms(r.get(12)?),
        updated_at: from_ms(r.get(13)?),
        merged_into: r.get(14)?,
        waiting_since: r.get::<_, Option<i64>>(15)?.map(from_ms),
        first_response_at: r.get::<_, Option<i64>>(16)?.map(from_ms),
        last_shop_reply_at: r.get::<_, Option<i64>>(17)?.map(from_ms),
        reply_target_mins: r.get(18)?,
        waiting_channel: r.get(19)?,
        remind_at: r.get::<_, Option<i64>>(20)?.map(from_ms),
    })
}

pub(super) const SUMMARY_SELECT: &str = "SELECT k.id, k.number, k.subject, k.status, k.priority, \
    k.category, k.channel, k.contact_id, c.name, k.waiting_since, k.last_activity_at, k.created_at, \
    k.waiting_channel, k.first_response_at IS NOT NULL, k.reply_target_mins, k.last_shop_reply_at, \
    k.remind_at \
    FROM cases k JOIN contacts c ON c.id = k.contact_id";

/// A summary row and what its clock needs, before the clock is evaluated.
pub(super) fn summary_from_row(r: &Row<'_>, now: DateTime<Utc>) -> rusqlite::Result<(CaseSummary, ClockFields)> {
    let waiting_since = r.get::<_, Option<i64>>(9)?.map(from_ms);
    let fields = ClockFields {
        waiting_channel: r.get::<_, Option<Channel>>(12)?.unwrap_or(r.get(6)?),
        answered_before: r.get(13)?,
        reply_target_mins: r.get(14)?,
    };
    let summary = CaseSummary {
        id: r.get(0)?,
        number: r.get(1)?,
        subject: r.get(2)?,
        status: r.get(3)?,
        priority: r.get(4)?,
        category: r.get(5)?,
        channel: r.get(6)?,
        contact_id: r.get(7)?,
        contact_name: r.get(8)?,
        waiting_since,
        waiting_secs: clock::waiting_secs(waiting_since, now),
        clock: None,
        last_shop_reply_at: r.get::<_, Option<i64>>(15)?.map(from_ms),
        remind_at: r.get::<_, Option<i64>>(16)?.map(from_ms),
        last_activity_at: from_ms(r.get(10)?),
        created_at: from_ms(r.get(11)?),
    };
    Ok((summary, fields))
}

/// Evaluates the clocks of summaries read with [`summary_from_row`].
pub(super) fn with_clocks(conn: &Connection, rows: Vec<(CaseSummary, ClockFields)>, ctx: &ClockContext) -> Result<Vec<CaseSummary>> {
    rows.into_iter()
        .map(|(mut summary, fields)| {
            summary.clock = ctx.clock(conn, summary.id, summary.status, summary.waiting_since, &fields)?;
            Ok(summary)
        })
        .collect()
}

pub(super) fn summaries_of_contact(conn: &Connection, contact: ContactId, now: DateTime<Utc>) -> Result<Vec<CaseSummary>> {
    let sql = format!("{SUMMARY_SELECT} WHERE k.contact_id = ?1 AND k.merged_into IS NULL ORDER BY k.number DESC");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([contact], |r| summary_from_row(r, now))?.collect::<rusqlite::Result<Vec<_>>>()?;
    with_clocks(conn, rows, &ClockContext::load(conn, now)?)
}

pub(super) fn load_by_number(conn: &Connection, number: u32) -> Result<Case> {
    let sql = format!("SELECT {CASE_COLUMNS} FROM cases k WHERE k.number = ?1");
    let mut case = cached_row(conn, &sql, [number], case_from_row).optional()?.ok_or(Error::NoCase(number))?;
    case.tags = tags_of(conn, case.id)?;
    Ok(case)
}

fn tags_of(conn: &Connection, id: CaseId) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT tag FROM case_tags WHERE case_id = ?1 ORDER BY position")?;
    let rows = stmt.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn write_tags(conn: &Connection, id: CaseId, tags: &[String]) -> Result<()> {
    cached_execute(conn, "DELETE FROM case_tags WHERE case_id = ?1", [id])?;
    for (i, tag) in tags.iter().enumerate() {
        cached_execute(conn, "INSERT INTO case_tags (case_id, tag, position) VALUES (?1, ?2, ?3)", params![id, tag, i as i64])?;
    }
    Ok(())
}

/// Hands out the next case number; numbers only ever go up.
fn next_number(conn: &Connection) -> Result<u32> {
    Ok(cached_row(conn,
        "UPDATE counters SET value = value + 1 WHERE name = 'case_number' RETURNING value",
        [],
        |r| r.get(0),
    )?)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn record_event(
    conn: &Connection,
    case_id: CaseId,
    at: DateTime<Utc>,
    author: &str,
    kind: EventKind,
    field: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<()> {
    cached_execute(conn,
        "INSERT INTO case_events (id, case_id, at, author, kind, field, old_value, new_value)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![EventId::new(), case_id, to_ms(at), author_or_default(author), kind, field, from, to],
    )?;
    Ok(())
}

fn author_or_default(author: &str) -> &str {
    match author.trim() {
        "" => DEFAULT_AUTHOR,
        name => name,
    }
}

/// Checks a message before it is stored and settles its time and author.
fn checked_message(input: &NewMessage, customer_name: &str, now: DateTime<Utc>) -> Result<(DateTime<Utc>, String, String)> {
    let body = input.body.trim().to_string();
    if body.is_empty() {
        let what = match input.direction {
            Direction::Note => "Write the note's text",
            _ => "Write what was said (a line is enough: \"Called back, left a voicemail\")",
        };
        return Err(Error::Invalid(what.into()));
    }
    let happened_at = truncate(input.happened_at.unwrap_or(now));
    if happened_at > now + Duration::minutes(FUTURE_SLACK_MINUTES) {
        return Err(Error::Invalid(format!(
            "The time {} is in the future; give the time it really happened",
            happened_at.format("%Y-%m-%d %H:%M UTC")
        )));
    }
    let author = match (input.author.trim(), input.direction) {
        ("", Direction::FromCustomer) => customer_name.to_string(),
        ("", _) => DEFAULT_AUTHOR.to_string(),
        (name, _) => name.to_string(),
    };
    Ok((happened_at, author, body))
}

/// What a received email adds to its message: the key that makes filing it idempotent and its
/// HTML version, written with the row (one write of the row, not an insert then an update).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Received<'a> {
    pub message_key: Option<&'a str>,
    pub html: Option<&'a str>,
    /// Filed as part of a batch: the case's waiting clock is worked out once, when the batch
    /// ends ([`ClocksLater`]), instead of after each of its emails.
    pub clocks_later: Option<&'a std::cell::RefCell<ClocksLater>>,
    /// It answers a message Shopdesk holds (its In-Reply-To): a quote at its end is that message
    /// again, and is left out of the search index (migration 21).
    pub quote_held: bool,
}

/// The cases a batch of emails added to, whose waiting clocks are worked out as the batch ends:
/// once a case, where after each email a thread of several emails in one batch would have
/// been worked out (and its row and clock indexes written) once an email. A case's clock is
/// computed from all of its messages, so the last computation is the only one that counts;
/// nothing a batch files reads a clock in between.
#[derive(Debug, Default)]
pub(super) struct ClocksLater {
    /// Each case, with the latest time a message added to it happened (`None`: a new case,
    /// whose row has it already).
    cases: std::collections::BTreeMap<CaseId, Option<DateTime<Utc>>>,
}

impl ClocksLater {
    fn note(&mut self, case_id: CaseId, happened_at: Option<DateTime<Utc>>) {
        let latest = self.cases.entry(case_id).or_default();
        *latest = (*latest).max(happened_at);
    }

    /// Works out every noted case's clock, `now` being when the batch was filed. The reply-target
    /// settings are read once for them all (nothing in a batch changes them).
    pub(super) fn refresh(self, conn: &Connection, now: DateTime<Utc>) -> Result<()> {
        if self.cases.is_empty() {
            return Ok(());
        }
        let ctx = ClockContext::load(conn, DateTime::<Utc>::UNIX_EPOCH)?;
        for (case_id, happened_at) in self.cases {
            refresh_clock_with(conn, &ctx, case_id, happened_at.map(|at| (at, now)))?;
        }
        Ok(())
    }
}

fn insert_message(
    conn: &Connection,
    case_id: CaseId,
    input: &NewMessage,
    customer_name: &str,
    automatic: bool,
    received: Received<'_>,
    now: DateTime<Utc>,
) -> Result<Message> {
    let (happened_at, author, body) = checked_message(input, customer_name, now)?;
    let message = Message {
        id: MessageId::new(),
        case_id,
        direction: input.direction,
        channel: input.channel,
        author,
        body,
        happened_at,
        recorded_at: now,
        automatic,
        delivery: None,
        attachments: Vec::new(),
        has_html: received.html.is_some(),
        rating: None,
    };
    // How much of the text the search index holds: all of it, or the reply's own part above
    // a quote of the message it answers (the index holds that message already).
    // (Not for text holding a NUL: SQLite's substr stops there, and would cut the own part short.)
    let indexed_chars = (received.quote_held && !message.body.contains('\0'))
        .then(|| crate::mail::above_trailing_quote(&message.body))
        .flatten()
        .map(|own| own.chars().count() as i64);
    cached_execute(conn,
        "INSERT INTO messages (id, case_id, direction, channel, author, body, happened_at, recorded_at, automatic,
                               message_id, html, indexed_chars)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            message.id,
            case_id,
            message.direction,
            message.channel,
            message.author,
            message.body,
            to_ms(message.happened_at),
            to_ms(message.recorded_at),
            automatic,
            received.message_key,
            received.html,
            indexed_chars
        ],
    )?;
    Ok(message)
}

/// Recomputes the waiting clock of a case from its messages.
pub(super) fn refresh_clock(conn: &Connection, case_id: CaseId) -> Result<()> {
    refresh_clock_after(conn, case_id, None)
}

/// [`refresh_clock`] after a message was added to the case: `(happened_at, now)` also moves its
/// last activity, in the same write.
fn refresh_clock_after(conn: &Connection, case_id: CaseId, added: Option<(DateTime<Utc>, DateTime<Utc>)>) -> Result<()> {
    // The alert moments don't depend on the time they are computed at.
    refresh_clock_with(conn, &ClockContext::load(conn, DateTime::<Utc>::UNIX_EPOCH)?, case_id, added)
}

/// [`refresh_clock_after`] with the reply-target settings read already.
fn refresh_clock_with(conn: &Connection, ctx: &ClockContext, case_id: CaseId, added: Option<(DateTime<Utc>, DateTime<Utc>)>) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.happened_at, m.recorded_at, m.direction, m.channel, m.automatic FROM messages m
         LEFT JOIN outbox o ON o.message_id = m.id
         WHERE m.case_id = ?1 AND (o.state IS NULL OR o.state = 'sent')",
    )?;
    let inputs = stmt
        .query_map([case_id], |r| {
            Ok(ClockInput {
                happened_at: from_ms(r.get(0)?),
                recorded_at: from_ms(r.get(1)?),
                direction: r.get(2)?,
                channel: r.get(3)?,
                automatic: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    super::sla::write_clock_facts(conn, ctx, case_id, &clock::facts(inputs), added)
}

pub(super) fn set_status(conn: &Connection, case: &Case, to: Status, author: &str, now: DateTime<Utc>) -> Result<()> {
    write_status(conn, case, to, author, now)?;
    super::sla::refresh_alert_times(conn, &[case.id])
}

/// [`set_status`] for a caller that refreshes the case's clock next (which computes its alert
/// times again anyway).
fn write_status(conn: &Connection, case: &Case, to: Status, author: &str, now: DateTime<Utc>) -> Result<()> {
    write_status_of(conn, case.id, case.status, to, author, now)
}

/// [`write_status`] of the case `id`, whose status is `from`.
fn write_status_of(conn: &Connection, id: CaseId, from: Status, to: Status, author: &str, now: DateTime<Utc>) -> Result<()> {
    cached_execute(conn,
        "UPDATE cases SET status = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, to, to_ms(now)],
    )?;
    record_event(conn, id, now, author, EventKind::StatusChanged, Some("status"), Some(from.as_str()), Some(to.as_str()))
}

/// The status a case moves to by itself when a message arrives: a customer writing reopens a
/// solved case or one waiting on them; the shop's first visible reply opens a new case.
fn status_after(current: Status, direction: Direction, automatic: bool) -> Option<Status> {
    match (direction, current) {
        (Direction::FromCustomer, Status::Solved | Status::Closed | Status::WaitingOnCustomer) if !automatic => Some(Status::Open),
        (Direction::FromShop, Status::New) if !automatic => Some(Status::Open),
        _ => None,
    }
}

fn write_reminder(
    conn: &Connection,
    case: &Case,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    author: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    write_reminder_only(conn, case, from, to, author, now)?;
    super::sla::refresh_alert_times(conn, &[case.id])
}

/// [`write_reminder`] for a caller that refreshes the case's clock next.
fn write_reminder_only(
    conn: &Connection,
    case: &Case,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    author: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    cached_execute(conn,
        "UPDATE cases SET remind_at = ?2, updated_at = ?3 WHERE id = ?1",
        params![case.id, to.map(to_ms), to_ms(now)],
    )?;
    let show = |t: Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_default();
    record_event(conn, case.id, now, author, EventKind::FieldChanged, Some("reminder"), Some(&show(from)), Some(&show(to)))
}

pub(super) fn refuse_merged(case: &Case) -> Result<()> {
    match case.merged_into {
        Some(into) => Err(Error::Invalid(format!("Case #{} was merged into #{into}; work on #{into} instead", case.number))),
        None => Ok(()),
    }
}

fn timeline(conn: &Connection, case_id: CaseId) -> Result<Vec<TimelineEntry>> {
    let mut entries: Vec<TimelineEntry> = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT id, direction, channel, author, body, happened_at, recorded_at, automatic, html IS NOT NULL,
                (SELECT rating FROM surveys s WHERE s.answer_id = messages.id)
         FROM messages WHERE case_id = ?1",
    )?;
    for m in stmt.query_map([case_id], |r| {
        Ok(Message {
            id: r.get(0)?,
            case_id,
            direction: r.get(1)?,
            channel: r.get(2)?,
            author: r.get(3)?,
            body: r.get(4)?,
            happened_at: from_ms(r.get(5)?),
            recorded_at: from_ms(r.get(6)?),
            automatic: r.get(7)?,
            delivery: None,
            attachments: Vec::new(),
            has_html: r.get(8)?,
            rating: r.get(9)?,
        })
    })? {
        let mut m = m?;
        m.delivery = super::outbox::delivery_of(conn, m.id)?;
        m.attachments = super::outbox::attachments_of(conn, m.id)?;
        entries.push(TimelineEntry::Message(m));
    }
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, author, kind, field, old_value, new_value FROM case_events WHERE case_id = ?1",
    )?;
    for e in stmt.query_map([case_id], |r| {
        Ok(CaseEvent {
            id: r.get(0)?,
            case_id,
            at: from_ms(r.get(1)?),
            author: r.get(2)?,
            kind: r.get(3)?,
            field: r.get(4)?,
            from: r.get(5)?,
            to: r.get(6)?,
        })
    })? {
        entries.push(TimelineEntry::Event(e?));
    }
    // Time order; at equal times the event that created the case comes first, then messages.
    entries.sort_by_key(|e| {
        let rank = match e {
            TimelineEntry::Event(ev) if ev.kind == EventKind::Created => 0,
            TimelineEntry::Message(_) => 1,
            TimelineEntry::Event(_) => 2,
        };
        (e.at(), rank)
    });
    Ok(entries)
}

/// Opens a case with its first message inside the caller's transaction; returns the case and
/// that message.
pub(super) fn open_case_in(tx: &Connection, input: &NewCase, now: DateTime<Utc>) -> Result<(Case, Message)> {
    let (_, number, message) = open_received_case_in(tx, input, Received::default(), now)?;
    Ok((load_by_number(tx, number)?, message))
}

/// [`open_case_in`] for a received email: returns the new case's id and number, without reading
/// the case back (an import files thousands of new cases and needs no more of them).
fn open_received_case_in(tx: &Connection, input: &NewCase, received: Received<'_>, now: DateTime<Utc>) -> Result<(CaseId, u32, Message)> {
    let subject = input.subject.trim();
    if subject.is_empty() {
        return Err(Error::Invalid("Give the case a subject (a few words: \"Parcel not arrived\")".into()));
    }
    let (contact_id, contact_name) = match &input.contact {
        ContactRef::Existing(id) => (*id, contacts::name_of(tx, *id)?),
        ContactRef::New(new) => contacts::insert_new(tx, new, now)?,
    };
    // Check the message before a number is spent on the case.
    let (happened_at, _, _) = checked_message(&input.first_message, &contact_name, now)?;
    let number = next_number(tx)?;
    let id = CaseId::new();
    // The case exists from the moment its first message happened (a voicemail from 9:00).
    let created_at = happened_at.min(now);
    cached_execute(tx,
        "INSERT INTO cases (id, number, subject, contact_id, status, priority, category, fault, channel,
                            created_at, updated_at, last_activity_at)
         VALUES (?1, ?2, ?3, ?4, 'new', ?5, ?6, 'unknown', ?7, ?8, ?9, ?10)",
        params![id, number, subject, contact_id, input.priority, input.category, input.first_message.channel,
                to_ms(created_at), to_ms(now), to_ms(happened_at)],
    )?;
    let message = insert_message(tx, id, &input.first_message, &contact_name, false, received, now)?;
    record_event(tx, id, created_at, &message.author, EventKind::Created, None, None, None)?;
    if let Some(to) = status_after(Status::New, message.direction, false) {
        // The clock, refreshed next, computes the alert times.
        write_status_of(tx, id, Status::New, to, &message.author, now)?;
    }
    match received.clocks_later {
        Some(later) => later.borrow_mut().note(id, None),
        None => refresh_clock(tx, id)?,
    }
    Ok((id, number, message))
}

/// Adds a message to an existing case inside the caller's transaction, with the status and
/// reminder rules and the clock kept in step.
pub(super) fn add_message_in(tx: &Connection, case: &Case, input: &NewMessage, automatic: bool, now: DateTime<Utc>) -> Result<Message> {
    add_received_in(tx, case, input, automatic, Received::default(), now)
}

/// [`add_message_in`] for a received email.
fn add_received_in(tx: &Connection, case: &Case, input: &NewMessage, automatic: bool, received: Received<'_>, now: DateTime<Utc>) -> Result<Message> {
    refuse_merged(case)?;
    // The customer's name is only needed to sign their message when it names nobody (a logged
    // call); an email names its sender.
    let customer_name = match (input.author.trim(), input.direction) {
        ("", Direction::FromCustomer) => contacts::name_of(tx, case.contact_id)?,
        _ => String::new(),
    };
    let message = insert_message(tx, case.id, input, &customer_name, automatic, received, now)?;
    // Status and reminder first, then the clock, which computes the alert times from all of it.
    if let Some(to) = status_after(case.status, message.direction, automatic) {
        write_status(tx, case, to, &message.author, now)?;
    }
    // The owner acting on a case whose reminder has come due settles the reminder.
    let acted = !automatic && message.direction != Direction::FromCustomer;
    if let Some(due) = case.remind_at.filter(|at| acted && *at <= now) {
        write_reminder_only(tx, case, Some(due), None, &message.author, now)?;
    }
    match received.clocks_later {
        Some(later) => later.borrow_mut().note(case.id, Some(message.happened_at)),
        None => refresh_clock_after(tx, case.id, Some((message.happened_at, now)))?,
    }
    Ok(message)
}

impl Store {
    /// Opens a case with its first message (a call, an email, a note…), creating the contact
    /// too when asked. All of it is stored, or nothing.
    pub fn open_case(&mut self, input: &NewCase, now: DateTime<Utc>) -> Result<Case> {
        let tx = self.conn.transaction()?;
        let (case, _) = open_case_in(&tx, input, truncate(now))?;
        super::search_index::commit(tx)?;
        Ok(case)
    }

    pub fn case(&self, number: u32) -> Result<Case> {
        load_by_number(&self.conn, number)
    }

    /// A case with its contact and whole timeline, and how long the customer has waited at `now`.
    pub fn case_view(&self, number: u32, now: DateTime<Utc>) -> Result<CaseView> {
        let case = load_by_number(&self.conn, number)?;
        let contact = contacts::load(&self.conn, case.contact_id)?;
        let timeline = timeline(&self.conn, case.id)?;
        let waiting_secs = clock::waiting_secs(case.waiting_since, now);
        let fields = ClockFields {
            waiting_channel: case.waiting_channel.unwrap_or(case.channel),
            answered_before: case.first_response_at.is_some(),
            reply_target_mins: case.reply_target_mins,
        };
        let clock = ClockContext::load(&self.conn, now)?.clock(&self.conn, case.id, case.status, case.waiting_since, &fields)?;
        Ok(CaseView { case, contact, timeline, waiting_secs, clock })
    }

    /// Adds a message to a case's timeline (it may have happened earlier: its real time
    /// counts for the waiting clock).
    pub fn log_message(&mut self, number: u32, input: &NewMessage, now: DateTime<Utc>) -> Result<Message> {
        self.add_message(number, input, false, now)
    }

    /// Records a message Shopdesk sent by itself (an acknowledgement): it is on the timeline
    /// but does not stop the customer's clock.
    pub fn log_automatic_message(&mut self, number: u32, input: &NewMessage, now: DateTime<Utc>) -> Result<Message> {
        if input.direction != Direction::FromShop {
            return Err(Error::Invalid("Only the shop sends automatic messages".into()));
        }
        self.add_message(number, input, true, now)
    }

    fn add_message(&mut self, number: u32, input: &NewMessage, automatic: bool, now: DateTime<Utc>) -> Result<Message> {
        let now = truncate(now);
        let tx = self.conn.transaction()?;
        let case = load_by_number(&tx, number)?;
        let message = add_message_in(&tx, &case, input, automatic, now)?;
        super::search_index::commit(tx)?;
        Ok(message)
    }

    /// "Remind me" on a case at `at` (`None` clears it): then the case comes back to the top
    /// of the queue and a notification fires.
    pub fn set_reminder(&mut self, number: u32, at: Option<DateTime<Utc>>, author: &str, now: DateTime<Utc>) -> Result<Case> {
        let now = truncate(now);
        let at = at.map(truncate);
        if at.is_some_and(|at| at <= now) {
            return Err(Error::Invalid("Pick a time in the future for the reminder".into()));
        }
        let tx = self.conn.transaction()?;
        let case = load_by_number(&tx, number)?;
        refuse_merged(&case)?;
        if case.remind_at != at {
            write_reminder(&tx, &case, case.remind_at, at, author, now)?;
        }
        let case = load_by_number(&tx, number)?;
        super::search_index::commit(tx)?;
        Ok(case)
    }

    /// Changes the fields `patch` names; each change is recorded on the timeline.
    pub fn update_case(&mut self, number: u32, patch: &CasePatch, author: &str, now: DateTime<Utc>) -> Result<Case> {
        let now = truncate(now);
        let tx = self.conn.transaction()?;
        let case = load_by_number(&tx, number)?;
        refuse_merged(&case)?;
        let mut changes: Vec<(&str, String, String)> = Vec::new();
        let mut text_field = |column: &'static str, old: &str, new: &Option<String>| {
            if let Some(new) = new {
                let new = new.trim().to_string();
                if new != old {
                    changes.push((column, old.to_string(), new));
                }
            }
        };
        if let Some(subject) = &patch.subject {
            if subject.trim().is_empty() {
                return Err(Error::Invalid("The subject can't be empty".into()));
            }
        }
        text_field("subject", &case.subject, &patch.subject);
        text_field("order_ref", &case.order_ref, &patch.order_ref);
        text_field("tracking_ref", &case.tracking_ref, &patch.tracking_ref);
        text_field("third_party", &case.third_party, &patch.third_party);
        let words = [
            ("priority", case.priority.as_str(), patch.priority.map(|v| v.as_str())),
            ("category", case.category.as_str(), patch.category.map(|v| v.as_str())),
            ("fault", case.fault.as_str(), patch.fault.map(|v| v.as_str())),
        ];
        for (column, old, new) in words {
            if let Some(new) = new.filter(|new| *new != old) {
                changes.push((column, old.to_string(), new.to_string()));
            }
        }
        for (column, old, new) in &changes {
            cached_execute(&tx, &format!("UPDATE cases SET {column} = ?2 WHERE id = ?1"), params![case.id, new])?;
            record_event(&tx, case.id, now, author, EventKind::FieldChanged, Some(column), Some(old), Some(new))?;
        }
        let mut changed = !changes.is_empty();
        if let Some(mins) = patch.reply_target_mins {
            let new = (mins > 0).then_some(mins);
            if new != case.reply_target_mins {
                cached_execute(&tx, "UPDATE cases SET reply_target_mins = ?2 WHERE id = ?1", params![case.id, new])?;
                let show = |v: Option<u32>| v.map(|m| format!("{m} min")).unwrap_or_else(|| "channel default".into());
                record_event(&tx, case.id, now, author, EventKind::FieldChanged, Some("reply_target"), Some(&show(case.reply_target_mins)), Some(&show(new)))?;
                super::sla::refresh_alert_times(&tx, &[case.id])?;
                changed = true;
            }
        }
        if let Some(tags) = &patch.tags {
            let tags = normalize::tags(tags);
            if tags != case.tags {
                write_tags(&tx, case.id, &tags)?;
                record_event(&tx, case.id, now, author, EventKind::FieldChanged, Some("tags"), Some(&case.tags.join(", ")), Some(&tags.join(", ")))?;
                changed = true;
            }
        }
        if let Some(status) = patch.status.filter(|s| *s != case.status) {
            set_status(&tx, &case, status, author, now)?;
            changed = true;
        }
        if changed {
            cached_execute(&tx, "UPDATE cases SET updated_at = ?2 WHERE id = ?1", params![case.id, to_ms(now)])?;
        }
        let case = load_by_number(&tx, number)?;
        super::search_index::commit(tx)?;
        Ok(case)
    }

    /// Merges two cases about the same matter: the older number stays, the other's messages
    /// join its timeline, and the other case is closed and points to it.
    pub fn merge_cases(&mut self, a: u32, b: u32, author: &str, now: DateTime<Utc>) -> Result<Case> {
        if a == b {
            return Err(Error::Invalid(format!("Case #{a} can't be merged into itself")));
        }
        let now = truncate(now);
        let (keep_no, gone_no) = (a.min(b), a.max(b));
        let tx = self.conn.transaction()?;
        let keep = load_by_number(&tx, keep_no)?;
        let gone = load_by_number(&tx, gone_no)?;
        refuse_merged(&keep)?;
        refuse_merged(&gone)?;
        cached_execute(&tx, "UPDATE messages SET case_id = ?2 WHERE case_id = ?1", params![gone.id, keep.id])?;
        let mut tags = keep.tags.clone();
        tags.extend(gone.tags.iter().cloned());
        write_tags(&tx, keep.id, &normalize::tags(&tags))?;
        for (column, mine, theirs) in [
            ("order_ref", &keep.order_ref, &gone.order_ref),
            ("tracking_ref", &keep.tracking_ref, &gone.tracking_ref),
            ("third_party", &keep.third_party, &gone.third_party),
        ] {
            if mine.is_empty() && !theirs.is_empty() {
                cached_execute(&tx, &format!("UPDATE cases SET {column} = ?2 WHERE id = ?1"), params![keep.id, theirs])?;
            }
        }
        cached_execute(&tx,
            "UPDATE cases SET last_activity_at = max(last_activity_at, (SELECT last_activity_at FROM cases WHERE id = ?2)),
                              created_at = min(created_at, ?3), updated_at = ?4 WHERE id = ?1",
            params![keep.id, gone.id, to_ms(gone.created_at), to_ms(now)],
        )?;
        let from = format!("#{gone_no}");
        let into = format!("#{keep_no}");
        record_event(&tx, keep.id, now, author, EventKind::Merged, Some("case"), Some(&from), Some(&into))?;
        record_event(&tx, gone.id, now, author, EventKind::Merged, Some("case"), Some(&from), Some(&into))?;
        cached_execute(&tx,
            "UPDATE cases SET merged_into = ?2, status = 'closed', waiting_since = NULL, updated_at = ?3 WHERE id = ?1",
            params![gone.id, keep.id, to_ms(now)],
        )?;
        refresh_clock(&tx, keep.id)?;
        // A customer still waiting in the merged timeline brings a finished case back to the queue.
        let merged = load_by_number(&tx, keep_no)?;
        if merged.waiting_since.is_some() && !merged.status.is_open() {
            set_status(&tx, &merged, Status::Open, author, now)?;
        }
        super::sla::refresh_alert_times(&tx, &[keep.id, gone.id])?;
        let merged = load_by_number(&tx, keep_no)?;
        super::search_index::commit(tx)?;
        Ok(merged)
    }
}

impl Store {
    /// Files several emails in one transaction: an import writes the database and the search
    /// index once per batch instead of once per email. Any error rolls the whole batch back, so
    /// a batch is stored whole or not at all (and importing again picks it up: ingesting is
    /// idempotent).
    pub fn ingest_batch(&mut self, raws: &[Vec<u8>], options: &IngestOptions, now: DateTime<Utc>) -> Result<Vec<Ingested>> {
        self.ingest_batch_then(raws, parse_raw, options, now, None, |_| Ok(()))
    }

    /// [`Store::ingest_batch`] of emails parsed already (an import parses the next batch on
    /// another thread while this one is filed): all of them, or with a `budget` only as many
    /// as fit in it (at least one), the transaction committed once it has taken that long.
    /// Returns what became of each email filed, in order; the caller passes the rest again.
    pub fn ingest_parsed(
        &mut self,
        emails: &[mail::ParsedEmail],
        options: &IngestOptions,
        now: DateTime<Utc>,
        budget: Option<std::time::Duration>,
    ) -> Result<Vec<Ingested>> {
        let until = budget.map(|budget| std::time::Instant::now() + budget);
        self.ingest_batch_then(emails, std::borrow::Cow::Borrowed, options, now, until, |_| Ok(()))
    }

    /// Files a batch of emails fetched from `mailbox` and records `cursor` (where intake now
    /// stands) in the same transaction: after a crash the cursor never points past an email that
    /// is not stored, nor behind one that is, so the next fetch neither loses nor downloads again
    /// anything filed before it.
    pub fn ingest_fetched(
        &mut self,
        mailbox: &str,
        cursor: crate::mail::imap::Cursor,
        raws: &[Vec<u8>],
        options: &IngestOptions,
        now: DateTime<Utc>,
    ) -> Result<Vec<Ingested>> {
        self.ingest_batch_then(raws, parse_raw, options, now, None, |s| s.set_imap_cursor(mailbox, cursor))
    }

    /// [`Store::ingest_batch`] (stopping early, after at least one email, once `until` has
    /// passed), then `then` inside the same transaction.
    fn ingest_batch_then<'a, T>(
        &mut self,
        items: &'a [T],
        parse: impl Fn(&'a T) -> std::borrow::Cow<'a, mail::ParsedEmail>,
        options: &IngestOptions,
        now: DateTime<Utc>,
        until: Option<std::time::Instant>,
        then: impl FnOnce(&mut Self) -> Result<()>,
    ) -> Result<Vec<Ingested>> {
        // Read before the write lock is taken, and the batch's files stored together.
        let emails: Vec<std::borrow::Cow<'a, mail::ParsedEmail>> = items.iter().map(parse).collect();
        self.store_attachments(emails.iter().flat_map(|e| e.attachments.iter()))?;
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        // Read once per batch (under the write lock): nothing in a batch changes it. The batch's
        // rows are indexed for search together, before it commits.
        let account = match super::search_index::defer(&self.conn).map_err(Error::from).and_then(|()| self.mail_account()) {
            Ok(account) => account,
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        };
        let mut done = Vec::with_capacity(items.len());
        let clocks = std::cell::RefCell::new(ClocksLater::default());
        for email in &emails {
            if until.is_some_and(|until| !done.is_empty() && std::time::Instant::now() >= until) {
                break;
            }
            match self.file_email(email, options, &account, Some(&clocks), now) {
                Ok(got) => done.push(got),
                Err(e) => {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    return Err(e);
                }
            }
        }
        let finished = clocks
            .into_inner()
            .refresh(&self.conn, truncate(now))
            .and_then(|()| then(self))
            .and_then(|()| Ok(super::search_index::index_pending(&self.conn)?));
        if let Err(e) = finished {
            let _ = self.conn.execute_batch("ROLLBACK");
            return Err(e);
        }
        if let Err(e) = self.conn.execute_batch("COMMIT") {
            let _ = self.conn.execute_batch("ROLLBACK");
            return Err(e.into());
        }
        Ok(done)
    }
}

impl Store {
    /// Closes those of the cases `numbers` (an import's new cases) that are still open and
    /// whose last message happened before `quiet_before`; returns their numbers. Each is a
    /// status change on the timeline by "Shopdesk" (see `ImportOptions::close_quiet_days`).
    ///
    /// `reopened`: `numbers` are cases the import added older mail to. Of those, only the ones an import closed
    /// as quiet before (their timeline says Shopdesk closed them) are closed again when still
    /// quiet: the import's old mail reopened them (a thread cut by a stopped import, or a second
    /// archive of the same years), not the customer. A case the shop had open is left as it is.
    pub fn close_quiet_cases(&mut self, numbers: &[u32], reopened: bool, quiet_before: DateTime<Utc>, now: DateTime<Utc>) -> Result<Vec<u32>> {
        let now = truncate(now);
        let tx = self.conn.transaction()?;
        let mut closed = Vec::new();
        let closed_as_quiet = |tx: &rusqlite::Transaction<'_>, number: u32| -> rusqlite::Result<bool> {
            cached_row(
                tx,
                "SELECT EXISTS (SELECT 1 FROM case_events e JOIN cases k ON k.id = e.case_id WHERE k.number = ?1
                 AND e.kind = 'status_changed' AND e.new_value = 'closed' AND e.author = ?2)",
                rusqlite::params![number, super::sla::AUTOMATIC_AUTHOR],
                |r| r.get(0),
            )
        };
        for &number in numbers {
            let last: Option<i64> = cached_row(&tx, "SELECT last_activity_at FROM cases WHERE number = ?1", [number], |r| r.get(0)).optional()?;
            if last.is_none_or(|last| from_ms(last) >= quiet_before) {
                continue;
            }
            if reopened && !closed_as_quiet(&tx, number)? {
                continue;
            }
            let case = load_by_number(&tx, number)?;
            if case.merged_into.is_none() && case.status.is_open() {
                set_status(&tx, &case, Status::Closed, super::sla::AUTOMATIC_AUTHOR, now)?;
                closed.push(number);
            }
        }
        super::search_index::commit(tx)?;
        Ok(closed)
    }
}

fn parse_raw<R: AsRef<[u8]>>(raw: &R) -> std::borrow::Cow<'_, mail::ParsedEmail> {
    std::borrow::Cow::Owned(mail::parse(raw.as_ref()))
}

/// What became of one email given to [`Store::ingest_email`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Ingested {
    pub case_number: u32,
    pub new_case: bool,
    pub new_contact: bool,
    /// Already stored (same Message-ID, or the same bytes): nothing was written.
    pub duplicate: bool,
    /// An acknowledgement with the case number was queued for the sender.
    pub acknowledged: bool,
    /// Written to the message too, so the timeline shows what could not be understood.
    pub warnings: Vec<String>,
}

/// Where an email comes from decides what Shopdesk does besides filing it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IngestOptions {
    /// Fresh mail from the shop's mailbox: acknowledge a new case when the account says so.
    /// Off for imports of past mail.
    pub acknowledge: bool,
}

/// The number of the case holding the stored email with this Message-ID (or content key).
fn case_of_email(conn: &Connection, message_id: &str) -> Result<Option<u32>> {
    Ok(cached_row(conn,
            "SELECT c.number FROM messages m JOIN cases c ON c.id = m.case_id WHERE m.message_id = ?1",
            [message_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// The case holding the stored email with this Message-ID, read in the same query; without its
/// tags (filing an email does not read them).
fn case_row_of_email(conn: &Connection, message_id: &str) -> Result<Option<Case>> {
    let sql = format!("SELECT {CASE_COLUMNS} FROM messages x JOIN cases k ON k.id = x.case_id WHERE x.message_id = ?1");
    Ok(cached_row(conn, &sql, [message_id], case_from_row).optional()?)
}

/// The case an email belongs to: the case of a message it replies to, else the one its subject
/// tags ("[#1042]"), following merges. For filing: the case's tags may not be read.
fn thread_case(tx: &Connection, email: &mail::ParsedEmail) -> Result<Threaded> {
    let mut number: Option<u32> = None;
    let mut answers_held = false;
    for (i, id) in email.thread_ids.iter().enumerate() {
        if let Some(case) = case_row_of_email(tx, id)? {
            // The message it answers (In-Reply-To), not only an earlier one of the thread
            // (References): what it quotes is the message it answers.
            answers_held = i < email.in_reply_to_ids;
            match case.merged_into {
                None => return Ok(Threaded { case: Some(case), answers_held }),
                Some(into) => number = Some(into),
            }
            break;
        }
    }
    let Some(mut number) = number.or_else(|| mail::case_tag(&email.subject)) else {
        return Ok(Threaded { case: None, answers_held });
    };
    for _ in 0..16 {
        match load_by_number(tx, number) {
            Ok(case) => match case.merged_into {
                Some(into) => number = into,
                None => return Ok(Threaded { case: Some(case), answers_held }),
            },
            Err(Error::NoCase(_)) => return Ok(Threaded { case: None, answers_held }),
            Err(e) => return Err(e),
        }
    }
    Ok(Threaded { case: None, answers_held })
}

/// The case an email continues, and whether it answers a message Shopdesk holds.
struct Threaded {
    case: Option<Case>,
    /// Its In-Reply-To is a stored message: the email answers a message Shopdesk holds.
    answers_held: bool,
}

impl Store {
    /// Files one received email: on the case it answers (by In-Reply-To/References, then a
    /// "[#NNNN]" tag), else on a new case; from the contact with that email, else a new
    /// contact. Idempotent by Message-ID. A message that can't be understood is still stored.
    pub fn ingest_email(&mut self, raw: &[u8], now: DateTime<Utc>) -> Result<Ingested> {
        self.ingest_email_with(raw, &IngestOptions::default(), now)
    }

    /// [`Store::ingest_email`], with the choices that depend on where the email came from.
    pub fn ingest_email_with(&mut self, raw: &[u8], options: &IngestOptions, now: DateTime<Utc>) -> Result<Ingested> {
        let email = mail::parse(raw);
        self.store_attachments(&email.attachments)?;
        if !self.conn.is_autocommit() {
            // Inside the caller's transaction: a savepoint, so an error undoes this email alone.
            self.conn.execute_batch("SAVEPOINT ingest_email")?;
            let filed = self.mail_account().and_then(|account| self.file_email(&email, options, &account, None, now));
            let end = if filed.is_ok() { "RELEASE ingest_email" } else { "ROLLBACK TO ingest_email; RELEASE ingest_email" };
            self.conn.execute_batch(end)?;
            // Indexed now, whoever ends the transaction.
            super::search_index::catch_up(&self.conn)?;
            return filed;
        }
        // Alone: its own transaction, with the write lock taken first (see Store::setup), and
        // indexed for search before it commits (search_index::commit).
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let filed = self.mail_account().and_then(|account| self.file_email(&email, options, &account, None, now));
        match filed.and_then(|got| Ok(super::search_index::catch_up(&self.conn).map(|()| got)?)) {
            Ok(got) => match self.conn.execute_batch("COMMIT") {
                Ok(()) => Ok(got),
                Err(e) => {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    Err(e.into())
                }
            },
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Files one email; in a batch, its case's clock is noted in `clocks_later` for the batch's end.
    fn file_email(
        &mut self,
        email: &mail::ParsedEmail,
        options: &IngestOptions,
        account: &MailAccount,
        clocks_later: Option<&std::cell::RefCell<ClocksLater>>,
        now: DateTime<Utc>,
    ) -> Result<Ingested> {
        let now = truncate(now);
        // Its attachment files are stored already: its callers store them first (a batch all of
        // its emails' together), so a database row never points at a file that isn't there.
        // Always inside a transaction its caller rolls back on an error. Not a savepoint of its
        // own: SQLite would copy every page the email changes to the savepoint's journal first
        // (~24 pages an email in an import), for an undo no batch uses (an error ends the batch).
        debug_assert!(!self.conn.is_autocommit());
        let tx: &Connection = &self.conn;
        if let Some(case_number) = case_of_email(tx, &email.message_key)? {
            return Ok(Ingested { case_number, new_case: false, new_contact: false, duplicate: true, acknowledged: false, warnings: vec![] });
        }
        let mut warnings = email.warnings.clone();
        let happened_at = match email.date {
            Some(date) if date > now + Duration::minutes(FUTURE_SLACK_MINUTES) => {
                warnings.push("The email is dated in the future; the time it arrived is used.".into());
                now
            }
            Some(date) => date,
            None => now,
        };
        let mut body = if email.text.is_empty() { "(the email has no text)".to_string() } else { email.text.clone() };
        if !warnings.is_empty() {
            body = format!("{body}\n\n[Shopdesk: {}]", warnings.join(" "));
        }
        let from_shop = !account.from_address.is_empty() && email.from_email.as_deref() == Some(account.from_address.as_str());
        let Threaded { case: thread, answers_held } = thread_case(tx, email)?;
        let received = Received { message_key: Some(&email.message_key), html: email.html.as_deref(), clocks_later, quote_held: answers_held };
        let message = NewMessage {
            // The shop's own mail on a known conversation (a reply sent from webmail, a copy
            // to itself) is the shop's; anything else from its address is still filed, as sent.
            direction: if from_shop { Direction::FromShop } else { Direction::FromCustomer },
            channel: Channel::Email,
            author: email.from_name.clone().or_else(|| email.from_email.clone()).unwrap_or_default(),
            body,
            happened_at: Some(happened_at),
        };
        // Whom the conversation is with: the sender, or for the shop's own mail (its Sent
        // folder imported) the first recipient.
        let (their_email, their_name) = if from_shop {
            (email.to_email.clone(), email.to_name.clone())
        } else if email.reply_to_email.is_some() {
            // A contact form sends from its own no-reply address; the customer is in Reply-To.
            (email.reply_to_email.clone(), email.reply_to_name.clone().or_else(|| email.from_name.clone()))
        } else {
            (email.from_email.clone(), email.from_name.clone())
        };
        let (case_id, case_number, stored, new_case, new_contact) = match thread {
            Some(case) => {
                // The shop's own robot mail coming back (a vacation reply, an acknowledgement
                // whose Message-ID the provider rewrote) answers nobody.
                // A customer's answer to a satisfaction check: a good rating is recorded without
                // bringing the case back; a low one or a question reopens it like any email.
                let rating = if from_shop { None } else { super::surveys::rating_for(tx, case.id, &email.text)? };
                let settled = rating.as_ref().is_some_and(|r| !crate::surveys::needs_the_owner(r));
                let stored = add_received_in(tx, &case, &message, (from_shop && email.auto_generated) || settled, received, now)?;
                if let Some(rating) = &rating {
                    super::surveys::record_answer(tx, case.id, rating, stored.id, now)?;
                }
                (case.id, case.number, stored, false, false)
            }
            None => {
                // Only a new case needs its contact (a reply goes on its case, with that case's).
                let sender: Option<ContactId> = match &their_email {
                    Some(address) => cached_row(tx, "SELECT contact_id FROM contact_emails WHERE email = ?1", [address], |r| r.get(0))
                        .optional()?,
                    None => None,
                };
                let contact = match sender {
                    Some(id) => ContactRef::Existing(id),
                    None => {
                        let address = their_email.clone().filter(|a| normalize::email(a).is_ok());
                        let name = their_name
                            .as_deref()
                            .and_then(normalize::display_name)
                            .or_else(|| address.as_ref().and_then(|a| a.split('@').next()).and_then(normalize::display_name))
                            .unwrap_or_else(|| "Unknown sender".into());
                        ContactRef::New(NewContact { name, emails: address.into_iter().collect(), ..NewContact::default() })
                    }
                };
                let new_contact = matches!(contact, ContactRef::New(_));
                let input = NewCase {
                    contact,
                    subject: Some(mail::clean_subject(&email.subject))
                        .filter(|s| !s.trim().is_empty())
                        .unwrap_or_else(|| "(no subject)".into()),
                    priority: crate::model::Priority::Normal,
                    category: crate::model::Category::Other,
                    first_message: message,
                };
                let (id, number, stored) = open_received_case_in(tx, &input, received, now)?;
                (id, number, stored, true, new_contact)
            }
        };
        for (position, attachment) in email.attachments.iter().enumerate() {
            cached_execute(tx,
                "INSERT INTO attachments (message_id, position, filename, content_type, size, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![stored.id, position as i64, attachment.filename, attachment.content_type, attachment.data.len() as i64, attachment.hash],
            )?;
        }
        if !from_shop {
            super::orders::link_mentioned_order(tx, case_id, case_number, &email.subject, &email.text, now)?;
        }
        let acknowledged = new_case
            && !from_shop
            && options.acknowledge
            && super::outbox::acknowledge_in(tx, &load_by_number(tx, case_number)?, email, account, now)?;
        Ok(Ingested { case_number, new_case, new_contact, duplicate: false, acknowledged, warnings })
    }
}
