import time

import pytest

from logbooks import services
from logbooks.models import Entry
from tests.browser.helpers import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_medarbejder_logs_a_conversation_by_keyboard_on_a_phone(phone_page, live_server, world):
    page = phone_page
    t = world.aarhus
    services.seed_lists(unit=t.team, area="job")
    login(page, live_server, t.medarbejder)
    page.goto(f"{live_server.url}/logbog/samtaler/")
    assert_accessible(page)
    started = time.monotonic()
    # Focus starts on the citizen's sex: arrow keys choose within a group, Tab moves on.
    assert page.evaluate("document.activeElement.name") == "sex"
    page.keyboard.press("Space")            # Kvinde
    page.keyboard.press("Tab")              # age band group
    for _ in range(4):
        page.keyboard.press("ArrowRight")   # Under 18 -> 18-24 -> 25-29 -> 30-39 -> 40-49
    page.keyboard.press("Tab")              # first topic: Jobsøgning, raised by me
    assert page.evaluate("document.activeElement.id").endswith("-staff")
    page.keyboard.press("Tab")              # Jobsøgning, by the citizen
    page.keyboard.press("Tab")              # Uddannelse, raised by me
    page.keyboard.press("Tab")              # Uddannelse, by the citizen
    page.keyboard.press("Tab")              # Helbred, raised by me
    page.keyboard.press("Tab")              # Helbred, by the citizen
    page.keyboard.press("Tab")              # Børnepasning, raised by me
    page.keyboard.press("Tab")              # Børnepasning, by the citizen
    page.keyboard.press("Space")
    # Tab on to the save button: every remaining field is optional or pre-filled.
    keys = 12
    for _ in range(80):
        page.keyboard.press("Tab")
        keys += 1
        if page.evaluate("document.activeElement.type") == "submit":
            break
    assert page.evaluate("document.activeElement.textContent").strip() == "Gem samtale"
    page.keyboard.press("Enter")
    page.get_by_text("Samtalen er gemt").wait_for()
    elapsed = time.monotonic() - started
    assert_accessible(page)
    entry = Entry.objects.get()
    assert entry.sex == "kvinde" and entry.age_band == "40-49" and entry.author == t.medarbejder
    assert [(et.topic.label, et.raised_by) for et in entry.topics.all()] == [("Børnepasning", "borger")]
    # The form is empty again and focus is back on the first choice.
    assert page.evaluate("document.activeElement.name") == "sex"
    assert not page.locator("input[name=sex]:checked").count()
    print(f"keyboard-only entry: {keys + 1} key presses, {elapsed:.1f} s")


def test_a_leder_opens_the_analysis(page, live_server, world):
    t = world.aarhus
    services.seed_lists(unit=t.team, area="job")
    from tests.logbooks.conftest import bulk_entries

    bulk_entries(t, 30, sex="kvinde", topics=[("Jobsøgning", 10), ("Børnepasning", 12)])
    bulk_entries(t, 30, sex="mand", topics=[("Jobsøgning", 24), ("Børnepasning", 2)])
    login(page, live_server, t.leder)
    page.goto(f"{live_server.url}/logbog/analyse/")
    assert page.get_by_role("heading", level=1).inner_text() == "Logbøgernes billede fordelt på køn"
    assert page.get_by_role("row", name="Jobsøgning").get_by_text("Signifikant forskel").is_visible()
    assert "<5" in page.get_by_role("row", name="Børnepasning").inner_text()
    assert_accessible(page)


def test_the_other_logbook_pages_are_accessible(page, live_server, world):
    t = world.aarhus
    services.seed_lists(unit=t.team, area="job")
    from tests.logbooks.conftest import make_entry

    entry = make_entry(t, topics=["Jobsøgning"], reflections="Kort refleksion")
    login(page, live_server, t.medarbejder)
    for path in ["/logbog/samtaler/mine/", f"/logbog/samtaler/{entry.uuid}/", f"/logbog/samtaler/{entry.uuid}/ret/",
                 "/logbog/observationer/", "/logbog/observationer/ny/"]:
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page)
    page.context.clear_cookies()
    login(page, live_server, t.leder)
    for path in ["/logbog/samtaler/enhed/", f"/logbog/lister/{t.team.uuid}/"]:
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page)
