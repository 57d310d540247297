"""Measuring success criteria: counts per sex per period, and the live status.

The extension point: one function per criterion kind returns the criterion's course as
`Period`s (counts of "count of n" per sex, with their cell keys). `evaluate` turns them
into displayable rows, and computes the status: met, not met or too little data.

Disclosure control is the one of every other output (`ligestilling.lib.disclosure`): each
count and each n is published through `Cell.protect` with its cell key (the sum of the
conversations' record keys, from the same SQL as the count; a keyed hash of the cell's
identity for figures without records: manual measurements and dataset sums). The shares,
the women-minus-men gap (Newcombe interval) and the status are computed from those shown
numbers, never from the true ones, so a reader who recomputes them from the table gets
the same result, and a count of 1 … N−1 shows "<N" with its share and the gap hidden.

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

from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import unit_ids_with_descendants
from datasets.models import Observation
from datasets.selectors import cell_key, period_label
from ligestilling.lib import disclosure as dc
from ligestilling.lib import statistics as st
from logbooks.models import Entry, EntryTopic, ListItem
from logbooks.selectors import entries_in

from .access import counted_unit_ids
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
    """Counts for one point of a criterion's course: {sex: (count, n)}, the true ones
    (for computation only; never shown), and `keys` {sex: (count's key, n's key)}."""

    label: str
    on: date
    counts: dict[str, tuple[int, int]]
    entered_by: str = ""
    note: str = ""
    measurement_uuid: object = None  # manual measurements only: to correct or delete them
    keys: dict[str, tuple[int, int]] = field(default_factory=dict)

    def keyed(self, sex: str) -> tuple[dc.Keyed, dc.Keyed]:
        """The sex's count and n with their cell keys, ready for `Cell.protect`."""
        (count, n), (count_key, n_key) = self.counts[sex], self.keys.get(sex, (0, 0))
        return dc.Keyed(count, count_key), dc.Keyed(n, n_key)


def _hashed_keys(*identity: object) -> tuple[int, int]:
    """Cell keys (count, n) for figures without records behind them: a keyed hash of the
    cell's identity, so the same figure always gets the same noise."""
    return (dc.hashed_key(settings.CELL_KEY_SECRET, *identity, "count"),
            dc.hashed_key(settings.CELL_KEY_SECRET, *identity, "n"))


def manual_periods(criterion: Criterion) -> list[Period]:
    periods = []
    for m in criterion.measurements.all():
        label = _fmt(m.measured_on)
        if m.cycle_id:
            label = f"{label} ({_('cycle')} {m.cycle.number})"
        counts = m.counts()
        keys = {sex: _hashed_keys("projects.measurement", m.uuid, sex) for sex in counts}
        periods.append(Period(label=label, on=m.measured_on, counts=counts, keys=keys,
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


def _keyed_by_sex(entries) -> dict[str, tuple[int, int]]:
    """{sex: (conversations, sum of their record keys)} in one GROUP BY."""
    return {sex: (n, int(keys or 0)) for sex, n, keys in
            entries.order_by().values_list("sex").annotate(n=Count("id"), k=Sum("record_key"))
            .values_list("sex", "n", "k")}


def logbook_periods(criterion: Criterion) -> list[Period]:
    item = criterion.logbook_item
    if item is None:
        return []
    project = criterion.project
    # Only the units the project's responsible leads (see projects.access: a unit's counts
    # enter a project only by the act of one who leads it).
    unit_ids = unit_ids_with_descendants(counted_unit_ids(project))
    # Items with the same text on the lists of different units count as one. Topics and
    # offers by a semi-join (entry id IN ...), so each conversation counts, and adds its
    # record key, once however many matching items it has.
    match = {
        ListItem.Kind.TOPIC: {"pk__in": EntryTopic.objects.filter(
            topic__kind=item.kind, topic__label=item.label).values("entry_id")},
        ListItem.Kind.OFFER: {"pk__in": Entry.offers.through.objects.filter(
            listitem__kind=item.kind, listitem__label=item.label).values("entry_id")},
        ListItem.Kind.OUTCOME: {"outcome__kind": item.kind, "outcome__label": item.label},
    }.get(item.kind)
    if match is None:
        return []
    periods = []
    for label, first, last in cycle_windows(project):
        entries = entries_in(municipality_id=project.municipality_id, unit_ids=unit_ids, date_from=first,
                             date_to=last).filter(sex__in=[WOMEN, MEN])
        n = _keyed_by_sex(entries)
        hits = _keyed_by_sex(entries.filter(**match))
        counts = {sex: (hits.get(sex, (0, 0))[0], n.get(sex, (0, 0))[0]) for sex in (WOMEN, MEN)}
        keys = {sex: (hits.get(sex, (0, 0))[1], n.get(sex, (0, 0))[1]) for sex in (WOMEN, MEN)}
        periods.append(Period(label=f"{label} ({_fmt(first)}–{_fmt(last)})", on=first, counts=counts, keys=keys))
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
    # Imported aggregates have no record keys: each figure gets the key the dataset page
    # gives the same cell (plain view of the period), so the criterion and the dataset page
    # publish the same number, never two independent noises of one count.
    dataset_uuid = indicator.dataset.uuid

    def keys(p: str, sex: str) -> tuple[int, int]:
        num, den = by_period[p][sex]
        return (cell_key(dataset_uuid, "", "", p, sex, num), cell_key(dataset_uuid, "", "", p, sex, den))

    return [Period(label=str(period_label(p)), on=_period_start(p), counts=by_period[p],
                   keys={sex: keys(p, sex) for sex in by_period[p]})
            for p in ordered]


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


def _figures(count: dc.Keyed, n: dc.Keyed, threshold: int) -> SexFigures:
    """The protected count and n of one sex, and the share computed from them."""
    count_cell = dc.Cell.protect(count, threshold)
    n_cell = dc.Cell.protect(n, threshold)
    return SexFigures(count=count_cell, n=n_cell, share=dc.shown_share(count_cell, n_cell, threshold=threshold))


def shown_gap(women: SexFigures, men: SexFigures, threshold: int) -> tuple[dc.Cell | None, st.Gap | None]:
    """The women-minus-men gap from the shown counts: `disclosure.shown_gap`, the one gap
    of every output; None ("–") when a sex has nobody."""
    cell, gap = dc.shown_gap(women.count, women.n, men.count, men.n, threshold=threshold)
    if cell.value is None and not cell.suppressed:
        return None, None
    return cell, gap


def _share_bounds(figures: SexFigures, threshold: int) -> tuple[float, float] | None:
    """The percentages the shown figures allow: the shown share, or for a "<N" count
    everything from 1 to N+1 of the shown n ("<N" is what is left after the noise of at
    most ±2). None when the shown n is hidden or zero."""
    if figures.n.suppressed or not figures.n.value:
        return None
    n = int(figures.n.value)
    if figures.count.suppressed:
        return 100 / n, 100 * min(threshold - 1 + dc.MAX_NOISE, n) / n
    pct = 100 * min(int(figures.count.value or 0), n) / n
    return pct, pct


def period_status(criterion: Criterion, women: SexFigures | None, men: SexFigures | None,
                  gap: st.Gap | None, threshold: int) -> str:
    """Met / not met / too little data for one period, from the figures shown.

    Judged from the published numbers only, so the status never tells more than the table
    beside it (and never contradicts it). A sex's share is judged only when at least
    `threshold` people are behind it (a shown n is never below the threshold). A count
    shown as "<N" still decides a per-sex target when every value it may stand for lies
    on the same side of the target (e.g. "<5" of 200 is below 5 %); otherwise too little
    data. A gap target uses the gap of the shown counts and needs both sexes.
    """
    if criterion.target_type == Criterion.TargetType.GAP:
        if gap is None or gap.verdict == st.TOO_FEW or gap.difference is None:
            return TOO_LITTLE
        return MET if abs(gap.difference) < float(criterion.target_gap) else NOT_MET
    results = []
    for figures, target in ((women, criterion.target_women), (men, criterion.target_men)):
        if target is None:
            continue
        bounds = None if figures is None else _share_bounds(figures, threshold)
        if bounds is None:
            return TOO_LITTLE
        low, high = bounds
        if criterion.direction == Criterion.Direction.AT_LEAST:
            ok, not_ok = low >= float(target), high < float(target)
        else:
            ok, not_ok = high <= float(target), low > float(target)
        if not ok and not not_ok:
            return TOO_LITTLE
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
        women = _figures(*period.keyed(WOMEN), threshold) if WOMEN in period.counts else None
        men = _figures(*period.keyed(MEN), threshold) if MEN in period.counts else None
        gap_cell, gap = shown_gap(women, men, threshold) if women and men else (None, None)
        rows.append(Row(period=period, women=women, men=men, gap=gap_cell,
                        status=period_status(criterion, women, men, gap, threshold)))
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
