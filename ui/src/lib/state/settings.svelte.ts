// The shop's reply targets and calendar as the core has them, and where its database lives.
import { errorMessage, ipc } from '../ipc';
import type { AppInfo, AppPrefs, SlaSettings } from '../types';
import { alerts } from './alerts.svelte';
import { queue } from './queue.svelte';

class SettingsState {
  sla = $state<SlaSettings | null>(null);
  appInfo = $state<AppInfo | null>(null);
  prefs = $state<AppPrefs | null>(null);
  /** null: the OS's login items could not be read. */
  startAtLogin = $state<boolean | null>(null);
  loadError = $state<string | null>(null);

  async load(): Promise<void> {
    try {
      const [sla, info, prefs] = await Promise.all([
        ipc.getSlaSettings(),
        ipc.appInfo().catch(() => null),
        ipc.getAppPrefs().catch(() => null),
      ]);
      this.startAtLogin = await ipc.getStartAtLogin().catch(() => null);
      this.sla = sla;
      this.appInfo = info;
      this.prefs = prefs;
      this.loadError = null;
    } catch (err) {
      this.loadError = errorMessage(err);
    }
  }

  /** Saves; throws IpcFailure (the core's message) so the form can show it and keep the input. */
  async save(settings: SlaSettings): Promise<SlaSettings> {
    const saved = await ipc.setSlaSettings(settings);
    this.sla = saved;
    // Every waiting customer's clock may have moved.
    void alerts.refresh();
    void queue.load();
    return saved;
  }
}

/** Saves the app's own behaviour (the tray) at once; throws IpcFailure on refusal. */
export async function saveAppPrefs(prefs: AppPrefs): Promise<void> {
  settings.prefs = await ipc.setAppPrefs(prefs);
}

/** Adds or removes Shopdesk from the OS's login items; throws IpcFailure on refusal. */
export async function saveStartAtLogin(enabled: boolean): Promise<void> {
  settings.startAtLogin = await ipc.setStartAtLogin(enabled);
}

export const settings = new SettingsState();
