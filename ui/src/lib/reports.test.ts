import { describe, expect, it } from 'vitest';
import { anyCounted, csvFileName, customRange, formatMins, formatPct, formatRating, lastDays, lastDaysFields, localDay, reportTables } from './reports';
import type { Report, ReplyTimes } from './types';

const times = (patch: Partial<ReplyTimes> = {}): ReplyTimes => ({
  cases: 4,
  answered: 3,
  median_mins: 42,
  p90_mins: 185,
  within_target_pct: 75,
  ...patch,
});

const sample: Report = {
  from: '2026-10-27T00:00:00Z',
  to: '2026-11-26T00:00:00Z',
  now: '2026-11-25T13:00:00Z',
  overall: times(),
  weeks: [{ week_start: '2026-11-16', times: times() }],
  channels: [{ channel: 'email', times: times({ median_mins: null, p90_mins: null, within_target_pct: null, answered: 0 }) }],
  open_by_age: [{ label: 'under 1 day', count: 2 }],
  by_category: [{ label: 'delivery', count: 3 }],
  by_fault: [{ label: 'courier', count: 3 }],
  ratings: [1, 2, 3, 4, 5].map((r) => ({ label: String(r), count: r === 5 ? 2 : 0 })),
  average_rating: 5,
  surveys_sent: 3,
};

describe('periods', () => {
  it('takes whole local days up to and including today', () => {
    const now = new Date(2026, 10, 25, 14, 3);
    const r = lastDays(30, now);
    expect(new Date(r.to).getTime()).toBe(new Date(2026, 10, 26).getTime());
    expect(new Date(r.from).getTime()).toBe(new Date(2026, 9, 27).getTime());
    expect(r.from).toMatch(/Z$/);
  });

  it('reads a from–to pair of dates, both days included, and says what is wrong', () => {
    const r = customRange('2026-11-01', '2026-11-30');
    expect('error' in r).toBe(false);
    if ('error' in r) return;
    expect(new Date(r.from).getTime()).toBe(new Date(2026, 10, 1).getTime());
    expect(new Date(r.to).getTime()).toBe(new Date(2026, 11, 1).getTime());
    expect(customRange('2026-11-30', '2026-11-01')).toEqual({ error: expect.stringMatching(/ends before it starts/) });
    expect(customRange('', '2026-11-01')).toEqual({ error: expect.stringMatching(/first day/) });
    expect(customRange('2026-02-01', '2026-02-30')).toEqual({ error: expect.stringMatching(/last day/) });
  });

  it('names a CSV after the table and the days it covers', () => {
    const r = customRange('2026-11-01', '2026-11-30') as { from: string; to: string };
    expect(csvFileName('cases-by-fault', r)).toBe('cases-by-fault 2026-11-01 to 2026-11-30.csv');
    expect(localDay(new Date(2026, 0, 5))).toBe('2026-01-05');
  });
});

describe('numbers', () => {
  it('says minutes the way a person does', () => {
    expect(formatMins(null)).toBe('—');
    expect(formatMins(0.4)).toBe('< 1 min');
    expect(formatMins(42.4)).toBe('42 min');
    expect(formatMins(185)).toBe('3 h 5 min');
    expect(formatMins(3 * 1440 + 120)).toBe('3 d 2 h');
    expect(formatPct(66.666)).toBe('67%');
    expect(formatPct(null)).toBe('—');
    expect(formatRating(4.25)).toBe('4.3 of 5');
    expect(formatRating(null)).toBe('—');
  });

  it('lays out every table the core exports, by the same ids', () => {
    const t = reportTables(sample);
    expect(Object.keys(t).sort()).toEqual(
      ['cases-by-category', 'cases-by-fault', 'first-reply-by-channel', 'first-reply-by-week', 'open-cases-by-age', 'satisfaction'].sort(),
    );
    expect(t['first-reply-by-week'].rows).toEqual([['2026-11-16', '4', '3', '42 min', '3 h 5 min', '75%']]);
    expect(t['first-reply-by-channel'].rows[0]).toEqual(['Email', '4', '0', '—', '—', '—']);
    expect(t.satisfaction.rows.at(-1)).toEqual(['5', '2']);
    expect(t.satisfaction.columns).toEqual(['Rating', 'Answers']);
    expect(anyCounted(sample.ratings)).toBe(true);
    expect(anyCounted([{ count: 0 }])).toBe(false);
  });
});

describe('lastDaysFields', () => {
  it('gives the same days as lastDays, also across a change to or from summer time', () => {
    const zone = process.env.TZ;
    process.env.TZ = 'Europe/Berlin';
    try {
      // Just after the spring change, 29 × 24 h back is a day later than 29 calendar days back.
      expect(lastDaysFields(30, new Date(2027, 2, 29, 0, 30))).toEqual({ fromDay: '2027-02-28', toDay: '2027-03-29' });
      expect(lastDaysFields(30, new Date(2026, 10, 20, 23, 30))).toEqual({ fromDay: '2026-10-22', toDay: '2026-11-20' });
      // Every hour of a year: the fields name the range's first and last local day.
      for (let h = 0; h < 366 * 24; h += 1) {
        const now = new Date(2026, 0, 1, h, 30);
        const range = lastDays(30, now);
        const fields = lastDaysFields(30, now);
        expect(fields.fromDay).toBe(localDay(new Date(range.from)));
        expect(fields.toDay).toBe(localDay(new Date(Date.parse(range.to) - 1)));
      }
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});
