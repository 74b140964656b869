import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../lib/ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/ipc')>();
  const { blankMailAccount } = await import('../mock/mailDefaults');
  return {
    ...real,
    ipc: {
      getSlaSettings: vi.fn(),
      setSlaSettings: vi.fn(),
      appInfo: vi.fn(),
      slaCheck: vi.fn().mockResolvedValue([]),
      notificationError: vi.fn().mockResolvedValue(null),
      getAppPrefs: vi.fn(),
      getStartAtLogin: vi.fn().mockResolvedValue(false),
      setStartAtLogin: vi.fn().mockImplementation(async (on: boolean) => on),
      setAppPrefs: vi.fn(),
      queue: vi.fn().mockRejectedValue(new Error('not in this test')),
      backups: vi.fn().mockResolvedValue({ folder: '/home/shop/.local/share/shopdesk/backups', files: [] }),
      // Saved replies and satisfaction checks
      savedReplies: vi.fn().mockResolvedValue([]),
      placeholders: vi.fn().mockResolvedValue([]),
      getSurveySettings: vi.fn().mockResolvedValue({ enabled: false, days_after_solved: 3, period_days: 90, text: 'How did we do?', enabled_since: null, order_text: 'How was the order?' }),
      surveyAnswers: vi.fn().mockResolvedValue([]),
      getMailAccount: vi.fn().mockResolvedValue({
        account: blankMailAccount(),
        can_send: false,
        can_fetch: false,
        has_password: false,
        keychain_error: null,
      }),
      mailStatus: vi.fn().mockResolvedValue({
        waiting: 0,
        retrying: 0,
        held: 0,
        last_fetch_at: null,
        last_fetch_error: null,
        last_send_error: null,
      }),
    },
  };
});

import { IpcFailure, ipc } from '../lib/ipc';
import type { SlaSettings } from '../lib/types';
import SettingsScreen from './SettingsScreen.svelte';
import { defaultSla } from '../mock/slaDefaults';

const mocked = ipc as unknown as Record<string, ReturnType<typeof vi.fn>>;
const defaults: SlaSettings = defaultSla();

describe('SettingsScreen', () => {
  beforeEach(() => {
    mocked.getSlaSettings.mockReset().mockResolvedValue(structuredClone(defaults));
    mocked.setSlaSettings.mockReset().mockImplementation(async (s: SlaSettings) => s);
    mocked.getAppPrefs.mockReset().mockResolvedValue({ keep_running_in_tray: false });
    mocked.setAppPrefs.mockReset().mockImplementation(async (p: unknown) => p);
    mocked.appInfo.mockReset().mockResolvedValue({ db_path: '/home/ana/.local/share/shopdesk/shopdesk.sqlite3', version: '0.1.0', is_empty: false });
  });

  it('has the saved replies and satisfaction checks sections', async () => {
    render(SettingsScreen);
    expect(await screen.findByTestId('saved-replies-section')).toBeTruthy();
    expect(await screen.findByTestId('survey-section')).toBeTruthy();
  });

  it('shows the current targets and where the data lives', async () => {
    render(SettingsScreen);
    expect(((await screen.findByTestId('settings-first-chat')) as HTMLInputElement).value).toBe('15');
    expect((screen.getByTestId('settings-later-email') as HTMLInputElement).value).toBe('240');
    expect((screen.getByTestId('settings-warn-percent') as HTMLInputElement).value).toBe('75');
    expect(screen.getByTestId('settings-db-path').textContent).toBe('/home/ana/.local/share/shopdesk/shopdesk.sqlite3');
  });

  it('has the mail account with its own save button beside the reply targets', async () => {
    render(SettingsScreen);
    expect(((await screen.findByTestId('mail-smtp-port')) as HTMLInputElement).value).toBe('587');
    expect((screen.getByTestId('mail-test-send') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('mail-status').textContent).toBe('Nothing waiting to be sent.');
    expect(screen.getByTestId('mail-save').closest('form')).not.toBe(screen.getByTestId('settings-save').closest('form'));
  });

  it('turns the tray and start-at-login options on at once, without the save button', async () => {
    render(SettingsScreen);
    const box = (await screen.findByTestId('settings-keep-in-tray')) as HTMLInputElement;
    expect(box.checked).toBe(false);
    await fireEvent.click(box);
    expect(mocked.setAppPrefs).toHaveBeenCalledWith({ keep_running_in_tray: true });
    await fireEvent.click(screen.getByTestId('settings-start-at-login'));
    expect(mocked.setStartAtLogin).toHaveBeenCalledWith(true);
    expect(mocked.setSlaSettings).not.toHaveBeenCalled();
  });

  it('saves business hours and a holiday, then says so', async () => {
    render(SettingsScreen);
    await fireEvent.input(await screen.findByTestId('settings-first-chat'), { target: { value: '30' } });
    await fireEvent.click(screen.getByTestId('settings-business-hours'));
    await fireEvent.click(screen.getByTestId('settings-day-4-open')); // Friday closed
    await fireEvent.input(screen.getByTestId('settings-day-0-start'), { target: { value: '08:30' } });
    await fireEvent.click(screen.getByTestId('settings-holiday-add'));
    await fireEvent.input(screen.getByTestId('settings-holiday'), { target: { value: '2026-12-25' } });
    await fireEvent.click(screen.getByTestId('settings-save'));
    await screen.findByTestId('settings-saved');
    const sent = mocked.setSlaSettings.mock.calls[0][0] as SlaSettings;
    expect(sent.first_reply_mins.chat).toBe(30);
    expect(sent.hard_limit_mins).toEqual({ email: 1440 });
    expect(sent.business_hours).toEqual({
      week: [
        [{ start: '08:30', end: '17:00' }],
        [{ start: '09:00', end: '17:00' }],
        [{ start: '09:00', end: '17:00' }],
        [{ start: '09:00', end: '17:00' }],
        [],
        [],
        [],
      ],
      holidays: ['2026-12-25'],
    });
  });

  it('shows the core’s refusal and keeps what was typed', async () => {
    mocked.setSlaSettings.mockRejectedValue(
      new IpcFailure('invalid_input', '"Mars/Olympus" is not a time zone; use a name like Europe/Lisbon'),
    );
    render(SettingsScreen);
    const zone = (await screen.findByTestId('settings-time-zone')) as HTMLInputElement;
    await fireEvent.input(zone, { target: { value: 'Mars/Olympus' } });
    await fireEvent.click(screen.getByTestId('settings-save'));
    const error = await screen.findByTestId('form-error');
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toBe('"Mars/Olympus" is not a time zone; use a name like Europe/Lisbon');
    expect(zone.value).toBe('Mars/Olympus');
    expect(screen.queryByTestId('settings-saved')).toBeNull();
  });

  it('says what is missing before asking the core', async () => {
    render(SettingsScreen);
    await fireEvent.input(await screen.findByTestId('settings-later-phone'), { target: { value: '' } });
    await fireEvent.click(screen.getByTestId('settings-save'));
    expect((await screen.findByTestId('form-error')).textContent).toBe(
      'The later reply target for Phone must be a whole number of minutes, at least 1.',
    );
    expect(mocked.setSlaSettings).not.toHaveBeenCalled();
  });
});
