"""“What does the data tell us?”: the data shown at a workshop and behind a focus group's composition.

Everything comes from the datasets and logbooks apps' selectors, so the numbers pass the
same statistics and disclosure control (`reporting/statistics.py`, `reporting/disclosure.py`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accounts import access
from datasets import selectors as dataset_selectors
from datasets.models import Dataset, Indicator, Sex
from logbooks import selectors as logbook_selectors


@dataclass(frozen=True)
class IndicatorSummary:
    """The latest period of one indicator: women, men, the gap and whether it is clear."""

    indicator: Indicator
    period: str
    women: object | None  # disclosure.Cell
    men: object | None
    gap: object | None
    verdict: str
    verdict_text: str


def indicator_summary(indicator: Indicator, *, threshold: int) -> IndicatorSummary | None:
    table = dataset_selectors.indicator_table(indicator, threshold=threshold)
    if not table.rows:
        return None
    row = table.rows[0]  # the latest period
    women, men = row.figures.get(Sex.KVINDE), row.figures.get(Sex.MAND)
    return IndicatorSummary(
        indicator=indicator, period=row.label, women=women.value if women else None,
        men=men.value if men else None, gap=row.gap, verdict=row.verdict, verdict_text=row.verdict_text,
    )


def indicator_summaries(indicators, *, threshold: int) -> list[IndicatorSummary]:
    summaries = [indicator_summary(i, threshold=threshold) for i in indicators]
    return [s for s in summaries if s is not None]


def indicator_choices(scope: access.Scope):
    """Indicators the user may attach or see: those of the datasets they may read (their
    units' and the municipality-wide ones, for leder/analytiker) and the shared reference figures."""

    datasets = Dataset.objects.readable_by(scope)
    return (Indicator.objects.filter(dataset__in=datasets).select_related("dataset")
            .order_by("dataset__title", "position", "name"))


def readable_indicators(indicators, scope: access.Scope) -> tuple[list[Indicator], int]:
    """The attached indicators the viewer may read, and how many others are attached.

    Data chosen for a workshop or behind a focus group is shown only to a viewer who may
    read its dataset (datasets.models.DatasetQuerySet), whoever chose it.
    """

    indicators = list(indicators)
    readable = set(Dataset.objects.readable_by(scope).filter(pk__in={i.dataset_id for i in indicators})
                   .values_list("pk", flat=True))
    shown = [i for i in indicators if i.dataset_id in readable]
    return shown, len(indicators) - len(shown)


@dataclass(frozen=True)
class LogbookSummary:
    picture: object  # logbooks.selectors.GenderPicture
    date_from: dt.date
    date_to: dt.date
    gaps: list  # GapRows of topics/offers/outcomes with a significant gap, largest first


def logbook_summary(*, municipality, unit_ids, today: dt.date, months: int = 12, limit: int = 5) -> LogbookSummary:
    """The logbooks of the units (and below) over the last `months`: the clearest gender differences."""
    date_from = today - dt.timedelta(days=round(months * 30.44))
    picture = logbook_selectors.gender_picture(
        municipality_id=municipality.pk, unit_ids=access.unit_ids_with_descendants(unit_ids),
        threshold=municipality.suppression_threshold, date_from=date_from, date_to=today,
    )
    rows = [r for r in (*picture.topics, *picture.offers, *picture.outcomes) if r.verdict == "significant"]
    rows.sort(key=lambda r: abs(r.gap.difference), reverse=True)
    return LogbookSummary(picture=picture, date_from=date_from, date_to=today, gaps=rows[:limit])
