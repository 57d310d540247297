"""Another municipality's workshops, focus groups and involvement plans do not exist (404, audited)."""

from django.urls import reverse

from tests.tenancy import assert_other_municipality_gets_404


def test_workshop_views_are_404_for_another_municipality(client, world, workshop):
    a = world.aarhus
    users = [a.leder, a.medarbejder, a.analytiker]
    w, item = workshop.uuid, workshop.agenda_items.first().uuid
    assert_other_municipality_gets_404(client, users, reverse("workshops:workshop_detail", args=[w]))
    assert_other_municipality_gets_404(client, users, reverse("workshops:workshop_edit", args=[w]))
    assert_other_municipality_gets_404(client, users, reverse("workshops:workshop_edit", args=[w]), "post",
                                       {"title": "Overtaget"})
    assert_other_municipality_gets_404(client, users, reverse("workshops:workshop_delete", args=[w]), "post")
    assert_other_municipality_gets_404(client, users, reverse("workshops:workshop_agenda", args=[w]))
    assert_other_municipality_gets_404(client, users, reverse("workshops:agenda_template", args=[w]), "post")
    assert_other_municipality_gets_404(client, users, reverse("workshops:agenda_item_edit", args=[w, item]))
    assert_other_municipality_gets_404(client, users, reverse("workshops:agenda_move", args=[w, item]), "post",
                                       {"direction": "down"})
    assert_other_municipality_gets_404(client, users, reverse("workshops:agenda_remove", args=[w, item]), "post")
    assert_other_municipality_gets_404(client, users, reverse("workshops:workshop_pdf", args=[w]))
    assert_other_municipality_gets_404(client, users, reverse("workshops:workshop_outputs", args=[w]))
    assert_other_municipality_gets_404(client, users, reverse("workshops:workshop_outputs", args=[w]), "post",
                                       {"form": "idea", "idea-text": "Indtrængt idé"})
    workshop.refresh_from_db()
    assert workshop.title == "Køn i træningen" and workshop.agenda_items.count() == 7
    assert not workshop.ideas.exists()


def test_focusgroup_views_are_404_for_another_municipality(client, world, focus_group):
    a = world.aarhus
    users = [a.leder, a.medarbejder]
    g = focus_group.uuid
    finding = focus_group.findings.create(theme="Tema", text="Et fund")
    assert_other_municipality_gets_404(client, users, reverse("workshops:focusgroup_detail", args=[g]))
    assert_other_municipality_gets_404(client, users, reverse("workshops:focusgroup_detail", args=[g]), "post",
                                       {"theme": "X", "kind": "finding", "text": "Y"})
    assert_other_municipality_gets_404(client, users, reverse("workshops:focusgroup_edit", args=[g]))
    assert_other_municipality_gets_404(client, users, reverse("workshops:focusgroup_delete", args=[g]), "post")
    assert_other_municipality_gets_404(client, users, reverse("workshops:focusgroup_session", args=[g]))
    assert_other_municipality_gets_404(client, users, reverse("workshops:finding_delete", args=[g, finding.uuid]),
                                       "post")
    assert_other_municipality_gets_404(client, users, reverse("workshops:focusgroup_pdf", args=[g]))
    assert focus_group.findings.count() == 1


def test_involvement_views_are_404_for_another_municipality(client, world, involvement):
    a = world.aarhus
    users = [a.leder, a.medarbejder]
    p = involvement.uuid
    assert_other_municipality_gets_404(client, users, reverse("workshops:involvement_detail", args=[p]))
    assert_other_municipality_gets_404(client, users, reverse("workshops:involvement_edit", args=[p]))
    assert_other_municipality_gets_404(client, users, reverse("workshops:involvement_delete", args=[p]), "post")
    assert_other_municipality_gets_404(client, users, reverse("workshops:involvement_session", args=[p]), "post",
                                       {"date": "2026-01-01", "phase": "start", "women": 1, "men": 1,
                                        "learnt": "X"})
    assert not involvement.sessions.exists()


def test_lists_and_create_pages_are_404_for_another_municipalitys_unit(client, world, workshop, focus_group,
                                                                      involvement):
    """The list and create pages carry no object id; their unit filter does, and the rows never show."""
    users = [world.aarhus.leder, world.aarhus.medarbejder]
    unit = f"?enhed={world.odense.team.uuid}"
    assert_other_municipality_gets_404(client, users, reverse("workshops:workshop_list") + unit)
    assert_other_municipality_gets_404(client, users, reverse("workshops:focusgroup_list") + unit)
    assert_other_municipality_gets_404(client, users, reverse("workshops:involvement_list") + unit)
    leder = [world.aarhus.leder]
    assert_other_municipality_gets_404(client, leder, reverse("workshops:workshop_create") + unit)
    assert_other_municipality_gets_404(client, leder, reverse("workshops:focusgroup_create") + unit)
    assert_other_municipality_gets_404(client, leder, reverse("workshops:involvement_create") + unit)
    client.force_login(world.aarhus.leder)
    for name, title in [("workshops:workshop_list", workshop.title), ("workshops:focusgroup_list", focus_group.title),
                        ("workshops:involvement_list", involvement.title)]:
        response = client.get(reverse(name))
        assert response.status_code == 200 and title not in response.content.decode()
    for name in ["workshops:workshop_create", "workshops:focusgroup_create", "workshops:involvement_create"]:
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert world.odense.team.name not in response.content.decode()
        assert world.odense.medarbejder.email not in response.content.decode()
