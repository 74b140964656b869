// "Remind me" choices offered on a case, as instants computed from the local clock: people think
// of "tomorrow morning", not of UTC.
export interface RemindChoice {
  /** ISO instant, or '' for "no reminder". */
  value: string;
  label: string;
}

function at(base: Date, days: number, hour: number): Date {
  const d = new Date(base);
  d.setDate(d.getDate() + days);
  d.setHours(hour, 0, 0, 0);
  return d;
}

const fmt = (d: Date) =>
  d.toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

/** The choices at `now`, with the current reminder (if any) kept as its own option. Two choices
 *  never share an instant (the select is keyed by it): on a Friday "in 3 days" is next Monday, on a
 *  Sunday so is "tomorrow", and the reminder already set may be one of them. */
export function remindChoices(now: Date, current: string | null): RemindChoice[] {
  const inHour = new Date(now.getTime() + 3600_000);
  inHour.setSeconds(0, 0);
  const daysToMonday = ((8 - now.getDay()) % 7) || 7;
  const choices: RemindChoice[] = [{ value: '', label: 'No reminder' }];
  const taken = new Map<number, RemindChoice>();
  if (current) {
    const d = new Date(current);
    const set = { value: current, label: `${d.getTime() <= now.getTime() ? 'Due' : 'Set'}: ${fmt(d)}` };
    choices.push(set);
    taken.set(d.getTime(), set);
  }
  const presets: [Date, string, string][] = [
    [inHour, 'In 1 hour', ''],
    [at(now, 1, 9), 'Tomorrow 9:00', ''],
    [at(now, 3, 9), 'In 3 days, 9:00', ''],
    [at(now, daysToMonday, 9), 'Next Monday 9:00', 'Monday'],
  ];
  for (const [d, label, short] of presets) {
    const same = taken.get(d.getTime());
    if (same) {
      // The reminder already set keeps its own label; an earlier preset says it is this day too.
      if (same.value !== current && short) same.label += ` (${short})`;
      continue;
    }
    const choice = { value: d.toISOString(), label };
    choices.push(choice);
    taken.set(d.getTime(), choice);
  }
  return choices;
}
