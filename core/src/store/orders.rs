//! Orders in the store: imported whole or not at all, shown on the contact's profile, and
//! linked to the cases that mention them.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{from_ms, to_ms, truncate, Store};
use crate::error::Result;
use crate::ids::CaseId;
use crate::model::{Direction, EventKind};
use crate::orders::{order_ref_candidates, Order, OrderLayout, OrdersFile};

use super::sla::AUTOMATIC_AUTHOR as SHOPDESK;

/// What an orders import did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrdersImport {
    pub layout: OrderLayout,
    /// Data lines read (one per line item in Shopify and WooCommerce files).
    pub lines: u32,
    pub new_orders: u32,
    /// Orders already known (imported before) whose details were brought up to date.
    pub updated_orders: u32,
    /// Cases that mention one of the orders and now carry its number.
    pub cases_linked: u32,
}

fn order_row(r: &rusqlite::Row) -> rusqlite::Result<Order> {
    Ok(Order {
        order_ref: r.get(0)?,
        source: serde_json::from_value(serde_json::Value::String(r.get(1)?)).unwrap_or(OrderLayout::Mapped),
        email: r.get(2)?,
        customer_name: r.get(3)?,
        placed_at: r.get::<_, Option<i64>>(4)?.map(from_ms),
        total_cents: r.get(5)?,
        currency: r.get(6)?,
        status: r.get(7)?,
        items: r.get(8)?,
        tracking_ref: r.get(9)?,
    })
}

const ORDER_COLUMNS: &str = "order_ref, source, email, customer_name, placed_at, total_cents, currency, status, items, tracking_ref";

fn source_str(layout: OrderLayout) -> String {
    serde_json::to_value(layout).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// The orders of a contact: by any of their emails, or by their name for orders with no email.
pub(super) fn orders_of_contact(conn: &Connection, contact: &crate::model::Contact) -> Result<Vec<Order>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ORDER_COLUMNS} FROM orders
         WHERE email IN (SELECT email FROM contact_emails WHERE contact_id = ?1)
            OR (email = '' AND customer_name = ?2 COLLATE NOCASE AND ?2 <> '')
         ORDER BY placed_at DESC, order_ref DESC"
    ))?;
    let orders = stmt.query_map(params![contact.id, contact.name.trim()], order_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(orders)
}

/// The known order among `candidates`, when exactly one is.
fn known_order(conn: &Connection, candidates: &[String]) -> Result<Option<Order>> {
    let mut found: Vec<Order> = Vec::new();
    let mut stmt = conn.prepare_cached(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE order_key = ?1"))?;
    for candidate in candidates {
        if let Some(order) = stmt.query_row([candidate], order_row).optional()? {
            if !found.iter().any(|o| o.order_ref == order.order_ref) {
                found.push(order);
            }
        }
    }
    Ok(if found.len() == 1 { found.pop() } else { None })
}

/// Gives a case the order it mentions (and the order's tracking number), when it has none yet.
fn link(conn: &Connection, case_id: CaseId, number: u32, order: &Order, now: DateTime<Utc>) -> Result<bool> {
    let (order_ref, tracking): (String, String) =
        conn.query_row("SELECT order_ref, tracking_ref FROM cases WHERE id = ?1", [case_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if !order_ref.is_empty() {
        return Ok(false);
    }
    // A case's own number can look like an order number ("#1042" and Shopify's "#1042").
    if order.order_ref == number.to_string() {
        return Ok(false);
    }
    conn.execute("UPDATE cases SET order_ref = ?2, updated_at = ?3 WHERE id = ?1", params![case_id, order.order_ref, to_ms(now)])?;
    super::cases::record_event(conn, case_id, now, SHOPDESK, EventKind::FieldChanged, Some("order_ref"), Some(""), Some(&order.order_ref))?;
    if tracking.is_empty() && !order.tracking_ref.is_empty() {
        conn.execute("UPDATE cases SET tracking_ref = ?2 WHERE id = ?1", params![case_id, order.tracking_ref])?;
        super::cases::record_event(conn, case_id, now, SHOPDESK, EventKind::FieldChanged, Some("tracking_ref"), Some(""), Some(&order.tracking_ref))?;
    }
    Ok(true)
}

/// After an email is filed: an order number in what the customer wrote links the case.
pub(super) fn link_mentioned_order(conn: &Connection, case_id: CaseId, number: u32, subject: &str, text: &str, now: DateTime<Utc>) -> Result<bool> {
    let has_orders: bool = super::cached_row(conn, "SELECT EXISTS (SELECT 1 FROM orders)", [], |r| r.get(0))?;
    if !has_orders {
        return Ok(false);
    }
    let mut candidates = order_ref_candidates(subject);
    candidates.extend(order_ref_candidates(text));
    match known_order(conn, &candidates)? {
        Some(order) => link(conn, case_id, number, &order, now),
        None => Ok(false),
    }
}

/// Every case with no order yet whose subject or customer messages name exactly one known order.
fn link_all(conn: &Connection, now: DateTime<Utc>) -> Result<u32> {
    let mut cases = conn.prepare(
        "SELECT id, number, subject FROM cases WHERE order_ref = '' AND merged_into IS NULL",
    )?;
    let rows = cases
        .query_map([], |r| Ok((r.get::<_, CaseId>(0)?, r.get::<_, u32>(1)?, r.get::<_, String>(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut bodies = conn.prepare_cached("SELECT body FROM messages WHERE case_id = ?1 AND direction = ?2")?;
    let mut linked = 0;
    for (id, number, subject) in rows {
        let mut candidates = order_ref_candidates(&subject);
        for body in bodies.query_map(params![id, Direction::FromCustomer], |r| r.get::<_, String>(0))? {
            candidates.extend(order_ref_candidates(&body?));
        }
        candidates.dedup();
        if let Some(order) = known_order(conn, &candidates)? {
            if link(conn, id, number, &order, now)? {
                linked += 1;
            }
        }
    }
    Ok(linked)
}

impl Store {
    /// Stores the orders of a file read by [`crate::orders::read`], all in one transaction, then
    /// links the cases that mention them. `progress(done, total)` is called as orders are written.
    pub fn import_orders(&mut self, file: &OrdersFile, now: DateTime<Utc>, mut progress: impl FnMut(usize, usize)) -> Result<OrdersImport> {
        let now = truncate(now);
        let tx = self.conn.transaction()?;
        let (mut new_orders, mut updated_orders) = (0, 0);
        {
            let mut exists = tx.prepare_cached("SELECT 1 FROM orders WHERE order_key = ?1")?;
            let mut upsert = tx.prepare_cached(
                "INSERT INTO orders (order_key, order_ref, source, email, customer_name, placed_at, total_cents,
                                     currency, status, items, tracking_ref, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT (order_key) DO UPDATE SET
                    order_ref = excluded.order_ref, source = excluded.source, email = excluded.email,
                    customer_name = excluded.customer_name, placed_at = excluded.placed_at,
                    total_cents = excluded.total_cents, currency = excluded.currency, status = excluded.status,
                    items = excluded.items, tracking_ref = excluded.tracking_ref, imported_at = excluded.imported_at",
            )?;
            let total = file.orders.len();
            for (i, o) in file.orders.iter().enumerate() {
                let key = o.order_ref.to_lowercase();
                if exists.exists([&key])? {
                    updated_orders += 1;
                } else {
                    new_orders += 1;
                }
                upsert.execute(params![
                    key,
                    o.order_ref,
                    source_str(o.source),
                    o.email,
                    o.customer_name,
                    o.placed_at.map(to_ms),
                    o.total_cents,
                    o.currency,
                    o.status,
                    o.items,
                    o.tracking_ref,
                    to_ms(now)
                ])?;
                if i % 500 == 0 || i + 1 == total {
                    progress(i + 1, total);
                }
            }
        }
        let cases_linked = link_all(&tx, now)?;
        super::search_index::commit(tx)?;
        Ok(OrdersImport { layout: file.layout, lines: file.lines as u32, new_orders, updated_orders, cases_linked })
    }

    pub fn order(&self, order_ref: &str) -> Result<Option<Order>> {
        let key = order_ref.trim().trim_start_matches('#').to_lowercase();
        Ok(self
            .conn
            .query_row(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE order_key = ?1"), [key], order_row)
            .optional()?)
    }

    /// Imported orders, newest first: all, or those whose number, email or name holds `query`.
    pub fn list_orders(&self, query: &str, limit: u32) -> Result<Vec<Order>> {
        let pattern = format!("%{}%", query.trim().trim_start_matches('#').replace(['%', '_'], ""));
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders
             WHERE ?1 = '%%' OR order_ref LIKE ?1 OR email LIKE ?1 OR customer_name LIKE ?1
             ORDER BY placed_at DESC, order_ref DESC LIMIT ?2"
        ))?;
        let orders = stmt.query_map(params![pattern, limit], order_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(orders)
    }

    pub fn order_count(&self) -> Result<u32> {
        Ok(self.conn.query_row("SELECT count(*) FROM orders", [], |r| r.get(0))?)
    }
}
