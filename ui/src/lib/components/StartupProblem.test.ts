import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import StartupProblem from './StartupProblem.svelte';
import { ipc } from '../ipc';

describe('StartupProblem', () => {
  afterEach(() => vi.restoreAllMocks());

  it('shows nothing when the database opened', async () => {
    vi.spyOn(ipc, 'startupProblem').mockResolvedValue(null);
    render(StartupProblem);
    await Promise.resolve();
    expect(screen.queryByTestId('startup-problem')).toBeNull();
  });

  it('offers the newest sound backup and restores it after a confirmation', async () => {
    vi.spyOn(ipc, 'startupProblem').mockResolvedValue({
      message: '/data/shopdesk.sqlite3 is not a Shopdesk database (or it is damaged)',
      db_path: '/data/shopdesk.sqlite3',
      backup: { path: '/data/backups/shopdesk-2026-11-25T100000Z.sqlite3', at: '2026-11-25T10:00:00Z', size: 4096n },
    });
    const restore = vi.spyOn(ipc, 'restoreBackup').mockResolvedValue('/data/shopdesk.sqlite3.before-restore-x');
    const onrestored = vi.fn();
    render(StartupProblem, { onrestored });
    expect((await screen.findByTestId('startup-problem-message')).textContent).toContain('damaged');
    await fireEvent.click(screen.getByTestId('startup-restore'));
    await fireEvent.click(screen.getByTestId('startup-restore-confirm'));
    await vi.waitFor(() => expect(onrestored).toHaveBeenCalled());
    expect(restore).toHaveBeenCalledWith('/data/backups/shopdesk-2026-11-25T100000Z.sqlite3');
    expect(screen.getByTestId('startup-restored').textContent).toContain('before-restore-x');
  });

  it('says so when there is no backup', async () => {
    vi.spyOn(ipc, 'startupProblem').mockResolvedValue({ message: 'damaged', db_path: '/d.sqlite3', backup: null });
    render(StartupProblem);
    expect((await screen.findByTestId('startup-no-backup')).textContent).toContain('no backup');
  });
});
