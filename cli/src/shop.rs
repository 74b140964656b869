//! Saved replies, orders, satisfaction checks, reports and exports from the command line.

use std::path::PathBuf;

use anyhow::anyhow;
use chrono::{DateTime, Duration, Utc};
use clap::Subcommand;
use shopdesk_core::orders::{self, OrderColumns};
use shopdesk_core::templates::NewSavedReply;
use shopdesk_core::Store;

use crate::output::{table, Out};
use crate::CaseNumber;

#[derive(Subcommand)]
pub enum RepliesCmd {
    /// The saved replies, with their ids
    List,
    /// A saved reply filled in for a case (placeholders without a value stay visible)
    Fill {
        /// Its id, or its title
        reply: String,
        case: CaseNumber,
    },
    /// Add a saved reply ({customer.first_name}, {case.number}, {order.ref}, {tracking.ref}, {shop.name}, {promised_by})
    Add {
        #[arg(long)]
        title: String,
        #[arg(long)]
        body: String,
    },
    /// Remove a saved reply (by id or title)
    Delete { reply: String },
}

#[derive(Subcommand)]
pub enum OrdersCmd {
    /// Import a Shopify, WooCommerce or Etsy orders export (CSV); other layouts with --map
    Import {
        file: PathBuf,
        /// Columns of another layout: field=Header, e.g. --map order_ref="Order no" --map email=Mail
        /// (fields: order_ref, email, name, first_name, last_name, placed_at, total, currency, status, item, quantity, tracking)
        #[arg(long = "map", value_name = "FIELD=HEADER")]
        map: Vec<String>,
    },
    /// The headers and first lines of a file, and the layout recognised
    Preview { file: PathBuf },
    /// One order by its number
    Show { order: String },
}

#[derive(Subcommand)]
pub enum SurveysCmd {
    /// Show or change the satisfaction check's settings
    Settings {
        #[arg(long, action = clap::ArgAction::Set, value_name = "true|false")]
        enabled: Option<bool>,
        /// Days after a case is solved
        #[arg(long)]
        days: Option<u32>,
        /// Never more than one per customer in this many days
        #[arg(long)]
        period_days: Option<u32>,
        /// The email's text (saved-reply placeholders work)
        #[arg(long)]
        text: Option<String>,
    },
    /// Queue the satisfaction checks that are due (the app does this by itself)
    SendDue,
    /// Customers' answers, newest first
    Answers {
        /// Only the ones marked quotable (testimonials)
        #[arg(long)]
        quotable: bool,
    },
    /// Mark a case's answer as quotable (a testimonial), or not with --off
    Quote {
        case: CaseNumber,
        #[arg(long)]
        off: bool,
    },
}

fn find_reply(store: &Store, key: &str) -> anyhow::Result<String> {
    let replies = store.saved_replies()?;
    replies
        .iter()
        .find(|r| r.id == key)
        .or_else(|| replies.iter().find(|r| r.title.eq_ignore_ascii_case(key.trim())))
        .map(|r| r.id.clone())
        .ok_or_else(|| anyhow!("No saved reply is called \"{key}\" (see `shopdesk replies list`)"))
}

pub fn replies(cmd: RepliesCmd, store: &mut Store, out: &Out, now: DateTime<Utc>) -> anyhow::Result<()> {
    match cmd {
        RepliesCmd::List => {
            let replies = store.saved_replies()?;
            if out.json {
                return out.done(&replies, "");
            }
            let rows: Vec<Vec<String>> = replies
                .iter()
                .map(|r| vec![r.id.clone(), r.title.clone(), r.body.lines().next().unwrap_or("").chars().take(50).collect()])
                .collect();
            table(&["ID", "TITLE", "BEGINS"], &rows);
            Ok(())
        }
        RepliesCmd::Fill { reply, case } => {
            let filled = store.fill_saved_reply(&find_reply(store, &reply)?, case.0)?;
            if out.json {
                return out.done(&filled, "");
            }
            println!("{}", filled.text);
            if !filled.missing.is_empty() {
                let names: Vec<String> = filled.missing.iter().map(|m| format!("{{{m}}}")).collect();
                eprintln!("\nStill to fill in by hand: {}", names.join(", "));
            }
            Ok(())
        }
        RepliesCmd::Add { title, body } => {
            let r = store.add_saved_reply(&NewSavedReply { title, body }, now)?;
            out.done(&r, &format!("Saved \"{}\" ({})", r.title, r.id))
        }
        RepliesCmd::Delete { reply } => {
            let id = find_reply(store, &reply)?;
            store.delete_saved_reply(&id)?;
            out.done(&serde_json::json!({ "deleted": id }), "Deleted")
        }
    }
}

fn columns_from(map: &[String]) -> anyhow::Result<OrderColumns> {
    let mut c = OrderColumns::default();
    for pair in map {
        let (field, header) = pair.split_once('=').ok_or_else(|| anyhow!("--map takes FIELD=HEADER, not \"{pair}\""))?;
        let slot = match field.trim() {
            "order_ref" => &mut c.order_ref,
            "email" => &mut c.email,
            "name" => &mut c.name,
            "first_name" => &mut c.first_name,
            "last_name" => &mut c.last_name,
            "placed_at" => &mut c.placed_at,
            "total" => &mut c.total,
            "currency" => &mut c.currency,
            "status" => &mut c.status,
            "item" => &mut c.item,
            "quantity" => &mut c.quantity,
            "tracking" => &mut c.tracking,
            other => return Err(anyhow!("\"{other}\" is not an order field")),
        };
        *slot = header.trim().to_string();
    }
    Ok(c)
}

pub(crate) fn money(cents: Option<i64>, currency: &str) -> String {
    let sign = |c: i64| if c < 0 { "-" } else { "" };
    cents.map(|c| format!("{}{}.{:02} {currency}", sign(c), (c / 100).abs(), (c % 100).abs()).trim().to_string()).unwrap_or_default()
}

pub fn orders(cmd: OrdersCmd, store: &mut Store, out: &Out, now: DateTime<Utc>) -> anyhow::Result<()> {
    let tz: chrono_tz::Tz = store.sla_settings()?.time_zone.parse().unwrap_or(chrono_tz::UTC);
    match cmd {
        OrdersCmd::Import { file, map } => {
            let columns = if map.is_empty() { None } else { Some(columns_from(&map)?) };
            let read = orders::read(&file, columns.as_ref(), tz)?;
            let done = store.import_orders(&read, now, |_, _| {})?;
            let line = format!(
                "Imported {} orders from a {} export ({} new, {} updated, {} lines); {} cases now carry their order number",
                done.new_orders + done.updated_orders,
                done.layout.label(),
                done.new_orders,
                done.updated_orders,
                done.lines,
                done.cases_linked
            );
            out.done(&done, &line)
        }
        OrdersCmd::Preview { file } => {
            let p = orders::preview(&file)?;
            if out.json {
                return out.done(&p, "");
            }
            println!("Layout: {}", p.layout.map(|l| l.label()).unwrap_or("not recognised: import it with --map"));
            println!("Columns: {}", p.headers.join(" | "));
            Ok(())
        }
        OrdersCmd::Show { order } => {
            let o = store.order(&order)?.ok_or_else(|| anyhow!("No order {order} has been imported"))?;
            let line = format!(
                "Order {}: {} <{}>, {}, {}, {}\n  {}",
                o.order_ref,
                o.customer_name,
                o.email,
                o.placed_at.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default(),
                money(o.total_cents, &o.currency),
                o.status,
                o.items
            );
            out.done(&o, &line)
        }
    }
}

pub fn surveys(cmd: SurveysCmd, store: &mut Store, out: &Out, now: DateTime<Utc>) -> anyhow::Result<()> {
    match cmd {
        SurveysCmd::Settings { enabled, days, period_days, text } => {
            let mut s = store.survey_settings()?;
            if enabled.is_some() || days.is_some() || period_days.is_some() || text.is_some() {
                s.enabled = enabled.unwrap_or(s.enabled);
                s.days_after_solved = days.unwrap_or(s.days_after_solved);
                s.period_days = period_days.unwrap_or(s.period_days);
                s.text = text.unwrap_or(s.text);
                s = store.set_survey_settings(&s, now)?;
            }
            let line = if s.enabled {
                format!("Satisfaction checks go out {} days after a case is solved, at most one per customer in {} days", s.days_after_solved, s.period_days)
            } else {
                "Satisfaction checks are off".to_string()
            };
            out.done(&s, &line)
        }
        SurveysCmd::SendDue => {
            let asked = store.queue_due_surveys(now)?;
            out.done(&serde_json::json!({ "cases": asked }), &format!("Queued {} satisfaction checks", asked.len()))
        }
        SurveysCmd::Answers { quotable } => {
            let answers = store.survey_answers(quotable)?;
            if out.json {
                return out.done(&answers, "");
            }
            let rows: Vec<Vec<String>> = answers
                .iter()
                .map(|a| {
                    vec![
                        format!("#{}", a.case_number),
                        a.contact_name.clone(),
                        format!("{}/5", a.rating),
                        if a.quotable { "quotable".into() } else { String::new() },
                        a.comment.lines().next().unwrap_or("").chars().take(60).collect(),
                    ]
                })
                .collect();
            table(&["CASE", "CUSTOMER", "RATING", "", "COMMENT"], &rows);
            Ok(())
        }
        SurveysCmd::Quote { case, off } => {
            store.set_quotable(case.0, !off)?;
            out.done(&serde_json::json!({ "case": case.0, "quotable": !off }), if off { "No longer quotable" } else { "Marked as quotable" })
        }
    }
}

pub fn report(store: &Store, out: &Out, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>, csv: Option<PathBuf>, now: DateTime<Utc>) -> anyhow::Result<()> {
    let to = to.unwrap_or(now);
    let from = from.unwrap_or(to - Duration::days(90));
    let report = store.report(from, to, now)?;
    if let Some(dir) = csv {
        std::fs::create_dir_all(&dir)?;
        let mut files = Vec::new();
        for t in report.tables() {
            let file = dir.join(format!("{}.csv", t.id));
            std::fs::write(&file, shopdesk_core::export::table_csv(&t)?)?;
            files.push(file);
        }
        return out.done(&serde_json::json!({ "files": files }), &format!("Wrote {} tables to {}", files.len(), dir.display()));
    }
    if out.json {
        return out.done(&report, "");
    }
    for t in report.tables() {
        println!("{}", t.title);
        table(&t.columns.iter().map(String::as_str).collect::<Vec<_>>(), &t.rows);
        println!();
    }
    Ok(())
}

pub fn export(store: &Store, out: &Out, to: PathBuf, json: bool, now: DateTime<Utc>) -> anyhow::Result<()> {
    let data = store.export_data(now)?;
    let counts = format!("{} contacts, {} cases, {} messages", data.contacts.len(), data.cases.len(), data.messages.len());
    if json {
        shopdesk_core::export::write_json(&to, &data)?;
        out.done(&serde_json::json!({ "file": to }), &format!("Exported {counts} to {}", to.display()))
    } else {
        let files = shopdesk_core::export::write_csv(&to, &data)?;
        out.done(&serde_json::json!({ "files": files }), &format!("Exported {counts} to {}", to.display()))
    }
}

