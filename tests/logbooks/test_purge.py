import datetime as dt

import time_machine
from django.core.management import call_command

from logbooks.models import Entry, EntryTopic
from tests.logbooks.conftest import make_entry


def test_purge_deletes_entries_past_each_municipalitys_retention(lists):
    odense, aarhus = lists.odense, lists.aarhus
    aarhus.municipality.retention_months = 6
    aarhus.municipality.save()
    with time_machine.travel(dt.datetime(2024, 1, 15, 12, tzinfo=dt.UTC), tick=False):
        old_odense = make_entry(odense, date=dt.date(2024, 1, 10), topics=["Jobsøgning"])
        make_entry(aarhus, date=dt.date(2024, 1, 10))
    with time_machine.travel(dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC), tick=False):
        kept_odense = make_entry(odense, date=dt.date(2025, 2, 1))
        kept_aarhus = make_entry(aarhus, date=dt.date(2024, 9, 2))
        expired_aarhus = make_entry(aarhus, date=dt.date(2024, 8, 31))
    # On 2025-03-01 Aarhus (6 months) keeps conversations from 2024-09-01 on; Odense keeps 24 months.
    with time_machine.travel(dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC), tick=False):
        call_command("purge_expired", verbosity=0)
    remaining = set(Entry.objects.values_list("pk", flat=True))
    assert old_odense.pk in remaining and kept_aarhus.pk in remaining
    assert expired_aarhus.pk not in remaining  # 2024-08-31 < 2024-09-01 (six months before 2025-03-01)
    # On 2026-01-12 Odense keeps conversations from 2024-01-12 on, Aarhus from 2025-07-12 on.
    with time_machine.travel(dt.datetime(2026, 1, 12, 12, tzinfo=dt.UTC), tick=False):
        call_command("purge_expired", verbosity=0)
    remaining = set(Entry.objects.values_list("pk", flat=True))
    assert old_odense.pk not in remaining and kept_odense.pk in remaining and kept_aarhus.pk not in remaining
    assert not EntryTopic.objects.filter(entry_id=old_odense.pk).exists()


def test_months_before_clamps_to_the_end_of_the_month():
    from logbooks.services import months_before

    assert months_before(dt.date(2025, 3, 31), 1) == dt.date(2025, 2, 28)
    assert months_before(dt.date(2026, 1, 12), 24) == dt.date(2024, 1, 12)
