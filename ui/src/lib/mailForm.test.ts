import { describe, expect, it } from 'vitest';
import { fromMailForm, portAfterSecurity, toMailForm } from './mailForm';
import type { MailAccountView } from './types';
import { blankMailAccount } from '../mock/mailDefaults';

const view: MailAccountView = {
  account: blankMailAccount({ from_name: 'Costa Ceramics', from_address: 'shop@example.com', smtp_host: 'smtp.example.com' }),
  can_send: true,
  can_fetch: false,
  has_password: true,
  keychain_error: null,
};

describe('portAfterSecurity', () => {
  it.each([
    ['smtp', 'starttls', 'tls', 587, 465],
    ['smtp', 'tls', 'starttls', 465, 587],
    ['smtp', 'starttls', 'tls', 2525, 2525],
    ['smtp', 'starttls', 'tls', null, 465],
    ['imap', 'tls', 'starttls', 993, 143],
    ['imap', 'starttls', 'tls', 143, 993],
    ['imap', 'tls', 'starttls', 1143, 1143],
  ] as const)('%s %s -> %s with port %s gives %s', (server, from, to, port, want) => {
    expect(portAfterSecurity(server, from, to, port)).toBe(want);
  });
});

describe('fromMailForm', () => {
  it('keeps the saved password when the field is empty', () => {
    const r = fromMailForm(toMailForm(view));
    expect(r.error).toBeNull();
    expect(r.password).toBeNull();
    expect(r.account).toEqual(view.account);
  });
  it('sends a typed password, and an empty one to forget it', () => {
    expect(fromMailForm({ ...toMailForm(view), password: 's3cret' }).password).toBe('s3cret');
    expect(fromMailForm({ ...toMailForm(view), forgetPassword: true }).password).toBe('');
  });
  it('trims what was typed and falls back to INBOX', () => {
    const r = fromMailForm({ ...toMailForm(view), from_address: ' shop@example.com ', imap_folder: ' ' });
    expect(r.account?.from_address).toBe('shop@example.com');
    expect(r.account?.imap_folder).toBe('INBOX');
  });
  it.each([
    [{ smtp_port: null }, 'The SMTP port must be a number from 1 to 65535 (usually 587).'],
    [{ smtp_port: 70000 }, 'The SMTP port must be a number from 1 to 65535 (usually 587).'],
    [{ imap_host: 'imap.example.com', imap_port: null }, 'The IMAP port must be a number from 1 to 65535 (usually 993).'],
    [{ poll_minutes: 0 }, 'Check for new mail every whole number of minutes, at least 1.'],
  ])('refuses %o', (patch, error) => {
    expect(fromMailForm({ ...toMailForm(view), ...patch }).error).toBe(error);
  });
});
