//! Search as you type: what was said (every message, notes included) and cases' subjects and
//! references through the FTS5 index the triggers keep in step, contacts by name, email or
//! phone, and a direct jump when the query names one thing (a case number, an email address, a
//! phone number, an order reference).

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{from_ms, Store};
use crate::error::Result;
use crate::ids::ContactId;
use crate::model::{Channel, ContactSummary, Direction, QueueFilter, Status};

/// Marks around the matched words in a snippet (control characters no text contains): the UI
/// highlights between them without ever treating the text as HTML.
pub const MATCH_START: char = '\u{2}';
pub const MATCH_END: char = '\u{3}';

const LIMIT: u32 = 30;

/// How hits are ordered: by relevance, or newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SearchOrder {
    Ranked,
    Newest,
}

/// What one query names exactly: open it at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum SearchJump {
    Case { number: u32 },
    Contact { id: ContactId },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SearchHit {
    pub case_number: u32,
    pub case_subject: String,
    pub case_status: Status,
    pub contact_name: String,
    /// A message hit: who said it, how, and when. `None` for a case hit (its subject or references).
    pub direction: Option<Direction>,
    pub channel: Option<Channel>,
    pub at: DateTime<Utc>,
    /// The matched text around the query's words, which are between [`MATCH_START`] and [`MATCH_END`].
    pub snippet: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SearchResults {
    pub jump: Option<SearchJump>,
    pub contacts: Vec<ContactSummary>,
    /// Cases and messages, best match first.
    pub hits: Vec<SearchHit>,
}

/// The words of what was typed as FTS5 query phrases, one for each word, in order, all of them
/// required, nothing the user typed read as FTS5 syntax. The last word is a prefix, as it is
/// being typed ("parc" finds "parcel"); the words before it are whole words, the owner having
/// typed past them: a prefix of a common word ("has" for "has", "hash", "hasn't"…) makes FTS5
/// merge every matching word's list of rows, where a whole word is read lazily, so a phrase of
/// four prefixes took ~40 ms ranked at 100,000 emails. Every word a prefix (`all_prefixes`) is
/// the broader query when this finds too little ("track mov" finds "tracking has not moved").
fn fts_phrases(typed: &str, all_prefixes: bool) -> Vec<String> {
    let words = typed_words(typed);
    let last = words.len().saturating_sub(1);
    words
        .iter()
        .enumerate()
        .map(|(i, w)| if all_prefixes || i == last { format!("\"{w}\"*") } else { format!("\"{w}\"") })
        .collect()
}

fn typed_words(typed: &str) -> Vec<String> {
    typed
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
        .map(|w| w.trim_matches(|c| c == '\'' || c == '-').replace('"', ""))
        .filter(|w| !w.is_empty())
        .collect()
}

impl Store {
    /// Search as the owner types: ranked by relevance once every word has three letters or
    /// more, newest first before that (a one- or two-letter prefix matches most of the mail, and
    /// ranking all of it would make typing stutter).
    pub fn search(&self, typed: &str, filter: &QueueFilter) -> Result<SearchResults> {
        let short = typed.split_whitespace().any(|w| w.chars().filter(|c| c.is_alphanumeric()).count() < 3);
        self.search_ordered(typed, filter, if short { SearchOrder::Newest } else { SearchOrder::Ranked })
    }

    pub fn search_ordered(&self, typed: &str, filter: &QueueFilter, order: SearchOrder) -> Result<SearchResults> {
        let typed = typed.trim();
        let mut results = SearchResults { jump: self.jump_to(typed)?, ..SearchResults::default() };
        if typed.is_empty() {
            return Ok(results);
        }
        results.contacts = self.find_contacts_up_to(typed, 8)?;
        let phrases = fts_phrases(typed, false);
        if phrases.is_empty() {
            return Ok(results);
        }
        let mut hits = self.search_index(&phrases, filter, order)?;
        // Fewer than a page with whole earlier words: the earlier words as prefixes too, which
        // finds all of that and more ("track mov").
        if hits.len() < LIMIT as usize && phrases.len() > 1 {
            hits = self.search_index(&fts_phrases(typed, true), filter, order)?;
        }
        if typed.chars().any(is_cjk) {
            let mut cjk = self.search_cjk(typed, filter)?;
            cjk.retain(|h| !hits.iter().any(|r| r.case_number == h.case_number && r.at == h.at));
            cjk.append(&mut hits);
            cjk.truncate(LIMIT as usize);
            hits = cjk;
        }
        results.hits = hits;
        Ok(results)
    }

    /// One page of hits from the word index for an FTS5 query of `phrases`, all required.
    fn search_index(&self, phrases: &[String], filter: &QueueFilter, order: SearchOrder) -> Result<Vec<SearchHit>> {
        let query = phrases.join(" ");
        let mut args = vec![(":query", Value::Text(query.clone()))];
        let (window, order_by) = match order {
            // Ranked among the newest RANKED_WINDOW matches: a common word can match most of the
            // mail, and scoring every match would cost a tenth of a second at 100,000 emails.
            // The window's oldest match comes from the index alone when nothing narrows the
            // search (rowids only), or through the filters when something does. FTS5 orders by
            // its `rank`, which costs less than calling a function per row: bm25 as
            // rank::FUNCTION computes it, with the counts of rows holding each phrase given.
            SearchOrder::Ranked => {
                let oldest_sql = if filter_is_empty(filter) {
                    "SELECT rowid FROM search_fts WHERE search_fts MATCH :query ORDER BY rowid DESC LIMIT 1 OFFSET :deep".to_string()
                } else {
                    format!("SELECT s.rowid {} WHERE search_fts MATCH :query AND {FILTERS} ORDER BY s.rowid DESC LIMIT 1 OFFSET :deep", hits_from("search_fts"))
                };
                let deep = [(":query", Value::Text(query)), (":deep", Value::Integer(RANKED_WINDOW - 1))];
                let oldest: Option<i64> = query_hits(&self.conn, &oldest_sql, filter, &deep, |r| r.get(0))?.into_iter().next();
                args.push((":oldest", Value::Integer(oldest.unwrap_or(i64::MIN))));
                args.push((":rank", Value::Text(self.phrase_counts.borrow_mut().arguments(&self.conn, phrases)?)));
                (" AND s.rowid >= :oldest AND s.rank MATCH :rank", "s.rank")
            }
            // Index rows are numbered as text is written: the highest is the newest, and rowid
            // order streams from the index, stopping at the limit.
            SearchOrder::Newest => ("", "s.rowid DESC"),
        };
        let sql = format!(
            "SELECT {HIT_COLUMNS}, snippet(search_fts, 2, char(2), char(3), '…', 16) {}
             WHERE search_fts MATCH :query{window} AND {FILTERS} ORDER BY {order_by} LIMIT :limit",
            hits_from("search_fts")
        );
        let hits = query_hits(&self.conn, &sql, filter, &args, |r| hit_from_row(r, r.get(7)?))?;
        if order == SearchOrder::Ranked {
            self.phrase_counts.borrow_mut().learn(phrases);
        }
        Ok(hits)
    }

    /// Text in Chinese, Japanese or Korean, by substring in the trigram index: every typed word
    /// must appear. Newest first (index order, so a common word stops at the limit; a word of
    /// two characters, too short for trigrams, is looked for row by row); the snippet is cut
    /// here around the first word.
    fn search_cjk(&self, typed: &str, filter: &QueueFilter) -> Result<Vec<SearchHit>> {
        let words: Vec<String> = typed
            .split_whitespace()
            .map(|w| w.replace(['%', '_', '\\'], ""))
            .filter(|w| !w.is_empty())
            .collect();
        let Some(first) = words.first().cloned() else { return Ok(vec![]) };
        let likes: String = (0..words.len()).map(|i| format!(" AND s.text LIKE :word{i}")).collect();
        let sql = format!(
            "SELECT {HIT_COLUMNS}, s.text {} WHERE {FILTERS}{likes} ORDER BY s.rowid DESC LIMIT :limit",
            hits_from("search_cjk")
        );
        let names: Vec<String> = (0..words.len()).map(|i| format!(":word{i}")).collect();
        let args: Vec<(&str, Value)> = names.iter().zip(&words).map(|(n, w)| (n.as_str(), Value::Text(format!("%{w}%")))).collect();
        query_hits(&self.conn, &sql, filter, &args, |r| {
            let text: String = r.get(7)?;
            hit_from_row(r, snippet_around(&text, &first, 24))
        })
    }

    /// A case number ("1042", "#1042"), an email address, a phone number or an order reference
    /// that names exactly one case or contact.
    fn jump_to(&self, typed: &str) -> Result<Option<SearchJump>> {
        if typed.is_empty() {
            return Ok(None);
        }
        if let Ok(number) = typed.trim_start_matches('#').parse::<u32>() {
            let found: Option<u32> = self
                .conn
                .query_row("SELECT number FROM cases WHERE number = ?1", [number], |r| r.get(0))
                .optional()?;
            if let Some(number) = found {
                return Ok(Some(SearchJump::Case { number }));
            }
        }
        if typed.contains('@') {
            if let Ok(contact) = self.contact_by_email(typed) {
                return Ok(Some(SearchJump::Contact { id: contact.id }));
            }
        }
        if typed.chars().filter(char::is_ascii_digit).count() >= 6 {
            if let Ok(contact) = self.contact_by_phone(typed) {
                return Ok(Some(SearchJump::Contact { id: contact.id }));
            }
        }
        let orders: Vec<u32> = {
            let mut stmt = self.conn.prepare_cached(
                "SELECT number FROM cases WHERE merged_into IS NULL AND order_ref = ?1 AND order_ref <> ''
                 UNION SELECT number FROM cases WHERE merged_into IS NULL AND tracking_ref = ?1 AND tracking_ref <> ''
                 LIMIT 2",
            )?;
            let rows = stmt.query_map([typed.trim_start_matches('#')], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        if let [number] = orders.as_slice() {
            return Ok(Some(SearchJump::Case { number: *number }));
        }
        // An imported order no case names yet: its customer, whose profile lists it.
        if let Some(order) = self.order(typed)? {
            let contact = match order.email.as_str() {
                "" => None,
                email => self.contact_by_email(email).ok(),
            };
            if let Some(contact) = contact {
                return Ok(Some(SearchJump::Contact { id: contact.id }));
            }
        }
        Ok(None)
    }
}

/// How many of the newest matches a ranked search scores (fewer in tests, to keep them quick).
const RANKED_WINDOW: i64 = if cfg!(test) { 100 } else { 2000 };

/// What a hit shows, from [`hits_from`]'s tables; the query adds its snippet as column 7.
const HIT_COLUMNS: &str = "k.number, k.subject, k.status, c.name, m.direction, m.channel, COALESCE(m.happened_at, k.updated_at)";

/// The filters of the search box, over [`hits_from`]'s tables; their values are bound by name
/// (`:status`, `:channel`, `:category`, `:tag`, `:since`, `:until`; NULL when not set).
const FILTERS: &str = "k.merged_into IS NULL
    AND (:status IS NULL OR k.status = :status) AND (:channel IS NULL OR k.channel = :channel)
    AND (:category IS NULL OR k.category = :category)
    AND (:tag IS NULL OR EXISTS (SELECT 1 FROM case_tags t WHERE t.case_id = k.id AND t.tag = :tag COLLATE NOCASE))
    AND (:since IS NULL OR COALESCE(m.happened_at, k.updated_at) >= :since)
    AND (:until IS NULL OR COALESCE(m.happened_at, k.updated_at) < :until)";

/// A search index's rows (`s`) with the message (`m`), the case (`k`) and the customer (`c`)
/// each stands for. What a row stands for is read from search_map by its number (both indexes
/// share them): the word index keeps no columns of its own (migration 18), and reading its
/// `kind` and `ref` would look each row up through its content view.
fn hits_from(index: &str) -> String {
    format!(
        "FROM {index} s
         JOIN search_map x ON x.fts_rowid = s.rowid
         LEFT JOIN messages m ON x.kind = 'message' AND m.id = x.ref
         JOIN cases k ON k.id = CASE x.kind WHEN 'message' THEN m.case_id ELSE x.ref END
         JOIN contacts c ON c.id = k.contact_id"
    )
}

fn filter_is_empty(filter: &QueueFilter) -> bool {
    let tag = filter.tag.as_deref().map(str::trim).filter(|t| !t.is_empty());
    filter.status.is_none() && filter.channel.is_none() && filter.category.is_none() && tag.is_none() && filter.since.is_none() && filter.until.is_none()
}

/// Runs a search statement: binds the filter's values and `args` to the names the statement
/// uses (any it doesn't use are skipped) and `:limit`, and maps each row.
fn query_hits<T>(
    conn: &rusqlite::Connection,
    sql: &str,
    filter: &QueueFilter,
    args: &[(&str, Value)],
    map: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let text = |v: Option<&str>| v.map_or(Value::Null, |v| Value::Text(v.to_string()));
    let time = |at: Option<DateTime<Utc>>| at.map_or(Value::Null, |at| Value::Integer(super::to_ms(at)));
    let named = [
        (":status", text(filter.status.map(|v| v.as_str()))),
        (":channel", text(filter.channel.map(|v| v.as_str()))),
        (":category", text(filter.category.map(|v| v.as_str()))),
        (":tag", text(filter.tag.as_deref().map(str::trim).filter(|t| !t.is_empty()))),
        (":since", time(filter.since)),
        (":until", time(filter.until)),
        (":limit", Value::Integer(i64::from(LIMIT))),
    ];
    let mut stmt = conn.prepare_cached(sql)?;
    for (name, value) in named.iter().map(|(n, v)| (*n, v)).chain(args.iter().map(|(n, v)| (*n, v))) {
        if let Some(index) = stmt.parameter_index(name)? {
            stmt.raw_bind_parameter(index, value)?;
        }
    }
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(map(row)?);
    }
    Ok(out)
}

fn hit_from_row(r: &rusqlite::Row<'_>, snippet: String) -> rusqlite::Result<SearchHit> {
    Ok(SearchHit {
        case_number: r.get(0)?,
        case_subject: r.get(1)?,
        case_status: r.get(2)?,
        contact_name: r.get(3)?,
        direction: r.get(4)?,
        channel: r.get(5)?,
        at: from_ms(r.get(6)?),
        snippet,
    })
}

/// Han, kana and hangul: scripts written without spaces between words.
use super::search_index::is_cjk;

/// `text` around the first `word`, at most `around` characters each side, the word marked.
fn snippet_around(text: &str, word: &str, around: usize) -> String {
    let Some(at) = text.find(word) else { return text.chars().take(2 * around).collect() };
    let before: Vec<char> = text[..at].chars().collect();
    let after = &text[at + word.len()..];
    let start = before.len().saturating_sub(around);
    let head: String = before[start..].iter().collect();
    let tail: String = after.chars().take(around).collect();
    let ellipsis = |cut: bool| if cut { "…" } else { "" };
    format!(
        "{}{}{MATCH_START}{word}{MATCH_END}{}{}",
        ellipsis(start > 0),
        head.replace('\n', " "),
        tail.replace('\n', " "),
        ellipsis(after.chars().count() > around)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snippet_is_cut_around_the_word() {
        let s = snippet_around("注文1187の急須が割れて届きました。交換をお願いできますか。", "急須", 4);
        assert_eq!(s, "…187の\u{2}急須\u{3}が割れて…");
        assert_eq!(snippet_around("急須", "急須", 4), "\u{2}急須\u{3}");
    }

    #[test]
    fn what_people_type_becomes_a_safe_query_whose_last_word_is_a_prefix() {
        let query = |typed: &str, all_prefixes: bool| fts_phrases(typed, all_prefixes).join(" ");
        assert_eq!(query("broken teapot", false), "\"broken\" \"teapot\"*");
        assert_eq!(query("broken teapot", true), "\"broken\"* \"teapot\"*");
        assert_eq!(query("  \"NEAR(\" OR * ", false), "\"NEAR\" \"OR\"*");
        assert_eq!(query("théière", false), "\"théière\"*");
        assert_eq!(query("théière", true), "\"théière\"*");
        assert!(fts_phrases(" *?! ", false).is_empty());
        assert!(fts_phrases(" *?! ", true).is_empty());
    }
}
