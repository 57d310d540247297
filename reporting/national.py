"""The national overview: every municipality (platform staff) or one's own municipality
beside the installation-wide total (a municipality's leder/analytiker).

Reads only the summary tables (`reporting.summary` fills them), a fixed number of queries
whatever the amount of data. Conversations with women and men go through disclosure
control (`ligestilling.lib.disclosure`) like every other number about women and men; the share of
women has a 95 % Wilson interval (`ligestilling.lib.statistics`). Counts of datasets,
observations, projects and criteria are about the municipality's work, not about
citizens, and are shown as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Municipality
from ligestilling.lib import disclosure
from ligestilling.lib import statistics as st
from reporting.models import MonthlyConversations, MunicipalitySummary
from ligestilling.lib import periods

PAIR = (st.KVINDE, st.MAND)

#: The installation-wide total is shown to a municipality only when at least this many
#: other municipalities are in it: total minus one's own would otherwise be the one other
#: municipality's figures.
MIN_OTHER_MUNICIPALITIES = 2

#: Sortable columns (GET ?sort=<key>, ?sort=-<key> for descending) and the row value used.
SORT_KEYS = ("name", "code", "women", "men", "share", "datasets", "observations", "projects", "criteria")


@dataclass(frozen=True)
class Row:
    label: str
    code: str
    women: disclosure.Cell
    men: disclosure.Cell
    share: disclosure.Cell
    datasets: int | None
    observations: int | None
    active_projects: int | None
    criteria_met: int | None
    criteria_total: int | None
    is_total: bool = False

    def sort_value(self, key: str):
        """The published value only: sorting by a hidden count must not reveal its order."""
        return {
            "name": self.label.casefold(), "code": self.code, "women": self.women.value, "men": self.men.value,
            "share": self.share.value, "datasets": self.datasets, "observations": self.observations,
            "projects": self.active_projects, "criteria": self.criteria_met,
        }[key]


@dataclass(frozen=True)
class Overview:
    rows: tuple[Row, ...]
    total: Row | None
    date_from: dt.date
    date_to: dt.date
    threshold: int
    sort: str
    #: Municipalities whose summary has never been computed (shown without figures).
    missing: int
    oldest_refresh: dt.datetime | None
    #: Municipality view: the total is withheld because too few other municipalities.
    total_withheld: bool = False
    is_platform: bool = False

    @property
    def notes(self) -> list[str]:
        """The footnotes for the markers ("<5", "(skjult)") that occur on the page."""
        rows = [*self.rows, *([self.total] if self.total else [])]
        if not rows:
            return []
        table = disclosure.Table(
            title="", row_labels=tuple(str(i) for i in range(len(rows))), column_labels=("w", "m", "s"),
            cells=tuple((r.women, r.men, r.share) for r in rows), threshold=self.threshold,
        )
        return list(table.suppression_notes())


def _share(women: disclosure.Cell, total: disclosure.Cell, threshold: int, is_total: bool) -> disclosure.Cell:
    if women.suppressed or total.suppressed or not total.value:
        value = low = high = None
    else:
        s = st.share(int(women.value), int(total.value))
        value, low, high = s.share, s.low, s.high
    return disclosure.derived(value, disclosure.SHARE, (women, total), low=low, high=high, threshold=threshold,
                              is_total=is_total)


def _window(today: dt.date | None):
    """"Seneste 12 måneder" (`periods.last_12_months`): first day, first day of the last
    month (the monthly rows are keyed by it) and last day."""
    period = periods.last_12_months(today or timezone.localdate())
    return period.date_from, periods.month_start(period.date_to), period.date_to


def _sorted(rows: list[Row], sort: str) -> tuple[list[Row], str]:
    key = sort.lstrip("-")
    if key not in SORT_KEYS:
        key, sort = "name", "name"
    descending = sort.startswith("-")
    shown = [r for r in rows if r.sort_value(key) is not None]
    hidden = [r for r in rows if r.sort_value(key) is None]
    shown.sort(key=lambda r: (r.sort_value(key), r.label.casefold()), reverse=descending)
    hidden.sort(key=lambda r: r.label.casefold())
    return shown + hidden, sort


def _figures(summary: MunicipalitySummary | None) -> dict:
    if summary is None:
        return {"datasets": None, "observations": None, "active_projects": None, "criteria_met": None,
                "criteria_total": None}
    return {
        "datasets": summary.datasets, "observations": summary.observations,
        "active_projects": summary.active_projects, "criteria_met": summary.criteria_met,
        "criteria_total": summary.criteria_met + summary.criteria_not_met + summary.criteria_too_little_data,
    }


def platform_overview(*, sort: str = "name", today: dt.date | None = None) -> Overview:
    """Every municipality with its figures, and the national totals (platform staff only)."""
    date_from, month_to, date_to = _window(today)
    municipalities = list(Municipality.objects.select_related("summary").order_by("name"))
    counts = {
        (m, sex): n for m, sex, n in
        MonthlyConversations.objects.filter(month__gte=date_from, month__lte=month_to, sex__in=PAIR)
        .order_by().values_list("municipality_id", "sex").annotate(n=Sum("conversations"))
    }
    # One threshold for the whole table: the strictest municipality's setting.
    threshold = max((disclosure.effective_threshold(m.suppression_threshold) for m in municipalities),
                    default=disclosure.DEFAULT_THRESHOLD)
    summaries = {m.pk: getattr(m, "summary", None) for m in municipalities}
    rows: list[Row] = []
    total = None
    if municipalities:
        table = disclosure.Table.from_counts(
            [[counts.get((m.pk, sex), 0) for sex in PAIR] for m in municipalities],
            row_labels=[m.name for m in municipalities], column_labels=["w", "m"], threshold=threshold,
        )
        for i, m in enumerate(municipalities):
            women, men, both = table.cells[i]
            rows.append(Row(label=m.name, code=m.code, women=women, men=men,
                            share=_share(women, both, threshold, False), **_figures(summaries[m.pk])))
        women, men, both = table.cells[-1]
        known = [s for s in summaries.values() if s is not None]
        total = Row(
            label=_("All municipalities"), code="", women=women, men=men,
            share=_share(women, both, threshold, True), is_total=True,
            datasets=sum(s.datasets for s in known), observations=sum(s.observations for s in known),
            active_projects=sum(s.active_projects for s in known), criteria_met=sum(s.criteria_met for s in known),
            criteria_total=sum(_figures(s)["criteria_total"] for s in known),
        )
    rows, sort = _sorted(rows, sort)
    refreshed = [s.refreshed_at for s in summaries.values() if s is not None]
    return Overview(rows=tuple(rows), total=total, date_from=date_from, date_to=date_to, threshold=threshold,
                    sort=sort, missing=sum(s is None for s in summaries.values()),
                    oldest_refresh=min(refreshed, default=None), is_platform=True)


def _pair(women: int, men: int, threshold: int, is_total: bool) -> tuple[disclosure.Cell, ...]:
    """Women, men and their share for one row on its own (1-D suppression with its total)."""
    reasons = disclosure.suppress_1d([women, men], threshold)
    cells = [disclosure.Cell(value=None if r else v, reason=r, threshold=threshold, is_total=is_total)
             for v, r in zip([women, men, women + men], reasons, strict=True)]
    return cells[0], cells[1], _share(cells[0], cells[2], threshold, is_total)


def municipality_overview(municipality: Municipality, *, today: dt.date | None = None) -> Overview:
    """One's own municipality beside the total of all municipalities of the installation.

    No other municipality is named or shown on its own; the total is withheld when fewer
    than MIN_OTHER_MUNICIPALITIES other municipalities are in it.
    """
    date_from, month_to, date_to = _window(today)
    threshold = disclosure.effective_threshold(municipality.suppression_threshold)
    own_summary = MunicipalitySummary.objects.filter(municipality=municipality).first()
    totals = MunicipalitySummary.objects.aggregate(
        others=Count("pk", filter=~Q(municipality=municipality)), datasets=Sum("datasets"),
        observations=Sum("observations"), active_projects=Sum("active_projects"), met=Sum("criteria_met"),
        not_met=Sum("criteria_not_met"), too_little=Sum("criteria_too_little_data"), oldest=Min("refreshed_at"),
    )
    conversations = {
        sex: (own or 0, everyone or 0) for sex, own, everyone in
        MonthlyConversations.objects.filter(month__gte=date_from, month__lte=month_to, sex__in=PAIR)
        .order_by().values_list("sex").annotate(
            own=Sum("conversations", filter=Q(municipality=municipality)), everyone=Sum("conversations"),
        ).values_list("sex", "own", "everyone")
    }
    women, men, share = _pair(conversations.get(st.KVINDE, (0, 0))[0], conversations.get(st.MAND, (0, 0))[0],
                              threshold, False)
    own = Row(label=municipality.name, code=municipality.code, women=women, men=men, share=share,
              **_figures(own_summary))
    withheld = (totals["others"] or 0) < MIN_OTHER_MUNICIPALITIES
    total = None
    if not withheld:
        women, men, share = _pair(conversations.get(st.KVINDE, (0, 0))[1], conversations.get(st.MAND, (0, 0))[1],
                                  threshold, True)
        total = Row(
            label=_("All municipalities"), code="", women=women, men=men, share=share, is_total=True,
            datasets=totals["datasets"] or 0, observations=totals["observations"] or 0,
            active_projects=totals["active_projects"] or 0, criteria_met=totals["met"] or 0,
            criteria_total=(totals["met"] or 0) + (totals["not_met"] or 0) + (totals["too_little"] or 0),
        )
    return Overview(rows=(own,), total=total, date_from=date_from, date_to=date_to, threshold=threshold,
                    sort="name", missing=int(own_summary is None),
                    oldest_refresh=own_summary.refreshed_at if own_summary and withheld else totals["oldest"],
                    total_withheld=withheld)
