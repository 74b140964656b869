//! Saved replies: the shop's answers to what it is asked every week, with placeholders filled
//! from the case when one is inserted in the composer.
//!
//! A placeholder with no value (a case with no order number) stays in the text as it was
//! written, `{order.ref}`, so the owner sees the gap; the store refuses to send a reply that
//! still holds one, so a customer never gets "your order  has shipped".

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Every placeholder a saved reply may use, with what it stands for (shown in the editor).
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("customer.first_name", "the customer's first name"),
    ("customer.name", "the customer's full name"),
    ("case.number", "the case number, like #1042"),
    ("case.subject", "the case's subject"),
    ("order.ref", "the order number on the case"),
    ("tracking.ref", "the parcel's tracking number on the case"),
    ("shop.name", "the shop's name (the sender name of the mail account)"),
    ("promised_by", "when the customer hears from you next (the case's reminder)"),
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SavedReply {
    pub id: String,
    pub title: String,
    pub body: String,
    pub position: u32,
    pub updated_at: DateTime<Utc>,
}

/// What the owner types to add or change a saved reply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct NewSavedReply {
    pub title: String,
    pub body: String,
}

/// A saved reply filled in for one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FilledReply {
    pub text: String,
    /// Placeholders left in `text` because the case has no value for them ("order.ref").
    pub missing: Vec<String>,
}

/// The values a case offers; an empty string counts as missing.
#[derive(Debug, Clone, Default)]
pub struct TemplateValues {
    pub customer_name: String,
    pub case_number: Option<u32>,
    pub case_subject: String,
    pub order_ref: String,
    pub tracking_ref: String,
    pub shop_name: String,
    /// Already worded for the customer ("Friday 28 November").
    pub promised_by: String,
}

impl TemplateValues {
    fn value(&self, name: &str) -> Option<String> {
        let v = match name {
            "customer.first_name" => self.customer_name.split_whitespace().next().unwrap_or("").to_string(),
            "customer.name" => self.customer_name.trim().to_string(),
            "case.number" => self.case_number.map(|n| format!("#{n}")).unwrap_or_default(),
            "case.subject" => self.case_subject.trim().to_string(),
            "order.ref" => self.order_ref.trim().to_string(),
            "tracking.ref" => self.tracking_ref.trim().to_string(),
            "shop.name" => self.shop_name.trim().to_string(),
            "promised_by" => self.promised_by.trim().to_string(),
            _ => return None,
        };
        Some(v)
    }
}

/// The `{` that opens the next brace pair: in "{ {order.ref}" the second one, so a stray brace
/// before a placeholder can't hide it.
fn innermost_open(text: &str) -> Option<usize> {
    let first = text.find('{')?;
    let close = text[first..].find('}').map(|c| first + c).unwrap_or(text.len());
    text[first..close].rfind('{').map(|i| first + i)
}

fn is_placeholder(name: &str) -> bool {
    PLACEHOLDERS.iter().any(|(p, _)| *p == name)
}

/// Every known placeholder written in `text` (in order, once each). Braces around anything
/// else ("{not one}") are the owner's text and left alone.
pub fn placeholders_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = innermost_open(rest) {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = after[..close].trim();
                if is_placeholder(name) && !found.iter().any(|f: &String| f == name) {
                    found.push(name.to_string());
                }
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    found
}

/// Fills the placeholders of `text`; those without a value stay as written and are listed.
pub fn fill(text: &str, values: &TemplateValues) -> FilledReply {
    let mut out = String::with_capacity(text.len());
    let mut missing: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(open) = innermost_open(rest) {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let written = &rest[open..open + close + 2];
        let name = after[..close].trim();
        match values.value(name) {
            Some(v) if !v.is_empty() => out.push_str(&v),
            Some(_) => {
                out.push('{');
                out.push_str(name);
                out.push('}');
                if !missing.iter().any(|m| m == name) {
                    missing.push(name.to_string());
                }
            }
            None => out.push_str(written),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    FilledReply { text: out, missing }
}

/// The starter set, from shop practice: (title, body).
pub const STARTER_SET: &[(&str, &str)] = &[
    (
        "We got your message",
        "Hello {customer.first_name},\n\nThank you for your message. We have received it and your case number is \
{case.number}. We will answer you in full shortly.\n\nKind regards,\n{shop.name}",
    ),
    (
        "Still working on it",
        "Hello {customer.first_name},\n\nA quick note on your case {case.number}: we are still working on it and \
have not forgotten you. You will hear from us again by {promised_by}, even if there is no news by then.\n\n\
Kind regards,\n{shop.name}",
    ),
    (
        "Return instructions (customer's choice)",
        "Hello {customer.first_name},\n\nYou are welcome to return order {order.ref}. Please pack the item \
securely, include a note with your case number {case.number}, and send it to the address on our website. \
The return postage is yours to arrange; we recommend a tracked service. We will refund you as soon as the \
parcel reaches us.\n\nKind regards,\n{shop.name}",
    ),
    (
        "Replacement or refund (our fault)",
        "Hello {customer.first_name},\n\nWe are sorry: the problem with order {order.ref} is our fault. We can \
send you a replacement or refund you in full, whichever you prefer; just reply to let us know. You do not \
need to pay for anything, and if the item has to come back we will send you a prepaid label.\n\n\
Kind regards,\n{shop.name}",
    ),
    (
        "Delivery investigation with the courier",
        "Hello {customer.first_name},\n\nWe are sorry your parcel (tracking {tracking.ref}) has not arrived as it \
should. We have opened an investigation with the courier for order {order.ref}. Couriers usually answer \
within a few working days; we will update you by {promised_by} at the latest, and if the parcel is lost we \
will send a replacement or refund you.\n\nKind regards,\n{shop.name}",
    ),
    (
        "Payment declined",
        "Hello {customer.first_name},\n\nThe payment for order {order.ref} did not go through; your bank or card \
provider declined it, and no money was taken. You can try again with the same card, use another one, or \
reply to this email and we will send you a payment link.\n\nKind regards,\n{shop.name}",
    ),
    (
        "Refund policy and terms",
        "Hello {customer.first_name},\n\nThank you for asking. You can return any unused item within 30 days of \
delivery for a full refund of the item's price. Items that arrive damaged or faulty are refunded or \
replaced at our cost. Refunds are made to the original payment method within 5 working days of the return \
reaching us. Our full terms are on our website.\n\nKind regards,\n{shop.name}",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> TemplateValues {
        TemplateValues {
            customer_name: "Maria Costa".into(),
            case_number: Some(1042),
            case_subject: "Broken mug".into(),
            order_ref: "1187".into(),
            tracking_ref: String::new(),
            shop_name: "Costa Ceramics".into(),
            promised_by: String::new(),
        }
    }

    #[test]
    fn placeholders_are_filled_from_the_case() {
        let f = fill("Hello {customer.first_name}, case {case.number}, order {order.ref}. {shop.name}", &values());
        assert_eq!(f.text, "Hello Maria, case #1042, order 1187. Costa Ceramics");
        assert!(f.missing.is_empty());
    }

    #[test]
    fn a_missing_value_stays_visible_and_is_listed_once() {
        let f = fill("Tracking {tracking.ref}; again { tracking.ref }; by {promised_by}.", &values());
        assert_eq!(f.text, "Tracking {tracking.ref}; again {tracking.ref}; by {promised_by}.");
        assert_eq!(f.missing, vec!["tracking.ref".to_string(), "promised_by".to_string()]);
    }

    #[test]
    fn other_braces_and_unclosed_ones_are_the_owners_text() {
        let f = fill("A {smile} and {customer.first_name} and an open { brace", &values());
        assert_eq!(f.text, "A {smile} and Maria and an open { brace");
        assert!(f.missing.is_empty());
        assert_eq!(placeholders_in("{smile} {order.ref} {order.ref} {case.number}"), vec!["order.ref", "case.number"]);
        // A stray brace before a placeholder does not hide it.
        assert_eq!(placeholders_in("a { {order.ref} b"), vec!["order.ref"]);
        let f = fill("a { {tracking.ref} and {customer.first_name}", &values());
        assert_eq!((f.text.as_str(), f.missing.clone()), ("a { {tracking.ref} and Maria", vec!["tracking.ref".to_string()]));
    }

    #[test]
    fn a_contact_without_a_name_leaves_the_first_name_visible() {
        let v = TemplateValues { customer_name: "  ".into(), ..values() };
        let f = fill("Hello {customer.first_name},", &v);
        assert_eq!(f.text, "Hello {customer.first_name},");
        assert_eq!(f.missing, vec!["customer.first_name"]);
    }

    #[test]
    fn the_starter_set_uses_only_known_placeholders() {
        for (title, body) in STARTER_SET {
            let mut rest = *body;
            while let Some(open) = rest.find('{') {
                let close = rest[open..].find('}').map(|c| open + c).expect("closed brace");
                assert!(is_placeholder(&rest[open + 1..close]), "{title}: {}", &rest[open..=close]);
                rest = &rest[close + 1..];
            }
        }
        assert_eq!(STARTER_SET.len(), 7);
    }
}
