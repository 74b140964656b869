//! The reply-clock scheduler: sleeps until the next moment a customer's clock crosses a
//! threshold (or at most a minute, so sleep/resume and clock changes are noticed), then shows
//! what is new and records it. A change to the data wakes it at once.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde::Serialize;
use shopdesk_core::alerts::{self, Alert, Notifier};
use shopdesk_core::store::ClockSweep;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::Notify;

use crate::AppState;

/// The longest the scheduler sleeps without looking again.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// What the UI's alert banner receives on `clock-alerts`.
#[derive(Clone, Serialize)]
pub struct AlertBatch {
    pub alerts: Vec<Alert>,
    /// Why the desktop notification could not be shown (the banner is then the only signal).
    pub notification_error: Option<String>,
}

pub fn spawn(app: AppHandle, wake: Arc<Notify>, notifier: Box<dyn Notifier + Send + Sync>) {
    tauri::async_runtime::spawn(async move {
        // The first pass waits for the window's first queue (the UI asks sla_check itself).
        crate::after_first_screen(&app).await;
        loop {
            let sleep = check(&app, notifier.as_ref());
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                _ = wake.notified() => {}
            }
        }
    });
}

/// Reads and records under the lock; nothing in here may wait on the main thread, which
/// itself takes the lock to run commands.
fn look(app: &AppHandle, now: chrono::DateTime<Utc>) -> shopdesk_core::Result<Option<ClockSweep>> {
    let state = app.state::<AppState>();
    let Ok(mut guard) = state.lock_store() else {
        return Ok(None);
    };
    let Ok(store) = guard.as_mut() else {
        return Ok(None);
    };
    // Cases that waited on a silent customer long enough are solved first (when the shop
    // turned that on), so they neither alert nor count as late.
    let solved = store.auto_solve(now)?;
    if !solved.is_empty() {
        tracing::info!(?solved, "solved cases whose customer stayed silent");
    }
    // Satisfaction checks that came due go to the outbox (the sender is woken below).
    match store.queue_due_surveys(now) {
        Ok(asked) if !asked.is_empty() => {
            tracing::info!(?asked, "queued satisfaction checks");
            app.state::<crate::mail::MailState>().wake.notify_one();
        }
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "could not queue the satisfaction checks"),
    }
    let sweep = store.sweep_clocks(now)?;
    // Recorded before showing: a notification is shown at most once, even if showing fails
    // (the banner is told either way).
    store.record_alerts(&sweep.pending, now)?;
    Ok(Some(sweep))
}

/// One pass: announce what is new, return how long to sleep.
fn check(app: &AppHandle, notifier: &dyn Notifier) -> Duration {
    let now = app.state::<AppState>().clock.now();
    let sweep = match look(app, now) {
        Ok(Some(sweep)) => sweep,
        Ok(None) => return MAX_SLEEP,
        Err(e) => {
            tracing::error!(error = %e, "could not check the reply clocks");
            return MAX_SLEEP;
        }
    };
    // The store's lock is released: showing, emitting and the tray may talk to the main thread.
    crate::tray::show_overdue(app, sweep.overdue);
    if !sweep.pending.is_empty() {
        let notification_error = alerts::compose(&sweep.pending).and_then(|n| notifier.show(&n).err()).map(|error| {
            tracing::warn!(%error, "desktop notification not shown; the app's alert banner shows it");
            alerts::notification_failure(&error)
        });
        // Kept for a window that opens after this pass (the event below may come too early for it).
        if let Ok(mut last) = app.state::<AppState>().notification_error.lock() {
            last.clone_from(&notification_error);
        }
        let _ = app.emit("clock-alerts", AlertBatch { alerts: sweep.pending, notification_error });
    }
    let until_next = sweep.next_change.and_then(|at| (at - now).to_std().ok()).unwrap_or(MAX_SLEEP);
    until_next.clamp(Duration::from_millis(200), MAX_SLEEP)
}
