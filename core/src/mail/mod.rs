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
use mail_parser::{HeaderValue, MessageParser, PartType};
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

/// How far a fetch from the mailbox is, for a progress bar: emails handed over to be filed, of
/// those the folder held when a first look at it began (`total` 0: a later fetch, not counted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FetchProgress {
    pub done: u32,
    pub total: u32,
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
    /// How many of `thread_ids`, from the first, are In-Reply-To's: the message this one answers.
    pub in_reply_to_ids: usize,
    pub subject: String,
    pub from_name: Option<String>,
    pub from_email: Option<String>,
    /// Where answers should go, when not to the sender (a contact form's Reply-To).
    pub reply_to_name: Option<String>,
    pub reply_to_email: Option<String>,
    /// The first recipient (for the shop's own sent mail: the customer).
    pub to_name: Option<String>,
    pub to_email: Option<String>,
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
    /// The SHA-256 of `data` in hex: the name the file is stored under. Computed as the email
    /// is read (an import's reading thread), not while the store is held.
    pub hash: String,
}

impl ParsedAttachment {
    pub fn new(filename: String, content_type: String, data: Vec<u8>) -> ParsedAttachment {
        let hash = sha256_hex(&data);
        ParsedAttachment { filename, content_type, data, hash }
    }
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
    // The same email from an mbox (which keeps a blank separator line) or an .eml: one key.
    format!("sha256:{}", sha256_hex(raw.trim_ascii_end()))
}

/// The SHA-256 of `data`, in lowercase hex.
fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// The file name the original of a damaged email is kept under, on its message.
pub const ORIGINAL_FILENAME: &str = "original-email.eml";

/// Reads an email. Nothing is ever refused: what can't be understood is shown as it came, and
/// an email that was damaged (unreadable, parts that can't be told apart, a part that can't be
/// decoded) also keeps its exact bytes as an attachment, [`ORIGINAL_FILENAME`].
pub fn parse(raw: &[u8]) -> ParsedEmail {
    let mut email = parse_email(raw);
    if email.warnings.iter().any(|w| w.contains("could not")) {
        email.attachments.push(ParsedAttachment::new(ORIGINAL_FILENAME.into(), "message/rfc822".into(), raw.to_vec()));
    }
    email
}

fn parse_email(raw: &[u8]) -> ParsedEmail {
    // Without any of the headers every email has, it is not an email, whatever the parser made of it.
    let looks_like_mail = |m: &mail_parser::Message<'_>| {
        m.from().is_some() || m.subject().is_some() || m.message_id().is_some() || m.date().is_some()
    };
    let Some(message) = MessageParser::default().parse(raw).filter(looks_like_mail) else {
        return ParsedEmail {
            message_key: content_key(raw),
            thread_ids: Vec::new(),
            in_reply_to_ids: 0,
            subject: "(unreadable email)".into(),
            from_name: None,
            from_email: None,
            to_name: None,
            to_email: None,
            reply_to_name: None,
            reply_to_email: None,
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
    // A date that names no real day ("31 Feb 25:61") would roll over into another: refused.
    let real = |d: &&mail_parser::DateTime| {
        chrono::NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())
            .and_then(|day| day.and_hms_opt(d.hour.into(), d.minute.into(), d.second.into()))
            .is_some()
    };
    let date = message
        .date()
        .filter(real)
        .and_then(|d| Utc.timestamp_opt(d.to_timestamp(), 0).single());
    if date.is_none() {
        warnings.push("The email has no readable date; the time it was imported is used.".into());
    }
    // Every inline text part, in order (a photo in the middle of a message splits its text).
    let mut text = message
        .text_bodies()
        .filter_map(|part| match &part.body {
            PartType::Text(t) => Some(t.to_string()),
            PartType::Html(h) => Some(html_text(h)),
            _ => None,
        })
        .map(|t| t.replace("\r\n", "\n").trim().to_string())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");

    let header = |name: &str| message.header_raw(name).map(|v| v.trim().to_lowercase());
    let sender = from_email.clone().unwrap_or_default();
    let auto_generated = header("Auto-Submitted").is_some_and(|v| v != "no")
        || header("Precedence").is_some_and(|v| ["bulk", "junk", "list"].contains(&v.as_str()))
        || header("List-Id").is_some()
        || header("List-Unsubscribe").is_some()
        || header("Precedence").is_some_and(|v| v == "auto_reply")
        || header("Return-Path").is_some_and(|v| v == "<>")
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
            // mail-parser gives up on base64 that runs to the end of a damaged email and hands
            // back the encoded text; most of the time it decodes fine as it is.
            let data = (part.is_encoding_problem && is_base64(part)).then(|| lenient_base64(part.contents())).flatten();
            ParsedAttachment::new(filename, content_type, data.unwrap_or_else(|| part.contents().to_vec()))
        })
        .collect();
    // No text, and nothing but text or unreadable structure as "attachments" (a multipart whose
    // boundary never appears): the customer's words are in there; show them as they came.
    let only_structure = attachments.iter().all(|a| a.content_type.starts_with("multipart/") || a.content_type.starts_with("text/"));
    if text.is_empty() && only_structure {
        if let Some(body) = raw_body(raw).filter(|b| !b.trim().is_empty()) {
            warnings.push("The parts of this email could not be told apart; its text is shown as it came.".into());
            text = body.trim().to_string();
        }
    }
    for (part, stored) in message.attachments().zip(attachments.iter()).filter(|(p, _)| p.is_encoding_problem) {
        if is_base64(part) && lenient_base64(part.contents()).is_some() {
            continue;
        }
        warnings.push(format!("{} could not be fully decoded (the email is damaged); it is kept as it came.", stored.filename));
    }
    for a in &attachments {
        if a.data.len() > LARGE_ATTACHMENT {
            warnings.push(format!("A large attachment ({}, {}) came with this email; it is kept.", a.filename, human_size(a.data.len())));
        }
    }
    let mut thread_ids = ids(message.in_reply_to());
    let in_reply_to_ids = thread_ids.len();
    thread_ids.extend(ids(message.references()));
    let mut subject = message.subject().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let mut from_name = from.and_then(|a| a.name()).map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if subject.as_deref().is_some_and(|s| s.contains('\u{FFFD}')) {
        subject = raw_header_8bit(raw, "Subject").or(subject);
    }
    if from_name.as_deref().is_some_and(|s| s.contains('\u{FFFD}')) {
        from_name = raw_header_8bit(raw, "From")
            .and_then(|f| f.split('<').next().map(|n| n.trim().trim_matches('"').trim().to_string()))
            .filter(|n| !n.is_empty())
            .or(from_name);
    }
    let to = message.to().and_then(|a| a.first());
    let to_email = to.and_then(|a| a.address()).map(|a| a.trim().to_lowercase()).filter(|a| !a.is_empty());
    let to_name = to.and_then(|a| a.name()).map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    let reply_to = message.reply_to().and_then(|a| a.first());
    let reply_to_email = reply_to
        .and_then(|a| a.address())
        .map(|a| a.trim().to_lowercase())
        .filter(|a| !a.is_empty() && Some(a) != from_email.as_ref());
    let reply_to_name = reply_to.and_then(|a| a.name()).map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    ParsedEmail {
        to_email,
        to_name,
        reply_to_email,
        reply_to_name,
        message_key: message.message_id().map(str::to_string).unwrap_or_else(|| content_key(raw)),
        thread_ids,
        in_reply_to_ids,
        subject: subject.unwrap_or_else(|| "(no subject)".into()),
        from_name,
        from_email,
        date,
        text,
        auto_generated,
        html,
        attachments,
        warnings,
    }
}

/// A file name from an email, without folders or characters that are unsafe on any system: no
/// path, no control characters, no leading dot (a hidden file), not a Windows device name (`CON`,
/// `nul.txt`: `_CON`), and at most 200 bytes (the extension kept), so that the save dialog can
/// offer it as it is on Windows, macOS and Linux.
fn safe_filename(name: &str) -> String {
    const MAX_BYTES: usize = 200;
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().map(|c| if c.is_control() || "<>:\"|?*".contains(c) { '_' } else { c }).collect();
    let mut name = cleaned.trim_matches(['.', ' ']).to_string();
    let stem = name.split('.').next().unwrap_or_default().trim_end().to_ascii_uppercase();
    let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit());
    if device {
        name.insert(0, '_');
    }
    if name.len() > MAX_BYTES {
        let extension = name.rfind('.').map(|at| name[at..].to_string()).filter(|e| e.len() <= 16).unwrap_or_default();
        let mut cut = MAX_BYTES - extension.len();
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        name = format!("{}{extension}", name[..cut].trim_end_matches(['.', ' ']));
    }
    name
}

/// HTML as readable text. Scripts and styles go first (with their content, whatever their
/// attributes), then mail-parser turns what is left into text.
fn html_text(html: &str) -> String {
    let cleaned = ammonia::Builder::default().clean(html).to_string();
    mail_parser::decoders::html::html_to_text(&cleaned)
}

/// Where the headers end and where the body starts (after the blank line, CRLF or LF).
fn split_head(raw: &[u8]) -> Option<(usize, usize)> {
    raw.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, i + 4))
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|i| (i, i + 2)))
}

/// A header's value from the raw bytes, read as Windows-1252 when it is not UTF-8: old mail
/// programs put raw Latin-1 in headers, which mail-parser reads as UTF-8 and loses.
fn raw_header_8bit(raw: &[u8], name: &str) -> Option<String> {
    let (end, _) = split_head(raw)?;
    let head = &raw[..end];
    let mut value: Option<Vec<u8>> = None;
    for line in head.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        match &mut value {
            Some(v) if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') => v.extend_from_slice(line),
            Some(_) => break,
            None => {
                let prefix = format!("{}:", name.to_ascii_lowercase());
                if line.len() > prefix.len() && line[..prefix.len()].to_ascii_lowercase() == prefix.as_bytes() {
                    value = Some(line[prefix.len()..].to_vec());
                }
            }
        }
    }
    let value = value?;
    if std::str::from_utf8(&value).is_ok() {
        return None;
    }
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&value);
    Some(text.trim().to_string())
}

fn is_base64(part: &mail_parser::MessagePart<'_>) -> bool {
    use mail_parser::MimeHeaders;
    part.content_transfer_encoding().is_some_and(|e| e.trim().eq_ignore_ascii_case("base64"))
}

/// Base64 with the line breaks and any trailing junk (a cut-off final line) left out.
fn lenient_base64(encoded: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    let mut clean: Vec<u8> = encoded
        .iter()
        .copied()
        .take_while(|b| *b != b'-') // a stray boundary line
        .filter(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
        .collect();
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new().with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    engine.decode(&clean).ok().or_else(|| {
        clean.truncate(clean.len() / 4 * 4);
        engine.decode(&clean).ok()
    })
}

/// What follows the headers, for a message whose structure could not be read.
fn raw_body(raw: &[u8]) -> Option<String> {
    let (_, at) = split_head(raw)?;
    Some(String::from_utf8_lossy(&raw[at..]).replace("\r\n", "\n"))
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

/// A reply's own text when the rest of it is a quote at its end: the lines above a trailing
/// block of quoted lines ("> …", ">> …", a bare ">"; blank lines between them) and above the
/// short line that introduces the quote ("On … wrote:", "Am … schrieb:", any line of up to 160
/// characters ending in a colon that does not follow a quoted line), with the space before it
/// trimmed. The block must be introduced so, or be at least two quoted lines: a customer's own
/// last line that happens to start with ">" ("> 50 EUR back, please", ">_<") is kept. `None`
/// when the text does not end in such a quote, or nothing of its own stands above it. An answer
/// written between quoted lines keeps them: only what follows its last own line is cut.
pub fn above_trailing_quote(text: &str) -> Option<&str> {
    let is_quote = |line: &str| {
        let rest = line.trim_start_matches('>');
        line.starts_with('>') && (line.starts_with(">>") || rest.is_empty() || rest.starts_with(char::is_whitespace))
    };
    let mut block: Option<usize> = None;
    let mut quoted = 0;
    let mut introduced = false;
    let mut end = text.trim_end().len();
    loop {
        let start = text[..end].rfind('\n').map_or(0, |i| i + 1);
        let line = text[start..end].trim();
        if is_quote(line) {
            block = Some(start);
            quoted += 1;
        } else if !line.is_empty() {
            let above = if start == 0 { "" } else { text[..start - 1].rsplit('\n').next().unwrap_or("").trim() };
            let introduces = (line.ends_with(':') || line.ends_with('：')) && line.chars().count() <= 160 && !is_quote(above);
            if block.is_some() && introduces {
                block = Some(start);
                introduced = true;
            }
            break;
        }
        if start == 0 {
            break;
        }
        end = start - 1;
    }
    if !introduced && quoted < 2 {
        return None;
    }
    let above = text[..block?].trim_end();
    (!above.is_empty()).then_some(above)
}

/// The raw emails in `path`: an mbox file, a single .eml file, or a folder of .eml files (in
/// name order). Each item is one email's bytes, or why it could not be read.
pub fn read_mail_source(path: &std::path::Path) -> std::io::Result<Box<dyn Iterator<Item = std::io::Result<Vec<u8>>>>> {
    use std::io::Read;
    if path.is_dir() {
        let mut files = eml_files(path)?;
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

/// How many emails [`read_mail_source`] yields for `path`, without reading them one by one (an
/// import's progress total, counted before it starts). In an mbox each email starts on a line
/// beginning "From " (a quoted one in a body is written ">From "), so a scan for "\nFrom " counts
/// them exactly as the mbox reader splits them.
pub fn count_mail_source(path: &std::path::Path) -> std::io::Result<u32> {
    if path.is_dir() {
        return Ok(eml_files(path)?.len() as u32);
    }
    count_emails(std::fs::File::open(path)?, 1 << 20)
}

/// The .eml files in the folder `dir`, in no particular order: the emails a folder holds.
fn eml_files(dir: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    Ok(std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("eml")))
        .collect())
}

/// [`count_mail_source`] of one file's bytes, read `chunk` bytes at a time.
fn count_emails(mut file: impl std::io::Read, chunk: usize) -> std::io::Result<u32> {
    const LINE: &[u8] = b"\nFrom ";
    let finder = memchr::memmem::Finder::new(LINE);
    // The last bytes of the chunk before, one fewer than LINE has: a match across two chunks is
    // found once, and one within them was counted with the chunk before.
    let keep = LINE.len() - 1;
    let mut buf = vec![0u8; chunk.max(2 * LINE.len())];
    let mut carried = 0;
    let mut count = 0u32;
    let mut is_mbox = false;
    loop {
        let n = file.read(&mut buf[carried..])?;
        if n == 0 {
            break;
        }
        let filled = carried + n;
        if !is_mbox {
            if filled < 5 {
                // Too short to tell yet: read on.
                carried = filled;
                continue;
            }
            if !buf[..filled].starts_with(b"From ") {
                // One email (an .eml), as the reader takes it.
                return Ok(1);
            }
            is_mbox = true;
            count = 1;
        }
        count += finder.find_iter(&buf[..filled]).count() as u32;
        let tail = filled.min(keep);
        buf.copy_within(filled - tail..filled, 0);
        carried = tail;
    }
    // A file shorter than "From " is one email too.
    Ok(if is_mbox { count } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_a_mail_source_gives_as_many_emails_as_reading_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let email = |i: usize| format!("From a@b Mon Nov 23 10:00:00 2026\r\nSubject: {i}\r\n\r\nline\r\n>From the shop\r\nFrom-less\r\n");
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("one", email(1).into_bytes()),
            ("three", format!("{}{}\n{}", email(1), email(2), email(3)).into_bytes()),
            ("crowded", "From x\nFrom y\n\nFrom z\nFrom \n".as_bytes().to_vec()),
            ("eml", b"Subject: hi\r\n\r\nFrom here on\r\nFrom us".to_vec()),
            ("short", b"Fro".to_vec()),
            ("empty", vec![]),
            ("bare", b"From ".to_vec()),
        ];
        for (name, bytes) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).expect("write");
            let read = read_mail_source(&path).expect("read").count() as u32;
            assert_eq!(count_mail_source(&path).expect("count"), read, "{name}");
            // Read in small pieces, a piece ends at every offset of a "\nFrom " somewhere.
            for chunk in 12..40 {
                assert_eq!(count_emails(bytes.as_slice(), chunk).expect("count"), read, "{name} in pieces of {chunk}");
            }
        }
        // A folder: its .eml files.
        let folder = dir.path().join("folder");
        std::fs::create_dir(&folder).expect("folder");
        for name in ["a.eml", "b.EML", "notes.txt"] {
            std::fs::write(folder.join(name), "Subject: x\r\n\r\nbody").expect("write");
        }
        assert_eq!(count_mail_source(&folder).expect("count"), 2);
        assert_eq!(read_mail_source(&folder).expect("read").count(), 2);
    }

    #[test]
    fn a_reply_s_own_text_is_what_stands_above_the_quote_at_its_end() {
        let top = "Thanks, the parcel came today.\n\nOn 24 Nov 2026, Shop wrote:\n> It left our warehouse.\n>\n> Kind regards\n";
        assert_eq!(above_trailing_quote(top), Some("Thanks, the parcel came today."));
        // Any language's introducing line, CRLF line ends, blank lines inside the quote.
        assert_eq!(above_trailing_quote("Danke!\r\nAm 24.11.2026 schrieb Shop:\r\n> Ihr Paket\r\n\r\n> ist unterwegs\r\n"), Some("Danke!"));
        assert_eq!(above_trailing_quote("届きました。\n\n2026年11月24日 Shop：\n> 発送しました"), Some("届きました。"));
        // No introducing line: two quoted lines or more go.
        assert_eq!(above_trailing_quote("Still nothing.\n> Where is it?\n>> Any day now"), Some("Still nothing."));
        // An answer written between quoted lines keeps them, up to its last own line.
        let between = "> Which colour?\nBlue, please.\n> And the size?\nLarge.\n\n> Thanks\n> Shop";
        assert_eq!(above_trailing_quote(between), Some("> Which colour?\nBlue, please.\n> And the size?\nLarge."));
        // There, an own line ending in a colon right below a quoted line is an answer, not an introduction.
        assert_eq!(above_trailing_quote("> Size?\nLarge, and also:\n> Thanks\n> Shop"), Some("> Size?\nLarge, and also:"));
        // An own line ending in a colon right above the quote counts as introducing it.
        assert_eq!(above_trailing_quote("Two things.\nYou said:\n> soon"), Some("Two things."));
    }

    #[test]
    fn text_that_does_not_end_in_a_quote_or_is_all_quote_has_no_own_part() {
        assert_eq!(above_trailing_quote("Where is my parcel?"), None);
        assert_eq!(above_trailing_quote("> quoted\nMy answer below the quote."), None);
        // A last line of the customer's own that starts with ">": one line, not introduced.
        assert_eq!(above_trailing_quote("Broken again.\n>_< so annoying"), None);
        assert_eq!(above_trailing_quote("Two mugs broke.\n> 50 EUR back, please"), None);
        assert_eq!(above_trailing_quote("Still nothing.\n> Where is it?"), None);
        assert_eq!(above_trailing_quote("> only\n> a quote\n"), None);
        assert_eq!(above_trailing_quote("On Monday you wrote:\n> only a quote"), None);
        assert_eq!(above_trailing_quote(""), None);
        assert_eq!(above_trailing_quote("\n\n  \n"), None);
        // A long line ending in a colon is the customer's own, not an introduction.
        let long = format!("{}:\n> quote\n> more", "word ".repeat(40));
        assert_eq!(above_trailing_quote(&long), Some(long.split('\n').next().expect("a first line")));
    }

    #[test]
    fn attachment_names_are_safe_to_offer_on_every_system() {
        let long = format!("{}.pdf", "invoice ".repeat(40));
        let cjk = format!("{}.txt", "注文".repeat(100));
        for (given, shown) in [
            ("../../.bashrc", "bashrc"),
            ("..\\..\\AppData\\evil.exe", "evil.exe"),
            ("CON", "_CON"),
            ("nul.txt", "_nul.txt"),
            ("com1.tar.gz", "_com1.tar.gz"),
            ("Lpt9", "_Lpt9"),
            ("console.log", "console.log"),
            ("COM10.txt", "COM10.txt"),
            ("a\u{1}b\u{1b}[31m.txt", "a_b_[31m.txt"),
            ("report\r\n.pdf", "report__.pdf"),
        ] {
            assert_eq!(safe_filename(given), shown, "{given:?}");
        }
        let cut = safe_filename(&long);
        assert!(cut.len() <= 200 && cut.ends_with(".pdf") && cut.starts_with("invoice invoice"), "{cut}");
        let cut = safe_filename(&cjk);
        assert!(cut.len() <= 200 && cut.ends_with(".txt") && cut.starts_with("注文"), "{cut}");
    }

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
    fn raw_latin1_headers_keep_their_letters() {
        let raw = b"From: Jos\xe9 P\xe9rez <jose@example.es>\r\nSubject: Th\xe9i\xe8re cass\xe9e\r\nMessage-ID: <l1@x>\r\n\
Date: Wed, 25 Nov 2026 09:00:00 +0000\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nLa th\xe9i\xe8re.\r\n";
        let got = parse(raw);
        assert_eq!(got.subject, "Th\u{e9}i\u{e8}re cass\u{e9}e");
        assert_eq!(got.from_name.as_deref(), Some("Jos\u{e9} P\u{e9}rez"));
        assert_eq!(got.text, "La th\u{e9}i\u{e8}re.");
    }

    #[test]
    fn scripts_with_attributes_never_reach_the_text() {
        let raw = b"From: a@example.com\r\nSubject: x\r\nMessage-ID: <s@x>\r\nContent-Type: text/html\r\n\r\n\
<style type=\"text/css\">p { color: red }</style><p>Hello</p><script type=\"text/javascript\">steal()</script><p>order?</p>\r\n";
        let got = parse(raw);
        assert!(got.text.contains("Hello") && got.text.contains("order?"), "{}", got.text);
        assert!(!got.text.contains("steal") && !got.text.contains("color"), "{}", got.text);
    }

    #[test]
    fn text_around_an_inline_image_is_all_kept() {
        let raw = b"From: a@example.com\r\nSubject: x\r\nMessage-ID: <i@x>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nBefore the photo.\r\n\
--b\r\nContent-Type: image/png\r\nContent-Disposition: inline; filename=box.png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0K\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nAfter the photo.\r\n--b--\r\n";
        let got = parse(raw);
        assert_eq!(got.text, "Before the photo.\n\nAfter the photo.");
        assert_eq!(got.attachments.len(), 1);
    }

    #[test]
    fn an_impossible_date_is_not_taken() {
        let raw = b"From: a@example.com\r\nSubject: x\r\nMessage-ID: <d@x>\r\nDate: Mon, 31 Feb 2026 25:61:99 +0000\r\n\r\nhi\r\n";
        let got = parse(raw);
        assert_eq!(got.date, None);
        assert!(got.warnings.iter().any(|w| w.contains("no readable date")), "{:?}", got.warnings);
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
