// The Reports screen's wording and arithmetic: the period picked (whole local days), minutes and
// shares as a person reads them, and each table of the report as rows to show (the same tables,
// by the same ids, that the core exports as CSV).
import { formatDuration } from './duration';
import { CHANNEL_LABEL } from './labels';
import type { ReplyTimes, Report } from './types';

export type PeriodChoice = '30' | '90' | '365' | 'custom';

export const PERIODS: { value: PeriodChoice; label: string }[] = [
  { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
  { value: '365', label: 'Last 365 days' },
  { value: 'custom', label: 'From – to…' },
];

export interface Range {
  /** RFC 3339, inclusive. */
  from: string;
  /** RFC 3339, exclusive: the local midnight after the last day. */
  to: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-11-25" for a Date, in local time (what a date input holds). */
export function localDay(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function midnight(day: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return d.getMonth() === Number(m[2]) - 1 && d.getDate() === Number(m[3]) ? d : null;
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The last `days` whole days up to and including today (local), as an instant range. */
export function lastDays(days: number, now: Date): Range {
  const to = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  return { from: iso(firstOfLastDays(days, now)), to: iso(to) };
}

/** Local midnight starting the last `days` whole days up to and including today: counted in
 *  calendar days, not 24-hour steps, which a change to or from summer time shifts. */
function firstOfLastDays(days: number, now: Date): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1 - days);
}

/** The date fields of `lastDays`: its first and last day (local), as a date input holds them. */
export function lastDaysFields(days: number, now: Date): { fromDay: string; toDay: string } {
  return { fromDay: localDay(firstOfLastDays(days, now)), toDay: localDay(now) };
}

/** The first to the last day (both included, local dates), or why not. */
export function customRange(fromDay: string, toDay: string): Range | { error: string } {
  const from = midnight(fromDay);
  const last = midnight(toDay);
  if (from === null) return { error: 'Choose the first day of the period.' };
  if (last === null) return { error: 'Choose the last day of the period.' };
  if (last < from) return { error: 'The period ends before it starts: swap the two dates.' };
  const to = new Date(last.getFullYear(), last.getMonth(), last.getDate() + 1);
  return { from: iso(from), to: iso(to) };
}

/** A wait in minutes as a person says it: "< 1 min", "42 min", "3 h 5 min", "2 d 4 h"; null "—". */
export function formatMins(mins: number | null): string {
  if (mins === null) return '—';
  if (mins < 1) return '< 1 min';
  return formatDuration(Math.round(mins * 60));
}

export function formatPct(pct: number | null): string {
  return pct === null ? '—' : `${Math.round(pct)}%`;
}

export function formatRating(avg: number | null): string {
  return avg === null ? '—' : `${avg.toFixed(1)} of 5`;
}

/** "12 Nov" for a week's Monday ("2026-11-09"), in the chart's axis. */
export function weekLabel(day: string): string {
  const d = midnight(day);
  return d === null ? day : d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
}

/** The suggested file name of a table's CSV: "first-reply-by-week 2026-10-27 to 2026-11-25.csv". */
export function csvFileName(table: string, range: Range): string {
  const first = localDay(new Date(range.from));
  const last = localDay(new Date(Date.parse(range.to) - 1));
  return `${table} ${first} to ${last}.csv`;
}

export interface ShownTable {
  id: string;
  title: string;
  columns: string[];
  rows: string[][];
}

const TIMES_COLUMNS = ['Cases', 'Answered', 'Median first reply', '90th percentile', 'Within target'];

function timesCells(t: ReplyTimes): string[] {
  return [String(t.cases), String(t.answered), formatMins(t.median_mins), formatMins(t.p90_mins), formatPct(t.within_target_pct)];
}

/** The report's tables as shown on screen, by the ids `save_report_table` knows. */
export function reportTables(r: Report): Record<string, ShownTable> {
  const counts = (id: string, title: string, what: string, rows: { label: string; count: number }[], unit = 'Cases') => ({
    id,
    title,
    columns: [what, unit],
    rows: rows.map((c) => [c.label, String(c.count)]),
  });
  return {
    'first-reply-by-week': {
      id: 'first-reply-by-week',
      title: 'First reply by week',
      columns: ['Week starting', ...TIMES_COLUMNS],
      rows: r.weeks.map((w) => [w.week_start, ...timesCells(w.times)]),
    },
    'first-reply-by-channel': {
      id: 'first-reply-by-channel',
      title: 'First reply by channel',
      columns: ['Channel', ...TIMES_COLUMNS],
      rows: r.channels.map((c) => [CHANNEL_LABEL[c.channel] ?? c.channel, ...timesCells(c.times)]),
    },
    'open-cases-by-age': counts('open-cases-by-age', 'Open cases by age', 'Waiting since the first message', r.open_by_age),
    'cases-by-category': counts('cases-by-category', 'Cases by category', 'Category', r.by_category),
    'cases-by-fault': counts('cases-by-fault', 'Cases by fault', 'Fault', r.by_fault),
    satisfaction: counts('satisfaction', 'Satisfaction ratings', 'Rating', r.ratings, 'Answers'),
  };
}

/** Whether a table of counts has anything to count. */
export function anyCounted(rows: { count: number }[]): boolean {
  return rows.some((r) => r.count > 0);
}
