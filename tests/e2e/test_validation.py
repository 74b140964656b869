"""Bad input is refused with a message next to the form, and nothing half-made is stored."""

import re

from helpers import contact_saved, digits, text_of


def form_error(app) -> str:
    el = app.wait_until(
        lambda _: next((e for e in app.all("form-error") if e.is_displayed() and text_of(e).strip()), None),
        "no visible form-error with a message",
    )
    assert el.get_attribute("role") == "alert"
    return text_of(el)


def test_bad_input_is_refused_clearly(app):
    # No name.
    app.click("nav-contacts")
    app.click("new-contact")
    app.settle()  # the form autofocuses its name field a frame late; typing earlier gets split
    app.type("contact-email", "ana@example.com")
    app.click("contact-save")
    form_error(app)
    assert app.value("contact-email") == "ana@example.com", "what the user typed must survive an error"

    app.driver.refresh()
    app.wait_for("nav-queue")
    app.click("nav-contacts")
    app.wait_for("contacts-search")
    assert app.invoke("list_contacts", {"query": ""}) == [], "a contact without a name was stored"
    assert not app.all("contact-row")

    # A malformed email, then fixed in place.
    app.click("new-contact")
    app.settle()
    app.type("contact-name", "Ana Costa")
    app.type("contact-email", "ana@")
    app.type("contact-phone", "+351 912 345 678")
    app.click("contact-save")
    message = form_error(app)
    assert re.search(r"e-?mail|ana@", message, re.I), f"the error should be about the email: {message!r}"
    assert app.invoke("list_contacts", {"query": ""}) == []
    app.type("contact-email", "example.com")
    app.click("contact-save")
    contact_saved(app, "Ana Costa")

    # Someone else with the same phone number.
    app.click("nav-contacts")
    app.click("new-contact")
    app.settle()
    app.type("contact-name", "Bruno Dias")
    app.type("contact-phone", "+351 912 345 678")
    app.click("contact-save")
    message = form_error(app)
    assert "912345678" in digits(message), f"the error should name the phone number: {message!r}"
    assert [c["name"] for c in app.invoke("list_contacts", {"query": ""})] == ["Ana Costa"]

    # A case that does not exist.
    app.go("#/case/9999")
    body = app.wait_until(
        lambda d: (t := text_of(d.find_element("tag name", "body")))
        and re.search(r"no case\s*#?9999|9999.*not found|not found.*9999", t, re.I | re.S)
        and t,
        "no 'No case #9999' message on #/case/9999",
    )
    assert not [e for e in app.all("case-number") if e.is_displayed()], body
