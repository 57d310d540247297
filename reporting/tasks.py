"""Background generation of committee reports (django-tasks: immediate in dev/tests, DB worker in production)."""

from django_tasks import task


@task()
def generate_report(report_id: int) -> str:
    from reporting import pdf

    report = pdf.generate(report_id)
    return report.status
