"""The verdict of a women-versus-men comparison: one code, one label.

Results carry the code (`statistics.SIGNIFICANT`, `NOT_SIGNIFICANT`, `TOO_FEW`), never
display text, so a summary counts significant rows by their code and not by matching a
translation. Every output (dashboard, logbook analysis, dataset page, CSV/XLSX, PDF)
writes the verdict with :func:`verdict_label`, so it reads the same everywhere.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from ligestilling.lib.statistics import NOT_SIGNIFICANT, SIGNIFICANT, TOO_FEW

CODES = (SIGNIFICANT, NOT_SIGNIFICANT, TOO_FEW)


def verdict_label(code: str | None) -> str:
    """The verdict in the active language ("Signifikant forskel" in Danish).

    No code (``None`` or ``""``: the gap is hidden or could not be computed) reads as
    "too few to say", the same as a gap with too few people behind it.
    """
    if code == SIGNIFICANT:
        return _("Significant difference")
    if code == NOT_SIGNIFICANT:
        return _("Not significant")
    if code in (TOO_FEW, None, ""):
        return _("Too few to say")
    raise ValueError(f"unknown verdict {code!r}; use one of {CODES}")
