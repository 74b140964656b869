//! Where Shopdesk keeps its data by default: the OS's per-user app data folder, the same one
//! Tauri's `app_data_dir()` gives the desktop app, so the CLI and the app share one database.
//! Linux: `$XDG_DATA_HOME/com.shopdesk.desktop` (~/.local/share/…); macOS:
//! `~/Library/Application Support/com.shopdesk.desktop`; Windows: `%APPDATA%\com.shopdesk.desktop`.

use std::path::PathBuf;

/// The app's identifier (also the Tauri bundle identifier).
pub const APP_IDENTIFIER: &str = "com.shopdesk.desktop";

/// The database file's name inside the data folder.
pub const DB_FILE_NAME: &str = "shopdesk.sqlite3";

/// The default database path, or `None` when the OS names no data folder (no home directory).
pub fn default_db_path() -> Option<PathBuf> {
    dirs::data_dir().map(|dir| dir.join(APP_IDENTIFIER).join(DB_FILE_NAME))
}
