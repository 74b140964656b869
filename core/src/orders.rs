//! Orders from the shop's own export: Shopify, WooCommerce and Etsy CSV layouts are recognised
//! by their headers; any other file is read through a column mapping the owner picks.
//!
//! A file is read whole and checked before anything is stored: one bad line stops the import
//! with its line number, and nothing of the file is kept (the store writes all orders in one
//! transaction).

use std::collections::BTreeMap;
use std::io::Read;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

/// Orders files bigger than this are refused (a year of a small shop's orders is a few MB).
pub const MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OrderLayout {
    Shopify,
    Woocommerce,
    Etsy,
    /// Columns picked by the owner.
    Mapped,
}

impl OrderLayout {
    pub fn label(self) -> &'static str {
        match self {
            OrderLayout::Shopify => "Shopify",
            OrderLayout::Woocommerce => "WooCommerce",
            OrderLayout::Etsy => "Etsy",
            OrderLayout::Mapped => "your columns",
        }
    }
}

/// Which column holds what (header names as in the file). Only the order number is required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct OrderColumns {
    pub order_ref: String,
    pub email: String,
    /// The customer's full name, or …
    pub name: String,
    /// … first and last name in two columns.
    pub first_name: String,
    pub last_name: String,
    pub placed_at: String,
    pub total: String,
    pub currency: String,
    pub status: String,
    /// Line items: one row per item (rows with the same order number are one order).
    pub item: String,
    pub quantity: String,
    pub tracking: String,
}

impl OrderColumns {
    fn shopify() -> OrderColumns {
        OrderColumns {
            order_ref: "Name".into(),
            email: "Email".into(),
            name: "Billing Name".into(),
            placed_at: "Created at".into(),
            total: "Total".into(),
            currency: "Currency".into(),
            status: "Fulfillment Status".into(),
            item: "Lineitem name".into(),
            quantity: "Lineitem quantity".into(),
            ..OrderColumns::default()
        }
    }

    fn woocommerce(headers: &[String]) -> OrderColumns {
        let pick = |names: &[&str]| names.iter().find(|n| has(headers, n)).map(|n| n.to_string()).unwrap_or_default();
        OrderColumns {
            order_ref: pick(&["Order Number", "Order ID"]),
            email: pick(&["Billing Email Address", "Billing Email", "Customer Email"]),
            first_name: pick(&["Billing First Name", "First Name (Billing)"]),
            last_name: pick(&["Billing Last Name", "Last Name (Billing)"]),
            placed_at: pick(&["Order Date", "Date"]),
            total: pick(&["Order Total Amount", "Order Total"]),
            currency: pick(&["Order Currency", "Currency"]),
            status: pick(&["Order Status", "Status"]),
            item: pick(&["Item Name", "Product Name"]),
            quantity: pick(&["Quantity", "Item Quantity", "Quantity (- Refund)"]),
            tracking: pick(&["Tracking Number", "Tracking"]),
            ..OrderColumns::default()
        }
    }

    fn etsy(headers: &[String]) -> OrderColumns {
        let pick = |names: &[&str]| names.iter().find(|n| has(headers, n)).map(|n| n.to_string()).unwrap_or_default();
        OrderColumns {
            order_ref: "Order ID".into(),
            // Etsy's sold-orders file has no email: orders meet contacts by name instead.
            email: pick(&["Buyer Email", "Email"]),
            name: pick(&["Full Name", "Ship Name"]),
            placed_at: "Sale Date".into(),
            total: pick(&["Order Total", "Order Value"]),
            currency: pick(&["Currency"]),
            status: pick(&["Status", "Date Shipped"]),
            item: pick(&["Item Name"]),
            quantity: pick(&["Quantity", "Number of Items"]),
            tracking: pick(&["Tracking", "Tracking Number"]),
            ..OrderColumns::default()
        }
    }
}

fn has(headers: &[String], name: &str) -> bool {
    headers.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// Recognises an export by its headers.
pub fn detect(headers: &[String]) -> Option<OrderLayout> {
    if has(headers, "Name") && has(headers, "Email") && has(headers, "Financial Status") && has(headers, "Lineitem name") {
        Some(OrderLayout::Shopify)
    } else if has(headers, "Sale Date") && has(headers, "Order ID") && (has(headers, "Full Name") || has(headers, "Buyer")) {
        Some(OrderLayout::Etsy)
    } else if (has(headers, "Order Number") || has(headers, "Order ID"))
        && ["Billing Email Address", "Billing Email", "Customer Email"].iter().any(|h| has(headers, h))
    {
        Some(OrderLayout::Woocommerce)
    } else {
        None
    }
}

/// The columns of a recognised layout, read against the file's own headers.
pub fn layout_columns(layout: OrderLayout, headers: &[String]) -> OrderColumns {
    match layout {
        OrderLayout::Shopify => OrderColumns::shopify(),
        OrderLayout::Woocommerce => OrderColumns::woocommerce(headers),
        OrderLayout::Etsy => OrderColumns::etsy(headers),
        OrderLayout::Mapped => guess_columns(headers),
    }
}

/// A recognised export with some columns left out (a trimmed export): those fields stay empty.
fn present_only(mut c: OrderColumns, headers: &[String]) -> OrderColumns {
    for field in [
        &mut c.email, &mut c.name, &mut c.first_name, &mut c.last_name, &mut c.placed_at, &mut c.total,
        &mut c.currency, &mut c.status, &mut c.item, &mut c.quantity, &mut c.tracking,
    ] {
        if !field.is_empty() && !has(headers, field) {
            field.clear();
        }
    }
    c
}

/// A first guess for the mapping screen, from common header words.
pub fn guess_columns(headers: &[String]) -> OrderColumns {
    let find = |words: &[&str]| {
        headers
            .iter()
            .find(|h| {
                let h = h.to_lowercase();
                words.iter().any(|w| h.contains(w))
            })
            .cloned()
            .unwrap_or_default()
    };
    OrderColumns {
        order_ref: find(&["order number", "order id", "order no", "order #", "ordernumber", "order"]),
        email: find(&["email", "e-mail"]),
        name: find(&["full name", "customer name", "name"]),
        placed_at: find(&["date", "created", "placed"]),
        total: find(&["total", "amount"]),
        currency: find(&["currency"]),
        status: find(&["status"]),
        item: find(&["item", "product"]),
        quantity: find(&["quantity", "qty"]),
        tracking: find(&["tracking"]),
        ..OrderColumns::default()
    }
}

/// One order as read from the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Order {
    /// As the shop writes it, without a leading '#'.
    pub order_ref: String,
    pub source: OrderLayout,
    /// Lower-cased; empty when the export has none (Etsy).
    pub email: String,
    pub customer_name: String,
    pub placed_at: Option<DateTime<Utc>>,
    /// In the currency's smallest unit (cents).
    #[ts(type = "number | null")]
    pub total_cents: Option<i64>,
    pub currency: String,
    pub status: String,
    /// "2 × Blue mug; 1 × Teapot"
    pub items: String,
    pub tracking_ref: String,
}

/// The first lines of a file, for the mapping screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrdersPreview {
    pub headers: Vec<String>,
    pub sample: Vec<Vec<String>>,
    pub layout: Option<OrderLayout>,
    /// The detected layout's columns, or a guess to start the mapping from.
    pub columns: OrderColumns,
    /// Data lines in the file (line items of one order count each).
    pub lines: u32,
}

/// An orders file read and checked, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct OrdersFile {
    pub layout: OrderLayout,
    pub orders: Vec<Order>,
    /// Data lines read (line items of one order count each).
    pub lines: usize,
}

fn read_all(path: &std::path::Path) -> Result<Vec<u8>> {
    let io = |e: std::io::Error| Error::Invalid(format!("Could not read {}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(Error::Invalid(format!(
            "{} is {} MB; an orders file may be at most {} MB (export a shorter period)",
            path.display(),
            size / 1_000_000,
            MAX_FILE_BYTES / 1_000_000
        )));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_FILE_BYTES).read_to_end(&mut bytes).map_err(io)?;
    Ok(bytes)
}

/// Text of the file: UTF-8 (with or without a byte-order mark), else Windows-1252, which is
/// what spreadsheet programs write on Windows.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

/// Spreadsheets in much of Europe save with ';' between columns.
fn delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    if first.matches(';').count() > first.matches(',').count() { b';' } else { b',' }
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().delimiter(delimiter(text)).flexible(false).from_reader(text.as_bytes())
}

fn headers_of(rdr: &mut csv::Reader<&[u8]>) -> Result<Vec<String>> {
    let headers = rdr.headers().map_err(|e| csv_error(&e))?;
    let headers: Vec<String> = headers.iter().map(|h| h.trim().to_string()).collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(Error::Invalid("The file is empty: it has no header line".into()));
    }
    Ok(headers)
}

fn csv_error(e: &csv::Error) -> Error {
    let line = e.position().map(|p| p.line());
    match (e.kind(), line) {
        (csv::ErrorKind::UnequalLengths { expected_len, len, .. }, Some(line)) => Error::Invalid(format!(
            "Line {line} has {len} columns where the header has {expected_len}: the file is damaged or not a CSV file; nothing was imported"
        )),
        (_, Some(line)) => Error::Invalid(format!("Line {line} could not be read ({e}); nothing was imported")),
        _ => Error::Invalid(format!("The file could not be read as CSV ({e}); nothing was imported")),
    }
}

/// The headers and first rows of a file, with its layout if recognised.
pub fn preview(path: &std::path::Path) -> Result<OrdersPreview> {
    let text = decode(&read_all(path)?);
    let mut rdr = reader(&text);
    let headers = headers_of(&mut rdr)?;
    let mut sample = Vec::new();
    let mut lines = 0;
    for record in rdr.records() {
        let record = record.map_err(|e| csv_error(&e))?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        lines += 1;
        if sample.len() < 5 {
            sample.push(record.iter().map(str::to_string).collect());
        }
    }
    let layout = detect(&headers);
    let columns = layout_columns(layout.unwrap_or(OrderLayout::Mapped), &headers);
    Ok(OrdersPreview { headers, sample, layout, columns, lines })
}

/// Reads a whole orders file: the recognised layout, or `columns` when given (or when the file
/// is not recognised). Any bad line is an error naming it.
pub fn read(path: &std::path::Path, columns: Option<&OrderColumns>, tz: Tz) -> Result<OrdersFile> {
    parse_text(&decode(&read_all(path)?), columns, tz)
}

pub fn parse_text(text: &str, columns: Option<&OrderColumns>, tz: Tz) -> Result<OrdersFile> {
    let mut rdr = reader(text);
    let headers = headers_of(&mut rdr)?;
    let (layout, columns) = match (columns, detect(&headers)) {
        (Some(c), _) => (OrderLayout::Mapped, c.clone()),
        (None, Some(layout)) => (layout, present_only(layout_columns(layout, &headers), &headers)),
        (None, None) => {
            return Err(Error::Invalid(
                "This file is not a Shopify, WooCommerce or Etsy orders export: pick its columns to import it".into(),
            ))
        }
    };
    let index = |name: &str| -> Result<Option<usize>> {
        if name.trim().is_empty() {
            return Ok(None);
        }
        headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name.trim()))
            .map(Some)
            .ok_or_else(|| Error::Invalid(format!("The file has no column \"{name}\"; nothing was imported")))
    };
    let Some(ref_col) = index(&columns.order_ref)? else {
        return Err(Error::Invalid("Pick the column with the order number".into()));
    };
    let cols = [
        index(&columns.email)?,
        index(&columns.name)?,
        index(&columns.first_name)?,
        index(&columns.last_name)?,
        index(&columns.placed_at)?,
        index(&columns.total)?,
        index(&columns.currency)?,
        index(&columns.status)?,
        index(&columns.item)?,
        index(&columns.quantity)?,
        index(&columns.tracking)?,
    ];
    let [email_c, name_c, first_c, last_c, date_c, total_c, cur_c, status_c, item_c, qty_c, track_c] = cols;

    let mut orders: Vec<Order> = Vec::new();
    let mut by_ref: BTreeMap<String, usize> = BTreeMap::new();
    let mut lines = 0;
    for record in rdr.records() {
        let record = record.map_err(|e| csv_error(&e))?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        lines += 1;
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).map(str::trim).unwrap_or("");
        let order_ref = get(Some(ref_col)).trim_start_matches('#').trim().to_string();
        if order_ref.is_empty() {
            return Err(Error::Invalid(format!("Line {line} has no order number; nothing was imported")));
        }
        let item = match (get(item_c), get(qty_c)) {
            ("", _) => String::new(),
            (name, "") => name.to_string(),
            (name, qty) => format!("{qty} × {name}"),
        };
        if let Some(&at) = by_ref.get(&order_ref.to_lowercase()) {
            // A further line item of an order already read (Shopify and WooCommerce write one row per item).
            let order = &mut orders[at];
            if !item.is_empty() {
                if !order.items.is_empty() {
                    order.items.push_str("; ");
                }
                order.items.push_str(&item);
            }
            continue;
        }
        let email = get(email_c).to_lowercase();
        if !email.is_empty() && crate::normalize::email(&email).is_err() {
            return Err(Error::Invalid(format!("Line {line}: \"{email}\" is not an email address; nothing was imported")));
        }
        let customer_name = match get(name_c) {
            "" => format!("{} {}", get(first_c), get(last_c)).trim().to_string(),
            name => name.to_string(),
        };
        let placed_at = match get(date_c) {
            "" => None,
            text => Some(parse_date(text, tz).ok_or_else(|| {
                Error::Invalid(format!("Line {line}: \"{text}\" is not a date Shopdesk can read; nothing was imported"))
            })?),
        };
        let total_cents = match get(total_c) {
            "" => None,
            text => Some(parse_money(text).ok_or_else(|| {
                Error::Invalid(format!("Line {line}: \"{text}\" is not an amount; nothing was imported"))
            })?),
        };
        by_ref.insert(order_ref.to_lowercase(), orders.len());
        orders.push(Order {
            order_ref,
            source: layout,
            email,
            customer_name,
            placed_at,
            total_cents,
            currency: get(cur_c).to_uppercase(),
            status: get(status_c).to_string(),
            items: item,
            tracking_ref: get(track_c).to_string(),
        });
    }
    if orders.is_empty() {
        return Err(Error::Invalid("The file has a header line but no orders".into()));
    }
    Ok(OrdersFile { layout, orders, lines })
}

/// Dates as shops' exports write them: with an offset (Shopify), ISO local time
/// (WooCommerce), US month-first (Etsy), or a bare day. Local times are the shop's.
pub fn parse_date(text: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for f in ["%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z"] {
        if let Ok(t) = DateTime::parse_from_str(text, f) {
            return Some(t.with_timezone(&Utc));
        }
    }
    let local = |n: NaiveDateTime| tz.from_local_datetime(&n).earliest().map(|t| t.with_timezone(&Utc));
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M", "%d.%m.%Y %H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(text, f) {
            return local(n);
        }
    }
    for f in ["%Y-%m-%d", "%m/%d/%y", "%m/%d/%Y", "%d.%m.%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(text, f) {
            return local(d.and_hms_opt(12, 0, 0)?);
        }
    }
    None
}

/// "1,234.50", "€12,50", "12.5 EUR", "-3.00" into cents.
pub fn parse_money(text: &str) -> Option<i64> {
    let kept: String = text.chars().filter(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-')).collect();
    if !kept.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let negative = kept.starts_with('-');
    let digits = kept.trim_start_matches('-');
    if digits.contains('-') {
        return None;
    }
    // The last '.' or ',' is the decimal point when one or two digits follow it.
    let (whole, frac) = match digits.rfind(['.', ',']) {
        Some(i) if (1..=2).contains(&(digits.len() - i - 1)) => (&digits[..i], &digits[i + 1..]),
        _ => (digits, ""),
    };
    let whole: String = whole.chars().filter(char::is_ascii_digit).collect();
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let frac: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    let cents = whole.checked_mul(100)?.checked_add(frac)?;
    Some(if negative { -cents } else { cents })
}

/// Tokens of `text` that could be order numbers: runs of letters, digits and '-' holding a
/// digit, 3 to 24 long. Quoted lines ("> …") and a case number ("case #1042", "[#1042]") are
/// skipped, since the shop's own case numbers look like order numbers.
pub fn order_ref_candidates(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with('>') {
            continue;
        }
        let mut previous: Vec<String> = Vec::new();
        for raw in line.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '#' || c == '[')) {
            if raw.is_empty() {
                continue;
            }
            let tagged = raw.starts_with("[#");
            let token = raw.trim_start_matches(['[', '#']).trim_matches('-').to_lowercase();
            let after_case = previous.iter().rev().take(3).any(|w| w == "case" || w == "ticket");
            if !tagged
                && !after_case
                && (3..=24).contains(&token.chars().count())
                && token.chars().any(|c| c.is_ascii_digit())
                && !out.contains(&token)
            {
                out.push(token.clone());
            }
            previous.push(token);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHOPIFY: &str = "\
Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Billing Name,Billing Street,Billing City,Billing Zip,Billing Country,Shipping Name
#1187,maria.costa@example.com,paid,2026-03-02 10:15:00 +0000,fulfilled,2026-03-03 09:00:00 +0000,no,EUR,42.00,4.90,7.85,46.90,,0.00,Standard,2026-03-02 10:14:31 +0000,2,Blue glazed mug,14.00,,MUG-BL,Maria Costa,Rua das Flores 12,Porto,4050-262,PT,Maria Costa
#1187,maria.costa@example.com,,,,,,,,,,,,,,2026-03-02 10:14:31 +0000,1,Teapot (large),14.00,,TEA-L,,,,,,
#1188,Jan.Novak@Example.cz,refunded,2026-03-04 18:40:00 +0100,unfulfilled,,yes,EUR,1250.00,0.00,0.00,\"1,250.00\",SPRING,0.00,Express,2026-03-04 18:39:02 +0100,1,Dinner set for 12,1250.00,,SET-12,Jan Novák,Václavské 1,Praha,11000,CZ,Jan Novák
";

    const WOO: &str = "\
Order Number,Order Status,Order Date,Customer Note,Billing First Name,Billing Last Name,Billing Email Address,Billing Phone,Order Currency,Order Total Amount,Item Name,Quantity,Tracking Number
5021,Completed,2026-02-11 08:05:12,,Aisha,Rahman,aisha@example.org,+44 20 7946 0018,GBP,39.50,Linen apron,1,JD014600006281234567
5021,Completed,2026-02-11 08:05:12,,Aisha,Rahman,aisha@example.org,+44 20 7946 0018,GBP,39.50,Tea towel,2,JD014600006281234567
5022,Processing,2026-02-12 21:30:00,Please gift wrap,Tom,Becker,tom.becker@example.de,,EUR,\"12,50\",Coaster set,1,
";

    const ETSY: &str = "\
Sale Date,Order ID,Buyer User ID,Full Name,First Name,Last Name,Number of Items,Payment Method,Date Shipped,Street 1,Street 2,Ship City,Ship State,Ship Zipcode,Ship Country,Currency,Order Value,Coupon Code,Coupon Details,Discount Amount,Shipping Discount,Shipping,Sales Tax,Order Total,Status,Card Processing Fees,Order Net,Adjusted Order Total,Adjusted Card Processing Fees,Adjusted Net Order Amount,Buyer,Order Type,Payment Type,InPerson Discount,InPerson Location,SKU
01/15/26,3012345678,ceramicfan88,Lucy Hart,Lucy,Hart,2,Etsy Payments,01/17/26,12 Elm Road,,Leeds,,LS1 4AB,United Kingdom,GBP,28.00,,,0,0,3.50,0,31.50,Completed,1.20,30.30,31.50,1.20,30.30,ceramicfan88,online,online_cc,,,VASE-S
";

    fn tz() -> Tz {
        chrono_tz::Europe::Lisbon
    }

    #[test]
    fn a_shopify_export_is_recognised_and_its_line_items_make_one_order() {
        let file = parse_text(SHOPIFY, None, tz()).expect("read");
        assert_eq!(file.layout, OrderLayout::Shopify);
        assert_eq!(file.lines, 3);
        assert_eq!(file.orders.len(), 2);
        let o = &file.orders[0];
        assert_eq!(o.order_ref, "1187");
        assert_eq!(o.email, "maria.costa@example.com");
        assert_eq!(o.customer_name, "Maria Costa");
        assert_eq!(o.total_cents, Some(4690));
        assert_eq!(o.items, "2 × Blue glazed mug; 1 × Teapot (large)");
        assert_eq!(o.placed_at.map(|t| t.to_rfc3339()), Some("2026-03-02T10:14:31+00:00".into()));
        assert_eq!(file.orders[1].email, "jan.novak@example.cz");
        assert_eq!(file.orders[1].total_cents, Some(125_000));
    }

    #[test]
    fn a_woocommerce_export_is_recognised_with_local_dates_and_comma_decimals() {
        let file = parse_text(WOO, None, tz()).expect("read");
        assert_eq!(file.layout, OrderLayout::Woocommerce);
        assert_eq!(file.orders.len(), 2);
        let o = &file.orders[0];
        assert_eq!((o.order_ref.as_str(), o.customer_name.as_str()), ("5021", "Aisha Rahman"));
        assert_eq!(o.items, "1 × Linen apron; 2 × Tea towel");
        assert_eq!(o.tracking_ref, "JD014600006281234567");
        assert_eq!(o.currency, "GBP");
        // Lisbon is on UTC in February.
        assert_eq!(o.placed_at.map(|t| t.to_rfc3339()), Some("2026-02-11T08:05:12+00:00".into()));
        assert_eq!(file.orders[1].total_cents, Some(1250));
    }

    #[test]
    fn an_etsy_export_is_recognised_without_emails() {
        let file = parse_text(ETSY, None, tz()).expect("read");
        assert_eq!(file.layout, OrderLayout::Etsy);
        let o = &file.orders[0];
        assert_eq!((o.order_ref.as_str(), o.email.as_str(), o.customer_name.as_str()), ("3012345678", "", "Lucy Hart"));
        assert_eq!(o.total_cents, Some(3150));
        assert_eq!(o.placed_at.map(|t| t.date_naive().to_string()), Some("2026-01-15".into()));
    }

    #[test]
    fn an_unknown_layout_needs_a_mapping_and_then_reads() {
        let text = "Ref;Kunde;E-Mail;Datum;Summe\nA-77;Eva Maier;eva@example.at;03.02.2026;19,90\n";
        let err = parse_text(text, None, tz()).expect_err("unknown");
        assert!(err.to_string().contains("pick its columns"), "{err}");
        let guess = guess_columns(&["Ref".into(), "Kunde".into(), "E-Mail".into(), "Datum".into(), "Summe".into()]);
        assert_eq!(guess.email, "E-Mail");
        let columns = OrderColumns {
            order_ref: "Ref".into(),
            name: "Kunde".into(),
            email: "E-Mail".into(),
            placed_at: "Datum".into(),
            total: "Summe".into(),
            ..OrderColumns::default()
        };
        let file = parse_text(text, Some(&columns), tz()).expect("mapped");
        assert_eq!(file.layout, OrderLayout::Mapped);
        assert_eq!(file.orders[0].order_ref, "A-77");
        assert_eq!(file.orders[0].total_cents, Some(1990));
    }

    #[test]
    fn broken_files_name_the_line_and_import_nothing() {
        let ragged = format!("{}\n#1190,x@example.com,paid\n", SHOPIFY.trim_end());
        let err = parse_text(&ragged, None, tz()).expect_err("ragged");
        assert!(err.to_string().starts_with("Line 5 has 3 columns"), "{err}");

        let bad_date = WOO.replace("2026-02-12 21:30:00", "yesterday");
        let err = parse_text(&bad_date, None, tz()).expect_err("date");
        assert!(err.to_string().starts_with("Line 4: \"yesterday\" is not a date"), "{err}");

        let no_ref = WOO.replace("5022,Processing", ",Processing");
        let err = parse_text(&no_ref, None, tz()).expect_err("ref");
        assert!(err.to_string().starts_with("Line 4 has no order number"), "{err}");

        let bad_total = ETSY.replace(",31.50,Completed", ",lots,Completed");
        assert!(parse_text(&bad_total, None, tz()).expect_err("total").to_string().contains("Line 2: \"lots\" is not an amount"));

        let bad_email = WOO.replace("tom.becker@example.de", "tom at home");
        assert!(parse_text(&bad_email, None, tz()).expect_err("email").to_string().contains("Line 4: \"tom at home\""));

        assert!(parse_text("", None, tz()).is_err());
        assert!(parse_text("Order Number,Billing Email\n", None, tz()).expect_err("no rows").to_string().contains("no orders"));
    }

    #[test]
    fn windows_1252_and_a_byte_order_mark_are_read() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(WOO.as_bytes());
        assert_eq!(decode(&bytes), WOO);
        assert_eq!(decode(b"Jos\xE9"), "José");
    }

    #[test]
    fn money_is_read_as_shops_write_it() {
        assert_eq!(parse_money("46.90"), Some(4690));
        assert_eq!(parse_money("1,250.00"), Some(125_000));
        assert_eq!(parse_money("1.250,5"), Some(125_050));
        assert_eq!(parse_money("€ 12,50"), Some(1250));
        assert_eq!(parse_money("12 EUR"), Some(1200));
        assert_eq!(parse_money("-3.00"), Some(-300));
        assert_eq!(parse_money("free"), None);
    }

    #[test]
    fn order_numbers_are_found_in_text_but_not_case_numbers_or_quotes() {
        let text = "Hi, about my order #1187 (and 5022-B).\nYour case number is #1042, ticket 1043.\n> order 9999 quoted\nRe: [#1044]";
        assert_eq!(order_ref_candidates(text), vec!["1187", "5022-b"]);
    }
}
