//! The main window is created hidden and shown once its page has loaded.
//!
//! Shown at once, GTK painted the empty web view while WebKit's web process was still starting.
//! That paint waits (up to 500 ms, WebKit's own limit) for the web process to draw, and about
//! every second start the web process was itself waiting on the app's main thread, so both
//! sat idle until the limit ran out: the queue appeared ~500 ms later, warm or cold
//! (bench/app-start.sh, BENCHMARKS.md, issue 7). Once the page has loaded, the web process
//! draws straight away. Showing the window only then also spares the user a blank frame.
//!
//! With [`AT_ONCE_ENV`] set, the window is created shown, as before. The end-to-end tests set
//! it: WebKit's WebDriver screenshots of a window that was created hidden often never came back
//! (3 of 8 app starts in the e2e mail tests hung on the session's first screenshot). One e2e
//! test starts the app without it, the way users get it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime, Window};

/// Set (to anything but nothing): the window is shown as soon as it is created.
pub const AT_ONCE_ENV: &str = "SHOPDESK_WINDOW_AT_ONCE";

/// Creates the main window from tauri.conf.json (`"create": false` there): hidden, or shown
/// with [`AT_ONCE_ENV`].
pub fn create_main_window<R: Runtime>(app: &tauri::App<R>) -> tauri::Result<()> {
    let at_once = std::env::var_os(AT_ONCE_ENV).is_some_and(|v| !v.is_empty());
    if at_once {
        SHOWN.store(true, Ordering::SeqCst);
    }
    let config = app.config().app.windows.iter().find(|w| w.label == "main").cloned().unwrap_or_default();
    tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?.visible(at_once).build()?;
    Ok(())
}

/// If the page never says it has loaded (a broken build, a stuck web process), the window is
/// shown anyway after this long, so the app never runs with no window at all.
pub const AT_MOST: Duration = Duration::from_secs(5);

/// Whether the first showing has happened. Later page loads (a reload) leave the window as the
/// user has it: hidden in the tray stays hidden.
static SHOWN: AtomicBool = AtomicBool::new(false);

/// True the first time only: the caller shows the window.
fn take_first(shown: &AtomicBool) -> bool {
    !shown.swap(true, Ordering::SeqCst)
}

/// The page has loaded: shows the window, the first time.
pub fn page_loaded<R: Runtime>(window: &Window<R>) {
    if take_first(&SHOWN) {
        tracing::info!(unix_ms = crate::unix_ms(), "page loaded; window shown");
        if let Err(e) = window.show() {
            tracing::error!(error = %e, "the window could not be shown");
        }
    }
}

/// Shows the main window after [`AT_MOST`] if the page has not loaded by then.
pub fn spawn_fallback<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(AT_MOST).await;
        if take_first(&SHOWN) {
            tracing::warn!("the page had not loaded after {AT_MOST:?}; window shown anyway");
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.show();
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_shown_by_whichever_comes_first_and_only_once() {
        let shown = AtomicBool::new(false);
        assert!(take_first(&shown), "the first page load shows the window");
        assert!(!take_first(&shown), "a reload, or the fallback after it, leaves the window as it is");
        assert!(!take_first(&shown));
    }
}
