// The in-app alert banner's rules: what it says, and whether what is late now is news compared
// with what the user last dismissed. The banner is the truth even when the OS swallows a desktop
// notification, so it is built from sla_check, not from the notifications.
import type { CaseSummary, LateCases } from './types';

/** Nothing late. */
export const NOTHING_LATE: LateCases = { first: [], overdue: [], due_soon: [] };

/** How many cases are late (overdue or due soon). */
export function lateCount(late: LateCases): number {
  return late.overdue.length + late.due_soon.length;
}

/** `items` (in sla_check's order) as the shell sends them: the first `inFull` in full. */
export function lateCases(items: CaseSummary[], inFull = 50): LateCases {
  const overdue = items.filter((c) => c.clock?.state === 'overdue').map((c) => c.number);
  const due_soon = items.filter((c) => c.clock?.state !== 'overdue').map((c) => c.number);
  return { first: items.slice(0, inFull), overdue, due_soon };
}

/** One late case in one state; a case moving from due soon to overdue is news again. */
export function alertKeys(late: LateCases): string[] {
  return [...late.overdue.map((n) => `${n}:overdue`), ...late.due_soon.map((n) => `${n}:due_soon`)];
}

/** Whether anything late now was not on screen when the banner was dismissed. */
export function hasNews(late: LateCases, dismissed: readonly string[] | null): boolean {
  if (dismissed === null) return lateCount(late) > 0;
  const seen = new Set(dismissed);
  return alertKeys(late).some((k) => !seen.has(k));
}

const customers = (n: number) => (n === 1 ? '1 customer' : `${n} customers`);

/** "3 customers waiting past their reply target, 1 more due soon". */
export function bannerTitle(late: LateCases): string {
  const overdue = late.overdue.length;
  const dueSoon = late.due_soon.length;
  if (overdue > 0 && dueSoon > 0) {
    return `${customers(overdue)} waiting past their reply target, ${dueSoon} more due soon`;
  }
  if (overdue > 0) return `${customers(overdue)} waiting past their reply target`;
  return `${customers(dueSoon)} due for a reply soon`;
}
