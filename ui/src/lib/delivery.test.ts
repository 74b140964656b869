import { describe, expect, it } from 'vitest';
import { deliveryLine, fetchReportText, formatSize, mailStatusText } from './delivery';
import type { Delivery, FetchReport, MailStatus } from './types';
import { queuedDelivery } from '../mock/mailDefaults';

const fmt = (iso: string) => `<${iso}>`;
const base: Delivery = queuedDelivery();

describe('deliveryLine', () => {
  const cases: [string, Partial<Delivery>, string, string | null, string | null, boolean][] = [
    ['waiting', {}, 'Waiting to be sent', null, null, true],
    ['scheduled', { scheduled: true }, 'Scheduled for <2026-11-26T08:00:00Z>', null, 'Send now', true],
    [
      'retrying',
      { attempts: 2, last_error: 'The mail server did not answer' },
      'Not sent yet — retrying (The mail server did not answer)',
      'next try <2026-11-26T08:00:00Z>',
      'Retry now',
      true,
    ],
    ['retrying a scheduled one', { attempts: 1, scheduled: true, last_error: 'timeout' }, 'Not sent yet — retrying (timeout)', 'next try <2026-11-26T08:00:00Z>', 'Retry now', true],
    ['held', { state: 'held', attempts: 1, last_error: 'The server refused ana@example.com' }, 'Not sent — The server refused ana@example.com', null, 'Retry now', true],
    ['sent', { state: 'sent', attempts: 1, sent_at: '2026-11-25T13:03:00Z' }, 'Sent to ana@example.com <2026-11-25T13:03:00Z>', null, null, false],
    ['cancelled', { state: 'cancelled' }, 'Cancelled — not sent', null, null, false],
  ];
  it.each(cases)('%s', (_name, patch, text, detail, retry, cancel) => {
    expect(deliveryLine({ ...base, ...patch }, fmt)).toEqual({ text, detail, retry, cancel });
  });
});

describe('formatSize', () => {
  it.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [999, '999 bytes'],
    [1000, '1 KB'],
    [1500, '1.5 KB'],
    [48_213, '48 KB'],
    [2_400_000, '2.4 MB'],
    [999_999, '1 MB'],
    [3_000_000_000, '3 GB'],
  ])('%d bytes -> %s', (n, text) => {
    expect(formatSize(n)).toBe(text);
  });
  it('takes the bigint the bindings declare', () => {
    expect(formatSize(2_400_000n)).toBe('2.4 MB');
  });
});

describe('fetchReportText', () => {
  const report = (p: Partial<FetchReport>): FetchReport => ({
    fetched: 0,
    new_cases: 0,
    added_to_cases: 0,
    duplicates: 0,
    acknowledged: 0,
    warnings: [],
    ...p,
  });
  it.each([
    [report({}), 'No new mail'],
    [report({ fetched: 2, new_cases: 1, added_to_cases: 1 }), '2 new emails, 1 new case'],
    [report({ fetched: 1, added_to_cases: 1 }), '1 new email'],
    [report({ fetched: 3, duplicates: 3 }), 'No new mail'],
    [report({ fetched: 2, new_cases: 2, warnings: ['x'] }), '2 new emails, 2 new cases, 1 could not be read fully'],
  ])('%o -> %s', (r, text) => {
    expect(fetchReportText(r)).toBe(text);
  });
});

describe('mailStatusText', () => {
  const status = (p: Partial<MailStatus>): MailStatus => ({
    waiting: 0,
    retrying: 0,
    held: 0,
    last_fetch_at: null,
    last_fetch_error: null,
    last_send_error: null,
    ...p,
  });
  it.each([
    [status({}), 'Nothing waiting to be sent.'],
    [status({ waiting: 2, retrying: 1, last_fetch_at: 'T' }), '2 emails waiting to be sent (1 retrying). Mail last checked <T>.'],
    [status({ waiting: 1, held: 1, last_fetch_at: 'T', last_fetch_error: 'The IMAP server refused the password' }), '1 email waiting to be sent. 1 email not sent — needs your attention. Checking mail failed: The IMAP server refused the password.'],
  ])('%o', (s, text) => {
    expect(mailStatusText(s, fmt)).toBe(text);
  });
});
