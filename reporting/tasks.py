"""Background generation of committee reports (django-tasks: immediate in dev/tests, DB worker in production)."""

from django_tasks import task

from ligestilling import jobs
from reporting import pdf
from reporting.summary import refresh_summary


@task()
def generate_report(report_id: int) -> str:

    jobs.expire_stale_jobs()  # the next worker that starts cleans up after dead ones
    report = pdf.generate(report_id)
    return report.status


@task()
def refresh_summary_task(municipality_id: int | None = None) -> int:
    """Recompute the national overview's summary rows of one municipality (None: all)."""

    return refresh_summary(municipality_id=municipality_id)
