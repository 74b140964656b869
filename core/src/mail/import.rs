//! Bringing past mail in: an mbox file, .eml files, or folders of them. Idempotent (an email
//! already there is skipped by its Message-ID, or its content hash), never acknowledged, and
//! every email that can be read as bytes is kept, readable or not.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::read_mail_source;
use super::worker::StoreAccess;
use crate::error::{Error, Result};
use crate::store::IngestOptions;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportReport {
    pub stored: u32,
    /// Already in Shopdesk: skipped.
    pub duplicates: u32,
    pub new_cases: u32,
    pub new_contacts: u32,
    /// Stored with a warning on the message (unreadable parts, no date…).
    pub with_warnings: u32,
}

/// How far an import is, for a progress bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportProgress {
    pub done: u32,
    pub total: u32,
}

fn unreadable(path: &std::path::Path, e: std::io::Error) -> Error {
    Error::Invalid(format!("Could not read {}: {e}", path.display()))
}

/// Imports every email in `paths`, calling `progress` now and then (and at the end). The
/// store is taken for one email at a time, so the app stays responsive during a long import.
pub fn import_paths(
    store: &impl StoreAccess,
    paths: &[PathBuf],
    now: impl Fn() -> DateTime<Utc>,
    mut progress: impl FnMut(ImportProgress),
) -> Result<ImportReport> {
    let mut total = 0u32;
    for path in paths {
        total += read_mail_source(path).map_err(|e| unreadable(path, e))?.count() as u32;
    }
    let mut report = ImportReport::default();
    let mut done = 0u32;
    progress(ImportProgress { done, total });
    for path in paths {
        for raw in read_mail_source(path).map_err(|e| unreadable(path, e))? {
            let raw = raw.map_err(|e| unreadable(path, e))?;
            let got = store.with(|s| s.ingest_email_with(&raw, &IngestOptions::default(), now()))?;
            if got.duplicate {
                report.duplicates += 1;
            } else {
                report.stored += 1;
                report.new_cases += u32::from(got.new_case);
                report.new_contacts += u32::from(got.new_contact);
                report.with_warnings += u32::from(!got.warnings.is_empty());
            }
            done += 1;
            if done % 50 == 0 {
                progress(ImportProgress { done, total: total.max(done) });
            }
        }
    }
    progress(ImportProgress { done, total: done });
    Ok(report)
}
