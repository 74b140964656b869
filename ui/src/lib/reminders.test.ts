import { describe, expect, it } from 'vitest';
import { reminderText } from './reminders';
import type { Alert } from './types';

const base: Alert = {
  case_id: '0190a0b0-0000-7000-8000-000000000001',
  case_number: 1003,
  contact_name: 'Chloé Martin',
  subject: 'Teapot arrived broken',
  threshold: 'keep_posted',
  thresholds: ['keep_posted'],
  waiting_since: '2026-11-22T10:00:00Z',
  waiting_secs: 2 * 86400 + 2 * 3600,
};

describe('reminderText', () => {
  it('says what to do and how long the silence has lasted', () => {
    expect(reminderText(base)).toBe('send a status note · no news for 2 d 2 h');
    expect(reminderText({ ...base, threshold: 'follow_up', waiting_secs: 3 * 86400 })).toBe(
      'follow up · no answer for 3 d',
    );
  });
});
