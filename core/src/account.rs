//! The shop's mail account: who replies are from, where they are sent (SMTP) and where customer
//! mail is fetched from (IMAP). Stored with the data, except the password, which lives in the
//! OS keychain ([`crate::secrets`]) and never in the database or a log.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

/// How the connection to a mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Security {
    /// Implicit TLS (SMTP 465, IMAP 993).
    Tls,
    /// Plain connection upgraded with STARTTLS (SMTP 587, IMAP 143). Refuses to go on without it.
    Starttls,
    /// No encryption: only allowed to a server on this computer (127.0.0.1, localhost).
    None,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct MailAccount {
    /// The name customers see on replies ("Costa Ceramics").
    pub from_name: String,
    /// The shop's address: replies come from it, and mail from it is never taken for a customer's.
    pub from_address: String,
    /// The login for both servers (usually the address).
    pub username: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_security: Security,
    /// Empty: no mail is fetched (replies can still be sent).
    pub imap_host: String,
    pub imap_port: u16,
    pub imap_security: Security,
    pub imap_folder: String,
    /// How often new mail is looked for, in minutes.
    pub poll_minutes: u32,
    /// Added under every reply, after "-- ".
    pub signature: String,
    /// Answer a new customer email at once with its case number and the promised reply time.
    pub acknowledge: bool,
    /// The acknowledgement's text. `{case}`, `{name}`, `{subject}` and `{reply_time}` are filled in.
    pub acknowledgement_text: String,
    /// The saved follow-up, sent in one click to a customer who went quiet. `{case}`, `{name}`
    /// and `{subject}` are filled in.
    pub follow_up_text: String,
}

pub const DEFAULT_ACKNOWLEDGEMENT: &str = "Hello {name},\n\nThank you for your message. We have received it and \
opened case {case} for it. You will have our answer {reply_time}.\n\nIf you write again about this, simply \
reply to this email so it stays with your case.";

pub const DEFAULT_FOLLOW_UP: &str = "Hello {name},\n\nWe are following up on case {case} ({subject}). Is there \
anything else you need from us? If we don't hear from you, we'll take it that all is well and close the case.";

impl Default for MailAccount {
    fn default() -> Self {
        MailAccount {
            from_name: String::new(),
            from_address: String::new(),
            username: String::new(),
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_security: Security::Starttls,
            imap_host: String::new(),
            imap_port: 993,
            imap_security: Security::Tls,
            imap_folder: "INBOX".into(),
            poll_minutes: 2,
            signature: String::new(),
            acknowledge: true,
            acknowledgement_text: DEFAULT_ACKNOWLEDGEMENT.into(),
            follow_up_text: DEFAULT_FOLLOW_UP.into(),
        }
    }
}

/// What the settings screen shows: the account, and whether a password is in the keychain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MailAccountView {
    pub account: MailAccount,
    /// Enough is filled in to send replies.
    pub can_send: bool,
    /// Enough is filled in to fetch mail.
    pub can_fetch: bool,
    pub has_password: bool,
    /// Why the keychain could not be read, in words for the shop owner.
    pub keychain_error: Option<String>,
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl MailAccount {
    /// Trims and checks what the owner typed; says what is wrong in words they can act on.
    pub fn validated(&self) -> Result<MailAccount> {
        let mut a = self.clone();
        for field in [&mut a.from_name, &mut a.from_address, &mut a.username, &mut a.smtp_host, &mut a.imap_host, &mut a.imap_folder] {
            *field = field.trim().to_string();
        }
        a.from_address = a.from_address.to_lowercase();
        if a.imap_folder.is_empty() {
            a.imap_folder = "INBOX".into();
        }
        if !a.from_address.is_empty() {
            a.from_address = crate::normalize::email(&a.from_address)
                .map_err(|_| Error::Invalid(format!("\"{}\" is not an email address", a.from_address)))?;
        }
        if !a.smtp_host.is_empty() && a.from_address.is_empty() {
            return Err(Error::Invalid("Enter the shop's email address: replies are sent from it".into()));
        }
        for (host, port, security, what) in [
            (&a.smtp_host, a.smtp_port, a.smtp_security, "sending (SMTP)"),
            (&a.imap_host, a.imap_port, a.imap_security, "receiving (IMAP)"),
        ] {
            if host.is_empty() {
                continue;
            }
            if host.contains(char::is_whitespace) || host.contains('/') {
                return Err(Error::Invalid(format!("\"{host}\" is not a server name for {what}")));
            }
            if port == 0 {
                return Err(Error::Invalid(format!("Enter the port of the {what} server")));
            }
            if security == Security::None && !is_loopback(host) {
                return Err(Error::Invalid(format!(
                    "The {what} server {host} needs TLS or STARTTLS: without it your password and your \
                     customers' mail would cross the network readable by anyone. \"None\" is only for a \
                     server on this computer."
                )));
            }
        }
        if a.poll_minutes == 0 {
            a.poll_minutes = 1;
        }
        if a.acknowledge && a.acknowledgement_text.trim().is_empty() {
            a.acknowledgement_text = DEFAULT_ACKNOWLEDGEMENT.into();
        }
        if a.follow_up_text.trim().is_empty() {
            a.follow_up_text = DEFAULT_FOLLOW_UP.into();
        }
        Ok(a)
    }

    pub fn can_send(&self) -> bool {
        !self.smtp_host.is_empty() && !self.from_address.is_empty()
    }

    pub fn can_fetch(&self) -> bool {
        !self.imap_host.is_empty() && !self.username.is_empty()
    }

    /// A saved text with the case's details filled in.
    pub fn fill(&self, text: &str, number: u32, name: &str, subject: &str) -> String {
        text.replace("{case}", &format!("#{number}")).replace("{name}", name).replace("{subject}", subject)
    }

    /// The login name: the username, else the shop's address.
    pub fn login(&self) -> &str {
        if self.username.is_empty() { &self.from_address } else { &self.username }
    }

    /// The keychain entry's name for this account's password.
    pub fn keychain_user(&self) -> String {
        format!("{}@{}", self.login(), if self.imap_host.is_empty() { &self.smtp_host } else { &self.imap_host })
    }

    /// The domain replies' Message-IDs are made in (the shop's own).
    pub fn message_id_domain(&self) -> &str {
        self.from_address.rsplit_once('@').map(|(_, d)| d).filter(|d| !d.is_empty()).unwrap_or("shopdesk.invalid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> MailAccount {
        MailAccount {
            from_name: "Costa Ceramics".into(),
            from_address: " Shop@Example.com ".into(),
            smtp_host: "smtp.example.com".into(),
            ..MailAccount::default()
        }
    }

    #[test]
    fn a_typed_account_is_trimmed_and_checked() {
        let a = account().validated().expect("valid");
        assert_eq!(a.from_address, "shop@example.com");
        assert_eq!(a.login(), "shop@example.com");
        assert_eq!(a.message_id_domain(), "example.com");
        assert!(a.can_send() && !a.can_fetch());
    }

    #[test]
    fn no_encryption_only_to_this_computer() {
        let mut a = account();
        a.smtp_security = Security::None;
        let err = a.validated().expect_err("remote server without TLS");
        assert!(err.to_string().contains("needs TLS or STARTTLS"), "{err}");
        for host in ["127.0.0.1", "localhost", "::1"] {
            a.smtp_host = host.into();
            a.validated().unwrap_or_else(|e| panic!("{host}: {e}"));
        }
    }

    #[test]
    fn an_address_is_needed_to_send() {
        let mut a = account();
        a.from_address = String::new();
        assert!(a.validated().is_err());
        a.from_address = "not an address".into();
        assert!(a.validated().expect_err("bad").to_string().contains("not an email address"));
    }
}
