"""Search as you type, through the real window: a word from the body of a customer's message finds it."""

from selenium.webdriver.common.keys import Keys

from helpers import text_of


def open_case(app, name: str, subject: str, body: str, email: str) -> None:
    app.invoke("open_case", {"input": {
        "contact": {"new": {"name": name, "emails": [email], "phones": [], "address": "", "notes": "", "tags": []}},
        "subject": subject, "priority": "normal", "category": "delivery",
        "first_message": {"direction": "from_customer", "channel": "email", "author": "", "body": body, "happened_at": None},
    }})


def test_a_word_from_a_message_body_finds_its_case(app):
    open_case(app, "Ana Costa", "Parcel not arrived", "The teapot I ordered never came; the courier lost it.", "ana@example.org")
    open_case(app, "Bo Berg", "Glaze question", "Is the cobalt glaze food safe?", "bo@example.org")
    app.click("nav-search")
    app.type("search-input", "cobalt")
    hit = app.wait_for("search-hit")
    assert hit.get_attribute("data-case-number") == "1002"
    snippet = app.one("search-hit-snippet", hit)
    marks = snippet.find_elements("css selector", "mark")
    assert [m.text.lower() for m in marks] == ["cobalt"], snippet.get_attribute("innerHTML")
    assert len(app.all("search-hit")) == 1
    app.wait_for("search-input").send_keys(Keys.ENTER)
    app.wait_for_text("case-number", r"#1002")

    # Ctrl+K from anywhere; an email address jumps to its contact.
    app.driver.find_element("css selector", "body").send_keys(Keys.CONTROL, "k")
    app.type("search-input", "ana@example.org", clear=True)
    jump = app.wait_for("search-jump")
    assert "Ana Costa" in text_of(jump)


def test_the_palette_runs_commands_typed_or_picked(app):
    app.wait_for("queue-empty")
    body = app.driver.find_element("css selector", "body")
    body.send_keys(Keys.CONTROL, "k")
    app.wait_for("search-input")
    offered = [text_of(c).strip() for c in app.all("search-command")]
    assert "New case" in offered and "Bring in past mail" in offered, offered

    # Typed, then Enter at once: the command, not a search for its words.
    app.type("search-input", "past mail")
    app.wait_until(lambda _: [text_of(c).strip() for c in app.all("search-command")] == ["Bring in past mail"], "not narrowed")
    app.wait_for("search-input").send_keys(Keys.ENTER)
    app.wait_for("import-mail")
    assert app.driver.execute_script("return location.hash") == "#/settings?section=import"

    # Another, typed: "contacts" finds nothing in this empty shop, so Enter takes the command.
    body.send_keys(Keys.CONTROL, "k")
    app.type("search-input", "contacts", clear=True)
    app.wait_until(lambda _: app.all("search-command"), "no command for 'contacts'")
    app.wait_for("search-input").send_keys(Keys.ENTER)
    app.wait_until(lambda _: app.driver.execute_script("return location.hash") == "#/contacts", "never went to contacts")
