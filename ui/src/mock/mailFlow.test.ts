// The mail screens against the dev mock backend: the real state modules, ipc.ts and Tauri's IPC
// mock, so the wiring (command names, arguments, the mail-changed event) is exercised end to end.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ipc } from '../lib/ipc';
import { mail } from '../lib/state/mail.svelte';
import CaseScreen from '../screens/CaseScreen.svelte';
import OutboxScreen from '../screens/OutboxScreen.svelte';
import { installMockBackend } from './devBackend';

beforeAll(async () => {
  installMockBackend();
  await ipc.loadDemo();
  const { account } = await ipc.getMailAccount();
  await ipc.setMailAccount(
    { ...account, from_name: 'Costa Ceramics', from_address: 'shop@example.com', smtp_host: 'smtp.example.com', imap_host: 'imap.example.com' },
    'secret',
  );
  mail.start();
  await mail.loadAccount();
});

describe('mail against the dev mock', () => {
  it('sends a reply from the case and shows it go from waiting to sent', async () => {
    render(CaseScreen, { number: 1001 });
    const body = (await screen.findByTestId('log-body')) as HTMLTextAreaElement;
    await fireEvent.input(body, { target: { value: 'Hi Ana, DHL found it.' } });
    await fireEvent.click(await screen.findByTestId('composer-send-email'));
    await vi.waitFor(() => expect(body.value).toBe(''));
    const status = await screen.findByTestId('delivery-status');
    expect(status.getAttribute('data-state')).toBe('queued');
    await vi.waitFor(() => expect(screen.getByTestId('delivery-status').getAttribute('data-state')).toBe('sent'), {
      timeout: 4000,
    });
    expect(screen.getByTestId('delivery-status').textContent).toContain('Sent to ana.costa@example.com');
  });

  it('lists a scheduled email in the outbox and sends it now on request', async () => {
    await ipc.sendReply(1003, 'Bonjour Chloé, the M size runs true.', new Date(Date.now() + 86_400_000).toISOString());
    render(OutboxScreen);
    const row = await vi.waitFor(() => {
      const r = screen.getAllByTestId('outbox-row').find((x) => x.getAttribute('data-case-number') === '1003');
      if (!r) throw new Error('no row for #1003 yet');
      return r;
    });
    expect(row.textContent).toContain('Scheduled for');
    const sendNow = row.querySelector<HTMLButtonElement>('[data-testid="delivery-retry"]')!;
    expect(sendNow.textContent?.trim()).toBe('Send now');
    await fireEvent.click(sendNow);
    await vi.waitFor(
      () => {
        const r = screen.getAllByTestId('outbox-row').find((x) => x.getAttribute('data-case-number') === '1003')!;
        expect(r.getAttribute('data-state')).toBe('sent');
      },
      { timeout: 4000 },
    );
  });

  it('checks mail: one new email with attachments and a formatted version', async () => {
    await mail.fetchNow();
    expect(mail.fetchResult).toEqual({ text: '1 new email, 1 new case', error: false });
    await mail.fetchNow();
    expect(mail.fetchResult).toEqual({ text: 'No new mail', error: false });
    const queue = await ipc.queue({ status: null, channel: null, category: null, tag: null, since: null, until: null });
    const newest = queue.items.find((c) => c.subject === 'Chipped plate in my order')!;
    render(CaseScreen, { number: newest.number });
    expect((await screen.findByTestId('message-attachments')).textContent).toContain('plate-1.jpg · 2.4 MB');
    await fireEvent.click(screen.getByTestId('message-show-html'));
    expect((await screen.findByTestId('message-html-frame')).getAttribute('srcdoc')).toContain('chipped');
  });
});
