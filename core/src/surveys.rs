//! After-sales follow-up: a short "how satisfied were you, from 1 to 5?" email some days after
//! a case is solved, and the rating read back from the customer's answer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub const DEFAULT_SURVEY_TEXT: &str = "Hello {customer.first_name},\n\nYour case {case.number} ({case.subject}) was \
solved a few days ago, and we would like to know how we did. How satisfied are you with our help? Please reply \
with a number from 1 (not at all) to 5 (very satisfied); a few words are welcome too.\n\nThank you,\n{shop.name}";

pub const DEFAULT_ORDER_SURVEY_TEXT: &str = "Hello {customer.first_name},\n\nYour order {order.ref} should have reached \
you a few days ago. How satisfied are you with it, and with us? Please reply with a number from 1 (not at all) to 5 \
(very satisfied); a few words are welcome too. If anything is wrong with the order, just tell us in your reply.\n\n\
Thank you,\n{shop.name}";

/// The satisfaction check's settings (stored as a setting; off until the owner turns it on).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct SurveySettings {
    pub enabled: bool,
    /// Days after a case is solved.
    pub days_after_solved: u32,
    /// Never more than one survey per customer in this many days.
    pub period_days: u32,
    /// The email's text (saved-reply placeholders work here).
    pub text: String,
    /// When surveys were turned on: cases solved before then are never asked about.
    pub enabled_since: Option<DateTime<Utc>>,
    /// Also ask this many days after an order was placed (`None`: not after orders). Only
    /// orders placed after surveys were turned on, with an email address.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_after_order: Option<u32>,
    /// The text of the check after an order.
    pub order_text: String,
}

impl Default for SurveySettings {
    fn default() -> Self {
        SurveySettings {
            enabled: false,
            days_after_solved: 3,
            period_days: 90,
            text: DEFAULT_SURVEY_TEXT.into(),
            enabled_since: None,
            days_after_order: None,
            order_text: DEFAULT_ORDER_SURVEY_TEXT.into(),
        }
    }
}

/// A rating read from a reply, and the customer's own words beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadRating {
    pub rating: u8,
    pub comment: String,
}

/// The customer's own part of a reply: above the quoted text ("> …", "On … wrote:", a
/// forwarded or original-message divider) and the signature dashes.
pub fn own_text(body: &str) -> String {
    let mut kept = Vec::new();
    for line in body.lines() {
        let t = line.trim();
        let lower = t.to_lowercase();
        if t.starts_with('>')
            || t == "--"
            || lower.starts_with("-----original message")
            || lower.starts_with("---------- forwarded")
            || (lower.starts_with("on ") && lower.ends_with("wrote:"))
            || (lower.starts_with("am ") && lower.ends_with("schrieb:"))
            || (lower.starts_with("le ") && lower.ends_with("a écrit :"))
            || (lower.starts_with("from:") && !kept.is_empty())
        {
            break;
        }
        kept.push(line);
    }
    kept.join("\n").trim().to_string()
}

const WORDS: &[(&str, u8)] = &[("one", 1), ("two", 2), ("three", 3), ("four", 4), ("five", 5)];

/// Reads a rating from 1 to 5 out of a reply, or `None` when it holds none (or an unclear
/// one: two different numbers, "10", "2026"). Understands "5", "4/5", "4 out of 5",
/// "5 stars", "★★★★☆", "five".
pub fn read_rating(body: &str) -> Option<ReadRating> {
    let text = own_text(body);
    let comment_of = |text: &str| text.trim().to_string();
    // Stars first: "★★★★☆" is four.
    let stars = text.chars().filter(|c| *c == '★' || *c == '⭐').count();
    if (1..=5).contains(&stars) {
        return Some(ReadRating { rating: stars as u8, comment: comment_of(&text) });
    }
    let lower = text.to_lowercase();
    let tokens: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '/' || c == '.' || c == ','))
        .map(|t| t.trim_end_matches(['.', ',']))
        .filter(|t| !t.is_empty())
        .collect();
    let mut found: Vec<u8> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let next = tokens.get(i + 1).copied().unwrap_or("");
        let next2 = tokens.get(i + 2).copied().unwrap_or("");
        let rating = if let Some((a, b)) = token.split_once('/') {
            // "4/5" counts; "10/10" is a five; a date like "12/03" is not a rating.
            match (a.parse::<u32>(), b.parse::<u32>()) {
                (Ok(a), Ok(5)) if (1..=5).contains(&a) => Some(a as u8),
                (Ok(a), Ok(10)) if (1..=10).contains(&a) => Some(a.div_ceil(2) as u8),
                _ => None,
            }
        } else if let Ok(n) = token.parse::<u32>() {
            let out_of_ten = (next == "out" && next2 == "of" && tokens.get(i + 3) == Some(&"10")) || (next == "of" && next2 == "10");
            if out_of_ten && (1..=10).contains(&n) {
                Some(n.div_ceil(2) as u8)
            } else if (1..=5).contains(&n) {
                Some(n as u8)
            } else {
                None
            }
        } else {
            WORDS.iter().find(|(w, _)| w == token).filter(|_| matches!(next, "" | "star" | "stars" | "out" | "of")).map(|(_, n)| *n)
        };
        if let Some(r) = rating {
            // "4 out of 5": the 5 is the scale, not a second rating.
            let scale = i >= 2 && (tokens[i - 1] == "of") && (*token == "5" || *token == "10" || *token == "five");
            if !scale {
                found.push(r);
            }
        }
    }
    found.dedup();
    match found.as_slice() {
        [one] => Some(ReadRating { rating: *one, comment: comment_of(&text) }),
        _ => None,
    }
}

/// Whether an answer with this rating needs the owner: a low score or a question reopens the
/// case; a good score with thanks is recorded without bringing it back to the queue.
pub fn needs_the_owner(rating: &ReadRating) -> bool {
    rating.rating <= 2 || rating.comment.contains('?')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rating(body: &str) -> Option<u8> {
        read_rating(body).map(|r| r.rating)
    }

    #[test]
    fn plain_numbers_and_scales_are_read() {
        assert_eq!(rating("5"), Some(5));
        assert_eq!(rating("5!\n\nThanks so much, the new mug is perfect."), Some(5));
        assert_eq!(rating("I'd say 4/5, delivery was a bit slow."), Some(4));
        assert_eq!(rating("4 out of 5"), Some(4));
        assert_eq!(rating("3 of 5 - ok"), Some(3));
        assert_eq!(rating("5 stars, would buy again"), Some(5));
        assert_eq!(rating("★★★★☆ very happy"), Some(4));
        assert_eq!(rating("Five stars!"), Some(5));
        assert_eq!(rating("9/10"), Some(5));
        assert_eq!(rating("8 out of 10"), Some(4));
    }

    #[test]
    fn the_quoted_survey_below_is_not_the_answer() {
        let reply = "4, thank you\n\nOn Tue, 3 Mar 2026 at 10:00, Costa Ceramics <shop@example.com> wrote:\n\
                     > Please reply with a number from 1 (not at all) to 5 (very satisfied)";
        let r = read_rating(reply).expect("read");
        assert_eq!(r.rating, 4);
        assert_eq!(r.comment, "4, thank you");
        // Without the quote-header line, the '>' lines are skipped too.
        assert_eq!(rating("2\n> reply with a number from 1 to 5"), Some(2));
    }

    #[test]
    fn replies_without_a_clear_rating_give_none() {
        assert_eq!(rating("Thanks, all good now."), None);
        assert_eq!(rating("My order 1187 arrived on 2026-03-04"), None);
        assert_eq!(rating("somewhere between 3 and 4"), None);
        assert_eq!(rating(""), None);
        assert_eq!(rating("> 5\n"), None);
    }

    #[test]
    fn a_low_score_or_a_question_needs_the_owner() {
        assert!(needs_the_owner(&read_rating("1 - the replacement broke too").expect("read")));
        assert!(needs_the_owner(&read_rating("4 but when will the lid arrive?").expect("read")));
        assert!(!needs_the_owner(&read_rating("5, lovely").expect("read")));
    }
}
