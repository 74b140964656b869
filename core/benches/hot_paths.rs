//! Criterion micro-benchmarks of the hot paths (issue 7), on the same synthetic shop mailbox as
//! `shopdesk bench`:
//!   mail/parse/*        MIME parse of one message (plain, text+HTML, with a photo)
//!   mail/ingest_reply   parse + thread match + contact match + store + search index of one reply,
//!                       into an in-memory database already holding the mailbox (no disk)
//!   fts/insert_batch    100 message texts into the real search index, one transaction
//!   store/queue         the open-case queue (every open case's clock), store/sweep_clocks
//!   store/sweep_100k    the scheduler's sweep over 100,000 open cases written directly (a mix of
//!                       waiting, paused, quiet and reminded cases), alerts already announced
//!   clock/facts         the waiting clock of one 8-message timeline
//! Quick by default (small samples, ~1 s measurement); for example:
//!   cargo bench -p shopdesk-core --bench hot_paths
//!   SHOPDESK_BENCH_MESSAGES=20000 cargo bench -p shopdesk-core --bench hot_paths -- store/
//! SHOPDESK_BENCH_MESSAGES (default 4000) sizes the mailbox the store benches run on.

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use shopdesk_core::account::MailAccount;
use shopdesk_core::clock::{self, ClockInput};
use shopdesk_core::mail::{self, read_mail_source};
use shopdesk_core::store::IngestOptions;
use shopdesk_core::{bench::synthetic_mbox, Channel, Direction, QueueFilter, QueuePage, Store};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).single().expect("valid time")
}

fn messages() -> usize {
    std::env::var("SHOPDESK_BENCH_MESSAGES").ok().and_then(|n| n.parse().ok()).unwrap_or(4000)
}

/// The synthetic mailbox, one raw email per item (as the importer reads it).
fn raw_emails(messages: usize, seed: u64) -> Vec<Vec<u8>> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bench.mbox");
    std::fs::write(&path, synthetic_mbox(messages, seed)).expect("write mbox");
    read_mail_source(&path).expect("read mbox").map(|m| m.expect("one email")).collect()
}

/// An in-memory database holding the mailbox, set up as `shopdesk bench` does.
fn filled_store(emails: &[Vec<u8>]) -> Store {
    let mut store = Store::open_in_memory().expect("store");
    store
        .set_mail_account(&MailAccount { from_address: "shop@example.com".into(), acknowledge: false, ..Default::default() })
        .expect("account");
    for raw in emails {
        store.ingest_email_with(raw, &IngestOptions::default(), now()).expect("ingest");
    }
    store
}

fn kind_of(raw: &[u8]) -> &'static str {
    let text = String::from_utf8_lossy(raw);
    if text.contains("multipart/mixed") {
        "photo"
    } else if text.contains("multipart/alternative") {
        "text+html"
    } else {
        "plain"
    }
}

fn parse(c: &mut Criterion) {
    let emails = raw_emails(200, 1);
    let mut group = c.benchmark_group("mail/parse");
    for kind in ["plain", "text+html", "photo"] {
        let raw = emails.iter().find(|e| kind_of(e) == kind).expect("every kind is in the mailbox");
        group.throughput(Throughput::Bytes(raw.len() as u64));
        group.bench_function(kind, |b| b.iter(|| mail::parse(black_box(raw))));
    }
    group.finish();
}

/// A reply to a message already stored: In-Reply-To/References must find its case.
fn reply_to(parent: &str, n: usize) -> Vec<u8> {
    format!(
        "From: Ana Costa <customer7@example.org>\nTo: Costa Ceramics <shop@example.com>\nSubject: Re: Broken teapot (order 12345)\n\
         Date: Wed, 25 Nov 2026 10:{:02}:00 +0000\nMessage-ID: <bench-reply-{n}@example.org>\nIn-Reply-To: <{parent}>\nReferences: <{parent}>\n\
         MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n\
         The teapot came in three pieces; could you send a new one? Reply number {n}.\n\n> earlier text\n",
        n % 60
    )
    .into_bytes()
}

fn ingest(c: &mut Criterion) {
    let emails = raw_emails(messages(), 1);
    let mut store = filled_store(&emails);
    // Each reply to another thread's first message, round robin, so no one case grows without end.
    let threads = emails.iter().filter(|raw| mail::parse(raw).message_key.ends_with("m0.s1@example.org")).count();
    let mut n = 0usize;
    let mut group = c.benchmark_group("mail");
    group.throughput(Throughput::Elements(1));
    group.bench_function(format!("ingest_reply/{}_messages", emails.len()), |b| {
        b.iter_batched(
            || {
                n += 1;
                reply_to(&format!("t{}m0.s1@example.org", 1 + n % threads), n)
            },
            |raw| {
                let got = store.ingest_email_with(&raw, &IngestOptions::default(), now()).expect("ingest");
                assert!(!got.new_case, "the reply joined its thread's case");
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn fts_insert(c: &mut Criterion) {
    const BATCH: usize = 100;
    let texts: Vec<String> = raw_emails(BATCH, 2).iter().map(|raw| mail::parse(raw).text).collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("fts.sqlite3");
    drop(Store::open(&path).expect("the real schema"));
    // The index exactly as the migrations create it, written to directly (as its triggers do).
    let mut conn = rusqlite::Connection::open(&path).expect("open");
    conn.pragma_update(None, "synchronous", "NORMAL").expect("pragma");
    let mut next_ref = 0u64;
    let mut group = c.benchmark_group("fts");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function(format!("insert_batch/{BATCH}"), |b| {
        b.iter(|| {
            let tx = conn.transaction().expect("tx");
            {
                let mut insert = tx.prepare_cached("INSERT INTO search_fts (kind, ref, text) VALUES ('message', ?1, ?2)").expect("prepare");
                for text in &texts {
                    next_ref += 1;
                    insert.execute(rusqlite::params![format!("bench-{next_ref}"), text]).expect("insert");
                }
            }
            tx.commit().expect("commit");
        })
    });
    group.finish();
}

fn store_queries(c: &mut Criterion) {
    let emails = raw_emails(messages(), 1);
    let mut store = filled_store(&emails);
    let open = store.queue_all(&QueueFilter::default(), now()).expect("queue").total_open;
    // What keeping the alert times costs a write: the same computation, for every open case.
    let started = std::time::Instant::now();
    store.refresh_all_alert_times().expect("refresh");
    eprintln!("alert times of {open} open cases (in memory): {:?} per case", started.elapsed() / open.max(1));
    let mut group = c.benchmark_group("store");
    group.bench_function(format!("queue/{open}_open_cases"), |b| b.iter(|| store.queue(black_box(&QueueFilter::default()), QueuePage::first(50), now()).expect("queue")));
    group.bench_function(format!("sweep_clocks/{open}_open_cases"), |b| b.iter(|| store.sweep_clocks(black_box(now())).expect("sweep")));
    group.finish();
}

/// A database file holding `open` open cases (and as many solved ones), written with plain SQL
/// in one transaction, then given their alert times as the migration would.
fn open_cases_fixture(dir: &std::path::Path, open: u32) -> Store {
    let path = dir.join("sweep.sqlite3");
    drop(Store::open(&path).expect("the real schema"));
    let mut conn = rusqlite::Connection::open(&path).expect("open");
    let tx = conn.transaction().expect("tx");
    let ms = |t: DateTime<Utc>| t.timestamp_millis();
    let minute = 60_000i64;
    let now = ms(now());
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: i64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n as u64) as i64
    };
    {
        let mut contact = tx
            .prepare("INSERT INTO contacts (id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)")
            .expect("prepare");
        let mut case = tx
            .prepare(
                "INSERT INTO cases (id, number, subject, contact_id, status, priority, category, fault, channel,
                    created_at, updated_at, last_activity_at, waiting_since, first_response_at, last_shop_reply_at,
                    waiting_channel, remind_at)
                 VALUES (?1, ?2, 'Parcel not arrived', ?3, ?4, 'normal', 'delivery', 'unknown', ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )
            .expect("prepare");
        let mut event = tx
            .prepare(
                "INSERT INTO case_events (id, case_id, at, author, kind, field, old_value, new_value)
                 VALUES (?1, ?2, ?3, 'Shop', 'status_changed', 'status', 'open', ?4)",
            )
            .expect("prepare");
        let contacts = open / 4;
        for i in 0..contacts {
            contact.execute(rusqlite::params![uuid::Uuid::from_u128(u128::from(i) + 1).to_string(), format!("Customer {i}"), now]).expect("contact");
        }
        for i in 0..open * 2 {
            let id = uuid::Uuid::from_u128((1u128 << 64) + u128::from(i)).to_string();
            let contact_id = uuid::Uuid::from_u128(u128::from(i % contacts) + 1).to_string();
            let created = now - next(120 * 1440) * minute;
            let channel = ["email", "phone", "chat", "social"][next(4) as usize];
            let (status, waiting, answered, last_reply, remind) = match (i >= open, next(20)) {
                (true, _) => ("solved", None, Some(created + 60 * minute), Some(created + 60 * minute), None),
                // Waiting for an answer: most for a long time (overdue and announced), some fresh.
                (false, 0..=9) => ("open", Some(now - next(90 * 1440) * minute), None, None, None),
                (false, 10..=11) => ("new", Some(now - next(180) * minute), None, None, None),
                (false, 12..=13) => ("open", Some(now - next(3 * 1440) * minute), Some(created), Some(created), None),
                // Waiting on a carrier, or on the customer's answer.
                (false, 14..=15) => ("waiting_on_third_party", Some(now - next(30 * 1440) * minute), None, Some(now - next(10 * 1440) * minute), None),
                (false, 16..=17) => ("waiting_on_customer", None, Some(created), Some(now - next(10 * 1440) * minute), None),
                // Answered, with a "remind me" in the past or the future.
                (false, _) => ("open", None, Some(created), Some(created), Some(now + (next(20 * 1440) - 10 * 1440) * minute)),
            };
            let activity = [waiting, last_reply].into_iter().flatten().max().unwrap_or(created);
            case.execute(rusqlite::params![
                id,
                1001 + i,
                contact_id,
                status,
                channel,
                created.min(activity),
                activity,
                waiting,
                answered,
                last_reply,
                waiting.map(|_| channel),
                remind
            ])
            .expect("case");
            if status.starts_with("waiting_on") {
                let at = last_reply.unwrap_or(activity);
                event.execute(rusqlite::params![uuid::Uuid::now_v7().to_string(), id, at, status]).expect("event");
            }
        }
        tx.execute("UPDATE counters SET value = ?1 WHERE name = 'case_number'", [1000 + open * 2]).expect("counter");
    }
    tx.commit().expect("commit");
    drop(conn);
    let mut store = Store::open(&path).expect("store");
    let started = std::time::Instant::now();
    store.refresh_all_alert_times().expect("backfill");
    eprintln!("alert times of {open} open cases computed in {:?}", started.elapsed());
    store
}

/// The sweep's queries, each timed once with its plan (a second connection on the same file).
fn explain_sweep(path: &std::path::Path) {
    const OPEN: &str = "k.status NOT IN ('solved', 'closed') AND k.merged_into IS NULL";
    let conn = rusqlite::Connection::open(path).expect("open");
    let mut queries: Vec<String> = ["remind_at", "reminder_due_at", "clock_warn_at", "clock_due_at", "clock_hard_at"]
        .iter()
        .map(|c| format!("SELECT min(k.{c}) FROM cases k WHERE {} AND k.{c} > ?1", if *c == "remind_at" { OPEN } else { "1" }))
        .collect();
    queries.push("SELECT count(*) FROM cases k WHERE k.clock_overdue_at > ?1".to_string());
    queries.push(format!(
        "SELECT count(*) FROM (SELECT k.id, c.name FROM cases k JOIN contacts c ON c.id = k.contact_id WHERE {OPEN} AND k.alert_next_at <= ?1 \
         ORDER BY (k.remind_at IS NOT NULL AND k.remind_at <= ?1) DESC, CASE WHEN (k.remind_at IS NOT NULL AND k.remind_at <= ?1) THEN k.remind_at END, \
         k.waiting_since IS NULL, k.waiting_since, k.last_activity_at DESC, k.number DESC)"
    ));
    for sql in queries {
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("plan")
            .query_map([now().timestamp_millis()], |r| r.get(3))
            .expect("plan")
            .collect::<rusqlite::Result<_>>()
            .expect("plan");
        let mut stmt = conn.prepare(&sql).expect("prepare");
        let started = std::time::Instant::now();
        let got: Option<i64> = stmt.query_row([now().timestamp_millis()], |r| r.get(0)).expect("run");
        eprintln!("{:>9.3} ms  {sql}  -> {got:?}\n             {}", started.elapsed().as_secs_f64() * 1000.0, plan.join(" | "));
    }
}

fn sweep_100k(c: &mut Criterion) {
    const OPEN: u32 = 100_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = open_cases_fixture(dir.path(), OPEN);
    // The scheduler's first look announces what is already late; after that a sweep finds
    // only what crossed a threshold since.
    let started = std::time::Instant::now();
    let first = store.sweep_clocks(now()).expect("sweep");
    eprintln!("first sweep: {} alerts, {} overdue, in {:?}", first.pending.len(), first.overdue, started.elapsed());
    let started = std::time::Instant::now();
    store.record_alerts(&first.pending, now()).expect("recorded");
    eprintln!("recording them: {:?}", started.elapsed());
    explain_sweep(&dir.path().join("sweep.sqlite3"));
    let mut group = c.benchmark_group("store");
    group.bench_function(format!("sweep_100k/{OPEN}_open_cases"), |b| b.iter(|| store.sweep_clocks(black_box(now())).expect("sweep")));
    // A minute later: the few cases that crossed a threshold meanwhile are evaluated.
    let later = now() + chrono::Duration::minutes(1);
    group.bench_function(format!("sweep_100k/{OPEN}_open_cases_a_minute_later"), |b| {
        b.iter(|| store.sweep_clocks(black_box(later)).expect("sweep"))
    });
    group.bench_function("sweep_100k/next_clock_change", |b| b.iter(|| store.next_clock_change(black_box(now())).expect("next")));
    group.bench_function("sweep_100k/due_reminders", |b| b.iter(|| store.due_reminders(black_box(now())).expect("due")));
    group.finish();
}

fn clock_facts(c: &mut Criterion) {
    let start = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).single().expect("valid time");
    let timeline: Vec<ClockInput> = (0..8)
        .map(|i| {
            let at = start + chrono::Duration::minutes(97 * i);
            ClockInput {
                happened_at: at,
                recorded_at: at,
                direction: match i % 3 {
                    0 | 1 => Direction::FromCustomer,
                    _ => Direction::FromShop,
                },
                channel: Channel::Email,
                automatic: i == 2,
            }
        })
        .collect();
    c.bench_function("clock/facts/8_messages", |b| {
        b.iter(|| {
            let facts = clock::facts(black_box(timeline.iter().copied()));
            clock::waiting_secs(facts.waiting_since, now())
        })
    });
}

fn quick() -> Criterion {
    Criterion::default().sample_size(20).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(1)).configure_from_args()
}

criterion_group! { name = benches; config = quick(); targets = parse, ingest, fts_insert, store_queries, sweep_100k, clock_facts }
criterion_main!(benches);
