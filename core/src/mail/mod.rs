//! Reading an email the shop received into what a case's timeline needs: who wrote, when, what,
//! and which conversation it belongs to. Parsing is mail-parser's (any charset, encoded words,
//! multipart; HTML-only mail becomes text). Nothing here fails: a message mail-parser can't
//! understand still becomes an entry, with its raw text and a warning.

pub mod html;
pub mod imap;
pub mod import;
pub mod outgoing;
pub mod smtp;
pub mod worker;

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use mail_parser::{HeaderValue, MessageParser};
use sha2::{Digest, Sha256};

/// How the shop's mail is doing, for the status line and the settings screen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MailStatus {
    /// Emails waiting to be sent (queued, including scheduled ones).
    pub waiting: u32,
    /// Of those, how many failed at least once and are being retried.
    pub retrying: u32,
    /// Emails not sent that need the owner (the server refused them).
    pub held: u32,
    /// The last time mail was fetched without error.
    pub last_fetch_at: Option<DateTime<Utc>>,
    /// Why the last fetch failed, in words for the shop owner (`None`: it worked).
    pub last_fetch_error: Option<String>,
    /// Why the last send failed, if the latest attempt failed.
    pub last_send_error: Option<String>,
}

/// What one fetch from the mailbox (or one import) brought in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FetchReport {
    pub fetched: u32,
    pub new_cases: u32,
    pub added_to_cases: u32,
    /// Already in Shopdesk (same Message-ID): skipped.
    pub duplicates: u32,
    /// Acknowledgements queued for new cases.
    pub acknowledged: u32,
    /// What could not be understood, one line per email, in words for the shop owner.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParsedEmail {
    /// The Message-ID, or `sha256:<hex>` of the raw bytes for mail without one: what makes an
    /// import idempotent.
    pub message_key: String,
    /// In-Reply-To then References, the ids of earlier messages in the conversation.
    pub thread_ids: Vec<String>,
    pub subject: String,
    pub from_name: Option<String>,
    pub from_email: Option<String>,
    pub date: Option<DateTime<Utc>>,
    pub text: String,
    /// Auto-Submitted, Precedence bulk/junk/list, List-Id, mailer-daemon or no-reply senders
    /// (RFC 3834): never to be answered automatically.
    pub auto_generated: bool,
    /// The HTML version, as it came (only when the email really had one).
    pub html: Option<String>,
    pub attachments: Vec<ParsedAttachment>,
    /// What could not be understood, in words for the shop owner.
    pub warnings: Vec<String>,
}

/// A file that came with an email.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedAttachment {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// Attachments above this size are kept, with a warning on the message.
pub const LARGE_ATTACHMENT: usize = 25 * 1024 * 1024;

/// "2.4 MB", for warnings.
pub fn human_size(bytes: usize) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{} KB", b / 1024),
        b => format!("{b} bytes"),
    }
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(id) => vec![id.to_string()],
        HeaderValue::TextList(list) => list.iter().map(|id| id.to_string()).collect(),
        _ => Vec::new(),
    }
}

fn content_key(raw: &[u8]) -> String {
    let digest = Sha256::digest(raw);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

pub fn parse(raw: &[u8]) -> ParsedEmail {
    // Without any of the headers every email has, it is not an email, whatever the parser made of it.
    let looks_like_mail = |m: &mail_parser::Message<'_>| {
        m.from().is_some() || m.subject().is_some() || m.message_id().is_some() || m.date().is_some()
    };
    let Some(message) = MessageParser::default().parse(raw).filter(looks_like_mail) else {
        return ParsedEmail {
            message_key: content_key(raw),
            thread_ids: Vec::new(),
            subject: "(unreadable email)".into(),
            from_name: None,
            from_email: None,
            date: None,
            text: String::from_utf8_lossy(raw).into_owned(),
            auto_generated: false,
            html: None,
            attachments: Vec::new(),
            warnings: vec!["This email could not be read as an email; its raw text is kept as it came.".into()],
        };
    };
    let mut warnings = Vec::new();
    let from = message.from().and_then(|a| a.first());
    let from_email = from.and_then(|a| a.address()).map(|a| a.trim().to_lowercase()).filter(|a| !a.is_empty());
    if from_email.is_none() {
        warnings.push("The email names no sender address.".into());
    }
    let date = message
        .date()
        .and_then(|d| Utc.timestamp_opt(d.to_timestamp(), 0).single());
    if date.is_none() {
        warnings.push("The email has no readable date; the time it was imported is used.".into());
    }
    let text = message.body_text(0).map(|t| t.replace("\r\n", "\n").trim().to_string()).unwrap_or_default();
    let header = |name: &str| message.header_raw(name).map(|v| v.trim().to_lowercase());
    let sender = from_email.clone().unwrap_or_default();
    let auto_generated = header("Auto-Submitted").is_some_and(|v| v != "no")
        || header("Precedence").is_some_and(|v| ["bulk", "junk", "list"].contains(&v.as_str()))
        || header("List-Id").is_some()
        || ["mailer-daemon@", "postmaster@", "no-reply@", "noreply@", "do-not-reply@", "donotreply@"]
            .iter()
            .any(|prefix| sender.starts_with(prefix));
    let html = message
        .html_bodies()
        .filter(|part| part.is_text_html())
        .filter_map(|part| part.text_contents())
        .collect::<Vec<_>>()
        .join("\n");
    let html = (!html.trim().is_empty()).then_some(html);
    let attachments: Vec<ParsedAttachment> = message
        .attachments()
        .enumerate()
        .map(|(i, part)| {
            use mail_parser::MimeHeaders;
            let content_type = part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_string(),
                })
                .unwrap_or_else(|| "application/octet-stream".into())
                .to_lowercase();
            let filename = part
                .attachment_name()
                .map(safe_filename)
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| format!("attachment-{}", i + 1));
            ParsedAttachment { filename, content_type, data: part.contents().to_vec() }
        })
        .collect();
    for a in &attachments {
        if a.data.len() > LARGE_ATTACHMENT {
            warnings.push(format!("A large attachment ({}, {}) came with this email; it is kept.", a.filename, human_size(a.data.len())));
        }
    }
    let mut thread_ids = ids(message.in_reply_to());
    thread_ids.extend(ids(message.references()));
    ParsedEmail {
        message_key: message.message_id().map(str::to_string).unwrap_or_else(|| content_key(raw)),
        thread_ids,
        subject: message.subject().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).unwrap_or_else(|| "(no subject)".into()),
        from_name: from.and_then(|a| a.name()).map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
        from_email,
        date,
        text,
        auto_generated,
        html,
        attachments,
        warnings,
    }
}

/// A file name from an email, without folders or characters that are unsafe on any system.
fn safe_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.chars()
        .map(|c| if c.is_control() || "<>:\"|?*".contains(c) { '_' } else { c })
        .collect::<String>()
        .trim_matches(['.', ' '])
        .chars()
        .take(200)
        .collect()
}

/// The case number tagged in a subject like "Re: Where is my parcel [#1042]".
pub fn case_tag(subject: &str) -> Option<u32> {
    let start = subject.find("[#")? + 2;
    let rest = &subject[start..];
    let end = rest.find(']')?;
    rest[..end].trim().parse().ok()
}

/// A subject without its reply and forward prefixes, for a new case's title.
pub fn clean_subject(subject: &str) -> String {
    let mut s = subject.trim();
    loop {
        let lower = s.to_lowercase();
        let Some(prefix) = ["re:", "fwd:", "fw:", "aw:", "sv:", "wg:"].iter().find(|p| lower.starts_with(*p)) else {
            break;
        };
        s = s[prefix.len()..].trim_start();
    }
    s.to_string()
}

/// The raw emails in `path`: an mbox file, a single .eml file, or a folder of .eml files (in
/// name order). Each item is one email's bytes, or why it could not be read.
pub fn read_mail_source(path: &std::path::Path) -> std::io::Result<Box<dyn Iterator<Item = std::io::Result<Vec<u8>>>>> {
    use std::io::Read;
    if path.is_dir() {
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(path)?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("eml")))
            .collect();
        files.sort();
        return Ok(Box::new(files.into_iter().map(std::fs::read)));
    }
    let mut file = std::fs::File::open(path)?;
    let mut head = [0u8; 5];
    let n = file.read(&mut head)?;
    drop(file);
    if &head[..n] == b"From " {
        let reader = std::io::BufReader::new(std::fs::File::open(path)?);
        let messages = mail_parser::mailbox::mbox::MessageIterator::new(reader);
        return Ok(Box::new(messages.map(|m| m.map(|m| m.unwrap_contents()))));
    }
    Ok(Box::new(std::iter::once(std::fs::read(path))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_customer_email_is_read_with_its_thread_and_sender() {
        let raw = b"From: \"Ana Costa\" <Ana@Example.com>\r\nTo: shop@example.com\r\nSubject: Re: Where is my parcel? [#1042]\r\n\
Date: Wed, 25 Nov 2026 09:00:00 +0000\r\nMessage-ID: <abc@example.com>\r\nIn-Reply-To: <shop-1@example.com>\r\n\
References: <first@example.com> <shop-1@example.com>\r\n\r\nStill nothing arrived.\r\n";
        let got = parse(raw);
        assert_eq!(got.message_key, "abc@example.com");
        assert_eq!(got.thread_ids, vec!["shop-1@example.com", "first@example.com", "shop-1@example.com"]);
        assert_eq!(got.from_email.as_deref(), Some("ana@example.com"));
        assert_eq!(got.from_name.as_deref(), Some("Ana Costa"));
        assert_eq!(got.date, Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).single());
        assert_eq!(got.text, "Still nothing arrived.");
        assert!(!got.auto_generated && got.warnings.is_empty());
        assert_eq!(case_tag(&got.subject), Some(1042));
    }

    #[test]
    fn charsets_and_encoded_words_are_decoded() {
        let raw = b"From: =?UTF-8?B?Q2hsb8OpIE1hcnRpbg==?= <chloe@example.fr>\r\nSubject: =?ISO-8859-1?Q?Th=E9i=E8re_cass=E9e?=\r\n\
Date: Tue, 24 Nov 2026 18:55:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\nLa th=E9i=E8re est arriv=E9e en trois morceaux.\r\n";
        let got = parse(raw);
        assert_eq!(got.from_name.as_deref(), Some("Chloé Martin"));
        assert_eq!(got.subject, "Théière cassée");
        assert_eq!(got.text, "La théière est arrivée en trois morceaux.");
        assert_eq!(got.date, Utc.with_ymd_and_hms(2026, 11, 24, 17, 55, 0).single());
        assert!(got.message_key.starts_with("sha256:"), "no Message-ID: keyed by content");
    }

    #[test]
    fn html_only_mail_becomes_text() {
        let raw = b"From: bo@example.com\r\nSubject: Hi\r\nMessage-ID: <h@x>\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
<html><body><p>Hello <b>shop</b>,</p><script>alert(1)</script><p>my order?</p></body></html>\r\n";
        let got = parse(raw);
        assert!(got.text.contains("Hello shop"), "{}", got.text);
        assert!(got.text.contains("my order?"), "{}", got.text);
        assert!(!got.text.contains("<b>"), "{}", got.text);
    }

    #[test]
    fn robots_are_recognised() {
        let rows: &[(&str, bool)] = &[
            ("From: mailer-daemon@example.com\r\n", true),
            ("From: a@example.com\r\nAuto-Submitted: auto-replied\r\n", true),
            ("From: a@example.com\r\nAuto-Submitted: no\r\n", false),
            ("From: a@example.com\r\nPrecedence: bulk\r\n", true),
            ("From: a@example.com\r\nList-Id: <news.example.com>\r\n", true),
            ("From: No-Reply@shop.example\r\n", true),
            ("From: a@example.com\r\n", false),
        ];
        for (headers, robot) in rows {
            let raw = format!("{headers}Subject: x\r\nMessage-ID: <r@x>\r\n\r\nbody\r\n");
            assert_eq!(parse(raw.as_bytes()).auto_generated, *robot, "{headers}");
        }
    }

    #[test]
    fn what_is_not_an_email_is_kept_with_a_warning() {
        let raw = b"\x00\x01 this is not mail at all \xff\xfe";
        let got = parse(raw);
        assert_eq!(got.subject, "(unreadable email)");
        assert!(got.text.contains("this is not mail at all"));
        assert_eq!(got.warnings.len(), 1);
        assert!(got.message_key.starts_with("sha256:"));
    }

    #[test]
    fn subjects_lose_reply_prefixes_and_tags_are_found() {
        assert_eq!(clean_subject("Re: RE: Fwd: Where is my parcel?"), "Where is my parcel?");
        assert_eq!(case_tag("Re: Parcel [#1001]"), Some(1001));
        assert_eq!(case_tag("Order [#abc]"), None);
        assert_eq!(case_tag("No tag"), None);
    }
}
