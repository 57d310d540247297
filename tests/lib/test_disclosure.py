"""Tests of disclosure control: markers, cells and keyed tables (the cell-key method itself:
tests/lib/test_cell_key.py)."""

from __future__ import annotations

import json

import pytest

from ligestilling.lib import disclosure as d
from ligestilling.lib import statistics as st


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
    assert d.marker(d.DERIVED, 5) == "(skjult)"
    assert d.marker(d.DERIVED, 5, "en") == "(hidden)"
    with pytest.raises(ValueError):
        d.marker("other", 5)
    with pytest.raises(ValueError):
        d.marker(d.DERIVED, 5, "de")


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


def test_cell_export_and_dict():
    assert d.Cell(7).export_value() == 7
    assert d.Cell(None, kind=d.SHARE).export_value() == ""
    assert d.Cell(reason=d.PRIMARY).export_value() == "<5"
    assert d.Cell(reason=d.DERIVED).export_value("en") == "(hidden)"
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


# --- keyed tables --------------------------------------------------------------------
#
# Every record key 0: every cell key is 0, whose noise is −2, so each count is shown two
# less than the truth, and a result below 5 as "<5".


def k(value: int) -> d.Keyed:
    return d.Keyed(value, 0)


def _sex_by_age_table() -> d.Table:
    return d.Table.from_keyed(
        [[k(40), k(24), k(3)], [k(50), k(21), k(0)]],
        row_labels=["Kvinder", "Mænd"], column_labels=["65-79", "80-89", "90+"], threshold=5,
        title="Nyvisiterede", row_header="Køn", notes=["Nyvisiterede 2014"], source="Odense Kommune",
    )


def test_table_structure_and_rows():
    t = _sex_by_age_table()
    assert t.row_labels == ("Kvinder", "Mænd", "I alt")
    assert t.column_labels == ("65-79", "80-89", "90+", "I alt")
    assert [r.is_total for r in t.rows] == [False, False, True]
    assert [r.label for r in t] == ["Kvinder", "Mænd", "I alt"]
    assert [c.display() for c in t.cells[0]] == ["38", "22", "<5", "65"]
    assert [c.display() for c in t.cells[1]] == ["48", "19", "0", "69"]
    # Totals are their own record sets: 3 + 0 is "<5", 138 conversations are shown as 136.
    assert [c.display() for c in t.cells[2]] == ["88", "43", "<5", "136"]
    assert t.n == 136
    assert t.cells[0][3].is_total and not t.cells[0][0].is_total
    assert t.has_suppression and t.perturbed


def test_table_records_and_json_never_hold_hidden_values():
    t = _sex_by_age_table()
    assert t.to_records()[0] == {"Køn": "Kvinder", "65-79": 38, "80-89": 22, "90+": "<5", "I alt": 65}
    data = json.loads(json.dumps(t.to_dict(), ensure_ascii=False))
    assert data["rows"][0][2] == {
        "value": None, "low": None, "high": None, "kind": "count", "suppressed": True,
        "reason": "primary", "display": "<5", "is_total": False,
    }
    assert "3" not in json.dumps(data["rows"][0][2])
    assert data["notes"][0] == "Nyvisiterede 2014"
    assert len(data["notes"]) == 3  # own note + "<5" + the ±2 change
    assert data["source"] == "Odense Kommune"


def test_suppression_notes():
    t = _sex_by_age_table()
    da, en = t.suppression_notes("da"), t.suppression_notes("en")
    assert da[0].startswith("<5: færre end 5 personer") and "±2" in da[1]
    assert en[0].startswith("<5: fewer than 5 people") and "±2" in en[1]
    shares = t.share_table()
    assert any(note.startswith("(skjult): regnet ud fra et antal") for note in shares.suppression_notes("da"))
    clean = d.Table.from_keyed([[k(10), k(20)]], row_labels=["a"], column_labels=["x", "y"], threshold=5)
    assert not clean.has_suppression and len(clean.suppression_notes()) == 1  # only the ±2 note
    empty = d.Table.from_keyed([[k(0), k(0)]], row_labels=["a"], column_labels=["x", "y"], threshold=5)
    assert empty.suppression_notes() == ()


def test_table_1d_by_sex():
    t = d.Table.from_keyed_1d({"Kvinder": k(64), "Mænd": k(71), "Andet": k(2)}, threshold=5, title="Deltagere")
    assert t.column_labels == ("Kvinder", "Mænd", "Andet", "I alt")
    # No cell is hidden to protect the "<5": the total has its own noise.
    assert [c.display() for c in t.cells[0]] == ["62", "69", "<5", "135"]
    assert t.n == 135 and t.total_column and not t.total_row
    assert d.Table.from_keyed_1d({"Mænd": k(3)}, threshold=5).n is None


def test_share_table_uses_the_shown_numbers_and_hides_derived_shares():
    t = _sex_by_age_table()
    shares = t.share_table("row")
    young = shares.cell("Kvinder", "65-79")
    ref = st.share(38, 65)
    assert young.kind == d.SHARE
    assert (young.value, young.low, young.high) == (ref.share, ref.low, ref.high)
    assert young.display() == "58 pct."
    assert shares.cell("Kvinder", "90+").reason == d.DERIVED
    assert shares.cell("Mænd", "I alt").value == 1.0
    by_column = t.share_table("column", title="Andel af aldersgruppen")
    assert by_column.title == "Andel af aldersgruppen"
    assert by_column.cell("Mænd", "65-79").value == pytest.approx(48 / 88)
    assert by_column.cell("Mænd", "90+").reason == d.DERIVED  # its total is "<5"
    one_d = d.Table.from_keyed_1d({"a": k(1), "b": k(2)}, threshold=5)
    with pytest.raises(ValueError):
        one_d.share_table("column")
    with pytest.raises(ValueError):
        t.share_table("diagonal")


def test_share_of_empty_row_is_no_figure():
    t = d.Table.from_keyed([[k(0), k(0)], [k(10), k(20)]], row_labels=["a", "b"], column_labels=["x", "y"],
                           threshold=5)
    cell = t.share_table().cell("a", "x")
    assert cell.value is None and not cell.suppressed and cell.display() == "–"


def test_threshold_ten_and_never_below_three():
    t = d.Table.from_keyed([[k(11), k(30)]], row_labels=["a"], column_labels=["x", "y"], threshold=10)
    assert [c.display() for c in t.cells[0]] == ["<10", "28", "39"]
    low = d.Table.from_keyed([[k(4), k(30)]], row_labels=["a"], column_labels=["x", "y"], threshold=1)
    assert low.threshold == 3 and low.cells[0][0].display() == "<3"


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
        d.Table.from_keyed([[k(1), k(2)]], row_labels=["a", "b"], column_labels=["x", "y"], threshold=5)
