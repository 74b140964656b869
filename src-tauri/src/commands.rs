//! One thin command per core call: lock the store, call, translate the error. No domain `if`s.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shopdesk_core::alerts::Alert;
use shopdesk_core::prefs::AppPrefs;
use shopdesk_core::sla::SlaSettings;
use shopdesk_core::{
    demo, Case, CaseSummary, CasePatch, CaseView, Contact, ContactId, ContactProfile, ContactSummary, Message, NewCase,
    NewContact, NewMessage, Queue, QueueFilter, QueuePage, Store, DEFAULT_AUTHOR,
};
use shopdesk_core::account::{MailAccount, MailAccountView};
use shopdesk_core::mail::{worker, FetchReport, MailStatus};
use shopdesk_core::{MessageId, OutboxEntry};
use tauri::{AppHandle, Emitter, Manager, State};

use crate::mail::MailState;

use crate::error::IpcError;
use crate::AppState;

pub(crate) type Reply<T> = Result<T, IpcError>;

/// Runs `f` on the store with the app clock's `now`.
pub(crate) fn with_store<T>(
    state: &State<'_, AppState>,
    f: impl FnOnce(&mut Store, DateTime<Utc>) -> shopdesk_core::Result<T>,
) -> Reply<T> {
    let now = state.clock.now();
    let mut guard = state.lock_store().map_err(|_| IpcError::internal("The database lock was poisoned; restart Shopdesk"))?;
    let store = guard.as_mut().map_err(|why| IpcError { kind: "storage", message: why.clone() })?;
    Ok(f(store, now)?)
}

/// Like [`with_store`] for commands that change data: the reply-clock scheduler looks again.
pub(crate) fn change<T>(
    state: &State<'_, AppState>,
    f: impl FnOnce(&mut Store, DateTime<Utc>) -> shopdesk_core::Result<T>,
) -> Reply<T> {
    let result = with_store(state, f);
    if result.is_ok() {
        state.wake.notify_one();
    }
    result
}

#[derive(Serialize)]
pub struct AppInfo {
    db_path: String,
    version: &'static str,
    is_empty: bool,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> Reply<AppInfo> {
    with_store(&state, |s, _now| {
        Ok(AppInfo { db_path: s.path().display().to_string(), version: env!("CARGO_PKG_VERSION"), is_empty: s.is_empty()? })
    })
}

/// When the UI's first data reached the screen (ui/src/lib/ready.ts), in ms since the page's
/// navigation started (`origin_ms`, Unix ms).
#[derive(Debug, serde::Deserialize)]
pub struct UiTimings {
    origin_ms: f64,
    mount_ms: Option<f64>,
    data_ms: f64,
    painted_ms: f64,
    /// The commands the UI called so far: `name:asked:answered` (ms), space-separated.
    #[serde(default)]
    calls: String,
}

/// The UI calls this once the first data is on screen (ui/src/lib/ready.ts). Only logged, with
/// the time and the UI's own timings, so bench/app-start.sh can time a start from outside.
#[tauri::command]
pub fn ui_ready(state: State<'_, AppState>, timings: Option<UiTimings>) {
    let unix_ms = crate::unix_ms();
    state.first_screen.send_replace(true);
    match timings {
        Some(t) => tracing::info!(
            unix_ms,
            page_origin_ms = t.origin_ms as u64,
            mount_ms = t.mount_ms.unwrap_or(-1.0),
            data_ms = t.data_ms,
            painted_ms = t.painted_ms,
            calls = %t.calls,
            "ui ready: the first data is on screen"
        ),
        None => tracing::info!(unix_ms, "ui ready: the first data is on screen"),
    }
}

#[tauri::command]
pub fn queue(state: State<'_, AppState>, filter: Option<QueueFilter>, page: Option<QueuePage>) -> Reply<Queue> {
    // No page: every open case (scripts and tests); the queue screen always asks for a page.
    with_store(&state, |s, now| s.queue(&filter.unwrap_or_default(), page.unwrap_or(QueuePage::ALL), now))
}

#[tauri::command]
pub fn list_contacts(state: State<'_, AppState>, query: Option<String>) -> Reply<Vec<ContactSummary>> {
    with_store(&state, |s, _now| s.find_contacts(query.as_deref().unwrap_or("")))
}

#[tauri::command]
pub fn get_contact(state: State<'_, AppState>, id: ContactId) -> Reply<ContactProfile> {
    with_store(&state, |s, now| s.contact_profile(id, now))
}

#[tauri::command]
pub fn create_contact(state: State<'_, AppState>, input: NewContact) -> Reply<Contact> {
    change(&state, |s, now| s.create_contact(&input, now))
}

#[tauri::command]
pub fn update_contact(state: State<'_, AppState>, id: ContactId, input: NewContact) -> Reply<Contact> {
    change(&state, |s, now| s.update_contact(id, &input, now))
}

#[tauri::command]
pub fn open_case(state: State<'_, AppState>, input: NewCase) -> Reply<Case> {
    change(&state, |s, now| s.open_case(&input, now))
}

#[tauri::command]
pub fn get_case(state: State<'_, AppState>, number: u32) -> Reply<CaseView> {
    with_store(&state, |s, now| s.case_view(number, now))
}

#[tauri::command]
pub fn log_message(state: State<'_, AppState>, number: u32, input: NewMessage) -> Reply<Message> {
    change(&state, |s, now| s.log_message(number, &input, now))
}

#[tauri::command]
pub fn update_case(state: State<'_, AppState>, number: u32, patch: CasePatch) -> Reply<Case> {
    change(&state, |s, now| s.update_case(number, &patch, DEFAULT_AUTHOR, now))
}

/// Two cases about the same matter become one: the older number stays (Store::merge_cases).
#[tauri::command]
pub fn merge_cases(state: State<'_, AppState>, number: u32, other: u32) -> Reply<Case> {
    change(&state, |s, now| s.merge_cases(number, other, DEFAULT_AUTHOR, now))
}

/// The same customer twice (two addresses, a phone call before their first email): `absorb`'s
/// emails, phones, tags and cases move to `keep`, which the answer is (Store::merge_contacts).
#[tauri::command]
pub fn merge_contacts(state: State<'_, AppState>, keep: ContactId, absorb: ContactId) -> Reply<Contact> {
    change(&state, |s, now| s.merge_contacts(keep, absorb, DEFAULT_AUTHOR, now))
}

#[tauri::command]
pub fn load_demo(state: State<'_, AppState>) -> Reply<usize> {
    change(&state, demo::load)
}

/// How many late cases the alert banner gets in full (it shows 5, or these when expanded); the
/// others travel as case numbers only.
const LATE_IN_FULL: usize = 50;

/// What is late right now, for the alert banner. At 10,000 open cases about 5,000 can be late:
/// every one in full was 4 MB of JSON at start and every minute, and ~30 MB held by the page
/// (BENCHMARKS.md, issue 7); their numbers are enough to say what is news.
#[derive(Debug, Serialize, PartialEq)]
pub struct LateCases {
    /// The first late cases in full, in `Store::sla_check`'s order (overdue first, then the
    /// longest waiting), at most [`LATE_IN_FULL`].
    pub first: Vec<CaseSummary>,
    /// The number of every overdue case, in the same order.
    pub overdue: Vec<u32>,
    /// The number of every case due for a reply soon, in the same order.
    pub due_soon: Vec<u32>,
}

impl LateCases {
    fn from_alerts(alerts: Vec<CaseSummary>) -> Self {
        use shopdesk_core::sla::ClockStateKind;
        let (mut overdue, mut due_soon) = (Vec::new(), Vec::new());
        for c in &alerts {
            match c.clock.as_ref().map(|k| k.state) {
                Some(ClockStateKind::Overdue) => overdue.push(c.number),
                _ => due_soon.push(c.number),
            }
        }
        let mut first = alerts;
        first.truncate(LATE_IN_FULL);
        first.shrink_to_fit();
        LateCases { first, overdue, due_soon }
    }
}

#[tauri::command]
pub fn sla_check(state: State<'_, AppState>) -> Reply<LateCases> {
    with_store(&state, |s, now| s.sla_check(now)).map(LateCases::from_alerts)
}

#[tauri::command]
pub fn get_sla_settings(state: State<'_, AppState>) -> Reply<SlaSettings> {
    with_store(&state, |s, _now| s.sla_settings())
}

#[tauri::command]
pub fn set_sla_settings(state: State<'_, AppState>, settings: SlaSettings) -> Reply<SlaSettings> {
    change(&state, |s, _now| {
        s.set_sla_settings(&settings)?;
        s.sla_settings()
    })
}

/// Why the last desktop notification could not be shown, for the alert banner.
#[tauri::command]
pub fn notification_error(state: State<'_, AppState>) -> Option<String> {
    state.notification_error.lock().ok().and_then(|e| e.clone())
}

#[tauri::command]
pub fn get_app_prefs(state: State<'_, AppState>) -> Reply<AppPrefs> {
    with_store(&state, |s, _now| s.app_prefs())
}

#[tauri::command]
pub fn set_app_prefs(state: State<'_, AppState>, prefs: AppPrefs) -> Reply<AppPrefs> {
    with_store(&state, |s, _now| {
        s.set_app_prefs(&prefs)?;
        s.app_prefs()
    })
}

/// Customers to get back to (no news while waiting on a third party, no answer yet).
#[tauri::command]
pub fn reminders(state: State<'_, AppState>) -> Reply<Vec<Alert>> {
    with_store(&state, |s, now| s.due_reminders(now))
}

/// "Remind me" on a case at `at` (`null` clears it).
#[tauri::command]
pub fn set_reminder(state: State<'_, AppState>, number: u32, at: Option<chrono::DateTime<Utc>>) -> Reply<Case> {
    change(&state, |s, now| s.set_reminder(number, at, DEFAULT_AUTHOR, now))
}

/// Whether the OS starts Shopdesk at login (the OS's autostart entry is the truth, not the database).
#[tauri::command]
pub fn get_start_at_login(app: tauri::AppHandle) -> Reply<bool> {
    use tauri_plugin_autostart::ManagerExt;
    app.autolaunch().is_enabled().map_err(|e| IpcError::internal(format!("Could not read the login items: {e}")))
}

#[tauri::command]
pub fn set_start_at_login(app: tauri::AppHandle, enabled: bool) -> Reply<bool> {
    use tauri_plugin_autostart::ManagerExt;
    let launcher = app.autolaunch();
    let result = if enabled { launcher.enable() } else { launcher.disable() };
    result.map_err(|e| IpcError::internal(format!("Could not change the login items: {e}")))?;
    launcher.is_enabled().map_err(|e| IpcError::internal(format!("Could not read the login items: {e}")))
}

// ---- Mail: the account, the outbox, fetching ----

/// Like [`change`] for the outbox: the mail worker looks again too, and the window refreshes.
fn mail_change<T>(
    state: &State<'_, AppState>,
    mail: &State<'_, MailState>,
    app: &AppHandle,
    f: impl FnOnce(&mut Store, DateTime<Utc>) -> shopdesk_core::Result<T>,
) -> Reply<T> {
    let result = change(state, f);
    if result.is_ok() {
        mail.wake.notify_one();
        let _ = app.emit("mail-changed", ());
    }
    result
}

/// Runs `f` on a blocking thread: for work that talks to the keychain, which may wait on a
/// prompt or a slow D-Bus peer, and must never freeze the window (sync commands run on the
/// main thread).
pub(crate) async fn off_main_thread<T: Send + 'static>(app: &AppHandle, f: impl FnOnce(&AppHandle) -> Reply<T> + Send + 'static) -> Reply<T> {
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || f(&app))
        .await
        .map_err(|e| IpcError::internal(format!("The keychain call stopped unexpectedly: {e}")))?
}

#[tauri::command]
pub async fn get_mail_account(app: AppHandle) -> Reply<MailAccountView> {
    let account = with_store(&app.state::<AppState>(), |s, _now| s.mail_account())?;
    off_main_thread(&app, move |_| Ok(worker::account_view(account))).await
}

/// `password`: `None` keeps the saved one, `""` forgets it.
#[tauri::command]
pub async fn set_mail_account(app: AppHandle, account: MailAccount, password: Option<String>) -> Reply<MailAccountView> {
    let (state, mail) = (app.state::<AppState>(), app.state::<MailState>());
    let (before, saved) = mail_change(&state, &mail, &app, |s, now| {
        let before = s.mail_account()?;
        let saved = s.set_mail_account(&account)?;
        // What the server refused before may go through with the corrected account.
        s.requeue_held(now)?;
        Ok((before, saved))
    })?;
    let view = off_main_thread(&app, move |_| Ok(worker::store_password(&before, saved, password.as_deref())?)).await?;
    mail.account_changed.notify_one();
    mail.fetch_wake.notify_one();
    mail.wake.notify_one();
    Ok(view)
}

#[tauri::command]
pub async fn send_test_email(state: State<'_, AppState>, to: Option<String>) -> Reply<String> {
    let account = with_store(&state, |s, _now| s.mail_account())?;
    worker::send_test(&account, to.as_deref(), state.clock.now())
        .await
        .map_err(|message| IpcError { kind: "invalid_input", message })
}

/// Queues an email reply on the case; `send_at` schedules it.
#[tauri::command]
pub fn send_reply(
    state: State<'_, AppState>,
    mail: State<'_, MailState>,
    app: AppHandle,
    number: u32,
    body: String,
    send_at: Option<DateTime<Utc>>,
) -> Reply<Message> {
    mail_change(&state, &mail, &app, |s, now| s.queue_reply(number, &body, send_at, DEFAULT_AUTHOR, now))
}

/// One click on a quiet customer: the saved follow-up goes to the outbox.
#[tauri::command]
pub fn send_follow_up(state: State<'_, AppState>, mail: State<'_, MailState>, app: AppHandle, number: u32) -> Reply<Message> {
    mail_change(&state, &mail, &app, |s, now| s.queue_follow_up(number, DEFAULT_AUTHOR, now))
}

#[tauri::command]
pub fn retry_outgoing(state: State<'_, AppState>, mail: State<'_, MailState>, app: AppHandle, message_id: MessageId) -> Reply<Message> {
    mail_change(&state, &mail, &app, |s, now| s.retry_outgoing(message_id, now))
}

#[tauri::command]
pub fn cancel_outgoing(state: State<'_, AppState>, mail: State<'_, MailState>, app: AppHandle, message_id: MessageId) -> Reply<Message> {
    mail_change(&state, &mail, &app, |s, now| s.cancel_outgoing(message_id, now))
}

#[tauri::command]
pub fn outbox(state: State<'_, AppState>) -> Reply<Vec<OutboxEntry>> {
    with_store(&state, |s, now| s.outbox(now))
}

#[tauri::command]
pub fn mail_status(state: State<'_, AppState>) -> Reply<MailStatus> {
    with_store(&state, |s, _now| s.mail_status())
}

#[tauri::command]
pub async fn fetch_mail_now(app: AppHandle, mail: State<'_, MailState>) -> Reply<FetchReport> {
    let result = crate::mail::fetch(&app).await;
    // Acknowledgements may wait in the outbox; the status line changed either way.
    mail.wake.notify_one();
    let _ = app.emit("mail-changed", ());
    result.map_err(|message| IpcError { kind: "invalid_input", message })
}

/// The email's HTML version made safe to show (no scripts; remote images only when asked).
#[tauri::command]
pub fn message_html(state: State<'_, AppState>, message_id: MessageId, remote_images: bool) -> Reply<Option<String>> {
    with_store(&state, |s, _now| Ok(s.message_html(message_id)?.map(|html| shopdesk_core::mail::html::sanitize(&html, remote_images))))
}

/// Imports past mail (mbox files, .eml files, folders of them), reporting progress on
/// `import-progress`; with `close_quiet_days`, conversations quiet for longer come in closed.
/// Runs off the main thread; the store is taken one step at a time.
#[tauri::command]
pub async fn import_mail(
    app: AppHandle,
    paths: Vec<std::path::PathBuf>,
    close_quiet_days: Option<u32>,
) -> Reply<shopdesk_core::mail::import::ImportReport> {
    // A Stop from an earlier import is forgotten now, before this one can be asked to stop.
    app.state::<AppState>().import_stop.store(false, std::sync::atomic::Ordering::Relaxed);
    let worker_app = app.clone();
    let result = tauri::async_runtime::spawn_blocking(move || {
        let state = worker_app.state::<AppState>();
        let options = shopdesk_core::mail::import::ImportOptions { close_quiet_days, stop: Some(&state.import_stop) };
        shopdesk_core::mail::import::import_paths_with(&crate::mail::AppStore(&state), &paths, &options, || state.clock.now(), |p| {
            let _ = worker_app.emit("import-progress", p);
        })
    })
    .await
    .map_err(|e| IpcError::internal(format!("The import stopped unexpectedly: {e}")))?;
    if result.is_ok() {
        app.state::<AppState>().wake.notify_one();
    }
    Ok(result?)
}

/// "Stop" on a running import: it ends after the step it is filing, which is kept; importing
/// the same mail again brings in the rest.
#[tauri::command]
pub fn stop_import(state: State<'_, AppState>) {
    state.import_stop.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// "Save…" on an attachment: copies the file to where the owner chose in the save dialog.
#[tauri::command]
pub fn save_attachment(state: State<'_, AppState>, hash: String, to: std::path::PathBuf) -> Reply<()> {
    with_store(&state, |s, _now| s.save_attachment(&hash, &to))
}

/// Search as you type: cases, messages and contacts, and a jump when the query names one thing.
#[tauri::command]
pub fn search(state: State<'_, AppState>, query: String, filter: Option<QueueFilter>) -> Reply<shopdesk_core::store::SearchResults> {
    with_store(&state, |s, _now| s.search(&query, &filter.unwrap_or_default()))
}

// ---- Backups ----

#[tauri::command]
pub fn backups(state: State<'_, AppState>) -> Reply<shopdesk_core::backup::Backups> {
    with_store(&state, |s, _now| shopdesk_core::backup::describe(&shopdesk_core::backup::folder_of(s.path())))
}

#[tauri::command]
pub async fn back_up_now(app: AppHandle) -> Reply<shopdesk_core::backup::Backups> {
    off_main_thread(&app, |app| {
        with_store(&app.state::<AppState>(), |s, now| {
            let dir = shopdesk_core::backup::folder_of(s.path());
            s.back_up(&dir, shopdesk_core::backup::DEFAULT_KEEP, now)?;
            shopdesk_core::backup::describe(&dir)
        })
    })
    .await
}

/// Puts a backup in place of the open database: closes it, checks and restores the file
/// (keeping the current one aside), and opens the restored one. Returns where the replaced
/// database was kept.
/// Why the database could not be opened at start, and the newest sound backup to offer.
#[derive(Serialize)]
pub struct StartupProblem {
    message: String,
    db_path: Option<String>,
    backup: Option<shopdesk_core::backup::BackupFile>,
}

#[tauri::command]
pub async fn startup_problem(app: AppHandle) -> Reply<Option<StartupProblem>> {
    off_main_thread(&app, |app| {
        let state = app.state::<AppState>();
        let message = match state.lock_store() {
            Ok(guard) => match guard.as_ref() {
                Ok(_) => return Ok(None),
                Err(why) => why.clone(),
            },
            Err(_) => return Err(IpcError::internal("The database lock was poisoned; restart Shopdesk")),
        };
        // Checking backups reads them whole: done without the lock.
        let backup = state.db_path.as_deref().and_then(shopdesk_core::backup::latest_good);
        Ok(Some(StartupProblem { message, db_path: state.db_path.as_ref().map(|p| p.display().to_string()), backup }))
    })
    .await
}

#[tauri::command]
pub async fn restore_backup(app: AppHandle, path: std::path::PathBuf) -> Reply<String> {
    // No fetch may file into the database being replaced (its cursor would skip mail).
    let mail = app.state::<MailState>();
    let _no_fetch = mail.fetching.lock().await;
    off_main_thread(&app, move |app| {
        let state = app.state::<AppState>();
        let mut guard = state.lock_store().map_err(|_| IpcError::internal("The database lock was poisoned; restart Shopdesk"))?;
        // The open database's file, or (when it could not be opened: damaged) the file it would be.
        let db = match guard.as_ref() {
            Ok(store) => store.path().to_path_buf(),
            Err(why) => state.db_path.clone().ok_or_else(|| IpcError { kind: "storage", message: why.clone() })?,
        };
        shopdesk_core::backup::check(&path)?;
        *guard = Err("Restoring a backup…".into()); // closes the database
        let now = state.clock.now();
        let restored = shopdesk_core::backup::restore(&path, &db, now);
        *guard = Store::open(&db).map_err(|e| e.to_string());
        let aside = restored?;
        guard.as_ref().map_err(|why| IpcError { kind: "storage", message: why.clone() })?;
        state.wake.notify_one();
        Ok(aside.display().to_string())
    })
    .await
}
