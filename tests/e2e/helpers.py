"""Small readers shared by the e2e tests (the App driver itself lives in conftest.py)."""

from __future__ import annotations

import re

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement


def text_of(el: WebElement) -> str:
    """The element's rendered text. WebElement.text is "" for overflow-hidden/ellipsis spans in
    WebKitWebDriver even when they are on screen, so read innerText instead."""
    return el.get_property("innerText") or ""


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def numbers_in(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


def row_number(row) -> int:
    return int(row.get_attribute("data-case-number"))


def queue_row(app, number: int):
    """The visible queue row of case `number`, or None."""
    for row in app.all("queue-row"):
        if row.get_attribute("data-case-number") == str(number) and row.is_displayed():
            return row
    return None


def timeline(app, kind: str | None = None):
    """Timeline entries on the open case; kind is "message" or "event"."""
    css = '[data-testid="timeline-entry"]' + (f'[data-type="{kind}"]' if kind else "")
    return app.driver.find_elements(By.CSS_SELECTOR, css)


def contact_saved(app, name: str):
    """After contact-save: the app shows either the new profile or the list with the new row."""

    def shown(_):
        for testid in ("contact-profile-name", "contact-row"):
            for el in app.all(testid):
                if el.is_displayed() and name in text_of(el):
                    return el
        return None

    return app.wait_until(shown, f"contact {name!r} neither in a contact-row nor in contact-profile-name")
