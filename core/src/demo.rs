//! Sample shop data for a first look: a small ceramics shop's customers and cases across every
//! channel and state, with times relative to `now` so the queue always looks alive.

use chrono::{DateTime, Duration, Utc};

use crate::error::{Error, Result};
use crate::model::{
    CasePatch, Category, Channel, ContactRef, Direction, Fault, NewCase, NewContact, NewMessage, Priority, Status,
};
use crate::store::Store;

struct DemoCase {
    contact: usize,
    subject: &'static str,
    category: Category,
    priority: Priority,
    /// (minutes before now, direction, channel, text, automatic)
    messages: &'static [(i64, Direction, Channel, &'static str, bool)],
    status: Option<Status>,
    fault: Fault,
    order_ref: &'static str,
    tracking_ref: &'static str,
    third_party: &'static str,
}

const CONTACTS: &[(&str, &str, &str, &str)] = &[
    ("Ana Costa", "ana.costa@example.com", "+351 912 345 678", "Rua das Flores 12, 4050-262 Porto, Portugal"),
    ("Ben Okafor", "ben.okafor@example.net", "+44 7700 900123", "14 Mill Lane, Leeds LS1 4AB, UK"),
    ("Chloé Martin", "chloe.martin@example.fr", "+33 6 12 34 56 78", "8 rue Victor Hugo, 69002 Lyon, France"),
    ("David Kim", "david.kim@example.com", "", ""),
    ("Emma Schulz", "emma.schulz@example.de", "+49 151 23456789", "Bergstraße 3, 10115 Berlin, Germany"),
    ("Farah Haddad", "farah.h@example.org", "+971 50 123 4567", ""),
    ("George Brown", "g.brown@example.co.uk", "+44 7700 900456", "2 Harbour Row, Bristol BS1 5TT, UK"),
    ("Hana Sato", "hana.sato@example.jp", "", "3-1 Marunouchi, Tokyo, Japan"),
    ("Isabel Rossi", "isabel@rossi-interiors.example.it", "+39 06 1234 5678", "Via Roma 21, 00184 Roma, Italy"),
    ("Jonas Weber", "", "+49 170 9876543", ""),
];

use Channel::{Chat, Email, InPerson, Letter, Phone, Social, Voicemail};
use Direction::{FromCustomer as C, FromShop as S, Note as N};

const CASES: &[DemoCase] = &[
    DemoCase {
        contact: 0,
        subject: "Parcel not arrived",
        category: Category::Delivery,
        priority: Priority::Normal,
        messages: &[
            (190, C, Email, "Hello, I ordered the blue mug set (order #4817) ten days ago and the tracking hasn't moved since Monday. Can you check?", false),
            (189, S, Email, "We got your message. Your case number is #1001; we answer within 2 hours.", true),
        ],
        status: None,
        fault: Fault::Unknown,
        order_ref: "4817",
        tracking_ref: "CTT-PT-58211934",
        third_party: "",
    },
    DemoCase {
        contact: 1,
        subject: "Voicemail: call back about order #4821",
        category: Category::Question,
        priority: Priority::Normal,
        messages: &[(55, C, Voicemail, "Hi, it's Ben Okafor, order 4821. Could you call me back about changing the glaze colour before it ships? Thanks.", false)],
        status: None,
        fault: Fault::Unknown,
        order_ref: "4821",
        tracking_ref: "",
        third_party: "",
    },
    DemoCase {
        contact: 2,
        subject: "Teapot arrived broken",
        category: Category::DamagedItem,
        priority: Priority::High,
        messages: &[
            (1560, C, Email, "Bonjour, the teapot arrived in three pieces. Photos attached. The box was crushed on one corner.", false),
            (1500, S, Email, "I'm so sorry, Chloé. We'll send a new teapot as soon as the courier confirms the claim; no need to return the pieces.", false),
            (1490, N, Email, "Claim opened with Colissimo, ref CL-99812. They answer within 3 working days.", false),
        ],
        status: Some(Status::WaitingOnThirdParty),
        fault: Fault::Courier,
        order_ref: "4790",
        tracking_ref: "6A12345678901",
        third_party: "Colissimo (claim CL-99812)",
    },
    DemoCase {
        contact: 3,
        subject: "Do you ship to Norway?",
        category: Category::Question,
        priority: Priority::Normal,
        messages: &[(12, C, Chat, "Hi! Do you ship to Norway, and how much would customs be?", false)],
        status: None,
        fault: Fault::Unknown,
        order_ref: "",
        tracking_ref: "",
        third_party: "",
    },
    DemoCase {
        contact: 4,
        subject: "Return: changed my mind about the vase",
        category: Category::RefundReturn,
        priority: Priority::Low,
        messages: &[
            (3000, C, Email, "Hello, the vase is lovely but too big for my shelf. Can I return it?", false),
            (2900, S, Email, "Of course. Please send it back within 30 days, unused, to our workshop address; the return postage is on you. We refund as soon as it arrives.", false),
        ],
        status: Some(Status::WaitingOnCustomer),
        fault: Fault::Customer,
        order_ref: "4755",
        tracking_ref: "",
        third_party: "",
    },
    DemoCase {
        contact: 5,
        subject: "Payment declined twice",
        category: Category::Payment,
        priority: Priority::Urgent,
        messages: &[(300, C, Social, "Your checkout declined my card twice but my bank says both payments went through?! Please help, it's a gift for Saturday.", false)],
        status: None,
        fault: Fault::Unknown,
        order_ref: "",
        tracking_ref: "",
        third_party: "",
    },
    DemoCase {
        contact: 6,
        subject: "Crackle in the glaze of my bowls",
        category: Category::Quality,
        priority: Priority::Normal,
        messages: &[
            (2900, C, Email, "Two of the four bowls show fine cracks in the glaze after the first wash. Is that normal?", false),
            (2800, S, Email, "Thanks George. Could you send a photo? Some crackle is part of the raku glaze, but cracks you can feel are not.", false),
            (1200, C, Email, "Photos attached. You can feel them with a fingernail.", false),
        ],
        status: Some(Status::Open),
        fault: Fault::Unknown,
        order_ref: "4702",
        tracking_ref: "",
        third_party: "",
    },
    DemoCase {
        contact: 7,
        subject: "Thank you!",
        category: Category::Other,
        priority: Priority::Normal,
        messages: &[
            (9000, C, Email, "The plates arrived safely in Tokyo. Beautiful work, thank you!", false),
            (8900, S, Email, "Thank you Hana, that made our day!", false),
        ],
        status: Some(Status::Solved),
        fault: Fault::Unknown,
        order_ref: "4650",
        tracking_ref: "",
        third_party: "",
    },
    DemoCase {
        contact: 0,
        subject: "Change delivery address",
        category: Category::Delivery,
        priority: Priority::Normal,
        messages: &[
            (20000, C, Phone, "Called: wants order 4610 delivered to her office instead.", false),
            (19990, S, Phone, "Changed the address while on the phone; confirmed by email.", false),
        ],
        status: Some(Status::Closed),
        fault: Fault::Unknown,
        order_ref: "4610",
        tracking_ref: "",
        third_party: "",
    },
    DemoCase {
        contact: 8,
        subject: "Wholesale enquiry for 40 cups",
        category: Category::Question,
        priority: Priority::Normal,
        messages: &[
            (7000, C, Letter, "Letter: Isabel Rossi of Rossi Interiors asks for a wholesale price on 40 espresso cups for a hotel fit-out.", false),
            (6900, S, Email, "Sent our wholesale sheet; waiting to hear the glaze colour before quoting.", false),
            (6890, N, Letter, "Kiln fully booked until the 10th; quote after that.", false),
        ],
        status: Some(Status::OnHold),
        fault: Fault::Unknown,
        order_ref: "",
        tracking_ref: "",
        third_party: "",
    },
    DemoCase {
        contact: 9,
        subject: "Market stall: chipped jug",
        category: Category::DamagedItem,
        priority: Priority::Normal,
        messages: &[(400, C, InPerson, "At the Saturday market: the jug bought last month has a chip on the spout. Brought it along.", false)],
        status: None,
        fault: Fault::Manufacturer,
        order_ref: "",
        tracking_ref: "",
        third_party: "",
    },
];

/// Fills an empty database with the sample shop; returns how many cases it made.
/// Refuses a database that already holds data, so nothing real is mixed with samples.
pub fn load(store: &mut Store, now: DateTime<Utc>) -> Result<usize> {
    if !store.is_empty()? {
        return Err(Error::Invalid(
            "Sample data only goes into an empty database; this one already has contacts or cases".into(),
        ));
    }
    let mut contact_ids = Vec::new();
    for (i, (name, email, phone, address)) in CONTACTS.iter().enumerate() {
        let input = NewContact {
            name: name.to_string(),
            emails: vec![email.to_string()],
            phones: vec![phone.to_string()],
            address: address.to_string(),
            notes: if i == 8 { "Hotel and restaurant fit-outs; prefers email.".into() } else { String::new() },
            tags: if i == 8 { vec!["wholesale".into()] } else { vec![] },
        };
        contact_ids.push(store.create_contact(&input, now - Duration::days(60))?.id);
    }
    for demo in CASES {
        let message = |(minutes, direction, channel, text, _): &(i64, Direction, Channel, &str, bool)| NewMessage {
            direction: *direction,
            channel: *channel,
            author: String::new(),
            body: text.to_string(),
            happened_at: Some(now - Duration::minutes(*minutes)),
        };
        let (first, rest) = demo.messages.split_first().ok_or_else(|| Error::Invalid("empty demo case".into()))?;
        // Each step happens at its own time, so the timeline reads as it would have unfolded.
        let at = |m: &(i64, Direction, Channel, &str, bool)| now - Duration::minutes(m.0);
        let case = store.open_case(
            &NewCase {
                contact: ContactRef::Existing(contact_ids[demo.contact]),
                subject: demo.subject.to_string(),
                priority: demo.priority,
                category: demo.category,
                first_message: message(first),
            },
            at(first),
        )?;
        for m in rest {
            if m.4 {
                store.log_automatic_message(case.number, &message(m), at(m))?;
            } else {
                store.log_message(case.number, &message(m), at(m))?;
            }
        }
        let patch = CasePatch {
            status: demo.status,
            fault: Some(demo.fault),
            order_ref: Some(demo.order_ref.to_string()),
            tracking_ref: Some(demo.tracking_ref.to_string()),
            third_party: Some(demo.third_party.to_string()),
            ..CasePatch::default()
        };
        let last = demo.messages.last().map(at).unwrap_or(now);
        store.update_case(case.number, &patch, crate::DEFAULT_AUTHOR, (last + Duration::minutes(2)).min(now))?;
    }
    Ok(CASES.len())
}
