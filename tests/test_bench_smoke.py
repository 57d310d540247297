"""The benchmark runs end to end at SCALE=small, so it never rots (PostgreSQL only: it uses COPY)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark measures PostgreSQL")
def test_small_benchmark_runs(tmp_path):
    settings = connection.settings_dict
    url = f"postgres://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}" \
          "/ligestilling_bench_smoke"
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--scale", "small", "--no-markdown", "--output-dir", str(tmp_path),
         "--database-url", url],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads((tmp_path / "small.json").read_text())
    steps = data["steps"]
    assert steps["dataset_import"]["rows"] == 20_000 and steps["dataset_import"]["product_rows_per_s"] > 0
    for page in ("dataset_page", "dashboard", "logbook_analysis"):
        assert steps[page]["page"]["n"] == 40
    assert steps["throughput"]["quick_entry_post"]["entries_created"] > 0
    assert steps["committee_pdf"]["pages"] >= 3
