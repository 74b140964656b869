//! Satisfaction checks: queued through the outbox some days after a case is solved, at most one
//! per customer per period; the rating in the customer's answer is recorded on the case.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::sla::{read_setting, write_setting};
use super::{from_ms, to_ms, truncate, Store};
use crate::error::{Error, Result};
use crate::ids::{CaseId, ContactId, MessageId};
use crate::model::{Category, Channel, ContactRef, Direction, NewCase, NewContact, NewMessage, OutgoingKind, Priority, Status};
use super::sla::AUTOMATIC_AUTHOR;
use crate::surveys::{read_rating, ReadRating, SurveySettings};

const SURVEY_KEY: &str = "surveys";

/// A customer's answer to a satisfaction check (the testimonials list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SurveyAnswer {
    pub case_number: u32,
    pub case_subject: String,
    pub contact_id: ContactId,
    pub contact_name: String,
    pub asked_at: DateTime<Utc>,
    pub rating: u8,
    /// The customer's own words (quoted text left out).
    pub comment: String,
    pub answered_at: DateTime<Utc>,
    /// The owner marked the comment as one they may quote.
    pub quotable: bool,
}

/// The open satisfaction check on a case, if its customer has not answered yet.
fn pending_on(conn: &Connection, case_id: CaseId) -> Result<bool> {
    Ok(super::cached_row(conn, "SELECT 1 FROM surveys WHERE case_id = ?1 AND rating IS NULL", [case_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Reads the rating in a customer's email on a case with an open satisfaction check.
pub(super) fn rating_for(conn: &Connection, case_id: CaseId, text: &str) -> Result<Option<ReadRating>> {
    if !pending_on(conn, case_id)? {
        return Ok(None);
    }
    Ok(read_rating(text))
}

pub(super) fn record_answer(conn: &Connection, case_id: CaseId, rating: &ReadRating, answer: MessageId, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE surveys SET rating = ?2, comment = ?3, answer_id = ?4, answered_at = ?5 WHERE case_id = ?1 AND rating IS NULL",
        params![case_id, rating.rating, rating.comment, answer, to_ms(now)],
    )?;
    Ok(())
}

/// Checks after orders placed between `since` and `placed_before`: each gets its own case (a
/// note saying why, the check, then solved), so the answer threads onto it like any reply and its
/// rating is read the same way. Returns the new cases' numbers.
#[allow(clippy::too_many_arguments)]
fn queue_order_surveys(
    tx: &Connection,
    settings: &SurveySettings,
    account: &crate::account::MailAccount,
    since: DateTime<Utc>,
    placed_before: DateTime<Utc>,
    period_start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<u32>> {
    let due: Vec<(String, String, String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT o.order_key, o.order_ref, o.email, o.customer_name FROM orders o
             WHERE o.email <> '' AND o.placed_at BETWEEN ?1 AND ?2
               AND NOT EXISTS (SELECT 1 FROM surveys s WHERE s.order_key = o.order_key)
             ORDER BY o.placed_at",
        )?;
        let rows = stmt.query_map(params![to_ms(since), to_ms(placed_before)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut asked = Vec::new();
    for (key, order_ref, email, name) in due {
        let contact: Option<ContactId> =
            tx.query_row("SELECT contact_id FROM contact_emails WHERE email = ?1", [&email], |r| r.get(0)).optional()?;
        if let Some(id) = contact {
            let recent: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM surveys WHERE contact_id = ?1 AND asked_at > ?2)",
                params![id, to_ms(period_start)],
                |r| r.get(0),
            )?;
            if recent {
                continue;
            }
        }
        let contact_ref = match contact {
            Some(id) => ContactRef::Existing(id),
            None => ContactRef::New(NewContact {
                name: crate::normalize::display_name(&name)
                    .or_else(|| email.split('@').next().and_then(crate::normalize::display_name))
                    .unwrap_or_else(|| email.clone()),
                emails: vec![email.clone()],
                ..NewContact::default()
            }),
        };
        let input = NewCase {
            contact: contact_ref,
            subject: format!("How was order {order_ref}?"),
            priority: Priority::Low,
            category: Category::Other,
            first_message: NewMessage {
                direction: Direction::Note,
                channel: Channel::Email,
                author: AUTOMATIC_AUTHOR.into(),
                body: format!("Satisfaction check for order {order_ref}, sent by Shopdesk."),
                happened_at: Some(now),
            },
        };
        let (case, _) = super::cases::open_case_in(tx, &input, now)?;
        tx.execute("UPDATE cases SET order_ref = ?2 WHERE id = ?1", params![case.id, order_ref])?;
        let case = super::cases::load_by_number(tx, case.number)?;
        let contact = super::contacts::load(tx, case.contact_id)?;
        let filled = crate::templates::fill(&settings.order_text, &super::replies::values_of(tx, &case, &contact, account));
        let mut body = filled.text;
        for name in &filled.missing {
            body = body.replace(&format!("{{{name}}}"), "");
        }
        let body = super::outbox::signed(&body, &account.signature);
        let message = super::outbox::queue_in(tx, &case, OutgoingKind::Survey, &email, AUTOMATIC_AUTHOR, body, None, account, now)?;
        super::cases::set_status(tx, &case, Status::Solved, AUTOMATIC_AUTHOR, now)?;
        tx.execute(
            "INSERT INTO surveys (case_id, contact_id, message_id, asked_at, order_key) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![case.id, contact.id, message.id, to_ms(now), key],
        )?;
        asked.push(case.number);
    }
    Ok(asked)
}

impl Store {
    pub fn survey_settings(&self) -> Result<SurveySettings> {
        read_setting(&self.conn, SURVEY_KEY)
    }

    /// Saves the settings; turning surveys on starts from `now` (no survey for old cases).
    pub fn set_survey_settings(&mut self, settings: &SurveySettings, now: DateTime<Utc>) -> Result<SurveySettings> {
        let mut settings = settings.clone();
        if settings.days_after_solved > 365 || settings.period_days > 3650 {
            return Err(Error::Invalid("Pick up to 365 days after the case, and a period of up to 10 years".into()));
        }
        if settings.text.trim().is_empty() {
            settings.text = crate::surveys::DEFAULT_SURVEY_TEXT.into();
        }
        if settings.order_text.trim().is_empty() {
            settings.order_text = crate::surveys::DEFAULT_ORDER_SURVEY_TEXT.into();
        }
        if settings.days_after_order.is_some_and(|d| d > 365) {
            return Err(Error::Invalid("Pick up to 365 days after the order".into()));
        }
        let unknown_after_order: Vec<String> = crate::templates::placeholders_in(&settings.order_text)
            .into_iter()
            .filter(|p| matches!(p.as_str(), "tracking.ref" | "promised_by"))
            .map(|p| format!("{{{p}}}"))
            .collect();
        if !unknown_after_order.is_empty() {
            return Err(Error::Invalid(format!(
                "The check after an order can't fill in {}: take it out of the text",
                unknown_after_order.join(", ")
            )));
        }
        // A check goes out by itself, days later: only what every case has can be filled in.
        let unfillable: Vec<String> = crate::templates::placeholders_in(&settings.text)
            .into_iter()
            .filter(|p| matches!(p.as_str(), "order.ref" | "tracking.ref" | "promised_by"))
            .map(|p| format!("{{{p}}}"))
            .collect();
        if !unfillable.is_empty() {
            return Err(Error::Invalid(format!(
                "A satisfaction check can't fill in {}: not every case has one. Take it out of the text",
                unfillable.join(", ")
            )));
        }
        settings.enabled_since = match (settings.enabled, self.survey_settings()?.enabled_since) {
            (false, _) => None,
            (true, Some(since)) => Some(since),
            (true, None) => Some(truncate(now)),
        };
        write_setting(&self.conn, SURVEY_KEY, &settings)?;
        Ok(settings)
    }

    /// Queues the satisfaction checks due at `now`; returns the case numbers asked about.
    pub fn queue_due_surveys(&mut self, now: DateTime<Utc>) -> Result<Vec<u32>> {
        let now = truncate(now);
        let settings = self.survey_settings()?;
        let account = self.mail_account()?;
        let (true, Some(since)) = (settings.enabled, settings.enabled_since) else { return Ok(vec![]) };
        if !account.can_send() {
            return Ok(vec![]);
        }
        let solved_before = now - Duration::days(i64::from(settings.days_after_solved));
        let period_start = now - Duration::days(i64::from(settings.period_days));
        let tx = self.conn.transaction()?;
        let due: Vec<u32> = {
            let mut stmt = tx.prepare(
                "SELECT c.number FROM cases c
                 WHERE c.status = ?1 AND c.merged_into IS NULL
                   AND NOT EXISTS (SELECT 1 FROM surveys s WHERE s.case_id = c.id)
                   AND (SELECT max(e.at) FROM case_events e
                        WHERE e.case_id = c.id AND e.kind = 'status_changed' AND e.new_value = ?1) BETWEEN ?2 AND ?3
                 ORDER BY c.number",
            )?;
            let rows = stmt.query_map(params![Status::Solved, to_ms(since), to_ms(solved_before)], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        let mut asked = Vec::new();
        for number in due {
            let case = super::cases::load_by_number(&tx, number)?;
            let contact = super::contacts::load(&tx, case.contact_id)?;
            let Some(to) = contact.emails.first().cloned() else { continue };
            let recent: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM surveys WHERE contact_id = ?1 AND asked_at > ?2)",
                params![contact.id, to_ms(period_start)],
                |r| r.get(0),
            )?;
            if recent {
                continue;
            }
            let filled = crate::templates::fill(&settings.text, &super::replies::values_of(&tx, &case, &contact, &account));
            // A placeholder with no value is dropped rather than sent as written to a customer.
            let mut body = filled.text;
            for name in &filled.missing {
                body = body.replace(&format!("{{{name}}}"), "");
            }
            let body = super::outbox::signed(&body, &account.signature);
            let message = super::outbox::queue_in(&tx, &case, OutgoingKind::Survey, &to, AUTOMATIC_AUTHOR, body, None, &account, now)?;
            tx.execute(
                "INSERT INTO surveys (case_id, contact_id, message_id, asked_at) VALUES (?1, ?2, ?3, ?4)",
                params![case.id, contact.id, message.id, to_ms(now)],
            )?;
            asked.push(number);
        }
        if let Some(days) = settings.days_after_order {
            asked.extend(queue_order_surveys(&tx, &settings, &account, since, now - Duration::days(i64::from(days)), period_start, now)?);
        }
        super::search_index::commit(tx)?;
        Ok(asked)
    }

    /// Answers to satisfaction checks, newest first (only the quotable ones when asked).
    pub fn survey_answers(&self, quotable_only: bool) -> Result<Vec<SurveyAnswer>> {
        let mut stmt = self.conn.prepare(
            "SELECT c.number, c.subject, s.contact_id, p.name, s.asked_at, s.rating, s.comment, s.answered_at, s.quotable
             FROM surveys s JOIN cases c ON c.id = s.case_id JOIN contacts p ON p.id = s.contact_id
             WHERE s.rating IS NOT NULL AND (?1 = 0 OR s.quotable = 1)
             ORDER BY s.answered_at DESC",
        )?;
        let answers = stmt
            .query_map([quotable_only], |r| {
                Ok(SurveyAnswer {
                    case_number: r.get(0)?,
                    case_subject: r.get(1)?,
                    contact_id: r.get(2)?,
                    contact_name: r.get(3)?,
                    asked_at: from_ms(r.get(4)?),
                    rating: r.get(5)?,
                    comment: r.get(6)?,
                    answered_at: from_ms(r.get(7)?),
                    quotable: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(answers)
    }

    /// Marks a case's survey answer as quotable (a testimonial) or not.
    pub fn set_quotable(&mut self, number: u32, quotable: bool) -> Result<()> {
        let case = self.case(number)?;
        let changed = self.conn.execute(
            "UPDATE surveys SET quotable = ?2 WHERE case_id = ?1 AND rating IS NOT NULL",
            params![case.id, quotable],
        )?;
        if changed == 0 {
            return Err(Error::Invalid(format!("Case #{number} has no answered satisfaction check")));
        }
        Ok(())
    }
}
