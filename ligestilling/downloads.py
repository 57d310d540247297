"""Every file the product hands out (CSV, XLSX, PDF) leaves through `file_response`.

The file name keeps Danish letters ("ligestilling-emner-2025-01-01-2025-12-31.csv",
"Projektplan for Jobcenter Øst.pdf"): Django's `content_disposition_header` writes it
as RFC 5987 ``filename*=utf-8''…`` when it is not plain ASCII, which every current
browser reads. Characters a file system or a header cannot hold are replaced.
"""

from __future__ import annotations

import re

from django.http import HttpResponse
from django.utils.http import content_disposition_header

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|;]+')


def file_name(*parts: object, ext: str) -> str:
    """``file_name("ligestilling", "emner", ext="csv")`` → ``"ligestilling-emner.csv"``.

    Letters of every language stay (æ, ø, å); path separators, quotes, control characters
    and the like become "-"; the name is at most 120 characters before the extension.
    """
    stem = "-".join(str(p).strip() for p in parts if p is not None and str(p).strip())
    stem = _UNSAFE.sub("-", stem)
    stem = re.sub(r"\s+", " ", stem).strip(" .-")[:120].strip(" .-") or "fil"
    return f"{stem}.{ext}"


def file_response(body: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """The bytes as a download (or shown in the browser when ``inline``), typed by extension."""
    ext = filename.rsplit(".", 1)[-1].lower()
    response = HttpResponse(body, content_type=CONTENT_TYPES.get(ext, "application/octet-stream"))
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response
