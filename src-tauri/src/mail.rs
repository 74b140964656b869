//! The app's mail worker: sends what is due from the outbox and fetches new mail every few
//! minutes (the account's setting), in the background. A command that queues, retries or
//! cancels an email, or asks to check mail now, wakes it. The store is locked only between
//! network steps (see shopdesk_core::mail::worker), never while talking to a server.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use shopdesk_core::mail::worker::{self, StoreAccess};
use shopdesk_core::Store;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::Notify;

use crate::AppState;

/// The longest the worker sleeps without looking at the outbox again.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// The app's store, as the core's mail jobs reach it.
pub struct AppStore<'a>(pub &'a AppState);

impl StoreAccess for AppStore<'_> {
    fn with<R>(&self, f: impl FnOnce(&mut Store) -> shopdesk_core::Result<R>) -> shopdesk_core::Result<R> {
        let mut guard = self
            .0
            .lock_store()
            .map_err(|_| shopdesk_core::Error::Invalid("The database lock was poisoned; restart Shopdesk".into()))?;
        let store = guard.as_mut().map_err(|why| shopdesk_core::Error::Invalid(why.clone()))?;
        f(store)
    }

    /// Every command of the window waits for the store: an import holds it 100 ms at a time.
    fn hold_limit(&self) -> Option<std::time::Duration> {
        Some(std::time::Duration::from_millis(100))
    }

    /// Waits (up to a quarter of a second) while commands wait for the store, so they go first.
    fn let_others_in(&self) {
        let until = std::time::Instant::now() + std::time::Duration::from_millis(250);
        while self.0.store_waiters.load(std::sync::atomic::Ordering::SeqCst) > 0 && std::time::Instant::now() < until {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }
}

/// What the mail commands share with the worker.
pub struct MailState {
    /// Wakes the worker: an email was queued, retried or cancelled, or the account changed.
    pub wake: Arc<Notify>,
    /// One fetch at a time (the worker's, or "Check mail" from the window).
    pub fetching: tokio::sync::Mutex<()>,
    /// The mailbox said it changed (IMAP IDLE): fetch at the next pass, whatever the interval.
    pub fetch_now: AtomicBool,
    /// The account changed: the IDLE watcher starts over with it.
    pub account_changed: Notify,
    /// Wakes the fetcher (the mailbox changed, or the account was saved).
    pub fetch_wake: Notify,
}

impl MailState {
    pub fn new(wake: Arc<Notify>) -> MailState {
        MailState { wake, fetching: tokio::sync::Mutex::new(()), fetch_now: AtomicBool::new(false), account_changed: Notify::new(), fetch_wake: Notify::new() }
    }
}

/// How long one IDLE lasts before it is renewed (servers may drop it after 30 minutes).
const IDLE_RENEW: Duration = Duration::from_secs(25 * 60);

/// Keeps an IMAP IDLE open on the shop's folder, when the server can, and has the worker fetch
/// as soon as the server says the mailbox changed. Polling stays as the fallback.
pub fn spawn_idle_watcher(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut pause = Duration::from_secs(30);
        // Between "the mailbox changed" answers that came at once (mail not fetched yet, or not
        // fileable): grows, so a stuck fetch can't have the watcher log in every second.
        let mut settle = Duration::from_secs(2);
        loop {
            let state = app.state::<AppState>();
            let mail = app.state::<MailState>();
            let store = AppStore(&state);
            let started = std::time::Instant::now();
            let waited = tokio::select! {
                r = worker::wait_for_new_mail(&store, IDLE_RENEW) => Some(r),
                _ = mail.account_changed.notified() => None,
            };
            let sleep = match waited {
                None => Duration::ZERO,
                Some(Ok(worker_outcome)) => match worker_outcome {
                    shopdesk_core::mail::imap::IdleOutcome::Changed => {
                        tracing::info!("the mailbox changed; fetching now");
                        mail.fetch_now.store(true, Ordering::SeqCst);
                        mail.fetch_wake.notify_one();
                        pause = Duration::from_secs(30);
                        settle = if started.elapsed() > Duration::from_secs(30) { Duration::from_secs(2) } else { (settle * 2).min(Duration::from_secs(300)) };
                        settle
                    }
                    shopdesk_core::mail::imap::IdleOutcome::TimedOut => Duration::ZERO,
                    // No account, no IDLE: look again later (or when the account changes).
                    shopdesk_core::mail::imap::IdleOutcome::Unsupported => Duration::from_secs(600),
                },
                Some(Err(e)) => {
                    tracing::debug!(error = %e, "waiting on the mailbox failed; polling covers it");
                    pause = (pause * 2).min(Duration::from_secs(600));
                    pause
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                _ = mail.account_changed.notified() => {}
            }
        }
    });
}

/// Fetches under the one-at-a-time lock.
pub async fn fetch(app: &AppHandle) -> Result<shopdesk_core::mail::FetchReport, String> {
    let mail = app.state::<MailState>();
    let _one = mail.fetching.lock().await;
    let state = app.state::<AppState>();
    let fetched = worker::fetch_mail(&AppStore(&state), || state.clock.now(), |p| {
        let _ = app.emit("fetch-progress", p);
    })
    .await;
    // However it ended (a dropped connection too), the window's bar goes: nothing is under way.
    let _ = app.emit("fetch-progress", shopdesk_core::mail::FetchProgress::default());
    fetched
}

/// Starts the sender and the fetcher: two tasks, so a long fetch (a first look at a big
/// mailbox) never holds back a reply.
pub fn spawn(app: AppHandle, wake: Arc<Notify>) {
    spawn_sender(app.clone(), wake);
    spawn_fetcher(app);
}

/// Sends what is due from the outbox, then sleeps until the next email is due (at most a
/// minute) or a command wakes it.
fn spawn_sender(app: AppHandle, wake: Arc<Notify>) {
    tauri::async_runtime::spawn(async move {
        loop {
            let state = app.state::<AppState>();
            let now = || state.clock.now();
            let store = AppStore(&state);
            match worker::deliver_due(&store, now).await {
                Ok(report) if report.sent > 0 || !report.failed.is_empty() => {
                    let _ = app.emit("mail-changed", ());
                    state.wake.notify_one();
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "could not go through the outbox"),
            }
            let until = store
                .with(|s| s.next_mail_due())
                .ok()
                .flatten()
                .and_then(|at| (at - now()).to_std().ok())
                .unwrap_or(MAX_SLEEP)
                .clamp(Duration::from_millis(200), MAX_SLEEP);
            tokio::select! {
                _ = tokio::time::sleep(until) => {}
                _ = wake.notified() => {}
            }
        }
    });
}

/// Fetches new mail every `poll_minutes`, or at once when the IDLE watcher says the mailbox
/// changed or the account was saved.
fn spawn_fetcher(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut next_fetch: Option<DateTime<Utc>> = None;
        loop {
            let state = app.state::<AppState>();
            let mail = app.state::<MailState>();
            let now = || state.clock.now();
            let account = AppStore(&state).with(|s| s.mail_account()).ok();
            let poll = account.as_ref().filter(|a| a.can_fetch()).map(|a| chrono::Duration::minutes(i64::from(a.poll_minutes.max(1))));
            let asked = mail.fetch_now.swap(false, Ordering::SeqCst);
            if let Some(poll) = poll {
                if asked || next_fetch.is_none_or(|at| at <= now()) {
                    let changed = match fetch(&app).await {
                        Ok(report) => report.fetched > 0,
                        Err(e) => {
                            tracing::warn!(error = %e, "could not fetch mail");
                            true
                        }
                    };
                    if changed {
                        let _ = app.emit("mail-changed", ());
                        state.wake.notify_one();
                        // Acknowledgements may be waiting: the sender goes at once.
                        mail.wake.notify_one();
                    }
                    next_fetch = Some(now() + poll);
                }
            }
            let until = poll
                .and(next_fetch)
                .and_then(|at| (at - now()).to_std().ok())
                .unwrap_or(MAX_SLEEP)
                .clamp(Duration::from_millis(200), MAX_SLEEP);
            tokio::select! {
                _ = tokio::time::sleep(until) => {}
                _ = mail.fetch_wake.notified() => {}
            }
        }
    });
}
