//! How the desktop app behaves, as the shop owner set it (stored with the data, so a restored
//! backup brings it back).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct AppPrefs {
    /// Closing the window keeps Shopdesk running in the tray, so reply clocks still notify.
    /// Off until the owner turns it on: a closed window that doesn't quit surprises people
    /// (and automation that closes the window to end a session).
    pub keep_running_in_tray: bool,
}
