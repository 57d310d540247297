"""Reads for the dataset pages and exports: indicator tables split by sex.

Every number passes through the statistics core (`ligestilling.lib.statistics`) and the
disclosure control (`ligestilling.lib.disclosure`). Every count of persons is protected by
the cell-key method: imported figures have no records to carry keys, so each published cell
gets its key from a keyed hash of its identity (`cell_key`), and the same cell shows the same
number on the page, in the CSV/XLSX export and in reports. Counts of 1 … N−1 show "<N",
larger counts get a small fixed noise, and shares and tests of shares are computed from the
protected numbers shown, so a table never contradicts itself. The women-versus-men tests
shown together on the dataset page are adjusted as one Benjamini–Hochberg family.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, FloatField, Q, Sum
from django.db.models.functions import Coalesce, Floor
from django.utils.translation import gettext as _

from ligestilling.lib import disclosure as dc
from ligestilling.lib import formatting as fmt
from ligestilling.lib import statistics as st
from ligestilling.lib.verdicts import verdict_label

from .models import (
    DIMENSIONS,
    CivilStatus,
    Dataset,
    Education,
    Indicator,
    Measure,
    Observation,
    Origin,
    Sex,
)

SHOWN_SEXES = (Sex.KVINDE, Sex.MAND)


def dimension_choices() -> list[tuple[str, str]]:
    return [
        ("", _("None (sex only)")),
        ("age_band", _("Age band")),
        ("education", _("Education")),
        ("civil_status", _("Civil status")),
        ("origin", _("Origin")),
    ]


def category_label(dimension: str, value: str) -> str:
    choices = {"education": Education, "civil_status": CivilStatus, "origin": Origin}.get(dimension)
    if choices is not None:
        try:
            return str(choices(value).label)
        except ValueError:
            return value
    if dimension == "age_band" and value:
        return _("%(band)s years") % {"band": value}
    return value


def period_label(value: str) -> str:
    if "K" in value:
        year, quarter = value.split("K")
        return _("%(year)s, quarter %(quarter)s") % {"year": year, "quarter": quarter}
    if "M" in value:
        year, month = value.split("M")
        return f"{year}-{month}"
    return value or _("No period")


@dataclass
class Figure:
    """One sex in one row: the base (n) and the figure with its interval.

    ``part`` is the protected count of persons with the trait (the numerator of a share,
    or the count itself), when there is one; the share is ``part / base`` as shown.
    """

    base: dc.Cell
    value: dc.Cell
    part: dc.Cell | None = None


@dataclass
class TableRow:
    label: str
    key: str
    figures: dict[str, Figure]
    gap: dc.Cell
    verdict: str = ""
    p_value: float | None = None
    ordered: list[tuple[str, Figure | None]] = field(default_factory=list)
    # The test behind the verdict (None: no test shown); `adjust_rows` fills adjusted_p and
    # takes the verdict from it.
    test: st.Gap | st.MeanGap | None = field(default=None, repr=False)
    adjusted_p: float | None = None
    #: The age-adjusted gap beside this row's crude one (plain view of a share, when the
    #: file has age bands; see `add_age_adjustment`).
    age: st.AgeAdjustment | None = None

    @property
    def verdict_text(self) -> str:
        return verdict_label(self.verdict)


@dataclass
class IndicatorTable:
    indicator: Indicator
    dimension: str
    rows: list[TableRow]
    sexes: list[str]
    threshold: int
    notes: list[str] = field(default_factory=list)
    reference: TableRow | None = None
    reference_source: str = ""

    @property
    def measure_label(self) -> str:
        if self.indicator.measure == Measure.PERSONS and self.rows and self.rows[0].figures.get(Sex.KVINDE) is not None \
                and self.rows[0].figures[Sex.KVINDE].value.kind == dc.SHARE:
            return _("Share of total")
        return self.indicator.get_measure_display()

    @property
    def sex_labels(self) -> list[tuple[str, str]]:
        labels = dict(Sex.choices)
        return [(s, str(labels[s])) for s in self.sexes]

    @property
    def has_suppression(self) -> bool:
        return any(
            f.base.suppressed or f.value.suppressed for r in self.rows for f in r.figures.values()
        )

    @property
    def tests(self) -> list[TableRow]:
        """The rows whose women-versus-men comparison is shown with a test."""
        return [r for r in self.rows if _is_test(r)]


def _is_test(row: TableRow) -> bool:
    return row.test is not None and not row.gap.suppressed and row.test.verdict != st.TOO_FEW


def adjust_rows(rows: Iterable[TableRow]) -> int:
    """Benjamini–Hochberg over the comparisons among ``rows`` that are shown with a test.

    The family is exactly the comparisons a reader sees together: rows with no test, a
    hidden gap or too few persons are not tests. Sets ``adjusted_p`` and takes the verdict
    from it; returns the size of the family. Idempotent (it starts from the raw p-values).
    """
    family = [r for r in rows if _is_test(r)]
    for row, adjusted in zip(family, st.adjust_gaps([r.test for r in family]), strict=True):
        row.test, row.adjusted_p, row.verdict = adjusted, adjusted.adjusted_p, adjusted.verdict
    return len(family)


def adjust_family(tables: Iterable[IndicatorTable]) -> int:
    """`adjust_rows` over every row of the tables (a page's tables; references are not tested)."""
    return adjust_rows(r for t in tables for r in t.rows)


def _value_kind(measure: str) -> str:
    return {Measure.SHARE: dc.SHARE, Measure.AMOUNT_DKK: dc.AMOUNT, Measure.PERSONS: dc.COUNT}.get(measure, dc.MEAN)


def _aggregate_many(indicator_ids, dimension: str, period: str | None) -> dict[int, list[dict]]:
    """Observations summed per (indicator, period or category, sex); means pooled from n/mean/sd.

    One GROUP BY for several indicators (the dataset page, the dashboard); the rows of
    each indicator are the same as a query of that indicator alone would give.
    """
    ids = list(indicator_ids)
    found: dict[int, list[dict]] = {i: [] for i in ids}
    if not ids:
        return found
    qs = Observation.objects.filter(indicator_id__in=ids)
    for dim in DIMENSIONS:
        if dim == dimension:
            qs = qs.exclude(**{dim: ""})
        else:
            qs = qs.filter(**{dim: ""})
    if dimension and period:
        qs = qs.filter(period=period)
    group = dimension or "period"
    n_float = F("n") * 1.0
    rows = (
        qs.values("indicator_id", group, "sex").annotate(
            rows=Count("id"),
            vsum=Sum("value"),
            num=Sum("numerator"),
            den=Sum("denominator"),
            n_sum=Sum("n"),
            n_mean=Sum(n_float * F("value"), output_field=FloatField()),
            n_sq=Sum((n_float - 1) * Coalesce(F("sd"), 0.0) * Coalesce(F("sd"), 0.0)
                     + n_float * F("value") * F("value"), output_field=FloatField()),
            # Only to tell a pure value row from a share row.
            with_value=Count("id", filter=Q(value__isnull=False)),
        ).order_by("indicator_id", group, "sex")
    )
    for row in rows:
        found[row.pop("indicator_id")].append(row)
    return found


def _aggregate(indicator: Indicator, dimension: str, period: str | None) -> list[dict]:
    """Observations summed per (period or category, sex); means pooled from n/mean/sd."""
    return _aggregate_many([indicator.pk], dimension, period)[indicator.pk]


@dataclass
class _Agg:
    value: float | None = None
    num: int | None = None
    den: int | None = None
    n: int | None = None
    sd: float | None = None


def _combine(row: dict, measure: str) -> _Agg:
    if row["n_sum"]:
        n = int(row["n_sum"])
        mean = row["n_mean"] / n
        sd = math.sqrt(max(0.0, (row["n_sq"] - n * mean * mean) / (n - 1))) if n >= 2 else None
        return _Agg(value=mean, n=n, sd=sd)
    if row["den"] is not None and row["num"] is not None:
        return _Agg(num=int(row["num"]), den=int(row["den"]))
    if row["vsum"] is not None:
        if measure == Measure.PERSONS or row["rows"] == 1:
            return _Agg(value=float(row["vsum"]))
        return _Agg(value=float(row["vsum"]) / row["rows"])  # several rows of a rate: their plain mean
    return _Agg()


@dataclass(frozen=True)
class _Where:
    """Where a row of figures sits: dataset, breakdown, category and period.

    With the sex and the count it is the identity of a published cell (see `cell_key`).
    """

    dataset: str
    dimension: str
    category: str
    period: str

    def keyed(self, count: int, sex: str) -> dc.Keyed:
        return _keyed(count, self.dataset, self.dimension, self.category, self.period, sex)


def cell_key(dataset_uuid, dimension: str, category: str, period: str, sex: str, count: int) -> int:
    """The cell key of an imported count: a keyed hash of the cell's identity.

    Imported aggregates have no records to carry keys, so the key comes from where the
    count is published (dataset, breakdown and category, period, sex) and from the count
    itself, hashed with the installation's secret (`settings.CELL_KEY_SECRET`). The same
    cell therefore gets the same noise on every page, export and report. The indicator is
    deliberately not part of the identity: the base of every indicator of a person-level
    file is the same group of persons, and giving that group a different noise per
    indicator would let a reader average the noise away. Two different groups in one
    place with different counts get independent keys (because the count is hashed too);
    with equal counts they show the same number, which gives nothing away.
    """
    return dc.hashed_key(settings.CELL_KEY_SECRET, str(dataset_uuid), dimension or "", category or "",
                         period or "", sex, int(count))


def _keyed(count: int, *identity) -> dc.Keyed:
    """A true count of an imported figure with its cell key (`cell_key`); never shown as such."""
    count = int(count)
    return dc.Keyed(count, cell_key(*identity, count))


def _share_figure(part: dc.Cell, base: dc.Cell, true_part: int, true_base: int, threshold: int,
                  is_total: bool) -> dc.Cell:
    """The share of persons with a trait, computed from the protected counts shown."""
    if part.reason == dc.PRIMARY:
        # Fewer than N had the outcome: say so ("<5") rather than hide without a reason.
        return dc.Cell(kind=dc.SHARE, reason=dc.PRIMARY, threshold=threshold, is_total=is_total)
    if dc.is_small(true_base - true_part, threshold):
        # Fewer than N lack it: a share near 100 % beside its base would show them.
        return dc.Cell(kind=dc.SHARE, reason=dc.DERIVED, threshold=threshold, is_total=is_total)
    return dc.shown_share(part, base, threshold=threshold, is_total=is_total)


def _row_cells(figs: dict[str, _Agg], measure: str, threshold: int, sexes: list[str], where: _Where
               ) -> tuple[dict[str, Figure], dc.Cell, st.Gap | st.MeanGap | None]:
    """The figures of one row, its women-minus-men gap and the test behind it (unadjusted).

    Every count of persons is protected by the cell-key method (`Cell.protect`); shares and
    the test of shares are computed from the protected numbers shown.
    """
    kind = _value_kind(measure)
    none = dc.Cell(value=None, kind=kind, threshold=threshold)
    figures: dict[str, Figure] = {}
    parts = [s for s in sexes if s != Sex.I_ALT]
    w, m = figs.get(Sex.KVINDE), figs.get(Sex.MAND)
    given_total = figs.get(Sex.I_ALT)
    sample = next((f for f in figs.values()), _Agg())
    test: st.Gap | st.MeanGap | None = None
    gap = dc.Cell(value=None, kind=dc.PP if kind in (dc.SHARE, dc.COUNT) else kind, threshold=threshold)

    def protect(count: int, sex: str) -> dc.Cell:
        return dc.Cell.protect(where.keyed(count, sex), threshold, is_total=sex == Sex.I_ALT)

    if sample.den is not None:
        # Shares from counts: persons with the trait (part) of the base, per sex and in total.
        nums = {s: int(figs[s].num or 0) if s in figs else 0 for s in parts}
        dens = {s: int(figs[s].den or 0) if s in figs else 0 for s in parts}
        if given_total is not None and given_total.den is not None:
            # The file's own "I alt" row is its own cell (it may include persons of no stated sex).
            nums[Sex.I_ALT], dens[Sex.I_ALT] = int(given_total.num or 0), int(given_total.den)
        else:
            nums[Sex.I_ALT], dens[Sex.I_ALT] = sum(nums.values()), sum(dens.values())
        for s in [*parts, Sex.I_ALT]:
            part, base = protect(nums[s], s), protect(dens[s], s)
            figures[s] = Figure(base=base, value=_share_figure(part, base, nums[s], dens[s], threshold,
                                                               s == Sex.I_ALT), part=part)
        if w and m and w.den and m.den:
            fw, fm = figures[Sex.KVINDE], figures[Sex.MAND]
            sources = [fw.value, fm.value]
            if any(c.suppressed for c in sources):
                gap = dc.derived(None, dc.PP, sources, threshold=threshold)
            else:
                # The test of the numbers shown, so a reader recomputing it from the table agrees.
                shown, g = dc.shown_gap(fw.part, fw.base, fm.part, fm.base, threshold=threshold)
                gap = dc.derived(shown.value, dc.PP, sources, low=shown.low, high=shown.high, threshold=threshold)
                test = g
        return figures, gap, test

    if sample.n is not None:
        # Means from person-level data: n per sex (a protected count), mean with t-interval, Welch test.
        total_n, total_sum = 0, 0.0
        summaries = {}
        for s in parts:
            f = figs.get(s)
            if f is None or f.n is None:
                figures[s] = Figure(base=dc.Cell(value=0, kind=dc.COUNT, threshold=threshold), value=none)
                continue
            base = protect(f.n, s)
            summary = st.mean_summary(n=f.n, mean=f.value, sd=f.sd)
            summaries[s] = summary
            figures[s] = Figure(base=base, value=dc.derived(summary.mean, kind, [base], low=summary.low,
                                                            high=summary.high, threshold=threshold))
            total_n += f.n
            total_sum += f.n * (f.value or 0)
        if given_total is not None and given_total.n is not None:
            total_n, total_mean = given_total.n, given_total.value
        else:
            total_mean = total_sum / total_n if total_n else None
        tbase = protect(total_n, Sex.I_ALT)
        figures[Sex.I_ALT] = Figure(base=tbase, value=dc.derived(total_mean, kind, [tbase], threshold=threshold,
                                                                 is_total=True))
        if Sex.KVINDE in summaries and Sex.MAND in summaries:
            g = st.mean_gap(summaries[Sex.KVINDE], summaries[Sex.MAND])
            gap = dc.derived(g.difference, kind, [figures[Sex.KVINDE].value, figures[Sex.MAND].value],
                             low=g.low, high=g.high, threshold=threshold)
            test = g if not gap.suppressed else None
        return figures, gap, test

    if measure == Measure.PERSONS:
        # Counts by sex with their total, each a protected cell; shares of the total as shown.
        counts = {s: int(round(figs[s].value or 0)) if s in figs else 0 for s in parts}
        if given_total is not None and given_total.value is not None:
            total = int(round(given_total.value))
        else:
            total = sum(counts.values())
        total_cell = protect(total, Sex.I_ALT)
        if not parts or not any(s in figs for s in parts):
            figures[Sex.I_ALT] = Figure(base=total_cell, value=none, part=total_cell)
            return figures, gap, test
        for s in parts:
            cell = protect(counts[s], s)
            figures[s] = Figure(base=cell, value=dc.shown_share(cell, total_cell, threshold=threshold), part=cell)
        figures[Sex.I_ALT] = Figure(base=total_cell, value=dc.derived(1.0 if total_cell.value else None, dc.SHARE,
                                                                      [total_cell], threshold=threshold,
                                                                      is_total=True), part=total_cell)
        return figures, gap, test

    # Plain published figures (e.g. national statistics): shown as given, no test.
    no_base = dc.Cell(value=None, kind=dc.COUNT, threshold=threshold)
    for s in [*parts, Sex.I_ALT]:
        f = figs.get(s)
        figures[s] = Figure(base=no_base, value=dc.Cell(value=f.value if f else None, kind=kind,
                                                        threshold=threshold,
                                                        digits=1 if kind == dc.MEAN else None))
    if w and m and w.value is not None and m.value is not None:
        diff = w.value - m.value
        gap = dc.Cell(value=100 * diff if kind == dc.SHARE else diff, kind=dc.PP if kind == dc.SHARE else kind,
                      threshold=threshold, digits=1 if kind == dc.MEAN else None)
    return figures, gap, test


#: The distinct periods of some indicators by a skip scan of the (indicator, period, ...) index:
#: one index probe per period instead of reading every observation of the indicators.
_PERIODS_SQL = """
WITH RECURSIVE per(indicator_id, period) AS (
    SELECT i.id, (SELECT min(o.period) FROM {table} o WHERE o.indicator_id = i.id)
    FROM unnest(%s::bigint[]) AS i(id)
    UNION ALL
    SELECT per.indicator_id,
           (SELECT min(o.period) FROM {table} o WHERE o.indicator_id = per.indicator_id AND o.period > per.period)
    FROM per WHERE per.period IS NOT NULL
)
SELECT DISTINCT period FROM per WHERE period IS NOT NULL
"""


def periods_of(indicator_ids) -> list[str]:
    """The periods with any observation of the indicators, newest first (one query)."""
    from django.db import connections, router

    # The database the ORM would read observations from (the replica inside dashboard views).
    connection = connections[router.db_for_read(Observation) or "default"]
    ids = [int(i) for i in indicator_ids]
    if not ids:
        return []
    if connection.vendor != "postgresql":  # the skip scan is PostgreSQL SQL; small databases need none
        found = Observation.objects.filter(indicator_id__in=ids).values_list("period", flat=True).distinct()
        return sorted(set(found), reverse=True)
    with connection.cursor() as cursor:
        cursor.execute(_PERIODS_SQL.format(table=Observation._meta.db_table), [ids])
        return sorted((row[0] for row in cursor.fetchall()), reverse=True)


def periods(indicator: Indicator) -> list[str]:
    return periods_of([indicator.pk])


def indicator_table(indicator: Indicator, *, threshold: int, dimension: str = "", period: str | None = None,
                    _prefetched: dict[int, list[dict]] | None = None) -> IndicatorTable:
    """One indicator's figures by period (or by category of a breakdown in one period).

    The verdicts are those of each test alone: a caller that shows several tests together
    adjusts them as one family (`adjust_rows`, `adjust_family`; the dataset page does).

    `_prefetched`: aggregate rows by indicator id from `_aggregate_many` (same dimension and
    period; the reference's rows with dimension "" when dimension is ""), to save queries."""
    threshold = dc.effective_threshold(threshold)
    if dimension not in DIMENSIONS:
        dimension = ""
    if dimension and not period:
        all_periods = periods(indicator)
        period = all_periods[0] if all_periods else None
    group = dimension or "period"
    grouped: dict[str, dict[str, _Agg]] = {}
    prefetched = _prefetched or {}
    aggregate = prefetched[indicator.pk] if indicator.pk in prefetched else _aggregate(indicator, dimension, period)
    summed_from, no_total = "", False
    if not dimension and not aggregate:
        summed_from, aggregate = _total_from_parts(indicator)
        no_total = bool(summed_from) and not aggregate
    for row in aggregate:
        grouped.setdefault(row[group], {})[row["sex"]] = _combine(row, indicator.measure)
    present = {s for figs in grouped.values() for s in figs}
    sexes = [s for s in (Sex.KVINDE, Sex.MAND, Sex.ANDET) if s in present] or []
    sexes_with_total = [*sexes, Sex.I_ALT]
    rows = []
    keys = sorted(grouped, reverse=not dimension, key=_category_order if dimension == "age_band" else None)
    dataset_uuid = str(indicator.dataset.uuid)
    for key in keys:
        where = _Where(dataset_uuid, dimension, key if dimension else "", (period or "") if dimension else key)
        figures, gap, test = _row_cells(grouped[key], indicator.measure, threshold, sexes_with_total, where)
        label = category_label(dimension, key) if dimension else period_label(key)
        shown = test is not None and not gap.suppressed
        rows.append(TableRow(label=label, key=key, figures=figures, gap=gap,
                             verdict=test.verdict if shown else "", p_value=test.p_value if shown else None,
                             ordered=[(s, figures.get(s)) for s in sexes_with_total], test=test if shown else None))
    table = IndicatorTable(indicator=indicator, dimension=dimension, rows=rows, sexes=sexes_with_total,
                           threshold=threshold)
    cells = [c for r in rows for f in r.figures.values() for c in (f.base, f.value, f.part) if c is not None]
    reasons = {c.reason for c in cells if c.suppressed}
    if dc.PRIMARY in reasons:
        table.notes.append(_("<%(n)s: fewer than %(n)s people; the exact number is withheld for privacy.")
                           % {"n": threshold})
    if any(c.kind == dc.COUNT and not c.suppressed and c.value for c in cells):
        table.notes.append(_("Every count of persons is changed at random by at most ±2 to protect individuals; "
                             "the same figure always shows the same number, so totals may differ slightly from "
                             "the sum of the cells. Shares are computed from the numbers shown."))
    if dc.DERIVED in reasons:
        table.notes.append(_("(hidden): withheld so that a number below %(n)s cannot be worked out.")
                           % {"n": threshold})
    if summed_from and not no_total:
        table.notes.append(_("The file has no total row: the totals are the sum of the breakdown by %(dimension)s.")
                           % {"dimension": str(dict(dimension_choices()).get(summed_from, summed_from)).lower()})
    elif no_total:
        table.notes.append(_("The file has no total for this indicator, and shares or averages cannot be added up "
                             "from the breakdown. Choose the breakdown by %(dimension)s to see the figures.")
                           % {"dimension": str(dict(dimension_choices()).get(summed_from, summed_from)).lower()})
    if indicator.reference_id:
        reference = indicator.reference
        ref = indicator_table(reference, threshold=threshold,
                              _prefetched=None if dimension else {k: v for k, v in prefetched.items()
                                                                  if k == reference.pk})
        if ref.rows:
            table.reference = ref.rows[0]
            table.reference.ordered = [(s, table.reference.figures.get(s)) for s in sexes_with_total]
            table.reference.label = _("National figure %(period)s") % {"period": ref.rows[0].label}
            table.reference_source = reference.dataset.source
    return table


def _total_from_parts(indicator: Indicator) -> tuple[str, list[dict]]:
    """For a file with breakdown rows but no total: the breakdown used ("" if none) and,
    when adding up is valid (counts of persons, or shares given as counts of a base), its
    rows summed per period and sex; an empty list when it is not (shares given as a
    percentage, averages, amounts)."""
    for dim in DIMENSIONS:
        qs = Observation.objects.filter(indicator=indicator).exclude(**{dim: ""})
        for other in DIMENSIONS:
            if other != dim:
                qs = qs.filter(**{other: ""})
        rows = list(qs.values("period", "sex").annotate(
            rows=Count("id"), vsum=Sum("value"), num=Sum("numerator"), den=Sum("denominator"),
            parts=Count("id", filter=Q(numerator__isnull=False, denominator__isnull=False)),
            means=Count("id", filter=Q(n__isnull=False)),
            # Persons come in whole numbers; "25,4" is a share stored as a count (issue 14).
            fractions=Count("id", filter=Q(value__isnull=False) & ~Q(value=Floor(F("value")))),
        ).order_by("period", "sex"))
        if not rows:
            continue
        counts = all(r["parts"] == r["rows"] for r in rows) or (
            indicator.measure == Measure.PERSONS and not any(r["means"] or r["fractions"] for r in rows))
        if not counts:
            return dim, []
        return dim, [{**r, "n_sum": None, "n_mean": None, "n_sq": None} for r in rows]
    return "", []


def _category_order(value: str) -> tuple[int, str]:
    digits = value.split("-")[0].rstrip("+")
    return (int(digits) if digits.isdigit() else 999, value)


def dataset_tables(dataset: Dataset, *, threshold: int, dimension: str = "", period: str | None = None
                   ) -> list[IndicatorTable]:
    """The dataset page: every indicator's table, its tests adjusted as one family.

    The family is the women-versus-men comparisons the page shows (every indicator, every
    period or category with a test); the export of an indicator reads the same tables, so
    page and export give the same verdicts.
    """
    indicators = list(dataset.indicators.select_related("reference__dataset").order_by("position", "name"))
    tables = indicator_tables(indicators, threshold=threshold, dimension=dimension, period=period)
    adjust_family(tables)
    if not dimension:
        add_age_adjustment(tables, indicators, threshold=threshold)
    return tables


def add_age_adjustment(tables: list[IndicatorTable], indicators, *, threshold: int) -> None:
    """Beside each tested share gap of the plain view: the Mantel–Haenszel gap over the age
    bands of the same period, from the numbers the age-band view shows (the same cells, so
    the same noise; a band with a "<N" among its four counts is left out), and whether age
    changes the conclusion. The adjusted gaps are one Benjamini–Hochberg family, like the
    crude ones. One GROUP BY for every indicator and period."""
    wanted = [(t, r) for t in tables for r in t.rows if isinstance(r.test, st.Gap) and _is_test(r)]
    if not wanted:
        return
    qs = Observation.objects.filter(indicator_id__in={t.indicator.pk for t, _r in wanted},
                                    period__in={r.key for _t, r in wanted}, sex__in=[Sex.KVINDE, Sex.MAND],
                                    numerator__isnull=False, denominator__isnull=False).exclude(age_band="")
    for dim in DIMENSIONS:
        if dim != "age_band":
            qs = qs.filter(**{dim: ""})
    counts: dict[tuple[int, str], dict[str, dict[str, tuple[int, int]]]] = {}
    for row in (qs.values("indicator_id", "period", "age_band", "sex")
                .annotate(num=Sum("numerator"), den=Sum("denominator")).order_by()):
        counts.setdefault((row["indicator_id"], row["period"]), {}).setdefault(row["age_band"], {})[row["sex"]] = (
            int(row["num"]), int(row["den"]))
    pending = []
    for table, row in wanted:
        where_uuid = str(table.indicator.dataset.uuid)
        strata = []
        for band, by_sex in counts.get((table.indicator.pk, row.key), {}).items():
            if Sex.KVINDE not in by_sex or Sex.MAND not in by_sex:
                continue
            where = _Where(where_uuid, "age_band", band, row.key)
            cells = [dc.Cell.protect(where.keyed(count, sex), threshold)
                     for sex in (Sex.KVINDE, Sex.MAND) for count in by_sex[sex]]
            if any(c.suppressed for c in cells):
                continue
            w, wn, m, mn = (int(c.value) for c in cells)
            if wn and mn:
                strata.append((min(w, wn), wn, min(m, mn), mn))
        if len(strata) >= 2:
            pending.append((row, st.mh_risk_difference(strata, min_n=threshold)))
    lang = fmt.resolve_lang()
    for (row, _raw), adjusted in zip(pending, st.adjust_gaps([g for _r, g in pending]), strict=True):
        row.age = st.AgeAdjustment.of(row.test, adjusted, lang)


def dataset_table(dataset: Dataset, indicator: Indicator, *, threshold: int, dimension: str = "",
                  period: str | None = None) -> IndicatorTable:
    """One indicator's table exactly as on the dataset page (same figures, same test family)."""
    tables = dataset_tables(dataset, threshold=threshold, dimension=dimension, period=period)
    return next(t for t in tables if t.indicator.pk == indicator.pk)


def indicator_tables(indicators, *, threshold: int, dimension: str = "", period: str | None = None
                     ) -> list[IndicatorTable]:
    """`indicator_table` of each indicator, their aggregates (and the national references') in one query.

    With a dimension but no period each indicator uses its own latest period, so those are
    read one by one as before.
    """
    indicators = list(indicators)
    if dimension not in DIMENSIONS:
        dimension = ""
    prefetched: dict[int, list[dict]] = {}
    if not dimension or period:
        ids = [i.pk for i in indicators]
        prefetched = _aggregate_many(ids, dimension, period)
    if not dimension:
        refs = {i.reference_id for i in indicators if i.reference_id} - set(prefetched)
        prefetched |= _aggregate_many(sorted(refs), "", None)
    return [indicator_table(i, threshold=threshold, dimension=dimension, period=period, _prefetched=prefetched)
            for i in indicators]


# --- Export --------------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _export_p(p: float | None) -> float | str:
    """A p-value as the page shows it: three decimals, and "<0,001" (not 0) below that."""
    if p is None:
        return ""
    if p < 0.001:
        return "<" + fmt.plain_number(0.001, fmt.resolve_lang())
    return round(p, 3)


def export_rows(table: IndicatorTable) -> tuple[list[str], list[list]]:
    """Header and rows for CSV/XLSX: raw numbers, markers for hidden cells."""
    sex_labels = table.sex_labels
    header = [_("Category") if table.dimension else _("Period")]
    for _sex, label in sex_labels:
        header += [f"{label}: {_('base (n)')}", f"{label}: {table.measure_label}",
                   f"{label}: {_('95% interval, low')}", f"{label}: {_('95% interval, high')}"]
    header += [_("Difference, women minus men"), _("Difference, low"), _("Difference, high"), _("p-value"),
               _("p-value, adjusted (Benjamini–Hochberg)"), _("Assessment")]
    rows = []
    for row in table.rows:
        out = [row.label]
        for sex, _label in sex_labels:
            f = row.figures.get(sex)
            if f is None:
                out += ["", "", "", ""]
                continue
            # Values and interval ends rounded as shown, markers when hidden (Cell.export_*).
            out += [f.base.export_value(), f.value.export_value(), *f.value.export_interval()]
        out += [row.gap.export_value(), *row.gap.export_interval(), _export_p(row.p_value),
                _export_p(row.adjusted_p), verdict_label(row.verdict)]
        rows.append(out)
    return [neutralise(h) for h in header], [[neutralise(v) for v in r] for r in rows]
