"""Reads for lists and the gender-split analysis of logbook entries.

`gender_picture(...)` is the one entry point for the aggregate (the analysis page here,
reporting later). All counting happens in the database (GROUP BY via values/annotate),
each count with the sum of its records' keys; statistics and the cell-key protection come
from `ligestilling.lib.statistics` and `ligestilling.lib.disclosure`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from ligestilling.lib import disclosure
from ligestilling.lib import formatting as fmt
from ligestilling.lib import statistics as st
from ligestilling.lib.disclosure import Keyed

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
    """One topic/offer/outcome: protected counts and shares for women and men, and the gap.

    Every count is protected by the cell-key method (`disclosure.Cell.protect`); the
    shares, the gap, its interval and its test are computed from the protected numbers
    shown, against the protected women's/men's totals of `GenderPicture.by_sex`, so a
    reader who recomputes from the page gets the same result. Hidden cells ("<N") carry
    no value; `gap` is None when any of the four counts behind it is hidden, or when the
    item was not used at all in the period (`used` False: 0 women and 0 men, no test).
    `citizen_women`/`citizen_men`: of the conversations where the topic was raised, how
    many times the citizen raised it (topics only); `staff_women`/`staff_men` the rest.
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
    staff_women: disclosure.Cell | None = None
    staff_men: disclosure.Cell | None = None
    used: bool = True
    #: The age-adjusted gap beside the crude one (analysis page; None elsewhere).
    age: st.AgeAdjustment | None = None

    @property
    def verdict(self) -> str | None:
        return self.gap.verdict if self.gap else None


@dataclass(frozen=True)
class GenderPicture:
    """The gender-split picture of a set of logbook entries.

    `by_sex`: 1-D keyed Table of conversations per sex with its protected total;
    `topics`/`offers`/`outcomes`: GapRows (Benjamini–Hochberg over the gaps actually
    tested on the whole page); `by_age`: 2-D keyed Table age band x sex.

    `women_n`/`men_n`: the protected numbers of conversations with women and men, the
    same values as shown in `by_sex` and the denominators of every share on the page
    (None when shown as "<N"). `total`: the TRUE number of conversations, only for
    "is there anything at all" checks (0 is published as 0 anyway); never display it,
    display `by_sex`'s total cell instead.
    """

    threshold: int
    total: int
    women_n: int | None
    men_n: int | None
    by_sex: disclosure.Table
    topics: list[GapRow] = field(default_factory=list)
    offers: list[GapRow] = field(default_factory=list)
    outcomes: list[GapRow] = field(default_factory=list)
    by_age: disclosure.Table | None = None

    @property
    def total_cell(self) -> disclosure.Cell:
        """The protected number of conversations, as shown in `by_sex`: display this, not `total`."""
        return self.by_sex.cells[0][-1]


def _gap_row(label: str, women_raised: Keyed, women_base: disclosure.Cell, men_raised: Keyed,
             men_base: disclosure.Cell, threshold: int) -> GapRow:
    """A row from the true keyed counts of the item and the protected bases of `by_sex`.

    The bases are the very cells shown in the by-sex table, so the page agrees with itself.
    The protected part is read as at most its base (independent noise can push it above).
    """
    women = disclosure.Cell.protect(women_raised, threshold)
    men = disclosure.Cell.protect(men_raised, threshold)
    women_share = disclosure.shown_share(women, women_base, threshold=threshold)
    men_share = disclosure.shown_share(men, men_base, threshold=threshold)
    used = women_raised.count + men_raised.count > 0
    gap_cell, gap = disclosure.shown_gap(women, women_base, men, men_base, threshold=threshold)
    if not used and not gap_cell.suppressed:
        # Nobody touched the item: 0 is shown, but there is no comparison to test.
        gap = None
        gap_cell = disclosure.Cell(value=None, kind=disclosure.PP, threshold=threshold)
    return GapRow(label=label, women=women, women_share=women_share, men=men, men_share=men_share,
                  gap_cell=gap_cell, gap=gap, used=used)


def _rows(labels: dict[int, str], counts: dict[tuple[int, str], Keyed], women_base: disclosure.Cell,
          men_base: disclosure.Cell, threshold: int) -> list[GapRow]:
    zero = disclosure.ZERO
    return [
        _gap_row(label, counts.get((item_id, Sex.KVINDE), zero), women_base,
                 counts.get((item_id, Sex.MAND), zero), men_base, threshold)
        for item_id, label in labels.items()
    ]


def _keyed(rows: Iterable[tuple]) -> dict[tuple, Keyed]:
    """`values_list(*fields).annotate(n=Count, k=Sum(record_key))` rows as {fields: Keyed}."""
    return {tuple(row[:-2]): disclosure.Keyed.of(row[-2], row[-1]) for row in rows}


def gender_picture(
    *,
    municipality_id: int,
    unit_ids: Iterable[int],
    threshold: int,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    age_adjust: bool = False,
) -> GenderPicture:
    """Aggregate the entries of `unit_ids` (pass the subtree) in [date_from, date_to].

    `threshold` is the municipality's `suppression_threshold`. Every list item of the
    units gets a row. Every count comes from SQL with the sum of its records' keys and is
    protected by the cell-key method, so the same set of conversations always gives the
    same numbers whatever filter selected it, and differencing two outputs gives noise.

    `age_adjust`: also give each tested row its age-adjusted gap (`GapRow.age`), at the
    cost of one more query per kind of list item (the analysis page asks for it).
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

    # Age band x sex in one index-only scan (the covering index holds record_key); the
    # conversations per sex are its keyed column sums, the same record sets as a query
    # by sex, so the same keys and the same protected numbers.
    age_keyed = _keyed(entries.order_by().values_list("age_band", "sex")
                       .annotate(n=Count("id"), k=Sum("record_key")))
    per_sex: dict[str, Keyed] = defaultdict(lambda: disclosure.ZERO)
    for (_band, sex), keyed in age_keyed.items():
        per_sex[sex] = per_sex[sex] + keyed
    by_sex = disclosure.Table.from_keyed_1d(
        {str(s.label): per_sex[s.value] for s in SEXES}, threshold=threshold,
        row_label=str(_("Conversations")), total_label=str(_("Total")),
    )
    women_base, men_base = by_sex.cells[0][0], by_sex.cells[0][1]
    by_age = disclosure.Table.from_keyed(
        [[age_keyed.get((band.value, sex.value), disclosure.ZERO) for sex in SEXES] for band in AgeBand],
        row_labels=[str(b.label) for b in AgeBand], column_labels=[str(s.label) for s in SEXES],
        threshold=threshold, row_header=str(_("Age band")), total_label=str(_("Total")),
    )

    items = ListItem.objects.filter(unit_id__in=unit_ids).order_by("kind", "position", "label")
    labels: dict[str, dict[int, str]] = defaultdict(dict)
    for pk, kind, label in items.values_list("pk", "kind", "label"):
        labels[kind][pk] = label

    topic_counts: dict[tuple[int, str], Keyed] = defaultdict(lambda: disclosure.ZERO)
    citizen_counts: dict[tuple[int, str], Keyed] = defaultdict(lambda: disclosure.ZERO)
    # The topics carry their entry's municipality, unit, date, sex and record key
    # (EntryTopic), so this is one index-only scan. count(*), not count(DISTINCT entry):
    # an entry holds a topic (an offer) at most once (unique constraints), and a plain
    # count can hash.
    on_topic = {k.removeprefix("entry__"): v for k, v in via_entry.items()}
    for (topic_id, sex, raised_by), keyed in _keyed(
        EntryTopic.objects.filter(**on_topic).order_by()
        .values_list("topic_id", "sex", "raised_by").annotate(n=Count("*"), k=Sum("record_key"))
    ).items():
        topic_counts[(topic_id, sex)] += keyed
        if raised_by == RaisedBy.CITIZEN:
            citizen_counts[(topic_id, sex)] += keyed
    offer_counts = _keyed(
        Entry.offers.through.objects.filter(**via_entry).order_by()
        .values_list("listitem_id", "entry__sex").annotate(n=Count("*"), k=Sum("entry__record_key"))
    )
    outcome_counts = _keyed(
        entries.filter(outcome__isnull=False).order_by().values_list("outcome_id", "sex")
        .annotate(n=Count("id"), k=Sum("record_key"))
    )

    topic_rows = _rows(labels[ListItem.Kind.TOPIC], topic_counts, women_base, men_base, threshold)
    offer_rows = _rows(labels[ListItem.Kind.OFFER], offer_counts, women_base, men_base, threshold)
    outcome_rows = _rows(labels[ListItem.Kind.OUTCOME], outcome_counts, women_base, men_base, threshold)

    # One family of tests for the whole page: Benjamini–Hochberg over the gaps actually
    # tested (items used in the period, none of their counts hidden). A list item nobody
    # used is no comparison; counting it would make a clear gap "not significant".
    final = topic_rows + offer_rows + outcome_rows
    tested = [i for i, row in enumerate(final) if row.gap is not None]
    adjusted = st.adjust_gaps([final[i].gap for i in tested])
    for i, gap in zip(tested, adjusted, strict=True):
        final[i] = replace(final[i], gap=gap)

    if age_adjust and tested:
        ids = [*labels[ListItem.Kind.TOPIC], *labels[ListItem.Kind.OFFER], *labels[ListItem.Kind.OUTCOME]]
        by_band = _item_counts_by_age(entries, on_topic, via_entry)
        _add_age_adjustment(final, ids, by_band, by_age, threshold)

    zero = disclosure.ZERO
    for k, item_id in enumerate(labels[ListItem.Kind.TOPIC]):
        split = {}
        for sex, name in ((Sex.KVINDE, "women"), (Sex.MAND, "men")):
            raised, citizen = topic_counts.get((item_id, sex), zero), citizen_counts.get((item_id, sex), zero)
            shown_raised = getattr(final[k], name)
            split[f"citizen_{name}"] = _at_most(disclosure.Cell.protect(citizen, threshold), shown_raised)
            split[f"staff_{name}"] = _at_most(disclosure.Cell.protect(raised - citizen, threshold), shown_raised)
        final[k] = replace(final[k], **split)

    n_topics, n_offers = len(topic_rows), len(offer_rows)
    return GenderPicture(
        threshold=threshold,
        total=sum(k.count for k in per_sex.values()),
        women_n=None if women_base.suppressed else int(women_base.value),
        men_n=None if men_base.suppressed else int(men_base.value),
        by_sex=by_sex,
        topics=final[:n_topics],
        offers=final[n_topics:n_topics + n_offers],
        outcomes=final[n_topics + n_offers:],
        by_age=by_age,
    )


def _item_counts_by_age(entries, on_topic: dict, via_entry: dict) -> dict[tuple[int, str, str], Keyed]:
    """Keyed counts per (list item, sex, age band): topics, offers and outcomes. The age band
    lives on the entry, so these join it (the analysis page only, never the dashboard)."""
    counts: dict[tuple[int, str, str], Keyed] = {}
    queries = (
        EntryTopic.objects.filter(**on_topic).values_list("topic_id", "sex", "entry__age_band")
        .annotate(n=Count("*"), k=Sum("record_key")),
        Entry.offers.through.objects.filter(**via_entry).values_list("listitem_id", "entry__sex", "entry__age_band")
        .annotate(n=Count("*"), k=Sum("entry__record_key")),
        entries.filter(outcome__isnull=False).values_list("outcome_id", "sex", "age_band")
        .annotate(n=Count("id"), k=Sum("record_key")),
    )
    for query in queries:
        for (item_id, sex, band), keyed in _keyed(query.order_by()).items():
            counts[(item_id, sex, band)] = counts.get((item_id, sex, band), disclosure.ZERO) + keyed
    return counts


def _add_age_adjustment(rows: list[GapRow], item_ids: list[int], by_band: dict, by_age: disclosure.Table,
                        threshold: int) -> None:
    """Each tested row gets its Mantel–Haenszel gap over the age bands, from the numbers
    shown: the item's protected count per band and sex against the by-age table's cells.
    A band with a "<N" among its four numbers is left out (its counts are not published).
    The adjusted gaps are one Benjamini–Hochberg family, like the crude ones."""
    lang = fmt.resolve_lang()
    women_col, men_col = SEXES.index(Sex.KVINDE), SEXES.index(Sex.MAND)
    pending = []
    for i, (row, item_id) in enumerate(zip(rows, item_ids, strict=True)):
        if row.gap is None:
            continue
        strata = []
        for b, band in enumerate(AgeBand):
            bases = by_age.cells[b][women_col], by_age.cells[b][men_col]
            parts = [disclosure.Cell.protect(by_band.get((item_id, sex, band.value), disclosure.ZERO), threshold)
                     for sex in (Sex.KVINDE, Sex.MAND)]
            if any(c.suppressed for c in (*bases, *parts)) or not bases[0].value or not bases[1].value:
                continue
            wn, mn = int(bases[0].value), int(bases[1].value)
            strata.append((min(int(parts[0].value), wn), wn, min(int(parts[1].value), mn), mn))
        if strata:
            pending.append((i, st.mh_risk_difference(strata, min_n=threshold)))
    adjusted = st.adjust_gaps([gap for _i, gap in pending])
    for (i, _raw), gap in zip(pending, adjusted, strict=True):
        rows[i] = replace(rows[i], age=st.AgeAdjustment.of(rows[i].gap, gap, lang))


def _at_most(part: disclosure.Cell, whole: disclosure.Cell) -> disclosure.Cell:
    """`part` read as no more than the shown `whole` (independent noise can push it above),
    so "raised by the citizen" never exceeds "raised" on the same row."""
    if part.suppressed or whole.suppressed or part.value is None or whole.value is None:
        return part
    return replace(part, value=min(part.value, whole.value))
