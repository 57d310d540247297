"""Creating committee reports and starting their generation."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from accounts import audit
from accounts.models import Municipality, Unit
from reporting.models import Report


@transaction.atomic
def create_report(
    *,
    municipality: Municipality,
    unit: Unit | None,
    user,
    title: str,
    committee: str,
    meeting_date: dt.date | None,
    date_from: dt.date,
    date_to: dt.date,
    sections: list[str],
    summary: str = "",
    recommendation: str = "",
    request=None,
) -> Report:
    if unit is not None and unit.municipality_id != municipality.pk:
        raise ValueError("unit of another municipality")
    order = [s for s in Report.Section.values if s in sections]
    report = Report(
        municipality=municipality, unit=unit, created_by=user, title=title, committee=committee,
        meeting_date=meeting_date, date_from=date_from, date_to=date_to, sections=order,
        summary=summary, recommendation=recommendation,
    )
    report.full_clean()
    report.save()
    audit.record("report.create", request=request, user=user, obj=report, sections=",".join(order),
                 unit=str(unit.uuid) if unit else "", date_from=date_from.isoformat(), date_to=date_to.isoformat())
    return report


def start_generation(report: Report) -> None:
    """Queue the PDF; with the immediate backend (dev, tests) it is ready on return."""
    from reporting.tasks import generate_report

    generate_report.enqueue(report.pk)
