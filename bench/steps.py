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


def dataset_page(*, world, scale, rng) -> dict:
    """One municipality's dataset page (all indicators by sex, national comparison) vs its aggregate."""
    from datasets.models import Dataset, Observation

    municipality = world.municipalities[len(world.municipalities) // 2]
    dataset = Dataset.objects.filter(municipality=municipality, title="Registerudtræk").get()
    analytiker = world.users_by_municipality[municipality.pk]["analytiker"]
    page = _page_timings(_client_for(analytiker), f"/data/{dataset.uuid}/")
    indicator_ids = list(dataset.indicators.values_list("pk", flat=True))
    sql = (f"SELECT indicator_id, period, sex, sum(value), sum(numerator), sum(denominator), count(*) "
           f"FROM {Observation._meta.db_table} WHERE indicator_id = ANY(%s) AND age_band = '' AND education = '' "
           "AND civil_status = '' AND origin = '' GROUP BY 1, 2, 3")
    bare = _sql_timings(sql, [indicator_ids])
    return {"page": page, "bare_sql": bare, "ratio_p50": page["p50_ms"] / max(bare["p50_ms"], 0.001),
            "observations_total": Observation.objects.count(),
            "observations_in_dataset": Observation.objects.filter(indicator_id__in=indicator_ids).count(),
            "target_p50_ms": 50, "target_p95_ms": 150}


def dashboard(*, world, scale, rng) -> dict:
    """One municipality's dashboard (the analytiker's administration, 12 months) vs the GROUP BYs it needs."""
    from logbooks.models import Entry, EntryTopic

    municipality = world.municipalities[len(world.municipalities) // 2]
    analytiker = world.users_by_municipality[municipality.pk]["analytiker"]
    admin_unit = analytiker.memberships.get().unit
    page = _page_timings(_client_for(analytiker), f"/overblik/?unit={admin_unit.uuid}")
    unit_ids = [u.pk for u in world.teams if u.path.startswith(admin_unit.path)] + [admin_unit.pk]
    today = timezone.localdate()
    sql = (
        f"SELECT t.topic_id, e.sex, count(DISTINCT e.id) FROM {EntryTopic._meta.db_table} t "
        f"JOIN {Entry._meta.db_table} e ON e.id = t.entry_id "
        "WHERE e.municipality_id = %s AND e.unit_id = ANY(%s) AND e.date > %s GROUP BY 1, 2"
    )
    bare = _sql_timings(sql, [municipality.pk, unit_ids, today - dt.timedelta(days=365)])
    return {"page": page, "bare_sql": bare, "ratio_p50": page["p50_ms"] / max(bare["p50_ms"], 0.001),
            "target_p50_ms": 50, "target_p95_ms": 150}


def _wrk(url: str, seconds: int, lua: str | None, cookie: str, csrf: str) -> dict:
    """wrk against 127.0.0.1 only, bounded in time; requests/s and the latency percentiles."""
    script = None
    headers = ["-H", f"Cookie: {cookie}", "-H", f"X-CSRFToken: {csrf}"]
    if lua:
        script = Path(tempfile.mkstemp(suffix=".lua")[1])
        script.write_text(lua)
    cmd = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", *headers]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + 30).stdout
    result = {"raw_tail": out.strip().splitlines()[-4:]}
    for line in out.splitlines():
        parts = line.split()
        if line.startswith("Requests/sec:"):
            result["requests_per_s"] = float(parts[1])
        elif parts[:1] == ["99%"]:
            result["p99_ms"] = _ms(parts[1])
        elif parts[:1] == ["50%"]:
            result["p50_ms"] = _ms(parts[1])
        elif "Non-2xx or 3xx responses:" in line:
            result["errors"] = int(parts[-1])
    if script:
        script.unlink()
    return result


def _ms(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def throughput(*, world, scale, rng) -> dict:
    """gunicorn -w 2 serving the quick-entry POST and a rendered dashboard, loaded by wrk on 127.0.0.1."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import _get_new_csrf_string

    from logbooks.models import ListItem

    if shutil.which("wrk") is None:
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    municipality = world.municipalities[0]
    medarbejder = world.users_by_municipality[municipality.pk]["medarbejder"]
    team = medarbejder.memberships.get().unit

    def session_for(user) -> str:
        client = _client_for(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    csrf = _get_new_csrf_string()
    port = 8765
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ligestilling.settings"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "ligestilling.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning"], env=env, cwd=str(Path(__file__).resolve().parent.parent))
    try:
        for _ in range(50):
            try:
                import urllib.request

                urllib.request.urlopen(f"http://127.0.0.1:{port}/sundhed/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        items = {kind: list(ListItem.objects.filter(unit=team, kind=kind).values_list("pk", flat=True))
                 for kind in ListItem.Kind.values}
        body = "&".join([
            f"date={timezone.localdate().isoformat()}", "sex=kvinde", "age_band=30-39",
            f"kind={items['samtale'][0]}", f"topics_staff={items['emne'][0]}", f"topics_citizen={items['emne'][1]}",
            f"offers={items['tilbud'][0]}", f"outcome={items['udfald'][0]}", "staff_present=sagsbehandler",
        ])
        lua = ('wrk.method = "POST"\n'
               f'wrk.body = "{body}"\n'
               'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n')
        cookie = f"{settings.SESSION_COOKIE_NAME}={session_for(medarbejder)}; {settings.CSRF_COOKIE_NAME}={csrf}"
        before = _entry_count(team)
        post = _wrk(f"http://127.0.0.1:{port}/logbog/samtaler/?unit={team.uuid}", scale.load_seconds, lua, cookie,
                    csrf)
        post["entries_created"] = _entry_count(team) - before
        leder = world.users_by_municipality[municipality.pk]["leder"]
        cookie = f"{settings.SESSION_COOKIE_NAME}={session_for(leder)}; {settings.CSRF_COOKIE_NAME}={csrf}"
        get = _wrk(f"http://127.0.0.1:{port}/overblik/", scale.load_seconds, None, cookie, csrf)
    finally:
        server.terminate()
        server.wait(timeout=20)
    SessionStore.clear_expired()
    return {"quick_entry_post": post, "dashboard_get": get, "target_post_rps": 200, "target_get_rps": 100,
            "target_p99_ms": 250}


def _entry_count(team) -> int:
    from logbooks.models import Entry

    return Entry.objects.filter(unit=team).count()


def committee_pdf(*, world, scale, rng) -> dict:
    """A committee report (all sections, 12 months, one administration): cold and warm, in a worker process."""
    municipality = world.municipalities[len(world.municipalities) // 2]
    out = subprocess.run(
        [sys.executable, "-m", "bench.child_pdf", str(municipality.pk), os.environ["DATABASE_URL"]],
        capture_output=True, text=True, cwd=str(Path(__file__).resolve().parent.parent), timeout=600,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return {**result, "target_warm_s": 5}


def national_overview(*, world, scale, rng) -> dict:
    """The national overview (summary table only) vs the raw all-municipality aggregate it replaces,
    and how long the summary takes to be fresh after an import."""
    from accounts.models import User
    from datasets.services import create_dataset, import_file
    from logbooks.models import Entry
    from reporting.summary import refresh_summary

    refresh_all, _ = measure.median_of(lambda: refresh_summary(), 1)
    staff = User.objects.filter(email="platform@bench.test").first() or User.objects.create_superuser(
        "platform@bench.test", "bench-" + "x" * 20, full_name="Platform")
    page = _page_timings(_client_for(staff), "/overblik/landsoverblik/")
    since = timezone.localdate() - dt.timedelta(days=365)
    raw = _sql_timings(
        f"SELECT municipality_id, sex, count(*) FROM {Entry._meta.db_table} WHERE date >= %s GROUP BY 1, 2",
        [since], count=5)
    # Fresh after an import: the import's own commit enqueues the refresh; measure that refresh.
    workdir = Path(tempfile.mkdtemp(prefix="bench-refresh-"))
    path = workdir / "small.csv"
    _write_import_file(path, 5_000)
    municipality = world.municipalities[-1]
    dataset = create_dataset(municipality=municipality, title="Opdatering", source_kind="own_system")
    import_file(dataset=dataset, path=path)
    refresh_one, runs = measure.median_of(lambda: refresh_summary(municipality_id=municipality.pk), scale.runs)
    shutil.rmtree(workdir)
    return {"page": page, "raw_aggregate": raw, "refresh_after_import_s": refresh_one,
            "refresh_all_municipalities_s": refresh_all, "target_page_ms": 100, "target_refresh_s": 5}


STEPS = [
    ("dataset_import", dataset_import),
    ("dataset_page", dataset_page),
    ("dashboard", dashboard),
    ("national_overview", national_overview),
    ("logbook_analysis", logbook_analysis),
    ("throughput", throughput),
    ("committee_pdf", committee_pdf),
]
