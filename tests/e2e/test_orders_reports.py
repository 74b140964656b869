"""Orders, reports and export through the real window.

The system's file dialogs (pick an orders file, save a CSV, choose a folder) are native GTK windows that
WebDriver can't drive, so where a button would open one the test checks the button is there and hands the
command the path the dialog would give; everything the commands change is then checked on screen.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta, timezone

from selenium.webdriver.common.keys import Keys

from helpers import text_of

# A WooCommerce "Export Orders" CSV: one row per line item, local times, a comma decimal in quotes.
WOO_CSV = """\
Order Number,Order Status,Order Date,Customer Note,Billing First Name,Billing Last Name,Billing Email Address,Billing Phone,Order Currency,Order Total Amount,Item Name,Quantity,Tracking Number
5021,Completed,2026-02-11 08:05:12,,Aisha,Rahman,aisha@example.org,+44 20 7946 0018,GBP,39.50,Linen apron,1,JD014600006281234567
5021,Completed,2026-02-11 08:05:12,,Aisha,Rahman,aisha@example.org,+44 20 7946 0018,GBP,39.50,Tea towel,2,JD014600006281234567
5022,Processing,2026-02-12 21:30:00,Please gift wrap,Tom,Becker,tom.becker@example.de,,EUR,"12,50",Coaster set,1,
5023,Completed,2026-01-30 15:00:00,,Aisha,Rahman,aisha@example.org,,GBP,18.00,Oven glove,1,
"""

FORMULA_SUBJECT = '=HYPERLINK("http://evil.example","Click me")'


def iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def open_case(app, name: str, email: str, subject: str, body: str, channel: str, at: datetime) -> int:
    case = app.invoke("open_case", {"input": {
        "contact": {"new": {"name": name, "emails": [email] if email else [], "phones": [], "address": "", "notes": "", "tags": []}},
        "subject": subject, "priority": "normal", "category": "delivery",
        "first_message": {"direction": "from_customer", "channel": channel, "author": name, "body": body, "happened_at": iso(at)},
    }})
    return case["number"]


def test_orders_import_show_beside_the_customer_and_reports_and_export_count_the_cases(app, tmp_path):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    aisha = open_case(app, "Aisha Rahman", "aisha@example.org", "Where is my order?",
                      "Hello, order #5021 has not arrived yet.", "email", now - timedelta(hours=3))
    app.invoke("log_message", {"number": aisha, "input": {
        "direction": "from_shop", "channel": "email", "author": "Shop",
        "body": "Hi Aisha, it is on its way.", "happened_at": iso(now - timedelta(hours=2)),
    }})
    tom = open_case(app, "Tom Becker", "tom.becker@example.de", "Gift wrap for 5022",
                    "Could you gift wrap order 5022?", "chat", now - timedelta(minutes=30))
    open_case(app, "Lea Quinn", "", FORMULA_SUBJECT, "Called about a voucher.", "phone", now - timedelta(minutes=10))

    # Orders: empty at first; the import button is there (its file dialog is native, see above).
    app.click("nav-orders")
    app.wait_for_text("orders-empty", r"No orders yet")
    assert text_of(app.wait_for("orders-import-button")).strip() == "Import orders…"
    orders_csv = tmp_path / "orders-2026-02.csv"
    orders_csv.write_text(WOO_CSV, encoding="utf-8")
    preview = app.invoke("preview_orders", {"path": str(orders_csv)})
    assert preview["layout"] == "woocommerce" and preview["columns"]["order_ref"] == "Order Number"
    report = app.invoke("import_orders", {"path": str(orders_csv), "columns": None})
    assert (report["new_orders"], report["updated_orders"], report["cases_linked"]) == (3, 0, 2), report

    # The list (searching asks the core again): newest first, with the customer, total, status and items.
    app.type("orders-search", "rahman")
    app.wait_until(lambda _: [r.get_attribute("data-order-ref") for r in app.all("order-row")] == ["5021", "5023"],
                   "searching 'rahman' does not list Aisha's two orders")
    search = app.wait_for("orders-search")
    search.send_keys(Keys.CONTROL + "a")
    search.send_keys(Keys.DELETE)
    app.wait_until(lambda _: [r.get_attribute("data-order-ref") for r in app.all("order-row")] == ["5022", "5021", "5023"],
                   "the orders list is not newest first")
    row = app.all("order-row")[1]
    text = text_of(row)
    for expected in ("#5021", "Aisha Rahman", "aisha@example.org", "39.50", "Completed", "1 × Linen apron; 2 × Tea towel"):
        assert expected in text, f"{expected!r} not in the order row: {text!r}"
    assert "12.50" in text_of(app.all("order-row")[0]) or "12,50" in text_of(app.all("order-row")[0])
    app.screenshot("orders-list")

    # The contact profile: two orders and what was spent.
    contact_id = app.invoke("list_contacts", {"query": "Aisha"})[0]["id"]
    app.go(f"#/contacts/{contact_id}")
    box = app.wait_for("contact-orders")
    app.wait_until(lambda _: len(app.all("contact-order", box)) == 2, "the profile does not show Aisha's two orders")
    assert [o.get_attribute("data-order-ref") for o in app.all("contact-order", box)] == ["5021", "5023"]
    summary = text_of(app.one("contact-orders-summary", box))
    assert summary.startswith("2 orders") and "57.50" in summary, summary

    # The case that mentioned the order carries its number, and the customer panel shows the order.
    app.go(f"#/case/{aisha}")
    app.wait_until(lambda _: app.value("case-order-ref") == "5021", "the case did not get its order number")
    panel = app.wait_for("contact-orders")
    app.wait_until(lambda _: "5021" in [o.get_attribute("data-order-ref") for o in app.all("contact-order", panel)],
                   "the case's customer panel does not show order 5021")
    assert app.invoke("get_case", {"number": tom})["case"]["order_ref"] == "5022"

    # Reports: three cases in the last 30 days, one answered, an hour to the first reply.
    app.click("nav-reports")
    app.wait_for("reports-screen")
    overall = app.wait_for("report-overall")
    app.wait_until(lambda _: text_of(app.one("report-overall-cases", overall)) == "3", "the report does not count 3 cases")
    assert text_of(app.one("report-overall-answered", overall)) == "1"
    assert text_of(app.one("report-overall-median", overall)) == "1 h"
    expected = app.invoke("report", {"from": iso(now - timedelta(days=29)), "to": iso(now + timedelta(days=1))})
    assert expected["overall"]["cases"] == 3 and expected["overall"]["median_mins"] == 60
    channels = text_of(app.wait_for("report-table-first-reply-by-channel"))
    for label in ("Email", "Chat", "Phone"):
        assert label in channels, channels
    open_rows = app.wait_for("report-table-open-cases-by-age").find_elements("css selector", "tbody tr")
    assert sum(int(text_of(r).split()[-1]) for r in open_rows) == len(app.queue_data()["items"])
    app.wait_for("report-export-cases-by-category")
    app.screenshot("reports")
    # "Export CSV…" asks where with the native save dialog; the command writes what it would.
    table_csv = tmp_path / "cases-by-category.csv"
    app.invoke("save_report_table", {"from": expected["from"], "to": expected["to"], "table": "cases-by-category", "path": str(table_csv)})
    assert list(csv.reader(table_csv.open(encoding="utf-8"))) == [["category", "cases"], ["delivery", "3"]]

    # Settings → Export your data: the buttons; the command writes the CSV files and the JSON file.
    app.click("nav-settings")
    app.wait_for("export-section")
    assert text_of(app.wait_for("export-csv")).strip() == "Export as CSV…"
    assert text_of(app.wait_for("export-json")).strip() == "Export as JSON…"
    folder = tmp_path / "export"
    done = app.invoke("export_data", {"to": str(folder), "json": False})
    assert (done["contacts"], done["cases"], done["messages"]) == (3, 3, 4), done
    assert sorted(p.name for p in folder.iterdir()) == ["cases.csv", "contacts.csv", "messages.csv"]
    cases = {int(r["number"]): r for r in csv.DictReader((folder / "cases.csv").open(encoding="utf-8"))}
    assert cases[1003]["subject"] == "'" + FORMULA_SUBJECT, "a formula-looking subject must be neutralised"
    assert cases[aisha]["order_ref"] == "5021"
    one = tmp_path / "shopdesk.json"
    app.invoke("export_data", {"to": str(one), "json": True})
    data = json.loads(one.read_text(encoding="utf-8"))
    assert [c["subject"] for c in data["cases"] if c["number"] == 1003] == [FORMULA_SUBJECT], "JSON keeps the text as it is"
