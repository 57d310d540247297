"""`python -m bench --scale small|national`: generate data, measure, write BENCHMARKS.md.

Runs against its own PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/ligestilling_bench), which it drops and re-creates.
Every measurement stands beside its reference (raw COPY, bare SQL) from the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/ligestilling_bench"


def _configure(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "ligestilling.settings"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ["STATICFILES_BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    os.environ["AXES_ENABLED"] = "false"
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))


def _recreate_database(database_url: str) -> None:
    import psycopg

    base, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--scale", choices=["small", "national"], default="small")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--output-dir", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--no-markdown", action="store_true", help="Do not rewrite BENCHMARKS.md.")
    parser.add_argument("--reuse", action="store_true",
                        help="Measure the data of the previous run again (no drop, no generation).")
    parser.add_argument("--steps", default="", help="Comma-separated steps to run (default: all).")
    args = parser.parse_args(argv)

    _configure(args.database_url)
    if not args.reuse:
        _recreate_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command

    from . import generate, measure, report, steps

    scale = generate.SCALES[args.scale]
    started = time.time()
    call_command("migrate", verbosity=0)
    rng = random.Random(20151)
    results: dict = {"scale": scale.name, "machine": measure.machine(),
                     "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "steps": {}}
    if args.reuse:
        world = generate.load_world()
        results["data"] = generate.describe_data()
    else:
        with measure.timer() as t:
            world = generate.build_world(scale)
            results["data"] = generate.build_data(world, scale, rng)
        results["data"]["generate_seconds"] = round(t["seconds"], 1)
    print(f"data: {results['data']}", flush=True)

    wanted = {s.strip() for s in args.steps.split(",") if s.strip()}
    for name, step in steps.STEPS:
        if wanted and name not in wanted:
            continue
        print(f"-- {name}", flush=True)
        with measure.timer() as t:
            results["steps"][name] = step(world=world, scale=scale, rng=rng)
        results["steps"][name]["step_seconds"] = round(t["seconds"], 1)
        print(json.dumps(results["steps"][name], default=str), flush=True)
    results["total_seconds"] = round(time.time() - started, 1)

    out_dir = Path(args.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{scale.name}.json"
    if args.reuse and wanted and out.exists():
        # Re-measured steps replace theirs in the last full run's results.
        previous = json.loads(out.read_text())
        previous["steps"].update(results["steps"])
        previous.setdefault("remeasured", {}).update({name: results["date"] for name in results["steps"]})
        results = previous
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"wrote {out}")
    if not args.no_markdown:
        report.write_markdown(results, ROOT / "BENCHMARKS.md")
        print("wrote BENCHMARKS.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
