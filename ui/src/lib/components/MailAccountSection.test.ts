import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../ipc')>();
  return {
    ...real,
    ipc: {
      getMailAccount: vi.fn(),
      setMailAccount: vi.fn(),
      sendTestEmail: vi.fn(),
      mailStatus: vi.fn(),
    },
  };
});

import { IpcFailure, ipc } from '../ipc';
import type { MailAccount, MailAccountView } from '../types';
import MailAccountSection from './MailAccountSection.svelte';
import { blankMailAccount } from '../../mock/mailDefaults';

const mocked = ipc as unknown as Record<string, ReturnType<typeof vi.fn>>;

const blank: MailAccount = blankMailAccount({ acknowledgement_text: 'Your case is {case}.' });
const view = (account: MailAccount, patch: Partial<MailAccountView> = {}): MailAccountView => ({
  account,
  can_send: false,
  can_fetch: false,
  has_password: false,
  keychain_error: null,
  ...patch,
});
const input = (id: string) => screen.getByTestId(id) as HTMLInputElement;

describe('MailAccountSection', () => {
  beforeEach(() => {
    mocked.getMailAccount.mockReset().mockResolvedValue(view(structuredClone(blank)));
    mocked.setMailAccount.mockReset().mockImplementation(async (account: MailAccount, password: string | null) =>
      view(account, { can_send: account.smtp_host !== '', has_password: password !== null && password !== '' }),
    );
    mocked.sendTestEmail.mockReset();
    mocked.mailStatus.mockReset().mockResolvedValue({
      waiting: 2,
      retrying: 1,
      held: 0,
      last_fetch_at: null,
      last_fetch_error: 'The IMAP server refused the password for shop@example.com',
      last_send_error: null,
    });
  });

  it('moves the port to the usual one when the security changes, but keeps a port that was typed', async () => {
    render(MailAccountSection);
    const smtpPort = (await screen.findByTestId('mail-smtp-port')) as HTMLInputElement;
    await fireEvent.change(screen.getByTestId('mail-smtp-security'), { target: { value: 'tls' } });
    expect(smtpPort.value).toBe('465');
    await fireEvent.change(screen.getByTestId('mail-imap-security'), { target: { value: 'starttls' } });
    expect(input('mail-imap-port').value).toBe('143');
    await fireEvent.input(smtpPort, { target: { value: '2525' } });
    await fireEvent.change(screen.getByTestId('mail-smtp-security'), { target: { value: 'starttls' } });
    expect(smtpPort.value).toBe('2525');
  });

  it('saves the account, keeping the saved password when the field is left empty', async () => {
    mocked.getMailAccount.mockResolvedValue(
      view({ ...blank, from_address: 'shop@example.com', smtp_host: 'smtp.example.com' }, { can_send: true, has_password: true }),
    );
    render(MailAccountSection);
    const password = (await screen.findByTestId('mail-password')) as HTMLInputElement;
    expect(password.type).toBe('password');
    expect(password.placeholder).toBe('Saved in the system keychain');
    await fireEvent.input(input('mail-from-name'), { target: { value: 'Costa Ceramics' } });
    await fireEvent.input(input('mail-signature'), { target: { value: 'Ana' } });
    await fireEvent.click(input('mail-acknowledge'));
    await fireEvent.click(screen.getByTestId('mail-save'));
    await screen.findByTestId('mail-saved');
    const [account, pw] = mocked.setMailAccount.mock.calls[0];
    expect(pw).toBeNull();
    expect(account).toMatchObject({ from_name: 'Costa Ceramics', signature: 'Ana', acknowledge: true, smtp_port: 587 });
  });

  it('sends a newly typed password', async () => {
    render(MailAccountSection);
    await fireEvent.input(await screen.findByTestId('mail-password'), { target: { value: 'app-pass' } });
    await fireEvent.click(screen.getByTestId('mail-save'));
    await screen.findByTestId('mail-saved');
    expect(mocked.setMailAccount.mock.calls[0][1]).toBe('app-pass');
  });

  it('shows the core’s refusal and keeps what was typed', async () => {
    mocked.setMailAccount.mockRejectedValue(new IpcFailure('invalid_input', '"shop@" is not an email address.'));
    render(MailAccountSection);
    const address = (await screen.findByTestId('mail-from-address')) as HTMLInputElement;
    await fireEvent.input(address, { target: { value: 'shop@' } });
    await fireEvent.click(screen.getByTestId('mail-save'));
    expect((await screen.findByTestId('mail-error')).textContent).toBe('"shop@" is not an email address.');
    expect(address.value).toBe('shop@');
    expect(screen.queryByTestId('mail-saved')).toBeNull();
  });

  it('says what to fix before asking the core', async () => {
    render(MailAccountSection);
    await fireEvent.input(await screen.findByTestId('mail-smtp-port'), { target: { value: '' } });
    await fireEvent.click(screen.getByTestId('mail-save'));
    expect((await screen.findByTestId('mail-error')).textContent).toBe(
      'The SMTP port must be a number from 1 to 65535 (usually 587).',
    );
    expect(mocked.setMailAccount).not.toHaveBeenCalled();
  });

  it('offers the test email once saved with enough to send, and shows its result or error', async () => {
    render(MailAccountSection);
    const test = (await screen.findByTestId('mail-test-send')) as HTMLButtonElement;
    expect(test.disabled).toBe(true);
    await fireEvent.input(input('mail-from-address'), { target: { value: 'shop@example.com' } });
    await fireEvent.input(input('mail-smtp-host'), { target: { value: 'smtp.example.com' } });
    await fireEvent.input(input('mail-password'), { target: { value: 'secret' } });
    expect(test.disabled).toBe(true);
    await fireEvent.click(screen.getByTestId('mail-save'));
    await vi.waitFor(() => expect(test.disabled).toBe(false));

    mocked.sendTestEmail.mockResolvedValueOnce('Sent a test email to shop@example.com through smtp.example.com.');
    await fireEvent.click(test);
    expect((await screen.findByTestId('mail-test-result')).textContent?.trim()).toBe(
      'Sent a test email to shop@example.com through smtp.example.com.',
    );
    expect(mocked.sendTestEmail).toHaveBeenCalledWith(null);

    mocked.sendTestEmail.mockRejectedValueOnce(new IpcFailure('internal', 'The SMTP server refused the password for shop@example.com'));
    await fireEvent.click(test);
    await vi.waitFor(() =>
      expect(screen.getByTestId('mail-test-result').textContent?.trim()).toBe(
        'The SMTP server refused the password for shop@example.com',
      ),
    );
    expect(screen.getByTestId('mail-test-result').getAttribute('role')).toBe('alert');
  });

  it('shows the mail status and a keychain problem', async () => {
    mocked.getMailAccount.mockResolvedValue(view(blank, { keychain_error: 'The system keychain is locked.' }));
    render(MailAccountSection);
    expect((await screen.findByTestId('mail-keychain-error')).textContent).toBe('The system keychain is locked.');
    expect((await screen.findByTestId('mail-status')).textContent).toBe(
      '2 emails waiting to be sent (1 retrying). Checking mail failed: The IMAP server refused the password for shop@example.com.',
    );
  });
});
