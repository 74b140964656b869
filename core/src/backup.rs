//! Backups of the database with SQLite's online backup API (a consistent copy while the app
//! runs), into a folder where the newest N are kept; and restoring one, which checks the file
//! first and keeps the current database aside.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::store::Store;

/// One backup file, for the settings screen.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct BackupFile {
    pub path: String,
    pub at: Option<DateTime<Utc>>,
    pub size: u64,
}

/// The backups folder and what is in it, newest first.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Backups {
    pub folder: String,
    pub files: Vec<BackupFile>,
}

fn time_of(path: &Path) -> Option<DateTime<Utc>> {
    let name = path.file_name()?.to_str()?;
    let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y-%m-%dT%H%M%SZ").ok().map(|t| t.and_utc())
}

/// The backups of the database at `db`: in `backups/` beside it.
pub fn folder_of(db: &Path) -> PathBuf {
    db.with_file_name("backups")
}

pub fn describe(dir: &Path) -> Result<Backups> {
    let mut files: Vec<BackupFile> = list(dir)?
        .into_iter()
        .map(|p| BackupFile { at: time_of(&p), size: std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0), path: p.display().to_string() })
        .collect();
    files.reverse();
    Ok(Backups { folder: dir.display().to_string(), files })
}

/// How many backups are kept unless the owner says otherwise.
pub const DEFAULT_KEEP: usize = 14;
const PREFIX: &str = "shopdesk-";
const SUFFIX: &str = ".sqlite3";

/// A backup's file name: its time, so names sort by age.
pub fn file_name(at: DateTime<Utc>) -> String {
    format!("{PREFIX}{}{SUFFIX}", at.format("%Y-%m-%dT%H%M%SZ"))
}

fn folder_error(path: &Path, source: std::io::Error) -> Error {
    Error::Folder { path: path.to_path_buf(), source }
}

/// The backups in `dir`, oldest first.
pub fn list(dir: &Path) -> Result<Vec<PathBuf>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| folder_error(dir, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
        })
        .collect();
    found.sort();
    Ok(found)
}

/// The newest backup's time, from its name.
pub fn latest(dir: &Path) -> Result<Option<DateTime<Utc>>> {
    Ok(list(dir)?.last().and_then(|p| time_of(p)))
}

/// A daily backup is due: none yet, or the newest is a day old.
pub fn due(dir: &Path, now: DateTime<Utc>) -> Result<bool> {
    Ok(latest(dir)?.is_none_or(|at| now - at >= chrono::Duration::hours(24)))
}

impl Store {
    /// Writes a consistent copy of the database into `dir` (written under a temporary name,
    /// then renamed: a half-written backup never looks like one), and deletes the oldest beyond
    /// `keep`. Returns the new backup's path.
    pub fn back_up(&self, dir: &Path, keep: usize, now: DateTime<Utc>) -> Result<PathBuf> {
        if self.path().as_os_str() == ":memory:" {
            return Err(Error::Invalid("An in-memory database has nothing to back up".into()));
        }
        std::fs::create_dir_all(dir).map_err(|e| folder_error(dir, e))?;
        remove_stale_partial_backups(dir);
        let path = dir.join(file_name(now));
        let partial = dir.join(format!("{}.part", file_name(now)));
        {
            // Read through a connection of its own with a 64 KiB page cache: the copy reads every
            // page once, and a cache would only fill with pages nobody asks for again, memory
            // the app then keeps (through the store's connection, its whole 2 MiB cache of
            // pages the screens had read before). One step, so one read transaction: a
            // consistent snapshot even while another process writes (WAL).
            let source = rusqlite::Connection::open_with_flags(
                self.path(),
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            source.busy_timeout(std::time::Duration::from_secs(5))?;
            source.pragma_update(None, "cache_size", -64)?;
            let mut copy = rusqlite::Connection::open(&partial)?;
            let backup = rusqlite::backup::Backup::new(&source, &mut copy)?;
            backup.run_to_completion(i32::MAX, std::time::Duration::ZERO, None)?;
        }
        std::fs::rename(&partial, &path).map_err(|e| folder_error(&path, e))?;
        let all = list(dir)?;
        for old in all.iter().take(all.len().saturating_sub(keep.max(1))) {
            std::fs::remove_file(old).map_err(|e| folder_error(old, e))?;
        }
        self.remove_stale_partial_files();
        Ok(path)
    }

    /// Half-written attachment files (`<hash>.part`) a crash left behind more than an hour ago:
    /// nothing refers to them (the database row is written after the rename). Part of the daily
    /// backup, so the attachments folder is listed once a day, not at every start.
    pub fn remove_stale_partial_files(&self) -> usize {
        let Some(dir) = self.attachments_dir() else { return 0 };
        remove_stale(&dir, |name| name.ends_with(".part"))
    }
}

/// Half-written backups (`shopdesk-<time>.sqlite3.part`, and the `-journal` SQLite kept beside
/// it) that a crash or a kill during a backup left behind more than an hour ago: each is as
/// big as the database, never listed as a backup, and nothing else would ever remove it. One
/// written now (the app's daily backup and `shopdesk backup` at once) is left alone.
fn remove_stale_partial_backups(dir: &Path) -> usize {
    remove_stale(dir, |name| name.starts_with(PREFIX) && name.contains(&format!("{SUFFIX}.part")))
}

/// Removes the files in `dir` whose name `matches` and that were last written over an hour ago.
fn remove_stale(dir: &Path, matches: impl Fn(&str) -> bool) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let named = path.file_name().and_then(|n| n.to_str()).is_some_and(&matches);
        let stale = entry.metadata().and_then(|m| m.modified()).is_ok_and(|t| t < hour_ago);
        if named && stale && entry.file_type().is_ok_and(|t| t.is_file()) && std::fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Checks that `file` is a sound Shopdesk database this version can open, without changing it.
pub fn check(file: &Path) -> Result<()> {
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = rusqlite::Connection::open_with_flags(file, flags)?;
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|_| Error::NotADatabase { path: file.to_path_buf() })?;
    let supported = crate::store::latest_schema_version();
    if version > supported {
        return Err(Error::NewerSchema { path: file.to_path_buf(), found: version, supported });
    }
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master WHERE name IN ('cases', 'contacts')", [], |r| r.get(0))?;
    if version == 0 || tables != 2 {
        return Err(Error::Invalid(format!("{} is not a Shopdesk backup", file.display())));
    }
    let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if ok != "ok" {
        return Err(Error::Invalid(format!("{} is damaged ({ok}); it was not restored", file.display())));
    }
    Ok(())
}

/// The newest backup beside `db` that passes [`check`]: what to offer when the database
/// itself can't be opened.
pub fn latest_good(db: &Path) -> Option<BackupFile> {
    let backups = describe(&folder_of(db)).ok()?;
    backups.files.into_iter().find(|f| check(Path::new(&f.path)).is_ok())
}

/// Puts the backup `from` in place of the database at `db` (which must not be open): checks it
/// first, and keeps the current database beside it as `….before-restore-<time>`. Returns where
/// the current database was kept.
pub fn restore(from: &Path, db: &Path, now: DateTime<Utc>) -> Result<PathBuf> {
    check(from)?;
    let aside = db.with_file_name(format!(
        "{}.before-restore-{}",
        db.file_name().and_then(|n| n.to_str()).unwrap_or("shopdesk.sqlite3"),
        now.format("%Y-%m-%dT%H%M%SZ")
    ));
    if db.exists() {
        std::fs::rename(db, &aside).map_err(|e| folder_error(db, e))?;
    }
    for side in ["-wal", "-shm"] {
        let extra = PathBuf::from(format!("{}{side}", db.display()));
        if extra.exists() {
            let _ = std::fs::rename(&extra, PathBuf::from(format!("{}{side}", aside.display())));
        }
    }
    let partial = db.with_extension("restoring");
    // Emails that were waiting in the backup may have gone out since: they are held for the
    // owner before the file takes the database's place (the app never sends them unasked).
    let prepared = std::fs::copy(from, &partial).map_err(|e| folder_error(db, e)).and_then(|_| {
        let mut store = crate::Store::open(&partial)?;
        let held = store.hold_restored_mail()?;
        if held > 0 {
            tracing::info!(held, "emails from the backup held for the owner");
        }
        Ok(())
    });
    let placed = prepared.and_then(|()| std::fs::rename(&partial, db).map_err(|e| folder_error(db, e)));
    if let Err(e) = placed {
        // Put the current database back: a failed restore leaves things as they were.
        let _ = std::fs::remove_file(&partial);
        if aside.exists() {
            let _ = std::fs::rename(&aside, db);
            for side in ["-wal", "-shm"] {
                let _ = std::fs::rename(PathBuf::from(format!("{}{side}", aside.display())), PathBuf::from(format!("{}{side}", db.display())));
            }
        }
        for side in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(PathBuf::from(format!("{}{side}", partial.display())));
        }
        return Err(e);
    }
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Channel, ContactRef, Direction, NewCase, NewContact, NewMessage, Priority, Category};
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, h, 0, 0).single().expect("time")
    }

    fn case(store: &mut Store, subject: &str) {
        let input = NewCase {
            contact: ContactRef::New(NewContact { name: "Ana".into(), ..NewContact::default() }),
            subject: subject.into(),
            priority: Priority::Normal,
            category: Category::Other,
            first_message: NewMessage { direction: Direction::FromCustomer, channel: Channel::Phone, body: "hi".into(), ..NewMessage::default() },
        };
        store.open_case(&input, at(9)).expect("case");
    }

    #[test]
    fn backups_are_consistent_copies_and_only_the_newest_are_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(dir.path().join("shopdesk.sqlite3")).expect("store");
        case(&mut store, "First");
        let backups = dir.path().join("backups");
        for h in 10..14 {
            store.back_up(&backups, 3, at(h)).expect("backup");
        }
        let kept = list(&backups).expect("list");
        assert_eq!(kept.iter().map(|p| p.file_name().expect("name").to_string_lossy().into_owned()).collect::<Vec<_>>(),
            vec!["shopdesk-2026-11-25T110000Z.sqlite3", "shopdesk-2026-11-25T120000Z.sqlite3", "shopdesk-2026-11-25T130000Z.sqlite3"]);
        assert_eq!(latest(&backups).expect("latest"), Some(at(13)));
        check(&kept[2]).expect("a sound backup");
        let copy = Store::open(&kept[2]).expect("opens");
        assert_eq!(copy.case(1001).expect("case").subject, "First");
    }

    #[test]
    fn restore_checks_the_file_and_keeps_the_current_database_aside() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("shopdesk.sqlite3");
        let backups = dir.path().join("backups");
        let backup = {
            let mut store = Store::open(&db).expect("store");
            case(&mut store, "Before");
            let b = store.back_up(&backups, 5, at(10)).expect("backup");
            case(&mut store, "After");
            b
        };
        let junk = dir.path().join("junk.sqlite3");
        std::fs::write(&junk, b"not a database at all, just words").expect("junk");
        assert!(restore(&junk, &db, at(11)).is_err(), "junk is refused");
        assert!(Store::open(&db).expect("untouched").case(1002).is_ok(), "a refused restore changes nothing");

        let aside = restore(&backup, &db, at(12)).expect("restored");
        let store = Store::open(&db).expect("opens");
        assert_eq!(store.case(1001).expect("case").subject, "Before");
        assert!(store.case(1002).is_err(), "what came after the backup is not in it");
        assert_eq!(Store::open(&aside).expect("kept aside").case(1002).expect("kept").subject, "After");
    }

    #[test]
    fn a_damaged_database_is_offered_its_newest_sound_backup_and_kept_aside_by_the_restore() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("shopdesk.sqlite3");
        {
            let mut store = Store::open(&db).expect("store");
            case(&mut store, "Kept");
            store.back_up(&folder_of(&db), 5, at(10)).expect("backup");
        }
        // A newer backup that is itself damaged is passed over.
        std::fs::write(folder_of(&db).join("shopdesk-2026-11-25T110000Z.sqlite3"), b"garbage").expect("junk backup");
        std::fs::write(&db, b"this file was damaged by a disk error").expect("damage");
        std::fs::remove_file(dir.path().join("shopdesk.sqlite3-wal")).ok();
        assert!(matches!(Store::open(&db), Err(Error::NotADatabase { .. })));
        let offered = latest_good(&db).expect("a sound backup");
        assert_eq!(offered.at, Some(at(10)));
        let aside = restore(Path::new(&offered.path), &db, at(12)).expect("restored");
        assert_eq!(Store::open(&db).expect("opens").case(1001).expect("case").subject, "Kept");
        assert_eq!(std::fs::read(&aside).expect("kept"), b"this file was damaged by a disk error", "the damaged file is kept as it was");
    }

    #[test]
    fn the_daily_backup_clears_attachment_files_a_crash_left_half_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path().join("shopdesk.sqlite3")).expect("store");
        let attachments = store.attachments_dir().expect("folder");
        std::fs::create_dir_all(&attachments).expect("mkdir");
        let old = attachments.join("aaaa.part");
        let fresh = attachments.join("bbbb.part");
        let kept = attachments.join("cccc");
        for f in [&old, &fresh, &kept] {
            std::fs::write(f, b"x").expect("write");
        }
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        std::fs::File::options().write(true).open(&old).expect("open").set_modified(two_hours_ago).expect("mtime");
        std::fs::File::options().write(true).open(&kept).expect("open").set_modified(two_hours_ago).expect("mtime");
        store.back_up(&folder_of(store.path()), 5, at(10)).expect("backup");
        assert!(!old.exists(), "a stale .part is removed");
        assert!(fresh.exists(), "one being written now is left alone");
        assert!(kept.exists(), "stored files are never touched");
    }

    #[test]
    fn a_backup_clears_the_half_written_backups_a_kill_left_behind() {
        // Found by the reliability suite (`run.py --only secrets`): the app killed during its daily
        // backup left `shopdesk-<time>.sqlite3.part` and `.part-journal` in backups/ for good.
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path().join("shopdesk.sqlite3")).expect("store");
        let backups = folder_of(store.path());
        std::fs::create_dir_all(&backups).expect("mkdir");
        let old = backups.join("shopdesk-2026-11-24T090000Z.sqlite3.part");
        let old_journal = backups.join("shopdesk-2026-11-24T090000Z.sqlite3.part-journal");
        let fresh = backups.join("shopdesk-2026-11-25T090000Z.sqlite3.part");
        let owners = backups.join("notes.part");
        for f in [&old, &old_journal, &fresh, &owners] {
            std::fs::write(f, b"x").expect("write");
        }
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        for f in [&old, &old_journal, &owners] {
            std::fs::File::options().write(true).open(f).expect("open").set_modified(two_hours_ago).expect("mtime");
        }
        let made = store.back_up(&backups, 5, at(10)).expect("backup");
        assert!(!old.exists() && !old_journal.exists(), "a stale half-written backup and its journal are removed");
        assert!(fresh.exists(), "one being written now is left alone");
        assert!(owners.exists(), "files that are not Shopdesk's backups are never touched");
        assert_eq!(list(&backups).expect("list"), vec![made], "a half-written backup is never listed as one");
    }

    #[test]
    fn emails_waiting_in_a_restored_backup_are_held_for_the_owner_not_sent_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("shopdesk.sqlite3");
        let account = crate::account::MailAccount {
            from_name: "Costa Ceramics".into(),
            from_address: "shop@example.com".into(),
            smtp_host: "smtp.example.com".into(),
            ..crate::account::MailAccount::default()
        };
        let backup = {
            let mut store = Store::open(&db).expect("store");
            store.set_mail_account(&account).expect("account");
            store.ingest_email(b"From: Ana <ana@example.com>\r\nSubject: Lid\r\nMessage-ID: <a1@x>\r\n\r\nLid missing\r\n", at(9)).expect("in");
            store.queue_reply(1001, "Sending a lid today.", None, "Rui", at(10)).expect("queued");
            let b = store.back_up(&dir.path().join("backups"), 5, at(10)).expect("backup");
            // After the backup the reply went out.
            let sent = store.claim_due_mail(at(10), 5).expect("claim");
            store.record_sent(sent[0].message_id, at(10)).expect("sent");
            b
        };
        restore(&backup, &db, at(12)).expect("restored");
        let mut store = Store::open(&db).expect("opens");
        let entries = store.outbox(at(12)).expect("outbox");
        assert_eq!(entries.len(), 1);
        let delivery = entries[0].delivery.clone();
        assert_eq!(delivery.state, crate::model::DeliveryState::Held);
        assert!(delivery.last_error.as_deref().unwrap_or("").contains("restore"), "{delivery:?}");
        assert!(store.claim_due_mail(at(13), 5).expect("claim").is_empty(), "nothing goes out unasked");
        assert_eq!(store.requeue_held(at(13)).expect("requeue"), 0, "saving the account does not send it");
        store.retry_outgoing(entries[0].message_id, at(14)).expect("the owner sends it again");
        assert_eq!(store.claim_due_mail(at(14), 5).expect("claim").len(), 1);
    }
}
