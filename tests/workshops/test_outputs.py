"""Outputs flow into the linked project: hypotheses, the action plan, and the review at the follow-up."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.models import Action, Hypothesis
from workshops import services


def test_hypotheses_and_actions_go_into_the_project(client, world, workshop, project):
    workshop.project = project
    workshop.save()
    client.force_login(world.odense.leder)
    url = reverse("workshops:workshop_outputs", args=[workshop.uuid])
    for statement in ["Vi spørger mænd mindre om netværk", "Kvinder får sjældnere tilbud om træning"]:
        response = client.post(url, {"form": "hypothesis", "hypothesis-statement": statement})
        assert response.status_code == 302
    response = client.post(url, {"form": "action", "action-description": "Afprøv samtaleguiden",
                                 "action-owner": world.odense.medarbejder.pk, "action-due_date": "2027-01-10"})
    assert response.status_code == 302
    hypotheses = Hypothesis.objects.filter(project=project)
    assert sorted(hypotheses.values_list("statement", flat=True)) == [
        "Kvinder får sjældnere tilbud om træning", "Vi spørger mænd mindre om netværk"]
    assert set(hypotheses.values_list("source", flat=True)) == {"workshop"}
    action = Action.objects.get(project=project)
    assert (action.owner, action.due_date) == (world.odense.medarbejder, date(2027, 1, 10))
    assert set(workshop.hypotheses.all()) == set(hypotheses) and list(workshop.actions.all()) == [action]
    # The project's own page shows them.
    body = client.get(reverse("projects:project_detail", args=[project.uuid])).content.decode()
    assert "Vi spørger mænd mindre om netværk" in body and "Afprøv samtaleguiden" in body
    # The workshop's page too.
    body = client.get(reverse("workshops:workshop_detail", args=[workshop.uuid])).content.decode()
    assert "Kvinder får sjældnere tilbud om træning" in body and "Afprøv samtaleguiden" in body


def test_follow_up_reviews_the_hypotheses_in_the_project(client, world, workshop, project):
    workshop.project = project
    workshop.save()
    h = services.record_hypothesis(source=workshop, statement="Vi spørger mænd mindre om netværk",
                                   by=world.odense.leder)
    client.force_login(world.odense.leder)
    response = client.post(reverse("workshops:workshop_outputs", args=[workshop.uuid]), {
        "form": "review", f"review-status_{h.pk}": "supported",
        f"review-evidence_{h.pk}": "Logbøgerne: netværk nævnt i 12 % af samtalerne med mænd, 31 % med kvinder",
    })
    assert response.status_code == 302
    h.refresh_from_db()
    assert h.status == "supported" and "12 %" in h.evidence


def test_hypothesis_needs_a_linked_project(world, workshop):
    with pytest.raises(ValidationError):
        services.record_hypothesis(source=workshop, statement="Noget", by=world.odense.leder)


def test_privacy_guard_on_text_sent_to_the_project(client, world, workshop, project):
    workshop.project = project
    workshop.save()
    client.force_login(world.odense.leder)
    url = reverse("workshops:workshop_outputs", args=[workshop.uuid])
    response = client.post(url, {"form": "hypothesis", "hypothesis-statement": "Borgeren 010190-1234 siger nej"})
    assert response.status_code == 200 and "CPR-nummer" in response.content.decode()
    response = client.post(url, {"form": "action", "action-description": "Ring til 22 33 44 55",
                                 "action-owner": world.odense.leder.pk})
    assert response.status_code == 200 and "telefonnummer" in response.content.decode()
    assert not Hypothesis.objects.exists() and not Action.objects.exists()


def test_action_owner_of_another_municipality_is_refused(world, workshop, project):
    workshop.project = project
    workshop.save()
    with pytest.raises(ValidationError):
        services.record_action(workshop=workshop, description="X", owner=world.aarhus.leder, due_date=None,
                               by=world.odense.leder)


def test_focus_group_and_involvement_feed_the_project(client, world, focus_group, involvement, project):
    client.force_login(world.odense.leder)
    for obj, url in [(focus_group, reverse("workshops:focusgroup_detail", args=[focus_group.uuid])),
                     (involvement, reverse("workshops:involvement_detail", args=[involvement.uuid]))]:
        obj.project = project
        obj.save()
        response = client.post(url, {"form": "hypothesis", "hypothesis-statement": f"Fra {obj.title}"})
        assert response.status_code == 302
        assert Hypothesis.objects.get(statement=f"Fra {obj.title}").project == project
    assert Hypothesis.objects.filter(source="other").count() == 2


def test_project_choices_are_only_those_the_user_sees(client, world, project):
    from projects import services as project_services

    a = world.aarhus
    project_services.create_project(by=a.leder, units=[a.team], title="Aarhus-projekt", responsible=a.leder,
                                    target_group="X", start_date=date(2026, 1, 1), end_date=date(2026, 3, 1))
    client.force_login(world.odense.leder)
    body = client.get(reverse("workshops:workshop_create")).content.decode()
    assert "Samtaleguiden i visitationen" in body and "Aarhus-projekt" not in body
