//! The mail password in the OS keychain (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows). It never goes into the database or a log.

/// The keychain's service name for Shopdesk's entries.
pub const SERVICE: &str = "shopdesk";

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

/// The saved password for `user`, `None` when there is none.
pub fn password(user: &str) -> Result<Option<String>, String> {
    match entry(user)?.get_password() {
        Ok(password) => Ok(Some(password)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(worded(e)),
    }
}

pub fn set_password(user: &str, password: &str) -> Result<(), String> {
    entry(user)?.set_password(password).map_err(worded)
}

/// Forgets the password (nothing to forget is fine).
pub fn delete_password(user: &str) -> Result<(), String> {
    match entry(user)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(worded(e)),
    }
}
