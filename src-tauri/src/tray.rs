//! The tray icon: the count of overdue customers at a glance, and a way back to the window
//! (or out of Shopdesk) when the window is closed but the reply clocks keep watching.

use tauri::menu::{Menu, MenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager};

const TRAY_ID: &str = "main";

pub fn create(app: &tauri::App) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open Shopdesk", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Shopdesk", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &quit])?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .menu(&menu)
        .tooltip("Shopdesk")
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => show_main_window(app),
            "quit" => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click { button: MouseButton::Left, button_state: MouseButtonState::Up, .. } = event {
                show_main_window(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    Ok(())
}

/// Whether a tray icon exists to bring the window back from.
pub fn exists(app: &AppHandle) -> bool {
    app.tray_by_id(TRAY_ID).is_some()
}

pub fn show_main_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Shows how many customers are past their reply target (title beside the icon where the
/// platform shows one, tooltip elsewhere).
pub fn show_overdue(app: &AppHandle, overdue: usize) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else { return };
    let tooltip = match overdue {
        0 => "Shopdesk: nobody is overdue".to_string(),
        1 => "Shopdesk: 1 customer overdue".to_string(),
        n => format!("Shopdesk: {n} customers overdue"),
    };
    let _ = tray.set_tooltip(Some(tooltip));
    let _ = tray.set_title((overdue > 0).then(|| overdue.to_string()));
}
