"""Run one product import in a fresh process, so its peak memory is its own.

Called by bench.steps.dataset_import: python -m bench.child_import DATASET_ID PATH
Prints one JSON line: seconds, rows, observations, peak_rss_mb.
"""

import json
import sys
import time

from . import __main__ as entry


def main() -> None:
    dataset_id, path, database_url = sys.argv[1], sys.argv[2], sys.argv[3]
    entry._configure(database_url)
    import django

    django.setup()
    from datasets.models import Dataset
    from datasets.services import import_file

    from . import measure

    dataset = Dataset.objects.get(pk=int(dataset_id))
    start = time.perf_counter()
    result = import_file(dataset=dataset, path=path)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rows": result.rows, "observations": result.observations,
                      "peak_rss_mb": measure.peak_rss_mb()}))


if __name__ == "__main__":
    main()
