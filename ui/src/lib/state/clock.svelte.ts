// The client's clock, ticking every 30 s, so waiting times on screen grow without a re-fetch.
// Only differences of this clock are used (see liveWaitingSecs), so a wrong system clock
// does not make waiting times wrong.
const TICK_MS = 30_000;

class Clock {
  now = $state(Date.now());
  #timer: ReturnType<typeof setInterval> | null = null;

  start(): void {
    if (this.#timer !== null) return;
    this.#timer = setInterval(() => (this.now = Date.now()), TICK_MS);
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Bring `now` up to date at once (after a fetch). */
  touch(): number {
    this.now = Date.now();
    return this.now;
  }
}

export const clock = new Clock();
