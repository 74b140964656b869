// The Settings screen's form for the shop's reply targets and calendar, and its conversion to and
// from the core's SlaSettings. Inputs hold what the user typed; fromForm says in plain words what
// is missing before anything is sent (the core checks the rest: time zone names, spans).
import { CHANNEL_LABEL, options } from './labels';
import type { Channel, OpenSpan, SlaSettings } from './types';

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
export const CHANNELS: Channel[] = options(CHANNEL_LABEL).map((o) => o.value);

export interface DayForm {
  open: boolean;
  start: string;
  /** "00:00" stands for midnight at the day's end ("24:00" to the core). */
  end: string;
  /** Further spans the core has for this day; the form edits the first and keeps these. */
  more: OpenSpan[];
}

export interface SettingsForm {
  first: Record<Channel, number | null>;
  later: Record<Channel, number | null>;
  warnPercent: number | null;
  keepPostedDays: number | null;
  followUpDays: number | null;
  /** null: never solve by itself. */
  autoSolveDays: number | null;
  timeZone: string;
  businessHours: boolean;
  /** Monday first. */
  days: DayForm[];
  holidays: string[];
}

const DEFAULT_SPAN = { start: '09:00', end: '17:00' };

export function toForm(s: SlaSettings): SettingsForm {
  const perChannel = (m: SlaSettings['first_reply_mins']) =>
    Object.fromEntries(CHANNELS.map((c) => [c, m[c] ?? null])) as Record<Channel, number | null>;
  const week = s.business_hours?.week;
  const days = WEEKDAYS.map((_, i): DayForm => {
    if (!week) return { open: i < 5, ...DEFAULT_SPAN, more: [] };
    const [first, ...more] = week[i] ?? [];
    if (!first) return { open: false, ...DEFAULT_SPAN, more: [] };
    return { open: true, start: first.start, end: first.end === '24:00' ? '00:00' : first.end, more };
  });
  return {
    first: perChannel(s.first_reply_mins),
    later: perChannel(s.later_reply_mins),
    warnPercent: s.warn_percent,
    keepPostedDays: s.keep_posted_days,
    followUpDays: s.follow_up_days,
    autoSolveDays: s.auto_solve_days,
    timeZone: s.time_zone,
    businessHours: s.business_hours !== null,
    days,
    holidays: [...(s.business_hours?.holidays ?? [])],
  };
}

const wholePositive = (n: number | null): n is number => n !== null && Number.isInteger(n) && n > 0;
const HHMM = /^\d{2}:\d{2}$/;

/** The settings to save (keeping what the form does not show, such as hard limits), or why not. */
export function fromForm(
  f: SettingsForm,
  base: SlaSettings,
): { settings: SlaSettings; error: null } | { settings: null; error: string } {
  const fail = (error: string) => ({ settings: null, error });
  const first: SlaSettings['first_reply_mins'] = {};
  const later: SlaSettings['later_reply_mins'] = {};
  for (const c of CHANNELS) {
    for (const [value, into, what] of [
      [f.first[c], first, 'first reply'],
      [f.later[c], later, 'later reply'],
    ] as const) {
      if (!wholePositive(value)) {
        return fail(`The ${what} target for ${CHANNEL_LABEL[c]} must be a whole number of minutes, at least 1.`);
      }
      into[c] = value;
    }
  }
  if (!wholePositive(f.warnPercent) || f.warnPercent > 100) {
    return fail('The "due soon" warning must be a whole percentage between 1 and 100.');
  }
  const timeZone = f.timeZone.trim();
  if (!wholePositive(f.keepPostedDays) || !wholePositive(f.followUpDays)) {
    return fail('Reminders need a whole number of days, at least 1.');
  }
  if (f.autoSolveDays !== null && !wholePositive(f.autoSolveDays)) {
    return fail('Solving by itself needs a whole number of days, at least 1 (or leave it empty).');
  }
  if (timeZone === '') return fail('Enter the shop’s time zone, like Europe/Lisbon.');
  let business_hours: SlaSettings['business_hours'] = null;
  if (f.businessHours) {
    const week: OpenSpan[][] = [];
    for (const [i, d] of f.days.entries()) {
      if (!d.open) {
        week.push([]);
        continue;
      }
      if (!HHMM.test(d.start) || !HHMM.test(d.end)) {
        return fail(`Enter the opening and closing time for ${WEEKDAYS[i]}, or mark it closed.`);
      }
      week.push([{ start: d.start, end: d.end === '00:00' ? '24:00' : d.end }, ...d.more]);
    }
    if (week.every((spans) => spans.length === 0)) {
      return fail('Business hours need at least one open day.');
    }
    const holidays = [...new Set(f.holidays.map((h) => h.trim()).filter((h) => h !== ''))].sort();
    business_hours = { week, holidays };
  }
  return {
    settings: {
      ...base,
      first_reply_mins: first,
      later_reply_mins: later,
      warn_percent: f.warnPercent,
      keep_posted_days: f.keepPostedDays,
      follow_up_days: f.followUpDays,
      auto_solve_days: f.autoSolveDays,
      time_zone: timeZone,
      business_hours,
    },
    error: null,
  };
}

const COMMON_ZONES = [
  'UTC',
  'Europe/Lisbon',
  'Europe/London',
  'Europe/Dublin',
  'Europe/Madrid',
  'Europe/Paris',
  'Europe/Brussels',
  'Europe/Amsterdam',
  'Europe/Berlin',
  'Europe/Zurich',
  'Europe/Rome',
  'Europe/Vienna',
  'Europe/Prague',
  'Europe/Warsaw',
  'Europe/Stockholm',
  'Europe/Oslo',
  'Europe/Copenhagen',
  'Europe/Helsinki',
  'Europe/Athens',
  'Europe/Istanbul',
  'Europe/Kyiv',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Toronto',
  'America/Vancouver',
  'America/Mexico_City',
  'America/Sao_Paulo',
  'America/Buenos_Aires',
  'Africa/Johannesburg',
  'Africa/Lagos',
  'Africa/Cairo',
  'Asia/Dubai',
  'Asia/Kolkata',
  'Asia/Singapore',
  'Asia/Hong_Kong',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Asia/Seoul',
  'Australia/Sydney',
  'Australia/Perth',
  'Pacific/Auckland',
];

/** Zone names for the datalist: every zone the webview knows, or a list of common ones. */
export function timeZoneNames(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    const all = intl.supportedValuesOf?.('timeZone');
    if (all && all.length > 0) return all.includes('UTC') ? all : ['UTC', ...all];
  } catch {
    // an older webview: the common list below
  }
  return COMMON_ZONES;
}

/** The computer's own zone, offered as a hint. */
export function localTimeZone(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}
