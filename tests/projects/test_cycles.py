"""The action-learning loop: open a cycle, record action, reflection, rethinking; open the next."""

from django.urls import reverse

from tests.projects.factories import make_project


def test_cycle_flow(client, world):
    t = world.odense
    project = make_project(t)
    client.force_login(t.leder)
    response = client.post(reverse("projects:cycle_open", args=[project.uuid]))
    cycle = project.cycles.get()
    assert cycle.number == 1 and cycle.phase == "action"
    assert response.url == reverse("projects:cycle_edit", args=[project.uuid, cycle.uuid])
    project.refresh_from_db()
    assert project.status == "active"  # the first cycle starts the project
    response = client.post(response.url, {
        "started_on": "2026-01-10", "action": "Samtaleguiden i fem samtaler",
        "reflection": "Kvinderne vil ikke være til besvær", "rethinking": "Spørg til egne mål",
    })
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.phase == "done" and cycle.reflection == "Kvinderne vil ikke være til besvær"
    client.post(reverse("projects:cycle_open", args=[project.uuid]))
    assert list(project.cycles.values_list("number", flat=True)) == [1, 2]
    body = client.get(reverse("projects:project_detail", args=[project.uuid])).content.decode()
    assert "Cyklus 1" in body and "Cyklus 2" in body and "Kvinderne vil ikke være til besvær" in body
    assert "Åbn næste cyklus" in body


def test_hypotheses_and_actions_through_the_pages(client, world):
    t = world.odense
    project = make_project(t)
    client.force_login(t.leder)
    response = client.post(reverse("projects:hypothesis_create", args=[project.uuid]), {
        "statement": "Vi spørger mænd mindre om netværk", "source": "workshop", "status": "open",
    })
    assert response.status_code == 302
    h = project.hypotheses.get()
    client.post(reverse("projects:hypothesis_edit", args=[project.uuid, h.uuid]), {
        "statement": h.statement, "source": "workshop", "status": "supported", "evidence": "Logbøgerne viser det",
    })
    h.refresh_from_db()
    assert h.status == "supported"
    response = client.post(reverse("projects:action_create", args=[project.uuid]), {
        "description": "Observer to samtaler", "owner": t.medarbejder.pk, "due_date": "2026-02-01", "status": "open",
    })
    assert response.status_code == 302
    a = project.actions.get()
    client.post(reverse("projects:action_edit", args=[project.uuid, a.uuid]), {
        "description": a.description, "owner": t.medarbejder.pk, "due_date": "2026-02-01", "status": "done",
    })
    a.refresh_from_db()
    assert a.status == "done" and a.completed_at is not None
    # An owner of another municipality is refused.
    response = client.post(reverse("projects:action_create", args=[project.uuid]), {
        "description": "X", "owner": world.aarhus.leder.pk, "status": "open",
    })
    assert response.status_code == 200 and project.actions.count() == 1
