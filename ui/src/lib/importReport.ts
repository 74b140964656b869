// The sentence after an import of past mail.
import type { ImportReport } from './types';

const plural = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

export function importReportText(r: ImportReport): string {
  if (r.stored === 0 && r.duplicates === 0) return 'No emails were found there.';
  const parts = [`Imported ${plural(r.stored, 'email', 'emails')}`];
  if (r.stored > 0) {
    parts.push(`${plural(r.new_cases, 'new case', 'new cases')}, ${plural(r.new_contacts, 'new contact', 'new contacts')}`);
  }
  if (r.duplicates > 0) parts.push(`${plural(r.duplicates, 'was', 'were')} already here`);
  if (r.with_warnings > 0) parts.push(`${plural(r.with_warnings, 'has a warning', 'have warnings')} on its case`);
  if (r.closed_quiet > 0) parts.push(`${plural(r.closed_quiet, 'quiet conversation was', 'quiet conversations were')} closed`);
  const said = parts.join('; ') + '.';
  return r.stopped ? `Stopped. ${said} Import the same mail again to bring in the rest; nothing is added twice.` : said;
}
