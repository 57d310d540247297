"""Creating committee reports and starting their generation."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.models import Municipality, Unit
from reporting.models import Report
from reporting.tasks import generate_report


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
        summary=summary, recommendation=recommendation, queued_at=timezone.now(),
    )
    report.full_clean()
    report.save()
    audit.record("report.create", request=request, user=user, obj=report, sections=",".join(order),
                 unit=str(unit.uuid) if unit else "", date_from=date_from.isoformat(), date_to=date_to.isoformat())
    return report


def start_generation(report: Report) -> None:
    """Queue the PDF; with the immediate backend (dev, tests) it is ready on return.

    The task row's id is kept on the report, so a report whose task is gone is failed
    (ligestilling/jobs.py) instead of waiting for ever.
    """

    result = generate_report.enqueue(report.pk)
    Report.objects.filter(pk=report.pk, status=Report.Status.QUEUED).update(task_id=str(result.id)[:64])


def restart_generation(report: Report, *, user=None, request=None) -> bool:
    """Queue a failed report again (its worker died, it never started, or it failed)."""
    if not Report.objects.filter(pk=report.pk, status=Report.Status.FAILED).update(
            status=Report.Status.QUEUED, progress=0, failure="", error="", queued_at=timezone.now(),
            heartbeat_at=None, task_id="", finished_at=None):
        return False
    audit.record("report.restart", request=request, user=user, obj=report)
    start_generation(report)
    return True
