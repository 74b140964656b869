//! Saved replies in the store, and filling one in for a case.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::{from_ms, to_ms, truncate, Store};
use crate::error::{Error, Result};
use crate::templates::{self, FilledReply, NewSavedReply, SavedReply, TemplateValues};

fn row(r: &rusqlite::Row) -> rusqlite::Result<SavedReply> {
    Ok(SavedReply { id: r.get(0)?, title: r.get(1)?, body: r.get(2)?, position: r.get(3)?, updated_at: from_ms(r.get(4)?) })
}

fn checked(input: &NewSavedReply) -> Result<NewSavedReply> {
    let title = input.title.trim().to_string();
    if title.is_empty() {
        return Err(Error::Invalid("Give the saved reply a title".into()));
    }
    if input.body.trim().is_empty() {
        return Err(Error::Invalid("Write the saved reply's text".into()));
    }
    Ok(NewSavedReply { title, body: input.body.trim_end().to_string() })
}

/// The shop's time zone, for dates written to customers.
pub(super) fn shop_tz(conn: &Connection) -> chrono_tz::Tz {
    let settings = super::sla::load_settings(conn).unwrap_or_default();
    settings.time_zone.parse().unwrap_or(chrono_tz::UTC)
}

/// A date as a customer reads it: "Friday 28 November".
pub fn customer_date(at: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    at.with_timezone(&tz).format("%A %-d %B").to_string()
}

/// What the placeholders stand for on `case`, written to `contact` from `account`.
pub(super) fn values_of(conn: &Connection, case: &crate::model::Case, contact: &crate::model::Contact, account: &crate::account::MailAccount) -> TemplateValues {
    TemplateValues {
        customer_name: contact.name.clone(),
        case_number: Some(case.number),
        case_subject: case.subject.clone(),
        order_ref: case.order_ref.clone(),
        tracking_ref: case.tracking_ref.clone(),
        shop_name: account.from_name.clone(),
        promised_by: case.remind_at.map(|at| customer_date(at, shop_tz(conn))).unwrap_or_default(),
    }
}

impl Store {
    pub fn saved_replies(&self) -> Result<Vec<SavedReply>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, title, body, position, updated_at FROM saved_replies ORDER BY position, title")?;
        let replies = stmt.query_map([], row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(replies)
    }

    pub fn saved_reply(&self, id: &str) -> Result<SavedReply> {
        self.conn
            .query_row("SELECT id, title, body, position, updated_at FROM saved_replies WHERE id = ?1", [id], row)
            .optional()?
            .ok_or_else(|| Error::Invalid("That saved reply no longer exists".into()))
    }

    /// Adds a saved reply at the end of the list.
    pub fn add_saved_reply(&mut self, input: &NewSavedReply, now: DateTime<Utc>) -> Result<SavedReply> {
        let input = checked(input)?;
        let id = uuid::Uuid::now_v7().to_string();
        self.conn.execute(
            "INSERT INTO saved_replies (id, title, body, position, updated_at)
             VALUES (?1, ?2, ?3, (SELECT coalesce(max(position) + 1, 0) FROM saved_replies), ?4)",
            params![id, input.title, input.body, to_ms(truncate(now))],
        )?;
        self.saved_reply(&id)
    }

    pub fn update_saved_reply(&mut self, id: &str, input: &NewSavedReply, now: DateTime<Utc>) -> Result<SavedReply> {
        let input = checked(input)?;
        let changed = self.conn.execute(
            "UPDATE saved_replies SET title = ?2, body = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, input.title, input.body, to_ms(truncate(now))],
        )?;
        if changed == 0 {
            return Err(Error::Invalid("That saved reply no longer exists".into()));
        }
        self.saved_reply(id)
    }

    pub fn delete_saved_reply(&mut self, id: &str) -> Result<()> {
        self.conn.execute("DELETE FROM saved_replies WHERE id = ?1", [id])?;
        Ok(())
    }

    /// What the placeholders stand for on one case.
    pub fn template_values(&self, number: u32) -> Result<TemplateValues> {
        let case = self.case(number)?;
        let contact = self.contact(case.contact_id)?;
        Ok(values_of(&self.conn, &case, &contact, &self.mail_account()?))
    }

    /// A saved reply filled in for a case, to put in the composer.
    pub fn fill_saved_reply(&self, id: &str, number: u32) -> Result<FilledReply> {
        let reply = self.saved_reply(id)?;
        Ok(templates::fill(&reply.body, &self.template_values(number)?))
    }
}
