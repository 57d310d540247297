"""The cell-key method at the bottom: keys, the perturbation table and protected tables."""

import collections
import random

import pytest

from ligestilling.lib import disclosure as d


def test_noise_over_all_keys_has_mean_zero_and_the_published_spread():
    counts = collections.Counter(d.noise(k) for k in range(d.KEY_RANGE))
    assert counts == {-2: 32, -1: 64, 0: 64, 1: 64, 2: 32}
    assert sum(v * n for v, n in counts.items()) == 0


def test_zero_stays_zero_and_small_counts_are_hidden_not_zero():
    assert d.protect(d.Keyed(0, 0), 5) == 0
    for count in range(1, 3):  # 1 .. N-3: hidden whatever the key
        for key in range(d.KEY_RANGE):
            assert d.protect(d.Keyed(count, key), 5) is None
    cell = d.Cell.protect(d.Keyed(3, 17), 5)
    assert cell.display() == "<5" and cell.value is None
    assert d.Cell.protect(d.Keyed(0, 0), 5).display() == "0"


def test_the_noise_comes_before_the_threshold_so_a_marker_has_no_sharp_upper_bound():
    # A true 6 can show "<5" and a true 3 can show 5: "<5" stands for 1 .. 6, so four
    # parts shown "<5" inside a set shown "<5" no longer have to be 1 each.
    shown_for_6 = {d.protect(d.Keyed(6, key), 5) for key in range(d.KEY_RANGE)}
    assert None in shown_for_6 and 8 in shown_for_6
    shown_for_3 = {d.protect(d.Keyed(3, key), 5) for key in range(d.KEY_RANGE)}
    assert shown_for_3 == {None, 5}


def test_published_counts_stay_within_two_and_never_below_the_threshold():
    for threshold in (3, 5, 10):
        for count in range(1, threshold + 30):
            for key in range(d.KEY_RANGE):
                shown = d.protect(d.Keyed(count, key), threshold)
                if shown is None:
                    assert count <= threshold - 1 + d.MAX_NOISE
                else:
                    assert shown >= threshold and abs(shown - count) <= d.MAX_NOISE


def test_the_same_records_always_get_the_same_number():
    keys = [random.Random(1).randrange(256) for _ in range(40)]
    a = d.keyed_sum(d.Keyed(1, k) for k in keys)
    b = d.keyed_sum(d.Keyed(1, k) for k in reversed(keys))
    assert d.protect(a, 5) == d.protect(b, 5)


def test_a_complement_has_the_key_of_its_own_records():
    rng = random.Random(2)
    keys = [rng.randrange(256) for _ in range(30)]
    everything = d.keyed_sum(d.Keyed(1, k) for k in keys)
    part = d.keyed_sum(d.Keyed(1, k) for k in keys[:12])
    rest = d.keyed_sum(d.Keyed(1, k) for k in keys[12:])
    assert everything - part == rest


def test_keyed_counts_refuse_negative_counts():
    with pytest.raises(ValueError):
        d.Keyed(2, 0) - d.Keyed(3, 0)


def test_hashed_keys_are_fixed_per_identity_and_depend_on_the_secret():
    a = d.hashed_key("secret", "dataset-1", "Andel", "85+", "2025", "kvinde")
    assert a == d.hashed_key("secret", "dataset-1", "Andel", "85+", "2025", "kvinde")
    keys_other_secret = {d.hashed_key(f"s{i}", "dataset-1", "x") for i in range(50)}
    assert len(keys_other_secret) > 30
    assert 0 <= a < d.KEY_RANGE


def test_a_keyed_table_protects_every_cell_and_its_totals_and_says_so():
    rng = random.Random(3)
    grid = [[d.Keyed(rng.randrange(0, 40), rng.randrange(256)) for _ in range(3)] for _ in range(4)]
    table = d.Table.from_keyed(grid, row_labels=list("abcd"), column_labels=list("xyz"), threshold=5)
    for i, row in enumerate(grid):
        for j, k in enumerate(row):
            assert table.cells[i][j].value == d.protect(k, 5)
    grand = d.keyed_sum(k for row in grid for k in row)
    assert table.cells[-1][-1].value == d.protect(grand, 5)
    assert table.n == d.protect(grand, 5)
    assert any("±2" in note for note in table.suppression_notes("da"))


def test_a_share_is_computed_from_the_shown_numbers_and_never_exceeds_the_whole():
    part = d.Cell(value=12)
    base = d.Cell(value=10)
    share = d.shown_share(part, base, threshold=5)
    assert share.value == 1.0
    assert d.shown_share(d.Cell(value=5), d.Cell(value=20), threshold=5).value == 0.25
    assert d.shown_share(d.Cell(reason=d.PRIMARY), base, threshold=5).suppressed
