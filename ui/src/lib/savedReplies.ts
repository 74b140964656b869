// Saved replies in the composer: which placeholders a text still holds (the core's rule, so the
// line under the composer agrees with what send_reply refuses), how that line is worded, and the
// menu's filter.
import type { SavedReply } from './types';

/** The core's placeholders (core/src/templates.rs PLACEHOLDERS), used until `placeholders` answers. */
export const KNOWN_PLACEHOLDERS: readonly string[] = [
  'customer.first_name',
  'customer.name',
  'case.number',
  'case.subject',
  'order.ref',
  'tracking.ref',
  'shop.name',
  'promised_by',
];

/**
 * Every known placeholder written in `text`, in order, once each. Like the core: braces around
 * anything else ("{smile}") are the owner's text, spaces inside the braces don't count.
 */
export function placeholdersIn(text: string, known: readonly string[] = KNOWN_PLACEHOLDERS): string[] {
  const found: string[] = [];
  let rest = text;
  for (;;) {
    const open = rest.indexOf('{');
    if (open < 0) break;
    const after = rest.slice(open + 1);
    const close = after.indexOf('}');
    if (close < 0) break;
    const name = after.slice(0, close).trim();
    if (known.includes(name) && !found.includes(name)) found.push(name);
    rest = after.slice(close + 1);
  }
  return found;
}

/** What the owner fills in, in words: "Fill in the order number ({order.ref}) before sending". */
const NOUN: Record<string, string> = {
  'customer.first_name': "the customer's first name",
  'customer.name': "the customer's name",
  'case.number': 'the case number',
  'case.subject': 'the subject',
  'order.ref': 'the order number',
  'tracking.ref': 'the tracking number',
  'shop.name': "your shop's name",
  promised_by: 'when they hear from you next',
};

/** Where the value comes from, so the next insert fills it by itself. */
const SOURCE: Record<string, string> = {
  'customer.first_name': "the contact's name",
  'customer.name': "the contact's name",
  'order.ref': "the case's order number",
  'tracking.ref': "the case's tracking number",
  'shop.name': 'the From name in Settings → Mail account',
  promised_by: "the case's “Remind me”",
};

function list(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** The line under the composer while the text holds placeholders; null when it holds none. */
export function missingText(missing: readonly string[]): string | null {
  if (missing.length === 0) return null;
  return `Fill in ${list(missing.map((m) => `${NOUN[m] ?? m} ({${m}})`))} before sending.`;
}

/** Where to set the values once, so inserting the reply again fills them; null when there's nowhere. */
export function missingSource(missing: readonly string[]): string | null {
  const sources = [...new Set(missing.map((m) => SOURCE[m]).filter((s): s is string => s !== undefined))];
  if (sources.length === 0) return null;
  return `Or set ${list(sources)} and insert the reply again.`;
}

/** The replies whose title (or, after those, text) holds every word typed in the menu's filter. */
export function filterReplies(replies: readonly SavedReply[], typed: string): SavedReply[] {
  const words = typed.toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return [...replies];
  const has = (s: string) => words.every((w) => s.toLowerCase().includes(w));
  return [...replies.filter((r) => has(r.title)), ...replies.filter((r) => !has(r.title) && has(r.body))];
}

/**
 * The composer's text after inserting a saved reply. An empty composer, or one still holding only
 * the reply inserted last (unchanged), is replaced; otherwise the reply goes in at the cursor, so
 * nothing typed is lost.
 */
export function insertReply(
  body: string,
  filled: string,
  lastInserted: string | null,
  cursor: { start: number; end: number } | null,
): { body: string; cursor: number } {
  if (body.trim() === '' || body === lastInserted) return { body: filled, cursor: filled.length };
  const start = cursor?.start ?? body.length;
  const end = cursor?.end ?? start;
  const before = body.slice(0, start);
  const after = body.slice(end);
  const lead = before === '' || before.endsWith('\n') ? '' : '\n\n';
  const next = before + lead + filled + after;
  return { body: next, cursor: (before + lead + filled).length };
}
