//! How ranked search scores a hit: FTS5's own bm25, with one change. FTS5's `bm25()` counts, on
//! every search, the rows that hold each of the query's words (for their weight: a rare word
//! counts for more than a common one). That count reads each word's whole list of rows: ~45 %
//! of ranking "tracking has not moved" at 100,000 emails. [`FUNCTION`] is the same formula and
//! gives the same scores, but can take those counts as its arguments: the search passes the
//! counts it keeps for whole words while the index is unchanged ([`PhraseCounts`]); the word
//! being typed (a prefix) is counted each time.
//!
//! FTS5 offers custom ranking only through its C interface; this module is the one place the
//! shipped code uses `unsafe` (the workspace denies it; the other exception is core/crash-vfs,
//! the power-loss tests' simulated disk).
#![allow(unsafe_code)]

use std::collections::HashMap;
use std::ffi::{c_int, c_void};

use rusqlite::{ffi, Connection};

/// `shopdesk_rank(rows_with_phrase_0, rows_with_phrase_1, …)`, one count for each phrase of the
/// query in order, used as `rank MATCH 'shopdesk_rank(…)'`. Lower is better, like `rank`.
const FUNCTION: &std::ffi::CStr = c"shopdesk_rank";

/// Registers [`FUNCTION`] with the FTS5 of `conn`.
pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let failed = |rc: c_int, what: &str| rusqlite::Error::SqliteFailure(ffi::Error::new(rc), Some(format!("{what} ({})", FUNCTION.to_string_lossy())));
    // SAFETY: `conn.handle()` is this open connection's; the statement is prepared, stepped and
    // finalized on it here. `SELECT fts5(?1)` with a pointer bound as "fts5_api_ptr" is how
    // SQLite hands out the FTS5 API (sqlite.org/fts5.html, "Extending FTS5"): it writes the
    // pointer into `api`, which then lives as long as the connection. The name is a C string
    // literal, copied by xCreateFunction; the function takes no user data and needs no destructor.
    unsafe {
        let db = conn.handle();
        let mut stmt: *mut ffi::sqlite3_stmt = std::ptr::null_mut();
        let rc = ffi::sqlite3_prepare_v2(db, c"SELECT fts5(?1)".as_ptr(), -1, &mut stmt, std::ptr::null_mut());
        if rc != ffi::SQLITE_OK {
            return Err(failed(rc, "FTS5 is not available"));
        }
        let mut api: *mut ffi::fts5_api = std::ptr::null_mut();
        let rc = ffi::sqlite3_bind_pointer(stmt, 1, (&raw mut api).cast::<c_void>(), c"fts5_api_ptr".as_ptr(), None);
        if rc == ffi::SQLITE_OK {
            ffi::sqlite3_step(stmt);
        }
        ffi::sqlite3_finalize(stmt);
        if api.is_null() || (*api).iVersion < 2 {
            return Err(failed(ffi::SQLITE_ERROR, "FTS5's API is not available"));
        }
        let Some(create) = (*api).xCreateFunction else {
            return Err(failed(ffi::SQLITE_ERROR, "FTS5 takes no functions"));
        };
        let rc = create(api, FUNCTION.as_ptr(), std::ptr::null_mut(), Some(shopdesk_rank), None);
        if rc != ffi::SQLITE_OK {
            return Err(failed(rc, "FTS5 refused the ranking function"));
        }
    }
    Ok(())
}

/// The BM25 constants FTS5's bm25() uses.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// FTS5 calls this for each row it ranks.
unsafe extern "C" fn shopdesk_rank(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    ctx: *mut ffi::sqlite3_context,
    n_val: c_int,
    values: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: FTS5 passes a valid API table and context for the current row, and `n_val`
    // argument values. A Rust panic must not unwind into C: nothing below panics (no indexing
    // outside a checked range, no unwrap).
    unsafe {
        let counts = || (0..usize::try_from(n_val).unwrap_or(0)).map(|i| ffi::sqlite3_value_int64(*values.add(i))).collect::<Vec<i64>>();
        match score(&*api, fts, n_val, counts) {
            Ok(score) => ffi::sqlite3_result_double(ctx, -score),
            Err(Failure::Message(message)) => ffi::sqlite3_result_error(ctx, message.as_ptr(), -1),
            Err(Failure::Code(rc)) => ffi::sqlite3_result_error_code(ctx, rc),
        }
    }
}

/// What went wrong, for SQLite: an FTS5 call's error code, or a message.
enum Failure {
    Code(c_int),
    Message(&'static std::ffi::CStr),
}

/// What one search's rows are scored with, worked out at its first row (FTS5 keeps it for the
/// statement as auxiliary data).
struct Weights {
    /// Each phrase's IDF.
    idf: Vec<f64>,
    /// The average row's length in tokens.
    average: f64,
    /// Room for a row's count of each phrase.
    freq: Vec<f64>,
}

/// The row's BM25 score, as FTS5's fts5Bm25Function computes it (fts5_aux.c), with the `n`
/// `counts` (rows holding each phrase; negative: count it here, as bm25() does) in place of its
/// counts. They are read at the search's first row.
///
/// SAFETY (for the caller): `api` and `fts` are the ones FTS5 passed for the current row.
unsafe fn score(api: &ffi::Fts5ExtensionApi, fts: *mut ffi::Fts5Context, n: c_int, counts: impl FnOnce() -> Vec<i64>) -> Result<f64, Failure> {
    let ok = |rc: c_int| if rc == ffi::SQLITE_OK { Ok(()) } else { Err(Failure::Code(rc)) };
    let (Some(phrase_count), Some(inst_count), Some(inst), Some(column_size), Some(get_aux), Some(set_aux)) =
        (api.xPhraseCount, api.xInstCount, api.xInst, api.xColumnSize, api.xGetAuxdata, api.xSetAuxdata)
    else {
        return Err(Failure::Message(c"FTS5's API lacks a function shopdesk_rank needs"));
    };
    // SAFETY: the API's own functions, called with the context it passed, as fts5_aux.c does.
    // The auxiliary data is a `Weights` this function boxed, which FTS5 hands back until the
    // statement ends and then gives to `drop_weights`.
    unsafe {
        if phrase_count(fts) != n {
            return Err(Failure::Message(c"shopdesk_rank takes one count for each phrase of the query"));
        }
        let mut weights = get_aux(fts, 0).cast::<Weights>();
        if weights.is_null() {
            let boxed = Box::into_raw(Box::new(weigh(api, fts, &counts())?));
            ok(set_aux(fts, boxed.cast::<c_void>(), Some(drop_weights)))?;
            weights = boxed;
        }
        // FTS5 calls this for one row at a time: nothing else holds the weights meanwhile.
        let weights = &mut *weights;
        let freq = &mut weights.freq;
        freq.fill(0.0);
        let mut instances = 0;
        ok(inst_count(fts, &mut instances))?;
        for i in 0..instances {
            let (mut phrase, mut column, mut offset) = (0, 0, 0);
            ok(inst(fts, i, &mut phrase, &mut column, &mut offset))?;
            if let Some(f) = usize::try_from(phrase).ok().and_then(|p| freq.get_mut(p)) {
                *f += 1.0;
            }
        }
        let mut size = 0;
        ok(column_size(fts, -1, &mut size))?;
        let length = f64::from(size);
        Ok(weights
            .idf
            .iter()
            .zip(freq.iter())
            .map(|(&idf, &f)| idf * (f * (K1 + 1.0)) / (f + K1 * (1.0 - B + B * length / weights.average)))
            .sum())
    }
}

/// The search's [`Weights`]: each phrase's count as given, or counted through FTS5 (as bm25()
/// counts every phrase).
///
/// SAFETY (for the caller): as for [`score`].
unsafe fn weigh(api: &ffi::Fts5ExtensionApi, fts: *mut ffi::Fts5Context, counts: &[i64]) -> Result<Weights, Failure> {
    let ok = |rc: c_int| if rc == ffi::SQLITE_OK { Ok(()) } else { Err(Failure::Code(rc)) };
    let (Some(row_count), Some(total_size), Some(query_phrase)) = (api.xRowCount, api.xColumnTotalSize, api.xQueryPhrase) else {
        return Err(Failure::Message(c"FTS5's API lacks a function shopdesk_rank needs"));
    };
    // SAFETY: as in `score`; `count_row` adds to the i64 passed to xQueryPhrase, which outlives the call.
    unsafe {
        let (mut rows, mut tokens) = (0i64, 0i64);
        ok(row_count(fts, &mut rows))?;
        ok(total_size(fts, -1, &mut tokens))?;
        let mut idf = Vec::with_capacity(counts.len());
        let mut counted = Vec::with_capacity(counts.len());
        for (i, &given) in counts.iter().enumerate() {
            let mut hits = given;
            if given < 0 {
                hits = 0;
                let phrase = c_int::try_from(i).map_err(|_| Failure::Message(c"too many phrases"))?;
                ok(query_phrase(fts, phrase, (&raw mut hits).cast::<c_void>(), Some(count_row)))?;
            }
            idf.push(inverse_frequency(rows, hits));
            counted.push(hits);
        }
        COUNTED.with_borrow_mut(|c| *c = counted);
        Ok(Weights { idf, average: tokens as f64 / rows.max(1) as f64, freq: vec![0.0; counts.len()] })
    }
}

unsafe extern "C" fn count_row(_: *const ffi::Fts5ExtensionApi, _: *mut ffi::Fts5Context, hits: *mut c_void) -> c_int {
    // SAFETY: `hits` is the i64 `weigh` passed to xQueryPhrase.
    unsafe { *hits.cast::<i64>() += 1 };
    ffi::SQLITE_OK
}

unsafe extern "C" fn drop_weights(weights: *mut c_void) {
    // SAFETY: FTS5 passes back the pointer `score` got from Box::into_raw, once.
    drop(unsafe { Box::from_raw(weights.cast::<Weights>()) });
}

/// A phrase's weight, held by `hits` of the index's `rows`: FTS5's formula, never below 1e-6
/// (a phrase in more than half of the rows would weigh less than nothing).
fn inverse_frequency(rows: i64, hits: i64) -> f64 {
    let idf = ((rows - hits) as f64 + 0.5).ln() - (hits as f64 + 0.5).ln();
    if idf <= 0.0 {
        1e-6
    } else {
        idf
    }
}

thread_local! {
    /// The counts [`weigh`] made last on this thread, for [`PhraseCounts::learn`]: FTS5 runs the
    /// function on the thread that steps the search's statement.
    static COUNTED: std::cell::RefCell<Vec<i64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// How many index rows hold each whole word searched for, kept while the index is unchanged:
/// typing a phrase searches again at every letter, with the same whole words before the one
/// being typed. A word not known yet, and the word being typed (a prefix, different at every
/// letter), are counted by [`FUNCTION`] through FTS5 in the search's own statement, as bm25()
/// counts them (a query of its own would cost more); the whole words' counts are then kept.
#[derive(Debug, Default)]
pub(super) struct PhraseCounts {
    /// The database's state the counts are for: `PRAGMA data_version` (another connection's
    /// commits) and this connection's changes.
    state: Option<(i64, u64)>,
    counts: HashMap<String, i64>,
}

impl PhraseCounts {
    /// [`FUNCTION`]'s arguments for `phrases` (FTS5 query phrases, in the query's order): the
    /// number of rows holding each one, where known, else -1.
    pub(super) fn arguments(&mut self, conn: &Connection, phrases: &[String]) -> rusqlite::Result<String> {
        let state = (conn.prepare_cached("PRAGMA data_version")?.query_row([], |r| r.get(0))?, conn.total_changes());
        // Cleared when anything was written, and now and then as words pile up.
        if self.state != Some(state) || self.counts.len() > 1000 {
            self.counts.clear();
            self.state = Some(state);
        }
        COUNTED.with_borrow_mut(Vec::clear);
        let counts: Vec<String> = phrases.iter().map(|p| self.counts.get(p).copied().unwrap_or(-1).to_string()).collect();
        Ok(format!("{}({})", FUNCTION.to_string_lossy(), counts.join(", ")))
    }

    /// Keeps the counts of whole words that the search just run with [`Self::arguments`] made.
    pub(super) fn learn(&mut self, phrases: &[String]) {
        let counted = COUNTED.with_borrow_mut(std::mem::take);
        if counted.len() == phrases.len() {
            for (phrase, n) in phrases.iter().zip(counted) {
                if !phrase.ends_with('*') {
                    self.counts.insert(phrase.clone(), n);
                }
            }
        }
    }

    #[cfg(test)]
    pub(super) fn known(&self, phrase: &str) -> Option<i64> {
        self.counts.get(phrase).copied()
    }
}
