import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../ipc')>();
  return {
    ...real,
    ipc: { backups: vi.fn(), backUpNow: vi.fn(), restoreBackup: vi.fn() },
  };
});

import { IpcFailure, ipc } from '../ipc';
import { formatDateTime } from '../datetime';
import type { Backups } from '../types';
import BackupsSection from './BackupsSection.svelte';

const mocked = ipc as unknown as Record<string, ReturnType<typeof vi.fn>>;

const FOLDER = '/home/shop/.local/share/shopdesk/backups';
const file = (at: string, size: bigint) => ({
  path: `${FOLDER}/shopdesk-${at.slice(0, 11)}${at.slice(11, 19).replace(/:/g, '')}Z.sqlite3`,
  at,
  size,
});
const twoDays = (): Backups => ({
  folder: FOLDER,
  files: [file('2026-11-25T03:00:00Z', 2_400_000n), file('2026-11-24T03:00:00Z', 2_300_000n)],
});

describe('BackupsSection', () => {
  beforeEach(() => {
    sessionStorage.clear();
    mocked.backups.mockReset();
    mocked.backUpNow.mockReset();
    mocked.restoreBackup.mockReset();
  });
  afterEach(() => sessionStorage.clear());

  it('lists the backups newest first with their time and size, and says where they are', async () => {
    mocked.backups.mockResolvedValue(twoDays());
    render(BackupsSection, { onrestored: vi.fn() });
    await vi.waitFor(() => expect(screen.getAllByTestId('backup-row')).toHaveLength(2));
    const rows = screen.getAllByTestId('backup-row');
    expect(rows[0].textContent).toContain(formatDateTime('2026-11-25T03:00:00Z'));
    expect(rows[0].textContent).toContain('2.4 MB');
    expect(rows[1].textContent).toContain('2.3 MB');
    expect(screen.getByTestId('backup-folder').textContent).toBe(FOLDER);
    expect(screen.getByText(/every day and keeps the last 14/)).toBeTruthy();
    expect(screen.getByTestId('backup-last').textContent).toContain(formatDateTime('2026-11-25T03:00:00Z'));
  });

  it('says when there is no backup yet', async () => {
    mocked.backups.mockResolvedValue({ folder: FOLDER, files: [] });
    render(BackupsSection, { onrestored: vi.fn() });
    await vi.waitFor(() => expect(screen.getByTestId('backup-last').textContent).toContain('No backup yet.'));
    expect(screen.queryByTestId('backup-row')).toBeNull();
  });

  it('backs up now and shows the new backup on top', async () => {
    mocked.backups.mockResolvedValue(twoDays());
    const after = twoDays();
    after.files.unshift(file('2026-11-25T14:30:00Z', 2_500_000n));
    let finish: (v: Backups) => void = () => {};
    mocked.backUpNow.mockImplementation(() => new Promise((resolve) => (finish = resolve)));
    render(BackupsSection, { onrestored: vi.fn() });
    await vi.waitFor(() => expect(screen.getAllByTestId('backup-row')).toHaveLength(2));
    await fireEvent.click(screen.getByTestId('backup-now'));
    expect((screen.getByTestId('backup-now') as HTMLButtonElement).disabled).toBe(true);
    finish(after);
    await vi.waitFor(() =>
      expect(screen.getByTestId('backup-now-result').textContent).toBe(
        `Backed up: ${formatDateTime('2026-11-25T14:30:00Z')}, 2.5 MB.`,
      ),
    );
    expect(screen.getAllByTestId('backup-row')).toHaveLength(3);
    expect(screen.getByTestId('backup-last').textContent).toContain(formatDateTime('2026-11-25T14:30:00Z'));
    expect((screen.getByTestId('backup-now') as HTMLButtonElement).disabled).toBe(false);
  });

  it('asks before restoring, can be cancelled, then restores and says where the old data is', async () => {
    mocked.backups.mockResolvedValue(twoDays());
    mocked.restoreBackup.mockResolvedValue('/home/shop/.local/share/shopdesk/shopdesk.before-restore-20261125T150000Z.sqlite3');
    const onrestored = vi.fn();
    render(BackupsSection, { onrestored });
    await vi.waitFor(() => expect(screen.getAllByTestId('backup-restore')).toHaveLength(2));

    await fireEvent.click(screen.getAllByTestId('backup-restore')[1]);
    const confirm = screen.getByTestId('backup-restore-confirm');
    expect(confirm.textContent?.replace(/\s+/g, ' ')).toContain(
      `Replace everything in Shopdesk with the backup from ${formatDateTime('2026-11-24T03:00:00Z')}? What you did since then is kept aside in a copy, not lost.`,
    );
    expect(mocked.restoreBackup).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId('backup-restore-cancel'));
    expect(screen.queryByTestId('backup-restore-confirm')).toBeNull();
    expect(mocked.restoreBackup).not.toHaveBeenCalled();

    await fireEvent.click(screen.getAllByTestId('backup-restore')[1]);
    await fireEvent.click(screen.getByTestId('backup-restore-yes'));
    await vi.waitFor(() => expect(screen.getByTestId('backup-result')).toBeTruthy());
    expect(mocked.restoreBackup).toHaveBeenCalledWith(`${FOLDER}/shopdesk-2026-11-24T030000Z.sqlite3`);
    const result = screen.getByTestId('backup-result').textContent?.replace(/\s+/g, ' ') ?? '';
    expect(result).toContain(`Restored the backup from ${formatDateTime('2026-11-24T03:00:00Z')}.`);
    expect(result).toContain('shopdesk.before-restore-20261125T150000Z.sqlite3');
    expect(screen.queryByTestId('backup-restore-confirm')).toBeNull();
    expect(onrestored).toHaveBeenCalledOnce();
  });

  it('keeps the sentence about the restore across the reload that follows it', async () => {
    mocked.backups.mockResolvedValue(twoDays());
    mocked.restoreBackup.mockResolvedValue('/data/shopdesk.before-restore.sqlite3');
    const first = render(BackupsSection, { onrestored: vi.fn() });
    await vi.waitFor(() => expect(screen.getAllByTestId('backup-restore')).toHaveLength(2));
    await fireEvent.click(screen.getAllByTestId('backup-restore')[0]);
    await fireEvent.click(screen.getByTestId('backup-restore-yes'));
    await vi.waitFor(() => expect(screen.getByTestId('backup-result')).toBeTruthy());
    first.unmount();

    render(BackupsSection, { onrestored: vi.fn() });
    await vi.waitFor(() => expect(screen.getByTestId('backup-result').textContent).toContain('/data/shopdesk.before-restore.sqlite3'));
    expect(screen.getByTestId('backup-result').textContent).not.toContain('reloads');
    expect(sessionStorage.length).toBe(0);
  });

  it('a refused restore keeps the list and says why', async () => {
    mocked.backups.mockResolvedValue(twoDays());
    mocked.restoreBackup.mockRejectedValue(
      new IpcFailure('invalid_input', 'shopdesk-2026-11-24T030000Z.sqlite3 is not a Shopdesk backup: the file is damaged.'),
    );
    const onrestored = vi.fn();
    render(BackupsSection, { onrestored });
    await vi.waitFor(() => expect(screen.getAllByTestId('backup-restore')).toHaveLength(2));
    await fireEvent.click(screen.getAllByTestId('backup-restore')[1]);
    await fireEvent.click(screen.getByTestId('backup-restore-yes'));
    await vi.waitFor(() => expect(screen.getByTestId('form-error').textContent).toContain('is not a Shopdesk backup'));
    expect(screen.getAllByTestId('backup-row')).toHaveLength(2);
    expect(screen.queryByTestId('backup-result')).toBeNull();
    expect(onrestored).not.toHaveBeenCalled();
    expect((screen.getAllByTestId('backup-restore')[0] as HTMLButtonElement).disabled).toBe(false);
    expect(mocked.backups).toHaveBeenCalledOnce();
  });

  it('shows why the backups could not be read', async () => {
    mocked.backups.mockRejectedValue(new IpcFailure('storage', 'Could not read the backups folder: Permission denied'));
    render(BackupsSection, { onrestored: vi.fn() });
    await vi.waitFor(() => expect(screen.getByTestId('form-error').textContent).toContain('Permission denied'));
  });
});
