// The open case: its view from the core, saving field changes at once and logging messages.
// After every write the view is fetched again, so the timeline shows the core's own events.
import { ipc, errorMessage, toIpcFailure } from '../ipc';
import type { Case, CasePatch, CaseView, NewCase, NewMessage } from '../types';
import { alerts } from './alerts.svelte';
import { clock } from './clock.svelte';
import { queue } from './queue.svelte';

class CaseState {
  number = $state<number | null>(null);
  view = $state<CaseView | null>(null);
  fetchedAt = $state(0);
  loading = $state(false);
  loadError = $state<string | null>(null);
  /** The error of the last field save, shown beside the case's fields. */
  fieldError = $state<string | null>(null);
  saving = $state(false);
  #seq = 0;

  async open(number: number): Promise<void> {
    if (this.number !== number) {
      this.view = null;
      this.fieldError = null;
    }
    this.number = number;
    await this.reload();
  }

  async reload(): Promise<void> {
    const number = this.number;
    if (number === null) return;
    const seq = ++this.#seq;
    this.loading = true;
    try {
      const view = await ipc.getCase(number);
      if (seq !== this.#seq) return;
      this.view = view;
      this.fetchedAt = clock.touch();
      this.loadError = null;
    } catch (err) {
      if (seq === this.#seq) this.loadError = errorMessage(err);
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  /** Saves one change; false (and `fieldError` set) when the core refused it. */
  async patch(patch: CasePatch): Promise<boolean> {
    const number = this.number;
    if (number === null) return false;
    this.saving = true;
    try {
      await ipc.updateCase(number, patch);
      this.fieldError = null;
      void queue.load(); // the rail's waiting count may have changed
      void alerts.refresh(); // a new reply target or status moves the clock
      await this.reload();
      return true;
    } catch (err) {
      this.fieldError = errorMessage(err);
      return false;
    } finally {
      this.saving = false;
    }
  }

  /** "Remind me" at an ISO instant (null clears it); errors show like a field's. */
  async remind(at: string | null): Promise<void> {
    const number = this.number;
    if (number === null) return;
    try {
      await ipc.setReminder(number, at);
      this.fieldError = null;
      void queue.load();
      await this.reload();
    } catch (err) {
      this.fieldError = errorMessage(err);
    }
  }

  /** Opens a new case; throws IpcFailure so the form can show it and keep what was typed. */
  async create(input: NewCase): Promise<Case> {
    const created = await ipc.openCase(input);
    void queue.load(); // the rail's waiting count
    return created;
  }

  /** Logs a message; throws IpcFailure so the composer can show it and keep the draft. */
  async log(input: NewMessage): Promise<void> {
    const number = this.number;
    if (number === null) return;
    try {
      await ipc.logMessage(number, input);
    } catch (err) {
      throw toIpcFailure(err);
    }
    void queue.load();
    void alerts.refresh(); // an answered customer leaves the banner
    await this.reload();
  }
}

export const openCase = new CaseState();
