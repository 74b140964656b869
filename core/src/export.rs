//! The shop's data in open formats: contacts, cases and messages as CSV files (one per kind)
//! or as one JSON document. Spreadsheet formulas are neutralised in CSV cells.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportContact {
    pub id: String,
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub address: String,
    pub notes: String,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportCase {
    pub number: u32,
    pub subject: String,
    pub contact_id: String,
    pub contact_name: String,
    pub status: String,
    pub priority: String,
    pub category: String,
    pub fault: String,
    pub channel: String,
    pub order_ref: String,
    pub tracking_ref: String,
    pub third_party: String,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub merged_into: Option<u32>,
    pub satisfaction: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportMessage {
    pub id: String,
    pub case_number: u32,
    pub direction: String,
    pub channel: String,
    pub author: String,
    pub happened_at: DateTime<Utc>,
    pub body: String,
    /// For the shop's emails: queued, sent, held or cancelled.
    pub delivery: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportData {
    pub exported_at: DateTime<Utc>,
    pub contacts: Vec<ExportContact>,
    pub cases: Vec<ExportCase>,
    pub messages: Vec<ExportMessage>,
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or carriage
/// return first) gets a leading apostrophe, so it is shown as text.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn write_table(path: &Path, header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<()> {
    let fail = |e: &dyn std::fmt::Display| Error::Invalid(format!("Could not write {}: {e}", path.display()));
    let tmp = path.with_extension("csv.partial");
    {
        let mut w = csv::Writer::from_path(&tmp).map_err(|e| fail(&e))?;
        w.write_record(header).map_err(|e| fail(&e))?;
        for row in rows {
            w.write_record(row.iter().map(|c| neutralise(c))).map_err(|e| fail(&e))?;
        }
        w.flush().map_err(|e| fail(&e))?;
    }
    // Whole files only: a full disk leaves the .partial behind, never a cut-off export.
    std::fs::rename(&tmp, path).map_err(|e| fail(&e))
}

/// Writes `contacts.csv`, `cases.csv` and `messages.csv` into `dir` (created if needed).
pub fn write_csv(dir: &Path, data: &ExportData) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Folder { path: dir.to_path_buf(), source })?;
    let join = |v: &[String]| v.join("; ");
    let contacts = dir.join("contacts.csv");
    write_table(
        &contacts,
        &["id", "name", "emails", "phones", "address", "notes", "tags", "created_at"],
        data.contacts.iter().map(|c| {
            vec![c.id.clone(), c.name.clone(), join(&c.emails), join(&c.phones), c.address.clone(), c.notes.clone(), join(&c.tags), time(c.created_at)]
        }),
    )?;
    let cases = dir.join("cases.csv");
    write_table(
        &cases,
        &[
            "number", "subject", "contact_id", "contact_name", "status", "priority", "category", "fault", "channel", "order_ref",
            "tracking_ref", "third_party", "tags", "created_at", "first_response_at", "merged_into", "satisfaction",
        ],
        data.cases.iter().map(|c| {
            vec![
                c.number.to_string(),
                c.subject.clone(),
                c.contact_id.clone(),
                c.contact_name.clone(),
                c.status.clone(),
                c.priority.clone(),
                c.category.clone(),
                c.fault.clone(),
                c.channel.clone(),
                c.order_ref.clone(),
                c.tracking_ref.clone(),
                c.third_party.clone(),
                join(&c.tags),
                time(c.created_at),
                c.first_response_at.map(time).unwrap_or_default(),
                c.merged_into.map(|n| n.to_string()).unwrap_or_default(),
                c.satisfaction.map(|n| n.to_string()).unwrap_or_default(),
            ]
        }),
    )?;
    let messages = dir.join("messages.csv");
    write_table(
        &messages,
        &["id", "case_number", "direction", "channel", "author", "happened_at", "body", "delivery"],
        data.messages.iter().map(|m| {
            vec![
                m.id.clone(),
                m.case_number.to_string(),
                m.direction.clone(),
                m.channel.clone(),
                m.author.clone(),
                time(m.happened_at),
                m.body.clone(),
                m.delivery.clone().unwrap_or_default(),
            ]
        }),
    )?;
    Ok(vec![contacts, cases, messages])
}

/// Writes the whole export as one JSON document.
pub fn write_json(path: &Path, data: &ExportData) -> Result<()> {
    let fail = |e: &dyn std::fmt::Display| Error::Invalid(format!("Could not write {}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| Error::Folder { path: dir.to_path_buf(), source })?;
    }
    let tmp = path.with_extension("json.partial");
    let file = std::fs::File::create(&tmp).map_err(|e| fail(&e))?;
    let mut w = std::io::BufWriter::new(file);
    serde_json::to_writer_pretty(&mut w, data).map_err(|e| fail(&e))?;
    std::io::Write::flush(&mut w).map_err(|e| fail(&e))?;
    drop(w);
    std::fs::rename(&tmp, path).map_err(|e| fail(&e))
}

/// One report table as CSV text.
pub fn table_csv(table: &crate::reports::ReportTable) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::Invalid(format!("Could not write the table: {e}"));
    w.write_record(&table.columns).map_err(fail)?;
    for row in &table.rows {
        w.write_record(row.iter().map(|c| neutralise(c))).map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Invalid(format!("Could not write the table: {e}")))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        for cell in ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\r=1"] {
            assert!(neutralise(cell).starts_with('\''), "{cell}");
        }
        assert_eq!(neutralise("Maria"), "Maria");
        assert_eq!(neutralise("1-2"), "1-2");
        assert_eq!(neutralise(""), "");
    }
}
