// The search palette's wording and its one list of rows (jump, contacts, hits), so the arrow
// keys, Enter and the screen all agree on what is where.
import { CHANNEL_LABEL, DIRECTION_LABEL } from './labels';
import type { Route } from './routes';
import type { Channel, ContactSummary, QueueFilter, SearchHit, SearchResults, Status } from './types';

export const SEARCH_HINT = 'Search cases, messages and contacts — try a name, an order number or a word from an email';

/** How long typing must pause before the palette asks the core. */
export const SEARCH_DEBOUNCE_MS = 150;

export function nothingFound(query: string): string {
  return `Nothing found for “${query.trim()}”`;
}

export type PaletteItem =
  | { kind: 'jump'; key: string; label: string; detail: string; route: Route }
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

/** What matched: a message (who, how) or the case itself (its subject or references). */
export function hitSourceLabel(hit: Pick<SearchHit, 'direction' | 'channel'>): string {
  if (hit.direction === null) return 'Subject or reference';
  const who = DIRECTION_LABEL[hit.direction];
  return hit.channel ? `${who} · ${CHANNEL_LABEL[hit.channel]}` : who;
}

/** The palette's selects as the core's filter; null when nothing is chosen. */
export function searchFilter(status: Status | null, channel: Channel | null): QueueFilter | null {
  return status === null && channel === null ? null : { status, channel, category: null, tag: null, since: null, until: null };
}

/** Moves a selection through `count` rows, wrapping at both ends. */
export function moveSelection(selected: number, delta: number, count: number): number {
  if (count === 0) return 0;
  return (((selected + delta) % count) + count) % count;
}
