import { describe, expect, it } from 'vitest';
import { alertKeys, bannerTitle, hasNews } from './alerts';
import type { CaseSummary, ClockStateKind } from './types';

function late(number: number, state: ClockStateKind): CaseSummary {
  return {
    id: `case_${number}`,
    number,
    subject: 'Parcel not arrived',
    status: 'open',
    priority: 'normal',
    category: 'delivery',
    channel: 'email',
    contact_id: 'ct_1',
    contact_name: 'Ana Costa',
    waiting_since: '2026-11-25T12:00:00Z',
    waiting_secs: 8040,
    clock: { state, target_secs: 7200, elapsed_secs: 8040, warn_at: null, due_at: null, hard_limit_at: null },
    last_shop_reply_at: null,
    remind_at: null,
    last_activity_at: '2026-11-25T12:00:00Z',
    created_at: '2026-11-25T12:00:00Z',
  };
}

describe('bannerTitle', () => {
  const cases: [CaseSummary[], string][] = [
    [[late(1001, 'overdue')], '1 customer waiting past their reply target'],
    [[late(1001, 'overdue'), late(1002, 'overdue'), late(1003, 'overdue')], '3 customers waiting past their reply target'],
    [[late(1001, 'overdue'), late(1002, 'due_soon')], '1 customer waiting past their reply target, 1 more due soon'],
    [[late(1002, 'due_soon'), late(1003, 'due_soon')], '2 customers due for a reply soon'],
  ];
  for (const [items, want] of cases) {
    it(want, () => expect(bannerTitle(items)).toBe(want));
  }
});

describe('hasNews', () => {
  const shown = [late(1001, 'overdue'), late(1002, 'due_soon')];
  const dismissed = alertKeys(shown);
  it('nothing new after a dismissal: stays hidden', () => {
    expect(hasNews(shown, dismissed)).toBe(false);
    expect(hasNews([late(1001, 'overdue')], dismissed)).toBe(false);
  });
  it('a new late case is news', () => {
    expect(hasNews([...shown, late(1003, 'due_soon')], dismissed)).toBe(true);
  });
  it('a due-soon case turning overdue is news', () => {
    expect(hasNews([late(1001, 'overdue'), late(1002, 'overdue')], dismissed)).toBe(true);
  });
  it('never dismissed: news whenever something is late', () => {
    expect(hasNews(shown, null)).toBe(true);
    expect(hasNews([], null)).toBe(false);
  });
});
