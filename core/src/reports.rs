//! The reports screen's figures: whether the shop keeps its promises (first-reply times and
//! the share answered within target, per week and per channel), what is still open and for how
//! long, what cases are about, whose fault, and how satisfied customers were.
//!
//! Computed from rows the store reads for a period; every table can be exported as CSV.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{Category, Channel, Fault, Status};
use crate::sla::{self, Calendar, ClockCase, ClockStateKind, Pause, SlaSettings};

/// One case as the report needs it.
#[derive(Debug, Clone)]
pub struct ReportCase {
    pub channel: Channel,
    pub category: Category,
    pub fault: Fault,
    pub status: Status,
    /// The customer's first message.
    pub first_customer_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub reply_target_mins: Option<u32>,
    /// When the case waited on the customer or a third party: the shop's clock stood still.
    pub pauses: Vec<Pause>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReplyTimes {
    /// Cases whose customer wrote first in the period.
    pub cases: u32,
    pub answered: u32,
    /// Wall-clock minutes to the first reply, as the customer felt them.
    pub median_mins: Option<f64>,
    pub p90_mins: Option<f64>,
    /// Of the cases answered or already past their target: the share answered within it (%).
    pub within_target_pct: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WeekRow {
    /// The Monday the week starts on (the shop's time zone).
    pub week_start: NaiveDate,
    pub times: ReplyTimes,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChannelRow {
    pub channel: Channel,
    pub times: ReplyTimes,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CountRow {
    pub label: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Report {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub now: DateTime<Utc>,
    pub overall: ReplyTimes,
    pub weeks: Vec<WeekRow>,
    pub channels: Vec<ChannelRow>,
    /// Open cases now, by how long ago the customer first wrote.
    pub open_by_age: Vec<CountRow>,
    pub by_category: Vec<CountRow>,
    pub by_fault: Vec<CountRow>,
    /// Answers to satisfaction checks in the period: how many gave 1, 2, … 5.
    pub ratings: Vec<CountRow>,
    pub average_rating: Option<f64>,
    pub surveys_sent: u32,
}

/// One table of the report, as exported to CSV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReportTable {
    /// File-name friendly: "first-reply-by-week".
    pub id: String,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The value at `q` (0–1) of sorted values, by nearest rank.
pub fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

fn median(sorted: &[f64]) -> Option<f64> {
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2]),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// Whether a case's first reply kept the target: `Some(true/false)`, or `None` while it is
/// unanswered and still within target (or paused). Time the case waited on the customer or a
/// third party does not count, as on the queue's clock.
fn kept_target(case: &ReportCase, settings: &SlaSettings, calendar: &Calendar, now: DateTime<Utc>) -> Option<bool> {
    let clock = ClockCase {
        waiting_since: Some(case.first_customer_at),
        waiting_channel: case.channel,
        answered_before: false,
        status: Status::Open,
        target_override_mins: case.reply_target_mins,
        pauses: case.pauses.clone(),
    };
    let at = case.first_response_at.unwrap_or(now);
    let state = sla::evaluate(&clock, settings, calendar, at).map(|s| s.state);
    match (case.first_response_at, state) {
        (_, Some(ClockStateKind::Overdue)) => Some(false),
        (Some(_), _) => Some(true),
        (None, _) => None,
    }
}

fn times(cases: &[&ReportCase], settings: &SlaSettings, calendar: &Calendar, now: DateTime<Utc>) -> ReplyTimes {
    let mut mins: Vec<f64> = cases
        .iter()
        .filter_map(|c| c.first_response_at.map(|r| (r - c.first_customer_at).num_seconds().max(0) as f64 / 60.0))
        .collect();
    mins.sort_by(f64::total_cmp);
    let judged: Vec<bool> = cases.iter().filter_map(|c| kept_target(c, settings, calendar, now)).collect();
    let kept = judged.iter().filter(|k| **k).count();
    ReplyTimes {
        cases: cases.len() as u32,
        answered: mins.len() as u32,
        median_mins: median(&mins),
        p90_mins: percentile(&mins, 0.9),
        within_target_pct: (!judged.is_empty()).then(|| 100.0 * kept as f64 / judged.len() as f64),
    }
}

pub const AGE_BUCKETS: &[(&str, i64)] =
    &[("under 1 day", 1), ("1–3 days", 3), ("3–7 days", 7), ("1–4 weeks", 28), ("over 4 weeks", i64::MAX)];

/// Builds the report for cases first written in `[from, to)`; `open` are the cases open now
/// (any period), `ratings` the survey answers in the period.
#[allow(clippy::too_many_arguments)]
pub fn build(
    cases: &[ReportCase],
    open: &[ReportCase],
    ratings: &[u8],
    surveys_sent: u32,
    settings: &SlaSettings,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> crate::Result<Report> {
    let calendar = Calendar::new(settings)?;
    let tz: chrono_tz::Tz = settings.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let all: Vec<&ReportCase> = cases.iter().collect();

    let mut by_week: BTreeMap<NaiveDate, Vec<&ReportCase>> = BTreeMap::new();
    for c in &all {
        let day = c.first_customer_at.with_timezone(&tz).date_naive();
        let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
        by_week.entry(monday).or_default().push(c);
    }
    let weeks = by_week
        .into_iter()
        .map(|(week_start, cs)| WeekRow { week_start, times: times(&cs, settings, &calendar, now) })
        .collect();

    let mut by_channel: BTreeMap<Channel, Vec<&ReportCase>> = BTreeMap::new();
    for c in &all {
        by_channel.entry(c.channel).or_default().push(c);
    }
    let channels = by_channel
        .into_iter()
        .map(|(channel, cs)| ChannelRow { channel, times: times(&cs, settings, &calendar, now) })
        .collect();

    let mut open_by_age: Vec<CountRow> = AGE_BUCKETS.iter().map(|(l, _)| CountRow { label: (*l).into(), count: 0 }).collect();
    for c in open {
        let days = (now - c.first_customer_at).num_seconds() as f64 / 86_400.0;
        let i = AGE_BUCKETS.iter().position(|(_, max)| days < *max as f64).unwrap_or(AGE_BUCKETS.len() - 1);
        open_by_age[i].count += 1;
    }

    let count_by = |label: &dyn Fn(&ReportCase) -> String| {
        let mut counts: BTreeMap<String, u32> = BTreeMap::new();
        for c in &all {
            *counts.entry(label(c)).or_default() += 1;
        }
        let mut rows: Vec<CountRow> = counts.into_iter().map(|(label, count)| CountRow { label, count }).collect();
        rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
        rows
    };
    let by_category = count_by(&|c| c.category.label().to_string());
    let by_fault = count_by(&|c| c.fault.label().to_string());

    let ratings_rows = (1..=5u8)
        .map(|r| CountRow { label: r.to_string(), count: ratings.iter().filter(|x| **x == r).count() as u32 })
        .collect();
    let average_rating =
        (!ratings.is_empty()).then(|| ratings.iter().map(|r| f64::from(*r)).sum::<f64>() / ratings.len() as f64);

    Ok(Report {
        from,
        to,
        now,
        overall: times(&all, settings, &calendar, now),
        weeks,
        channels,
        open_by_age,
        by_category,
        by_fault,
        ratings: ratings_rows,
        average_rating,
        surveys_sent,
    })
}

fn num(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}")).unwrap_or_default()
}

fn times_cells(t: &ReplyTimes) -> Vec<String> {
    vec![t.cases.to_string(), t.answered.to_string(), num(t.median_mins), num(t.p90_mins), num(t.within_target_pct)]
}

const TIMES_COLUMNS: [&str; 5] = ["cases", "answered", "median first reply (min)", "90th percentile (min)", "within target (%)"];

impl Report {
    /// Every table of the report, for CSV export.
    pub fn tables(&self) -> Vec<ReportTable> {
        let counts = |id: &str, title: &str, what: &str, rows: &[CountRow]| ReportTable {
            id: id.into(),
            title: title.into(),
            columns: vec![what.into(), "cases".into()],
            rows: rows.iter().map(|r| vec![r.label.clone(), r.count.to_string()]).collect(),
        };
        let with_first = |first: &str| std::iter::once(first.to_string()).chain(TIMES_COLUMNS.iter().map(|c| c.to_string())).collect();
        vec![
            ReportTable {
                id: "first-reply-by-week".into(),
                title: "First reply by week".into(),
                columns: with_first("week starting"),
                rows: self
                    .weeks
                    .iter()
                    .map(|w| std::iter::once(w.week_start.to_string()).chain(times_cells(&w.times)).collect())
                    .collect(),
            },
            ReportTable {
                id: "first-reply-by-channel".into(),
                title: "First reply by channel".into(),
                columns: with_first("channel"),
                rows: self
                    .channels
                    .iter()
                    .map(|c| std::iter::once(c.channel.label().to_string()).chain(times_cells(&c.times)).collect())
                    .collect(),
            },
            counts("open-cases-by-age", "Open cases by age", "age", &self.open_by_age),
            counts("cases-by-category", "Cases by category", "category", &self.by_category),
            counts("cases-by-fault", "Cases by fault", "fault", &self.by_fault),
            ReportTable {
                id: "satisfaction".into(),
                title: "Satisfaction ratings".into(),
                columns: vec!["rating".into(), "answers".into()],
                rows: self.ratings.iter().map(|r| vec![r.label.clone(), r.count.to_string()]).collect(),
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).single().expect("valid")
    }

    fn case(day: u32, hour: u32, reply_mins: Option<i64>, channel: Channel) -> ReportCase {
        ReportCase {
            channel,
            category: Category::Delivery,
            fault: Fault::Courier,
            status: Status::Solved,
            first_customer_at: at(day, hour),
            first_response_at: reply_mins.map(|m| at(day, hour) + Duration::minutes(m)),
            reply_target_mins: None,
            pauses: Vec::new(),
        }
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.9), Some(9.0));
        assert_eq!(percentile(&v, 0.5), Some(5.0));
        assert_eq!(median(&v), Some(5.5));
        assert_eq!(percentile(&[], 0.9), None);
    }

    #[test]
    fn first_replies_are_measured_per_week_and_channel_against_the_target() {
        let settings = SlaSettings { time_zone: "UTC".into(), business_hours: None, ..SlaSettings::default() };
        let email_target = i64::from(settings.first_reply_mins[&Channel::Email]);
        // Week of Monday 16 November: three emails, one answered late; one voicemail.
        let cases = vec![
            case(16, 9, Some(30), Channel::Email),
            case(17, 9, Some(60), Channel::Email),
            case(18, 9, Some(email_target + 60), Channel::Email),
            case(19, 9, Some(20), Channel::Voicemail),
            // Week of 23 November: one unanswered and overdue, one unanswered and not yet due.
            case(23, 9, None, Channel::Email),
            case(25, 11, None, Channel::Email),
        ];
        let now = at(25, 12);
        let open = vec![case(23, 9, None, Channel::Email), case(25, 11, None, Channel::Email), case(1, 9, None, Channel::Email)];
        let report = build(&cases, &open, &[5, 4, 5, 1], 6, &settings, at(1, 0), now, now).expect("report");
        assert_eq!(report.weeks.len(), 2);
        let w1 = &report.weeks[0].times;
        assert_eq!(report.weeks[0].week_start.to_string(), "2026-11-16");
        assert_eq!((w1.cases, w1.answered), (4, 4));
        assert_eq!(w1.median_mins, Some(45.0));
        assert_eq!(w1.within_target_pct, Some(75.0));
        let w2 = &report.weeks[1].times;
        assert_eq!((w2.cases, w2.answered, w2.median_mins), (2, 0, None));
        // Only the overdue one is judged: 0 of 1 kept.
        assert_eq!(w2.within_target_pct, Some(0.0));
        let email = report.channels.iter().find(|c| c.channel == Channel::Email).expect("email");
        assert_eq!(email.times.cases, 5);
        assert_eq!(report.open_by_age.iter().map(|r| r.count).collect::<Vec<_>>(), vec![1, 1, 0, 1, 0]);
        assert_eq!(report.by_category, vec![CountRow { label: Category::Delivery.label().into(), count: 6 }]);
        assert_eq!(report.ratings.iter().map(|r| r.count).collect::<Vec<_>>(), vec![1, 0, 0, 1, 2]);
        assert_eq!(report.average_rating, Some(3.75));
        let tables = report.tables();
        assert_eq!(tables.len(), 6);
        assert_eq!(tables[0].rows[0], ["2026-11-16", "4", "4", "45.0", "180.0", "75.0"].iter().map(|s| s.to_string()).collect::<Vec<_>>());
    }
}
