//! The reply-clock scheduler: sleeps until the next moment a customer's clock crosses a
//! threshold (or at most a minute, so sleep/resume and clock changes are noticed), then shows
//! what is new and records it. A change to the data wakes it at once.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde::Serialize;
use shopdesk_core::alerts::{self, Alert, Notifier};
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
        loop {
            let sleep = check(&app, notifier.as_ref());
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                _ = wake.notified() => {}
            }
        }
    });
}

/// One pass: announce what is new, return how long to sleep.
fn check(app: &AppHandle, notifier: &dyn Notifier) -> Duration {
    let state = app.state::<AppState>();
    let now = Utc::now();
    let Ok(mut store) = state.store.lock() else {
        return MAX_SLEEP;
    };
    let pending = match store.pending_alerts(now) {
        Ok(pending) => pending,
        Err(e) => {
            tracing::error!(error = %e, "could not check the reply clocks");
            return MAX_SLEEP;
        }
    };
    if !pending.is_empty() {
        let notification_error = alerts::compose(&pending).and_then(|n| notifier.show(&n).err());
        if let Some(error) = &notification_error {
            tracing::warn!(%error, "desktop notification not shown; the app's alert banner shows it");
        }
        // Kept for a window that opens after this pass (the event below may come too early for it).
        if let Ok(mut last) = state.notification_error.lock() {
            last.clone_from(&notification_error);
        }
        if let Err(e) = store.record_alerts(&pending, now) {
            tracing::error!(error = %e, "could not record the alerts shown");
        }
        let _ = app.emit("clock-alerts", AlertBatch { alerts: pending, notification_error });
    }
    let next = store.next_clock_change(now).ok().flatten();
    let until_next = next.and_then(|at| (at - now).to_std().ok()).unwrap_or(MAX_SLEEP);
    until_next.clamp(Duration::from_millis(200), MAX_SLEEP)
}
