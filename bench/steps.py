"""The benchmark's measurements. Each step returns a dict of numbers for the report."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def _write_import_file(path: Path, rows: int) -> None:
    """A Danish Excel-style aggregated CSV: indicator x year x sex x age band x area."""
    indicators = [f"Indikator {i}" for i in range(10)]
    years = [str(y) for y in range(2020, 2025)]
    sexes = ["Kvinde", "Mand", "I alt"]
    ages = ["18-24", "25-29", "30-39", "40-49", "50-64", "65-74", "75+", "0-17"]
    per_area = len(indicators) * len(years) * len(sexes) * len(ages)
    areas = -(-rows // per_area)
    written = 0
    with path.open("w", encoding="utf-8") as f:
        f.write("indikator;år;køn;alder;område;antal\n")
        for a in range(areas):
            area = f"Område {a:05d}"
            for ind in indicators:
                for year in years:
                    for age in ages:
                        for sex in sexes:
                            if written >= rows:
                                return
                            f.write(f"{ind};{year};{sex};{age};{area};{(written * 7919) % 500}\n")
                            written += 1


def dataset_import(*, world, scale, rng) -> dict:
    """The product's import (file to committed rows, validation included) vs plain COPY of the file."""
    from datasets.services import create_dataset

    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    path = workdir / "observations.csv"
    _write_import_file(path, scale.import_rows)
    municipality = world.municipalities[0]

    def copy_once():
        raw = connection.connection
        with raw.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_copy")
            cursor.execute("CREATE TABLE bench_copy (indikator text, aar text, koen text, alder text, "
                           "omraade text, antal bigint)")
            with cursor.copy("COPY bench_copy FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true)") as copy, \
                    path.open("rb") as f:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)

    connection.ensure_connection()
    copy_median, copy_runs = measure.median_of(copy_once, scale.runs)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")

    product_runs, peaks = [], []
    for run in range(scale.runs):
        dataset = create_dataset(municipality=municipality, title=f"Import {run}", source_kind="own_system")
        out = subprocess.run(
            [sys.executable, "-m", "bench.child_import", str(dataset.pk), str(path), os.environ["DATABASE_URL"]],
            capture_output=True, text=True, cwd=str(Path(__file__).resolve().parent.parent),
        )
        if out.returncode != 0:
            raise RuntimeError(f"import failed: {out.stderr[-3000:]}")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        assert result["rows"] == scale.import_rows, result
        product_runs.append(result["seconds"])
        peaks.append(result["peak_rss_mb"])
    product_median = statistics.median(product_runs)
    shutil.rmtree(workdir)
    rows = scale.import_rows
    return {"rows": rows, "copy_rows_per_s": rows / copy_median, "product_rows_per_s": rows / product_median,
            "ratio_to_copy": copy_median / product_median, "product_seconds": product_runs,
            "copy_seconds": copy_runs, "peak_rss_mb": max(peaks), "target_ratio": 0.5, "target_peak_mb": 1024}


STEPS = [
    ("dataset_import", dataset_import),
    ("logbook_analysis", logbook_analysis),
]
