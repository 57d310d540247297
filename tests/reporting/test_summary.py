"""The summary table of the national overview: refresh equals a direct count, and the
write services (logbook entries, dataset imports) refresh it after their commit."""

import datetime as dt
import importlib
from collections import Counter
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models.functions import TruncMonth
from django.utils import timezone

from datasets import services as dataset_services
from datasets.models import Dataset, Observation
from logbooks import services as logbook_services
from logbooks.models import Entry
from projects import measures
from projects.models import Criterion, Project
from reporting.models import MonthlyConversations, MunicipalitySummary
from reporting.summary import refresh_summary
from reporting.tasks import refresh_summary_task
from reporting.testing import bulk, seed_indicator, seed_known, seed_project

CSV = (
    "Indikator;År;Køn;Antal\n"
    "Modtagere af hjemmepleje;2014;Kvinde;1.234\n"
    "Modtagere af hjemmepleje;2014;Mand;987\n"
    "Modtagere af hjemmepleje;2015;Kvinde;1.200\n"
)


@pytest.fixture
def full(world):
    seed_known(world.odense)
    seed_project(world.odense)
    seed_indicator(world.odense)
    logbook_services.seed_lists(unit=world.aarhus.team, area="job")
    bulk(world.aarhus, 12, sex="mand", start=dt.date(2025, 11, 3))
    bulk(world.aarhus, 7, sex="kvinde", start=dt.date(2026, 2, 2))
    return world


def direct_monthly(municipality):
    rows = (Entry.objects.filter(municipality=municipality).annotate(m=TruncMonth("date"))
            .values_list("m", "sex"))
    return Counter((m if isinstance(m, dt.date) and not isinstance(m, dt.datetime) else m.date(), sex)
                   for m, sex in rows)


def stored_monthly(municipality):
    return Counter({(r.month, r.sex): r.conversations
                    for r in MonthlyConversations.objects.filter(municipality=municipality)})


def direct_keys(municipality):
    """The sum of the record keys per month and sex, straight from the entries."""
    keys: Counter = Counter()
    for m, sex, key in (Entry.objects.filter(municipality=municipality).annotate(m=TruncMonth("date"))
                        .values_list("m", "sex", "record_key")):
        keys[(m if isinstance(m, dt.date) and not isinstance(m, dt.datetime) else m.date(), sex)] += key
    return +keys


def stored_keys(municipality):
    return +Counter({(r.month, r.sex): r.key_sum
                     for r in MonthlyConversations.objects.filter(municipality=municipality)})


def test_refresh_equals_a_direct_count(full):
    assert refresh_summary() == 2
    for tenant in (full.odense, full.aarhus):
        m = tenant.municipality
        assert stored_monthly(m) == direct_monthly(m)
        # The cell keys of the national overview: summed in the same statement as the counts.
        assert stored_keys(m) == direct_keys(m) and sum(direct_keys(m).values()) > 0
        summary = MunicipalitySummary.objects.get(municipality=m)
        assert summary.datasets == Dataset.objects.filter(municipality=m).count()
        assert summary.observations == Observation.objects.filter(indicator__dataset__municipality=m).count()
        active = Project.objects.filter(municipality=m, status=Project.Status.ACTIVE)
        assert summary.active_projects == active.count()
        statuses = Counter(measures.evaluate(c).status for c in Criterion.objects.filter(project__in=active))
        assert (summary.criteria_met, summary.criteria_not_met, summary.criteria_too_little_data) == (
            statuses[measures.MET], statuses[measures.NOT_MET], statuses[measures.TOO_LITTLE])
    odense = MunicipalitySummary.objects.get(municipality=full.odense.municipality)
    # The fixture's known numbers, so the comparison above cannot pass on two empty sides.
    assert (odense.datasets, odense.observations, odense.active_projects) == (1, 2, 1)
    assert odense.criteria_not_met == 1  # men 3/30 < 40 %
    assert sum(stored_monthly(full.odense.municipality).values()) == 73
    assert sum(stored_monthly(full.aarhus.municipality).values()) == 19


def test_refreshing_one_municipality_leaves_the_others_alone(full):
    refresh_summary()
    aarhus_before = stored_monthly(full.aarhus.municipality)
    aarhus_time = MunicipalitySummary.objects.get(municipality=full.aarhus.municipality).refreshed_at
    Entry.objects.filter(municipality=full.odense.municipality, sex="andet").delete()
    Entry.objects.filter(municipality=full.aarhus.municipality).delete()
    assert refresh_summary(municipality_id=full.odense.municipality.pk) == 1
    assert not any(sex == "andet" for _m, sex in stored_monthly(full.odense.municipality))
    assert stored_monthly(full.aarhus.municipality) == aarhus_before  # not yet refreshed
    assert MunicipalitySummary.objects.get(municipality=full.aarhus.municipality).refreshed_at == aarhus_time
    # Refreshing again replaces the rows (no duplicates, no leftovers).
    refresh_summary(municipality_id=full.aarhus.municipality.pk)
    refresh_summary(municipality_id=full.aarhus.municipality.pk)
    assert stored_monthly(full.aarhus.municipality) == Counter()
    assert MunicipalitySummary.objects.filter(municipality=full.aarhus.municipality).count() == 1
    assert refresh_summary(municipality_id=999_999) == 0


def test_creating_changing_and_deleting_an_entry_moves_the_monthly_count(world, django_capture_on_commit_callbacks):
    tenant = world.aarhus
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        entry = logbook_services.create_entry(author=tenant.medarbejder, unit=tenant.team,
                                              fields={"date": today, "sex": "kvinde", "age_band": "30-39"})
        logbook_services.create_entry(author=tenant.medarbejder, unit=tenant.team,
                                      fields={"date": today, "sex": "kvinde", "age_band": "50-64"})
    # Counted in the entry's own transaction: no recount of the municipality is queued.
    assert callbacks == []
    assert stored_monthly(tenant.municipality) == Counter({(today.replace(day=1), "kvinde"): 2})
    refresh_summary(municipality_id=tenant.municipality.pk)
    assert stored_monthly(tenant.municipality) == Counter({(today.replace(day=1), "kvinde"): 2})
    assert not MunicipalitySummary.objects.filter(municipality=world.odense.municipality).exists()

    with django_capture_on_commit_callbacks(execute=True):
        logbook_services.update_entry(entry=entry, by=tenant.medarbejder, expected_version=entry.version,
                                      fields={"sex": "mand"})
    assert stored_monthly(tenant.municipality) == Counter({(today.replace(day=1), "mand"): 1,
                                                          (today.replace(day=1), "kvinde"): 1})
    # The key sums move with the counts: the changed entry's key left the women's row.
    assert stored_keys(tenant.municipality) == direct_keys(tenant.municipality)
    assert MonthlyConversations.objects.get(municipality=tenant.municipality, sex="mand").key_sum == entry.record_key

    with django_capture_on_commit_callbacks(execute=True):
        logbook_services.delete_entry(entry=entry, by=tenant.medarbejder)
    assert stored_monthly(tenant.municipality) == Counter({(today.replace(day=1), "kvinde"): 1})
    assert stored_keys(tenant.municipality) == direct_keys(tenant.municipality)
    assert MonthlyConversations.objects.get(municipality=tenant.municipality, sex="mand").key_sum == 0


def test_nothing_is_counted_when_the_write_is_refused(world, django_capture_on_commit_callbacks):
    tenant = world.aarhus
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError):
        logbook_services.create_entry(author=world.odense.medarbejder, unit=tenant.team,
                                      fields={"date": timezone.localdate(), "sex": "kvinde", "age_band": "30-39"})
    assert callbacks == []
    assert not MunicipalitySummary.objects.exists()
    assert stored_monthly(tenant.municipality) == Counter()


def test_purge_refreshes_the_municipalities_it_purged(world, django_capture_on_commit_callbacks):
    tenant = world.odense
    Entry.objects.create(municipality=tenant.municipality, unit=tenant.team, author=tenant.medarbejder,
                         sex="kvinde", age_band="30-39", date=dt.date(2020, 1, 1))
    refresh_summary()
    assert stored_monthly(tenant.municipality)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        logbook_services.purge_expired()
    assert len(callbacks) == 1  # only Odense had something to purge
    assert stored_monthly(tenant.municipality) == Counter()


def test_an_import_replace_and_delete_refresh_the_dataset_counts(world, tmp_path, settings,
                                                                 django_capture_on_commit_callbacks):
    settings.DATASETS_STAGING_DIR = tmp_path / "imports"
    municipality = world.odense.municipality
    dataset = dataset_services.create_dataset(municipality=municipality, title="Hjemmepleje 2014")
    path = tmp_path / "a.csv"
    path.write_text(CSV, encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        dataset_services.import_file(dataset=dataset, path=path)
    summary = MunicipalitySummary.objects.get(municipality=municipality)
    assert (summary.datasets, summary.observations) == (1, 3)

    path.write_text(CSV.rsplit("\n", 2)[0] + "\n", encoding="utf-8")  # the last row removed
    with django_capture_on_commit_callbacks(execute=True):
        dataset_services.import_file(dataset=dataset, path=path, replace=True)
    assert MunicipalitySummary.objects.get(municipality=municipality).observations == 2

    with django_capture_on_commit_callbacks(execute=True):
        dataset_services.delete_dataset(dataset=dataset)
    summary = MunicipalitySummary.objects.get(municipality=municipality)
    assert (summary.datasets, summary.observations) == (0, 0)


def test_the_task_refreshes_one_municipality(world):
    result = refresh_summary_task.enqueue(municipality_id=world.odense.municipality.pk)
    assert result.return_value == 1
    assert MunicipalitySummary.objects.filter(municipality=world.odense.municipality).exists()
    assert not MunicipalitySummary.objects.filter(municipality=world.aarhus.municipality).exists()


def test_the_command_refreshes_all_or_one(world):
    out = StringIO()
    call_command("refresh_summary", stdout=out)
    assert MunicipalitySummary.objects.count() == 2 and "2 municipalities" in out.getvalue()
    MunicipalitySummary.objects.all().delete()
    call_command("refresh_summary", "--municipality", "aarhus", stdout=out)
    assert list(MunicipalitySummary.objects.values_list("municipality__slug", flat=True)) == ["aarhus"]
    with pytest.raises(CommandError):
        call_command("refresh_summary", "--municipality", "atlantis")


def test_deleting_an_entry_the_summary_has_not_counted_yet_still_works(world):
    """Bulk-written entries (demo, benchmark) are only counted by a refresh; deleting them
    through the service before that must neither fail nor push a count below zero."""
    tenant = world.aarhus
    today = timezone.localdate()
    counted = logbook_services.create_entry(author=tenant.medarbejder, unit=tenant.team,
                                            fields={"date": today, "sex": "mand", "age_band": "30-39"})
    uncounted = Entry.objects.create(municipality=tenant.municipality, unit=tenant.team, author=tenant.medarbejder,
                                     sex="mand", age_band="30-39", date=today)
    logbook_services.delete_entry(entry=uncounted, by=tenant.medarbejder)
    logbook_services.delete_entry(entry=counted, by=tenant.medarbejder)
    assert stored_monthly(tenant.municipality) == Counter({(today.replace(day=1), "mand"): 0})
    refresh_summary(municipality_id=tenant.municipality.pk)
    assert stored_monthly(tenant.municipality) == Counter()


def test_the_migration_fills_the_key_sums_of_existing_rows(full):
    """reporting 0004 gives rows counted before key sums existed the sum of their entries' keys."""
    fill = importlib.import_module("reporting.migrations.0004_monthly_conversations_key_sums").fill_key_sums
    refresh_summary()
    MonthlyConversations.objects.update(key_sum=0)
    fill(django_apps, SimpleNamespace(connection=connection))
    for tenant in (full.odense, full.aarhus):
        assert stored_keys(tenant.municipality) == direct_keys(tenant.municipality) != Counter()
