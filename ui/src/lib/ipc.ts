// The one door to the Rust core: a typed function per Tauri command and per event. Nothing else
// in the UI imports `invoke` or `listen`; every rejection leaves here as an `IpcFailure` with a
// kind and a message a shop owner can read.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { open as openDialog, save as saveDialog } from '@tauri-apps/plugin-dialog';
import type {
  Alert,
  AppInfo,
  AppPrefs,
  Backups,
  Case,
  CasePatch,
  ClockAlerts,
  CaseView,
  Contact,
  ContactProfile,
  ContactSummary,
  ImportProgress,
  FetchProgress,
  ImportReport,
  IpcError,
  FetchReport,
  IpcErrorKind,
  LateCases,
  MailAccount,
  MailAccountView,
  MailStatus,
  Message,
  NewCase,
  NewContact,
  NewMessage,
  OutboxEntry,
  Queue,
  QueueFilter,
  QueuePage,
  SearchResults,
  SlaSettings,
  StartupProblem,
} from './types';
// Saved replies and satisfaction checks
import type { FilledReply, NewSavedReply, Placeholder, SavedReply, SurveyAnswer, SurveySettings } from './types';
// Orders, reports and export
import type { Exported, Order, OrderColumns, OrdersImport, OrdersPreview, Report } from './types';

const KINDS: readonly IpcErrorKind[] = [
  'not_found',
  'invalid_input',
  'conflict',
  'storage',
  'newer_schema',
  'internal',
];

/** When the first data reached the screen, for bench/app-start.sh (ms since the page's navigation start). */
export interface UiTimings {
  /** performance.timeOrigin: the navigation's start, in Unix ms. */
  origin_ms: number;
  /** The UI's code loaded; mounting began (null if the mark is missing). */
  mount_ms: number | null;
  /** The first data in the DOM. */
  data_ms: number;
  /** The frame after it painted. */
  painted_ms: number;
  /** The commands called so far: `name:asked:answered` (ms), space-separated. */
  calls: string;
}

export class IpcFailure extends Error implements IpcError {
  readonly kind: IpcErrorKind;
  constructor(kind: IpcErrorKind, message: string) {
    super(message);
    this.name = 'IpcFailure';
    this.kind = kind;
  }
}

/** Turns whatever a rejected invoke gave us (IpcError, a bare string, an Error) into one shape. */
export function toIpcFailure(raw: unknown): IpcFailure {
  if (raw instanceof IpcFailure) return raw;
  if (typeof raw === 'string') {
    return new IpcFailure('internal', raw.trim() || 'Something went wrong (no details given).');
  }
  if (raw && typeof raw === 'object') {
    const obj = raw as { kind?: unknown; message?: unknown };
    const message =
      typeof obj.message === 'string' && obj.message.trim() !== ''
        ? obj.message
        : 'Something went wrong (no details given).';
    const kind =
      typeof obj.kind === 'string' && (KINDS as readonly string[]).includes(obj.kind)
        ? (obj.kind as IpcErrorKind)
        : 'internal';
    return new IpcFailure(kind, message);
  }
  return new IpcFailure('internal', 'Something went wrong (no details given).');
}

/** The message to show for any caught error, IPC or not. */
export function errorMessage(err: unknown): string {
  return toIpcFailure(err).message;
}

const outsideApp = () => typeof window !== 'undefined' && !('__TAURI_INTERNALS__' in window);

/**
 * The first commands the window called: name, asked and answered (ms since the page's navigation
 * started). lib/ready.ts hands them to the shell's log for bench/app-start.sh.
 */
export const startCalls: [string, number, number][] = [];

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  const asked = performance.now();
  try {
    return await callInner<T>(command, args);
  } finally {
    if (startCalls.length < 40) startCalls.push([command, Math.round(asked), Math.round(performance.now())]);
  }
}

async function callInner<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  if (outsideApp()) {
    throw new IpcFailure(
      'internal',
      'Shopdesk cannot reach its data: this page is running outside the Shopdesk app.',
    );
  }
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw toIpcFailure(raw);
  }
}

export const ipc = {
  queue: (filter: QueueFilter, page: QueuePage | null = null) => call<Queue>('queue', { filter, page }),
  listContacts: (query: string) => call<ContactSummary[]>('list_contacts', { query }),
  getContact: (id: string) => call<ContactProfile>('get_contact', { id }),
  createContact: (input: NewContact) => call<Contact>('create_contact', { input }),
  updateContact: (id: string, input: NewContact) => call<Contact>('update_contact', { id, input }),
  openCase: (input: NewCase) => call<Case>('open_case', { input }),
  getCase: (number: number) => call<CaseView>('get_case', { number }),
  logMessage: (number: number, input: NewMessage) => call<Message>('log_message', { number, input }),
  updateCase: (number: number, patch: CasePatch) => call<Case>('update_case', { number, patch }),
  /** The two cases become one; the older number stays and is returned. */
  mergeCases: (number: number, other: number) => call<Case>('merge_cases', { number, other }),
  /** `absorb`'s emails, phones, tags and cases move to `keep` (the contact returned). */
  mergeContacts: (keep: string, absorb: string) => call<Contact>('merge_contacts', { keep, absorb }),
  loadDemo: () => call<number>('load_demo'),
  /** Search as you type: a direct jump, contacts, and cases and messages (matches between U+0002 and U+0003). */
  search: (query: string, filter: QueueFilter | null) => call<SearchResults>('search', { query, filter }),
  appInfo: () => call<AppInfo>('app_info'),
  /** Tells the shell the first data is on screen (it logs the moment, for bench/app-start.sh). */
  uiReady: (timings: UiTimings) => call<null>('ui_ready', { timings }),
  /** Open cases due soon or overdue, overdue first. */
  slaCheck: () => call<LateCases>('sla_check'),
  getSlaSettings: () => call<SlaSettings>('get_sla_settings'),
  setSlaSettings: (settings: SlaSettings) => call<SlaSettings>('set_sla_settings', { settings }),
  /** Why the last desktop notification could not be shown (null: it was, or none yet). */
  notificationError: () => call<string | null>('notification_error'),
  getAppPrefs: () => call<AppPrefs>('get_app_prefs'),
  /** Customers to get back to: no news while waiting on a third party, or no answer yet. */
  reminders: () => call<Alert[]>('reminders'),
  /** Whether the OS starts Shopdesk at login. */
  getStartAtLogin: () => call<boolean>('get_start_at_login'),
  setStartAtLogin: (enabled: boolean) => call<boolean>('set_start_at_login', { enabled }),
  /** "Remind me" on a case at an ISO instant; null clears it. */
  setReminder: (number: number, at: string | null) => call<Case>('set_reminder', { number, at }),
  setAppPrefs: (prefs: AppPrefs) => call<AppPrefs>('set_app_prefs', { prefs }),

  // Email in and out.
  getMailAccount: () => call<MailAccountView>('get_mail_account'),
  /** password: null keeps the one in the keychain, '' removes it. */
  setMailAccount: (account: MailAccount, password: string | null) =>
    call<MailAccountView>('set_mail_account', { account, password }),
  /** Resolves with a sentence saying where it went; rejects with the server's reason in words. */
  sendTestEmail: (to: string | null) => call<string>('send_test_email', { to }),
  /** Queues an email reply on the case; sendAt (ISO instant) schedules it, null sends now. */
  sendReply: (number: number, body: string, sendAt: string | null) =>
    call<Message>('send_reply', { number, body, sendAt }),
  /** The saved follow-up to a customer who went quiet (the case waits on them), into the outbox. */
  sendFollowUp: (number: number) => call<Message>('send_follow_up', { number }),
  retryOutgoing: (messageId: string) => call<Message>('retry_outgoing', { messageId }),
  cancelOutgoing: (messageId: string) => call<Message>('cancel_outgoing', { messageId }),
  /** Waiting, held and recently sent emails. */
  outbox: () => call<OutboxEntry[]>('outbox'),
  mailStatus: () => call<MailStatus>('mail_status'),
  fetchMailNow: () => call<FetchReport>('fetch_mail_now'),
  /** The email's HTML, sanitised by the core; remote images only when asked for. null: none. */
  messageHtml: (messageId: string, remoteImages: boolean) =>
    call<string | null>('message_html', { messageId, remoteImages }),
  /** Imports past mail (mbox files, .eml files, folders of .eml files); progress on onImportProgress. */
  /** closeQuietDays: conversations quiet for longer come in closed (null: all as they stand). */
  importMail: (paths: string[], closeQuietDays: number | null) =>
    call<ImportReport>('import_mail', { paths, closeQuietDays }),
  /** Ends the running import after the step it is filing (its report then says `stopped`). */
  stopImport: () => call<void>('stop_import'),
  /** The backups folder and its files, newest first. */
  backups: () => call<Backups>('backups'),
  /** Makes a backup at once; resolves with the folder as it is now. */
  backUpNow: () => call<Backups>('back_up_now'),
  /** Puts a backup in place of the database; resolves with where the replaced database was kept.
   *  Rejects with the reason in words when the file is not a sound Shopdesk backup. */
  restoreBackup: (path: string) => call<string>('restore_backup', { path }),
  /** null when the database opened; else why not, and the newest sound backup to put back. */
  startupProblem: () => call<StartupProblem | null>('startup_problem'),
  /** "Save…" on an attachment: the system's save dialog, then the core copies the file. False when cancelled. */
  saveAttachment: async (hash: string, filename: string): Promise<boolean> => {
    if (outsideApp()) {
      throw new IpcFailure('internal', 'Saving files needs the Shopdesk app.');
    }
    let to: string | null;
    try {
      to = await saveDialog({ defaultPath: filename, title: `Save ${filename}` });
    } catch (raw) {
      throw toIpcFailure(raw);
    }
    if (to === null) return false;
    await call<null>('save_attachment', { hash, to });
    return true;
  },
  /** The system's file dialog for mail to import: files, or one folder. null when cancelled. */
  pickMail: async (folder: boolean): Promise<string[] | null> => {
    if (outsideApp()) {
      throw new IpcFailure('internal', 'Choosing files needs the Shopdesk app.');
    }
    try {
      const picked = await openDialog(
        folder
          ? { directory: true, multiple: false, title: 'Choose a folder of .eml files' }
          : {
              multiple: true,
              title: 'Choose mail to import',
              filters: [{ name: 'Mail (mbox, eml)', extensions: ['mbox', 'mbx', 'eml', 'mail', 'txt'] }],
            },
      );
      if (picked === null) return null;
      return Array.isArray(picked) ? picked : [picked];
    } catch (raw) {
      throw toIpcFailure(raw);
    }
  },

  // Saved replies and satisfaction checks
  /** The shop's saved replies, in their order. */
  savedReplies: () => call<SavedReply[]>('saved_replies'),
  /** The placeholders a saved reply may use ({order.ref}) and what each stands for. */
  placeholders: () => call<Placeholder[]>('placeholders'),
  addSavedReply: (input: NewSavedReply) => call<SavedReply>('add_saved_reply', { input }),
  updateSavedReply: (id: string, input: NewSavedReply) => call<SavedReply>('update_saved_reply', { id, input }),
  deleteSavedReply: (id: string) => call<null>('delete_saved_reply', { id }),
  /** A saved reply filled in from the case; placeholders without a value stay as written and are listed. */
  fillSavedReply: (id: string, number: number) => call<FilledReply>('fill_saved_reply', { id, number }),
  getSurveySettings: () => call<SurveySettings>('get_survey_settings'),
  /** An empty text saves the standard one. */
  setSurveySettings: (settings: SurveySettings) => call<SurveySettings>('set_survey_settings', { settings }),
  /** Customers' answers to satisfaction checks, newest first; quotableOnly: only those marked quotable. */
  surveyAnswers: (quotableOnly: boolean) => call<SurveyAnswer[]>('survey_answers', { quotableOnly }),
  /** Marks a case's answer as one the shop may quote (a testimonial), or not. */
  setQuotable: (number: number, quotable: boolean) => call<null>('set_quotable', { number, quotable }),

  // Orders, reports and export
  /** The system's file dialog for an orders export (CSV). null when cancelled. */
  pickOrdersFile: async (): Promise<string | null> => {
    const picked = await askPath(() =>
      openDialog({
        multiple: false,
        directory: false,
        title: 'Choose an orders export',
        filters: [{ name: 'Orders export (CSV)', extensions: ['csv', 'txt'] }],
      }),
    );
    return Array.isArray(picked) ? (picked[0] ?? null) : picked;
  },
  /** The file's headers and first rows, its layout if recognised, and its columns (or a guess). */
  previewOrders: (path: string) => call<OrdersPreview>('preview_orders', { path }),
  /** Imports an orders file: columns null for a recognised layout. Progress on onOrdersProgress. */
  importOrders: (path: string, columns: OrderColumns | null) => call<OrdersImport>('import_orders', { path, columns }),
  /** Newest first; a query matches the order number, the email or the name. */
  listOrders: (query: string) => call<Order[]>('list_orders', { query }),
  /** The report for cases whose customer first wrote in [from, to) (RFC 3339 instants). */
  report: (from: string, to: string) => call<Report>('report', { from, to }),
  /** "Export CSV…" on a report table: the save dialog, then the core writes the file. null when cancelled. */
  saveReportTable: async (from: string, to: string, table: string, filename: string): Promise<string | null> => {
    const path = await askPath(() =>
      saveDialog({ defaultPath: filename, title: 'Save the table as CSV', filters: [{ name: 'CSV', extensions: ['csv'] }] }),
    );
    if (path === null) return null;
    await call<null>('save_report_table', { from, to, table, path });
    return path;
  },
  /** Everything the shop keeps: CSV files into a chosen folder, or one JSON file. null when cancelled. */
  exportData: async (json: boolean, filename: string): Promise<Exported | null> => {
    const to = await askPath(() =>
      json
        ? saveDialog({ defaultPath: filename, title: 'Export as JSON', filters: [{ name: 'JSON', extensions: ['json'] }] })
        : openDialog({ directory: true, multiple: false, title: 'Choose a folder for the CSV files' }),
    );
    const path = Array.isArray(to) ? (to[0] ?? null) : to;
    if (path === null) return null;
    return call<Exported>('export_data', { to: path, json });
  },
};

export type Unlisten = () => void;

/** Subscribes to a core event; outside the app (or if Tauri refuses) it is a quiet no-op. */
async function on<T>(event: string, handler: (payload: T) => void): Promise<Unlisten> {
  if (outsideApp()) return () => {};
  try {
    return await listen<T>(event, (e) => handler(e.payload));
  } catch (err) {
    console.warn(`Shopdesk could not listen for ${event}:`, err);
    return () => {};
  }
}

export const events = {
  /** The scheduler announced newly crossed reply-clock thresholds. */
  onClockAlerts: (handler: (batch: ClockAlerts) => void) => on<ClockAlerts>('clock-alerts', handler),
  /** The user clicked "Open case" in a desktop notification. */
  onOpenCase: (handler: (number: number) => void) => on<number>('open-case', handler),
  /** The outbox or the mailbox changed: what is on screen may be out of date. */
  onMailChanged: (handler: () => void) => on<null>('mail-changed', () => handler()),
  /** How far the running import is. */
  onImportProgress: (handler: (progress: ImportProgress) => void) => on<ImportProgress>('import-progress', handler),
  /** How far a first look at the mailbox is (the worker's or Check mail's). */
  onFetchProgress: (handler: (progress: FetchProgress) => void) => on<FetchProgress>('fetch-progress', handler),
  // Orders, reports and export
  /** How far the running orders import is. */
  onOrdersProgress: (handler: (progress: ImportProgress) => void) => on<ImportProgress>('orders-progress', handler),
};

// Orders, reports and export
/** Runs one of the system's file dialogs; outside the app it refuses, and a failure becomes an IpcFailure. */
async function askPath<T>(dialog: () => Promise<T>): Promise<T> {
  if (outsideApp()) {
    throw new IpcFailure('internal', 'Choosing files needs the Shopdesk app.');
  }
  try {
    return await dialog();
  } catch (raw) {
    throw toIpcFailure(raw);
  }
}
