"""Roles: lederes plan and edit; participants see the workshops they are invited to; unit members read."""

import re

from django.urls import reverse

from accounts.models import AuditEvent, Role
from tests.tenancy import assert_forbidden, make_user
from workshops.models import FocusGroup, InvolvementPlan, Workshop


def workshop_data(world, **extra):
    t = world.odense
    data = {"title": "Køn i hjemmeplejen", "date": "2026-12-10", "start_time": "09:00", "place": "Rådhuset",
            "length": "short", "units": [t.team.pk], "breadth": "one_field", "participants": [t.medarbejder.pk],
            "goal": "Hypoteser og handleplan", "preparation_task": "Hvor i dit daglige arbejde kan køn have "
                                                                   "betydning for borgeren?"}
    data.update(extra)
    return data


def test_leder_plans_a_workshop_from_the_template(client, world):
    client.force_login(world.odense.leder)
    response = client.get(reverse("workshops:workshop_create"))
    assert response.status_code == 200
    assert "Hvor i dit daglige arbejde kan køn have betydning for borgeren?" in response.content.decode()
    response = client.post(reverse("workshops:workshop_create"), workshop_data(world))
    workshop = Workshop.objects.get()
    assert response.status_code == 302 and response.url == reverse("workshops:workshop_agenda", args=[workshop.uuid])
    response = client.get(response.url)
    body = response.content.decode()
    assert "Velkommen" in body and "Frokost" in body and "09:00–09:10" in body
    assert AuditEvent.objects.filter(action="workshop.create", object_id=str(workshop.uuid)).exists()


def test_agenda_reorders_without_javascript(client, world, workshop):
    client.force_login(world.odense.leder)
    lunch = workshop.agenda_items.get(title="Frokost")
    response = client.post(reverse("workshops:agenda_move", args=[workshop.uuid, lunch.uuid]), {"direction": "up"})
    assert response.status_code == 302
    assert list(workshop.agenda_items.values_list("title", flat=True))[2] == "Frokost"
    body = client.get(reverse("workshops:workshop_agenda", args=[workshop.uuid])).content.decode()
    # Hypothesis forming now starts after lunch: 09:00 + 10 + 30 + 30 = 10:10.
    assert "10:10–10:55" in body
    client.post(reverse("workshops:agenda_remove", args=[workshop.uuid, lunch.uuid]))
    assert not workshop.agenda_items.filter(title="Frokost").exists()
    client.post(reverse("workshops:workshop_agenda", args=[workshop.uuid]), {"title": "Kaffe", "minutes": 15})
    assert workshop.agenda_items.last().title == "Kaffe"
    item = workshop.agenda_items.get(title="Kaffe")
    client.post(reverse("workshops:agenda_item_edit", args=[workshop.uuid, item.uuid]),
                {"title": "Kaffe og kage", "minutes": 20, "note": ""})
    item.refresh_from_db()
    assert (item.title, item.minutes) == ("Kaffe og kage", 20)
    client.post(reverse("workshops:agenda_template", args=[workshop.uuid]))
    assert workshop.agenda_items.filter(title="Frokost").exists()


def test_agenda_warns_when_too_long(client, world, workshop):
    client.force_login(world.odense.leder)
    client.post(reverse("workshops:workshop_agenda", args=[workshop.uuid]), {"title": "Langt oplæg", "minutes": 120})
    body = client.get(reverse("workshops:workshop_detail", args=[workshop.uuid])).content.decode()
    assert "mere end de valgte 3-4 timer" in body


def test_medarbejder_may_read_but_not_edit(client, world, workshop, focus_group, involvement):
    t = world.odense
    client.force_login(t.medarbejder)
    assert client.get(reverse("workshops:workshop_detail", args=[workshop.uuid])).status_code == 200
    item = workshop.agenda_items.first()
    w = workshop.uuid
    for url, method, data in [
        (reverse("workshops:workshop_create"), "post", workshop_data(world)),
        (reverse("workshops:workshop_edit", args=[w]), "post", workshop_data(world, title="Ændret")),
        (reverse("workshops:workshop_delete", args=[w]), "post", {}),
        (reverse("workshops:workshop_agenda", args=[w]), "post", {"title": "X", "minutes": 10}),
        (reverse("workshops:agenda_move", args=[w, item.uuid]), "post", {"direction": "down"}),
        (reverse("workshops:agenda_remove", args=[w, item.uuid]), "post", {}),
        (reverse("workshops:agenda_item_edit", args=[w, item.uuid]), "post", {"title": "X", "minutes": 10}),
        (reverse("workshops:agenda_template", args=[w]), "post", {}),
        (reverse("workshops:workshop_outputs", args=[w]), "post", {"form": "idea", "idea-text": "X"}),
        (reverse("workshops:focusgroup_create"), "get", {}),
        (reverse("workshops:focusgroup_edit", args=[focus_group.uuid]), "get", {}),
        (reverse("workshops:focusgroup_detail", args=[focus_group.uuid]), "post",
         {"theme": "T", "kind": "finding", "text": "X"}),
        (reverse("workshops:focusgroup_session", args=[focus_group.uuid]), "post", {}),
        (reverse("workshops:involvement_create"), "get", {}),
        (reverse("workshops:involvement_edit", args=[involvement.uuid]), "post", {}),
        (reverse("workshops:involvement_session", args=[involvement.uuid]), "post", {}),
        (reverse("workshops:involvement_delete", args=[involvement.uuid]), "post", {}),
    ]:
        assert_forbidden(client, [t.medarbejder, t.analytiker], url, method, data)
    workshop.refresh_from_db()
    assert workshop.title == "Køn i træningen" and workshop.agenda_items.count() == 7
    assert not workshop.ideas.exists() and not focus_group.findings.exists()


def test_participants_see_the_workshops_they_are_invited_to(client, world, workshop):
    guest = make_user("gaest@odense.test", world.odense.municipality, world.odense.other_team, Role.MEDARBEJDER)
    client.force_login(guest)
    assert client.get(reverse("workshops:workshop_detail", args=[workshop.uuid])).status_code == 403
    assert workshop.title not in client.get(reverse("workshops:workshop_list")).content.decode()
    workshop.participants.add(guest)
    assert client.get(reverse("workshops:workshop_detail", args=[workshop.uuid])).status_code == 200
    assert workshop.title in client.get(reverse("workshops:workshop_list")).content.decode()
    # ... and the agenda PDF, but cannot edit.
    assert client.get(reverse("workshops:workshop_pdf", args=[workshop.uuid])).status_code == 200
    assert client.get(reverse("workshops:workshop_edit", args=[workshop.uuid])).status_code == 403


def test_members_of_the_units_read(client, world, workshop, focus_group, involvement):
    t = world.odense
    # A caseworker on the administration, above both teams (the analytiker there may not:
    # tests/workshops/test_free_text.py).
    reader = make_user("medarbejder2@odense.test", t.municipality, t.administration, Role.MEDARBEJDER)
    client.force_login(reader)
    for url in [reverse("workshops:workshop_detail", args=[workshop.uuid]),
                reverse("workshops:focusgroup_detail", args=[focus_group.uuid]),
                reverse("workshops:involvement_detail", args=[involvement.uuid])]:
        response = client.get(url)
        assert response.status_code == 200
        assert "Rediger" not in response.content.decode()
    # A user without a role sees nothing.
    assert_forbidden(client, [world.outsider], reverse("workshops:workshop_detail", args=[workshop.uuid]), "get")
    client.force_login(world.outsider)
    assert workshop.title not in client.get(reverse("workshops:workshop_list")).content.decode()


def test_leder_of_another_unit_cannot_edit_but_organiser_can(client, world, focus_group):
    t = world.odense
    other_leder = make_user("leder2@odense.test", t.municipality, t.team, Role.LEDER)
    # focus_group concerns other_team; other_leder leads only team.
    assert_forbidden(client, [other_leder], reverse("workshops:focusgroup_edit", args=[focus_group.uuid]), "get")
    client.force_login(t.leder)  # the organiser
    assert client.get(reverse("workshops:focusgroup_edit", args=[focus_group.uuid])).status_code == 200


def test_focus_group_flow(client, world):
    t = world.odense
    client.force_login(t.leder)
    response = client.post(reverse("workshops:focusgroup_create"), {
        "title": "Mænd om hjemmepleje", "units": [t.other_team.pk], "purpose": "Hvordan oplever mænd hjælpen?",
        "questions": "Hvad betyder hjælpen?\nHvad savner du?", "target_group": "Ældre mænd", "composition": "men",
        "planned_size": 10, "grounding": "Færre mænd end kvinder modtager hjemmepleje",
    }, follow=True)
    group = FocusGroup.objects.get()
    assert "5-8" in response.content.decode()  # the size warning
    response = client.post(reverse("workshops:focusgroup_session", args=[group.uuid]),
                           {"n_man_65-79": 2, "n_man_80+": 4, "checklist": ["talk", "all_views"]}, follow=True)
    body = response.content.decode()
    assert "6 deltagere" in body
    response = client.post(reverse("workshops:focusgroup_detail", args=[group.uuid]),
                           {"theme": "Ensomhed", "kind": "quote", "text": "Ring til mig på 20304050"})
    assert response.status_code == 200 and "telefonnummer" in response.content.decode()
    assert not group.findings.exists()
    client.post(reverse("workshops:focusgroup_detail", args=[group.uuid]),
                {"theme": "Ensomhed", "kind": "quote", "text": "Jeg ser kun hjemmehjælperen"})
    finding = group.findings.get()
    assert "Jeg ser kun hjemmehjælperen" in client.get(
        reverse("workshops:focusgroup_detail", args=[group.uuid])).content.decode()
    client.post(reverse("workshops:finding_delete", args=[group.uuid, finding.uuid]))
    assert not group.findings.exists()
    client.post(reverse("workshops:focusgroup_delete", args=[group.uuid]))
    assert not FocusGroup.objects.exists()
    assert AuditEvent.objects.filter(action="focusgroup.delete").exists()


def test_involvement_flow(client, world):
    t = world.odense
    client.force_login(t.leder)
    response = client.get(reverse("workshops:involvement_create"))
    assert "køn" in response.content.decode()  # the transparency statement
    client.post(reverse("workshops:involvement_create"), {
        "title": "Borgere i træningen", "units": [t.team.pk], "citizens": "both",
        "representative": "Nyvisiterede borgere", "mode": "whole", "phases": ["start", "during"],
        "method": "ideas", "transparency": "Vi fortæller, at køn er i fokus.", "checklist": ["venue", "chair"],
    })
    plan = InvolvementPlan.objects.get()
    assert plan.phases == ["start", "during"] and plan.checklist == ["venue", "chair"]
    client.post(reverse("workshops:involvement_session", args=[plan.uuid]), {
        "date": "2026-12-01", "phase": "start", "women": 3, "men": 4, "learnt": "Mænd vil gerne træne sammen",
    })
    body = client.get(reverse("workshops:involvement_detail", args=[plan.uuid])).content.decode()
    assert "Mænd vil gerne træne sammen" in body and "3 kvinder og 4 mænd" in body
    client.post(reverse("workshops:involvement_edit", args=[plan.uuid]), {
        "title": "Borgere i træningen", "units": [t.team.pk], "citizens": "men",
        "representative": "Nyvisiterede mænd", "mode": "views", "method": "ideas", "transparency": "Køn er i fokus.",
    })
    plan.refresh_from_db()
    assert plan.citizens == "men" and plan.phases == []
    client.post(reverse("workshops:involvement_delete", args=[plan.uuid]))
    assert not InvolvementPlan.objects.exists()


def test_workshop_outputs_ideas_and_follow_up(client, world, workshop):
    client.force_login(world.odense.leder)
    url = reverse("workshops:workshop_outputs", args=[workshop.uuid])
    client.post(url, {"form": "idea", "idea-text": "Spørg altid til netværk"})
    client.post(url, {"form": "follow_up", "follow_up-follow_up_date": "2027-01-15",
                      "follow_up-follow_up_notes": ""})
    workshop.refresh_from_db()
    assert workshop.follow_up_date.isoformat() == "2027-01-15"
    body = client.get(reverse("workshops:workshop_detail", args=[workshop.uuid])).content.decode()
    assert "Spørg altid til netværk" in body and "15. januar 2027" in body


def test_edit_and_delete_workshop(client, world, workshop):
    client.force_login(world.odense.leder)
    response = client.post(reverse("workshops:workshop_edit", args=[workshop.uuid]),
                           workshop_data(world, title="Nyt navn", start_time="10:00"))
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.title == "Nyt navn" and workshop.scheduled_items()[0][1].start.hour == 10
    assert client.get(reverse("workshops:workshop_delete", args=[workshop.uuid])).status_code == 200
    client.post(reverse("workshops:workshop_delete", args=[workshop.uuid]))
    assert not Workshop.objects.exists()
    assert AuditEvent.objects.filter(action="workshop.delete").exists()


def test_unit_filter_and_preselection(client, world, workshop):
    t = world.odense
    client.force_login(t.leder)
    assert workshop.title in client.get(reverse("workshops:workshop_list"), {"enhed": t.team.uuid}).content.decode()
    assert workshop.title not in client.get(reverse("workshops:workshop_list"),
                                            {"enhed": t.other_team.uuid}).content.decode()
    assert client.get(reverse("workshops:workshop_list"), {"enhed": "not-a-uuid"}).status_code == 404
    body = client.get(reverse("workshops:focusgroup_create"), {"enhed": t.other_team.uuid}).content.decode()
    checked = re.findall(r'<input[^>]*name="units"[^>]*value="(\d+)"[^>]*checked', body)
    assert checked == [str(t.other_team.pk)]


def test_obfuscated_e_mail_and_split_phone_numbers_are_refused_in_findings(client, world, focus_group):
    client.force_login(world.odense.leder)
    url = reverse("workshops:focusgroup_detail", args=[focus_group.uuid])
    response = client.post(url, {"theme": "Ensomhed", "kind": "quote", "text": "Skriv til mig på navn[at]domæne.dk"})
    assert response.status_code == 200 and "e-mailadresse" in response.content.decode()
    response = client.post(url, {"theme": "Ring 20 30", "kind": "quote", "text": "40 50 efter kl. 16"})
    assert response.status_code == 200
    assert "Læst sammen med feltet ved siden af" in response.content.decode()
    assert not focus_group.findings.exists()
