//! `shopdesk`: the command line over Shopdesk's core, for scripts, cron and tests.
//! It translates arguments into core calls and results into tables or JSON; every rule lives
//! in shopdesk-core. Errors print as one line on stderr with a non-zero exit.

mod output;
mod shop;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Context};
use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use clap::{Args, Parser, Subcommand};
use shopdesk_core::{
    account::Security, demo, mail::worker, paths, CasePatch, Category, Channel, ContactRef, Direction, Fault, NewCase, NewContact, NewMessage,
    Priority, QueueFilter, Status, Store, DEFAULT_AUTHOR,
};

#[derive(Parser)]
#[command(name = "shopdesk", version, about = "Shopdesk from the command line: contacts, cases and the queue")]
struct Cli {
    /// The database file (default: the one the desktop app uses)
    #[arg(long, global = true, env = "SHOPDESK_DB", value_name = "FILE")]
    db: Option<PathBuf>,
    /// Print JSON for scripts instead of tables
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Add, find, show and merge contacts
    #[command(subcommand)]
    Contact(ContactCmd),
    /// Open cases, log messages, change status and fields
    #[command(subcommand)]
    Case(CaseCmd),
    /// Open cases, longest-waiting customer first
    Queue {
        #[command(flatten)]
        filter: FilterArgs,
        /// Measure waiting times at this moment instead of now
        #[arg(long, value_parser = parse_time)]
        at: Option<DateTime<Utc>>,
        /// Show at most this many cases (default: every open case)
        #[arg(long)]
        limit: Option<u32>,
        /// Start at this position in the queue (0 = the top)
        #[arg(long, default_value_t = 0)]
        offset: u32,
    },
    /// Reply targets: which customers are due soon or overdue, and the targets themselves
    #[command(subcommand)]
    Sla(SlaCmd),
    /// Customers to get back to: no news while waiting on a third party, or no answer yet
    Reminders {
        /// Judge at this moment instead of now
        #[arg(long, value_parser = parse_time)]
        at: Option<DateTime<Utc>>,
    },
    /// Search what was said, cases and contacts (case numbers, emails, phones and order references jump)
    Search {
        query: String,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Measure on a synthetic mailbox in a temporary folder (your data is not touched)
    Bench {
        #[arg(long, default_value_t = 10_000)]
        messages: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Only write the synthetic mailbox to this file (for bench/compare.sh) and measure nothing
        #[arg(long, value_name = "FILE")]
        write_mbox: Option<PathBuf>,
        /// Then top the database up with synthetic open cases to each of these counts and measure
        /// the queue's first page again
        #[arg(long, value_delimiter = ',', default_values_t = shopdesk_core::bench::QUEUE_SIZES)]
        queue_sizes: Vec<u32>,
        /// Also write the figures as JSON to this file (the table is still printed)
        #[arg(long, value_name = "FILE")]
        json_file: Option<PathBuf>,
    },
    /// Copy the database into a backups folder (the newest --keep are kept)
    Backup {
        /// The folder (default: backups/ beside the database)
        #[arg(long)]
        to: Option<PathBuf>,
        #[arg(long, default_value_t = shopdesk_core::backup::DEFAULT_KEEP)]
        keep: usize,
    },
    /// Put a backup in place of the database (close the app first); the current one is kept aside
    Restore { file: PathBuf },
    /// Bring past mail in: an mbox file, .eml files or folders of them (run again: nothing doubles)
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Bring the conversations whose last message is older than DAYS days in closed, so that
        /// years of past mail don't fill the queue with customers "waiting" since then. Without
        /// it every conversation comes in as it stands.
        #[arg(long, value_name = "DAYS")]
        close_quiet_days: Option<u32>,
    },
    /// The shop's mail account, sending what waits in the outbox, and fetching new mail
    #[command(subcommand)]
    Mail(MailCmd),
    /// Show or change how the desktop app behaves
    Prefs {
        /// Keep the app running in the tray when its window is closed
        #[arg(long, action = clap::ArgAction::Set, value_name = "true|false")]
        keep_in_tray: Option<bool>,
    },
    /// Saved replies: list, fill in for a case, add, delete
    #[command(subcommand)]
    Replies(shop::RepliesCmd),
    /// The shop's orders, imported from its Shopify, WooCommerce or Etsy export
    #[command(subcommand)]
    Orders(shop::OrdersCmd),
    /// Satisfaction checks after a case is solved, and customers' answers
    #[command(subcommand)]
    Surveys(shop::SurveysCmd),
    /// First-reply times, open cases by age, categories, faults, satisfaction (default: the last 90 days)
    Report {
        #[arg(long, value_parser = parse_time)]
        from: Option<DateTime<Utc>>,
        #[arg(long, value_parser = parse_time)]
        to: Option<DateTime<Utc>>,
        /// Write each table as a CSV file into this folder
        #[arg(long, value_name = "DIR")]
        csv: Option<PathBuf>,
    },
    /// Export contacts, cases and messages: CSV files into a folder, or one JSON file with --format json
    Export {
        /// The folder (CSV) or the file (JSON)
        #[arg(long)]
        to: PathBuf,
        #[arg(long, default_value = "csv", value_parser = ["csv", "json"])]
        format: String,
    },
    /// Fill an empty database with sample shop data
    Demo,
    /// Print the database path in use
    Where,
}

#[derive(Subcommand)]
enum SlaCmd {
    /// Cases whose customer is due an answer soon or already overdue
    Check {
        /// Judge at this moment instead of now
        #[arg(long, value_parser = parse_time)]
        at: Option<DateTime<Utc>>,
    },
    /// Show the reply targets, time zone and business hours
    Show,
    /// Change reply targets (minutes) for one channel, the warning threshold or the time zone
    Set {
        #[arg(long, requires = "first")]
        channel: Option<Channel>,
        /// Minutes to the first reply on --channel
        #[arg(long, requires = "channel")]
        first: Option<u32>,
        /// Minutes to answer a customer who wrote again, on --channel
        #[arg(long, requires = "channel")]
        later: Option<u32>,
        /// "Due soon" from this percentage of the target
        #[arg(long)]
        warn_percent: Option<u8>,
        /// IANA time zone, like Europe/Lisbon
        #[arg(long)]
        time_zone: Option<String>,
        /// Remind to keep a customer posted after this many days without news
        #[arg(long)]
        keep_posted_days: Option<u32>,
        /// Remind to follow up after this many days without the customer's answer
        #[arg(long)]
        follow_up_days: Option<u32>,
        /// Solve a case waiting on a silent customer after this many days (0: never)
        #[arg(long)]
        auto_solve_days: Option<u32>,
    },
}

/// Narrowing by the case: the queue's and the search's filters.
#[derive(Args)]
struct FilterArgs {
    #[arg(long)]
    status: Option<Status>,
    #[arg(long)]
    channel: Option<Channel>,
    #[arg(long)]
    category: Option<Category>,
    /// Cases with this tag
    #[arg(long)]
    tag: Option<String>,
    /// From this time on (RFC 3339, "YYYY-MM-DD HH:MM" or a day "YYYY-MM-DD", local time)
    #[arg(long, value_parser = parse_time)]
    since: Option<DateTime<Utc>>,
    /// Before this time
    #[arg(long, value_parser = parse_time)]
    until: Option<DateTime<Utc>>,
}

impl From<FilterArgs> for QueueFilter {
    fn from(f: FilterArgs) -> QueueFilter {
        QueueFilter { status: f.status, channel: f.channel, category: f.category, tag: f.tag, since: f.since, until: f.until }
    }
}

#[derive(Subcommand)]
enum MailCmd {
    /// Show the mail account (the password is in the system keychain, never shown)
    Account,
    /// Change the mail account: only the options given change
    Setup(Box<MailSetup>),
    /// Save the account's password in the system keychain, read from standard input
    Password {
        /// Remove the saved password instead
        #[arg(long)]
        forget: bool,
    },
    /// Send a test email now (to the shop's own address unless --to is given)
    Test {
        #[arg(long)]
        to: Option<String>,
    },
    /// Send every email that is due from the outbox now
    Send,
    /// Fetch new mail from the shop's mailbox (IMAP) and file it on cases
    Fetch,
    /// Emails waiting to be sent, held, or sent in the last two days
    Outbox,
    /// Send a waiting or held email at the next pass (by its message id)
    Retry { id: String },
    /// Cancel an email that has not been sent (it stays on the case, marked not sent)
    Cancel { id: String },
}

#[derive(Args)]
struct MailSetup {
    #[arg(long)]
    from_name: Option<String>,
    #[arg(long)]
    from_address: Option<String>,
    #[arg(long)]
    username: Option<String>,
    #[arg(long)]
    smtp_host: Option<String>,
    #[arg(long)]
    smtp_port: Option<u16>,
    /// tls, starttls or none (none only for a server on this computer)
    #[arg(long, value_parser = parse_security)]
    smtp_security: Option<Security>,
    #[arg(long)]
    imap_host: Option<String>,
    #[arg(long)]
    imap_port: Option<u16>,
    #[arg(long, value_parser = parse_security)]
    imap_security: Option<Security>,
    #[arg(long)]
    imap_folder: Option<String>,
    /// Minutes between looks for new mail
    #[arg(long)]
    poll_minutes: Option<u32>,
    #[arg(long)]
    signature: Option<String>,
    /// Acknowledge new customer emails with their case number
    #[arg(long, action = clap::ArgAction::Set, value_name = "true|false")]
    acknowledge: Option<bool>,
    #[arg(long)]
    acknowledgement_text: Option<String>,
    /// The saved follow-up for customers who went quiet ({name}, {case}, {subject} are filled in)
    #[arg(long)]
    follow_up_text: Option<String>,
}

fn parse_security(s: &str) -> Result<Security, String> {
    match s.trim().to_lowercase().as_str() {
        "tls" | "ssl" => Ok(Security::Tls),
        "starttls" => Ok(Security::Starttls),
        "none" => Ok(Security::None),
        other => Err(format!("\"{other}\" is not a security setting; use tls, starttls or none")),
    }
}

#[derive(Subcommand)]
enum ContactCmd {
    /// Add a contact
    Add(ContactArgs),
    /// Find contacts by name, email or phone (all when no query is given)
    Find { query: Option<String> },
    /// Show a contact (by id, email or phone) with all their cases
    Show { key: String },
    /// Merge the second contact into the first; their cases follow
    Merge { keep: String, absorb: String },
}

#[derive(Args)]
struct ContactArgs {
    #[arg(long)]
    name: String,
    #[arg(long = "email")]
    emails: Vec<String>,
    #[arg(long = "phone")]
    phones: Vec<String>,
    #[arg(long, default_value = "")]
    address: String,
    #[arg(long, default_value = "")]
    notes: String,
    #[arg(long = "tag")]
    tags: Vec<String>,
}

#[derive(Args)]
struct MessageArgs {
    /// email, phone, voicemail, chat, social, letter, in_person
    #[arg(long)]
    channel: Channel,
    /// from_customer, from_shop or note
    #[arg(long, default_value = "from_customer")]
    direction: Direction,
    /// What was said
    #[arg(long)]
    text: String,
    #[arg(long, default_value = "")]
    author: String,
    /// When it happened (RFC 3339, or "YYYY-MM-DD HH:MM" local time); default now
    #[arg(long, value_parser = parse_time)]
    at: Option<DateTime<Utc>>,
}

impl MessageArgs {
    fn into_message(self) -> NewMessage {
        NewMessage { direction: self.direction, channel: self.channel, author: self.author, body: self.text, happened_at: self.at }
    }
}

#[derive(Subcommand)]
enum CaseCmd {
    /// Open a case with its first message, for a known contact or a new one
    Open {
        /// The contact's id, email or phone
        #[arg(long, required_unless_present = "new_name", conflicts_with = "new_name")]
        contact: Option<String>,
        /// Create a new contact with this name
        #[arg(long)]
        new_name: Option<String>,
        #[arg(long)]
        new_email: Vec<String>,
        #[arg(long)]
        new_phone: Vec<String>,
        #[arg(long)]
        subject: String,
        #[arg(long, default_value = "normal")]
        priority: Priority,
        #[arg(long, default_value = "other")]
        category: Category,
        #[command(flatten)]
        message: MessageArgs,
    },
    /// Log a message, call, voicemail or note on a case
    Log {
        number: CaseNumber,
        #[command(flatten)]
        message: MessageArgs,
    },
    /// Change a case's status
    Status { number: CaseNumber, status: Status },
    /// Change a case's fields
    Set {
        number: CaseNumber,
        #[arg(long)]
        subject: Option<String>,
        #[arg(long)]
        priority: Option<Priority>,
        #[arg(long)]
        category: Option<Category>,
        #[arg(long)]
        fault: Option<Fault>,
        #[arg(long = "order")]
        order_ref: Option<String>,
        #[arg(long = "tracking")]
        tracking_ref: Option<String>,
        #[arg(long)]
        third_party: Option<String>,
        /// Replace the tags (repeat for several)
        #[arg(long = "tag")]
        tags: Option<Vec<String>>,
        /// A reply target in minutes for this case alone (0: back to the channel's)
        #[arg(long = "reply-target")]
        reply_target_mins: Option<u32>,
    },
    /// Remind me of a case at a time: it comes back to the top of the queue and notifies
    Remind {
        number: CaseNumber,
        /// When (RFC 3339, or "YYYY-MM-DD HH:MM" local time)
        #[arg(long, value_parser = parse_time, required_unless_present = "clear", conflicts_with = "clear")]
        at: Option<DateTime<Utc>>,
        /// Remove the reminder
        #[arg(long)]
        clear: bool,
    },
    /// Reply to the case's customer by email (queued in the outbox, sent by `mail send` or the app)
    Reply {
        number: CaseNumber,
        #[arg(long)]
        text: String,
        /// Send it later, at this time (RFC 3339, or "YYYY-MM-DD HH:MM" local time)
        #[arg(long, value_parser = parse_time)]
        at: Option<DateTime<Utc>>,
        #[arg(long, default_value = "")]
        author: String,
    },
    /// Send the saved follow-up to a customer who went quiet (the case waits on them)
    FollowUp { number: CaseNumber },
    /// Show a case with its timeline
    Show { number: CaseNumber },
    /// Merge two cases about the same matter (the older number stays)
    Merge { a: CaseNumber, b: CaseNumber },
}

/// A case number as people write it: 1042 or #1042.
#[derive(Clone, Copy)]
pub(crate) struct CaseNumber(pub(crate) u32);

impl std::str::FromStr for CaseNumber {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim()
            .trim_start_matches('#')
            .parse()
            .map(CaseNumber)
            .map_err(|_| format!("\"{s}\" is not a case number (like 1042 or #1042)"))
    }
}

pub(crate) fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(day) = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        return parse_time(&format!("{day} 00:00"));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s.trim(), format) {
            return Local
                .from_local_datetime(&naive)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| format!("{s} does not exist in the local time zone"));
        }
    }
    Err(format!("\"{s}\" is not a time; use 2026-11-25T14:03:00Z or \"2026-11-25 14:03\""))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let path = match cli.db {
        Some(path) => path,
        None => paths::default_db_path().ok_or_else(|| anyhow!("No data folder on this system; pass --db FILE"))?,
    };
    if let Command::Where = cli.command {
        println!("{}", path.display());
        return Ok(());
    }
    if let Command::Bench { messages, seed, write_mbox: Some(file), .. } = &cli.command {
        shopdesk_core::bench::write_synced(file, &shopdesk_core::bench::synthetic_mbox(*messages, *seed)).with_context(|| format!("Could not write {}", file.display()))?;
        return output::Out { json: cli.json }.done(&serde_json::json!({ "file": file, "messages": messages, "seed": seed }), &format!("Wrote {messages} messages (seed {seed}) to {}", file.display()));
    }
    if let Command::Bench { messages, seed, queue_sizes, json_file, .. } = &cli.command {
        let dir = std::env::temp_dir().join(format!("shopdesk-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let report = shopdesk_core::bench::run_with_queue_sizes(&dir, *messages, *seed, Utc::now(), queue_sizes);
        let _ = std::fs::remove_dir_all(&dir);
        let report = report?;
        if let Some(file) = json_file {
            std::fs::write(file, serde_json::to_vec_pretty(&report)?).with_context(|| format!("Could not write {}", file.display()))?;
        }
        return output::Out { json: cli.json }.bench(&report);
    }
    if let Command::Restore { file } = &cli.command {
        let aside = shopdesk_core::backup::restore(file, &path, Utc::now())?;
        println!("Restored {} (the database it replaced is kept as {})", file.display(), aside.display());
        return Ok(());
    }
    let mut store = Store::open(&path).with_context(|| format!("Could not open {}", path.display()))?;
    let out = output::Out { json: cli.json };
    let clock = shopdesk_core::wallclock::Clock::from_env();
    let now = clock.now();
    match cli.command {
        Command::Where => Ok(()),
        Command::Demo => {
            let n = demo::load(&mut store, now)?;
            out.done(&serde_json::json!({ "cases": n }), &format!("Loaded sample shop data: {n} cases"))
        }
        Command::Queue { filter, at, limit, offset } => {
            let queue = store.queue(&filter.into(), shopdesk_core::QueuePage { offset, limit }, at.unwrap_or(now))?;
            out.queue(&queue)
        }
        Command::Restore { .. } | Command::Bench { .. } => Ok(()),
        Command::Backup { to, keep } => {
            let dir = to.unwrap_or_else(|| path.with_file_name("backups"));
            let file = store.back_up(&dir, keep, now)?;
            out.done(&serde_json::json!({ "file": file }), &format!("Backed up to {}", file.display()))
        }
        Command::Search { query, filter } => out.search(&store.search(&query, &filter.into())?),
        Command::Import { paths, close_quiet_days } => {
            let store = ImportStore { store: std::sync::Mutex::new(store), hold: import_hold_limit() };
            let options = shopdesk_core::mail::import::ImportOptions { close_quiet_days, ..Default::default() };
            let bar = output::EmailsBar::on_terminal("Importing");
            let r = shopdesk_core::mail::import::import_paths_with(&store, &paths, &options, || clock.now(), |p| bar.show(p.done, p.total));
            bar.finish();
            let r = r?;
            let mut line = format!(
                "Imported {} emails ({} already there): {} new cases, {} new contacts, {} with warnings",
                r.stored, r.duplicates, r.new_cases, r.new_contacts, r.with_warnings
            );
            if let Some(days) = close_quiet_days {
                line += &format!("; {} closed, quiet for more than {days} days", r.closed_quiet);
            }
            out.done(&r, &line)
        }
        Command::Mail(cmd) => mail(cmd, store, &out, clock),
        Command::Replies(cmd) => shop::replies(cmd, &mut store, &out, now),
        Command::Orders(cmd) => shop::orders(cmd, &mut store, &out, now),
        Command::Surveys(cmd) => shop::surveys(cmd, &mut store, &out, now),
        Command::Report { from, to, csv } => shop::report(&store, &out, from, to, csv, now),
        Command::Export { to, format } => shop::export(&store, &out, to, format == "json", now),
        Command::Prefs { keep_in_tray } => {
            let mut prefs = store.app_prefs()?;
            if let Some(keep) = keep_in_tray {
                prefs.keep_running_in_tray = keep;
                store.set_app_prefs(&prefs)?;
            }
            let line = format!(
                "Closing the window {}",
                if prefs.keep_running_in_tray { "keeps Shopdesk running in the tray" } else { "quits Shopdesk" }
            );
            out.done(&prefs, &line)
        }
        Command::Reminders { at } => out.reminders(&store.due_reminders(at.unwrap_or(now))?),
        Command::Sla(cmd) => match cmd {
            SlaCmd::Check { at } => {
                let at = at.unwrap_or(now);
                out.sla_check(&store.sla_check(at)?, at)
            }
            SlaCmd::Show => {
                let settings = store.sla_settings()?;
                out.done(&settings, &serde_json::to_string_pretty(&settings)?)
            }
            SlaCmd::Set { channel, first, later, warn_percent, time_zone, keep_posted_days, follow_up_days, auto_solve_days } => {
                let mut settings = store.sla_settings()?;
                if let (Some(channel), Some(first)) = (channel, first) {
                    settings.first_reply_mins.insert(channel, first);
                    if let Some(later) = later {
                        settings.later_reply_mins.insert(channel, later);
                    }
                }
                if let Some(percent) = warn_percent {
                    settings.warn_percent = percent;
                }
                if let Some(tz) = time_zone {
                    settings.time_zone = tz;
                }
                if let Some(days) = keep_posted_days {
                    settings.keep_posted_days = days;
                }
                if let Some(days) = follow_up_days {
                    settings.follow_up_days = days;
                }
                if let Some(days) = auto_solve_days {
                    settings.auto_solve_days = (days > 0).then_some(days);
                }
                store.set_sla_settings(&settings)?;
                out.done(&settings, "Saved the reply targets")
            }
        },
        Command::Contact(cmd) => match cmd {
            ContactCmd::Add(args) => {
                let input = NewContact {
                    name: args.name,
                    emails: args.emails,
                    phones: args.phones,
                    address: args.address,
                    notes: args.notes,
                    tags: args.tags,
                };
                let contact = store.create_contact(&input, now)?;
                out.done(&contact, &format!("Added {} ({})", contact.name, contact.id))
            }
            ContactCmd::Find { query } => out.contacts(&store.find_contacts(query.as_deref().unwrap_or(""))?),
            ContactCmd::Show { key } => {
                let contact = store.resolve_contact(&key)?;
                out.profile(&store.contact_profile(contact.id, now)?)
            }
            ContactCmd::Merge { keep, absorb } => {
                let keep = store.resolve_contact_as_typed(&keep)?;
                let absorb = store.resolve_contact_as_typed(&absorb)?;
                let merged = store.merge_contacts(keep.id, absorb.id, DEFAULT_AUTHOR, now)?;
                out.done(&merged, &format!("Merged {} into {}", absorb.name, merged.name))
            }
        },
        Command::Case(cmd) => match cmd {
            CaseCmd::Open { contact, new_name, new_email, new_phone, subject, priority, category, message } => {
                let contact = match (contact, new_name) {
                    (Some(key), _) => ContactRef::Existing(store.resolve_contact(&key)?.id),
                    (None, Some(name)) => ContactRef::New(NewContact { name, emails: new_email, phones: new_phone, ..NewContact::default() }),
                    (None, None) => return Err(anyhow!("Say who the case is for: --contact or --new-name")),
                };
                let input = NewCase { contact, subject, priority, category, first_message: message.into_message() };
                let case = store.open_case(&input, now)?;
                out.done(&case, &format!("Opened case #{}: {}", case.number, case.subject))
            }
            CaseCmd::Log { number, message } => {
                let message = store.log_message(number.0, &message.into_message(), now)?;
                out.done(&message, &format!("Logged {} {} on case #{}", message.direction, message.channel, number.0))
            }
            CaseCmd::Status { number, status } => {
                let patch = CasePatch { status: Some(status), ..CasePatch::default() };
                let case = store.update_case(number.0, &patch, DEFAULT_AUTHOR, now)?;
                out.done(&case, &format!("Case #{} is now {}", case.number, case.status))
            }
            CaseCmd::Set {
                number,
                subject,
                priority,
                category,
                fault,
                order_ref,
                tracking_ref,
                third_party,
                tags,
                reply_target_mins,
            } => {
                let patch = CasePatch {
                    status: None,
                    priority,
                    category,
                    fault,
                    subject,
                    order_ref,
                    tracking_ref,
                    third_party,
                    tags,
                    reply_target_mins,
                };
                let case = store.update_case(number.0, &patch, DEFAULT_AUTHOR, now)?;
                out.done(&case, &format!("Updated case #{}", case.number))
            }
            CaseCmd::Remind { number, at, clear: _ } => {
                let case = store.set_reminder(number.0, at, DEFAULT_AUTHOR, now)?;
                let line = match case.remind_at {
                    Some(at) => format!("Will remind you of case #{} at {}", case.number, at.with_timezone(&Local).format("%Y-%m-%d %H:%M")),
                    None => format!("No reminder on case #{}", case.number),
                };
                out.done(&case, &line)
            }
            CaseCmd::Reply { number, text, at, author } => {
                let message = store.queue_reply(number.0, &text, at, &author, now)?;
                let line = match at {
                    Some(at) => format!("Reply on case #{} will be sent at {}", number.0, at.with_timezone(&Local).format("%Y-%m-%d %H:%M")),
                    None => format!("Reply on case #{} is in the outbox", number.0),
                };
                out.done(&message, &line)
            }
            CaseCmd::FollowUp { number } => {
                let message = store.queue_follow_up(number.0, DEFAULT_AUTHOR, now)?;
                out.done(&message, &format!("The follow-up on case #{} is in the outbox", number.0))
            }
            CaseCmd::Show { number } => out.case(&store.case_view(number.0, now)?),
            CaseCmd::Merge { a, b } => {
                let case = store.merge_cases(a.0, b.0, DEFAULT_AUTHOR, now)?;
                let gone = a.0.max(b.0);
                out.done(&case, &format!("Merged case #{gone} into #{}", case.number))
            }
        },
    }
}

fn mail(cmd: MailCmd, mut store: Store, out: &output::Out, clock: shopdesk_core::wallclock::Clock) -> anyhow::Result<()> {
    let now = clock.now();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    match cmd {
        MailCmd::Account => {
            let account = store.mail_account()?;
            out.done(&account, &serde_json::to_string_pretty(&account)?)
        }
        MailCmd::Setup(o) => {
            let mut a = store.mail_account()?;
            let set = |field: &mut String, value: Option<String>| {
                if let Some(v) = value {
                    *field = v;
                }
            };
            set(&mut a.from_name, o.from_name);
            set(&mut a.from_address, o.from_address);
            set(&mut a.username, o.username);
            set(&mut a.smtp_host, o.smtp_host);
            set(&mut a.imap_host, o.imap_host);
            set(&mut a.imap_folder, o.imap_folder);
            set(&mut a.signature, o.signature);
            set(&mut a.acknowledgement_text, o.acknowledgement_text);
            set(&mut a.follow_up_text, o.follow_up_text);
            a.smtp_port = o.smtp_port.unwrap_or(a.smtp_port);
            a.smtp_security = o.smtp_security.unwrap_or(a.smtp_security);
            a.imap_port = o.imap_port.unwrap_or(a.imap_port);
            a.imap_security = o.imap_security.unwrap_or(a.imap_security);
            a.poll_minutes = o.poll_minutes.unwrap_or(a.poll_minutes);
            a.acknowledge = o.acknowledge.unwrap_or(a.acknowledge);
            let saved = store.set_mail_account(&a)?;
            store.requeue_held(now)?;
            out.done(&saved, "Saved the mail account")
        }
        MailCmd::Password { forget } => {
            let account = store.mail_account()?;
            let user = account.keychain_user();
            if forget {
                shopdesk_core::secrets::delete_password(&user).map_err(|e| anyhow!(e))?;
                return out.done(&serde_json::json!({ "saved": false }), "Removed the mail password from the system keychain");
            }
            let mut password = String::new();
            std::io::stdin().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            if password.is_empty() {
                return Err(anyhow!("No password given on standard input"));
            }
            shopdesk_core::secrets::set_password(&user, password).map_err(|e| anyhow!(e))?;
            store.requeue_held(now)?;
            out.done(&serde_json::json!({ "saved": true }), "Saved the mail password in the system keychain")
        }
        MailCmd::Test { to } => {
            let account = store.mail_account()?;
            let line = runtime.block_on(worker::send_test(&account, to.as_deref(), now)).map_err(|e| anyhow!(e))?;
            out.done(&serde_json::json!({ "sent": true }), &line)
        }
        MailCmd::Send => {
            let store = std::sync::Mutex::new(store);
            let report = runtime.block_on(worker::deliver_due(&store, || clock.now()))?;
            let mut line = format!("Sent {} emails", report.sent);
            for failure in &report.failed {
                line.push_str(&format!("\nNot sent: {failure}"));
            }
            out.done(&report, &line)
        }
        MailCmd::Fetch => {
            let store = std::sync::Mutex::new(store);
            let bar = output::EmailsBar::on_terminal("Fetching");
            let report = runtime.block_on(worker::fetch_mail(&store, || clock.now(), |p| bar.show(p.done, p.total)));
            bar.finish();
            let report = report.map_err(|e| anyhow!(e))?;
            let mut line = format!(
                "Fetched {} emails: {} new cases, {} added to cases, {} already there, {} acknowledged",
                report.fetched, report.new_cases, report.added_to_cases, report.duplicates, report.acknowledged
            );
            for warning in &report.warnings {
                line.push_str(&format!("\nWarning: {warning}"));
            }
            out.done(&report, &line)
        }
        MailCmd::Outbox => out.outbox(&store.outbox(now)?),
        MailCmd::Retry { id } => {
            let message = store.retry_outgoing(parse_message_id(&id)?, now)?;
            out.done(&message, "It will be sent at the next pass")
        }
        MailCmd::Cancel { id } => {
            let message = store.cancel_outgoing(parse_message_id(&id)?, now)?;
            out.done(&message, "Cancelled: it stays on the case, marked not sent")
        }
    }
}

fn parse_message_id(s: &str) -> anyhow::Result<shopdesk_core::MessageId> {
    s.trim().parse().map_err(|_| anyhow!("\"{s}\" is not a message id (see `shopdesk mail outbox`)"))
}

/// The store an import takes a step at a time (see `StoreAccess::hold_limit`).
struct ImportStore {
    store: std::sync::Mutex<shopdesk_core::store::Store>,
    hold: Option<std::time::Duration>,
}

impl shopdesk_core::mail::worker::StoreAccess for ImportStore {
    fn with<R>(&self, f: impl FnOnce(&mut shopdesk_core::store::Store) -> shopdesk_core::Result<R>) -> shopdesk_core::Result<R> {
        shopdesk_core::mail::worker::StoreAccess::with(&self.store, f)
    }

    fn hold_limit(&self) -> Option<std::time::Duration> {
        self.hold
    }
}

/// How long an import may hold the database per step: the core's default, or
/// `SHOPDESK_IMPORT_HOLD_MS` (0: a whole batch a step). For counting an import's instructions under
/// valgrind (bench/import-instructions.sh), which runs everything ~50 times slower: with the
/// default, how batches are cut would depend on timing, and the count would vary from run to run.
fn import_hold_limit() -> Option<std::time::Duration> {
    match std::env::var("SHOPDESK_IMPORT_HOLD_MS").ok().and_then(|ms| ms.parse::<u64>().ok()) {
        Some(0) => None,
        Some(ms) => Some(std::time::Duration::from_millis(ms)),
        None => Some(shopdesk_core::mail::worker::DEFAULT_HOLD_LIMIT),
    }
}
