"""A leder starts an action-learning project from the template and follows a criterion."""

import re

import pytest

from projects.models import Project
from tests.browser.helpers import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leder_creates_project_adds_criterion_records_cycle_and_sees_status(page, live_server, world):
    t = world.odense
    login(page, live_server, t.leder)
    page.get_by_role("link", name="Projekter", exact=True).first.click()
    page.get_by_role("heading", name="Aktionslæringsprojekter").wait_for()
    assert "Ingen projekter endnu" in page.content()
    assert_accessible(page)

    page.get_by_role("link", name="Nyt projekt").first.click()
    page.get_by_role("heading", name="Nyt aktionslæringsprojekt").wait_for()
    # The pamphlet's guiding questions are shown as help.
    assert "Hvem holder sammen på projektet" in page.content()
    assert_accessible(page)
    page.get_by_label("Projekttitel").fill("Træning som hjælp for kvinder")
    page.locator("#id_target_group").fill("Nyvisiterede ældre kvinder")
    page.get_by_label("Kvinder", exact=True).check()
    page.locator("#id_start_date").fill("2026-01-05")
    page.locator("#id_end_date").fill("2026-04-05")
    page.get_by_role("button", name="Opret projekt").click()
    page.get_by_role("heading", level=1, name="Træning som hjælp for kvinder").wait_for()
    assert "Projektet er oprettet." in page.content()
    # The group is only the leder: a warning, but the project is saved.
    assert "Projektgruppen har 1 personer" in page.content()
    assert_accessible(page)

    page.get_by_role("link", name="Tilføj succeskriterium").click()
    assert_accessible(page)
    # Only the fields of the chosen target are shown.
    assert page.locator("#id_target_women").is_visible() and not page.locator("#id_target_gap").is_visible()
    page.locator("#id_definition").fill("Andel kvinder, der er selvhjulpne efter forløbet")
    page.locator("#id_target_women").fill("60")
    page.get_by_role("button", name="Gem succeskriterium").click()
    page.get_by_text("Succeskriteriet er gemt.").wait_for()
    assert "For lidt data" in page.content()

    page.get_by_role("button", name="Åbn første cyklus").click()
    page.get_by_role("heading", name="Cyklus 1").wait_for()
    assert_accessible(page)
    page.locator("#id_action").fill("Samtaleguiden i alle visitationssamtaler")
    page.locator("#id_reflection").fill("Kvinderne vil ikke være til besvær")
    page.get_by_role("button", name="Gem").click()
    page.get_by_text("Cyklus 1 er gemt.").wait_for()
    assert "Samtaleguiden i alle visitationssamtaler" in page.content()

    page.get_by_role("link", name="Tilføj måling").click()
    page.locator("#id_women_count").fill("130")
    page.locator("#id_women_n").fill("200")
    page.locator("#id_men_count").fill("71")
    page.locator("#id_men_n").fill("100")
    assert_accessible(page)
    page.get_by_role("button", name="Gem").click()
    page.get_by_text("Målingen er gemt.").wait_for()
    criterion = page.locator("article", has_text="Andel kvinder, der er selvhjulpne")
    assert "Opfyldt" in criterion.inner_text()
    # 130 of 200 women, each count changed by at most ±2 (cell-key method): 63–67 pct.
    assert re.search(r"\b6[3-7] pct\.", criterion.inner_text())
    assert_accessible(page)

    project = Project.objects.get(title="Træning som hjælp for kvinder")
    assert project.status == "active" and project.cycles.count() == 1
