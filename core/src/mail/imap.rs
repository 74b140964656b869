//! Fetching new mail from the shop's mailbox over IMAP. Where intake stands is a UID per
//! mailbox and UIDVALIDITY: only UIDs above the last filed one are asked for, so nothing is
//! fetched twice or skipped after a restart or a dropped connection. Mail is read with
//! BODY.PEEK, so it stays unread in the shop's other mail programs.

use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use crate::account::{MailAccount, Security};

/// The longest any single step (connect, login, a command) may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(60);
/// The longest one batch of emails may take to arrive: big attachments on a slow line.
const BATCH_TIMEOUT: Duration = Duration::from_secs(600);
/// Emails fetched per round trip, and filed per transaction: bounds memory, the time one batch
/// may need, and what a crash makes the next fetch download again (at most this batch).
pub const BATCH: u32 = 10;

trait Stream: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Stream for T {}

type Session = async_imap::Session<Box<dyn Stream>>;

/// Where intake stood: the mailbox's UIDVALIDITY and the last UID filed under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub uidvalidity: u32,
    pub last_uid: u32,
}

async fn step<T, E: std::fmt::Display>(what: &str, fut: impl std::future::Future<Output = Result<T, E>>) -> Result<T, String> {
    match tokio::time::timeout(STEP_TIMEOUT, fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(format!("{what}: {e}")),
        Err(_) => Err(format!("{what}: no answer within {} seconds", STEP_TIMEOUT.as_secs())),
    }
}

fn tls_connector() -> Result<tokio_rustls::TlsConnector, String> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_platform_verifier())
        .map_err(|e| format!("TLS can't be set up: {e}"))?
        .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

async fn tls<S: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug + 'static>(host: &str, port: u16, stream: S) -> Result<Box<dyn Stream>, String> {
    let name = tokio_rustls::rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|e| format!("\"{host}\" is not a server name: {e}"))?;
    let what = format!("A secure connection to {host}:{port} failed (check the security setting and the port in Settings)");
    let stream = step(&what, tls_connector()?.connect(name, stream)).await?;
    Ok(Box::new(stream))
}

async fn login(account: &MailAccount, password: &str) -> Result<Session, String> {
    let host = account.imap_host.as_str();
    let at = format!("{host}:{}", account.imap_port);
    let tcp = step(&format!("Could not reach the mail server {at} (check the server name and port in Settings)"), TcpStream::connect((host, account.imap_port))).await?;
    let client = match account.imap_security {
        Security::Tls => {
            let mut client = async_imap::Client::new(tls(host, account.imap_port, tcp).await?);
            step(&format!("The mail server {at} did not greet"), client.read_response()).await?;
            client
        }
        Security::Starttls => {
            let mut plain = async_imap::Client::new(tcp);
            step(&format!("The mail server {at} did not greet"), plain.read_response()).await?;
            step(&format!("The mail server {at} refused STARTTLS"), plain.run_command_and_check_ok("STARTTLS", None)).await?;
            async_imap::Client::new(tls(host, account.imap_port, plain.into_inner()).await?)
        }
        Security::None => {
            let mut client = async_imap::Client::new(Box::new(tcp) as Box<dyn Stream>);
            step(&format!("The mail server {at} did not greet"), client.read_response()).await?;
            client
        }
    };
    match tokio::time::timeout(STEP_TIMEOUT, client.login(account.login(), password)).await {
        Ok(Ok(session)) => Ok(session),
        // A connection that broke during the login says nothing about the password.
        Ok(Err((async_imap::error::Error::Io(e), _))) => {
            Err(format!("The connection to the mail server {at} broke during the login ({e}); the next fetch tries again"))
        }
        Ok(Err((async_imap::error::Error::ConnectionLost, _))) => {
            Err(format!("The mail server {at} closed the connection during the login; the next fetch tries again"))
        }
        Ok(Err((e, _))) => Err(format!("The mail server {at} refused the login: check the username and password in Settings ({e})")),
        Err(_) => Err(format!("The mail server {at} did not answer the login")),
    }
}

/// Fetches every email after `cursor` (all of them when the mailbox's UIDVALIDITY changed or
/// there is no cursor yet), handing them to `file` in UID order, one batch (up to [`BATCH`]) at
/// a time, with the cursor just past the batch. `file` files the batch and records that cursor
/// together (one transaction), so a fetch cut short anywhere (a kill, a dropped connection)
/// goes on next time from the first email not stored; an error from `file` stops the fetch
/// there. Returns how many were handed over, and the cursor past everything the mailbox held
/// when the fetch began (UIDs of deleted mail included).
pub async fn fetch_new(
    account: &MailAccount,
    password: &str,
    cursor: Option<Cursor>,
    mut file: impl FnMut(Cursor, &[Vec<u8>]) -> Result<(), String>,
    mut progress: impl FnMut(super::FetchProgress),
) -> Result<(u32, Cursor), String> {
    let mut session = login(account, password).await?;
    let folder = account.imap_folder.as_str();
    let mailbox = step(&format!("The folder \"{folder}\" can't be opened"), session.examine(folder)).await?;
    let uidvalidity = mailbox.uid_validity.unwrap_or(0);
    let uid_next = mailbox.uid_next;
    let mut last_uid = match cursor {
        Some(c) if c.uidvalidity == uidvalidity => c.last_uid,
        Some(c) => {
            tracing::warn!(old = c.uidvalidity, new = uidvalidity, "the mailbox's UIDVALIDITY changed; reading it all again (duplicates are skipped)");
            0
        }
        None => 0,
    };
    let mut handed = 0;
    // A first look at the folder (or one whose UIDs were renumbered) reads all of it: as many
    // emails as it holds, for the progress bar. A later fetch reads a few and is not counted.
    let total = if last_uid == 0 { mailbox.exists } else { 0 };
    // What was filed stays filed; the next fetch goes on from there.
    let failed = format!(
        "Fetching mail from {}:{} stopped (the next fetch goes on from where it stopped)",
        account.imap_host, account.imap_port
    );
    loop {
        let range = format!("{}:{}", last_uid + 1, last_uid.saturating_add(BATCH));
        let fetches: Vec<async_imap::types::Fetch> = {
            let stream = step(&failed, session.uid_fetch(&range, "(UID BODY.PEEK[])")).await?;
            match tokio::time::timeout(BATCH_TIMEOUT, stream.try_collect()).await {
                Ok(Ok(fetches)) => fetches,
                Ok(Err(e)) => return Err(format!("{failed}: {e}")),
                Err(_) => return Err(format!("{failed}: no answer within {} minutes", BATCH_TIMEOUT.as_secs() / 60)),
            }
        };
        let mut got: Vec<(u32, Vec<u8>)> = fetches
            .iter()
            .filter_map(|f| Some((f.uid?, f.body()?.to_vec())))
            .filter(|(uid, _)| *uid > last_uid)
            .collect();
        got.sort_by_key(|(uid, _)| *uid);
        if got.is_empty() {
            // A gap of expunged UIDs: look further only if the mailbox has more.
            let next = step(&failed, session.uid_search(format!("UID {}:*", last_uid + 1))).await?;
            match next.into_iter().filter(|uid| *uid > last_uid).min() {
                Some(uid) => {
                    last_uid = uid - 1;
                    continue;
                }
                None => break,
            }
        }
        let batch_end = got.last().map_or(last_uid, |(uid, _)| *uid);
        let raws: Vec<Vec<u8>> = got.into_iter().map(|(_, raw)| raw).collect();
        file(Cursor { uidvalidity, last_uid: batch_end }, &raws)?;
        last_uid = batch_end;
        handed += raws.len() as u32;
        if total > 0 {
            progress(super::FetchProgress { done: handed, total: total.max(handed) });
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
    // Every UID below the UIDNEXT seen at the start was looked at: deleted mail's UIDs too.
    let last_uid = uid_next.map_or(last_uid, |next| last_uid.max(next.saturating_sub(1)));
    Ok((handed, Cursor { uidvalidity, last_uid }))
}

/// What a wait on the mailbox ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdleOutcome {
    /// The server said the mailbox changed (new mail, most likely): fetch now.
    Changed,
    /// Nothing happened within the wait; wait again (servers drop an IDLE after 30 minutes).
    TimedOut,
    /// The server can't IDLE: polling alone finds new mail.
    Unsupported,
}

/// Waits on the shop's folder with IMAP IDLE (RFC 2177) for at most `max_wait`, so new mail is
/// fetched as it arrives instead of at the next poll.
pub async fn wait_for_change(account: &MailAccount, password: &str, cursor: Option<Cursor>, max_wait: Duration) -> Result<IdleOutcome, String> {
    let mut session = login(account, password).await?;
    let capabilities = step("Asking the mail server what it can do failed", session.capabilities()).await?;
    if !capabilities.has_str("IDLE") {
        let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
        return Ok(IdleOutcome::Unsupported);
    }
    let folder = account.imap_folder.as_str();
    let mailbox = step(&format!("The folder \"{folder}\" can't be opened"), session.examine(folder)).await?;
    // Mail that came after the last fetch and before this wait: IDLE would not mention it.
    let unseen = match (cursor, mailbox.uid_next) {
        (None, _) => true,
        (Some(c), _) if Some(c.uidvalidity) != mailbox.uid_validity => true,
        (Some(c), Some(next)) => next > c.last_uid.saturating_add(1),
        (Some(_), None) => false,
    };
    if unseen {
        let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
        return Ok(IdleOutcome::Changed);
    }
    let mut idle = session.idle();
    step("Waiting for new mail failed", idle.init()).await?;
    let (wait, _stop) = idle.wait_with_timeout(max_wait);
    let outcome = match wait.await.map_err(|e| format!("Waiting for new mail failed: {e}"))? {
        async_imap::extensions::idle::IdleResponse::NewData(_) => IdleOutcome::Changed,
        async_imap::extensions::idle::IdleResponse::Timeout => IdleOutcome::TimedOut,
        // The server closed the connection: an error, so the watcher backs off before reconnecting.
        async_imap::extensions::idle::IdleResponse::ManualInterrupt => return Err("The mail server ended the wait for new mail".into()),
    };
    if let Ok(Ok(mut session)) = tokio::time::timeout(Duration::from_secs(5), idle.done()).await {
        let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
    }
    Ok(outcome)
}
