//! Printing results: one JSON document with `--json`, aligned tables for people otherwise.

use serde::Serialize;
use shopdesk_core::clock::human_duration;
use shopdesk_core::alerts::{Alert, Threshold};
use shopdesk_core::sla::{ClockState, ClockStateKind};
use shopdesk_core::{CaseSummary, CaseView, ContactProfile, ContactSummary, DeliveryState, OutboxEntry, Queue, TimelineEntry};

/// The clock as a word and the time left or over, e.g. "overdue 25 min", "due soon: 20 min left".
fn clock_text(clock: Option<&ClockState>, now: chrono::DateTime<chrono::Utc>) -> String {
    let Some(clock) = clock else { return String::new() };
    let left = clock.due_at.map(|due| (due - now).num_seconds());
    match (clock.state, left) {
        (ClockStateKind::Paused, _) => "paused".into(),
        (ClockStateKind::Overdue, Some(left)) if left < 0 => format!("overdue {}", human_duration(-left)),
        (ClockStateKind::Overdue, _) => "overdue".into(),
        (ClockStateKind::DueSoon, Some(left)) => format!("due soon: {} left", human_duration(left)),
        (ClockStateKind::OnTrack, Some(left)) => format!("on track: {} left", human_duration(left)),
        (_, None) => String::new(),
    }
}

pub struct Out {
    pub json: bool,
}

/// Prints rows as columns padded to the widest cell (by characters, not bytes).
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header.iter().map(|h| h.to_string()).collect());
    for row in rows {
        line(row.clone());
    }
}

impl Out {
    fn print_json<T: Serialize>(&self, value: &T) -> anyhow::Result<()> {
        println!("{}", serde_json::to_string_pretty(value)?);
        Ok(())
    }

    /// The result of a change: the record as JSON, or one line for a person.
    pub fn done<T: Serialize>(&self, value: &T, line: &str) -> anyhow::Result<()> {
        if self.json {
            return self.print_json(value);
        }
        println!("{line}");
        Ok(())
    }

    pub fn search(&self, results: &shopdesk_core::store::SearchResults) -> anyhow::Result<()> {
        use shopdesk_core::store::{SearchJump, MATCH_END, MATCH_START};
        if self.json {
            return self.print_json(results);
        }
        match &results.jump {
            Some(SearchJump::Case { number }) => println!("→ case #{number}"),
            Some(SearchJump::Contact { id }) => println!("→ contact {id}"),
            None => {}
        }
        for c in &results.contacts {
            println!("contact  {}  {}", c.name, c.emails.first().map(String::as_str).unwrap_or(""));
        }
        let rows: Vec<Vec<String>> = results
            .hits
            .iter()
            .map(|h| {
                let snippet = h.snippet.replace(MATCH_START, "[").replace(MATCH_END, "]").replace('\n', " ");
                vec![format!("#{}", h.case_number), h.contact_name.clone(), h.direction.map(|d| d.label().to_string()).unwrap_or_else(|| "case".into()), snippet]
            })
            .collect();
        if rows.is_empty() && results.contacts.is_empty() && results.jump.is_none() {
            println!("Nothing found");
            return Ok(());
        }
        if !rows.is_empty() {
            table(&["CASE", "CONTACT", "WHAT", "MATCH"], &rows);
        }
        Ok(())
    }

    pub fn bench(&self, r: &shopdesk_core::bench::BenchReport) -> anyhow::Result<()> {
        if self.json {
            return self.print_json(r);
        }
        println!("{} messages (seed {}), mbox {:.1} MB", r.messages, r.seed, r.mbox_bytes as f64 / 1e6);
        println!("import        {:.2} s  = {:.0} messages/s", r.import_secs, r.import_per_sec);
        println!("database      {:.1} MB ({:.2}x the mbox)", r.db_bytes as f64 / 1e6, r.db_bytes as f64 / r.mbox_bytes.max(1) as f64);
        if let Some(m) = &r.import_memory {
            let mb = |b: u64| b as f64 / 1e6;
            println!(
                "memory        {:.1} MB resident after the import's first tenth, {:.1} MB at most after it, {:.1} MB at its end ({:.1} MB before)",
                mb(m.first_tenth_bytes),
                mb(m.peak_after_first_tenth_bytes),
                mb(m.end_bytes),
                mb(m.before_bytes)
            );
        }
        println!(
            "search index  {:.1} MB ({:.2}x the mbox; words, CJK, contacts and their row maps)",
            r.index_bytes as f64 / 1e6,
            r.index_bytes as f64 / r.mbox_bytes.max(1) as f64
        );
        println!("queue         {:.2} ms over {} open cases (first page of 50, with the counts)", r.queue_ms, r.open_cases);
        println!(
            "clock sweep   {:.2} ms over {} open cases, alerts announced (the first sweep after the import: {:.2} ms, {} alerts, once)",
            r.clock_sweep_ms, r.open_cases, r.first_sweep_ms, r.first_sweep_alerts
        );
        println!("open cold     {:.2} ms (open + first queue)", r.open_cold_ms);
        for q in &r.queue_at {
            println!(
                "queue         {:.2} ms (p95 {:.2}) over {} open cases, last page {:.2} ms ({} synthetic open cases added in one transaction, no messages)",
                q.first_page_median_ms, q.first_page_p95_ms, q.open_cases, q.last_page_median_ms, q.synthetic_added
            );
            println!(
                "clock sweep   {:.2} ms (p95 {:.2}) over {} open cases, alerts announced (the first sweep: {:.2} ms, {} alerts, once)",
                q.sweep_median_ms, q.sweep_p95_ms, q.open_cases, q.first_sweep_ms, q.first_sweep_alerts
            );
        }
        let rows: Vec<Vec<String>> = r
            .search
            .iter()
            .map(|q| {
                vec![
                    q.query.clone(),
                    q.hits.to_string(),
                    format!("{:.2}", q.median_ms),
                    format!("{:.2}", q.p95_ms),
                    format!("{:.2}", q.p99_ms),
                    format!("{:.2}", q.newest_median_ms),
                    format!("{:.2}", q.newest_p95_ms),
                ]
            })
            .collect();
        table(&["SEARCH", "HITS", "RANKED MEDIAN ms", "P95 ms", "P99 ms", "NEWEST MEDIAN ms", "P95 ms"], &rows);
        Ok(())
    }

    pub fn outbox(&self, entries: &[OutboxEntry]) -> anyhow::Result<()> {
        if self.json {
            return self.print_json(&entries);
        }
        if entries.is_empty() {
            println!("The outbox is empty");
            return Ok(());
        }
        let local = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string();
        let rows: Vec<Vec<String>> = entries
            .iter()
            .map(|e| {
                let d = &e.delivery;
                let state = match d.state {
                    DeliveryState::Sent => format!("sent {}", d.sent_at.map(local).unwrap_or_default()),
                    DeliveryState::Queued if d.scheduled => format!("scheduled for {}", local(d.next_attempt_at)),
                    DeliveryState::Queued if d.last_error.is_some() => {
                        format!("retrying at {} ({})", local(d.next_attempt_at), d.last_error.as_deref().unwrap_or_default())
                    }
                    DeliveryState::Held => format!("not sent: {}", d.last_error.as_deref().unwrap_or_default()),
                    other => other.label().to_string(),
                };
                vec![format!("#{}", e.case_number), d.to.clone(), state, e.message_id.to_string()]
            })
            .collect();
        table(&["CASE", "TO", "STATE", "ID"], &rows);
        Ok(())
    }

    pub fn queue(&self, queue: &Queue) -> anyhow::Result<()> {
        if self.json {
            return self.print_json(queue);
        }
        if queue.items.is_empty() {
            if queue.matching > 0 {
                println!("The queue has {} matching cases; none from position {}.", queue.matching, queue.offset);
            } else if queue.total_open > 0 {
                // A filter (a status, solved or closed among them) that nothing matches.
                println!("No case matches.");
            } else {
                println!("No open cases. Nobody is waiting.");
            }
            return Ok(());
        }
        let rows: Vec<Vec<String>> = queue
            .items
            .iter()
            .map(|c| {
                vec![
                    format!("#{}", c.number),
                    c.waiting_secs.map(human_duration).unwrap_or_else(|| "answered".into()),
                    clock_text(c.clock.as_ref(), queue.now),
                    c.contact_name.clone(),
                    c.subject.clone(),
                    c.channel.label().into(),
                    c.status.label().into(),
                ]
            })
            .collect();
        table(&["CASE", "WAITING", "REPLY TARGET", "CUSTOMER", "SUBJECT", "CHANNEL", "STATUS"], &rows);
        println!("\n{} open, {} waiting for an answer", queue.total_open, queue.waiting);
        let shown = queue.items.len() as u32;
        if shown < queue.matching {
            let first = queue.offset + 1;
            println!("Cases {first}-{} of {} (--offset and --limit show others)", queue.offset + shown, queue.matching);
        }
        Ok(())
    }

    pub fn sla_check(&self, late: &[CaseSummary], now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<()> {
        if self.json {
            return self.print_json(&late);
        }
        if late.is_empty() {
            println!("Every waiting customer is on track.");
            return Ok(());
        }
        let rows: Vec<Vec<String>> = late
            .iter()
            .map(|c| {
                vec![
                    format!("#{}", c.number),
                    clock_text(c.clock.as_ref(), now),
                    c.waiting_secs.map(human_duration).unwrap_or_default(),
                    c.contact_name.clone(),
                    c.subject.clone(),
                    c.channel.label().into(),
                ]
            })
            .collect();
        table(&["CASE", "REPLY TARGET", "WAITING", "CUSTOMER", "SUBJECT", "CHANNEL"], &rows);
        Ok(())
    }

    pub fn reminders(&self, due: &[Alert]) -> anyhow::Result<()> {
        if self.json {
            return self.print_json(&due);
        }
        if due.is_empty() {
            println!("Nobody to get back to.");
            return Ok(());
        }
        let rows: Vec<Vec<String>> = due
            .iter()
            .map(|a| {
                let what = if a.threshold == Threshold::KeepPosted { "send a status note" } else { "follow up" };
                vec![
                    format!("#{}", a.case_number),
                    what.to_string(),
                    human_duration(a.waiting_secs),
                    a.contact_name.clone(),
                    a.subject.clone(),
                ]
            })
            .collect();
        table(&["CASE", "TO DO", "SILENT FOR", "CUSTOMER", "SUBJECT"], &rows);
        Ok(())
    }

    pub fn contacts(&self, contacts: &[ContactSummary]) -> anyhow::Result<()> {
        if self.json {
            return self.print_json(&contacts);
        }
        if contacts.is_empty() {
            println!("No contacts found.");
            return Ok(());
        }
        let rows: Vec<Vec<String>> = contacts
            .iter()
            .map(|c| {
                vec![
                    c.name.clone(),
                    c.emails.join(", "),
                    c.phones.join(", "),
                    format!("{}/{}", c.open_cases, c.total_cases),
                    c.id.to_string(),
                ]
            })
            .collect();
        table(&["NAME", "EMAIL", "PHONE", "OPEN/ALL", "ID"], &rows);
        Ok(())
    }

    pub fn profile(&self, profile: &ContactProfile) -> anyhow::Result<()> {
        if self.json {
            return self.print_json(profile);
        }
        let c = &profile.contact;
        println!("{}  ({})", c.name, c.id);
        for (label, value) in [
            ("Email", c.emails.join(", ")),
            ("Phone", c.phones.join(", ")),
            ("Address", c.address.clone()),
            ("Tags", c.tags.join(", ")),
            ("Notes", c.notes.clone()),
        ] {
            if !value.is_empty() {
                println!("  {label:8} {value}");
            }
        }
        println!();
        let rows: Vec<Vec<String>> = profile
            .cases
            .iter()
            .map(|k| vec![format!("#{}", k.number), k.status.label().into(), k.subject.clone(), k.created_at.format("%Y-%m-%d").to_string()])
            .collect();
        if rows.is_empty() {
            println!("No cases yet.");
        } else {
            table(&["CASE", "STATUS", "SUBJECT", "OPENED"], &rows);
        }
        if !profile.orders.is_empty() {
            println!();
            let rows: Vec<Vec<String>> = profile
                .orders
                .iter()
                .map(|o| {
                    vec![
                        o.order_ref.clone(),
                        o.placed_at.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default(),
                        crate::shop::money(o.total_cents, &o.currency),
                        o.status.clone(),
                        o.items.clone(),
                    ]
                })
                .collect();
            table(&["ORDER", "PLACED", "TOTAL", "STATUS", "ITEMS"], &rows);
        }
        Ok(())
    }

    pub fn case(&self, view: &CaseView) -> anyhow::Result<()> {
        if self.json {
            return self.print_json(view);
        }
        let k = &view.case;
        println!("#{} {}", k.number, k.subject);
        println!(
            "  {} · {} · {} priority · fault: {} · customer: {}",
            k.status, k.category, k.priority, k.fault, view.contact.name
        );
        if let Some(into) = k.merged_into {
            println!("  merged into #{into}");
        }
        match view.waiting_secs {
            Some(secs) => println!("  Customer waiting {}", human_duration(secs)),
            None => println!("  Nobody is waiting for an answer"),
        }
        println!();
        for entry in &view.timeline {
            let at = entry.at().format("%Y-%m-%d %H:%M UTC");
            match entry {
                TimelineEntry::Message(m) => {
                    let auto = if m.automatic { " (automatic)" } else { "" };
                    println!("{at}  {} · {} · {}{auto}", m.direction, m.channel, m.author);
                    for line in m.body.lines() {
                        println!("    {line}");
                    }
                }
                TimelineEntry::Event(e) => match (&e.field, &e.from, &e.to) {
                    (Some(field), Some(from), Some(to)) => {
                        println!("{at}  {} changed {field}: {from:?} → {to:?}", e.author)
                    }
                    _ => println!("{at}  {} by {}", e.kind, e.author),
                },
            }
        }
        Ok(())
    }
}

/// A progress bar on standard error when that is a terminal (nothing in a script or a pipe,
/// where a bar would only be noise in a log): emails done out of the total, and the time left
/// once there is a pace. `shopdesk import` and a first `shopdesk mail fetch` draw one.
pub struct EmailsBar {
    bar: indicatif::ProgressBar,
    doing: &'static str,
}

impl EmailsBar {
    /// `doing`: the bar's first word ("Importing", "Fetching").
    pub fn on_terminal(doing: &'static str) -> EmailsBar {
        let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
        bar.set_style(Self::style(doing, ""));
        EmailsBar { bar, doing }
    }

    fn style(doing: &str, then: &str) -> indicatif::ProgressStyle {
        indicatif::ProgressStyle::with_template(&format!("{doing} {{wide_bar}} {{human_pos}}/{{human_len}} emails{then}"))
            .expect("a valid template")
            .progress_chars("=> ")
    }

    pub fn show(&self, done: u32, total: u32) {
        // The time left once there is a pace to tell it from (before the first step it reads 0 s).
        if self.bar.position() == 0 && done > 0 {
            self.bar.set_style(Self::style(self.doing, ", {eta} left"));
        }
        self.bar.set_length(u64::from(total));
        self.bar.set_position(u64::from(done));
    }

    /// Takes the bar off the screen, so that what the command says follows on a clean line.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
