"""Citizen free text in workshops, focus groups and citizen involvement: only for the roles
that may read it (medarbejder and leder of the units), the organiser and a workshop's
invited participants; never the analytiker or administrator by their role alone."""

from datetime import date

from django.urls import reverse

from accounts.models import AuditEvent, Role
from tests.tenancy import assert_forbidden, make_user
from workshops import services

QUOTE = "Jeg vil ikke være til besvær"
FINDING = "Mændene savner at blive spurgt om hverdagen"
LEARNT = "Borgerne vil hellere trænes om eftermiddagen"


def _quotes(focus_group):
    services.add_finding(focus_group=focus_group, theme="Hjælpen", kind="quote", text=QUOTE, by=focus_group.organiser)
    services.add_finding(focus_group=focus_group, theme="Hjælpen", kind="finding", text=FINDING,
                         by=focus_group.organiser)


def test_it_rejects_analyst_on_focus_group_quotes(client, world, focus_group):
    _quotes(focus_group)
    t = world.odense  # the analytiker sits on the administration above the focus group's team
    for url in (reverse("workshops:focusgroup_detail", args=[focus_group.uuid]),
                reverse("workshops:focusgroup_pdf", args=[focus_group.uuid])):
        before = AuditEvent.objects.filter(action="access.forbidden", user=t.analytiker).count()
        assert_forbidden(client, [t.analytiker], url, "get")
        assert AuditEvent.objects.filter(action="access.forbidden", user=t.analytiker).count() == before + 1
    client.force_login(t.analytiker)
    body = client.get(reverse("workshops:focusgroup_list")).content.decode()
    assert focus_group.title not in body and QUOTE not in body


def test_it_rejects_administrator_on_focus_groups_workshops_and_involvement(client, world, workshop, focus_group,
                                                                         involvement):
    _quotes(focus_group)
    services.add_session(plan=involvement, by=world.odense.leder, date=date(2026, 11, 2), phase="start", women=3,
                         men=2, learnt=LEARNT)
    t = world.odense
    for url in (reverse("workshops:focusgroup_detail", args=[focus_group.uuid]),
                reverse("workshops:workshop_detail", args=[workshop.uuid]),
                reverse("workshops:workshop_pdf", args=[workshop.uuid]),
                reverse("workshops:involvement_detail", args=[involvement.uuid])):
        assert_forbidden(client, [t.administrator, t.analytiker], url, "get")
    client.force_login(t.administrator)
    for name, title in [("workshops:workshop_list", workshop.title), ("workshops:focusgroup_list", focus_group.title),
                        ("workshops:involvement_list", involvement.title)]:
        assert title not in client.get(reverse(name)).content.decode()


def test_it_rejects_analyst_on_involvement_sessions(client, world, involvement):
    services.add_session(plan=involvement, by=world.odense.leder, date=date(2026, 11, 2), phase="start", women=3,
                         men=2, learnt=LEARNT)
    assert_forbidden(client, [world.odense.analytiker],
                     reverse("workshops:involvement_detail", args=[involvement.uuid]), "get")
    client.force_login(world.odense.analytiker)
    assert involvement.title not in client.get(reverse("workshops:involvement_list")).content.decode()


def test_an_administrator_who_also_leads_the_unit_reads_it(client, world, focus_group):
    _quotes(focus_group)
    t = world.odense
    owner = make_user("ejer@odense.test", t.municipality, t.administration, Role.ADMINISTRATOR)
    from accounts.models import Membership

    Membership.objects.create(user=owner, unit=t.other_team, role=Role.LEDER)
    client.force_login(owner)
    body = client.get(reverse("workshops:focusgroup_detail", args=[focus_group.uuid])).content.decode()
    assert QUOTE in body and FINDING in body


def test_caseworkers_of_the_unit_read_but_not_of_the_sibling_team(client, world, focus_group):
    _quotes(focus_group)  # the focus group concerns other_team
    t = world.odense
    own = make_user("hjemmepleje@odense.test", t.municipality, t.other_team, Role.MEDARBEJDER)
    client.force_login(own)
    assert QUOTE in client.get(reverse("workshops:focusgroup_detail", args=[focus_group.uuid])).content.decode()
    assert_forbidden(client, [t.medarbejder], reverse("workshops:focusgroup_detail", args=[focus_group.uuid]), "get")


def test_invited_participants_read_the_workshop_whatever_their_role(client, world, workshop, focus_group):
    """Staff who took part read what came out of the day (ideas, follow-up notes), even an
    analytiker; not the focus groups or involvement of the same units."""
    t = world.odense
    services.add_idea(workshop=workshop, text="Spørg alle om hverdagen", by=t.leder)
    assert_forbidden(client, [t.analytiker], reverse("workshops:workshop_detail", args=[workshop.uuid]), "get")
    workshop.participants.add(t.analytiker)
    client.force_login(t.analytiker)
    body = client.get(reverse("workshops:workshop_detail", args=[workshop.uuid])).content.decode()
    assert "Spørg alle om hverdagen" in body
    assert workshop.title in client.get(reverse("workshops:workshop_list")).content.decode()
    # ... but may not edit it, nor read the focus groups of the units.
    assert client.get(reverse("workshops:workshop_edit", args=[workshop.uuid])).status_code == 403
    assert client.get(reverse("workshops:focusgroup_detail", args=[focus_group.uuid])).status_code == 403


def test_the_organiser_reads_what_they_planned_after_leaving_the_unit(client, world, focus_group):
    t = world.odense
    _quotes(focus_group)
    t.leder.memberships.all().delete()
    client.force_login(t.leder)
    response = client.get(reverse("workshops:focusgroup_detail", args=[focus_group.uuid]))
    assert response.status_code == 200 and QUOTE in response.content.decode()
    # No longer a leder: reading, not editing.
    assert client.get(reverse("workshops:focusgroup_edit", args=[focus_group.uuid])).status_code == 403
