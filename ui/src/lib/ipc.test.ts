import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args) }));
const listen = vi.fn();
vi.mock('@tauri-apps/api/event', () => ({ listen: (...args: unknown[]) => listen(...args) }));

import { IpcFailure, events, ipc, toIpcFailure } from './ipc';

describe('toIpcFailure', () => {
  it('keeps a core IpcError as it is', () => {
    const f = toIpcFailure({ kind: 'conflict', message: 'Another contact has ana@example.com' });
    expect(f).toBeInstanceOf(IpcFailure);
    expect([f.kind, f.message]).toEqual(['conflict', 'Another contact has ana@example.com']);
  });
  it('turns a bare string (a Tauri-level failure) into an internal error', () => {
    const f = toIpcFailure('command queue not found');
    expect([f.kind, f.message]).toEqual(['internal', 'command queue not found']);
  });
  it('does not trust an unknown kind', () => {
    expect(toIpcFailure({ kind: 'weird', message: 'x' }).kind).toBe('internal');
  });
  it('uses an Error message', () => {
    expect(toIpcFailure(new TypeError('boom')).message).toBe('boom');
  });
});

describe('ipc calls', () => {
  beforeEach(() => {
    (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {};
    invoke.mockReset();
  });
  afterEach(() => {
    delete (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__;
  });

  it('send the contract names and argument objects', async () => {
    invoke.mockResolvedValue([]);
    await ipc.listContacts('ana');
    await ipc.updateCase(1001, { status: 'open' });
    await ipc.loadDemo();
    expect(invoke.mock.calls).toEqual([
      ['list_contacts', { query: 'ana' }],
      ['update_case', { number: 1001, patch: { status: 'open' } }],
      ['load_demo', undefined],
    ]);
  });

  it('send the reply-target commands with the contract names', async () => {
    invoke.mockResolvedValue([]);
    await ipc.slaCheck();
    await ipc.getSlaSettings();
    const settings = {
      first_reply_mins: { chat: 15 },
      later_reply_mins: { chat: 15 },
      hard_limit_mins: {},
      warn_percent: 75,
      keep_posted_days: 2,
      follow_up_days: 3,
      auto_solve_days: null,
      time_zone: 'Europe/Lisbon',
      business_hours: null,
    };
    await ipc.setSlaSettings(settings);
    await ipc.notificationError();
    expect(invoke.mock.calls).toEqual([
      ['sla_check', undefined],
      ['get_sla_settings', undefined],
      ['set_sla_settings', { settings }],
      ['notification_error', undefined],
    ]);
  });

  it('send the mail commands with the contract names and camelCase arguments', async () => {
    invoke.mockResolvedValue(null);
    const account = { from_name: 'Costa Ceramics' } as unknown as Parameters<typeof ipc.setMailAccount>[0];
    await ipc.getMailAccount();
    await ipc.setMailAccount(account, null);
    await ipc.sendTestEmail(null);
    await ipc.sendReply(1001, 'Hello', '2026-11-26T08:00:00Z');
    await ipc.retryOutgoing('msg_1');
    await ipc.cancelOutgoing('msg_1');
    await ipc.outbox();
    await ipc.mailStatus();
    await ipc.fetchMailNow();
    await ipc.messageHtml('msg_2', true);
    expect(invoke.mock.calls).toEqual([
      ['get_mail_account', undefined],
      ['set_mail_account', { account, password: null }],
      ['send_test_email', { to: null }],
      ['send_reply', { number: 1001, body: 'Hello', sendAt: '2026-11-26T08:00:00Z' }],
      ['retry_outgoing', { messageId: 'msg_1' }],
      ['cancel_outgoing', { messageId: 'msg_1' }],
      ['outbox', undefined],
      ['mail_status', undefined],
      ['fetch_mail_now', undefined],
      ['message_html', { messageId: 'msg_2', remoteImages: true }],
    ]);
  });

  it('call the mail-changed handler without a payload', async () => {
    listen.mockReset().mockImplementation(async (_name: string, cb: (e: { payload: unknown }) => void) => {
      cb({ payload: null });
      return () => {};
    });
    const changed = vi.fn();
    await events.onMailChanged(changed);
    expect(listen.mock.calls[0][0]).toBe('mail-changed');
    expect(changed).toHaveBeenCalledWith();
  });

  it('hand event payloads to the handler', async () => {
    const off = vi.fn();
    listen.mockReset().mockImplementation(async (name: string, cb: (e: { payload: unknown }) => void) => {
      cb({ payload: name === 'open-case' ? 1001 : { alerts: [], notification_error: 'no daemon' } });
      return off;
    });
    const opened = vi.fn();
    const announced = vi.fn();
    const unlisten = await events.onOpenCase(opened);
    await events.onClockAlerts(announced);
    expect(listen.mock.calls.map((c) => c[0])).toEqual(['open-case', 'clock-alerts']);
    expect(opened).toHaveBeenCalledWith(1001);
    expect(announced).toHaveBeenCalledWith({ alerts: [], notification_error: 'no daemon' });
    unlisten();
    expect(off).toHaveBeenCalled();
  });

  it('reject with IpcFailure carrying the core message', async () => {
    invoke.mockRejectedValue({ kind: 'not_found', message: 'No case #9999' });
    await expect(ipc.getCase(9999)).rejects.toMatchObject({ kind: 'not_found', message: 'No case #9999' });
    await expect(ipc.getCase(9999)).rejects.toBeInstanceOf(IpcFailure);
  });

  it('say so plainly when not running inside the app', async () => {
    delete (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__;
    await expect(ipc.appInfo()).rejects.toMatchObject({ kind: 'internal' });
    expect(invoke).not.toHaveBeenCalled();
  });
});
