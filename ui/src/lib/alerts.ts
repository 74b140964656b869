// The in-app alert banner's rules: what it says, and whether what is late now is news compared
// with what the user last dismissed. The banner is the truth even when the OS swallows a desktop
// notification, so it is built from sla_check, not from the notifications.
import type { CaseSummary } from './types';

/** One late case in one state; a case moving from due soon to overdue is news again. */
export function alertKeys(items: CaseSummary[]): string[] {
  return items.map((c) => `${c.number}:${c.clock?.state ?? 'none'}`);
}

/** Whether anything in `items` was not on screen when the banner was dismissed. */
export function hasNews(items: CaseSummary[], dismissed: readonly string[] | null): boolean {
  if (dismissed === null) return items.length > 0;
  const seen = new Set(dismissed);
  return alertKeys(items).some((k) => !seen.has(k));
}

const customers = (n: number) => (n === 1 ? '1 customer' : `${n} customers`);

/** "3 customers waiting past their reply target, 1 more due soon". */
export function bannerTitle(items: CaseSummary[]): string {
  const overdue = items.filter((c) => c.clock?.state === 'overdue').length;
  const dueSoon = items.length - overdue;
  if (overdue > 0 && dueSoon > 0) {
    return `${customers(overdue)} waiting past their reply target, ${dueSoon} more due soon`;
  }
  if (overdue > 0) return `${customers(overdue)} waiting past their reply target`;
  return `${customers(dueSoon)} due for a reply soon`;
}
