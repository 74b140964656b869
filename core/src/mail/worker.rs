//! The two mail jobs, shared by the app's background worker and the command line: send what
//! is due from the outbox, and file what is new in the mailbox. The store is only held between
//! network steps, never across one, so the app stays responsive while a server is slow.

use chrono::{DateTime, Utc};

use super::imap::{self, Cursor};
use super::smtp::{Mailer, SendError};
use super::{outgoing, FetchProgress, FetchReport};
use crate::account::MailAccount;
use crate::error::Result;
use crate::store::{IngestOptions, Store};

/// How a job reaches the store: locks it for one short step.
/// [`StoreAccess::hold_limit`]'s default.
pub const DEFAULT_HOLD_LIMIT: std::time::Duration = std::time::Duration::from_secs(1);

pub trait StoreAccess {
    fn with<R>(&self, f: impl FnOnce(&mut Store) -> Result<R>) -> Result<R>;

    /// The longest a long job (an import) should hold the store in one step, besides its batch
    /// size. One second by default: another program writing to the same file (the app beside
    /// the command line) waits for the write lock at most its busy timeout (5 s), and on a
    /// loaded machine a batch of 200 emails has taken longer than that (RELIABILITY.md, finding
    /// 9). A store shared with a window limits it much more, since every command of the window
    /// waits for the store.
    fn hold_limit(&self) -> Option<std::time::Duration> {
        Some(DEFAULT_HOLD_LIMIT)
    }

    /// How many emails an import reads ahead and files in one transaction at most
    /// ([`BATCH_EMAILS`](crate::mail::import::BATCH_EMAILS); its hold limit may end a step
    /// sooner). A test may take smaller batches to import more than one with a few emails.
    fn batch_emails(&self) -> usize {
        crate::mail::import::BATCH_EMAILS
    }

    /// Called by a long job between two steps, with the store released. A lock is not fair:
    /// the job would take it straight back while a window's command still waits for it. An
    /// implementation shared with a window lets the waiting ones have it first.
    fn let_others_in(&self) {}
}

impl StoreAccess for std::sync::Mutex<Store> {
    fn with<R>(&self, f: impl FnOnce(&mut Store) -> Result<R>) -> Result<R> {
        let mut store = self.lock().map_err(|_| crate::Error::Invalid("The database is unavailable after an earlier failure".into()))?;
        f(&mut store)
    }
}

/// What one pass over the outbox did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct DeliveryReport {
    pub sent: u32,
    /// Why emails did not go (each is retried or held as the error says).
    pub failed: Vec<String>,
}

/// The account's password from the keychain (`None`: none saved, send without logging in).
fn password_of(account: &MailAccount) -> std::result::Result<Option<String>, String> {
    crate::secrets::password(&account.keychain_user())
}

/// Sends every email due at `now()`, a few at a time. A failure to reach the server stops the
/// pass (the rest wait for the next one); each email's outcome is recorded as soon as known.
pub async fn deliver_due(store: &impl StoreAccess, now: impl Fn() -> DateTime<Utc>) -> Result<DeliveryReport> {
    let mut report = DeliveryReport::default();
    let account = store.with(|s| s.mail_account())?;
    if !account.can_send() {
        return Ok(report);
    }
    let mut mailer: Option<Mailer> = None;
    loop {
        // One at a time, each leased just before it is sent: no lease outlives its attempt.
        let claimed = store.with(|s| s.claim_due_mail(now(), 1))?;
        if claimed.is_empty() {
            return Ok(report);
        }
        if mailer.is_none() {
            let made = password_of(&account)
                .map_err(|message| SendError { message, permanent: false })
                .and_then(|password| Mailer::new(&account, password));
            match made {
                Ok(m) => mailer = Some(m),
                Err(e) => {
                    store.with(|s| claimed.iter().try_for_each(|m| s.record_send_failure(m.message_id, &e.message, e.permanent, now())))?;
                    report.failed.push(e.message);
                    return Ok(report);
                }
            }
        }
        let Some(mailer) = mailer.as_ref() else { return Ok(report) };
        let mut unreachable: Option<SendError> = None;
        for mail in &claimed {
            if let Some(e) = &unreachable {
                store.with(|s| s.record_send_failure(mail.message_id, &e.message, false, now()))?;
                continue;
            }
            let result = match outgoing::build(mail, &account) {
                Ok(message) => mailer.send(message).await,
                Err(message) => Err(SendError { message, permanent: true }),
            };
            match result {
                Ok(()) => {
                    tracing::info!(message = %mail.message_id, to = %mail.to, "email sent");
                    store.with(|s| s.record_sent(mail.message_id, now()))?;
                    report.sent += 1;
                }
                Err(e) => {
                    tracing::warn!(message = %mail.message_id, error = %e.message, permanent = e.permanent, "email not sent");
                    store.with(|s| s.record_send_failure(mail.message_id, &e.message, e.permanent, now()))?;
                    report.failed.push(e.message.clone());
                    if e.account_wide() {
                        // A refused login or a TLS mistake would fail every email the same way
                        // (and may lock the account): stop, and ask the keychain afresh next time.
                        crate::secrets::forget(&account.keychain_user());
                        return Ok(report);
                    }
                    if !e.permanent {
                        unreachable = Some(e);
                    }
                }
            }
        }
        if unreachable.is_some() {
            return Ok(report);
        }
    }
}

/// Sends a test email at once (not through the outbox) and says how it went.
pub async fn send_test(account: &MailAccount, to: Option<&str>, now: DateTime<Utc>) -> std::result::Result<String, String> {
    let to = to.map(str::trim).filter(|t| !t.is_empty()).unwrap_or(&account.from_address).to_string();
    let mailer = Mailer::new(account, password_of(account)?)
        .map_err(|e| e.message)?
        .with_timeout(std::time::Duration::from_secs(30));
    let mail = crate::store::OutgoingMail {
        message_id: crate::ids::MessageId::new(),
        rfc_message_id: format!("{}@{}", uuid::Uuid::now_v7().simple(), account.message_id_domain()),
        kind: crate::model::OutgoingKind::Reply,
        to: to.clone(),
        to_name: String::new(),
        subject: "Shopdesk test email".into(),
        body: "This is a test email from Shopdesk. Your mail account can send replies to customers.".into(),
        in_reply_to: None,
        references: Vec::new(),
        written_at: now,
    };
    mailer.send(outgoing::build(&mail, account)?).await.map_err(|e| e.message)?;
    Ok(format!("Sent a test email to {to} through {}.", account.smtp_host))
}

/// The intake cursor's key: a different server, login or folder starts afresh.
fn mailbox_key(account: &MailAccount) -> String {
    format!("{}|{}|{}", account.imap_host, account.login(), account.imap_folder)
}

/// Files every new email from the shop's mailbox, acknowledging new cases when the account
/// says so. Records how it went (for the status line) either way.
/// `progress` hears how far a first look at the mailbox is (see [`FetchProgress`]).
pub async fn fetch_mail(
    store: &impl StoreAccess,
    now: impl Fn() -> DateTime<Utc>,
    progress: impl FnMut(FetchProgress),
) -> std::result::Result<FetchReport, String> {
    let result = fetch_inner(store, &now, progress).await;
    let error = result.as_ref().err().map(String::as_str);
    store.with(|s| s.record_fetch(error, now())).map_err(|e| e.to_string())?;
    result
}

async fn fetch_inner(
    store: &impl StoreAccess,
    now: &impl Fn() -> DateTime<Utc>,
    progress: impl FnMut(FetchProgress),
) -> std::result::Result<FetchReport, String> {
    let account = store.with(|s| s.mail_account()).map_err(|e| e.to_string())?;
    if !account.can_fetch() {
        return Err("Receiving mail is not set up: enter the IMAP server in Settings".into());
    }
    let password = password_of(&account)?
        .ok_or_else(|| "No password is saved for the mail account: enter it in Settings".to_string())?;
    let key = mailbox_key(&account);
    let cursor = store.with(|s| s.imap_cursor(&key)).map_err(|e| e.to_string())?;
    let mut report = FetchReport::default();
    let options = IngestOptions { acknowledge: true };
    let (_, end) = imap::fetch_new(&account, &password, cursor, |cursor: Cursor, raws: &[Vec<u8>]| {
        // The batch and the cursor past it in one transaction: a crash leaves both or neither.
        let filed = store
            .with(|s| s.ingest_fetched(&key, cursor, raws, &options, now()))
            .map_err(|e| format!("Fetched emails could not be filed; they stay in the mailbox and are fetched again: {e}"))?;
        for got in filed {
            report.fetched += 1;
            if got.duplicate {
                report.duplicates += 1;
            } else if got.new_case {
                report.new_cases += 1;
            } else {
                report.added_to_cases += 1;
            }
            if got.acknowledged {
                report.acknowledged += 1;
            }
            report.warnings.extend(got.warnings.iter().map(|w| format!("#{}: {w}", got.case_number)));
        }
        tracing::debug!(fetched = report.fetched, last_uid = cursor.last_uid, "a batch of fetched mail filed");
        Ok(())
    }, progress)
    .await?;
    store.with(|s| s.set_imap_cursor(&key, end)).map_err(|e| e.to_string())?;
    Ok(report)
}

/// The account as the settings screen shows it, with whether the keychain holds its password.
pub fn account_view(account: MailAccount) -> crate::account::MailAccountView {
    // Nothing set up: don't wake the keychain (on some desktops that asks to unlock it).
    let configured = account.can_send() || account.can_fetch();
    let (has_password, keychain_error) = match if configured { password_of(&account) } else { Ok(None) } {
        Ok(found) => (found.is_some(), None),
        Err(e) => (false, Some(e)),
    };
    crate::account::MailAccountView {
        can_send: account.can_send(),
        can_fetch: account.can_fetch(),
        has_password,
        keychain_error,
        account,
    }
}

/// After the account was saved (`before` → `saved`): saves its password in the keychain.
/// `Some("")` forgets the password, `None` keeps it (moved along when the login or server
/// changed, since the keychain entry is named after them). Call it without holding the store:
/// the keychain may wait on the owner to unlock it.
pub fn store_password(before: &MailAccount, saved: MailAccount, password: Option<&str>) -> std::result::Result<crate::account::MailAccountView, crate::Error> {
    let (old_user, new_user) = (before.keychain_user(), saved.keychain_user());
    // The account is saved by now: say so, so that the owner knows only the password is missing.
    let keychain = |r: std::result::Result<(), String>| {
        r.map_err(|e| crate::Error::Invalid(format!("The account settings are saved, but not the password: {e}")))
    };
    match password {
        Some("") => keychain(crate::secrets::delete_password(&new_user))?,
        Some(password) => keychain(crate::secrets::set_password(&new_user, password))?,
        None if old_user != new_user => {
            if let Ok(Some(password)) = crate::secrets::password(&old_user) {
                keychain(crate::secrets::set_password(&new_user, &password))?;
                let _ = crate::secrets::delete_password(&old_user);
            }
        }
        None => {}
    }
    Ok(account_view(saved))
}

/// Waits for the shop's mailbox to change (IMAP IDLE), with the account and password as saved.
pub async fn wait_for_new_mail(store: &impl StoreAccess, max_wait: std::time::Duration) -> std::result::Result<imap::IdleOutcome, String> {
    let account = store.with(|s| s.mail_account()).map_err(|e| e.to_string())?;
    if !account.can_fetch() {
        return Ok(imap::IdleOutcome::Unsupported);
    }
    let password = password_of(&account)?.ok_or_else(|| "No password is saved for the mail account".to_string())?;
    let cursor = store.with(|s| s.imap_cursor(&mailbox_key(&account))).map_err(|e| e.to_string())?;
    imap::wait_for_change(&account, &password, cursor, max_wait).await
}
