"""The one way the product turns HTML into PDF (committee report, project plan, workshop
agenda, focus-group guide).

Every PDF is tagged (PDF/UA-1: structure, document language and title) so screen readers
can read it, and is rendered with the project directory as base URL, so stylesheets and
images are read from disk and never fetched over the network during a request.
"""

from __future__ import annotations

import logging

from django.conf import settings

#: Tagged PDF for screen readers (structure, document language and title); PDF 1.7.
PDF_VARIANT = "pdf/ua-1"


def render_pdf(html: str, *, base_url: str | None = None) -> tuple[bytes, int]:
    """The PDF bytes of ``html`` and its page count."""
    # Heavy (fonts, cairo): loaded by the first PDF, not by every process.
    from weasyprint import HTML

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    rendered = HTML(string=html, base_url=base_url or str(settings.BASE_DIR)).render(pdf_variant=PDF_VARIANT)
    return rendered.write_pdf(pdf_variant=PDF_VARIANT), len(rendered.pages)
