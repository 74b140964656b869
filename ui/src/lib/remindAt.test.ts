import { describe, expect, it } from 'vitest';
import { remindChoices } from './remindAt';

describe('remindChoices', () => {
  // Wednesday 25 Nov 2026, 14:20 local time.
  const now = new Date(2026, 10, 25, 14, 20, 30);

  it('offers an hour from now, tomorrow morning, in three days and next Monday, in local time', () => {
    const [none, hour, tomorrow, three, monday] = remindChoices(now, null);
    expect(none).toEqual({ value: '', label: 'No reminder' });
    expect(new Date(hour.value).getTime()).toBe(new Date(2026, 10, 25, 15, 20, 0).getTime());
    expect(new Date(tomorrow.value).getTime()).toBe(new Date(2026, 10, 26, 9, 0).getTime());
    expect(new Date(three.value).getTime()).toBe(new Date(2026, 10, 28, 9, 0).getTime());
    expect(new Date(monday.value).getTime()).toBe(new Date(2026, 10, 30, 9, 0).getTime());
  });

  it('keeps the reminder already set as the selected option', () => {
    const set = new Date(2026, 11, 1, 9, 0).toISOString();
    const choices = remindChoices(now, set);
    expect(choices[1].value).toBe(set);
    expect(choices[1].label.startsWith('Set: ')).toBe(true);
    expect(remindChoices(new Date(2026, 11, 2), set)[1].label.startsWith('Due: ')).toBe(true);
  });

  it('offers each instant once when two choices fall on the same Monday morning', () => {
    // Friday 27 Nov 2026: in three days is next Monday.
    const friday = remindChoices(new Date(2026, 10, 27, 10, 0), null);
    expect(friday.map((c) => c.label)).toEqual([
      'No reminder',
      'In 1 hour',
      'Tomorrow 9:00',
      'In 3 days, 9:00 (Monday)',
    ]);
    expect(new Date(friday[3].value).getTime()).toBe(new Date(2026, 10, 30, 9, 0).getTime());
    // Sunday 29 Nov 2026: tomorrow is next Monday.
    const sunday = remindChoices(new Date(2026, 10, 29, 10, 0), null);
    expect(sunday.map((c) => c.label)).toEqual(['No reminder', 'In 1 hour', 'Tomorrow 9:00 (Monday)', 'In 3 days, 9:00']);
    // Every day of a fortnight, with or without a reminder set on one of the presets: no instant twice.
    for (let day = 0; day < 14; day++) {
      const now = new Date(2026, 10, 23 + day, 13, 5);
      for (const current of [null, remindChoices(now, null)[3].value]) {
        const times = remindChoices(now, current).map((c) => (c.value ? new Date(c.value).getTime() : 0));
        expect(new Set(times).size).toBe(times.length);
      }
    }
  });

  it('shows a reminder set on a preset once, as the one set', () => {
    const tomorrow = new Date(2026, 10, 26, 9, 0).toISOString();
    const labels = remindChoices(now, tomorrow).map((c) => c.label);
    expect(labels[1].startsWith('Set: ')).toBe(true);
    expect(labels).not.toContain('Tomorrow 9:00');
    expect(labels).toHaveLength(5);
  });
});
