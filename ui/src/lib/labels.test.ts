import { describe, expect, it } from 'vitest';
import { formatDateTime } from './datetime';
import { CATEGORY_LABEL, STATUS_LABEL, describeEvent, isLoudPriority, options, replyTargetOptions } from './labels';

describe('describeEvent', () => {
  const cases: [Parameters<typeof describeEvent>[0], string][] = [
    [{ kind: 'created', field: null, from: null, to: null }, 'Case opened'],
    [{ kind: 'status_changed', field: 'status', from: 'new', to: 'open' }, 'Status changed from new to open'],
    [
      { kind: 'status_changed', field: null, from: 'open', to: 'waiting_on_third_party' },
      'Status changed from open to waiting on third party',
    ],
    [
      { kind: 'field_changed', field: 'category', from: 'other', to: 'refund_return' },
      'Category changed from other to refund / return',
    ],
    [{ kind: 'field_changed', field: 'order_ref', from: '', to: '10482' }, 'Order set to “10482”'],
    [{ kind: 'field_changed', field: 'tracking_ref', from: 'JD1', to: '' }, 'Tracking cleared (was “JD1”)'],
    [{ kind: 'merged', field: null, from: '1002', to: '1001' }, 'Merged into #1001'],
    [
      { kind: 'field_changed', field: 'reply_target', from: 'channel default', to: '60 min' },
      'Reply target changed from channel default to 1 h',
    ],
    [
      { kind: 'field_changed', field: 'reply_target', from: '90 min', to: 'channel default' },
      'Reply target changed from 1 h 30 min to channel default',
    ],
    [
      { kind: 'field_changed', field: 'reminder', from: '', to: '2026-11-28T09:00:00Z' },
      `Reminder set to ${formatDateTime('2026-11-28T09:00:00Z')}`,
    ],
  ];
  it.each(cases)('%o -> %s', (event, text) => {
    expect(describeEvent(event)).toBe(text);
  });
});

describe('option lists', () => {
  it('keep the core order and carry labels', () => {
    expect(options(STATUS_LABEL).map((o) => o.value)).toEqual([
      'new',
      'open',
      'waiting_on_customer',
      'waiting_on_third_party',
      'on_hold',
      'solved',
      'closed',
    ]);
    expect(options(CATEGORY_LABEL)[1]).toEqual({ value: 'damaged_item', label: 'Damaged item' });
  });
  it('only high and urgent priorities are loud', () => {
    expect(['low', 'normal', 'high', 'urgent'].map((p) => isLoudPriority(p as never))).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });
});

describe('replyTargetOptions', () => {
  it('offers the channel default and the usual targets', () => {
    expect(replyTargetOptions(null).map((o) => o.label)).toEqual([
      'Channel default',
      '15 min',
      '30 min',
      '1 h',
      '2 h',
      '4 h',
      '8 h',
      '24 h',
    ]);
    expect(replyTargetOptions(null)[0].value).toBe(0);
  });
  it('keeps a target set elsewhere selectable, in order', () => {
    const opts = replyTargetOptions(90);
    expect(opts.map((o) => o.value)).toEqual([0, 15, 30, 60, 90, 120, 240, 480, 1440]);
    expect(opts[4].label).toBe('1 h 30 min');
  });
});
