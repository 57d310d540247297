"""The one women-minus-men gap (disclosure.shown_gap), from the numbers shown."""

from ligestilling.lib import disclosure
from ligestilling.lib import statistics as st


def c(value):
    return disclosure.Cell(value=value, threshold=5)


def test_the_gap_equals_the_statistics_core_on_the_shown_counts():
    cell, gap = disclosure.shown_gap(c(10), c(40), c(24), c(30), threshold=5)
    reference = st.proportion_gap(10, 40, 24, 30, min_n=5)
    assert cell.value == reference.difference == -55.0 and (cell.low, cell.high) == (reference.low, reference.high)
    assert gap.verdict == st.SIGNIFICANT


def test_a_part_above_its_base_is_read_as_the_whole_base():
    # Independent noise can make a protected part exceed its protected base.
    assert disclosure.shown_gap(c(12), c(11), c(5), c(10))[0].value == 50.0


def test_a_hidden_count_hides_the_gap_and_an_empty_base_gives_no_figure():
    hidden = disclosure.Cell(reason=disclosure.PRIMARY, threshold=10)
    cell, gap = disclosure.shown_gap(hidden, c(40), c(24), c(30), threshold=10)
    assert cell.suppressed and cell.reason == disclosure.DERIVED and gap is None
    assert cell.display("da") == "(skjult)"
    cell, gap = disclosure.shown_gap(c(0), c(0), c(24), c(30))
    assert cell.value is None and not cell.suppressed and gap is None


def test_few_people_behind_a_share_are_too_few_to_say_at_the_municipalitys_threshold():
    assert disclosure.shown_gap(c(6), c(8), c(1), c(12), threshold=10)[1].verdict == st.TOO_FEW
    assert disclosure.shown_gap(c(6), c(8), c(1), c(12), threshold=5)[1].verdict != st.TOO_FEW
