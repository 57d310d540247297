"""Demo content of the reporting app: one kept committee report for Aarhus. Idempotent.

The report is built through the same service and background task as in the browser, so
the demo also shows how long a PDF takes (printed). It runs last, after the logbooks,
projects and workshops demos that it reports on.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import Municipality, Unit, User
from ligestilling.lib.periods import parse_period
from reporting import documents, services
from reporting.models import Report
from reporting.summary import refresh_summary

TITLE = "Ligestilling i Jobcentret – status for udvalget"


def _write(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def seed(*, stdout=None) -> None:

    # The demo data is bulk-created (no service enqueues a refresh): count it once.
    refresh_summary()
    municipality = Municipality.objects.filter(slug="aarhus").first()
    unit = Unit.objects.filter(municipality=municipality, name="Sociale Forhold og Beskæftigelse").first()
    author = User.objects.filter(email="analytiker@aarhus.demo").first()
    if municipality is None or unit is None or author is None:
        return
    if Report.objects.filter(municipality=municipality, title=TITLE, status=Report.Status.DONE).exists():
        return
    Report.objects.filter(municipality=municipality, title=TITLE).delete()  # a failed earlier attempt
    period = parse_period("12m", today=timezone.localdate())
    report = services.create_report(
        municipality=municipality, unit=unit, user=author, title=TITLE,
        committee="Beskæftigelsesudvalget", meeting_date=timezone.localdate() + dt.timedelta(days=14),
        date_from=period.date_from, date_to=period.date_to, sections=documents.available_sections(),
        summary=("Jobcentret har i et år noteret sine samtaler med borgere i logbogen. Samtalerne med mænd "
                 "handler oftere om jobsøgning, samtalerne med kvinder oftere om børnepasning og uddannelse. "
                 "Projektet „Køn i jobcenter og rehabilitering“ afprøver, om vi spørger kvinder og mænd om "
                 "de samme ting."),
        recommendation=("Forvaltningen indstiller, at udvalget tager status til efterretning, og at projektet "
                        "fortsætter et halvt år med en ny måling af jobsøgningssamtaler med kvinder."),
    )
    services.start_generation(report)
    report.refresh_from_db()
    _write(stdout, f"Reporting: committee report for Aarhus: {report.get_status_display()}"
                   f" ({report.pages or 0} pages, {report.seconds or 0} s).")
