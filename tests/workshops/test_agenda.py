"""The agenda template and time arithmetic (pure functions)."""

from datetime import time

import pytest

from workshops import agenda


def test_template_follows_the_pamphlet_in_order():
    titles = [row["title"] for row in agenda.template_items(agenda.SHORT)]
    assert titles[0] == "Velkommen"
    assert titles[1] == "Oplæg om ligestilling og køn på området"
    assert "Hvorfor er ligestillingsvurdering vigtig på vores område?" in titles[2]
    assert "Hvad fortæller data os?" in titles[2]
    assert titles[3] == "Frokost"
    assert "Hvordan kan vi ændre praksis?" in titles[4]
    assert titles[5] == "Konkret plan for handlinger"
    assert titles[6] == "Aftale om et opfølgende møde"
    assert [row["position"] for row in agenda.template_items(agenda.SHORT)] == list(range(1, 8))


@pytest.mark.parametrize("length", [agenda.SHORT, agenda.FULL_DAY])
def test_template_fits_its_length(length):
    total = agenda.total_minutes([row["minutes"] for row in agenda.template_items(length)])
    low, high = agenda.LENGTH_BOUNDS[length]
    assert low <= total <= high
    assert agenda.length_warning(length, total) is None


def test_unknown_length_is_refused():
    with pytest.raises(ValueError):
        agenda.template_items("weekend")


def test_schedule_runs_items_back_to_back():
    slots = agenda.schedule(time(9, 0), [10, 30, 45])
    assert [(s.start, s.end) for s in slots] == [
        (time(9, 0), time(9, 10)), (time(9, 10), time(9, 40)), (time(9, 40), time(10, 25))]
    assert agenda.end_time(time(9, 0), [10, 30, 45]) == time(10, 25)


def test_schedule_crosses_noon_and_wraps_midnight():
    assert agenda.schedule(time(11, 50), [20])[0].end == time(12, 10)
    assert agenda.schedule(time(23, 30), [60])[0].end == time(0, 30)


def test_schedule_refuses_negative_lengths():
    with pytest.raises(ValueError):
        agenda.schedule(time(9, 0), [10, -5])


def test_empty_schedule():
    assert agenda.schedule(time(9, 0), []) == []
    assert agenda.end_time(time(9, 0), []) == time(9, 0)


@pytest.mark.parametrize("length,total,expected", [
    (agenda.SHORT, 180, None), (agenda.SHORT, 240, None),
    (agenda.SHORT, 175, "mindre end"), (agenda.SHORT, 245, "mere end"),
    (agenda.FULL_DAY, 300, None), (agenda.FULL_DAY, 480, None),
    (agenda.FULL_DAY, 240, "mindre end en hel dag"), (agenda.FULL_DAY, 490, "mere end"),
    (agenda.SHORT, 0, "tom"),
])
def test_length_warning(length, total, expected):
    warning = agenda.length_warning(length, total)
    if expected is None:
        assert warning is None
    else:
        assert expected in warning


def test_format_minutes_in_danish():
    assert agenda.format_minutes(45) == "45 min"
    assert agenda.format_minutes(180) == "3 t"
    assert agenda.format_minutes(215) == "3 t 35 min"


def test_moved():
    assert agenda.moved(["a", "b", "c"], 1, "up") == ["b", "a", "c"]
    assert agenda.moved(["a", "b", "c"], 1, "down") == ["a", "c", "b"]
    assert agenda.moved(["a", "b", "c"], 0, "up") == ["a", "b", "c"]
    assert agenda.moved(["a", "b", "c"], 2, "down") == ["a", "b", "c"]
    with pytest.raises(ValueError):
        agenda.moved(["a"], 0, "sideways")
    with pytest.raises(IndexError):
        agenda.moved(["a"], 3, "up")
