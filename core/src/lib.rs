//! shopdesk-core: every rule of Shopdesk, with no knowledge of windows or IPC.
//!
//! The store keeps contacts, cases and their timelines in one SQLite file; the clock derives
//! how long each customer has waited; the shell (`src-tauri`) and the CLI only translate
//! requests into calls on [`Store`] and results into JSON, tables or windows.

pub mod account;
pub mod alerts;
pub mod backup;
pub mod bench;
pub mod clock;
pub mod demo;
pub mod error;
pub mod export;
pub mod ids;
pub mod mail;
pub mod model;
pub mod normalize;
pub mod orders;
pub mod paths;
pub mod prefs;
pub mod reports;
pub mod secrets;
pub mod sla;
pub mod store;
pub mod surveys;
pub mod templates;
pub mod wallclock;

pub use error::{Error, ErrorKind, Result};
pub use ids::{CaseId, ContactId, EventId, MessageId};
pub use model::*;
pub use store::Store;
pub use store::DEFAULT_AUTHOR;
