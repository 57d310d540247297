
import pytest
from django.utils import timezone

from ligestilling.lib import periods
from logbooks import services
from logbooks.models import Entry, EntryTopic, ListItem, RaisedBy


@pytest.fixture
def lists(world):
    """The job-centre lists on both tenants' teams."""
    for tenant in (world.odense, world.aarhus):
        services.seed_lists(unit=tenant.team, area="job")
    return world


def item(unit, label):
    return ListItem.objects.get(unit=unit, label=label)


def make_entry(tenant, *, author=None, sex="kvinde", age_band="30-39", date=None, topics=(), offers=(),
               outcome=None, **fields):
    author = author or tenant.medarbejder
    unit = tenant.team
    return services.create_entry(
        author=author, unit=unit,
        fields={"date": date or timezone.localdate(), "sex": sex, "age_band": age_band,
                "outcome": item(unit, outcome) if outcome else None, **fields},
        topics={item(unit, label): RaisedBy.STAFF for label in topics},
        offers=[item(unit, label) for label in offers],
    )


def bulk_entries(tenant, n, *, sex, topics=(), citizen=(), date=None):
    """n entries quickly (analysis fixtures)."""
    unit = tenant.team
    entries = Entry.objects.bulk_create(
        Entry(municipality=tenant.municipality, unit=unit, author=tenant.medarbejder, sex=sex,
              # Last month: inside the default period, the 12 whole months before this one.
              age_band="30-39", date=date or periods.add_months(timezone.localdate(), -1))
        for _ in range(n)
    )
    if entries and entries[0].pk is None:
        entries = list(Entry.objects.filter(unit=unit).order_by("-pk")[:n])
    rows = []
    for label, count in topics:
        topic = item(unit, label)
        for k, e in enumerate(entries[:count]):
            by = RaisedBy.CITIZEN if k < dict(citizen).get(label, 0) else RaisedBy.STAFF
            rows.append(EntryTopic.of(e, topic, by))
    EntryTopic.objects.bulk_create(rows)
    return entries
