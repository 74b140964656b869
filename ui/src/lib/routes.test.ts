import { describe, expect, it } from 'vitest';
import { href, parseHash, type Route } from './routes';

describe('parseHash', () => {
  const cases: [string, Route][] = [
    ['', { name: 'queue' }],
    ['#/', { name: 'queue' }],
    ['#/queue', { name: 'queue' }],
    ['#/case/1001', { name: 'case', number: 1001 }],
    ['#/contacts', { name: 'contacts' }],
    ['#/contacts/ct_01H%2Fx', { name: 'contact', id: 'ct_01H/x' }],
    ['#/new', { name: 'new-case' }],
    ['#/new?contact=ct_1', { name: 'new-case', contactId: 'ct_1' }],
    ['#/settings', { name: 'settings' }],
    ['#/settings?section=mail', { name: 'settings', section: 'mail' }],
    ['#/settings?section=import', { name: 'settings', section: 'import' }],
    ['#/settings?section=nope', { name: 'settings' }],
    ['#/outbox', { name: 'outbox' }],
    ['#/outbox/x', { name: 'not-found', path: '/outbox/x' }],
    ['#/case/abc', { name: 'not-found', path: '/case/abc' }],
    ['#/orders', { name: 'orders' }],
    ['#/reports', { name: 'reports' }],
    ['#/reports/2026', { name: 'not-found', path: '/reports/2026' }],
    ['#/stats', { name: 'not-found', path: '/stats' }],
  ];
  it.each(cases)('%s', (hash, route) => {
    expect(parseHash(hash)).toEqual(route);
  });
});

describe('href', () => {
  it('round-trips through parseHash', () => {
    const routes: Route[] = [
      { name: 'queue' },
      { name: 'case', number: 1042 },
      { name: 'contacts' },
      { name: 'contact', id: 'ct 7/8' },
      { name: 'new-case' },
      { name: 'new-case', contactId: 'ct_9' },
      { name: 'settings' },
      { name: 'settings', section: 'mail' },
      { name: 'outbox' },
      { name: 'orders' },
      { name: 'reports' },
    ];
    for (const r of routes) expect(parseHash(href(r))).toEqual(r);
    expect(href({ name: 'case', number: 1001 })).toBe('#/case/1001');
  });
});
