"""Success criteria that follow a dataset indicator (kind 2)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from datasets.models import Dataset, Indicator, Observation
from projects import measures
from projects.models import Criterion
from tests.projects.factories import make_criterion, make_project


def share_indicator(municipality, name="Selvhjulpen", measure="share"):
    dataset = Dataset.objects.create(municipality=municipality, title="Træning som hjælp", source_kind="own_system")
    return Indicator.objects.create(dataset=dataset, name=name, measure=measure)


def observe(indicator, period, sex, num, den, **dims):
    Observation.objects.create(indicator=indicator, period=period, sex=sex, numerator=num, denominator=den, **dims)


def test_dataset_criterion_follows_the_periods(world, known_keys):
    project = make_project(world.odense)
    indicator = share_indicator(world.odense.municipality)
    observe(indicator, "2015", "kvinde", 130, 200)
    observe(indicator, "2015", "mand", 72, 100)
    observe(indicator, "2014", "kvinde", 64, 200)
    observe(indicator, "2014", "mand", 71, 100)
    observe(indicator, "2014", "kvinde", 3, 4, age_band="65-74")  # a breakdown, not the total
    observe(indicator, "2014", "i_alt", 135, 300)
    criterion = make_criterion(project, kind=Criterion.Kind.DATASET, dataset_indicator=indicator,
                               target_women=60, target_men=70)
    evaluation = measures.evaluate(criterion)
    assert [r.period.label for r in evaluation.rows] == ["2014", "2015"]
    assert evaluation.rows[0].period.counts == {"kvinde": (64, 200), "mand": (71, 100)}
    assert [r.status for r in evaluation.rows] == [measures.NOT_MET, measures.MET]


def test_indicator_must_be_an_own_share(world):
    project = make_project(world.odense)
    with pytest.raises(ValidationError):
        make_criterion(project, kind=Criterion.Kind.DATASET, dataset_indicator=share_indicator(world.aarhus.municipality))
    with pytest.raises(ValidationError):
        make_criterion(project, kind=Criterion.Kind.DATASET,
                       dataset_indicator=share_indicator(world.odense.municipality, "Udgift", "amount_dkk"))
    with pytest.raises(ValidationError):
        make_criterion(project, kind=Criterion.Kind.DATASET)


def test_dataset_criterion_through_the_form(client, world, known_keys):
    project = make_project(world.odense)
    indicator = share_indicator(world.odense.municipality)
    share_indicator(world.aarhus.municipality, "Aarhus-indikator")
    observe(indicator, "2014", "kvinde", 64, 200)
    observe(indicator, "2014", "mand", 71, 100)
    client.force_login(world.odense.leder)
    body = client.get(reverse("projects:criterion_create", args=[project.uuid])).content.decode()
    assert "Træning som hjælp: Selvhjulpen" in body and "Aarhus-indikator" not in body
    response = client.post(reverse("projects:criterion_create", args=[project.uuid]), {
        "definition": "Andel selvhjulpne", "kind": "dataset", "dataset_indicator": indicator.pk,
        "target_type": "per_sex", "direction": "at_least", "target_women": "60",
    })
    assert response.status_code == 302
    body = client.get(reverse("projects:project_detail", args=[project.uuid])).content.decode()
    # 64 of 200 published as 62 of 198 (cell keys 0): the share shown is 31 %, not 32 %.
    assert "Andel selvhjulpne" in body and "31 pct." in body and "32 pct." not in body and "Ikke opfyldt" in body


def test_deleting_the_dataset_leaves_the_criterion_without_source(client, world):
    project = make_project(world.odense)
    indicator = share_indicator(world.odense.municipality)
    criterion = make_criterion(project, kind=Criterion.Kind.DATASET, dataset_indicator=indicator)
    indicator.dataset.delete()
    criterion.refresh_from_db()
    assert criterion.source_missing and measures.evaluate(criterion).status == measures.TOO_LITTLE
    client.force_login(world.odense.leder)
    body = client.get(reverse("projects:project_detail", args=[project.uuid])).content.decode()
    assert "er slettet" in body
