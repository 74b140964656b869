//! Sending through the shop's SMTP server with lettre. Every send is wrapped in a timeout of
//! its own: lettre's applies to connecting only, and a server that accepts and never answers
//! would otherwise hold a reply forever.

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::account::{MailAccount, Security};

/// The longest one email may take to hand over, connecting included.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// Why an email did not go, in words for the shop owner; `permanent` when trying again
/// unchanged can't help (the server refused the login or the email).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub message: String,
    pub permanent: bool,
}

impl SendError {
    /// The account, not this email, is at fault: the login was refused or the secure
    /// connection failed.
    pub fn account_wide(&self) -> bool {
        self.permanent && (self.message.contains("refused the login") || self.message.starts_with("A secure connection"))
    }
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    account: MailAccount,
    timeout: Duration,
}

fn server(account: &MailAccount) -> String {
    format!("{}:{}", account.smtp_host, account.smtp_port)
}

impl Mailer {
    pub fn new(account: &MailAccount, password: Option<String>) -> Result<Mailer, SendError> {
        if !account.can_send() {
            return Err(SendError {
                message: "The shop's mail account is not set up: enter the sending server and the shop's address in Settings".into(),
                permanent: true,
            });
        }
        let host = account.smtp_host.as_str();
        let tls = |host: &str| {
            TlsParameters::new(host.to_string()).map_err(|e| SendError { message: format!("TLS can't be set up for {host}: {e}"), permanent: true })
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(account.smtp_port)
            .timeout(Some(CONNECT_TIMEOUT));
        builder = match account.smtp_security {
            Security::Tls => builder.tls(Tls::Wrapper(tls(host)?)),
            Security::Starttls => builder.tls(Tls::Required(tls(host)?)),
            Security::None => builder.tls(Tls::None),
        };
        if let Some(password) = password {
            builder = builder.credentials(Credentials::new(account.login().to_string(), password));
        }
        Ok(Mailer { transport: builder.build(), account: account.clone(), timeout: SEND_TIMEOUT })
    }

    /// A shorter limit, for tests and the "Send test email" button.
    pub fn with_timeout(mut self, timeout: Duration) -> Mailer {
        self.timeout = timeout;
        self
    }

    pub fn account(&self) -> &MailAccount {
        &self.account
    }

    /// Hands one email to the server.
    pub async fn send(&self, message: lettre::Message) -> Result<(), SendError> {
        match tokio::time::timeout(self.timeout, self.transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(self.worded(&e)),
            Err(_) => Err(SendError {
                message: format!(
                    "The mail server {} did not answer within {} seconds",
                    server(&self.account),
                    self.timeout.as_secs()
                ),
                permanent: false,
            }),
        }
    }

    fn worded(&self, e: &lettre::transport::smtp::Error) -> SendError {
        let at = server(&self.account);
        let code = e.status().map(|c| c.to_string());
        if e.is_permanent() {
            let auth = code.as_deref().is_some_and(|c| c == "535" || c == "534" || c == "530");
            let message = if auth {
                format!("The mail server {at} refused the login: check the username and password in Settings ({e})")
            } else {
                format!("The mail server {at} refused the email: {e}")
            };
            return SendError { message, permanent: true };
        }
        // lettre reports a refused certificate as a connection error: read the words too.
        let text = e.to_string().replace("Connection error: Connection error:", "Connection error:");
        let tls_trouble = ["certificate", "InvalidContentType", "corrupt message", "STARTTLS is not supported", "HandshakeFailure", "tls error"];
        if e.is_tls() || tls_trouble.iter().any(|t| text.contains(t)) {
            return SendError {
                message: format!("A secure connection to {at} failed ({text}). Check the security setting and the port in Settings"),
                permanent: true,
            };
        }
        if text.contains("No compatible authentication mechanism") {
            return SendError { message: format!("The mail server {at} offers no way to log in that Shopdesk can use ({e})"), permanent: true };
        }
        let message = if e.is_transient() {
            format!("The mail server {at} asked to try later: {text}")
        } else if text.contains("incomplete response") || text.contains("Connection reset") || text.contains("Broken pipe") {
            format!("The mail server {at} closed the connection while the email was being sent ({text}); it will be tried again")
        } else if text.contains("Connection refused") || text.contains("failed to lookup address") || text.contains("Name or service not known") {
            // Nothing answers there, or no such server: most often a mistyped name or port.
            format!("Could not reach the mail server {at}: {text}. Check the server name and port in Settings; it will be tried again")
        } else {
            format!("Could not reach the mail server {at}: {text}")
        };
        SendError { message, permanent: false }
    }
}
