import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args) }));

import { IpcFailure, ipc, toIpcFailure } from './ipc';

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
