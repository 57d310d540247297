"""Reads for lists and the gender-split analysis of logbook entries.

`gender_picture(...)` is the one entry point for the aggregate (the analysis page here,
reporting later). All counting happens in the database (GROUP BY via values/annotate);
statistics and suppression come from `ligestilling.lib.statistics` and `ligestilling.lib.disclosure`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from ligestilling.lib import disclosure
from ligestilling.lib import statistics as st

from .models import AgeBand, Entry, EntryTopic, ListItem, RaisedBy, Sex

SEXES = [Sex.KVINDE, Sex.MAND, Sex.ANDET, Sex.UOPLYST]


def entries_in(*, municipality_id: int, unit_ids: Iterable[int], date_from: dt.date | None = None,
               date_to: dt.date | None = None) -> QuerySet[Entry]:
    qs = Entry.objects.filter(municipality_id=municipality_id, unit_id__in=list(unit_ids))
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs


def my_entries(user, *, q: str = "", sex: str = "", date_from=None, date_to=None, topic_label: str = ""):
    """The author's own entries, newest first, with search and filters."""
    qs = Entry.objects.filter(author=user, municipality_id=user.municipality_id).select_related(
        "unit", "kind", "outcome")
    if q:
        qs = qs.filter(
            Q(outcome_text__icontains=q) | Q(gender_attention__icontains=q) | Q(reflections__icontains=q)
            | Q(open_questions__icontains=q) | Q(kind__label__icontains=q) | Q(topics__topic__label__icontains=q)
        ).distinct()
    if sex:
        qs = qs.filter(sex=sex)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs.order_by("-date", "-time", "-created_at").prefetch_related("topics__topic")


@dataclass(frozen=True)
class GapRow:
    """One topic/offer/outcome: counts and shares for women and men, and the gap.

    Hidden cells (disclosure) carry no value; `gap` is None when any count behind it is
    hidden. `citizen_women`/`citizen_men`: of the conversations where the topic was
    raised, how many times the citizen raised it (topics only).
    """

    label: str
    women: disclosure.Cell
    women_share: disclosure.Cell
    men: disclosure.Cell
    men_share: disclosure.Cell
    gap_cell: disclosure.Cell
    gap: st.Gap | None
    citizen_women: disclosure.Cell | None = None
    citizen_men: disclosure.Cell | None = None

    @property
    def verdict(self) -> str | None:
        return self.gap.verdict if self.gap else None


@dataclass(frozen=True)
class GenderPicture:
    """The gender-split picture of a set of logbook entries.

    `by_sex`: 1-D Table of conversations per sex; `topics`/`offers`/`outcomes`: GapRows
    (BH-adjusted over the whole picture); `by_age`: 2-D Table age band x sex;
    `women_n`/`men_n`: the raw denominators, for computation only (display `by_sex`).
    """

    threshold: int
    total: int
    women_n: int
    men_n: int
    by_sex: disclosure.Table
    topics: list[GapRow] = field(default_factory=list)
    offers: list[GapRow] = field(default_factory=list)
    outcomes: list[GapRow] = field(default_factory=list)
    by_age: disclosure.Table | None = None


def _gap_row(label: str, w: int, wn: int, m: int, mn: int, threshold: int) -> tuple[GapRow, st.Gap | None]:
    # The 2x2 table [raised, not raised] x [women, men] with its totals, suppressed as one
    # table, so "all but two women" is protected as well as "two women".
    table = disclosure.Table.from_counts([[w, m], [wn - w, mn - m]], row_labels=["ja", "nej"],
                                         column_labels=["kvinde", "mand"], threshold=threshold)
    women, men = table.cells[0][0], table.cells[0][1]
    women_total, men_total = table.cells[2][0], table.cells[2][1]
    hidden = any(c.suppressed for c in (women, men, women_total, men_total, table.cells[1][0], table.cells[1][1]))
    gap = None if hidden else st.proportion_gap(w, wn, m, mn, min_n=threshold)
    w_low, w_high = st.wilson_interval(w, wn) if gap else (None, None)
    m_low, m_high = st.wilson_interval(m, mn) if gap else (None, None)
    women_share = disclosure.derived(w / wn if wn else None, disclosure.SHARE, [women, women_total],
                                     threshold=threshold, low=w_low, high=w_high)
    men_share = disclosure.derived(m / mn if mn else None, disclosure.SHARE, [men, men_total], threshold=threshold,
                                   low=m_low, high=m_high)
    if gap is None:
        gap_cell = disclosure.Cell(kind=disclosure.PP, reason=disclosure.DERIVED, threshold=table.threshold)
    else:
        gap_cell = disclosure.Cell(value=gap.difference, kind=disclosure.PP, threshold=table.threshold,
                                   low=gap.low, high=gap.high)
    row = GapRow(label=label, women=women, women_share=women_share, men=men, men_share=men_share,
                 gap_cell=gap_cell, gap=gap)
    return row, gap


def _rows(labels: dict[int, str], counts: dict[tuple[int, str], int], wn: int, mn: int, threshold: int):
    rows = []
    for item_id, label in labels.items():
        rows.append(_gap_row(label, counts.get((item_id, Sex.KVINDE), 0), wn,
                             counts.get((item_id, Sex.MAND), 0), mn, threshold))
    return rows


def gender_picture(
    *,
    municipality_id: int,
    unit_ids: Iterable[int],
    threshold: int,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> GenderPicture:
    """Aggregate the entries of `unit_ids` (pass the subtree) in [date_from, date_to].

    `threshold` is the municipality's `suppression_threshold`. Every list item of the
    units that was used at least once, or is active, gets a row.
    """
    unit_ids = list(unit_ids)
    threshold = disclosure.effective_threshold(threshold)
    entries = entries_in(municipality_id=municipality_id, unit_ids=unit_ids, date_from=date_from, date_to=date_to)
    # The same filter through the relation: one join to the entries instead of an
    # `entry__in=<subquery>`, which made PostgreSQL read the entries twice.
    via_entry = {"entry__municipality_id": municipality_id, "entry__unit_id__in": unit_ids}
    if date_from:
        via_entry["entry__date__gte"] = date_from
    if date_to:
        via_entry["entry__date__lte"] = date_to

    n_by_sex = dict(entries.order_by().values_list("sex").annotate(n=Count("id")))
    wn, mn = n_by_sex.get(Sex.KVINDE, 0), n_by_sex.get(Sex.MAND, 0)
    by_sex = _by_sex_table(n_by_sex, threshold)

    items = ListItem.objects.filter(unit_id__in=unit_ids).order_by("kind", "position", "label")
    labels: dict[str, dict[int, str]] = defaultdict(dict)
    for pk, kind, label in items.values_list("pk", "kind", "label"):
        labels[kind][pk] = label

    topic_counts: dict[tuple[int, str], int] = defaultdict(int)
    citizen_counts: dict[tuple[int, str], int] = defaultdict(int)
    # The topics carry their entry's municipality, unit, date and sex (EntryTopic), so
    # this is one index-only scan. count(*), not count(DISTINCT entry): an entry holds a
    # topic (an offer) at most once (unique constraints), and a plain count can hash.
    on_topic = {k.removeprefix("entry__"): v for k, v in via_entry.items()}
    for topic_id, sex, raised_by, n in (
        EntryTopic.objects.filter(**on_topic).order_by()
        .values_list("topic_id", "sex", "raised_by").annotate(n=Count("*"))
    ):
        topic_counts[(topic_id, sex)] += n
        if raised_by == RaisedBy.CITIZEN:
            citizen_counts[(topic_id, sex)] += n
    offer_counts = {
        (item_id, sex): n for item_id, sex, n in
        Entry.offers.through.objects.filter(**via_entry).order_by()
        .values_list("listitem_id", "entry__sex").annotate(n=Count("*"))
    }
    outcome_counts = {
        (item_id, sex): n for item_id, sex, n in
        entries.filter(outcome__isnull=False).order_by().values_list("outcome_id", "sex").annotate(n=Count("id"))
    }

    topic_rows = _rows(labels[ListItem.Kind.TOPIC], topic_counts, wn, mn, threshold)
    offer_rows = _rows(labels[ListItem.Kind.OFFER], offer_counts, wn, mn, threshold)
    outcome_rows = _rows(labels[ListItem.Kind.OUTCOME], outcome_counts, wn, mn, threshold)

    # One family of tests for the whole page: Benjamini–Hochberg over every gap shown.
    all_rows = topic_rows + offer_rows + outcome_rows
    tested = [(i, g) for i, (_row, g) in enumerate(all_rows) if g is not None]
    adjusted = st.adjust_gaps([g for _i, g in tested])
    final: list[GapRow] = [r for r, _gap in all_rows]
    for (i, _old), g in zip(tested, adjusted, strict=True):
        final[i] = _replace_gap(final[i], g)

    topic_ids = list(labels[ListItem.Kind.TOPIC])
    for k, item_id in enumerate(topic_ids):
        row = final[k]
        cw = disclosure.Table.from_counts_1d(
            {"borger": citizen_counts.get((item_id, Sex.KVINDE), 0),
             "medarbejder": topic_counts.get((item_id, Sex.KVINDE), 0) - citizen_counts.get((item_id, Sex.KVINDE), 0)},
            threshold=threshold)
        cm = disclosure.Table.from_counts_1d(
            {"borger": citizen_counts.get((item_id, Sex.MAND), 0),
             "medarbejder": topic_counts.get((item_id, Sex.MAND), 0) - citizen_counts.get((item_id, Sex.MAND), 0)},
            threshold=threshold)
        citizen_w = cw.cells[0][0] if not row.women.suppressed else _hidden(threshold)
        citizen_m = cm.cells[0][0] if not row.men.suppressed else _hidden(threshold)
        final[k] = GapRow(**{**row.__dict__, "citizen_women": citizen_w, "citizen_men": citizen_m})

    n_topics, n_offers = len(topic_rows), len(offer_rows)
    age_counts = {
        (band, sex): n for band, sex, n in
        entries.order_by().values_list("age_band", "sex").annotate(n=Count("id"))
    }
    by_age = disclosure.Table.from_counts(
        [[age_counts.get((band.value, sex.value), 0) for sex in SEXES] for band in AgeBand],
        row_labels=[str(b.label) for b in AgeBand], column_labels=[str(s.label) for s in SEXES],
        threshold=threshold, row_header=str(_("Age band")), total_label=str(_("Total")),
    )
    return GenderPicture(
        threshold=threshold,
        total=sum(n_by_sex.values()),
        women_n=wn,
        men_n=mn,
        by_sex=by_sex,
        topics=final[:n_topics],
        offers=final[n_topics:n_topics + n_offers],
        outcomes=final[n_topics + n_offers:],
        by_age=by_age,
    )


def _by_sex_table(n_by_sex: dict[str, int], threshold: int) -> disclosure.Table:
    """Conversations per sex with primary suppression, and the total.

    The women's and men's numbers are published anyway (they are the denominators of every
    share on the page), so secondary suppression among the sexes would protect nothing;
    instead the total is hidden whenever a sex is, so "andet"/"uoplyst" cannot be recovered
    by subtraction.
    """
    cells = [disclosure.Cell.count(n_by_sex.get(s.value, 0), threshold) for s in SEXES]
    total = sum(n_by_sex.values())
    if any(c.suppressed for c in cells):
        total_cell = disclosure.Cell(kind=disclosure.COUNT, reason=disclosure.SECONDARY, threshold=threshold,
                                     is_total=True)
    else:
        total_cell = disclosure.Cell.count(total, threshold, is_total=True)
    return disclosure.Table(
        title="", row_labels=(str(_("Conversations")),),
        column_labels=(*(str(s.label) for s in SEXES), str(_("Total"))),
        cells=((*cells, total_cell),), threshold=threshold,
        n=None if total_cell.suppressed else total, total_column=True,
    )


def _hidden(threshold: int) -> disclosure.Cell:
    return disclosure.Cell(kind=disclosure.COUNT, reason=disclosure.DERIVED, threshold=threshold)


def _replace_gap(row: GapRow, gap: st.Gap) -> GapRow:
    return GapRow(**{**row.__dict__, "gap": gap})
