"""The one code path from the database to every published number of the reporting app.

`build_dashboard(subject)` returns `Section`s, each holding a `disclosure.Table` (the
numbers, suppression already applied), the plotly figure drawn from that same table and
any text columns (the verdict of a gap). The dashboard page, the CSV/XLSX exports and the
committee PDF all call it, so the same numbers appear on screen, on paper and in Excel.

Counting happens in the database (GROUP BY); a dashboard costs a fixed number of
queries whatever the amount of data. Logbook aggregates come from
`logbooks.selectors.gender_picture`; nothing here reads free text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from accounts.models import Municipality, Unit
from reporting import charts, disclosure
from reporting import statistics as st
from reporting.periods import Period, month_label

SEX_KEYS = (st.KVINDE, st.MAND, st.ANDET, st.UOPLYST)

#: Second dimensions of the dashboard: the Entry field and its choices.
DIMENSIONS = ("age_band", "education", "civil_status", "origin")

SECTION_KEYS = ("by_sex", "topics", "offers", "outcomes", "trend", "dimension", "projects", "indicators")


def sex_labels() -> dict[str, str]:
    return {
        st.KVINDE: _("Women"),
        st.MAND: _("Men"),
        st.ANDET: _("Other"),
        st.UOPLYST: _("Not stated"),
    }


def dimension_choices() -> list[tuple[str, str]]:
    return [
        ("age_band", _("Age band")),
        ("education", _("Education")),
        ("civil_status", _("Civil status")),
        ("origin", _("Origin")),
    ]


def verdict_label(verdict: str | None) -> str:
    return {
        st.SIGNIFICANT: _("Significant difference"),
        st.NOT_SIGNIFICANT: _("Not significant"),
    }.get(verdict or "", _("Too few to say"))


@dataclass(frozen=True)
class Subject:
    """What a dashboard or report covers: a municipality or a unit subtree, in a period."""

    municipality: Municipality
    unit: Unit | None
    unit_ids: tuple[int, ...]
    period: Period
    dimension: str = ""

    @property
    def threshold(self) -> int:
        return disclosure.effective_threshold(self.municipality.suppression_threshold)

    @property
    def label(self) -> str:
        return self.unit.name if self.unit else self.municipality.name


@dataclass(frozen=True)
class Section:
    """One block of the dashboard/report: a table, its chart and text columns."""

    key: str
    title: str
    table: disclosure.Table
    figure: dict | None = None
    #: Extra text columns shown next to the table's cells (e.g. the verdict of a gap),
    #: as (column name, one text per row) pairs.
    text_columns: tuple[tuple[str, tuple[str, ...]], ...] = ()
    description: str = ""
    #: "n = 40 kvinder, 30 mænd": who the numbers are about (from visible cells only).
    n_text: str = ""

    @property
    def rows(self):
        """Rows with their text columns, for templates."""
        texts = [values for _, values in self.text_columns]
        return [
            {"label": row.label, "cells": row.cells, "is_total": row.is_total,
             "texts": [t[i] if i < len(t) else "" for t in texts]}
            for i, row in enumerate(self.table.rows)
        ]

    @property
    def text_headers(self) -> list[str]:
        return [name for name, _ in self.text_columns]

    @property
    def notes(self) -> list[str]:
        return list(self.table.notes) + list(self.table.suppression_notes("da"))


@dataclass(frozen=True)
class Dashboard:
    subject: Subject
    total: disclosure.Cell
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


# --- logbooks --------------------------------------------------------------------------


def _logbook_source(subject: Subject) -> str:
    return _("Logbooks of citizen conversations, %(scope)s, %(period)s.") % {
        "scope": subject.label, "period": subject.period.label()}


def _n_text(picture) -> str:
    """The denominators of the logbook sections, from the published by-sex cells."""
    row = picture.by_sex.cells[0]
    return _("n = %(women)s women, %(men)s men") % {"women": row[0].display(), "men": row[1].display()}


def _gap_section(key: str, title: str, rows, subject: Subject, total_n: int | None, n_text: str) -> Section:
    """A table of GapRows: counts, shares and the gap (women − men) with its verdict.

    Rows are sorted by the size of the gap (largest first); rows whose gap is hidden
    or cannot be judged come last, so the dashboard leads with the largest gaps.
    """
    def order(row):
        hidden = row.gap is None or row.gap.difference is None
        return (hidden, -(abs(row.gap.difference) if not hidden else 0), row.label)

    # Items nobody touched (0 women, 0 men) say nothing about a gap: left out.
    rows = sorted((r for r in rows if r.women.suppressed or r.men.suppressed or r.women.value or r.men.value),
                  key=order)
    columns = (
        _("Women (count)"), _("Share of women"), _("Men (count)"), _("Share of men"),
        _("Difference (women − men)"),
    )
    cells = tuple((r.women, r.women_share, r.men, r.men_share, r.gap_cell) for r in rows)
    table = disclosure.Table(
        title=title,
        row_labels=tuple(r.label for r in rows),
        column_labels=columns,
        cells=cells,
        threshold=subject.threshold,
        n=total_n,
        row_header=_("Item"),
        notes=(_("Share: of the conversations with women (men), how many touched this item. "
                 "Difference in percentage points with 95 % interval; p-values adjusted for many "
                 "comparisons (Benjamini–Hochberg)."),),
        source=_logbook_source(subject),
    )
    verdicts = tuple(verdict_label(r.verdict) for r in rows)
    significant = tuple(r.verdict == st.SIGNIFICANT for r in rows)
    figure = charts.gap_figure(table, significant=significant, n_text=n_text) if rows else None
    return Section(key=key, title=title, table=table, figure=figure,
                   text_columns=((_("Assessment"), verdicts),), n_text=n_text)


def _by_sex_section(picture, subject: Subject) -> Section:
    labels = sex_labels()
    table = replace(
        picture.by_sex,
        title=_("Conversations by the citizen's sex"),
        row_labels=(_("Conversations"),),
        column_labels=(*[labels[k] for k in SEX_KEYS], disclosure.TOTAL_LABEL["da"]),
        row_header=_("Conversations"),
        source=_logbook_source(subject),
    )
    n_text = _n_text(picture)
    return Section(key="by_sex", title=table.title, table=table, n_text=n_text,
                   figure=charts.count_bar_figure(table, axis_title=_("Number of conversations"), n_text=n_text))


def _trend_section(entries, subject: Subject, n_text: str) -> Section:
    counts: dict[tuple[int, int, str], int] = {}
    for month, sex, n in (
        entries.annotate(month=TruncMonth("date")).order_by().values_list("month", "sex").annotate(n=Count("id"))
    ):
        if isinstance(month, dt.datetime):
            month = month.date()
        counts[(month.year, month.month, sex)] = n
    months = subject.period.months
    labels = sex_labels()
    table = disclosure.Table.from_counts(
        [[counts.get((y, m, sex), 0) for sex in SEX_KEYS] for y, m in months],
        row_labels=[month_label(y, m) for y, m in months],
        column_labels=[labels[k] for k in SEX_KEYS],
        threshold=subject.threshold,
        title=_("Conversations by month"),
        row_header=_("Month"),
        source=_logbook_source(subject),
    )
    return Section(key="trend", title=table.title, table=table, n_text=n_text,
                   figure=charts.trend_figure(table, axis_title=_("Number of conversations"), n_text=n_text))


def _dimension_section(entries, subject: Subject, n_text: str) -> Section | None:
    if subject.dimension not in DIMENSIONS:
        return None
    from logbooks import models as lm

    choices = {
        "age_band": lm.AgeBand, "education": lm.Education, "civil_status": lm.CivilStatus, "origin": lm.Origin,
    }[subject.dimension]
    counts = {
        (value, sex): n for value, sex, n in
        entries.order_by().values_list(subject.dimension, "sex").annotate(n=Count("id"))
    }
    name = dict(dimension_choices())[subject.dimension]
    values = list(choices)
    rows = [[counts.get((c.value, sex), 0) for sex in SEX_KEYS] for c in values]
    row_labels = [str(c.label) for c in values]
    if subject.dimension != "age_band":
        # Blank means "not recorded"; count it with "not stated" so nobody is lost from the totals.
        blank = [counts.get(("", sex), 0) for sex in SEX_KEYS]
        if any(blank):
            idx = next(i for i, c in enumerate(values) if c.value == "uoplyst")
            rows[idx] = [a + b for a, b in zip(rows[idx], blank, strict=True)]
    labels = sex_labels()
    table = disclosure.Table.from_counts(
        rows, row_labels=row_labels, column_labels=[labels[k] for k in SEX_KEYS],
        threshold=subject.threshold,
        title=_("Conversations by sex and %(dimension)s") % {"dimension": name.lower()},
        row_header=name, source=_logbook_source(subject),
    )
    shares = table.share_table("column", title=_("Share of each sex by %(dimension)s") % {
        "dimension": name.lower()})
    return Section(
        key="dimension", title=table.title, table=table,
        figure=charts.share_bar_figure(shares, axis_title=_("Share of the sex's conversations"), n_text=n_text),
        n_text=n_text,
        description=_("Bars: the share of all conversations with women (men) that fall in each group, "
                      "with 95 % intervals."),
    )


def logbook_sections(subject: Subject) -> tuple[disclosure.Cell, list[Section]]:
    from logbooks import selectors as logbook_selectors

    picture = logbook_selectors.gender_picture(
        municipality_id=subject.municipality.pk, unit_ids=subject.unit_ids, threshold=subject.threshold,
        date_from=subject.period.date_from, date_to=subject.period.date_to,
    )
    entries = logbook_selectors.entries_in(
        municipality_id=subject.municipality.pk, unit_ids=subject.unit_ids,
        date_from=subject.period.date_from, date_to=subject.period.date_to,
    )
    total_cell = picture.by_sex.cells[0][-1]
    total_n = picture.by_sex.n
    n_text = _n_text(picture)
    sections = [
        _by_sex_section(picture, subject),
        _gap_section("topics", _("Topics raised, by the citizen's sex"), picture.topics, subject, total_n, n_text),
        _gap_section("offers", _("Offers made, by the citizen's sex"), picture.offers, subject, total_n, n_text),
        _gap_section("outcomes", _("Outcomes, by the citizen's sex"), picture.outcomes, subject, total_n,
                     n_text),
        _trend_section(entries, subject, n_text),
    ]
    dim = _dimension_section(entries, subject, n_text)
    if dim is not None:
        sections.append(dim)
    return total_cell, sections


def build_dashboard(subject: Subject) -> Dashboard:
    """Every section of the dashboard for `subject` (bounded number of queries)."""
    total, sections = logbook_sections(subject)
    return Dashboard(subject=subject, total=total, sections=tuple(sections))


# --- other apps ------------------------------------------------------------------------


def integrated_sections() -> set[str]:
    """Report/dashboard sections whose data source (another app) is available."""
    return set()


def project_sections(subject: Subject) -> list[Section]:
    return []


def indicator_sections(subject: Subject) -> list[Section]:
    return []


def workshop_sections(subject: Subject) -> list[Section]:
    return []
