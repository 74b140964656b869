//! Criterion micro-benchmarks of the hot paths (issue 7), on the same synthetic shop mailbox as
//! `shopdesk bench`:
//!   mail/parse/*        MIME parse of one message (plain, text+HTML, with a photo)
//!   mail/ingest_reply   parse + thread match + contact match + store + search index of one reply,
//!                       into an in-memory database already holding the mailbox (no disk)
//!   fts/insert_batch    100 message texts into the real search index, one transaction
//!   store/queue         the open-case queue (every open case's clock), store/sweep_clocks
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
    let store = filled_store(&emails);
    let open = store.queue_all(&QueueFilter::default(), now()).expect("queue").total_open;
    let mut group = c.benchmark_group("store");
    group.bench_function(format!("queue/{open}_open_cases"), |b| b.iter(|| store.queue(black_box(&QueueFilter::default()), QueuePage::first(50), now()).expect("queue")));
    group.bench_function(format!("sweep_clocks/{open}_open_cases"), |b| b.iter(|| store.sweep_clocks(black_box(now())).expect("sweep")));
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

criterion_group! { name = benches; config = quick(); targets = parse, ingest, fts_insert, store_queries, clock_facts }
criterion_main!(benches);
