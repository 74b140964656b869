import { describe, expect, it } from 'vitest';
import { alertKeys, bannerTitle, hasNews, lateCases } from './alerts';
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
    it(want, () => expect(bannerTitle(lateCases(items))).toBe(want));
  }
});

describe('hasNews', () => {
  const shown = [late(1001, 'overdue'), late(1002, 'due_soon')];
  const dismissed = alertKeys(lateCases(shown));
  const news = (items: CaseSummary[], inFull = 50) => hasNews(lateCases(items, inFull), dismissed);
  it('nothing new after a dismissal: stays hidden', () => {
    expect(news(shown)).toBe(false);
    expect(news([late(1001, 'overdue')])).toBe(false);
  });
  it('a new late case is news', () => {
    expect(news([...shown, late(1003, 'due_soon')])).toBe(true);
  });
  it('a new late case is news also when it is not among the cases sent in full', () => {
    expect(news([...shown, late(1003, 'due_soon')], 1)).toBe(true);
    expect(news(shown, 1)).toBe(false);
  });
  it('a due-soon case turning overdue is news', () => {
    expect(news([late(1001, 'overdue'), late(1002, 'overdue')])).toBe(true);
  });
  it('never dismissed: news whenever something is late', () => {
    expect(hasNews(lateCases(shown), null)).toBe(true);
    expect(hasNews(lateCases([]), null)).toBe(false);
  });
});

describe('lateCases', () => {
  it('keeps the first cases in full and every number, overdue and due soon apart', () => {
    const items = [late(1001, 'overdue'), late(1004, 'overdue'), late(1002, 'due_soon')];
    const got = lateCases(items, 2);
    expect(got.first.map((c) => c.number)).toEqual([1001, 1004]);
    expect(got.overdue).toEqual([1001, 1004]);
    expect(got.due_soon).toEqual([1002]);
  });
});
