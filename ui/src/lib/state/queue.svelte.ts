// The queue screen's data: the open cases for the current filter, a page at a time (only the
// pages the list shows are fetched), the counts for the rail, and which row the keyboard has
// selected. A refresh fetches the pages in view again, so the list keeps its place.
import { ipc, errorMessage } from '../ipc';
import { QUEUE_PAGE, pagesFor } from '../queueWindow';
import type { Alert, AppInfo, CaseSummary, Queue, QueueFilter } from '../types';
import { clock } from './clock.svelte';

/** A queue fetched less than this long ago is not fetched again when the window gets the focus. */
export const FRESH_MS = 2_000;

class QueueState {
  filter = $state<QueueFilter>({ status: null, channel: null, category: null, tag: null, since: null, until: null });
  /** The latest answer: counts (`matching` is the list's length) and the first page. */
  data = $state<Queue | null>(null);
  /** Fetched rows by page number (QUEUE_PAGE rows each). */
  pages = $state<Record<number, CaseSummary[]>>({});
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
  /** Pages asked for and not yet answered (for the current `#seq`). */
  #inFlight = new Set<number>();
  /** Rows the list shows now, [start, end): a refresh fetches their pages again. */
  #range = { start: 0, end: 0 };

  /** How many rows the list has: the open cases matching the filter. */
  get count(): number {
    return this.data?.matching ?? 0;
  }

  /** The case at a position, when its page has arrived. */
  itemAt(index: number): CaseSummary | undefined {
    return this.pages[Math.floor(index / QUEUE_PAGE)]?.[index % QUEUE_PAGE];
  }

  get filtered(): boolean {
    return this.filter.status !== null || this.filter.channel !== null || this.filter.category !== null;
  }

  async load(): Promise<void> {
    const seq = ++this.#seq;
    this.loading = true;
    const filter = $state.snapshot(this.filter);
    const wanted = [...new Set([0, ...pagesFor(this.#range.start, this.#range.end)])];
    try {
      const reminders = (async () => {
        try {
          return await ipc.reminders();
        } catch {
          return [] as Alert[];
        }
      })();
      const answers = await Promise.all(wanted.map((p) => ipc.queue(filter, { offset: p * QUEUE_PAGE, limit: QUEUE_PAGE })));
      const due = await reminders;
      const data = answers[0];
      // An empty queue means either a brand-new shop or an answered one; ask which before showing.
      if (data.matching === 0 && !this.filtered) await this.loadAppInfo();
      if (seq !== this.#seq) return;
      const pages: Record<number, CaseSummary[]> = {};
      wanted.forEach((p, i) => (pages[p] = answers[i].items));
      // The list may have moved while this refresh was on its way (back on the queue, it scrolls to
      // the selected row): pages in view now that it did not ask for keep their rows until they are
      // fetched again, instead of the rows in view turning into placeholders for a moment.
      const inView = pagesFor(this.#range.start, Math.min(this.#range.end, data.matching));
      const again = inView.filter((p) => !(p in pages) && p in this.pages);
      for (const p of again) pages[p] = this.pages[p];
      this.#inFlight = new Set();
      this.pages = pages;
      this.data = data;
      this.reminders = due;
      this.fetchedAt = clock.touch();
      this.error = null;
      if (this.selected >= data.matching) this.selected = Math.max(0, data.matching - 1);
      // The list may have grown into rows in view that no page holds yet.
      void this.ensure(this.#range.start, this.#range.end, again);
    } catch (err) {
      if (seq === this.#seq) this.error = errorMessage(err);
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  /** The list shows rows [start, end): remember it for refreshes and fetch what is missing. */
  showRange(start: number, end: number): void {
    this.#range = { start, end };
    void this.ensure(start, end);
  }

  /** Fetches the pages holding rows [start, end) that have not arrived or been asked for, and
   *  the pages in `again` (rows shown from before a refresh) anew. */
  async ensure(start: number, end: number, again: number[] = []): Promise<void> {
    if (this.data === null) return; // the first load fetches what is in view
    const seq = this.#seq;
    const filter = $state.snapshot(this.filter);
    const missing = pagesFor(start, Math.min(end, this.count)).filter(
      (p) => (!(p in this.pages) || again.includes(p)) && !this.#inFlight.has(p),
    );
    for (const p of missing) this.#inFlight.add(p);
    await Promise.all(
      missing.map(async (p) => {
        try {
          const answer = await ipc.queue(filter, { offset: p * QUEUE_PAGE, limit: QUEUE_PAGE });
          if (seq === this.#seq) this.pages = { ...this.pages, [p]: answer.items };
        } catch (err) {
          if (seq === this.#seq) this.error = errorMessage(err);
        } finally {
          if (seq === this.#seq) this.#inFlight.delete(p);
        }
      }),
    );
  }

  /** The selected case, fetching its page first when needed (Enter on a row not yet arrived). */
  async selectedItem(): Promise<CaseSummary | undefined> {
    const index = this.selected;
    if (!this.itemAt(index)) await this.ensure(index, index + 1);
    return this.itemAt(index);
  }

  /**
   * The window has the focus again: fetch again, unless a fetch is on its way or one came in
   * less than [`FRESH_MS`] ago. (Shown at start, the window takes the focus while the first
   * queue is on its way, and a second fetch would make the first one's answer wait for its own.)
   */
  refresh(now = Date.now()): void {
    if (this.loading || now - this.fetchedAt < FRESH_MS) return;
    void this.load();
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
    const n = this.count;
    if (n === 0) return;
    this.selected = Math.min(n - 1, Math.max(0, this.selected + delta));
    void this.ensure(this.selected, this.selected + 1);
  }
}

export const queue = new QueueState();
