//! The model itself, on plain connections: what is synced survives a cut, what is not does not,
//! and SQLite recovers from either loss.

use rusqlite::{Connection, OpenFlags};

use super::*;

fn flags() -> OpenFlags {
    OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX
}

fn plan(cut_at: CutAt, loss: Loss) -> Plan {
    Plan { cut_at, loss, seed: 7 }
}

/// A WAL database with table t, made and closed with the normal VFS.
fn database(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("t.sqlite3");
    let conn = Connection::open(&path).expect("open");
    conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (n INTEGER PRIMARY KEY, s TEXT NOT NULL);").expect("schema");
    drop(conn);
    path
}

/// Opens `path` again with the normal VFS after a cut, as a restart would (the -shm is lost).
fn reopen(path: &std::path::Path) -> Connection {
    let _ = std::fs::remove_file(format!("{}-shm", path.display()));
    let conn = Connection::open(path).expect("reopen");
    let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("integrity_check");
    assert_eq!(ok, "ok");
    conn
}

fn rows(conn: &Connection) -> i64 {
    conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).expect("count")
}

/// Commits `n` one-row transactions; returns how many returned Ok.
fn commit_rows(conn: &Connection, n: i64) -> i64 {
    (0..n).filter(|i| conn.execute("INSERT INTO t (s) VALUES (?1)", [format!("row {i} {}", "x".repeat(300))]).is_ok()).count() as i64
}

#[test]
fn unsynced_commits_are_lost_at_the_cut_and_synced_ones_kept() {
    for (synchronous, survive) in [("NORMAL", false), ("FULL", true)] {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = database(dir.path());
        let vfs = CrashVfs::register(plan(CutAt::Never, Loss::DropAll)).expect("vfs");
        let conn = Connection::open_with_flags_and_vfs(&path, flags(), vfs.name()).expect("open on the crash VFS");
        conn.pragma_update(None, "synchronous", synchronous).expect("synchronous");
        assert_eq!(commit_rows(&conn, 20), 20);
        // The connection reads its own writes back through the cache.
        assert_eq!(rows(&conn), 20);
        if survive {
            assert_eq!(vfs.pending(), 0, "FULL syncs the WAL at every commit");
        } else {
            assert!(vfs.pending() > 0, "NORMAL leaves the commits in the disk's cache");
        }
        vfs.cut_now();
        assert!(conn.execute("INSERT INTO t (s) VALUES ('after')", []).is_err(), "nothing is written after the cut");
        drop(conn);
        let after = reopen(&path);
        assert_eq!(rows(&after), if survive { 20 } else { 0 }, "synchronous = {synchronous}");
        let report = vfs.cut().expect("cut");
        assert_eq!(report.pending > 0, !survive, "{report:?}");
    }
}

#[test]
fn a_checkpoint_makes_normal_commits_durable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = database(dir.path());
    let vfs = CrashVfs::register(plan(CutAt::Never, Loss::DropAll)).expect("vfs");
    let conn = Connection::open_with_flags_and_vfs(&path, flags(), vfs.name()).expect("open");
    conn.pragma_update(None, "synchronous", "NORMAL").expect("synchronous");
    assert_eq!(commit_rows(&conn, 10), 10);
    conn.query_row("PRAGMA wal_checkpoint(FULL)", [], |_| Ok(())).expect("checkpoint");
    assert_eq!(vfs.pending(), 0);
    assert_eq!(commit_rows(&conn, 5), 5);
    vfs.cut_now();
    drop(conn);
    assert_eq!(rows(&reopen(&path)), 10, "the checkpointed rows survive, the 5 after it do not");
}

#[test]
fn the_nth_write_or_sync_cuts_the_power() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = database(dir.path());
    let counting = CrashVfs::register(plan(CutAt::Never, Loss::DropAll)).expect("vfs");
    let conn = Connection::open_with_flags_and_vfs(&path, flags(), counting.name()).expect("open");
    conn.pragma_update(None, "synchronous", "FULL").expect("synchronous");
    assert_eq!(commit_rows(&conn, 10), 10);
    let all = counting.counts();
    assert!(all.writes >= 20 && all.syncs >= 10, "{all:?}");
    drop(conn);
    drop(counting);

    for cut_at in [CutAt::Write(all.writes / 2), CutAt::Sync(all.syncs / 2)] {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = database(dir.path());
        let vfs = CrashVfs::register(plan(cut_at, Loss::DropAll)).expect("vfs");
        let conn = Connection::open_with_flags_and_vfs(&path, flags(), vfs.name()).expect("open");
        conn.pragma_update(None, "synchronous", "FULL").expect("synchronous");
        let committed = commit_rows(&conn, 10);
        let report = vfs.cut().expect("the cut came");
        match cut_at {
            CutAt::Write(n) => assert_eq!(report.at.writes, n),
            CutAt::Sync(n) => assert_eq!(report.at.syncs, n),
            CutAt::Never => unreachable!(),
        }
        assert!(committed > 0 && committed < 10, "{cut_at:?}: {committed} committed");
        drop(conn);
        // Every commit that returned Ok was synced (FULL), so it is there; the one cut short is not.
        assert_eq!(rows(&reopen(&path)), committed, "{cut_at:?}");
        assert_eq!(vfs.open_files(), 0);
    }
}

#[test]
fn torn_writes_never_corrupt_and_never_lose_a_synced_commit() {
    let mut torn = 0;
    for seed in 0..20u64 {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = database(dir.path());
        let vfs = CrashVfs::register(Plan { cut_at: CutAt::Write(5 + seed * 7), loss: Loss::Torn, seed }).expect("vfs");
        let conn = Connection::open_with_flags_and_vfs(&path, flags(), vfs.name()).expect("open");
        conn.pragma_update(None, "synchronous", "FULL").expect("synchronous");
        let committed = commit_rows(&conn, 80);
        drop(conn);
        let report = vfs.cut().expect("cut");
        assert!(report.errors.is_empty(), "{report:?}");
        torn += report.pieces_lost + report.pieces_garbage;
        let after = reopen(&path);
        let found = rows(&after);
        // The transaction in flight at the cut may have reached the disk whole (its sync was
        // the cut); never a part of one.
        assert!(found == committed || found == committed + 1, "seed {seed}: {committed} committed, {found} found");
    }
    assert!(torn > 0, "some cut tore a write");
}
