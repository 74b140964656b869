// DEV ONLY (VITE_MOCK=1): an in-memory stand-in for the Rust core, so the UI can be looked at
// in a plain browser. Never part of a production build (main.ts imports it behind the flag).
// It starts empty; add `?seed` to the URL to start with the sample shop.
import { lateCases } from '../lib/alerts';
import { emit } from '@tauri-apps/api/event';
import { mockIPC } from '@tauri-apps/api/mocks';
import type {
  Case,
  CaseEvent,
  CaseSummary,
  Channel,
  ClockAlerts,
  ClockState,
  CaseView,
  Contact,
  ContactProfile,
  ContactSummary,
  Delivery,
  FetchReport,
  IpcError,
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
  SearchHit,
  SearchResults,
  SlaSettings,
  Status,
} from '../lib/types';
// Saved replies and satisfaction checks
import type { FilledReply, NewSavedReply, Placeholder, SavedReply, SurveyAnswer, SurveySettings } from '../lib/types';
// Orders, reports and export
import type { CountRow, Order, OrderColumns, OrdersImport, OrdersPreview, ReplyTimes, Report } from '../lib/types';
import { defaultSla } from './slaDefaults';
import { blankMailAccount } from './mailDefaults';

const contacts: Contact[] = [];
const cases: Case[] = [];
const messages: Message[] = [];
const events: CaseEvent[] = [];
let nextNumber = 1001;
let nextId = 1;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const now = () => iso(Date.now());
const id = (p: string) => `${p}_${(nextId++).toString(36).padStart(6, '0')}`;
const fail = (kind: IpcError['kind'], message: string): never => {
  throw { kind, message } satisfies IpcError;
};

function createContact(input: NewContact): Contact {
  if (!input.name.trim()) fail('invalid_input', 'A contact needs a name.');
  for (const e of input.emails) {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) fail('invalid_input', `"${e}" is not an email address.`);
    if (contacts.some((c) => c.emails.includes(e.toLowerCase())))
      fail('conflict', `Another contact already has the email ${e.toLowerCase()}.`);
  }
  const t = now();
  const c: Contact = {
    id: id('ct'),
    name: input.name.trim(),
    emails: input.emails.map((e) => e.toLowerCase()),
    phones: input.phones,
    address: input.address,
    notes: input.notes,
    tags: input.tags,
    created_at: t,
    updated_at: t,
  };
  contacts.push(c);
  return c;
}

let appPrefs = { keep_running_in_tray: false };
let startAtLogin = false;

let sla: SlaSettings = defaultSla();

interface Wait {
  since: string;
  channel: Channel;
  answeredBefore: boolean;
}

function waiting(caseId: string): Wait | null {
  let wait: Wait | null = null;
  let answered = false;
  for (const m of messages.filter((m) => m.case_id === caseId).sort((a, b) => a.happened_at.localeCompare(b.happened_at))) {
    if (m.direction === 'from_customer' && wait === null) wait = { since: m.happened_at, channel: m.channel, answeredBefore: answered };
    if (m.direction === 'from_shop' && !m.automatic) {
      wait = null;
      answered = true;
    }
  }
  return wait;
}

function waitingSince(caseId: string): string | null {
  return waiting(caseId)?.since ?? null;
}

/** The core's clock, simplified: around the clock (business hours and past pauses are ignored). */
function clockFor(k: Case): ClockState | null {
  const w = waiting(k.id);
  if (w === null) return null;
  const since = Date.parse(w.since);
  const table = w.answeredBefore ? sla.later_reply_mins : sla.first_reply_mins;
  const target = (k.reply_target_mins ?? table[w.channel] ?? 120) * 60;
  const warn = Math.floor((target * sla.warn_percent) / 100);
  const elapsed = Math.floor((Date.now() - since) / 1000);
  const hardMins = w.answeredBefore ? undefined : sla.hard_limit_mins[w.channel];
  const hard = hardMins === undefined ? null : since + hardMins * 60_000;
  const paused = k.status === 'waiting_on_customer' || k.status === 'waiting_on_third_party';
  const state: ClockState['state'] = paused
    ? 'paused'
    : elapsed >= target || (hard !== null && Date.now() >= hard)
      ? 'overdue'
      : elapsed >= warn
        ? 'due_soon'
        : 'on_track';
  return {
    state,
    target_secs: target,
    elapsed_secs: elapsed,
    warn_at: paused ? null : iso(since + warn * 1000),
    due_at: paused ? null : iso(since + target * 1000),
    hard_limit_at: hard === null ? null : iso(hard),
  };
}

function validateSla(s: SlaSettings): void {
  if (!(s.warn_percent >= 1 && s.warn_percent <= 100)) fail('invalid_input', 'The warning threshold must be between 1 and 100 percent');
  for (const [c, m] of [...Object.entries(s.first_reply_mins), ...Object.entries(s.later_reply_mins)]) {
    if (!m) fail('invalid_input', `The reply target for ${c} must be at least one minute`);
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: s.time_zone });
  } catch {
    fail('invalid_input', `"${s.time_zone}" is not a time zone; use a name like Europe/Lisbon`);
  }
  if (s.business_hours) {
    for (const day of s.business_hours.week) {
      for (const span of day) {
        for (const t of [span.start, span.end]) {
          if (!/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/.test(t)) fail('invalid_input', `"${t}" is not a time of day; use HH:MM, like 09:00`);
        }
        if (span.end !== '24:00' && span.end <= span.start) {
          fail('invalid_input', `Opening hours ${span.start}–${span.end} end before they start`);
        }
      }
    }
    if (s.business_hours.week.every((d) => d.length === 0)) fail('invalid_input', 'Business hours need at least one open day');
  }
}

function slaCheck(): CaseSummary[] {
  const rank = { overdue: 0, due_soon: 1 } as Record<string, number>;
  return cases
    .filter((c) => c.status !== 'solved' && c.status !== 'closed')
    .map(summary)
    .filter((c) => c.clock?.state === 'overdue' || c.clock?.state === 'due_soon')
    .sort((a, b) => rank[a.clock!.state] - rank[b.clock!.state] || (b.waiting_secs ?? 0) - (a.waiting_secs ?? 0));
}

function summary(k: Case): CaseSummary {
  const since = waitingSince(k.id);
  const contact = contacts.find((c) => c.id === k.contact_id)!;
  const last = [...messages, ...events.map((e) => ({ ...e, happened_at: e.at, case_id: e.case_id }))]
    .filter((m) => m.case_id === k.id)
    .map((m) => m.happened_at)
    .sort()
    .pop();
  return {
    id: k.id,
    number: k.number,
    subject: k.subject,
    status: k.status,
    priority: k.priority,
    category: k.category,
    channel: k.channel,
    contact_id: k.contact_id,
    contact_name: contact.name,
    waiting_since: since,
    waiting_secs: since ? Math.floor((Date.now() - Date.parse(since)) / 1000) : null,
    clock: clockFor(k),
    last_shop_reply_at: null,
    remind_at: k.remind_at,
    last_activity_at: last ?? k.created_at,
    created_at: k.created_at,
  };
}

function logMessage(k: Case, input: NewMessage, at?: string): Message {
  if (!input.body.trim()) fail('invalid_input', 'The message is empty: write what was said.');
  const m: Message = {
    id: id('msg'),
    case_id: k.id,
    direction: input.direction,
    channel: input.channel,
    author: input.author,
    body: input.body,
    happened_at: input.happened_at ?? at ?? now(),
    recorded_at: at ?? now(),
    automatic: false,
    delivery: null,
    attachments: [],
    has_html: false,
    rating: null,
  };
  messages.push(m);
  return m;
}

function event(k: Case, kind: CaseEvent['kind'], field: string | null, from: string | null, to: string | null, at = now()) {
  events.push({ id: id('ev'), case_id: k.id, at, author: 'Shop', kind, field, from, to });
}

function openCase(input: NewCase, at?: string): Case {
  if (!input.subject.trim()) fail('invalid_input', 'A case needs a subject.');
  const contact =
    'existing' in input.contact
      ? (contacts.find((c) => c.id === (input.contact as { existing: string }).existing) ??
        fail('not_found', 'No such contact.'))
      : createContact(input.contact.new);
  const t = at ?? input.first_message.happened_at ?? now();
  const k: Case = {
    id: id('case'),
    number: nextNumber++,
    subject: input.subject.trim(),
    contact_id: contact.id,
    status: 'new',
    priority: input.priority,
    category: input.category,
    fault: 'unknown',
    channel: input.first_message.channel,
    order_ref: '',
    tracking_ref: '',
    third_party: '',
    tags: [],
    created_at: t,
    updated_at: t,
    merged_into: null,
    waiting_since: null,
    first_response_at: null,
    last_shop_reply_at: null,
    remind_at: null,
    reply_target_mins: null,
    waiting_channel: null,
  };
  cases.push(k);
  event(k, 'created', null, null, null, t);
  logMessage(k, input.first_message, t);
  return k;
}

function findCase(number: number): Case {
  return cases.find((c) => c.number === number) ?? fail('not_found', `There is no case #${number}.`);
}

function queue(filter: QueueFilter, page?: QueuePage | null): Queue {
  const open = cases.filter((c) => c.status !== 'solved' && c.status !== 'closed').map(summary);
  const by_status = Object.fromEntries(
    ['new', 'open', 'waiting_on_customer', 'waiting_on_third_party', 'on_hold', 'solved', 'closed'].map((s) => [
      s,
      cases.filter((c) => c.status === s).length,
    ]),
  ) as Record<Status, number>;
  const finished = filter.status === 'solved' || filter.status === 'closed';
  const listed = finished ? cases.filter((c) => c.status === filter.status && c.merged_into == null).map(summary) : open;
  const items = listed
    .filter(
      (c) =>
        (!filter.status || c.status === filter.status) &&
        (!filter.channel || c.channel === filter.channel) &&
        (!filter.category || c.category === filter.category),
    )
    .sort((a, b) => {
      if (finished) return b.last_activity_at.localeCompare(a.last_activity_at);
      if (a.waiting_secs !== null && b.waiting_secs !== null) return b.waiting_secs - a.waiting_secs;
      if (a.waiting_secs !== null) return -1;
      if (b.waiting_secs !== null) return 1;
      return b.last_activity_at.localeCompare(a.last_activity_at);
    });
  const offset = page?.offset ?? 0;
  const rows = page?.limit == null ? items.slice(offset) : items.slice(offset, offset + page.limit);
  return {
    items: rows,
    offset,
    matching: items.length,
    total_open: open.length,
    waiting: open.filter((c) => c.waiting_secs !== null).length,
    by_status,
    now: now(),
  };
}

function contactSummary(c: Contact): ContactSummary {
  const mine = cases.filter((k) => k.contact_id === c.id);
  return {
    id: c.id,
    name: c.name,
    emails: c.emails,
    phones: c.phones,
    open_cases: mine.filter((k) => k.status !== 'solved' && k.status !== 'closed').length,
    total_cases: mine.length,
  };
}

// ---- Search: the core's FTS5 search, approximated: every word (case-insensitive) must appear. ----

function searchWords(query: string): string[] {
  return query
    .toLowerCase()
    .split(/[^\p{L}\p{N}'-]+/u)
    .map((w) => w.replace(/^['-]+|['-]+$/g, ''))
    .filter((w) => w !== '');
}

/** Up to ~160 characters around the first match, every word marked with U+0002…U+0003. */
function markSnippet(text: string, words: string[]): string {
  const lower = text.toLowerCase();
  const ranges: [number, number][] = [];
  for (const w of words) {
    for (let i = lower.indexOf(w); i !== -1; i = lower.indexOf(w, i + w.length)) ranges.push([i, i + w.length]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([...r]);
  }
  const first = merged[0]?.[0] ?? 0;
  const start = Math.max(0, first - 60);
  const end = Math.min(text.length, start + 160);
  let out = start > 0 ? '…' : '';
  let at = start;
  for (const [a, b] of merged) {
    if (b <= start || a >= end) continue;
    const from = Math.max(a, start);
    const to = Math.min(b, end);
    out += text.slice(at, from) + '\u0002' + text.slice(from, to) + '\u0003';
    at = to;
  }
  return out + text.slice(at, end) + (end < text.length ? '…' : '');
}

function search(typed: string, filter: QueueFilter | null): SearchResults {
  const q = typed.trim();
  const results: SearchResults = { jump: null, contacts: [], hits: [] };
  if (q === '') return results;
  const lower = q.toLowerCase();
  const digits = q.replace(/\D/g, '');
  const asNumber = /^#?\d+$/.test(q) ? Number(q.replace('#', '')) : null;
  const byEmail = q.includes('@') ? contacts.find((c) => c.emails.includes(lower)) : undefined;
  const byPhone = digits.length >= 6 ? contacts.find((c) => c.phones.some((p) => p.replace(/\D/g, '') === digits)) : undefined;
  const byOrder = cases.filter((k) => [k.order_ref, k.tracking_ref].includes(q.replace(/^#/, '')));
  if (asNumber !== null && cases.some((k) => k.number === asNumber)) results.jump = { type: 'case', number: asNumber };
  else if (byEmail) results.jump = { type: 'contact', id: byEmail.id };
  else if (byPhone) results.jump = { type: 'contact', id: byPhone.id };
  else if (byOrder.length === 1) results.jump = { type: 'case', number: byOrder[0].number };

  results.contacts = contacts
    .filter((c) => [c.name, ...c.emails, ...c.phones].some((s) => s.toLowerCase().includes(lower)) || c.id === byPhone?.id)
    .slice(0, 8)
    .map(contactSummary);

  const words = searchWords(q);
  if (words.length === 0) return results;
  const has = (text: string) => words.every((w) => text.toLowerCase().includes(w));
  const hits: (SearchHit & { score: number })[] = [];
  for (const k of cases) {
    if (filter?.status && k.status !== filter.status) continue;
    if (filter?.channel && k.channel !== filter.channel) continue;
    if (filter?.category && k.category !== filter.category) continue;
    const base = {
      case_number: k.number,
      case_subject: k.subject,
      case_status: k.status,
      contact_name: contacts.find((c) => c.id === k.contact_id)?.name ?? '',
    };
    const refs = [k.subject, k.order_ref, k.tracking_ref, k.third_party].filter((s) => s !== '').join(' · ');
    if (has(refs)) hits.push({ ...base, direction: null, channel: null, at: k.updated_at, snippet: markSnippet(refs, words), score: 0 });
    for (const m of messages) {
      if (m.case_id !== k.id || !has(m.body)) continue;
      hits.push({ ...base, direction: m.direction, channel: m.channel, at: m.happened_at, snippet: markSnippet(m.body, words), score: 1 });
    }
  }
  results.hits = hits
    .sort((a, b) => a.score - b.score || b.at.localeCompare(a.at))
    .slice(0, 30)
    .map(({ score: _score, ...hit }) => hit);
  return results;
}

function loadDemo(): number {
  if (cases.length || contacts.length) fail('invalid_input', 'The database is not empty: sample data goes only into a new one.');
  const ago = (mins: number) => iso(Date.now() - mins * 60_000);
  const people: [string, string, string, string][] = [
    ['Ana Costa', 'ana.costa@example.com', '+351 912 345 678', 'Rua das Flores 12\n1200-195 Lisboa'],
    ['Ben Okafor', 'ben@okafor.example', '+44 20 7946 0958', '14 Hill Street\nLondon W1J 5NL'],
    ['Chloé Martin', 'chloe.martin@example.fr', '', '8 rue Oberkampf\n75011 Paris'],
    ['Dmitri Volkov', 'dvolkov@example.net', '+49 30 901820', ''],
    ['Emma Lindqvist', 'emma.l@example.se', '+46 8 123 456 78', 'Storgatan 3, Stockholm'],
    ['Farah Haddad', 'farah@example.com', '', ''],
  ];
  const cs = people.map(([name, email, phone, address]) =>
    createContact({ name, emails: [email], phones: phone ? [phone] : [], address, notes: '', tags: [] }),
  );
  cs[1].notes = 'Regular customer since 2023. Prefers phone calls in the afternoon.';
  const mk = (ci: number, subject: string, channel: Case['channel'], category: Case['category'], mins: number, body: string, priority: Case['priority'] = 'normal') =>
    openCase(
      {
        contact: { existing: cs[ci].id },
        subject,
        priority,
        category,
        first_message: { direction: 'from_customer', channel, author: cs[ci].name, body, happened_at: ago(mins) },
      },
      ago(mins),
    );
  const a = mk(0, 'Parcel not arrived after 10 days', 'email', 'delivery', 3 * 1440 + 260, 'Hello, I ordered the linen shirt on the 12th and the parcel still has not arrived. The tracking has said "in transit" for a week. Can you help?', 'high');
  a.order_ref = '10482';
  a.tracking_ref = 'JD014600003828';
  a.third_party = 'DHL';
  a.status = 'waiting_on_third_party';
  event(a, 'status_changed', 'status', 'new', 'waiting_on_third_party', ago(3 * 1440 + 100));
  logMessage(a, { direction: 'note', channel: 'phone', author: 'Shop', body: 'Called DHL, they opened an investigation (ref 88231).', happened_at: ago(3 * 1440 + 90) });
  const b = mk(1, 'Mug arrived broken', 'phone', 'damaged_item', 134, 'Called: the mug arrived in pieces. Will send photos by email.', 'urgent');
  b.status = 'open';
  mk(2, 'Question about sizes', 'chat', 'question', 45, 'Bonjour, does the M size run small?');
  const d = mk(3, 'Refund for returned jacket', 'voicemail', 'refund_return', 26 * 60, 'Voicemail: sent the jacket back last week, asking when the refund comes.');
  logMessage(d, { direction: 'from_shop', channel: 'email', author: 'Shop', body: 'Hi Dmitri, the jacket arrived today; the refund goes out tomorrow.', happened_at: ago(20 * 60) });
  d.status = 'waiting_on_customer';
  mk(4, 'Wrong colour delivered', 'email', 'quality', 100, 'I ordered the green scarf but got a blue one.');
  const f = mk(5, 'Invoice with VAT number', 'email', 'payment', 7 * 1440, 'Could you send an invoice with my company VAT number?');
  logMessage(f, { direction: 'from_shop', channel: 'email', author: 'Shop', body: 'Sure — attached.', happened_at: ago(6 * 1440) });
  f.status = 'solved';
  seedSurveys(); // Saved replies and satisfaction checks
  return cases.length;
}

/** `?seed=big` adds thousands of cases, to try the virtualised queue. */
function loadMany(n: number): void {
  const ana = contacts[0];
  const channels: Case['channel'][] = ['email', 'phone', 'voicemail', 'chat', 'social', 'letter', 'in_person'];
  for (let i = 0; i < n; i++) {
    openCase(
      {
        contact: { existing: ana.id },
        subject: `Bulk case ${i + 1}`,
        priority: 'normal',
        category: 'other',
        first_message: {
          direction: 'from_customer',
          channel: channels[i % channels.length],
          author: ana.name,
          body: 'Hello',
          happened_at: iso(Date.now() - (i * 7 + 1) * 60_000),
        },
      },
      iso(Date.now() - (i * 7 + 1) * 60_000),
    );
  }
}


// ---- Mail: an account in memory, an outbox "sent" by a timer, a mailbox with one new email. ----
// Hosts steer the mock: an SMTP host containing "down" fails and retries, an address containing
// "bounce" is refused (held), an IMAP host containing "bad" can't be reached.
let mailAccount: MailAccount = blankMailAccount({
  follow_up_text: 'Hello {name},\n\nwe are following up on case {case} ({subject}). Anything else we can do?',
  acknowledgement_text:
    'Hello {name},\n\nthank you for your email about "{subject}". Your case number is {case}; you will hear from us by {reply_time}.',
});
let mailPassword: string | null = null;
let lastFetchAt: string | null = null;
let lastFetchError: string | null = null;
let lastSendError: string | null = null;
let mailboxHasNew = true;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function mailView(): MailAccountView {
  const a = mailAccount;
  const canSend = EMAIL_RE.test(a.from_address) && a.smtp_host !== '' && (mailPassword !== null || a.smtp_security === 'none');
  return {
    account: structuredClone(a),
    can_send: canSend,
    can_fetch: canSend && a.imap_host !== '',
    has_password: mailPassword !== null,
    keychain_error: null,
  };
}

function setMailAccount(a: MailAccount, password: string | null): MailAccountView {
  if (a.from_address && !EMAIL_RE.test(a.from_address)) fail('invalid_input', `"${a.from_address}" is not an email address.`);
  for (const [label, host] of [['SMTP', a.smtp_host], ['IMAP', a.imap_host]] as const) {
    if (/\s/.test(host)) fail('invalid_input', `The ${label} server "${host}" has a space in it; it looks like smtp.example.com.`);
  }
  if (a.poll_minutes < 1) fail('invalid_input', 'Check for new mail at least every 1 minute.');
  if (a.acknowledge && !a.acknowledgement_text.trim()) fail('invalid_input', 'The acknowledgement needs a text.');
  mailAccount = structuredClone(a);
  if (password !== null) mailPassword = password === '' ? null : password;
  return mailView();
}

function findMessage(messageId: string): Message & { delivery: Delivery } {
  const m = messages.find((x) => x.id === messageId);
  if (!m || !m.delivery) return fail('not_found', 'There is no such email in the outbox.');
  return m as Message & { delivery: Delivery };
}

function queueEmail(k: Case, body: string, sendAt: string | null, kind: Delivery['kind'] = 'reply'): Message {
  const contact = contacts.find((c) => c.id === k.contact_id)!;
  if (!mailView().can_send) fail('invalid_input', 'Set up the mail account in Settings before sending emails.');
  if (!contact.emails[0]) fail('invalid_input', `${contact.name} has no email address.`);
  if (!body.trim()) fail('invalid_input', 'The reply is empty.');
  if (sendAt !== null && Date.parse(sendAt) <= Date.now()) fail('invalid_input', 'That time has already passed; choose a time in the future.');
  const m = logMessage(k, { direction: 'from_shop', channel: 'email', author: 'Shop', body, happened_at: null });
  m.automatic = kind === 'acknowledgement';
  m.delivery = {
    state: 'queued',
    kind,
    to: contact.emails[0],
    subject: `Re: ${k.subject} [#${k.number}]`,
    next_attempt_at: sendAt ?? now(),
    scheduled: sendAt !== null,
    attempts: 0,
    last_error: null,
    sent_at: null,
  };
  return m;
}

/** The mock's sender loop: takes due emails out of the queue. */
function sendDue(): boolean {
  let changed = false;
  for (const m of messages) {
    const d = m.delivery;
    if (!d || d.state !== 'queued' || Date.parse(d.next_attempt_at) > Date.now()) continue;
    changed = true;
    d.attempts += 1;
    if (mailAccount.smtp_host.includes('down')) {
      d.last_error = `The mail server ${mailAccount.smtp_host} did not answer`;
      d.next_attempt_at = iso(Date.now() + 60_000 * d.attempts);
      lastSendError = d.last_error;
    } else if (d.to.includes('bounce')) {
      d.state = 'held';
      d.last_error = `The mail server refused the address ${d.to}`;
      lastSendError = d.last_error;
    } else {
      d.state = 'sent';
      d.sent_at = now();
      d.last_error = null;
      lastSendError = null;
    }
  }
  return changed;
}

function outbox(): OutboxEntry[] {
  const week = Date.now() - 7 * 86_400_000;
  const rank = { held: 0, queued: 1, sent: 2, cancelled: 3 };
  return messages
    .filter((m) => m.delivery && (m.delivery.state !== 'sent' || Date.parse(m.delivery.sent_at ?? '') > week) && m.delivery.state !== 'cancelled')
    .map((m) => {
      const k = cases.find((c) => c.id === m.case_id)!;
      return { message_id: m.id, case_number: k.number, case_subject: k.subject, body: m.body, delivery: structuredClone(m.delivery!) };
    })
    .sort(
      (a, b) =>
        rank[a.delivery.state] - rank[b.delivery.state] ||
        (a.delivery.state === 'sent'
          ? (b.delivery.sent_at ?? '').localeCompare(a.delivery.sent_at ?? '')
          : a.delivery.next_attempt_at.localeCompare(b.delivery.next_attempt_at)),
    );
}

function mailStatus(): MailStatus {
  const queued = messages.filter((m) => m.delivery?.state === 'queued');
  return {
    waiting: queued.length,
    retrying: queued.filter((m) => m.delivery!.attempts > 0).length,
    held: messages.filter((m) => m.delivery?.state === 'held').length,
    last_fetch_at: lastFetchAt,
    last_fetch_error: lastFetchError,
    last_send_error: lastSendError,
  };
}

function fetchMail(): FetchReport {
  if (!mailView().can_fetch) fail('invalid_input', 'Fill in the IMAP server in Settings to fetch mail.');
  if (mailAccount.imap_host.includes('bad')) {
    lastFetchError = `Could not reach the mail server ${mailAccount.imap_host}: the name does not exist`;
    fail('storage', lastFetchError);
  }
  lastFetchError = null;
  lastFetchAt = now();
  const report: FetchReport = { fetched: 0, new_cases: 0, added_to_cases: 0, duplicates: 0, acknowledged: 0, warnings: [] };
  if (!mailboxHasNew) return report;
  mailboxHasNew = false;
  const k = openCase({
    contact: { new: { name: 'Gustavo Reis', emails: ['gustavo@example.pt'], phones: [], address: '', notes: '', tags: [] } },
    subject: 'Chipped plate in my order',
    priority: 'normal',
    category: 'damaged_item',
    first_message: {
      direction: 'from_customer',
      channel: 'email',
      author: 'Gustavo Reis',
      body: 'Hello, one of the plates arrived chipped. Photos attached.',
      happened_at: null,
    },
  });
  const first = messages.filter((m) => m.case_id === k.id)[0];
  first.has_html = true;
  first.attachments = [
    { filename: 'plate-1.jpg', content_type: 'image/jpeg', size: 2_400_000n, hash: 'a1'.repeat(32) },
    { filename: 'receipt.pdf', content_type: 'application/pdf', size: 48_213n, hash: 'b2'.repeat(32) },
  ];
  report.fetched = 1;
  report.new_cases = 1;
  if (mailAccount.acknowledge) {
    queueEmail(k, mailAccount.acknowledgement_text.replaceAll('{case}', `#${k.number}`).replaceAll('{name}', 'Gustavo Reis').replaceAll('{subject}', k.subject).replaceAll('{reply_time}', 'tomorrow 12:00'), null, 'acknowledgement');
    report.acknowledged = 1;
  }
  return report;
}

// Backups: the daily copies in a folder beside the database, newest first, the last 14 kept. The
// oldest of the seeded ones is an empty file (a copy cut short), which a restore refuses.
const BACKUP_FOLDER = '/tmp/mock-backups';
const backupName = (at: string) => `${BACKUP_FOLDER}/shopdesk-${at.replace(/[-:]/g, '').replace(/^(\d{4})(\d{2})(\d{2})/, '$1-$2-$3')}.sqlite3`;
const dbSize = () => 98_304 + 4_096 * cases.length + 1_024 * messages.length;
const backupFiles: { path: string; at: string | null; size: bigint }[] = [2, 3, 4].map((daysAgo) => {
  const d = new Date(Date.now() - daysAgo * 86_400_000);
  d.setUTCHours(3, 0, 0, 0);
  const at = iso(d.getTime());
  return { path: backupName(at), at, size: daysAgo === 4 ? 0n : BigInt(98_304 + 4_096 * daysAgo) };
});

function backUpNow() {
  const at = now();
  const path = backupName(at);
  const i = backupFiles.findIndex((f) => f.path === path);
  if (i >= 0) backupFiles.splice(i, 1);
  backupFiles.unshift({ path, at, size: BigInt(dbSize()) });
  backupFiles.splice(14);
}

function restoreBackup(path: string): string {
  const f = backupFiles.find((x) => x.path === path) ?? fail('not_found', `There is no backup ${path}.`);
  if (f.size === 0n) fail('invalid_input', `${path} is not a Shopdesk backup: the file is empty (the copy was cut short).`);
  return `/tmp/mock.before-restore-${now().replace(/[-:]/g, '')}.sqlite3`;
}

const SAMPLE_HTML = (remote: boolean) =>
  `<div style="font-family: Georgia, serif; color: #333"><p>Hello,</p><p>one of the plates arrived <b>chipped</b>. Photos attached.</p>` +
  (remote ? '<p><img src="https://picsum.photos/320/160" alt="Shop logo" width="320" height="160"></p>' : '<p style="color:#888">[A picture from the internet was not loaded]</p>') +
  '<p>Gustavo</p></div>';

// ---- Saved replies and satisfaction checks ----
// The core's starter set and placeholders (core/src/templates.rs), filled the core's way: a
// placeholder with no value stays as written and is listed; send_reply refuses a text holding one.
const PLACEHOLDER_LIST: Placeholder[] = [
  { name: 'customer.first_name', meaning: "the customer's first name" },
  { name: 'customer.name', meaning: "the customer's full name" },
  { name: 'case.number', meaning: 'the case number, like #1042' },
  { name: 'case.subject', meaning: "the case's subject" },
  { name: 'order.ref', meaning: 'the order number on the case' },
  { name: 'tracking.ref', meaning: "the parcel's tracking number on the case" },
  { name: 'shop.name', meaning: "the shop's name (the sender name of the mail account)" },
  { name: 'promised_by', meaning: "when the customer hears from you next (the case's reminder)" },
];
const STARTER_REPLIES: [string, string][] = [
  [
    'We got your message',
    'Hello {customer.first_name},\n\nThank you for your message. We have received it and your case number is {case.number}. We will answer you in full shortly.\n\nKind regards,\n{shop.name}',
  ],
  [
    'Still working on it',
    'Hello {customer.first_name},\n\nA quick note on your case {case.number}: we are still working on it and have not forgotten you. You will hear from us again by {promised_by}, even if there is no news by then.\n\nKind regards,\n{shop.name}',
  ],
  [
    "Return instructions (customer's choice)",
    'Hello {customer.first_name},\n\nYou are welcome to return order {order.ref}. Please pack the item securely, include a note with your case number {case.number}, and send it to the address on our website. The return postage is yours to arrange; we recommend a tracked service. We will refund you as soon as the parcel reaches us.\n\nKind regards,\n{shop.name}',
  ],
  [
    'Replacement or refund (our fault)',
    'Hello {customer.first_name},\n\nWe are sorry: the problem with order {order.ref} is our fault. We can send you a replacement or refund you in full, whichever you prefer; just reply to let us know. You do not need to pay for anything, and if the item has to come back we will send you a prepaid label.\n\nKind regards,\n{shop.name}',
  ],
  [
    'Delivery investigation with the courier',
    'Hello {customer.first_name},\n\nWe are sorry your parcel (tracking {tracking.ref}) has not arrived as it should. We have opened an investigation with the courier for order {order.ref}. Couriers usually answer within a few working days; we will update you by {promised_by} at the latest, and if the parcel is lost we will send a replacement or refund you.\n\nKind regards,\n{shop.name}',
  ],
  [
    'Payment declined',
    'Hello {customer.first_name},\n\nThe payment for order {order.ref} did not go through; your bank or card provider declined it, and no money was taken. You can try again with the same card, use another one, or reply to this email and we will send you a payment link.\n\nKind regards,\n{shop.name}',
  ],
  [
    'Refund policy and terms',
    "Hello {customer.first_name},\n\nThank you for asking. You can return any unused item within 30 days of delivery for a full refund of the item's price. Items that arrive damaged or faulty are refunded or replaced at our cost. Refunds are made to the original payment method within 5 working days of the return reaching us. Our full terms are on our website.\n\nKind regards,\n{shop.name}",
  ],
];
let savedReplies: SavedReply[] = STARTER_REPLIES.map(([title, body], i) => ({
  id: `sr_starter_${i}`,
  title,
  body,
  position: i,
  updated_at: now(),
}));

function checkedReply(input: NewSavedReply): NewSavedReply {
  if (!input.title.trim()) fail('invalid_input', 'Give the saved reply a title');
  if (!input.body.trim()) fail('invalid_input', "Write the saved reply's text");
  return { title: input.title.trim(), body: input.body.trimEnd() };
}

function findReply(replyId: string): SavedReply {
  return savedReplies.find((r) => r.id === replyId) ?? fail('invalid_input', 'That saved reply no longer exists');
}

function placeholderValue(k: Case, name: string): string | null {
  const contact = contacts.find((c) => c.id === k.contact_id)!;
  switch (name) {
    case 'customer.first_name':
      return contact.name.trim().split(/\s+/)[0] ?? '';
    case 'customer.name':
      return contact.name.trim();
    case 'case.number':
      return `#${k.number}`;
    case 'case.subject':
      return k.subject.trim();
    case 'order.ref':
      return k.order_ref.trim();
    case 'tracking.ref':
      return k.tracking_ref.trim();
    case 'shop.name':
      return mailAccount.from_name.trim();
    case 'promised_by':
      return k.remind_at
        ? new Date(k.remind_at).toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long' }).replace(',', '')
        : '';
    default:
      return null;
  }
}

function fillText(text: string, k: Case): FilledReply {
  const missing: string[] = [];
  const out = text.replace(/\{([^{}]*)\}/g, (written, inner: string) => {
    const name = inner.trim();
    const value = placeholderValue(k, name);
    if (value === null) return written;
    if (value !== '') return value;
    if (!missing.includes(name)) missing.push(name);
    return `{${name}}`;
  });
  return { text: out, missing };
}

function refuseUnfilled(body: string): void {
  const found = [...body.matchAll(/\{([^{}]*)\}/g)]
    .map((m) => m[1].trim())
    .filter((name, i, all) => PLACEHOLDER_LIST.some((p) => p.name === name) && all.indexOf(name) === i);
  if (found.length > 0) {
    fail('invalid_input', `Fill in ${found.map((f) => `{${f}}`).join(', ')} before sending: the customer would see it as written`);
  }
}

let surveySettings: SurveySettings = {
  enabled: false,
  days_after_solved: 3,
  period_days: 90,
  text: 'Hello {customer.first_name},\n\nYour case {case.number} ({case.subject}) was solved a few days ago, and we would like to know how we did. How satisfied are you with our help? Please reply with a number from 1 (not at all) to 5 (very satisfied); a few words are welcome too.\n\nThank you,\n{shop.name}',
  enabled_since: null,
  order_text: 'Hello {customer.first_name},\n\nYour order {order.ref} should have reached you a few days ago. How satisfied are you with it, and with us? Please reply with a number from 1 (not at all) to 5 (very satisfied).\n\nThank you,\n{shop.name}',
};
const DEFAULT_SURVEY_TEXT = surveySettings.text;

function setSurveySettings(next: SurveySettings): SurveySettings {
  if (next.days_after_solved > 365 || next.period_days > 3650) {
    fail('invalid_input', 'Pick up to 365 days after the case, and a period of up to 10 years');
  }
  surveySettings = {
    ...next,
    text: next.text.trim() === '' ? DEFAULT_SURVEY_TEXT : next.text,
    enabled_since: !next.enabled ? null : (surveySettings.enabled_since ?? now()),
  };
  return surveySettings;
}

interface MockSurvey {
  caseId: string;
  askedAt: string;
  rating: number;
  comment: string;
  answeredAt: string;
  quotable: boolean;
}
const surveys: MockSurvey[] = [];

/** The sample shop's solved cases were asked, and answered: a survey email and a rated reply each. */
function seedSurveys(): void {
  const answersFor: [number, string][] = [
    [5, 'Quick and friendly, the invoice came the same day. Thank you!'],
    [3, 'Fine in the end, but I had to ask twice.'],
  ];
  const solved = cases.filter((k) => k.status === 'solved');
  solved.forEach((k, i) => {
    const [rating, comment] = answersFor[i % answersFor.length];
    const contact = contacts.find((c) => c.id === k.contact_id)!;
    const asked = iso(Date.now() - (2 - i * 0.1) * 86_400_000);
    const answered = iso(Date.now() - (1 - i * 0.1) * 86_400_000);
    const ask = logMessage(k, { direction: 'from_shop', channel: 'email', author: 'Shop', body: fillText(surveySettings.text, k).text, happened_at: asked }, asked);
    ask.automatic = true;
    ask.delivery = {
      state: 'sent',
      kind: 'survey',
      to: contact.emails[0] ?? '',
      subject: `How did we do? [#${k.number}]`,
      next_attempt_at: asked,
      scheduled: false,
      attempts: 1,
      last_error: null,
      sent_at: asked,
    };
    const reply = logMessage(k, { direction: 'from_customer', channel: 'email', author: contact.name, body: `${rating}\n\n${comment}`, happened_at: answered }, answered);
    reply.automatic = true;
    reply.rating = rating;
    surveys.push({ caseId: k.id, askedAt: asked, rating, comment, answeredAt: answered, quotable: false });
  });
}

function surveyAnswers(quotableOnly: boolean): SurveyAnswer[] {
  return surveys
    .filter((s) => !quotableOnly || s.quotable)
    .sort((a, b) => b.answeredAt.localeCompare(a.answeredAt))
    .map((s) => {
      const k = cases.find((c) => c.id === s.caseId)!;
      const contact = contacts.find((c) => c.id === k.contact_id)!;
      return {
        case_number: k.number,
        case_subject: k.subject,
        contact_id: contact.id,
        contact_name: contact.name,
        asked_at: s.askedAt,
        rating: s.rating,
        comment: s.comment,
        answered_at: s.answeredAt,
        quotable: s.quotable,
      };
    });
}

function savedRepliesCommand(cmd: string, args: Record<string, unknown>): { handled: boolean; value?: unknown } {
  switch (cmd) {
    case 'saved_replies':
      return { handled: true, value: [...savedReplies].sort((a, b) => a.position - b.position || a.title.localeCompare(b.title)) };
    case 'placeholders':
      return { handled: true, value: PLACEHOLDER_LIST };
    case 'add_saved_reply': {
      const input = checkedReply(args.input as NewSavedReply);
      const r: SavedReply = { id: id('sr'), ...input, position: Math.max(-1, ...savedReplies.map((x) => x.position)) + 1, updated_at: now() };
      savedReplies.push(r);
      return { handled: true, value: r };
    }
    case 'update_saved_reply': {
      const r = findReply(String(args.id));
      Object.assign(r, checkedReply(args.input as NewSavedReply), { updated_at: now() });
      return { handled: true, value: r };
    }
    case 'delete_saved_reply':
      savedReplies = savedReplies.filter((r) => r.id !== args.id);
      return { handled: true, value: null };
    case 'fill_saved_reply':
      return { handled: true, value: fillText(findReply(String(args.id)).body, findCase(Number(args.number))) };
    case 'get_survey_settings':
      return { handled: true, value: surveySettings };
    case 'set_survey_settings':
      return { handled: true, value: setSurveySettings(args.settings as SurveySettings) };
    case 'survey_answers':
      return { handled: true, value: surveyAnswers(Boolean(args.quotableOnly)) };
    case 'set_quotable': {
      const k = findCase(Number(args.number));
      const s = surveys.find((x) => x.caseId === k.id) ?? fail('not_found', `Case #${k.number} has no answer to a satisfaction check.`);
      s.quotable = Boolean(args.quotable);
      return { handled: true, value: null };
    }
    default:
      return { handled: false };
  }
}

// ---- Orders, reports and export ----
// Importing: the file dialog hands out, in turn, a WooCommerce export, a CSV of unknown layout
// (needs the mapping: order number in "Ref") and a damaged file (refused at import).
const orders: Order[] = [];
const ORDER_FILES = ['/home/shop/orders-woocommerce.csv', '/home/shop/orders-custom.csv', '/home/shop/orders-broken.csv'];
let nextOrderFile = 0;
const WOO_HEADERS = [
  'Order Number', 'Order Status', 'Order Date', 'Billing First Name', 'Billing Last Name', 'Billing Email Address',
  'Order Currency', 'Order Total Amount', 'Item Name', 'Quantity', 'Tracking Number',
];
const CUSTOM_HEADERS = ['Ref', 'Kunde', 'E-Mail', 'Datum', 'Summe'];
const noColumns = (): OrderColumns => ({
  order_ref: '', email: '', name: '', first_name: '', last_name: '', placed_at: '', total: '', currency: '', status: '', item: '', quantity: '', tracking: '',
});

function wooOrders(): Order[] {
  const day = (d: number) => iso(Date.now() - d * 86_400_000);
  const o = (order_ref: string, email: string, customer_name: string, d: number, total_cents: number, currency: string, status: string, items: string, tracking_ref = ''): Order => ({
    order_ref, source: 'woocommerce', email, customer_name, placed_at: day(d), total_cents, currency, status, items, tracking_ref,
  });
  return [
    o('10482', 'ana.costa@example.com', 'Ana Costa', 14, 5900, 'EUR', 'Completed', '1 × Linen shirt', 'JD014600003828'),
    o('10511', 'ana.costa@example.com', 'Ana Costa', 3, 3600, 'EUR', 'Processing', '2 × Blue glazed mug'),
    o('10490', 'ben@okafor.example', 'Ben Okafor', 6, 2450, 'GBP', 'Completed', '1 × Espresso cup set'),
    o('10502', 'chloe.martin@example.fr', 'Chloé Martin', 2, 8900, 'EUR', 'On hold', '1 × Linen dress (M)'),
  ];
}

function previewOrders(path: string): OrdersPreview {
  if (path.includes('custom')) {
    return {
      headers: CUSTOM_HEADERS,
      sample: [['A-77', 'Eva Maier', 'eva@example.at', '03.02.2026', '19,90']],
      layout: null,
      columns: { ...noColumns(), order_ref: 'Ref', email: 'E-Mail', placed_at: 'Datum' },
      lines: 1,
    };
  }
  return {
    headers: WOO_HEADERS,
    sample: [['10482', 'Completed', '2026-02-11 08:05:12', 'Ana', 'Costa', 'ana.costa@example.com', 'EUR', '59.00', 'Linen shirt', '1', 'JD014600003828']],
    layout: 'woocommerce',
    columns: { ...noColumns(), order_ref: 'Order Number', email: 'Billing Email Address', first_name: 'Billing First Name', last_name: 'Billing Last Name' },
    lines: 4,
  };
}

function importOrders(path: string, columns: OrderColumns | null): OrdersImport {
  if (path.includes('broken')) {
    fail('invalid_input', 'Line 5 has 3 columns where the header has 11: the file is damaged or not a CSV file; nothing was imported');
  }
  let read: Order[];
  if (path.includes('custom')) {
    if (columns === null) fail('invalid_input', 'This file is not a Shopify, WooCommerce or Etsy orders export: pick its columns to import it');
    if (columns!.order_ref !== 'Ref') fail('invalid_input', 'Line 2 has no order number; nothing was imported');
    read = [{ order_ref: 'A-77', source: 'mapped', email: columns!.email ? 'eva@example.at' : '', customer_name: columns!.name ? 'Eva Maier' : '', placed_at: columns!.placed_at ? '2026-02-03T12:00:00Z' : null, total_cents: columns!.total ? 1990 : null, currency: '', status: '', items: '', tracking_ref: '' }];
  } else {
    read = wooOrders();
  }
  let fresh = 0;
  read.forEach((o, i) => {
    const at = orders.findIndex((x) => x.order_ref.toLowerCase() === o.order_ref.toLowerCase());
    if (at >= 0) orders[at] = o;
    else {
      orders.push(o);
      fresh++;
    }
    void emit('orders-progress', { done: i + 1, total: read.length });
  });
  let linked = 0;
  for (const k of cases) {
    if (k.order_ref !== '') continue;
    const said = [k.subject, ...messages.filter((m) => m.case_id === k.id && m.direction === 'from_customer').map((m) => m.body)].join(' ');
    const hit = orders.find((o) => new RegExp(`(^|[^\\w])#?${o.order_ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^\\w]|$)`).test(said));
    if (hit) {
      k.order_ref = hit.order_ref;
      event(k, 'field_changed', 'order_ref', '', hit.order_ref);
      linked++;
    }
  }
  return { layout: path.includes('custom') ? 'mapped' : 'woocommerce', lines: read.length + 1, new_orders: fresh, updated_orders: read.length - fresh, cases_linked: linked };
}

function listOrders(query: string): Order[] {
  const q = query.trim().replace(/^#/, '').toLowerCase();
  return orders
    .filter((o) => !q || [o.order_ref, o.email, o.customer_name].some((s) => s.toLowerCase().includes(q)))
    .sort((a, b) => (b.placed_at ?? '').localeCompare(a.placed_at ?? ''))
    .slice(0, 500);
}

function contactOrders(c: Contact): Order[] {
  return listOrders('').filter((o) => o.email !== '' && c.emails.includes(o.email));
}

/** The core's report, simplified: reply targets from the SLA table around the clock. */
function report(from: string, to: string): Report {
  const FAULT: Record<string, string> = { unknown: 'unknown', shop: 'shop', customer: 'customer', courier: 'courier', manufacturer: 'manufacturer' };
  const nowMs = Date.now();
  const facts = cases.map((k) => {
    const mine = messages.filter((m) => m.case_id === k.id).sort((a, b) => a.happened_at.localeCompare(b.happened_at));
    const first = mine.find((m) => m.direction === 'from_customer');
    const reply = first && mine.find((m) => m.direction === 'from_shop' && !m.automatic && m.happened_at >= first.happened_at);
    return { k, first: first?.happened_at ?? null, reply: reply?.happened_at ?? null, rating: mine.find((m) => m.rating != null)?.rating ?? null };
  });
  const inPeriod = facts.filter((f) => f.first !== null && f.first >= from && f.first < to);
  const percentile = (v: number[], q: number) => (v.length ? v[Math.min(v.length, Math.max(1, Math.ceil(q * v.length))) - 1] : null);
  const times = (fs: typeof facts): ReplyTimes => {
    const mins = fs.filter((f) => f.reply).map((f) => (Date.parse(f.reply!) - Date.parse(f.first!)) / 60_000).sort((a, b) => a - b);
    const judged = fs
      .map((f) => {
        const target = (f.k.reply_target_mins ?? sla.first_reply_mins[f.k.channel] ?? 120) * 60_000;
        const took = Date.parse(f.reply ?? iso(nowMs)) - Date.parse(f.first!);
        return took > target ? false : f.reply ? true : null;
      })
      .filter((x) => x !== null);
    const n = mins.length;
    return {
      cases: fs.length,
      answered: n,
      median_mins: n === 0 ? null : n % 2 ? mins[(n - 1) / 2] : (mins[n / 2 - 1] + mins[n / 2]) / 2,
      p90_mins: percentile(mins, 0.9),
      within_target_pct: judged.length ? (100 * judged.filter(Boolean).length) / judged.length : null,
    };
  };
  const group = <K extends string>(key: (f: (typeof facts)[number]) => K) => {
    const m = new Map<K, typeof facts>();
    for (const f of inPeriod) m.set(key(f), [...(m.get(key(f)) ?? []), f]);
    return [...m.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  };
  const monday = (t: string) => {
    const d = new Date(t);
    d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
    return d.toISOString().slice(0, 10);
  };
  const count = (label: (f: (typeof facts)[number]) => string): CountRow[] =>
    group(label)
      .map(([l, fs]) => ({ label: l, count: fs.length }))
      .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  const buckets: [string, number][] = [['under 1 day', 1], ['1–3 days', 3], ['3–7 days', 7], ['1–4 weeks', 28], ['over 4 weeks', Infinity]];
  const open_by_age = buckets.map(([label]) => ({ label, count: 0 }));
  for (const f of facts) {
    if (f.first === null || f.k.status === 'solved' || f.k.status === 'closed') continue;
    const days = (nowMs - Date.parse(f.first)) / 86_400_000;
    open_by_age[buckets.findIndex(([, max]) => days < max)].count++;
  }
  const rated = inPeriod.map((f) => f.rating).filter((r): r is number => r !== null);
  return {
    from,
    to,
    now: iso(nowMs),
    overall: times(inPeriod),
    weeks: group((f) => monday(f.first!)).map(([week_start, fs]) => ({ week_start, times: times(fs) })),
    channels: group((f) => f.k.channel).map(([channel, fs]) => ({ channel, times: times(fs) })),
    open_by_age,
    by_category: count((f) => f.k.category.replace('_', ' ').replace('refund return', 'refund or return')),
    by_fault: count((f) => FAULT[f.k.fault] ?? f.k.fault),
    ratings: [1, 2, 3, 4, 5].map((r) => ({ label: String(r), count: rated.filter((x) => x === r).length })),
    average_rating: rated.length ? rated.reduce((a, b) => a + b, 0) / rated.length : null,
    surveys_sent: rated.length,
  };
}

const REPORT_TABLES = ['first-reply-by-week', 'first-reply-by-channel', 'open-cases-by-age', 'cases-by-category', 'cases-by-fault', 'satisfaction'];

function ordersCommand(cmd: string, args: Record<string, unknown>): { handled: boolean; value?: unknown } {
  switch (cmd) {
    case 'plugin:dialog|open': {
      const options = (args.options ?? {}) as { title?: string; directory?: boolean };
      if (options.title === 'Choose an orders export') {
        const path = ORDER_FILES[nextOrderFile++ % ORDER_FILES.length];
        return { handled: true, value: path };
      }
      if (options.title === 'Choose a folder for the CSV files') return { handled: true, value: '/home/shop/Exports' };
      return { handled: false };
    }
    case 'preview_orders':
      return { handled: true, value: previewOrders(String(args.path)) };
    case 'import_orders':
      return { handled: true, value: importOrders(String(args.path), (args.columns ?? null) as OrderColumns | null) };
    case 'list_orders':
      return { handled: true, value: listOrders(String(args.query ?? '')) };
    case 'report':
      return { handled: true, value: report(String(args.from), String(args.to)) };
    case 'save_report_table':
      if (!REPORT_TABLES.includes(String(args.table))) fail('internal', `The report has no table ${String(args.table)}`);
      return { handled: true, value: null };
    case 'export_data': {
      const to = String(args.to);
      const files = args.json ? [to] : ['contacts.csv', 'cases.csv', 'messages.csv'].map((f) => `${to}/${f}`);
      return { handled: true, value: { files, contacts: contacts.length, cases: cases.length, messages: messages.length } };
    }
    default:
      return { handled: false };
  }
}

export function installMockBackend(): void {
  const seed = new URLSearchParams(location.search).get('seed');
  if (seed !== null) loadDemo();
  // `?hours`: start with business hours on, to look at that part of Settings.
  if (new URLSearchParams(location.search).has('hours')) {
    const day = [{ start: '09:00', end: '17:30' }];
    sla.time_zone = 'Europe/Lisbon';
    sla.business_hours = { week: [day, day, day, day, [{ start: '09:00', end: '13:00' }], [], []], holidays: ['2026-12-25', '2027-01-01'] };
  }
  if (seed === 'big') loadMany(800);
  // `?mail`: start with the mail account set up, one email not sent and one scheduled.
  if (new URLSearchParams(location.search).has('mail')) {
    setMailAccount(
      { ...mailAccount, from_name: 'Costa Ceramics', from_address: 'shop@example.com', smtp_host: 'smtp.example.com', imap_host: 'imap.example.com' },
      'secret',
    );
    const first = cases.find((c) => c.status !== 'solved');
    if (first) {
      const held = queueEmail(first, 'Hi Ana, DHL says the parcel is on its way again.', null);
      Object.assign(held.delivery!, { state: 'held', attempts: 1, last_error: 'The mail server refused the address ana.costa@example.com' });
      queueEmail(first, 'Hi Ana, checking in: did the parcel arrive?', iso(Date.now() + 86_400_000));
    }
  }
  mockIPC(
    async (cmd, raw) => {
      const args = (raw ?? {}) as Record<string, never>;
      await new Promise((r) => setTimeout(r, 40));
      // Saved replies and satisfaction checks
      const own = savedRepliesCommand(cmd, args);
      if (own.handled) return own.value;
      // Orders, reports and export
      const shop = ordersCommand(cmd, args);
      if (shop.handled) return shop.value;
      switch (cmd) {
        case 'queue':
          return queue(args.filter, args.page);
        case 'list_contacts': {
          const q = String(args.query ?? '').toLowerCase();
          return contacts
            .filter((c) => !q || [c.name, ...c.emails, ...c.phones].some((s) => s.toLowerCase().includes(q)))
            .map(contactSummary);
        }
        case 'get_contact': {
          const c = contacts.find((x) => x.id === args.id) ?? fail('not_found', 'No such contact.');
          return {
            contact: c,
            cases: cases.filter((k) => k.contact_id === c.id).map(summary),
            orders: contactOrders(c),
          } satisfies ContactProfile;
        }
        case 'create_contact':
          return createContact(args.input);
        case 'update_contact': {
          const c = contacts.find((x) => x.id === args.id) ?? fail('not_found', 'No such contact.');
          const input = args.input as NewContact;
          if (!input.name.trim()) fail('invalid_input', 'A contact needs a name.');
          Object.assign(c, { ...input, name: input.name.trim(), updated_at: now() });
          return c;
        }
        case 'open_case':
          return openCase(args.input);
        case 'get_case': {
          const k = findCase(args.number);
          const timeline = [
            ...messages.filter((m) => m.case_id === k.id).map((m) => ({ type: 'message' as const, ...m })),
            ...events.filter((e) => e.case_id === k.id).map((e) => ({ type: 'event' as const, ...e })),
          ].sort((x, y) => ('happened_at' in x ? x.happened_at : x.at).localeCompare('happened_at' in y ? y.happened_at : y.at));
          const s = summary(k);
          return {
            case: { ...k, waiting_since: s.waiting_since, waiting_channel: waiting(k.id)?.channel ?? null },
            contact: contacts.find((c) => c.id === k.contact_id)!,
            timeline,
            waiting_secs: s.waiting_secs,
            clock: s.clock,
          } satisfies CaseView;
        }
        case 'log_message':
          return logMessage(findCase(args.number), args.input);
        case 'update_case': {
          const k = findCase(args.number);
          const patch = args.patch as Record<string, unknown>;
          if (patch.subject !== undefined && !String(patch.subject).trim()) fail('invalid_input', 'A case needs a subject.');
          if (patch.reply_target_mins === 0) patch.reply_target_mins = null;
          for (const [field, value] of Object.entries(patch)) {
            const before = (k as unknown as Record<string, unknown>)[field];
            if (JSON.stringify(before) === JSON.stringify(value)) continue;
            (k as unknown as Record<string, unknown>)[field] = value;
            event(k, field === 'status' ? 'status_changed' : 'field_changed', field, String(before), String(value));
          }
          k.updated_at = now();
          return k;
        }
        case 'merge_cases': {
          const [a, b] = [findCase(Number(args.number)), findCase(Number(args.other))];
          if (a.number === b.number) fail('invalid_input', `Case #${a.number} can't be merged into itself`);
          const [keep, gone] = a.number < b.number ? [a, b] : [b, a];
          gone.merged_into = keep.number;
          gone.status = 'closed';
          event(keep, 'merged', 'case', String(gone.number), String(keep.number));
          event(gone, 'merged', 'case', String(gone.number), String(keep.number));
          return keep;
        }
        case 'merge_contacts': {
          const keep = contacts.find((x) => x.id === args.keep) ?? fail('not_found', 'No such contact.');
          const gone = contacts.find((x) => x.id === args.absorb) ?? fail('not_found', 'No such contact.');
          if (keep === gone) fail('invalid_input', "A contact can't be merged into itself");
          keep.emails = [...new Set([...keep.emails, ...gone.emails])];
          keep.phones = [...new Set([...keep.phones, ...gone.phones])];
          for (const k of cases) if (k.contact_id === gone.id) k.contact_id = keep.id;
          contacts.splice(contacts.indexOf(gone), 1);
          keep.updated_at = now();
          return keep;
        }
        case 'stop_import':
          return null;
        case 'load_demo':
          return loadDemo();
        case 'search':
          return search(String(args.query ?? ''), (args.filter ?? null) as QueueFilter | null);
        case 'app_info':
          return { db_path: '/tmp/mock.sqlite3', version: '0.1.0-mock', is_empty: cases.length === 0 && contacts.length === 0 };
        case 'sla_check':
          return lateCases(slaCheck());
        case 'notification_error':
          return new URLSearchParams(location.search).has('notify-error')
            ? 'org.freedesktop.Notifications was not provided by any .service files'
            : null;
        case 'get_start_at_login':
          return startAtLogin;
        case 'set_start_at_login':
          startAtLogin = Boolean(args.enabled);
          return startAtLogin;
        case 'reminders':
          return [];
        case 'set_reminder': {
          const k = cases.find((c) => c.number === args.number);
          if (!k) return fail('not_found', `No case #${String(args.number)}`);
          k.remind_at = (args.at as string | null) ?? null;
          return k;
        }
        case 'get_app_prefs':
          return appPrefs;
        case 'set_app_prefs':
          appPrefs = structuredClone(args.prefs as { keep_running_in_tray: boolean });
          return appPrefs;
        case 'get_sla_settings':
          return sla;
        case 'set_sla_settings': {
          const next = args.settings as SlaSettings;
          validateSla(next);
          sla = structuredClone(next);
          return sla;
        }
        case 'get_mail_account':
          return mailView();
        case 'set_mail_account':
          return setMailAccount(args.account as MailAccount, args.password as string | null);
        case 'send_test_email': {
          const v = mailView();
          if (!v.can_send) fail('invalid_input', 'Fill in the shop address, the SMTP server and the password first.');
          if (mailAccount.smtp_host.includes('down')) fail('internal', `The mail server ${mailAccount.smtp_host} did not answer within 30 seconds.`);
          return `Sent a test email to ${(args.to as string | null) ?? mailAccount.from_address} through ${mailAccount.smtp_host}.`;
        }
        case 'send_reply': {
          refuseUnfilled(String(args.body)); // Saved replies and satisfaction checks
          const m = queueEmail(findCase(args.number), String(args.body), (args.sendAt as string | null) ?? null);
          setTimeout(() => sendDue() && void emit('mail-changed', null), 1200);
          return m;
        }
        case 'send_follow_up': {
          const k = findCase(args.number);
          if (k.status !== 'waiting_on_customer') fail('invalid_input', `Case #${k.number} is not waiting on the customer.`);
          const name = contacts.find((c) => c.id === k.contact_id)?.name.split(' ')[0] ?? 'there';
          const body = mailAccount.follow_up_text.replaceAll('{case}', `#${k.number}`).replaceAll('{name}', name).replaceAll('{subject}', k.subject);
          const m = queueEmail(k, body, null);
          setTimeout(() => sendDue() && void emit('mail-changed', null), 1200);
          return m;
        }
        case 'retry_outgoing': {
          const m = findMessage(args.messageId);
          if (m.delivery.state === 'sent' || m.delivery.state === 'cancelled') fail('conflict', 'This email is no longer waiting to be sent.');
          Object.assign(m.delivery, { state: 'queued', next_attempt_at: now(), scheduled: false });
          setTimeout(() => sendDue() && void emit('mail-changed', null), 1200);
          return m;
        }
        case 'cancel_outgoing': {
          const m = findMessage(args.messageId);
          if (m.delivery.state === 'sent') fail('conflict', 'This email was already sent.');
          m.delivery.state = 'cancelled';
          return m;
        }
        case 'outbox':
          return outbox();
        case 'mail_status':
          return mailStatus();
        case 'fetch_mail_now': {
          const report = fetchMail();
          if (report.acknowledged > 0) setTimeout(() => sendDue() && void emit('mail-changed', null), 1200);
          return report;
        }
        case 'message_html': {
          const m = messages.find((x) => x.id === args.messageId) ?? fail('not_found', 'There is no such message.');
          return m.has_html ? SAMPLE_HTML(Boolean(args.remoteImages)) : null;
        }
        case 'plugin:dialog|save':
          return `/home/shop/Downloads/${String((args.options as { defaultPath?: string } | undefined)?.defaultPath ?? 'file')}`;
        case 'save_attachment':
          return null;
        case 'plugin:dialog|open':
          return ['/home/shop/old-mail.mbox'];
        case 'import_mail': {
          for (let done = 0; done <= 40; done += 10) void emit('import-progress', { done, total: 40 });
          return { stored: 38, duplicates: 2, new_cases: 30, new_contacts: 25, with_warnings: 1, closed_quiet: args.closeQuietDays ? 12 : 0, stopped: false };
        }
        case 'backups':
          return { folder: BACKUP_FOLDER, files: backupFiles };
        case 'back_up_now':
          backUpNow();
          return { folder: BACKUP_FOLDER, files: backupFiles };
        case 'restore_backup':
          return restoreBackup(String(args.path));
        case 'startup_problem':
          return null;
        default:
          return fail('internal', `The mock backend does not know the command ${cmd}.`);
      }
    },
    { shouldMockEvents: true },
  );
  // Scheduled emails and retries come due while the page is open.
  setInterval(() => {
    if (sendDue()) void emit('mail-changed', null);
  }, 5000);
  // The scheduler's announcement, as the core would send it; `?notify-error` shows the note the
  // banner gives when the OS could not show the desktop notification.
  if (seed !== null) {
    const notifyError = new URLSearchParams(location.search).has('notify-error');
    setTimeout(() => {
      const late = slaCheck();
      const payload: ClockAlerts = {
        alerts: late.map((c) => ({
          case_id: c.id,
          case_number: c.number,
          contact_name: c.contact_name,
          subject: c.subject,
          threshold: c.clock!.state === 'overdue' ? 'overdue' : 'due_soon',
          thresholds: [c.clock!.state === 'overdue' ? 'overdue' : 'due_soon'],
          waiting_since: c.waiting_since!,
          waiting_secs: c.waiting_secs!,
        })),
        notification_error: notifyError ? 'org.freedesktop.Notifications was not provided by any .service files' : null,
      };
      void emit('clock-alerts', payload);
    }, 1500);
  }
}
