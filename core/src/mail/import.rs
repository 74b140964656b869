//! Bringing past mail in: an mbox file, .eml files, or folders of them. Idempotent (an email
//! already there is skipped by its Message-ID, or its content hash), never acknowledged, and
//! every email that can be read as bytes is kept, readable or not.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{count_mail_source, read_mail_source, ParsedEmail};
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
    /// New cases closed at the end because their conversation had been quiet longer than
    /// [`ImportOptions::close_quiet_days`].
    pub closed_quiet: u32,
    /// Stopped when asked ([`ImportOptions::stop`]) before the end: what was filed is kept, and
    /// importing the same mail again brings in the rest (nothing doubles).
    pub stopped: bool,
}

/// Choices for an import.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions<'a> {
    /// A conversation the import opens a case for, and whose last message is older than this
    /// many days, comes in closed: years of past mail would otherwise fill the queue with
    /// customers "waiting" for a year, each to be closed by hand. Closed, not solved: a solved
    /// case is asked for a satisfaction rating. A customer who writes again reopens it.
    pub close_quiet_days: Option<u32>,
    /// Set (by a Stop button) to end the import after the step being filed: that step is
    /// committed, nothing after it is read, and the report says it `stopped`.
    pub stop: Option<&'a std::sync::atomic::AtomicBool>,
}

impl ImportOptions<'_> {
    fn stop_asked(&self) -> bool {
        self.stop.is_some_and(|stop| stop.load(std::sync::atomic::Ordering::Relaxed))
    }
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

/// Emails read ahead and filed per transaction by an import at most (fewer, larger writes of
/// the database and its search index). The store's hold limit still ends a step early: the app
/// holds it 100 ms at a time, so this only sets how far the reading runs ahead. 1,000 instead
/// of 200: ~5 % fewer instructions per email, a fifth of the commits (each a sync of the WAL).
/// 2,000 instead of 1,000: 3.9 % fewer instructions on the filing thread (callgrind, 20,000
/// emails), half the syncs; 4 alternated runs of 100,000 emails on disk 4.75 -> 4.59 s median;
/// the import's peak memory 19 -> 24 MB (BENCHMARKS.md, session 14).
pub const BATCH_EMAILS: usize = 2000;
/// A batch also ends once it holds this many bytes (big attachments).
pub const BATCH_BYTES: usize = 16 * 1024 * 1024;
/// Imports every email in `paths`, calling `progress` now and then (and at the end). The
/// store is taken for one step at a time: up to [`BATCH_EMAILS`] in one transaction, ended
/// (committed) early once it has held the store for `store.hold_limit()`, the rest of the
/// batch going in the next step; whoever waits for the store goes first between steps. So the
/// app stays responsive during a long import. A step is stored whole or not at all.
pub fn import_paths(
    store: &impl StoreAccess,
    paths: &[PathBuf],
    now: impl Fn() -> DateTime<Utc>,
    progress: impl FnMut(ImportProgress),
) -> Result<ImportReport> {
    import_paths_with(store, paths, &ImportOptions::default(), now, progress)
}

/// [`import_paths`] with the choices in `options`.
pub fn import_paths_with(
    store: &impl StoreAccess,
    paths: &[PathBuf],
    options: &ImportOptions<'_>,
    now: impl Fn() -> DateTime<Utc>,
    mut progress: impl FnMut(ImportProgress),
) -> Result<ImportReport> {
    let mut total = 0u32;
    for path in paths {
        total += count_mail_source(path).map_err(|e| unreadable(path, e))?;
    }
    let mut report = ImportReport::default();
    let mut done = 0u32;
    progress(ImportProgress { done, total });
    // The cases this import opens, and those it adds mail to, for closing the quiet ones at the end.
    let mut opened: Vec<u32> = Vec::new();
    let mut reopened: std::collections::BTreeSet<u32> = std::collections::BTreeSet::new();
    let mut file_batch = |batch: &[ParsedEmail], report: &mut ImportReport, done: &mut u32| -> Result<()> {
        let mut rest = batch;
        while !rest.is_empty() {
            let started = std::time::Instant::now();
            let got = store.with(|s| s.ingest_parsed(rest, &IngestOptions::default(), now(), store.hold_limit()))?;
            let held = started.elapsed();
            for got in &got {
                if got.duplicate {
                    report.duplicates += 1;
                } else {
                    report.stored += 1;
                    report.new_cases += u32::from(got.new_case);
                    if options.close_quiet_days.is_some() {
                        if got.new_case {
                            opened.push(got.case_number);
                        } else {
                            reopened.insert(got.case_number);
                        }
                    }
                    report.new_contacts += u32::from(got.new_contact);
                    report.with_warnings += u32::from(!got.warnings.is_empty());
                }
            }
            *done += got.len() as u32;
            rest = &rest[got.len()..];
            progress(ImportProgress { done: *done, total: total.max(*done) });
            if options.stop_asked() && (*done < total || !rest.is_empty()) {
                report.stopped = true;
                return Ok(());
            }
            store.let_others_in();
            // A step that used its whole hold (a slow or busy machine): leave the database's
            // write lock free a moment, so that another program waiting for it (its busy handler
            // polls) gets a turn before the next step takes it again.
            if store.hold_limit().is_some_and(|hold| held >= hold) {
                std::thread::sleep(held / 10);
            }
        }
        Ok(())
    };
    // An import that may hold the store a second at a time (the command line) also lets the
    // log grow to ~40 MB between copies back into the database. One that shares the store with
    // a window, in short steps, keeps the default: a copy back happens inside the step whose
    // commit crosses the limit, and the window's commands would wait for a ~40 MB copy and sync.
    let bulk = store.hold_limit().is_none_or(|hold| hold >= super::worker::DEFAULT_HOLD_LIMIT);
    if bulk {
        store.with(|s| s.begin_import())?;
    }
    let filed = file_all(store, paths, &mut file_batch, &mut report, &mut done);
    // Undone however the import ended. What it filed is committed: a failure here (the copy
    // back of the log) is not the import's, and a later commit copies the log back anyway.
    if bulk {
        if let Err(e) = store.with(|s| s.end_import()) {
            tracing::warn!(error = %e, "could not end the import's log setting");
        }
    }
    filed?;
    if let Some(days) = options.close_quiet_days {
        // In steps, as the filing: a window sharing the store gets its turn between them.
        let quiet_before = now() - chrono::Duration::days(i64::from(days));
        let new: std::collections::HashSet<u32> = opened.iter().copied().collect();
        let reopened: Vec<u32> = reopened.into_iter().filter(|n| !new.contains(n)).collect();
        for (cases, were_there) in [(&opened, false), (&reopened, true)] {
            for step in cases.chunks(500) {
                let closed = store.with(|s| s.close_quiet_cases(step, were_there, quiet_before, now()))?;
                report.closed_quiet += closed.len() as u32;
                store.let_others_in();
            }
        }
    }
    progress(ImportProgress { done, total: if report.stopped { total } else { done } });
    Ok(report)
}

/// Reads and parses every email in `paths` on a second thread and files them, batch by batch,
/// with `file_batch`.
fn file_all(
    store: &impl StoreAccess,
    paths: &[PathBuf],
    file_batch: &mut impl FnMut(&[ParsedEmail], &mut ImportReport, &mut u32) -> Result<()>,
    report: &mut ImportReport,
    done: &mut u32,
) -> Result<()> {
    // The mail is read and parsed on a second thread, a batch ahead of the one being filed
    // (parsing is a tenth of an import's work, and filing keeps one core busy on its own). It
    // also stores each batch's attachment files and waits for the disk to have them, before
    // handing the batch over: the filing finds them there.
    let attachments = store.with(|s| Ok(s.attachments_dir()))?;
    let batch_emails = store.batch_emails().max(1);
    std::thread::scope(|scope| -> Result<()> {
        let (send, batches) = std::sync::mpsc::sync_channel::<Result<Vec<ParsedEmail>>>(1);
        let ready = move |batch: Vec<ParsedEmail>| -> Result<Vec<ParsedEmail>> {
            if let Some(dir) = &attachments {
                crate::store::write_attachment_files(dir, batch.iter().flat_map(|e| e.attachments.iter()))?;
            }
            Ok(batch)
        };
        scope.spawn(move || {
            let mut batch: Vec<ParsedEmail> = Vec::with_capacity(batch_emails);
            let mut batch_bytes = 0;
            for path in paths {
                let source = match read_mail_source(path) {
                    Ok(source) => source,
                    Err(e) => return drop(send.send(Err(unreadable(path, e)))),
                };
                for raw in source {
                    let raw = match raw {
                        Ok(raw) => raw,
                        Err(e) => return drop(send.send(Err(unreadable(path, e)))),
                    };
                    batch_bytes += raw.len();
                    batch.push(super::parse(&raw));
                    if batch.len() >= batch_emails || batch_bytes >= BATCH_BYTES {
                        // Fails only once the importer has stopped (an error): nothing left to do.
                        if send.send(ready(std::mem::take(&mut batch))).is_err() {
                            return;
                        }
                        batch_bytes = 0;
                    }
                }
            }
            if !batch.is_empty() {
                let _ = send.send(ready(batch));
            }
        });
        for batch in batches {
            file_batch(&batch?, report, done)?;
            if report.stopped {
                // Dropping `batches` ends the reading thread at its next batch.
                break;
            }
        }
        Ok(())
    })
}
