//! The mail password in the OS keychain (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows). It never goes into the database or a log.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

/// The keychain's service name for Shopdesk's entries.
pub const SERVICE: &str = "shopdesk";

/// What this process read from or wrote to the keychain, so the mail worker asks it once, not at
/// every pass: a locked keyring then prompts once, and a keyring that hangs can't stall sending.
/// Failures are not kept (the next call asks again).
static CACHE: LazyLock<Mutex<HashMap<String, Option<String>>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

fn remember(user: &str, password: Option<&str>) {
    if let Ok(mut cache) = CACHE.lock() {
        cache.insert(user.to_string(), password.map(str::to_string));
    }
}

fn entry(user: &str) -> Result<keyring::Entry, String> {
    keyring::Entry::new(SERVICE, user).map_err(worded)
}

fn worded(e: keyring::Error) -> String {
    match e {
        keyring::Error::NoStorageAccess(inner) | keyring::Error::PlatformFailure(inner) => format!(
            "The system keychain can't be used ({inner}). On Linux, Shopdesk needs a running keyring \
             such as GNOME Keyring or KWallet, unlocked."
        ),
        other => format!("The system keychain refused: {other}"),
    }
}

/// Drops what this process remembers for `user` (the server refused it: ask the keychain again).
pub fn forget(user: &str) {
    if let Ok(mut cache) = CACHE.lock() {
        cache.remove(user);
    }
}

/// The saved password for `user`, `None` when there is none.
pub fn password(user: &str) -> Result<Option<String>, String> {
    if let Some(known) = CACHE.lock().ok().and_then(|cache| cache.get(user).cloned()) {
        return Ok(known);
    }
    let found = match entry(user)?.get_password() {
        Ok(password) => Some(password),
        Err(keyring::Error::NoEntry) => None,
        Err(e) => return Err(worded(e)),
    };
    remember(user, found.as_deref());
    Ok(found)
}

pub fn set_password(user: &str, password: &str) -> Result<(), String> {
    entry(user)?.set_password(password).map_err(worded)?;
    remember(user, Some(password));
    Ok(())
}

/// Forgets the password (nothing to forget is fine).
pub fn delete_password(user: &str) -> Result<(), String> {
    match entry(user)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => {
            remember(user, None);
            Ok(())
        }
        Err(e) => Err(worded(e)),
    }
}
