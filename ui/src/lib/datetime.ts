// Converting between what a datetime-local input holds ("2026-11-25T14:03", the user's local
// wall clock) and the UTC RFC 3339 strings the core stores, and showing timestamps to people.

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * "2026-11-25T14:03" (local time) -> "2026-11-25T13:03:00Z" for a user in UTC+1. Empty -> null
 * (the core reads null as "now"). Also accepts a space instead of the "T" and optional seconds,
 * since some webviews render datetime-local as a plain text box. Unparseable -> undefined.
 */
export function localInputToUtcIso(value: string): string | null | undefined {
  const v = value.trim();
  if (v === '') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(v);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  if (
    Number.isNaN(date.getTime()) ||
    date.getMonth() !== Number(mo) - 1 ||
    date.getDate() !== Number(d)
  ) {
    return undefined;
  }
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "2026-11-25T13:03:00Z" -> "2026-11-25T14:03" in the user's local time (for datetime-local). */
export function utcIsoToLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}`
  );
}

/** A timestamp for the timeline: "25 Nov 2026, 14:03" in local time. */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** A date only: "25 Nov 2026". */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
}

/** What a local date-and-time field names, when it is still to come: the instant, or the sentence
 *  for the owner (`ask` says what to choose: "Choose when to send it"). Send later and Remind me
 *  at another time share it. */
export function futureInstant(local: string, ask: string, now: number = Date.now()): { at: string } | { error: string } {
  const at = localInputToUtcIso(local);
  if (at === null || at === undefined) return { error: `${ask}, like 2026-11-26 09:00.` };
  if (Date.parse(at) <= now) return { error: 'That time has already passed; choose a time in the future.' };
  return { at };
}
