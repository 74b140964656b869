//! The store: one SQLite file holding every contact, case, message and event.
//!
//! Opening sets the connection up (WAL, foreign keys, busy timeout) and brings the schema up to
//! date with append-only migrations; a file from a newer Shopdesk is refused before anything in
//! it is touched. SQL stays in this module's children; the domain sees typed records.

mod cases;
pub use cases::{IngestOptions, Ingested, DEFAULT_AUTHOR};
mod outbox;
pub use outbox::{backoff, promise_phrase, reply_subject, OutgoingMail, SEND_LEASE};
pub(crate) use outbox::write_attachment_files;
mod contacts;
mod migrations;
mod queue;
mod rank;
mod search;
pub(crate) mod search_index;
pub use search::{SearchHit, SearchJump, SearchOrder, SearchResults, MATCH_END, MATCH_START};
mod sla;
pub use sla::ClockSweep;
mod export;
mod orders;
pub use orders::OrdersImport;
mod replies;
pub use replies::customer_date;
mod reports;
mod surveys;
pub use surveys::SurveyAnswer;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::error::{Error, Result};

pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
    /// Rows holding each whole word searched for, while the index is unchanged (ranked search).
    phrase_counts: std::cell::RefCell<rank::PhraseCounts>,
}

impl Store {
    /// Opens (creating if needed) the database at `path`, creating its folder too.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Self::open_on(path.as_ref(), None)
    }

    /// [`Store::open`] through the SQLite VFS registered as `vfs`: for tests that put a
    /// simulated disk under the store (core/tests/power_loss.rs). Same flags, same setup.
    #[doc(hidden)]
    pub fn open_with_vfs(path: impl AsRef<Path>, vfs: &str) -> Result<Store> {
        Self::open_on(path.as_ref(), Some(vfs))
    }

    fn open_on(path: &Path, vfs: Option<&str>) -> Result<Store> {
        let path = path.to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|source| Error::Folder { path: dir.to_path_buf(), source })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = match vfs {
            Some(vfs) => Connection::open_with_flags_and_vfs(&path, flags, vfs)?,
            None => Connection::open_with_flags(&path, flags)?,
        };
        Self::setup(conn, path)
    }

    /// A private in-memory database, for tests and benchmarks.
    pub fn open_in_memory() -> Result<Store> {
        Self::setup(Connection::open_in_memory()?, PathBuf::from(":memory:"))
    }

    fn setup(mut conn: Connection, path: PathBuf) -> Result<Store> {
        conn.busy_timeout(Duration::from_secs(5))?;
        // Room for every statement of the ingest path and the screens' queries (the default is 16).
        conn.set_prepared_statement_cache_capacity(256);
        search_index::register_functions(&conn)?;
        // Read the version before anything writes to the file: a newer file stays untouched.
        let found: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(|e| match e.sqlite_error_code() {
                Some(ErrorCode::NotADatabase) => Error::NotADatabase { path: path.clone() },
                _ => Error::Database(e),
            })?;
        let supported = migrations::latest_version();
        if found > supported {
            return Err(Error::NewerSchema { path, found, supported });
        }
        // After the version is read: preparing its statement reads the file's schema.
        rank::register(&conn)?;
        if path.as_os_str() != ":memory:" {
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
        }
        conn.pragma_update(None, "foreign_keys", true)?;
        // Every transaction here writes: take the write lock at BEGIN. A deferred one that reads
        // first is refused at once (SQLITE_BUSY_SNAPSHOT, no busy wait) when another process
        // wrote in between; an immediate one waits its turn up to the busy timeout.
        conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        // FULL: every commit syncs the WAL before it returns, so a reply the shop wrote (or a
        // batch of emails reported stored) survives a power cut. With NORMAL a commit only
        // reached the OS, and the last ones were lost on power loss (core/tests/power_loss.rs
        // shows it; RELIABILITY.md). Imports commit once per batch, so the cost is one sync a batch.
        conn.pragma_update(None, "synchronous", "FULL")?;
        migrations::migrations().to_latest(&mut conn).map_err(|e| match &e {
            rusqlite_migration::Error::RusqliteError { err, .. }
                if err.sqlite_error_code() == Some(ErrorCode::DiskFull) =>
            {
                Error::DiskFull
            }
            _ => Error::Migration(e),
        })?;
        // What another program wrote is only noted for search (migration 23): index it now. Not
        // a reason to refuse the file if it can't be done at once (another writer holds the
        // lock past the busy timeout): the next write of this store indexes it.
        if search_index::anything_noted(&conn)? {
            if let Err(e) = conn.transaction().and_then(search_index::commit) {
                tracing::warn!(error = %e, "could not index what another program wrote; the next write will");
            }
        }
        Ok(Store { conn, path, phrase_counts: Default::default() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
    }

    /// True when the database holds no contact and no case (a fresh install).
    pub fn is_empty(&self) -> Result<bool> {
        let n: i64 = self.conn.query_row(
            "SELECT (SELECT count(*) FROM contacts) + (SELECT count(*) FROM cases)",
            [],
            |row| row.get(0),
        )?;
        Ok(n == 0)
    }
}

/// Pages the write-ahead log takes during an import before they are copied back into the
/// database file (~40 MB); SQLite's default, [`WAL_PAGES`], otherwise.
const IMPORT_WAL_PAGES: i64 = 10_000;
const WAL_PAGES: i64 = 1_000;

impl Store {
    /// For the length of an import that holds the store a second at a time (the command line's;
    /// see `import_paths`): the write-ahead log is copied back into the database file every
    /// ~40 MB instead of every ~4 MB. Each batch of an import writes more than 4 MB, so it
    /// was copied back after every batch, and a page changed by several batches (an index's
    /// upper pages, the search index's structure) written each time: 5–8 % less time for
    /// 100,000 emails on disk (three sets of alternated runs, BENCHMARKS.md, session 12).
    /// Durability is the same: each commit still syncs the log. [`Store::end_import`] undoes it.
    pub fn begin_import(&self) -> Result<()> {
        self.conn.pragma_update(None, "wal_autocheckpoint", IMPORT_WAL_PAGES)?;
        Ok(())
    }

    /// Ends [`Store::begin_import`]: back to the default, and what the log holds is copied back
    /// now (without waiting for readers: what they still read is copied at a later checkpoint).
    pub fn end_import(&self) -> Result<()> {
        self.conn.pragma_update(None, "wal_autocheckpoint", WAL_PAGES)?;
        // (A database not in WAL mode, as in memory, answers "nothing to copy".)
        self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }
}

/// The schema version this build writes: a file with a higher one is from a newer Shopdesk.
pub fn latest_schema_version() -> i64 {
    migrations::latest_version()
}

/// Runs a write through the connection's statement cache. Filing an email runs the same few
/// statements for every email, and preparing one (with the search triggers it fires) costs more
/// than running it.
pub(crate) fn cached_execute(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

/// [`Connection::query_row`] through the statement cache (see [`cached_execute`]).
pub(crate) fn cached_row<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.prepare_cached(sql)?.query_row(params, f)
}

/// Instants are stored as UTC milliseconds since the epoch: compact, and they sort.
pub(crate) fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// `now` cut to the store's precision, so what is returned equals what is read back later.
pub(crate) fn truncate(t: DateTime<Utc>) -> DateTime<Utc> {
    from_ms(to_ms(t))
}

#[cfg(test)]
mod tests;
