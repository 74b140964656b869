import { describe, expect, it } from 'vitest';
import { clockText, clockView, coreNowMs, deadlineMs } from './clockState';
import type { ClockState } from './types';

const NOW = Date.parse('2026-11-25T14:00:00Z');
const at = (mins: number) => new Date(NOW + mins * 60_000).toISOString();

function clock(over: Partial<ClockState>): ClockState {
  return {
    state: 'on_track',
    target_secs: 7200,
    elapsed_secs: 0,
    warn_at: at(60),
    due_at: at(120),
    hard_limit_at: null,
    ...over,
  };
}

describe('clockText', () => {
  const cases: [string, ClockState | null, string, string?][] = [
    ['nobody waiting', null, 'not waiting'],
    ['on track: time left to due_at', clock({ due_at: at(120) }), '2 h left'],
    ['on track, hours and minutes', clock({ warn_at: at(90), due_at: at(130) }), '2 h 10 min left'],
    ['due soon: due in 30 min', clock({ state: 'due_soon', warn_at: at(-10), due_at: at(30) }), 'due in 30 min'],
    ['due soon, under a minute', clock({ state: 'due_soon', warn_at: at(-10), due_at: at(0.5) }), 'due in under 1 min'],
    ['overdue since due_at', clock({ state: 'overdue', warn_at: at(-100), due_at: at(-70) }), 'overdue 1 h 10 min'],
    ['overdue by seconds', clock({ state: 'overdue', warn_at: at(-100), due_at: at(-0.2) }), 'just overdue'],
    [
      'the hard limit comes before the target',
      clock({ state: 'overdue', due_at: at(600), hard_limit_at: at(-45) }),
      'overdue 45 min',
    ],
    [
      'paused, waiting on the customer',
      clock({ state: 'paused', warn_at: null, due_at: null }),
      'paused — waiting on customer',
      'waiting_on_customer',
    ],
    [
      'paused, waiting on a third party',
      clock({ state: 'paused', warn_at: null, due_at: null }),
      'paused — waiting on third party',
      'waiting_on_third_party',
    ],
    ['paused, status unknown', clock({ state: 'paused', warn_at: null, due_at: null }), 'paused'],
    ['no due_at (beyond the calendar)', clock({ warn_at: null, due_at: null }), 'on track'],
  ];
  for (const [name, c, want, status] of cases) {
    it(name, () => expect(clockText(c, NOW, status as never)).toBe(want));
  }

  it('moves on between fetches: on track past warn_at reads as due soon', () => {
    const c = clock({ warn_at: at(-1), due_at: at(20) });
    expect(clockView(c, NOW)).toBe('due_soon');
    expect(clockText(c, NOW)).toBe('due in 20 min');
  });

  it('moves on between fetches: past due_at reads as overdue', () => {
    const c = clock({ state: 'due_soon', warn_at: at(-30), due_at: at(-5) });
    expect(clockView(c, NOW)).toBe('overdue');
    expect(clockText(c, NOW)).toBe('overdue 5 min');
  });

  it('never moves a paused or overdue clock back', () => {
    expect(clockView(clock({ state: 'paused', warn_at: null, due_at: null }), NOW)).toBe('paused');
    expect(clockView(clock({ state: 'overdue', due_at: at(10) }), NOW)).toBe('overdue');
    expect(clockText(clock({ state: 'overdue', due_at: at(10) }), NOW)).toBe('overdue');
  });
});

describe('deadlineMs', () => {
  it('is the earlier of due_at and the hard limit', () => {
    expect(deadlineMs(clock({ due_at: at(120), hard_limit_at: at(60) }))).toBe(NOW + 3_600_000);
    expect(deadlineMs(clock({ due_at: null, hard_limit_at: null }))).toBeNull();
  });
});

describe('coreNowMs', () => {
  it('is waiting_since plus the live waiting time, whatever the client clock says', () => {
    expect(coreNowMs('2026-11-25T12:00:00Z', 2 * 3600, 0)).toBe(NOW);
  });
  it('falls back when nobody waits', () => {
    expect(coreNowMs(null, null, 42)).toBe(42);
  });
});
