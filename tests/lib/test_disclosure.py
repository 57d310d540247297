"""Tests of disclosure control: primary and secondary suppression, cells and tables."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st_
from scipy.optimize import linprog

from ligestilling.lib import disclosure as d
from ligestilling.lib import statistics as st

# --- helpers: an independent attacker ------------------------------------------------


def with_totals(counts: list[list[int]]) -> list[list[int]]:
    full = [list(r) + [sum(r)] for r in counts]
    full.append([sum(col) for col in zip(*full, strict=True)])
    return full


def feasible_ranges(full, reasons, threshold):
    """Min and max of every hidden entry given everything that is published.

    An attacker knows the visible cells and totals, that every row and column adds
    up, that counts are >= 0 and that a "<N" cell lies in 1 … N-1.  Solved with
    scipy's linprog, independently of the library's own graph-based audit.
    """
    n_rows, n_cols = len(full), len(full[0])
    hidden = [(i, j) for i in range(n_rows) for j in range(n_cols) if reasons[i][j]]
    if not hidden:
        return {}
    index = {cell: k for k, cell in enumerate(hidden)}
    lines = [[(i, j, 1) for j in range(n_cols - 1)] + [(i, n_cols - 1, -1)] for i in range(n_rows)]
    lines += [[(i, j, 1) for i in range(n_rows - 1)] + [(n_rows - 1, j, -1)] for j in range(n_cols)]
    a_eq, b_eq = [], []
    for line in lines:
        row, rhs = np.zeros(len(hidden)), 0.0
        for i, j, coef in line:
            if (i, j) in index:
                row[index[(i, j)]] += coef
            else:
                rhs -= coef * full[i][j]
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
        else:
            assert rhs == 0  # published numbers are consistent
    bounds = [(1, threshold - 1) if reasons[i][j] == d.PRIMARY else (0, None) for i, j in hidden]
    ranges = {}
    for cell, k in index.items():
        c = np.zeros(len(hidden))
        c[k] = 1
        lo = linprog(c, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds, method="highs")
        hi = linprog(-c, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds, method="highs")
        assert lo.status == 0  # the true table is feasible, so the LP must be
        high = np.inf if hi.status == 3 else -hi.fun  # status 3: unbounded
        ranges[cell] = (lo.fun, high)
    return ranges


small_or_any = st_.one_of(st_.integers(0, 4), st_.integers(0, 4), st_.integers(0, 40))


@st_.composite
def sex_by_age(draw):
    """2-4 sexes x 2-6 age bands for one unit, many small counts."""
    n_rows = draw(st_.integers(2, 4))
    n_cols = draw(st_.integers(2, 6))
    return [[draw(small_or_any) for _ in range(n_cols)] for _ in range(n_rows)]


# --- threshold -----------------------------------------------------------------------


def test_effective_threshold_never_below_three():
    assert d.effective_threshold(None) == 5
    assert d.effective_threshold(5) == 5
    assert d.effective_threshold(10) == 10
    assert d.effective_threshold(3) == 3
    assert d.effective_threshold(2) == 3
    assert d.effective_threshold(0) == 3
    assert d.effective_threshold(-7) == 3


def test_is_small_and_marker():
    assert [d.is_small(v, 5) for v in (0, 1, 4, 5)] == [False, True, True, False]
    assert d.is_small(2, 1)  # a threshold of 1 is clamped to 3
    assert d.marker(d.PRIMARY, 5) == "<5"
    assert d.marker(d.SECONDARY, 5) == "(skjult)"
    assert d.marker(d.DERIVED, 5, "en") == "(hidden)"
    with pytest.raises(ValueError):
        d.marker("other", 5)
    with pytest.raises(ValueError):
        d.marker(d.SECONDARY, 5, "de")


# --- cells ---------------------------------------------------------------------------


def test_cell_cannot_carry_a_hidden_value():
    with pytest.raises(ValueError):
        d.Cell(value=3, reason=d.PRIMARY)
    with pytest.raises(ValueError):
        d.Cell(low=0.1, kind=d.SHARE, reason=d.DERIVED)
    with pytest.raises(ValueError):
        d.Cell(value=3, kind="weird")
    with pytest.raises(ValueError):
        d.Cell(reason="weird")


def test_cell_display_by_kind():
    assert d.Cell(12345).display() == "12.345"
    assert d.Cell(0.32, kind=d.SHARE, low=0.26, high=0.39).display() == "32 pct."
    assert d.Cell(0.32, kind=d.SHARE, low=0.26, high=0.39).display_interval() == "26–39 pct."
    assert d.Cell(0.32, kind=d.SHARE).display("en") == "32%"
    assert d.Cell(0.32, kind=d.SHARE).display_interval() == ""
    assert d.Cell(-39.0, kind=d.PP).display() == "\u221239 procentpoint"
    assert d.Cell(36992, kind=d.AMOUNT).display() == "36.992 kr."
    assert d.Cell(36992, kind=d.AMOUNT).display("en") == "DKK 36,992"
    assert d.Cell(2.345, kind=d.MEAN).display() == "2,3"
    assert d.Cell(2.345, kind=d.RATE, digits=2).display("en") == "2.35"
    assert d.Cell(None, kind=d.SHARE).display() == "–"
    hidden = d.Cell(kind=d.SHARE, reason=d.DERIVED)
    assert hidden.display() == "(skjult)" and hidden.display_interval() == "(skjult)"
    assert d.Cell(reason=d.PRIMARY, threshold=10).display() == "<10"


def test_cell_count_primary_only():
    assert d.Cell.count(2, 5).display() == "<5"
    assert d.Cell.count(2, 5).value is None
    assert d.Cell.count(0, 5).value == 0
    assert d.Cell.count(5, 5).value == 5
    assert d.Cell.count(2, 2).reason == d.PRIMARY  # clamped to 3
    assert d.Cell.count(7, 10).display() == "<10"
    with pytest.raises(ValueError):
        d.Cell.count(-1, 5)


def test_cell_export_and_dict():
    assert d.Cell(7).export_value() == 7
    assert d.Cell(None, kind=d.SHARE).export_value() == ""
    assert d.Cell(reason=d.PRIMARY).export_value() == "<5"
    assert d.Cell(reason=d.SECONDARY).export_value("en") == "(hidden)"
    as_dict = d.Cell(reason=d.PRIMARY).to_dict()
    assert as_dict["value"] is None and as_dict["suppressed"] is True
    assert as_dict["display"] == "<5"


def test_derived_hidden_when_any_source_hidden():
    visible, hidden = d.Cell(10), d.Cell(reason=d.PRIMARY)
    share = d.derived(0.5, d.SHARE, [visible, d.Cell(20)], low=0.3, high=0.7)
    assert share.value == 0.5 and share.display_interval() == "30–70 pct."
    gap = d.derived(-39.0, d.PP, [visible, hidden], low=-49.0, high=-27.0)
    assert gap.suppressed and gap.reason == d.DERIVED
    assert gap.value is None and gap.low is None and gap.high is None


# --- suppression: fixed cases --------------------------------------------------------


def test_suppress_1d_cases():
    # 3 is primary; 50 must go too, or 53 - 50 gives it back.
    assert d.suppress_1d([3, 50], 5) == [d.PRIMARY, d.SECONDARY, None]
    # The smallest other non-zero cell is chosen, not the larger one.
    assert d.suppress_1d([10, 20, 2], 5) == [d.SECONDARY, None, d.PRIMARY, None]
    # Zero is shown; the total equals the small count and is hidden by itself.
    assert d.suppress_1d([0, 3], 5) == [None, d.PRIMARY, d.PRIMARY]
    assert d.suppress_1d([0, 0], 5) == [None, None, None]
    assert d.suppress_1d([7, 9], 5) == [None, None, None]
    # Two small cells protect each other.
    assert d.suppress_1d([1, 2, 30], 5) == [d.PRIMARY, d.PRIMARY, None, None]
    with pytest.raises(ValueError):
        d.suppress_1d([], 5)
    with pytest.raises(ValueError):
        d.suppress_1d([1.5], 5)


def test_odense_two_of_three_men_is_hidden():
    # Women 6 of 19 regained independence, men 2 of 3.
    table = d.Table.from_counts(
        [[6, 13], [2, 1]],
        row_labels=["Kvinder", "Mænd"],
        column_labels=["Selvhjulpen", "Ikke selvhjulpen"],
        threshold=5,
    )
    men = table.rows[1]
    assert [c.display() for c in men.cells] == ["<5", "<5", "<5"]
    assert all(c.value is None for c in men.cells)
    # Column totals 8 and 14 are published, so the women's cells must go too.
    assert [c.display() for c in table.rows[0].cells] == ["(skjult)"] * 3
    assert [c.value for c in table.rows[2].cells] == [8, 14, 22]
    assert table.n == 22


def test_upper_bound_of_small_cells_is_respected():
    # [[0, 0], [4, 4]]: all four "<5" cells; rows and columns have two hidden each,
    # but two "<5" cells adding up to a visible 8 must both be 4.  The naive
    # "two per line" rule misses this; the exact audit hides the 8 as well.
    reasons = d.suppress_2d([[0, 0], [4, 4]], 5)
    assert reasons[1][2] == d.SECONDARY
    assert d.audit_2d([[0, 0], [4, 4]], reasons, 5) == []
    ranges = feasible_ranges(with_totals([[0, 0], [4, 4]]), reasons, 5)
    assert all(hi - lo > 1e-7 for lo, hi in ranges.values())


def test_audit_finds_a_bridge_cell():
    # Two hidden 2x2 blocks joined by one hidden cell: every row and column has two
    # or more hidden cells, yet the joining cell is fixed by the margins.
    counts = [[10, 10, 0, 0], [10, 10, 7, 0], [0, 0, 10, 10], [0, 0, 10, 10]]
    reasons = [[None] * 5 for _ in range(5)]
    for i, j in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]:
        reasons[i][j] = d.SECONDARY
    assert d.audit_2d(counts, reasons, 5) == [(1, 2)]
    lo, hi = feasible_ranges(with_totals(counts), reasons, 5)[(1, 2)]
    assert lo == pytest.approx(7) and hi == pytest.approx(7)
    with pytest.raises(ValueError):
        d.audit_2d(counts, reasons[:2], 5)


def test_tiny_table_is_hidden_entirely():
    # Two people in all: "<3" on the ones and a shown zero row would pin both ones,
    # so nothing in the table is shown, not even as "<3".
    reasons = d.suppress_2d([[0, 0], [1, 1]], 3)
    assert all(r == d.SECONDARY for row in reasons for r in row)
    ranges = feasible_ranges(with_totals([[0, 0], [1, 1]]), reasons, 3)
    assert all(hi - lo > 1e-7 for lo, hi in ranges.values())
    assert d.suppress_1d([4], 5) == [d.PRIMARY, d.PRIMARY]  # one cell = its total: fine


def test_suppress_2d_input_checks():
    with pytest.raises(ValueError):
        d.suppress_2d([], 5)
    with pytest.raises(ValueError):
        d.suppress_2d([[1, 2], [3]], 5)
    with pytest.raises(ValueError):
        d.suppress_2d([[1, -2]], 5)


def test_threshold_cannot_be_lowered_below_three():
    table = d.Table.from_counts(
        [[1, 30], [2, 40]], row_labels=["a", "b"], column_labels=["x", "y"], threshold=1
    )
    assert table.threshold == 3
    assert table.cell("a", "x").display() == "<3"
    assert table.cell("b", "x").display() == "<3"


def test_municipality_threshold_ten():
    table = d.Table.from_counts(
        [[7, 30], [12, 40]], row_labels=["a", "b"], column_labels=["x", "y"], threshold=10
    )
    assert table.cell("a", "x").display() == "<10"
    assert table.cell("b", "x").suppressed  # secondary in the same column
    assert table.cell("a", "y").suppressed  # secondary in the same row


# --- suppression: properties over random tables -------------------------------------


@settings(max_examples=120, deadline=None)
@given(counts=sex_by_age(), threshold=st_.sampled_from([5, 5, 3, 7]))
def test_suppression_properties_2d(counts, threshold):
    full = with_totals(counts)
    reasons = d.suppress_2d(counts, threshold)
    table = d.Table.from_counts(
        counts,
        row_labels=[f"r{i}" for i in range(len(counts))],
        column_labels=[f"c{j}" for j in range(len(counts[0]))],
        threshold=threshold,
    )
    for i, row in enumerate(full):
        for j, true in enumerate(row):
            cell = table.cells[i][j]
            assert cell.reason == reasons[i][j]
            if cell.suppressed:
                assert cell.value is None
            else:
                # (a) no visible count in 1 … N-1, and (b) what is shown is the truth,
                # so published margins agree with the original data.
                assert not 0 < true < threshold
                assert cell.value == true
            if 0 < true < threshold:
                assert cell.suppressed
    # (b) for every row whose cells are all visible, the visible total adds up.
    for row in table.cells:
        if not any(c.suppressed for c in row):
            assert sum(c.value for c in row[:-1]) == row[-1].value
    # (c) no hidden entry can be recovered exactly.
    ranges = feasible_ranges(full, reasons, threshold)
    for cell, (lo, hi) in ranges.items():
        i, j = cell
        assert lo - 1e-7 <= full[i][j] <= hi + 1e-7
        assert hi - lo > 1e-7, f"{cell} pinned to {lo} in {counts}"
    assert d.audit_2d(counts, reasons, threshold) == []
    # Serialised forms never contain a hidden value.
    dumped = table.to_dict()
    for i, row in enumerate(dumped["rows"]):
        for j, cell in enumerate(row):
            if reasons[i][j]:
                assert cell["value"] is None
    json.dumps(dumped)
    for record, row in zip(table.to_records(), table.cells, strict=True):
        for value, cell in zip(list(record.values())[1:], row, strict=True):
            if cell.suppressed:
                assert value in (f"<{max(3, threshold)}", "(skjult)")


@settings(max_examples=150, deadline=None)
@given(counts=st_.lists(small_or_any, min_size=1, max_size=5))
def test_suppression_properties_1d(counts):
    reasons = d.suppress_1d(counts, 5)
    values = [*counts, sum(counts)]
    hidden = [k for k, r in enumerate(reasons) if r]
    for v, r in zip(values, reasons, strict=True):
        assert (r is not None) or not 0 < v < 5
    if not hidden:
        return
    # One equation: sum(parts) - total = 0, with the visible entries fixed.
    coef = [1] * len(counts) + [-1]
    row = np.array([coef[k] for k in hidden], dtype=float)
    rhs = -sum(coef[k] * values[k] for k in range(len(values)) if k not in hidden)
    bounds = [(1, 4) if reasons[k] == d.PRIMARY else (0, None) for k in hidden]
    for pos in range(len(hidden)):
        c = np.zeros(len(hidden))
        c[pos] = 1
        lo = linprog(c, A_eq=[row], b_eq=[rhs], bounds=bounds, method="highs")
        hi = linprog(-c, A_eq=[row], b_eq=[rhs], bounds=bounds, method="highs")
        assert lo.status == 0
        high = np.inf if hi.status == 3 else -hi.fun
        assert high - lo.fun > 1e-7, (counts, reasons)


# --- tables --------------------------------------------------------------------------


def _sex_by_age_table() -> d.Table:
    return d.Table.from_counts(
        [[40, 24, 3], [50, 21, 0]],
        row_labels=["Kvinder", "Mænd"],
        column_labels=["65-79", "80-89", "90+"],
        threshold=5,
        title="Selvhjulpne efter træning",
        row_header="Køn",
        source="Odense Kommune",
        notes=("Nyvisiterede 2014",),
    )


def test_table_structure_and_rows():
    t = _sex_by_age_table()
    assert t.row_labels == ("Kvinder", "Mænd", "I alt")
    assert t.column_labels == ("65-79", "80-89", "90+", "I alt")
    assert [r.is_total for r in t.rows] == [False, False, True]
    assert [r.label for r in t] == ["Kvinder", "Mænd", "I alt"]
    assert t.cell("Kvinder", "90+").display() == "<5"
    assert t.cell("Mænd", "90+").display() == "0"
    # Column 90+: 3 + 0 = 3 is itself small and hidden; row Kvinder needs a partner.
    assert t.cell("I alt", "90+").reason == d.PRIMARY
    assert t.cell("Kvinder", "80-89").reason == d.SECONDARY
    assert t.cell("Kvinder", "I alt").value == 67
    assert t.n == 138
    assert t.cells[0][3].is_total and not t.cells[0][0].is_total
    assert t.has_suppression


def test_table_records_and_json_never_hold_hidden_values():
    t = _sex_by_age_table()
    records = t.to_records()
    assert records[0] == {
        "Køn": "Kvinder",
        "65-79": 40,
        "80-89": "(skjult)",
        "90+": "<5",
        "I alt": 67,
    }
    # Men's 21 stays visible: hiding the column total 45 protects 24 instead.
    assert records[1]["80-89"] == 21
    assert records[2]["80-89"] == "(skjult)"
    assert t.to_records("en")[0]["80-89"] == "(hidden)"
    payload = json.dumps(t.to_dict(), ensure_ascii=False)
    data = json.loads(payload)
    assert data["rows"][0][1] == {
        "value": None,
        "low": None,
        "high": None,
        "kind": "count",
        "suppressed": True,
        "reason": "secondary",
        "display": "(skjult)",
        "is_total": False,
    }
    assert data["notes"][0] == "Nyvisiterede 2014"
    assert len(data["notes"]) == 3  # own note + explanations of "<5" and "(skjult)"
    assert data["source"] == "Odense Kommune"


def test_suppression_notes():
    t = _sex_by_age_table()
    da, en = t.suppression_notes(), t.suppression_notes("en")
    assert da[0].startswith("<5: færre end 5 personer")
    assert da[1].startswith("(skjult): skjult")
    assert en[0].startswith("<5: fewer than 5 people")
    clean = d.Table.from_counts([[10, 20]], row_labels=["a"], column_labels=["x", "y"], threshold=5)
    assert clean.suppression_notes() == () and not clean.has_suppression


def test_table_1d_by_sex():
    t = d.Table.from_counts_1d(
        {"Kvinder": 64, "Mænd": 71, "Andet": 2}, threshold=5, title="Deltagere"
    )
    assert t.column_labels == ("Kvinder", "Mænd", "Andet", "I alt")
    # The smallest other non-zero count (64, not 71) protects the "<5".
    assert [c.display() for c in t.cells[0]] == ["(skjult)", "71", "<5", "137"]
    assert t.n == 137 and t.total_column and not t.total_row
    small = d.Table.from_counts_1d({"Mænd": 3}, threshold=5)
    assert small.n is None


def test_share_table_hides_derived_shares():
    t = _sex_by_age_table()
    shares = t.share_table("row")
    young = shares.cell("Kvinder", "65-79")
    ref = st.share(40, 67)
    assert young.kind == d.SHARE
    assert (young.value, young.low, young.high) == (ref.share, ref.low, ref.high)
    assert young.display() == "60 pct."
    assert shares.cell("Kvinder", "80-89").reason == d.DERIVED
    assert shares.cell("Kvinder", "90+").reason == d.DERIVED
    assert shares.cell("Mænd", "I alt").value == 1.0
    by_column = t.share_table("column", title="Andel af aldersgruppen")
    assert by_column.title == "Andel af aldersgruppen"
    assert by_column.cell("Mænd", "65-79").value == pytest.approx(50 / 90)
    assert by_column.cell("Mænd", "90+").reason == d.DERIVED  # its total is hidden
    one_d = d.Table.from_counts_1d({"a": 1, "b": 2}, threshold=5)
    with pytest.raises(ValueError):
        one_d.share_table("column")
    with pytest.raises(ValueError):
        t.share_table("diagonal")


def test_share_of_empty_row_is_no_figure():
    t = d.Table.from_counts(
        [[0, 0], [10, 20]], row_labels=["a", "b"], column_labels=["x", "y"], threshold=5
    )
    cell = t.share_table().cell("a", "x")
    assert cell.value is None and not cell.suppressed and cell.display() == "–"


def test_table_validation():
    with pytest.raises(ValueError):
        d.Table(title="", row_labels=("a",), column_labels=("x",), cells=())
    with pytest.raises(ValueError):
        d.Table(title="", row_labels=("a",), column_labels=("x",), cells=((),))
    with pytest.raises(ValueError):
        d.Table(
            title="", row_labels=("a",), column_labels=("x",), cells=((d.Cell(1),),), row_header="x"
        )
    with pytest.raises(ValueError):
        d.Table.from_counts([[1, 2]], row_labels=["a", "b"], column_labels=["x", "y"], threshold=5)
