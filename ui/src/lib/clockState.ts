// The state of a case's waiting clock, shown as colour and as text (for colour-blind users).
// Today there are two states; the SLA issue adds 'due_soon' and 'overdue' here, computed from
// the shop's response targets, and the CSS classes `clock-due_soon` / `clock-overdue` are ready.

export type ClockState = 'waiting' | 'not_waiting';

export function clockState(waitingSecs: number | null): ClockState {
  return waitingSecs === null ? 'not_waiting' : 'waiting';
}

export const CLOCK_LABEL: Record<ClockState, string> = {
  waiting: 'Waiting',
  not_waiting: 'Not waiting',
};
