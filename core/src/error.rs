//! Errors of the core, worded for the shop owner who will read them.
//!
//! Every variant says what happened in words a person can act on; `kind()` is for code
//! (the shell's IPC error, the CLI's exit status) that must branch on the sort of failure.

use std::path::PathBuf;

use serde::Serialize;
use ts_rs::TS;

use crate::ids::ContactId;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("No contact with email {0}")]
    NoContactWithEmail(String),
    #[error("No contact with phone number {0}")]
    NoContactWithPhone(String),
    #[error("No contact with id {0}")]
    NoContact(ContactId),
    #[error("No case #{0}")]
    NoCase(u32),
    #[error("Please enter the contact's name")]
    EmptyName,
    #[error("\"{0}\" is not a valid email address (expected something like ana@example.com)")]
    InvalidEmail(String),
    #[error("\"{0}\" is not a valid phone number (use digits, spaces, dashes and an optional leading +)")]
    InvalidPhone(String),
    #[error("The email {email} already belongs to {owner}")]
    EmailTaken { email: String, owner: String },
    #[error("The phone number {phone} already belongs to {owner}")]
    PhoneTaken { phone: String, owner: String },
    /// Input that breaks a rule; the text says which and what to do.
    #[error("{0}")]
    Invalid(String),
    #[error(
        "{path} was written by a newer version of Shopdesk (schema version {found}; this version \
         knows up to {supported}). Update Shopdesk to open it; the file was not changed."
    )]
    NewerSchema { path: PathBuf, found: i64, supported: i64 },
    #[error("{path} is not a Shopdesk database, or it is damaged; the file was not changed")]
    NotADatabase { path: PathBuf },
    #[error("Could not create the folder {path}: {source}")]
    Folder { path: PathBuf, source: std::io::Error },
    #[error("Could not write the file {path}: {source}")]
    File { path: PathBuf, source: std::io::Error },
    /// SQLite or a file write found no room: what was being done is rolled back whole.
    #[error("The disk is full, so this was not saved (nothing was half-written). Free some space and try again")]
    DiskFull,
    #[error("The database refused the change: {0}")]
    Database(rusqlite::Error),
    #[error("Could not bring the database up to date: {0}")]
    Migration(#[from] rusqlite_migration::Error),
}

/// The sort of failure, for code that must branch on it (never for display).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorKind {
    NotFound,
    InvalidInput,
    Conflict,
    NewerSchema,
    Storage,
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::NoContactWithEmail(_)
            | Error::NoContactWithPhone(_)
            | Error::NoContact(_)
            | Error::NoCase(_) => ErrorKind::NotFound,
            Error::EmptyName
            | Error::InvalidEmail(_)
            | Error::InvalidPhone(_)
            | Error::Invalid(_) => ErrorKind::InvalidInput,
            Error::EmailTaken { .. } | Error::PhoneTaken { .. } => ErrorKind::Conflict,
            Error::NewerSchema { .. } => ErrorKind::NewerSchema,
            Error::NotADatabase { .. }
            | Error::Folder { .. }
            | Error::File { .. }
            | Error::DiskFull
            | Error::Database(_)
            | Error::Migration(_) => ErrorKind::Storage,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => Error::DiskFull,
            _ => Error::Database(e),
        }
    }
}

impl Error {
    /// A file-system failure, with a full disk said plainly.
    pub fn file(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        if source.kind() == std::io::ErrorKind::StorageFull || source.raw_os_error() == Some(28) {
            Error::DiskFull
        } else {
            Error::File { path: path.into(), source }
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
