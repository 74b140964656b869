//! Commands for saved replies, orders, satisfaction checks, reports and exports: each one
//! core call. File work runs off the main thread so the window never freezes.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::Serialize;
use shopdesk_core::orders::{self, OrderColumns, OrdersPreview};
use shopdesk_core::reports::Report;
use shopdesk_core::store::{OrdersImport, SurveyAnswer};
use shopdesk_core::surveys::SurveySettings;
use shopdesk_core::templates::{FilledReply, NewSavedReply, SavedReply, PLACEHOLDERS};
use tauri::{AppHandle, Emitter, Manager, State};

use crate::commands::{change, off_main_thread, with_store, Reply};
use crate::error::IpcError;
use crate::AppState;

#[tauri::command]
pub fn saved_replies(state: State<'_, AppState>) -> Reply<Vec<SavedReply>> {
    with_store(&state, |s, _| s.saved_replies())
}

#[derive(Serialize)]
pub struct Placeholder {
    name: &'static str,
    meaning: &'static str,
}

/// The placeholders a saved reply may use, for the editor's help line.
#[tauri::command]
pub fn placeholders() -> Vec<Placeholder> {
    PLACEHOLDERS.iter().map(|(name, meaning)| Placeholder { name, meaning }).collect()
}

#[tauri::command]
pub fn add_saved_reply(state: State<'_, AppState>, input: NewSavedReply) -> Reply<SavedReply> {
    with_store(&state, |s, now| s.add_saved_reply(&input, now))
}

#[tauri::command]
pub fn update_saved_reply(state: State<'_, AppState>, id: String, input: NewSavedReply) -> Reply<SavedReply> {
    with_store(&state, |s, now| s.update_saved_reply(&id, &input, now))
}

#[tauri::command]
pub fn delete_saved_reply(state: State<'_, AppState>, id: String) -> Reply<()> {
    with_store(&state, |s, _| s.delete_saved_reply(&id))
}

/// A saved reply filled in for a case, for the composer.
#[tauri::command]
pub fn fill_saved_reply(state: State<'_, AppState>, id: String, number: u32) -> Reply<FilledReply> {
    with_store(&state, |s, _| s.fill_saved_reply(&id, number))
}

#[tauri::command]
pub async fn preview_orders(app: AppHandle, path: PathBuf) -> Reply<OrdersPreview> {
    off_main_thread(&app, move |_| Ok(orders::preview(&path)?)).await
}

#[derive(Clone, Serialize)]
struct OrdersProgress {
    done: usize,
    total: usize,
}

/// Imports an orders file (its recognised layout, or `columns` from the mapping screen),
/// reporting `orders-progress` as orders are written.
#[tauri::command]
pub async fn import_orders(app: AppHandle, path: PathBuf, columns: Option<OrderColumns>) -> Reply<OrdersImport> {
    off_main_thread(&app, move |app| {
        let state = app.state::<AppState>();
        let tz: chrono_tz::Tz = with_store(&state, |s, _| s.sla_settings())?.time_zone.parse().unwrap_or(chrono_tz::UTC);
        // Read and checked before the store is touched: a bad file imports nothing.
        let file = orders::read(&path, columns.as_ref(), tz)?;
        let progress_app = app.clone();
        change(&state, |s, now| {
            s.import_orders(&file, now, |done, total| {
                let _ = progress_app.emit("orders-progress", OrdersProgress { done, total });
            })
        })
    })
    .await
}

/// The Orders screen: newest first, or matching a number, email or name.
#[tauri::command]
pub fn list_orders(state: State<'_, AppState>, query: Option<String>) -> Reply<Vec<orders::Order>> {
    with_store(&state, |s, _| s.list_orders(query.as_deref().unwrap_or(""), 500))
}

#[tauri::command]
pub fn get_survey_settings(state: State<'_, AppState>) -> Reply<SurveySettings> {
    with_store(&state, |s, _| s.survey_settings())
}

#[tauri::command]
pub fn set_survey_settings(state: State<'_, AppState>, settings: SurveySettings) -> Reply<SurveySettings> {
    change(&state, |s, now| s.set_survey_settings(&settings, now))
}

#[tauri::command]
pub fn survey_answers(state: State<'_, AppState>, quotable_only: bool) -> Reply<Vec<SurveyAnswer>> {
    with_store(&state, |s, _| s.survey_answers(quotable_only))
}

#[tauri::command]
pub fn set_quotable(state: State<'_, AppState>, number: u32, quotable: bool) -> Reply<()> {
    with_store(&state, |s, _| s.set_quotable(number, quotable))
}

#[tauri::command]
pub fn report(state: State<'_, AppState>, from: DateTime<Utc>, to: DateTime<Utc>) -> Reply<Report> {
    with_store(&state, |s, now| s.report(from, to, now))
}

/// Saves one table of the report as CSV where the owner chose.
#[tauri::command]
pub async fn save_report_table(app: AppHandle, from: DateTime<Utc>, to: DateTime<Utc>, table: String, path: PathBuf) -> Reply<()> {
    off_main_thread(&app, move |app| {
        let report = with_store(&app.state::<AppState>(), |s, now| s.report(from, to, now))?;
        let table = report
            .tables()
            .into_iter()
            .find(|t| t.id == table)
            .ok_or_else(|| IpcError::internal(format!("The report has no table {table}")))?;
        let csv = shopdesk_core::export::table_csv(&table)?;
        std::fs::write(&path, csv)
            .map_err(|e| IpcError { kind: "storage", message: format!("Could not write {}: {e}", path.display()) })
    })
    .await
}

#[derive(Serialize)]
pub struct Exported {
    files: Vec<PathBuf>,
    contacts: usize,
    cases: usize,
    messages: usize,
}

/// Exports everything: CSV files into the folder `to`, or (`json`) one JSON file at `to`.
#[tauri::command]
pub async fn export_data(app: AppHandle, to: PathBuf, json: bool) -> Reply<Exported> {
    off_main_thread(&app, move |app| {
        let data = with_store(&app.state::<AppState>(), |s, now| s.export_data(now))?;
        let files = if json {
            shopdesk_core::export::write_json(&to, &data)?;
            vec![to]
        } else {
            shopdesk_core::export::write_csv(&to, &data)?
        };
        Ok(Exported { files, contacts: data.contacts.len(), cases: data.cases.len(), messages: data.messages.len() })
    })
    .await
}
