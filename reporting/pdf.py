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

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from reporting import documents
from reporting.models import Report

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_started = False

SVG_WIDTH = 640
#: Tagged PDF for screen readers (structure, document language and title); PDF 1.7.
PDF_VARIANT = "pdf/ua-1"


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
        from weasyprint import HTML

        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
        rendered = HTML(string=html, base_url=str(settings.BASE_DIR)).render(pdf_variant=PDF_VARIANT)
        pages = len(rendered.pages)
        if progress:
            progress(90)
        return rendered.write_pdf(pdf_variant=PDF_VARIANT), pages


def generate(report_id: int) -> Report:
    """Run one report to the end, recording progress and the outcome on the row."""
    report = Report.objects.select_related("municipality", "unit").get(pk=report_id)
    started = time.monotonic()

    def progress(percent: int) -> None:
        Report.objects.filter(pk=report.pk).update(progress=percent, status=Report.Status.RUNNING)

    progress(5)
    try:
        pdf, pages = build_pdf(report, progress)
    except Exception as exc:  # the worker must record the failure, not die with it
        logger.exception("report %s failed", report.uuid)
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:300], finished_at=timezone.now())
        report.refresh_from_db()
        return report
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.DONE, progress=100, pdf=pdf, pdf_size=len(pdf), pages=pages,
        seconds=round(time.monotonic() - started, 2), finished_at=timezone.now(), error="",
    )
    report.refresh_from_db()
    return report
