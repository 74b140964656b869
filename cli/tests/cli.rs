//! The real `shopdesk` binary on a real SQLite file in a temp dir.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

struct Shop {
    dir: tempfile::TempDir,
}

impl Shop {
    fn new() -> Shop {
        Shop { dir: tempfile::tempdir().expect("tempdir") }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("shopdesk").expect("binary");
        cmd.arg("--db").arg(self.dir.path().join("shop.sqlite3")).args(args).env_remove("SHOPDESK_DB");
        cmd
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.cmd(&[args, &["--json"]].concat()).assert().success().get_output().stdout.clone();
        serde_json::from_slice(&out).expect("valid JSON")
    }
}

#[test]
fn a_phone_call_becomes_a_case_at_the_top_of_the_queue_until_answered() {
    let shop = Shop::new();
    let ana = shop.json(&["contact", "add", "--name", "Ana Costa", "--email", "Ana@Example.com", "--phone", "+351 912 345 678"]);
    assert_eq!(ana["emails"][0], "ana@example.com");
    assert_eq!(ana["phones"][0], "+351912345678");

    let case = shop.json(&[
        "case", "open", "--contact", "+351 912-345-678", "--subject", "Parcel not arrived", "--channel", "phone",
        "--text", "Where is my parcel?", "--at", "2026-11-25T09:00:00Z",
    ]);
    assert_eq!(case["number"], 1001);
    assert_eq!(case["waiting_since"], "2026-11-25T09:00:00Z");
    shop.json(&["case", "open", "--new-name", "Bo", "--new-email", "bo@example.com", "--subject", "Question",
        "--channel", "chat", "--text", "Hi", "--at", "2026-11-25T10:00:00Z"]);

    let queue = shop.json(&["queue", "--at", "2026-11-25T11:30:00Z"]);
    let numbers: Vec<i64> = queue["items"].as_array().expect("items").iter().map(|c| c["number"].as_i64().expect("n")).collect();
    assert_eq!(numbers, vec![1001, 1002]);
    assert_eq!(queue["items"][0]["waiting_secs"], 2 * 3600 + 30 * 60);
    assert_eq!(queue["waiting"], 2);

    shop.cmd(&["case", "log", "#1001", "--channel", "phone", "--direction", "from_shop", "--text", "Called back", "--at", "2026-11-25T11:00:00Z"])
        .assert()
        .success()
        .stdout("Logged from shop phone on case #1001\n");
    let queue = shop.json(&["queue", "--at", "2026-11-25T11:30:00Z"]);
    assert_eq!(queue["items"][0]["number"], 1002, "the answered case dropped below the waiting one");
    assert_eq!(queue["items"][1]["waiting_secs"], Value::Null);
    let second = shop.json(&["queue", "--at", "2026-11-25T11:30:00Z", "--offset", "1", "--limit", "1"]);
    assert_eq!((second["items"].as_array().map(Vec::len), &second["items"][0]["number"]), (Some(1), &Value::from(1001)));
    assert_eq!((&second["offset"], &second["matching"], &second["total_open"]), (&Value::from(1), &Value::from(2), &Value::from(2)));
    shop.cmd(&["queue", "--at", "2026-11-25T11:30:00Z", "--limit", "1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("#1002").and(predicate::str::contains("Cases 1-1 of 2")));

    shop.cmd(&["case", "status", "1001", "waiting on third party"]).assert().success().stdout("Case #1001 is now waiting on third party\n");
    let view = shop.json(&["case", "show", "1001"]);
    assert_eq!(view["case"]["status"], "waiting_on_third_party");
    assert_eq!(view["contact"]["name"], "Ana Costa");
    let kinds: Vec<&str> = view["timeline"].as_array().expect("timeline").iter().map(|e| e["type"].as_str().expect("type")).collect();
    assert_eq!(kinds, vec!["event", "message", "message", "event", "event"]);
}

#[test]
fn human_output_is_a_table_with_waiting_times() {
    let shop = Shop::new();
    shop.cmd(&["demo"]).assert().success().stdout(predicate::str::starts_with("Loaded sample shop data: "));
    shop.cmd(&["queue"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("CASE   WAITING"))
        .stdout(predicate::str::contains("George Brown"))
        .stdout(predicate::str::contains("answered"));
    shop.cmd(&["contact", "find", "costa"]).assert().success().stdout(predicate::str::contains("ana.costa@example.com"));
    shop.cmd(&["contact", "show", "ana.costa@example.com"]).assert().success().stdout(predicate::str::contains("Parcel not arrived"));
}

#[test]
fn bad_input_gives_one_line_and_a_non_zero_exit_and_writes_nothing() {
    let shop = Shop::new();
    shop.cmd(&["contact", "add", "--name", "Ana", "--phone", "+351 912 345 678"]).assert().success();
    let rows: &[(&[&str], &str)] = &[
        (&["contact", "add", "--name", "  "], "error: Please enter the contact's name\n"),
        (&["contact", "add", "--name", "Bo", "--email", "bo@"], "error: \"bo@\" is not a valid email address (expected something like ana@example.com)\n"),
        (&["contact", "add", "--name", "Bo", "--phone", "00351912345678"], "error: The phone number +351912345678 already belongs to Ana\n"),
        (&["case", "show", "9999"], "error: No case #9999\n"),
        (&["case", "log", "9999", "--channel", "phone", "--text", "hi"], "error: No case #9999\n"),
        (&["contact", "show", "nobody@example.com"], "error: No contact with email nobody@example.com\n"),
        (&["case", "open", "--contact", "+351912345678", "--subject", "x", "--channel", "phone", "--text", " "],
            "error: Write what was said (a line is enough: \"Called back, left a voicemail\")\n"),
    ];
    for (args, stderr) in rows {
        shop.cmd(args).assert().failure().code(1).stderr(*stderr);
    }
    let contacts = shop.json(&["contact", "find"]);
    assert_eq!(contacts.as_array().expect("list").len(), 1, "nothing half-written");
    assert_eq!(shop.json(&["queue"])["total_open"], 0);
    shop.cmd(&["case", "status", "1001", "bogus"]).assert().failure().code(2).stderr(predicate::str::contains("is not a status"));
}

#[test]
fn a_file_that_is_not_a_database_is_refused_with_a_clear_message() {
    let shop = Shop::new();
    let path = shop.dir.path().join("shop.sqlite3");
    std::fs::write(&path, b"not a database at all, just text that is long enough to be a header......").expect("write");
    shop.cmd(&["queue"]).assert().failure().stderr(predicate::str::contains("is not a Shopdesk database"));
}

#[test]
fn where_prints_the_database_path() {
    let shop = Shop::new();
    shop.cmd(&["where"]).assert().success().stdout(predicate::str::contains("shop.sqlite3"));
}

#[test]
fn sla_check_lists_due_soon_and_overdue_customers_at_a_given_time() {
    let shop = Shop::new();
    for (name, channel, at) in [("Ana", "email", "2026-11-25T09:00:00Z"), ("Bo", "chat", "2026-11-25T10:50:00Z"), ("Cy", "letter", "2026-11-25T08:00:00Z")] {
        shop.cmd(&["case", "open", "--new-name", name, "--subject", "Hello", "--channel", channel, "--text", "Hi", "--at", at])
            .assert()
            .success();
    }
    let late = shop.json(&["sla", "check", "--at", "2026-11-25T10:45:00Z"]);
    let states: Vec<(i64, &str)> = late
        .as_array()
        .expect("list")
        .iter()
        .map(|c| (c["number"].as_i64().expect("n"), c["clock"]["state"].as_str().expect("state")))
        .collect();
    assert_eq!(states, vec![(1001, "due_soon")], "email after 1 h 45 min of 2 h; the chat came later");
    let late = shop.json(&["sla", "check", "--at", "2026-11-25T11:10:00Z"]);
    let numbers: Vec<i64> = late.as_array().expect("list").iter().map(|c| c["number"].as_i64().expect("n")).collect();
    assert_eq!(numbers, vec![1001, 1002], "both overdue now, the longest waiting first");
    assert_eq!(late[1]["clock"]["due_at"], "2026-11-25T11:05:00Z");

    shop.cmd(&["sla", "set", "--channel", "email", "--first", "240"]).assert().success().stdout("Saved the reply targets\n");
    let late = shop.json(&["sla", "check", "--at", "2026-11-25T10:45:00Z"]);
    assert_eq!(late.as_array().expect("list").len(), 0, "a 4 h email target leaves Ana on track");
    shop.cmd(&["sla", "set", "--time-zone", "Mars/Olympus"])
        .assert()
        .failure()
        .stderr("error: \"Mars/Olympus\" is not a time zone; use a name like Europe/Lisbon\n");
    shop.cmd(&["sla", "check", "--at", "2026-11-25T11:10:00Z"])
        .assert()
        .success()
        .stdout(predicate::str::contains("overdue 5 min"));
}

#[test]
fn reminders_list_customers_to_get_back_to() {
    let shop = Shop::new();
    shop.cmd(&["case", "open", "--new-name", "Chloé", "--subject", "Teapot", "--channel", "email", "--text", "Broken", "--at", "2026-11-20T09:00:00Z"])
        .assert()
        .success();
    shop.cmd(&["case", "log", "1001", "--channel", "email", "--direction", "from_shop", "--text", "Claim opened", "--at", "2026-11-20T10:00:00Z"])
        .assert()
        .success();
    shop.cmd(&["case", "status", "1001", "waiting_on_third_party"]).assert().success();
    let due = shop.json(&["reminders", "--at", "2026-11-22T09:59:00Z"]);
    assert_eq!(due.as_array().expect("list").len(), 0, "not two days yet");
    let due = shop.json(&["reminders", "--at", "2026-11-22T10:00:00Z"]);
    assert_eq!(due[0]["case_number"], 1001);
    assert_eq!(due[0]["threshold"], "keep_posted");
    shop.cmd(&["reminders", "--at", "2026-11-22T12:00:00Z"])
        .assert()
        .success()
        .stdout(predicate::str::contains("#1001  send a status note  2 d 2 h"));
    shop.cmd(&["sla", "set", "--keep-posted-days", "5"]).assert().success();
    assert_eq!(shop.json(&["reminders", "--at", "2026-11-22T12:00:00Z"]).as_array().expect("list").len(), 0);
}

#[test]
fn remind_me_sets_and_clears_a_reminder() {
    let shop = Shop::new();
    shop.cmd(&["case", "open", "--new-name", "Ana", "--subject", "Stock", "--channel", "phone", "--text", "Back in stock?"]).assert().success();
    let case = shop.json(&["case", "remind", "1001", "--at", "2099-01-01T09:00:00Z"]);
    assert_eq!(case["remind_at"], "2099-01-01T09:00:00Z");
    shop.cmd(&["case", "remind", "1001", "--at", "2001-01-01T09:00:00Z"])
        .assert()
        .failure()
        .stderr("error: Pick a time in the future for the reminder\n");
    shop.cmd(&["case", "remind", "1001", "--clear"]).assert().success().stdout("No reminder on case #1001\n");
    assert_eq!(shop.json(&["case", "show", "1001"])["case"]["remind_at"], serde_json::Value::Null);
}

#[test]
fn prefs_choose_what_closing_the_window_does() {
    let shop = Shop::new();
    shop.cmd(&["prefs"]).assert().success().stdout("Closing the window quits Shopdesk\n");
    shop.cmd(&["prefs", "--keep-in-tray", "true"]).assert().success().stdout("Closing the window keeps Shopdesk running in the tray\n");
    assert_eq!(shop.json(&["prefs"])["keep_running_in_tray"], true);
}

#[test]
fn importing_an_mbox_and_a_folder_of_eml_files_twice_stores_each_email_once() {
    let shop = Shop::new();
    let mbox = shop.dir.path().join("old.mbox");
    std::fs::write(
        &mbox,
        "From ana@example.com Wed Nov 25 09:00:00 2026\nFrom: Ana Costa <ana@example.com>\nSubject: Where is my parcel?\n\
Date: Wed, 25 Nov 2026 09:00:00 +0000\nMessage-ID: <a1@x>\n\nOrder 4817?\n\n\
From ana@example.com Wed Nov 25 10:00:00 2026\nFrom: ana@example.com\nSubject: Re: Where is my parcel?\n\
Date: Wed, 25 Nov 2026 10:00:00 +0000\nMessage-ID: <a2@x>\nIn-Reply-To: <a1@x>\n\n>From the courier: nothing.\n\n",
    )
    .expect("mbox");
    let folder = shop.dir.path().join("eml");
    std::fs::create_dir(&folder).expect("dir");
    std::fs::write(folder.join("1.eml"), "From: bo@example.com\r\nSubject: Invoice\r\nMessage-ID: <b1@x>\r\n\r\nPlease\r\n").expect("eml");
    std::fs::write(folder.join("notes.txt"), "not mail").expect("txt");
    let mbox_arg = mbox.to_str().expect("path");
    let folder_arg = folder.to_str().expect("path");
    shop.cmd(&["import", mbox_arg, folder_arg])
        .assert()
        .success()
        // Bo's email has no Date header: stored, with a warning on the message.
        .stdout("Imported 3 emails (0 already there): 2 new cases, 2 new contacts, 1 with warnings\n")
        // Not a terminal: no progress bar in the log.
        .stderr("");
    let again = shop.json(&["import", mbox_arg, folder_arg]);
    assert_eq!((again["stored"].as_u64(), again["duplicates"].as_u64()), (Some(0), Some(3)));
    let view = shop.json(&["case", "show", "1001"]);
    let messages = view["timeline"].as_array().expect("timeline").iter().filter(|e| e["type"] == "message").count();
    assert_eq!(messages, 2, "the reply joined the first email's case");
    shop.cmd(&["import", "/nonexistent/mail.mbox"]).assert().failure().stderr(predicate::str::starts_with("error: Could not read /nonexistent/mail.mbox"));
}

#[test]
fn an_import_on_a_terminal_shows_its_progress_then_clears_it() {
    let shop = Shop::new();
    let mbox = shop.dir.path().join("past.mbox");
    shop.cmd(&["bench", "--messages", "4100", "--write-mbox", mbox.to_str().expect("path")]).assert().success();
    // `script` (util-linux, on every Debian) runs the command on a pseudo-terminal and copies
    // what it drew to its own standard output.
    let command = format!(
        "'{}' --db '{}' import '{}'",
        assert_cmd::cargo::cargo_bin("shopdesk").display(),
        shop.dir.path().join("shop.sqlite3").display(),
        mbox.display()
    );
    let out = std::process::Command::new("script").args(["-qec", &command, "/dev/null"]).env_remove("SHOPDESK_DB").output().expect("script runs");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{screen}");
    // The count before the first step, then steps of up to 2,000 emails with the time left.
    for drawn in ["Importing", "0/4,100 emails", "2,000/4,100 emails, ", " left", "4,100/4,100 emails"] {
        assert!(screen.contains(drawn), "{drawn:?} not drawn: {screen:?}");
    }
    // The bar is cleared (erase line) and the summary follows on a clean line.
    let summary = screen.rfind("Imported 4100 emails (0 already there)").expect("the summary");
    assert!(screen[..summary].ends_with("\r\x1b[2K"), "{screen:?}");
}

#[test]
fn orders_saved_replies_reports_and_exports_from_the_command_line() {
    let shop = Shop::new();
    shop.json(&["case", "open", "--new-name", "Ana Costa", "--new-email", "ana@example.com", "--subject", "Order 5021 missing a towel",
        "--channel", "email", "--text", "Only one towel came", "--at", "2026-02-15T09:00:00Z"]);
    let csv = shop.dir.path().join("orders.csv");
    std::fs::write(&csv, "Order Number,Order Status,Order Date,Billing First Name,Billing Last Name,Billing Email Address,Order Currency,Order Total Amount,Item Name,Quantity\n\
        5021,Completed,2026-02-11 08:05:12,Ana,Costa,ana@example.com,GBP,39.50,Tea towel,2\n").expect("write");
    let done = shop.json(&["orders", "import", csv.to_str().expect("path")]);
    assert_eq!((done["layout"].as_str(), done["new_orders"].as_i64(), done["cases_linked"].as_i64()), (Some("woocommerce"), Some(1), Some(1)));
    let profile = shop.json(&["contact", "show", "ana@example.com"]);
    assert_eq!(profile["orders"][0]["order_ref"], "5021");

    // A broken file: a clear message with the line, and nothing imported.
    std::fs::write(&csv, "Order Number,Billing Email Address\n5022,bo@example.com\n5023\n").expect("write");
    shop.cmd(&["orders", "import", csv.to_str().expect("path")]).assert().failure().stderr(predicate::str::contains("Line 3 has 1 columns"));
    shop.cmd(&["orders", "show", "5022"]).assert().failure();

    let filled = shop.json(&["replies", "fill", "Replacement or refund (our fault)", "1001"]);
    assert!(filled["text"].as_str().expect("text").starts_with("Hello Ana,"));
    assert!(filled["text"].as_str().expect("text").contains("order 5021"));

    let dir = shop.dir.path().join("report");
    shop.cmd(&["report", "--from", "2026-01-01", "--to", "2026-12-31", "--csv", dir.to_str().expect("path")]).assert().success();
    let by_category = std::fs::read_to_string(dir.join("cases-by-category.csv")).expect("table");
    assert!(by_category.starts_with("category,cases\n"), "{by_category}");

    let out = shop.dir.path().join("export");
    shop.cmd(&["export", "--to", out.to_str().expect("path")]).assert().success();
    let cases = std::fs::read_to_string(out.join("cases.csv")).expect("cases");
    assert!(cases.contains("Order 5021 missing a towel"));
    let json = shop.dir.path().join("all.json");
    shop.cmd(&["export", "--to", json.to_str().expect("path"), "--format", "json"]).assert().success();
    let all: Value = serde_json::from_str(&std::fs::read_to_string(json).expect("json")).expect("parse");
    assert_eq!(all["messages"][0]["body"], "Only one towel came");

    let found = shop.json(&["search", "towel", "--since", "2026-02-01"]);
    assert_eq!(found["hits"][0]["case_number"], 1001);
}

#[test]
fn bench_prints_one_json_object_and_writes_its_mailbox_out() {
    let shop = Shop::new();
    let report = shop.json(&["bench", "--messages", "30", "--seed", "3", "--queue-sizes", "40,60"]);
    assert_eq!(report["messages"], 30);
    assert_eq!(report["queue_at"][1]["open_cases"], 60, "{report}");
    assert_eq!(report["seed"], 3);
    assert!(report["import_per_sec"].as_f64().is_some_and(|r| r > 0.0), "{report}");
    if cfg!(target_os = "linux") {
        let memory = &report["import_memory"];
        assert!(memory["first_tenth_bytes"].as_u64().is_some_and(|b| b > 0), "{report}");
        assert!(memory["peak_after_first_tenth_bytes"].as_u64() >= memory["end_bytes"].as_u64(), "{report}");
    }
    assert!(report["search"].as_array().is_some_and(|s| !s.is_empty()), "{report}");

    let file = shop.dir.path().join("bench.mbox");
    let written = shop.json(&["bench", "--messages", "30", "--seed", "3", "--write-mbox", file.to_str().expect("utf-8")]);
    assert_eq!(written["messages"], 30);
    let mbox = std::fs::read(&file).expect("mbox written");
    assert_eq!(mbox.len() as u64, report["mbox_bytes"].as_u64().expect("bytes"), "the same mailbox bench measured");
    assert!(!shop.dir.path().join("shop.sqlite3").exists(), "bench touches no database of the user's");
}
