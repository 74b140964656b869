//! Reply targets: how long a waiting customer may wait, per channel, and where each clock
//! stands at `now` (on track, due soon, overdue, or paused while the case waits on the customer
//! or a third party).
//!
//! Time counts only inside the shop's business hours (when set) in the shop's time zone,
//! skipping holidays, and never while the case was paused. Hard limits ("24 h at most") are
//! wall-clock: they are what the customer feels.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::model::{Channel, Status};

/// The shop's reply promises and calendar (stored as settings; defaults from shop practice).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct SlaSettings {
    /// Minutes to the first reply, per channel.
    pub first_reply_mins: BTreeMap<Channel, u32>,
    /// Minutes to answer when the customer writes again after a reply.
    pub later_reply_mins: BTreeMap<Channel, u32>,
    /// Wall-clock minutes the first reply may never exceed (email: 24 h).
    pub hard_limit_mins: BTreeMap<Channel, u32>,
    /// "Due soon" from this share of the target on (percent).
    pub warn_percent: u8,
    /// Remind the owner to send a status note when a case waits on a third party and the
    /// customer has heard nothing from the shop for this many days.
    pub keep_posted_days: u32,
    /// Remind the owner to follow up when a case waits on the customer and they have not
    /// answered for this many days.
    pub follow_up_days: u32,
    /// Solve a case waiting on the customer by itself after this many days without their
    /// answer (`None`: never).
    pub auto_solve_days: Option<u32>,
    /// The shop's IANA time zone ("Europe/Lisbon"); business hours are read in it.
    pub time_zone: String,
    /// `None`: the clock runs around the clock.
    pub business_hours: Option<BusinessHours>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BusinessHours {
    /// Monday first: seven lists of opening spans ("09:00"–"17:30"); an empty list is a closed day.
    pub week: Vec<Vec<OpenSpan>>,
    /// Closed days ("2026-12-25").
    pub holidays: Vec<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OpenSpan {
    /// "HH:MM" local time.
    pub start: String,
    /// "HH:MM" local time, after `start` ("24:00" for midnight).
    pub end: String,
}

impl Default for SlaSettings {
    fn default() -> Self {
        use Channel::*;
        let minutes = |pairs: &[(Channel, u32)]| pairs.iter().copied().collect::<BTreeMap<_, _>>();
        SlaSettings {
            first_reply_mins: minutes(&[
                (Email, 120),
                (Phone, 120),
                (Voicemail, 120),
                (Chat, 15),
                (Social, 240),
                (Letter, 2 * 1440),
                (InPerson, 1440),
            ]),
            later_reply_mins: minutes(&[
                (Email, 240),
                (Phone, 240),
                (Voicemail, 120),
                (Chat, 15),
                (Social, 240),
                (Letter, 2 * 1440),
                (InPerson, 1440),
            ]),
            hard_limit_mins: minutes(&[(Email, 1440)]),
            warn_percent: 75,
            keep_posted_days: 2,
            follow_up_days: 3,
            auto_solve_days: None,
            time_zone: "UTC".into(),
            business_hours: None,
        }
    }
}

/// Where one waiting customer's clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ClockStateKind {
    OnTrack,
    DueSoon,
    Overdue,
    /// The case waits on the customer or a third party: the clock is stopped.
    Paused,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ClockState {
    pub state: ClockStateKind,
    /// The reply target that applies, in counted seconds.
    #[ts(type = "number")]
    pub target_secs: i64,
    /// Counted time so far (inside business hours, outside pauses).
    #[ts(type = "number")]
    pub elapsed_secs: i64,
    /// When the case becomes due soon (`None` while paused).
    pub warn_at: Option<DateTime<Utc>>,
    /// When the target runs out (`None` while paused).
    pub due_at: Option<DateTime<Utc>>,
    /// The wall-clock hard limit of a first reply, where the channel has one.
    pub hard_limit_at: Option<DateTime<Utc>>,
}

/// What the rules need to know of one case.
#[derive(Debug, Clone)]
pub struct ClockCase {
    pub waiting_since: Option<DateTime<Utc>>,
    /// The channel of the message that started the wait.
    pub waiting_channel: Channel,
    /// Whether the shop had already answered before (then the later-reply target applies).
    pub answered_before: bool,
    pub status: Status,
    /// A per-case target that replaces the channel's (a VIP, an urgent case).
    pub target_override_mins: Option<u32>,
    /// Spans during which the case waited on the customer or a third party (end `None`: still).
    pub pauses: Vec<Pause>,
}

/// A span during which the case waited on the customer or a third party (end `None`: still).
pub type Pause = (DateTime<Utc>, Option<DateTime<Utc>>);

/// One day's opening spans: (start, end), end `None` meaning midnight at the day's end.
type DaySpans = Vec<(NaiveTime, Option<NaiveTime>)>;

/// Statuses that stop the customer's clock.
pub fn pauses_clock(status: Status) -> bool {
    matches!(status, Status::WaitingOnCustomer | Status::WaitingOnThirdParty)
}

/// Checks settings before they are saved: a known time zone, well-formed spans, seven days.
pub fn validate(settings: &SlaSettings) -> Result<Calendar> {
    if !(1..=100).contains(&settings.warn_percent) {
        return Err(Error::Invalid("The warning threshold must be between 1 and 100 percent".into()));
    }
    if settings.keep_posted_days == 0 || settings.follow_up_days == 0 || settings.auto_solve_days == Some(0) {
        return Err(Error::Invalid("Reminders need at least one day".into()));
    }
    for (channel, mins) in settings.first_reply_mins.iter().chain(&settings.later_reply_mins) {
        if *mins == 0 {
            return Err(Error::Invalid(format!("The reply target for {channel} must be at least one minute")));
        }
    }
    Calendar::new(settings)
}

/// The business calendar in a form ready to compute with.
#[derive(Debug, Clone)]
pub struct Calendar {
    tz: Tz,
    /// Monday first; spans as (start, end) with `None` end meaning midnight at the day's end.
    week: Option<[DaySpans; 7]>,
    holidays: Vec<NaiveDate>,
}

fn parse_hhmm(text: &str) -> Result<Option<NaiveTime>> {
    if text.trim() == "24:00" {
        return Ok(None);
    }
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map(Some)
        .map_err(|_| Error::Invalid(format!("\"{text}\" is not a time of day; use HH:MM, like 09:00")))
}

impl Calendar {
    pub fn new(settings: &SlaSettings) -> Result<Calendar> {
        let tz: Tz = settings.time_zone.parse().map_err(|_| {
            Error::Invalid(format!("\"{}\" is not a time zone; use a name like Europe/Lisbon", settings.time_zone))
        })?;
        let week = match &settings.business_hours {
            None => None,
            Some(hours) => {
                if hours.week.len() != 7 {
                    return Err(Error::Invalid("Business hours need seven days, Monday first".into()));
                }
                let mut week: [DaySpans; 7] = Default::default();
                for (day, spans) in hours.week.iter().enumerate() {
                    for span in spans {
                        let start = parse_hhmm(&span.start)?
                            .ok_or_else(|| Error::Invalid("A day can't open at 24:00".into()))?;
                        let end = parse_hhmm(&span.end)?;
                        if end.is_some_and(|end| end <= start) {
                            return Err(Error::Invalid(format!(
                                "Opening hours {}–{} end before they start",
                                span.start, span.end
                            )));
                        }
                        week[day].push((start, end));
                    }
                    week[day].sort();
                }
                if week.iter().all(Vec::is_empty) {
                    return Err(Error::Invalid("Business hours need at least one open day".into()));
                }
                Some(week)
            }
        };
        let holidays = settings.business_hours.as_ref().map(|h| h.holidays.clone()).unwrap_or_default();
        Ok(Calendar { tz, week, holidays })
    }

    /// The instant a local time falls on; in a DST gap, the first instant after the gap.
    fn instant(&self, local: NaiveDateTime) -> DateTime<Utc> {
        let mut probe = local;
        for _ in 0..180 {
            if let Some(t) = self.tz.from_local_datetime(&probe).earliest() {
                return t.with_timezone(&Utc);
            }
            probe += Duration::minutes(1);
        }
        Utc.from_utc_datetime(&local)
    }

    /// Business-time spans from `from` on, in order.
    fn spans_from(&self, from: DateTime<Utc>) -> Box<dyn Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_> {
        let Some(week) = &self.week else {
            return Box::new(std::iter::once((from, DateTime::<Utc>::MAX_UTC)));
        };
        let first_day = from.with_timezone(&self.tz).date_naive();
        // Ten years of days bound the search; validation guarantees an open day every week.
        let days = (0..3660).filter_map(move |i| first_day.checked_add_signed(Duration::days(i)));
        Box::new(
            days.filter(move |day| !self.holidays.contains(day))
                .flat_map(move |day| {
                    let spans = &week[day.weekday().num_days_from_monday() as usize];
                    spans.iter().map(move |(start, end)| {
                        let start = self.instant(day.and_time(*start));
                        let end = match end {
                            Some(end) => self.instant(day.and_time(*end)),
                            None => self.instant(day.succ_opt().unwrap_or(day).and_time(NaiveTime::MIN)),
                        };
                        (start, end)
                    })
                })
                .filter(move |(_, end)| *end > from)
                .map(move |(start, end)| (start.max(from), end)),
        )
    }
}

/// Business spans from `from`, with the pauses cut out.
fn counted_spans<'a>(
    calendar: &'a Calendar,
    from: DateTime<Utc>,
    pauses: &'a [Pause],
) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + 'a {
    calendar.spans_from(from).flat_map(move |(start, end)| {
        let mut pieces = vec![(start, end)];
        for (p_start, p_end) in pauses {
            let p_end = p_end.unwrap_or(DateTime::<Utc>::MAX_UTC);
            pieces = pieces
                .into_iter()
                .flat_map(|(s, e)| {
                    let mut out = Vec::new();
                    if *p_start > s {
                        out.push((s, e.min(*p_start)));
                    }
                    if p_end < e {
                        out.push((s.max(p_end), e));
                    }
                    out.into_iter().filter(|(s, e)| e > s)
                })
                .collect();
        }
        pieces
    })
}

/// Counted seconds between `from` and `to`.
fn counted_between(calendar: &Calendar, from: DateTime<Utc>, to: DateTime<Utc>, pauses: &[Pause]) -> i64 {
    if to <= from {
        return 0;
    }
    counted_spans(calendar, from, pauses)
        .take_while(|(start, _)| *start < to)
        .map(|(start, end)| (end.min(to) - start).num_seconds())
        .sum()
}

/// The instant at which `secs` of counted time have passed since `from`.
fn advance(calendar: &Calendar, from: DateTime<Utc>, secs: i64, pauses: &[Pause]) -> Option<DateTime<Utc>> {
    let mut left = secs;
    for (start, end) in counted_spans(calendar, from, pauses) {
        let span = (end - start).num_seconds();
        if span >= left {
            return Some(start + Duration::seconds(left));
        }
        left -= span;
    }
    None
}

/// Where a case's clock stands at `now`; `None` when nobody is waiting.
pub fn evaluate(case: &ClockCase, settings: &SlaSettings, calendar: &Calendar, now: DateTime<Utc>) -> Option<ClockState> {
    let since = case.waiting_since?;
    let table = if case.answered_before { &settings.later_reply_mins } else { &settings.first_reply_mins };
    let target_mins = case
        .target_override_mins
        .or_else(|| table.get(&case.waiting_channel).copied())
        .unwrap_or(120);
    let target_secs = i64::from(target_mins) * 60;
    let warn_secs = target_secs * i64::from(settings.warn_percent) / 100;
    let elapsed_secs = counted_between(calendar, since, now, &case.pauses);
    let hard_limit_at = (!case.answered_before)
        .then(|| settings.hard_limit_mins.get(&case.waiting_channel))
        .flatten()
        .map(|mins| since + Duration::minutes(i64::from(*mins)));
    let paused = pauses_clock(case.status);
    let state = if paused {
        ClockStateKind::Paused
    } else if elapsed_secs >= target_secs || hard_limit_at.is_some_and(|limit| now >= limit) {
        ClockStateKind::Overdue
    } else if elapsed_secs >= warn_secs {
        ClockStateKind::DueSoon
    } else {
        ClockStateKind::OnTrack
    };
    let (warn_at, due_at) = if paused {
        (None, None)
    } else {
        (advance(calendar, since, warn_secs, &case.pauses), advance(calendar, since, target_secs, &case.pauses))
    };
    Some(ClockState { state, target_secs, elapsed_secs, warn_at, due_at, hard_limit_at })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().expect("valid")
    }

    fn span(start: &str, end: &str) -> OpenSpan {
        OpenSpan { start: start.into(), end: end.into() }
    }

    /// Mon–Fri 09:00–17:00 in `tz`, with the given holidays.
    fn office(tz: &str, holidays: &[NaiveDate]) -> SlaSettings {
        let weekday = vec![span("09:00", "17:00")];
        SlaSettings {
            time_zone: tz.into(),
            business_hours: Some(BusinessHours {
                week: vec![weekday.clone(), weekday.clone(), weekday.clone(), weekday.clone(), weekday, vec![], vec![]],
                holidays: holidays.to_vec(),
            }),
            ..SlaSettings::default()
        }
    }

    fn waiting(since: DateTime<Utc>, channel: Channel) -> ClockCase {
        ClockCase {
            waiting_since: Some(since),
            waiting_channel: channel,
            answered_before: false,
            status: Status::New,
            target_override_mins: None,
            pauses: vec![],
        }
    }

    fn eval(case: &ClockCase, settings: &SlaSettings, now: DateTime<Utc>) -> ClockState {
        let calendar = validate(settings).expect("valid settings");
        evaluate(case, settings, &calendar, now).expect("someone is waiting")
    }

    #[test]
    fn around_the_clock_targets_per_channel_with_warning_at_75_percent() {
        let s = SlaSettings::default();
        let since = utc(2026, 11, 25, 9, 0);
        // (channel, minutes after since, state)
        let rows = [
            (Channel::Email, 89, ClockStateKind::OnTrack),
            (Channel::Email, 90, ClockStateKind::DueSoon),
            (Channel::Email, 120, ClockStateKind::Overdue),
            (Channel::Voicemail, 100, ClockStateKind::DueSoon),
            (Channel::Chat, 11, ClockStateKind::OnTrack),
            (Channel::Chat, 12, ClockStateKind::DueSoon),
            (Channel::Chat, 16, ClockStateKind::Overdue),
            (Channel::Social, 179, ClockStateKind::OnTrack),
            (Channel::Letter, 2000, ClockStateKind::OnTrack),
        ];
        for (channel, after, want) in rows {
            let got = eval(&waiting(since, channel), &s, since + Duration::minutes(after));
            assert_eq!(got.state, want, "{channel} after {after} min");
        }
        let email = eval(&waiting(since, Channel::Email), &s, since);
        assert_eq!(email.warn_at, Some(utc(2026, 11, 25, 10, 30)));
        assert_eq!(email.due_at, Some(utc(2026, 11, 25, 11, 0)));
        assert_eq!(email.hard_limit_at, Some(utc(2026, 11, 26, 9, 0)));
        assert_eq!(email.target_secs, 7200);
    }

    #[test]
    fn later_replies_and_per_case_overrides_use_their_own_targets() {
        let s = SlaSettings::default();
        let since = utc(2026, 11, 25, 9, 0);
        let mut again = waiting(since, Channel::Email);
        again.answered_before = true;
        let got = eval(&again, &s, since + Duration::minutes(150));
        assert_eq!((got.target_secs, got.state), (240 * 60, ClockStateKind::OnTrack));
        assert_eq!(got.hard_limit_at, None, "the hard limit is for the first reply");
        let mut vip = waiting(since, Channel::Email);
        vip.target_override_mins = Some(30);
        assert_eq!(eval(&vip, &s, since + Duration::minutes(31)).state, ClockStateKind::Overdue);
    }

    #[test]
    fn business_hours_pause_the_clock_overnight_on_weekends_and_holidays() {
        let christmas = NaiveDate::from_ymd_opt(2026, 12, 25).expect("date");
        let s = office("UTC", &[christmas]);
        // (waiting since, now, counted minutes, due at)
        let rows = [
            // Wednesday 16:00 email: one hour today, one tomorrow at 10:00.
            (utc(2026, 11, 25, 16, 0), utc(2026, 11, 26, 9, 30), 90, utc(2026, 11, 26, 10, 0)),
            // Friday 16:30: due Monday 10:30; nothing counts over the weekend.
            (utc(2026, 11, 27, 16, 30), utc(2026, 11, 29, 12, 0), 30, utc(2026, 11, 30, 10, 30)),
            // Saturday: counts from Monday 09:00.
            (utc(2026, 11, 28, 10, 0), utc(2026, 11, 30, 9, 45), 45, utc(2026, 11, 30, 11, 0)),
            // Thursday 24 Dec 16:00: Christmas is closed, so due Monday 28 Dec 10:00.
            (utc(2026, 12, 24, 16, 0), utc(2026, 12, 26, 12, 0), 60, utc(2026, 12, 28, 10, 0)),
            // Night message: counts from the morning.
            (utc(2026, 11, 25, 23, 0), utc(2026, 11, 26, 8, 59), 0, utc(2026, 11, 26, 11, 0)),
        ];
        for (since, now, counted, due) in rows {
            let got = eval(&waiting(since, Channel::Email), &s, now);
            assert_eq!(got.elapsed_secs, counted * 60, "since {since}, now {now}");
            assert_eq!(got.due_at, Some(due), "since {since}");
        }
    }

    #[test]
    fn business_hours_are_read_in_the_shops_time_zone_across_dst_changes() {
        // Lisbon: UTC+0 in winter, UTC+1 in summer; DST ends on Sunday 25 Oct 2026.
        let s = office("Europe/Lisbon", &[]);
        // Friday 23 Oct 2026 (summer): 09:00 Lisbon is 08:00 UTC; opens for the day at 08:00 UTC.
        let got = eval(&waiting(utc(2026, 10, 23, 7, 0), Channel::Email), &s, utc(2026, 10, 23, 9, 0));
        assert_eq!(got.elapsed_secs, 3600);
        assert_eq!(got.due_at, Some(utc(2026, 10, 23, 10, 0)));
        // Friday 16:00 UTC = 17:00 Lisbon closing; Monday 26 Oct (winter): opens 09:00 UTC.
        let got = eval(&waiting(utc(2026, 10, 23, 15, 0), Channel::Email), &s, utc(2026, 10, 26, 9, 0));
        assert_eq!(got.elapsed_secs, 3600, "one hour on Friday, none over the weekend");
        assert_eq!(got.due_at, Some(utc(2026, 10, 26, 10, 0)));
        // New York, spring forward on Sunday 8 March 2026: a 24/7 shop there loses no time.
        let mut nyc = SlaSettings { time_zone: "America/New_York".into(), ..SlaSettings::default() };
        nyc.business_hours = Some(BusinessHours {
            week: vec![vec![span("00:00", "24:00")]; 7],
            holidays: vec![],
        });
        let got = eval(&waiting(utc(2026, 3, 8, 5, 0), Channel::Email), &nyc, utc(2026, 3, 8, 9, 0));
        assert_eq!(got.elapsed_secs, 4 * 3600, "real elapsed time, whatever the wall clock did");
    }

    #[test]
    fn waiting_on_the_customer_or_a_third_party_stops_the_clock() {
        let s = SlaSettings::default();
        let since = utc(2026, 11, 25, 9, 0);
        let mut case = waiting(since, Channel::Email);
        case.status = Status::WaitingOnThirdParty;
        case.pauses = vec![(since + Duration::minutes(30), None)];
        let got = eval(&case, &s, since + Duration::hours(10));
        assert_eq!(got.state, ClockStateKind::Paused);
        assert_eq!(got.elapsed_secs, 30 * 60, "only the time before the pause counts");
        assert_eq!(got.due_at, None);
        // Resumed after two hours: the clock carries on from 30 minutes.
        case.status = Status::Open;
        case.pauses = vec![(since + Duration::minutes(30), Some(since + Duration::minutes(150)))];
        let got = eval(&case, &s, since + Duration::minutes(160));
        assert_eq!((got.elapsed_secs, got.state), (40 * 60, ClockStateKind::OnTrack));
        assert_eq!(got.due_at, Some(since + Duration::minutes(240)));
    }

    #[test]
    fn a_hard_limit_makes_a_case_overdue_whatever_the_business_hours() {
        let s = office("UTC", &[]);
        // Friday 16:50 email: by Saturday 17:00 only 10 counted minutes, but 24 h have passed.
        let got = eval(&waiting(utc(2026, 11, 27, 16, 50), Channel::Email), &s, utc(2026, 11, 28, 17, 0));
        assert_eq!(got.elapsed_secs, 600);
        assert_eq!(got.state, ClockStateKind::Overdue);
    }

    #[test]
    fn nobody_waiting_means_no_clock() {
        let s = SlaSettings::default();
        let calendar = validate(&s).expect("valid");
        let mut case = waiting(utc(2026, 11, 25, 9, 0), Channel::Email);
        case.waiting_since = None;
        assert_eq!(evaluate(&case, &s, &calendar, utc(2026, 11, 25, 12, 0)), None);
    }

    #[test]
    fn invalid_settings_are_refused_with_a_reason() {
        let rows: Vec<(SlaSettings, &str)> = vec![
            (SlaSettings { time_zone: "Mars/Olympus".into(), ..SlaSettings::default() }, "is not a time zone"),
            (SlaSettings { warn_percent: 0, ..SlaSettings::default() }, "between 1 and 100"),
            (SlaSettings { follow_up_days: 0, ..SlaSettings::default() }, "at least one day"),
            (
                SlaSettings {
                    business_hours: Some(BusinessHours { week: vec![vec![]; 7], holidays: vec![] }),
                    ..SlaSettings::default()
                },
                "at least one open day",
            ),
            (
                SlaSettings {
                    business_hours: Some(BusinessHours { week: vec![vec![span("17:00", "09:00")]; 7], holidays: vec![] }),
                    ..SlaSettings::default()
                },
                "end before they start",
            ),
            (
                SlaSettings {
                    business_hours: Some(BusinessHours { week: vec![vec![span("9am", "17:00")]; 7], holidays: vec![] }),
                    ..SlaSettings::default()
                },
                "is not a time of day",
            ),
        ];
        for (settings, want) in rows {
            let err = validate(&settings).expect_err("refused");
            assert!(err.to_string().contains(want), "{err} should contain {want}");
        }
    }
}
