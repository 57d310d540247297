"""BENCHMARKS.md: the latest run per scale as a table, with the machine and date."""

from __future__ import annotations

import json
from pathlib import Path


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _rows(results: dict) -> list[tuple[str, str, str, str]]:
    rows = []
    for name, step in results["steps"].items():
        for key, value in step.items():
            if isinstance(value, dict):
                for sub, v in value.items():
                    if isinstance(v, list):
                        if all(isinstance(x, (int, float)) for x in v):
                            rows.append((name, f"{key}.{sub}", ", ".join(_fmt(float(x)) for x in v), ""))
                    elif isinstance(v, dict):
                        rows.append((name, f"{key}.{sub}", ", ".join(f"{k} {_fmt(x)}" for k, x in v.items()), ""))
                    else:
                        rows.append((name, f"{key}.{sub}", _fmt(v), ""))
            elif isinstance(value, list):
                rows.append((name, key, ", ".join(_fmt(float(v)) for v in value), ""))
            elif key != "step_seconds":
                rows.append((name, key, _fmt(value), ""))
    return rows


def _get(steps: dict, path: str):
    value = steps
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


# (what, target text, measured path(s), check)
TARGETS = [
    ("import 1M rows, file to committed, vs raw COPY into a bare table", ">= 0.5x COPY",
     lambda s: f"{_fmt(_get(s, 'dataset_import.product_rows_per_s'))} rows/s vs COPY "
               f"{_fmt(_get(s, 'dataset_import.copy_rows_per_s'))} rows/s = {_get(s, 'dataset_import.ratio_to_copy'):.2f}x",
     lambda s: _get(s, "dataset_import.ratio_to_copy") >= 0.5),
    ("import 1M rows vs COPY into a table keyed like the data (primary key + unique key)",
     ">= 0.5x keyed COPY",
     lambda s: f"{_fmt(_get(s, 'dataset_import.product_rows_per_s'))} rows/s vs keyed COPY "
               f"{_fmt(_get(s, 'dataset_import.keyed_copy_rows_per_s'))} rows/s = "
               f"{_get(s, 'dataset_import.ratio_to_keyed_copy'):.2f}x",
     lambda s: _get(s, "dataset_import.ratio_to_keyed_copy") >= 0.5),
    ("national overview fresh after a 1M-row import (its own job)", "<= 5 s",
     lambda s: f"{_fmt(_get(s, 'dataset_import.refresh_after_import_s'))} s",
     lambda s: _get(s, "dataset_import.refresh_after_import_s") <= 5),
    ("import peak memory", "< 1 GB", lambda s: f"{_fmt(_get(s, 'dataset_import.peak_rss_mb'))} MB",
     lambda s: _get(s, "dataset_import.peak_rss_mb") < 1024),
    ("dataset page, one municipality", "p50 <= 50 ms, p95 <= 150 ms",
     lambda s: f"p50 {_fmt(_get(s, 'dataset_page.page.p50_ms'))} ms, p95 {_fmt(_get(s, 'dataset_page.page.p95_ms'))} ms",
     lambda s: _get(s, "dataset_page.page.p50_ms") <= 50 and _get(s, "dataset_page.page.p95_ms") <= 150),
    ("dashboard, one municipality, as served (cached until the data changes)", "p50 <= 50 ms, p95 <= 150 ms",
     lambda s: f"p50 {_fmt(_get(s, 'dashboard.page.p50_ms'))} ms, p95 {_fmt(_get(s, 'dashboard.page.p95_ms'))} ms",
     lambda s: _get(s, "dashboard.page.p50_ms") <= 50 and _get(s, "dashboard.page.p95_ms") <= 150),
    ("dashboard, first view after a data change (nothing cached)", "p50 <= 50 ms, p95 <= 150 ms",
     lambda s: f"p50 {_fmt(_get(s, 'dashboard.first_view_after_a_change.p50_ms'))} ms, "
               f"p95 {_fmt(_get(s, 'dashboard.first_view_after_a_change.p95_ms'))} ms",
     lambda s: _get(s, "dashboard.first_view_after_a_change.p50_ms") <= 50
     and _get(s, "dashboard.first_view_after_a_change.p95_ms") <= 150),
    ("national overview", "<= 100 ms", lambda s: f"p50 {_fmt(_get(s, 'national_overview.page.p50_ms'))} ms",
     lambda s: _get(s, "national_overview.page.p50_ms") <= 100),
    ("national overview fresh after an import", "<= 5 s",
     lambda s: f"{_fmt(_get(s, 'national_overview.refresh_after_import_s'))} s",
     lambda s: _get(s, "national_overview.refresh_after_import_s") <= 5),
    ("logbook analysis, 1M entries", "p95 <= 100 ms",
     lambda s: f"p95 {_fmt(_get(s, 'logbook_analysis.page.p95_ms'))} ms",
     lambda s: _get(s, "logbook_analysis.page.p95_ms") <= 100),
    ("quick-entry POST, gunicorn -w 2", ">= 200 req/s, p99 <= 250 ms",
     lambda s: f"{_fmt(_get(s, 'throughput.quick_entry_post.requests_per_s'))} req/s, "
               f"p99 {_fmt(_get(s, 'throughput.quick_entry_post.p99_ms'))} ms",
     lambda s: _get(s, "throughput.quick_entry_post.requests_per_s") >= 200
     and _get(s, "throughput.quick_entry_post.p99_ms") <= 250),
    ("rendered dashboard, gunicorn -w 2", ">= 100 req/s, p99 <= 250 ms",
     lambda s: f"{_fmt(_get(s, 'throughput.dashboard_get.requests_per_s'))} req/s, "
               f"p99 {_fmt(_get(s, 'throughput.dashboard_get.p99_ms'))} ms",
     lambda s: _get(s, "throughput.dashboard_get.requests_per_s") >= 100
     and _get(s, "throughput.dashboard_get.p99_ms") <= 250),
    ("committee PDF (all sections)", "<= 5 s warm, off the request",
     lambda s: f"{_fmt(_get(s, 'committee_pdf.warm_s'))} s warm, {_fmt(_get(s, 'committee_pdf.cold_s'))} s cold, "
               f"{_get(s, 'committee_pdf.pages')} pages",
     lambda s: _get(s, "committee_pdf.warm_s") <= 5),
]


NOTES = [
    "Import references: *bare* is `COPY` of the file into a table of text columns without any index "
    "(the machine's ceiling); *keyed* is `COPY` of the same file into a table with a primary key and a "
    "unique key over the file's key columns, the uniqueness an import must keep. The product adds parsing, "
    "validation, all-or-nothing and its covering unique index; the national overview's refresh is its own "
    "job after the commit and is timed on its own.",
    "",
    "Dashboard: *as served* repeats a view (the cache holds the result until the municipality's data "
    "changes); *first view after a change* empties the cache before every request, so everything is "
    "counted. Throughput: wrk runs three times per page; the table shows the median run, and "
    "`cpu_ms_per_request` splits the CPU the two cores spent between Django (gunicorn workers) and "
    "PostgreSQL.",
]


def _targets(steps: dict) -> list[str]:
    lines = ["| what | target | measured | met |", "|---|---|---|---|"]
    for what, target, shown, check in TARGETS:
        try:
            lines.append(f"| {what} | {target} | {shown(steps)} | {'yes' if check(steps) else '**no**'} |")
        except (TypeError, KeyError):
            lines.append(f"| {what} | {target} | not measured | – |")
    return lines


def main() -> None:
    """Re-render BENCHMARKS.md from bench/results/*.json (python -m bench.report)."""
    root = Path(__file__).resolve().parent.parent
    latest = sorted((root / "bench" / "results").glob("*.json"))[-1]
    write_markdown(json.loads(latest.read_text()), root / "BENCHMARKS.md")


def write_markdown(results: dict, path: Path) -> None:
    results_dir = path.parent / "bench" / "results"
    runs = {}
    for f in sorted(results_dir.glob("*.json")):
        data = json.loads(f.read_text())
        runs[data["scale"]] = data
    runs[results["scale"]] = results
    lines = ["# Benchmarks", "",
             "Produced by `make bench SCALE=small|national` (`bench/`). Each number is measured in the same "
             "run as its reference (raw COPY, bare SQL) on the machine described. Server times go through "
             "the full Django stack (middleware, session, templates).", ""]
    for scale in ("national", "small"):
        if scale not in runs:
            continue
        data = runs[scale]
        m = data["machine"]
        lines += [f"## SCALE={scale} ({data['date']})", "",
                  f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM; Python {m['python']}; "
                  f"{m['postgresql']}.", "",
                  "Data: " + ", ".join(f"{k} {_fmt(v)}" for k, v in data["data"].items()), ""]
        if data.get("remeasured"):
            lines += ["Re-measured on the same data: " + ", ".join(f"{k} ({v})" for k, v in data["remeasured"].items()),
                      ""]
        lines += _targets(data["steps"]) + ["", *NOTES, "", "All measurements:", "",
                                            "| step | measure | value |", "|---|---|---|"]
        lines += [f"| {a} | {b} | {c} |" for a, b, c, _ in _rows(data)]
        lines.append("")
    path.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
