//! Normalising what people type, so that one customer is found however their email or phone
//! number was written: `Ana@Example.COM ` is `ana@example.com`, `0044 (20) 7946-0958` is
//! `+442079460958`.

use crate::error::{Error, Result};

/// Lower-cases and trims an email address and checks that it has the shape `local@domain.tld`.
pub fn email(raw: &str) -> Result<String> {
    let email = raw.trim().trim_start_matches("mailto:").to_lowercase();
    let invalid = || Error::InvalidEmail(raw.trim().to_string());
    let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    if domain_ok && local_ok && email.len() <= 254 {
        Ok(email)
    } else {
        Err(invalid())
    }
}

/// Keeps the digits of a phone number and a leading `+` (an international `00` prefix becomes
/// `+`). Spaces, dashes, dots, slashes and brackets are dropped; anything else is refused.
/// Numbers without a country code are kept as written: Shopdesk does not guess the country.
pub fn phone(raw: &str) -> Result<String> {
    let trimmed = raw.trim();
    let invalid = || Error::InvalidPhone(trimmed.to_string());
    let mut out = String::with_capacity(trimmed.len());
    for (i, c) in trimmed.chars().enumerate() {
        match c {
            '0'..='9' => out.push(c),
            '+' if i == 0 => out.push('+'),
            ' ' | '-' | '.' | '/' | '(' | ')' | '\u{a0}' => {}
            _ => return Err(invalid()),
        }
    }
    if let Some(rest) = out.strip_prefix("00") {
        out = format!("+{rest}");
    }
    let digits = out.trim_start_matches('+').len();
    if (5..=17).contains(&digits) {
        Ok(out)
    } else {
        Err(invalid())
    }
}

/// How many digits of an international number (its digits after the `+`) are the country's
/// calling code. Calling codes are prefix-free (ITU-T E.164): 1 and 7 stand alone, these
/// two-digit codes are assigned, and every other code has three digits.
pub fn country_code_len(international: &str) -> usize {
    const TWO_DIGITS: [&str; 44] = [
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49", "51", "52", "53", "54",
        "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    ];
    if international.starts_with('1') || international.starts_with('7') {
        1
    } else if TWO_DIGITS.iter().any(|code| international.starts_with(code)) {
        2
    } else {
        3
    }
}

/// The other ways the phone number in `query` may have been stored, for search: a number typed
/// as dialled at home (`07700 900123`) is stored as `+447700900123` when it came from an order
/// or a signature, and the other way round. Shopdesk does not know the shop's country, so: a
/// leading `0` (the trunk prefix of most countries) dropped; or, for an international number,
/// its digits after the country's calling code, as they are and with a `0` before them (Italy's
/// numbers keep their own). At least 7 digits stay, so a short query matches nothing new.
/// Empty for anything that isn't such a number.
pub fn phone_variants(query: &str) -> Vec<String> {
    let Ok(number) = phone(query) else { return Vec::new() };
    let mut out = Vec::new();
    if let Some(international) = number.strip_prefix('+') {
        let national = &international[country_code_len(international).min(international.len())..];
        if national.len() >= 7 {
            out.push(national.to_string());
            if !national.starts_with('0') {
                out.push(format!("0{national}"));
            }
        }
    } else if let Some(national) = number.strip_prefix('0') {
        if national.len() >= 7 && !national.starts_with('0') {
            out.push(national.to_string());
        }
    }
    out
}

/// Trims tags, folds them to lower case, drops empty ones and duplicates, keeps the order.
pub fn tags(raw: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tag in raw {
        let tag = tag.trim().to_lowercase();
        if !tag.is_empty() && !out.contains(&tag) {
            out.push(tag);
        }
    }
    out
}

/// A person's name as shown: control characters (a NUL, a tab from a broken header) become
/// spaces, runs of spaces one, trimmed. `None` when nothing is left.
pub fn display_name(raw: &str) -> Option<String> {
    let name = raw.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>();
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::display_name;

    #[test]
    fn names_lose_control_characters_and_extra_spaces() {
        assert_eq!(display_name("  Ana\u{0}  Costa\t"), Some("Ana Costa".into()));
        assert_eq!(display_name("\u{0}\r\n "), None);
    }

    use super::*;

    #[test]
    fn emails_are_trimmed_lowercased_and_checked() {
        let cases: &[(&str, Option<&str>)] = &[
            ("ana@example.com", Some("ana@example.com")),
            ("  Ana.Costa@Example.COM ", Some("ana.costa@example.com")),
            ("mailto:bo+shop@mail.co.uk", Some("bo+shop@mail.co.uk")),
            ("ana@", None),
            ("@example.com", None),
            ("ana@example", None),
            ("ana@@example.com", None),
            ("ana costa@example.com", None),
            ("ana..c@example.com", None),
            ("ana@example..com", None),
            ("ana@-example.com", None),
            ("", None),
        ];
        for (raw, want) in cases {
            match (email(raw), want) {
                (Ok(got), Some(want)) => assert_eq!(&got, want, "{raw:?}"),
                (Err(Error::InvalidEmail(shown)), None) => assert_eq!(shown, raw.trim()),
                (got, want) => panic!("{raw:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn phones_keep_digits_and_a_leading_plus() {
        let cases: &[(&str, Option<&str>)] = &[
            ("+351 912 345 678", Some("+351912345678")),
            ("0044 (20) 7946-0958", Some("+442079460958")),
            ("020 7946 0958", Some("02079460958")),
            ("06.12.34.56.78", Some("0612345678")),
            ("1234", None),
            ("12345678901234567890", None),
            ("+351 91x 345", None),
            ("91 + 345 678", None),
            ("", None),
        ];
        for (raw, want) in cases {
            match (phone(raw), want) {
                (Ok(got), Some(want)) => assert_eq!(&got, want, "{raw:?}"),
                (Err(Error::InvalidPhone(_)), None) => {}
                (got, want) => panic!("{raw:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn a_phone_number_may_be_stored_in_its_local_or_international_form() {
        assert_eq!(phone_variants("07700 900123"), ["7700900123"]);
        assert_eq!(phone_variants("+44 7700 900123"), ["7700900123", "07700900123"], "44 is the UK's code, not 4 or 447");
        assert_eq!(phone_variants("+1 415 555 0100"), ["4155550100", "04155550100"]);
        assert_eq!(phone_variants("+351 912 345 678"), ["912345678", "0912345678"]);
        // Italy keeps its 0 after the country code: +39 06 1234 5678 is dialled 06 1234 5678.
        assert_eq!(phone_variants("0039 06 1234 5678"), ["0612345678"]);
        assert!(phone_variants("612 345").is_empty(), "too short to be a whole number");
        assert!(phone_variants("ana").is_empty());
        assert!(phone_variants("0800 12").is_empty());
    }

    #[test]
    fn tags_are_folded_and_deduplicated_in_order() {
        let raw = vec![" VIP ".to_string(), "".into(), "wholesale".into(), "vip".into()];
        assert_eq!(tags(&raw), vec!["vip".to_string(), "wholesale".to_string()]);
    }
}
