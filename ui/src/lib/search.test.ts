import { describe, expect, it } from 'vitest';
import { COMMANDS, hitSourceLabel, matchingCommands, moveSelection, nothingFound, paletteItems, paletteRows, searchFilter, type PaletteFilters } from './search';
import type { SearchHit } from './types';

const hit = (n: number, extra: Partial<SearchHit> = {}): SearchHit => ({
  case_number: n,
  case_subject: `Subject ${n}`,
  case_status: 'open',
  contact_name: 'Ana Costa',
  direction: 'from_customer',
  channel: 'email',
  at: '2026-01-01T10:00:00Z',
  snippet: 'x',
  ...extra,
});
const ana = { id: 'ct_1', name: 'Ana Costa', emails: ['ana@example.com'], phones: [], open_cases: 1, total_cases: 1 };

describe('paletteItems', () => {
  it('puts a case jump first, then contacts, then hits, each with where it leads', () => {
    const items = paletteItems({ jump: { type: 'case', number: 1042 }, contacts: [ana], hits: [hit(1042), hit(1001)] });
    expect(items.map((i) => i.kind)).toEqual(['jump', 'contact', 'hit', 'hit']);
    expect(items[0]).toMatchObject({ label: 'Go to case #1042', detail: 'Subject 1042', route: { name: 'case', number: 1042 } });
    expect(items[1].route).toEqual({ name: 'contact', id: 'ct_1' });
    expect(items[3].route).toEqual({ name: 'case', number: 1001 });
    expect(new Set(items.map((i) => i.key)).size).toBe(items.length);
  });

  it('names the contact a jump leads to', () => {
    const items = paletteItems({ jump: { type: 'contact', id: 'ct_1' }, contacts: [ana], hits: [] });
    expect(items[0]).toMatchObject({ kind: 'jump', label: 'Go to Ana Costa', route: { name: 'contact', id: 'ct_1' } });
    const unknown = paletteItems({ jump: { type: 'contact', id: 'ct_9' }, contacts: [], hits: [] });
    expect(unknown[0]).toMatchObject({ label: 'Go to the contact' });
  });

  it('is empty for no results', () => {
    expect(paletteItems({ jump: null, contacts: [], hits: [] })).toEqual([]);
  });
});

describe('wording', () => {
  it('says where a hit came from', () => {
    expect(hitSourceLabel({ direction: null, channel: null })).toBe('Subject or reference');
    expect(hitSourceLabel({ direction: 'from_customer', channel: 'email' })).toBe('From customer · Email');
    expect(hitSourceLabel({ direction: 'note', channel: 'phone' })).toBe('Internal note · Phone');
  });
  it('quotes the query when nothing is found', () => {
    expect(nothingFound('  teapot ')).toBe('Nothing found for “teapot”');
  });
});

describe('searchFilter', () => {
  const none: PaletteFilters = { status: null, channel: null, category: null, tag: '', days: null };
  it('is null when nothing narrows, and carries every chosen filter', () => {
    expect(searchFilter(none)).toBeNull();
    expect(searchFilter({ ...none, tag: '  ' })).toBeNull();
    expect(searchFilter({ ...none, status: 'open' })).toEqual({ status: 'open', channel: null, category: null, tag: null, since: null, until: null });
    expect(searchFilter({ ...none, channel: 'chat', category: 'delivery', tag: ' wholesale ' })).toEqual({
      status: null, channel: 'chat', category: 'delivery', tag: 'wholesale', since: null, until: null,
    });
    const now = new Date('2026-11-26T12:00:00Z');
    expect(searchFilter({ ...none, days: 7 }, now)?.since).toBe('2026-11-19T12:00:00.000Z');
  });
});

describe('moveSelection', () => {
  it('wraps at both ends', () => {
    expect(moveSelection(0, 1, 3)).toBe(1);
    expect(moveSelection(2, 1, 3)).toBe(0);
    expect(moveSelection(0, -1, 3)).toBe(2);
    expect(moveSelection(0, 1, 0)).toBe(0);
  });
});

describe('commands', () => {
  const labels = (q: string) => matchingCommands(q).map((c) => (c.kind === 'command' ? c.label : ''));

  it('are all offered before anything is typed', () => {
    expect(labels('')).toHaveLength(COMMANDS.length);
  });

  it('match when every word typed starts one of theirs, whatever the case and accents', () => {
    expect(labels('SETT')).toEqual(['Open settings']);
    expect(labels('mail acc')).toEqual(['Set up the mail account']);
    expect(labels('import')).toEqual(['Go to orders', 'Bring in past mail']);
    expect(labels('rèports')).toEqual(['Go to reports']);
    expect(labels('ana costa')).toEqual([]);
    expect(labels('1042')).toEqual([]);
  });

  it('come after what the search found', () => {
    const rows = paletteRows('go', {
      jump: { type: 'case', number: 1042 },
      contacts: [{ id: 'c', name: 'Gordon', emails: [], phones: [], open_cases: 0, total_cases: 1 }],
      hits: [],
    });
    expect(rows.map((r) => r.kind)).toEqual(['jump', 'contact', 'command', 'command', 'command']);
  });
});
