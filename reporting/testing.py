"""Known logbook data for the reporting tests (and a quick check in the shell).

`seed_known(tenant)` puts 40 conversations with women, 30 with men and 3 with "andet"
into the tenant's team in 2025 (Jan-Jun), with known topic, offer and outcome counts:

* Jobsøgning: women 10/40, men 24/30 (significant), Økonomi: women 3/40 (below the
  threshold: hidden), men 12/30; Helbred: women 8/40, men 6/30 (no difference, not significant);
* offer Løntilskud: women 25/40, men 10/30; outcome Ingen aftale: women 13/40, men 21/30.
"""

from __future__ import annotations

import datetime as dt

from accounts import versions
from datasets.models import Dataset, Indicator, Observation
from datasets.reference import REFERENCE_TITLE
from logbooks import services as logbook_services
from logbooks.models import Entry, EntryTopic, ListItem
from projects.models import Criterion, Measurement, Project

KNOWN_PERIOD = "2025"
SECRET_COUNT = 3  # women with Økonomi: must never be published


def _items(unit) -> dict[str, ListItem]:
    return {i.label: i for i in ListItem.objects.filter(unit=unit)}


def bulk(tenant, n: int, *, sex: str, topics=(), offers=(), outcome=None, unit=None, age_band="30-39",
         education="", start=dt.date(2025, 1, 6)) -> list[Entry]:
    """n entries spread over Jan-Jun 2025; the first k get each topic/offer (label, k)."""
    unit = unit or tenant.team
    items = _items(unit)
    entries = Entry.objects.bulk_create(
        Entry(municipality=tenant.municipality, unit=unit, author=tenant.medarbejder, sex=sex, age_band=age_band,
              education=education, date=start + dt.timedelta(days=(k * 7) % 170),
              outcome=items[outcome[0]] if outcome and k < outcome[1] else None)
        for k in range(n)
    )
    if entries and entries[0].pk is None:  # backends without RETURNING
        entries = list(Entry.objects.filter(unit=unit, sex=sex).order_by("-pk")[:n])[::-1]
    EntryTopic.objects.bulk_create(
        EntryTopic.of(e, items[label]) for label, k in topics for e in entries[:k]
    )
    through = Entry.offers.through
    through.objects.bulk_create(
        through(entry_id=e.pk, listitem_id=items[label].pk) for label, k in offers for e in entries[:k]
    )
    versions.bump(unit.municipality_id)  # written past the services: cached dashboards must see it
    return entries


def seed_known(tenant) -> None:
    logbook_services.seed_lists(unit=tenant.team, area="job")
    bulk(tenant, 40, sex="kvinde", topics=[("Jobsøgning", 10), ("Økonomi", SECRET_COUNT), ("Helbred", 8)],
         offers=[("Løntilskud", 25)], outcome=("Ingen aftale", 13), education="videregaaende")
    bulk(tenant, 30, sex="mand", topics=[("Jobsøgning", 24), ("Økonomi", 12), ("Helbred", 6)],
         offers=[("Løntilskud", 10)], outcome=("Ingen aftale", 21), education="grundskole")
    bulk(tenant, 3, sex="andet")


def seed_project(tenant):
    """An active project of the team with one manual criterion: women 20/40, men 3/30 ("<5")."""

    project = Project.objects.create(
        municipality=tenant.municipality, title="Flere kvinder i løntilskud", responsible=tenant.leder,
        target_group="Ledige kvinder og mænd", start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 12, 31),
        status=Project.Status.ACTIVE,
    )
    project.units.add(tenant.team)
    criterion = Criterion.objects.create(
        project=project, definition="Andel der starter i løntilskud", kind=Criterion.Kind.MANUAL,
        target_type=Criterion.TargetType.PER_SEX, direction=Criterion.Direction.AT_LEAST,
        target_women=40, target_men=40,
    )
    Measurement.objects.create(criterion=criterion, measured_on=dt.date(2025, 6, 1), women_count=20, women_n=40,
                               men_count=3, men_n=30)
    return project


def seed_indicator(tenant):
    """A home-care share of the municipality (women 250/1000, men 120/1000) with the national reference."""

    reference = Indicator.objects.get(dataset__title=REFERENCE_TITLE, name="Ældre der får hjemmepleje")
    dataset = Dataset.objects.create(municipality=tenant.municipality, title="Hjemmepleje 2025",
                                     source="Kommunens omsorgssystem")
    indicator = Indicator.objects.create(dataset=dataset, name="Ældre der får hjemmepleje", measure="share",
                                         reference=reference)
    Observation.objects.create(indicator=indicator, period="2025", sex="kvinde", numerator=250, denominator=1000)
    Observation.objects.create(indicator=indicator, period="2025", sex="mand", numerator=120, denominator=1000)
    return indicator
