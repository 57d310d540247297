"""A leder filters the dashboard, opens a chart's table, builds a committee report and downloads it."""

import pytest

from reporting.testing import seed_known
from tests.browser.helpers import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "reporting.finders.PlotlyFinder",
]


@pytest.fixture
def served(settings):
    # The one line the project's settings get (see docs/reporting.md); here for the test only.
    settings.STATICFILES_FINDERS = FINDERS
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def test_leder_filters_the_dashboard_and_downloads_a_committee_report(page, live_server, world, served, tmp_path):
    seed_known(world.odense)
    login(page, live_server, world.odense.leder)
    page.goto(f"{live_server.url}/overblik/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Overblik")

    page.get_by_label("Enhed (med underenheder)").select_option(str(world.odense.team.uuid))
    page.get_by_label("Periode").select_option("2025")
    page.get_by_role("button", name="Vis", exact=True).click()
    page.wait_for_url("**/overblik/?*unit=*period=2025*")
    assert "Træning som hjælp" in page.get_by_role("heading", level=1).inner_text()

    # The charts are drawn by plotly.js from the JSON data blocks.
    page.locator("#chart-c1 .main-svg").first.wait_for()
    assert page.locator(".chart .main-svg").count() >= 4
    # One click opens the chart's table.
    topics = page.locator("section.report-section").nth(1)
    table = topics.locator("table")
    assert not table.is_visible()
    topics.get_by_text("Vis tabellen").click()
    assert table.is_visible()
    assert "Jobsøgning" in table.inner_text() and "<5" in table.inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Lav en udvalgsrapport").click()
    page.wait_for_url("**/overblik/rapporter/ny/**")
    page.locator("#id_title").fill("Ligestilling i jobcentret")
    page.locator("#id_committee").fill("Beskæftigelsesudvalget")
    page.locator("#id_date_from").fill("2025-01-01")
    page.locator("#id_date_to").fill("2025-12-31")
    page.locator("#id_summary").fill("Kvinder og mænd får forskellige tilbud.")
    page.get_by_role("button", name="Forhåndsvis").click()
    page.get_by_role("heading", name="Forhåndsvis", exact=True).wait_for()
    assert page.get_by_text("Kvinder og mænd får forskellige tilbud.").count() >= 1
    page.locator(".report-preview .chart .main-svg").first.wait_for()
    assert_accessible(page)

    page.get_by_role("button", name="Dan PDF").click()
    page.wait_for_url("**/overblik/rapporter/*/")
    download_link = page.get_by_role("link", name="Hent PDF")
    download_link.wait_for(state="visible", timeout=60_000)
    assert_accessible(page)
    with page.expect_download() as info:
        download_link.click()
    path = tmp_path / "rapport.pdf"
    info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    # The kept report is listed and can be downloaded again.
    page.goto(f"{live_server.url}/overblik/rapporter/")
    assert page.get_by_role("link", name="Ligestilling i jobcentret", exact=True).is_visible()
    assert_accessible(page)
