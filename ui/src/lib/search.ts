// The search palette's wording and its one list of rows (jump, commands, contacts, hits), so the arrow
// keys, Enter and the screen all agree on what is where.
import { CHANNEL_LABEL, DIRECTION_LABEL } from './labels';
import type { Route } from './routes';
import type { Category, Channel, ContactSummary, QueueFilter, SearchHit, SearchResults, Status } from './types';

export const SEARCH_HINT = 'Search cases, messages and contacts — try a name, an order number or a word from an email';

/** How long typing must pause before the palette asks the core. */
export const SEARCH_DEBOUNCE_MS = 150;

export function nothingFound(query: string): string {
  return `Nothing found for “${query.trim()}”`;
}

export type PaletteItem =
  | { kind: 'jump'; key: string; label: string; detail: string; route: Route }
  | { kind: 'command'; key: string; label: string; route: Route }
  | { kind: 'contact'; key: string; contact: ContactSummary; route: Route }
  | { kind: 'hit'; key: string; hit: SearchHit; route: Route };

/** The rows in screen order: the direct jump first, then contacts, then cases and messages. */
export function paletteItems(results: SearchResults): PaletteItem[] {
  const items: PaletteItem[] = [];
  const { jump } = results;
  if (jump?.type === 'case') {
    const subject = results.hits.find((h) => h.case_number === jump.number)?.case_subject ?? '';
    items.push({
      kind: 'jump',
      key: `jump-case-${jump.number}`,
      label: `Go to case #${jump.number}`,
      detail: subject,
      route: { name: 'case', number: jump.number },
    });
  } else if (jump?.type === 'contact') {
    const contact = results.contacts.find((c) => c.id === jump.id);
    items.push({
      kind: 'jump',
      key: `jump-contact-${jump.id}`,
      label: contact ? `Go to ${contact.name}` : 'Go to the contact',
      detail: contact ? [...contact.emails, ...contact.phones].slice(0, 2).join(' · ') : '',
      route: { name: 'contact', id: jump.id },
    });
  }
  for (const contact of results.contacts) {
    items.push({ kind: 'contact', key: `contact-${contact.id}`, contact, route: { name: 'contact', id: contact.id } });
  }
  results.hits.forEach((hit, i) => {
    items.push({ kind: 'hit', key: `hit-${i}`, hit, route: { name: 'case', number: hit.case_number } });
  });
  return items;
}

/** The palette's commands: every place of the app, and the steps a new shop looks for. Found by
 *  their label and a few more words people might type for them. */
export const COMMANDS: { key: string; label: string; words: string; route: Route }[] = [
  { key: 'new-case', label: 'New case', words: 'log call phone voicemail chat letter open', route: { name: 'new-case' } },
  { key: 'queue', label: 'Go to the queue', words: 'waiting open cases late', route: { name: 'queue' } },
  { key: 'contacts', label: 'Go to contacts', words: 'customers people profiles', route: { name: 'contacts' } },
  { key: 'orders', label: 'Go to orders', words: 'shopify woocommerce etsy import csv', route: { name: 'orders' } },
  { key: 'reports', label: 'Go to reports', words: 'statistics satisfaction charts numbers', route: { name: 'reports' } },
  { key: 'outbox', label: 'Go to the outbox', words: 'sent sending emails scheduled failed', route: { name: 'outbox' } },
  { key: 'settings', label: 'Open settings', words: 'preferences reply targets business hours backups', route: { name: 'settings' } },
  { key: 'mail', label: 'Set up the mail account', words: 'email imap smtp mailbox connect password', route: { name: 'settings', section: 'mail' } },
  { key: 'import', label: 'Bring in past mail', words: 'import mbox eml old emails', route: { name: 'settings', section: 'import' } },
];

/** Commands shown beside what a search finds, at most. */
const COMMANDS_WITH_RESULTS = 3;

/** The commands for what is typed: every one for nothing typed; else those where each word typed
 *  starts one of theirs (case and accents aside), the first few. */
export function matchingCommands(query: string): PaletteItem[] {
  const fold = (t: string) => t.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const typed = fold(query).split(/\s+/).filter((w) => w !== '');
  const found = COMMANDS.filter((c) => {
    const theirs = fold(`${c.label} ${c.words}`).split(/\s+/);
    return typed.every((w) => theirs.some((t) => t.startsWith(w)));
  });
  return (typed.length === 0 ? found : found.slice(0, COMMANDS_WITH_RESULTS)).map((c) => ({
    kind: 'command',
    key: `command-${c.key}`,
    label: c.label,
    route: c.route,
  }));
}

/** The palette's rows for what is typed and the latest answer: what the search found (the
 *  direct jump, contacts, cases and messages), then the commands. A search stays a search:
 *  Enter on "order" opens the top case, not the orders; a command comes first only when
 *  nothing else matched. */
export function paletteRows(query: string, results: SearchResults | null): PaletteItem[] {
  return [...(results ? paletteItems(results) : []), ...matchingCommands(query)];
}

/** What matched: a message (who, how) or the case itself (its subject or references). */
export function hitSourceLabel(hit: Pick<SearchHit, 'direction' | 'channel'>): string {
  if (hit.direction === null) return 'Subject or reference';
  const who = DIRECTION_LABEL[hit.direction];
  return hit.channel ? `${who} · ${CHANNEL_LABEL[hit.channel]}` : who;
}

/** The palette's "said within" choices: days back from now (null: any time). */
export const PERIODS: { days: number | null; label: string }[] = [
  { days: null, label: 'Any time' },
  { days: 7, label: 'Last 7 days' },
  { days: 30, label: 'Last 30 days' },
  { days: 365, label: 'Last year' },
];

/** What the palette's filters narrow by. */
export interface PaletteFilters {
  status: Status | null;
  channel: Channel | null;
  category: Category | null;
  tag: string;
  /** Days back from `now`; null: any time. */
  days: number | null;
}

/** The palette's filters as the core's filter; null when nothing is chosen. */
export function searchFilter(f: PaletteFilters, now: Date = new Date()): QueueFilter | null {
  const tag = f.tag.trim() === '' ? null : f.tag.trim();
  if (f.status === null && f.channel === null && f.category === null && tag === null && f.days === null) return null;
  const since = f.days === null ? null : new Date(now.getTime() - f.days * 86_400_000).toISOString();
  return { status: f.status, channel: f.channel, category: f.category, tag, since, until: null };
}

/** Moves a selection through `count` rows, wrapping at both ends. */
export function moveSelection(selected: number, delta: number, count: number): number {
  if (count === 0) return 0;
  return (((selected + delta) % count) + count) % count;
}
