//! Power loss (issue 8): the real `Store`, on a real SQLite file, over a simulated disk whose
//! write cache loses what was not synced when the power goes.
//!
//! The disk is `shopdesk-crash-vfs` (SQLite's test6.c "crash" VFS idea): writes wait in memory
//! until their file is synced; at a cut point picked by a seeded RNG (the Nth write or the Nth
//! sync of the workload, or at the end when idle) the power goes: the rest of the cache is lost,
//! or (every other seed) a random part of it reaches the disk in torn 512-byte pieces, some of
//! them garbage. That is a simulation under SQLite, not a real power cut (no VM or dm-flakey
//! here); RELIABILITY.md says what it covers.
//!
//! Each iteration: a copy of a shop's database (120 emails imported), then a random workload
//! through the public API, as the app and the CLI do it: mail imports (`import_paths`, batches
//! of up to 200 emails a transaction), replies (some scheduled), send passes (claim, then sent or
//! a temporary failure), notes, new cases. After the cut: the dead store must return errors
//! (no panic), then the files are opened again with the normal VFS through `Store::open` (the
//! `-shm` deleted: a power cut loses it) and checked:
//!
//! - `PRAGMA integrity_check` is ok, no foreign key is broken, every FTS5 index passes its
//!   `integrity-check`;
//! - durability: everything whose call returned Ok before the cut is there: every reply (its
//!   text, its case), in the outbox as `sent` when its `record_sent` returned, else `queued` (and
//!   the next send pass takes it); every note; every new case under the number it was given;
//!   every email of an import step whose commit was reported;
//! - atomicity: nothing is half there: an import's stored emails are a prefix of its mailbox
//!   (whole transactions), every reply has its outbox row, every case a message, every contact
//!   a case; no text written twice; sent ⇔ a sent time;
//! - case numbers are unique and the counter is past the highest;
//! - importing every mailbox again stores each email exactly once.
//!
//! `cargo test -p shopdesk-core --test power_loss` runs the CI size; a long run:
//! `SHOPDESK_POWER_ITERATIONS=2000 cargo test --release -p shopdesk-core --test power_loss -- --nocapture`.
//! `SHOPDESK_POWER_SEED=<seed>` starts at that seed (with `SHOPDESK_POWER_ITERATIONS=1`: repeats
//! one failing iteration). Times are never asserted.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rusqlite::Connection;
use shopdesk_core::account::MailAccount;
use shopdesk_core::bench::synthetic_mbox;
use shopdesk_core::mail::import::{import_paths, ImportReport};
use shopdesk_core::mail::read_mail_source;
use shopdesk_core::mail::worker::StoreAccess;
use shopdesk_core::store::IngestOptions;
use shopdesk_core::{
    Category, Channel, ContactRef, Direction, MessageId, NewCase, NewContact, NewMessage, Priority, QueueFilter, QueuePage,
    Store,
};
use shopdesk_crash_vfs::{Counts, CrashVfs, CutAt, CutReport, Loss, Plan};

/// Iterations in `cargo test` (CI); `SHOPDESK_POWER_ITERATIONS` for a long run.
const CI_ITERATIONS: u64 = 30;
/// Steps of the workload in one iteration.
const STEPS: u64 = 14;
const TEMPLATE_EMAILS: usize = 120;

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).single().expect("time")
}

use shopdesk_crash_vfs::Rng;

/// The salt of the workload's random choices (the disk's own use the seed unsalted).
const WORKLOAD: u64 = 0x5DEE_CE66_D1CE_4E5B;

/// The store as the CLI's import takes it, without the 1 s hold (so that a seed replays the
/// same transactions, and the Nth write is the same write, on any machine).
struct Whole(Mutex<Store>);

impl StoreAccess for Whole {
    fn with<R>(&self, f: impl FnOnce(&mut Store) -> shopdesk_core::Result<R>) -> shopdesk_core::Result<R> {
        let mut store = self.0.lock().map_err(|_| shopdesk_core::Error::Invalid("store lock poisoned".into()))?;
        f(&mut store)
    }
    fn hold_limit(&self) -> Option<std::time::Duration> {
        None
    }
    /// The workload's larger imports (201–230 emails) span two transactions.
    fn batch_emails(&self) -> usize {
        200
    }
}

fn account() -> MailAccount {
    MailAccount {
        from_name: "Costa Ceramics".into(),
        from_address: "shop@example.com".into(),
        smtp_host: "127.0.0.1".into(),
        smtp_port: 2525,
        acknowledge: false,
        ..MailAccount::default()
    }
}

/// The Message-IDs of the emails in `mbox`, in order.
fn message_ids(mbox: &Path) -> Vec<String> {
    read_mail_source(mbox)
        .expect("mbox")
        .map(|raw| {
            let raw = String::from_utf8_lossy(&raw.expect("email")).into_owned();
            let line = raw.lines().find(|l| l.starts_with("Message-ID: <")).expect("every generated email has a Message-ID");
            line.trim_start_matches("Message-ID: <").trim_end_matches('>').to_string()
        })
        .collect()
}

/// A shop's database before the workload: its account set up and 120 emails in, closed cleanly
/// (one file, no WAL). Every iteration starts from a copy.
struct Template {
    _dir: tempfile::TempDir,
    db: PathBuf,
    /// Cases to reply to and write notes on.
    cases: Vec<u32>,
}

fn template() -> Template {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("shop.sqlite3");
    let mbox = dir.path().join("past.mbox");
    std::fs::write(&mbox, synthetic_mbox(TEMPLATE_EMAILS, 424_242)).expect("mbox");
    let mut store = Store::open(&db).expect("open");
    store.set_mail_account(&account()).expect("account");
    let whole = Whole(Mutex::new(store));
    let report = import_paths(&whole, &[mbox], || start() - Duration::days(1), |_| {}).expect("import");
    assert_eq!(report.stored as usize, TEMPLATE_EMAILS);
    drop(whole);
    assert!(!Path::new(&format!("{}-wal", db.display())).exists(), "closed cleanly: one file");
    let conn = Connection::open(&db).expect("open");
    let cases: Vec<u32> = conn
        .prepare("SELECT number FROM cases ORDER BY number")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("cases");
    assert!(cases.len() > 10, "{} cases", cases.len());
    Template { _dir: dir, db, cases }
}

/// One import step of the workload: its mailbox, and how much of it was reported committed
/// before the cut.
struct ImportStep {
    mbox: PathBuf,
    ids: Vec<String>,
    committed: usize,
}

/// What the workload did, as far as its calls told it before the cut.
#[derive(Default)]
struct Oracle {
    imports: Vec<ImportStep>,
    /// Replies whose `queue_reply` returned Ok: token, case, id.
    replies: Vec<(String, u32, MessageId)>,
    /// Replies whose `record_sent` returned Ok.
    sent: HashSet<MessageId>,
    notes: Vec<(String, u32, MessageId)>,
    /// New cases whose `open_case` returned Ok: subject token, number.
    cases: Vec<(String, u32)>,
    /// Every token written or attempted (none may be there twice).
    tokens: Vec<String>,
    /// The call the power cut short (its outcome is unknown, but it must be whole or absent).
    in_flight: Option<String>,
    /// Calls that failed before the cut (a real error, not the power): always a problem.
    problems: Vec<String>,
}

/// Runs the workload of `seed` on `store` until the cut (or its end). Returns the store (for
/// the error-path probes) when it was opened.
fn workload(dir: &Path, db: &Path, vfs: &CrashVfs, seed: u64, cases: &[u32], oracle: &mut Oracle) -> Option<Whole> {
    let store = match Store::open_with_vfs(db, vfs.name()) {
        Ok(store) => Whole(Mutex::new(store)),
        Err(e) => {
            if vfs.has_cut() {
                oracle.in_flight = Some("Store::open".into());
            } else {
                oracle.problems.push(format!("Store::open_with_vfs failed before the cut: {e}"));
            }
            return None;
        }
    };
    let mut rng = Rng::new(seed, WORKLOAD);
    let mut now = start();
    // Cases the workload may write on: the template's, then those it opened.
    let mut targets: Vec<u32> = cases.to_vec();
    for step in 0..STEPS {
        if vfs.has_cut() {
            break;
        }
        now += Duration::minutes(2);
        let token = |kind: &str| format!("[PL{kind}-{seed}-{step}]");
        let what: String;
        let result: shopdesk_core::Result<()> = match rng.below(20) {
            // An import of past mail: mostly a few emails, sometimes more than one batch.
            0..=5 => {
                let n = if rng.below(6) == 0 { 201 + rng.below(30) } else { 1 + rng.below(25) } as usize;
                let mbox = dir.join(format!("step{step}.mbox"));
                std::fs::write(&mbox, synthetic_mbox(n, seed * 1000 + step)).expect("mbox");
                let ids = message_ids(&mbox);
                assert_eq!(ids.len(), n);
                what = format!("import of {n} emails (step {step})");
                oracle.imports.push(ImportStep { mbox: mbox.clone(), ids, committed: 0 });
                let at = oracle.imports.len() - 1;
                let imports = &mut oracle.imports;
                import_paths(&store, &[mbox], || now, |p| {
                    // Reported after each transaction's commit returned.
                    if !vfs.has_cut() {
                        imports[at].committed = p.done as usize;
                    }
                })
                .map(|_| ())
            }
            // A reply, now or scheduled for later.
            6..=10 => {
                let number = targets[rng.below(targets.len() as u64) as usize];
                let token = token("R");
                let later = (rng.below(5) == 0).then(|| now + Duration::hours(2));
                what = format!("reply {token} on #{number}");
                oracle.tokens.push(token.clone());
                let body = format!("{token} Hello, the replacement teapot left our workshop today; tracking follows.");
                store.with(|s| s.queue_reply(number, &body, later, "Ana", now)).map(|m| {
                    if !vfs.has_cut() {
                        oracle.replies.push((token, number, m.id));
                    }
                })
            }
            // A send pass: claim what is due, then the server's answer.
            11..=13 => {
                what = "send pass".into();
                match store.with(|s| s.claim_due_mail(now, 3)) {
                    Err(e) => Err(e),
                    Ok(claimed) => {
                        let mut result = Ok(());
                        for mail in claimed {
                            if vfs.has_cut() {
                                break;
                            }
                            let sent = rng.below(5) != 0;
                            let got = if sent {
                                store.with(|s| s.record_sent(mail.message_id, now))
                            } else {
                                store.with(|s| s.record_send_failure(mail.message_id, "451 4.3.0 Try again later", false, now))
                            };
                            match got {
                                Ok(()) if sent && !vfs.has_cut() => {
                                    oracle.sent.insert(mail.message_id);
                                }
                                Ok(()) => {}
                                Err(e) => {
                                    result = Err(e);
                                    break;
                                }
                            }
                        }
                        result
                    }
                }
            }
            // An internal note.
            14..=16 => {
                let number = targets[rng.below(targets.len() as u64) as usize];
                let token = token("N");
                what = format!("note {token} on #{number}");
                oracle.tokens.push(token.clone());
                let note = NewMessage {
                    direction: Direction::Note,
                    channel: Channel::Phone,
                    author: "Ana".into(),
                    body: format!("{token} Called back: she wants the replacement gift-wrapped."),
                    happened_at: None,
                };
                store.with(|s| s.log_message(number, &note, now)).map(|m| {
                    if !vfs.has_cut() {
                        oracle.notes.push((token, number, m.id));
                    }
                })
            }
            // A phone call opens a case for a new customer.
            _ => {
                let token = token("C");
                what = format!("new case {token}");
                oracle.tokens.push(token.clone());
                let input = NewCase {
                    contact: ContactRef::New(NewContact {
                        name: format!("Caller {seed} {step}"),
                        emails: vec![format!("caller-{seed}-{step}@example.net")],
                        ..NewContact::default()
                    }),
                    subject: format!("{token} Teapot lid chipped"),
                    priority: Priority::Normal,
                    category: Category::DamagedItem,
                    first_message: NewMessage {
                        direction: Direction::FromCustomer,
                        channel: Channel::Phone,
                        author: String::new(),
                        body: format!("{token} Called: the lid of the blue teapot arrived chipped."),
                        happened_at: None,
                    },
                };
                store.with(|s| s.open_case(&input, now)).map(|case| {
                    if !vfs.has_cut() {
                        oracle.cases.push((token, case.number));
                        targets.push(case.number);
                    }
                })
            }
        };
        if vfs.has_cut() {
            oracle.in_flight = Some(match &result {
                Ok(()) => format!("{what} (returned Ok, the cut came during it)"),
                Err(e) => format!("{what} (failed: {e})"),
            });
        } else if let Err(e) = result {
            oracle.problems.push(format!("{what} failed before the cut: {e}"));
        }
    }
    Some(store)
}

/// After the cut, the store on the dead disk: writes fail with an error (never Ok, never a
/// panic), reads may or may not be served from its cache.
fn probe_dead_store(store: &Whole, db: &Path, vfs: &CrashVfs, case: u32, problems: &mut Vec<String>) {
    let now = start() + Duration::days(1);
    if store.with(|s| s.queue_reply(case, "[probe] written after the power went", None, "Ana", now)).is_ok() {
        problems.push("a reply written after the cut returned Ok".into());
    }
    let raw = b"From: Late <late@example.org>\r\nSubject: After the cut\r\nMessage-ID: <late@example.org>\r\n\r\nHello\r\n".to_vec();
    if store.with(|s| s.ingest_batch(&[raw], &IngestOptions::default(), now)).is_ok() {
        problems.push("an email filed after the cut returned Ok".into());
    }
    let _ = store.with(|s| s.queue(&QueueFilter::default(), QueuePage::first(20), now));
    let _ = store.with(|s| s.search("teapot", &QueueFilter::default()));
    if Store::open_with_vfs(db, vfs.name()).is_ok() {
        problems.push("the store opened on the dead disk".into());
    }
}

fn count(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> i64 {
    conn.query_row(sql, params, |r| r.get(0)).unwrap_or(-1)
}

/// Everything promised, on the files as the cut left them. Returns what is wrong.
fn check(db: &Path, oracle: &Oracle) -> Vec<String> {
    let mut problems = Vec::new();
    let _ = std::fs::remove_file(format!("{}-shm", db.display()));
    // The app's way in: recovery of the WAL, the setup, the migrations.
    let store = match Store::open(db) {
        Ok(store) => Whole(Mutex::new(store)),
        Err(e) => return vec![format!("Store::open after the cut: {e}")],
    };
    let conn = match Connection::open(db) {
        Ok(conn) => conn,
        Err(e) => return vec![format!("a plain connection after the cut: {e}")],
    };
    let integrity: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_else(|e| vec![e.to_string()]);
    if integrity != ["ok"] {
        problems.push(format!("integrity_check: {}", integrity.join("; ")));
    }
    let broken = count(&conn, "SELECT count(*) FROM pragma_foreign_key_check", []);
    if broken != 0 {
        problems.push(format!("foreign_key_check: {broken} rows"));
    }
    let fts: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_default();
    if !fts.iter().any(|t| t == "search_fts") {
        problems.push(format!("the search index is missing (FTS5 tables: {fts:?})"));
    }
    // rank 1: the word index, whose text is read from the messages and cases (migration 18), is
    // also checked against that text.
    for table in &fts {
        if let Err(e) = conn.execute(&format!("INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)"), []) {
            problems.push(format!("{table} integrity-check: {e}"));
        }
    }
    let doubled = count(&conn, "SELECT count(*) - count(DISTINCT number) FROM cases", []);
    if doubled != 0 {
        problems.push(format!("{doubled} case numbers given twice"));
    }
    let behind = count(&conn, "SELECT count(*) FROM cases WHERE number > (SELECT value FROM counters WHERE name = 'case_number')", []);
    if behind != 0 {
        problems.push(format!("the case counter is behind {behind} cases (a number would be given again)"));
    }
    let empty_cases = count(&conn, "SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.case_id = c.id)", []);
    if empty_cases != 0 {
        problems.push(format!("{empty_cases} cases without a message (a half-written intake)"));
    }
    let lone = count(&conn, "SELECT count(*) FROM contacts p WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.contact_id = p.id)", []);
    if lone != 0 {
        problems.push(format!("{lone} contacts without a case (a half-written intake)"));
    }
    let odd = count(&conn, "SELECT count(*) FROM outbox WHERE (state = 'sent') != (sent_at IS NOT NULL)", []);
    if odd != 0 {
        problems.push(format!("{odd} outbox rows sent without a time or with a time and not sent"));
    }
    let unqueued = count(
        &conn,
        "SELECT count(*) FROM messages m WHERE instr(m.body, '[PLR-') > 0 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)",
        [],
    );
    if unqueued != 0 {
        problems.push(format!("{unqueued} replies on the timeline without their outbox row"));
    }
    for token in &oracle.tokens {
        let n = count(&conn, "SELECT count(*) FROM messages WHERE instr(body, ?1) > 0", [token]);
        if n > 1 {
            problems.push(format!("{token} is there {n} times"));
        }
    }
    // Durability: what returned Ok before the cut.
    for (token, number, id) in &oracle.replies {
        let row: Option<(String, u32, Option<String>)> = conn
            .query_row(
                "SELECT m.body, c.number, o.state FROM messages m JOIN cases c ON c.id = m.case_id
                   LEFT JOIN outbox o ON o.message_id = m.id WHERE m.id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .ok();
        let want = if oracle.sent.contains(id) { "sent" } else { "queued" };
        match row {
            None => problems.push(format!("LOST: reply {token} on #{number} (its save had returned)")),
            Some((body, at, state)) => {
                if !body.contains(token.as_str()) || at != *number {
                    problems.push(format!("reply {token}: on #{at}, text {body:?}"));
                }
                if state.as_deref() != Some(want) {
                    problems.push(format!("reply {token} is {state:?} in the outbox, not {want}"));
                }
            }
        }
    }
    for (token, number, id) in &oracle.notes {
        let found = count(&conn, "SELECT count(*) FROM messages m JOIN cases c ON c.id = m.case_id WHERE m.id = ?1 AND c.number = ?2 AND instr(m.body, ?3) > 0", rusqlite::params![id, number, token]);
        if found != 1 {
            problems.push(format!("LOST: note {token} on #{number}"));
        }
    }
    for (token, number) in &oracle.cases {
        match store.with(|s| s.case(*number)) {
            Ok(case) if case.subject.contains(token.as_str()) => {}
            Ok(case) => problems.push(format!("case #{number} was {token}, now names {:?}", case.subject)),
            Err(e) => problems.push(format!("LOST: case #{number} ({token}): {e}")),
        }
    }
    for step in &oracle.imports {
        let present: Vec<bool> = step
            .ids
            .iter()
            .map(|id| {
                let n = count(&conn, "SELECT count(*) FROM messages WHERE message_id = ?1", [id]);
                if n > 1 {
                    problems.push(format!("{id} stored {n} times"));
                }
                n > 0
            })
            .collect();
        let prefix = present.iter().take_while(|p| **p).count();
        if present[prefix..].iter().any(|p| *p) {
            problems.push(format!("{}: stored emails are not a prefix (a transaction half there)", step.mbox.display()));
        }
        if prefix < step.committed {
            problems.push(format!("LOST: {} of {} emails reported stored from {}", step.committed - prefix, step.committed, step.mbox.display()));
        }
    }
    // The import run again: every email exactly once.
    let mboxes: Vec<PathBuf> = oracle.imports.iter().map(|s| s.mbox.clone()).collect();
    let total: usize = oracle.imports.iter().map(|s| s.ids.len()).sum();
    match import_paths(&store, &mboxes, start, |_| {}) {
        Ok(ImportReport { stored, duplicates, .. }) if (stored + duplicates) as usize == total => {}
        Ok(report) => problems.push(format!("the import again: {report:?} for {total} emails")),
        Err(e) => problems.push(format!("the import again failed: {e}")),
    }
    for step in &oracle.imports {
        for id in &step.ids {
            let n = count(&conn, "SELECT count(*) FROM messages WHERE message_id = ?1", [id]);
            if n != 1 {
                problems.push(format!("after importing again, {id} is stored {n} times"));
            }
        }
    }
    // The next send pass takes every reply not sent, and none that was.
    match store.with(|s| s.claim_due_mail(start() + Duration::days(1), 100_000)) {
        Ok(claimed) => {
            let claimed: HashSet<MessageId> = claimed.iter().map(|m| m.message_id).collect();
            for (token, _, id) in &oracle.replies {
                if oracle.sent.contains(id) == claimed.contains(id) {
                    problems.push(format!("reply {token}: sent {}, taken by the next send pass {}", oracle.sent.contains(id), claimed.contains(id)));
                }
            }
        }
        Err(e) => problems.push(format!("the next send pass: {e}")),
    }
    problems
}

/// Runs one iteration; returns its cut (for the summary) or what went wrong.
fn iteration(template: &Template, seed: u64, cut_at: CutAt, loss: Loss) -> (Option<CutReport>, Option<String>, Vec<String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("shop.sqlite3");
    std::fs::copy(&template.db, &db).expect("copy the template");
    let vfs = CrashVfs::register(Plan { cut_at, loss, seed }).expect("crash VFS");
    let mut oracle = Oracle::default();
    let store = workload(dir.path(), &db, &vfs, seed, &template.cases, &mut oracle);
    // No cut yet (CutAt::Never): the power goes now, while the shop is idle.
    vfs.cut_now();
    let mut problems = std::mem::take(&mut oracle.problems);
    if let Some(store) = store {
        probe_dead_store(&store, &db, &vfs, template.cases[0], &mut problems);
        drop(store);
    }
    if vfs.open_files() != 0 {
        problems.push(format!("{} files still open through the crash VFS", vfs.open_files()));
    }
    let report = vfs.cut();
    drop(vfs);
    problems.extend(check(&db, &oracle));
    if !problems.is_empty() {
        let kept = dir.keep();
        problems.push(format!("files kept in {}", kept.display()));
    }
    (report, oracle.in_flight, problems)
}

/// The writes and syncs of `seed`'s whole workload, run once without a cut (the same seed makes
/// the same transactions: import steps are not cut by time here).
fn measure(template: &Template, seed: u64) -> Counts {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("shop.sqlite3");
    std::fs::copy(&template.db, &db).expect("copy");
    let vfs = CrashVfs::register(Plan { cut_at: CutAt::Never, loss: Loss::DropAll, seed }).expect("vfs");
    let mut oracle = Oracle::default();
    let store = workload(dir.path(), &db, &vfs, seed, &template.cases, &mut oracle);
    assert!(oracle.problems.is_empty(), "seed {seed} without a cut: {:?}", oracle.problems);
    // Not the close's checkpoint: an iteration's store is cut before it closes.
    let counts = vfs.counts();
    vfs.cut_now();
    drop(store);
    counts
}

#[test]
fn committed_work_survives_a_power_cut() {
    let template = template();
    let iterations = env_u64("SHOPDESK_POWER_ITERATIONS").unwrap_or(CI_ITERATIONS);
    let first = env_u64("SHOPDESK_POWER_SEED").unwrap_or(1);
    let mut cuts: BTreeMap<String, usize> = BTreeMap::new();
    let (mut writes, mut syncs, mut cached, mut torn_pieces) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for seed in first..first + iterations {
        let whole = measure(&template, seed);
        writes += whole.writes;
        syncs += whole.syncs;
        let mut rng = Rng::new(seed ^ 0xC0FF_EE00, WORKLOAD);
        let loss = if seed % 2 == 0 { Loss::DropAll } else { Loss::Torn };
        // Anywhere in the workload: at a write (most of them are an import's), at a sync (one
        // per commit with synchronous = FULL), or once it is over (idle).
        let cut_at = match rng.below(20) {
            0 => CutAt::Never,
            1..=6 if whole.syncs > 0 => CutAt::Sync(1 + rng.below(whole.syncs)),
            _ => CutAt::Write(1 + rng.below(whole.writes)),
        };
        let (report, in_flight, problems) = iteration(&template, seed, cut_at, loss);
        let report = report.unwrap_or_default();
        let during = in_flight.as_deref().map(|w| w.split([' ', '(']).next().unwrap_or(w)).unwrap_or("idle");
        let kind = match cut_at {
            CutAt::Write(_) => "write",
            CutAt::Sync(_) => "sync",
            CutAt::Never => "idle",
        };
        *cuts.entry(format!("at a {kind} during {during}")).or_default() += 1;
        torn_pieces += report.pieces_lost + report.pieces_garbage;
        cached += report.pending;
        if !problems.is_empty() {
            let line = format!(
                "seed {seed} ({loss:?}, cut at {cut_at:?} of {} writes, {} syncs; {} writes in the cache; during {}):\n    {}",
                whole.writes,
                whole.syncs,
                report.pending,
                in_flight.as_deref().unwrap_or("idle"),
                problems.join("\n    ")
            );
            eprintln!("{line}");
            failures.push(line);
        }
    }
    println!(
        "power loss: {iterations} iterations from seed {first} ({} writes, {} syncs a workload on average); cuts: {}; \
         {cached} writes in the cache at the cuts, {torn_pieces} torn pieces lost or garbage; {} failed",
        writes / iterations.max(1),
        syncs / iterations.max(1),
        cuts.iter().map(|(k, n)| format!("{n} {k}")).collect::<Vec<_>>().join(", "),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {iterations} iterations failed (repeat one: SHOPDESK_POWER_SEED=<seed> SHOPDESK_POWER_ITERATIONS=1):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The checks can fail: the files of a workload that ended before the power went (everything
/// there), damaged the ways a lost or half-written commit would leave them, must each be found.
/// A check that can't fail would make every passing iteration meaningless.
#[test]
fn the_checks_find_lost_and_half_written_work() {
    let template = template();
    // A seed whose workload did all kinds of work (deterministic: the same one every run).
    let (dir, oracle) = (1..40u64)
        .find_map(|seed| {
            let dir = tempfile::tempdir().expect("tempdir");
            let db = dir.path().join("shop.sqlite3");
            std::fs::copy(&template.db, &db).expect("copy");
            let vfs = CrashVfs::register(Plan { cut_at: CutAt::Never, loss: Loss::DropAll, seed }).expect("vfs");
            let mut oracle = Oracle::default();
            let store = workload(dir.path(), &db, &vfs, seed, &template.cases, &mut oracle);
            vfs.cut_now();
            drop(store);
            assert!(oracle.problems.is_empty(), "{:?}", oracle.problems);
            let done = |n: usize| n > 0;
            let full = done(oracle.replies.len())
                && done(oracle.sent.len())
                && oracle.replies.iter().any(|r| !oracle.sent.contains(&r.2))
                && done(oracle.notes.len())
                && done(oracle.cases.len())
                && oracle.imports.iter().any(|s| s.committed > 0);
            full.then_some((dir, oracle))
        })
        .expect("a seed with replies sent and not, notes, new cases and imports");
    let pristine = dir.path().join("shop.sqlite3");
    let sent = *oracle.sent.iter().next().expect("a sent reply");
    let unsent = oracle.replies.iter().find(|r| !oracle.sent.contains(&r.2)).expect("an unsent reply").2;
    let note = oracle.notes[0].2;
    let (_, number) = oracle.cases[0].clone();
    let email = oracle.imports.iter().find(|s| s.committed > 0).map(|s| s.ids[s.committed - 1].clone()).expect("an email");
    let damages: Vec<(&str, String)> = vec![
        ("nothing (the control: all is there)", String::new()),
        ("a reply lost", format!("DELETE FROM outbox WHERE message_id = '{unsent}'; DELETE FROM messages WHERE id = '{unsent}';")),
        ("a sent reply back to queued", format!("UPDATE outbox SET state = 'queued', sent_at = NULL WHERE message_id = '{sent}';")),
        ("a queued reply marked cancelled", format!("UPDATE outbox SET state = 'cancelled' WHERE message_id = '{unsent}';")),
        ("a reply without its outbox row", format!("DELETE FROM outbox WHERE message_id = '{unsent}';")),
        ("a note lost", format!("DELETE FROM messages WHERE id = '{note}';")),
        ("an imported email lost", format!(
            "DELETE FROM attachments WHERE message_id IN (SELECT id FROM messages WHERE message_id = '{email}');
             DELETE FROM messages WHERE message_id = '{email}';"
        )),
        ("a new case renumbered", format!("UPDATE cases SET number = 99999 WHERE number = {number}; UPDATE counters SET value = 99999 WHERE name = 'case_number';")),
        ("the case counter set back", "UPDATE counters SET value = value - 1 WHERE name = 'case_number';".into()),
        ("database pages overwritten", "scribble".into()),
    ];
    for (what, damage) in damages {
        let copy = tempfile::tempdir().expect("tempdir");
        let db = copy.path().join("shop.sqlite3");
        for suffix in ["", "-wal"] {
            let from = PathBuf::from(format!("{}{suffix}", pristine.display()));
            if from.exists() {
                std::fs::copy(&from, format!("{}{suffix}", db.display())).expect("copy");
            }
        }
        {
            let conn = Connection::open(&db).expect("open");
            if damage == "scribble" {
                conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).expect("checkpoint");
                drop(conn);
                let size = std::fs::metadata(&db).expect("size").len();
                let file = std::fs::OpenOptions::new().write(true).open(&db).expect("open");
                use std::os::unix::fs::FileExt;
                for page in (2..size / 4096).step_by(7) {
                    file.write_all_at(&[0x5A; 512], page * 4096 + 100).expect("scribble");
                }
            } else {
                conn.execute_batch(&damage).expect(what);
            }
        }
        let problems = check(&db, &oracle);
        if what.starts_with("nothing") {
            assert!(problems.is_empty(), "{what}: {problems:?}");
        } else {
            assert!(!problems.is_empty(), "{what} was not found");
            println!("{what}: found ({})", problems[0].chars().take(120).collect::<String>());
        }
    }
}
