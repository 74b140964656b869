"""Saved replies through the real window: inserting a saved reply fills the customer's name, and the
composer names what the case has no value for (the order number) until it has one."""

from selenium.webdriver.common.keys import Keys

from helpers import text_of

REPLY = r"Replacement or refund \(our fault\)"


def open_case(app, name: str, subject: str, body: str, email: str) -> None:
    app.invoke("open_case", {"input": {
        "contact": {"new": {"name": name, "emails": [email], "phones": [], "address": "", "notes": "", "tags": []}},
        "subject": subject, "priority": "normal", "category": "damaged_item",
        "first_message": {"direction": "from_customer", "channel": "email", "author": "", "body": body, "happened_at": None},
    }})


def body(app) -> str:
    return app.value("log-body")


def test_inserting_a_saved_reply_fills_the_customers_name(app):
    # The shop's name comes from the mail account's sender name (setup, not what is tested here).
    view = app.invoke("get_mail_account")
    app.invoke("set_mail_account", {"account": {**view["account"], "from_name": "Costa Ceramics"}, "password": None})
    open_case(app, "Ana Costa", "Teapot arrived cracked", "The lid of my teapot is cracked.", "ana@example.org")
    app.go("#/case/1001")
    app.wait_for_text("case-number", r"#1001")

    # "/" in the empty composer opens the saved replies; typing filters, Enter inserts.
    composer = app.wait_for("log-body")
    app.settle()
    composer.send_keys("/")
    app.type("saved-replies-filter", "our fault")
    items = app.all("saved-reply-item")
    # Titles that match come first (then replies whose text matches): Enter takes the first.
    assert items[0].get_attribute("data-title") == "Replacement or refund (our fault)", [text_of(i) for i in items]
    app.screenshot("saved-replies-menu")
    app.wait_for("saved-replies-filter").send_keys(Keys.ENTER)
    app.wait_until(lambda _: body(app).startswith("Hello Ana,"), f"the composer holds {body(app)!r}")
    assert "order {order.ref}" in body(app) and body(app).rstrip().endswith("Costa Ceramics"), body(app)
    missing = app.wait_for("composer-missing")
    assert "Fill in the order number ({order.ref}) before sending" in text_of(missing), text_of(missing)
    app.screenshot("saved-reply-missing-order")

    # The order number goes on the case; inserting the reply again (from the button) fills it in.
    app.type("case-order-ref", "10482").send_keys(Keys.TAB)
    app.wait_until(lambda _: app.invoke("get_case", {"number": 1001})["case"]["order_ref"] == "10482",
                   "the order number was not saved on the case")
    app.click("saved-replies-button")
    app.click(app.wait_for_text("saved-reply-item", REPLY))
    app.wait_until(lambda _: "order 10482" in body(app), f"the composer holds {body(app)!r}")
    assert body(app).startswith("Hello Ana,")
    app.wait_until(lambda _: not app.all("composer-missing"), "the missing-order line is still shown")
    app.screenshot("saved-reply-inserted")
