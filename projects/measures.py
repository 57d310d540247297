"""Measuring success criteria: counts per sex per period, and the live status.

The extension point: one function per criterion kind returns the criterion's course as
`Period`s (counts of "count of n" per sex). `evaluate` turns them into displayable rows
through the statistics core (Wilson shares, Newcombe gap) and disclosure control
("<5"), and computes the status: met, not met or too little data.

Kinds:
- `manual`: measurements entered by hand per date.
- `logbook`: the share of the project units' logbook conversations with women / men in
  which a topic was raised, an offer made or an outcome reached (only the units that the
  project's responsible leads, see `projects.access`); one period before the
  project (as long as the first cycle, for comparison) and one per cycle (the project
  period when there are no cycles yet). Read-only use of `logbooks.selectors.entries_in`.
- `dataset`: a share indicator of one of the municipality's datasets (numerator of
  denominator per sex), one period per period of the data. Read-only use of
  `datasets.models.Observation` and `datasets.selectors.period_label`.
A new kind: a function returning `Period`s, registered in `MEASURES`, and a value in
`Criterion.Kind`; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ligestilling.lib import disclosure as dc
from ligestilling.lib import statistics as st

from .models import Criterion

WOMEN, MEN = st.KVINDE, st.MAND

MET = "met"
NOT_MET = "not_met"
TOO_LITTLE = "too_little_data"
STATUS_LABELS = {
    MET: gettext_lazy("Met"),
    NOT_MET: gettext_lazy("Not met"),
    TOO_LITTLE: gettext_lazy("Too little data"),
}


@dataclass(frozen=True)
class Period:
    """Counts for one point of a criterion's course: {sex: (count, n)}."""

    label: str
    on: date
    counts: dict[str, tuple[int, int]]
    entered_by: str = ""
    note: str = ""
    measurement_uuid: object = None  # manual measurements only: to correct or delete them


def manual_periods(criterion: Criterion) -> list[Period]:
    periods = []
    for m in criterion.measurements.all():
        label = _fmt(m.measured_on)
        if m.cycle_id:
            label = f"{label} ({_('cycle')} {m.cycle.number})"
        periods.append(Period(label=label, on=m.measured_on, counts=m.counts(),
                              entered_by=str(m.entered_by or ""), note=m.note, measurement_uuid=m.uuid))
    return periods


def _fmt(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def cycle_windows(project, today: date | None = None) -> list[tuple[str, date, date]]:
    """(label, first day, last day) per cycle; a window before the project for comparison."""
    today = today or timezone.localdate()
    cycles = list(project.cycles.order_by("number"))
    last_day = min(today, project.end_date)
    windows = []
    if cycles:
        for i, cycle in enumerate(cycles):
            end = cycles[i + 1].started_on - timedelta(days=1) if i + 1 < len(cycles) else last_day
            end = max(end, cycle.started_on)
            windows.append((_("Cycle %(number)s") % {"number": cycle.number}, cycle.started_on, end))
        first_start = cycles[0].started_on
    else:
        windows.append((_("Project period"), project.start_date, max(last_day, project.start_date)))
        first_start = project.start_date
    length = max((windows[0][2] - windows[0][1]).days, 6)
    before_end = min(first_start, project.start_date) - timedelta(days=1)
    windows.insert(0, (_("Before the project"), before_end - timedelta(days=length), before_end))
    return windows


def logbook_periods(criterion: Criterion) -> list[Period]:
    from accounts.access import unit_ids_with_descendants
    from logbooks.models import ListItem
    from logbooks.selectors import entries_in

    from .access import counted_unit_ids

    item = criterion.logbook_item
    if item is None:
        return []
    project = criterion.project
    # Only the units the project's responsible leads (see projects.access: a unit's counts
    # enter a project only by the act of one who leads it).
    unit_ids = unit_ids_with_descendants(counted_unit_ids(project))
    # Items with the same text on the lists of different units count as one.
    match = {
        ListItem.Kind.TOPIC: {"topics__topic__kind": item.kind, "topics__topic__label": item.label},
        ListItem.Kind.OFFER: {"offers__kind": item.kind, "offers__label": item.label},
        ListItem.Kind.OUTCOME: {"outcome__kind": item.kind, "outcome__label": item.label},
    }.get(item.kind)
    if match is None:
        return []
    periods = []
    for label, first, last in cycle_windows(project):
        entries = entries_in(municipality_id=project.municipality_id, unit_ids=unit_ids, date_from=first,
                             date_to=last).filter(sex__in=[WOMEN, MEN])
        n = dict(entries.order_by().values_list("sex").annotate(n=Count("id")))
        hits = dict(entries.filter(**match).order_by().values_list("sex").annotate(n=Count("id", distinct=True)))
        counts = {sex: (hits.get(sex, 0), n.get(sex, 0)) for sex in (WOMEN, MEN)}
        periods.append(Period(label=f"{label} ({_fmt(first)}–{_fmt(last)})", on=first, counts=counts))
    return periods


def _period_start(period: str) -> date:
    try:
        if "K" in period:
            year, quarter = period.split("K")
            return date(int(year), 3 * int(quarter) - 2, 1)
        if "M" in period:
            year, month = period.split("M")
            return date(int(year), int(month), 1)
        return date(int(period), 1, 1)
    except (TypeError, ValueError):
        return date.min


def dataset_periods(criterion: Criterion) -> list[Period]:
    from django.db.models import Sum

    from datasets.models import Observation
    from datasets.selectors import period_label

    indicator = criterion.dataset_indicator
    if indicator is None:
        return []
    # The totals per sex: rows without a breakdown (age, education, ...), summed over areas.
    rows = (
        Observation.objects.filter(indicator=indicator, sex__in=[WOMEN, MEN], age_band="", education="",
                                   civil_status="", origin="", numerator__isnull=False, denominator__isnull=False)
        .order_by().values("period", "sex").annotate(num=Sum("numerator"), den=Sum("denominator"))
    )
    by_period: dict[str, dict[str, tuple[int, int]]] = {}
    for row in rows:
        by_period.setdefault(row["period"], {})[row["sex"]] = (int(row["num"]), int(row["den"]))
    ordered = sorted(by_period, key=lambda p: (_period_start(p), p))
    return [Period(label=str(period_label(p)), on=_period_start(p), counts=by_period[p]) for p in ordered]


MEASURES: dict[str, Callable[[Criterion], list[Period]]] = {
    Criterion.Kind.MANUAL: manual_periods,
    Criterion.Kind.LOGBOOK: logbook_periods,
    Criterion.Kind.DATASET: dataset_periods,
}


def periods_for(criterion: Criterion) -> list[Period]:
    return MEASURES[criterion.kind](criterion)


# --- Evaluation ------------------------------------------------------------------------


@dataclass(frozen=True)
class SexFigures:
    count: dc.Cell
    n: dc.Cell
    share: dc.Cell


@dataclass(frozen=True)
class Row:
    period: Period
    women: SexFigures | None
    men: SexFigures | None
    gap: dc.Cell | None
    status: str

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def sex_figures(self) -> tuple[SexFigures | None, SexFigures | None]:
        return (self.women, self.men)


@dataclass(frozen=True)
class Evaluation:
    criterion: Criterion
    rows: list[Row] = field(default_factory=list)
    threshold: int = dc.DEFAULT_THRESHOLD
    #: Measured from a dataset the viewer may not read: no figures (projects.access.dataset_readable).
    restricted: bool = False

    @property
    def status(self) -> str:
        return self.rows[-1].status if self.rows else TOO_LITTLE

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def latest(self) -> Row | None:
        return self.rows[-1] if self.rows else None


def _figures(count: int, n: int, threshold: int) -> SexFigures:
    count_cell = dc.Cell.count(count, threshold)
    n_cell = dc.Cell.count(n, threshold)
    s = st.share(count, n)
    share_cell = dc.derived(s.share, dc.SHARE, [count_cell, n_cell], low=s.low, high=s.high, threshold=threshold)
    return SexFigures(count=count_cell, n=n_cell, share=share_cell)


def period_status(criterion: Criterion, counts: dict[str, tuple[int, int]], threshold: int) -> str:
    """Met / not met / too little data for one period's counts.

    A sex's share is judged only when at least `threshold` people (the municipality's
    disclosure threshold, the same minimum the statistics core uses) are behind it.
    Per-sex targets compare the point estimate with the target; a gap target uses the
    statistics core's gap (women minus men) and needs both sexes.
    """
    if criterion.target_type == Criterion.TargetType.GAP:
        if WOMEN not in counts or MEN not in counts:
            return TOO_LITTLE
        (wc, wn), (mc, mn) = counts[WOMEN], counts[MEN]
        gap = st.proportion_gap(wc, wn, mc, mn, min_n=threshold)
        if gap.verdict == st.TOO_FEW or gap.difference is None:
            return TOO_LITTLE
        return MET if abs(gap.difference) < float(criterion.target_gap) else NOT_MET
    results = []
    for sex, target in ((WOMEN, criterion.target_women), (MEN, criterion.target_men)):
        if target is None:
            continue
        if sex not in counts or counts[sex][1] < threshold:
            return TOO_LITTLE
        count, n = counts[sex]
        pct = 100 * count / n
        ok = pct >= float(target) if criterion.direction == Criterion.Direction.AT_LEAST else pct <= float(target)
        results.append(ok)
    if not results:
        return TOO_LITTLE
    return MET if all(results) else NOT_MET


def evaluate(criterion: Criterion, threshold: int | None = None) -> Evaluation:
    if threshold is None:
        threshold = criterion.project.municipality.suppression_threshold
    threshold = dc.effective_threshold(threshold)
    rows = []
    for period in periods_for(criterion):
        women = _figures(*period.counts[WOMEN], threshold) if WOMEN in period.counts else None
        men = _figures(*period.counts[MEN], threshold) if MEN in period.counts else None
        gap_cell = None
        if women and men:
            (wc, wn), (mc, mn) = period.counts[WOMEN], period.counts[MEN]
            if wn and mn:
                gap = st.proportion_gap(wc, wn, mc, mn, min_n=threshold)
                gap_cell = dc.derived(gap.difference, dc.PP, [women.count, women.n, men.count, men.n],
                                      low=gap.low, high=gap.high, threshold=threshold)
        rows.append(Row(period=period, women=women, men=men, gap=gap_cell,
                        status=period_status(criterion, period.counts, threshold)))
    return Evaluation(criterion=criterion, rows=rows, threshold=threshold)


# --- A small chart (inline SVG, no script) ---------------------------------------------


def chart_points(evaluation: Evaluation, width: int = 320, height: int = 120, pad: int = 24) -> dict | None:
    """Polyline points for the women's and the men's share; hidden values are left out."""
    rows = evaluation.rows
    if len(rows) < 1:
        return None
    step = (width - 2 * pad) / max(len(rows) - 1, 1)

    def y(value: float) -> float:
        return round(height - pad - value * (height - 2 * pad), 1)

    series = {}
    for key in ("women", "men"):
        pts = []
        for i, row in enumerate(rows):
            fig = getattr(row, key)
            if fig is not None and fig.share.value is not None:
                pts.append((round(pad + i * step, 1), y(fig.share.value)))
        series[key] = pts
    if not series["women"] and not series["men"]:
        return None
    targets = []
    c = evaluation.criterion
    if c.target_type == Criterion.TargetType.PER_SEX:
        for key, value in (("women", c.target_women), ("men", c.target_men)):
            if value is not None:
                targets.append({"key": key, "y": y(float(value) / 100)})
    return {
        "width": width, "height": height, "pad": pad,
        "women": " ".join(f"{x},{yy}" for x, yy in series["women"]),
        "men": " ".join(f"{x},{yy}" for x, yy in series["men"]),
        "women_points": series["women"],
        "men_points": [(round(x - 3, 1), round(yy - 3, 1)) for x, yy in series["men"]],
        "targets": targets,
        "y0": y(0), "y50": y(0.5), "y100": y(1), "x_end": width - pad,
    }
