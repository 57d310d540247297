"""Run one product import in a fresh process, so its peak memory is its own.

Called by bench.steps.dataset_import: python -m bench.child_import DATASET_ID PATH DATABASE_URL
Prints one JSON line: seconds, rows, observations, peak_rss_mb, refresh_seconds.

The process plays a long-running task worker: the import's modules (pandas, pyarrow)
are loaded before the clock starts, as they are in a worker that has run one job.
The national overview's refresh, which the import enqueues as a job of its own after
the commit, is timed separately (`refresh_seconds`): "file to committed rows" ends at
the commit.
"""

import json
import os
import sys
import time

from . import __main__ as entry


def main() -> None:
    dataset_id, path, database_url = sys.argv[1], sys.argv[2], sys.argv[3]
    entry._configure(database_url)
    # The refresh job is queued, not run inline: a worker would pick it up after the commit.
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    import django

    django.setup()
    import pandas  # noqa: F401  (warm worker)
    import pyarrow.csv  # noqa: F401

    from datasets import importing  # noqa: F401
    from datasets.models import Dataset
    from datasets.services import import_file
    from reporting.summary import refresh_summary

    from . import measure

    dataset = Dataset.objects.get(pk=int(dataset_id))
    start = time.perf_counter()
    result = import_file(dataset=dataset, path=path)
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    refresh_summary(municipality_id=dataset.municipality_id)
    refresh_seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rows": result.rows, "observations": result.observations,
                      "peak_rss_mb": measure.peak_rss_mb(), "refresh_seconds": refresh_seconds}))


if __name__ == "__main__":
    main()
