// The core's SlaSettings::default() (core/src/sla.rs), for unit tests and the dev-only mock:
// one copy, so a new setting is added in one place.
import type { SlaSettings } from '../lib/types';

export function defaultSla(): SlaSettings {
  return {
    first_reply_mins: { email: 120, phone: 120, voicemail: 120, chat: 15, social: 240, letter: 2880, in_person: 1440 },
    later_reply_mins: { email: 240, phone: 240, voicemail: 120, chat: 15, social: 240, letter: 2880, in_person: 1440 },
    hard_limit_mins: { email: 1440 },
    warn_percent: 75,
    keep_posted_days: 2,
    follow_up_days: 3,
    auto_solve_days: null,
    time_zone: 'UTC',
    business_hours: null,
  };
}
