"""The one code path from the database to every published number of the reporting app.

`build_dashboard(subject)` returns `Section`s, each holding a `disclosure.Table` (the
numbers, protection already applied), the plotly figure drawn from that same table and
any text columns (the verdict of a gap). The dashboard page, the CSV/XLSX exports and the
committee PDF all call it, so the same numbers appear on screen, on paper and in Excel.

Counting happens in the database (GROUP BY); a dashboard costs a fixed number of
queries whatever the amount of data. Every count is read together with the sum of its
records' keys (``SUM(record_key)``) and published through the cell-key method
(`disclosure.Table.from_keyed`, `disclosure.Cell.protect`). A total or a month built from
several rows of one GROUP BY is their keyed sum, the same count and key a direct query of
that set of conversations gives: the same conversations get the same number on every
page, whichever unit, period or filter they were reached by, so subtracting two outputs
gives noise, not a person. Logbook aggregates come from
`logbooks.selectors.gender_picture`; nothing here reads free text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace

from django.apps import apps
from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts import versions
from accounts.models import Municipality, Unit
from datasets import selectors as dataset_selectors
from datasets.models import Dataset, Indicator, Measure
from ligestilling.lib import disclosure
from ligestilling.lib import statistics as st
from ligestilling.lib.periods import Period, date_da, month_label
from ligestilling.lib.verdicts import verdict_label
from logbooks import models as lm
from logbooks import selectors as logbook_selectors
from projects import measures
from projects.models import Criterion, Project
from reporting import charts
from workshops.models import Workshop

SEX_KEYS = (st.KVINDE, st.MAND, st.ANDET, st.UOPLYST)
#: Breakdowns (months, age bands, ...) compare women and men only: the few conversations
#: with "andet"/"uoplyst" would be "<5" in almost every cell and say nothing. They are
#: counted in the by-sex table.
PAIR = (st.KVINDE, st.MAND)

#: Second dimensions of the dashboard: the Entry field and its choices.
DIMENSIONS = ("age_band", "education", "civil_status", "origin")

#: Entries are keyed on the data version and never go stale; the expiry only returns
#: memory from dashboards nobody opens again.
DASHBOARD_CACHE_SECONDS = 24 * 3600

SECTION_KEYS = ("by_sex", "topics", "offers", "outcomes", "trend", "units", "dimension", "projects", "indicators")


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


@dataclass(frozen=True)
class Subject:
    """What a dashboard or report covers: a municipality or a unit subtree, in a period."""

    municipality: Municipality
    unit: Unit | None
    unit_ids: tuple[int, ...]
    period: Period
    dimension: str = ""
    #: Dashboard only: one project to show (None: all active projects of the units).
    project: object | None = None
    #: Dataset indicators are shown to lederes and analysts (access.ANALYSE), not to caseworkers.
    include_indicators: bool = True
    #: The units whose datasets the viewer may read (DATASETS of accounts.roles; the rule is
    #: datasets.models.DatasetQuerySet.for_units). None: the subject's units (a report).
    dataset_unit_ids: tuple[int, ...] | None = None

    def readable_datasets(self):

        if not self.include_indicators:
            return Dataset.objects.for_units(self.municipality.pk, ())
        ids = self.unit_ids if self.dataset_unit_ids is None else self.dataset_unit_ids
        return Dataset.objects.for_units(self.municipality.pk, ids)

    @property
    def threshold(self) -> int:
        return disclosure.effective_threshold(self.municipality.suppression_threshold)

    @property
    def label(self) -> str:
        if self.unit is not None:
            return self.unit.name
        if self.project is not None:
            return self.project.title
        return self.municipality.name


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
    #: The verdict code of each row (`ligestilling.lib.verdicts`) where the section judges
    #: gaps: summaries count these codes, never the translated text beside them.
    verdicts: tuple[str | None, ...] = ()

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
        return list(self.table.notes) + list(self.table.suppression_notes())


@dataclass(frozen=True)
class Dashboard:
    subject: Subject
    total: disclosure.Cell
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def n_text(self) -> str:
        by_sex = self.section("by_sex")
        return by_sex.n_text if by_sex else ""


# --- logbooks --------------------------------------------------------------------------


def _logbook_source(subject: Subject) -> str:
    return _("Logbooks of citizen conversations, %(scope)s, %(period)s.") % {
        "scope": subject.label, "period": subject.period.label()}


def _n_text(picture) -> str:
    """The denominators of the logbook sections, from the published by-sex cells."""
    row = picture.by_sex.cells[0]
    return _("n = %(women)s women, %(men)s men") % {"women": row[0].display(), "men": row[1].display()}


def _gap_section(key: str, title: str, rows, subject: Subject, total_n: int | None, n_text: str,
                 perturbed: bool = False) -> Section:
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
        perturbed=perturbed,
    )
    verdicts = tuple(verdict_label(r.verdict) for r in rows)
    significant = tuple(r.verdict == st.SIGNIFICANT for r in rows)
    figure = charts.gap_figure(table, significant=significant, n_text=n_text) if rows else None
    return Section(key=key, title=title, table=table, figure=figure,
                   text_columns=((_("Assessment"), verdicts),), n_text=n_text,
                   verdicts=tuple(r.verdict for r in rows))


def _by_sex_section(picture, subject: Subject) -> Section:
    labels = sex_labels()
    table = replace(
        picture.by_sex,
        title=_("Conversations by the citizen's sex"),
        row_labels=(_("Conversations"),),
        column_labels=(*[labels[k] for k in SEX_KEYS], _("Total")),
        row_header=_("Conversations"),
        source=_logbook_source(subject),
    )
    n_text = _n_text(picture)
    return Section(key="by_sex", title=table.title, table=table, n_text=n_text,
                   figure=charts.count_bar_figure(table, axis_title=_("Number of conversations"), n_text=n_text))


Month = tuple[int, int, str]


def _month_key(month) -> tuple[int, int]:
    if isinstance(month, dt.datetime):
        month = month.date()
    return month.year, month.month


def _monthly(rows) -> dict[Month, disclosure.Keyed]:
    """(year, month, sex) -> keyed count, from rows (month, sex, keyed count).

    Several rows of one month (e.g. one per unit) add up as keyed counts: the month's
    count and key are those of its conversations, whichever rows they came in."""
    counts: dict[Month, disclosure.Keyed] = {}
    for month, sex, keyed in rows:
        key = (*_month_key(month), sex)
        counts[key] = counts.get(key, disclosure.ZERO) + keyed
    return counts


def _gap_trend_topic(topics: Section) -> str | None:
    """The topic of the gap trend: the largest visible gap of the topics table, if any."""
    if not topics.table.row_labels:
        return None
    first = topics.table.cells[0][-1]
    if first.suppressed or first.value is None:
        return None
    return topics.table.row_labels[0]


def _entry_counts(entries, subject: Subject) -> list[tuple]:
    """(month, unit id, dimension value, sex, keyed count) from one GROUP BY: the trend,
    the units and the dimension sections are keyed sums of it. The unit (dimension) is
    None when the subject has one unit (no dimension is chosen).

    The key sum comes in the same query as the count (the covering index holds
    record_key), so protecting the numbers costs no query."""
    keys = ["month", "unit_id" if len(subject.unit_ids) >= 2 else None,
            subject.dimension if subject.dimension in DIMENSIONS else None, "sex"]
    fields = [k for k in keys if k]
    rows = (entries.annotate(month=TruncMonth("date")).order_by().values_list(*fields)
            .annotate(n=Count("id"), k=Sum("record_key")).values_list(*fields, "n", "k"))
    out = []
    width = len(fields)
    for row in rows:
        it = iter(row[:width])
        out.append((*[next(it) if k else None for k in keys], disclosure.Keyed.of(row[width], row[width + 1])))
    return out


def _topic_hits(subject: Subject, topic_label: str) -> dict[Month, disclosure.Keyed]:
    """Conversations per (year, month, sex) that touched the topic (any of the subject's
    list items with this label), from the topics' own copies of unit, date, sex and
    record key."""
    # The topic's list items first (a few ids of this municipality; the label recurs in every unit's list).
    topic_ids = list(lm.ListItem.objects.filter(municipality=subject.municipality, kind=lm.ListItem.Kind.TOPIC,
                                             label=topic_label).values_list("pk", flat=True))
    # count(*), not count(DISTINCT entry): an entry holds a topic at most once, and one
    # entry holds at most one of the items with this label (one list per unit).
    rows = (lm.EntryTopic.objects.filter(municipality=subject.municipality, unit_id__in=subject.unit_ids,
                                      date__gte=subject.period.date_from, date__lte=subject.period.date_to,
                                      topic_id__in=topic_ids)
            .annotate(month=TruncMonth("date")).order_by().values_list("month", "sex")
            .annotate(n=Count("*"), k=Sum("record_key")))
    return _monthly((month, sex, disclosure.Keyed.of(n, k)) for month, sex, n, k in rows)


def _pair_note() -> str:
    return _("Women and men; conversations with other or unstated sex are in the table by sex.")


def _trend_section(subject: Subject, n_text: str, entry_counts) -> tuple[Section, dict[Month, disclosure.Keyed]]:
    counts = _monthly((month, sex, keyed) for month, _unit, _value, sex, keyed in entry_counts)
    months = subject.period.months
    labels = sex_labels()
    table = disclosure.Table.from_keyed(
        [[counts.get((y, m, sex), disclosure.ZERO) for sex in PAIR] for y, m in months],
        row_labels=[month_label(y, m) for y, m in months],
        column_labels=[labels[k] for k in PAIR],
        threshold=subject.threshold,
        title=_("Conversations by month"),
        row_header=_("Month"),
        notes=[_pair_note()],
        source=_logbook_source(subject),
        total_label=_("Total"),
    )
    return Section(key="trend", title=table.title, table=table, n_text=n_text,
                   figure=charts.trend_figure(table, axis_title=_("Number of conversations"), n_text=n_text)), counts


def _month_gap(hits: dict[Month, disclosure.Keyed], monthly_n: dict[Month, disclosure.Keyed],
               keys: list[tuple[int, int]], threshold: int) -> tuple[disclosure.Cell, str | None]:
    """The gap (women − men) of one month or quarter, and its verdict code.

    The 2x2 table [touched, not touched] x [women, men] is protected cell by cell; the
    gap is computed from its protected numbers (the column totals are the month's women
    and men, the very numbers of the trend table), and hidden when any of them is "<N",
    so neither "two women" nor "all but two women" can be read back from a share."""
    def total(source, sex):
        return disclosure.keyed_sum(source.get((y, m, sex), disclosure.ZERO) for y, m in keys)

    w, m = total(hits, st.KVINDE), total(hits, st.MAND)
    wn, mn = total(monthly_n, st.KVINDE), total(monthly_n, st.MAND)
    if wn.count == 0 or mn.count == 0:
        return disclosure.Cell(value=None, kind=disclosure.PP, threshold=threshold), st.TOO_FEW
    two_by_two = disclosure.Table.from_keyed([[w, m], [wn - w, mn - m]], row_labels=["ja", "nej"],
                                             column_labels=["kvinde", "mand"], threshold=threshold)
    if any(c.suppressed for row in two_by_two.cells for c in row):
        return disclosure.Cell(kind=disclosure.PP, reason=disclosure.DERIVED, threshold=threshold), st.TOO_FEW
    (women, men, _t), _not, (women_n, men_n, _tt) = two_by_two.cells
    cell, gap = disclosure.shown_gap(women, women_n, men, men_n, threshold=threshold)
    return cell, gap.verdict if gap else st.TOO_FEW


def _gap_trend_section(subject: Subject, topics: Section, monthly_n: dict[Month, disclosure.Keyed]) -> Section | None:
    """The largest topic gap of the period, month by month (women − men, Newcombe interval).

    Each month is its own 2x2 table with its totals, protected like the topic tables:
    a month whose counts would be hidden shows its marker instead of a point.
    """
    label = _gap_trend_topic(topics)
    if label is None:
        return None
    hits = _topic_hits(subject, label)
    threshold = subject.threshold

    def gap_cells(buckets):
        found = [_month_gap(hits, monthly_n, keys, threshold) for _label, keys in buckets]
        return [(cell,) for cell, _v in found], [verdict_label(v) for _c, v in found]

    months = subject.period.months
    buckets = [(month_label(y, m), [(y, m)]) for y, m in months]
    cells, verdicts = gap_cells(buckets)
    by_quarter = False
    if len(months) > 6 and sum(c[0].value is None for c in cells) > len(cells) / 2:
        # Most months are too thin to show: quarters say more, with the same protection.
        quarters: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for y, m in months:
            quarters.setdefault((y, (m - 1) // 3 + 1), []).append((y, m))
        buckets = [(_("Q%(quarter)s %(year)s") % {"quarter": q, "year": y}, keys) for (y, q), keys in quarters.items()]
        cells, verdicts = gap_cells(buckets)
        by_quarter = True
    title = (_("The largest gap quarter by quarter: %(topic)s") if by_quarter
             else _("The largest gap month by month: %(topic)s")) % {"topic": label}
    table = disclosure.Table(
        title=title,
        row_labels=tuple(name for name, _keys in buckets),
        column_labels=(_("Difference (women − men)"),),
        cells=tuple(cells), threshold=threshold, row_header=_("Quarter") if by_quarter else _("Month"),
        notes=(_("Each period compared on its own (not adjusted for many comparisons): the share of the period's "
                 "conversations with women (men) that touched the topic."),
               _("The differences are computed from the published counts, which are changed at random by at "
                 "most ±2 to protect individuals."),),
        source=_logbook_source(subject),
    )
    return Section(
        key="gap_trend", title=table.title, table=table, text_columns=((_("Assessment"), tuple(verdicts)),),
        figure=charts.gap_trend_figure(table, axis_title=_("Difference in percentage points (women − men)")),
    )


def _dimension_section(subject: Subject, n_text: str, entry_counts) -> Section | None:
    if subject.dimension not in DIMENSIONS:
        return None
    choices = {
        "age_band": lm.AgeBand, "education": lm.Education, "civil_status": lm.CivilStatus, "origin": lm.Origin,
    }[subject.dimension]
    counts: dict[tuple[str, str], disclosure.Keyed] = {}
    for _month, _unit, value, sex, keyed in entry_counts:
        counts[(value, sex)] = counts.get((value, sex), disclosure.ZERO) + keyed
    name = dict(dimension_choices())[subject.dimension]
    values = list(choices)
    rows = [[counts.get((c.value, sex), disclosure.ZERO) for sex in PAIR] for c in values]
    row_labels = [str(c.label) for c in values]
    if subject.dimension != "age_band":
        # Blank means "not recorded"; count it with "not stated" so nobody is lost from the totals.
        blank = [counts.get(("", sex), disclosure.ZERO) for sex in PAIR]
        if any(b.count for b in blank):
            idx = next(i for i, c in enumerate(values) if c.value == "uoplyst")
            rows[idx] = [a + b for a, b in zip(rows[idx], blank, strict=True)]
    labels = sex_labels()
    table = disclosure.Table.from_keyed(
        rows, row_labels=row_labels, column_labels=[labels[k] for k in PAIR],
        threshold=subject.threshold, total_label=_("Total"),
        notes=[_pair_note()],
        title=_("Conversations by sex and %(dimension)s") % {"dimension": name.lower()},
        row_header=name, source=_logbook_source(subject),
    )
    # Shares from the numbers shown (disclosure.shown_share), so they agree with the table.
    shares = table.share_table("column", title=_("Share of each sex by %(dimension)s") % {
        "dimension": name.lower()})
    return Section(
        key="dimension", title=table.title, table=table,
        figure=charts.share_bar_figure(shares, axis_title=_("Share of the sex's conversations"), n_text=n_text),
        n_text=n_text,
        description=_("Bars: the share of all conversations with women (men) that fall in each group, "
                      "with 95 % intervals."),
    )


def _units_section(subject: Subject, n_text: str, entry_counts) -> Section | None:
    """Women and men per unit of the subtree (only when the subject covers several units)."""
    if len(subject.unit_ids) < 2:
        return None
    counts: dict[tuple[int, str], disclosure.Keyed] = {}
    for _month, unit_id, _value, sex, keyed in entry_counts:
        if sex in PAIR:
            counts[(unit_id, sex)] = counts.get((unit_id, sex), disclosure.ZERO) + keyed
    used = {unit_id for unit_id, _sex in counts}
    units = [u for u in Unit.objects.filter(pk__in=subject.unit_ids).order_by("path") if u.pk in used]
    if len(units) < 2:
        return None
    labels = sex_labels()
    table = disclosure.Table.from_keyed(
        [[counts.get((u.pk, sex), disclosure.ZERO) for sex in PAIR] for u in units],
        row_labels=[u.name for u in units], column_labels=[labels[k] for k in PAIR],
        threshold=subject.threshold, total_label=_("Total"),
        title=_("Conversations by unit and sex"), row_header=_("Unit"),
        notes=[_pair_note()],
        source=_logbook_source(subject),
    )
    # Shares from the numbers shown (disclosure.shown_share), so they agree with the table.
    shares = table.share_table("row")
    return Section(
        key="units", title=table.title, table=table, n_text=n_text,
        figure=charts.share_bar_figure(shares, axis_title=_("Share of the unit's conversations"), n_text=n_text),
        description=_("Bars: of each unit's conversations, the share with women and with men, with 95 % "
                      "intervals."),
    )


def logbook_sections(subject: Subject) -> tuple[disclosure.Cell, list[Section]]:
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
    # The counts of the gap tables are protected like the table by sex (cell keys in
    # logbooks.selectors.gender_picture); their footnote says so when they are.
    perturbed = picture.by_sex.perturbed
    sections = [
        _by_sex_section(picture, subject),
        _gap_section("topics", _("Topics raised, by the citizen's sex"), picture.topics, subject, total_n, n_text,
                     perturbed),
        _gap_section("offers", _("Offers made, by the citizen's sex"), picture.offers, subject, total_n, n_text,
                     perturbed),
        _gap_section("outcomes", _("Outcomes, by the citizen's sex"), picture.outcomes, subject, total_n,
                     n_text, perturbed),
    ]
    entry_counts = _entry_counts(entries, subject)
    trend, monthly_n = _trend_section(subject, n_text, entry_counts)
    sections.append(trend)
    gap_trend = _gap_trend_section(subject, sections[1], monthly_n)
    if gap_trend is not None:
        sections.append(gap_trend)
    for extra in (_units_section(subject, n_text, entry_counts),
                  _dimension_section(subject, n_text, entry_counts)):
        if extra is not None:
            sections.append(extra)
    if picture.total == 0:
        # Nothing logged in the period: empty axes would only look like a finding.
        sections = [replace(s, figure=None, description=_("No conversations were logged in the period."))
                    for s in sections]
    return total_cell, sections


def build_dashboard(subject: Subject) -> Dashboard:
    """Every section of the dashboard for `subject` (bounded number of queries)."""
    total, sections = logbook_sections(subject)
    available = integrated_sections()
    if "projects" in available:
        sections += project_sections(subject, project=subject.project)
    if "indicators" in available and subject.include_indicators:
        sections += indicator_sections(subject)
    return Dashboard(subject=subject, total=total, sections=tuple(sections))


def dashboard_cache_key(subject: Subject) -> str:
    """Everything a dashboard's numbers and texts depend on, the data version included.

    The version (`accounts.versions`) moves in the same transaction as any change of the
    data, so an entry under an old key is simply never asked for again; no expiry and no
    invalidation is needed. Today's date is part of the key because project statuses and
    "the last 12 months" move with it; the language because the texts are translated.
    """
    parts = (
        versions.current(subject.municipality.pk), get_language(), timezone.localdate().isoformat(),
        subject.municipality.pk, subject.threshold, subject.unit.pk if subject.unit else None, subject.unit_ids,
        subject.period.date_from.isoformat(), subject.period.date_to.isoformat(), subject.dimension,
        subject.project.pk if subject.project is not None else None, subject.include_indicators,
        subject.dataset_unit_ids,
    )
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"dashboard:{subject.municipality.pk}:{digest}"


def cached_dashboard(subject: Subject) -> Dashboard:
    """`build_dashboard`, kept in the cache under `dashboard_cache_key` (the dashboard page
    and its exports; the committee PDF always counts afresh)."""
    key = dashboard_cache_key(subject)
    found = cache.get(key)
    if found is None:
        board = build_dashboard(subject)
        cache.set(key, (board.total, board.sections), DASHBOARD_CACHE_SECONDS)
        return board
    total, sections = found
    return Dashboard(subject=subject, total=total, sections=sections)


# --- other apps ------------------------------------------------------------------------
#
# Projects, datasets and workshops are optional integrations (`integrated_sections` checks
# that each is installed), so their modules are imported where their section is built.

#: Caps that keep a dashboard's query count bounded whatever the amount of data.
MAX_PROJECTS = 8
MAX_CRITERIA = 6
MAX_INDICATORS = 6
MAX_WORKSHOPS = 50


def integrated_sections() -> set[str]:
    """Report/dashboard sections whose data source (another app) is installed."""
    found = set()
    for key, label in (("projects", "projects"), ("indicators", "datasets"), ("workshops", "workshops")):
        if apps.is_installed(label):
            try:
                apps.get_app_config(label).get_model({"projects": "Project", "datasets": "Indicator",
                                                      "workshops": "Workshop"}[label])
            except LookupError:
                continue
            found.add(key)
    return found


def _empty(kind: str, threshold: int) -> disclosure.Cell:
    return disclosure.Cell(value=None, kind=kind, threshold=threshold)


def projects_for(subject: Subject, *, active_only: bool = True):
    """Projects involving a unit of the subject: active ones, or those overlapping the period."""

    qs = Project.objects.filter(municipality=subject.municipality, units__in=subject.unit_ids)
    if active_only:
        qs = qs.filter(status=Project.Status.ACTIVE)
    else:
        qs = qs.filter(status__in=[Project.Status.ACTIVE, Project.Status.COMPLETED],
                       start_date__lte=subject.period.date_to, end_date__gte=subject.period.date_from)
    ids = qs.values("pk")
    return Project.objects.filter(pk__in=ids).order_by("title")


def project_sections(subject: Subject, *, project=None, active_only: bool = True) -> list[Section]:
    """The success criteria of the projects, with their latest measurement and status.

    One row per criterion: the women's and the men's share in the latest period (Wilson
    intervals), the gap, and the status computed by `projects.measures.evaluate`.
    """

    qs = projects_for(subject, active_only=active_only)
    if project is not None:
        qs = qs.filter(pk=project.pk)
    projects = list(qs.prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.select_related("logbook_item", "dataset_indicator")
                 .prefetch_related("measurements__cycle", "measurements__entered_by").order_by("pk")),
    )[:MAX_PROJECTS])
    threshold = subject.threshold
    # A dataset criterion's figures only for those who may read its dataset.
    indicator_ids = [c.dataset_indicator_id for p in projects for c in p.criteria.all()
                     if c.kind == Criterion.Kind.DATASET and c.dataset_indicator_id]
    datasets = set(subject.readable_datasets().filter(indicators__in=indicator_ids).values_list("pk", flat=True)
                   ) if indicator_ids else set()
    labels, cells, statuses, periods_ = [], [], [], []
    for p in projects:
        for criterion in list(p.criteria.all())[:MAX_CRITERIA]:
            if (criterion.kind == Criterion.Kind.DATASET and criterion.dataset_indicator_id
                    and criterion.dataset_indicator.dataset_id not in datasets):
                continue
            criterion.project = p
            evaluation = measures.evaluate(criterion, threshold)
            latest = evaluation.latest
            women = latest.women.share if latest and latest.women else _empty(disclosure.SHARE, threshold)
            men = latest.men.share if latest and latest.men else _empty(disclosure.SHARE, threshold)
            gap = latest.gap if latest and latest.gap else _empty(disclosure.PP, threshold)
            definition = criterion.definition.strip().splitlines()[0][:90] if criterion.definition.strip() else ""
            labels.append(f"{p.title}: {definition}" if definition else p.title)
            cells.append((women, men, gap))
            statuses.append(str(evaluation.status_label))
            periods_.append(latest.period.label if latest else "–")
    if not labels:
        return []
    table = disclosure.Table(
        title=_("Success criteria of the projects"),
        row_labels=tuple(labels),
        column_labels=(_("Women"), _("Men"), _("Difference (women − men)")),
        cells=tuple(cells),
        threshold=threshold,
        row_header=_("Project and criterion"),
        notes=(_("The latest measurement of each criterion: the share of women and of men, with 95 % intervals."),),
        source=_("The projects' success criteria and measurements, %(scope)s.") % {"scope": subject.label},
    )
    return [Section(
        key="projects", title=table.title, table=table,
        figure=charts.share_bar_figure(table, axis_title=_("Share (latest measurement)"),
                                       n_text=_("Criteria: %(count)s") % {"count": len(labels)}),
        text_columns=((_("Status"), tuple(statuses)), (_("Latest period"), tuple(periods_))),
    )]


def indicator_sections(subject: Subject) -> list[Section]:
    """The municipality's dataset indicators that have a national reference, side by side with it."""

    indicators = list(
        Indicator.objects.filter(dataset__municipality=subject.municipality, reference__isnull=False)
        .filter(Q(dataset__unit__isnull=True) | Q(dataset__unit_id__in=subject.unit_ids))
        .filter(dataset__in=subject.readable_datasets())
        .select_related("dataset", "reference__dataset").order_by("dataset__title", "position", "name")[:MAX_INDICATORS]
    )
    threshold = subject.threshold
    sections = []
    # One aggregate query for the indicators and their national references.
    results = dataset_selectors.indicator_tables(indicators, threshold=threshold)
    for k, (indicator, result) in enumerate(zip(indicators, results, strict=True), start=1):
        if not result.rows:
            continue
        rows = [(f"{subject.municipality.name}, {result.rows[0].label}", result.rows[0])]
        if result.reference is not None:
            rows.append((str(result.reference.label), result.reference))
        kind = disclosure.SHARE if indicator.measure == Measure.SHARE else None
        cells, verdicts = [], []
        for _label, row in rows:
            women = row.figures.get(st.KVINDE)
            men = row.figures.get(st.MAND)
            cells.append((
                women.value if women else _empty(kind or disclosure.MEAN, threshold),
                men.value if men else _empty(kind or disclosure.MEAN, threshold),
                row.gap if row.gap is not None else _empty(disclosure.PP, threshold),
                women.base if women else _empty(disclosure.COUNT, threshold),
                men.base if men else _empty(disclosure.COUNT, threshold),
            ))
            verdicts.append(row.verdict_text or "–")
        sources = [f"{indicator.dataset.title}" + (f" ({indicator.dataset.source})" if indicator.dataset.source else "")]
        if result.reference is not None:
            sources.append(f"{indicator.reference.dataset.title}: {result.reference_source}")
        table = disclosure.Table(
            title=indicator.name,
            row_labels=tuple(label for label, _row in rows),
            column_labels=(_("Women"), _("Men"), _("Difference (women − men)"), _("Women (n)"), _("Men (n)")),
            cells=tuple(cells),
            threshold=threshold,
            row_header=str(indicator.get_measure_display()),
            notes=tuple(result.notes),
            source="; ".join(sources),
        )
        sections.append(Section(
            key=f"indicator-{k}", title=indicator.name, table=table,
            figure=charts.value_bar_figure(table, axis_title=str(indicator.get_measure_display()),
                                           percent=kind == disclosure.SHARE, n_text=" "),
            text_columns=((_("Assessment"), tuple(verdicts)),),
            description=_("The municipality's latest figure next to the national figure."),
        ))
    return sections


def workshop_sections(subject: Subject) -> list[Section]:
    """Workshops held in the period by the subject's units (for the committee report)."""

    ids = Workshop.objects.filter(
        municipality=subject.municipality, units__in=subject.unit_ids,
        date__gte=subject.period.date_from, date__lte=subject.period.date_to,
    ).values("pk")
    workshops = list(Workshop.objects.filter(pk__in=ids).annotate(people=Count("participants", distinct=True))
                     .order_by("date")[:MAX_WORKSHOPS])
    if not workshops:
        return []
    table = disclosure.Table(
        title=_("Workshops held"),
        row_labels=tuple(w.title for w in workshops),
        column_labels=(_("Participants"),),
        cells=tuple((disclosure.Cell(value=w.people, kind=disclosure.COUNT, threshold=subject.threshold),)
                    for w in workshops),
        threshold=subject.threshold,
        row_header=_("Workshop"),
        source=_("The workshops app, %(scope)s.") % {"scope": subject.label},
    )
    return [Section(
        key="workshops", title=table.title, table=table,
        text_columns=((_("Date"), tuple(date_da(w.date) for w in workshops)),
                      (_("Length"), tuple(str(w.get_length_display()) for w in workshops))),
    )]
