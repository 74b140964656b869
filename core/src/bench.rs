//! `shopdesk bench`: a synthetic shop mailbox, deterministic for a seed, imported into a fresh
//! database, then the figures a shop feels: import throughput, database size, search latency,
//! the queue and the waiting-clock sweep, and opening the database cold. Times are measured
//! here only; tests never assert on them.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::Serialize;

use crate::error::Result;
use crate::model::{QueueFilter, QueuePage};

/// The rows the app asks for first (a screen and a half).
const QUEUE_FIRST_PAGE: u32 = 50;
use crate::store::Store;

/// A small, fast, deterministic random source (xorshift64*): the same seed, the same mailbox.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const FIRST: &[&str] = &["Ana", "Bo", "Chloé", "Dana", "Émile", "Farah", "Giulia", "Hiro", "Ines", "Jonas", "Kofi", "Lena", "Mateus", "Nora", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Yuki"];
const LAST: &[&str] = &["Costa", "Berg", "Martin", "Diaz", "Dubois", "Khan", "Rossi", "Tanaka", "Silva", "Weber", "Mensah", "Novak", "Santos", "Ivanova", "Okafor", "Lind"];
const TOPICS: &[&str] = &["Where is my parcel?", "Broken teapot", "Wrong size", "Refund for order", "Payment declined", "Glaze question", "Change delivery address", "Missing item in box", "Return label", "Invoice needed"];
const LINES: &[(&str, &str)] = &[
    ("en", "The parcel for order {order} has not arrived and tracking has not moved since Monday."),
    ("en", "The teapot came in three pieces; photos attached. Could you send a new one?"),
    ("pt", "A encomenda {order} ainda não chegou. Podem verificar com a transportadora?"),
    ("fr", "La théière est arrivée cassée, commande {order}. Que faut-il faire ?"),
    ("de", "Die Bestellung {order} ist noch nicht angekommen. Können Sie nachsehen?"),
    ("ja", "注文{order}の急須が割れて届きました。交換をお願いできますか。"),
];

/// The synthetic mailbox: customers writing in threads of 1–8 messages, the shop answering
/// (quoting), several languages and charsets (UTF-8, ISO-8859-1, ISO-2022-JP, Shift_JIS; 8bit,
/// quoted-printable and base64; names in RFC 2047 encoded words), some HTML parts and small
/// attachments (each one different, so each is a file of its own). In arrival order, as a
/// mailbox is exported: the threads running at the same time interleave.
pub fn synthetic_mbox(messages: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let start = Utc.with_ymd_and_hms(2025, 11, 1, 8, 0, 0).single().unwrap_or_default();
    let customers = (messages / 4).max(1);
    // Each message with when it arrived; sorted by it at the end (stable: a thread's messages
    // keep their order, and so do two arriving in the same minute).
    let mut mail: Vec<(DateTime<Utc>, String)> = Vec::with_capacity(messages);
    let mut thread = 0usize;
    while mail.len() < messages {
        thread += 1;
        let c = rng.below(customers);
        let name = format!("{} {}", rng.pick(FIRST), rng.pick(LAST));
        let address = format!("customer{c}@example.org");
        let order = 10_000 + rng.below(90_000);
        let topic = rng.pick(TOPICS);
        let length = 1 + rng.below(8);
        let mut when = start + Duration::minutes((thread * 37 % (365 * 24 * 60)) as i64);
        let mut previous: Option<String> = None;
        let mut quoted = String::new();
        for i in 0..length.min(messages - mail.len()) {
            let mut out = String::with_capacity(1500);
            let from_shop = i % 2 == 1;
            let id = format!("t{thread}m{i}.s{seed}@example.org");
            let (lang, line) = LINES[rng.below(LINES.len())];
            let text = line.replace("{order}", &order.to_string());
            let customer = format!("{} <{address}>", encoded_word(&name));
            let (from, to) = if from_shop {
                ("Costa Ceramics <shop@example.com>".to_string(), customer)
            } else {
                (customer, "Costa Ceramics <shop@example.com>".to_string())
            };
            let subject = if i == 0 { format!("{topic} (order {order})") } else { format!("Re: {topic} (order {order})") };
            let _ = writeln!(out, "From {} {}", if from_shop { "shop@example.com" } else { &address }, when.format("%a %b %e %H:%M:%S %Y"));
            let _ = write!(out, "From: {from}\nTo: {to}\nSubject: {subject}\nDate: {}\nMessage-ID: <{id}>\n", when.to_rfc2822());
            if let Some(parent) = &previous {
                let _ = write!(out, "In-Reply-To: <{parent}>\nReferences: <{parent}>\n");
            }
            let body = format!("{text}\n\n{}\n", if quoted.is_empty() { String::new() } else { format!("On an earlier day you wrote:\n{quoted}") });
            let (charset, transfer, encoded) = encode_body(&mut rng, lang, &body);
            let part = format!("Content-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: {transfer}\n\n{encoded}");
            out.push_str("MIME-Version: 1.0\n");
            match rng.below(6) {
                // Text alone, the usual case.
                0..=2 => {
                    out.push_str(&part);
                    out.push('\n');
                }
                // Text and HTML.
                3 | 4 => {
                    let html = format!("<html><body><p>{}</p><p><b>Order {order}</b></p></body></html>", text.replace('<', "&lt;"));
                    let _ = write!(out, "Content-Type: multipart/alternative; boundary=\"alt{id}\"\n\n--alt{id}\n{part}\n--alt{id}\nContent-Type: text/html; charset=utf-8\n\n{html}\n--alt{id}--\n\n");
                }
                // A photo, different in every email (stored as a file of its own, as real
                // photos are): a tiny PNG and bytes from the message-id.
                _ => {
                    use base64::Engine as _;
                    let mut bytes = base64::engine::general_purpose::STANDARD
                        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
                        .unwrap_or_default();
                    // From the message-id, not the generator: each photo differs.
                    use sha2::Digest as _;
                    let digest = sha2::Sha256::digest(id.as_bytes());
                    bytes.extend_from_slice(id.as_bytes());
                    bytes.extend((0..16).flat_map(|_| digest.iter().copied()));
                    let photo = base64_lines(&bytes);
                    let _ = write!(out, "Content-Type: multipart/mixed; boundary=\"mix{id}\"\n\n--mix{id}\n{part}\n--mix{id}\nContent-Type: image/png\nContent-Disposition: attachment; filename=\"photo-{order}.png\"\nContent-Transfer-Encoding: base64\n\n{photo}--mix{id}--\n\n");
                }
            }
            quoted = text.lines().map(|l| format!("> {l}\n")).collect();
            previous = Some(id);
            mail.push((when, out));
            when += Duration::minutes(30 + rng.below(600) as i64);
        }
    }
    mail.sort_by_key(|(when, _)| *when);
    let mut out = Vec::with_capacity(mail.iter().map(|(_, m)| m.len()).sum());
    for (_, message) in mail {
        out.extend_from_slice(message.as_bytes());
    }
    out
}

/// Base64 in lines of 76 characters, each ending in a newline.
fn base64_lines(bytes: &[u8]) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    encoded.as_bytes().chunks(76).map(|line| format!("{}\n", String::from_utf8_lossy(line))).collect()
}

/// A display name as mail programs write it in a header: as it is when ASCII, else one RFC 2047
/// encoded word (UTF-8, base64).
fn encoded_word(name: &str) -> String {
    if name.is_ascii() {
        return name.to_string();
    }
    use base64::Engine as _;
    format!("=?UTF-8?B?{}?=", base64::engine::general_purpose::STANDARD.encode(name.as_bytes()))
}

/// A text part's body in one of the charsets and transfer encodings mail in its language comes
/// in: (charset, Content-Transfer-Encoding, the encoded body). Always ASCII or UTF-8 text.
fn encode_body(rng: &mut Rng, lang: &str, body: &str) -> (&'static str, &'static str, String) {
    use encoding_rs::{ISO_2022_JP, SHIFT_JIS, WINDOWS_1252};
    match (lang, rng.below(4)) {
        // Seven bits already (escape sequences switch the character set).
        ("ja", 0 | 1) => ("iso-2022-jp", "7bit", String::from_utf8_lossy(&ISO_2022_JP.encode(body).0).into_owned()),
        ("ja", 2) => ("shift_jis", "base64", base64_lines(&SHIFT_JIS.encode(body).0)),
        // Windows-1252 is ISO-8859-1 for every character these lines have.
        ("fr" | "de" | "pt", 0) => ("iso-8859-1", "quoted-printable", quoted_printable(&WINDOWS_1252.encode(body).0)),
        (_, 3) => ("utf-8", "base64", base64_lines(body.as_bytes())),
        _ => ("utf-8", "8bit", body.to_string()),
    }
}

/// Quoted-printable (RFC 2045): bytes outside printable ASCII and "=" as =XX, lines kept under
/// 76 characters with soft breaks.
fn quoted_printable(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3 / 2);
    let mut column = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            out.push('\n');
            column = 0;
            continue;
        }
        // A space ending a line is written =20: decoders drop trailing white space.
        let ends_line = matches!(bytes.get(i + 1), None | Some(b'\n'));
        let plain = (b' '..=b'~').contains(&b) && b != b'=' && !(b == b' ' && ends_line);
        let piece = if plain { (b as char).to_string() } else { format!("={b:02X}") };
        if column + piece.len() > 75 {
            out.push_str("=\n");
            column = 0;
        }
        column += piece.len();
        out.push_str(&piece);
    }
    out
}

#[derive(Debug, Clone, Serialize)]
pub struct QueryTiming {
    pub query: String,
    pub hits: usize,
    /// Ranked by relevance (bm25), with snippets: what the search box shows for words of 3+ letters.
    pub median_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    /// Newest first, with snippets: what the search box shows while a word has 1–2 letters.
    pub newest_median_ms: f64,
    pub newest_p95_ms: f64,
    pub newest_p99_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub messages: usize,
    pub seed: u64,
    pub mbox_bytes: u64,
    pub import_secs: f64,
    pub import_per_sec: f64,
    pub db_bytes: u64,
    /// The search indexes (words, CJK trigrams, contacts, and their row maps), in the database.
    pub index_bytes: u64,
    pub open_cases: u32,
    pub search: Vec<QueryTiming>,
    /// The queue's first page (50 rows, counts included) over `open_cases`.
    pub queue_ms: f64,
    /// The scheduler's sweep over `open_cases`, its alerts announced (its every minute).
    pub clock_sweep_ms: f64,
    /// The first sweep after the import, which finds every late case of the imported mail
    /// (none announced yet), and how many alerts it found. Once.
    pub first_sweep_ms: f64,
    pub first_sweep_alerts: usize,
    pub open_cold_ms: f64,
    /// The process's resident memory while the import ran (Linux only: `None` elsewhere).
    pub import_memory: Option<ImportMemory>,
    /// The queue's first page again with the database topped up to 10,000 and 100,000 open cases.
    pub queue_at: Vec<QueueTiming>,
}

/// The bench process's resident memory (RSS) during the import, read after each step the import
/// reports: the import streams its mailbox and files it a batch at a time, so what it holds
/// should not grow with the number of messages (issue 7: "memory flat").
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ImportMemory {
    /// Before the first email was read.
    pub before_bytes: u64,
    /// Once the first tenth of the messages was filed.
    pub first_tenth_bytes: u64,
    /// The most, read at any step after the first tenth (the last step included).
    pub peak_after_first_tenth_bytes: u64,
    /// After the last step.
    pub end_bytes: u64,
}

impl ImportMemory {
    /// From `(messages filed, resident bytes)` read at each step, in order, of an import of
    /// `messages` (at least one step after the start).
    fn from_samples(messages: usize, samples: &[(usize, u64)]) -> Option<ImportMemory> {
        let (&(_, before_bytes), rest) = samples.split_first()?;
        // From the first step at or past a tenth of the messages (the last step at the latest).
        let tenth = rest.iter().position(|&(done, _)| done * 10 >= messages).or(rest.len().checked_sub(1))?;
        let after: Vec<u64> = rest[tenth..].iter().map(|&(_, rss)| rss).collect();
        Some(ImportMemory {
            before_bytes,
            first_tenth_bytes: after[0],
            peak_after_first_tenth_bytes: after.iter().copied().max()?,
            end_bytes: *after.last()?,
        })
    }
}

/// This process's resident memory (VmRSS), where the system tells it (Linux).
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?.trim().strip_suffix("kB")?.trim().parse::<u64>().ok()?;
    Some(kb * 1024)
}

/// The queue's first page at a number of open cases (synthetic ones added to reach it).
#[derive(Debug, Clone, Serialize)]
pub struct QueueTiming {
    pub open_cases: u32,
    /// Open cases written straight into the database to reach `open_cases` (no messages).
    pub synthetic_added: u32,
    pub first_page_median_ms: f64,
    pub first_page_p95_ms: f64,
    /// The page at the very end of the queue (the scrollbar dragged to the bottom).
    pub last_page_median_ms: f64,
    /// The scheduler's sweep over `open_cases` once the alerts are announced (as every minute).
    pub sweep_median_ms: f64,
    pub sweep_p95_ms: f64,
    /// The first sweep at this size (the synthetic cases' alerts not announced yet), once, and
    /// how many alerts it found.
    pub first_sweep_ms: f64,
    pub first_sweep_alerts: usize,
}

/// The open-case counts the queue is measured at (issue 7).
pub const QUEUE_SIZES: [u32; 2] = [10_000, 100_000];

/// Adds open cases (one synthetic customer each 4 cases, 60 % waiting, a few with reminders, no
/// messages) in one transaction until `target` cases are open; returns how many were added.
fn top_up_open_cases(store: &mut Store, target: u32, now: DateTime<Utc>) -> Result<u32> {
    let open = store.queue(&QueueFilter::default(), QueuePage::first(0), now)?.total_open;
    let add = target.saturating_sub(open);
    if add == 0 {
        return Ok(0);
    }
    let mut rng = Rng::new(u64::from(target));
    let tx = store.conn.transaction()?;
    // Indexed for search together at the end, as an import does.
    crate::store::search_index::defer(&tx)?;
    {
        let mut contact = tx.prepare("INSERT INTO contacts (id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)")?;
        let mut case = tx.prepare(
            "INSERT INTO cases (id, number, subject, contact_id, status, priority, category, fault, channel, created_at, \
             updated_at, last_activity_at, waiting_since, waiting_channel, remind_at) \
             VALUES (?1, (SELECT value + 1 FROM counters WHERE name = 'case_number'), ?2, ?3, ?4, 'normal', 'delivery', \
             'unknown', ?5, ?6, ?6, ?6, ?7, ?5, ?8)",
        )?;
        let mut counter = tx.prepare("UPDATE counters SET value = value + 1 WHERE name = 'case_number'")?;
        let mut who = String::new();
        let statuses = ["new", "open", "waiting_on_customer", "waiting_on_third_party"];
        let channels = ["email", "phone", "chat", "voicemail"];
        let now_ms = crate::store::to_ms(now);
        for i in 0..add {
            if i % 4 == 0 {
                who = uuid::Uuid::now_v7().to_string();
                contact.execute(rusqlite::params![who, format!("{} {}", rng.pick(FIRST), rng.pick(LAST)), now_ms])?;
            }
            let active = now_ms - (rng.below(90 * 24 * 60) as i64 + 1) * 60_000;
            let waiting = (rng.below(10) < 6).then_some(active);
            let remind = (rng.below(1000) == 0).then(|| now_ms + (rng.below(4000) as i64 - 2000) * 60_000);
            case.execute(rusqlite::params![
                uuid::Uuid::now_v7().to_string(),
                rng.pick(TOPICS),
                who,
                statuses[rng.below(statuses.len())],
                channels[rng.below(channels.len())],
                active,
                waiting,
                remind,
            ])?;
            counter.execute([])?;
        }
    }
    crate::store::search_index::index_pending(&tx)?;
    tx.commit()?;
    // Their alert times, as the app keeps them for every open case (the sweep reads those).
    store.refresh_all_alert_times()?;
    Ok(add)
}

/// The scheduler's first sweep (timed once), then its alerts announced, as the app does: the
/// sweeps after it find only what crossed a threshold since. Returns the time and the alerts.
fn first_sweep(store: &mut Store, now: DateTime<Utc>) -> Result<(f64, usize)> {
    let t = Instant::now();
    let first = store.sweep_clocks(now)?;
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    store.record_alerts(&first.pending, now)?;
    Ok((ms, first.pending.len()))
}

/// The bytes of the search indexes: the FTS5 tables with their shadow tables, and the maps
/// from index rows to messages, cases and contacts.
fn index_size(store: &Store) -> Result<u64> {
    Ok(store.conn.query_row(
        "SELECT coalesce(sum(pgsize), 0) FROM dbstat
         WHERE name GLOB 'search_fts*' OR name GLOB 'search_cjk*' OR name GLOB 'contacts_fts*' OR name = 'search_map'
            OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('search_map', 'contacts_fts_map'))",
        [],
        |r| r.get::<_, i64>(0),
    )? as u64)
}

/// Writes `bytes` to `path` and waits until they are on disk.
pub fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    std::io::Write::write_all(&mut file, bytes)?;
    file.sync_all()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn time_ms(mut f: impl FnMut() -> Result<usize>, runs: usize) -> Result<(Vec<f64>, usize)> {
    let mut times = Vec::with_capacity(runs);
    let mut last = 0;
    for _ in 0..runs {
        let t = Instant::now();
        last = f()?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok((times, last))
}

fn size_of(db: &Path) -> u64 {
    ["", "-wal"].iter().map(|s| std::fs::metadata(format!("{}{s}", db.display())).map(|m| m.len()).unwrap_or(0)).sum()
}

/// Generates the mailbox into `dir`, imports it into a fresh database there and measures; then
/// tops the database up to each of [`QUEUE_SIZES`] open cases and measures the queue again.
pub fn run(dir: &Path, messages: usize, seed: u64, now: DateTime<Utc>) -> Result<BenchReport> {
    run_with_queue_sizes(dir, messages, seed, now, &QUEUE_SIZES)
}

/// The order number in the first subject of a synthetic mailbox ("… (order 48213)"), or ""
/// for an empty one.
fn first_order_number(mbox: &[u8]) -> String {
    let text = String::from_utf8_lossy(&mbox[..mbox.len().min(64 * 1024)]);
    text.lines()
        .find_map(|line| line.strip_prefix("Subject: ").and_then(|s| s.split("(order ").nth(1)))
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect())
        .unwrap_or_default()
}

/// [`run`], measuring the queue at `queue_sizes` open cases (smaller in tests).
pub fn run_with_queue_sizes(dir: &Path, messages: usize, seed: u64, now: DateTime<Utc>, queue_sizes: &[u32]) -> Result<BenchReport> {
    let mbox = dir.join("bench.mbox");
    let db = dir.join("bench.sqlite3");
    // On disk before the clock starts, as mail to import is: the import syncs its own writes
    // (syncfs for attachment files), which would otherwise also wait for this file's 84 MB.
    let mail = synthetic_mbox(messages, seed);
    write_synced(&mbox, &mail).map_err(|source| crate::Error::Folder { path: mbox.clone(), source })?;
    // An order number a customer wrote, as the owner would paste it: the first thread's.
    let order = first_order_number(&mail);
    drop(mail);
    let mut fresh = Store::open(&db)?;
    // As a shop that set up its account first: its own replies in the mailbox count as answers.
    fresh.set_mail_account(&crate::account::MailAccount { from_address: "shop@example.com".into(), acknowledge: false, ..Default::default() })?;
    let store = std::sync::Mutex::new(fresh);
    let mut memory = Vec::new();
    let t = Instant::now();
    crate::mail::import::import_paths(&store, std::slice::from_ref(&mbox), || now, |p| {
        // Reading /proc takes ~20 µs, once a step (a step files up to 1,000 emails).
        memory.extend(resident_bytes().map(|rss| (p.done as usize, rss)));
    })?;
    let import_secs = t.elapsed().as_secs_f64();
    let import_memory = ImportMemory::from_samples(messages, &memory);
    let store = store.into_inner().map_err(|_| crate::Error::Invalid("the store's lock was poisoned".into()))?;
    let queries = ["parcel", "teapot", "Costa", order.as_str(), "transportadora", "急須", "tracking has not moved", "t", "te", "tea", "teap"];
    let mut search = Vec::new();
    for q in queries.into_iter().filter(|q| !q.is_empty()) {
        use crate::store::SearchOrder;
        let run = |order| time_ms(|| Ok(store.search_ordered(q, &QueueFilter::default(), order)?.hits.len()), 50);
        let (times, hits) = run(SearchOrder::Ranked)?;
        let (newest, _) = run(SearchOrder::Newest)?;
        search.push(QueryTiming {
            query: q.into(),
            hits,
            median_ms: percentile(&times, 0.5),
            p95_ms: percentile(&times, 0.95),
            p99_ms: percentile(&times, 0.99),
            newest_median_ms: percentile(&newest, 0.5),
            newest_p95_ms: percentile(&newest, 0.95),
            newest_p99_ms: percentile(&newest, 0.99),
        });
    }
    let first_page = |store: &Store| time_ms(|| Ok(store.queue(&QueueFilter::default(), QueuePage::first(QUEUE_FIRST_PAGE), now)?.total_open as usize), 20);
    let (queue, open) = first_page(&store)?;
    let mut store = store;
    let (first_sweep_ms, first_sweep_alerts) = first_sweep(&mut store, now)?;
    let (sweep, _) = time_ms(|| Ok(store.sweep_clocks(now)?.pending.len()), 20)?;
    let index_bytes = index_size(&store)?;
    drop(store);
    let t = Instant::now();
    let reopened = Store::open(&db)?;
    reopened.queue(&QueueFilter::default(), QueuePage::first(QUEUE_FIRST_PAGE), now)?;
    let open_cold_ms = t.elapsed().as_secs_f64() * 1000.0;
    let db_bytes = size_of(&db);
    let mut store = reopened;
    let mut queue_at = Vec::new();
    for &target in queue_sizes {
        let synthetic_added = top_up_open_cases(&mut store, target, now)?;
        let (times, open) = first_page(&store)?;
        let last = QueuePage { offset: (open as u32).saturating_sub(QUEUE_FIRST_PAGE), limit: Some(QUEUE_FIRST_PAGE) };
        let (last_times, _) = time_ms(|| Ok(store.queue(&QueueFilter::default(), last, now)?.items.len()), 10)?;
        let (first_sweep_ms, first_sweep_alerts) = first_sweep(&mut store, now)?;
        let (sweeps, _) = time_ms(|| Ok(store.sweep_clocks(now)?.pending.len()), 20)?;
        queue_at.push(QueueTiming {
            open_cases: open as u32,
            synthetic_added,
            first_page_median_ms: percentile(&times, 0.5),
            first_page_p95_ms: percentile(&times, 0.95),
            last_page_median_ms: percentile(&last_times, 0.5),
            sweep_median_ms: percentile(&sweeps, 0.5),
            sweep_p95_ms: percentile(&sweeps, 0.95),
            first_sweep_ms,
            first_sweep_alerts,
        });
    }
    Ok(BenchReport {
        messages,
        seed,
        mbox_bytes: std::fs::metadata(&mbox).map(|m| m.len()).unwrap_or(0),
        import_secs,
        import_per_sec: messages as f64 / import_secs.max(1e-9),
        db_bytes,
        index_bytes,
        open_cases: open as u32,
        search,
        queue_ms: percentile(&queue, 0.5),
        clock_sweep_ms: percentile(&sweep, 0.5),
        first_sweep_ms,
        first_sweep_alerts,
        open_cold_ms,
        import_memory,
        queue_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_synthetic_message_reads_back_as_the_text_written_whatever_its_charset() {
        let mbox = String::from_utf8(synthetic_mbox(600, 3)).expect("the mailbox is ASCII or UTF-8");
        for needle in ["charset=iso-2022-jp", "charset=shift_jis", "charset=iso-8859-1", "quoted-printable", "Content-Transfer-Encoding: base64\n\n", "=?UTF-8?B?"] {
            assert!(mbox.contains(needle), "the mailbox has {needle}");
        }
        // Read back as an import reads it.
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("mail.mbox");
        std::fs::write(&path, &mbox).expect("mbox");
        let messages: Vec<Vec<u8>> = crate::mail::read_mail_source(&path).expect("read").map(|r| r.expect("email")).collect();
        assert_eq!(messages.len(), 600);
        let mut last_date = None;
        let mut interleaved = false;
        let mut previous_thread = String::new();
        let mut threads_seen = std::collections::HashSet::new();
        for raw in messages {
            let email = crate::mail::parse(&raw);
            assert!(email.warnings.is_empty(), "{:?}: {:?}", email.message_key, email.warnings);
            let line = LINES.iter().map(|(_, line)| line.split("{order}").collect::<Vec<_>>()).find(|parts| parts.iter().all(|p| email.text.contains(p)));
            assert!(line.is_some(), "{}: the text is one of the lines written: {:?}", email.message_key, email.text);
            assert!(!email.text.contains('\u{FFFD}') && !email.text.contains("=E"), "{:?}", email.text);
            let from_shop = email.from_email.as_deref() == Some("shop@example.com");
            let name = if from_shop { email.to_name.clone() } else { email.from_name.clone() }.unwrap_or_default();
            assert!(FIRST.iter().any(|first| name.starts_with(first)), "the customer's name decoded: {name:?}");
            // In arrival order, and a thread's messages are not all together.
            assert!(last_date <= email.date, "{:?} after {last_date:?}", email.date);
            last_date = email.date;
            let thread = email.message_key.split('m').next().unwrap_or("").to_string();
            interleaved |= thread != previous_thread && threads_seen.contains(&thread);
            threads_seen.insert(thread.clone());
            previous_thread = thread;
        }
        assert!(interleaved, "threads running at the same time interleave");
    }

    #[test]
    fn the_synthetic_mailbox_is_the_same_for_a_seed_and_every_message_imports() {
        let a = synthetic_mbox(60, 7);
        assert_eq!(a, synthetic_mbox(60, 7), "deterministic");
        assert_ne!(a, synthetic_mbox(60, 8), "the seed matters");
        let dir = tempfile::tempdir().expect("tempdir");
        let now = Utc::now();
        let report = run_with_queue_sizes(dir.path(), 60, 7, now, &[120, 300]).expect("bench");
        let store = Store::open(dir.path().join("bench.sqlite3")).expect("db");
        let stored: i64 = store.conn.query_row("SELECT count(*) FROM messages", [], |r| r.get(0)).expect("count");
        assert_eq!(stored, 60, "every generated message was filed");
        assert_eq!(report.messages, 60);
        assert!(report.index_bytes > 0 && report.index_bytes < report.db_bytes, "{} of {}", report.index_bytes, report.db_bytes);
        for q in &report.queue_at {
            assert!(q.first_sweep_alerts > 0, "the synthetic cases' clocks are late: {q:?}");
        }
        assert!(store.sweep_clocks(now).expect("sweep").pending.is_empty(), "the first sweeps' alerts were announced");
        assert!(report.search.iter().any(|q| q.query == "parcel" && q.hits > 0), "{:?}", report.search);
        let order = first_order_number(&a);
        assert!(order.len() == 5 && order.chars().all(|c| c.is_ascii_digit()), "{order:?}");
        assert!(report.search.iter().any(|q| q.query == order && q.hits > 0), "the order number is searched and found: {:?}", report.search);
        let shop_replies: i64 = store.conn.query_row("SELECT count(*) FROM messages WHERE direction = 'from_shop'", [], |r| r.get(0)).expect("count");
        assert!(shop_replies > 0, "the shop's replies in the mailbox are filed as the shop's");
        let sizes: Vec<u32> = report.queue_at.iter().map(|q| q.open_cases).collect();
        assert_eq!(sizes, vec![120, 300], "topped up to each size");
        assert_eq!(report.queue_at[1].synthetic_added, 180);
        let all = store.queue_all(&QueueFilter::default(), Utc::now()).expect("queue");
        assert_eq!(all.items.len(), 300, "the synthetic cases are real open cases");
        if cfg!(target_os = "linux") {
            let memory = report.import_memory.expect("resident memory read on Linux");
            assert!(memory.before_bytes > 1 << 20, "{memory:?}");
            assert!(memory.first_tenth_bytes <= memory.peak_after_first_tenth_bytes && memory.end_bytes <= memory.peak_after_first_tenth_bytes, "{memory:?}");
        }
    }

    #[test]
    fn import_memory_is_read_before_the_import_after_its_first_tenth_and_at_its_peak_and_end() {
        let mb = |n: u64| n << 20;
        // 10,000 messages, a step each 1,000, and the end's report again.
        let mut samples = vec![(0, mb(20))];
        samples.extend((1..=10).map(|i| (i * 1000, mb(30 + [0, 1, 3, 2, 2, 8, 2, 2, 2, 2][i - 1]))));
        samples.push((10_000, mb(31)));
        let m = ImportMemory::from_samples(10_000, &samples).expect("samples");
        assert_eq!(m, ImportMemory { before_bytes: mb(20), first_tenth_bytes: mb(30), peak_after_first_tenth_bytes: mb(38), end_bytes: mb(31) });
        // One step for the whole import: its first tenth is its end.
        let m = ImportMemory::from_samples(60, &[(0, mb(20)), (60, mb(25)), (60, mb(24))]).expect("samples");
        assert_eq!((m.first_tenth_bytes, m.peak_after_first_tenth_bytes, m.end_bytes), (mb(25), mb(25), mb(24)));
        assert_eq!(ImportMemory::from_samples(60, &[(0, mb(20))]), None, "no step after the start");
        assert_eq!(ImportMemory::from_samples(60, &[]), None);
    }
}
