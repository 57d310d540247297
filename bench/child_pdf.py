"""Build the committee PDF twice in one fresh process: cold (browser start) and warm.

python -m bench.child_pdf MUNICIPALITY_ID DATABASE_URL  → one JSON line.
"""

import json
import sys
import time

from . import __main__ as entry


def main() -> None:
    municipality_id, database_url = int(sys.argv[1]), sys.argv[2]
    entry._configure(database_url)
    import django

    django.setup()
    from django.utils import timezone, translation

    from accounts.models import Municipality, Unit
    from reporting import documents, pdf, services

    municipality = Municipality.objects.get(pk=municipality_id)
    unit = Unit.objects.filter(municipality=municipality, depth=0).order_by("pk").first()
    today = timezone.localdate()
    timings, pages = [], []
    with translation.override("da"):
        for run in range(2):
            report = services.create_report(
                municipality=municipality, unit=unit, user=None, title=f"Benchmark {run}", committee="Udvalget",
                meeting_date=None, date_from=today.replace(year=today.year - 1), date_to=today,
                sections=documents.available_sections())
            start = time.perf_counter()
            report = pdf.generate(report.pk)
            timings.append(time.perf_counter() - start)
            pages.append(report.pages)
            assert report.status == "done", report.error
    print(json.dumps({"cold_s": timings[0], "warm_s": timings[1], "pages": pages[-1]}))


if __name__ == "__main__":
    main()
