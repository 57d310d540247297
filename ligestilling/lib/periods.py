"""Reporting periods: parse "2025", "2025-03", "2025-01-01:2025-06-30" or "12m".

One parser for the dashboard filter, the report builder and ``manage.py build_report``
so that the same words mean the same dates everywhere.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTHS_DA = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)
MONTHS_SHORT_DA = ("jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec.")

LAST_12_MONTHS = "12m"


@dataclass(frozen=True)
class Period:
    date_from: dt.date
    date_to: dt.date
    key: str

    @property
    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every month the period touches, in order."""
        out = []
        y, m = self.date_from.year, self.date_from.month
        while (y, m) <= (self.date_to.year, self.date_to.month):
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def label(self) -> str:
        """Danish text, e.g. "1. januar 2025 – 31. december 2025"."""
        return f"{date_da(self.date_from)} – {date_da(self.date_to)}"


def date_da(value: dt.date) -> str:
    """A date the Danish way: ``3. marts 2025``."""
    return f"{value.day}. {MONTHS_DA[value.month - 1]} {value.year}"


def month_label(year: int, month: int) -> str:
    return f"{MONTHS_SHORT_DA[month - 1]} {year}"


def last_12_months(today: dt.date) -> Period:
    start_year, start_month = (today.year - 1, today.month + 1) if today.month < 12 else (today.year, 1)
    return Period(dt.date(start_year, start_month, 1), today, LAST_12_MONTHS)


def parse_period(value: str | None, *, today: dt.date | None = None) -> Period:
    """Parse a period; raises ValueError with a Danish message for anything else."""
    today = today or dt.date.today()
    value = (value or "").strip()
    if value in ("", LAST_12_MONTHS):
        return last_12_months(today)
    if re.fullmatch(r"\d{4}", value):
        year = int(value)
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), value)
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if match:
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise ValueError(f"Ugyldig måned: {value}")
        last = calendar.monthrange(year, month)[1]
        return Period(dt.date(year, month, 1), dt.date(year, month, last), value)
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})", value)
    if match:
        try:
            start, end = dt.date.fromisoformat(match[1]), dt.date.fromisoformat(match[2])
        except ValueError:
            raise ValueError(f"Ugyldig dato i perioden: {value}") from None
        if start > end:
            raise ValueError("Periodens start ligger efter dens slutning.")
        return Period(start, end, value)
    raise ValueError(f"Ukendt periode: {value!r}. Brug fx 2025, 2025-03 eller 2025-01-01:2025-06-30.")


def period_from_dates(date_from: dt.date, date_to: dt.date) -> Period:
    return Period(date_from, date_to, f"{date_from.isoformat()}:{date_to.isoformat()}")
