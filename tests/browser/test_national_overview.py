"""Platform staff sort the national overview; an analyst sees their own municipality beside the total."""

import pytest
from django.utils import timezone

from logbooks.models import Entry
from reporting.summary import refresh_summary
from tests.browser.helpers import assert_accessible, login
from tests.tenancy import build_tenant, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _conversations(tenant, women, men):
    day = timezone.localdate().replace(day=1)
    Entry.objects.bulk_create(
        Entry(municipality=tenant.municipality, unit=tenant.team, author=tenant.medarbejder, sex=sex,
              age_band="30-39", date=day)
        for sex, n in (("kvinde", women), ("mand", men)) for _ in range(n)
    )


def test_staff_sort_the_overview_and_an_analyst_sees_no_other_municipality(page, live_server, world):
    nyborg = build_tenant("Nyborg Kommune", "nyborg", "450", "Social og Sundhed", "Jobcenter Nyborg", "Ydelser")
    _conversations(world.odense, 40, 30)
    _conversations(world.aarhus, 25, 20)
    _conversations(nyborg, 30, 12)
    refresh_summary()
    staff = make_user("drift@platform.test", None, is_staff=True, is_superuser=True)

    login(page, live_server, staff)
    page.goto(f"{live_server.url}/overblik/landsoverblik/")
    assert page.get_by_role("heading", level=1).inner_text() == "Landsoverblik"
    page.get_by_role("link", name="Kvinder", exact=True).click()
    page.wait_for_url("**/landsoverblik/?sort=women")
    page.get_by_role("link", name="Kvinder", exact=True).click()  # the arrow is aria-hidden
    page.wait_for_url("**/landsoverblik/?sort=-women")
    rows = page.locator("tbody tr th").all_inner_texts()
    assert rows == ["Odense Kommune", "Nyborg Kommune", "Aarhus Kommune", "Alle kommuner"]
    assert_accessible(page)

    page.context.clear_cookies()
    login(page, live_server, world.aarhus.analytiker)
    page.goto(f"{live_server.url}/overblik/")
    page.get_by_role("link", name="Landsoverblik").click()
    page.wait_for_url("**/overblik/landsoverblik/")
    assert page.locator("tbody tr th").all_inner_texts() == ["Aarhus Kommune", "Alle kommuner"]
    assert "Odense" not in page.content() and "Nyborg" not in page.content()
    assert_accessible(page)
