"""Measuring success criteria: counts per sex per period, and the live status.

The extension point: one function per criterion kind returns the criterion's course as
`Period`s (counts of "count of n" per sex). `evaluate` turns them into displayable rows
through the statistics core (Wilson shares, Newcombe gap) and disclosure control
("<5"), and computes the status: met, not met or too little data.

Kinds:
- `manual`: measurements entered by hand per date (implemented).
- logbooks / dataset indicators: add a function `logbook_periods(criterion)` /
  `dataset_periods(criterion)` returning `Period`s, register it in `MEASURES` and add the
  kind to `Criterion.Kind`; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_lazy as _

from reporting import disclosure as dc
from reporting import statistics as st

from .models import Criterion

WOMEN, MEN = st.KVINDE, st.MAND

MET = "met"
NOT_MET = "not_met"
TOO_LITTLE = "too_little_data"
STATUS_LABELS = {
    MET: _("Met"),
    NOT_MET: _("Not met"),
    TOO_LITTLE: _("Too little data"),
}


@dataclass(frozen=True)
class Period:
    """Counts for one point of a criterion's course: {sex: (count, n)}."""

    label: str
    on: date
    counts: dict[str, tuple[int, int]]
    entered_by: str = ""
    note: str = ""


def manual_periods(criterion: Criterion) -> list[Period]:
    periods = []
    for m in criterion.measurements.all():
        label = m.measured_on.strftime("%d.%m.%Y")
        if m.cycle_id:
            label = f"{label} ({_('cycle')} {m.cycle.number})"
        periods.append(Period(label=label, on=m.measured_on, counts=m.counts(),
                              entered_by=str(m.entered_by or ""), note=m.note))
    return periods


MEASURES: dict[str, Callable[[Criterion], list[Period]]] = {
    Criterion.Kind.MANUAL: manual_periods,
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
