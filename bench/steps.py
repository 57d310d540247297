"""The benchmark's measurements. Each step returns a dict of numbers for the report."""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection
from django.test import Client
from django.utils import timezone

from . import measure

REQUESTS = 40  # per page, for p50/p95 of server time


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page_timings(client: Client, url: str, count: int = REQUESTS) -> dict:
    client.get(url)  # warm caches and connections
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return measure.percentiles(samples)


def _sql_timings(sql: str, params: list, count: int = REQUESTS) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()
        samples = []
        for _ in range(count):
            start = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            samples.append(time.perf_counter() - start)
    return measure.percentiles(samples)


def logbook_analysis(*, world, scale, rng) -> dict:
    """The analysis page for one team over 12 months vs the bare GROUP BY it needs."""
    from logbooks.models import Entry, EntryTopic

    team = world.teams[0]
    leder = world.users_by_municipality[team.municipality_id]["leder"]
    today = timezone.localdate()
    date_from = today - dt.timedelta(days=365)
    url = f"/logbog/analyse/?unit={team.uuid}&date_from={date_from.isoformat()}&date_to={today.isoformat()}"
    page = _page_timings(_client_for(leder), url)
    entry_table, topic_table = Entry._meta.db_table, EntryTopic._meta.db_table
    sql = (
        f"SELECT t.topic_id, e.sex, count(DISTINCT e.id) FROM {topic_table} t "
        f"JOIN {entry_table} e ON e.id = t.entry_id "
        "WHERE e.municipality_id = %s AND e.unit_id = %s AND e.date BETWEEN %s AND %s GROUP BY 1, 2"
    )
    bare = _sql_timings(sql, [team.municipality_id, team.pk, date_from, today])
    entries_in_scope = Entry.objects.filter(unit=team, date__gte=date_from).count()
    return {"page": page, "bare_sql": bare, "ratio_p50": page["p50_ms"] / max(bare["p50_ms"], 0.001),
            "entries_total": Entry.objects.count(), "entries_in_scope": entries_in_scope,
            "target_p95_ms": 100}


STEPS = [
    ("logbook_analysis", logbook_analysis),
]
