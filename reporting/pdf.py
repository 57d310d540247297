"""The committee PDF: plotly figures to SVG with kaleido, HTML to PDF with WeasyPrint.

One Chromium is kept warm per worker process (`kaleido.start_sync_server`), so a figure
costs about 0.3 s after the first; the first start costs a few seconds. Charts are
embedded as inline SVG, so they stay vector graphics with real text in the PDF.
"""

from __future__ import annotations

import logging
import re
import threading
import time

from django.template.loader import render_to_string
from django.utils import timezone, translation

from ligestilling import jobs
from ligestilling.pdf import render_pdf
from reporting import documents
from reporting.models import Report

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_started = False

SVG_WIDTH = 640


def _ensure_kaleido() -> None:
    global _started
    if _started:
        return
    import kaleido

    # Their chatter at interpreter exit would go to already closed streams.
    for name in ("kaleido", "choreographer", "logistro"):
        logging.getLogger(name).setLevel(logging.WARNING)
    kaleido.start_sync_server(mathjax=False, silence_warnings=True)
    _started = True


def figure_svg(figure: dict) -> str:
    """One plotly figure (dict) as an SVG string, via the warm kaleido browser."""
    import kaleido

    with _lock:
        _ensure_kaleido()
        height = figure.get("layout", {}).get("height") or 360
        data = kaleido.calc_fig_sync(figure, opts={"format": "svg", "width": SVG_WIDTH, "height": height})
    svg = data.decode("utf-8") if isinstance(data, bytes) else str(data)
    # Screen readers and PDF tagging: the chart is described by the table next to it.
    return re.sub(r"^<svg ", '<svg role="img" aria-hidden="true" ', svg, count=1)


def render_html(document: documents.Document, *, svgs: dict[str, str] | None = None,
                charts_failed: bool = False) -> str:
    return render_to_string("reporting/report_pdf.html", {
        "document": document, "report": document.report, "svgs": svgs or {},
        "generated_at": timezone.localtime(), "charts_failed": charts_failed,
    })


def build_pdf(report: Report, progress=None) -> tuple[bytes, int]:
    """The PDF bytes and the page count; `progress(percent)` is called along the way."""
    with translation.override("da"):
        document = documents.build_document(report)
        if progress:
            progress(20)
        figures = [s for c in document.chapters for s in c.sections if s.figure]
        svgs: dict[str, str] = {}
        charts_failed = False
        for i, section in enumerate(figures, start=1):
            try:
                svgs[section.key] = figure_svg(section.figure)
            except Exception:  # no browser, or it crashed: the tables carry every number
                logger.exception("chart %s of report %s could not be drawn", section.key, report.uuid)
                charts_failed = True
            if progress:
                progress(20 + int(60 * i / max(len(figures), 1)))
        html = render_html(document, svgs=svgs, charts_failed=charts_failed)
        pdf, pages = render_pdf(html)
        if progress:
            progress(90)
        return pdf, pages


def generate(report_id: int) -> Report:
    """Run one queued report to the end, recording progress and the outcome on the row.

    The job claims the report (QUEUED to RUNNING) and renews its lease (`heartbeat_at`)
    at every step, so a report whose worker died is failed by `expire_stale_reports`. If
    that happened to a job that was only slow, the job notices at its next step and
    stops without overwriting the failure. A report that is not queued is returned as is.
    """
    report = Report.objects.select_related("municipality", "unit").get(pk=report_id)
    started = time.monotonic()
    Status = Report.Status
    if not Report.objects.filter(pk=report.pk, status=Status.QUEUED).update(
            status=Status.RUNNING, progress=5, heartbeat_at=timezone.now(), failure="", error=""):
        return report

    def progress(percent: int) -> None:
        if not Report.objects.filter(pk=report.pk, status=Status.RUNNING).update(
                progress=percent, heartbeat_at=timezone.now()):
            raise jobs.JobLost(report.pk)

    try:
        pdf, pages = build_pdf(report, progress)
    except jobs.JobLost:
        logger.warning("report %s was failed as stale while it was built; it stopped", report.uuid)
    except Exception as exc:  # the worker must record the failure, not die with it
        logger.exception("report %s failed", report.uuid)
        Report.objects.filter(pk=report.pk, status=Status.RUNNING).update(
            status=Status.FAILED, failure=Report.Failure.ERROR, error=f"{type(exc).__name__}: {exc}"[:300],
            finished_at=timezone.now())
    else:
        Report.objects.filter(pk=report.pk, status=Status.RUNNING).update(
            status=Status.DONE, progress=100, pdf=pdf, pdf_size=len(pdf), pages=pages,
            seconds=round(time.monotonic() - started, 2), finished_at=timezone.now(), error="",
        )
    report.refresh_from_db()
    return report


# --- Leases: reports whose worker died ------------------------------------------------------


def _stale_failure(report: Report, now) -> str | None:
    why = jobs.why_stale(report, now)
    if why is None:
        return None
    return Report.Failure.STOPPED if why == jobs.STOPPED else Report.Failure.NOT_STARTED


def _expire(report: Report, failure: str) -> bool:
    """Fail one stale report unless it changed meanwhile (renewed its lease, or ended)."""
    return bool(Report.objects.filter(pk=report.pk, **jobs.unchanged(report)).update(
        status=Report.Status.FAILED, failure=failure, finished_at=timezone.now(),
        error="lease expired" if failure == Report.Failure.STOPPED else "never started"))


def expire_if_stale(report: Report) -> bool:
    """Fail this report when its job is stale (its status page calls it)."""
    failure = _stale_failure(report, timezone.now())
    if failure is None or not _expire(report, failure):
        return False
    report.refresh_from_db()
    return True


def expire_stale_reports() -> int:
    """Fail every report whose worker died (its lease ran out) or that never started (its
    task row is gone, or it waited longer than the queue limit). The user can start it
    again from its page."""
    now = timezone.now()
    expired = 0
    for report in Report.objects.defer("pdf").filter(jobs.candidates(now)):
        failure = _stale_failure(report, now)
        if failure is not None and _expire(report, failure):
            expired += 1
    return expired
