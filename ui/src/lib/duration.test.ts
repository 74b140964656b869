import { describe, expect, it } from 'vitest';
import { formatDuration, liveWaitingSecs } from './duration';

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, 'just now'],
    [59, 'just now'],
    [60, '1 min'],
    [45 * 60 + 30, '45 min'],
    [59 * 60 + 59, '59 min'],
    [3600, '1 h'],
    [2 * 3600 + 14 * 60, '2 h 14 min'],
    [2 * 3600 + 14 * 60 + 59, '2 h 14 min'],
    [23 * 3600 + 59 * 60, '23 h 59 min'],
    [86400, '1 d'],
    [3 * 86400 + 4 * 3600 + 30 * 60, '3 d 4 h'],
    [40 * 86400, '40 d'],
    [-5, 'just now'],
  ];
  it.each(cases)('%i s reads "%s"', (secs, text) => {
    expect(formatDuration(secs)).toBe(text);
  });
});

describe('liveWaitingSecs', () => {
  it('adds the client time passed since the fetch to what the core computed', () => {
    expect(liveWaitingSecs(600, 1_000_000, 1_000_000 + 90_000)).toBe(690);
  });
  it('never counts backwards when the client clock has not moved yet', () => {
    expect(liveWaitingSecs(600, 1_000_000, 999_000)).toBe(600);
  });
  it('keeps "not waiting" as null', () => {
    expect(liveWaitingSecs(null, 0, 60_000)).toBeNull();
  });
});
