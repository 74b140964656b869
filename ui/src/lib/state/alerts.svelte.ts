// What is late right now (sla_check), refreshed at start, every minute and whenever the core's
// scheduler announces new thresholds (`clock-alerts`), and whether the user dismissed it.
import { alertKeys, hasNews, lateCount, NOTHING_LATE } from '../alerts';
import { errorMessage, events, ipc, type Unlisten } from '../ipc';
import type { LateCases } from '../types';
import { afterReady } from '../ready';
import { clock } from './clock.svelte';

const REFRESH_MS = 60_000;

class AlertsState {
  /** Replaced whole on every refresh, never changed in place: not deeply reactive (a proxy per
   * case and per clock cost memory when thousands were late). */
  late = $state.raw<LateCases>(NOTHING_LATE);
  /** Client clock (ms) when `late` arrived; waiting times grow from there. */
  fetchedAt = $state(0);
  /** Why the last desktop notification could not be shown, if it could not. */
  notificationError = $state<string | null>(null);
  error = $state<string | null>(null);
  /** What was on screen when the user dismissed the banner; null = not dismissed. */
  dismissed = $state<string[] | null>(null);
  #seq = 0;
  #timer: ReturnType<typeof setInterval> | null = null;
  #unlisten: Unlisten[] = [];

  get visible(): boolean {
    return hasNews(this.late, this.dismissed) || (this.dismissed === null && this.notificationError !== null);
  }

  async refresh(): Promise<void> {
    const seq = ++this.#seq;
    try {
      // The scheduler's first pass can run before this window listens for its event, so the
      // notification status is asked for too, not only taken from `clock-alerts`.
      const [late, notificationError] = await Promise.all([ipc.slaCheck(), ipc.notificationError()]);
      if (seq !== this.#seq) return;
      this.late = late;
      this.notificationError = notificationError;
      this.fetchedAt = clock.touch();
      this.error = null;
      // Once nothing is late any more, the next late case shows the banner again.
      if (lateCount(late) === 0) this.dismissed = null;
    } catch (err) {
      if (seq === this.#seq) this.error = errorMessage(err);
    }
  }

  dismiss(): void {
    this.dismissed = alertKeys(this.late);
  }

  start(): void {
    if (this.#timer !== null) return;
    // After the first screen's data: sla_check reads every open case's clock, as the queue does.
    afterReady(() => void (this.#timer !== null && this.refresh()));
    this.#timer = setInterval(() => void this.refresh(), REFRESH_MS);
    void events
      .onClockAlerts((batch) => {
        if (batch.alerts.length > 0) this.dismissed = null;
        this.notificationError = batch.notification_error;
        void this.refresh();
      })
      .then((off) => {
        if (this.#timer === null) off();
        else this.#unlisten.push(off);
      });
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    for (const off of this.#unlisten) off();
    this.#unlisten = [];
  }
}

export const alerts = new AlertsState();
