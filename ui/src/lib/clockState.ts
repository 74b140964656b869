// Where a waiting customer's reply clock stands, said as colour (a CSS class) and as text for
// colour-blind users: "2 h left", "due in 20 min", "overdue 1 h 10 min", "paused — waiting on
// customer". The core sends a ClockState computed at fetch time; between fetches the state moves
// on from its own warn_at / due_at instants, read against the core's clock (see coreNowMs).
import { formatDuration } from './duration';
import type { ClockState, ClockStateKind, Status } from './types';

/** The class suffix and state: the core's four, plus nobody waiting. */
export type ClockView = ClockStateKind | 'not_waiting';

export const CLOCK_LABEL: Record<ClockView, string> = {
  on_track: 'On track',
  due_soon: 'Due soon',
  overdue: 'Overdue',
  paused: 'Paused',
  not_waiting: 'Not waiting',
};

const ms = (iso: string | null): number | null => {
  if (iso === null) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
};

/** The first moment the case is late: the reply target or the hard limit, whichever comes first. */
export function deadlineMs(clock: ClockState): number | null {
  const due = ms(clock.due_at);
  const hard = ms(clock.hard_limit_at);
  if (due === null) return hard;
  if (hard === null) return due;
  return Math.min(due, hard);
}

/** The state at `nowMs`: the core's, moved on past warn_at / due_at; never moved back. */
export function clockView(clock: ClockState | null, nowMs: number): ClockView {
  if (clock === null) return 'not_waiting';
  if (clock.state === 'paused' || clock.state === 'overdue') return clock.state;
  const deadline = deadlineMs(clock);
  if (deadline !== null && nowMs >= deadline) return 'overdue';
  const warn = ms(clock.warn_at);
  if (clock.state === 'on_track' && warn !== null && nowMs >= warn) return 'due_soon';
  return clock.state;
}

function amount(secs: number): string {
  return secs < 60 ? 'under 1 min' : formatDuration(secs);
}

/**
 * The clock as words at `nowMs` (the core's clock; see coreNowMs). `status` says what a paused
 * case waits on.
 */
export function clockText(clock: ClockState | null, nowMs: number, status?: Status): string {
  const view = clockView(clock, nowMs);
  if (clock === null || view === 'not_waiting') return 'not waiting';
  if (view === 'paused') {
    if (status === 'waiting_on_customer') return 'paused — waiting on customer';
    if (status === 'waiting_on_third_party') return 'paused — waiting on third party';
    return 'paused';
  }
  const deadline = deadlineMs(clock);
  if (deadline === null) return view === 'overdue' ? 'overdue' : view === 'due_soon' ? 'due soon' : 'on track';
  const secs = Math.abs(deadline - nowMs) / 1000;
  if (view === 'overdue') {
    if (nowMs < deadline) return 'overdue'; // the core says so (counted time ran out) before due_at
    return secs < 60 ? 'just overdue' : `overdue ${formatDuration(secs)}`;
  }
  if (view === 'due_soon') return `due in ${amount(secs)}`;
  return `${amount(secs)} left`;
}

/**
 * The core's clock now, from what it said at fetch time (waiting_since + waiting_secs) plus the
 * client time passed since (already in `liveWaitingSecs`). A skewed system clock cancels out.
 */
export function coreNowMs(waitingSince: string | null, liveWaitingSecs: number | null, fallbackMs: number): number {
  const since = ms(waitingSince);
  if (since === null || liveWaitingSecs === null) return fallbackMs;
  return since + liveWaitingSecs * 1000;
}
