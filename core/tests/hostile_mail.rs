//! Hostile and broken mail through the whole ingest path (parse, thread, store, index): it never
//! panics, every email is stored, and one that could not be understood keeps its exact bytes.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use shopdesk_core::mail::ORIGINAL_FILENAME;
use shopdesk_core::{Store, TimelineEntry};

const PLAIN: &str = "From: Ana Costa <ana@example.com>\r\nTo: shop@example.com\r\nSubject: Cracked teapot\r\n\
Date: Wed, 25 Nov 2026 09:00:00 +0000\r\nMessage-ID: <seed-1@example.com>\r\n\r\nThe lid arrived cracked.\r\n";

const MULTIPART: &str = "From: =?ISO-8859-1?Q?Jos=E9?= <jose@example.es>\r\nTo: shop@example.com\r\nSubject: Factura\r\n\
Date: Wed, 25 Nov 2026 10:00:00 +0100\r\nMessage-ID: <seed-2@example.es>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n\
--b2\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nLa taza lleg=F3 rota.\r\n\
--b2\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p onclick=\"x()\">La taza <script>alert(1)</script>llegó rota.</p>\r\n--b2--\r\n\
--b1\r\nContent-Type: application/pdf; name=\"factura.pdf\"\r\nContent-Disposition: attachment; filename=\"../../factura.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSPj4Kc3RyZWFtCg==\r\n--b1--\r\n";

const SEEDS: &[&str] = &[PLAIN, MULTIPART];

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).single().expect("time")
}

/// Ingests `raw` into a fresh store and checks it is there: its text on a case's timeline, and
/// its original bytes kept when it was damaged.
fn ingest_and_check(raw: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut store = Store::open(dir.path().join("shop.sqlite3")).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let got = store.ingest_email(raw, now()).map_err(|e| TestCaseError::fail(format!("refused: {e}")))?;
    let view = store.case_view(got.case_number, now()).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let messages: Vec<_> = view
        .timeline
        .iter()
        .filter_map(|e| match e {
            TimelineEntry::Message(m) => Some(m),
            _ => None,
        })
        .collect();
    prop_assert_eq!(messages.len(), 1, "exactly one message stored");
    let m = messages[0];
    prop_assert!(!m.body.is_empty());
    if got.warnings.iter().any(|w| w.contains("could not")) {
        let original = m.attachments.iter().find(|a| a.filename == ORIGINAL_FILENAME);
        prop_assert!(original.is_some(), "a damaged email keeps its original: {:?}", got.warnings);
        let saved = dir.path().join("saved.eml");
        store.save_attachment(&original.expect("checked").hash, &saved).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(std::fs::read(&saved).map_err(|e| TestCaseError::fail(e.to_string()))?, raw.to_vec());
    }
    // Filing the same bytes again changes nothing.
    let again = store.ingest_email(raw, now()).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(again.duplicate);
    Ok(())
}

#[derive(Debug, Clone)]
enum Mutation {
    Truncate(usize),
    InsertNul(usize),
    FlipByte(usize, u8),
    DropRange(usize, usize),
    BreakBoundary,
    WrongCharset,
    ManyHeaders(usize),
    LongHeaderLine(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        any::<usize>().prop_map(Mutation::InsertNul),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::FlipByte(i, b)),
        (any::<usize>(), 0usize..200).prop_map(|(i, n)| Mutation::DropRange(i, n)),
        Just(Mutation::BreakBoundary),
        Just(Mutation::WrongCharset),
        (1usize..3000).prop_map(Mutation::ManyHeaders),
        (1usize..300_000).prop_map(Mutation::LongHeaderLine),
    ]
}

fn apply(mut raw: Vec<u8>, m: &Mutation) -> Vec<u8> {
    let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
    match *m {
        Mutation::Truncate(i) => raw.truncate(at(i, raw.len() + 1)),
        Mutation::InsertNul(i) => {
            let i = at(i, raw.len() + 1);
            raw.insert(i, 0);
        }
        Mutation::FlipByte(i, b) => {
            if !raw.is_empty() {
                let i = at(i, raw.len());
                raw[i] = b;
            }
        }
        Mutation::DropRange(i, n) => {
            let i = at(i, raw.len() + 1);
            let end = (i + n).min(raw.len());
            raw.drain(i..end);
        }
        Mutation::BreakBoundary => {
            let text = String::from_utf8_lossy(&raw).replace("--b2", "--bX").replace("boundary=\"b1\"", "boundary=\"\"");
            raw = text.into_bytes();
        }
        Mutation::WrongCharset => {
            let text = String::from_utf8_lossy(&raw).replace("iso-8859-1", "x-no-such-charset").replace("utf-8", "shift_jis");
            raw = text.into_bytes();
        }
        Mutation::ManyHeaders(n) => {
            let mut extra = Vec::new();
            for i in 0..n {
                extra.extend_from_slice(format!("X-Junk-{i}: {}\r\n", "v".repeat(i % 40)).as_bytes());
            }
            raw.splice(0..0, extra);
        }
        Mutation::LongHeaderLine(n) => {
            let mut line = b"X-Long: ".to_vec();
            line.extend(std::iter::repeat_n(b'a', n));
            line.extend_from_slice(b"\r\n");
            raw.splice(0..0, line);
        }
    }
    raw
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn mutated_emails_are_stored_without_a_panic(seed in 0..SEEDS.len(), mutations in prop::collection::vec(mutation(), 1..4)) {
        let mut raw = SEEDS[seed].as_bytes().to_vec();
        for m in &mutations {
            raw = apply(raw, m);
        }
        ingest_and_check(&raw)?;
    }

    #[test]
    fn arbitrary_bytes_are_stored_without_a_panic(raw in prop::collection::vec(any::<u8>(), 0..2000)) {
        ingest_and_check(&raw)?;
    }
}

#[test]
fn extreme_shapes_are_stored() {
    // 10,000 headers; a 1 MB header line; MIME nested 500 deep; an empty file; a NUL name; only NUL bytes.
    let many: String = (0..10_000).map(|i| format!("X-H{i}: {i}\r\n")).collect();
    let mut cases: Vec<Vec<u8>> = vec![format!("{many}{PLAIN}").into_bytes()];
    cases.push(format!("X-Long: {}\r\n{PLAIN}", "x".repeat(1 << 20)).into_bytes());
    let mut nested = String::from("From: a@example.com\r\nSubject: deep\r\nMessage-ID: <deep@x>\r\nContent-Type: multipart/mixed; boundary=\"d0\"\r\n\r\n");
    for depth in 1..500 {
        nested.push_str(&format!("--d{}\r\nContent-Type: multipart/mixed; boundary=\"d{depth}\"\r\n\r\n", depth - 1));
    }
    nested.push_str("--d499\r\nContent-Type: text/plain\r\n\r\nbottom\r\n");
    cases.push(nested.into_bytes());
    cases.push(Vec::new());
    // A sender whose name is only control characters (found by the property test above).
    cases.push(b"From: \"\x00\t\" <\x00@example.com>\r\nSubject: x\r\n\r\nhi\r\n".to_vec());
    cases.push(vec![0; 4096]);
    for raw in cases {
        ingest_and_check(&raw).expect("stored");
    }
}
