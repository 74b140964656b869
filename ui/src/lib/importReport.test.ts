import { describe, expect, it } from 'vitest';
import { importReportText } from './importReport';

describe('importReportText', () => {
  it('says what came in, what was there already and what has warnings', () => {
    expect(importReportText({ stored: 38, duplicates: 2, new_cases: 30, new_contacts: 25, with_warnings: 1, closed_quiet: 0, stopped: false })).toBe(
      'Imported 38 emails; 30 new cases, 25 new contacts; 2 were already here; 1 has a warning on its case.',
    );
  });
  it('says how many long-quiet conversations came in closed', () => {
    expect(importReportText({ stored: 300, duplicates: 0, new_cases: 67, new_contacts: 42, with_warnings: 0, closed_quiet: 41, stopped: false })).toBe(
      'Imported 300 emails; 67 new cases, 42 new contacts; 41 quiet conversations were closed.',
    );
  });
  it('reads naturally for one email and for a second import of the same mail', () => {
    expect(importReportText({ stored: 1, duplicates: 0, new_cases: 1, new_contacts: 1, with_warnings: 0, closed_quiet: 0, stopped: false })).toBe(
      'Imported 1 email; 1 new case, 1 new contact.',
    );
    expect(importReportText({ stored: 0, duplicates: 12, new_cases: 0, new_contacts: 0, with_warnings: 0, closed_quiet: 0, stopped: false })).toBe(
      'Imported 0 emails; 12 were already here.',
    );
    expect(importReportText({ stored: 0, duplicates: 0, new_cases: 0, new_contacts: 0, with_warnings: 0, closed_quiet: 0, stopped: false })).toBe(
      'No emails were found there.',
    );
  });
  it('says a stopped import kept what came in, and how to bring in the rest', () => {
    expect(importReportText({ stored: 4000, duplicates: 0, new_cases: 900, new_contacts: 700, with_warnings: 0, closed_quiet: 0, stopped: true })).toBe(
      'Stopped. Imported 4,000 emails; 900 new cases, 700 new contacts. Import the same mail again to bring in the rest; nothing is added twice.',
    );
  });
});
