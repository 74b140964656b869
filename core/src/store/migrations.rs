//! The schema, as an append-only list of migrations (version = `PRAGMA user_version`).
//! Never edit a migration that has shipped: add a new one at the end of `STEPS`.

use std::sync::LazyLock;

use rusqlite_migration::{Migrations, M};

/// Each step's SQL, oldest first; the schema version is the number of steps applied.
const STEPS: &[&str] = &[
    r#"
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;
-- The last case number handed out; numbers are never reused, even after a merge.
INSERT INTO counters (name, value) VALUES ('case_number', 1000);

CREATE TABLE contacts (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    address     TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    merged_into TEXT REFERENCES contacts(id)
) STRICT;
CREATE INDEX contacts_name ON contacts(name COLLATE NOCASE);

-- An email or phone belongs to one contact at most: that is how a message finds its customer.
CREATE TABLE contact_emails (
    email      TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    position   INTEGER NOT NULL
) STRICT;
CREATE INDEX contact_emails_contact ON contact_emails(contact_id);

CREATE TABLE contact_phones (
    phone      TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    position   INTEGER NOT NULL
) STRICT;
CREATE INDEX contact_phones_contact ON contact_phones(contact_id);

CREATE TABLE contact_tags (
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    tag        TEXT NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (contact_id, tag)
) STRICT;

CREATE TABLE cases (
    id                 TEXT PRIMARY KEY,
    number             INTEGER NOT NULL UNIQUE,
    subject            TEXT NOT NULL,
    contact_id         TEXT NOT NULL REFERENCES contacts(id),
    status             TEXT NOT NULL,
    priority           TEXT NOT NULL,
    category           TEXT NOT NULL,
    fault              TEXT NOT NULL,
    channel            TEXT NOT NULL,
    order_ref          TEXT NOT NULL DEFAULT '',
    tracking_ref       TEXT NOT NULL DEFAULT '',
    third_party        TEXT NOT NULL DEFAULT '',
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    merged_into        TEXT REFERENCES cases(id),
    -- The waiting clock, derived from the messages and kept in step in the same transaction.
    waiting_since      INTEGER,
    first_response_at  INTEGER,
    last_shop_reply_at INTEGER,
    last_activity_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX cases_contact ON cases(contact_id);
-- The queue: open cases, longest waiting first, without a scan of closed history.
CREATE INDEX cases_queue ON cases(waiting_since, last_activity_at)
    WHERE status NOT IN ('solved', 'closed') AND merged_into IS NULL;

CREATE TABLE case_tags (
    case_id  TEXT NOT NULL REFERENCES cases(id),
    tag      TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (case_id, tag)
) STRICT;

CREATE TABLE messages (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    direction   TEXT NOT NULL,
    channel     TEXT NOT NULL,
    author      TEXT NOT NULL,
    body        TEXT NOT NULL,
    happened_at INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    automatic   INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX messages_case ON messages(case_id, happened_at);

CREATE TABLE case_events (
    id        TEXT PRIMARY KEY,
    case_id   TEXT NOT NULL REFERENCES cases(id),
    at        INTEGER NOT NULL,
    author    TEXT NOT NULL,
    kind      TEXT NOT NULL,
    field     TEXT,
    old_value TEXT,
    new_value TEXT
) STRICT;
CREATE INDEX case_events_case ON case_events(case_id, at);
"#,
    r#"
-- Shop-wide settings as JSON documents by key ('sla': reply targets and business hours).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
-- The channel of the message that started the current wait: its reply target applies.
ALTER TABLE cases ADD COLUMN waiting_channel TEXT;
UPDATE cases SET waiting_channel = channel WHERE waiting_since IS NOT NULL;
-- A per-case reply target in minutes (a VIP, an urgent case); NULL: the channel's.
ALTER TABLE cases ADD COLUMN reply_target_mins INTEGER;
"#,
    r#"
-- Thresholds already announced, per wait (a new wait may alert again), so a restart never
-- repeats a notification.
CREATE TABLE clock_alerts (
    case_id       TEXT NOT NULL REFERENCES cases(id),
    waiting_since INTEGER NOT NULL,
    threshold     TEXT NOT NULL,
    fired_at      INTEGER NOT NULL,
    PRIMARY KEY (case_id, waiting_since, threshold)
) STRICT;
"#,
    r#"
-- "Remind me": when the case should come back to the top of the queue with a notification.
ALTER TABLE cases ADD COLUMN remind_at INTEGER;
"#,
    r#"
-- An email's Message-ID (or sha256:<hex> of its bytes when it has none): threads replies to
-- their case and makes importing the same mail twice a no-op.
ALTER TABLE messages ADD COLUMN message_id TEXT;
CREATE UNIQUE INDEX messages_message_id ON messages(message_id) WHERE message_id IS NOT NULL;
"#,
    r#"
-- The outbox: an email the shop wrote is committed here (and on the timeline) before it is
-- sent; a worker sends what is due, retrying with backoff. `lease_until` marks an attempt under
-- way, so a crashed attempt is taken up again (with the same Message-ID) once it lapses.
CREATE TABLE outbox (
    message_id   TEXT PRIMARY KEY REFERENCES messages(id),
    kind         TEXT NOT NULL,
    to_addr      TEXT NOT NULL,
    subject      TEXT NOT NULL,
    in_reply_to  TEXT,
    refs         TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL,
    send_after   INTEGER NOT NULL,
    scheduled    INTEGER NOT NULL DEFAULT 0,
    lease_until  INTEGER,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    sent_at      INTEGER
) STRICT;
CREATE INDEX outbox_due ON outbox(state, send_after);
CREATE INDEX outbox_to ON outbox(to_addr, kind);
-- A received email's HTML version (sanitised when shown) and its files (stored by content hash
-- in the attachments folder beside the database).
ALTER TABLE messages ADD COLUMN html TEXT;
CREATE TABLE attachments (
    message_id   TEXT NOT NULL REFERENCES messages(id),
    position     INTEGER NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    hash         TEXT NOT NULL,
    PRIMARY KEY (message_id, position)
) STRICT;
-- Where IMAP intake stands per mailbox: UIDs up to last_uid of this UIDVALIDITY are filed.
CREATE TABLE imap_state (
    mailbox     TEXT PRIMARY KEY,
    uidvalidity INTEGER NOT NULL,
    last_uid    INTEGER NOT NULL
) STRICT;
"#,
    r#"
-- Full-text search over what was said (every message: from customers, from the shop, notes) and
-- over cases' subjects and references. The index keeps its own copy of the text (keyed by id,
-- not rowid, which VACUUM may renumber) and triggers keep it in step with every change.
CREATE VIRTUAL TABLE search_fts USING fts5(
    kind UNINDEXED, ref UNINDEXED, text,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
    INSERT INTO search_fts (kind, ref, text) VALUES ('message', new.id, new.body);
END;
CREATE TRIGGER messages_search_update AFTER UPDATE OF body ON messages BEGIN
    DELETE FROM search_fts WHERE kind = 'message' AND ref = old.id;
    INSERT INTO search_fts (kind, ref, text) VALUES ('message', new.id, new.body);
END;
CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
    DELETE FROM search_fts WHERE kind = 'message' AND ref = old.id;
END;
CREATE TRIGGER cases_search_insert AFTER INSERT ON cases BEGIN
    INSERT INTO search_fts (kind, ref, text)
    VALUES ('case', new.id, concat_ws(' ', new.subject, new.order_ref, new.tracking_ref, new.third_party));
END;
CREATE TRIGGER cases_search_update AFTER UPDATE OF subject, order_ref, tracking_ref, third_party ON cases BEGIN
    DELETE FROM search_fts WHERE kind = 'case' AND ref = old.id;
    INSERT INTO search_fts (kind, ref, text)
    VALUES ('case', new.id, concat_ws(' ', new.subject, new.order_ref, new.tracking_ref, new.third_party));
END;
CREATE TRIGGER cases_search_delete AFTER DELETE ON cases BEGIN
    DELETE FROM search_fts WHERE kind = 'case' AND ref = old.id;
END;
INSERT INTO search_fts (kind, ref, text) SELECT 'message', id, body FROM messages;
INSERT INTO search_fts (kind, ref, text)
    SELECT 'case', id, concat_ws(' ', subject, order_ref, tracking_ref, third_party) FROM cases;
"#,
    r#"
-- Saved replies: the shop's answers to what it is asked every week ({placeholders} are filled
-- from the case in the composer). The starter set is written by the migration's hook.
CREATE TABLE saved_replies (
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    position   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
-- Orders from the shop's export (Shopify, WooCommerce, Etsy, or mapped columns). They meet
-- contacts by email (or, when the export has none, by name) when read, so merges and new
-- addresses need no bookkeeping here.
CREATE TABLE orders (
    order_key     TEXT PRIMARY KEY,          -- lower-cased order_ref
    order_ref     TEXT NOT NULL,
    source        TEXT NOT NULL,
    email         TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    placed_at     INTEGER,
    total_cents   INTEGER,
    currency      TEXT NOT NULL,
    status        TEXT NOT NULL,
    items         TEXT NOT NULL,
    tracking_ref  TEXT NOT NULL,
    imported_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX orders_email ON orders(email, placed_at);
CREATE INDEX orders_name ON orders(customer_name COLLATE NOCASE) WHERE email = '';
-- Satisfaction checks: one per case at most; the customer's rating is read from their answer.
CREATE TABLE surveys (
    case_id     TEXT PRIMARY KEY REFERENCES cases(id),
    contact_id  TEXT NOT NULL REFERENCES contacts(id),
    message_id  TEXT NOT NULL REFERENCES messages(id),
    asked_at    INTEGER NOT NULL,
    rating      INTEGER,
    comment     TEXT NOT NULL DEFAULT '',
    answer_id   TEXT REFERENCES messages(id),
    answered_at INTEGER,
    quotable    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX surveys_contact ON surveys(contact_id, asked_at);
-- When a case was last solved: surveys and reports need it without reading every event.
CREATE INDEX case_events_status ON case_events(case_id, kind, at);
"#,
    r#"
-- The search index's rows by what they index, so a trigger finds the row to replace by key
-- instead of scanning the index (FTS5 rowids are kept by VACUUM; this table's too).
CREATE TABLE search_map (
    fts_rowid INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL,
    ref       TEXT NOT NULL,
    UNIQUE (kind, ref)
) STRICT;
INSERT INTO search_map (fts_rowid, kind, ref) SELECT rowid, kind, ref FROM search_fts;
DROP TRIGGER messages_search_insert;
DROP TRIGGER messages_search_update;
DROP TRIGGER messages_search_delete;
DROP TRIGGER cases_search_insert;
DROP TRIGGER cases_search_update;
DROP TRIGGER cases_search_delete;
CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
    INSERT INTO search_map (kind, ref) VALUES ('message', new.id);
    INSERT INTO search_fts (rowid, kind, ref, text)
    VALUES ((SELECT fts_rowid FROM search_map WHERE kind = 'message' AND ref = new.id), 'message', new.id, new.body);
END;
CREATE TRIGGER messages_search_update AFTER UPDATE OF body ON messages BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT fts_rowid FROM search_map WHERE kind = 'message' AND ref = old.id);
    INSERT INTO search_fts (rowid, kind, ref, text)
    VALUES ((SELECT fts_rowid FROM search_map WHERE kind = 'message' AND ref = old.id), 'message', new.id, new.body);
END;
CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT fts_rowid FROM search_map WHERE kind = 'message' AND ref = old.id);
    DELETE FROM search_map WHERE kind = 'message' AND ref = old.id;
END;
CREATE TRIGGER cases_search_insert AFTER INSERT ON cases BEGIN
    INSERT INTO search_map (kind, ref) VALUES ('case', new.id);
    INSERT INTO search_fts (rowid, kind, ref, text)
    VALUES ((SELECT fts_rowid FROM search_map WHERE kind = 'case' AND ref = new.id), 'case', new.id,
            concat_ws(' ', new.subject, new.order_ref, new.tracking_ref, new.third_party));
END;
CREATE TRIGGER cases_search_update AFTER UPDATE OF subject, order_ref, tracking_ref, third_party ON cases BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT fts_rowid FROM search_map WHERE kind = 'case' AND ref = old.id);
    INSERT INTO search_fts (rowid, kind, ref, text)
    VALUES ((SELECT fts_rowid FROM search_map WHERE kind = 'case' AND ref = old.id), 'case', new.id,
            concat_ws(' ', new.subject, new.order_ref, new.tracking_ref, new.third_party));
END;
CREATE TRIGGER cases_search_delete AFTER DELETE ON cases BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT fts_rowid FROM search_map WHERE kind = 'case' AND ref = old.id);
    DELETE FROM search_map WHERE kind = 'case' AND ref = old.id;
END;
-- Emails put back by a restore that may already have gone out: held for the owner to decide,
-- and not sent again by saving the mail account.
ALTER TABLE outbox ADD COLUMN restored INTEGER NOT NULL DEFAULT 0;
"#,
    r#"
-- Search jumps by an order or tracking number without reading every case.
CREATE INDEX cases_order_ref ON cases(order_ref) WHERE order_ref <> '';
CREATE INDEX cases_tracking_ref ON cases(tracking_ref) WHERE tracking_ref <> '';
"#,
    r#"
-- Chinese, Japanese and Korean are written without spaces, so the word index (unicode61) sees a
-- whole sentence as one word. Text holding such characters is also kept in a trigram index,
-- searched by substring. Only those rows: for most shops this table stays small.
CREATE VIRTUAL TABLE search_cjk USING fts5(kind UNINDEXED, ref UNINDEXED, text, tokenize = 'trigram');
CREATE TRIGGER messages_cjk_insert AFTER INSERT ON messages WHEN new.body GLOB '*[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]*' BEGIN
    INSERT INTO search_cjk (kind, ref, text) VALUES ('message', new.id, new.body);
END;
CREATE TRIGGER messages_cjk_update AFTER UPDATE OF body ON messages BEGIN
    DELETE FROM search_cjk WHERE kind = 'message' AND ref = old.id;
    INSERT INTO search_cjk (kind, ref, text) SELECT 'message', new.id, new.body WHERE new.body GLOB '*[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]*';
END;
CREATE TRIGGER messages_cjk_delete AFTER DELETE ON messages WHEN old.body GLOB '*[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]*' BEGIN
    DELETE FROM search_cjk WHERE kind = 'message' AND ref = old.id;
END;
CREATE TRIGGER cases_cjk_insert AFTER INSERT ON cases WHEN new.subject GLOB '*[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]*' BEGIN
    INSERT INTO search_cjk (kind, ref, text) VALUES ('case', new.id, new.subject);
END;
CREATE TRIGGER cases_cjk_update AFTER UPDATE OF subject ON cases BEGIN
    DELETE FROM search_cjk WHERE kind = 'case' AND ref = old.id;
    INSERT INTO search_cjk (kind, ref, text) SELECT 'case', new.id, new.subject WHERE new.subject GLOB '*[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]*';
END;
CREATE TRIGGER cases_cjk_delete AFTER DELETE ON cases WHEN old.subject GLOB '*[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]*' BEGIN
    DELETE FROM search_cjk WHERE kind = 'case' AND ref = old.id;
END;
INSERT INTO search_cjk (kind, ref, text) SELECT 'message', id, body FROM messages WHERE body GLOB '*[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]*';
INSERT INTO search_cjk (kind, ref, text) SELECT 'case', id, subject FROM cases WHERE subject GLOB '*[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]*';
"#,
    r#"
-- A satisfaction check after an order (its own case) remembers the order it asked about.
ALTER TABLE surveys ADD COLUMN order_key TEXT;
CREATE UNIQUE INDEX surveys_order ON surveys(order_key) WHERE order_key IS NOT NULL;
"#,
    r#"
-- Contacts found by any part of a name, email or phone (typed "ost" finds Ana Costa) through a
-- trigram index instead of reading every contact (issue 7: search at 100,000 messages). Each
-- contact is one row, rebuilt by the triggers below whenever its name, emails or phones change;
-- the map keeps each contact's index row under a key VACUUM does not renumber.
CREATE VIRTUAL TABLE contacts_fts USING fts5(text, tokenize = 'trigram remove_diacritics 1');
CREATE TABLE contacts_fts_map (
    fts_rowid  INTEGER PRIMARY KEY,
    contact_id TEXT NOT NULL UNIQUE
) STRICT;
CREATE VIEW contact_search_text (contact_id, text) AS
SELECT c.id, concat_ws(' ', c.name,
    (SELECT group_concat(e.email, ' ') FROM contact_emails e WHERE e.contact_id = c.id),
    (SELECT group_concat(p.phone || ' ' || replace(replace(replace(replace(replace(replace(replace(
        p.phone, ' ', ''), '-', ''), '(', ''), ')', ''), '+', ''), '.', ''), '/', ''), ' ')
     FROM contact_phones p WHERE p.contact_id = c.id))
FROM contacts c;
CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_fts_map (contact_id) VALUES (new.id);
    INSERT INTO contacts_fts (rowid, text) SELECT m.fts_rowid, t.text FROM contacts_fts_map m
    JOIN contact_search_text t ON t.contact_id = m.contact_id WHERE m.contact_id = new.id;
END;
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF name ON contacts BEGIN
    DELETE FROM contacts_fts WHERE rowid = (SELECT fts_rowid FROM contacts_fts_map WHERE contact_id = new.id);
    INSERT INTO contacts_fts (rowid, text) SELECT m.fts_rowid, t.text FROM contacts_fts_map m
    JOIN contact_search_text t ON t.contact_id = m.contact_id WHERE m.contact_id = new.id;
END;
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    DELETE FROM contacts_fts WHERE rowid = (SELECT fts_rowid FROM contacts_fts_map WHERE contact_id = old.id);
    DELETE FROM contacts_fts_map WHERE contact_id = old.id;
END;
-- An email or phone added, moved (a merge) or removed: the contacts it left and joined.
CREATE TRIGGER contact_emails_fts_insert AFTER INSERT ON contact_emails BEGIN
    UPDATE contacts SET name = name WHERE id = new.contact_id;
END;
CREATE TRIGGER contact_emails_fts_update AFTER UPDATE ON contact_emails BEGIN
    UPDATE contacts SET name = name WHERE id IN (old.contact_id, new.contact_id);
END;
CREATE TRIGGER contact_emails_fts_delete AFTER DELETE ON contact_emails BEGIN
    UPDATE contacts SET name = name WHERE id = old.contact_id;
END;
CREATE TRIGGER contact_phones_fts_insert AFTER INSERT ON contact_phones BEGIN
    UPDATE contacts SET name = name WHERE id = new.contact_id;
END;
CREATE TRIGGER contact_phones_fts_update AFTER UPDATE ON contact_phones BEGIN
    UPDATE contacts SET name = name WHERE id IN (old.contact_id, new.contact_id);
END;
CREATE TRIGGER contact_phones_fts_delete AFTER DELETE ON contact_phones BEGIN
    UPDATE contacts SET name = name WHERE id = old.contact_id;
END;
INSERT INTO contacts_fts_map (contact_id) SELECT id FROM contacts ORDER BY rowid;
INSERT INTO contacts_fts (rowid, text) SELECT m.fts_rowid, t.text FROM contacts_fts_map m
JOIN contact_search_text t ON t.contact_id = m.contact_id;
"#,
    r#"
-- When each open case's alerts change, kept by store/sla.rs::refresh_alert_times in the same
-- transaction as every write that can move them, so the scheduler's sweep reads a few index
-- ranges instead of evaluating every open clock. UTC ms; NULL on every case that is not open,
-- so the indexes hold open cases only and the counts read them alone (covering).
-- The earliest threshold or reminder not yet announced (it may already have passed).
ALTER TABLE cases ADD COLUMN alert_next_at INTEGER;
-- The clock of the current wait (NULL while paused): due soon, overdue, past the hard limit.
ALTER TABLE cases ADD COLUMN clock_warn_at INTEGER;
ALTER TABLE cases ADD COLUMN clock_due_at INTEGER;
ALTER TABLE cases ADD COLUMN clock_hard_at INTEGER;
-- From when the clock reads "due soon or overdue", and "overdue".
ALTER TABLE cases ADD COLUMN clock_soon_at INTEGER;
ALTER TABLE cases ADD COLUMN clock_overdue_at INTEGER;
-- When the automatic keep-posted or follow-up reminder comes due.
ALTER TABLE cases ADD COLUMN reminder_due_at INTEGER;
CREATE INDEX cases_alert_next ON cases(alert_next_at) WHERE alert_next_at IS NOT NULL;
CREATE INDEX cases_clock_warn ON cases(clock_warn_at) WHERE clock_warn_at IS NOT NULL;
CREATE INDEX cases_clock_due ON cases(clock_due_at) WHERE clock_due_at IS NOT NULL;
CREATE INDEX cases_clock_hard ON cases(clock_hard_at) WHERE clock_hard_at IS NOT NULL;
CREATE INDEX cases_clock_soon ON cases(clock_soon_at) WHERE clock_soon_at IS NOT NULL;
CREATE INDEX cases_clock_overdue ON cases(clock_overdue_at) WHERE clock_overdue_at IS NOT NULL;
CREATE INDEX cases_reminder_due ON cases(reminder_due_at) WHERE reminder_due_at IS NOT NULL;
CREATE INDEX cases_remind ON cases(remind_at) WHERE status NOT IN ('solved', 'closed') AND merged_into IS NULL;
-- How many cases have a running clock: the overdue count is this minus the few not overdue yet.
INSERT INTO counters (name, value) VALUES ('running_clocks', 0);
CREATE TRIGGER cases_running_clocks_update AFTER UPDATE OF clock_overdue_at ON cases
WHEN (old.clock_overdue_at IS NULL) <> (new.clock_overdue_at IS NULL) BEGIN
    UPDATE counters SET value = value + iif(new.clock_overdue_at IS NULL, -1, 1) WHERE name = 'running_clocks';
END;
CREATE TRIGGER cases_running_clocks_delete AFTER DELETE ON cases WHEN old.clock_overdue_at IS NOT NULL BEGIN
    UPDATE counters SET value = value - 1 WHERE name = 'running_clocks';
END;
-- Auto-solve: cases waiting on a quiet customer, by the shop's last message.
CREATE INDEX cases_quiet ON cases(last_shop_reply_at) WHERE status = 'waiting_on_customer' AND merged_into IS NULL;
"#,
    // Migration 15: the paged queue (issue 7).
    r#"
-- The queue at 100,000 open cases: a page is read in the queue's order straight off an index
-- (no sort, no case rows read for the rows skipped), and its counts from a table kept by triggers.
-- The order after due reminders (which come from cases_remind, migration 14: a handful): waiting customers
-- first, longest first, then most recently active. The trailing columns let filters and the
-- reminder test be answered from the index alone.
CREATE INDEX cases_queue_order ON cases(
    (waiting_since IS NULL), waiting_since, last_activity_at DESC, number DESC,
    remind_at, status, channel, category, merged_into
) WHERE status NOT IN ('solved', 'closed') AND merged_into IS NULL;
-- It replaces the first queue index (waiting_since, last_activity_at): one index fewer to keep
-- up to date on every message.
DROP INDEX IF EXISTS cases_queue;
-- How many open cases a filter matches: counted by status and channel without reading cases.
-- (No activity time in it: that changes with every message, and each index here costs the import.)
CREATE INDEX cases_queue_filter ON cases(status, channel, category, merged_into)
    WHERE status NOT IN ('solved', 'closed') AND merged_into IS NULL;
-- Open cases and waiting customers per status: what the queue's header and the rail show.
CREATE TABLE queue_counts (
    status  TEXT PRIMARY KEY,
    open    INTEGER NOT NULL,
    waiting INTEGER NOT NULL
) STRICT;
INSERT INTO queue_counts (status, open, waiting)
    SELECT status, count(*), count(waiting_since) FROM cases
    WHERE status NOT IN ('solved', 'closed') AND merged_into IS NULL GROUP BY status;
CREATE TRIGGER cases_counts_insert AFTER INSERT ON cases
WHEN new.status NOT IN ('solved', 'closed') AND new.merged_into IS NULL BEGIN
    INSERT INTO queue_counts (status, open, waiting) VALUES (new.status, 1, new.waiting_since IS NOT NULL)
    ON CONFLICT (status) DO UPDATE SET open = open + 1, waiting = waiting + excluded.waiting;
END;
CREATE TRIGGER cases_counts_delete AFTER DELETE ON cases
WHEN old.status NOT IN ('solved', 'closed') AND old.merged_into IS NULL BEGIN
    UPDATE queue_counts SET open = open - 1, waiting = waiting - (old.waiting_since IS NOT NULL)
    WHERE status = old.status;
END;
CREATE TRIGGER cases_counts_update AFTER UPDATE OF status, merged_into, waiting_since ON cases
WHEN old.status IS NOT new.status OR (old.merged_into IS NULL) <> (new.merged_into IS NULL)
    OR (old.waiting_since IS NULL) <> (new.waiting_since IS NULL) BEGIN
    UPDATE queue_counts SET open = open - 1, waiting = waiting - (old.waiting_since IS NOT NULL)
    WHERE status = old.status AND old.status NOT IN ('solved', 'closed') AND old.merged_into IS NULL;
    INSERT INTO queue_counts (status, open, waiting)
    SELECT new.status, 1, new.waiting_since IS NOT NULL
    WHERE new.status NOT IN ('solved', 'closed') AND new.merged_into IS NULL
    ON CONFLICT (status) DO UPDATE SET open = open + 1, waiting = waiting + excluded.waiting;
END;
"#,
    // Migration 16: an import indexes its batch at the end of its transaction (issue 7).
    r#"
-- An import's search indexing, done once per batch instead of once per row. FTS5 writes its
-- pending terms out as a new segment whenever a statement that changes it opens a savepoint,
-- which every trigger's statement inside a transaction does: row-by-row triggers made each
-- imported email its own segment, merged again and again (36 % of an import's instructions).
-- While `search_deferred` holds its row (only ever inside a writer's transaction, which empties
-- it before committing, so no other connection sees it set), the triggers below note what to
-- index in `search_pending`, and store/search_index.rs indexes those rows in a few statements
-- at the end. Any other write indexes at once, as before.
CREATE TABLE search_deferred (flag INTEGER PRIMARY KEY CHECK (flag = 1)) STRICT;
CREATE TABLE search_pending (
    kind  TEXT NOT NULL,     -- 'message', 'case' or 'contact'
    ref   TEXT NOT NULL,     -- its id
    fresh INTEGER NOT NULL,  -- 1: new in this transaction, nothing indexed yet
    PRIMARY KEY (kind, ref)
) STRICT;
DROP TRIGGER messages_search_insert;
DROP TRIGGER messages_search_update;
DROP TRIGGER messages_search_delete;
DROP TRIGGER cases_search_insert;
DROP TRIGGER cases_search_update;
DROP TRIGGER cases_search_delete;
DROP TRIGGER messages_cjk_insert;
DROP TRIGGER messages_cjk_update;
DROP TRIGGER messages_cjk_delete;
DROP TRIGGER cases_cjk_insert;
DROP TRIGGER cases_cjk_update;
DROP TRIGGER cases_cjk_delete;
DROP TRIGGER contacts_fts_insert;
DROP TRIGGER contacts_fts_update;
DROP TRIGGER contacts_fts_delete;
-- The CJK index's rows now share the word index's row numbers (search_map), so a row is
-- replaced or removed by its number instead of a scan by kind and id; and one trigger per
-- change keeps both indexes (the order two triggers fire in is not defined).
-- Built under a new name, then put in place of the old one: filled after dropping and creating
-- it again under the same name in one transaction, FTS5 (SQLite 3.53) wrote a segment every few
-- rows and failed as "database or disk is full" on a database of 46,000 emails.
CREATE VIRTUAL TABLE search_cjk_new USING fts5(kind UNINDEXED, ref UNINDEXED, text, tokenize = 'trigram');
INSERT INTO search_cjk_new (rowid, kind, ref, text)
    SELECT m.fts_rowid, 'message', m.ref, x.body FROM search_map m JOIN messages x ON x.id = m.ref
    WHERE m.kind = 'message' AND x.body GLOB '*[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]*' ORDER BY m.fts_rowid;
INSERT INTO search_cjk_new (rowid, kind, ref, text)
    SELECT m.fts_rowid, 'case', m.ref, x.subject FROM search_map m JOIN cases x ON x.id = m.ref
    WHERE m.kind = 'case' AND x.subject GLOB '*[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]*' ORDER BY m.fts_rowid;
DROP TABLE search_cjk;
ALTER TABLE search_cjk_new RENAME TO search_cjk;

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
WHEN NOT EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT INTO search_map (kind, ref) VALUES ('message', new.id);
    INSERT INTO search_fts (rowid, kind, ref, text)
    SELECT fts_rowid, 'message', new.id, new.body FROM search_map WHERE kind = 'message' AND ref = new.id;
    INSERT INTO search_cjk (rowid, kind, ref, text)
    SELECT fts_rowid, 'message', new.id, new.body FROM search_map WHERE kind = 'message' AND ref = new.id
    AND new.body GLOB '*[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]*';
END;
CREATE TRIGGER messages_search_update AFTER UPDATE OF body ON messages
WHEN NOT EXISTS (SELECT 1 FROM search_deferred) BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT fts_rowid FROM search_map WHERE kind = 'message' AND ref = old.id);
    DELETE FROM search_cjk WHERE rowid = (SELECT fts_rowid FROM search_map WHERE kind = 'message' AND ref = old.id);
    INSERT INTO search_fts (rowid, kind, ref, text)
    SELECT fts_rowid, 'message', new.id, new.body FROM search_map WHERE kind = 'message' AND ref = old.id;
    INSERT INTO search_cjk (rowid, kind, ref, text)
    SELECT fts_rowid, 'message', new.id, new.body FROM search_map WHERE kind = 'message' AND ref = old.id
    AND new.body GLOB '*[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]*';
END;
CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT fts_rowid FROM search_map WHERE kind = 'message' AND ref = old.id);
    DELETE FROM search_cjk WHERE rowid = (SELECT fts_rowid FROM search_map WHERE kind = 'message' AND ref = old.id);
    DELETE FROM search_map WHERE kind = 'message' AND ref = old.id;
    DELETE FROM search_pending WHERE kind = 'message' AND ref = old.id;
END;
CREATE TRIGGER messages_search_insert_later AFTER INSERT ON messages
WHEN EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT OR IGNORE INTO search_pending (kind, ref, fresh) VALUES ('message', new.id, 1);
END;
CREATE TRIGGER messages_search_update_later AFTER UPDATE OF body ON messages
WHEN EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT OR IGNORE INTO search_pending (kind, ref, fresh) VALUES ('message', new.id, 0);
END;

CREATE TRIGGER cases_search_insert AFTER INSERT ON cases
WHEN NOT EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT INTO search_map (kind, ref) VALUES ('case', new.id);
    INSERT INTO search_fts (rowid, kind, ref, text)
    SELECT fts_rowid, 'case', new.id, concat_ws(' ', new.subject, new.order_ref, new.tracking_ref, new.third_party)
    FROM search_map WHERE kind = 'case' AND ref = new.id;
    INSERT INTO search_cjk (rowid, kind, ref, text)
    SELECT fts_rowid, 'case', new.id, new.subject FROM search_map WHERE kind = 'case' AND ref = new.id
    AND new.subject GLOB '*[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]*';
END;
CREATE TRIGGER cases_search_update AFTER UPDATE OF subject, order_ref, tracking_ref, third_party ON cases
WHEN NOT EXISTS (SELECT 1 FROM search_deferred) BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT fts_rowid FROM search_map WHERE kind = 'case' AND ref = old.id);
    DELETE FROM search_cjk WHERE rowid = (SELECT fts_rowid FROM search_map WHERE kind = 'case' AND ref = old.id);
    INSERT INTO search_fts (rowid, kind, ref, text)
    SELECT fts_rowid, 'case', new.id, concat_ws(' ', new.subject, new.order_ref, new.tracking_ref, new.third_party)
    FROM search_map WHERE kind = 'case' AND ref = old.id;
    INSERT INTO search_cjk (rowid, kind, ref, text)
    SELECT fts_rowid, 'case', new.id, new.subject FROM search_map WHERE kind = 'case' AND ref = old.id
    AND new.subject GLOB '*[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]*';
END;
CREATE TRIGGER cases_search_delete AFTER DELETE ON cases BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT fts_rowid FROM search_map WHERE kind = 'case' AND ref = old.id);
    DELETE FROM search_cjk WHERE rowid = (SELECT fts_rowid FROM search_map WHERE kind = 'case' AND ref = old.id);
    DELETE FROM search_map WHERE kind = 'case' AND ref = old.id;
    DELETE FROM search_pending WHERE kind = 'case' AND ref = old.id;
END;
CREATE TRIGGER cases_search_insert_later AFTER INSERT ON cases
WHEN EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT OR IGNORE INTO search_pending (kind, ref, fresh) VALUES ('case', new.id, 1);
END;
CREATE TRIGGER cases_search_update_later AFTER UPDATE OF subject, order_ref, tracking_ref, third_party ON cases
WHEN EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT OR IGNORE INTO search_pending (kind, ref, fresh) VALUES ('case', new.id, 0);
END;

CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts
WHEN NOT EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT INTO contacts_fts_map (contact_id) VALUES (new.id);
    INSERT INTO contacts_fts (rowid, text) SELECT m.fts_rowid, t.text FROM contacts_fts_map m
    JOIN contact_search_text t ON t.contact_id = m.contact_id WHERE m.contact_id = new.id;
END;
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF name ON contacts
WHEN NOT EXISTS (SELECT 1 FROM search_deferred) BEGIN
    DELETE FROM contacts_fts WHERE rowid = (SELECT fts_rowid FROM contacts_fts_map WHERE contact_id = new.id);
    INSERT INTO contacts_fts (rowid, text) SELECT m.fts_rowid, t.text FROM contacts_fts_map m
    JOIN contact_search_text t ON t.contact_id = m.contact_id WHERE m.contact_id = new.id;
END;
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    DELETE FROM contacts_fts WHERE rowid = (SELECT fts_rowid FROM contacts_fts_map WHERE contact_id = old.id);
    DELETE FROM contacts_fts_map WHERE contact_id = old.id;
    DELETE FROM search_pending WHERE kind = 'contact' AND ref = old.id;
END;
CREATE TRIGGER contacts_fts_insert_later AFTER INSERT ON contacts
WHEN EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT OR IGNORE INTO search_pending (kind, ref, fresh) VALUES ('contact', new.id, 1);
END;
CREATE TRIGGER contacts_fts_update_later AFTER UPDATE OF name ON contacts
WHEN EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT OR IGNORE INTO search_pending (kind, ref, fresh) VALUES ('contact', new.id, 0);
END;
"#,
    // Migration 17: one-letter prefixes from an index of their own (issue 7): now done by 18.
    r#"
-- A one-letter prefix ("t", the first letter typed) matched every word starting with it, and
-- FTS5 merged all their lists of rows: ~24 ms newest-first at 100,000 emails, ~90 ms ranked.
-- FTS5 also indexes each word under its first letter with prefix = '1'. This step built the
-- word index again with that option by copying its rows into a new table with INSERT … SELECT,
-- which fails on a big database ("database or disk is full": FTS5 made a segment every few rows
-- and reached its limit of 2,000 at 100,000 emails). Migration 18 builds the index again anyway,
-- with the prefix index, from the mail itself: a database still here goes straight on to it.
SELECT 1;
"#,
    // Migration 18: the word index reads its text from the mail instead of keeping a copy (issue 7).
    r#"
-- FTS5 kept its own copy of every text it indexed (26.5 MB at 100,000 emails, a third of the
-- search index), which put the index over the size of the mail it indexes. It is now an
-- external-content table: the text is read, when a snippet or a check needs it, from the
-- messages and cases themselves through `search_text`, a view keyed by the same row numbers
-- (search_map; the CJK index shares them). Same columns, tokenizer and prefix index.
-- A case's searchable text, written once here: the index's content, and what the triggers index.
-- (|| rather than concat_ws, the same text as the columns are NOT NULL: FTS5 reads this view
-- whenever the index is read for text, and concat_ws needs SQLite 3.44, newer than the sqlite3
-- that Debian 12's tools and Python have, which could then not read a Shopdesk database.)
CREATE VIEW case_search_text (case_id, text) AS
SELECT id, subject || ' ' || order_ref || ' ' || tracking_ref || ' ' || third_party FROM cases;
CREATE VIEW search_text (fts_rowid, kind, ref, text) AS
SELECT m.fts_rowid, m.kind, m.ref, CASE m.kind
    WHEN 'message' THEN (SELECT x.body FROM messages x WHERE x.id = m.ref)
    ELSE (SELECT t.text FROM case_search_text t WHERE t.case_id = m.ref) END
FROM search_map m;
DROP TABLE search_fts;
CREATE VIRTUAL TABLE search_fts USING fts5(
    kind UNINDEXED, ref UNINDEXED, text,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1',
    content = 'search_text', content_rowid = 'fts_rowid'
);
-- Filled from the view by FTS5's 'rebuild' (in row order): an INSERT … SELECT into an FTS5 table
-- dropped and created again in the same transaction made a segment every few rows with this
-- SQLite (3.53), and failed as "database or disk is full" at FTS5's 2,000 segments at 100,000 emails.
INSERT INTO search_fts (search_fts) VALUES ('rebuild');

-- Such an index holds no text, so to take a row out FTS5 must be told the words it was indexed
-- under: the text as it was before the change (a DELETE would read the view, which already shows
-- the new text, or nothing once the row is gone, and leave the old words in the index for good).
-- So every trigger that changes or removes an indexed row passes the old text with FTS5's
-- 'delete' command. Under an import's deferral (migration 16) nothing is written to the index
-- until the batch ends: a change notes the text the index holds in `search_pending.old_text` (the
-- first change of the batch does; later ones find the row noted already), and
-- store/search_index.rs takes those words out before indexing the rows as they are now.
ALTER TABLE search_pending ADD COLUMN old_text TEXT;  -- a changed row's text as the index holds it
DROP TRIGGER messages_search_update;
DROP TRIGGER messages_search_delete;
DROP TRIGGER messages_search_update_later;
DROP TRIGGER cases_search_insert;
DROP TRIGGER cases_search_update;
DROP TRIGGER cases_search_delete;
DROP TRIGGER cases_search_update_later;
CREATE TRIGGER messages_search_update AFTER UPDATE OF body ON messages
WHEN NOT EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT INTO search_fts (search_fts, rowid, kind, ref, text)
    SELECT 'delete', fts_rowid, 'message', old.id, old.body FROM search_map WHERE kind = 'message' AND ref = old.id;
    DELETE FROM search_cjk WHERE rowid = (SELECT fts_rowid FROM search_map WHERE kind = 'message' AND ref = old.id);
    INSERT INTO search_fts (rowid, kind, ref, text)
    SELECT fts_rowid, 'message', new.id, new.body FROM search_map WHERE kind = 'message' AND ref = old.id;
    INSERT INTO search_cjk (rowid, kind, ref, text)
    SELECT fts_rowid, 'message', new.id, new.body FROM search_map WHERE kind = 'message' AND ref = old.id
    AND new.body GLOB '*[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]*';
END;
-- Removed while noted as changed in this batch, the index still holds the noted text; noted as
-- new (no row number yet), it holds nothing and search_map has no row, so nothing is deleted.
CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
    INSERT INTO search_fts (search_fts, rowid, kind, ref, text)
    SELECT 'delete', fts_rowid, 'message', old.id,
        coalesce((SELECT old_text FROM search_pending WHERE kind = 'message' AND ref = old.id), old.body)
    FROM search_map WHERE kind = 'message' AND ref = old.id;
    DELETE FROM search_cjk WHERE rowid = (SELECT fts_rowid FROM search_map WHERE kind = 'message' AND ref = old.id);
    DELETE FROM search_map WHERE kind = 'message' AND ref = old.id;
    DELETE FROM search_pending WHERE kind = 'message' AND ref = old.id;
END;
CREATE TRIGGER messages_search_update_later AFTER UPDATE OF body ON messages
WHEN EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT OR IGNORE INTO search_pending (kind, ref, fresh, old_text) VALUES ('message', new.id, 0, old.body);
END;
-- A case's text before a change can't be read from case_search_text (the row has changed by
-- then): the same expression over `old`.
CREATE TRIGGER cases_search_insert AFTER INSERT ON cases
WHEN NOT EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT INTO search_map (kind, ref) VALUES ('case', new.id);
    INSERT INTO search_fts (rowid, kind, ref, text) SELECT fts_rowid, kind, ref, text FROM search_text
    WHERE kind = 'case' AND ref = new.id;
    INSERT INTO search_cjk (rowid, kind, ref, text)
    SELECT fts_rowid, 'case', new.id, new.subject FROM search_map WHERE kind = 'case' AND ref = new.id
    AND new.subject GLOB '*[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]*';
END;
CREATE TRIGGER cases_search_update AFTER UPDATE OF subject, order_ref, tracking_ref, third_party ON cases
WHEN NOT EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT INTO search_fts (search_fts, rowid, kind, ref, text)
    SELECT 'delete', fts_rowid, 'case', old.id, old.subject || ' ' || old.order_ref || ' ' || old.tracking_ref || ' ' || old.third_party
    FROM search_map WHERE kind = 'case' AND ref = old.id;
    DELETE FROM search_cjk WHERE rowid = (SELECT fts_rowid FROM search_map WHERE kind = 'case' AND ref = old.id);
    INSERT INTO search_fts (rowid, kind, ref, text) SELECT fts_rowid, kind, ref, text FROM search_text
    WHERE kind = 'case' AND ref = new.id;
    INSERT INTO search_cjk (rowid, kind, ref, text)
    SELECT fts_rowid, 'case', new.id, new.subject FROM search_map WHERE kind = 'case' AND ref = old.id
    AND new.subject GLOB '*[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]*';
END;
CREATE TRIGGER cases_search_delete AFTER DELETE ON cases BEGIN
    INSERT INTO search_fts (search_fts, rowid, kind, ref, text)
    SELECT 'delete', fts_rowid, 'case', old.id,
        coalesce((SELECT old_text FROM search_pending WHERE kind = 'case' AND ref = old.id),
                 old.subject || ' ' || old.order_ref || ' ' || old.tracking_ref || ' ' || old.third_party)
    FROM search_map WHERE kind = 'case' AND ref = old.id;
    DELETE FROM search_cjk WHERE rowid = (SELECT fts_rowid FROM search_map WHERE kind = 'case' AND ref = old.id);
    DELETE FROM search_map WHERE kind = 'case' AND ref = old.id;
    DELETE FROM search_pending WHERE kind = 'case' AND ref = old.id;
END;
CREATE TRIGGER cases_search_update_later AFTER UPDATE OF subject, order_ref, tracking_ref, third_party ON cases
WHEN EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT OR IGNORE INTO search_pending (kind, ref, fresh, old_text)
    VALUES ('case', new.id, 0, old.subject || ' ' || old.order_ref || ' ' || old.tracking_ref || ' ' || old.third_party);
END;
"#,
    // Migration 19: a contact's name and merge beside its id, so a name search sorts its matches
    // without reading each contact's row (issue 7: "Ana" at 100,000 emails, 2,299 contacts).
    r#"
CREATE INDEX contacts_by_id_shown ON contacts(id, merged_into, name COLLATE NOCASE);
"#,
    // Migration 20: the mail's search indexes merge their segments 16 at a time instead of 4
    // (issue 7). Each commit writes a new segment, and FTS5 merged them again and again into
    // bigger ones: at 100,000 imported emails, a tenth of the import's time. With 16, a word's
    // entries are rewritten about half as often (5.5 % fewer instructions for that import);
    // a search looks in a few more segments (BENCHMARKS.md).
    r#"
INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 16);
INSERT INTO search_cjk (search_cjk, rank) VALUES ('automerge', 16);
"#,    // Migration 21: a reply's quote of the message it answers is left out of the search index
    // (issue 7). The quote is that message again, which the index holds already: indexed twice,
    // a word found a thread's every reply quoting it, and a third of an import's indexing was
    // quoted text.
    r#"
-- NULL: the search index holds the whole body (every message before this step, and any that does
-- not answer a message Shopdesk holds); N: the first N characters, the reply's own text above
-- the quote at its end (mail::above_trailing_quote). The body itself is kept whole.
ALTER TABLE messages ADD COLUMN indexed_chars INTEGER CHECK (indexed_chars IS NULL OR indexed_chars >= 0);
-- What the index holds of a message, read by FTS5 for snippets and checks: the same expression
-- as the triggers below and store/search_index.rs use.
DROP VIEW search_text;
CREATE VIEW search_text (fts_rowid, kind, ref, text) AS
SELECT m.fts_rowid, m.kind, m.ref, CASE m.kind
    WHEN 'message' THEN (SELECT CASE WHEN x.indexed_chars IS NULL THEN x.body ELSE substr(x.body, 1, x.indexed_chars) END FROM messages x WHERE x.id = m.ref)
    ELSE (SELECT t.text FROM case_search_text t WHERE t.case_id = m.ref) END
FROM search_map m;
DROP TRIGGER messages_search_insert;
DROP TRIGGER messages_search_update;
DROP TRIGGER messages_search_delete;
DROP TRIGGER messages_search_update_later;
CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
WHEN NOT EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT INTO search_map (kind, ref) VALUES ('message', new.id);
    INSERT INTO search_fts (rowid, kind, ref, text)
    SELECT fts_rowid, 'message', new.id, CASE WHEN new.indexed_chars IS NULL THEN new.body ELSE substr(new.body, 1, new.indexed_chars) END FROM search_map WHERE kind = 'message' AND ref = new.id;
    INSERT INTO search_cjk (rowid, kind, ref, text)
    SELECT fts_rowid, 'message', new.id, CASE WHEN new.indexed_chars IS NULL THEN new.body ELSE substr(new.body, 1, new.indexed_chars) END FROM search_map WHERE kind = 'message' AND ref = new.id
    AND CASE WHEN new.indexed_chars IS NULL THEN new.body ELSE substr(new.body, 1, new.indexed_chars) END GLOB '*[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]*';
END;
CREATE TRIGGER messages_search_update AFTER UPDATE OF body, indexed_chars ON messages
WHEN NOT EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT INTO search_fts (search_fts, rowid, kind, ref, text)
    SELECT 'delete', fts_rowid, 'message', old.id, CASE WHEN old.indexed_chars IS NULL THEN old.body ELSE substr(old.body, 1, old.indexed_chars) END FROM search_map WHERE kind = 'message' AND ref = old.id;
    DELETE FROM search_cjk WHERE rowid = (SELECT fts_rowid FROM search_map WHERE kind = 'message' AND ref = old.id);
    INSERT INTO search_fts (rowid, kind, ref, text)
    SELECT fts_rowid, 'message', new.id, CASE WHEN new.indexed_chars IS NULL THEN new.body ELSE substr(new.body, 1, new.indexed_chars) END FROM search_map WHERE kind = 'message' AND ref = old.id;
    INSERT INTO search_cjk (rowid, kind, ref, text)
    SELECT fts_rowid, 'message', new.id, CASE WHEN new.indexed_chars IS NULL THEN new.body ELSE substr(new.body, 1, new.indexed_chars) END FROM search_map WHERE kind = 'message' AND ref = old.id
    AND CASE WHEN new.indexed_chars IS NULL THEN new.body ELSE substr(new.body, 1, new.indexed_chars) END GLOB '*[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]*';
END;
CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
    INSERT INTO search_fts (search_fts, rowid, kind, ref, text)
    SELECT 'delete', fts_rowid, 'message', old.id,
        coalesce((SELECT old_text FROM search_pending WHERE kind = 'message' AND ref = old.id), CASE WHEN old.indexed_chars IS NULL THEN old.body ELSE substr(old.body, 1, old.indexed_chars) END)
    FROM search_map WHERE kind = 'message' AND ref = old.id;
    DELETE FROM search_cjk WHERE rowid = (SELECT fts_rowid FROM search_map WHERE kind = 'message' AND ref = old.id);
    DELETE FROM search_map WHERE kind = 'message' AND ref = old.id;
    DELETE FROM search_pending WHERE kind = 'message' AND ref = old.id;
END;
CREATE TRIGGER messages_search_update_later AFTER UPDATE OF body, indexed_chars ON messages
WHEN EXISTS (SELECT 1 FROM search_deferred) BEGIN
    INSERT OR IGNORE INTO search_pending (kind, ref, fresh, old_text) VALUES ('message', new.id, 0, CASE WHEN old.indexed_chars IS NULL THEN old.body ELSE substr(old.body, 1, old.indexed_chars) END);
END;
"#,
    // Migration 22: a contact's emails and phones, added, moved or removed, note the contact for
    // indexing, which happens when the transaction ends (issue 7). Before, each such change
    // rewrote the contact's row (`SET name = name`) so that the contact's own trigger would
    // index it again: during an import, an update of the row and of its two name indexes for
    // every new contact, and the contacts index brought into every batch's transaction by its
    // first new email, after which FTS5 was asked to save its state at every statement of the
    // batch (2.2 % of an import's filing thread in all). Every transaction of the store indexes
    // what it noted before it commits (`search_index::commit`, migration 23).
    r#"
DROP TRIGGER contact_emails_fts_insert;
DROP TRIGGER contact_emails_fts_update;
DROP TRIGGER contact_emails_fts_delete;
DROP TRIGGER contact_phones_fts_insert;
DROP TRIGGER contact_phones_fts_update;
DROP TRIGGER contact_phones_fts_delete;
CREATE TRIGGER contact_emails_fts_insert AFTER INSERT ON contact_emails BEGIN
    INSERT OR IGNORE INTO search_pending (kind, ref, fresh) VALUES ('contact', new.contact_id, 0);
END;
CREATE TRIGGER contact_emails_fts_update AFTER UPDATE ON contact_emails BEGIN
    INSERT OR IGNORE INTO search_pending (kind, ref, fresh) VALUES ('contact', old.contact_id, 0), ('contact', new.contact_id, 0);
END;
CREATE TRIGGER contact_emails_fts_delete AFTER DELETE ON contact_emails BEGIN
    INSERT OR IGNORE INTO search_pending (kind, ref, fresh) VALUES ('contact', old.contact_id, 0);
END;
CREATE TRIGGER contact_phones_fts_insert AFTER INSERT ON contact_phones BEGIN
    INSERT OR IGNORE INTO search_pending (kind, ref, fresh) VALUES ('contact', new.contact_id, 0);
END;
CREATE TRIGGER contact_phones_fts_update AFTER UPDATE ON contact_phones BEGIN
    INSERT OR IGNORE INTO search_pending (kind, ref, fresh) VALUES ('contact', old.contact_id, 0), ('contact', new.contact_id, 0);
END;
CREATE TRIGGER contact_phones_fts_delete AFTER DELETE ON contact_phones BEGIN
    INSERT OR IGNORE INTO search_pending (kind, ref, fresh) VALUES ('contact', old.contact_id, 0);
END;
"#,
    // Migration 23: a new message, case or contact is always noted for indexing, and indexed
    // when its transaction ends (issue 7), not by a trigger of its own at once. SQLite runs
    // every trigger of an INSERT, even one whose WHEN is false: the three that indexed at once
    // did nothing during an import, yet each prepared a frame for every row, and each brought
    // the search indexes into the transaction at its first row, so that FTS5 was then asked to
    // save its state at every statement of the batch: 4.8 % of an import's filing thread.
    // Every transaction of the store indexes what it noted before it commits
    // (`search_index::commit`), and opening the store indexes what another program noted.
    // Changes and removals are unchanged: written at once, or noted under an import's deferral.
    r#"
DROP TRIGGER messages_search_insert;
DROP TRIGGER cases_search_insert;
DROP TRIGGER contacts_fts_insert;
DROP TRIGGER messages_search_insert_later;
DROP TRIGGER cases_search_insert_later;
DROP TRIGGER contacts_fts_insert_later;
CREATE TRIGGER messages_search_insert_later AFTER INSERT ON messages BEGIN
    INSERT OR IGNORE INTO search_pending (kind, ref, fresh) VALUES ('message', new.id, 1);
END;
CREATE TRIGGER cases_search_insert_later AFTER INSERT ON cases BEGIN
    INSERT OR IGNORE INTO search_pending (kind, ref, fresh) VALUES ('case', new.id, 1);
END;
CREATE TRIGGER contacts_fts_insert_later AFTER INSERT ON contacts BEGIN
    INSERT OR IGNORE INTO search_pending (kind, ref, fresh) VALUES ('contact', new.id, 1);
END;
"#,
    // Migration 24: solved and closed cases, most recently active first, for finding a finished
    // case again from the queue (its status filter). Only those cases are in it: a new case, as
    // an import files it, is not.
    r#"
CREATE INDEX cases_done ON cases(status, last_activity_at DESC, number DESC)
WHERE status IN ('solved', 'closed') AND merged_into IS NULL;
"#,
];

static MIGRATIONS: LazyLock<Migrations<'static>> =
    LazyLock::new(|| {
        Migrations::new(
            STEPS
                .iter()
                .enumerate()
                .map(|(i, sql)| match i + 1 {
                    SAVED_REPLIES_STEP => M::up_with_hook(sql, seed_saved_replies),
                    ALERT_TIMES_STEP => M::up_with_hook(sql, backfill_alert_times),
                    _ => M::up(sql),
                })
                .collect(),
        )
    });

/// The migration that creates saved replies, and writes the starter set.
const SAVED_REPLIES_STEP: usize = 8;

fn seed_saved_replies(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    let now = chrono::Utc::now().timestamp_millis();
    for (position, (title, body)) in crate::templates::STARTER_SET.iter().enumerate() {
        tx.execute(
            "INSERT INTO saved_replies (id, title, body, position, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![uuid::Uuid::now_v7().to_string(), title, body, position as i64, now],
        )?;
    }
    Ok(())
}

/// The migration that adds the stored alert times, and computes them for every open case.
const ALERT_TIMES_STEP: usize = 14;

fn backfill_alert_times(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    super::sla::refresh_all_alert_times(tx).map_err(|e| match e {
        crate::Error::Database(e) => e.into(),
        other => rusqlite_migration::HookError::Hook(other.to_string()),
    })
}

pub(crate) fn migrations() -> &'static Migrations<'static> {
    &MIGRATIONS
}

/// The schema version this build writes (the number of migrations).
pub(crate) fn latest_version() -> i64 {
    STEPS.len() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid_and_latest_version_matches_their_count() {
        migrations().validate().expect("migrations apply to an empty database");
        let mut conn = rusqlite::Connection::open_in_memory().expect("in-memory db");
        migrations().to_latest(&mut conn).expect("first run");
        migrations().to_latest(&mut conn).expect("second run is a no-op");
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).expect("version");
        assert_eq!(version, latest_version());
    }
}
