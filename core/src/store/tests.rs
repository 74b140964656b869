//! Store tests on real SQLite files (temp dirs) and in-memory databases, with a moved clock.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::Store;
use crate::error::{Error, ErrorKind};
use crate::model::*;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).single().expect("valid time")
}

fn mins(m: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(m)
}

fn person(name: &str, email: &str, phone: &str) -> NewContact {
    NewContact {
        name: name.into(),
        emails: vec![email.into()],
        phones: vec![phone.into()],
        ..NewContact::default()
    }
}

fn say(direction: Direction, channel: Channel, body: &str, at: DateTime<Utc>) -> NewMessage {
    NewMessage { direction, channel, author: String::new(), body: body.into(), happened_at: Some(at) }
}

fn new_case(store: &mut Store, contact: ContactRef, subject: &str, first: NewMessage, now: DateTime<Utc>) -> Case {
    let input = NewCase {
        contact,
        subject: subject.into(),
        priority: Priority::Normal,
        category: Category::Delivery,
        first_message: first,
    };
    store.open_case(&input, now).expect("case opens")
}

fn count(store: &Store, table: &str) -> i64 {
    store.conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).expect("count")
}

#[test]
fn a_new_file_is_created_in_wal_mode_with_foreign_keys_and_the_latest_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested/folder/shopdesk.sqlite3");
    let store = Store::open(&path).expect("opens");
    assert!(path.exists());
    let mode: String = store.conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).expect("mode");
    assert_eq!(mode, "wal");
    let fk: i64 = store.conn.pragma_query_value(None, "foreign_keys", |r| r.get(0)).expect("fk");
    assert_eq!(fk, 1);
    assert_eq!(store.schema_version().expect("version"), super::migrations::latest_version());
    assert!(store.is_empty().expect("empty"));
    // The mail's search indexes merge 16 segments at a time (migration 20, issue 7).
    for config in ["search_fts_config", "search_cjk_config"] {
        let merge: i64 = store.conn.query_row(&format!("SELECT v FROM {config} WHERE k = 'automerge'"), [], |r| r.get(0)).expect("automerge");
        assert_eq!(merge, 16, "{config}");
    }
}

#[test]
fn data_survives_closing_and_reopening_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.sqlite3");
    {
        let mut store = Store::open(&path).expect("opens");
        let ana = store.create_contact(&person("Ana Costa", "ana@example.com", "+351 912 345 678"), t0()).expect("contact");
        new_case(&mut store, ContactRef::Existing(ana.id), "Parcel", say(Direction::FromCustomer, Channel::Phone, "Where is it?", t0()), t0());
    }
    let store = Store::open(&path).expect("reopens");
    let case = store.case(1001).expect("case is still there");
    assert_eq!(case.subject, "Parcel");
    assert_eq!(store.contact(case.contact_id).expect("contact").emails, vec!["ana@example.com"]);
}

#[test]
fn a_file_from_a_newer_version_is_refused_and_left_byte_for_byte_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("newer.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).expect("raw open");
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;").expect("future schema");
    }
    let before = std::fs::read(&path).expect("read");
    let err = Store::open(&path).err().expect("refused");
    assert_eq!(err.kind(), ErrorKind::NewerSchema);
    let text = err.to_string();
    assert!(text.contains("newer version of Shopdesk") && text.contains("99"), "{text}");
    assert_eq!(std::fs::read(&path).expect("read"), before, "the file was not changed");
    assert!(!dir.path().join("newer.sqlite3-wal").exists(), "no WAL file was made");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("notes.sqlite3");
    let junk = b"these are my shopping notes, not a database".repeat(200);
    std::fs::write(&path, &junk).expect("write");
    let err = Store::open(&path).err().expect("refused");
    assert!(matches!(err, Error::NotADatabase { .. }), "{err:?}");
    assert!(err.to_string().contains("is not a Shopdesk database"));
    assert_eq!(std::fs::read(&path).expect("read"), junk);
}

#[test]
fn contacts_are_found_by_any_normalised_email_or_phone() {
    let mut store = Store::open_in_memory().expect("db");
    let input = NewContact {
        name: "  Ana Costa ".into(),
        emails: vec!["Ana@Example.com".into(), "ana.work@example.org".into(), "".into()],
        phones: vec!["+351 912 345 678".into()],
        address: "Rua das Flores 12, Porto".into(),
        notes: "Prefers phone".into(),
        tags: vec!["VIP".into()],
    };
    let ana = store.create_contact(&input, t0()).expect("created");
    assert_eq!(ana.name, "Ana Costa");
    assert_eq!(ana.emails, vec!["ana@example.com", "ana.work@example.org"]);
    assert_eq!(ana.phones, vec!["+351912345678"]);
    assert_eq!(ana.tags, vec!["vip"]);
    assert_eq!(ana.created_at, t0());
    for key in ["ANA@example.com", "ana.work@example.org", "+351-912-345-678", "00351 912 345 678", &ana.id.to_string()] {
        assert_eq!(store.resolve_contact(key).expect(key).id, ana.id, "{key}");
    }
    assert_eq!(store.find_contacts("costa").expect("search")[0].id, ana.id);
    assert_eq!(store.find_contacts("912 345").expect("search by digits")[0].id, ana.id);
    assert_eq!(store.find_contacts("work@").expect("search by email")[0].id, ana.id);
    assert!(store.find_contacts("nobody").expect("search").is_empty());
    let missing = store.contact_by_email("bo@example.com").expect_err("missing");
    assert_eq!(missing.to_string(), "No contact with email bo@example.com");
    assert_eq!(missing.kind(), ErrorKind::NotFound);
}

#[test]
fn the_contacts_index_follows_renames_new_addresses_and_merges() {
    let mut store = Store::open_in_memory().expect("db");
    let names = |store: &Store, q: &str| -> Vec<String> {
        store.find_contacts_up_to(q, 8).expect(q).into_iter().map(|c| c.name).collect()
    };
    let chloe = store.create_contact(&person("Chloé Martin", "chloe@example.fr", "+33 6 12 34 56 78"), t0()).expect("chloe");
    let bo = store.create_contact(&person("Bo Berg", "bo@example.se", "+46 70 123 45 67"), t0()).expect("bo");
    assert_eq!(names(&store, "chloe"), ["Chloé Martin"], "accents don't matter");
    assert_eq!(names(&store, "ARTI"), ["Chloé Martin"], "any part of a name, in any case");
    assert_eq!(names(&store, "612 345"), ["Chloé Martin"], "phone digits however written");
    assert_eq!(names(&store, "06 12 34 56 78"), ["Chloé Martin"], "dialled at home, found in international form");
    assert_eq!(names(&store, "070-123 45 67"), ["Bo Berg"]);
    let local = store.create_contact(&person("Ravi Patel", "ravi@example.co.uk", "07700 900123"), t0()).expect("local");
    assert_eq!(local.phones, ["07700900123"], "kept as typed: the country isn't known");
    assert_eq!(names(&store, "+44 7700 900123"), ["Ravi Patel"], "international, found in the local form");
    assert_eq!(names(&store, "0044 7700 900123"), ["Ravi Patel"]);
    assert!(names(&store, "+44 7700 900124").is_empty(), "another number");
    // A caller id in the other form finds the one contact with that number.
    assert_eq!(store.resolve_contact("+44 7700 900123").expect("caller id").id, local.id);
    assert_eq!(store.resolve_contact("06 12 34 56 78").expect("dialled at home").id, chloe.id);
    let not_found = store.resolve_contact("+44 7700 900124").expect_err("another number");
    assert_eq!(not_found.kind(), ErrorKind::NotFound);
    // Two contacts with that number in its two forms: no guess between them.
    store.create_contact(&person("Ravi P. (shop)", "ravi.p@example.com", "+44 7700 900123"), t0()).expect("intl twin");
    assert_eq!(store.resolve_contact("+44 7700 900123").expect("exact wins").name, "Ravi P. (shop)");
    assert_eq!(store.resolve_contact("07700 900123").expect("exact wins").id, local.id);
    store.create_contact(&person("Dee", "dee@example.com", "+44 7911 123456"), t0()).expect("uk");
    store.create_contact(&person("Dom", "dom@example.fr", "+33 7911 123456"), t0()).expect("france");
    assert_eq!(store.resolve_contact("0033 7911123456").expect("exact").name, "Dom");
    assert_eq!(store.resolve_contact("07911 123456").expect_err("two could be it").kind(), ErrorKind::NotFound);
    // A number whose digits only look alike after a wrong country code is someone else's.
    store.create_contact(&person("Wrong split", "ws@example.com", "0700 900555"), t0()).expect("local 0700");
    assert_eq!(store.resolve_contact("+44 7700 900555").expect_err("+44 is the code, not +447").kind(), ErrorKind::NotFound);
    store.create_contact(&person("Split too", "st@example.com", "+4477 9876 5432"), t0()).expect("intl");
    assert_eq!(store.resolve_contact("077 9876 5432").expect("+44 77…").name, "Split too");
    assert_eq!(store.resolve_contact_as_typed("077 9876 5432").expect_err("as typed only").kind(), ErrorKind::NotFound);
    assert_eq!(names(&store, "ample.se"), ["Bo Berg"]);
    assert_eq!(names(&store, "b"), ["Bo Berg"], "one letter: names and emails that start with it");
    assert_eq!(names(&store, "ch"), ["Chloé Martin"]);
    assert!(names(&store, "rg").is_empty(), "two letters inside a word wait for the third");
    assert!(names(&store, "\"nope\" OR *").is_empty(), "what is typed is never read as a query language");

    // A rename and a new address are found at once; the old name is not.
    let mut input = person("Bo Lindqvist", "bo@example.se", "+46 70 123 45 67");
    input.emails.push("lindqvist@work.example".into());
    store.update_contact(bo.id, &input, t0()).expect("rename");
    assert!(names(&store, "berg").is_empty(), "the old name left the index");
    assert_eq!(names(&store, "lindq"), ["Bo Lindqvist"]);
    assert_eq!(names(&store, "work.example"), ["Bo Lindqvist"]);

    // A merge moves the addresses: they find the contact that stays, and the absorbed one is gone.
    store.merge_contacts(chloe.id, bo.id, "", t0()).expect("merge");
    assert_eq!(names(&store, "work.example"), ["Chloé Martin"]);
    assert_eq!(names(&store, "123 45 67"), ["Chloé Martin"]);
    assert!(names(&store, "Bo Lind").is_empty(), "a merged contact is not offered");
}

#[test]
fn bad_contact_input_is_refused_with_a_clear_message_and_nothing_is_written() {
    let mut store = Store::open_in_memory().expect("db");
    store.create_contact(&person("Ana Costa", "ana@example.com", "+351 912 345 678"), t0()).expect("ana");
    let rows: Vec<(NewContact, &str)> = vec![
        (person("   ", "x@example.com", ""), "Please enter the contact's name"),
        (person("Bo", "bo@", ""), "\"bo@\" is not a valid email address"),
        (person("Bo", "bo@example.com", "call me"), "\"call me\" is not a valid phone number"),
        (person("Bo", "ANA@example.com", ""), "The email ana@example.com already belongs to Ana Costa"),
        (person("Bo", "bo@example.com", "+351 912-345-678"), "The phone number +351912345678 already belongs to Ana Costa"),
    ];
    for (input, message) in rows {
        let err = store.create_contact(&input, t0()).expect_err("refused");
        assert!(err.to_string().starts_with(message), "{err} should start with {message}");
    }
    assert_eq!(count(&store, "contacts"), 1, "no half-written contact");
    assert_eq!(count(&store, "contact_emails"), 1);
    assert_eq!(count(&store, "contact_phones"), 1);
}

#[test]
fn updating_a_contact_replaces_details_and_keeps_uniqueness() {
    let mut store = Store::open_in_memory().expect("db");
    let ana = store.create_contact(&person("Ana Costa", "ana@example.com", "+351 912 345 678"), t0()).expect("ana");
    store.create_contact(&person("Bo", "bo@example.com", ""), t0()).expect("bo");
    let mut edit = person("Ana Costa-Silva", "ana@example.com", "");
    edit.emails.push("ana@new.example".into());
    let ana2 = store.update_contact(ana.id, &edit, mins(5)).expect("updated");
    assert_eq!(ana2.name, "Ana Costa-Silva");
    assert_eq!(ana2.emails, vec!["ana@example.com", "ana@new.example"]);
    assert!(ana2.phones.is_empty());
    assert_eq!(ana2.updated_at, mins(5));
    let err = store.update_contact(ana.id, &person("Ana", "bo@example.com", ""), mins(6)).expect_err("taken");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(store.contact(ana.id).expect("ana").emails, ana2.emails, "a refused edit changes nothing");
}

#[test]
fn case_numbers_start_at_1001_and_are_never_reused() {
    let mut store = Store::open_in_memory().expect("db");
    let ana = store.create_contact(&person("Ana", "ana@example.com", ""), t0()).expect("ana");
    let msg = || say(Direction::FromCustomer, Channel::Email, "hello", t0());
    let numbers: Vec<u32> = (0..3)
        .map(|_| new_case(&mut store, ContactRef::Existing(ana.id), "Hi", msg(), t0()).number)
        .collect();
    assert_eq!(numbers, vec![1001, 1002, 1003]);
    store.merge_cases(1002, 1003, "Shop", mins(1)).expect("merge");
    assert_eq!(new_case(&mut store, ContactRef::Existing(ana.id), "Hi", msg(), mins(2)).number, 1004);
}

#[test]
fn opening_a_case_with_bad_input_leaves_nothing_behind() {
    let mut store = Store::open_in_memory().expect("db");
    let rows: Vec<(NewCase, &str)> = vec![
        (
            NewCase {
                contact: ContactRef::New(person("Bo", "bo@example.com", "")),
                subject: "Hi".into(),
                priority: Priority::Normal,
                category: Category::Other,
                first_message: say(Direction::FromCustomer, Channel::Phone, "   ", t0()),
            },
            "Write what was said",
        ),
        (
            NewCase {
                contact: ContactRef::New(person("Bo", "bo@example.com", "")),
                subject: " ".into(),
                priority: Priority::Normal,
                category: Category::Other,
                first_message: say(Direction::FromCustomer, Channel::Phone, "hello", t0()),
            },
            "Give the case a subject",
        ),
        (
            NewCase {
                contact: ContactRef::New(person("Bo", "bo@example.com", "")),
                subject: "Hi".into(),
                priority: Priority::Normal,
                category: Category::Other,
                first_message: say(Direction::FromCustomer, Channel::Phone, "hello", t0() + Duration::hours(3)),
            },
            "The time 2026-11-25 12:00 UTC is in the future",
        ),
        (
            NewCase {
                contact: ContactRef::Existing(crate::ContactId::new()),
                subject: "Hi".into(),
                priority: Priority::Normal,
                category: Category::Other,
                first_message: say(Direction::FromCustomer, Channel::Phone, "hello", t0()),
            },
            "No contact with id",
        ),
    ];
    for (input, message) in rows {
        let err = store.open_case(&input, t0()).expect_err("refused");
        assert!(err.to_string().starts_with(message), "{err} should start with {message}");
    }
    assert_eq!(count(&store, "contacts"), 0);
    assert_eq!(count(&store, "cases"), 0);
    assert_eq!(count(&store, "messages"), 0);
    let bo = NewCase {
        contact: ContactRef::New(person("Bo", "bo@example.com", "")),
        subject: "Hi".into(),
        priority: Priority::Normal,
        category: Category::Other,
        first_message: say(Direction::FromCustomer, Channel::Phone, "hello", t0()),
    };
    assert_eq!(store.open_case(&bo, t0()).expect("opens").number, 1001, "refusals spent no case number");
}

#[test]
fn the_waiting_clock_follows_the_timeline_as_messages_are_logged() {
    let mut store = Store::open_in_memory().expect("db");
    let case = new_case(
        &mut store,
        ContactRef::New(person("Ana", "ana@example.com", "")),
        "Parcel",
        say(Direction::FromCustomer, Channel::Email, "Where is my parcel?", t0()),
        t0(),
    );
    assert_eq!(case.status, Status::New);
    assert_eq!(case.waiting_since, Some(t0()));
    assert_eq!(case.created_at, t0());

    let ack = say(Direction::FromShop, Channel::Email, "We got your message, case #1001", mins(1));
    store.log_automatic_message(1001, &ack, mins(1)).expect("ack");
    store.log_message(1001, &say(Direction::Note, Channel::Email, "Asked the courier", mins(10)), mins(10)).expect("note");
    let view = store.case_view(1001, mins(30)).expect("view");
    assert_eq!(view.case.waiting_since, Some(t0()), "acknowledgement and note don't stop the clock");
    assert_eq!(view.waiting_secs, Some(30 * 60));
    assert_eq!(view.case.status, Status::New);

    store.log_message(1001, &say(Direction::FromShop, Channel::Phone, "Called back", mins(40)), mins(41)).expect("reply");
    let case = store.case(1001).expect("case");
    assert_eq!(case.waiting_since, None);
    assert_eq!(case.first_response_at, Some(mins(40)));
    assert_eq!(case.last_shop_reply_at, Some(mins(40)));
    assert_eq!(case.status, Status::Open, "the first reply opens a new case");

    // A voicemail left at 0:50 but logged at 1:30 starts the clock at its real time.
    store.log_message(1001, &say(Direction::FromCustomer, Channel::Voicemail, "Still nothing", mins(50)), mins(90)).expect("vm");
    let view = store.case_view(1001, mins(110)).expect("view");
    assert_eq!(view.case.waiting_since, Some(mins(50)));
    assert_eq!(view.waiting_secs, Some(60 * 60));
    let kinds: Vec<&str> = view
        .timeline
        .iter()
        .map(|e| match e {
            TimelineEntry::Message(m) if m.automatic => "auto",
            TimelineEntry::Message(m) => m.direction.as_str(),
            TimelineEntry::Event(e) => e.kind.as_str(),
        })
        .collect();
    assert_eq!(kinds, vec!["created", "from_customer", "auto", "note", "from_shop", "status_changed", "from_customer"]);
}

#[test]
fn a_customer_writing_again_reopens_a_solved_case() {
    let mut store = Store::open_in_memory().expect("db");
    new_case(&mut store, ContactRef::New(person("Ana", "ana@example.com", "")), "Q", say(Direction::FromCustomer, Channel::Chat, "hi", t0()), t0());
    store.update_case(1001, &CasePatch { status: Some(Status::Solved), ..CasePatch::default() }, "Shop", mins(5)).expect("solve");
    assert!(store.queue_all(&QueueFilter::default(), mins(6)).expect("queue").items.is_empty());
    store.log_message(1001, &say(Direction::FromCustomer, Channel::Chat, "one more thing", mins(60)), mins(60)).expect("msg");
    assert_eq!(store.case(1001).expect("case").status, Status::Open);
    assert_eq!(store.queue_all(&QueueFilter::default(), mins(61)).expect("queue").items[0].number, 1001);
}

#[test]
fn the_queue_lists_open_cases_longest_waiting_first_with_filters_and_counts() {
    let mut store = Store::open_in_memory().expect("db");
    let now = mins(600);
    // (subject, channel, minutes the customer has waited or None for answered, status)
    let rows: [(&str, Channel, Option<i64>, Option<Status>); 6] = [
        ("waited 1 h", Channel::Email, Some(60), None),
        ("waited 5 h", Channel::Voicemail, Some(300), None),
        ("answered", Channel::Phone, None, None),
        ("waited 2 h", Channel::Chat, Some(120), Some(Status::WaitingOnThirdParty)),
        ("solved", Channel::Email, Some(500), Some(Status::Solved)),
        ("waited 10 min", Channel::Email, Some(10), None),
    ];
    for (i, (subject, channel, waited, status)) in rows.iter().enumerate() {
        let contact = ContactRef::New(person(&format!("Customer {i}"), &format!("c{i}@example.com"), ""));
        let first_at = now - Duration::minutes(waited.unwrap_or(400));
        let case = new_case(&mut store, contact, subject, say(Direction::FromCustomer, *channel, "hello", first_at), now);
        if waited.is_none() {
            store.log_message(case.number, &say(Direction::FromShop, *channel, "answer", first_at + Duration::minutes(5)), now).expect("reply");
        }
        if let Some(status) = status {
            store.update_case(case.number, &CasePatch { status: Some(*status), ..CasePatch::default() }, "Shop", now).expect("status");
        }
    }
    let queue = store.queue_all(&QueueFilter::default(), now).expect("queue");
    let subjects: Vec<&str> = queue.items.iter().map(|c| c.subject.as_str()).collect();
    assert_eq!(subjects, vec!["waited 5 h", "waited 2 h", "waited 1 h", "waited 10 min", "answered"]);
    let waits: Vec<Option<i64>> = queue.items.iter().map(|c| c.waiting_secs).collect();
    assert_eq!(waits, vec![Some(300 * 60), Some(120 * 60), Some(3600), Some(600), None]);
    assert_eq!(queue.items[0].contact_name, "Customer 1");
    assert_eq!((queue.total_open, queue.waiting), (5, 4));
    assert_eq!(queue.by_status[&Status::New], 3);
    assert_eq!(queue.by_status[&Status::Open], 1);
    assert_eq!(queue.by_status[&Status::WaitingOnThirdParty], 1);
    assert!(!queue.by_status.contains_key(&Status::Solved));

    let email = store.queue_all(&QueueFilter { channel: Some(Channel::Email), ..QueueFilter::default() }, now).expect("q");
    assert_eq!(email.items.iter().map(|c| c.subject.as_str()).collect::<Vec<_>>(), vec!["waited 1 h", "waited 10 min"]);
    assert_eq!(email.total_open, 5, "counts are over all open cases");
    let third = QueueFilter { status: Some(Status::WaitingOnThirdParty), ..QueueFilter::default() };
    assert_eq!(store.queue_all(&third, now).expect("q").items.len(), 1);
    let quality = QueueFilter { category: Some(Category::Quality), ..QueueFilter::default() };
    assert!(store.queue_all(&quality, now).expect("q").items.is_empty());
}

#[test]
fn every_change_to_a_case_is_recorded_on_its_timeline() {
    let mut store = Store::open_in_memory().expect("db");
    new_case(&mut store, ContactRef::New(person("Ana", "ana@example.com", "")), "Parcel", say(Direction::FromCustomer, Channel::Email, "hi", t0()), t0());
    let patch = CasePatch {
        status: Some(Status::WaitingOnThirdParty),
        priority: Some(Priority::High),
        category: Some(Category::Delivery), // unchanged: no event
        fault: Some(Fault::Courier),
        subject: Some("Parcel lost by courier".into()),
        order_ref: Some("4817".into()),
        tracking_ref: Some(" CTT-1 ".into()),
        third_party: Some("CTT".into()),
        tags: Some(vec!["Claim".into(), "claim".into()]),
        reply_target_mins: Some(30),
    };
    let case = store.update_case(1001, &patch, "Maria", mins(5)).expect("update");
    assert_eq!(case.status, Status::WaitingOnThirdParty);
    assert_eq!(case.tracking_ref, "CTT-1");
    assert_eq!(case.tags, vec!["claim"]);
    assert_eq!(case.updated_at, mins(5));
    let view = store.case_view(1001, mins(6)).expect("view");
    let mut changes: Vec<(String, String, String)> = view
        .timeline
        .iter()
        .filter_map(|e| match e {
            TimelineEntry::Event(e) if e.kind != EventKind::Created => {
                assert_eq!(e.author, "Maria");
                Some((e.field.clone()?, e.from.clone()?, e.to.clone()?))
            }
            _ => None,
        })
        .collect();
    changes.sort();
    let want: Vec<(String, String, String)> = [
        ("fault", "unknown", "courier"),
        ("order_ref", "", "4817"),
        ("priority", "normal", "high"),
        ("reply_target", "channel default", "30 min"),
        ("status", "new", "waiting_on_third_party"),
        ("subject", "Parcel", "Parcel lost by courier"),
        ("tags", "", "claim"),
        ("third_party", "", "CTT"),
        ("tracking_ref", "", "CTT-1"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(changes, want);
    // The same patch again changes nothing and records nothing.
    let before = view.timeline.len();
    store.update_case(1001, &patch, "Maria", mins(7)).expect("again");
    assert_eq!(store.case_view(1001, mins(8)).expect("view").timeline.len(), before);
    assert_eq!(store.update_case(9999, &patch, "Maria", mins(7)).expect_err("missing").to_string(), "No case #9999");
}

#[test]
fn merging_contacts_moves_their_cases_details_and_hides_the_absorbed_one() {
    let mut store = Store::open_in_memory().expect("db");
    let ana = store.create_contact(&person("Ana Costa", "ana@example.com", ""), t0()).expect("ana");
    let mut dup = person("A. Costa", "ana.costa@work.example", "+351 912 345 678");
    dup.notes = "Met at the market".into();
    dup.address = "Porto".into();
    let dup = store.create_contact(&dup, t0()).expect("dup");
    new_case(&mut store, ContactRef::Existing(dup.id), "Mug", say(Direction::FromCustomer, Channel::Phone, "hi", t0()), t0());
    let merged = store.merge_contacts(ana.id, dup.id, "Shop", mins(1)).expect("merge");
    assert_eq!(merged.emails, vec!["ana@example.com", "ana.costa@work.example"]);
    assert_eq!(merged.phones, vec!["+351912345678"]);
    assert_eq!((merged.address.as_str(), merged.notes.as_str()), ("Porto", "Met at the market"));
    assert_eq!(store.case(1001).expect("case").contact_id, ana.id);
    assert_eq!(store.contact_by_phone("+351912345678").expect("by phone").id, ana.id);
    let found = store.find_contacts("costa").expect("search");
    assert_eq!(found.len(), 1, "the absorbed contact no longer shows");
    assert_eq!((found[0].open_cases, found[0].total_cases), (1, 1));
    assert_eq!(store.contact_profile(ana.id, mins(2)).expect("profile").cases[0].number, 1001);
    assert!(store.merge_contacts(ana.id, ana.id, "Shop", mins(3)).is_err());
}

#[test]
fn merging_cases_keeps_the_older_number_and_joins_the_timelines() {
    let mut store = Store::open_in_memory().expect("db");
    let ana = store.create_contact(&person("Ana", "ana@example.com", ""), t0()).expect("ana");
    new_case(&mut store, ContactRef::Existing(ana.id), "Order 4817", say(Direction::FromCustomer, Channel::Email, "where?", t0()), t0());
    store.log_message(1001, &say(Direction::FromShop, Channel::Email, "checking", mins(5)), mins(5)).expect("reply");
    new_case(&mut store, ContactRef::Existing(ana.id), "Order 4817 again", say(Direction::FromCustomer, Channel::Phone, "still where?", mins(60)), mins(60));
    store.update_case(1002, &CasePatch { order_ref: Some("4817".into()), ..CasePatch::default() }, "Shop", mins(61)).expect("ref");
    let merged = store.merge_cases(1002, 1001, "Shop", mins(62)).expect("merge");
    assert_eq!(merged.number, 1001);
    assert_eq!(merged.order_ref, "4817", "a missing reference is filled from the other case");
    assert_eq!(merged.waiting_since, Some(mins(60)), "the phone call is still unanswered");
    let view = store.case_view(1001, mins(63)).expect("view");
    let messages = view.timeline.iter().filter(|e| matches!(e, TimelineEntry::Message(_))).count();
    assert_eq!(messages, 3);
    let gone = store.case(1002).expect("still findable");
    assert_eq!((gone.merged_into, gone.status), (Some(1001), Status::Closed));
    let err = store.log_message(1002, &say(Direction::Note, Channel::Email, "x", mins(64)), mins(64)).expect_err("refused");
    assert_eq!(err.to_string(), "Case #1002 was merged into #1001; work on #1001 instead");
    let queue = store.queue_all(&QueueFilter::default(), mins(64)).expect("queue");
    assert_eq!(queue.items.iter().map(|c| c.number).collect::<Vec<_>>(), vec![1001]);
}

#[test]
fn demo_data_fills_an_empty_database_once() {
    let mut store = Store::open_in_memory().expect("db");
    let now = t0();
    let n = crate::demo::load(&mut store, now).expect("demo");
    assert!(n >= 10);
    let queue = store.queue_all(&QueueFilter::default(), now).expect("queue");
    assert!(queue.items.len() >= 6, "most demo cases are open");
    assert!(queue.waiting >= 4);
    let waits: Vec<i64> = queue.items.iter().filter_map(|c| c.waiting_secs).collect();
    assert!(waits.windows(2).all(|w| w[0] >= w[1]), "longest waiting first: {waits:?}");
    let ana = store.contact_by_email("ana.costa@example.com").expect("ana");
    assert_eq!(store.contact_profile(ana.id, now).expect("profile").cases.len(), 2);
    let err = crate::demo::load(&mut store, now).expect_err("second load refused");
    assert!(err.to_string().contains("only goes into an empty database"));
}

#[test]
fn reply_target_settings_are_checked_saved_and_read_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.sqlite3");
    let mut settings = crate::sla::SlaSettings { time_zone: "Europe/Lisbon".into(), ..Default::default() };
    settings.first_reply_mins.insert(Channel::Email, 60);
    {
        let mut store = Store::open(&path).expect("db");
        assert_eq!(store.sla_settings().expect("defaults"), crate::sla::SlaSettings::default());
        store.set_sla_settings(&settings).expect("saved");
        let bad = crate::sla::SlaSettings { time_zone: "Nowhere/Land".into(), ..Default::default() };
        assert!(store.set_sla_settings(&bad).expect_err("refused").to_string().contains("is not a time zone"));
    }
    assert_eq!(Store::open(&path).expect("reopen").sla_settings().expect("read"), settings);
}

#[test]
fn the_queue_shows_each_clock_against_its_target_and_sla_check_lists_the_late_ones() {
    use crate::sla::ClockStateKind::*;
    let mut store = Store::open_in_memory().expect("db");
    let now = mins(600);
    // (subject, channel, minutes waited) with default targets: email 2 h, chat 15 min, letter 2 d.
    let rows = [("email 100 min", Channel::Email, 100), ("chat 20 min", Channel::Chat, 20), ("letter 5 h", Channel::Letter, 300), ("email 30 min", Channel::Email, 30)];
    for (i, (subject, channel, waited)) in rows.iter().enumerate() {
        let contact = ContactRef::New(person(&format!("C{i}"), &format!("c{i}@example.com"), ""));
        new_case(&mut store, contact, subject, say(Direction::FromCustomer, *channel, "hello", now - Duration::minutes(*waited)), now);
    }
    let queue = store.queue_all(&QueueFilter::default(), now).expect("queue");
    let states: Vec<(&str, crate::sla::ClockStateKind)> =
        queue.items.iter().map(|c| (c.subject.as_str(), c.clock.as_ref().expect("clock").state)).collect();
    assert_eq!(states, vec![("letter 5 h", OnTrack), ("email 100 min", DueSoon), ("email 30 min", OnTrack), ("chat 20 min", Overdue)]);
    let chat = &queue.items[3];
    assert_eq!(chat.clock.as_ref().expect("clock").due_at, Some(now - Duration::minutes(5)));

    let late: Vec<u32> = store.sla_check(now).expect("check").iter().map(|c| c.number).collect();
    assert_eq!(late, vec![1002, 1001], "overdue first, then due soon");

    // Waiting on a third party pauses the email that was due soon; it no longer alerts.
    store.update_case(1001, &CasePatch { status: Some(Status::WaitingOnThirdParty), ..CasePatch::default() }, "Shop", now).expect("pause");
    let view = store.case_view(1001, now + Duration::hours(5)).expect("view");
    let clock = view.clock.expect("clock");
    assert_eq!((clock.state, clock.elapsed_secs), (Paused, 100 * 60));
    assert_eq!(store.sla_check(now + Duration::hours(5)).expect("check").iter().map(|c| c.number).collect::<Vec<_>>(), vec![1004, 1002], "both overdue: longest waiting first");

    // Back to open an hour later: the clock carries on from 100 minutes.
    store.update_case(1001, &CasePatch { status: Some(Status::Open), ..CasePatch::default() }, "Shop", now + Duration::hours(1)).expect("resume");
    let clock = store.case_view(1001, now + Duration::minutes(70)).expect("view").clock.expect("clock");
    assert_eq!((clock.state, clock.elapsed_secs), (DueSoon, 110 * 60));
    assert_eq!(clock.due_at, Some(now + Duration::minutes(80)));

    // A per-case target replaces the channel's.
    store.update_case(1003, &CasePatch { reply_target_mins: Some(60), ..CasePatch::default() }, "Shop", now).expect("vip");
    assert_eq!(store.case_view(1003, now).expect("view").clock.expect("clock").state, Overdue);
}

#[test]
fn each_threshold_alerts_once_per_wait_and_survives_a_restart() {
    use crate::alerts::Threshold::*;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.sqlite3");
    let mut store = Store::open(&path).expect("db");
    // Email at 9:00: due soon at 10:30, overdue at 11:00, past the 24 h limit the next day.
    new_case(&mut store, ContactRef::New(person("Ana", "ana@example.com", "")), "Parcel", say(Direction::FromCustomer, Channel::Email, "hi", t0()), t0());
    assert!(store.pending_alerts(mins(60)).expect("alerts").is_empty());
    assert_eq!(store.next_clock_change(mins(60)).expect("next"), Some(mins(90)));

    let due = store.pending_alerts(mins(95)).expect("alerts");
    assert_eq!(due.iter().map(|a| (a.case_number, a.threshold)).collect::<Vec<_>>(), vec![(1001, DueSoon)]);
    store.record_alerts(&due, mins(95)).expect("recorded");
    assert!(store.pending_alerts(mins(100)).expect("alerts").is_empty(), "announced once");
    assert_eq!(store.next_clock_change(mins(100)).expect("next"), Some(mins(120)));
    drop(store);

    let mut store = Store::open(&path).expect("reopened");
    assert!(store.pending_alerts(mins(110)).expect("alerts").is_empty(), "not again after a restart");
    // Asleep from 10:40 to 15:00: one alert for the highest threshold, both recorded.
    let late = store.pending_alerts(mins(360)).expect("alerts");
    assert_eq!(late.len(), 1);
    assert_eq!((late[0].threshold, late[0].thresholds.clone()), (Overdue, vec![Overdue]));
    store.record_alerts(&late, mins(360)).expect("recorded");
    assert_eq!(store.next_clock_change(mins(360)).expect("next"), Some(mins(1440)));
    let sweep = store.sweep_clocks(mins(360)).expect("sweep");
    assert_eq!((sweep.overdue, sweep.pending.len(), sweep.next_change), (1, 0, Some(mins(1440))));
    let hard = store.pending_alerts(mins(1441)).expect("alerts");
    assert_eq!(hard.iter().map(|a| a.threshold).collect::<Vec<_>>(), vec![HardLimit]);
    store.record_alerts(&hard, mins(1441)).expect("recorded");

    // A reply ends the wait; the customer writing again starts a new one that alerts afresh.
    store.log_message(1001, &say(Direction::FromShop, Channel::Email, "Sorry!", mins(1450)), mins(1450)).expect("reply");
    assert_eq!(store.next_clock_change(mins(1450)).expect("next"), None);
    store.log_message(1001, &say(Direction::FromCustomer, Channel::Email, "And?", mins(1500)), mins(1500)).expect("again");
    let again = store.pending_alerts(mins(1500 + 250)).expect("alerts");
    assert_eq!(again.iter().map(|a| a.threshold).collect::<Vec<_>>(), vec![Overdue], "later-reply target of 4 h");
}

#[test]
fn app_preferences_start_with_quit_on_close_and_are_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.sqlite3");
    {
        let mut store = Store::open(&path).expect("db");
        assert!(!store.app_prefs().expect("defaults").keep_running_in_tray);
        store.set_app_prefs(&crate::prefs::AppPrefs { keep_running_in_tray: true }).expect("saved");
    }
    assert!(Store::open(&path).expect("reopen").app_prefs().expect("read").keep_running_in_tray);
}

#[test]
fn reminders_to_keep_customers_posted_and_to_follow_up_fire_once_per_silence() {
    use crate::alerts::Threshold::*;
    let mut store = Store::open_in_memory().expect("db");
    let day = |d: i64| t0() + Duration::days(d);
    for (name, status) in [("Chloé", Status::WaitingOnThirdParty), ("Emma", Status::WaitingOnCustomer)] {
        let contact = ContactRef::New(person(name, &format!("{}@example.com", name.to_lowercase().replace('é', "e")), ""));
        let case = new_case(&mut store, contact, "Teapot", say(Direction::FromCustomer, Channel::Email, "broken", t0()), t0());
        store.log_message(case.number, &say(Direction::FromShop, Channel::Email, "On it", mins(30)), mins(30)).expect("reply");
        store.update_case(case.number, &CasePatch { status: Some(status), ..CasePatch::default() }, "Shop", mins(31)).expect("status");
    }
    let kinds = |alerts: &[crate::alerts::Alert]| alerts.iter().map(|a| (a.case_number, a.threshold)).collect::<Vec<_>>();
    assert!(store.pending_alerts(day(1)).expect("day 1").is_empty());
    assert_eq!(store.next_clock_change(day(1)).expect("next"), Some(mins(30) + Duration::days(2)));

    let due = store.pending_alerts(day(2) + Duration::hours(1)).expect("day 2");
    assert_eq!(kinds(&due), vec![(1001, KeepPosted)]);
    store.record_alerts(&due, day(2) + Duration::hours(1)).expect("recorded");
    assert!(store.pending_alerts(day(2) + Duration::hours(2)).expect("again").is_empty(), "once per silence");

    let due = store.pending_alerts(day(3) + Duration::hours(1)).expect("day 3");
    assert_eq!(kinds(&due), vec![(1002, FollowUp)]);
    store.record_alerts(&due, day(3) + Duration::hours(1)).expect("recorded");
    assert_eq!(kinds(&store.due_reminders(day(3) + Duration::hours(2)).expect("due")), vec![(1001, KeepPosted), (1002, FollowUp)]);

    // A status note to Chloé starts a new silence: the next reminder comes two days after it.
    store.log_message(1001, &say(Direction::FromShop, Channel::Email, "Still waiting on the courier", day(3)), day(3) + Duration::hours(3)).expect("note");
    assert!(store.pending_alerts(day(4)).expect("day 4").is_empty());
    assert_eq!(kinds(&store.pending_alerts(day(5) + Duration::minutes(1)).expect("day 5")), vec![(1001, KeepPosted)]);
}

#[test]
fn remind_me_brings_a_case_back_to_the_top_once_and_acting_on_it_settles_it() {
    use crate::alerts::Threshold::*;
    let mut store = Store::open_in_memory().expect("db");
    for (i, waited) in [(0, 300), (1, 60)] {
        let contact = ContactRef::New(person(&format!("C{i}"), &format!("c{i}@example.com"), ""));
        new_case(&mut store, contact, "Hello", say(Direction::FromCustomer, Channel::Email, "hi", mins(600 - waited)), mins(600));
    }
    store.log_message(1002, &say(Direction::FromShop, Channel::Email, "Answered", mins(560)), mins(560)).expect("reply");
    let refused = store.set_reminder(1002, Some(mins(500)), "Shop", mins(600)).expect_err("past");
    assert_eq!(refused.to_string(), "Pick a time in the future for the reminder");
    let case = store.set_reminder(1002, Some(mins(700)), "Shop", mins(600)).expect("snooze");
    assert_eq!(case.remind_at, Some(mins(700)));
    let order = |store: &Store, at| store.queue_all(&QueueFilter::default(), at).expect("queue").items.iter().map(|c| c.number).collect::<Vec<_>>();
    assert_eq!(order(&store, mins(650)), vec![1001, 1002], "not yet due: the waiting customer first");
    assert_eq!(store.next_clock_change(mins(650)).expect("next"), Some(mins(700)));
    assert_eq!(order(&store, mins(701)), vec![1002, 1001], "due: back on top");
    let due = store.pending_alerts(mins(701)).expect("alerts");
    assert!(due.iter().any(|a| (a.case_number, a.threshold) == (1002, Reminder)), "{due:?}");
    store.record_alerts(&due, mins(701)).expect("recorded");
    assert!(store.pending_alerts(mins(702)).expect("again").iter().all(|a| a.threshold != Reminder), "once");
    // A note on the case settles the reminder; the case goes back to its place.
    store.log_message(1002, &say(Direction::Note, Channel::Email, "Checked the stock", mins(710)), mins(710)).expect("note");
    assert_eq!(store.case(1002).expect("case").remind_at, None);
    assert_eq!(order(&store, mins(711)), vec![1001, 1002]);
    let fields: Vec<String> = store
        .case_view(1002, mins(712))
        .expect("view")
        .timeline
        .iter()
        .filter_map(|e| match e {
            TimelineEntry::Event(e) => e.field.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(fields.iter().filter(|f| *f == "reminder").count(), 2, "set and settled are on the timeline");
}

#[test]
fn cases_waiting_on_a_silent_customer_are_solved_after_the_set_days_only_when_asked() {
    let mut store = Store::open_in_memory().expect("db");
    let day = |d: i64| t0() + Duration::days(d);
    for name in ["Emma", "Finn"] {
        let contact = ContactRef::New(person(name, &format!("{}@example.com", name.to_lowercase()), ""));
        let case = new_case(&mut store, contact, "Return", say(Direction::FromCustomer, Channel::Email, "Can I return it?", t0()), t0());
        store.log_message(case.number, &say(Direction::FromShop, Channel::Email, "Yes: send us the order number", mins(30)), mins(30)).expect("reply");
        store.update_case(case.number, &CasePatch { status: Some(Status::WaitingOnCustomer), ..CasePatch::default() }, "Shop", mins(31)).expect("status");
    }
    // Finn answered on day 4, which reopened his case.
    store.log_message(1002, &say(Direction::FromCustomer, Channel::Email, "Order 4755", day(4)), day(4)).expect("answer");
    assert!(store.auto_solve(day(30)).expect("off").is_empty(), "off unless the shop turns it on");

    let mut settings = store.sla_settings().expect("settings");
    settings.auto_solve_days = Some(7);
    store.set_sla_settings(&settings).expect("saved");
    assert!(store.auto_solve(day(7)).expect("day 7").is_empty(), "seven full days since the shop's message");
    assert_eq!(store.auto_solve(day(7) + Duration::hours(1)).expect("later"), vec![1001]);
    assert_eq!(store.case(1001).expect("case").status, Status::Solved);
    assert_eq!(store.case(1002).expect("case").status, Status::Open, "an answered case stays open");
    let last = store.case_view(1001, day(8)).expect("view").timeline.pop().expect("event");
    match last {
        TimelineEntry::Event(e) => assert_eq!((e.author.as_str(), e.to.as_deref()), ("Shopdesk", Some("solved"))),
        other => panic!("expected the status change, got {other:?}"),
    }
    assert!(store.auto_solve(day(9)).expect("again").is_empty());
}

fn email(from: &str, subject: &str, id: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: shop@example.com\r\nSubject: {subject}\r\nDate: Wed, 25 Nov 2026 09:00:00 +0000\r\n\
         Message-ID: <{id}>\r\n{extra}\r\n{body}\r\n"
    )
    .into_bytes()
}

#[test]
fn received_emails_are_threaded_onto_cases_and_contacts_once() {
    let mut store = Store::open_in_memory().expect("db");
    let now = mins(120);
    let first = store.ingest_email(&email("Ana Costa <ana@example.com>", "Where is my parcel?", "a1@x", "", "Order 4817?"), now).expect("first");
    assert_eq!((first.case_number, first.new_case, first.new_contact, first.duplicate), (1001, true, true, false));
    let view = store.case_view(1001, now).expect("view");
    assert_eq!(view.case.subject, "Where is my parcel?");
    assert_eq!(view.contact.emails, vec!["ana@example.com"]);
    assert_eq!(view.case.waiting_since, Some(t0()), "the email's Date counts for the clock");

    // A reply in the same thread, a reply by tag, a new matter from a known sender, a stranger.
    let rows: Vec<(Vec<u8>, u32, bool, bool)> = vec![
        (email("ana@example.com", "Re: Where is my parcel?", "a2@x", "In-Reply-To: <a1@x>\r\n", "Any news?"), 1001, false, false),
        (email("Ana <ana@example.com>", "Still waiting [#1001]", "a3@x", "", "Hello?"), 1001, false, false),
        (email("ana@example.com", "New order question", "a4@x", "", "Can I add a mug?"), 1002, true, false),
        (email("bo@example.com", "Fwd: Re: Invoice", "b1@x", "", "Need an invoice"), 1003, true, true),
    ];
    for (raw, number, new_case, new_contact) in rows {
        let got = store.ingest_email(&raw, now).expect("ingest");
        assert_eq!((got.case_number, got.new_case, got.new_contact), (number, new_case, new_contact));
    }
    assert_eq!(store.case(1003).expect("case").subject, "Invoice");
    assert_eq!(store.contact_by_email("ana@example.com").expect("ana").id, store.case(1002).expect("case").contact_id);

    // The same mail again (a re-import, a second fetch) writes nothing.
    let again = store.ingest_email(&email("ana@example.com", "Re: Where is my parcel?", "a2@x", "In-Reply-To: <a1@x>\r\n", "Any news?"), now).expect("again");
    assert_eq!((again.case_number, again.duplicate), (1001, true));
    assert_eq!(count(&store, "messages"), 5);
    assert_eq!(count(&store, "contacts"), 2);

    // Replies to a merged case land on the case it joined.
    store.merge_cases(1001, 1002, "Shop", now).expect("merge");
    let late = store.ingest_email(&email("ana@example.com", "Re: New order question", "a5@x", "References: <a4@x>\r\n", "And?"), now).expect("late");
    assert_eq!(late.case_number, 1001);
}

#[test]
fn a_broken_email_is_still_stored_with_a_visible_warning() {
    let mut store = Store::open_in_memory().expect("db");
    let got = store.ingest_email(b"\x00\x01 not an email \xff", mins(10)).expect("stored");
    assert!(got.new_case && !got.duplicate);
    assert_eq!(got.warnings.len(), 1);
    let view = store.case_view(got.case_number, mins(11)).expect("view");
    assert_eq!(view.contact.name, "Unknown sender");
    let body = view
        .timeline
        .iter()
        .find_map(|e| match e {
            TimelineEntry::Message(m) => Some(m.body.clone()),
            _ => None,
        })
        .expect("message");
    assert!(body.contains("not an email") && body.contains("[Shopdesk: This email could not be read"), "{body}");
    assert!(store.ingest_email(b"\x00\x01 not an email \xff", mins(12)).expect("again").duplicate, "keyed by content");
}

#[test]
fn a_fetched_batch_and_the_imap_cursor_past_it_are_stored_together_or_not_at_all() {
    use crate::mail::imap::Cursor;
    use crate::store::IngestOptions;
    let mut store = Store::open_in_memory().expect("db");
    let now = mins(10);
    let batch = |from: u32, to: u32| -> Vec<Vec<u8>> {
        (from..=to).map(|i| email("ana@example.com", &format!("Question {i}"), &format!("f{i}@x"), "", "Hello")).collect()
    };
    let box_ = "127.0.0.1|shop|INBOX";
    let got = store.ingest_fetched(box_, Cursor { uidvalidity: 7, last_uid: 10 }, &batch(1, 10), &IngestOptions::default(), now).expect("first batch");
    assert_eq!(got.len(), 10);
    assert_eq!(store.imap_cursor(box_).expect("cursor"), Some(Cursor { uidvalidity: 7, last_uid: 10 }));
    assert_eq!(count(&store, "messages"), 10);

    // The cursor can't be written (as if the process died before it was): the emails of that
    // batch are not stored either, so the next fetch asks for exactly them again.
    store
        .conn
        .execute_batch("CREATE TEMP TRIGGER no_cursor BEFORE UPDATE ON imap_state BEGIN SELECT RAISE(ABORT, 'disk gone'); END;")
        .expect("trigger");
    let failed = store.ingest_fetched(box_, Cursor { uidvalidity: 7, last_uid: 20 }, &batch(11, 20), &IngestOptions::default(), now);
    assert!(failed.is_err(), "the batch fails with its cursor");
    assert_eq!(count(&store, "messages"), 10, "none of the failed batch's emails is stored");
    assert_eq!(count(&store, "cases"), 10);
    assert_eq!(store.imap_cursor(box_).expect("cursor"), Some(Cursor { uidvalidity: 7, last_uid: 10 }), "the cursor stays");
    assert!(store.conn.is_autocommit(), "no transaction is left open");

    store.conn.execute_batch("DROP TRIGGER no_cursor;").expect("drop");
    let again = store.ingest_fetched(box_, Cursor { uidvalidity: 7, last_uid: 20 }, &batch(11, 20), &IngestOptions::default(), now).expect("again");
    assert!(again.iter().all(|g| !g.duplicate && g.new_case), "each stored once, now");
    assert_eq!(count(&store, "messages"), 20);
    assert_eq!(store.imap_cursor(box_).expect("cursor"), Some(Cursor { uidvalidity: 7, last_uid: 20 }));
}

#[test]
fn an_import_step_stops_at_its_time_budget_after_at_least_one_email_and_the_rest_follows() {
    use crate::store::IngestOptions;
    let mut store = Store::open_in_memory().expect("db");
    let parsed: Vec<_> = (1..=5).map(|i| crate::mail::parse(&email("bo@example.com", &format!("Mug {i}"), &format!("m{i}@x"), "", "Hi"))).collect();
    let options = IngestOptions::default();
    // No time at all: one email a transaction, never none (an import always moves on).
    let first = store.ingest_parsed(&parsed, &options, mins(1), Some(std::time::Duration::ZERO)).expect("first");
    assert_eq!(first.len(), 1);
    assert_eq!((count(&store, "messages"), store.conn.is_autocommit()), (1, true), "committed");
    // Time enough: the rest in one go, each once.
    let rest = store.ingest_parsed(&parsed[1..], &options, mins(1), Some(std::time::Duration::from_secs(60))).expect("rest");
    assert_eq!(rest.len(), 4);
    assert!(rest.iter().all(|g| !g.duplicate));
    assert_eq!(count(&store, "messages"), 5);
}

#[test]
fn a_stopped_import_keeps_what_it_filed_and_the_next_brings_in_the_rest() {
    use crate::mail::import::{import_paths, import_paths_with, ImportOptions, BATCH_EMAILS};
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().expect("tempdir");
    let mbox = dir.path().join("past.mbox");
    let all = 2 * BATCH_EMAILS + 10;
    std::fs::write(&mbox, crate::bench::synthetic_mbox(all, 5)).expect("mbox");
    let store = std::sync::Mutex::new(store_with_account(false));
    let stop = AtomicBool::new(false);
    let options = ImportOptions { stop: Some(&stop), ..ImportOptions::default() };
    let mut seen = Vec::new();
    // Stop pressed as the first step is reported.
    let report = import_paths_with(&store, std::slice::from_ref(&mbox), &options, t0, |p| {
        seen.push(p);
        if p.done > 0 {
            stop.store(true, Ordering::Relaxed);
        }
    })
    .expect("stopped import");
    assert!(report.stopped, "{report:?}");
    let first = report.stored + report.duplicates;
    assert!(first > 0 && (first as usize) < all, "{report:?}");
    assert_eq!(seen.last().map(|p| (p.done, p.total)), Some((first, all as u32)), "the bar ends where it stopped, out of the whole");
    {
        let store = store.lock().expect("store");
        let stored: u32 = store.conn.query_row("SELECT count(*) FROM messages", [], |r| r.get(0)).expect("count");
        assert_eq!(stored, report.stored, "what the report counts is committed");
        assert_search_indexes_sound(&store);
    }
    // Again, to the end: the rest comes in, nothing doubles.
    let rest = import_paths(&store, std::slice::from_ref(&mbox), t0, |_| {}).expect("the rest");
    assert!(!rest.stopped);
    assert_eq!((rest.duplicates, rest.stored + rest.duplicates), (report.stored, all as u32), "{rest:?}");
}

#[test]
fn an_import_can_bring_long_quiet_conversations_in_closed() {
    use crate::mail::import::{import_paths_with, ImportOptions};
    let dir = tempfile::tempdir().expect("tempdir");
    let now = t0(); // Wed 25 Nov 2026
    let dated = |from: &str, subject: &str, id: &str, extra: &str, date: &str, body: &str| {
        format!("From x@y Thu Jan  1 00:00:00 2026\nFrom: {from}\nTo: shop@example.com\nSubject: {subject}\nDate: {date}\nMessage-ID: <{id}>\n{extra}\n{body}\n\n")
    };
    let mbox = dir.path().join("old.mbox");
    let mail = [
        // A year-old question nobody answered.
        dated("Ana <ana@example.com>", "Glaze colours", "a1@x", "", "Mon, 10 Nov 2025 09:00:00 +0000", "Do you have the teal glaze?"),
        // A year-old conversation the shop answered last.
        dated("Bo <bo@example.com>", "Invoice", "b1@x", "", "Tue, 11 Nov 2025 09:00:00 +0000", "Please send the invoice."),
        dated("Shop <shop@example.com>", "Re: Invoice", "b2@x", "In-Reply-To: <b1@x>\n", "Tue, 11 Nov 2025 10:00:00 +0000", "Attached."),
        // Old, but the customer wrote again five days ago: still waiting.
        dated("Cy <cy@example.com>", "Cracked lid", "c1@x", "", "Wed, 01 Oct 2025 09:00:00 +0000", "The lid is cracked."),
        dated("Cy <cy@example.com>", "Re: Cracked lid", "c2@x", "In-Reply-To: <c1@x>\n", "Fri, 20 Nov 2026 09:00:00 +0000", "Any news?"),
        // Two days old: waiting.
        dated("Di <di@example.com>", "Where is my parcel?", "d1@x", "", "Mon, 23 Nov 2026 09:00:00 +0000", "It has not come."),
        // An old email on a case Shopdesk had before the import: that case is left as it is.
        dated("Ed <ed@example.com>", "Re: Mug", "e2@x", "In-Reply-To: <e1@x>\n", "Thu, 13 Nov 2025 09:00:00 +0000", "Thanks!"),
    ]
    .concat();
    std::fs::write(&mbox, mail).expect("mbox");
    let mut store = store_with_account(false);
    store
        .ingest_email(&email("Ed <ed@example.com>", "Mug", "e1@x", "", "Is the mug dishwasher safe?"), now - Duration::days(400))
        .expect("a case from before");
    let before = store.queue_all(&QueueFilter::default(), now).expect("queue").items.iter().map(|c| c.number).collect::<Vec<_>>();
    assert_eq!(before, vec![1001]);
    let store = std::sync::Mutex::new(store);

    let options = ImportOptions { close_quiet_days: Some(30), ..ImportOptions::default() };
    let report = import_paths_with(&store, std::slice::from_ref(&mbox), &options, || now, |_| {}).expect("import");
    assert_eq!((report.stored, report.new_cases, report.closed_quiet), (7, 4, 2), "{report:?}");
    let store = store.into_inner().expect("store");
    let open = |store: &Store| {
        let mut subjects: Vec<String> = store.queue_all(&QueueFilter::default(), now).expect("queue").items.into_iter().map(|c| c.subject).collect();
        subjects.sort();
        subjects
    };
    assert_eq!(open(&store), vec!["Cracked lid", "Mug", "Where is my parcel?"]);
    let glaze = hits(&store, "teal")[0].0;
    assert_eq!(store.case(glaze).expect("case").status, Status::Closed, "closed, not solved: no satisfaction check for it");
    let view = store.case_view(glaze, now).expect("view");
    assert!(view.timeline.iter().any(|e| matches!(e, TimelineEntry::Event(ev) if ev.to.as_deref() == Some("closed") && ev.author == "Shopdesk")),
        "the closing is on the timeline");
    assert_search_indexes_sound(&store);

    // The same mail again closes nothing more, and without the option nothing is closed.
    let shared = std::sync::Mutex::new(store);
    let again = import_paths_with(&shared, std::slice::from_ref(&mbox), &options, || now, |_| {}).expect("again");
    assert_eq!((again.duplicates, again.closed_quiet), (7, 0));
    let store = shared.into_inner().expect("store");
    let fresh = std::sync::Mutex::new(store_with_account(false));
    let plain = crate::mail::import::import_paths(&fresh, &[mbox], || now, |_| {}).expect("plain");
    // (Ed's reply opens a case of its own there: the case it answers is not in that database.)
    assert_eq!((plain.new_cases, plain.closed_quiet), (5, 0));
    assert_eq!(fresh.into_inner().expect("store").queue_all(&QueueFilter::default(), now).expect("queue").items.len(), 5);

    // A second archive of the same years: Ana's later (still old) email on her closed thread
    // reopens it as it is filed, and the import closes it again; Ed's case, open before any
    // import, is left open.
    let later = dir.path().join("later.mbox");
    std::fs::write(&later, dated("Ana <ana@example.com>", "Re: Glaze colours", "a1b@x", "In-Reply-To: <a1@x>\n",
        "Mon, 17 Nov 2025 09:00:00 +0000", "Any news on the teal?")).expect("later mbox");
    let shared = std::sync::Mutex::new(store);
    let second = import_paths_with(&shared, std::slice::from_ref(&later), &options, || now, |_| {}).expect("second archive");
    assert_eq!((second.stored, second.new_cases, second.closed_quiet), (1, 0, 1), "{second:?}");
    let mut store = shared.into_inner().expect("store");
    assert_eq!(store.case(glaze).expect("case").status, Status::Closed, "closed again: old mail reopened it, not Ana");
    assert_eq!(open(&store), vec!["Cracked lid", "Mug", "Where is my parcel?"]);

    // Ana writing again brings her case back.
    store.ingest_email(&email("Ana <ana@example.com>", "Re: Glaze colours", "a2@x", "In-Reply-To: <a1@x>\r\n", "Still interested!"), now).expect("again");
    assert_eq!(store.case(glaze).expect("case").status, Status::Open);
}

#[test]
fn a_command_line_import_copies_the_log_back_less_often_while_it_runs_and_leaves_the_setting_as_it_was() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mbox = dir.path().join("mail.mbox");
    // Three batches' worth, so that progress is reported between batches.
    std::fs::write(&mbox, crate::bench::synthetic_mbox(2 * crate::mail::import::BATCH_EMAILS + 10, 5)).expect("mbox");
    let store = std::sync::Mutex::new(Store::open(dir.path().join("shop.sqlite3")).expect("db"));
    let log_pages = |store: &std::sync::Mutex<Store>| -> i64 {
        store.lock().expect("lock").conn.pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0)).expect("pragma")
    };
    assert_eq!(log_pages(&store), 1000, "SQLite's default before");
    let mut during = Vec::new();
    let report = crate::mail::import::import_paths(&store, &[mbox], || mins(1), |p| {
        if p.done > 0 && p.done < p.total {
            during.push(log_pages(&store));
        }
    })
    .expect("import");
    assert_eq!(report.stored as usize, 2 * crate::mail::import::BATCH_EMAILS + 10);
    assert!(!during.is_empty() && during.iter().all(|&pages| pages == 10_000), "{during:?}");
    assert_eq!(log_pages(&store), 1000, "back to the default after");

    // And after an import that fails on the way: its attachments can't be stored (a file is
    // where their folder should be).
    let other = tempfile::tempdir().expect("tempdir");
    std::fs::write(other.path().join("attachments"), b"not a folder").expect("file");
    let failing = std::sync::Mutex::new(Store::open(other.path().join("shop.sqlite3")).expect("db"));
    let mbox = dir.path().join("mail.mbox");
    assert!(crate::mail::import::import_paths(&failing, &[mbox], || mins(1), |_| {}).is_err());
    assert_eq!(log_pages(&failing), 1000, "back to the default after a failed import");

    // A store shared with a window (short steps) keeps the default all along.
    struct Windowed(std::sync::Mutex<Store>);
    impl crate::mail::worker::StoreAccess for Windowed {
        fn with<R>(&self, f: impl FnOnce(&mut Store) -> crate::Result<R>) -> crate::Result<R> {
            self.0.with(f)
        }
        fn hold_limit(&self) -> Option<std::time::Duration> {
            Some(std::time::Duration::from_millis(100))
        }
    }
    let shared = tempfile::tempdir().expect("tempdir");
    let windowed = Windowed(std::sync::Mutex::new(Store::open(shared.path().join("shop.sqlite3")).expect("db")));
    let mut during = Vec::new();
    crate::mail::import::import_paths(&windowed, &[dir.path().join("mail.mbox")], || mins(1), |p| {
        if p.done > 0 && p.done < p.total {
            during.push(log_pages(&windowed.0));
        }
    })
    .expect("import");
    assert!(!during.is_empty() && during.iter().all(|&pages| pages == 1000), "{during:?}");

    // A database in memory has no log to copy back: ending an import there is no error either.
    let memory = Store::open_in_memory().expect("db");
    memory.begin_import().expect("begin");
    memory.end_import().expect("end in memory");
}

/// What each search index holds, row by row in its own order, ids replaced by what they name
/// (two databases number their cases alike but draw different ids).
fn index_rows(store: &Store) -> Vec<String> {
    let mut rows = Vec::new();
    let named = |table: &str| {
        format!(
            "SELECT s.rowid, s.kind, coalesce((SELECT 'case ' || number FROM cases WHERE id = s.ref),
                    (SELECT 'message of #' || c.number FROM messages m JOIN cases c ON c.id = m.case_id WHERE m.id = s.ref)), s.text
             FROM {table} s ORDER BY s.rowid"
        )
    };
    for sql in [named("search_fts"), named("search_cjk"), "SELECT f.rowid, 'contact', '', f.text FROM contacts_fts f ORDER BY f.rowid".into()] {
        let mut stmt = store.conn.prepare(&sql).expect("prepare");
        let found = stmt
            .query_map([], |r| Ok(format!("{} {} {:?} {}", r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, String>(3)?)))
            .expect("query");
        rows.extend(found.map(|r| r.expect("row")));
    }
    rows
}

/// FTS5's own check of each index; with rank 1 it also checks the word index against the text it
/// reads (migration 18: its content is a view over the messages and cases).
fn assert_search_indexes_sound(store: &Store) {
    for table in ["search_fts", "search_cjk", "contacts_fts"] {
        index_check(store, table).unwrap_or_else(|e| panic!("{table}: {e}"));
    }
    assert_eq!((count(store, "search_pending"), count(store, "search_deferred")), (0, 0), "nothing left noted, deferral off");
    // The contacts index keeps its own copy of each contact's text: it must be the text as it is now.
    let stale: Vec<String> = store
        .conn
        .prepare(
            "SELECT c.name FROM contacts c LEFT JOIN contacts_fts_map m ON m.contact_id = c.id
             LEFT JOIN contacts_fts f ON f.rowid = m.fts_rowid JOIN contact_search_text t ON t.contact_id = c.id
             WHERE f.text IS NOT t.text",
        )
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    assert!(stale.is_empty(), "contacts indexed with old text or not at all: {stale:?}");
}

/// The emails of the bench's shop mailbox (`count`, `seed`), read back from an mbox file as an
/// import reads them.
fn bench_emails(count: usize, seed: u64) -> Vec<Vec<u8>> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mbox = dir.path().join("mail.mbox");
    std::fs::write(&mbox, crate::bench::synthetic_mbox(count, seed)).expect("mbox");
    crate::mail::read_mail_source(&mbox).expect("read").map(|r| r.expect("email")).collect()
}

#[test]
fn a_batch_import_indexes_exactly_what_filing_one_email_at_a_time_does() {
    use crate::store::IngestOptions;
    // The bench's shop mailbox: threads, replies quoting, Japanese, HTML, attachments, orders.
    let raws = bench_emails(400, 3);
    assert!(raws.iter().any(|r| String::from_utf8_lossy(r).contains("注文")), "some CJK mail in the sample");

    let mut one_by_one = store_with_account(false);
    for raw in &raws {
        one_by_one.ingest_email(raw, mins(60 * 24 * 400)).expect("one");
    }
    let mut batched = store_with_account(false);
    for batch in raws.chunks(64) {
        batched.ingest_batch(batch, &IngestOptions::default(), mins(60 * 24 * 400)).expect("batch");
    }
    // A batch that files an email already there (no new rows) and one that fails leave no notes.
    batched.ingest_batch(&raws[..3], &IngestOptions::default(), mins(60 * 24 * 400)).expect("again");
    let rows = index_rows(&one_by_one);
    assert!(rows.len() > 400, "messages, cases and contacts indexed: {}", rows.len());
    assert!(rows.iter().any(|r| r.contains(" message ") && r.contains("注文")), "CJK text in the trigram index");
    assert_eq!(index_rows(&batched), rows, "the same rows, numbered alike");
    // Rows indexed earlier, changed under deferral (an import reaching an older case): the same
    // as changing them at once. The first insertion that follows reuses no row number either.
    let change = "UPDATE cases SET subject = subject || ' 注文 renamed', order_ref = 'A-1001'
                      WHERE number IN (SELECT number FROM cases ORDER BY number LIMIT 2);
                  UPDATE messages SET body = body || ' amended' WHERE rowid IN (SELECT rowid FROM messages ORDER BY rowid LIMIT 3);
                  UPDATE contacts SET name = name || ' Jr' WHERE rowid IN (SELECT rowid FROM contacts ORDER BY rowid LIMIT 2);
                  -- A contact's emails and phones added, moved to another contact and removed, each
                  -- on contacts nothing else here changes (migration 22).
                  INSERT INTO contact_emails (email, contact_id, position)
                      SELECT 'zoltan.second@example.com', id, 9 FROM contacts ORDER BY rowid LIMIT 1 OFFSET 3;
                  UPDATE contact_emails SET contact_id = (SELECT id FROM contacts ORDER BY rowid LIMIT 1 OFFSET 5)
                      WHERE contact_id = (SELECT id FROM contacts ORDER BY rowid LIMIT 1 OFFSET 6);
                  DELETE FROM contact_emails WHERE contact_id = (SELECT id FROM contacts ORDER BY rowid LIMIT 1 OFFSET 9);
                  INSERT INTO contact_phones (phone, contact_id, position)
                      SELECT '+4915112345678', id, 0 FROM contacts ORDER BY rowid LIMIT 1 OFFSET 4;
                  UPDATE contact_phones SET contact_id = (SELECT id FROM contacts ORDER BY rowid LIMIT 1 OFFSET 7) WHERE phone = '+4930111111';
                  DELETE FROM contact_phones WHERE phone = '+4930222222';";
    // Phones that are there before the change, to move and to remove.
    let phones = "INSERT INTO contact_phones (phone, contact_id, position) SELECT '+4930111111', id, 0 FROM contacts ORDER BY rowid LIMIT 1 OFFSET 11;
                  INSERT INTO contact_phones (phone, contact_id, position) SELECT '+4930222222', id, 0 FROM contacts ORDER BY rowid LIMIT 1 OFFSET 12;";
    for store in [&mut one_by_one, &mut batched] {
        let tx = store.conn.transaction().expect("begin");
        tx.execute_batch(phones).expect("phones");
        super::search_index::commit(tx).expect("commit");
    }
    // At once: in a transaction of its own, which indexes what it noted as every one of the
    // store's does (migrations 22 and 23).
    let tx = one_by_one.conn.transaction().expect("begin");
    tx.execute_batch(change).expect("changed at once");
    super::search_index::commit(tx).expect("commit");
    batched.conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
    super::search_index::defer(&batched.conn).expect("defer");
    batched.conn.execute_batch(change).expect("changed");
    assert!(count(&batched, "search_pending") >= 7, "noted, not indexed");
    super::search_index::index_pending(&batched.conn).expect("indexed");
    batched.conn.execute_batch("COMMIT").expect("commit");
    let rows = index_rows(&one_by_one);
    assert!(rows.iter().any(|r| r.contains("amended")) && rows.iter().any(|r| r.contains(" Jr")));
    assert!(rows.iter().any(|r| r.contains("zoltan.second")) && rows.iter().any(|r| r.contains("4915112345678")), "new email and phone indexed");
    assert_eq!(index_rows(&batched), rows, "changed rows replaced in place");
    assert_search_indexes_sound(&batched);
    assert_search_indexes_sound(&one_by_one);
    for typed in ["teapot", "tracking has not moved", "注文", "Costa", "parc"] {
        let found = |store: &Store| -> Vec<(u32, String)> {
            store.search(typed, &QueueFilter::default()).expect("search").hits.into_iter().map(|h| (h.case_number, h.snippet)).collect()
        };
        assert_eq!(found(&batched), found(&one_by_one), "{typed}");
    }

    // After a batch, any other write indexes at once: the deferral ended with the batch.
    let first = batched.queue(&QueueFilter::default(), QueuePage::first(1), mins(0)).expect("queue").items[0].number;
    batched.log_message(first, &say(Direction::Note, Channel::Email, "Zanzibar courier called", mins(60 * 24 * 401)), mins(60 * 24 * 401)).expect("note");
    assert_eq!(batched.search("zanzibar", &QueueFilter::default()).expect("search").hits.len(), 1);
    assert_search_indexes_sound(&batched);
}

#[test]
fn a_reply_s_quote_of_a_message_shopdesk_holds_is_not_indexed_again_and_the_body_stays_whole() {
    use crate::store::IngestOptions;
    let quoted = "Any news about the replacement?\r\n\r\nOn 25 Nov 2026, Ana wrote:\r\n> My teapot came with a cracked zanzibarlid.\r\n> 急須のふたが割れています。\r\n";
    let thread = |store: &mut Store, batched: bool| {
        let first = email("Ana Costa <ana@example.com>", "Teapot order", "q1@x", "", "My teapot came with a cracked zanzibarlid.\r\n急須のふたが割れています。");
        let reply = email("ana@example.com", "Re: Teapot order", "q2@x", "In-Reply-To: <q1@x>\r\n", quoted);
        // A reply to a message Shopdesk never got: its quote is the only copy there is.
        let stranger = email("Bo Berg <bo@example.com>", "Re: Mug", "q3@x", "In-Reply-To: <elsewhere@x>\r\n",
            "Thanks!\r\n\r\nOn Monday, Shop wrote:\r\n> Your quokkamug ships today.\r\n");
        // The same when only an earlier message of the thread is held (References): the shop
        // answered from its webmail, and the customer quotes that answer.
        let webmail = email("ana@example.com", "Re: Teapot order", "q4@x", "In-Reply-To: <webmail1@shop>\r\nReferences: <q1@x> <webmail1@shop>\r\n",
            "Got it.\r\n\r\nOn 25 Nov 2026, Shop wrote:\r\n> Your tracking number is ZX81QQ.\r\n");
        if batched {
            store.ingest_batch(&[first, reply, stranger, webmail], &IngestOptions::default(), mins(10)).expect("batch");
        } else {
            for raw in [first, reply, stranger, webmail] {
                store.ingest_email(&raw, mins(10)).expect("one by one");
            }
        }
    };
    for batched in [false, true] {
        let mut store = store_with_account(false);
        thread(&mut store, batched);
        // The quoted words find the message that said them, not the reply quoting it.
        let found = hits(&store, "zanzibarlid");
        assert_eq!(found.len(), 1, "batched {batched}: {found:?}");
        assert!(found[0].2.contains("My teapot came"), "{found:?}");
        assert_eq!(hits(&store, "急須").len(), 1, "batched {batched}: the CJK index alike");
        // The reply's own words are found, and its snippet is its own text.
        let own = hits(&store, "replacement");
        assert_eq!(own.len(), 1);
        assert!(!own[0].2.contains('>'), "{own:?}");
        // A quote of a message Shopdesk does not hold is searched like any text.
        assert_eq!(hits(&store, "quokkamug").len(), 1, "batched {batched}");
        assert_eq!(hits(&store, "ZX81QQ").len(), 1, "batched {batched}: webmail's answer, quoted");
        // The reply is stored and shown whole.
        let view = store.case_view(1001, mins(10)).expect("view");
        let bodies: Vec<String> = view.timeline.into_iter().filter_map(|e| match e { TimelineEntry::Message(m) => Some(m.body), _ => None }).collect();
        assert!(bodies.iter().any(|b| b.contains("> My teapot came with a cracked zanzibarlid.") && b.contains("Any news")), "{bodies:?}");
        assert_search_indexes_sound(&store);
        // Changed under an import's deferral, the words the index held are taken out (the
        // noted old text is the indexed part) and the whole text put in.
        store.conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
        super::search_index::defer(&store.conn).expect("defer");
        store.conn.execute("UPDATE messages SET indexed_chars = NULL WHERE message_id = 'q2@x'", []).expect("whole");
        super::search_index::index_pending(&store.conn).expect("indexed");
        store.conn.execute_batch("COMMIT").expect("commit");
        assert_eq!(hits(&store, "zanzibarlid").len(), 2, "now found in the reply's quote too");
        assert_search_indexes_sound(&store);
        store.conn.execute("UPDATE messages SET indexed_chars = 31 WHERE message_id = 'q2@x'", []).expect("own part again");
        assert_eq!(hits(&store, "zanzibarlid").len(), 1);
        assert_search_indexes_sound(&store);
        // Removing the reply takes exactly what was indexed of it out again.
        store.conn.execute("DELETE FROM messages WHERE message_id = 'q2@x'", []).expect("delete");
        assert!(hits(&store, "replacement").is_empty());
        assert_eq!(hits(&store, "zanzibarlid").len(), 1);
        assert_search_indexes_sound(&store);
    }
}

fn index_check(store: &Store, table: &str) -> rusqlite::Result<()> {
    store.conn.execute_batch(&format!("INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)"))
}

#[test]
fn the_word_index_matches_the_text_it_reads_after_every_kind_of_change() {
    use crate::store::IngestOptions;
    let mut store = store_with_account(false);
    let hit_numbers = |store: &Store, typed: &str| -> Vec<u32> { hits(store, typed).into_iter().map(|h| h.0).collect() };
    // Rows indexed at once, and an import's, indexed at the end of its batch.
    let ana = new_case(&mut store, ContactRef::New(person("Ana Costa", "ana@example.com", "+351 912 345 678")), "Parcel not arrived",
        say(Direction::FromCustomer, Channel::Email, "My teapot never came; order 4817.", mins(0)), mins(0));
    store.log_message(ana.number, &say(Direction::Note, Channel::Phone, "Courier says the depot flooded", mins(5)), mins(5)).expect("note");
    let bo = new_case(&mut store, ContactRef::New(person("Bo Berg", "bo@example.org", "+46 70 123 45 67")), "Glaze question",
        say(Direction::FromCustomer, Channel::Chat, "Is the blue glaze food safe?", mins(1)), mins(1));
    let raws: Vec<Vec<u8>> = (1..=6)
        .map(|i| email(&format!("cy{i}@example.com"), &format!("Mug {i} cracked"), &format!("m{i}@x"), "", &format!("Handle number {i} broke off")))
        .collect();
    store.ingest_batch(&raws, &IngestOptions::default(), mins(10)).expect("batch");
    index_check(&store, "search_fts").expect("after inserts");
    let id_of = |store: &Store, sql: &str| -> String { store.conn.query_row(sql, [], |r| r.get(0)).expect("id") };

    // Changed at once: a case's subject and references, a message's text; a message removed.
    let patch = CasePatch { subject: Some("Teapot lost in transit".into()), order_ref: Some("SO-4817".into()), tracking_ref: Some("TRK-77".into()), ..CasePatch::default() };
    store.update_case(ana.number, &patch, "", mins(20)).expect("edit");
    store.conn.execute_batch("UPDATE messages SET body = 'The depot reopened' WHERE body LIKE 'Courier%'").expect("edit body");
    let extra = id_of(&store, &format!("SELECT id FROM cases WHERE number = {}", bo.number));
    store.conn.execute(
        "INSERT INTO messages (id, case_id, direction, channel, author, body, happened_at, recorded_at)
         VALUES ('gone-now', ?1, 'note', 'phone', '', 'Zebra pattern samples', 0, 0)", [&extra]).expect("note");
    store.conn.execute_batch("DELETE FROM messages WHERE id = 'gone-now'").expect("delete");
    index_check(&store, "search_fts").expect("after changes at once");

    // Changed under an import's deferral: twice, changed then removed, removed unchanged; a case
    // changed twice, a case changed then removed; rows new in the batch changed and removed.
    let mug = |i: u32| format!("SELECT m.id FROM messages m JOIN cases c ON c.id = m.case_id WHERE c.subject = 'Mug {i} cracked'");
    let (twice, changed_gone, unchanged_gone) = (id_of(&store, &mug(1)), id_of(&store, &mug(2)), id_of(&store, &mug(3)));
    let gone_case = id_of(&store, "SELECT id FROM cases WHERE subject = 'Mug 4 cracked'");
    store.conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
    super::search_index::defer(&store.conn).expect("defer");
    let deferred = format!(
        "UPDATE messages SET body = 'Lid chipped as well' WHERE id = '{twice}';
         UPDATE messages SET body = body || ', and the spout' WHERE id = '{twice}';
         UPDATE messages SET body = 'Soon removed' WHERE id = '{changed_gone}';
         DELETE FROM messages WHERE id = '{changed_gone}';
         DELETE FROM messages WHERE id = '{unchanged_gone}';
         UPDATE cases SET subject = 'Mug 5 handle' WHERE subject = 'Mug 5 cracked';
         UPDATE cases SET order_ref = 'A-1005', third_party = 'Royal Mail' WHERE subject = 'Mug 5 handle';
         UPDATE cases SET subject = 'Mug 4 withdrawn' WHERE id = '{gone_case}';
         DELETE FROM case_events WHERE case_id = '{gone_case}';
         DELETE FROM messages WHERE case_id = '{gone_case}';
         DELETE FROM cases WHERE id = '{gone_case}';
         INSERT INTO messages (id, case_id, direction, channel, author, body, happened_at, recorded_at)
         VALUES ('new-1', '{extra}', 'note', 'phone', '', 'Walrus figurine', 0, 0),
                ('new-2', '{extra}', 'note', 'phone', '', 'Narwhal figurine', 0, 0);
         UPDATE messages SET body = 'Walrus figurine repainted' WHERE id = 'new-1';
         DELETE FROM messages WHERE id = 'new-2';"
    );
    store.conn.execute_batch(&deferred).expect("changed under deferral");
    super::search_index::index_pending(&store.conn).expect("indexed");
    store.conn.execute_batch("COMMIT").expect("commit");
    index_check(&store, "search_fts").expect("after deferred changes");

    // Merges move messages between cases and addresses between contacts; a reply is threaded.
    store.merge_cases(ana.number, bo.number, "", mins(30)).expect("merge cases");
    let (kept, absorbed) = (store.contact_by_email("ana@example.com").expect("ana").id, store.contact_by_email("bo@example.org").expect("bo").id);
    store.merge_contacts(kept, absorbed, "", mins(31)).expect("merge contacts");
    let reply = email("cy1@example.com", "Re: Mug 1 cracked", "r1@x", "In-Reply-To: <m1@x>\r\n", "Any news about the handle?");
    store.ingest_batch(&[reply], &IngestOptions::default(), mins(40)).expect("reply");
    assert_search_indexes_sound(&store);

    // What search finds is the text as it is now.
    for (typed, found) in [("spout", 1), ("chipped", 1), ("soon", 0), ("removed", 0), ("withdrawn", 0), ("royal", 1), ("A-1005", 1),
        ("walrus repainted", 1), ("narwhal", 0), ("zebra", 0), ("arrived", 0), ("transit", 1), ("flooded", 0), ("reopened", 1)] {
        assert_eq!(hit_numbers(&store, typed).len(), found, "{typed}");
    }
    assert!(hits(&store, "spout")[0].2.contains("\u{2}spout\u{3}"), "a snippet from the text the view reads");

    // The check sees a row taken out the way it was before migration 18 (by rowid, FTS5 reading
    // the words to remove from the view, which already shows the new text): words left behind.
    store.conn.execute_batch(
        "SAVEPOINT old_way;
         DROP TRIGGER messages_search_update;
         CREATE TRIGGER messages_search_update AFTER UPDATE OF body ON messages BEGIN
             DELETE FROM search_fts WHERE rowid = (SELECT fts_rowid FROM search_map WHERE kind = 'message' AND ref = old.id);
             INSERT INTO search_fts (rowid, kind, ref, text)
             SELECT fts_rowid, 'message', new.id, new.body FROM search_map WHERE kind = 'message' AND ref = old.id;
         END;
         UPDATE messages SET body = 'Entirely other words' WHERE body LIKE 'Any news%';").expect("the old way");
    assert!(index_check(&store, "search_fts").is_err(), "the old way corrupts the index and the check says so");
    store.conn.execute_batch("ROLLBACK TO old_way; RELEASE old_way;").expect("rollback");
    assert_search_indexes_sound(&store);
}

#[test]
fn a_batch_that_fails_leaves_neither_rows_nor_index_notes() {
    use crate::store::IngestOptions;
    let mut store = store_with_account(false);
    store.conn.execute_batch(
        "CREATE TRIGGER refuse_third AFTER INSERT ON messages WHEN (SELECT count(*) FROM messages) >= 3 BEGIN
             SELECT RAISE(ABORT, 'disk says no');
         END;").expect("trigger");
    let raws: Vec<Vec<u8>> = (1..=5).map(|i| email("bo@example.com", &format!("Mug {i}"), &format!("m{i}@x"), "", "Handle broke")).collect();
    assert!(store.ingest_batch(&raws, &IngestOptions::default(), mins(1)).is_err());
    assert_eq!(count(&store, "messages"), 0);
    assert_search_indexes_sound(&store);
    store.conn.execute_batch("DROP TRIGGER refuse_third;").expect("drop");
    store.ingest_batch(&raws, &IngestOptions::default(), mins(1)).expect("batch");
    assert_eq!(store.search("handle", &QueueFilter::default()).expect("search").hits.len(), 5);
    assert_search_indexes_sound(&store);
}

// ---- The outbox and acknowledgements ----

fn mail_account(ack: bool) -> crate::account::MailAccount {
    crate::account::MailAccount {
        from_name: "Costa Ceramics".into(),
        from_address: "shop@example.com".into(),
        smtp_host: "127.0.0.1".into(),
        smtp_port: 2525,
        smtp_security: crate::account::Security::None,
        signature: "Costa Ceramics\nwww.costa.example".into(),
        acknowledge: ack,
        ..crate::account::MailAccount::default()
    }
}

fn store_with_account(ack: bool) -> Store {
    let mut store = Store::open_in_memory().expect("store");
    store.set_mail_account(&mail_account(ack)).expect("account saved");
    store
}

fn delivery(store: &Store, number: u32, id: crate::MessageId) -> Delivery {
    store
        .case_view(number, mins(0))
        .expect("view")
        .timeline
        .into_iter()
        .find_map(|e| match e {
            TimelineEntry::Message(m) if m.id == id => m.delivery,
            _ => None,
        })
        .expect("message has a delivery")
}

#[test]
fn a_reply_is_committed_first_and_stops_the_clock_only_once_sent() {
    let mut store = store_with_account(false);
    let got = store.ingest_email(&email("Ana Costa <ana@example.com>", "Where is my parcel?", "a1@x", "", "Order 4817?"), mins(0)).expect("in");
    let reply = store.queue_reply(got.case_number, "It left today.", None, "Rui", mins(30)).expect("queued");
    let d = reply.delivery.clone().expect("delivery");
    assert_eq!((d.state, d.kind, d.to.as_str(), d.attempts), (DeliveryState::Queued, OutgoingKind::Reply, "ana@example.com", 0));
    assert_eq!(d.subject, format!("Re: Where is my parcel? [#{}]", got.case_number));
    assert!(reply.body.ends_with("-- \nCosta Ceramics\nwww.costa.example"), "signed: {}", reply.body);
    let case = store.case(got.case_number).expect("case");
    assert_eq!(case.waiting_since, Some(t0()), "not sent yet: the customer still waits");

    let claimed = store.claim_due_mail(mins(31), 10).expect("claim");
    assert_eq!(claimed.len(), 1);
    let mail = &claimed[0];
    assert_eq!(mail.in_reply_to.as_deref(), Some("a1@x"));
    assert_eq!(mail.references, vec!["a1@x".to_string()]);
    assert_eq!(mail.to_name, "Ana Costa");
    assert!(mail.rfc_message_id.ends_with("@example.com"), "{}", mail.rfc_message_id);
    assert!(store.claim_due_mail(mins(31), 10).expect("again").is_empty(), "an attempt under way is not taken twice");

    store.record_sent(mail.message_id, mins(32)).expect("sent");
    let d = delivery(&store, got.case_number, reply.id);
    assert_eq!((d.state, d.sent_at), (DeliveryState::Sent, Some(mins(32))));
    let case = store.case(got.case_number).expect("case");
    assert_eq!(case.waiting_since, None, "answered");
    assert_eq!(case.first_response_at, Some(mins(32)), "answered when it went out, not when written");

    // The customer's answer to the reply threads back to the case by its Message-ID.
    let answer = format!("In-Reply-To: <{}>\r\n", mail.rfc_message_id);
    let back = store.ingest_email(&email("ana@example.com", "Re: something else", "a2@x", &answer, "Thanks!"), mins(60)).expect("answer");
    assert_eq!((back.case_number, back.new_case), (got.case_number, false));
}

#[test]
fn failures_retry_with_backoff_and_refusals_are_held_for_the_owner() {
    let mut store = store_with_account(false);
    let got = store.ingest_email(&email("ana@example.com", "Parcel", "a1@x", "", "?"), mins(0)).expect("in");
    let reply = store.queue_reply(got.case_number, "Soon.", None, "", mins(1)).expect("queued");
    let id = store.claim_due_mail(mins(1), 10).expect("claim")[0].message_id;
    store.record_send_failure(id, "Could not reach the mail server 127.0.0.1:2525: refused", false, mins(1)).expect("failed");
    let d = delivery(&store, got.case_number, reply.id);
    assert_eq!((d.state, d.attempts, d.next_attempt_at), (DeliveryState::Queued, 1, mins(1) + super::backoff(1)));
    assert_eq!(d.last_error.as_deref(), Some("Could not reach the mail server 127.0.0.1:2525: refused"));
    assert!(store.claim_due_mail(mins(1), 10).expect("early").is_empty(), "waits for the backoff");
    let status = store.mail_status().expect("status");
    assert_eq!((status.waiting, status.retrying, status.held), (1, 1, 0));

    let again = store.claim_due_mail(mins(2), 10).expect("later");
    assert_eq!(again.len(), 1);
    store.record_send_failure(id, "The mail server refused the login", true, mins(2)).expect("refused");
    assert_eq!(delivery(&store, got.case_number, reply.id).state, DeliveryState::Held);
    assert!(store.claim_due_mail(mins(500), 10).expect("held").is_empty(), "held until the owner acts");

    let retried = store.retry_outgoing(id, mins(600)).expect("retry");
    assert_eq!(retried.delivery.expect("d").state, DeliveryState::Queued);
    assert_eq!(store.claim_due_mail(mins(600), 10).expect("claim").len(), 1);
}

#[test]
fn a_crash_mid_send_sends_again_with_the_same_message_id() {
    let mut store = store_with_account(false);
    let got = store.ingest_email(&email("ana@example.com", "Parcel", "a1@x", "", "?"), mins(0)).expect("in");
    store.queue_reply(got.case_number, "Soon.", None, "", mins(1)).expect("queued");
    let first = store.claim_due_mail(mins(1), 10).expect("claim").remove(0);
    // The app dies here: nothing recorded. Once the lease lapses, the email is taken up again.
    assert!(store.claim_due_mail(mins(5), 10).expect("within lease").is_empty());
    let lapsed = mins(1) + super::SEND_LEASE;
    let second = store.claim_due_mail(lapsed, 10).expect("after lease").remove(0);
    assert_eq!(second.rfc_message_id, first.rfc_message_id, "a duplicate keeps its Message-ID");
    assert_eq!(delivery(&store, got.case_number, second.message_id).attempts, 2);
}

#[test]
fn scheduled_and_cancelled_replies() {
    let mut store = store_with_account(false);
    let got = store.ingest_email(&email("ana@example.com", "Parcel", "a1@x", "", "?"), mins(0)).expect("in");
    let later = store.queue_reply(got.case_number, "Good morning!", Some(mins(24 * 60)), "", mins(10)).expect("scheduled");
    let d = later.delivery.expect("d");
    assert!(d.scheduled);
    assert_eq!(d.next_attempt_at, mins(24 * 60));
    assert!(store.claim_due_mail(mins(24 * 60 - 1), 10).expect("early").is_empty());
    assert!(store.queue_reply(got.case_number, "x", Some(mins(5)), "", mins(10)).is_err(), "a time in the past");

    let cancelled = store.cancel_outgoing(later.id, mins(20)).expect("cancel");
    assert_eq!(cancelled.delivery.expect("d").state, DeliveryState::Cancelled);
    assert_eq!(cancelled.body, "Good morning!\n\n-- \nCosta Ceramics\nwww.costa.example", "what was written stays");
    assert!(store.claim_due_mail(mins(48 * 60), 10).expect("claim").is_empty());
    assert_eq!(store.case(got.case_number).expect("case").waiting_since, Some(t0()), "a cancelled reply answers nothing");
    let err = store.retry_outgoing(later.id, mins(30)).expect_err("cancelled");
    assert!(err.to_string().contains("cancelled"), "{err}");
    let tomorrow = store.queue_reply(got.case_number, "See you", Some(mins(25 * 60)), "", mins(11)).expect("scheduled");
    let due = store.claim_due_mail(mins(25 * 60 + 1), 10).expect("due");
    let mail = due.iter().find(|m| m.message_id == tomorrow.id).expect("claimed");
    assert_eq!(mail.written_at, mins(25 * 60), "dated when it goes, not when it was written");
}

#[test]
fn replies_need_an_account_and_an_address() {
    let mut store = Store::open_in_memory().expect("store");
    let got = store.ingest_email(&email("ana@example.com", "Parcel", "a1@x", "", "?"), mins(0)).expect("in");
    let err = store.queue_reply(got.case_number, "Hi", None, "", mins(1)).expect_err("no account");
    assert!(err.to_string().contains("Settings"), "{err}");
    store.set_mail_account(&mail_account(false)).expect("account");
    let phone_only = NewContact { name: "Bo".into(), phones: vec!["+351 912 345 678".into()], ..NewContact::default() };
    let case = new_case(&mut store, ContactRef::New(phone_only), "Call", say(Direction::FromCustomer, Channel::Phone, "hi", mins(0)), mins(0));
    let err = store.queue_reply(case.number, "Hi", None, "", mins(1)).expect_err("no email");
    assert!(err.to_string().contains("Bo has no email address"), "{err}");
}

#[test]
fn a_new_email_case_is_acknowledged_once_a_day_and_never_to_robots() {
    let mut store = store_with_account(true);
    let now = mins(5);
    let first = store
        .ingest_email_with(&email("Ana Costa <ana@example.com>", "Where is my parcel?", "a1@x", "", "?"), &super::IngestOptions { acknowledge: true }, now)
        .expect("first");
    assert!(first.acknowledged);
    let view = store.case_view(first.case_number, now).expect("view");
    let ack = view
        .timeline
        .iter()
        .find_map(|e| match e {
            TimelineEntry::Message(m) if m.automatic => Some(m.clone()),
            _ => None,
        })
        .expect("acknowledgement on the timeline");
    assert!(ack.body.starts_with("Hello Ana,"), "{}", ack.body);
    assert!(ack.body.contains(&format!("case #{}", first.case_number)), "{}", ack.body);
    assert!(ack.body.contains("within 2 hours"), "{}", ack.body);
    assert_eq!(ack.delivery.expect("d").kind, OutgoingKind::Acknowledgement);
    let claimed = store.claim_due_mail(now, 10).expect("claim");
    store.record_sent(claimed[0].message_id, now).expect("sent");
    assert_eq!(store.case(first.case_number).expect("case").waiting_since, Some(t0()), "an acknowledgement is no answer");

    let ack_opts = super::IngestOptions { acknowledge: true };
    let second = store.ingest_email_with(&email("ana@example.com", "Another question", "a2@x", "", "?"), &ack_opts, mins(60)).expect("second");
    assert!(second.new_case && !second.acknowledged, "at most one a day per sender");
    let robot = store
        .ingest_email_with(&email("shop-news@example.net", "Newsletter", "n1@x", "List-Id: <news.example.net>\r\n", "!"), &ack_opts, mins(60))
        .expect("robot");
    assert!(robot.new_case && !robot.acknowledged, "never to a list");
    let bounce = store.ingest_email_with(&email("MAILER-DAEMON@example.org", "Undelivered", "b1@x", "", "!"), &ack_opts, mins(60)).expect("bounce");
    assert!(!bounce.acknowledged);
    let imported = store.ingest_email(&email("chloe@example.fr", "Teapot", "c1@x", "", "!"), mins(60)).expect("import");
    assert!(imported.new_case && !imported.acknowledged, "imports of past mail are not acknowledged");
    let old = store.ingest_email_with(&email("dan@example.com", "Old", "d1@x", "", "!"), &ack_opts, mins(3 * 24 * 60)).expect("old");
    assert!(!old.acknowledged, "mail days old is not acknowledged days late");
    let next_day = store.ingest_email_with(&email("ana@example.com", "Third", "a3@x", "", "?"), &ack_opts, mins(25 * 60)).expect("next day");
    assert!(!next_day.acknowledged, "dated 25 h before now: too old");
}

#[test]
fn attachments_are_kept_by_content_hash_and_html_beside_the_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(dir.path().join("shopdesk.sqlite3")).expect("store");
    let raw = b"From: ana@example.com\r\nSubject: Broken teapot\r\nMessage-ID: <p1@x>\r\nDate: Wed, 25 Nov 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n\
--b2\r\nContent-Type: text/plain\r\n\r\nIt broke.\r\n--b2\r\nContent-Type: text/html\r\n\r\n<p onclick=\"x()\">It <b>broke</b>.</p>\r\n--b2--\r\n\
--b1\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename=\"../../photo.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
aGVsbG8gcGhvdG8=\r\n--b1--\r\n";
    let got = store.ingest_email(raw, mins(0)).expect("in");
    let view = store.case_view(got.case_number, mins(0)).expect("view");
    let m = view
        .timeline
        .iter()
        .find_map(|e| match e {
            TimelineEntry::Message(m) => Some(m),
            _ => None,
        })
        .expect("the email is on the timeline");
    assert_eq!(m.body, "It broke.");
    assert!(m.has_html);
    assert_eq!(m.attachments.len(), 1);
    let a = &m.attachments[0];
    assert_eq!((a.filename.as_str(), a.content_type.as_str(), a.size), ("photo.jpg", "image/jpeg", 11));
    let file = dir.path().join("attachments").join(&a.hash);
    assert_eq!(std::fs::read(&file).expect("file kept"), b"hello photo");
    let copy = dir.path().join("saved photo.jpg");
    store.save_attachment(&a.hash, &copy).expect("saved");
    assert_eq!(std::fs::read(&copy).expect("copy"), b"hello photo");
    assert!(store.save_attachment("../../etc/passwd", &copy).is_err(), "only files named by a hash");
    let html = store.message_html(m.id).expect("html").expect("has html");
    assert!(html.contains("<b>broke</b>"));
    let shown = crate::mail::html::sanitize(&html, false);
    assert!(!shown.contains("onclick"), "{shown}");
}

#[test]
fn a_batch_stores_its_emails_files_together_each_once_and_whole() {
    use base64::Engine as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(dir.path().join("shopdesk.sqlite3")).expect("store");
    // Five photos, the last the same bytes as the first (one file for both).
    let photo = |i: usize| format!("photo number {}", i % 4).into_bytes();
    let raws: Vec<Vec<u8>> = (0..5)
        .map(|i| {
            format!(
                "From: c{i}@example.com\r\nSubject: Photo {i}\r\nMessage-ID: <ph{i}@x>\r\nMIME-Version: 1.0\r\n\
                 Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the photo.\r\n\
                 --b\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename=\"p{i}.jpg\"\r\n\
                 Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
                base64::engine::general_purpose::STANDARD.encode(photo(i))
            )
            .into_bytes()
        })
        .collect();
    let got = store.ingest_batch(&raws, &super::IngestOptions::default(), mins(0)).expect("batch");
    assert_eq!(got.len(), 5);
    let folder = dir.path().join("attachments");
    let mut names: Vec<String> = std::fs::read_dir(&folder).expect("folder").map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names.len(), 4, "one file per content, no temporary file left: {names:?}");
    for (i, ingested) in got.iter().enumerate() {
        let view = store.case_view(ingested.case_number, mins(0)).expect("view");
        let m = view.timeline.iter().find_map(|e| match e { TimelineEntry::Message(m) => Some(m), _ => None }).expect("message");
        let a = &m.attachments[0];
        assert_eq!(std::fs::read(folder.join(&a.hash)).expect("the file its row names"), photo(i));
    }
    // Filed again: nothing new, and the files are left as they are.
    let again = store.ingest_batch(&raws, &super::IngestOptions::default(), mins(1)).expect("again");
    assert!(again.iter().all(|g| g.duplicate));
    assert_eq!(std::fs::read_dir(&folder).expect("folder").count(), 4);
}

#[test]
fn a_quiet_customer_gets_the_saved_follow_up_in_one_click() {
    let mut store = store_with_account(false);
    let got = store.ingest_email(&email("Ana Costa <ana@example.com>", "Parcel", "a1@x", "", "?"), mins(0)).expect("in");
    let err = store.queue_follow_up(got.case_number, "", mins(5)).expect_err("not waiting on the customer");
    assert!(err.to_string().contains("not waiting on the customer"), "{err}");
    let patch = CasePatch { status: Some(Status::WaitingOnCustomer), ..CasePatch::default() };
    store.update_case(got.case_number, &patch, "", mins(10)).expect("waiting on customer");
    let sent = store.queue_follow_up(got.case_number, "Rui", mins(4 * 24 * 60)).expect("follow-up");
    assert!(sent.body.starts_with(&format!("Hello Ana,\n\nWe are following up on case #{} (Parcel).", got.case_number)), "{}", sent.body);
    assert!(sent.body.ends_with("-- \nCosta Ceramics\nwww.costa.example"), "signed: {}", sent.body);
    assert_eq!(sent.delivery.expect("d").state, DeliveryState::Queued);
}

// ---- Search ----

fn hits(store: &Store, typed: &str) -> Vec<(u32, Option<Direction>, String)> {
    store
        .search(typed, &QueueFilter::default())
        .expect("search")
        .hits
        .into_iter()
        .map(|h| (h.case_number, h.direction, h.snippet))
        .collect()
}

#[test]
fn search_finds_what_was_said_and_stays_in_step_with_edits_and_merges() {
    let mut store = Store::open_in_memory().expect("store");
    let ana = new_case(&mut store, ContactRef::New(person("Ana Costa", "ana@example.com", "+351 912 345 678")), "Parcel not arrived",
        say(Direction::FromCustomer, Channel::Email, "My teapot never came; order 4817.", mins(0)), mins(0));
    store.log_message(ana.number, &say(Direction::Note, Channel::Phone, "Courier says the depot flooded", mins(5)), mins(5)).expect("note");
    let bo = new_case(&mut store, ContactRef::New(person("Bo Berg", "bo@example.org", "+46 70 123 45 67")), "Glaze question",
        say(Direction::FromCustomer, Channel::Chat, "Is the blue glaze food safe?", mins(1)), mins(1));

    let found = hits(&store, "teapot");
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].0, found[0].1), (ana.number, Some(Direction::FromCustomer)));
    assert!(found[0].2.contains("\u{2}teapot\u{3}"), "highlighted: {:?}", found[0].2);
    assert_eq!(hits(&store, "depo").len(), 1, "prefixes match, notes are searched");
    assert_eq!(hits(&store, "courier says the dep").len(), 1, "earlier words whole, the last one as typed");
    assert_eq!(hits(&store, "cour sa dep").len(), 1, "too few whole-word matches: earlier words as prefixes too");
    assert!(hits(&store, "cour sa depx").is_empty());
    assert_eq!(hits(&store, "theiere").len(), 0);
    assert_eq!(hits(&store, "glaze")[0].0, bo.number, "subject and message both match; best first");
    assert!(hits(&store, "teapot glaze").is_empty(), "every word must match");

    // An edit to the subject and references is searchable at once; the old subject is not.
    let patch = CasePatch { subject: Some("Teapot lost in transit".into()), order_ref: Some("SO-4817".into()), ..CasePatch::default() };
    store.update_case(ana.number, &patch, "", mins(10)).expect("edit");
    assert!(hits(&store, "arrived").is_empty(), "the old subject left the index");
    assert!(hits(&store, "transit").iter().any(|h| h.1.is_none() && h.0 == ana.number), "the new subject is in it");

    // Merged: what was said on the absorbed case is found on the one that stays.
    let merged = store.merge_cases(ana.number, bo.number, "", mins(20)).expect("merge");
    let glaze = hits(&store, "food safe");
    assert_eq!(glaze.iter().map(|h| h.0).collect::<Vec<_>>(), vec![merged.number]);

    // Jumps: a case number, an email, a phone, an order reference.
    let jump = |q: &str| store.search(q, &QueueFilter::default()).expect("search").jump;
    assert_eq!(jump(&format!("#{}", ana.number)), Some(super::SearchJump::Case { number: ana.number }));
    assert_eq!(jump("SO-4817"), Some(super::SearchJump::Case { number: ana.number }));
    assert!(matches!(jump("ANA@example.com"), Some(super::SearchJump::Contact { .. })));
    assert!(matches!(jump("+351 912 345 678"), Some(super::SearchJump::Contact { .. })));
    assert_eq!(jump("99999"), None);
    let contacts = store.search("berg", &QueueFilter::default()).expect("search").contacts;
    assert_eq!(contacts.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), vec!["Bo Berg"]);

    // Filters narrow by the case.
    let chat_only = QueueFilter { channel: Some(Channel::Chat), ..QueueFilter::default() };
    assert!(store.search("teapot", &chat_only).expect("search").hits.is_empty());
}

#[test]
fn every_write_indexes_what_it_added_before_it_commits() {
    // New rows are only noted by their triggers (migration 23): each of the store's writes
    // indexes them in its own transaction, so nothing is left noted in between.
    let mut store = store_with_account(false);
    let settled = |store: &Store, step: &str| {
        assert_eq!(count(store, "search_pending"), 0, "{step}: nothing left noted");
        assert_search_indexes_sound(store);
    };
    let n = crate::demo::load(&mut store, mins(0)).expect("demo");
    assert!(n >= 10);
    settled(&store, "demo data");
    let ana = new_case(&mut store, ContactRef::New(person("Quilla Marsh", "quilla@example.com", "+351 913 000 111")), "Kettle whistle",
        say(Direction::FromCustomer, Channel::Phone, "The kettle whistles off-key", mins(1)), mins(1));
    settled(&store, "open_case");
    store.log_message(ana.number, &say(Direction::Note, Channel::Phone, "Asked the maker about the xylophonic whistle", mins(2)), mins(2)).expect("note");
    settled(&store, "log_message");
    store.log_automatic_message(ana.number, &say(Direction::FromShop, Channel::Email, "Automatic: we got your zephyrine message", mins(3)), mins(3))
        .expect("automatic");
    settled(&store, "log_automatic_message");
    let other = store.create_contact(&person("Ravi Quorn", "ravi@example.com", "+351 914 000 222"), mins(4)).expect("contact");
    settled(&store, "create_contact");
    store.update_contact(other.id, &person("Ravi Quornby", "ravi.q@example.com", "+351 914 000 222"), mins(5)).expect("update");
    settled(&store, "update_contact");
    let quilla = store.contact_by_email("quilla@example.com").expect("quilla");
    store.merge_contacts(quilla.id, other.id, "", mins(6)).expect("merge contacts");
    settled(&store, "merge_contacts");
    store.ingest_email(&email("Tomas Vell <tomas@example.com>", "Saucer chipped", "v1@x", "", "The saucer came chipped, a quincunx crack"), mins(7))
        .expect("ingest");
    settled(&store, "ingest_email");
    let tomas = hits(&store, "quincunx");
    assert_eq!(tomas.len(), 1);
    store.queue_reply(tomas[0].0, "Sorry about the saucer; a new one ships Monday (marmalade box).", None, "", mins(8)).expect("reply");
    settled(&store, "queue_reply");
    let merged = store.merge_cases(ana.number, tomas[0].0, "", mins(9)).expect("merge cases");
    settled(&store, "merge_cases");
    for word in ["xylophonic", "zephyrine", "quincunx", "marmalade", "whistles"] {
        assert_eq!(hits(&store, word).iter().map(|h| h.0).collect::<Vec<_>>(), vec![merged.number], "{word}");
    }
    let found = store.find_contacts("quornby").expect("contacts");
    assert!(found.is_empty(), "the absorbed contact is not offered: {found:?}");
    assert_eq!(store.find_contacts("ravi.q@").expect("contacts").len(), 1, "its email is found on the kept contact");
}

#[test]
fn rows_another_program_wrote_are_indexed_when_the_store_opens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.sqlite3");
    drop(Store::open(&path).expect("store"));
    {
        // The sqlite3 shell, say: its new rows are only noted.
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(
            "INSERT INTO contacts (id, name, created_at, updated_at) VALUES ('01a21d4b-0000-7000-8000-00000000000a', 'Yusuf Wren', 0, 0);
             INSERT INTO cases (id, number, subject, contact_id, status, priority, category, fault, channel, created_at,
                                updated_at, last_activity_at)
             VALUES ('01a21d4b-0000-7000-8000-00000000000c', 1001, 'Teapot lid', '01a21d4b-0000-7000-8000-00000000000a', 'open', 'normal', 'delivery', 'unknown', 'email', 0, 0, 0);
             INSERT INTO messages (id, case_id, direction, channel, author, body, happened_at, recorded_at)
             VALUES ('01a21d4b-0000-7000-8000-00000000000e', '01a21d4b-0000-7000-8000-00000000000c', 'from_customer', 'email', 'Yusuf', 'The lid rattles like a tambourine', 0, 0);",
        )
        .expect("written by another program");
        assert_eq!(conn.query_row("SELECT count(*) FROM search_pending", [], |r| r.get::<_, i64>(0)).expect("noted"), 3);
    }
    let store = Store::open(&path).expect("reopened");
    assert_eq!(hits(&store, "tambourine").len(), 1);
    assert_eq!(hits(&store, "teapot").len(), 1);
    assert_eq!(store.find_contacts("wren").expect("contacts").len(), 1);
    assert_search_indexes_sound(&store);
}

#[test]
fn an_upgrade_to_batch_indexing_keeps_cjk_search_and_numbers_its_rows_like_the_word_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v15.sqlite3");
    {
        // A database as migration 15 left it, its CJK rows numbered on their own.
        let mut conn = rusqlite::Connection::open(&path).expect("open");
        super::migrations::migrations().to_version(&mut conn, 15).expect("to 15");
        conn.execute_batch(
            "INSERT INTO contacts (id, name, created_at, updated_at) VALUES ('k1', 'Yui', 0, 0);
             INSERT INTO cases (id, number, subject, contact_id, status, priority, category, fault, channel, created_at,
                                updated_at, last_activity_at)
             VALUES ('c1', 1001, 'Teapot', 'k1', 'open', 'normal', 'delivery', 'unknown', 'email', 0, 0, 0),
                    ('c2', 1002, '急須が割れた', 'k1', 'open', 'normal', 'delivery', 'unknown', 'email', 0, 0, 0);
             INSERT INTO messages (id, case_id, direction, channel, author, body, happened_at, recorded_at)
             VALUES ('m1', 'c1', 'from_customer', 'email', 'Yui', 'plain words only', 0, 0),
                    ('m2', 'c2', 'from_customer', 'email', 'Yui', '注文の急須が割れて届きました', 0, 0);",
        )
        .expect("rows");
        let cjk_rowids: Vec<i64> = conn.prepare("SELECT rowid FROM search_cjk ORDER BY rowid").expect("prepare")
            .query_map([], |r| r.get(0)).expect("query").map(|r| r.expect("row")).collect();
        assert_eq!(cjk_rowids, vec![1, 2], "numbered on their own before");
    }
    let store = Store::open(&path).expect("upgraded");
    let found = hits(&store, "急須");
    assert!(!found.is_empty() && found.iter().all(|h| h.0 == 1002), "{found:?}");
    assert!(hits(&store, "plain").len() == 1);
    let aligned: Vec<(String, String)> = store.conn
        .prepare("SELECT c.kind, c.ref FROM search_cjk c JOIN search_map m ON m.fts_rowid = c.rowid AND m.kind = c.kind AND m.ref = c.ref ORDER BY c.rowid")
        .expect("prepare").query_map([], |r| Ok((r.get(0)?, r.get(1)?))).expect("query").map(|r| r.expect("row")).collect();
    assert_eq!(aligned, vec![("case".to_string(), "c2".to_string()), ("message".to_string(), "m2".to_string())]);
    // Migration 17 built the word index again, with its one-letter prefix index, under the same
    // row numbers.
    let unmapped: i64 = store.conn
        .query_row("SELECT count(*) FROM search_fts f LEFT JOIN search_map m ON m.fts_rowid = f.rowid AND m.kind = f.kind
                    AND m.ref = f.ref WHERE m.fts_rowid IS NULL", [], |r| r.get(0)).expect("count");
    assert_eq!((unmapped, count(&store, "search_fts")), (0, 4), "cases and messages, under their numbers");
    assert_eq!(hits(&store, "p").iter().map(|h| h.0).collect::<Vec<_>>(), vec![1001], "one letter: \"plain\"");
    assert_search_indexes_sound(&store);
}

#[test]
fn an_upgrade_to_an_index_without_its_own_copy_of_the_text_keeps_its_row_numbers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v17.sqlite3");
    let rows = |conn: &rusqlite::Connection| -> Vec<(i64, String, String, String)> {
        conn.prepare("SELECT rowid, kind, ref, text FROM search_fts ORDER BY rowid").expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).expect("query").map(|r| r.expect("row")).collect()
    };
    let before = {
        // A database as migration 17 left it: rows changed and removed, so numbers have gaps.
        let mut conn = rusqlite::Connection::open(&path).expect("open");
        super::migrations::migrations().to_version(&mut conn, 17).expect("to 17");
        conn.execute_batch(
            "INSERT INTO contacts (id, name, created_at, updated_at) VALUES ('k1', 'Yui', 0, 0);
             INSERT INTO cases (id, number, subject, contact_id, status, priority, category, fault, channel, created_at,
                                updated_at, last_activity_at)
             VALUES ('c1', 1001, 'Teapot', 'k1', 'open', 'normal', 'delivery', 'unknown', 'email', 0, 0, 0),
                    ('c2', 1002, 'Saucer', 'k1', 'open', 'normal', 'delivery', 'unknown', 'email', 0, 0, 0);
             INSERT INTO messages (id, case_id, direction, channel, author, body, happened_at, recorded_at)
             VALUES ('m1', 'c1', 'from_customer', 'email', 'Yui', 'The spout arrived cracked', 0, 0),
                    ('m2', 'c1', 'note', 'phone', 'Yui', 'Called the courier', 0, 0),
                    ('m3', 'c2', 'from_customer', 'email', 'Yui', 'Saucer fine, thanks', 0, 0);
             UPDATE cases SET subject = 'Teapot spout', order_ref = 'SO-17', third_party = 'DHL' WHERE id = 'c1';
             UPDATE messages SET body = 'Called the courier twice' WHERE id = 'm2';
             DELETE FROM messages WHERE id = 'm3';",
        )
        .expect("rows");
        assert!(conn.query_row("SELECT count(*) FROM sqlite_master WHERE name = 'search_fts_content'", [], |r| r.get::<_, i64>(0)).expect("count") == 1);
        rows(&conn)
    };
    assert_eq!(before.len(), 4, "two cases and two messages: {before:?}");
    let store = Store::open(&path).expect("upgraded");
    assert_eq!(rows(&store.conn), before, "the same rows under the same numbers, the text read from the view");
    assert_eq!(count(&store, "sqlite_master WHERE name = 'search_fts_content'"), 0, "no copy of the text any more");
    assert_search_indexes_sound(&store);
    let found = hits(&store, "twice");
    assert_eq!((found.len(), found[0].0), (1, 1001));
    assert!(found[0].2.contains("\u{2}twice\u{3}"), "snippet: {:?}", found[0].2);
    assert_eq!(hits(&store, "dhl").len(), 1);
    assert!(hits(&store, "saucer fine").is_empty());
}

#[test]
fn an_existing_database_is_indexed_when_it_is_upgraded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.sqlite3");
    {
        let mut store = Store::open(&path).expect("store");
        new_case(&mut store, ContactRef::New(person("Ana", "ana@example.com", "+351912345678")), "Parcel",
            say(Direction::FromCustomer, Channel::Email, "The teapot is cracked", mins(0)), mins(0));
        // As a database written before search existed: no index.
        store.conn.execute_batch("DELETE FROM search_fts; PRAGMA user_version = 6;").expect("downgrade");
        store.conn.execute_batch("DROP VIEW search_text; DROP VIEW case_search_text;
            DROP TRIGGER messages_search_update; DROP TRIGGER messages_search_delete;
            DROP TRIGGER cases_search_update; DROP TRIGGER cases_search_delete; DROP TABLE search_fts;
            DROP TABLE saved_replies; DROP TABLE orders; DROP TABLE surveys; DROP INDEX case_events_status;
            DROP TABLE search_map; ALTER TABLE outbox DROP COLUMN restored;
            DROP INDEX cases_order_ref; DROP INDEX cases_tracking_ref;
            DROP TABLE search_cjk;
            DROP TRIGGER contacts_fts_update; DROP TRIGGER contacts_fts_delete;
            DROP TRIGGER messages_search_insert_later; DROP TRIGGER messages_search_update_later;
            DROP TRIGGER cases_search_insert_later; DROP TRIGGER cases_search_update_later;
            DROP TRIGGER contacts_fts_insert_later; DROP TRIGGER contacts_fts_update_later;
            DROP TABLE search_pending; DROP TABLE search_deferred;
            DROP TRIGGER contact_emails_fts_insert; DROP TRIGGER contact_emails_fts_update; DROP TRIGGER contact_emails_fts_delete;
            DROP TRIGGER contact_phones_fts_insert; DROP TRIGGER contact_phones_fts_update; DROP TRIGGER contact_phones_fts_delete;
            DROP VIEW contact_search_text; DROP TABLE contacts_fts; DROP TABLE contacts_fts_map;").expect("drop");
        store.conn.execute_batch("DROP TRIGGER cases_running_clocks_update; DROP TRIGGER cases_running_clocks_delete;
            DELETE FROM counters WHERE name = 'running_clocks'; DROP INDEX cases_alert_next; DROP INDEX cases_clock_warn; DROP INDEX cases_clock_due;
            DROP INDEX cases_clock_hard; DROP INDEX cases_clock_soon; DROP INDEX cases_clock_overdue; DROP INDEX cases_reminder_due;
            DROP INDEX cases_remind; DROP INDEX cases_quiet; ALTER TABLE cases DROP COLUMN alert_next_at;
            ALTER TABLE cases DROP COLUMN clock_warn_at; ALTER TABLE cases DROP COLUMN clock_due_at; ALTER TABLE cases DROP COLUMN clock_hard_at;
            ALTER TABLE cases DROP COLUMN clock_soon_at; ALTER TABLE cases DROP COLUMN clock_overdue_at;
            ALTER TABLE cases DROP COLUMN reminder_due_at;").expect("drop alert times");
        store.conn.execute_batch("DROP INDEX cases_queue_order; DROP INDEX cases_queue_filter;
            DROP TABLE queue_counts; DROP TRIGGER cases_counts_insert; DROP TRIGGER cases_counts_update; DROP TRIGGER cases_counts_delete;").expect("drop the queue's index and counts");
        store.conn.execute_batch("DROP INDEX contacts_by_id_shown;").expect("drop the contacts' shown index");
        store.conn.execute_batch("DROP INDEX cases_done;").expect("drop the finished cases' index");
        store.conn.execute_batch("ALTER TABLE messages DROP COLUMN indexed_chars;").expect("drop how much of a message is indexed");
    }
    let store = Store::open(&path).expect("upgraded");
    assert_eq!(hits(&store, "cracked").len(), 1, "the upgrade indexed what was there");
    for typed in ["ana", "ANA@EXAMPLE", "912345", "+351 912"] {
        let found = store.find_contacts(typed).expect("search");
        assert_eq!(found.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), vec!["Ana"], "{typed}: the upgrade indexed the contacts");
    }
    // ... and computed the waiting customer's alert times (migration 14).
    let sweep = store.sweep_clocks(mins(200)).expect("sweep");
    assert_eq!((sweep.overdue, sweep.pending.len(), sweep.next_change), (1, 1, Some(mins(1440))));
    assert_search_indexes_sound(&store);
}

#[test]
fn the_shops_sent_mail_answers_its_conversations_and_names_the_customer() {
    let mut store = store_with_account(false);
    let asked = store.ingest_email(&email("Ana Costa <ana@example.com>", "Parcel", "a1@x", "", "Where is it?"), mins(0)).expect("in");
    // Imported from the Sent folder: the shop's own answer, threaded by its headers.
    let sent = "From: Costa Ceramics <shop@example.com>\r\nTo: Ana Costa <ana@example.com>\r\nSubject: Re: Parcel\r\n\
         Date: Wed, 25 Nov 2026 10:00:00 +0000\r\nMessage-ID: <s1@example.com>\r\nIn-Reply-To: <a1@x>\r\n\r\nIt left today.\r\n";
    let answered = store.ingest_email(sent.as_bytes(), mins(120)).expect("sent mail");
    assert_eq!((answered.case_number, answered.new_case), (asked.case_number, false));
    let case = store.case(asked.case_number).expect("case");
    assert_eq!(case.waiting_since, None, "the shop's own reply answered the customer");
    // A conversation the shop started: the case is the recipient's, not the shop's own.
    let started = "From: shop@example.com\r\nTo: Chloé Martin <chloe@example.fr>\r\nSubject: Your order has shipped\r\n\
         Date: Wed, 25 Nov 2026 11:00:00 +0000\r\nMessage-ID: <s2@example.com>\r\n\r\nOn its way.\r\n";
    let got = store.ingest_email(started.as_bytes(), mins(180)).expect("started");
    let view = store.case_view(got.case_number, mins(180)).expect("view");
    assert_eq!(view.contact.name, "Chloé Martin");
    assert_eq!(view.contact.emails, vec!["chloe@example.fr".to_string()]);
}

#[test]
fn review_findings_stay_fixed() {
    let mut store = store_with_account(false);
    // An email whose subject is only "Re:" still files (it used to stop intake for good).
    let bare = store.ingest_email(&email("ana@example.com", "Re:", "bare@x", "", "Hello?"), mins(0)).expect("filed");
    assert_eq!(store.case(bare.case_number).expect("case").subject, "(no subject)");

    // A contact form: the customer is in Reply-To, not the form's no-reply sender.
    let form = store
        .ingest_email(&email("Shop Website <noreply@forms.example>", "Contact form", "f1@x", "Reply-To: Dana Diaz <dana@example.net>\r\n", "Hi"), mins(1))
        .expect("form");
    let view = store.case_view(form.case_number, mins(1)).expect("view");
    assert_eq!((view.contact.name.as_str(), view.contact.emails.clone()), ("Dana Diaz", vec!["dana@example.net".to_string()]));

    // The shop's own vacation reply coming back on a thread answers nobody.
    let vacation = "From: shop@example.com\r\nTo: ana@example.com\r\nSubject: Re: Re:\r\nAuto-Submitted: auto-replied\r\n\
        Date: Wed, 25 Nov 2026 09:10:00 +0000\r\nMessage-ID: <v1@example.com>\r\nIn-Reply-To: <bare@x>\r\n\r\nI am away.\r\n";
    store.ingest_email(vacation.as_bytes(), mins(10)).expect("vacation");
    assert_eq!(store.case(bare.case_number).expect("case").waiting_since, Some(t0()), "still waiting");

    // A late failure report never undoes a send; a cancel during the attempt is refused.
    let reply = store.queue_reply(bare.case_number, "Here.", None, "", mins(20)).expect("queued");
    let id = store.claim_due_mail(mins(20), 1).expect("claim")[0].message_id;
    let err = store.cancel_outgoing(id, mins(20)).expect_err("being sent");
    assert!(err.to_string().contains("being sent right now"), "{err}");
    assert!(store.retry_outgoing(id, mins(20)).is_err(), "no retry of an attempt under way");
    store.record_sent(id, mins(21)).expect("sent");
    store.record_send_failure(id, "late timeout", false, mins(22)).expect("late report");
    assert_eq!(delivery(&store, bare.case_number, reply.id).state, DeliveryState::Sent);
    assert!(store.claim_due_mail(mins(60), 5).expect("claim").is_empty(), "nothing to send twice");

    // Held for a refused login; saving the account tries again.
    store.queue_reply(bare.case_number, "Again.", None, "", mins(30)).expect("queued");
    let id = store.claim_due_mail(mins(30), 1).expect("claim")[0].message_id;
    store.record_send_failure(id, "The mail server refused the login", true, mins(30)).expect("held");
    assert!(store.claim_due_mail(mins(31), 5).expect("held").is_empty());
    assert_eq!(store.requeue_held(mins(40)).expect("requeue"), 1);
    assert_eq!(store.claim_due_mail(mins(40), 5).expect("claim").len(), 1);
}

// ---- Saved replies, orders, satisfaction checks, reports and export (issue 6) ----

fn solve(store: &mut Store, number: u32, at: DateTime<Utc>) {
    let patch = CasePatch { status: Some(Status::Solved), ..CasePatch::default() };
    store.update_case(number, &patch, "Rui", at).expect("solved");
}

fn send_all(store: &mut Store, now: DateTime<Utc>) -> Vec<super::OutgoingMail> {
    let due = store.claim_due_mail(now, 50).expect("claim");
    for m in &due {
        store.record_sent(m.message_id, now).expect("sent");
    }
    due
}

#[test]
fn saved_replies_start_with_the_starter_set_and_fill_in_the_case() {
    let mut store = store_with_account(false);
    let replies = store.saved_replies().expect("list");
    assert_eq!(replies.len(), crate::templates::STARTER_SET.len());
    assert_eq!(replies[0].title, "We got your message");
    let got = store.ingest_email(&email("Ana Costa <ana@example.com>", "Cracked teapot", "a1@x", "", "It arrived broken"), mins(0)).expect("in");
    let fault = replies.iter().find(|r| r.title.starts_with("Replacement or refund")).expect("starter");
    let filled = store.fill_saved_reply(&fault.id, got.case_number).expect("filled");
    assert!(filled.text.starts_with("Hello Ana,\n"), "{}", filled.text);
    assert!(filled.text.contains("Costa Ceramics"));
    // The case has no order number yet: it stays visible, and the reply can't be sent so.
    assert_eq!(filled.missing, vec!["order.ref"]);
    assert!(filled.text.contains("order {order.ref}"));
    let refused = store.queue_reply(got.case_number, &filled.text, None, "Rui", mins(5)).expect_err("unfilled");
    assert!(refused.to_string().contains("Fill in {order.ref}"), "{refused}");
    let patch = CasePatch { order_ref: Some("1187".into()), ..CasePatch::default() };
    store.update_case(got.case_number, &patch, "Rui", mins(6)).expect("order");
    let filled = store.fill_saved_reply(&fault.id, got.case_number).expect("filled");
    assert!(filled.missing.is_empty() && filled.text.contains("order 1187"));
    store.queue_reply(got.case_number, &filled.text, None, "Rui", mins(7)).expect("queued");

    // {promised_by} is the case's reminder, as a customer reads a date.
    let still = replies.iter().find(|r| r.title == "Still working on it").expect("starter");
    assert_eq!(store.fill_saved_reply(&still.id, got.case_number).expect("f").missing, vec!["promised_by"]);
    store.set_reminder(got.case_number, Some(mins(3 * 1440)), "Rui", mins(8)).expect("remind");
    assert!(store.fill_saved_reply(&still.id, got.case_number).expect("f").text.contains("by Saturday 28 November"));

    // The owner's own, edited and removed.
    let mine = store.add_saved_reply(&crate::templates::NewSavedReply { title: " Gift wrap ".into(), body: "Yes, {customer.first_name}!".into() }, mins(9)).expect("add");
    assert_eq!((mine.title.as_str(), mine.position), ("Gift wrap", 7));
    let edited = store.update_saved_reply(&mine.id, &crate::templates::NewSavedReply { title: "Gift wrap".into(), body: "Of course.".into() }, mins(10)).expect("edit");
    assert_eq!(edited.body, "Of course.");
    assert!(store.add_saved_reply(&crate::templates::NewSavedReply::default(), mins(11)).is_err());
    store.delete_saved_reply(&mine.id).expect("delete");
    assert_eq!(store.saved_replies().expect("list").len(), 7);
}

const SHOPIFY_ORDERS: &str = "\
Name,Email,Financial Status,Paid at,Fulfillment Status,Currency,Total,Created at,Lineitem quantity,Lineitem name,Billing Name
#1187,ana@example.com,paid,2026-03-02 10:15:00 +0000,fulfilled,EUR,46.90,2026-03-02 10:14:31 +0000,2,Blue mug,Ana Costa
#1187,ana@example.com,,,,,,2026-03-02 10:14:31 +0000,1,Teapot,
#2301,ana@example.com,paid,2026-06-10 08:00:00 +0000,fulfilled,EUR,19.00,2026-06-10 07:59:00 +0000,1,Coaster,Ana Costa
#2302,bo@example.com,paid,2026-06-11 08:00:00 +0000,fulfilled,EUR,12.00,2026-06-11 07:59:00 +0000,1,Spoon,Bo Berg
";

#[test]
fn orders_are_imported_whole_shown_on_the_profile_and_linked_to_cases_that_name_them() {
    let mut store = store_with_account(false);
    let tz = chrono_tz::UTC;
    // A case that names an order before the orders are known, and one that only has its own number.
    let early = store.ingest_email(&email("Ana Costa <ana@example.com>", "Order #1187 arrived broken", "a1@x", "", "Help"), mins(0)).expect("in");
    let other = store.ingest_email(&email("Bo Berg <bo@example.com>", "Question", "b1@x", "", "Your case number is #1001? ok"), mins(1)).expect("in");

    let file = crate::orders::parse_text(SHOPIFY_ORDERS, None, tz).expect("read");
    let mut calls = Vec::new();
    let done = store.import_orders(&file, mins(2), |d, t| calls.push((d, t))).expect("import");
    assert_eq!((done.new_orders, done.updated_orders, done.lines, done.cases_linked), (3, 0, 4, 1));
    assert_eq!(calls.last(), Some(&(3, 3)));
    assert_eq!(store.case(early.case_number).expect("case").order_ref, "1187");
    assert_eq!(store.case(other.case_number).expect("case").order_ref, "");

    let ana = store.contact_by_email("ana@example.com").expect("ana");
    let profile = store.contact_profile(ana.id, mins(3)).expect("profile");
    assert_eq!(profile.orders.iter().map(|o| o.order_ref.as_str()).collect::<Vec<_>>(), vec!["2301", "1187"]);
    assert_eq!(profile.orders[1].items, "2 × Blue mug; 1 × Teapot");

    // New mail that names an order links its case at once.
    let later = store.ingest_email(&email("Bo Berg <bo@example.com>", "Spoon", "b2@x", "", "Where is order 2302 please?"), mins(4)).expect("in");
    assert_eq!(store.case(later.case_number).expect("case").order_ref, "2302");

    // Importing again updates; a broken file changes nothing at all.
    let again = store.import_orders(&file, mins(5), |_, _| {}).expect("again");
    assert_eq!((again.new_orders, again.updated_orders), (0, 3));
    let broken = format!("{SHOPIFY_ORDERS}#2303,cy@example.com,paid\n");
    let err = crate::orders::parse_text(&broken, None, tz).expect_err("broken");
    assert!(err.to_string().starts_with("Line 6 has 3 columns"), "{err}");
    assert_eq!(store.order_count().expect("count"), 3);
    assert_eq!(store.order("#1187").expect("order").map(|o| o.total_cents), Some(Some(4690)));
    // Typing an order number no case names jumps to its customer.
    assert_eq!(store.search("#2301", &QueueFilter::default()).expect("s").jump, Some(super::SearchJump::Contact { id: ana.id }));
    assert_eq!(store.search("2302", &QueueFilter::default()).expect("s").jump, Some(super::SearchJump::Case { number: later.case_number }));
    let listed = |q: &str| store.list_orders(q, 10).expect("list").into_iter().map(|o| o.order_ref).collect::<Vec<_>>();
    assert_eq!(listed(""), vec!["2302", "2301", "1187"]);
    assert_eq!(listed("bo@"), vec!["2302"]);
    assert_eq!(listed("#118"), vec!["1187"]);
}

#[test]
fn a_satisfaction_check_goes_out_days_after_solving_once_per_customer_and_its_rating_is_read() {
    let mut store = store_with_account(false);
    // Cases solved before surveys were turned on are never asked about.
    let old = store.ingest_email(&email("Ana Costa <ana@example.com>", "Old", "a0@x", "", "Hi"), mins(0)).expect("in");
    solve(&mut store, old.case_number, mins(10));
    let settings = crate::surveys::SurveySettings { enabled: true, days_after_solved: 3, period_days: 90, ..Default::default() };
    let with_order = crate::surveys::SurveySettings { text: "About order {order.ref}: 1 to 5?".into(), ..settings.clone() };
    let err = store.set_survey_settings(&with_order, mins(19)).expect_err("unfillable");
    assert!(err.to_string().contains("{order.ref}"), "{err}");
    let saved = store.set_survey_settings(&settings, mins(20)).expect("on");
    assert_eq!(saved.enabled_since, Some(mins(20)));

    let a = store.ingest_email(&email("Ana Costa <ana@example.com>", "Lid", "a1@x", "", "Lid missing"), mins(30)).expect("in");
    let a2 = store.ingest_email(&email("Ana Costa <ana@example.com>", "Mug", "a2@x", "", "Mug chipped"), mins(31)).expect("in");
    let b = store.ingest_email(&email("Bo Berg <bo@example.com>", "Spoon", "b1@x", "", "Spoon bent"), mins(32)).expect("in");
    for n in [a.case_number, a2.case_number, b.case_number] {
        solve(&mut store, n, mins(60));
    }
    let day = 1440;
    assert!(store.queue_due_surveys(mins(60 + 2 * day)).expect("due").is_empty(), "not before three days");
    let asked = store.queue_due_surveys(mins(60 + 3 * day)).expect("due");
    // One per customer per period: Ana is asked about one of her two cases.
    assert_eq!(asked, vec![a.case_number, b.case_number]);
    assert!(store.queue_due_surveys(mins(60 + 4 * day)).expect("due").is_empty(), "never twice");
    let sent = send_all(&mut store, mins(60 + 3 * day));
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].kind, OutgoingKind::Survey);
    assert!(sent[0].body.contains("from 1 (not at all) to 5"), "{}", sent[0].body);
    assert!(sent[0].body.starts_with("Hello Ana,"));
    assert_eq!(store.case(a.case_number).expect("case").status, Status::Solved, "asking does not reopen");

    // "5, thanks" is recorded and the case stays solved; a "2" with a complaint reopens.
    let reply = |id: &str, from: &str, body: &str, to: &str| {
        email(from, "Re: [#1002] Lid", id, &format!("In-Reply-To: <{to}>\r\n"), body)
    };
    let ana_survey = sent[0].rfc_message_id.clone();
    let bo_survey = sent[1].rfc_message_id.clone();
    let before = store.case(a.case_number).expect("case");
    store.ingest_email(&reply("a9@x", "Ana Costa <ana@example.com>", "5, thanks so much!\n\nOn Mon, Rui wrote:\n> reply with 1 to 5", &ana_survey), mins(60 + 4 * day)).expect("in");
    let case_a = store.case(a.case_number).expect("case");
    assert_eq!((case_a.status, case_a.waiting_since), (Status::Solved, before.waiting_since));
    store.ingest_email(&reply("b9@x", "Bo Berg <bo@example.com>", "2. The new spoon bent too.", &bo_survey), mins(60 + 4 * day)).expect("in");
    assert_eq!(store.case(b.case_number).expect("case").status, Status::Open);

    let answers = store.survey_answers(false).expect("answers");
    assert_eq!(answers.iter().map(|s| (s.case_number, s.rating)).collect::<Vec<_>>(), vec![(a.case_number, 5), (b.case_number, 2)]);
    assert_eq!(answers[0].comment, "5, thanks so much!");
    store.set_quotable(a.case_number, true).expect("quotable");
    let quotes = store.survey_answers(true).expect("quotes");
    assert_eq!(quotes.len(), 1);
    assert!(store.set_quotable(old.case_number, true).is_err());
    let view = store.case_view(a.case_number, mins(60 + 4 * day)).expect("view");
    assert!(view.timeline.iter().any(|e| matches!(e, TimelineEntry::Message(m) if m.rating == Some(5))));

    let report = store.report(mins(0), mins(60 + 5 * day), mins(60 + 5 * day)).expect("report");
    assert_eq!(report.ratings.iter().map(|r| r.count).collect::<Vec<_>>(), vec![0, 1, 0, 0, 1]);
    assert_eq!(report.surveys_sent, 2);
}

#[test]
fn the_report_measures_first_replies_from_the_customers_first_message() {
    let mut store = store_with_account(false);
    let a = store.ingest_email(&email("Ana Costa <ana@example.com>", "Lid", "a1@x", "", "Lid missing"), mins(0)).expect("in");
    store.ingest_email(&email("Bo Berg <bo@example.com>", "Spoon", "b1@x", "", "Spoon bent"), mins(0)).expect("in");
    store.queue_reply(a.case_number, "Sending one today.", None, "Rui", mins(45)).expect("queued");
    send_all(&mut store, mins(45));
    // The email is dated 09:00 on 25 November (t0); the reply went 45 minutes later.
    let report = store.report(mins(-1440), mins(1440), mins(300)).expect("report");
    assert_eq!((report.overall.cases, report.overall.answered), (2, 1));
    assert_eq!(report.overall.median_mins, Some(45.0));
    // Bo's case is past its two hours unanswered: one of two judged kept the target.
    assert_eq!(report.overall.within_target_pct, Some(50.0));
    assert_eq!(report.open_by_age.iter().map(|r| r.count).sum::<u32>(), 2);
    assert!(report.tables().iter().all(|t| !t.columns.is_empty()));
}

#[test]
fn time_waiting_on_a_third_party_before_the_first_reply_does_not_count_against_the_target() {
    let mut store = store_with_account(false);
    let a = store.ingest_email(&email("Ana Costa <ana@example.com>", "Lid", "a1@x", "", "Lid missing"), mins(0)).expect("in");
    // Ten minutes in, the owner asks the courier and puts the case on hold for four hours, then
    // answers: 4 h 30 by the wall clock, half an hour of the shop's own time.
    let hold = CasePatch { status: Some(Status::WaitingOnThirdParty), ..CasePatch::default() };
    store.update_case(a.case_number, &hold, "Rui", mins(10)).expect("hold");
    let back = CasePatch { status: Some(Status::Open), ..CasePatch::default() };
    store.update_case(a.case_number, &back, "Rui", mins(250)).expect("back");
    store.queue_reply(a.case_number, "The courier found it.", None, "Rui", mins(270)).expect("queued");
    send_all(&mut store, mins(270));
    let report = store.report(mins(-1440), mins(1440), mins(300)).expect("report");
    assert_eq!(report.overall.median_mins, Some(270.0), "the customer felt every minute");
    assert_eq!(report.overall.within_target_pct, Some(100.0), "the hold is not the shop's delay");

    // The same without the hold is late.
    let b = store.ingest_email(&email("Bo Berg <bo@example.com>", "Spoon", "b1@x", "", "Spoon bent"), mins(0)).expect("in");
    store.queue_reply(b.case_number, "Sorry, a new one is on its way.", None, "Rui", mins(270)).expect("queued");
    send_all(&mut store, mins(270));
    let report = store.report(mins(-1440), mins(1440), mins(300)).expect("report");
    assert_eq!(report.overall.within_target_pct, Some(50.0));
}

#[test]
fn the_export_holds_every_contact_case_and_message_with_formulas_neutralised() {
    let mut store = store_with_account(false);
    store.ingest_email(&email("Ana Costa <ana@example.com>", "=HYPERLINK(\"http://x\")", "a1@x", "", "+1 call me"), mins(0)).expect("in");
    store.ingest_email(&email("Bo Berg <bo@example.com>", "Spoon", "b1@x", "", "Spoon bent"), mins(1)).expect("in");
    let data = store.export_data(mins(2)).expect("export");
    assert_eq!((data.contacts.len(), data.cases.len(), data.messages.len()), (2, 2, 2));
    let dir = tempfile::tempdir().expect("tempdir");
    let files = crate::export::write_csv(dir.path(), &data).expect("csv");
    assert_eq!(files.len(), 3);
    let cases = std::fs::read_to_string(dir.path().join("cases.csv")).expect("read");
    assert!(cases.contains("'=HYPERLINK"), "{cases}");
    let messages = std::fs::read_to_string(dir.path().join("messages.csv")).expect("read");
    assert!(messages.contains(",'+1 call me,"), "{messages}");
    let json_path = dir.path().join("shopdesk.json");
    crate::export::write_json(&json_path, &data).expect("json");
    let back: crate::export::ExportData = serde_json::from_str(&std::fs::read_to_string(&json_path).expect("read")).expect("parse");
    assert_eq!(back, data);
    assert!(!dir.path().join("cases.csv.partial").exists());
}

#[test]
fn search_and_queue_narrow_by_tag_and_date() {
    let mut store = store_with_account(false);
    let a = store.ingest_email(&email("Ana Costa <ana@example.com>", "Teapot", "a1@x", "", "The teapot lid is cracked"), mins(0)).expect("in");
    let b = store.ingest_email(&email("Bo Berg <bo@example.com>", "Teapot too", "b1@x", "", "My teapot spout"), mins(1)).expect("in");
    let patch = CasePatch { tags: Some(vec!["wholesale".into()]), ..CasePatch::default() };
    store.update_case(b.case_number, &patch, "Rui", mins(2)).expect("tag");
    store.log_message(a.case_number, &say(Direction::FromCustomer, Channel::Phone, "Called about the teapot again", mins(3 * 1440)), mins(3 * 1440)).expect("call");

    let numbers = |f: &QueueFilter| {
        let mut n: Vec<u32> = store.search("teapot", f).expect("search").hits.iter().map(|h| h.case_number).collect();
        n.dedup();
        n
    };
    let tagged = QueueFilter { tag: Some("Wholesale".into()), ..QueueFilter::default() };
    assert_eq!(numbers(&tagged), vec![b.case_number]);
    let recent = QueueFilter { since: Some(mins(1440)), ..QueueFilter::default() };
    assert_eq!(numbers(&recent), vec![a.case_number], "only the call is that recent");
    let early = QueueFilter { until: Some(mins(1440)), tag: Some("wholesale".into()), ..QueueFilter::default() };
    assert_eq!(numbers(&early), vec![b.case_number]);
    let queue = store.queue_all(&tagged, mins(3 * 1440)).expect("queue");
    assert_eq!(queue.items.iter().map(|c| c.number).collect::<Vec<_>>(), vec![b.case_number]);
}

#[test]
fn a_full_disk_is_said_plainly_rolls_back_and_work_resumes_when_there_is_room() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(dir.path().join("shop.sqlite3")).expect("store");
    store.ingest_email(&email("ana@example.com", "First", "f1@x", "", "hello"), mins(0)).expect("in");
    // SQLite's page limit stands in for a full disk (the reliability suite fills a real tmpfs).
    let pages: i64 = store.conn.query_row("PRAGMA page_count", [], |r| r.get(0)).expect("pages");
    store.conn.pragma_update(None, "max_page_count", pages).expect("limit");
    let big = "lorem ipsum ".repeat(20_000);
    let err = store.ingest_email(&email("bo@example.com", "Big", "b1@x", "", &big), mins(1)).expect_err("full");
    assert!(matches!(err, Error::DiskFull), "{err:?}");
    assert_eq!(err.to_string(), "The disk is full, so this was not saved (nothing was half-written). Free some space and try again");
    assert_eq!(err.kind(), ErrorKind::Storage);
    let ok: String = store.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("check");
    assert_eq!(ok, "ok");
    assert_eq!(count(&store, "messages"), 1, "nothing of the failed email was kept");
    store.conn.pragma_update(None, "max_page_count", 1_073_741_823i64).expect("room again");
    store.ingest_email(&email("bo@example.com", "Big", "b1@x", "", &big), mins(2)).expect("resumes");
    assert_eq!(count(&store, "messages"), 2);
}

#[test]
fn moving_the_clock_back_or_forward_neither_repeats_nor_skips_an_alert() {
    use crate::alerts::Threshold::*;
    let mut store = Store::open_in_memory().expect("db");
    new_case(&mut store, ContactRef::New(person("Ana", "ana@example.com", "")), "Parcel", say(Direction::FromCustomer, Channel::Email, "hi", t0()), t0());
    let fire = |store: &mut Store, at: DateTime<Utc>| {
        let due = store.pending_alerts(at).expect("alerts");
        store.record_alerts(&due, at).expect("recorded");
        due.iter().map(|a| a.threshold).collect::<Vec<_>>()
    };
    assert_eq!(fire(&mut store, mins(95)), vec![DueSoon]);
    // The system clock is set back an hour (before "due soon"), then runs on past it again.
    assert!(fire(&mut store, mins(35)).is_empty());
    assert!(fire(&mut store, mins(96)).is_empty(), "due soon is not announced twice");
    // Set forward over the overdue threshold and the 24 h limit at once: the highest is announced, once.
    assert_eq!(fire(&mut store, mins(26 * 60)), vec![HardLimit]);
    assert!(fire(&mut store, mins(125)).is_empty(), "back again: nothing new");
    assert!(fire(&mut store, mins(27 * 60)).is_empty());
}

#[test]
fn japanese_chinese_and_korean_text_is_found_by_any_word_inside_a_sentence() {
    let mut store = store_with_account(false);
    store.ingest_email(&email("Yuki <yuki@example.jp>", "注文について", "j1@x", "Content-Type: text/plain; charset=utf-8\r\n", "注文1187の急須が割れて届きました。交換をお願いできますか。"), mins(0)).expect("in");
    store.ingest_email(&email("Wei <wei@example.cn>", "Teapot", "c1@x", "Content-Type: text/plain; charset=utf-8\r\n", "我的茶壶盖子碎了"), mins(1)).expect("in");
    store.ingest_email(&email("Bo <bo@example.com>", "Teapot", "b1@x", "", "The teapot lid broke"), mins(2)).expect("in");
    let hits = |q: &str| store.search(q, &QueueFilter::default()).expect("search").hits;
    let found = hits("急須");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].snippet.contains("\u{2}急須\u{3}"), "{}", found[0].snippet);
    assert_eq!(hits("茶壶").len(), 1);
    assert_eq!(hits("注文 交換").len(), 1, "every word must appear");
    assert!(hits("急須 茶壶").is_empty());
    assert_eq!(hits("teapot").len(), 3, "two subjects and a body");
    // Edited text is found by its new words only.
    let id = store.case_view(1001, mins(3)).expect("view").timeline.iter().find_map(|e| match e {
        TimelineEntry::Message(m) => Some(m.id),
        _ => None,
    }).expect("message");
    store.conn.execute("UPDATE messages SET body = '湯呑みが欠けていました' WHERE id = ?1", [id]).expect("edit");
    assert!(hits("急須").is_empty());
    assert_eq!(hits("湯呑").len(), 1);
}

#[test]
fn a_satisfaction_check_after_an_order_gets_its_own_case_and_reads_the_answer() {
    let mut store = store_with_account(false);
    let day = 1440;
    let settings = crate::surveys::SurveySettings { enabled: true, days_after_order: Some(7), ..Default::default() };
    store.set_survey_settings(&settings, mins(0)).expect("on");
    let placed = |d: i64| (t0() + Duration::minutes(d)).format("%Y-%m-%d %H:%M:%S +0000").to_string();
    let csv = format!(
        "Name,Email,Financial Status,Total,Created at,Lineitem quantity,Lineitem name,Billing Name\n\
         #2001,old@example.com,paid,10.00,{},1,Mug,Old Customer\n\
         #2002,ana@example.com,paid,20.00,{},1,Teapot,Ana Costa\n\
         #2003,,paid,5.00,{},1,Spoon,No Email\n",
        placed(-day),
        placed(day),
        placed(day)
    );
    let file = crate::orders::parse_text(&csv, None, chrono_tz::UTC).expect("read");
    store.import_orders(&file, mins(2 * day), |_, _| {}).expect("import");
    assert!(store.queue_due_surveys(mins(7 * day)).expect("due").is_empty(), "not before seven days");
    let asked = store.queue_due_surveys(mins(8 * day + 1)).expect("due");
    assert_eq!(asked.len(), 1, "only the order placed after checks were on, with an email");
    let case = store.case(asked[0]).expect("case");
    assert_eq!((case.status, case.order_ref.as_str()), (Status::Solved, "2002"));
    assert!(store.queue_all(&QueueFilter::default(), mins(8 * day + 2)).expect("q").items.is_empty(), "not in the queue");
    let sent = send_all(&mut store, mins(8 * day + 2));
    assert_eq!(sent.len(), 1);
    assert!(sent[0].body.starts_with("Hello Ana,\n\nYour order 2002"), "{}", sent[0].body);
    assert!(store.queue_due_surveys(mins(9 * day)).expect("due").is_empty(), "never twice");

    let answer = email("Ana Costa <ana@example.com>", "Re: How was order 2002?", "a9@x", &format!("In-Reply-To: <{}>\r\n", sent[0].rfc_message_id), "4/5, lovely teapot");
    store.ingest_email(&answer, mins(9 * day)).expect("in");
    assert_eq!(store.case(case.number).expect("case").status, Status::Solved);
    let answers = store.survey_answers(false).expect("answers");
    assert_eq!(answers.iter().map(|a| (a.case_number, a.rating)).collect::<Vec<_>>(), vec![(case.number, 4)]);
}

#[test]
fn ranked_search_scores_the_newest_matches_and_filters_reach_further_back() {
    let mut store = Store::open_in_memory().expect("db");
    let chat = new_case(&mut store, ContactRef::New(person("Ana Costa", "ana@example.com", "+351912345678")), "Chat",
        say(Direction::FromCustomer, Channel::Chat, "parcel parcel parcel, the parcel!", mins(0)), mins(0));
    let email = new_case(&mut store, ContactRef::New(person("Bo Berg", "bo@example.se", "+46701234567")), "Mail",
        say(Direction::FromCustomer, Channel::Email, "A question about my order", mins(1)), mins(1));
    let filler = "I wrote before about my order and I am writing again because nothing has changed since then, \
                  and the shop has not said when the parcel will be sent";
    for i in 0..150 {  // past the window (100 in tests, 2,000 in the app)
        store.log_message(email.number, &say(Direction::FromCustomer, Channel::Email, filler, mins(2 + i)), mins(2 + i)).expect("log");
    }
    store.log_message(email.number, &say(Direction::FromShop, Channel::Email, "Your parcel, parcel number 2, is parcel-ready", mins(3000)), mins(3000)).expect("log");

    let ranked = store.search_ordered("parcel", &QueueFilter::default(), super::SearchOrder::Ranked).expect("ranked").hits;
    assert_eq!(ranked.len(), 30);
    assert_eq!((ranked[0].case_number, ranked[0].direction), (email.number, Some(Direction::FromShop)), "the best of the newest first");
    assert!(ranked.iter().all(|h| h.case_number == email.number), "the chat is older than the window of newest matches");
    let chats = QueueFilter { channel: Some(Channel::Chat), ..QueueFilter::default() };
    let ranked = store.search_ordered("parcel", &chats, super::SearchOrder::Ranked).expect("ranked").hits;
    assert_eq!(ranked.iter().map(|h| h.case_number).collect::<Vec<_>>(), vec![chat.number], "a filter counts its own newest matches");
    let newest = store.search_ordered("parcel", &QueueFilter::default(), super::SearchOrder::Newest).expect("newest").hits;
    assert_eq!(newest[0].at, mins(3000));
    assert!(newest.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
}

#[test]
fn ranked_search_scores_as_fts5_bm25_does_with_word_counts_kept_while_the_index_is_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shopdesk.sqlite3");
    let mut store = Store::open(&path).expect("opens");
    let bodies = [
        "The teapot arrived broken, the lid is broken too.",
        "My teapot never came. Tracking has not moved since Monday.",
        "Broken mug, but the teapot is fine.",
        "Tracking has not moved, where is my parcel?",
        "A question about teapots: is the glaze food safe?",
        "The parcel was left at the depot; tracking has not moved for a week and nobody answers.",
    ];
    for (i, body) in bodies.iter().enumerate() {
        let contact = ContactRef::New(person(&format!("Customer {i}"), &format!("c{i}@example.com"), &format!("+46 70 123 45 6{i}")));
        new_case(&mut store, contact, "Order", say(Direction::FromCustomer, Channel::Email, body, mins(i as i64)), mins(i as i64));
    }
    let count = |store: &Store, phrase: &str| -> i64 {
        store.conn.query_row("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?1", [phrase], |r| r.get(0)).expect("count")
    };
    // Every row's score, by bm25() and by shopdesk_rank with the counts given (whole words) or
    // left to it (-1, prefixes), as a search gives them.
    let scores = |store: &Store, phrases: &[&str]| -> Vec<(i64, f64, f64)> {
        let given: Vec<String> = phrases.iter().map(|p| if p.ends_with('*') { "-1".into() } else { count(store, p).to_string() }).collect();
        let sql = format!(
            "SELECT rowid, bm25(search_fts), shopdesk_rank(search_fts, {}) FROM search_fts WHERE search_fts MATCH ?1 ORDER BY rowid",
            given.join(", ")
        );
        let mut stmt = store.conn.prepare(&sql).expect("prepare");
        let rows = stmt.query_map([phrases.join(" ")], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).expect("query");
        rows.collect::<rusqlite::Result<_>>().expect("rows")
    };
    for phrases in [&["\"teapot\"*"][..], &["\"broken\"", "\"teapot\"*"], &["\"tracking\"", "\"has\"", "\"not\"", "\"moved\"*"], &["\"parcel\""]] {
        let rows = scores(&store, phrases);
        assert!(rows.len() >= 2, "{phrases:?} matches several rows: {rows:?}");
        for (rowid, bm25, ours) in &rows {
            assert!((bm25 - ours).abs() < 1e-12, "{phrases:?} row {rowid}: bm25 {bm25}, shopdesk_rank {ours}");
        }
        assert!(rows.iter().any(|r| r.1 != rows[0].1), "{phrases:?}: rows score differently, {rows:?}");
    }
    // A ranked search finds what bm25 ranks first, and keeps the counts of its whole words, not
    // of the word being typed.
    let ranked = |store: &Store, typed: &str| store.search_ordered(typed, &QueueFilter::default(), super::SearchOrder::Ranked).expect("search").hits;
    let hits = ranked(&store, "broken teap");
    assert_eq!(hits.len(), 2);
    assert!(hits[0].snippet.matches(super::MATCH_START).count() >= 3, "the row with broken twice first: {hits:?}");
    let known = |store: &Store, phrase: &str| store.phrase_counts.borrow().known(phrase);
    assert_eq!(known(&store, "\"broken\""), Some(2));
    assert_eq!(known(&store, "\"teap\"*"), None);
    assert_eq!(ranked(&store, "teapot arrived").len(), 1);
    assert_eq!(known(&store, "\"teapot\""), Some(3));
    assert_eq!(known(&store, "\"broken\""), Some(2), "kept while nothing changes");
    // Counts follow the index: a row written here, and one written by another connection.
    let first = store.queue(&QueueFilter::default(), QueuePage::first(1), mins(60)).expect("queue").items[0].number;
    store.log_message(first, &say(Direction::Note, Channel::Phone, "Teapot replaced, arrived safely", mins(60)), mins(60)).expect("note");
    assert_eq!(ranked(&store, "teapot arrived").len(), 2);
    assert_eq!(known(&store, "\"teapot\""), Some(4));
    assert_eq!(known(&store, "\"broken\""), None, "forgotten once something changed");
    let mut other = Store::open(&path).expect("a second connection");
    other.log_message(first, &say(Direction::Note, Channel::Phone, "Second teapot arrived", mins(61)), mins(61)).expect("note");
    assert_eq!(ranked(&store, "teapot arrived").len(), 3);
    assert_eq!(known(&store, "\"teapot\""), Some(count(&store, "\"teapot\"")));
    assert_eq!(count(&store, "\"teapot\""), 5);
    // Called with the wrong number of counts, it says so.
    let wrong = store.conn.query_row("SELECT shopdesk_rank(search_fts) FROM search_fts WHERE search_fts MATCH 'teapot'", [], |r| r.get::<_, f64>(0));
    let message = wrong.expect_err("refused").to_string();
    assert!(message.contains("one count for each phrase"), "{message}");
}

#[test]
fn a_batch_works_out_the_same_waiting_clocks_as_filing_one_email_at_a_time() {
    use crate::store::IngestOptions;
    // Threads filed together (the bench's mailbox) and mixed up (mail as it arrives): a batch
    // works each case's clock out once, at its end.
    let raws = bench_emails(300, 5);
    let n = raws.len();
    let mixed: Vec<Vec<u8>> = (0..n).map(|i| raws[(i * 7919) % n].clone()).collect();
    let clocks = |store: &Store| -> Vec<String> {
        let mut stmt = store
            .conn
            .prepare(
                "SELECT k.number, k.status, k.waiting_since, k.first_response_at, k.last_shop_reply_at, k.waiting_channel,
                        k.alert_next_at, k.clock_warn_at, k.clock_due_at, k.clock_hard_at, k.clock_soon_at, k.clock_overdue_at,
                        k.reminder_due_at, k.last_activity_at, k.updated_at,
                        (SELECT group_concat(e.kind || ' ' || coalesce(e.new_value, ''), '; ') FROM case_events e WHERE e.case_id = k.id)
                 FROM cases k ORDER BY k.number",
            )
            .expect("prepare");
        let rows = stmt
            .query_map([], |r| {
                let columns: Vec<String> = (0..16).map(|i| format!("{:?}", r.get_ref(i).map(|v| format!("{v:?}")))).collect();
                Ok(columns.join(" | "))
            })
            .expect("query");
        rows.map(|r| r.expect("row")).collect()
    };
    for (order, raws) in [("threads together", &raws), ("mixed", &mixed)] {
        let now = mins(60 * 24 * 30);
        let mut one_by_one = store_with_account(false);
        for raw in raws.iter() {
            one_by_one.ingest_email(raw, now).expect("one");
        }
        let mut batched = store_with_account(false);
        for batch in raws.chunks(50) {
            batched.ingest_batch(batch, &IngestOptions::default(), now).expect("batch");
        }
        let expected = clocks(&one_by_one);
        assert!(expected.len() > 50, "{order}: cases filed: {}", expected.len());
        assert!(expected.iter().filter(|r| r.contains("Integer")).count() > 50, "{order}: clocks set");
        let waiting = one_by_one.conn.query_row("SELECT count(*) FROM cases WHERE clock_due_at IS NOT NULL", [], |r| r.get::<_, i64>(0)).expect("count");
        assert!(waiting > 10, "{order}: some customers still wait: {waiting}");
        assert_eq!(clocks(&batched), expected, "{order}");
        let sweep = |store: &Store| {
            let sweep = store.sweep_clocks(now).expect("sweep");
            let pending: Vec<String> = sweep.pending.iter().map(|a| format!("{} {:?} {:?} {}", a.case_number, a.thresholds, a.waiting_since, a.waiting_secs)).collect();
            (pending, sweep.overdue, sweep.next_change)
        };
        assert_eq!(sweep(&batched), sweep(&one_by_one), "{order}");
        let late = |store: &Store| -> Vec<u32> { store.sla_check(now).expect("check").iter().map(|c| c.number).collect() };
        assert!(!late(&one_by_one).is_empty(), "{order}: some customers are late");
        assert_eq!(late(&batched), late(&one_by_one), "{order}");
    }
}
