//! The domain's vocabulary: the enums and records the store reads and writes and the shell and
//! CLI show. Field names here are the JSON names the UI sees (TypeScript twins via ts-rs).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::{CaseId, ContactId, EventId, MessageId};
use crate::sla::ClockState;

/// A closed set of words stored as text, shown with a label, parsed from what a user types
/// ("waiting on customer", "waiting_on_customer" and "waiting-on-customer" all parse).
macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $word:literal, $label:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        #[serde(rename_all = "snake_case")]
        #[ts(export)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word stored in the database and used in JSON.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            /// How a person reads it.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim().to_lowercase().replace([' ', '-', '/'], "_");
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == wanted)
                    .ok_or_else(|| {
                        let words: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        format!("\"{}\" is not a {}; use one of: {}", s.trim(),
                            stringify!($name).to_lowercase(), words.join(", "))
                    })
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                value.as_str()?.parse().map_err(|e: String| FromSqlError::Other(e.into()))
            }
        }
    };
}

word_enum!(
    /// Where a case stands. Solved and closed cases leave the queue.
    Status {
        New => "new", "new";
        Open => "open", "open";
        WaitingOnCustomer => "waiting_on_customer", "waiting on customer";
        WaitingOnThirdParty => "waiting_on_third_party", "waiting on third party";
        OnHold => "on_hold", "on hold";
        Solved => "solved", "solved";
        Closed => "closed", "closed";
    }
);

impl Status {
    /// Open cases are the ones in the queue.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Solved | Status::Closed)
    }
}

word_enum!(
    Priority {
        Low => "low", "low";
        Normal => "normal", "normal";
        High => "high", "high";
        Urgent => "urgent", "urgent";
    }
);

word_enum!(
    Category {
        Delivery => "delivery", "delivery";
        DamagedItem => "damaged_item", "damaged item";
        Quality => "quality", "quality";
        RefundReturn => "refund_return", "refund / return";
        Payment => "payment", "payment";
        Question => "question", "question";
        Other => "other", "other";
    }
);

word_enum!(
    /// Who was at fault decides who arranges (and pays for) a return.
    Fault {
        Unknown => "unknown", "unknown";
        Shop => "shop", "shop";
        Customer => "customer", "customer";
        Courier => "courier", "courier";
        Manufacturer => "manufacturer", "manufacturer";
    }
);

word_enum!(
    /// Who spoke: the customer, the shop (what the customer sees), or an internal note.
    Direction {
        FromCustomer => "from_customer", "from customer";
        FromShop => "from_shop", "from shop";
        Note => "note", "internal note";
    }
);

word_enum!(
    Channel {
        Email => "email", "email";
        Phone => "phone", "phone";
        Voicemail => "voicemail", "voicemail";
        Chat => "chat", "chat";
        Social => "social", "social";
        Letter => "letter", "letter";
        InPerson => "in_person", "in person";
    }
);

word_enum!(
    EventKind {
        Created => "created", "created";
        StatusChanged => "status_changed", "status changed";
        FieldChanged => "field_changed", "field changed";
        Merged => "merged", "merged";
        ContactChanged => "contact_changed", "contact changed";
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Contact {
    pub id: ContactId,
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub address: String,
    pub notes: String,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a person fills in to create or edit a contact; the core normalises and checks it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct NewContact {
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub address: String,
    pub notes: String,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ContactSummary {
    pub id: ContactId,
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub open_cases: u32,
    pub total_cases: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ContactProfile {
    pub contact: Contact,
    pub cases: Vec<CaseSummary>,
    /// Their orders from the shop's imported exports, newest first.
    pub orders: Vec<crate::orders::Order>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Case {
    pub id: CaseId,
    /// The human number (#1001); never reused.
    pub number: u32,
    pub subject: String,
    pub contact_id: ContactId,
    pub status: Status,
    pub priority: Priority,
    pub category: Category,
    pub fault: Fault,
    /// The channel the case came in by.
    pub channel: Channel,
    pub order_ref: String,
    pub tracking_ref: String,
    pub third_party: String,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set when this case was merged into another: that case's number.
    pub merged_into: Option<u32>,
    /// The customer's oldest unanswered message; `None` when nobody is waiting for the shop.
    pub waiting_since: Option<DateTime<Utc>>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub last_shop_reply_at: Option<DateTime<Utc>>,
    /// A reply target (minutes) for this case alone, replacing the channel's.
    pub reply_target_mins: Option<u32>,
    /// The channel of the message that started the current wait (its reply target applies).
    pub waiting_channel: Option<Channel>,
    /// "Remind me" at this time: the case comes back to the top of the queue and notifies.
    pub remind_at: Option<DateTime<Utc>>,
}

/// One case as a line in the queue or in a contact's profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseSummary {
    pub id: CaseId,
    pub number: u32,
    pub subject: String,
    pub status: Status,
    pub priority: Priority,
    pub category: Category,
    pub channel: Channel,
    pub contact_id: ContactId,
    pub contact_name: String,
    pub waiting_since: Option<DateTime<Utc>>,
    /// How long the customer has waited at the `now` the summary was made for.
    #[ts(type = "number | null")]
    pub waiting_secs: Option<i64>,
    /// Where the waiting customer's clock stands against the reply target.
    pub clock: Option<ClockState>,
    /// The shop's latest message the customer saw.
    pub last_shop_reply_at: Option<DateTime<Utc>>,
    /// A reminder the owner set on the case (due when in the past).
    pub remind_at: Option<DateTime<Utc>>,
    pub last_activity_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Message {
    pub id: MessageId,
    pub case_id: CaseId,
    pub direction: Direction,
    pub channel: Channel,
    pub author: String,
    pub body: String,
    /// When it really happened (a voicemail logged an hour later keeps its real time).
    pub happened_at: DateTime<Utc>,
    /// When it was written into Shopdesk.
    pub recorded_at: DateTime<Utc>,
    /// Sent by Shopdesk itself (an acknowledgement); it does not stop the waiting clock.
    pub automatic: bool,
    /// For an email the shop sends from Shopdesk: where it stands in the outbox.
    pub delivery: Option<Delivery>,
    /// Files that came with a received email, stored beside the database.
    pub attachments: Vec<Attachment>,
    /// The email also had an HTML version (shown, sanitised, on request).
    pub has_html: bool,
    /// A customer's answer to a satisfaction check: the rating read from it (1–5).
    pub rating: Option<u8>,
}

word_enum!(
    /// Where an email the shop wrote stands.
    DeliveryState {
        Queued => "queued", "waiting to be sent";
        Sent => "sent", "sent";
        Held => "held", "not sent";
        Cancelled => "cancelled", "cancelled";
    }
);

word_enum!(
    /// Why Shopdesk sends an email.
    OutgoingKind {
        Reply => "reply", "reply";
        Acknowledgement => "acknowledgement", "acknowledgement";
        Survey => "survey", "satisfaction check";
    }
);

/// An email the shop wrote, in the outbox: committed before it is sent, so nothing is lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Delivery {
    pub state: DeliveryState,
    pub kind: OutgoingKind,
    pub to: String,
    pub subject: String,
    /// Queued: when the next attempt is due (the time the owner chose, or after a failure).
    pub next_attempt_at: DateTime<Utc>,
    /// The owner asked for it to go out later ("send tomorrow 8:00").
    pub scheduled: bool,
    pub attempts: u32,
    /// Why the last attempt failed, in words for the shop owner.
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// A file that came with an email.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    /// The file's SHA-256: its name in the attachments folder.
    pub hash: String,
}

/// A waiting, held or recently sent email, for the outbox list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OutboxEntry {
    pub message_id: MessageId,
    pub case_number: u32,
    pub case_subject: String,
    pub body: String,
    pub delivery: Delivery,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct NewMessage {
    pub direction: Direction,
    pub channel: Channel,
    pub author: String,
    pub body: String,
    /// `None` means now.
    pub happened_at: Option<DateTime<Utc>>,
}

impl Default for NewMessage {
    fn default() -> Self {
        NewMessage {
            direction: Direction::FromCustomer,
            channel: Channel::Email,
            author: String::new(),
            body: String::new(),
            happened_at: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseEvent {
    pub id: EventId,
    pub case_id: CaseId,
    pub at: DateTime<Utc>,
    pub author: String,
    pub kind: EventKind,
    pub field: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum TimelineEntry {
    Message(Message),
    Event(CaseEvent),
}

impl TimelineEntry {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            TimelineEntry::Message(m) => m.happened_at,
            TimelineEntry::Event(e) => e.at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseView {
    pub case: Case,
    pub contact: Contact,
    pub timeline: Vec<TimelineEntry>,
    #[ts(type = "number | null")]
    pub waiting_secs: Option<i64>,
    pub clock: Option<ClockState>,
}

/// Who the new case is for: someone already known, or a new contact made with the case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ContactRef {
    Existing(ContactId),
    New(NewContact),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewCase {
    pub contact: ContactRef,
    pub subject: String,
    #[serde(default = "default_priority")]
    pub priority: Priority,
    #[serde(default = "default_category")]
    pub category: Category,
    pub first_message: NewMessage,
}

fn default_priority() -> Priority {
    Priority::Normal
}

fn default_category() -> Category {
    Category::Other
}

/// The fields to change on a case; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct CasePatch {
    #[ts(optional)]
    pub status: Option<Status>,
    #[ts(optional)]
    pub priority: Option<Priority>,
    #[ts(optional)]
    pub category: Option<Category>,
    #[ts(optional)]
    pub fault: Option<Fault>,
    #[ts(optional)]
    pub subject: Option<String>,
    #[ts(optional)]
    pub order_ref: Option<String>,
    #[ts(optional)]
    pub tracking_ref: Option<String>,
    #[ts(optional)]
    pub third_party: Option<String>,
    #[ts(optional)]
    pub tags: Option<Vec<String>>,
    /// A per-case reply target in minutes; 0 goes back to the channel's target.
    #[ts(optional)]
    pub reply_target_mins: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct QueueFilter {
    pub status: Option<Status>,
    pub channel: Option<Channel>,
    pub category: Option<Category>,
    /// Cases carrying this tag (any case).
    pub tag: Option<String>,
    /// Search: what was said from this moment on; queue: cases active since.
    pub since: Option<DateTime<Utc>>,
    /// Search: what was said before this moment; queue: cases last active before.
    pub until: Option<DateTime<Utc>>,
}

/// Which rows of the queue to read: `limit` rows from position `offset` (0 = the top).
/// Positions, not a keyset cursor: the virtualised list jumps to any row (a dragged scrollbar),
/// and the queue's index walks past skipped rows without reading the cases.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct QueuePage {
    pub offset: u32,
    /// At most this many rows; `None`: to the end (every open case: scripts and exports).
    pub limit: Option<u32>,
}

impl QueuePage {
    /// Every row: only for callers that really need them all (it evaluates every clock).
    pub const ALL: QueuePage = QueuePage { offset: 0, limit: None };

    pub fn first(limit: u32) -> QueuePage {
        QueuePage { offset: 0, limit: Some(limit) }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Queue {
    /// One page of the open cases matching the filter: cases whose reminder is due first, then
    /// the longest waiting, then the ones not waiting, most recently active first.
    pub items: Vec<CaseSummary>,
    /// The position of `items[0]` in the whole queue.
    pub offset: u32,
    /// Open cases matching the filter (all pages).
    pub matching: u32,
    /// Open cases in all (before filtering).
    pub total_open: u32,
    /// Open cases whose customer is waiting for the shop (before filtering).
    pub waiting: u32,
    pub by_status: BTreeMap<Status, u32>,
    pub now: DateTime<Utc>,
}
