//! The queue: every open case, the customer who has waited longest first.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::types::Value;

use super::cases::{summary_from_row, with_clocks, SUMMARY_SELECT};
use super::sla::ClockContext;
use super::{to_ms, truncate, Store};
use crate::error::Result;
use crate::model::{Queue, QueueFilter, Status};

const OPEN: &str = "k.status NOT IN ('solved', 'closed') AND k.merged_into IS NULL";

impl Store {
    /// Open cases matching `filter`, longest waiting first (waiting measured at `now`), then the
    /// cases nobody is waiting on, most recently active first; with counts over all open cases.
    pub fn queue(&self, filter: &QueueFilter, now: DateTime<Utc>) -> Result<Queue> {
        let now = truncate(now);
        let mut sql = format!("{SUMMARY_SELECT} WHERE {OPEN}");
        let mut args: Vec<Value> = Vec::new();
        for (column, word) in [
            ("status", filter.status.map(|v| v.as_str())),
            ("channel", filter.channel.map(|v| v.as_str())),
            ("category", filter.category.map(|v| v.as_str())),
        ] {
            if let Some(word) = word {
                args.push(Value::Text(word.to_string()));
                sql.push_str(&format!(" AND k.{column} = ?{}", args.len()));
            }
        }
        if let Some(tag) = filter.tag.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            args.push(Value::Text(tag.to_string()));
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM case_tags t WHERE t.case_id = k.id AND t.tag = ?{} COLLATE NOCASE)",
                args.len()
            ));
        }
        for (at, op) in [(filter.since, ">="), (filter.until, "<")] {
            if let Some(at) = at {
                args.push(Value::Integer(to_ms(at)));
                sql.push_str(&format!(" AND k.last_activity_at {op} ?{}", args.len()));
            }
        }
        // A reminder that has come due puts its case on top, oldest reminder first.
        args.push(Value::Integer(to_ms(now)));
        let due = format!("(k.remind_at IS NOT NULL AND k.remind_at <= ?{})", args.len());
        sql.push_str(&format!(
            " ORDER BY {due} DESC, CASE WHEN {due} THEN k.remind_at END, \
             k.waiting_since IS NULL, k.waiting_since, k.last_activity_at DESC, k.number DESC"
        ));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), |r| summary_from_row(r, now))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let items = with_clocks(&self.conn, rows, &ClockContext::load(&self.conn, now)?)?;

        let mut by_status: BTreeMap<Status, u32> =
            Status::ALL.iter().filter(|s| s.is_open()).map(|s| (*s, 0)).collect();
        let (mut total_open, mut waiting) = (0, 0);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT k.status, count(*), count(k.waiting_since) FROM cases k WHERE {OPEN} GROUP BY k.status"
        ))?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, Status>(0)?, r.get::<_, u32>(1)?, r.get::<_, u32>(2)?)))?;
        for row in rows {
            let (status, count, waiting_count) = row?;
            by_status.insert(status, count);
            total_open += count;
            waiting += waiting_count;
        }
        Ok(Queue { items, total_open, waiting, by_status, now })
    }
}
