"""A double click on "Gem samtale" stores one conversation; the button comes back when the
submit is refused in the page or the page is shown again (static/js/app.js)."""

import functools
import time

import pytest

from logbooks import services
from logbooks.models import Entry
from tests.browser.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVE = "Gem samtale"


def open_quick_entry(page, live_server, world):
    t = world.odense
    services.seed_lists(unit=t.team, area="job")
    login(page, live_server, t.medarbejder)
    page.goto(f"{live_server.url}/logbog/samtaler/")
    page.get_by_text("Kvinde", exact=True).click()
    page.get_by_text("30–39", exact=True).click()
    return page.get_by_role("button", name=SAVE)


def test_a_double_click_on_save_stores_one_conversation(page, live_server, world, monkeypatch):
    # A server that takes its time, as under load: the first request is still being
    # answered when the second click comes (without the fix this stored two rows).
    slow = services.create_entry

    @functools.wraps(slow)
    def create_entry(**kwargs):
        time.sleep(0.5)
        return slow(**kwargs)

    monkeypatch.setattr(services, "create_entry", create_entry)
    button = open_quick_entry(page, live_server, world)
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # Two clicks 150 ms apart, as people double-click (the mouse does not wait for the page).
    page.mouse.click(x, y)
    page.wait_for_timeout(150)
    page.mouse.click(x, y)
    page.get_by_text("Samtalen er gemt").wait_for()
    assert Entry.objects.count() == 1
    # Back to the form: it works again.
    page.go_back()
    assert page.get_by_role("button", name=SAVE).is_enabled()


def test_the_button_comes_back_after_a_refused_submit_and_on_pageshow(page, live_server, world):
    button = open_quick_entry(page, live_server, world)
    # Another handler refuses the submit (as a cancelled confirmation does).
    page.evaluate("""() => document.querySelector("form[data-submit-once]")
        .addEventListener("submit", (event) => event.preventDefault())""")
    button.click()
    page.wait_for_timeout(200)
    assert button.is_enabled() and Entry.objects.count() == 0
    # A page restored from the back/forward cache shows its form usable again.
    page.evaluate("""() => {
        const form = document.querySelector("form[data-submit-once]");
        form.dataset.submitting = "1";
        form.querySelector("button[type=submit]").disabled = true;
        window.dispatchEvent(new PageTransitionEvent("pageshow", {persisted: true}));
    }""")
    assert button.is_enabled()
