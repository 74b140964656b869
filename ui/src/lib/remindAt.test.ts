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
});
