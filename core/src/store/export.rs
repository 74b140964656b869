//! Reads the whole database for an export.

use chrono::{DateTime, Utc};

use super::{from_ms, Store};
use crate::error::Result;
use crate::export::{ExportCase, ExportContact, ExportData, ExportMessage};

fn list(conn: &rusqlite::Connection, sql: &str, id: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([id], |r| r.get(0))?;
    rows.collect()
}

impl Store {
    /// Every contact (merged ones left out: their details live on the contact they joined),
    /// every case and every message.
    pub fn export_data(&self, now: DateTime<Utc>) -> Result<ExportData> {
        let conn = &self.conn;
        let mut stmt = conn.prepare(
            "SELECT id, name, address, notes, created_at FROM contacts WHERE merged_into IS NULL ORDER BY created_at, id",
        )?;
        let mut contacts = stmt
            .query_map([], |r| {
                Ok(ExportContact {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    emails: Vec::new(),
                    phones: Vec::new(),
                    address: r.get(2)?,
                    notes: r.get(3)?,
                    tags: Vec::new(),
                    created_at: from_ms(r.get(4)?),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for c in &mut contacts {
            c.emails = list(conn, "SELECT email FROM contact_emails WHERE contact_id = ?1 ORDER BY position", &c.id)?;
            c.phones = list(conn, "SELECT phone FROM contact_phones WHERE contact_id = ?1 ORDER BY position", &c.id)?;
            c.tags = list(conn, "SELECT tag FROM contact_tags WHERE contact_id = ?1 ORDER BY position", &c.id)?;
        }
        let mut stmt = conn.prepare(
            "SELECT c.id, c.number, c.subject, c.contact_id, p.name, c.status, c.priority, c.category, c.fault, c.channel,
                    c.order_ref, c.tracking_ref, c.third_party, c.created_at, c.first_response_at,
                    (SELECT m.number FROM cases m WHERE m.id = c.merged_into),
                    (SELECT s.rating FROM surveys s WHERE s.case_id = c.id)
             FROM cases c JOIN contacts p ON p.id = c.contact_id ORDER BY c.number",
        )?;
        let mut case_ids: Vec<String> = Vec::new();
        let mut cases = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    ExportCase {
                        number: r.get(1)?,
                        subject: r.get(2)?,
                        contact_id: r.get(3)?,
                        contact_name: r.get(4)?,
                        status: r.get(5)?,
                        priority: r.get(6)?,
                        category: r.get(7)?,
                        fault: r.get(8)?,
                        channel: r.get(9)?,
                        order_ref: r.get(10)?,
                        tracking_ref: r.get(11)?,
                        third_party: r.get(12)?,
                        tags: Vec::new(),
                        created_at: from_ms(r.get(13)?),
                        first_response_at: r.get::<_, Option<i64>>(14)?.map(from_ms),
                        merged_into: r.get(15)?,
                        satisfaction: r.get(16)?,
                    },
                ))
            })?
            .map(|row| row.map(|(id, case)| {
                case_ids.push(id);
                case
            }))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (case, id) in cases.iter_mut().zip(&case_ids) {
            case.tags = list(conn, "SELECT tag FROM case_tags WHERE case_id = ?1 ORDER BY position", id)?;
        }
        let mut stmt = conn.prepare(
            "SELECT m.id, c.number, m.direction, m.channel, m.author, m.happened_at, m.body, o.state
             FROM messages m JOIN cases c ON c.id = m.case_id LEFT JOIN outbox o ON o.message_id = m.id
             ORDER BY c.number, m.happened_at, m.recorded_at",
        )?;
        let messages = stmt
            .query_map([], |r| {
                Ok(ExportMessage {
                    id: r.get(0)?,
                    case_number: r.get(1)?,
                    direction: r.get(2)?,
                    channel: r.get(3)?,
                    author: r.get(4)?,
                    happened_at: from_ms(r.get(5)?),
                    body: r.get(6)?,
                    delivery: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(ExportData { exported_at: now, contacts, cases, messages })
    }
}
