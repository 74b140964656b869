//! An import's search indexing, once per transaction instead of once per row (migration 16).
//!
//! FTS5 keeps the terms of the rows written since its last flush in memory and writes them out
//! as one index segment. It also flushes whenever a statement that writes it opens a savepoint,
//! and every trigger's statement inside a transaction does: indexed row by row, each imported
//! email became its own segment, merged again and again into bigger ones. A writer that files
//! many rows in one transaction calls [`defer`] after `BEGIN` and [`index_pending`] before
//! `COMMIT`: in between, the search triggers only note which rows changed (`search_pending`),
//! and [`index_pending`] indexes them all in a few statements, so FTS5 buffers a whole batch
//! and writes it once. Both run in the writer's transaction, so a reader never sees a stored
//! row that is not indexed yet, and a rollback undoes the notes with the rows.
//!
//! A new row is always noted (migration 23), deferred or not: every transaction of the store
//! ends with [`commit`], which indexes what it noted.

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;

use super::cached_execute;

/// Commits `tx` once what it noted is indexed. Every transaction of the store ends here (or in
/// [`index_pending`] before its `COMMIT`): a new message, case or contact is only noted by its
/// trigger (migration 23), so a commit that skipped this would leave it out of search until the
/// next one. [`catch_up`] indexes what another program noted.
pub(crate) fn commit(tx: rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    catch_up(&tx)?;
    tx.commit()
}

/// [`index_pending`] if anything is noted: a transaction that noted nothing pays one read.
pub(crate) fn catch_up(conn: &Connection) -> rusqlite::Result<()> {
    if anything_noted(conn)? {
        index_pending(conn)?;
    }
    Ok(())
}

/// Whether any row waits to be indexed (one read).
pub(crate) fn anything_noted(conn: &Connection) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM search_pending)")?.query_row([], |r| r.get(0))
}

/// From now until [`index_pending`], in this transaction, the search triggers note what to
/// index instead of indexing it (new rows are always noted: migration 23).
pub(crate) fn defer(conn: &Connection) -> rusqlite::Result<()> {
    debug_assert!(!conn.is_autocommit(), "deferring indexing outside a transaction would leave rows unindexed");
    cached_execute(conn, "INSERT OR IGNORE INTO search_deferred (flag) VALUES (1)", [])?;
    Ok(())
}

/// Indexes every row noted since [`defer`], in the order they were noted (the index numbers its
/// rows as they are written: newest-first search reads that order), and ends the deferral.
pub(crate) fn index_pending(conn: &Connection) -> rusqlite::Result<()> {
    for sql in [
        // Row numbers for the new rows, in the order they were written.
        "INSERT INTO search_map (kind, ref)
         SELECT kind, ref FROM search_pending WHERE fresh = 1 AND kind IN ('message', 'case') ORDER BY rowid",
        "INSERT INTO contacts_fts_map (contact_id)
         SELECT ref FROM search_pending WHERE fresh = 1 AND kind = 'contact' ORDER BY rowid",
        // What changed: out with what the index held. The word index keeps no text (migration
        // 18): it is told the words to take out, the text noted before the first change.
        "INSERT INTO search_fts (search_fts, rowid, kind, ref, text)
         SELECT 'delete', m.fts_rowid, p.kind, p.ref, p.old_text FROM search_pending p
         JOIN search_map m ON m.kind = p.kind AND m.ref = p.ref
         WHERE p.fresh = 0 AND p.kind IN ('message', 'case') ORDER BY m.fts_rowid",
        "DELETE FROM search_cjk WHERE rowid IN (SELECT m.fts_rowid FROM search_pending p
         JOIN search_map m ON m.kind = p.kind AND m.ref = p.ref WHERE p.fresh = 0)",
        "DELETE FROM contacts_fts WHERE rowid IN (SELECT m.fts_rowid FROM search_pending p
         JOIN contacts_fts_map m ON m.contact_id = p.ref WHERE p.kind = 'contact' AND p.fresh = 0)",
        // In with the text as it is now: the index's own view of it, messages and cases in one go.
        // CROSS JOIN keeps the noted rows outermost: without statistics the planner would read
        // the whole of search_map by kind and look each row up among the notes.
        "INSERT INTO search_fts (rowid, kind, ref, text)
         SELECT t.fts_rowid, t.kind, t.ref, t.text FROM search_pending p
         CROSS JOIN search_text t ON t.kind = p.kind AND t.ref = p.ref
         WHERE p.kind IN ('message', 'case') ORDER BY t.fts_rowid",
        // What the index holds of a message: the same expression as `search_text` (migration 21).
        "INSERT INTO search_cjk (rowid, kind, ref, text)
         SELECT m.fts_rowid, 'message', x.id, x.text FROM search_pending p
         JOIN search_map m ON m.kind = p.kind AND m.ref = p.ref
         JOIN (SELECT id, CASE WHEN indexed_chars IS NULL THEN body ELSE substr(body, 1, indexed_chars) END AS text
               FROM messages) x ON x.id = p.ref
         WHERE p.kind = 'message' AND shopdesk_has_cjk(x.text) ORDER BY m.fts_rowid",
        "INSERT INTO search_cjk (rowid, kind, ref, text)
         SELECT m.fts_rowid, 'case', x.id, x.subject FROM search_pending p
         JOIN search_map m ON m.kind = p.kind AND m.ref = p.ref JOIN cases x ON x.id = p.ref
         WHERE p.kind = 'case' AND shopdesk_has_cjk(x.subject) ORDER BY m.fts_rowid",
        "INSERT INTO contacts_fts (rowid, text)
         SELECT m.fts_rowid, t.text FROM search_pending p JOIN contacts_fts_map m ON m.contact_id = p.ref
         JOIN contact_search_text t ON t.contact_id = p.ref WHERE p.kind = 'contact' ORDER BY m.fts_rowid",
        "DELETE FROM search_pending",
        "DELETE FROM search_deferred",
    ] {
        cached_execute(conn, sql, [])?;
    }
    Ok(())
}

/// Chinese, Japanese or Korean characters, which the word index can't split into words: such
/// text is also kept in the trigram index. The same ranges as the triggers' `GLOB` (migration
/// 16), read in one pass instead of the pattern's ~750 instructions per character.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}')
}

/// `shopdesk_has_cjk(text)` for [`index_pending`]: only the code that defers indexing calls it,
/// so the schema itself (its triggers) never depends on it.
pub(crate) fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "shopdesk_has_cjk",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC | FunctionFlags::SQLITE_INNOCUOUS,
        |ctx| {
            Ok(match ctx.get_raw(0) {
                rusqlite::types::ValueRef::Text(bytes) => {
                    // Every character in those ranges is three bytes in UTF-8, led by 0xE3–0xED or 0xEF.
                    bytes.iter().any(|&b| (0xE3..=0xEF).contains(&b))
                        && String::from_utf8_lossy(bytes).chars().any(is_cjk)
                }
                _ => false,
            })
        },
    )
}
