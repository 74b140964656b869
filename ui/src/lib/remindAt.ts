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

/** The choices at `now`, with the current reminder (if any) kept as its own option. */
export function remindChoices(now: Date, current: string | null): RemindChoice[] {
  const inHour = new Date(now.getTime() + 3600_000);
  inHour.setSeconds(0, 0);
  const daysToMonday = ((8 - now.getDay()) % 7) || 7;
  const choices: RemindChoice[] = [
    { value: '', label: 'No reminder' },
    { value: inHour.toISOString(), label: 'In 1 hour' },
    { value: at(now, 1, 9).toISOString(), label: 'Tomorrow 9:00' },
    { value: at(now, 3, 9).toISOString(), label: 'In 3 days, 9:00' },
    { value: at(now, daysToMonday, 9).toISOString(), label: 'Next Monday 9:00' },
  ];
  if (current) {
    const d = new Date(current);
    choices.splice(1, 0, { value: current, label: `${d.getTime() <= now.getTime() ? 'Due' : 'Set'}: ${fmt(d)}` });
  }
  return choices;
}
