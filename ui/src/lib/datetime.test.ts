import { beforeAll, describe, expect, it } from 'vitest';
import { futureInstant, localInputToUtcIso, utcIsoToLocalInput } from './datetime';

// Node reads TZ when dates are made, so a fixed zone makes these real values, not round trips.
beforeAll(() => {
  process.env.TZ = 'Europe/Berlin';
});

describe('localInputToUtcIso', () => {
  it('reads empty as "now" (null)', () => {
    expect(localInputToUtcIso('')).toBeNull();
    expect(localInputToUtcIso('   ')).toBeNull();
  });
  it('converts Berlin winter time (UTC+1)', () => {
    expect(localInputToUtcIso('2026-11-25T14:03')).toBe('2026-11-25T13:03:00Z');
  });
  it('converts Berlin summer time (UTC+2)', () => {
    expect(localInputToUtcIso('2026-07-01T00:30')).toBe('2026-06-30T22:30:00Z');
  });
  it('accepts seconds and a space for webviews that show a text box', () => {
    expect(localInputToUtcIso('2026-11-25 14:03:20')).toBe('2026-11-25T13:03:20Z');
  });
  it('refuses what is not a date (undefined)', () => {
    expect(localInputToUtcIso('yesterday')).toBeUndefined();
    expect(localInputToUtcIso('2026-02-30T10:00')).toBeUndefined();
  });
});

describe('utcIsoToLocalInput', () => {
  it('shows a UTC instant in local wall-clock time', () => {
    expect(utcIsoToLocalInput('2026-11-25T13:03:00Z')).toBe('2026-11-25T14:03');
    expect(utcIsoToLocalInput('2026-06-30T22:30:00Z')).toBe('2026-07-01T00:30');
  });
  it('gives an empty box for garbage', () => {
    expect(utcIsoToLocalInput('nope')).toBe('');
  });
});

describe('futureInstant', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');
  it('gives the instant a local time names when it is still to come', () => {
    const r = futureInstant('2026-11-26T09:30', 'Choose when', now);
    expect(r).toEqual({ at: new Date(2026, 10, 26, 9, 30).toISOString().replace('.000Z', 'Z') });
  });
  it('says what is wrong otherwise', () => {
    expect(futureInstant('', 'Choose when to send it', now)).toEqual({ error: 'Choose when to send it, like 2026-11-26 09:00.' });
    expect(futureInstant('soon', 'Choose when', now)).toEqual({ error: 'Choose when, like 2026-11-26 09:00.' });
    expect(futureInstant('2020-01-01T09:00', 'Choose when', now)).toEqual({ error: 'That time has already passed; choose a time in the future.' });
  });
});
