"""Reporting periods, defined once: parse "2025", "2025-03", "2025-01-01:2025-06-30",
"12m" or "ytd", and the month arithmetic behind them.

One parser for the dashboard filter, the report builder and ``manage.py build_report``
so that the same words mean the same dates everywhere:

* **Seneste 12 måneder** (:func:`last_12_months`) are the twelve whole calendar months
  before the current one: on 4 December 2026, 1 December 2025 – 30 November 2026. The
  running month is left out because it is incomplete, and a month that is over does not
  change any more (the national overview, the dashboard and the report agree).
* **År til dato** (:func:`year_to_date`) is 1 January of this year to today.
* A **custom** period (:func:`custom`) is any from–to dates.

Every month step goes through :func:`add_months` (``dateutil.relativedelta``: a day that
does not exist in the target month becomes its last day), so no caller counts months by
hand. Dates and months are written by :func:`date_text` and :func:`month_label` in the
active language (Django's ``date_format``: "3. marts 2025" / "March 3, 2025").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ImproperlyConfigured
from django.utils import formats, translation

from ligestilling.lib.formatting import resolve_lang

MONTHS_DA = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)
MONTHS_SHORT_DA = ("jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec.")

LAST_12_MONTHS = "12m"
YEAR_TO_DATE = "ytd"


# --- Month arithmetic (the one helper) -------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (earlier when negative), clamped to
    the target month's last day: 31 March minus one month is 28 (29) February."""
    return day + relativedelta(months=months)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    return add_months(month_start(day), 1) - dt.timedelta(days=1)


def months_in(date_from: dt.date, date_to: dt.date) -> list[tuple[int, int]]:
    """(year, month) of every month from ``date_from`` to ``date_to``, in order."""
    out = []
    month = month_start(date_from)
    while month <= date_to:
        out.append((month.year, month.month))
        if (month.year, month.month) == (dt.date.max.year, 12):
            break  # December 9999 has no next month
        month = add_months(month, 1)
    return out


MAX_YEARS = 10


def too_long(date_from: dt.date, date_to: dt.date) -> bool:
    """A chosen period longer than :data:`MAX_YEARS` years: refused by the forms, because a
    page draws a row per month and nobody reads 120 of them."""
    return months_between(date_from, date_to) > 12 * MAX_YEARS


def months_between(date_from: dt.date, date_to: dt.date) -> int:
    return (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1


# --- Text --------------------------------------------------------------------------------


def date_text(value: dt.date, lang: str | None = None) -> str:
    """A date as the language writes it ("3. marts 2025", "March 3, 2025"), through
    Django's ``DATE_FORMAT``; ``lang=None`` is the active locale."""
    lang = resolve_lang(lang)
    try:
        with translation.override(lang):
            return formats.date_format(value, "DATE_FORMAT")
    except ImproperlyConfigured:  # without Django settings: the Danish form by hand
        return f"{value.day}. {MONTHS_DA[value.month - 1]} {value.year}"


def date_da(value: dt.date) -> str:
    """A date the Danish way: ``3. marts 2025`` (documents that are always Danish)."""
    return date_text(value, "da")


def month_label(year: int, month: int, lang: str | None = None) -> str:
    """A short month: "jan. 2025" (Danish), "Jan 2025" (English)."""
    if resolve_lang(lang) == "da":
        return f"{MONTHS_SHORT_DA[month - 1]} {year}"
    with translation.override("en"):
        return formats.date_format(dt.date(year, month, 1), "M Y")


# --- Periods -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    date_from: dt.date
    date_to: dt.date
    key: str

    @property
    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every month the period touches, in order."""
        return months_in(self.date_from, self.date_to)

    def label(self, lang: str | None = None) -> str:
        """The dates, e.g. "1. januar 2025 – 31. december 2025" (page headers, files, PDF)."""
        return f"{date_text(self.date_from, lang)} – {date_text(self.date_to, lang)}"


def last_12_months(today: dt.date) -> Period:
    """The twelve whole calendar months before the current one ("Seneste 12 måneder")."""
    this_month = month_start(today)
    return Period(add_months(this_month, -12), this_month - dt.timedelta(days=1), LAST_12_MONTHS)


def year_to_date(today: dt.date) -> Period:
    """1 January of ``today``'s year to ``today`` ("År til dato")."""
    return Period(today.replace(month=1, day=1), today, YEAR_TO_DATE)


def custom(date_from: dt.date, date_to: dt.date) -> Period:
    """Any from–to dates (both included)."""
    if date_from > date_to:
        raise ValueError("Periodens start ligger efter dens slutning.")
    return Period(date_from, date_to, f"{date_from.isoformat()}:{date_to.isoformat()}")


def period_from_dates(date_from: dt.date, date_to: dt.date) -> Period:
    return custom(date_from, date_to)


def parse_period(value: str | None, *, today: dt.date | None = None) -> Period:
    """Parse a period; raises ValueError with a Danish message for anything else."""
    today = today or dt.date.today()
    value = (value or "").strip()
    if value in ("", LAST_12_MONTHS):
        return last_12_months(today)
    if value == YEAR_TO_DATE:
        return year_to_date(today)
    if re.fullmatch(r"\d{4}", value):
        year = int(value)
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), value)
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if match:
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise ValueError(f"Ugyldig måned: {value}")
        first = dt.date(year, month, 1)
        return Period(first, month_end(first), value)
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})", value)
    if match:
        try:
            start, end = dt.date.fromisoformat(match[1]), dt.date.fromisoformat(match[2])
        except ValueError:
            raise ValueError(f"Ugyldig dato i perioden: {value}") from None
        return custom(start, end)
    raise ValueError(f"Ukendt periode: {value!r}. Brug fx 2025, 2025-03, 2025-01-01:2025-06-30, 12m eller ytd.")
