// A keyboard shortcut for the open case (r, n, l, e, s), handed from the app's key handler to the
// case screen, which carries it out. `seq` counts presses, so the same key twice acts twice.
import type { CaseAction } from '../shortcuts';

class CaseKeys {
  last = $state<{ action: CaseAction; seq: number } | null>(null);

  press(action: CaseAction): void {
    this.last = { action, seq: (this.last?.seq ?? 0) + 1 };
  }
}

export const caseKeys = new CaseKeys();
