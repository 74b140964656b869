//! Desktop notifications through the OS's service (notify-rust). Platform details live here
//! and nowhere else: Windows needs the app's AppUserModelID and macOS its bundle identifier,
//! both the Tauri identifier.

use shopdesk_core::alerts::{Notification, Notifier};
use shopdesk_core::paths::APP_IDENTIFIER;

pub struct DesktopNotifier {
    /// Called with the case number when the user clicks "Open case" (where supported).
    pub on_open: std::sync::Arc<dyn Fn(u32) + Send + Sync>,
}

impl Notifier for DesktopNotifier {
    fn show(&self, notification: &Notification) -> Result<(), String> {
        let mut n = notify_rust::Notification::new();
        n.summary(&notification.title).body(&notification.body);
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            n.appname("Shopdesk").icon("com.shopdesk.desktop");
            if notification.case_number.is_some() {
                n.action("default", "Open case").action("open", "Open case");
            }
            let _ = APP_IDENTIFIER;
        }
        #[cfg(target_os = "windows")]
        {
            n.app_id(APP_IDENTIFIER);
        }
        #[cfg(target_os = "macos")]
        {
            let _ = notify_rust::set_application(APP_IDENTIFIER);
        }
        let handle = n.show().map_err(|e| e.to_string())?;
        #[cfg(all(unix, not(target_os = "macos")))]
        if let Some(number) = notification.case_number {
            // Waiting for the click blocks until the notification closes: its own thread.
            let on_open = self.on_open.clone();
            std::thread::spawn(move || {
                handle.wait_for_action(|action| {
                    if action == "default" || action == "open" {
                        on_open(number);
                    }
                });
            });
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        let _ = handle;
        Ok(())
    }
}
