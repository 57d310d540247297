"""The national overview: every municipality (platform staff) or one's own municipality
beside the installation-wide total (a municipality's leder/analytiker).

Reads only the summary tables (`reporting.summary` fills them), a fixed number of queries
whatever the amount of data. Conversations with women and men are counted with their key
sums and published through the cell-key method (`ligestilling.lib.disclosure.Cell.protect`)
like every other number about citizens: each municipality's count, and the national total
as the keyed sum of all municipalities (its own set of conversations, so its own noise).
"All municipalities" minus one's own is therefore the other municipalities' count plus two
independent noises, never their exact count, even when only one other municipality has
data. No secondary suppression: the noise protects the totals. The share of women is
computed from the numbers shown beside it, with a 95 % Wilson interval. Counts of
datasets, observations, projects and criteria are about the municipality's work, not about
citizens, and are shown as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Municipality
from ligestilling.lib import disclosure, periods
from ligestilling.lib import statistics as st
from reporting.models import MonthlyConversations, MunicipalitySummary

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
        """The footnotes for the markers ("<5", "(skjult)") on the page and for the noise."""
        rows = [*self.rows, *([self.total] if self.total else [])]
        if not rows:
            return []
        table = disclosure.Table(
            title="", row_labels=tuple(str(i) for i in range(len(rows))), column_labels=("w", "m", "s"),
            cells=tuple((r.women, r.men, r.share) for r in rows), threshold=self.threshold, perturbed=True,
        )
        return list(table.suppression_notes())


def _pair(women: disclosure.Keyed, men: disclosure.Keyed, threshold: int,
          is_total: bool) -> tuple[disclosure.Cell, disclosure.Cell, disclosure.Cell]:
    """Women, men and the share of women for one row, from the keyed counts.

    Each count is protected by its own key; the share is women / (women + men) of the
    numbers shown, so a reader who divides them gets the share printed beside them (the
    table shows no total column). Hidden when either count is "<N".
    """
    w = disclosure.Cell.protect(women, threshold, is_total=is_total)
    m = disclosure.Cell.protect(men, threshold, is_total=is_total)
    both = disclosure.derived(None if w.suppressed or m.suppressed else w.value + m.value, disclosure.COUNT,
                              (w, m), threshold=threshold, is_total=is_total)
    return w, m, disclosure.shown_share(w, both, threshold=threshold, is_total=is_total)


def _keyed(rows) -> dict:
    """{group: {sex: Keyed}} from (group, sex, conversations, key_sum) rows."""
    result: dict = {}
    for group, sex, n, key_sum in rows:
        result.setdefault(group, {})[sex] = disclosure.Keyed.of(n, key_sum)
    return result


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
    counts = _keyed(
        MonthlyConversations.objects.filter(month__gte=date_from, month__lte=month_to, sex__in=PAIR)
        .order_by().values_list("municipality_id", "sex").annotate(n=Sum("conversations"), k=Sum("key_sum"))
    )
    # One threshold for the whole table: the strictest municipality's setting.
    threshold = max((disclosure.effective_threshold(m.suppression_threshold) for m in municipalities),
                    default=disclosure.DEFAULT_THRESHOLD)
    summaries = {m.pk: getattr(m, "summary", None) for m in municipalities}
    rows: list[Row] = []
    total = None
    if municipalities:
        for m in municipalities:
            own = counts.get(m.pk, {})
            women, men, share = _pair(own.get(st.KVINDE, disclosure.ZERO), own.get(st.MAND, disclosure.ZERO),
                                      threshold, False)
            rows.append(Row(label=m.name, code=m.code, women=women, men=men, share=share,
                            **_figures(summaries[m.pk])))
        # The national total: the keyed sum over the municipalities, protected as a cell of
        # its own (so it need not equal the sum of the rows shown; the notes say so).
        women, men, share = _pair(*(disclosure.keyed_sum(c.get(sex, disclosure.ZERO) for c in counts.values())
                                    for sex in PAIR), threshold, True)
        known = [s for s in summaries.values() if s is not None]
        total = Row(
            label=_("All municipalities"), code="", women=women, men=men, share=share, is_total=True,
            datasets=sum(s.datasets for s in known), observations=sum(s.observations for s in known),
            active_projects=sum(s.active_projects for s in known), criteria_met=sum(s.criteria_met for s in known),
            criteria_total=sum(_figures(s)["criteria_total"] for s in known),
        )
    rows, sort = _sorted(rows, sort)
    refreshed = [s.refreshed_at for s in summaries.values() if s is not None]
    return Overview(rows=tuple(rows), total=total, date_from=date_from, date_to=date_to, threshold=threshold,
                    sort=sort, missing=sum(s is None for s in summaries.values()),
                    oldest_refresh=min(refreshed, default=None), is_platform=True)


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
    own_q = Q(municipality=municipality)
    conversations = {
        sex: (disclosure.Keyed.of(own, own_keys), disclosure.Keyed.of(everyone, all_keys))
        for sex, own, own_keys, everyone, all_keys in
        MonthlyConversations.objects.filter(month__gte=date_from, month__lte=month_to, sex__in=PAIR)
        .order_by().values_list("sex").annotate(
            own=Sum("conversations", filter=own_q), own_keys=Sum("key_sum", filter=own_q),
            everyone=Sum("conversations"), all_keys=Sum("key_sum"),
        ).values_list("sex", "own", "own_keys", "everyone", "all_keys")
    }
    nothing = (disclosure.ZERO, disclosure.ZERO)
    women, men, share = _pair(conversations.get(st.KVINDE, nothing)[0], conversations.get(st.MAND, nothing)[0],
                              threshold, False)
    own = Row(label=municipality.name, code=municipality.code, women=women, men=men, share=share,
              **_figures(own_summary))
    withheld = (totals["others"] or 0) < MIN_OTHER_MUNICIPALITIES
    total = None
    if not withheld:
        # Keyed sums over every municipality: the total's noise is its own, so the total
        # minus one's own municipality is never another municipality's exact count.
        women, men, share = _pair(conversations.get(st.KVINDE, nothing)[1], conversations.get(st.MAND, nothing)[1],
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
