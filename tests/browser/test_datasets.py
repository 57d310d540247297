"""An analyst loads a file in the browser: upload → mapping → error report → corrected file → dataset page."""

import pytest

from datasets.models import Dataset, Observation
from tests.browser.helpers import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOOD_ROWS = [(i, "K" if i % 3 else "M", "65-74" if i % 2 else "75-84", "ja" if i % 4 == 0 else "nej",
              10000 + 100 * i) for i in range(1, 41)]
GOOD = "Løbenummer;Køn;Alder;Selvhjulpen;Udgift\n" + "".join(f"{a};{b};{c};{d};{e}\n" for a, b, c, d, e in GOOD_ROWS)
BAD = GOOD + "41;Q;75-84;ja;12000\n42;M;65-74;nej;mange\n"


@pytest.fixture
def files(tmp_path, settings):
    settings.DATASETS_STAGING_DIR = tmp_path / "imports"
    bad, good = tmp_path / "borgere.csv", tmp_path / "borgere-rettet.csv"
    bad.write_text(BAD, encoding="utf-8")
    good.write_text(GOOD, encoding="utf-8")
    return bad, good


def test_analyst_imports_a_person_level_file(page, live_server, world, files):
    bad, good = files
    login(page, live_server, world.odense.analytiker)
    page.get_by_role("link", name="Data", exact=True).first.click()
    page.get_by_role("heading", name="Kønsopdelte data").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Nyt datasæt").first.click()
    page.get_by_label("Titel").fill("Træning som hjælp 2015")
    page.get_by_label("Kildetype").select_option(label="Eget fagsystem (desk research)")
    assert_accessible(page)
    page.get_by_role("button", name="Opret og fortsæt").click()

    page.get_by_role("heading", name="Upload en fil til “Træning som hjælp 2015”").wait_for()
    assert_accessible(page)
    page.get_by_label("Fil (CSV eller Excel .xlsx)").set_input_files(str(bad))
    page.get_by_role("button", name="Upload og tjek").click()

    page.get_by_role("heading", name="Tjek kolonnerne").wait_for()
    assert_accessible(page)
    assert page.get_by_label("Kolonnen “Køn”").input_value() == "sex"
    assert page.get_by_label("Kolonnen “Selvhjulpen”").input_value() == "flag"
    assert page.get_by_label("En borger eller sag (persondata; summeres ved import, rækkerne gemmes ikke)").is_checked()
    page.get_by_role("button", name="Importér").click()

    page.get_by_role("heading", name="Filen blev ikke importeret").wait_for()
    assert_accessible(page)
    table = page.get_by_role("table")
    assert "Ukendt kønskode" in table.inner_text() and "Ikke et tal." in table.inner_text()
    dataset = Dataset.objects.get(title="Træning som hjælp 2015")
    assert not Observation.objects.filter(indicator__dataset=dataset).exists()

    page.get_by_role("link", name="Upload en rettet fil").click()
    page.get_by_label("Fil (CSV eller Excel .xlsx)").set_input_files(str(good))
    page.get_by_role("button", name="Upload og tjek").click()
    page.get_by_role("heading", name="Tjek kolonnerne").wait_for()
    page.get_by_role("button", name="Importér").click()

    page.get_by_role("heading", name="Træning som hjælp 2015", level=1).wait_for()
    assert "er importeret" in page.content()
    assert page.get_by_role("heading", name="Selvhjulpen").is_visible()
    assert_accessible(page)
    page.get_by_label("Opdel på køn og").select_option(label="Aldersgruppe")
    page.get_by_role("button", name="Vis", exact=True).click()
    page.get_by_text("65-74 år").first.wait_for()
    assert_accessible(page)
