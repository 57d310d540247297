"""The summary table behind the national overview (issue 9, "Scale").

With ~100 municipalities, millions of logbook entries and tens of millions of dataset
observations, counting over the raw tables for every view of the national overview costs
about a second. `refresh_summary` counts once per change instead and stores the result in
two narrow tables (`reporting.models.MunicipalitySummary`, `MonthlyConversations`); the
overview page reads only those.

When it runs:
- a logbook entry created, changed or deleted moves one monthly count by one
  (`count_conversation`, in the entry's own transaction): recounting a municipality for
  every conversation logged would cost more than logging it;
- the dataset services (import, replace, delete) and the logbook purge enqueue
  `reporting.tasks.refresh_summary_task` for the municipality with
  `transaction.on_commit`, so the overview is fresh seconds after an import;
- nightly, `manage.py refresh_summary` recomputes every municipality (the safety net:
  it also picks up project status and criteria changes, which do not enqueue a refresh).

How: per municipality, in one transaction, delete its summary rows and insert new ones
from GROUP BY queries (the monthly conversations with one INSERT ... SELECT). Refreshes of
one municipality are serialised by a row lock on the municipality (PostgreSQL; SQLite
serialises writers anyway), so two workers cannot interleave their delete and insert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, DateField, F, Prefetch, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import Municipality
from datasets.models import Dataset, Observation
from logbooks.models import Entry
from projects import measures
from projects.models import Criterion, Project
from reporting.models import MonthlyConversations, MunicipalitySummary


def count_conversation(*, municipality_id: int, day: dt.date, sex: str, delta: int, record_key: int = 0) -> None:
    """Move the month's count of conversations with citizens of `sex` by `delta` (±1),
    and its key sum by `delta * record_key` (the conversation's `Entry.record_key`), in
    the same statement: the national overview's cell keys stay right after every create,
    change and delete.

    Called inside the logbook service's transaction, so the count and the entry commit
    together. On PostgreSQL it first takes a share lock on the municipality's row: a
    refresh holds FOR NO KEY UPDATE on it while it deletes and re-inserts the rows, so the
    two never interleave (otherwise a refresh could fail on the unique key when an entry
    creates the first row of a month, or swallow a decrement). Entries of one
    municipality do not wait for each other on this lock (shares are compatible).
    """
    month = day.replace(day=1)
    if connection.vendor == "postgresql" and delta > 0:
        # The common case (a new conversation in a month that has its row) in one round
        # trip: the CTE takes the share lock before the UPDATE looks for the row. If a
        # refresh replaced the rows while we waited, this statement's snapshot no longer
        # finds them (0 rows) and the path below runs with a fresh one, the lock held.
        municipalities = connection.ops.quote_name(Municipality._meta.db_table)
        monthly = connection.ops.quote_name(MonthlyConversations._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH locked AS (SELECT id FROM {municipalities} WHERE id = %s FOR SHARE) "
                f"UPDATE {monthly} SET conversations = conversations + %s, key_sum = key_sum + %s "
                "WHERE municipality_id = (SELECT id FROM locked) AND month = %s AND sex = %s",
                [municipality_id, delta, delta * record_key, month, sex],
            )
            if cursor.rowcount:
                return
    elif connection.vendor == "postgresql":
        table = connection.ops.quote_name(Municipality._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR SHARE", [municipality_id])
    rows = MonthlyConversations.objects.filter(municipality_id=municipality_id, month=month, sex=sex)
    change = {"conversations": F("conversations") + delta, "key_sum": F("key_sum") + delta * record_key}
    if delta < 0:
        # Never below zero: entries written in bulk (demo, benchmark) are only in the
        # table after a refresh; deleting one before that must not fail the delete.
        rows.filter(conversations__gte=-delta).update(**change)
        return
    if rows.update(**change):
        return
    MonthlyConversations.objects.bulk_create(
        [MonthlyConversations(municipality_id=municipality_id, month=day.replace(day=1), sex=sex, conversations=0,
                              key_sum=0)],
        ignore_conflicts=True,  # another entry of the same month may have created the row meanwhile
    )
    rows.update(**change)


def _insert_monthly(ids: list[int]) -> int:
    """INSERT ... SELECT the conversations and their key sum per municipality, month and
    sex (one statement)."""
    source = (
        Entry.objects.filter(municipality_id__in=ids).order_by()
        .values(m_id=F("municipality_id"), m_month=TruncMonth("date", output_field=DateField()),
                m_sex=F("sex"))
        .annotate(m_n=Count("id"), m_keys=Sum("record_key"))
    )
    sql, params = source.query.sql_with_params()
    table = connection.ops.quote_name(MonthlyConversations._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in ("municipality_id", "month", "sex", "conversations",
                                                                    "key_sum"))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
        return cursor.rowcount


def _counts(queryset, key: str) -> dict[int, int]:
    return dict(queryset.order_by().values_list(key).annotate(n=Count("pk")).values_list(key, "n"))


def _criteria_status(ids: list[int], thresholds: dict[int, int]) -> dict[int, dict[str, int]]:
    """Met / not met / too little data for the criteria of the active projects.

    The status is computed live by `projects.measures.evaluate` (never stored elsewhere),
    with the municipality's suppression threshold, as on the dashboard.
    """
    criteria = (
        Criterion.objects.filter(project__municipality_id__in=ids, project__status=Project.Status.ACTIVE)
        .select_related("project", "logbook_item", "dataset_indicator")
        .prefetch_related(Prefetch("measurements"), "measurements__cycle", "measurements__entered_by",
                          "project__cycles")
        .order_by("pk")
    )
    result: dict[int, dict[str, int]] = {}
    for criterion in criteria:
        municipality_id = criterion.project.municipality_id
        status = measures.evaluate(criterion, thresholds[municipality_id]).status
        counts = result.setdefault(municipality_id, {})
        counts[status] = counts.get(status, 0) + 1
    return result


def _summaries(ids: list[int], thresholds: dict[int, int], as_of: dt.datetime) -> list[MunicipalitySummary]:
    datasets = _counts(Dataset.objects.filter(municipality_id__in=ids), "municipality_id")
    observations = _counts(Observation.objects.filter(indicator__dataset__municipality_id__in=ids),
                           "indicator__dataset__municipality_id")
    projects = _counts(Project.objects.filter(municipality_id__in=ids, status=Project.Status.ACTIVE),
                       "municipality_id")
    criteria = _criteria_status(ids, thresholds)
    return [
        MunicipalitySummary(
            municipality_id=m, datasets=datasets.get(m, 0), observations=observations.get(m, 0),
            active_projects=projects.get(m, 0),
            criteria_met=criteria.get(m, {}).get(measures.MET, 0),
            criteria_not_met=criteria.get(m, {}).get(measures.NOT_MET, 0),
            criteria_too_little_data=criteria.get(m, {}).get(measures.TOO_LITTLE, 0),
            refreshed_at=as_of,
        )
        for m in ids
    ]


def _lock(ids: Iterable[int] | None) -> dict[int, int]:
    """Lock the municipalities' rows (FOR NO KEY UPDATE: new entries may still reference
    them) in id order, and return {id: suppression threshold}."""
    qs = Municipality.objects.order_by("pk")
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    if connection.features.has_select_for_update:
        qs = qs.select_for_update(no_key=connection.features.has_select_for_no_key_update)
    return dict(qs.values_list("pk", "suppression_threshold"))


def refresh_summary(*, municipality_id: int | None = None) -> int:
    """Recompute the summary rows of one municipality (or of all); returns how many.

    Delete and insert happen in one transaction: a reader sees the old rows or the new
    ones, never none. An unknown municipality id refreshes nothing (it was deleted).
    """
    with transaction.atomic():
        thresholds = _lock(None if municipality_id is None else [municipality_id])
        ids = sorted(thresholds)
        if not ids:
            return 0
        # Taken after the lock and before counting: every write committed before this
        # moment is in the numbers below (each statement sees what was committed before it).
        as_of = timezone.now()
        MonthlyConversations.objects.filter(municipality_id__in=ids).delete()
        _insert_monthly(ids)
        summaries = _summaries(ids, thresholds, as_of)
        MunicipalitySummary.objects.filter(municipality_id__in=ids).delete()
        MunicipalitySummary.objects.bulk_create(summaries)
    return len(ids)

