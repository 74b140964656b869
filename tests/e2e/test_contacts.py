"""One customer, one contact: the same customer twice is merged on their profile (every case of
both then belongs to the one kept), and a phone number is found in whichever form it was typed."""

from helpers import text_of


def test_merging_a_second_contact_into_a_profile_moves_its_cases_and_addresses(app):
    app.wait_for("queue-empty")
    app.click("load-demo")
    app.wait_until(lambda _: len(app.all("queue-row")) >= 5, "no demo cases")
    contacts = app.invoke("list_contacts", {"query": ""})
    keep, absorb = sorted((c for c in contacts if c["total_cases"] > 0), key=lambda c: c["name"])[:2]

    app.click("nav-contacts")
    app.click(app.wait_until(
        lambda _: next((r for r in app.all("contact-row") if r.get_attribute("data-contact-id") == keep["id"]), None),
        f"no row for {keep['name']}",
    ))
    app.wait_until(lambda _: text_of(app.wait_for("contact-profile-name")) == keep["name"], "the profile never opened")
    app.click("contact-merge-start")
    app.type("contact-merge-query", absorb["name"])
    app.click(app.wait_for_text("contact-merge-pick", absorb["name"]))
    confirm = text_of(app.wait_for("contact-merge-confirm-text"))
    assert absorb["name"] in confirm and keep["name"] in confirm, confirm
    app.click("contact-merge-confirm")

    # The profile shows both contacts' cases and the other's addresses.
    wanted = keep["total_cases"] + absorb["total_cases"]
    app.wait_until(lambda _: len(app.all("contact-case-row")) == wanted, f"the profile should list {wanted} cases")
    page = text_of(app.wait_for("contact-profile-name").find_element("xpath", "ancestor::section"))
    for address in absorb["emails"] + absorb["phones"]:
        assert address in page, f"{address} not on the merged profile"

    # The core agrees: one contact left with every case; the other is no longer listed.
    after = {c["id"]: c for c in app.invoke("list_contacts", {"query": ""})}
    assert absorb["id"] not in after
    assert after[keep["id"]]["total_cases"] == wanted
    profile = app.invoke("get_contact", {"id": keep["id"]})
    assert set(absorb["emails"]) <= set(profile["contact"]["emails"])


def test_a_number_typed_as_dialled_at_home_finds_the_customer_stored_in_international_form(app):
    """Ben Okafor's number is stored as +447700900123 (the demo); the shop types it as its phone
    shows it, 07700 900123, when logging his call."""
    app.wait_for("queue-empty")
    app.click("load-demo")
    app.wait_until(lambda _: len(app.all("queue-row")) >= 5, "no demo cases")
    app.click("nav-new-case")
    app.type("newcase-contact-search", "07700 900123")
    option = app.wait_for_text("newcase-contact-option", "Ben Okafor")
    assert all("George Brown" not in text_of(o) for o in app.all("newcase-contact-option")), "another number"
    app.click(option)
    assert "Ben Okafor" in text_of(app.wait_for("newcase-picked-contact"))
