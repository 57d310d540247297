"""Tests of ligestilling.lib.statistics against scipy and published worked examples."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st_
from scipy import stats

from ligestilling.lib import statistics as st

FAST = settings(max_examples=150, deadline=None)


# --- wilson_interval / share -----------------------------------------------------


def test_wilson_published_example():
    # Newcombe RG (1998) "Two-sided confidence intervals for the single proportion:
    # comparison of seven methods", Statistics in Medicine 17:857-872, Table I:
    # 81/263, Wilson score interval without continuity correction 0.2553 to 0.3662.
    low, high = st.wilson_interval(81, 263)
    assert low == pytest.approx(0.2553, abs=5e-5)
    assert high == pytest.approx(0.3662, abs=5e-5)


@FAST
@given(n=st_.integers(1, 400), data=st_.data(), level=st_.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_wilson_matches_scipy(n, data, level):
    k = data.draw(st_.integers(0, n))
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
    low, high = st.wilson_interval(k, n, level)
    assert low == pytest.approx(ci.low, abs=1e-12)
    assert high == pytest.approx(ci.high, abs=1e-12)
    assert 0 <= low <= k / n <= high <= 1


def test_wilson_edges():
    assert st.wilson_interval(0, 0) == (None, None)
    low, high = st.wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=5e-5)
    low, high = st.wilson_interval(10, 10)
    assert high == 1.0 and low == pytest.approx(1 - 0.2775, abs=5e-5)
    with pytest.raises(ValueError):
        st.wilson_interval(5, 4)
    with pytest.raises(ValueError):
        st.wilson_interval(-1, 4)
    with pytest.raises(ValueError):
        st.wilson_interval(1, 4, level=1.5)


def test_share_values_and_empty_group():
    s = st.share(71, 100)
    assert (s.count, s.n, s.share) == (71, 100, 0.71)
    assert (s.low, s.high) == st.wilson_interval(71, 100)
    empty = st.share(0, 0)
    assert empty.share is None and empty.low is None and empty.high is None


def test_shares_by_sex_includes_pooled_total_with_all_sexes():
    result = st.shares_by_sex({st.KVINDE: (64, 200), st.MAND: (71, 100), st.UOPLYST: (1, 4)})
    assert result[st.KVINDE].share == pytest.approx(0.32)
    assert result[st.MAND].share == pytest.approx(0.71)
    total = result[st.I_ALT]
    assert (total.count, total.n) == (136, 304)
    assert st.ANDET not in result  # missing sex is not invented
    with pytest.raises(ValueError):
        st.shares_by_sex({st.I_ALT: (1, 2)})


def test_shares_by_sex_single_sex_and_empty_group():
    result = st.shares_by_sex({st.MAND: (3, 9), st.KVINDE: (0, 0)})
    assert result[st.KVINDE].share is None
    assert result[st.I_ALT].share == pytest.approx(1 / 3)
    assert st.shares_by_sex({})[st.I_ALT].share is None


# --- Newcombe interval ---------------------------------------------------------------

# Newcombe RG (1998) "Interval estimation for the difference between independent
# proportions: comparison of eleven methods", Statistics in Medicine 17:873-890,
# Table II, method 10 (hybrid score, no continuity correction).  Example (a) is
# 56/70 - 48/80: difference 0.2000, interval 0.0524 to 0.3339.
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE_TABLE_II)
def test_newcombe_published_table(counts, expected):
    low, high = st.newcombe_interval(*counts)
    assert low == pytest.approx(expected[0], abs=5e-5)
    assert high == pytest.approx(expected[1], abs=5e-5)


def test_newcombe_example_a_through_proportion_gap():
    gap = st.proportion_gap(56, 70, 48, 80)
    assert gap.difference == pytest.approx(20.0)
    assert gap.low == pytest.approx(5.24, abs=5e-3)
    assert gap.high == pytest.approx(33.39, abs=5e-3)


def test_newcombe_empty_group():
    assert st.newcombe_interval(1, 2, 0, 0) == (None, None)


# --- proportion_gap: the Odense acceptance cases -----------------------------------


def test_odense_large_groups_men_higher_significant():
    # Pamphlet: 71 % of newly referred men vs 32 % of women no longer needed help.
    gap = st.proportion_gap(64, 200, 71, 100)
    assert gap.difference == pytest.approx(-39.0)  # women minus men: men 39 points higher
    assert gap.higher == st.MAND
    # All expected counts are >= 5, so the automatic choice is Pearson chi-square
    # without continuity correction; its p is 1.55e-10.  The "p ~ 1.8e-10" quoted for
    # this case is Fisher's exact test, checked below with the test forced.
    assert gap.test == st.CHI2
    table = [[64, 136], [71, 29]]
    assert gap.p_value == pytest.approx(stats.chi2_contingency(table, correction=False).pvalue)
    assert gap.p_value == pytest.approx(1.546e-10, rel=1e-3)
    assert gap.verdict == st.SIGNIFICANT
    assert gap.high < 0  # the whole interval is below zero
    assert gap.low == pytest.approx(-49.03, abs=0.01)
    assert gap.high == pytest.approx(-27.31, abs=0.01)
    assert gap.ratio == pytest.approx(0.32 / 0.71)

    forced = st.proportion_gap(64, 200, 71, 100, test="fisher")
    assert forced.test == st.FISHER
    assert forced.p_value == pytest.approx(stats.fisher_exact(table).pvalue)
    assert forced.p_value == pytest.approx(1.763e-10, rel=1e-3)
    assert forced.verdict == st.SIGNIFICANT


def test_odense_small_groups_fisher_not_significant():
    gap = st.proportion_gap(6, 19, 5, 7)
    assert gap.difference == pytest.approx(100 * (6 / 19 - 5 / 7))
    assert round(gap.difference) == -40
    assert gap.test == st.FISHER  # an expected count is 2.96 < 5
    assert gap.p_value == pytest.approx(stats.fisher_exact([[6, 13], [5, 2]]).pvalue)
    assert gap.p_value == pytest.approx(0.0946, abs=5e-5)
    assert gap.verdict == st.NOT_SIGNIFICANT
    assert gap.low < 0 < gap.high
    assert gap.high - gap.low > 60  # wide: a handful of people either way


def test_odense_two_of_three_men_too_few():
    gap = st.proportion_gap(6, 19, 2, 3)
    assert gap.verdict == st.TOO_FEW
    assert gap.p_value == pytest.approx(stats.fisher_exact([[6, 13], [2, 1]]).pvalue)


def test_gap_empty_group_is_too_few():
    gap = st.proportion_gap(5, 10, 0, 0)
    assert gap.verdict == st.TOO_FEW
    assert gap.difference is None and gap.p_value is None and gap.test is None
    assert gap.low is None and gap.high is None and gap.ratio is None
    assert gap.p_women == 0.5 and gap.p_men is None


def test_gap_min_n_boundary():
    assert st.proportion_gap(2, 4, 40, 50).verdict == st.TOO_FEW
    assert st.proportion_gap(0, 5, 40, 50).verdict == st.SIGNIFICANT
    assert st.proportion_gap(0, 5, 40, 50, min_n=10).verdict == st.TOO_FEW


def test_gap_zero_percent_both_groups():
    gap = st.proportion_gap(0, 10, 0, 20)
    assert gap.difference == 0
    assert gap.test == st.FISHER and gap.p_value == pytest.approx(1.0)
    assert gap.verdict == st.NOT_SIGNIFICANT
    assert gap.ratio is None  # men's share is 0
    assert gap.higher is None
    assert (gap.low, gap.high) == pytest.approx((-16.11, 27.75), abs=0.01)


def test_gap_hundred_percent_vs_zero():
    gap = st.proportion_gap(10, 10, 0, 20)
    assert gap.difference == 100
    assert gap.high == 100 and gap.low == pytest.approx(67.91, abs=0.01)
    assert gap.verdict == st.SIGNIFICANT
    assert gap.higher == st.KVINDE


def test_gap_all_in_one_outcome_hundred_percent():
    gap = st.proportion_gap(10, 10, 20, 20)
    assert gap.difference == 0 and gap.p_value == pytest.approx(1.0)
    assert gap.ratio == 1.0


def test_gap_forced_chi2_undefined_and_bad_arguments():
    with pytest.raises(ValueError):
        st.proportion_gap(0, 10, 0, 20, test="chi2")
    with pytest.raises(ValueError):
        st.proportion_gap(1, 10, 2, 20, test="z")
    with pytest.raises(ValueError):
        st.proportion_gap(11, 10, 2, 20)
    with pytest.raises(ValueError):
        st.proportion_gap(1, 10, 2, 20, alpha=0)


@FAST
@given(wn=st_.integers(1, 120), mn=st_.integers(1, 120), data=st_.data())
def test_gap_properties(wn, mn, data):
    wc = data.draw(st_.integers(0, wn))
    mc = data.draw(st_.integers(0, mn))
    gap = st.proportion_gap(wc, wn, mc, mn, min_n=1)
    table = np.array([[wc, wn - wc], [mc, mn - mc]])
    expected = np.outer(table.sum(1), table.sum(0)) / table.sum()
    assert gap.test == (st.FISHER if (expected < 5).any() else st.CHI2)
    if gap.test == st.FISHER:
        assert gap.p_value == pytest.approx(stats.fisher_exact(table).pvalue)
    else:
        ref = stats.chi2_contingency(table, correction=False).pvalue
        assert gap.p_value == pytest.approx(ref)
    assert -100 <= gap.low <= gap.difference <= gap.high <= 100
    assert gap.verdict == (st.SIGNIFICANT if gap.p_value < 0.05 else st.NOT_SIGNIFICANT)
    # Swapping the groups flips the sign and mirrors the interval.
    swapped = st.proportion_gap(mc, mn, wc, wn, min_n=1)
    assert swapped.difference == pytest.approx(-gap.difference, abs=1e-9)
    assert swapped.low == pytest.approx(-gap.high, abs=1e-9)
    assert swapped.high == pytest.approx(-gap.low, abs=1e-9)
    assert swapped.p_value == pytest.approx(gap.p_value)


# --- means ---------------------------------------------------------------------------


def test_mean_summary_from_values_matches_scipy():
    values = [12.0, 15.5, 9.0, 22.0, 18.5, 11.0, float("nan")]
    m = st.mean_summary(values)
    clean = np.array(values[:-1])
    assert m.n == 6
    assert m.mean == pytest.approx(clean.mean())
    assert m.sd == pytest.approx(clean.std(ddof=1))
    assert m.median == pytest.approx(13.75)
    low, high = stats.t.interval(0.95, 5, loc=clean.mean(), scale=stats.sem(clean))
    assert (m.low, m.high) == pytest.approx((low, high))


def test_mean_summary_from_aggregates():
    m = st.mean_summary(n=100, mean=36992, sd=20000, level=0.9)
    half = stats.t.ppf(0.95, 99) * 20000 / 10
    assert (m.low, m.high) == pytest.approx((36992 - half, 36992 + half))
    assert m.median is None


def test_mean_summary_edges():
    one = st.mean_summary([7.0])
    assert (one.n, one.mean, one.sd, one.low, one.high, one.median) == (
        1,
        7.0,
        None,
        None,
        None,
        7.0,
    )
    empty = st.mean_summary([])
    assert empty.n == 0 and empty.mean is None and empty.low is None
    assert st.mean_summary(n=0).mean is None
    no_sd = st.mean_summary(n=30, mean=5.0)
    assert no_sd.low is None
    with pytest.raises(ValueError):
        st.mean_summary([1.0], n=1)
    with pytest.raises(ValueError):
        st.mean_summary()
    with pytest.raises(ValueError):
        st.mean_summary(n=3)
    with pytest.raises(ValueError):
        st.mean_summary(n=3, mean=1.0, sd=-1.0)


amounts = st_.integers(0, 10**7).map(lambda cents: cents / 100)  # kroner with øre


@pytest.mark.filterwarnings("ignore:Precision loss:RuntimeWarning")  # scipy, near-equal data
@FAST
@given(
    women=st_.lists(amounts, min_size=2, max_size=40),
    men=st_.lists(amounts, min_size=2, max_size=40),
)
def test_mean_gap_matches_scipy_welch(women, men):
    w, m = st.mean_summary(women), st.mean_summary(men)
    gap = st.mean_gap(w, m)
    if w.sd == 0 and m.sd == 0:
        assert gap.verdict == st.TOO_FEW and gap.p_value is None
        return
    ref = stats.ttest_ind(women, men, equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert gap.difference == pytest.approx(np.mean(women) - np.mean(men), abs=1e-9)
    assert gap.p_value == pytest.approx(ref.pvalue, rel=1e-6, abs=1e-12)
    assert gap.df == pytest.approx(ref.df, rel=1e-9)
    assert gap.low == pytest.approx(ci.low, rel=1e-6, abs=1e-9)
    assert gap.high == pytest.approx(ci.high, rel=1e-6, abs=1e-9)


def test_mean_gap_odense_costs():
    # Pamphlet: yearly cost men 36,992 DKK, women 15,764 DKK (spreads invented).
    women = st.mean_summary(n=200, mean=15764, sd=12000)
    men = st.mean_summary(n=100, mean=36992, sd=30000)
    gap = st.mean_gap(women, men)
    ref = stats.ttest_ind_from_stats(15764, 12000, 200, 36992, 30000, 100, equal_var=False)
    assert gap.difference == -21228
    assert gap.higher == st.MAND
    assert gap.p_value == pytest.approx(ref.pvalue)
    assert gap.verdict == st.SIGNIFICANT
    assert gap.ratio == pytest.approx(15764 / 36992)
    assert gap.high < 0


def test_mean_gap_tiny_variance_does_not_underflow():
    gap = st.mean_gap(st.mean_summary([0.0, 0.0]), st.mean_summary([0.0, 8.5e-101]))
    assert gap.df == pytest.approx(1.0)
    assert gap.verdict == st.NOT_SIGNIFICANT


def test_mean_gap_too_few():
    gap = st.mean_gap(st.mean_summary([10.0]), st.mean_summary([1.0, 2.0, 3.0]))
    assert gap.verdict == st.TOO_FEW and gap.p_value is None and gap.low is None
    assert gap.difference == 8.0
    empty = st.mean_gap(st.mean_summary([]), st.mean_summary([1.0, 2.0]))
    assert empty.difference is None and empty.verdict == st.TOO_FEW
    small = st.mean_gap(st.mean_summary([1.0, 2.0]), st.mean_summary([1.0, 5.0]), min_n=5)
    assert small.verdict == st.TOO_FEW


# --- rates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "low", "high"),
    # Garwood (1936) exact Poisson limits as tabulated e.g. in Ulm (1990), Am J
    # Epidemiol 131:373-375: k=0 -> 0 to 3.689; k=1 -> 0.0253 to 5.572;
    # k=10 -> 4.795 to 18.390.
    [(0, 0.0, 3.689), (1, 0.0253, 5.572), (10, 4.795, 18.390)],
)
def test_rate_garwood_limits(k, low, high):
    r = st.rate(k, 1000, per=1000)
    assert r.rate == k
    assert r.low == pytest.approx(low, abs=1e-3)
    assert r.high == pytest.approx(high, abs=1e-3)


@FAST
@given(k=st_.integers(0, 500), denom=st_.floats(1, 1e6), level=st_.sampled_from([0.9, 0.95]))
def test_rate_matches_gamma_formulation(k, denom, level):
    r = st.rate(k, denom, per=100, level=level)
    a = 1 - level
    low = 0.0 if k == 0 else stats.gamma.ppf(a / 2, k)
    high = stats.gamma.ppf(1 - a / 2, k + 1)
    assert r.rate == pytest.approx(100 * k / denom)
    assert r.low == pytest.approx(100 * low / denom, rel=1e-9, abs=1e-12)
    assert r.high == pytest.approx(100 * high / denom, rel=1e-9)
    assert r.low <= r.rate <= r.high


def test_rate_zero_denominator_and_errors():
    r = st.rate(3, 0)
    assert r.rate is None and r.low is None and r.high is None
    with pytest.raises(ValueError):
        st.rate(-1, 10)


# --- Benjamini-Hochberg --------------------------------------------------------------


def test_bh_worked_example():
    # Hand computation: sorted 0.005, 0.01, 0.03, 0.04 -> *4/rank = 0.02, 0.02, 0.04, 0.04.
    assert st.benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == pytest.approx(
        [0.02, 0.04, 0.04, 0.02]
    )


def test_bh_none_passes_through_and_cap():
    assert st.benjamini_hochberg([None, 0.5, None, 0.9]) == [
        None,
        pytest.approx(0.9),
        None,
        pytest.approx(0.9),
    ]
    assert st.benjamini_hochberg([0.9, 0.95, 0.99]) == pytest.approx([0.99, 0.99, 0.99])
    assert st.benjamini_hochberg([]) == []
    assert st.benjamini_hochberg([None]) == [None]
    with pytest.raises(ValueError):
        st.benjamini_hochberg([1.5])
    with pytest.raises(ValueError):
        st.benjamini_hochberg([float("nan")])


def _bh_by_definition(ps: list[float]) -> list[float]:
    """Benjamini & Hochberg (1995) adjusted p straight from the definition, O(m²):
    the adjusted p of p_i is min over every p_j >= p_i of p_j·m/rank(p_j), capped at 1.
    Independent of the implementation, which now delegates to scipy."""
    m = len(ps)
    ranked = sorted(ps)
    return [
        min(1.0, min(q * m / (j + 1) for j, q in enumerate(ranked) if q >= p)) for p in ps
    ]


@FAST
@given(st_.lists(st_.one_of(st_.none(), st_.floats(0, 1)), max_size=30))
def test_bh_matches_definition(ps):
    adjusted = st.benjamini_hochberg(ps)
    present = [p for p in ps if p is not None]
    if present:
        ref = iter(_bh_by_definition(present))
    for p, adj in zip(ps, adjusted, strict=True):
        if p is None:
            assert adj is None
        else:
            assert adj == pytest.approx(next(ref), abs=1e-12)
            assert p <= adj + 1e-15 and adj <= 1
    # Monotone: a smaller raw p never gets a larger adjusted p.
    pairs = sorted((p, a) for p, a in zip(ps, adjusted, strict=True) if p is not None)
    assert all(a1 <= a2 + 1e-12 for (_, a1), (_, a2) in zip(pairs, pairs[1:], strict=False))


def test_adjust_gaps_recomputes_verdict():
    g1 = st.proportion_gap(30, 100, 45, 100)  # p ~ 0.03 on its own
    g2 = st.proportion_gap(50, 100, 52, 100)
    g3 = st.proportion_gap(50, 100, 50, 100)
    few = st.proportion_gap(1, 3, 40, 50)
    assert g1.verdict == st.SIGNIFICANT and 0.01 < g1.p_value < 0.05
    out = st.adjust_gaps([g1, g2, g3, few])
    expected = st.benjamini_hochberg([g1.p_value, g2.p_value, g3.p_value])
    assert [g.adjusted_p for g in out[:3]] == pytest.approx(expected)
    assert out[0].verdict == st.NOT_SIGNIFICANT  # three tests: 3 * p > 0.05
    assert out[0].p_value == g1.p_value  # raw p kept
    assert out[3] is few and out[3].adjusted_p is None


def test_adjust_gaps_mean_gaps():
    a = st.mean_gap(st.mean_summary(n=50, mean=10, sd=2), st.mean_summary(n=50, mean=12, sd=2))
    b = st.mean_gap(st.mean_summary(n=50, mean=10, sd=2), st.mean_summary(n=50, mean=10.1, sd=2))
    out = st.adjust_gaps([a, b])
    assert out[0].adjusted_p == pytest.approx(2 * a.p_value)
    assert out[0].verdict == st.SIGNIFICANT and out[1].verdict == st.NOT_SIGNIFICANT


@given(st_.integers(1, 400), st_.integers(1, 400), st_.data())
@settings(max_examples=150, deadline=None)
def test_closed_form_chi2_equals_scipy(women_n, men_n, data):
    """The fast 2x2 chi-square gives scipy's chi2_contingency p-value (no continuity correction)."""
    wc = data.draw(st_.integers(0, women_n))
    mc = data.draw(st_.integers(0, men_n))
    table = np.array([[wc, women_n - wc], [mc, men_n - mc]])
    expected = np.outer(table.sum(1), table.sum(0)) / table.sum()
    if (expected < 5).any():
        return
    gap = st.proportion_gap(wc, women_n, mc, men_n, test="chi2")
    assert gap.p_value == pytest.approx(stats.chi2_contingency(table, correction=False).pvalue, rel=1e-9, abs=1e-300)
