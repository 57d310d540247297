"""Creating and editing the project plan: validation, warnings, audit."""

from django.urls import reverse

from accounts.models import AuditEvent
from projects.models import Project
from tests.projects.factories import make_project


def plan_data(tenant, **overrides):
    data = {
        "title": "Træning som hjælp", "responsible": tenant.leder.pk, "target_group": "Nyvisiterede ældre",
        "target_sex": "both", "strategic_link": "Ældrepolitikken", "description": "Kort beskrivelse",
        "actions_text": "Samtaleguide", "who_does_what": "Terapeuterne", "learning_goals": "Flere kvinder",
        "start_date": "2026-01-05", "end_date": "2026-04-05", "status": "planned",
        "units": [tenant.team.pk],
        "members": [tenant.leder.pk, tenant.medarbejder.pk, tenant.analytiker.pk, tenant.administrator.pk],
        "milestones-TOTAL_FORMS": "2", "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0", "milestones-MAX_NUM_FORMS": "1000",
        "milestones-0-title": "Første refleksionsmøde", "milestones-0-due_date": "2026-02-01",
        "milestones-1-title": "", "milestones-1-due_date": "",
    }
    data.update(overrides)
    return data


def test_the_new_project_form_is_the_pamphlets_template(client, world):
    client.force_login(world.odense.leder)
    body = client.get(reverse("projects:project_create")).content.decode()
    for label in ["Projekttitel", "Ansvarlig for projektet", "Målgruppe", "Kobling til strategisk intention",
                  "Kort beskrivelse af projektet", "Beskrivelse af aktioner", "Hvem gør hvad",
                  "Læringsmål og succeskriterier", "Milepæle"]:
        assert label in body, label
    # The pamphlet's guiding questions are the help texts.
    assert "kønsspecifikke succeskriterier" in body


def test_leder_creates_a_project_with_milestone_and_audit(client, world):
    t = world.odense
    client.force_login(t.leder)
    response = client.post(reverse("projects:project_create"), plan_data(t))
    project = Project.objects.get(title="Træning som hjælp")
    assert response.status_code == 302 and response.url == reverse("projects:project_detail", args=[project.uuid])
    assert project.municipality == t.municipality
    assert list(project.units.all()) == [t.team]
    assert project.milestones.get().title == "Første refleksionsmøde"
    assert AuditEvent.objects.filter(action="project.create", object_id=str(project.uuid)).exists()
    body = client.get(response.url).content.decode()
    assert "Træning som hjælp" in body and "Første refleksionsmøde" in body
    assert "afviger fra pjecens råd" not in body  # 3 months, 4 people: no warning


def test_long_project_and_small_group_warn_but_save(client, world):
    t = world.odense
    client.force_login(t.leder)
    response = client.post(reverse("projects:project_create"), plan_data(
        t, end_date="2026-12-31", members=[t.leder.pk]), follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert Project.objects.filter(title="Træning som hjælp").exists()
    assert "længere end 6 måneder" in body
    assert "Projektgruppen har 1 personer" in body


def test_end_before_start_is_refused(client, world):
    t = world.odense
    client.force_login(t.leder)
    response = client.post(reverse("projects:project_create"), plan_data(t, end_date="2025-12-01"))
    assert response.status_code == 200
    assert "Slutdatoen kan ikke ligge før start" in response.content.decode()
    assert not Project.objects.exists()


def test_units_and_members_of_another_municipality_are_refused(client, world):
    t = world.odense
    client.force_login(t.leder)
    response = client.post(reverse("projects:project_create"), plan_data(
        t, units=[world.aarhus.team.pk], members=[world.aarhus.leder.pk]))
    assert response.status_code == 200
    assert not Project.objects.exists()


def test_creating_needs_a_unit_the_leder_leads(client, world):
    t = world.odense
    client.force_login(t.leder)
    response = client.post(reverse("projects:project_create"), plan_data(t, units=[t.other_team.pk]))
    assert response.status_code == 200
    assert "Du kan kun tilføje enheder, som du er leder af." in response.content.decode()
    assert not Project.objects.exists()


def test_group_member_edits_the_plan_and_status_change_is_audited(client, world):
    t = world.odense
    project = make_project(t)
    client.force_login(t.medarbejder)  # a member of the project group
    data = plan_data(t, title="Træning som hjælp 2", status="active", **{"milestones-0-title": "", "milestones-0-due_date": ""})
    response = client.post(reverse("projects:project_edit", args=[project.uuid]), data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "Træning som hjælp 2" and project.status == "active"
    assert AuditEvent.objects.filter(action="project.status", object_id=str(project.uuid)).exists()


def test_status_change_and_delete(client, world):
    t = world.odense
    project = make_project(t)
    client.force_login(t.leder)
    response = client.post(reverse("projects:project_status", args=[project.uuid]), {"status": "stopped"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "stopped"
    event = AuditEvent.objects.get(action="project.status", object_id=str(project.uuid))
    assert event.detail == {"old": "planned", "new": "stopped"}
    assert client.get(reverse("projects:project_delete", args=[project.uuid])).status_code == 200
    response = client.post(reverse("projects:project_delete", args=[project.uuid]))
    assert response.status_code == 302 and not Project.objects.exists()
    assert AuditEvent.objects.filter(action="project.delete", object_id=str(project.uuid)).exists()


# --- the privacy guard (issue 16) -----------------------------------------------------------


def test_a_cpr_number_with_an_en_dash_is_refused_in_the_description(client, world):
    t = world.odense
    client.force_login(t.leder)
    response = client.post(reverse("projects:project_create"),
                           plan_data(t, description="Borgeren 010190\u20131234 er med fra start"))
    assert response.status_code == 200
    errors = response.context["form"].errors["description"]
    assert errors == ["Teksten ser ud til at indeholde et CPR-nummer. Fjern det: der må ikke gemmes oplysninger, "
                      "som kan identificere en person."]
    assert errors[0] in response.content.decode()
    assert not Project.objects.exists()


def test_a_number_split_over_two_plan_fields_is_refused_on_both(client, world):
    t = world.odense
    client.force_login(t.leder)
    response = client.post(reverse("projects:project_create"), plan_data(
        t, target_group="Borgere som 010190", strategic_link="1234 og andre"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Læst sammen med feltet ved siden af" in errors["target_group"][0]
    assert "Læst sammen med feltet ved siden af" in errors["strategic_link"][0]
    assert not Project.objects.exists()


def test_a_phone_number_in_a_milestone_or_a_cycle_is_refused(client, world):
    t = world.odense
    client.force_login(t.leder)
    response = client.post(reverse("projects:project_create"),
                           plan_data(t, **{"milestones-0-title": "Ring til borgeren på 20-30-40-50"}))
    assert response.status_code == 200 and "telefonnummer" in response.content.decode()
    assert not Project.objects.exists()
    project = make_project(t)
    cycle = project.cycles.create(number=1)
    response = client.post(reverse("projects:cycle_edit", args=[project.uuid, cycle.uuid]), {
        "started_on": "2026-01-10", "action": "Vi ringede til 20.30.40.50", "reflection": "", "rethinking": ""})
    assert response.status_code == 200 and "telefonnummer" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.action == ""
