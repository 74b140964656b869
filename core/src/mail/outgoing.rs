//! Turning an outbox email into the bytes that go to the SMTP server: the case number in the
//! subject, and Message-ID, In-Reply-To and References so the customer's mail client threads
//! it. Acknowledgements also say they are automatic (RFC 3834), so two robots can't loop.

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{header::Header, Mailbox, SinglePart};

use crate::account::MailAccount;
use crate::store::OutgoingMail;
use crate::model::OutgoingKind;

/// A header lettre has no type for.
macro_rules! raw_header {
    ($name:ident, $header:literal) => {
        #[derive(Clone)]
        struct $name(String);
        impl Header for $name {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($header)
            }
            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok($name(s.to_string()))
            }
            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

raw_header!(AutoSubmitted, "Auto-Submitted");
raw_header!(AutoResponseSuppress, "X-Auto-Response-Suppress");

fn mailbox(name: &str, address: &str) -> Result<Mailbox, String> {
    let address = address.parse().map_err(|_| format!("\"{address}\" is not an email address"))?;
    let name = name.trim();
    Ok(Mailbox::new((!name.is_empty()).then(|| name.to_string()), address))
}

/// The message as lettre builds it, or why it can't be built (a bad address), in words.
pub fn build(mail: &OutgoingMail, account: &MailAccount) -> Result<lettre::Message, String> {
    let mut builder = lettre::Message::builder()
        .from(mailbox(&account.from_name, &account.from_address)?)
        .to(mailbox(&mail.to_name, &mail.to)?)
        .subject(mail.subject.clone())
        .message_id(Some(format!("<{}>", mail.rfc_message_id)))
        .date(mail.written_at.into());
    if let Some(parent) = &mail.in_reply_to {
        builder = builder.in_reply_to(format!("<{parent}>"));
    }
    if !mail.references.is_empty() {
        let refs: Vec<String> = mail.references.iter().map(|id| format!("<{id}>")).collect();
        builder = builder.references(refs.join(" "));
    }
    if mail.kind == OutgoingKind::Acknowledgement {
        builder = builder
            .header(AutoSubmitted("auto-replied".into()))
            .header(AutoResponseSuppress("All".into()));
    }
    if mail.kind == OutgoingKind::Survey {
        // Sent by a rule, not in answer to anything (RFC 3834); out-of-office robots stay quiet.
        builder = builder
            .header(AutoSubmitted("auto-generated".into()))
            .header(AutoResponseSuppress("OOF, AutoReply".into()));
    }
    // A MIME part, so the email says `MIME-Version: 1.0` (RFC 2045; without it, with a
    // Content-Type and a transfer encoding, spam filters count it against the shop).
    builder
        .singlepart(SinglePart::plain(mail.body.clone()))
        .map_err(|e| format!("The email could not be put together: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::MessageId;
    use chrono::{TimeZone, Utc};

    fn account() -> MailAccount {
        MailAccount { from_name: "Costa Ceramics".into(), from_address: "shop@example.com".into(), smtp_host: "127.0.0.1".into(), ..MailAccount::default() }
    }

    fn mail(kind: OutgoingKind) -> OutgoingMail {
        OutgoingMail {
            message_id: MessageId::new(),
            rfc_message_id: "0190abc@example.com".into(),
            kind,
            to: "ana@example.com".into(),
            to_name: "Ana Costa".into(),
            subject: "Re: Where is my parcel? [#1042]".into(),
            body: "Olá Ana, it left today.\n\n-- \nCosta Ceramics".into(),
            in_reply_to: Some("cust-2@example.com".into()),
            references: vec!["cust-1@example.com".into(), "cust-2@example.com".into()],
            written_at: Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).single().expect("date"),
        }
    }

    #[test]
    fn a_reply_threads_and_reads_back() {
        let raw = build(&mail(OutgoingKind::Reply), &account()).expect("built").formatted();
        let back = crate::mail::parse(&raw);
        assert_eq!(back.message_key, "0190abc@example.com");
        assert_eq!(back.thread_ids[0], "cust-2@example.com");
        assert!(back.thread_ids.contains(&"cust-1@example.com".to_string()));
        assert_eq!(back.subject, "Re: Where is my parcel? [#1042]");
        assert_eq!(back.from_email.as_deref(), Some("shop@example.com"));
        assert_eq!(back.text, "Olá Ana, it left today.\n\n-- \nCosta Ceramics");
        assert!(!back.auto_generated, "a reply is a person's");
        let text = String::from_utf8_lossy(&raw);
        assert!(text.contains("Date: Wed, 25 Nov 2026 10:00:00"), "{text}");
        assert!(text.contains("MIME-Version: 1.0\r\n"), "{text}");
        assert!(text.contains("Content-Type: text/plain; charset=utf-8\r\n"), "{text}");
    }

    #[test]
    fn an_acknowledgement_says_it_is_automatic() {
        let raw = build(&mail(OutgoingKind::Acknowledgement), &account()).expect("built").formatted();
        let text = String::from_utf8_lossy(&raw);
        assert!(text.contains("Auto-Submitted: auto-replied\r\n"), "{text}");
        assert!(crate::mail::parse(&raw).auto_generated, "another Shopdesk would not answer it");
    }
}
