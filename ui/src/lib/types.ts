// The JSON types the core sends and receives over IPC. The core's own types are generated from
// the Rust structs by ts-rs into ./bindings (never edit those by hand); this file re-exports them
// and adds only what exists on the UI side or in the shell (IPC errors, app info, event payloads).

export type { Alert } from './bindings/Alert';
export type { Attachment } from './bindings/Attachment';
export type { BackupFile } from './bindings/BackupFile';
export type { Backups } from './bindings/Backups';
export type { BusinessHours } from './bindings/BusinessHours';
export type { Case } from './bindings/Case';
export type { CaseEvent } from './bindings/CaseEvent';
export type { CaseId } from './bindings/CaseId';
export type { CasePatch } from './bindings/CasePatch';
export type { CaseSummary } from './bindings/CaseSummary';
export type { CaseView } from './bindings/CaseView';
export type { Category } from './bindings/Category';
export type { Channel } from './bindings/Channel';
export type { ClockState } from './bindings/ClockState';
export type { ClockStateKind } from './bindings/ClockStateKind';
export type { Contact } from './bindings/Contact';
export type { ContactId } from './bindings/ContactId';
export type { ContactProfile } from './bindings/ContactProfile';
export type { ContactRef } from './bindings/ContactRef';
export type { ContactSummary } from './bindings/ContactSummary';
export type { Delivery } from './bindings/Delivery';
export type { DeliveryState } from './bindings/DeliveryState';
export type { Direction } from './bindings/Direction';
export type { EventId } from './bindings/EventId';
export type { EventKind } from './bindings/EventKind';
export type { Fault } from './bindings/Fault';
export type { ImportProgress } from './bindings/ImportProgress';
export type { FetchProgress } from './bindings/FetchProgress';
export type { ImportReport } from './bindings/ImportReport';
export type { FetchReport } from './bindings/FetchReport';
export type { MailAccount } from './bindings/MailAccount';
export type { MailAccountView } from './bindings/MailAccountView';
export type { MailStatus } from './bindings/MailStatus';
export type { Message } from './bindings/Message';
export type { MessageId } from './bindings/MessageId';
export type { NewCase } from './bindings/NewCase';
export type { NewContact } from './bindings/NewContact';
export type { NewMessage } from './bindings/NewMessage';
export type { OpenSpan } from './bindings/OpenSpan';
export type { OutboxEntry } from './bindings/OutboxEntry';
export type { OutgoingKind } from './bindings/OutgoingKind';
export type { Priority } from './bindings/Priority';
export type { Queue } from './bindings/Queue';
export type { QueueFilter } from './bindings/QueueFilter';
export type { QueuePage } from './bindings/QueuePage';
export type { SearchHit } from './bindings/SearchHit';
export type { SearchJump } from './bindings/SearchJump';
export type { SearchResults } from './bindings/SearchResults';
export type { Security } from './bindings/Security';
export type { SlaSettings } from './bindings/SlaSettings';
export type { AppPrefs } from './bindings/AppPrefs';
export type { Status } from './bindings/Status';
export type { Threshold } from './bindings/Threshold';
export type { TimelineEntry } from './bindings/TimelineEntry';

import type { Alert } from './bindings/Alert';
import type { BackupFile } from './bindings/BackupFile';
import type { CaseSummary } from './bindings/CaseSummary';

/** The shell's `app_info` reply (src-tauri, not a core type). */
/** Why the database could not be opened at start, and the newest sound backup to offer. */
export interface StartupProblem {
  message: string;
  db_path: string | null;
  backup: BackupFile | null;
}

export interface AppInfo {
  db_path: string;
  version: string;
  is_empty: boolean;
}

/** The payload of the `clock-alerts` event (the shell's AlertBatch). */
export interface ClockAlerts {
  alerts: Alert[];
  /** Why the desktop notification could not be shown; the in-app banner is then the only signal. */
  notification_error: string | null;
}

/** The core's ErrorKind plus `internal`, which the shell uses for its own failures. */
export type IpcErrorKind =
  | 'not_found'
  | 'invalid_input'
  | 'conflict'
  | 'storage'
  | 'newer_schema'
  | 'internal';

/** What a rejected invoke() rejects with. */
export interface IpcError {
  kind: IpcErrorKind;
  message: string;
}

// Saved replies and satisfaction checks
export type { FilledReply } from './bindings/FilledReply';
export type { NewSavedReply } from './bindings/NewSavedReply';
export type { SavedReply } from './bindings/SavedReply';
export type { SurveyAnswer } from './bindings/SurveyAnswer';
export type { SurveySettings } from './bindings/SurveySettings';

/** One placeholder a saved reply may use (the shell's `placeholders` reply, not a core type). */
export interface Placeholder {
  /** Written in braces in a reply: {order.ref}. */
  name: string;
  meaning: string;
}

// Orders, reports and export
export type { ChannelRow } from './bindings/ChannelRow';
export type { CountRow } from './bindings/CountRow';
export type { Order } from './bindings/Order';
export type { OrderColumns } from './bindings/OrderColumns';
export type { OrderLayout } from './bindings/OrderLayout';
export type { OrdersImport } from './bindings/OrdersImport';
export type { OrdersPreview } from './bindings/OrdersPreview';
export type { ReplyTimes } from './bindings/ReplyTimes';
export type { Report } from './bindings/Report';
export type { WeekRow } from './bindings/WeekRow';

/** What `export_data` wrote (the shell's `Exported`, not a core type). */
export interface Exported {
  /** The CSV files written into the folder, or the one JSON file. */
  files: string[];
  contacts: number;
  cases: number;
  messages: number;
}

/** What is late right now (the shell's `sla_check`): the first late cases in full (overdue
 * first, then the longest waiting; at most 50), and the number of every late case, so that a
 * few thousand late cases are not sent (and held) in full. */
export type LateCases = {
  first: CaseSummary[];
  /** Every overdue case's number, in the same order. */
  overdue: number[];
  /** Every due-soon case's number, in the same order. */
  due_soon: number[];
};
