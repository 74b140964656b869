//! The queue: every open case, the customer who has waited longest first, read a page at a time.
//!
//! At 100,000 open cases a page must cost a few milliseconds, so nothing here reads every open
//! case: the page's positions come straight off `cases_queue_order` (in the queue's order, no
//! sort), cases whose reminder is due (a handful) off `cases_remind` and go on top, the
//! counts come from `queue_counts` (kept by triggers), and only the page's clocks are evaluated,
//! with their pauses read in one query.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use rusqlite::types::Value;

use super::cases::{summary_from_row, SUMMARY_SELECT};
use super::sla::{pause_spans, ClockContext};
use super::{from_ms, to_ms, truncate, Store};
use crate::error::Result;
use crate::ids::CaseId;
use crate::model::{CaseSummary, Queue, QueueFilter, QueuePage, Status};

/// Open: what the partial indexes on the queue are built over (the query must say it the same way).
pub(super) const OPEN: &str = "k.status NOT IN ('solved', 'closed') AND k.merged_into IS NULL";

/// The order after the due reminders; `cases_queue_order` holds exactly these keys.
pub(super) const ORDER: &str = "k.waiting_since IS NULL, k.waiting_since, k.last_activity_at DESC, k.number DESC";
/// The same order from the end (the index read backwards): pages past the middle skip fewer rows.
const REVERSED: &str = "k.waiting_since IS NULL DESC, k.waiting_since DESC, k.last_activity_at, k.number";

/// A filter as SQL terms (`AND …` with `?` placeholders) and their values, in order.
fn filter_terms(filter: &QueueFilter) -> (String, Vec<Value>) {
    let mut sql = String::new();
    let mut args: Vec<Value> = Vec::new();
    for (column, word) in [
        ("status", filter.status.map(|v| v.as_str())),
        ("channel", filter.channel.map(|v| v.as_str())),
        ("category", filter.category.map(|v| v.as_str())),
    ] {
        if let Some(word) = word {
            args.push(Value::Text(word.to_string()));
            sql.push_str(&format!(" AND k.{column} = ?"));
        }
    }
    if let Some(tag) = tag_of(filter) {
        args.push(Value::Text(tag.to_string()));
        sql.push_str(" AND EXISTS (SELECT 1 FROM case_tags t WHERE t.case_id = k.id AND t.tag = ? COLLATE NOCASE)");
    }
    for (at, op) in [(filter.since, ">="), (filter.until, "<")] {
        if let Some(at) = at {
            args.push(Value::Integer(to_ms(at)));
            sql.push_str(&format!(" AND k.last_activity_at {op} ?"));
        }
    }
    (sql, args)
}

fn tag_of(filter: &QueueFilter) -> Option<&str> {
    filter.tag.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// The page query's SQL: the ids of open cases matching `terms` whose reminder is not due, in the
/// queue's order, `LIMIT ? OFFSET ?`. Public to the store's tests, which check its plan.
pub(super) fn page_sql(terms: &str, from_the_end: bool) -> String {
    let order = if from_the_end { REVERSED } else { ORDER };
    format!(
        "SELECT k.id FROM cases k WHERE {OPEN} AND (k.remind_at IS NULL OR k.remind_at > ?){terms} \
         ORDER BY {order} LIMIT ? OFFSET ?"
    )
}

/// Solved and closed cases: what `cases_done` is built over (the query must say it the same way).
pub(super) const DONE: &str = "k.status IN ('solved', 'closed') AND k.merged_into IS NULL";

/// A page of solved or closed cases matching `terms` (which name the status), most recently
/// active first, `LIMIT ? OFFSET ?`.
fn done_sql(terms: &str) -> String {
    format!("SELECT k.id FROM cases k WHERE {DONE}{terms} ORDER BY k.status, k.last_activity_at DESC, k.number DESC LIMIT ? OFFSET ?")
}

impl Store {
    /// One page of the open cases matching `filter`, in the queue's order at `now`: cases whose
    /// "remind me" has come due first (oldest reminder first), then the longest waiting, then the
    /// cases nobody is waiting on, most recently active first. With the counts over all open
    /// cases and the number matching the filter.
    ///
    /// A filter on a status that is not open (solved, closed) lists those cases instead, most
    /// recently active first ([`Store::done_cases`]).
    pub fn queue(&self, filter: &QueueFilter, page: QueuePage, now: DateTime<Utc>) -> Result<Queue> {
        let now = truncate(now);
        if filter.status.is_some_and(|s| !s.is_open()) {
            return self.done_cases(filter, page, now);
        }
        let (terms, filter_args) = filter_terms(filter);
        let with = |first: Vec<Value>, last: Vec<Value>| -> Vec<Value> {
            first.into_iter().chain(filter_args.iter().cloned()).chain(last).collect()
        };

        // Due reminders: few, read whole (the page below needs how many there are).
        let due_sql = format!(
            "SELECT k.id FROM cases k WHERE {OPEN} AND k.remind_at IS NOT NULL AND k.remind_at <= ?{terms} \
             ORDER BY k.remind_at, {ORDER}"
        );
        let due: Vec<CaseId> = self
            .conn
            .prepare_cached(&due_sql)?
            .query_map(rusqlite::params_from_iter(with(vec![Value::Integer(to_ms(now))], vec![])), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;

        let (by_status, total_open, waiting) = self.queue_counts()?;
        let only_status = filter.channel.is_none()
            && filter.category.is_none()
            && tag_of(filter).is_none()
            && filter.since.is_none()
            && filter.until.is_none();
        let matching = match (only_status, filter.status) {
            (true, None) => total_open,
            (true, Some(status)) => by_status.get(&status).copied().unwrap_or(0),
            (false, _) => self.count_matching(filter)?,
        };

        let offset = page.offset as usize;
        let mut ids: Vec<CaseId> = due.iter().skip(offset).take(page.limit.map_or(usize::MAX, |l| l as usize)).copied().collect();
        let left = page.limit.map(|l| (l as usize).saturating_sub(ids.len()));
        // The rest of the queue after the due reminders: a page past its middle is read from the
        // end, so the deepest page skips as few rows as the first.
        let rest_total = (matching as usize).saturating_sub(due.len());
        let rest_offset = offset.saturating_sub(due.len());
        let (from_the_end, limit, skip): (bool, Option<usize>, usize) = match left {
            Some(left) if left > 0 && rest_offset > rest_total / 2 => {
                let end = (rest_offset + left).min(rest_total);
                (true, Some(end.saturating_sub(rest_offset)), rest_total - end)
            }
            _ => (false, left, rest_offset),
        };
        if limit != Some(0) {
            // SQLite reads a negative LIMIT as none.
            let limit = limit.map_or(-1, |l| l as i64);
            let args = with(vec![Value::Integer(to_ms(now))], vec![Value::Integer(limit), Value::Integer(skip as i64)]);
            let mut stmt = self.conn.prepare_cached(&page_sql(&terms, from_the_end))?;
            let mut rest = stmt
                .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, CaseId>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            if from_the_end {
                rest.reverse();
            }
            ids.extend(rest);
        }
        let items = self.summaries_in_order(&ids, now)?;

        Ok(Queue { items, offset: page.offset, matching, total_open, waiting, by_status, now })
    }

    /// Solved or closed cases (`filter.status` says which) matching the rest of `filter`, most
    /// recently active first: where a case the shop finished is found again from the queue.
    /// Read off `cases_done` (migration 24), which holds only those cases, in that order. The
    /// counts over open cases are as in the queue; `matching` counts these.
    fn done_cases(&self, filter: &QueueFilter, page: QueuePage, now: DateTime<Utc>) -> Result<Queue> {
        let (terms, args) = filter_terms(filter);
        let matching: u32 = self
            .conn
            .prepare_cached(&format!("SELECT count(*) FROM cases k WHERE {DONE}{terms}"))?
            .query_row(rusqlite::params_from_iter(args.iter().cloned()), |r| r.get(0))?;
        let limit = page.limit.map_or(-1, i64::from);
        let page_args = args.into_iter().chain([Value::Integer(limit), Value::Integer(i64::from(page.offset))]);
        let ids = self
            .conn
            .prepare_cached(&done_sql(&terms))?
            .query_map(rusqlite::params_from_iter(page_args), |r| r.get::<_, CaseId>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let items = self.summaries_in_order(&ids, now)?;
        let (by_status, total_open, waiting) = self.queue_counts()?;
        Ok(Queue { items, offset: page.offset, matching, total_open, waiting, by_status, now })
    }

    /// Every open case matching `filter`, each clock evaluated: for scripts (`shopdesk queue
    /// --json`) and, until it reads its own way, the clock sweep. Costly at many open cases.
    pub fn queue_all(&self, filter: &QueueFilter, now: DateTime<Utc>) -> Result<Queue> {
        self.queue(filter, QueuePage::ALL, now)
    }

    /// Summaries of `ids`, in that order, with their clocks; the pauses of every running clock
    /// are read in one query.
    fn summaries_in_order(&self, ids: &[CaseId], now: DateTime<Utc>) -> Result<Vec<CaseSummary>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let position: HashMap<CaseId, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let json = |ids: &[CaseId]| serde_json::to_string(ids).map_err(|e| crate::Error::Invalid(e.to_string()));
        let sql = format!("{SUMMARY_SELECT} WHERE k.id IN (SELECT value FROM json_each(?1))");
        let mut rows = self
            .conn
            .prepare_cached(&sql)?
            .query_map([json(ids)?], |r| summary_from_row(r, now))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.sort_by_key(|(s, _)| position.get(&s.id).copied());

        let running: Vec<CaseId> =
            rows.iter().filter(|(s, _)| ClockContext::runs(s.status, s.waiting_since)).map(|(s, _)| s.id).collect();
        let mut changes: HashMap<CaseId, Vec<(DateTime<Utc>, Status)>> = HashMap::new();
        if !running.is_empty() {
            let mut stmt = self.conn.prepare_cached(
                "SELECT case_id, at, new_value FROM case_events \
                 WHERE case_id IN (SELECT value FROM json_each(?1)) AND kind = 'status_changed' \
                 ORDER BY case_id, at, rowid",
            )?;
            let found = stmt.query_map([json(&running)?], |r| Ok((r.get::<_, CaseId>(0)?, from_ms(r.get(1)?), r.get(2)?)))?;
            for row in found {
                let (id, at, status) = row?;
                changes.entry(id).or_default().push((at, status));
            }
        }
        let ctx = ClockContext::load(&self.conn, now)?;
        Ok(rows
            .into_iter()
            .map(|(mut summary, fields)| {
                let pauses = pause_spans(changes.remove(&summary.id).unwrap_or_default());
                summary.clock = ctx.clock_with_pauses(summary.status, summary.waiting_since, &fields, pauses);
                summary
            })
            .collect())
    }

    /// Open cases per open status (every open status listed), in all, and waiting customers.
    fn queue_counts(&self) -> Result<(BTreeMap<Status, u32>, u32, u32)> {
        let mut by_status: BTreeMap<Status, u32> = Status::ALL.iter().filter(|s| s.is_open()).map(|s| (*s, 0)).collect();
        let (mut total_open, mut waiting) = (0, 0);
        let mut stmt = self.conn.prepare_cached("SELECT status, open, waiting FROM queue_counts WHERE open > 0")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, Status>(0)?, r.get::<_, u32>(1)?, r.get::<_, u32>(2)?)))?;
        for row in rows {
            let (status, count, waiting_count) = row?;
            by_status.insert(status, count);
            total_open += count;
            waiting += waiting_count;
        }
        Ok((by_status, total_open, waiting))
    }

    /// How many open cases a filter beyond status matches: one count per open status off
    /// `cases_queue_filter` (status and channel lead it), so the index is searched, not scanned.
    fn count_matching(&self, filter: &QueueFilter) -> Result<u32> {
        let (terms, args) = filter_terms(&QueueFilter { status: None, ..filter.clone() });
        let statuses: Vec<Status> = match filter.status {
            Some(status) => vec![status],
            None => Status::ALL.iter().copied().filter(|s| s.is_open()).collect(),
        };
        let mut stmt = self.conn.prepare_cached(&format!("SELECT count(*) FROM cases k WHERE {OPEN} AND k.status = ?{terms}"))?;
        let mut total = 0u32;
        for status in statuses {
            let args = std::iter::once(Value::Text(status.as_str().into())).chain(args.iter().cloned());
            total += stmt.query_row(rusqlite::params_from_iter(args), |r| r.get::<_, u32>(0))?;
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::model::{CasePatch, Category, Channel, ContactRef, Direction, NewCase, NewContact, NewMessage, Priority};

    fn at(mins: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).single().expect("valid") + Duration::minutes(mins)
    }

    /// 30 open cases: customers waiting for 1..=30 hours, every third answered, channels and
    /// categories varied, two due reminders and one not yet due, two solved, one merged away.
    fn shop() -> (Store, DateTime<Utc>) {
        let mut store = Store::open_in_memory().expect("db");
        let now = at(3000);
        let channels = [Channel::Email, Channel::Phone, Channel::Chat];
        for i in 0..33i64 {
            let channel = channels[i as usize % 3];
            let first = NewMessage {
                direction: Direction::FromCustomer,
                channel,
                author: String::new(),
                body: "hello".into(),
                happened_at: Some(now - Duration::hours(i + 1)),
            };
            let contact = NewContact { name: format!("Customer {i}"), emails: vec![format!("c{i}@example.com")], ..NewContact::default() };
            let input = NewCase {
                contact: ContactRef::New(contact),
                subject: format!("Case {i}"),
                priority: Priority::Normal,
                category: if i % 4 == 0 { Category::Quality } else { Category::Delivery },
                first_message: first,
            };
            let case = store.open_case(&input, now - Duration::hours(i + 1)).expect("case");
            if i % 3 == 2 {
                let reply = NewMessage { direction: Direction::FromShop, body: "answer".into(), happened_at: Some(now - Duration::minutes(i * 7)), ..input.first_message.clone() };
                store.log_message(case.number, &reply, now - Duration::minutes(i * 7)).expect("reply");
            }
        }
        for (number, remind) in [(1010, 10), (1020, 5), (1005, 100)] {
            store.set_reminder(number, Some(now - Duration::minutes(200) + Duration::minutes(remind)), "Shop", now - Duration::minutes(200)).expect("remind");
        }
        let wait = CasePatch { status: Some(Status::WaitingOnThirdParty), ..CasePatch::default() };
        store.update_case(1004, &wait, "Shop", now).expect("waiting");
        let solved = CasePatch { status: Some(Status::Solved), ..CasePatch::default() };
        store.update_case(1030, &solved, "Shop", now).expect("solved");
        store.update_case(1031, &solved, "Shop", now).expect("solved");
        store.merge_cases(1001, 1032, "Shop", now).expect("merged");
        (store, now)
    }

    fn numbers(queue: &Queue) -> Vec<u32> {
        queue.items.iter().map(|c| c.number).collect()
    }

    #[test]
    fn pages_put_together_are_the_whole_queue_in_order_with_no_case_twice_or_missed() {
        let (store, now) = shop();
        let all = store.queue_all(&QueueFilter::default(), now).expect("all");
        assert_eq!(all.items.len(), 30);
        assert_eq!(numbers(&all)[..2], [1020, 1010], "due reminders on top, oldest first");
        for size in [1, 2, 3, 7, 29, 30, 31, 100] {
            let mut seen = Vec::new();
            let mut offset = 0;
            loop {
                let page = store.queue(&QueueFilter::default(), QueuePage { offset, limit: Some(size) }, now).expect("page");
                assert_eq!((page.offset, page.matching, page.total_open), (offset, 30, 30));
                if page.items.is_empty() {
                    break;
                }
                assert!(page.items.len() <= size as usize);
                seen.extend(page.items);
                offset += size;
            }
            assert_eq!(seen, all.items, "page size {size}");
        }
        // Any window, read from the top or (past the middle) from the end, is that slice.
        for offset in 0..=31u32 {
            for limit in [1, 4] {
                let page = store.queue(&QueueFilter::default(), QueuePage { offset, limit: Some(limit) }, now).expect("page");
                let want: Vec<u32> = numbers(&all).into_iter().skip(offset as usize).take(limit as usize).collect();
                assert_eq!(numbers(&page), want, "offset {offset} limit {limit}");
            }
        }
        let tail = store.queue(&QueueFilter::default(), QueuePage { offset: 25, limit: None }, now).expect("tail");
        assert_eq!(numbers(&tail), numbers(&all)[25..].to_vec());
    }

    #[test]
    fn filters_page_and_count_the_matching_cases() {
        let (store, now) = shop();
        let filters = [
            QueueFilter { channel: Some(Channel::Phone), ..QueueFilter::default() },
            QueueFilter { category: Some(Category::Quality), ..QueueFilter::default() },
            QueueFilter { status: Some(Status::WaitingOnThirdParty), ..QueueFilter::default() },
            QueueFilter { status: Some(Status::New), channel: Some(Channel::Email), ..QueueFilter::default() },
            QueueFilter { since: Some(at(3000) - Duration::hours(10)), ..QueueFilter::default() },
        ];
        for filter in filters {
            let all = store.queue_all(&filter, now).expect("all");
            let expected: Vec<u32> = store
                .queue_all(&QueueFilter::default(), now)
                .expect("everything")
                .items
                .iter()
                .filter(|c| {
                    filter.channel.is_none_or(|ch| c.channel == ch)
                        && filter.category.is_none_or(|k| c.category == k)
                        && filter.status.is_none_or(|s| c.status == s)
                        && filter.since.is_none_or(|s| c.last_activity_at >= s)
                })
                .map(|c| c.number)
                .collect();
            assert!(!expected.is_empty(), "{filter:?}");
            assert_eq!(numbers(&all), expected, "{filter:?}");
            assert_eq!(all.matching as usize, expected.len(), "{filter:?}");
            let first = store.queue(&filter, QueuePage::first(2), now).expect("first");
            let second = store.queue(&filter, QueuePage { offset: 2, limit: Some(2) }, now).expect("second");
            assert_eq!([numbers(&first), numbers(&second)].concat(), expected.iter().copied().take(4).collect::<Vec<_>>(), "{filter:?}");
            assert_eq!(first.matching, all.matching);
        }
    }

    #[test]
    fn solved_and_closed_cases_are_listed_most_recently_active_first() {
        let (mut store, now) = shop();
        let closed = CasePatch { status: Some(Status::Closed), ..CasePatch::default() };
        store.update_case(1007, &closed, "Shop", now + Duration::minutes(5)).expect("closed");
        // Solved later, and active later: 1031 is touched again after 1030.
        let note = NewMessage { direction: Direction::Note, channel: Channel::Email, author: "Shop".into(), body: "refund sent".into(), happened_at: None };
        store.log_message(1031, &note, now + Duration::minutes(10)).expect("note");
        let solved = QueueFilter { status: Some(Status::Solved), ..QueueFilter::default() };
        let list = store.queue_all(&solved, now + Duration::minutes(20)).expect("solved");
        assert_eq!(numbers(&list), [1031, 1030]);
        assert_eq!(list.matching, 2);
        assert!(list.items.iter().all(|c| c.status == Status::Solved && c.clock.is_none()), "no clock runs on a solved case");
        assert_eq!(list.total_open, 29, "the open counts stay the queue's");
        let page = store.queue(&solved, QueuePage { offset: 1, limit: Some(1) }, now).expect("second page");
        assert_eq!((numbers(&page), page.matching, page.offset), (vec![1030], 2, 1));
        let closed_list = store.queue_all(&QueueFilter { status: Some(Status::Closed), ..QueueFilter::default() }, now).expect("closed");
        assert_eq!(numbers(&closed_list), [1007], "a merged-away case is not listed");
        // The other filters apply: 1030 and 1031 came by chat and email.
        let by_chat = QueueFilter { status: Some(Status::Solved), channel: Some(Channel::Chat), ..QueueFilter::default() };
        let chat = store.queue_all(&by_chat, now).expect("chat");
        let expected: Vec<u32> = list.items.iter().filter(|c| c.channel == Channel::Chat).map(|c| c.number).collect();
        assert!(!expected.is_empty());
        assert_eq!((numbers(&chat), chat.matching as usize), (expected.clone(), expected.len()));
        // Read off its own index, in order: no sort, no scan of the cases.
        let (terms, args) = filter_terms(&solved);
        let mut stmt = store.conn.prepare(&format!("EXPLAIN QUERY PLAN {}", done_sql(&terms))).expect("plan");
        let plan = stmt
            .query_map(rusqlite::params_from_iter(args.into_iter().chain([Value::Integer(50), Value::Integer(0)])), |r| r.get::<_, String>(3))
            .expect("rows")
            .collect::<rusqlite::Result<Vec<_>>>()
            .expect("plan rows")
            .join("\n");
        assert!(plan.contains("cases_done") && !plan.contains("TEMP B-TREE"), "{plan}");
    }

    #[test]
    fn the_counts_kept_by_triggers_match_the_cases_after_every_kind_of_change() {
        let (mut store, now) = shop();
        let check = |store: &Store| {
            let queue = store.queue(&QueueFilter::default(), QueuePage::first(1), now).expect("queue");
            let mut stmt = store
                .conn
                .prepare(&format!("SELECT k.status, count(*), count(k.waiting_since) FROM cases k WHERE {OPEN} GROUP BY k.status"))
                .expect("sql");
            let (mut open, mut waiting) = (0, 0);
            let rows = stmt.query_map([], |r| Ok((r.get::<_, Status>(0)?, r.get::<_, u32>(1)?, r.get::<_, u32>(2)?))).expect("rows");
            for row in rows {
                let (status, count, waits) = row.expect("row");
                assert_eq!(queue.by_status[&status], count, "{status:?}");
                open += count;
                waiting += waits;
            }
            assert_eq!((queue.total_open, queue.waiting), (open, waiting));
        };
        check(&store);
        let reply = NewMessage { direction: Direction::FromShop, channel: Channel::Email, author: String::new(), body: "done".into(), happened_at: Some(now) };
        store.log_message(1002, &reply, now).expect("answered");
        let customer = NewMessage { direction: Direction::FromCustomer, body: "thanks, but".into(), ..reply.clone() };
        store.log_message(1030, &customer, now).expect("reopened by the customer");
        store.update_case(1003, &CasePatch { status: Some(Status::Closed), ..CasePatch::default() }, "Shop", now).expect("closed");
        store.merge_cases(1006, 1009, "Shop", now).expect("merged");
        check(&store);
        assert_eq!(store.queue(&QueueFilter::default(), QueuePage::first(1), now).expect("q").total_open, 29);
    }

    #[test]
    fn a_page_is_read_off_the_queue_index_without_sorting_or_scanning_the_cases() {
        let (store, _) = shop();
        let plan = |sql: &str, args: usize| -> String {
            let mut stmt = store.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).expect("plan");
            let rows = stmt
                .query_map(rusqlite::params_from_iter(std::iter::repeat_n(0i64, args)), |r| r.get::<_, String>(3))
                .expect("rows");
            rows.collect::<rusqlite::Result<Vec<_>>>().expect("plan rows").join("\n")
        };
        for from_the_end in [false, true] {
            let unfiltered = plan(&page_sql("", from_the_end), 3);
            assert!(unfiltered.contains("USING INDEX cases_queue_order") || unfiltered.contains("USING COVERING INDEX cases_queue_order"), "{unfiltered}");
            assert!(!unfiltered.contains("TEMP B-TREE"), "{unfiltered}");
        }
        let (terms, args) = filter_terms(&QueueFilter { channel: Some(Channel::Email), ..QueueFilter::default() });
        let filtered = plan(&page_sql(&terms, false), args.len() + 3);
        assert!(filtered.contains("cases_queue_order") && !filtered.contains("TEMP B-TREE"), "{filtered}");
        let counts = plan(&format!("SELECT count(*) FROM cases k WHERE {OPEN} AND k.status = ?{terms}"), args.len() + 1);
        assert!(counts.contains("SEARCH k USING COVERING INDEX cases_queue_filter"), "{counts}");
    }
}
