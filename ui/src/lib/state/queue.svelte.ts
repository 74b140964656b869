// The queue screen's data: the open cases for the current filter, the counts for the rail, and
// which row the keyboard has selected.
import { ipc, errorMessage } from '../ipc';
import type { Alert, AppInfo, Queue, QueueFilter } from '../types';
import { clock } from './clock.svelte';

class QueueState {
  filter = $state<QueueFilter>({ status: null, channel: null, category: null, tag: null, since: null, until: null });
  data = $state<Queue | null>(null);
  /** Customers to get back to (they are not waiting for an answer, so not late in the queue). */
  reminders = $state<Alert[]>([]);
  /** Client clock (ms) when `data` arrived; waiting times grow from there. */
  fetchedAt = $state(0);
  loading = $state(false);
  error = $state<string | null>(null);
  selected = $state(0);
  appInfo = $state<AppInfo | null>(null);
  demoLoading = $state(false);
  demoError = $state<string | null>(null);
  #seq = 0;

  get filtered(): boolean {
    return this.filter.status !== null || this.filter.channel !== null || this.filter.category !== null;
  }

  async load(): Promise<void> {
    const seq = ++this.#seq;
    this.loading = true;
    try {
      const [data, reminders] = await Promise.all([
        ipc.queue($state.snapshot(this.filter)),
        ipc.reminders().catch(() => [] as Alert[]),
      ]);
      // An empty queue means either a brand-new shop or an answered one; ask which before showing.
      if (data.items.length === 0 && !this.filtered) await this.loadAppInfo();
      if (seq !== this.#seq) return;
      this.data = data;
      this.reminders = reminders;
      this.fetchedAt = clock.touch();
      this.error = null;
      if (this.selected >= data.items.length) this.selected = Math.max(0, data.items.length - 1);
    } catch (err) {
      if (seq === this.#seq) this.error = errorMessage(err);
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  async loadAppInfo(): Promise<void> {
    try {
      this.appInfo = await ipc.appInfo();
    } catch {
      this.appInfo = null; // the empty state then offers the sample data anyway
    }
  }

  setFilter(patch: Partial<QueueFilter>): void {
    this.filter = { ...this.filter, ...patch };
    this.selected = 0;
    void this.load();
  }

  clearFilter(): void {
    this.setFilter({ status: null, channel: null, category: null, tag: null, since: null, until: null });
  }

  async loadDemo(): Promise<boolean> {
    this.demoLoading = true;
    this.demoError = null;
    try {
      await ipc.loadDemo();
      this.appInfo = null;
      await this.load();
      return true;
    } catch (err) {
      this.demoError = errorMessage(err);
      return false;
    } finally {
      this.demoLoading = false;
    }
  }

  move(delta: number): void {
    const n = this.data?.items.length ?? 0;
    if (n === 0) return;
    this.selected = Math.min(n - 1, Math.max(0, this.selected + delta));
  }
}

export const queue = new QueueState();
