"""Who may read, edit, create and delete projects; other municipalities get 404 everywhere."""

import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from projects.models import Project
from tests.projects.factories import make_criterion, make_project
from tests.tenancy import assert_forbidden, assert_other_municipality_gets_404, make_user


@pytest.fixture
def project(world):
    project = make_project(world.odense)
    cycle = project.cycles.create(number=1)
    hypothesis = project.hypotheses.create(statement="Vi spørger mænd mindre", created_by=world.odense.leder)
    action = project.actions.create(description="Observer", owner=world.odense.leder)
    criterion = make_criterion(project)
    measurement = criterion.measurements.create(women_count=1, women_n=2)
    project.ids = {"cycle": cycle.uuid, "hypothesis": hypothesis.uuid, "action": action.uuid,
                   "criterion": criterion.uuid, "measurement": measurement.uuid}
    return project


def all_urls(project):
    ids = project.ids
    p = project.uuid
    return [
        ("get", reverse("projects:project_detail", args=[p])),
        ("get", reverse("projects:project_edit", args=[p])),
        ("post", reverse("projects:project_status", args=[p])),
        ("get", reverse("projects:project_delete", args=[p])),
        ("get", reverse("projects:project_pdf", args=[p])),
        ("post", reverse("projects:cycle_open", args=[p])),
        ("get", reverse("projects:cycle_edit", args=[p, ids["cycle"]])),
        ("get", reverse("projects:hypothesis_create", args=[p])),
        ("get", reverse("projects:hypothesis_edit", args=[p, ids["hypothesis"]])),
        ("get", reverse("projects:action_create", args=[p])),
        ("get", reverse("projects:action_edit", args=[p, ids["action"]])),
        ("get", reverse("projects:criterion_create", args=[p])),
        ("get", reverse("projects:criterion_edit", args=[p, ids["criterion"]])),
        ("get", reverse("projects:measurement_create", args=[p, ids["criterion"]])),
        ("post", reverse("projects:measurement_delete", args=[p, ids["criterion"], ids["measurement"]])),
    ]


def test_other_municipality_gets_404_on_every_project_url(client, world, project):
    a = world.aarhus
    users = [a.leder, a.medarbejder, a.analytiker]
    p, ids = project.uuid, project.ids
    assert_other_municipality_gets_404(client, users, reverse("projects:project_detail", args=[p]))
    assert_other_municipality_gets_404(client, users, reverse("projects:project_edit", args=[p]))
    assert_other_municipality_gets_404(client, users, reverse("projects:project_status", args=[p]), "post",
                                       {"status": "stopped"})
    assert_other_municipality_gets_404(client, users, reverse("projects:project_delete", args=[p]), "post")
    assert_other_municipality_gets_404(client, users, reverse("projects:project_pdf", args=[p]))
    assert_other_municipality_gets_404(client, users, reverse("projects:cycle_open", args=[p]), "post")
    assert_other_municipality_gets_404(client, users, reverse("projects:cycle_edit", args=[p, ids["cycle"]]))
    assert_other_municipality_gets_404(client, users, reverse("projects:hypothesis_create", args=[p]), "post",
                                       {"statement": "x", "source": "other", "status": "open"})
    assert_other_municipality_gets_404(client, users, reverse("projects:hypothesis_edit",
                                                              args=[p, ids["hypothesis"]]))
    assert_other_municipality_gets_404(client, users, reverse("projects:action_create", args=[p]))
    assert_other_municipality_gets_404(client, users, reverse("projects:action_edit", args=[p, ids["action"]]))
    assert_other_municipality_gets_404(client, users, reverse("projects:criterion_create", args=[p]))
    assert_other_municipality_gets_404(client, users, reverse("projects:criterion_edit",
                                                              args=[p, ids["criterion"]]))
    assert_other_municipality_gets_404(client, users, reverse("projects:measurement_create",
                                                              args=[p, ids["criterion"]]))
    assert_other_municipality_gets_404(client, users, reverse("projects:measurement_delete",
                                                              args=[p, ids["criterion"], ids["measurement"]]),
                                       "post")
    assert Project.objects.filter(pk=project.pk, status="planned").exists()


def test_list_and_create_only_show_own_municipality(client, world, project):
    client.force_login(world.aarhus.leder)
    body = client.get(reverse("projects:project_list")).content.decode()
    assert project.title not in body
    body = client.get(reverse("projects:project_create")).content.decode()
    assert world.odense.team.name not in body and world.odense.leder.email not in body


def test_platform_account_gets_404_on_list_and_create(client, world):
    platform = make_user("platform@example.test", None)
    assert_other_municipality_gets_404(client, [platform], reverse("projects:project_list"))
    assert_other_municipality_gets_404(client, [platform], reverse("projects:project_create"))


def test_reader_of_an_involved_unit_reads_but_gets_403_on_edit(client, world, project):
    t = world.odense
    reader = make_user("laeser@odense.test", t.municipality, t.team, Role.MEDARBEJDER)
    client.force_login(reader)
    response = client.get(reverse("projects:project_detail", args=[project.uuid]))
    assert response.status_code == 200 and "Redigér plan" not in response.content.decode()
    assert client.get(reverse("projects:project_pdf", args=[project.uuid])).status_code == 200
    client.logout()
    for method, url in all_urls(project):
        if "projektplan.pdf" in url or url.endswith(f"{project.uuid}/"):
            continue
        assert_forbidden(client, [reader], url, method)
    # The analytiker of the administration reads (the team is below it), but may not edit.
    assert_forbidden(client, [t.analytiker], reverse("projects:project_edit", args=[project.uuid]), "get")
    project.refresh_from_db()
    assert project.status == "planned" and project.cycles.count() == 1
    assert project.criteria.get().measurements.count() == 1


def test_user_without_role_on_an_involved_unit_gets_403_on_read(client, world, project):
    t = world.odense
    elsewhere = make_user("andet@odense.test", t.municipality, t.other_team, Role.LEDER)
    assert_forbidden(client, [elsewhere, world.outsider], reverse("projects:project_detail", args=[project.uuid]),
                     "get")


def test_group_member_without_unit_role_may_read_and_edit(client, world, project):
    t = world.odense
    member = make_user("gruppe@odense.test", t.municipality, t.other_team, Role.MEDARBEJDER)
    project.members.add(member)
    client.force_login(member)
    assert client.get(reverse("projects:project_detail", args=[project.uuid])).status_code == 200
    assert client.get(reverse("projects:project_edit", args=[project.uuid])).status_code == 200
    # ...but deleting is for the responsible or a leder of an involved unit.
    assert client.post(reverse("projects:project_delete", args=[project.uuid])).status_code == 403


def test_only_lederes_create(client, world):
    t = world.odense
    assert_forbidden(client, [t.medarbejder, t.analytiker, world.outsider], reverse("projects:project_create"), "get")
    client.force_login(t.leder)
    assert client.get(reverse("projects:project_create")).status_code == 200


def test_list_filters_and_tabs(client, world, project):
    t = world.odense
    other = make_project(t, title="Hjemmeplejens samtaler", members=[t.leder])
    other.units.set([t.other_team])
    Membership.objects.create(user=t.medarbejder, unit=t.other_team, role=Role.MEDARBEJDER)
    client.force_login(t.leder)
    body = client.get(reverse("projects:project_list")).content.decode()
    assert project.title in body and other.title in body
    body = client.get(reverse("projects:project_list"), {"status": "active"}).content.decode()
    assert "Ingen projekter matcher filteret" in body
    body = client.get(reverse("projects:project_list"), {"enhed": str(t.other_team.uuid)}).content.decode()
    assert other.title in body and ">Træning som hjælp</a>" not in body
    client.force_login(t.medarbejder)
    body = client.get(reverse("projects:project_list"), {"vis": "mine"}).content.decode()
    assert project.title in body and other.title not in body


def test_empty_list_explains_what_a_project_is(client, world):
    client.force_login(world.odense.leder)
    body = client.get(reverse("projects:project_list")).content.decode()
    assert "Ingen projekter endnu" in body and "Start et projekt ud fra skabelonen" in body
