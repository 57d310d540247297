"""Disclosure control: the cell-key method, and the one result-table type of the reports.

Why: municipal breakdowns by sex, age and unit quickly reach cells of one to four
citizens, and users choose units, periods and breakdowns freely, so the published
tables overlap.  Suppressing cells table by table cannot protect overlapping tables: a
parent unit minus its sub-unit, or a period minus one day, gives the hidden count back.
So every count that leaves the product is protected by the **cell-key method** of the
Australian Bureau of Statistics' TableBuilder and the 2021 Census of England and Wales:

* Every record (a logbook conversation) carries a fixed random **record key** in
  0 … 255, drawn once when it is stored (:func:`record_key`).  Imported aggregates have
  no records; their cells get a key from a keyed hash of the cell's identity
  (:func:`hashed_key`), so the same cell always gets the same key too.
* A cell's **cell key** is the sum of its records' keys modulo 256.  It is computed in
  the same SQL as the count (``SUM(record_key)``), and it is additive: the key of "all
  but these" is the difference of two keys (:class:`Keyed`).
* The **perturbation table** (:data:`PTABLE`) maps the cell key to a noise of −2 … +2
  that is added to every count of 1 or more (N is the municipality's threshold).  The same
  set of records always gets the same noise, so asking twice gives nothing new, and the
  difference of two overlapping outputs is the true difference plus two independent
  noises: never a person.  The noise is added to every count of 1 or more, and a result
  below N is shown as ``"<N"``; zero is shown as 0, so a protected small count looks
  different from a true zero.  A published count is never below N, and "<N" stands for
  1 … N+1, so no combination of markers and zeros pins a count either.
* Totals are protected as cells of their own (their own set of records), so a total
  need not equal the sum of the shown cells; tables say so in a footnote.  Shares,
  gaps and tests are computed from the numbers shown, so a table never contradicts
  itself.

A hidden value is never stored in a :class:`Cell`: a ``"<N"`` cell has ``value=None``,
so no template, chart JSON or CSV/XLSX export can leak it.

Imported aggregates (datasets) and hand-entered measurements have no records; they get
their keys from :func:`hashed_key`, so the same rule covers them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from ligestilling.lib import formatting as fmt
from ligestilling.lib import statistics as st

DEFAULT_THRESHOLD = 5
MIN_THRESHOLD = 3

PRIMARY = "primary"  # a count shown as "<N"
DERIVED = "derived"  # a share, gap or interval computed from a "<N" count
REASONS = (PRIMARY, DERIVED)

COUNT = "count"
SHARE = "share"
MEAN = "mean"
AMOUNT = "amount"
PP = "pp"
RATE = "rate"
KINDS = (COUNT, SHARE, MEAN, AMOUNT, PP, RATE)

HIDDEN_TEXT = {"da": "(skjult)", "en": "(hidden)"}
TOTAL_LABEL = {"da": "I alt", "en": "Total"}


def _total(label: str | None) -> str:
    """A table's total label: the caller's (translated) text, else "I alt"/"Total"."""
    return label if label is not None else TOTAL_LABEL[fmt.resolve_lang()]


def effective_threshold(threshold: int | None = None) -> int:
    """The threshold actually applied: the municipality's value, never below 3.

    ``None`` (no setting yet) means the default of 5.
    """
    if threshold is None:
        return DEFAULT_THRESHOLD
    return max(MIN_THRESHOLD, int(threshold))


def is_small(value: int, threshold: int) -> bool:
    """True for counts that need primary suppression (1 … N−1)."""
    return 0 < value < effective_threshold(threshold)


def marker(reason: str, threshold: int, lang: str | None = None) -> str:
    """What a hidden cell shows: ``"<5"`` for primary, ``"(skjult)"`` otherwise.

    ``lang=None``: the active locale (`formatting.resolve_lang`)."""
    if reason == PRIMARY:
        return f"<{threshold}"
    if reason == DERIVED:
        try:
            return HIDDEN_TEXT[fmt.resolve_lang(lang)]
        except (KeyError, ValueError):
            raise ValueError(f"unknown language {lang!r}") from None
    raise ValueError(f"unknown reason {reason!r}")


# --- Cell keys and the perturbation table ---------------------------------------------

KEY_RANGE = 256

# Noise by cell key: 32/256 for −2 and +2, 64/256 each for −1, 0 and +1 (mean 0,
# variance 1.5).  The chance that two different sets of records get the same noise is
# 22 %, so a difference of two outputs equals the truth by chance only; never with
# certainty.  Published, like the ABS and ONS tables: the protection lies in the keys,
# which nobody outside the database sees.
PTABLE: tuple[tuple[int, int], ...] = ((32, -2), (96, -1), (160, 0), (224, 1), (256, 2))
MAX_NOISE = 2


def record_key() -> int:
    """A fresh random record key, drawn once when a record is stored."""
    return secrets.randbelow(KEY_RANGE)


def hashed_key(secret: str | bytes, *identity: object) -> int:
    """A fixed cell key for an imported aggregate, from its identity.

    A keyed hash (HMAC-SHA256 with the installation's secret) of e.g. dataset,
    indicator, category and period: the same published cell always gets the same
    noise, and nobody without the secret can compute it.
    """
    if isinstance(secret, str):
        secret = secret.encode()
    message = "\x1f".join(str(part) for part in identity).encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") % KEY_RANGE


@dataclass(frozen=True)
class Keyed:
    """A true count and its cell key: what the database returns, before protection.

    Never shown; :meth:`Cell.protect` turns it into what may be published.  Adding two
    keyed counts gives the keyed count of the union of disjoint record sets, and
    subtracting a subset gives its complement: "not raised" = all − raised.
    """

    count: int
    key: int = 0

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError("counts must be non-negative")
        object.__setattr__(self, "key", int(self.key) % KEY_RANGE)

    @classmethod
    def of(cls, count: int | None, key_sum: int | None) -> Keyed:
        """From SQL: ``COUNT(*)`` and ``SUM(record_key)`` (NULL for no rows)."""
        return cls(int(count or 0), int(key_sum or 0))

    def __add__(self, other: Keyed) -> Keyed:
        return Keyed(self.count + other.count, self.key + other.key)

    def __sub__(self, other: Keyed) -> Keyed:
        return Keyed(self.count - other.count, self.key - other.key)


ZERO = Keyed(0, 0)


def keyed_sum(parts: Iterable[Keyed]) -> Keyed:
    total = ZERO
    for part in parts:
        total = total + part
    return total


def noise(key: int) -> int:
    """The perturbation for a cell key, from :data:`PTABLE`."""
    k = int(key) % KEY_RANGE
    for upper, value in PTABLE:
        if k < upper:
            return value
    raise AssertionError("PTABLE covers the key range")  # pragma: no cover


def protect(keyed: Keyed, threshold: int | None) -> int | None:
    """The publishable count: 0 stays 0; every other count gets its key's noise first, and
    a result below N gives None (shown as ``"<N"``).

    Noise before the threshold, not after: if "<N" meant exactly 1 … N−1, a "<5" with four
    parts each shown "<5" would be 1 + 1 + 1 + 1 whatever the keys.  So "<N" stands for
    1 … N+1 and a shown number for anything within ±2 of it; a true 1 … N−3 is always
    "<N", and nothing below N is ever shown as a number.
    """
    n = effective_threshold(threshold)
    if keyed.count == 0:
        return 0
    shown = keyed.count + noise(keyed.key)
    return None if shown < n else shown


# --- Cells ---------------------------------------------------------------------------

_INTERVAL_KIND = {
    SHARE: "pct",
    PP: "pp",
    AMOUNT: "dkk",
    MEAN: "decimal",
    RATE: "decimal",
    COUNT: "count",
}


@dataclass(frozen=True)
class Cell:
    """One published number, or the marker that replaces it.

    ``reason`` is ``None`` for a visible cell, else ``"primary"``, ``"secondary"``
    or ``"derived"``; a hidden cell has ``value``, ``low`` and ``high`` = None by
    construction.  A visible cell with ``value=None`` is "no figure" (e.g. a share
    of nobody) and displays as ``–``.  ``low``/``high`` hold an optional interval
    in the same unit as ``value``.
    """

    value: float | None = None
    kind: str = COUNT
    reason: str | None = None
    threshold: int = DEFAULT_THRESHOLD
    digits: int | None = None
    low: float | None = None
    high: float | None = None
    is_total: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}")
        if self.reason is not None:
            if self.reason not in REASONS:
                raise ValueError(f"unknown reason {self.reason!r}")
            if self.value is not None or self.low is not None or self.high is not None:
                raise ValueError("a suppressed cell must not carry its value")

    @property
    def suppressed(self) -> bool:
        return self.reason is not None

    @classmethod
    def protect(cls, keyed: Keyed, threshold: int | None, *, is_total: bool = False) -> Cell:
        """A count protected by the cell-key method (see the module docstring)."""
        n = effective_threshold(threshold)
        value = protect(keyed, n)
        if value is None:
            return cls(kind=COUNT, reason=PRIMARY, threshold=n, is_total=is_total)
        return cls(value=value, kind=COUNT, threshold=n, is_total=is_total)

    def display(self, lang: str | None = None) -> str:
        """The text a reader sees, in Danish or English."""
        if self.reason is not None:
            return marker(self.reason, self.threshold, lang)
        v = self.value
        if self.kind == COUNT:
            return fmt.fmt_int(v, lang)
        if self.kind == SHARE:
            return fmt.fmt_pct(v, self.digits or 0, lang)
        if self.kind == PP:
            return fmt.fmt_pp(v, self.digits or 0, lang)
        if self.kind == AMOUNT:
            return fmt.fmt_dkk(v, self.digits or 0, lang)
        return fmt.fmt_decimal(v, 1 if self.digits is None else self.digits, lang)

    def display_interval(self, lang: str | None = None) -> str:
        """The interval as text, ``""`` when there is none, the marker when hidden."""
        if self.reason is not None:
            return marker(self.reason, self.threshold, lang)
        if self.low is None or self.high is None:
            return ""
        return fmt.fmt_interval(self.low, self.high, _INTERVAL_KIND[self.kind], self.digits, lang)

    def export_value(self, lang: str | None = None) -> int | float | str:
        """Value for CSV/XLSX: the raw number, the marker if hidden, ``""`` if no figure.

        Numbers (not display strings) so spreadsheets can compute with them, rounded as
        they are shown (a share shown "32 pct." is 0.32, a gap shown "−39 procentpoint"
        is −39), so a file never carries more precision than the screen and the PDF;
        shares are fractions, differences are percentage points.
        """
        if self.reason is not None:
            return marker(self.reason, self.threshold, lang)
        return "" if self.value is None else fmt.round_shown(self.value, self._shown_digits)

    def export_interval(self, lang: str | None = None) -> tuple[int | float | str, int | float | str]:
        """The interval's ends for CSV/XLSX, rounded as shown; the marker twice when hidden."""
        if self.reason is not None:
            hidden = marker(self.reason, self.threshold, lang)
            return hidden, hidden
        return tuple("" if end is None else fmt.round_shown(end, self._shown_digits)  # type: ignore[return-value]
                     for end in (self.low, self.high))

    @property
    def _shown_digits(self) -> int:
        """Decimals of the value as `display` shows it, in the unit it is stored in."""
        if self.kind == COUNT:
            return 0
        if self.kind == SHARE:
            return (self.digits or 0) + 2  # a fraction shown as a percentage
        if self.kind in (PP, AMOUNT):
            return self.digits or 0
        return 1 if self.digits is None else self.digits

    def to_dict(self, lang: str | None = None) -> dict[str, object]:
        """JSON-safe form (charts, APIs); hidden cells have ``value: null``."""
        return {
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "kind": self.kind,
            "suppressed": self.suppressed,
            "reason": self.reason,
            "display": self.display(lang),
            "is_total": self.is_total,
        }


def derived(
    value: float | None,
    kind: str,
    sources: Iterable[Cell],
    *,
    low: float | None = None,
    high: float | None = None,
    digits: int | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    is_total: bool = False,
) -> Cell:
    """A cell computed from ``sources`` (e.g. a share from a count and its total).

    Hidden (reason ``"derived"``) when any source is hidden, because e.g. a share
    and its visible denominator give the hidden count back.
    """
    n = effective_threshold(threshold)
    if any(s.suppressed for s in sources):
        return Cell(kind=kind, reason=DERIVED, threshold=n, digits=digits, is_total=is_total)
    return Cell(
        value=value, kind=kind, threshold=n, digits=digits, low=low, high=high, is_total=is_total
    )


def shown_share(
    part: Cell, base: Cell, *, threshold: int = DEFAULT_THRESHOLD, is_total: bool = False
) -> Cell:
    """The share ``part / base`` with its Wilson interval, from the numbers shown.

    Computed from the published (protected) counts, so a reader who divides the two
    numbers beside it gets the same share.  Independent noise can make a part exceed its
    base; the part is then read as the whole base (a share of 100 %), never above.
    Hidden when either count is hidden; no figure when the base is zero.
    """
    if part.suppressed or base.suppressed or not base.value:
        value = low = high = None
    else:
        k, n = min(int(part.value), int(base.value)), int(base.value)  # type: ignore[arg-type]
        s = st.share(k, n)
        value, low, high = s.share, s.low, s.high
    return derived(value, SHARE, (part, base), low=low, high=high, threshold=threshold, is_total=is_total)


def shown_gap(
    women_part: Cell,
    women_base: Cell,
    men_part: Cell,
    men_base: Cell,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    alpha: float = 0.05,
) -> tuple[Cell, st.Gap | None]:
    """The women-minus-men gap of two shares, from the numbers shown: the one gap of every
    output (logbook topics, the gap trend, project criteria, dataset shares).

    Like :func:`shown_share`: computed from the published (protected) counts, each part
    clamped to its base, so a reader recomputing from the table gets the same gap; hidden
    (reason DERIVED) when any of the four counts is hidden; no figure when a base is 0.
    Returns the cell (percentage points, Newcombe interval) and the statistics core's
    :class:`~ligestilling.lib.statistics.Gap` (test, p-value, verdict code), or None
    when there is no gap to judge. The verdict is :data:`~statistics.TOO_FEW` when a
    base is below ``threshold``.
    """
    n = effective_threshold(threshold)
    sources = (women_part, women_base, men_part, men_base)
    if any(c.suppressed for c in sources):
        return Cell(kind=PP, reason=DERIVED, threshold=n), None
    if not women_base.value or not men_base.value:
        return Cell(value=None, kind=PP, threshold=n), None
    wn, mn = int(women_base.value), int(men_base.value)
    w, m = min(int(women_part.value or 0), wn), min(int(men_part.value or 0), mn)
    gap = st.proportion_gap(w, wn, m, mn, alpha=alpha, min_n=n)
    return Cell(value=gap.difference, kind=PP, threshold=n, low=gap.low, high=gap.high), gap


# --- Tables --------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One table row for templates: ``{% for row in table.rows %}``."""

    label: str
    cells: tuple[Cell, ...]
    is_total: bool = False


@dataclass(frozen=True)
class Table:
    """A published table: labels, cells (hidden ones already replaced), notes, source.

    ``cells`` includes the total row/column when ``total_row``/``total_column`` is
    set (they are then the last row/column).  ``n`` is the number of persons the
    table covers, or None when that total itself is hidden.
    """

    title: str
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]
    threshold: int = DEFAULT_THRESHOLD
    n: int | None = None
    row_header: str = ""
    notes: tuple[str, ...] = ()
    source: str = ""
    total_row: bool = False
    total_column: bool = False
    perturbed: bool = False

    def __post_init__(self) -> None:
        if len(self.cells) != len(self.row_labels):
            raise ValueError("one row of cells per row label")
        if any(len(r) != len(self.column_labels) for r in self.cells):
            raise ValueError("one cell per column label in every row")
        if self.row_header in self.column_labels:
            raise ValueError("row_header must differ from the column labels")

    # -- construction --

    @classmethod
    def from_keyed(
        cls,
        counts: Sequence[Sequence[Keyed]],
        *,
        row_labels: Sequence[str],
        column_labels: Sequence[str],
        threshold: int | None,
        title: str = "",
        row_header: str = "",
        total_label: str | None = None,
        notes: Sequence[str] = (),
        source: str = "",
    ) -> Table:
        """A count table with row, column and grand totals, every cell protected by its key.

        The totals are the keyed sums of their rows and columns (their own record sets),
        protected like any other cell.
        """
        n = effective_threshold(threshold)
        if len(counts) != len(row_labels) or any(len(r) != len(column_labels) for r in counts):
            raise ValueError("labels do not match the shape of counts")
        full = [list(r) + [keyed_sum(r)] for r in counts]
        full.append([keyed_sum(col) for col in zip(*full, strict=True)])
        last_i, last_j = len(full) - 1, len(full[0]) - 1
        cells = tuple(
            tuple(Cell.protect(k, n, is_total=i == last_i or j == last_j) for j, k in enumerate(row))
            for i, row in enumerate(full)
        )
        grand = cells[last_i][last_j]
        return cls(
            title=title,
            row_labels=(*row_labels, _total(total_label)),
            column_labels=(*column_labels, _total(total_label)),
            cells=cells,
            threshold=n,
            n=None if grand.suppressed else int(grand.value),  # type: ignore[arg-type]
            row_header=row_header,
            notes=tuple(notes),
            source=source,
            total_row=True,
            total_column=True,
            perturbed=True,
        )

    @classmethod
    def from_keyed_1d(
        cls,
        counts: Mapping[str, Keyed],
        *,
        threshold: int | None,
        title: str = "",
        row_label: str = "Antal",
        row_header: str = "",
        total_label: str | None = None,
        notes: Sequence[str] = (),
        source: str = "",
    ) -> Table:
        """One row of keyed counts (e.g. by sex) with a protected total column."""
        n = effective_threshold(threshold)
        values = [*counts.values(), keyed_sum(counts.values())]
        last = len(values) - 1
        row = tuple(Cell.protect(k, n, is_total=j == last) for j, k in enumerate(values))
        total = row[-1]
        return cls(
            title=title,
            row_labels=(row_label,),
            column_labels=(*counts.keys(), _total(total_label)),
            cells=(row,),
            threshold=n,
            n=None if total.suppressed else int(total.value),  # type: ignore[arg-type]
            row_header=row_header,
            notes=tuple(notes),
            source=source,
            total_row=False,
            total_column=True,
            perturbed=True,
        )

    def share_table(self, axis: str = "row", *, title: str | None = None) -> Table:
        """Shares of the row (``axis="row"``) or column total, with Wilson intervals.

        Needs the matching total (last column for rows, last row for columns).  A
        share is hidden when its count or its total is hidden.
        """
        if axis not in ("row", "column"):
            raise ValueError("axis must be 'row' or 'column'")
        if (axis == "row" and not self.total_column) or (axis == "column" and not self.total_row):
            raise ValueError(f"a {axis} share needs the {axis} totals")
        rows = []
        for row in self.cells:
            out = []
            for j, cell in enumerate(row):
                total = row[-1] if axis == "row" else self.cells[-1][j]
                out.append(shown_share(cell, total, threshold=self.threshold, is_total=cell.is_total))
            rows.append(tuple(out))
        return Table(
            title=self.title if title is None else title,
            row_labels=self.row_labels,
            column_labels=self.column_labels,
            cells=tuple(rows),
            threshold=self.threshold,
            n=self.n,
            row_header=self.row_header,
            notes=self.notes,
            source=self.source,
            total_row=self.total_row,
            total_column=self.total_column,
            perturbed=self.perturbed,
        )

    # -- reading --

    @property
    def rows(self) -> tuple[Row, ...]:
        """Rows for templates, the total row flagged."""
        last = len(self.cells) - 1
        return tuple(
            Row(label=label, cells=cells, is_total=self.total_row and i == last)
            for i, (label, cells) in enumerate(zip(self.row_labels, self.cells, strict=True))
        )

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def cell(self, row_label: str, column_label: str) -> Cell:
        return self.cells[self.row_labels.index(row_label)][self.column_labels.index(column_label)]

    @property
    def has_suppression(self) -> bool:
        return any(c.suppressed for row in self.cells for c in row)

    def suppression_notes(self, lang: str | None = None) -> tuple[str, ...]:
        """Footnotes explaining the markers that occur in this table."""
        lang = fmt.resolve_lang(lang)
        reasons = {c.reason for row in self.cells for c in row if c.suppressed}
        n, hidden = self.threshold, HIDDEN_TEXT[lang]
        notes = []
        if PRIMARY in reasons:
            notes.append(
                f"<{n}: færre end {n} personer (efter ændringen på højst ±2); det præcise tal "
                "vises ikke af hensyn til fortroligheden."
                if lang == "da"
                else f"<{n}: fewer than {n} people (after the change of at most ±2); the exact "
                "number is withheld for privacy."
            )
        if self.perturbed and any(not c.suppressed and c.value for row in self.cells for c in row):
            notes.append(
                "Alle antal er ændret tilfældigt med højst ±2 for at beskytte enkeltpersoner; "
                "det samme udtræk giver altid det samme tal, og totaler kan derfor afvige lidt "
                "fra summen af cellerne."
                if lang == "da"
                else "Every count is changed at random by at most ±2 to protect individuals; "
                "the same selection always gives the same number, so totals may differ "
                "slightly from the sum of the cells."
            )
        if DERIVED in reasons:
            notes.append(
                f"{hidden}: regnet ud fra et antal, der vises som <{n}, og derfor ikke vist."
                if lang == "da"
                else f"{hidden}: computed from a count shown as <{n}, and therefore not shown."
            )
        return tuple(notes)

    # -- export --

    def to_records(self, lang: str | None = None) -> list[dict[str, object]]:
        """Rows as dicts for CSV/XLSX; hidden cells carry only their marker text."""
        key = self.row_header
        return [
            {key: row.label}
            | {
                col: cell.export_value(lang)
                for col, cell in zip(self.column_labels, row.cells, strict=True)
            }
            for row in self.rows
        ]

    def to_dict(self, lang: str | None = None) -> dict[str, object]:
        """JSON-safe form for charts; hidden values are ``null``, never the number."""
        return {
            "title": self.title,
            "row_header": self.row_header,
            "row_labels": list(self.row_labels),
            "column_labels": list(self.column_labels),
            "rows": [[c.to_dict(lang) for c in row] for row in self.cells],
            "threshold": self.threshold,
            "n": self.n,
            "notes": list(self.notes) + list(self.suppression_notes(lang)),
            "source": self.source,
            "total_row": self.total_row,
            "total_column": self.total_column,
        }
