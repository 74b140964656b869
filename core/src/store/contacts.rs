//! Contacts: people and companies the shop talks to, found by any of their emails or phones.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::{cached_execute, cached_row, cases, from_ms, to_ms, truncate, Store};
use crate::error::{Error, Result};
use crate::ids::ContactId;
use crate::model::{Contact, ContactProfile, ContactSummary, EventKind, NewContact};
use crate::normalize;

/// A contact's details after normalising and checking what was typed.
struct Clean {
    name: String,
    emails: Vec<String>,
    phones: Vec<String>,
    address: String,
    notes: String,
    tags: Vec<String>,
}

fn clean(input: &NewContact) -> Result<Clean> {
    let Some(name) = normalize::display_name(&input.name) else {
        return Err(Error::EmptyName);
    };
    let mut emails: Vec<String> = Vec::new();
    for raw in input.emails.iter().filter(|e| !e.trim().is_empty()) {
        let email = normalize::email(raw)?;
        if !emails.contains(&email) {
            emails.push(email);
        }
    }
    let mut phones: Vec<String> = Vec::new();
    for raw in input.phones.iter().filter(|p| !p.trim().is_empty()) {
        let phone = normalize::phone(raw)?;
        if !phones.contains(&phone) {
            phones.push(phone);
        }
    }
    Ok(Clean {
        name,
        emails,
        phones,
        address: input.address.trim().to_string(),
        notes: input.notes.trim().to_string(),
        tags: normalize::tags(&input.tags),
    })
}

/// Refuses an email or phone that already belongs to another contact, naming that contact.
fn check_unique(conn: &Connection, details: &Clean, me: Option<ContactId>) -> Result<()> {
    for email in &details.emails {
        if let Some((owner_id, owner)) = owner_of(conn, "contact_emails", "email", email)? {
            if Some(owner_id) != me {
                return Err(Error::EmailTaken { email: email.clone(), owner });
            }
        }
    }
    for phone in &details.phones {
        if let Some((owner_id, owner)) = owner_of(conn, "contact_phones", "phone", phone)? {
            if Some(owner_id) != me {
                return Err(Error::PhoneTaken { phone: phone.clone(), owner });
            }
        }
    }
    Ok(())
}

fn owner_of(conn: &Connection, table: &str, column: &str, value: &str) -> Result<Option<(ContactId, String)>> {
    let sql = format!(
        "SELECT c.id, c.name FROM {table} x JOIN contacts c ON c.id = x.contact_id WHERE x.{column} = ?1"
    );
    Ok(cached_row(conn, &sql, [value], |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
}

/// Writes a contact's emails, phones and tags in place of those it had (`fresh`: a contact
/// just inserted, which has none to take out).
fn write_details(conn: &Connection, id: ContactId, details: &Clean, fresh: bool) -> Result<()> {
    if !fresh {
        cached_execute(conn, "DELETE FROM contact_emails WHERE contact_id = ?1", [id])?;
        cached_execute(conn, "DELETE FROM contact_phones WHERE contact_id = ?1", [id])?;
        cached_execute(conn, "DELETE FROM contact_tags WHERE contact_id = ?1", [id])?;
    }
    for (i, email) in details.emails.iter().enumerate() {
        cached_execute(conn,
            "INSERT INTO contact_emails (email, contact_id, position) VALUES (?1, ?2, ?3)",
            params![email, id, i as i64],
        )?;
    }
    for (i, phone) in details.phones.iter().enumerate() {
        cached_execute(conn,
            "INSERT INTO contact_phones (phone, contact_id, position) VALUES (?1, ?2, ?3)",
            params![phone, id, i as i64],
        )?;
    }
    for (i, tag) in details.tags.iter().enumerate() {
        cached_execute(conn,
            "INSERT INTO contact_tags (contact_id, tag, position) VALUES (?1, ?2, ?3)",
            params![id, tag, i as i64],
        )?;
    }
    Ok(())
}

pub(super) fn insert(conn: &Connection, input: &NewContact, now: DateTime<Utc>) -> Result<Contact> {
    let (id, _) = insert_new(conn, input, now)?;
    load(conn, id)
}

/// [`insert`], returning only the new contact's id and name (as stored): for a caller that needs
/// no more of it, such as an import's new sender (the contact is not read back).
pub(super) fn insert_new(conn: &Connection, input: &NewContact, now: DateTime<Utc>) -> Result<(ContactId, String)> {
    let details = clean(input)?;
    check_unique(conn, &details, None)?;
    let id = ContactId::new();
    cached_execute(conn,
        "INSERT INTO contacts (id, name, address, notes, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![id, details.name, details.address, details.notes, to_ms(now)],
    )?;
    write_details(conn, id, &details, true)?;
    Ok((id, details.name))
}

/// A contact's name, or [`Error::NoContact`].
pub(super) fn name_of(conn: &Connection, id: ContactId) -> Result<String> {
    cached_row(conn, "SELECT name FROM contacts WHERE id = ?1", [id], |r| r.get(0)).optional()?.ok_or(Error::NoContact(id))
}

pub(super) fn load(conn: &Connection, id: ContactId) -> Result<Contact> {
    let row = cached_row(conn,
            "SELECT name, address, notes, created_at, updated_at FROM contacts WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            },
        )
        .optional()?
        .ok_or(Error::NoContact(id))?;
    let (name, address, notes, created_at, updated_at) = row;
    Ok(Contact {
        id,
        name,
        emails: list(conn, "SELECT email FROM contact_emails WHERE contact_id = ?1 ORDER BY position", id)?,
        phones: list(conn, "SELECT phone FROM contact_phones WHERE contact_id = ?1 ORDER BY position", id)?,
        address,
        notes,
        tags: list(conn, "SELECT tag FROM contact_tags WHERE contact_id = ?1 ORDER BY position", id)?,
        created_at: from_ms(created_at),
        updated_at: from_ms(updated_at),
    })
}

fn list(conn: &Connection, sql: &str, id: ContactId) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    pub fn create_contact(&mut self, input: &NewContact, now: DateTime<Utc>) -> Result<Contact> {
        let tx = self.conn.transaction()?;
        let contact = insert(&tx, input, truncate(now))?;
        super::search_index::commit(tx)?;
        Ok(contact)
    }

    /// Replaces a contact's details with `input` (emails, phones and tags as a whole).
    pub fn update_contact(&mut self, id: ContactId, input: &NewContact, now: DateTime<Utc>) -> Result<Contact> {
        let tx = self.conn.transaction()?;
        load(&tx, id)?;
        let details = clean(input)?;
        check_unique(&tx, &details, Some(id))?;
        cached_execute(&tx,
            "UPDATE contacts SET name = ?2, address = ?3, notes = ?4, updated_at = ?5 WHERE id = ?1",
            params![id, details.name, details.address, details.notes, to_ms(now)],
        )?;
        write_details(&tx, id, &details, false)?;
        let contact = load(&tx, id)?;
        super::search_index::commit(tx)?;
        Ok(contact)
    }

    pub fn contact(&self, id: ContactId) -> Result<Contact> {
        load(&self.conn, id)
    }

    pub fn contact_by_email(&self, email: &str) -> Result<Contact> {
        let email = normalize::email(email)?;
        let id: Option<ContactId> =
            cached_row(&self.conn, "SELECT contact_id FROM contact_emails WHERE email = ?1", [&email], |r| r.get(0)).optional()?;
        load(&self.conn, id.ok_or(Error::NoContactWithEmail(email))?)
    }

    pub fn contact_by_phone(&self, phone: &str) -> Result<Contact> {
        let phone = normalize::phone(phone)?;
        let id = match self.phone_owner(&phone)? {
            Some(id) => Some(id),
            None => self.contact_by_phone_elsewise(&phone)?,
        };
        load(&self.conn, id.ok_or(Error::NoContactWithPhone(phone))?)
    }

    /// The contact with this phone number exactly as stored (normalised).
    fn contact_by_phone_as_typed(&self, phone: &str) -> Result<Contact> {
        let phone = normalize::phone(phone)?;
        let id = self.phone_owner(&phone)?;
        load(&self.conn, id.ok_or(Error::NoContactWithPhone(phone))?)
    }

    fn phone_owner(&self, normalised: &str) -> Result<Option<ContactId>> {
        Ok(cached_row(&self.conn, "SELECT contact_id FROM contact_phones WHERE phone = ?1", [normalised], |r| r.get(0)).optional()?)
    }

    /// The one contact holding `phone` (normalised, not stored as such) in its other form: a
    /// caller id in international form (`+447700900123`) for a number the shop typed as dialled
    /// at home (`07700900123`), or the other way round (see [`normalize::phone_variants`]).
    /// None when no contact or several do: a guess between two customers is not made.
    fn contact_by_phone_elsewise(&self, phone: &str) -> Result<Option<ContactId>> {
        let variants = normalize::phone_variants(phone);
        if variants.is_empty() {
            return Ok(None);
        }
        // Typed at home: a stored international number is '+', its calling code and the rest of
        // the number (checked below). Typed in international form: a stored local one is a variant.
        let national = if phone.starts_with('+') { "" } else { variants[0].as_str() };
        let listed = vec!["?"; variants.len()].join(", ");
        // (The second term reads every stored phone: a few thousand short rows at most, and only
        // when the number as typed is nobody's.)
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT contact_id, phone FROM contact_phones WHERE phone IN ({listed})
             OR (?{n} <> '' AND phone LIKE '+%' AND length(phone) BETWEEN length(?{n}) + 2 AND length(?{n}) + 4
                 AND substr(phone, -length(?{n})) = ?{n})
             ORDER BY contact_id LIMIT 8",
            n = variants.len() + 1
        ))?;
        let params = variants.iter().map(String::as_str).chain([national]);
        let found = stmt
            .query_map(rusqlite::params_from_iter(params), |r| Ok((r.get::<_, ContactId>(0)?, r.get::<_, String>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        // A stored international number matches only when what precedes the number is its
        // country's whole calling code (+44 7700…, not +4 47700…).
        let mut found: Vec<ContactId> = found
            .into_iter()
            .filter(|(_, stored)| match stored.strip_prefix('+') {
                Some(international) if !national.is_empty() => {
                    normalize::country_code_len(international) + national.len() == international.len()
                }
                _ => true,
            })
            .map(|(id, _)| id)
            .collect();
        found.dedup();
        Ok(match found.as_slice() {
            [one] => Some(*one),
            _ => None,
        })
    }

    /// Finds a contact from what a person would type: an id, an email or a phone number (in
    /// the form stored, or in its other form when one contact alone has it so).
    pub fn resolve_contact(&self, key: &str) -> Result<Contact> {
        self.resolve_contact_with(key, true)
    }

    /// [`Store::resolve_contact`] with a phone number only as stored: for what can't be undone
    /// (merging contacts), no number is read in another form.
    pub fn resolve_contact_as_typed(&self, key: &str) -> Result<Contact> {
        self.resolve_contact_with(key, false)
    }

    fn resolve_contact_with(&self, key: &str, other_forms: bool) -> Result<Contact> {
        if let Ok(id) = key.parse::<ContactId>() {
            return self.contact(id);
        }
        if key.contains('@') {
            return self.contact_by_email(key);
        }
        let found = if other_forms { self.contact_by_phone(key) } else { self.contact_by_phone_as_typed(key) };
        match found {
            Err(Error::InvalidPhone(_)) => Err(Error::Invalid(format!(
                "\"{}\" is neither an email, a phone number nor a contact id",
                key.trim()
            ))),
            other => other,
        }
    }

    /// Contacts whose name, email or phone contains `query` (all contacts for an empty query),
    /// by name.
    pub fn find_contacts(&self, query: &str) -> Result<Vec<ContactSummary>> {
        self.find_contacts_up_to(query, 500)
    }

    /// [`Store::find_contacts`], the first `limit` by name (search as you type shows a few).
    pub fn find_contacts_up_to(&self, query: &str, limit: u32) -> Result<Vec<ContactSummary>> {
        let query = query.trim();
        let digits: String = query.chars().filter(char::is_ascii_digit).collect();
        // Which contacts: all of them for no query; from three letters on, any part of a name,
        // email or phone through the trigram index (a query of at least 3 digits also matches
        // phone numbers however they were written, a whole number in its local or international
        // form too), joined straight to the contact's id, name
        // and merge (one index, contacts_by_id_shown, not the contact's row); one or two letters
        // are too short for trigrams, so they find names and emails that start with them (index
        // ranges).
        // `from` names the contacts `c`; `only` narrows them further.
        let (from, only, args): (&str, &str, Vec<String>) = if query.is_empty() {
            ("contacts c", "", vec![])
        } else if query.chars().count() >= 3 {
            let phrase = |t: &str| format!("\"{}\"", t.replace('"', "\"\""));
            let mut matched = phrase(query);
            if digits.len() >= 3 && digits != query {
                matched = format!("{matched} OR {}", phrase(&digits));
            }
            // A number typed as dialled at home finds it stored in international form, and the
            // other way round.
            for variant in crate::normalize::phone_variants(query) {
                matched = format!("{matched} OR {}", phrase(&variant));
            }
            (
                "contacts_fts f JOIN contacts_fts_map m ON m.fts_rowid = f.rowid JOIN contacts c ON c.id = m.contact_id",
                " AND contacts_fts MATCH ?1",
                vec![matched],
            )
        } else {
            let lower = query.to_lowercase();
            let mut after = lower.clone();
            let last = after.pop().map_or(0, u32::from);
            after.push(char::from_u32(last + 1).unwrap_or(char::MAX));
            (
                "contacts c",
                " AND c.rowid IN (
                     SELECT rowid FROM contacts WHERE name COLLATE NOCASE >= ?1 AND name COLLATE NOCASE < ?2
                     UNION SELECT c.rowid FROM contact_emails e JOIN contacts c ON c.id = e.contact_id
                     WHERE e.email >= ?1 AND e.email < ?2)",
                vec![lower, after],
            )
        };
        // The first `limit` by name, then their case counts (counted for those only).
        let mut stmt = self.conn.prepare_cached(&format!(
            "WITH shown AS (
                 SELECT c.rowid AS at, c.id, c.name FROM {from} WHERE c.merged_into IS NULL{only}
                 ORDER BY c.name COLLATE NOCASE, c.rowid LIMIT {limit})
             SELECT s.id, s.name,
                    (SELECT count(*) FROM cases k WHERE k.contact_id = s.id AND k.merged_into IS NULL
                        AND k.status NOT IN ('solved', 'closed')),
                    (SELECT count(*) FROM cases k WHERE k.contact_id = s.id AND k.merged_into IS NULL)
             FROM shown s ORDER BY s.name COLLATE NOCASE, s.at"
        ))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            Ok((r.get::<_, ContactId>(0)?, r.get::<_, String>(1)?, r.get::<_, u32>(2)?, r.get::<_, u32>(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name, open_cases, total_cases) = row?;
            out.push(ContactSummary {
                id,
                name,
                emails: list(&self.conn, "SELECT email FROM contact_emails WHERE contact_id = ?1 ORDER BY position", id)?,
                phones: list(&self.conn, "SELECT phone FROM contact_phones WHERE contact_id = ?1 ORDER BY position", id)?,
                open_cases,
                total_cases,
            });
        }
        Ok(out)
    }

    /// A contact with every one of their cases, newest first.
    pub fn contact_profile(&self, id: ContactId, now: DateTime<Utc>) -> Result<ContactProfile> {
        let contact = load(&self.conn, id)?;
        let cases = cases::summaries_of_contact(&self.conn, id, now)?;
        let orders = super::orders::orders_of_contact(&self.conn, &contact)?;
        Ok(ContactProfile { contact, cases, orders })
    }

    /// Merges `absorbed` into `kept`: emails, phones, tags and cases move over, notes and a
    /// missing address are carried; `absorbed` stays behind as a pointer to `kept`.
    pub fn merge_contacts(&mut self, kept: ContactId, absorbed: ContactId, author: &str, now: DateTime<Utc>) -> Result<Contact> {
        if kept == absorbed {
            return Err(Error::Invalid("A contact can't be merged into itself".into()));
        }
        let now = truncate(now);
        let tx = self.conn.transaction()?;
        let keep = load(&tx, kept)?;
        let gone = load(&tx, absorbed)?;
        let merged = NewContact {
            name: keep.name.clone(),
            emails: [keep.emails.clone(), gone.emails.clone()].concat(),
            phones: [keep.phones.clone(), gone.phones.clone()].concat(),
            address: if keep.address.is_empty() { gone.address.clone() } else { keep.address.clone() },
            notes: [keep.notes.as_str(), gone.notes.as_str()]
                .iter()
                .filter(|n| !n.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("\n\n"),
            tags: [keep.tags.clone(), gone.tags.clone()].concat(),
        };
        let details = clean(&merged)?;
        for table in ["contact_emails", "contact_phones", "contact_tags"] {
            cached_execute(&tx, &format!("DELETE FROM {table} WHERE contact_id = ?1"), [absorbed])?;
        }
        cached_execute(&tx,
            "UPDATE contacts SET address = ?2, notes = ?3, updated_at = ?4 WHERE id = ?1",
            params![kept, details.address, details.notes, to_ms(now)],
        )?;
        write_details(&tx, kept, &details, false)?;
        let moved: Vec<crate::ids::CaseId> = {
            let mut stmt = tx.prepare("SELECT id FROM cases WHERE contact_id = ?1")?;
            let rows = stmt.query_map([absorbed], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for case_id in moved {
            cached_execute(&tx,
                "UPDATE cases SET contact_id = ?2, updated_at = ?3 WHERE id = ?1",
                params![case_id, kept, to_ms(now)],
            )?;
            cases::record_event(
                &tx,
                case_id,
                now,
                author,
                EventKind::ContactChanged,
                Some("contact"),
                Some(&gone.name),
                Some(&keep.name),
            )?;
        }
        cached_execute(&tx,
            "UPDATE contacts SET merged_into = ?2, updated_at = ?3 WHERE id = ?1",
            params![absorbed, kept, to_ms(now)],
        )?;
        let contact = load(&tx, kept)?;
        super::search_index::commit(tx)?;
        Ok(contact)
    }
}
