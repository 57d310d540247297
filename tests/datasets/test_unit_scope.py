"""Datasets belong to a unit: read and written with leder/analytiker on it (or above it).
(Project criteria from datasets: tests/projects/test_unit_scope.py.)

A dataset without a unit is the whole municipality's: read by every leder and analytiker,
written only with the role on every unit. Every reader of datasets applies the same rule
(datasets.models.DatasetQuerySet): the dataset pages and exports, project criteria,
workshop and focus-group data, dashboards.
"""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Membership, Role
from accounts.services import create_unit, delete_unit
from datasets import services
from datasets.models import Dataset, Indicator, Observation
from datasets.reference import REFERENCE_TITLE
from tests.datasets.test_views import SHARE_CSV, import_text
from tests.tenancy import assert_forbidden, make_user


def sibling_dataset(world, **fields):
    """A dataset of Odense's `other_team`, the sibling of the team the Odense leder leads."""
    t = world.odense
    dataset = services.create_dataset(municipality=t.municipality, title="Hjemmeplejen Syd 2014",
                                      unit=t.other_team, **fields)
    import_text(dataset, SHARE_CSV)
    return dataset


def test_leder_cannot_replace_sibling_teams_dataset(client, world):
    t = world.odense
    dataset = sibling_dataset(world)
    indicator = Indicator.objects.get(dataset=dataset)
    d = dataset.uuid
    file = SimpleUploadedFile("ny.csv", SHARE_CSV.replace("64", "65").encode())
    assert_forbidden(client, [t.leder], reverse("datasets:dataset_upload", args=[d]), "post", {"file": file})
    assert_forbidden(client, [t.leder], reverse("datasets:dataset_delete", args=[d]), "post")
    assert_forbidden(client, [t.leder], reverse("datasets:indicator_edit", args=[d, indicator.uuid]), "post",
                     {"name": "Overtaget", "measure": "share", "better": "none"})
    assert Dataset.objects.filter(pk=dataset.pk).exists() and not dataset.imports.filter(status="uploaded").exists()
    assert Indicator.objects.get(pk=indicator.pk).name == "Selvhjulpen"
    # The service refuses the deletion too.
    with pytest.raises(PermissionDenied):
        services.delete_dataset(dataset=dataset, user=t.leder)


def test_leder_cannot_read_sibling_teams_dataset(client, world):
    t = world.odense
    dataset = sibling_dataset(world)
    indicator = Indicator.objects.get(dataset=dataset)
    for url in [reverse("datasets:dataset_detail", args=[dataset.uuid]),
                reverse("datasets:indicator_export", args=[dataset.uuid, indicator.uuid, "csv"])]:
        assert_forbidden(client, [t.leder], url, "get")
    client.force_login(t.leder)
    body = client.get(reverse("datasets:dataset_list")).content.decode()
    assert dataset.title not in body and "Landstal fra pjecen" in body


def test_a_role_above_the_unit_reads_and_writes_it(client, world):
    dataset = sibling_dataset(world)
    client.force_login(world.odense.analytiker)  # on the administration above both teams
    assert client.get(reverse("datasets:dataset_detail", args=[dataset.uuid])).status_code == 200
    assert dataset.title in client.get(reverse("datasets:dataset_list")).content.decode()
    response = client.post(reverse("datasets:dataset_delete", args=[dataset.uuid]))
    assert response.status_code == 302 and not Dataset.objects.filter(pk=dataset.pk).exists()


def test_a_municipality_wide_dataset_is_read_by_all_and_written_by_a_role_on_every_unit(client, world):
    t = world.odense
    dataset = services.create_dataset(municipality=t.municipality, title="Hele Odense 2014")
    import_text(dataset, SHARE_CSV)
    client.force_login(t.leder)
    response = client.get(reverse("datasets:dataset_detail", args=[dataset.uuid]))
    assert response.status_code == 200 and "Upload fil" not in response.content.decode()
    assert_forbidden(client, [t.leder], reverse("datasets:dataset_upload", args=[dataset.uuid]), "get")
    assert_forbidden(client, [t.leder], reverse("datasets:dataset_delete", args=[dataset.uuid]), "post")
    # The analytiker's role on the administration covers every unit of the municipality...
    client.force_login(t.analytiker)
    assert client.get(reverse("datasets:dataset_upload", args=[dataset.uuid])).status_code == 200
    # ... until the municipality gets a second administration.
    create_unit(municipality=t.municipality, name="Børn og Unge", kind="forvaltning")
    client.force_login(t.analytiker)
    assert client.get(reverse("datasets:dataset_detail", args=[dataset.uuid])).status_code == 200
    assert client.get(reverse("datasets:dataset_upload", args=[dataset.uuid])).status_code == 403


def test_the_create_form_offers_only_units_in_the_users_scope(client, world):
    t = world.odense
    client.force_login(t.leder)
    body = client.get(reverse("datasets:dataset_create")).content.decode()
    assert t.team.name in body and t.other_team.name not in body and "Hele kommunen" not in body
    for unit in (t.other_team.pk, ""):
        response = client.post(reverse("datasets:dataset_create"), {"title": "Nabodata", "source_kind": "register",
                                                                    "unit": unit})
        assert response.status_code == 200
    assert not Dataset.objects.filter(title="Nabodata").exists()
    response = client.post(reverse("datasets:dataset_create"), {"title": "Egne data", "source_kind": "register",
                                                                "unit": t.team.pk})
    assert response.status_code == 302 and Dataset.objects.get(title="Egne data").unit == t.team
    # The service refuses a sibling unit too.
    with pytest.raises(ValidationError):
        services.create_dataset(municipality=t.municipality, user=t.leder, title="Nabodata", unit=t.other_team)
    # The analytiker may create one for the whole municipality.
    client.force_login(t.analytiker)
    assert "Hele kommunen" in client.get(reverse("datasets:dataset_create")).content.decode()
    response = client.post(reverse("datasets:dataset_create"), {"title": "Hele kommunen 2015",
                                                                "source_kind": "register", "unit": ""})
    assert response.status_code == 302 and Dataset.objects.get(title="Hele kommunen 2015").unit is None


def test_only_an_analyst_on_the_datasets_unit_imports_origin(world):
    from accounts import access

    t = world.odense
    dataset = sibling_dataset(world)
    analyst = make_user("analytiker2@odense.test", t.municipality, t.team, Role.ANALYTIKER)
    assert not access.get_scope(analyst).has("import_origin", dataset.unit_id)
    assert access.get_scope(t.analytiker).has("import_origin", dataset.unit_id)


def test_a_unit_with_a_dataset_cannot_be_deleted(world):
    t = world.odense
    sibling_dataset(world)
    with pytest.raises(ValidationError):
        delete_unit(unit=t.other_team, by=t.administrator)
    assert Dataset.objects.get(title="Hjemmeplejen Syd 2014").unit == t.other_team


# --- Other readers of datasets ---------------------------------------------------------


def test_workshop_data_cannot_come_from_a_sibling_teams_dataset(client, world):
    from workshops import services as workshop_services

    t = world.odense
    indicator = Indicator.objects.get(dataset=sibling_dataset(world))
    workshop = workshop_services.create_workshop(by=t.leder, units=[t.team], title="Køn i træningen",
                                                 date=date(2026, 12, 3), start_time="09:00", place="Lokale 2",
                                                 length="short", goal="Hypoteser")
    client.force_login(t.leder)
    assert "Selvhjulpen" not in client.get(reverse("workshops:workshop_edit", args=[workshop.uuid])).content.decode()
    with pytest.raises(ValidationError):
        workshop_services.update_workshop(workshop=workshop, by=t.leder, units=[t.team], participants=[],
                                          indicators=[indicator])
    # Attached by one who may read it, it stays attached when the leder saves, but is not shown to them.
    workshop.indicators.add(indicator)
    workshop_services.update_workshop(workshop=workshop, by=t.leder, units=[t.team], participants=[], indicators=[])
    assert list(workshop.indicators.all()) == [indicator]
    body = client.get(reverse("workshops:workshop_detail", args=[workshop.uuid])).content.decode()
    assert "Selvhjulpen" not in body and "vises ikke" in body


def test_focus_group_data_from_a_sibling_teams_dataset_is_not_shown(client, world):
    from workshops import services as workshop_services

    t = world.odense
    indicator = Indicator.objects.get(dataset=sibling_dataset(world))
    head = make_user("chef@odense.test", t.municipality, t.administration, Role.LEDER)
    group = workshop_services.create_focusgroup(
        by=head, units=[t.team], title="Mænd om træning", purpose="Hvordan?", questions="Hvad?",
        target_group="Mænd", composition="men", planned_size=6, indicator=indicator)
    client.force_login(head)
    assert "Selvhjulpen" in client.get(reverse("workshops:focusgroup_detail", args=[group.uuid])).content.decode()
    client.force_login(t.leder)
    body = client.get(reverse("workshops:focusgroup_detail", args=[group.uuid])).content.decode()
    assert group.title in body and "Selvhjulpen" not in body
    assert "Selvhjulpen" not in client.get(reverse("workshops:focusgroup_create")).content.decode()
    # The leder of the team edits the focus group: the data stays, unseen.
    url = reverse("workshops:focusgroup_edit", args=[group.uuid])
    body = client.get(url).content.decode()
    assert "Data, som du ikke har adgang til" in body and "Selvhjulpen" not in body
    response = client.post(url, {"title": "Mænd om træningen", "units": [t.team.pk], "purpose": "Hvordan?",
                                 "questions": "Hvad?", "target_group": "Mænd", "composition": "men",
                                 "planned_size": 6, "indicator": ""})
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.title == "Mænd om træningen" and group.indicator == indicator
    with pytest.raises(ValidationError):
        workshop_services.create_focusgroup(by=t.leder, units=[t.team], title="X", purpose="Y", questions="Z",
                                            target_group="Mænd", composition="men", indicator=indicator)


def test_dashboards_show_only_datasets_the_user_may_read(client, world):
    t = world.odense
    reference = Indicator.objects.get(dataset__title=REFERENCE_TITLE, name="Ældre der får hjemmepleje")
    dataset = services.create_dataset(municipality=t.municipality, title="Hjemmepleje 2025", unit=t.other_team)
    indicator = Indicator.objects.create(dataset=dataset, name="Ældre der får hjemmepleje", measure="share",
                                         reference=reference)
    for sex, num in (("kvinde", 250), ("mand", 120)):
        Observation.objects.create(indicator=indicator, period="2025", sex=sex, numerator=num, denominator=1000)
    # A leder of the team who is also a caseworker on the administration: the dashboard of
    # the administration covers the sibling team, but its dataset is not theirs to read.
    Membership.objects.create(user=t.leder, unit=t.administration, role=Role.MEDARBEJDER)
    client.force_login(t.leder)
    body = client.get(reverse("reporting:dashboard"), {"unit": t.administration.uuid}).content.decode()
    assert "Ældre der får hjemmepleje" not in body
    client.force_login(t.analytiker)
    body = client.get(reverse("reporting:dashboard"), {"unit": t.administration.uuid}).content.decode()
    assert "Ældre der får hjemmepleje" in body
