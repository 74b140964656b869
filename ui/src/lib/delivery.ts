// What an email the shop wrote is doing, in words: the status line under a reply in the
// timeline and in the outbox, which buttons it offers, and file sizes for attachments.
import { formatDateTime } from './datetime';
import type { Delivery, FetchReport, MailStatus } from './types';

export interface DeliveryLine {
  /** The status in one sentence ("Scheduled for 26 Nov 2026, 09:00"). */
  text: string;
  /** A second, quieter part ("next try 14:05"), or null. */
  detail: string | null;
  /** The label of the "send it now" button, or null when there is nothing to retry. */
  retry: 'Retry now' | 'Send now' | null;
  /** Whether it can still be stopped. */
  cancel: boolean;
}

/** The status line of one outgoing email. `fmt` shows an instant (local time by default). */
export function deliveryLine(d: Delivery, fmt: (iso: string) => string = formatDateTime): DeliveryLine {
  switch (d.state) {
    case 'queued':
      // A failed attempt says more than the schedule it was made on, so it comes first.
      if (d.attempts > 0) {
        return {
          text: d.last_error ? `Not sent yet — retrying (${d.last_error})` : 'Not sent yet — retrying',
          detail: `next try ${fmt(d.next_attempt_at)}`,
          retry: 'Retry now',
          cancel: true,
        };
      }
      if (d.scheduled) {
        return { text: `Scheduled for ${fmt(d.next_attempt_at)}`, detail: null, retry: 'Send now', cancel: true };
      }
      return { text: 'Waiting to be sent', detail: null, retry: null, cancel: true };
    case 'held':
      return {
        text: `Not sent — ${d.last_error ?? 'the mail server refused it'}`,
        detail: null,
        retry: 'Retry now',
        cancel: true,
      };
    case 'sent':
      return {
        text: d.sent_at ? `Sent to ${d.to} ${fmt(d.sent_at)}` : `Sent to ${d.to}`,
        detail: null,
        retry: null,
        cancel: false,
      };
    case 'cancelled':
      return { text: 'Cancelled — not sent', detail: null, retry: null, cancel: false };
  }
}

/** 2_400_000 -> "2.4 MB" (decimal units, as file managers on macOS and Linux show them). */
export function formatSize(bytes: number | bigint): string {
  const n = Number(bytes);
  if (!Number.isFinite(n) || n < 0) return '';
  if (n < 1000) return n === 1 ? '1 byte' : `${n} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 999.95 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  const shown = v < 10 ? v.toFixed(1).replace(/\.0$/, '') : String(Math.round(v));
  return `${shown} ${units[i]}`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** What "Check mail" brought in: "2 new emails, 1 new case" or "No new mail". */
export function fetchReportText(r: FetchReport): string {
  // Whether `fetched` counts the skipped duplicates or not, this is the number of new emails.
  const fresh = Math.max(r.new_cases + r.added_to_cases, r.fetched - r.duplicates);
  const parts: string[] = [];
  if (fresh === 0) parts.push('No new mail');
  else {
    parts.push(plural(fresh, 'new email', 'new emails'));
    if (r.new_cases > 0) parts.push(plural(r.new_cases, 'new case', 'new cases'));
  }
  if (r.warnings.length > 0) parts.push(`${r.warnings.length} could not be read fully`);
  return parts.join(', ');
}

/** The mail status line: what is waiting, what needs the owner, and when mail was last checked. */
export function mailStatusText(s: MailStatus, fmt: (iso: string) => string = formatDateTime): string {
  const parts: string[] = [];
  if (s.waiting === 0) parts.push('Nothing waiting to be sent');
  else {
    const waiting = plural(s.waiting, 'email waiting to be sent', 'emails waiting to be sent');
    parts.push(s.retrying > 0 ? `${waiting} (${s.retrying} retrying)` : waiting);
  }
  if (s.held > 0) parts.push(`${plural(s.held, 'email', 'emails')} not sent — needs your attention`);
  if (s.last_fetch_error) parts.push(`Checking mail failed: ${s.last_fetch_error}`);
  else if (s.last_fetch_at) parts.push(`Mail last checked ${fmt(s.last_fetch_at)}`);
  return parts.join('. ') + '.';
}
