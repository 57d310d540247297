"""The role table (accounts/roles.py) is the one source of truth: the README shows it, the
needs and the menu are built from it, and every page with citizen free text answers each
role as the table says (200 or 403; another municipality 404)."""

import re
from datetime import date, time
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts import access, navigation, roles
from accounts.models import AuditEvent, Role
from logbooks import services as logbook_services
from tests.tenancy import assert_other_municipality_gets_404, make_user
from workshops import services as workshop_services

README = Path(__file__).resolve().parents[2] / "README.md"

QUOTE = "Jeg vil helst klare mig selv"
LEARNT = "Borgerne ønskede træning om aftenen"
FOCUS = "Hvordan spørger vi til hverdagen?"


def test_readme_shows_the_table_as_it_is():
    found = re.search(r"<!-- roles-table:start -->\n(.*?)<!-- roles-table:end -->", README.read_text(), re.S)
    assert found, "README has lost the markers of the role table"
    assert found.group(1) == roles.markdown_table(), "README's role table differs from accounts/roles.py"


def test_the_needs_are_the_tables():
    assert access.NEED_ROLES[access.READ] == frozenset(Role.values)
    for rule in roles.RULES:
        assert access.NEED_ROLES[rule.capability] == rule.roles
    # The old needs are capabilities of the table.
    assert {access.LEAD, access.ANALYSE, access.ADMIN} <= set(roles.TABLE)


@pytest.mark.parametrize("role", Role.values)
def test_the_menu_offers_what_the_table_gives(world, role):
    user = make_user(f"menu-{role}@odense.test", world.odense.municipality, world.odense.administration, role)
    request = RequestFactory().get("/")
    request.user = user
    shown = {item["url"] for item in navigation.navigation_for(request)}
    for item in navigation.NAV:
        if item.need is None:
            continue
        assert item.need in roles.TABLE, f"{item.url_name} needs {item.need}, which is not in the table"
        assert (reverse(item.url_name) in shown) == (role in roles.roles_for(item.need)), item.url_name


# --- Pages with citizen free text ------------------------------------------------------


def _pages(tenant):
    """Each page type with citizen free text: (name, capability, url, text on the page).

    Everything lies on `tenant.team`, written by others than the users who are tested.
    """
    logbook_services.seed_lists(unit=tenant.team, area="job")
    colleague = make_user(f"kollega@{tenant.municipality.slug}.test", tenant.municipality, tenant.team,
                          Role.MEDARBEJDER)
    entry = logbook_services.create_entry(
        author=tenant.medarbejder, unit=tenant.team,
        fields={"date": timezone.localdate(), "sex": "kvinde", "age_band": "30-39", "reflections": QUOTE},
        topics={}, offers=[])
    observation = logbook_services.create_observation(
        observer=tenant.medarbejder, observed=colleague, unit=tenant.team,
        fields={"date": timezone.localdate(), "focus": FOCUS})
    workshop = workshop_services.create_workshop(
        by=tenant.leder, units=[tenant.team], title="Køn i træningen", date=date(2026, 12, 3),
        start_time=time(9, 0), place="Mødelokale 2", length="short", goal=FOCUS)
    group = workshop_services.create_focusgroup(
        by=tenant.leder, units=[tenant.team], title="Ældre mænd om træning", purpose="Hvordan oplever mænd den?",
        questions="Hvad betyder træningen for dig?", target_group="Mænd over 75", composition="men",
        planned_size=6)
    workshop_services.add_finding(focus_group=group, theme="Selvhjulpen", kind="quote", text=QUOTE, by=tenant.leder)
    plan = workshop_services.create_involvement(
        by=tenant.leder, units=[tenant.team], title="Borgere med i træningen", citizens="both",
        representative="Nyvisiterede borgere", mode="views", phases=["start"], method="network")
    workshop_services.add_session(plan=plan, by=tenant.leder, date=date(2026, 11, 2), phase="start", women=3,
                                  men=4, learnt=LEARNT)
    return [
        ("entry detail", roles.READ_LOGBOOKS, reverse("logbooks:entry_detail", args=[entry.uuid]), QUOTE),
        ("observation detail", roles.READ_LOGBOOKS, reverse("logbooks:observation_detail", args=[observation.uuid]),
         FOCUS),
        ("unit entries", roles.READ_LOGBOOKS, reverse("logbooks:unit_entries"), tenant.medarbejder.full_name),
        ("workshop detail", roles.READ_ACTIVITIES, reverse("workshops:workshop_detail", args=[workshop.uuid]), FOCUS),
        ("focus group detail", roles.READ_ACTIVITIES, reverse("workshops:focusgroup_detail", args=[group.uuid]),
         QUOTE),
        ("involvement detail", roles.READ_ACTIVITIES, reverse("workshops:involvement_detail", args=[plan.uuid]),
         LEARNT),
    ]


@pytest.mark.parametrize("role", Role.values)
def test_free_text_pages_answer_each_role_as_the_table_says(client, world, role):
    t = world.odense
    pages = _pages(t)
    # The role on the administration covers the team; on the sibling team it does not.
    above = make_user(f"over-{role}@odense.test", t.municipality, t.administration, role)
    sibling = make_user(f"nabo-{role}@odense.test", t.municipality, t.other_team, role)
    for name, capability, url, text in pages:
        allowed = role in roles.roles_for(capability)
        client.force_login(above)
        refused = AuditEvent.objects.filter(action="access.forbidden").count()
        response = client.get(url)
        assert response.status_code == (200 if allowed else 403), f"{role} on {name}: {response.status_code}"
        assert (text in response.content.decode()) == allowed, f"{role} on {name}"
        if not allowed:  # refusals are audited
            assert AuditEvent.objects.filter(action="access.forbidden").count() == refused + 1
        client.force_login(sibling)
        response = client.get(url)
        assert text not in response.content.decode(), f"{role} of the sibling team on {name}"
        assert response.status_code in (200, 403) and (response.status_code == 403 or name == "unit entries")
    # Another municipality's user of the same role: the objects do not exist.
    detail_urls = [url for name, _, url, _ in pages if name != "unit entries"]
    for url in detail_urls:
        assert_other_municipality_gets_404(client, [make_user(f"x-{role}-{len(url)}@aarhus.test",
                                                              world.aarhus.municipality, world.aarhus.team, role)],
                                           url)


@pytest.mark.parametrize("role", Role.values)
def test_lists_show_the_planned_activities_only_to_the_roles_that_read_them(client, world, role):
    t = world.odense
    _pages(t)
    user = make_user(f"liste-{role}@odense.test", t.municipality, t.administration, role)
    client.force_login(user)
    allowed = role in roles.roles_for(roles.READ_ACTIVITIES)
    for name, title in [("workshops:workshop_list", "Køn i træningen"),
                        ("workshops:focusgroup_list", "Ældre mænd om træning"),
                        ("workshops:involvement_list", "Borgere med i træningen")]:
        body = client.get(reverse(name)).content.decode()
        assert (title in body) == allowed, f"{role} on {name}"


@pytest.mark.parametrize("role", sorted(roles.roles_for(roles.READ_OWN)))
def test_own_entries_are_read_in_full(client, world, role):
    t = world.odense
    logbook_services.seed_lists(unit=t.team, area="job")
    author = make_user(f"forfatter-{role}@odense.test", t.municipality, t.team, role)
    entry = logbook_services.create_entry(
        author=author, unit=t.team, fields={"date": timezone.localdate(), "sex": "mand", "age_band": "30-39",
                                            "reflections": QUOTE}, topics={}, offers=[])
    client.force_login(author)
    response = client.get(reverse("logbooks:entry_detail", args=[entry.uuid]))
    assert response.status_code == 200 and QUOTE in response.content.decode()
