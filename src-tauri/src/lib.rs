//! The Tauri shell: opens the store in the OS's app data folder and exposes one thin command
//! per core call. Only this crate knows about IPC and windows; every rule lives in
//! shopdesk-core.


mod commands;
mod error;
mod first_show;
mod mail;
mod memory;
mod notifier;
mod scheduler;
mod shop;
mod tray;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LockResult, Mutex, MutexGuard};

use shopdesk_core::{demo, paths, Store};
use tauri::{Emitter, Manager};
use tokio::sync::Notify;

/// The open database, shared by every command, and the scheduler's wake-up call.
pub struct AppState {
    /// The open database, or why it could not be opened (a file from a newer Shopdesk, a
    /// damaged file): the window then opens anyway and every command says why. Take it with
    /// [`AppState::lock_store`].
    pub store: Mutex<Result<Store, String>>,
    /// How many threads wait for `store` right now (see [`AppState::lock_store`]).
    pub store_waiters: AtomicUsize,
    /// Notified after every change to the data, so the reply clocks are looked at again.
    pub wake: Arc<Notify>,
    /// Why the last desktop notification could not be shown (`None`: it was, or none yet).
    pub notification_error: Mutex<Option<String>>,
    /// Where every command and the scheduler get `now`.
    pub clock: shopdesk_core::wallclock::Clock,
    /// The database file in use (known even when it could not be opened).
    pub db_path: Option<PathBuf>,
    /// Becomes true when the UI says its first data is on screen (`ui_ready`).
    pub first_screen: tokio::sync::watch::Sender<bool>,
    /// Set by `stop_import`: the import running ends after the step it is filing.
    pub import_stop: std::sync::atomic::AtomicBool,
}

/// The longest the start-up background work waits for the UI's first screen.
const FIRST_SCREEN_AT_MOST: std::time::Duration = std::time::Duration::from_secs(10);

/// Waits until the UI has its first data on screen (at most [`FIRST_SCREEN_AT_MOST`]): the
/// background work at start (the first reply-clock sweep, the daily backup) takes the database
/// lock for long at 10,000 cases, and the window's first queue would wait for it (issue 7).
pub(crate) async fn after_first_screen(app: &tauri::AppHandle) {
    let mut shown = app.state::<AppState>().first_screen.subscribe();
    let _ = tokio::time::timeout(FIRST_SCREEN_AT_MOST, shown.wait_for(|shown| *shown)).await;
}

impl AppState {
    /// The store's lock, counted while it is waited for, so that a long job taking the store
    /// step by step (an import) lets the waiting commands have it between its steps
    /// (`crate::mail::AppStore`'s `let_others_in`) instead of taking it straight back.
    pub fn lock_store(&self) -> LockResult<MutexGuard<'_, Result<Store, String>>> {
        self.store_waiters.fetch_add(1, Ordering::SeqCst);
        let guard = self.store.lock();
        self.store_waiters.fetch_sub(1, Ordering::SeqCst);
        guard
    }
}

/// What the command line asked of the app.
#[derive(Debug, Default, PartialEq)]
struct Options {
    /// Fill an empty database with sample data on start.
    demo: bool,
    /// Use this database file instead of the one in the app data folder.
    db: Option<PathBuf>,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Options {
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--demo" => options.demo = true,
            "--db" => options.db = args.next().map(PathBuf::from),
            other => {
                if let Some(path) = other.strip_prefix("--db=") {
                    options.db = Some(PathBuf::from(path));
                }
            }
        }
    }
    options
}

/// The single-instance name for the database in use: one window per database file.
fn instance_id(options: &Options) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    match &options.db {
        Some(path) => std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()).hash(&mut hasher),
        None => "the app data folder".hash(&mut hasher),
    }
    format!("com.shopdesk.desktop.db{:016x}", hasher.finish())
}

fn db_path(app: &tauri::App, options: &Options) -> Result<PathBuf, String> {
    match &options.db {
        Some(path) => Ok(path.clone()),
        None => app
            .path()
            .app_data_dir()
            .map(|dir| dir.join(paths::DB_FILE_NAME))
            .map_err(|e| format!("No app data folder on this system: {e}")),
    }
}

fn open_store(app: &tauri::App, options: &Options, now: chrono::DateTime<chrono::Utc>) -> Result<Store, String> {
    let path = db_path(app, options)?;
    tracing::info!(path = %path.display(), "opening database");
    let mut store = Store::open(&path).map_err(|e| e.to_string())?;
    if options.demo && store.is_empty().map_err(|e| e.to_string())? {
        let n = demo::load(&mut store, now).map_err(|e| e.to_string())?;
        tracing::info!(cases = n, "loaded sample data");
    }
    Ok(store)
}

/// Now, in Unix milliseconds: the start-time log lines carry it so bench/app-start.sh can line
/// them up with its own clock.
pub(crate) fn unix_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// A backup of the database once a day (checked hourly and at start), the newest 14 kept.
fn spawn_daily_backup(app: tauri::AppHandle) {
    tauri::async_runtime::spawn(async move {
        after_first_screen(&app).await;
        loop {
            let state = app.state::<AppState>();
            let now = state.clock.now();
            if let Ok(mut guard) = state.lock_store() {
                if let Ok(store) = guard.as_mut() {
                    let dir = shopdesk_core::backup::folder_of(store.path());
                    let result = shopdesk_core::backup::due(&dir, now)
                        .and_then(|due| due.then(|| store.back_up(&dir, shopdesk_core::backup::DEFAULT_KEEP, now)).transpose());
                    match result {
                        Ok(Some(file)) => tracing::info!(file = %file.display(), "daily backup written"),
                        Ok(None) => {}
                        Err(e) => tracing::error!(error = %e, "the daily backup failed"),
                    }
                }
            }
            // The start's work (the first screen, the first sweep, this check) is done, or an
            // hour has passed: what malloc holds free goes back to the system.
            memory::return_free_memory();
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    });
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    memory::return_freed_memory_sooner();
    // WebKitGTK's accelerated compositing cost 2.4-3.6 s before the first frame of a 10,000-case
    // queue and 100 MB in the web process, measured under Xvfb (BENCHMARKS.md, issue 7); lists
    // and text need none of it. Set before GTK and WebKit start; a value set outside wins.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    // JavaScriptCore's optimising JITs (DFG, and FTL above it) pay off for long-running hot
    // loops, which this UI does not have; without them the idle web process held 4-5 MB less
    // and a JSON/sort/DOM workload in the window ran no slower (BENCHMARKS.md, issue 7). The
    // baseline JIT stays (without any JIT the same workload took 1.5x as long). Read by the web
    // process, which inherits the variable; a value set outside wins.
    #[cfg(target_os = "linux")]
    if std::env::var_os("JSC_useDFGJIT").is_none() {
        std::env::set_var("JSC_useDFGJIT", "0");
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    tracing::info!(unix_ms = unix_ms(), "shell started");
    let options = parse_args(std::env::args().skip(1));
    let mut builder = tauri::Builder::default();
    // First among the plugins: a second start on the same database shows the first window and
    // exits before anything else runs. (Keyed by database on Linux; by app elsewhere.)
    #[cfg(desktop)]
    {
        builder = builder.plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(instance_id(&options))
                .callback(|app, _args, _cwd| tray::show_main_window(app))
                .build(),
        );
    }
    let result = builder
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            // First, so that WebKit starts while the database opens.
            first_show::create_main_window(app)?;
            let clock = shopdesk_core::wallclock::Clock::from_env();
            let store = open_store(app, &options, clock.now()).inspect_err(|message| {
                tracing::error!("{message}");
            });
            tracing::info!(unix_ms = unix_ms(), "database open");
            let wake = Arc::new(Notify::new());
            let db_path = db_path(app, &options).ok();
            app.manage(AppState { store: Mutex::new(store), store_waiters: AtomicUsize::new(0), wake: wake.clone(), notification_error: Mutex::new(None), clock, db_path, first_screen: tokio::sync::watch::Sender::new(false), import_stop: std::sync::atomic::AtomicBool::new(false) });
            #[cfg(desktop)]
            app.handle().plugin(tauri_plugin_autostart::init(tauri_plugin_autostart::MacosLauncher::LaunchAgent, None))?;
            // Without a tray (no status area on this desktop) closing the window quits as usual.
            if let Err(e) = tray::create(app) {
                tracing::warn!(error = %e, "no tray icon; closing the window will quit Shopdesk");
            }
            let handle = app.handle().clone();
            let on_open = Arc::new(move |number: u32| {
                tray::show_main_window(&handle);
                let _ = handle.emit("open-case", number);
            });
            scheduler::spawn(app.handle().clone(), wake, Box::new(notifier::DesktopNotifier { on_open }));
            let mail_wake = Arc::new(Notify::new());
            app.manage(mail::MailState::new(mail_wake.clone()));
            mail::spawn(app.handle().clone(), mail_wake);
            mail::spawn_idle_watcher(app.handle().clone());
            spawn_daily_backup(app.handle().clone());
            first_show::spawn_fallback(app.handle().clone());
            tracing::info!(unix_ms = unix_ms(), "setup done");
            Ok(())
        })
        .on_page_load(|webview, payload| {
            if payload.event() == tauri::webview::PageLoadEvent::Finished {
                first_show::page_loaded(&webview.window());
            }
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                let app = window.app_handle();
                let keep = app
                    .try_state::<AppState>()
                    .and_then(|s| s.lock_store().ok().and_then(|store| store.as_ref().ok()?.app_prefs().ok()))
                    .is_some_and(|prefs| prefs.keep_running_in_tray);
                if keep && tray::exists(app) {
                    api.prevent_close();
                    let _ = window.hide();
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::ui_ready,
            commands::queue,
            commands::list_contacts,
            commands::get_contact,
            commands::create_contact,
            commands::update_contact,
            commands::open_case,
            commands::get_case,
            commands::log_message,
            commands::update_case,
            commands::merge_cases,
            commands::merge_contacts,
            commands::stop_import,
            commands::load_demo,
            commands::sla_check,
            commands::get_sla_settings,
            commands::set_sla_settings,
            commands::notification_error,
            commands::reminders,
            commands::set_reminder,
            commands::get_start_at_login,
            commands::set_start_at_login,
            commands::get_app_prefs,
            commands::set_app_prefs,
            commands::get_mail_account,
            commands::set_mail_account,
            commands::send_test_email,
            commands::send_reply,
            commands::send_follow_up,
            commands::retry_outgoing,
            commands::cancel_outgoing,
            commands::outbox,
            commands::mail_status,
            commands::fetch_mail_now,
            commands::message_html,
            commands::import_mail,
            commands::save_attachment,
            commands::search,
            commands::backups,
            commands::back_up_now,
            commands::restore_backup,
            commands::startup_problem,
            shop::saved_replies,
            shop::placeholders,
            shop::add_saved_reply,
            shop::update_saved_reply,
            shop::delete_saved_reply,
            shop::fill_saved_reply,
            shop::preview_orders,
            shop::import_orders,
            shop::list_orders,
            shop::get_survey_settings,
            shop::set_survey_settings,
            shop::survey_answers,
            shop::set_quotable,
            shop::report,
            shop::save_report_table,
            shop::export_data,
        ])
        .run(tauri::generate_context!());
    if let Err(err) = result {
        eprintln!("Shopdesk could not start: {err}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_options() {
        let args = |a: &[&str]| parse_args(a.iter().map(|s| s.to_string()));
        assert_eq!(args(&[]), Options::default());
        assert_eq!(args(&["--demo"]), Options { demo: true, db: None });
        assert_eq!(args(&["--db", "/tmp/x.sqlite3"]).db, Some(PathBuf::from("/tmp/x.sqlite3")));
        assert_eq!(args(&["--db=/tmp/y.sqlite3", "--demo"]), Options { demo: true, db: Some("/tmp/y.sqlite3".into()) });
    }
}
