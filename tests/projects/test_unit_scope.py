"""A project reaches only units its people lead: units are added by a leder of them, and the
logbook criteria count only the units that the project's responsible leads."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from projects import measures, services
from projects.models import Criterion, Project
from tests.projects.factories import make_criterion, make_project
from tests.projects.test_logbook_criteria import conversations, topic
from tests.projects.test_plan import plan_data
from tests.tenancy import make_user


def test_leder_cannot_add_a_sibling_unit_to_a_project(client, world):
    t = world.odense  # the leder leads `team`, not its sibling `other_team`
    client.force_login(t.leder)
    response = client.post(reverse("projects:project_create"), plan_data(t, units=[t.team.pk, t.other_team.pk]))
    assert response.status_code == 200
    assert "Du kan kun tilføje enheder, som du er leder af." in response.content.decode()
    assert not Project.objects.exists()
    # The service refuses it too, naming the unit.
    with pytest.raises(ValidationError) as refused:
        services.create_project(by=t.leder, title="X", responsible=t.leder, target_group="Y",
                                start_date=timezone.localdate(), end_date=timezone.localdate(),
                                units=[t.team, t.other_team])
    assert t.other_team.name in str(refused.value)
    assert not Project.objects.exists()


def test_leder_cannot_edit_a_project_to_include_a_sibling_unit(client, world):
    t = world.odense
    project = make_project(t)
    client.force_login(t.leder)
    response = client.post(reverse("projects:project_edit", args=[project.uuid]),
                           plan_data(t, units=[t.team.pk, t.other_team.pk]))
    assert response.status_code == 200
    assert "Du kan kun tilføje enheder, som du er leder af." in response.content.decode()
    assert list(project.units.all()) == [t.team]


def test_the_form_offers_only_the_units_the_user_leads(client, world):
    t = world.odense
    client.force_login(t.leder)
    body = client.get(reverse("projects:project_create")).content.decode()
    assert t.team.name in body and t.other_team.name not in body and t.administration.name not in body
    # A leder of the administration leads both teams below it.
    head = make_user("chef@odense.test", t.municipality, t.administration, Role.LEDER)
    client.force_login(head)
    response = client.post(reverse("projects:project_create"),
                           plan_data(t, responsible=head.pk, units=[t.team.pk, t.other_team.pk]))
    assert response.status_code == 302
    assert set(Project.objects.get().units.all()) == {t.team, t.other_team}


def test_a_group_member_without_a_leder_role_keeps_the_units_when_editing(client, world):
    t = world.odense
    head = make_user("chef@odense.test", t.municipality, t.administration, Role.LEDER)
    project = services.create_project(by=head, title="Fælles", responsible=head, target_group="Ældre",
                                      start_date=timezone.localdate(), end_date=timezone.localdate(),
                                      units=[t.team, t.other_team], members=[t.medarbejder])
    client.force_login(t.medarbejder)
    response = client.post(reverse("projects:project_edit", args=[project.uuid]),
                           plan_data(t, title="Fælles 2", responsible=head.pk, units=[t.team.pk, t.other_team.pk],
                                     members=[t.medarbejder.pk]))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "Fælles 2" and set(project.units.all()) == {t.team, t.other_team}


def _legacy_project(world):
    """A project made before the rule: Odense's team leder included the sibling team."""
    t = world.odense
    today = timezone.localdate()
    project = make_project(t, start=today - timedelta(days=30), end=today + timedelta(days=30))
    project.units.add(t.other_team)
    item = topic(t.team)
    criterion = make_criterion(project, kind=Criterion.Kind.LOGBOOK, logbook_item=item,
                               target_type=Criterion.TargetType.GAP, target_women=None, target_men=None, target_gap=10)
    sibling = make_user("hjemmepleje@odense.test", t.municipality, t.other_team, Role.MEDARBEJDER)
    conversations(t.team, t.medarbejder, today - timedelta(days=5), "kvinde", 6, 3, item)
    conversations(t.other_team, sibling, today - timedelta(days=5), "kvinde", 9, 9, item)
    return project, criterion


def test_a_logbook_criterion_does_not_show_a_sibling_teams_counts(client, world):
    t = world.odense
    project, criterion = _legacy_project(world)
    assert measures.evaluate(criterion).rows[-1].period.counts["kvinde"] == (3, 6)  # the team's only
    client.force_login(t.leder)
    body = client.get(reverse("projects:project_detail", args=[project.uuid])).content.decode()
    assert "tæller ikke samtalerne i Hjemmeplejen Syd med" in body
    # A caseworker of the team (not in the project group) sees the figures, not the editors' warning.
    client.force_login(make_user("kollega@odense.test", t.municipality, t.team, Role.MEDARBEJDER))
    body = client.get(reverse("projects:project_detail", args=[project.uuid])).content.decode()
    assert "tæller ikke samtalerne" not in body
    # Once a leder of the sibling team is responsible, its conversations count.
    sibling_leder = make_user("leder2@odense.test", t.municipality, t.other_team, Role.LEDER)
    project.members.add(sibling_leder)
    services.update_project(project=project, by=sibling_leder, units=[t.team, t.other_team],
                            members=project.members.all(), responsible=sibling_leder)
    project = Project.objects.get(pk=project.pk)
    criterion = project.criteria.get()
    assert measures.evaluate(criterion).rows[-1].period.counts["kvinde"] == (9, 9)  # now only the sibling's


def test_changing_the_responsible_cannot_bring_in_a_sibling_teams_counts(client, world):
    t = world.odense
    project, _criterion = _legacy_project(world)
    sibling_leder = make_user("leder2@odense.test", t.municipality, t.other_team, Role.LEDER)
    client.force_login(t.leder)
    response = client.post(reverse("projects:project_edit", args=[project.uuid]),
                           plan_data(t, responsible=sibling_leder.pk, units=[t.team.pk, t.other_team.pk]))
    assert response.status_code == 200
    assert "Det kan kun en leder af de enheder ændre." in response.content.decode()
    assert Project.objects.get(pk=project.pk).responsible == t.leder
    # Removing the sibling team is always possible.
    response = client.post(reverse("projects:project_edit", args=[project.uuid]), plan_data(t, units=[t.team.pk]))
    assert response.status_code == 302 and list(project.units.all()) == [t.team]


def test_a_leder_who_gains_the_sibling_team_may_add_it(client, world):
    t = world.odense
    project = make_project(t)
    Membership.objects.create(user=t.leder, unit=t.other_team, role=Role.LEDER)
    client.force_login(t.leder)
    response = client.post(reverse("projects:project_edit", args=[project.uuid]),
                           plan_data(t, units=[t.team.pk, t.other_team.pk]))
    assert response.status_code == 302 and set(project.units.all()) == {t.team, t.other_team}


# --- Dataset criteria: only datasets the user may read (datasets.models.DatasetQuerySet) ----


def _sibling_indicator(world):
    from datasets import services as dataset_services
    from datasets.models import Indicator
    from tests.datasets.test_views import SHARE_CSV, import_text

    dataset = dataset_services.create_dataset(municipality=world.odense.municipality, title="Hjemmeplejen Syd 2014",
                                              unit=world.odense.other_team)
    import_text(dataset, SHARE_CSV)
    return Indicator.objects.get(dataset=dataset)


def test_a_project_criterion_cannot_follow_a_sibling_teams_dataset(client, world):
    t = world.odense
    indicator = _sibling_indicator(world)
    project = make_project(t)
    client.force_login(t.leder)
    url = reverse("projects:criterion_create", args=[project.uuid])
    assert "Selvhjulpen" not in client.get(url).content.decode()
    response = client.post(url, {"definition": "Andel selvhjulpne", "kind": "dataset",
                                 "dataset_indicator": indicator.pk, "target_type": "gap", "target_gap": "10",
                                 "direction": "at_least"})
    assert response.status_code == 200 and not project.criteria.exists()
    with pytest.raises(ValidationError):
        make_criterion(project, kind="dataset", dataset_indicator=indicator)


def test_a_dataset_criterion_is_shown_to_those_who_may_read_the_dataset(client, world):
    t = world.odense
    indicator = _sibling_indicator(world)
    head = make_user("chef@odense.test", t.municipality, t.administration, Role.LEDER)
    project = make_project(t, members=[t.leder, t.medarbejder, head])
    criterion = services.save_criterion(project=project, by=head, kind="dataset", dataset_indicator=indicator,
                                        definition="Andel selvhjulpne", target_type="gap", target_gap=10)
    client.force_login(head)
    body = client.get(reverse("projects:project_detail", args=[project.uuid])).content.decode()
    assert "Hjemmeplejen Syd 2014: Selvhjulpen" in body and "32" in body
    for user in (t.leder, t.medarbejder):
        client.force_login(user)
        body = client.get(reverse("projects:project_detail", args=[project.uuid])).content.decode()
        assert "Andel selvhjulpne" in body and "Hjemmeplejen Syd 2014" not in body
        assert "Måles ud fra et datasæt, som din rolle ikke giver adgang til" in body
    # The leder edits the criterion: the dataset stays, unseen.
    client.force_login(t.leder)
    url = reverse("projects:criterion_edit", args=[project.uuid, criterion.uuid])
    body = client.get(url).content.decode()
    assert "Et datasæt, du ikke har adgang til" in body and "Selvhjulpen" not in body
    response = client.post(url, {"definition": "Andel selvhjulpne efter forløbet", "kind": "dataset",
                                 "target_type": "gap", "target_gap": "12", "direction": "at_least"})
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.dataset_indicator == indicator and criterion.target_gap == 12
