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
                    rows.append((name, f"{key}.{sub}", _fmt(v), ""))
            elif key != "step_seconds":
                rows.append((name, key, _fmt(value), ""))
    return rows


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
                  "Data: " + ", ".join(f"{k} {_fmt(v)}" for k, v in data["data"].items()), "",
                  "| step | measure | value |", "|---|---|---|"]
        lines += [f"| {a} | {b} | {c} |" for a, b, c, _ in _rows(data)]
        lines.append("")
    path.write_text("\n".join(lines))
