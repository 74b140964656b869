// How long someone has waited, said the way a person says it: "just now", "45 min",
// "2 h 14 min", "3 d 4 h". Whole units only; a shop owner wants the size, not the seconds.

const MIN = 60;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export function formatDuration(totalSecs: number): string {
  const secs = Math.max(0, Math.floor(totalSecs));
  if (secs < MIN) return 'just now';
  if (secs < HOUR) return `${Math.floor(secs / MIN)} min`;
  if (secs < DAY) {
    const h = Math.floor(secs / HOUR);
    const m = Math.floor((secs % HOUR) / MIN);
    return m === 0 ? `${h} h` : `${h} h ${m} min`;
  }
  const d = Math.floor(secs / DAY);
  const h = Math.floor((secs % DAY) / HOUR);
  return h === 0 ? `${d} d` : `${d} d ${h} h`;
}

/**
 * The waiting time now, from what the core computed at fetch time plus the time that has passed
 * on the client clock since. Client/server clock skew cancels out: only client deltas are used.
 */
export function liveWaitingSecs(
  secsAtFetch: number | null,
  fetchedAtClientMs: number,
  nowClientMs: number,
): number | null {
  if (secsAtFetch === null) return null;
  return secsAtFetch + Math.max(0, (nowClientMs - fetchedAtClientMs) / 1000);
}
