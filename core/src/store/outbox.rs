//! The outbox: every email the shop writes from Shopdesk is committed (on the timeline and
//! here) before anything is sent, then sent by a worker that claims what is due. A failed
//! attempt is retried with backoff; a refused one is held for the owner. An attempt under way
//! holds a lease: if the app dies mid-send, the lease lapses and the email is sent again with
//! the same Message-ID, so the customer's mail client shows it once.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::cases::{add_message_in, load_by_number, refresh_clock, refuse_merged};
use super::sla::{read_setting, write_setting};
use super::{from_ms, to_ms, truncate, Store};
use crate::account::MailAccount;
use crate::error::{Error, Result};
use crate::ids::{CaseId, MessageId};
use crate::mail::MailStatus;
use crate::model::{
    Attachment, Channel, Delivery, DeliveryState, Direction, Message, NewMessage, OutboxEntry, OutgoingKind,
    TimelineEntry,
};

const ACCOUNT_KEY: &str = "mail_account";
const STATUS_KEY: &str = "mail_status";

/// How long one send attempt may hold an email before another worker may take it up.
pub const SEND_LEASE: Duration = Duration::minutes(5);

/// Sent emails stay in the outbox list this long.
const RECENTLY_SENT: Duration = Duration::days(2);

/// One email ready to go: everything the SMTP side needs.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingMail {
    pub message_id: MessageId,
    /// The RFC 5322 Message-ID, without angle brackets; fixed when the email was written.
    pub rfc_message_id: String,
    pub kind: OutgoingKind,
    pub to: String,
    pub to_name: String,
    pub subject: String,
    pub body: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// When the shop wrote it (the Date header).
    pub written_at: DateTime<Utc>,
}

/// The wait before the next attempt after `attempts` failures: soon at first, then every
/// quarter hour, so a server that comes back is noticed within 15 minutes.
pub fn backoff(attempts: u32) -> Duration {
    Duration::minutes(match attempts {
        0 | 1 => 1,
        2 => 2,
        3 => 5,
        4 => 10,
        _ => 15,
    })
}

/// "within 2 hours", for the acknowledgement's promise.
pub fn promise_phrase(minutes: u32) -> String {
    let plural = |n: u32, word: &str| if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") };
    if minutes % 1440 == 0 {
        format!("within {}", plural(minutes / 1440, "day"))
    } else if minutes % 60 == 0 {
        format!("within {}", plural(minutes / 60, "hour"))
    } else {
        format!("within {}", plural(minutes, "minute"))
    }
}

pub(super) fn delivery_of(conn: &Connection, id: MessageId) -> Result<Option<Delivery>> {
    let mut stmt = conn.prepare_cached(
        "SELECT state, kind, to_addr, subject, send_after, scheduled, attempts, last_error, sent_at
         FROM outbox WHERE message_id = ?1",
    )?;
    Ok(stmt
        .query_row([id], |r| {
            Ok(Delivery {
                state: r.get(0)?,
                kind: r.get(1)?,
                to: r.get(2)?,
                subject: r.get(3)?,
                next_attempt_at: from_ms(r.get(4)?),
                scheduled: r.get(5)?,
                attempts: r.get(6)?,
                last_error: r.get(7)?,
                sent_at: r.get::<_, Option<i64>>(8)?.map(from_ms),
            })
        })
        .optional()?)
}

pub(super) fn attachments_of(conn: &Connection, id: MessageId) -> Result<Vec<Attachment>> {
    let mut stmt = conn.prepare_cached(
        "SELECT filename, content_type, size, hash FROM attachments WHERE message_id = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(Attachment { filename: r.get(0)?, content_type: r.get(1)?, size: r.get(2)?, hash: r.get(3)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The case's earlier emails, oldest first: what a reply's References carry.
fn thread_of(conn: &Connection, case_id: CaseId) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT message_id FROM messages WHERE case_id = ?1 AND message_id IS NOT NULL
           AND message_id NOT LIKE 'sha256:%' ORDER BY happened_at, recorded_at",
    )?;
    let rows = stmt.query_map([case_id], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The latest email the customer sent on the case: the one a reply answers.
fn last_customer_email(conn: &Connection, case_id: CaseId) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT message_id FROM messages WHERE case_id = ?1 AND direction = 'from_customer'
               AND message_id IS NOT NULL AND message_id NOT LIKE 'sha256:%'
             ORDER BY happened_at DESC, recorded_at DESC LIMIT 1",
            [case_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// A reply's subject: the case's, with "Re:" and its number so answers find their way back.
pub fn reply_subject(case_subject: &str, number: u32) -> String {
    let subject = crate::mail::clean_subject(case_subject);
    let tag = format!("[#{number}]");
    if subject.contains(&tag) {
        format!("Re: {subject}")
    } else {
        format!("Re: {subject} {tag}")
    }
}

/// A body with the shop's signature under the usual "-- " line.
pub(super) fn signed(body: &str, signature: &str) -> String {
    let body = body.trim_end();
    let signature = signature.trim();
    if signature.is_empty() {
        body.to_string()
    } else {
        format!("{body}\n\n-- \n{signature}")
    }
}

/// Writes a timeline message and its outbox row in the open transaction.
#[allow(clippy::too_many_arguments)]
pub(super) fn queue_in(
    tx: &Connection,
    case: &crate::model::Case,
    kind: OutgoingKind,
    to: &str,
    author: &str,
    body: String,
    send_at: Option<DateTime<Utc>>,
    account: &MailAccount,
    now: DateTime<Utc>,
) -> Result<Message> {
    // Acknowledgements and satisfaction checks are Shopdesk's own: they don't answer the customer.
    let automatic = kind != OutgoingKind::Reply;
    let input = NewMessage { direction: Direction::FromShop, channel: Channel::Email, author: author.to_string(), body, happened_at: Some(now) };
    let in_reply_to = last_customer_email(tx, case.id)?;
    let mut references = thread_of(tx, case.id)?;
    if references.len() > 20 {
        references.drain(..references.len() - 20);
    }
    let mut message = add_message_in(tx, case, &input, automatic, now)?;
    let rfc_id = format!("{}@{}", uuid::Uuid::now_v7().simple(), account.message_id_domain());
    tx.execute("UPDATE messages SET message_id = ?2 WHERE id = ?1", params![message.id, rfc_id])?;
    let subject = reply_subject(&case.subject, case.number);
    let send_after = send_at.map(truncate).unwrap_or(now);
    tx.execute(
        "INSERT INTO outbox (message_id, kind, to_addr, subject, in_reply_to, refs, state, send_after, scheduled)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7, ?8)",
        params![message.id, kind, to, subject, in_reply_to, references.join(" "), to_ms(send_after), send_at.is_some()],
    )?;
    // Not sent yet: the customer is still waiting until it goes out.
    refresh_clock(tx, case.id)?;
    message.delivery = delivery_of(tx, message.id)?;
    Ok(message)
}

/// Queues the acknowledgement of a new case opened by `email`, unless the rules say no: never
/// to a robot (RFC 3834), at most one per sender a day, only for fresh mail. True when queued.
pub(super) fn acknowledge_in(
    tx: &Connection,
    case: &crate::model::Case,
    email: &crate::mail::ParsedEmail,
    account: &MailAccount,
    now: DateTime<Utc>,
) -> Result<bool> {
    let Some(sender) = email.from_email.as_deref() else { return Ok(false) };
    if !account.acknowledge || !account.can_send() || email.auto_generated || crate::normalize::email(sender).is_err() {
        return Ok(false);
    }
    // Old mail (a first fetch of a full mailbox) is not acknowledged days later.
    if email.date.is_some_and(|date| now - date > Duration::hours(24)) {
        return Ok(false);
    }
    let recent: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM outbox o JOIN messages m ON m.id = o.message_id
                        WHERE o.to_addr = ?1 AND o.kind = 'acknowledgement' AND m.recorded_at > ?2)",
        params![sender, to_ms(now - Duration::hours(24))],
        |r| r.get(0),
    )?;
    if recent {
        return Ok(false);
    }
    let settings = super::sla::load_settings(tx)?;
    let target = settings.first_reply_mins.get(&Channel::Email).copied().unwrap_or(120);
    let name = email.from_name.as_deref().and_then(|n| n.split_whitespace().next()).unwrap_or("there");
    let body = account
        .fill(&account.acknowledgement_text, case.number, name, &case.subject)
        .replace("{reply_time}", &promise_phrase(target));
    queue_in(tx, case, OutgoingKind::Acknowledgement, sender, super::sla::AUTOMATIC_AUTHOR, signed(&body, &account.signature), None, account, now)?;
    Ok(true)
}

fn case_of_message(conn: &Connection, id: MessageId) -> Result<(CaseId, u32)> {
    conn.query_row(
        "SELECT c.id, c.number FROM messages m JOIN cases c ON c.id = m.case_id WHERE m.id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or_else(|| Error::Invalid("That message no longer exists".into()))
}

impl Store {
    pub fn mail_account(&self) -> Result<MailAccount> {
        read_setting(&self.conn, ACCOUNT_KEY)
    }

    /// Saves the account after checking it; returns what was saved.
    pub fn set_mail_account(&mut self, account: &MailAccount) -> Result<MailAccount> {
        let account = account.validated()?;
        write_setting(&self.conn, ACCOUNT_KEY, &account)?;
        Ok(account)
    }

    /// Writes a reply to the case's customer by email: on the timeline and in the outbox at
    /// once, to be sent at `send_at` (now when `None`). Nothing goes over the network here.
    pub fn queue_reply(
        &mut self,
        number: u32,
        body: &str,
        send_at: Option<DateTime<Utc>>,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<Message> {
        let now = truncate(now);
        if body.trim().is_empty() {
            return Err(Error::Invalid("Write the reply before sending it".into()));
        }
        let unfilled = crate::templates::placeholders_in(body);
        if !unfilled.is_empty() {
            let names: Vec<String> = unfilled.iter().map(|p| format!("{{{p}}}")).collect();
            return Err(Error::Invalid(format!(
                "Fill in {} before sending: the customer would see it as written",
                names.join(", ")
            )));
        }
        if send_at.is_some_and(|at| at <= now) {
            return Err(Error::Invalid("Pick a time in the future to send it later".into()));
        }
        let account = self.mail_account()?;
        if !account.can_send() {
            return Err(Error::Invalid(
                "Set up the shop's mail account in Settings before sending emails from Shopdesk".into(),
            ));
        }
        let tx = self.conn.transaction()?;
        let case = load_by_number(&tx, number)?;
        refuse_merged(&case)?;
        let contact = super::contacts::load(&tx, case.contact_id)?;
        let Some(to) = contact.emails.first().cloned() else {
            return Err(Error::Invalid(format!(
                "{} has no email address: add one to the contact to reply by email",
                contact.name
            )));
        };
        let message = queue_in(&tx, &case, OutgoingKind::Reply, &to, author, signed(body, &account.signature), send_at, &account, now)?;
        super::search_index::commit(tx)?;
        Ok(message)
    }

    /// One click on a customer who went quiet: the saved follow-up text, filled in for this
    /// case, goes to the outbox like any reply.
    pub fn queue_follow_up(&mut self, number: u32, author: &str, now: DateTime<Utc>) -> Result<Message> {
        let account = self.mail_account()?;
        let case = self.case(number)?;
        if case.status != crate::model::Status::WaitingOnCustomer {
            return Err(Error::Invalid(format!(
                "Case #{number} is not waiting on the customer; write to them from the case instead"
            )));
        }
        let contact = self.contact(case.contact_id)?;
        let first_name = contact.name.split_whitespace().next().unwrap_or("there").to_string();
        let text = if account.follow_up_text.trim().is_empty() { crate::account::DEFAULT_FOLLOW_UP } else { &account.follow_up_text };
        let body = account.fill(text, number, &first_name, &case.subject);
        self.queue_reply(number, &body, None, author, now)
    }

    /// Takes the emails due at `now` for one send attempt each (a lease of [`SEND_LEASE`]).
    pub fn claim_due_mail(&mut self, now: DateTime<Utc>, limit: u32) -> Result<Vec<OutgoingMail>> {
        let now = truncate(now);
        let tx = self.conn.transaction()?;
        let ids: Vec<MessageId> = {
            let mut stmt = tx.prepare_cached(
                "SELECT message_id FROM outbox WHERE state = 'queued' AND send_after <= ?1
                   AND (lease_until IS NULL OR lease_until <= ?1)
                 ORDER BY send_after LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![to_ms(now), limit], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut claimed = Vec::with_capacity(ids.len());
        for id in ids {
            tx.execute(
                "UPDATE outbox SET lease_until = ?2, attempts = attempts + 1 WHERE message_id = ?1",
                params![id, to_ms(now + SEND_LEASE)],
            )?;
            claimed.push(tx.query_row(
                "SELECT o.kind, o.to_addr, o.subject, o.in_reply_to, o.refs, m.body,
                        -- A reply scheduled for later is dated when it goes, not when it was written.
                        CASE WHEN o.scheduled THEN max(m.recorded_at, o.send_after) ELSE m.recorded_at END, m.message_id,
                        COALESCE((SELECT c.name FROM contact_emails e JOIN contacts c ON c.id = e.contact_id
                                  WHERE e.email = o.to_addr), '')
                 FROM outbox o JOIN messages m ON m.id = o.message_id WHERE o.message_id = ?1",
                [id],
                |r| {
                    Ok(OutgoingMail {
                        message_id: id,
                        kind: r.get(0)?,
                        to: r.get(1)?,
                        subject: r.get(2)?,
                        in_reply_to: r.get(3)?,
                        references: r.get::<_, String>(4)?.split_whitespace().map(str::to_string).collect(),
                        body: r.get(5)?,
                        written_at: from_ms(r.get(6)?),
                        rfc_message_id: r.get(7)?,
                        to_name: r.get(8)?,
                    })
                },
            )?);
        }
        super::search_index::commit(tx)?;
        Ok(claimed)
    }

    /// The server took the email: it is sent, and it now answers the customer (their clock stops
    /// at the moment it went out).
    pub fn record_sent(&mut self, id: MessageId, now: DateTime<Utc>) -> Result<()> {
        let now = truncate(now);
        let tx = self.conn.transaction()?;
        let (case_id, _) = case_of_message(&tx, id)?;
        // Sent is the truth, whatever was asked meanwhile; a second report changes nothing.
        let changed = tx.execute(
            "UPDATE outbox SET state = 'sent', sent_at = ?2, lease_until = NULL, last_error = NULL
             WHERE message_id = ?1 AND state != 'sent'",
            params![id, to_ms(now)],
        )?;
        if changed == 0 {
            return Ok(());
        }
        tx.execute("UPDATE messages SET happened_at = ?2 WHERE id = ?1", params![id, to_ms(now)])?;
        refresh_clock(&tx, case_id)?;
        tx.execute("UPDATE cases SET updated_at = ?2, last_activity_at = ?2 WHERE id = ?1", params![case_id, to_ms(now)])?;
        super::search_index::commit(tx)?;
        Ok(())
    }

    /// The attempt failed: try again later, or (`permanent`: the server refused the email or
    /// the login) hold it until the owner retries.
    pub fn record_send_failure(&mut self, id: MessageId, error: &str, permanent: bool, now: DateTime<Utc>) -> Result<()> {
        let now = truncate(now);
        let attempts: u32 = self.conn.query_row("SELECT attempts FROM outbox WHERE message_id = ?1", [id], |r| r.get(0))?;
        let (state, next) = if permanent { (DeliveryState::Held, now) } else { (DeliveryState::Queued, now + backoff(attempts)) };
        // Only an attempt under way is answered: a late report never undoes a send.
        self.conn.execute(
            "UPDATE outbox SET state = ?2, send_after = ?3, lease_until = NULL, last_error = ?4
             WHERE message_id = ?1 AND state = 'queued'",
            params![id, state, to_ms(next), error],
        )?;
        let status = MailStatus { last_send_error: Some(error.to_string()), ..self.mail_status_doc()? };
        write_setting(&self.conn, STATUS_KEY, &status)?;
        Ok(())
    }

    /// "Send now": a waiting, scheduled or held email goes out at the next pass.
    pub fn retry_outgoing(&mut self, id: MessageId, now: DateTime<Utc>) -> Result<Message> {
        let sql = "UPDATE outbox SET state = 'queued', send_after = ?2, scheduled = 0, lease_until = NULL, restored = 0
                   WHERE message_id = ?1 AND state IN ('queued', 'held') AND (lease_until IS NULL OR lease_until <= ?2)";
        self.change_outgoing(id, sql, params![id, to_ms(truncate(now))], now)
    }

    /// Stops an email that has not gone out; it stays on the timeline, marked as not sent.
    pub fn cancel_outgoing(&mut self, id: MessageId, now: DateTime<Utc>) -> Result<Message> {
        let sql = "UPDATE outbox SET state = 'cancelled'
                   WHERE message_id = ?1 AND state IN ('queued', 'held') AND (lease_until IS NULL OR lease_until <= ?2)";
        self.change_outgoing(id, sql, params![id, to_ms(truncate(now))], now)
    }

    fn change_outgoing(&mut self, id: MessageId, sql: &str, args: impl rusqlite::Params, now: DateTime<Utc>) -> Result<Message> {
        let tx = self.conn.transaction()?;
        let (case_id, number) = case_of_message(&tx, id)?;
        let changed = tx.execute(sql, args)?;
        if changed == 0 {
            let row: Option<(DeliveryState, Option<i64>)> = tx
                .query_row("SELECT state, lease_until FROM outbox WHERE message_id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let sending = row.as_ref().is_some_and(|(_, lease)| lease.is_some_and(|l| l > to_ms(truncate(now))));
            let state = row.map(|(state, _)| state);
            return Err(Error::Invalid(match state {
                Some(DeliveryState::Queued) if sending => "That email is being sent right now".into(),
                None => "That message is not an email in the outbox".into(),
                Some(DeliveryState::Sent) => "That email was already sent".into(),
                Some(DeliveryState::Cancelled) => "That email was cancelled; write it again to send it".into(),
                Some(other) => format!("That email is {}", other.label()),
            }));
        }
        refresh_clock(&tx, case_id)?;
        super::search_index::commit(tx)?;
        self.timeline_message(number, id, now)
    }

    fn timeline_message(&self, number: u32, id: MessageId, now: DateTime<Utc>) -> Result<Message> {
        let view = self.case_view(number, now)?;
        view.timeline
            .into_iter()
            .find_map(|e| match e {
                TimelineEntry::Message(m) if m.id == id => Some(m),
                _ => None,
            })
            .ok_or_else(|| Error::Invalid("That message no longer exists".into()))
    }

    /// Waiting and held emails, then those sent in the last two days; newest first.
    pub fn outbox(&self, now: DateTime<Utc>) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT o.message_id, c.number, c.subject, m.body FROM outbox o
               JOIN messages m ON m.id = o.message_id JOIN cases c ON c.id = m.case_id
             WHERE o.state IN ('queued', 'held') OR (o.state = 'sent' AND o.sent_at >= ?1)
             ORDER BY o.state = 'sent', m.recorded_at DESC",
        )?;
        let rows = stmt
            .query_map([to_ms(now - RECENTLY_SENT)], |r| Ok((r.get::<_, MessageId>(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(message_id, case_number, case_subject, body)| {
                let delivery = delivery_of(&self.conn, message_id)?.ok_or_else(|| Error::Invalid("outbox row vanished".into()))?;
                Ok(OutboxEntry { message_id, case_number, case_subject, body, delivery })
            })
            .collect()
    }

    /// The account was changed: emails held because the server refused the login (or the
    /// security setting was wrong) are tried again.
    /// Holds every email waiting to be sent in a database just put back from a backup: they may
    /// have gone out since the backup was made, so the owner decides (retry or cancel).
    pub fn hold_restored_mail(&mut self) -> Result<u32> {
        let n = self.conn.execute(
            "UPDATE outbox SET state = 'held', restored = 1, lease_until = NULL,
                    last_error = 'Put back by a restore from a backup: it may already have been sent since. Send it again or cancel it.'
             WHERE state = 'queued'",
            [],
        )?;
        Ok(n as u32)
    }

    pub fn requeue_held(&mut self, now: DateTime<Utc>) -> Result<u32> {
        let n = self.conn.execute(
            "UPDATE outbox SET state = 'queued', send_after = ?1, lease_until = NULL WHERE state = 'held' AND restored = 0",
            [to_ms(truncate(now))],
        )?;
        Ok(n as u32)
    }

    /// When the next queued email is due (for the worker's sleep).
    pub fn next_mail_due(&self) -> Result<Option<DateTime<Utc>>> {
        let at: Option<i64> = self.conn.query_row(
            "SELECT min(max(send_after, COALESCE(lease_until, 0))) FROM outbox WHERE state = 'queued'",
            [],
            |r| r.get(0),
        )?;
        Ok(at.map(from_ms))
    }

    fn mail_status_doc(&self) -> Result<MailStatus> {
        read_setting(&self.conn, STATUS_KEY)
    }

    pub fn mail_status(&self) -> Result<MailStatus> {
        let mut status = self.mail_status_doc()?;
        let (waiting, retrying, held): (u32, u32, u32) = self.conn.query_row(
            "SELECT count(*) FILTER (WHERE state = 'queued'),
                    count(*) FILTER (WHERE state = 'queued' AND last_error IS NOT NULL),
                    count(*) FILTER (WHERE state = 'held')
             FROM outbox WHERE state IN ('queued', 'held')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        status.waiting = waiting;
        status.retrying = retrying;
        status.held = held;
        if retrying == 0 && held == 0 {
            status.last_send_error = None;
        }
        Ok(status)
    }

    /// Records how the last fetch from the mailbox went.
    pub fn record_fetch(&mut self, error: Option<&str>, now: DateTime<Utc>) -> Result<()> {
        let mut status = self.mail_status_doc()?;
        match error {
            None => {
                status.last_fetch_at = Some(truncate(now));
                status.last_fetch_error = None;
            }
            Some(e) => status.last_fetch_error = Some(e.to_string()),
        }
        write_setting(&self.conn, STATUS_KEY, &status)
    }

    /// Stores the files of emails about to be filed, under their SHA-256 beside the database
    /// (a file stored already, by an earlier email or the import's reading thread, is skipped).
    pub(crate) fn store_attachments<'a>(&self, files: impl IntoIterator<Item = &'a crate::mail::ParsedAttachment>) -> Result<()> {
        match self.attachments_dir() {
            Some(dir) => write_attachment_files(&dir, files),
            None => Ok(()),
        }
    }

    /// Copies a received file (by its SHA-256) to `to`, as the owner chose in "Save…".
    pub fn save_attachment(&self, hash: &str, to: &std::path::Path) -> Result<()> {
        let dir = self.attachments_dir().ok_or_else(|| Error::Invalid("This database keeps no files".into()))?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::Invalid(format!("\"{hash}\" names no attachment")));
        }
        let from = dir.join(hash);
        if !from.exists() {
            return Err(Error::Invalid("That file is missing from the attachments folder (was it moved or deleted?)".into()));
        }
        std::fs::copy(&from, to).map_err(|source| Error::Folder { path: to.to_path_buf(), source })?;
        Ok(())
    }

    /// Where received files are kept: `attachments/` beside the database file.
    pub fn attachments_dir(&self) -> Option<std::path::PathBuf> {
        (self.path.as_os_str() != ":memory:").then(|| self.path.with_file_name("attachments"))
    }

    /// The HTML version of a received email, as it came (sanitise before showing it).
    pub fn message_html(&self, id: MessageId) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT html FROM messages WHERE id = ?1", [id], |r| r.get(0)).optional()?.flatten())
    }
}

impl Store {
    /// Where IMAP intake stands for a mailbox.
    pub fn imap_cursor(&self, mailbox: &str) -> Result<Option<crate::mail::imap::Cursor>> {
        Ok(self
            .conn
            .query_row("SELECT uidvalidity, last_uid FROM imap_state WHERE mailbox = ?1", [mailbox], |r| {
                Ok(crate::mail::imap::Cursor { uidvalidity: r.get(0)?, last_uid: r.get(1)? })
            })
            .optional()?)
    }

    pub fn set_imap_cursor(&mut self, mailbox: &str, cursor: crate::mail::imap::Cursor) -> Result<()> {
        self.conn.execute(
            "INSERT INTO imap_state (mailbox, uidvalidity, last_uid) VALUES (?1, ?2, ?3)
             ON CONFLICT (mailbox) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid",
            params![mailbox, cursor.uidvalidity, cursor.last_uid],
        )?;
        Ok(())
    }
}

/// Writes the attachments not in `dir` yet, each under its SHA-256 ([`ParsedAttachment::hash`]),
/// so that all of them are on disk before the transaction that names them commits (a database
/// row never points at a file that isn't there, RELIABILITY.md finding 13). Each is written whole
/// under a temporary name; then all are synced, renamed, and the folder synced. One by one, a
/// file and its folder took ~8 ms here (each fsync flushes the disk's cache): at one photo in six
/// emails, most of an import's time. On Linux the files are synced with syncfs(2), one flush for
/// them all; elsewhere one by one. The folder is synced once, for the renames.
///
/// [`ParsedAttachment::hash`]: crate::mail::ParsedAttachment::hash
pub(crate) fn write_attachment_files<'a>(dir: &std::path::Path, files: impl IntoIterator<Item = &'a crate::mail::ParsedAttachment>) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    let new: Vec<&crate::mail::ParsedAttachment> =
        files.into_iter().filter(|file| seen.insert(file.hash.as_str()) && !dir.join(&file.hash).exists()).collect();
    if new.is_empty() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|source| Error::Folder { path: dir.to_path_buf(), source })?;
    let part = |file: &crate::mail::ParsedAttachment| dir.join(format!("{}.part", file.hash));
    let written = (|| -> std::result::Result<(), (std::path::PathBuf, std::io::Error)> {
        for file in &new {
            std::fs::write(part(file), &file.data).map_err(|e| (dir.join(&file.hash), e))?;
        }
        sync_files(dir, new.iter().map(|file| part(file)))?;
        for file in &new {
            std::fs::rename(part(file), dir.join(&file.hash)).map_err(|e| (dir.join(&file.hash), e))?;
        }
        sync_folder(dir).map_err(|e| (dir.to_path_buf(), e))
    })();
    written.map_err(|(path, source)| {
        for file in &new {
            let _ = std::fs::remove_file(part(file));
        }
        Error::file(&path, source)
    })
}

/// Makes `files`, all in `dir`, durable.
fn sync_files(dir: &std::path::Path, files: impl Iterator<Item = std::path::PathBuf>) -> std::result::Result<(), (std::path::PathBuf, std::io::Error)> {
    #[cfg(target_os = "linux")]
    {
        let _ = files;
        std::fs::File::open(dir).and_then(|d| rustix::fs::syncfs(&d).map_err(std::io::Error::from)).map_err(|e| (dir.to_path_buf(), e))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        for path in files {
            std::fs::OpenOptions::new().write(true).open(&path).and_then(|f| f.sync_all()).map_err(|e| (path, e))?;
        }
        Ok(())
    }
}

/// Makes a rename in `dir` durable (its entry is written with the folder). Windows has no such
/// call for folders (and commits renames with the file), so there it does nothing.
fn sync_folder(dir: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}
