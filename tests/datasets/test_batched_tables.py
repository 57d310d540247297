"""The dataset page reads all its indicators (and their national references) in one aggregate."""

import pytest

from datasets import selectors
from datasets.models import Indicator
from tests.datasets.test_views import import_text, odense_dataset

pytestmark = pytest.mark.django_db


def _snapshot(tables):
    return [(repr(t.rows), repr(t.reference), t.notes, t.sexes, t.reference_source) for t in tables]


@pytest.mark.parametrize("dimension", ["", "age_band", "education"])
def test_batched_tables_equal_one_by_one(world, dimension):
    dataset = odense_dataset(world)
    reference = Indicator.objects.filter(dataset__municipality=None).first()
    first = dataset.indicators.order_by("position", "name").first()
    first.reference = reference
    first.save()
    indicators = list(dataset.indicators.select_related("reference__dataset").order_by("position", "name"))
    periods = selectors.periods_of([i.pk for i in indicators])
    assert periods == sorted({p for i in indicators for p in selectors.periods(i)}, reverse=True)
    for period in (None, *periods[:1]):
        batched = selectors.indicator_tables(indicators, threshold=5, dimension=dimension, period=period)
        alone = [selectors.indicator_table(i, threshold=5, dimension=dimension, period=period) for i in indicators]
        assert _snapshot(batched) == _snapshot(alone)
    if not dimension:
        assert batched[0].reference is not None


def test_the_dataset_page_costs_a_fixed_number_of_queries(client, world, dataset, django_assert_max_num_queries):
    import_text(dataset, "Indikator;År;Køn;Tæller;Nævner\n" + "".join(
        f"Ind{k};{year};{sex};{10 + k};{100 + year % 7}\n" for k in range(6) for year in (2012, 2013, 2014)
        for sex in ("K", "M")))
    from django.urls import reverse

    client.force_login(world.odense.analytiker)
    url = reverse("datasets:dataset_detail", args=[dataset.uuid])
    client.get(url)
    with django_assert_max_num_queries(16):
        body = client.get(url).content.decode()
    assert "Ind5" in body
