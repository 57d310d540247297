"""A leder plans a workshop from the pamphlet's template, reorders the agenda, records the results,
and finds the hypotheses and the action in the project."""

from datetime import date

import pytest

from projects import services as project_services
from tests.browser.helpers import assert_accessible, login
from workshops.models import Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def agenda_titles(page) -> list[str]:
    return [t.strip().splitlines()[0] for t in page.locator("table.agenda-table tbody th").all_inner_texts()]


def test_leder_plans_a_workshop_and_its_results_reach_the_project(page, live_server, world):
    t = world.odense
    project = project_services.create_project(
        by=t.leder, units=[t.team], members=[t.medarbejder], title="Samtaleguiden i visitationen",
        responsible=t.leder, target_group="Nyvisiterede ældre", start_date=date(2026, 11, 1),
        end_date=date(2027, 2, 1),
    )
    login(page, live_server, t.leder)
    page.goto(f"{live_server.url}/workshops/")
    assert_accessible(page)
    page.get_by_role("link", name="Planlæg en workshop").click()
    page.get_by_label("Titel").fill("Køn i visitationssamtalen")
    page.get_by_label("Dato").fill("2026-12-10")
    page.get_by_label("Starter kl.").fill("09:00")
    page.get_by_label("Sted").fill("Mødelokale 2")
    page.get_by_label("3-4 timer").check()
    page.locator("#id_goal").fill("Hypoteser om køn i visitationen og en handleplan.")
    page.get_by_label("Aktionslæringsprojekt").select_option(label=project.title)
    page.get_by_role("group", name="Enheder").get_by_label("Træning som hjælp").check()
    page.get_by_label(t.medarbejder.full_name, exact=False).check()
    assert_accessible(page)
    page.get_by_role("button", name="Planlæg workshoppen").click()

    page.get_by_role("heading", name="Redigér dagsorden").wait_for()
    assert_accessible(page)
    titles = agenda_titles(page)
    assert titles[0] == "Velkommen" and titles[3] == "Frokost" and len(titles) == 7
    # Move lunch up before hypothesis forming: a plain form, no JavaScript needed.
    page.get_by_role("button", name="Flyt »Frokost« op").click()
    page.get_by_text("»Frokost« er flyttet.").wait_for()
    titles = agenda_titles(page)
    assert titles[2] == "Frokost" and titles[3].startswith("Hypotesedannelse")
    assert "09:40–10:10" in page.locator("#item-" + str(Workshop.objects.get().agenda_items.get(
        title="Frokost").uuid)).inner_text()

    page.get_by_role("link", name="Tilbage til workshoppen").click()
    page.get_by_role("link", name="Registrér resultater").click()
    assert_accessible(page)
    for statement in ["Vi spørger mænd sjældnere om netværk", "Kvinder får sjældnere tilbud om træning"]:
        page.locator("#id_hypothesis-statement").fill(statement)
        page.get_by_role("button", name="Tilføj hypotese").click()
        page.get_by_text("Hypotesen er tilføjet projektet").wait_for()
    page.locator("#id_action-description").fill("Afprøv samtaleguiden i fem samtaler")
    page.locator("#id_action-owner").select_option(label=f"{t.medarbejder.full_name} ({t.medarbejder.email})")
    page.get_by_label("Frist").fill("2027-01-10")
    page.get_by_role("button", name="Tilføj handling").click()
    page.get_by_text("Handlingen er tilføjet projektet").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name=project.title).first.click()
    page.get_by_role("heading", name=project.title).wait_for()
    body = page.content()
    assert "Vi spørger mænd sjældnere om netværk" in body
    assert "Kvinder får sjældnere tilbud om træning" in body
    assert "Afprøv samtaleguiden i fem samtaler" in body


def test_focus_group_pages_are_accessible_on_a_phone(phone_page, live_server, world):
    from workshops import services

    t = world.odense
    group = services.create_focusgroup(
        by=t.leder, units=[t.other_team], title="Ældre mænd om hjemmepleje", purpose="Hvordan oplever mænd hjælpen?",
        questions="Hvad betyder hjælpen for dig?", target_group="Mænd over 75", composition="men", planned_size=6,
    )
    login(phone_page, live_server, t.leder)
    phone_page.goto(f"{live_server.url}/workshops/fokusgrupper/{group.uuid}/")
    assert_accessible(phone_page)
    phone_page.goto(f"{live_server.url}/workshops/fokusgrupper/{group.uuid}/deltagere/")
    phone_page.get_by_label("Mand, 80 og derover").fill("4")
    phone_page.get_by_label("Mand, 65-79").fill("2")
    assert_accessible(phone_page)
    phone_page.get_by_role("button", name="Gem").click()
    phone_page.get_by_text("Deltagerne er talt.").wait_for()
    assert "6 deltagere efter køn og alder" in phone_page.content()
    assert_accessible(phone_page)


def test_every_workshops_page_passes_axe(page, live_server, world):
    from datasets.models import Dataset, Indicator, Observation
    from workshops import services

    t = world.odense
    dataset = Dataset.objects.create(municipality=t.municipality, title="Hjemmepleje 2014", source_kind="own_system")
    indicator = Indicator.objects.create(dataset=dataset, name="Får hjemmepleje", measure="share")
    for sex, num, den in [("kvinde", 50, 200), ("mand", 28, 200)]:
        Observation.objects.create(indicator=indicator, period="2014", sex=sex, numerator=num, denominator=den)
    workshop = services.create_workshop(
        by=t.leder, units=[t.team], participants=[t.medarbejder], title="Køn i træningen", date=date(2026, 12, 3),
        start_time="09:00", place="Mødelokale 2", length="short", goal="Hypoteser", indicators=[indicator])
    services.add_idea(workshop=workshop, text="Spørg til netværk", by=t.leder)
    group = services.create_focusgroup(
        by=t.leder, units=[t.other_team], title="Mænd om hjemmepleje", purpose="Formål", questions="Et\nTo",
        target_group="Ældre mænd", composition="men", planned_size=4, indicator=indicator)
    services.add_finding(focus_group=group, theme="Hjælp", kind="quote", text="Man ringer ikke bare", by=t.leder)
    plan = services.create_involvement(by=t.leder, units=[t.team], title="Borgerne med", representative="Nye borgere",
                                       phases=["start"], checklist=["venue"])
    services.add_session(plan=plan, by=t.leder, date=date(2026, 11, 1), phase="start", women=3, men=2,
                         learnt="Mænd vil træne sammen")
    item = workshop.agenda_items.first()
    login(page, live_server, t.leder)
    for path in [
        "/workshops/", "/workshops/ny/", f"/workshops/{workshop.uuid}/", f"/workshops/{workshop.uuid}/rediger/",
        f"/workshops/{workshop.uuid}/slet/", f"/workshops/{workshop.uuid}/dagsorden/{item.uuid}/",
        f"/workshops/{workshop.uuid}/resultater/",
        "/workshops/fokusgrupper/", "/workshops/fokusgrupper/ny/", f"/workshops/fokusgrupper/{group.uuid}/",
        f"/workshops/fokusgrupper/{group.uuid}/rediger/", f"/workshops/fokusgrupper/{group.uuid}/deltagere/",
        "/workshops/borgerinddragelse/", "/workshops/borgerinddragelse/ny/",
        f"/workshops/borgerinddragelse/{plan.uuid}/", f"/workshops/borgerinddragelse/{plan.uuid}/rediger/",
        f"/workshops/borgerinddragelse/{plan.uuid}/moeder/ny/",
    ]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert page.get_by_role("heading", level=1).count() == 1, path
        assert_accessible(page)
