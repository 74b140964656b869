//! The one error type that crosses IPC: `{ kind, message }`, built from core errors. The UI
//! shows `message` and may branch on `kind`.

use serde::Serialize;
use shopdesk_core::{Error, ErrorKind};

#[derive(Debug, Serialize)]
pub struct IpcError {
    pub kind: &'static str,
    pub message: String,
}

impl From<Error> for IpcError {
    fn from(err: Error) -> Self {
        let kind = match err.kind() {
            ErrorKind::NotFound => "not_found",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Conflict => "conflict",
            ErrorKind::NewerSchema => "newer_schema",
            ErrorKind::Storage => "storage",
        };
        if kind == "storage" {
            tracing::error!(error = %err, "storage error");
        }
        IpcError { kind, message: err.to_string() }
    }
}

impl IpcError {
    pub fn internal(message: impl Into<String>) -> Self {
        IpcError { kind: "internal", message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_cross_ipc_as_kind_and_message() {
        let rows = [
            (Error::NoCase(9999), r#"{"kind":"not_found","message":"No case #9999"}"#),
            (Error::EmptyName, r#"{"kind":"invalid_input","message":"Please enter the contact's name"}"#),
            (
                Error::PhoneTaken { phone: "+351912345678".into(), owner: "Ana Costa".into() },
                r#"{"kind":"conflict","message":"The phone number +351912345678 already belongs to Ana Costa"}"#,
            ),
        ];
        for (err, want) in rows {
            let json = serde_json::to_string(&IpcError::from(err)).expect("serialises");
            assert_eq!(json, want);
        }
    }
}
