import { describe, expect, it } from 'vitest';
import { fromForm, toForm } from './settingsForm';
import type { SlaSettings } from './types';
import { defaultSla } from '../mock/slaDefaults';

const defaults: SlaSettings = defaultSla();

describe('toForm / fromForm', () => {
  it('round-trips the defaults unchanged', () => {
    expect(fromForm(toForm(defaults), defaults)).toEqual({ settings: defaults, error: null });
  });

  it('carries the reminder days and refuses zero', () => {
    const f = toForm(defaults);
    f.keepPostedDays = 4;
    f.followUpDays = 7;
    expect(fromForm(f, defaults).settings).toMatchObject({ keep_posted_days: 4, follow_up_days: 7 });
    f.autoSolveDays = 14;
    expect(fromForm(f, defaults).settings).toMatchObject({ auto_solve_days: 14 });
    f.autoSolveDays = null;
    expect(fromForm(f, defaults).settings).toMatchObject({ auto_solve_days: null });
    f.followUpDays = 0;
    expect(fromForm(f, defaults).error).toBe('Reminders need a whole number of days, at least 1.');
  });

  it('offers Monday to Friday 09:00–17:00 when business hours are switched on', () => {
    const f = toForm(defaults);
    expect(f.businessHours).toBe(false);
    f.businessHours = true;
    const { settings } = fromForm(f, defaults);
    expect(settings?.business_hours?.week.map((d) => d.length)).toEqual([1, 1, 1, 1, 1, 0, 0]);
    expect(settings?.business_hours?.week[0]).toEqual([{ start: '09:00', end: '17:00' }]);
  });

  it('shows midnight at the day’s end as 00:00 and sends it back as 24:00', () => {
    const s: SlaSettings = {
      ...defaults,
      business_hours: {
        week: [[{ start: '18:00', end: '24:00' }], [], [], [], [], [], [{ start: '10:00', end: '12:00' }, { start: '14:00', end: '16:00' }]],
        holidays: ['2026-12-25'],
      },
    };
    const f = toForm(s);
    expect(f.days[0]).toEqual({ open: true, start: '18:00', end: '00:00', more: [] });
    expect(f.days[1].open).toBe(false);
    expect(f.days[6].more).toEqual([{ start: '14:00', end: '16:00' }]);
    expect(fromForm(f, s).settings).toEqual(s);
  });

  it('drops empty and repeated holidays and sorts them', () => {
    const f = toForm(defaults);
    f.businessHours = true;
    f.holidays = ['2026-12-25', '', '2026-01-01', '2026-12-25'];
    expect(fromForm(f, defaults).settings?.business_hours?.holidays).toEqual(['2026-01-01', '2026-12-25']);
  });

  it('keeps what the form does not show (hard limits)', () => {
    const f = toForm(defaults);
    f.first.chat = 30;
    const { settings } = fromForm(f, defaults);
    expect(settings?.hard_limit_mins).toEqual({ email: 1440 });
    expect(settings?.first_reply_mins.chat).toBe(30);
  });

  const refusals: [string, (f: ReturnType<typeof toForm>) => void, string][] = [
    ['an empty target', (f) => (f.first.email = null), 'The first reply target for Email must be a whole number of minutes, at least 1.'],
    ['a zero target', (f) => (f.later.chat = 0), 'The later reply target for Chat must be a whole number of minutes, at least 1.'],
    ['a fractional target', (f) => (f.first.phone = 1.5), 'The first reply target for Phone must be a whole number of minutes, at least 1.'],
    ['a warning over 100 %', (f) => (f.warnPercent = 120), 'The "due soon" warning must be a whole percentage between 1 and 100.'],
    ['no time zone', (f) => (f.timeZone = '  '), 'Enter the shop’s time zone, like Europe/Lisbon.'],
    [
      'an open day without times',
      (f) => {
        f.businessHours = true;
        f.days[2].start = '';
      },
      'Enter the opening and closing time for Wednesday, or mark it closed.',
    ],
    [
      'every day closed',
      (f) => {
        f.businessHours = true;
        for (const d of f.days) d.open = false;
      },
      'Business hours need at least one open day.',
    ],
  ];
  it.each(refusals)('refuses %s, saying why', (_, change, message) => {
    const f = toForm(defaults);
    change(f);
    expect(fromForm(f, defaults)).toEqual({ settings: null, error: message });
  });
});
