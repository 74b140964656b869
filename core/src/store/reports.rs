//! Reads what the reports need for a period.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{from_ms, to_ms, truncate, Store};
use crate::error::Result;
use crate::ids::CaseId;
use crate::model::Direction;
use crate::reports::{self, Report, ReportCase};

/// Cases with the customer's first message: those first written in `[from, to)`, or (when
/// `open_only`) every open case.
fn report_cases(conn: &rusqlite::Connection, from: i64, to: i64, open_only: bool) -> Result<Vec<ReportCase>> {
    let sql = format!(
        "SELECT c.channel, c.category, c.fault, c.status, f.first_at, c.first_response_at, c.reply_target_mins, c.id
         FROM cases c
         JOIN (SELECT case_id, min(happened_at) AS first_at FROM messages WHERE direction = ?1 GROUP BY case_id) f
           ON f.case_id = c.id
         WHERE c.merged_into IS NULL AND {}",
        if open_only { "c.status NOT IN ('solved', 'closed')" } else { "f.first_at >= ?2 AND f.first_at < ?3" }
    );
    let mut stmt = conn.prepare(&sql)?;
    let map = |r: &rusqlite::Row| {
        Ok(ReportCase {
            channel: r.get(0)?,
            category: r.get(1)?,
            fault: r.get(2)?,
            status: r.get(3)?,
            first_customer_at: from_ms(r.get(4)?),
            first_response_at: r.get::<_, Option<i64>>(5)?.map(from_ms),
            reply_target_mins: r.get(6)?,
            pauses: Vec::new(),
        })
    };
    if open_only {
        return Ok(stmt.query_map(params![Direction::FromCustomer], map)?.collect::<rusqlite::Result<Vec<_>>>()?);
    }
    // Whether the first reply kept its target depends on the pauses before it.
    let rows = stmt.query_map(params![Direction::FromCustomer, from, to], |r| Ok((map(r)?, r.get::<_, CaseId>(7)?)))?;
    let mut cases = Vec::new();
    for row in rows {
        let (mut case, id) = row?;
        case.pauses = super::sla::pauses(conn, id)?;
        cases.push(case);
    }
    Ok(cases)
}

impl Store {
    /// The report for cases first written in `[from, to)`, judged at `now`.
    pub fn report(&self, from: DateTime<Utc>, to: DateTime<Utc>, now: DateTime<Utc>) -> Result<Report> {
        let (from, to, now) = (truncate(from), truncate(to), truncate(now));
        let cases = report_cases(&self.conn, to_ms(from), to_ms(to), false)?;
        let open = report_cases(&self.conn, 0, 0, true)?;
        let ratings: Vec<u8> = {
            let mut stmt = self
                .conn
                .prepare("SELECT rating FROM surveys WHERE rating IS NOT NULL AND answered_at >= ?1 AND answered_at < ?2")?;
            let rows = stmt.query_map(params![to_ms(from), to_ms(to)], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        let surveys_sent: u32 = self.conn.query_row(
            "SELECT count(*) FROM surveys WHERE asked_at >= ?1 AND asked_at < ?2",
            params![to_ms(from), to_ms(to)],
            |r| r.get(0),
        )?;
        reports::build(&cases, &open, &ratings, surveys_sent, &self.sla_settings()?, from, to, now)
    }
}
