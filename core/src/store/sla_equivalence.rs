//! The sweep from stored alert times against the full evaluation it replaced (every open case
//! read and its clock evaluated at `now`), after every step of random case histories with a
//! moving (and sometimes backward) clock, including settings changes.

use chrono::{Duration, TimeZone};
use proptest::prelude::*;

use super::*;
use crate::model::*;
use crate::sla::{BusinessHours, OpenSpan};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).single().expect("valid time")
}

/// Every open case with its clock at `now`, as the queue read them.
fn all_open(store: &Store, now: DateTime<Utc>) -> Vec<CaseSummary> {
    open_cases(&store.conn, "1", None, now).expect("open cases")
}

/// The sweep as it was: every open case evaluated.
fn oracle_sweep(store: &Store, now: DateTime<Utc>) -> ClockSweep {
    let settings = store.sla_settings().expect("settings");
    let mut stmt = store.conn.prepare_cached(FIRED).expect("prepare");
    let mut sweep = ClockSweep::default();
    for case in all_open(store, now) {
        if let Some(at) = case.remind_at.filter(|at| *at > now) {
            sweep.next_change = sweep.next_change.into_iter().chain([at]).min();
        }
        let (_, next_reminder) = alerts::reminder_due(case.status, case.last_shop_reply_at, case.created_at, &settings, now);
        sweep.next_change = sweep.next_change.into_iter().chain(next_reminder).min();
        if let (Some(clock), Some(_)) = (&case.clock, case.waiting_since) {
            if clock.state == ClockStateKind::Overdue {
                sweep.overdue += 1;
            }
            if clock.state != ClockStateKind::Paused {
                let upcoming = [clock.warn_at, clock.due_at, clock.hard_limit_at].into_iter().flatten().filter(|at| *at > now);
                sweep.next_change = sweep.next_change.into_iter().chain(upcoming).min();
            }
        }
        sweep.pending.extend(pending_of(&case, &settings, &mut stmt, now).expect("pending"));
    }
    sweep
}

fn oracle_sla_check(store: &Store, now: DateTime<Utc>) -> Vec<CaseSummary> {
    let mut late: Vec<CaseSummary> = all_open(store, now)
        .into_iter()
        .filter(|c| c.clock.as_ref().is_some_and(|k| matches!(k.state, ClockStateKind::DueSoon | ClockStateKind::Overdue)))
        .collect();
    late.sort_by_key(|c| (c.clock.as_ref().map(|k| std::cmp::Reverse(k.state)), c.waiting_since));
    late
}

fn oracle_due_reminders(store: &Store, now: DateTime<Utc>) -> Vec<Alert> {
    let settings = store.sla_settings().expect("settings");
    let mut due: Vec<Alert> = all_open(store, now)
        .iter()
        .filter_map(|case| {
            let (due, _) = alerts::reminder_due(case.status, case.last_shop_reply_at, case.created_at, &settings, now);
            due.and_then(|(threshold, since)| alert_for(case, vec![threshold], since, now))
        })
        .collect();
    due.sort_by_key(|a| (a.waiting_since, a.case_number));
    due
}

fn oracle_auto_solve(store: &Store, now: DateTime<Utc>) -> Vec<u32> {
    let Some(days) = store.sla_settings().expect("settings").auto_solve_days else {
        return Vec::new();
    };
    let cutoff = now - Duration::days(i64::from(days));
    all_open(store, now)
        .iter()
        .filter(|c| c.status == Status::WaitingOnCustomer && c.last_shop_reply_at.is_some_and(|at| at <= cutoff))
        .map(|c| c.number)
        .collect()
}

fn assert_same_at(store: &Store, now: DateTime<Utc>, step: &str) {
    let (got, want) = (store.sweep_clocks(now).expect("sweep"), oracle_sweep(store, now));
    assert_eq!(got.pending, want.pending, "pending at {now} after {step}");
    assert_eq!(got.overdue, want.overdue, "overdue at {now} after {step}");
    assert_eq!(got.next_change, want.next_change, "next change at {now} after {step}");
    assert_eq!(store.sla_check(now).expect("sla"), oracle_sla_check(store, now), "sla_check at {now} after {step}");
    assert_eq!(store.due_reminders(now).expect("due"), oracle_due_reminders(store, now), "due_reminders at {now} after {step}");
    let quiet = store.sla_settings().expect("settings").auto_solve_days.map(|days| now - Duration::days(i64::from(days)));
    let got_quiet = quiet.map(|cutoff| quiet_cases(&store.conn, cutoff, now).expect("quiet")).unwrap_or_default();
    assert_eq!(got_quiet, oracle_auto_solve(store, now), "auto-solve candidates at {now} after {step}");
}

/// The stored times, case by case.
fn stored_times(store: &Store) -> Vec<(u32, [Option<i64>; 7])> {
    let mut stmt = store
        .conn
        .prepare(
            "SELECT number, alert_next_at, clock_warn_at, clock_due_at, clock_hard_at, clock_soon_at, clock_overdue_at, reminder_due_at
             FROM cases ORDER BY number",
        )
        .expect("prepare");
    stmt.query_map([], |r| {
        Ok((r.get(0)?, [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?]))
    })
    .expect("query")
    .collect::<rusqlite::Result<_>>()
    .expect("rows")
}

#[derive(Debug, Clone)]
enum Op {
    Open { channel: u8, direction: u8, ago: u16 },
    Say { case: u8, direction: u8, channel: u8, ago: u16, automatic: bool },
    Status { case: u8, status: u8 },
    Target { case: u8, mins: u16 },
    Remind { case: u8, in_mins: Option<u16> },
    Merge { a: u8, b: u8 },
    Settings { hours: bool, warn: u8, keep: u8, follow: u8, auto: Option<u8>, first_email: u8 },
    Reply { case: u8 },
    SendDue,
    Email { case: u8 },
    Announce,
    AutoSolve,
    Tick { mins: i32 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..7, 0u8..3, 0u16..3000).prop_map(|(channel, direction, ago)| Op::Open { channel, direction, ago }),
        (any::<u8>(), 0u8..3, 0u8..7, 0u16..600, any::<bool>())
            .prop_map(|(case, direction, channel, ago, automatic)| Op::Say { case, direction, channel, ago, automatic }),
        (any::<u8>(), 0u8..6).prop_map(|(case, status)| Op::Status { case, status }),
        (any::<u8>(), prop_oneof![Just(0u16), 1u16..300]).prop_map(|(case, mins)| Op::Target { case, mins }),
        (any::<u8>(), proptest::option::of(1u16..5000)).prop_map(|(case, in_mins)| Op::Remind { case, in_mins }),
        (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Op::Merge { a, b }),
        // A 1% warning on a one-minute target rounds to nothing: due soon from the start.
        (any::<bool>(), prop_oneof![1u8..=2, 1u8..=100], 1u8..5, 1u8..5, proptest::option::of(1u8..6), prop_oneof![Just(0u8), 0u8..5])
            .prop_map(|(hours, warn, keep, follow, auto, first_email)| Op::Settings { hours, warn, keep, follow, auto, first_email }),
        any::<u8>().prop_map(|case| Op::Reply { case }),
        Just(Op::SendDue),
        any::<u8>().prop_map(|case| Op::Email { case }),
        Just(Op::Announce),
        Just(Op::AutoSolve),
        prop_oneof![3 => 1i32..600, 2 => 600i32..6000, 1 => -600i32..0].prop_map(|mins| Op::Tick { mins }),
    ]
}

fn settings(hours: bool, warn: u8, keep: u8, follow: u8, auto: Option<u8>, first_email: u8) -> SlaSettings {
    let mut s = SlaSettings {
        warn_percent: warn,
        keep_posted_days: u32::from(keep),
        follow_up_days: u32::from(follow),
        auto_solve_days: auto.map(u32::from),
        ..SlaSettings::default()
    };
    // One minute with a 1% warning rounds the warning share to nothing.
    s.first_reply_mins.insert(Channel::Email, [1, 15, 60, 120, 600][usize::from(first_email)]);
    if hours {
        let day = vec![OpenSpan { start: "09:00".into(), end: "17:00".into() }];
        s.time_zone = "Europe/Lisbon".into();
        s.business_hours = Some(BusinessHours {
            week: vec![day.clone(), day.clone(), day.clone(), day.clone(), day, vec![], vec![]],
            holidays: vec![chrono::NaiveDate::from_ymd_opt(2026, 11, 27).expect("date")],
        });
    }
    s
}

/// Applies one step; refusals (a merged case, a time in the future…) are part of the game.
fn apply(store: &mut Store, op: &Op, now: &mut DateTime<Utc>, serial: &mut u32) {
    let cases = store.conn.query_row("SELECT count(*) FROM cases", [], |r| r.get::<_, u32>(0)).expect("count");
    let number = |i: u8| 1001 + u32::from(i) % cases.max(1);
    let channel = |c: u8| Channel::ALL[usize::from(c) % Channel::ALL.len()];
    let direction = |d: u8| [Direction::FromCustomer, Direction::FromShop, Direction::Note][usize::from(d) % 3];
    let said = |d: u8, c: u8, ago: u16| NewMessage {
        direction: direction(d),
        channel: channel(c),
        author: String::new(),
        body: "words".into(),
        happened_at: Some(*now - Duration::minutes(i64::from(ago))),
    };
    *serial += 1;
    let _ = match op {
        Op::Open { channel: c, direction: d, ago } => {
            let contact = ContactRef::New(NewContact {
                name: format!("Customer {serial}"),
                emails: vec![format!("c{serial}@example.com")],
                ..NewContact::default()
            });
            let input = NewCase {
                contact,
                subject: "Parcel".into(),
                priority: Priority::Normal,
                category: Category::Delivery,
                first_message: said(*d, *c, *ago),
            };
            store.open_case(&input, *now).map(drop)
        }
        Op::Say { case, direction: d, channel: c, ago, automatic } if *automatic => {
            store.log_automatic_message(number(*case), &said(*d, *c, *ago), *now).map(drop)
        }
        Op::Say { case, direction: d, channel: c, ago, .. } => store.log_message(number(*case), &said(*d, *c, *ago), *now).map(drop),
        Op::Status { case, status } => {
            let patch = CasePatch { status: Some(Status::ALL[usize::from(*status) % Status::ALL.len()]), ..CasePatch::default() };
            store.update_case(number(*case), &patch, "Shop", *now).map(drop)
        }
        Op::Target { case, mins } => {
            let patch = CasePatch { reply_target_mins: Some(u32::from(*mins)), ..CasePatch::default() };
            store.update_case(number(*case), &patch, "Shop", *now).map(drop)
        }
        Op::Remind { case, in_mins } => {
            let at = in_mins.map(|m| *now + Duration::minutes(i64::from(m)));
            store.set_reminder(number(*case), at, "Shop", *now).map(drop)
        }
        Op::Merge { a, b } => store.merge_cases(number(*a), number(*b), "Shop", *now).map(drop),
        Op::Settings { hours, warn, keep, follow, auto, first_email } => {
            store.set_sla_settings(&settings(*hours, *warn, *keep, *follow, *auto, *first_email))
        }
        Op::Reply { case } => store.queue_reply(number(*case), "On its way.", None, "Shop", *now).map(drop),
        Op::SendDue => store.claim_due_mail(*now, 10).and_then(|claimed| {
            claimed.iter().try_for_each(|mail| store.record_sent(mail.message_id, *now))
        }),
        Op::Email { case } => {
            let raw = format!(
                "From: someone{serial}@example.org\r\nTo: shop@example.com\r\nSubject: Re: Parcel [#{}]\r\n\
                 Date: Wed, 25 Nov 2026 09:00:00 +0000\r\nMessage-ID: <e{serial}@x>\r\n\r\nAnd?\r\n",
                number(*case)
            );
            // Dated long ago: filed at its date, or a new case when the tag names no case.
            store.ingest_email(raw.as_bytes(), *now).map(drop)
        }
        Op::Announce => {
            let due = store.pending_alerts(*now).expect("pending");
            store.record_alerts(&due, *now)
        }
        Op::AutoSolve => {
            let want = oracle_auto_solve(store, *now);
            let got = store.auto_solve(*now).expect("auto-solve");
            assert_eq!(got, want, "auto-solved at {now}");
            Ok(())
        }
        Op::Tick { mins } => {
            *now += Duration::minutes(i64::from(*mins)) + Duration::milliseconds(i64::from(*serial) * 37 % 1000);
            Ok(())
        }
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn the_indexed_sweep_gives_exactly_what_evaluating_every_open_case_gave(ops in proptest::collection::vec(op(), 1..60)) {
        let mut store = Store::open_in_memory().expect("db");
        store
            .set_mail_account(&crate::account::MailAccount {
                from_address: "shop@example.com".into(),
                smtp_host: "127.0.0.1".into(),
                smtp_security: crate::account::Security::None,
                ..crate::account::MailAccount::default()
            })
            .expect("account");
        let mut now = t0();
        let mut serial = 0;
        for (i, op) in ops.iter().enumerate() {
            apply(&mut store, op, &mut now, &mut serial);
            let step = format!("step {i} {op:?}");
            for probe in [-120, 0, 1, 45, 90, 200, 1500, 3 * 1440, 6 * 1440] {
                assert_same_at(&store, now + Duration::minutes(probe), &step);
            }
            assert_same_at(&store, now + Duration::milliseconds(1), &step);
        }
        // Kept in step by every write: computing them all again changes nothing.
        let kept = stored_times(&store);
        store.refresh_all_alert_times().expect("refresh");
        prop_assert_eq!(kept, stored_times(&store));
        let running = |sql: &str| store.conn.query_row(sql, [], |r| r.get::<_, i64>(0)).expect("count");
        prop_assert_eq!(
            running("SELECT value FROM counters WHERE name = 'running_clocks'"),
            running("SELECT count(*) FROM cases WHERE clock_overdue_at IS NOT NULL")
        );
    }
}

/// SQLite's plan for `sql`, one line per step.
fn plan(store: &Store, sql: &str) -> Vec<String> {
    let mut stmt = store.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).expect("plan");
    let n = stmt.parameter_count();
    let args: Vec<i64> = vec![0; n];
    stmt.query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3)).expect("query").collect::<rusqlite::Result<_>>().expect("rows")
}

#[test]
fn the_sweep_reads_index_ranges_and_never_scans_the_cases() {
    let store = Store::open_in_memory().expect("db");
    let summaries = |condition: &str| format!("{SUMMARY_SELECT} WHERE {OPEN} AND {condition} ORDER BY {}", queue_order());
    // (query, the index it must search)
    let mut rows: Vec<(String, &str)> = ["remind_at", "reminder_due_at", "clock_warn_at", "clock_due_at", "clock_hard_at"]
        .iter()
        .zip(["cases_remind", "cases_reminder_due", "cases_clock_warn", "cases_clock_due", "cases_clock_hard"])
        .map(|(column, index)| {
            let open = if *column == "remind_at" { OPEN } else { "1" };
            (format!("SELECT min(k.{column}) FROM cases k WHERE {open} AND k.{column} > ?1"), index)
        })
        .collect();
    rows.push(("SELECT count(*) FROM cases k WHERE k.clock_overdue_at > ?1".to_string(), "cases_clock_overdue"));
    rows.push((summaries("k.alert_next_at <= ?1"), "cases_alert_next"));
    rows.push((summaries("k.clock_soon_at <= ?1"), "cases_clock_soon"));
    rows.push((summaries("k.reminder_due_at <= ?1"), "cases_reminder_due"));
    rows.push((
        format!("SELECT k.number FROM cases k INDEXED BY cases_quiet WHERE {OPEN} AND k.status = 'waiting_on_customer' AND k.last_shop_reply_at <= ?2 ORDER BY {}", queue_order()),
        "cases_quiet",
    ));
    for (sql, index) in rows {
        let steps = plan(&store, &sql);
        println!("{sql}\n  {}", steps.join("\n  "));
        assert!(steps.iter().any(|s| s.starts_with("SEARCH k USING") && s.contains(index)), "{sql}: {steps:?}");
        assert!(!steps.iter().any(|s| s.starts_with("SCAN k")), "{sql}: {steps:?}");
    }
}

#[test]
fn a_warning_share_that_rounds_to_nothing_is_due_soon_from_the_first_moment() {
    // One minute to answer an email, warned at 1%: due soon at once, before business hours too.
    let ops = [
        Op::Settings { hours: true, warn: 1, keep: 2, follow: 3, auto: None, first_email: 0 },
        Op::Tick { mins: 12 * 60 },
        Op::Open { channel: 0, direction: 0, ago: 0 },
    ];
    let (mut store, mut now, mut serial) = (Store::open_in_memory().expect("db"), t0(), 0);
    for op in &ops {
        apply(&mut store, op, &mut now, &mut serial);
    }
    assert_eq!(store.sla_check(now).expect("sla").len(), 1);
    for probe in [-60, 0, 30, 13 * 60] {
        assert_same_at(&store, now + Duration::minutes(probe), "a one-minute target");
    }
}
