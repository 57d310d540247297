"""The age-adjusted gap: Mantel–Haenszel risk difference and "does age change the conclusion"."""

from __future__ import annotations

import math
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
from django.template.loader import render_to_string
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st_

from ligestilling.lib import statistics as st

FAST = settings(max_examples=150, deadline=None)

# The University Group Diabetes Program trial (1970), deaths under tolbutamide and placebo
# by age, the worked example for stratified risk differences in Rothman, Greenland & Lash,
# *Modern Epidemiology* (3rd ed., ch. 15).  Read "women" as tolbutamide, "men" as placebo.
#             (dead_tolb, n_tolb, dead_plac, n_plac)
UGDP = [(8, 106, 5, 120), (22, 98, 16, 85)]  # age < 55, age 55+


def _by_hand(strata):
    """RD_MH and Sato's variance in exact fractions, term by term from the published
    formulas (Greenland & Robins 1985, Biometrics 41:55-68, eq. for RD_MH; Sato 1989,
    Biometrics 45:1323-1324, the variance), independent of the float implementation."""
    w = num = p = q = Fraction(0)
    for a, n1, b, n0 in strata:
        big_n = n1 + n0
        w += Fraction(n1 * n0, big_n)
        num += Fraction(a * n0 - b * n1, big_n)
        p += Fraction(n1 * n1 * b - n0 * n0 * a, big_n * big_n) + Fraction(
            n1 * n0 * (n0 - n1), 2 * big_n * big_n
        )
        q += Fraction(a * (n0 - b) + b * (n1 - a), 2 * big_n)
    rd = num / w
    return rd, (rd * p + q) / (w * w)


def test_ugdp_worked_example():
    # Written out: stratum weights n1·n0/N are 106·120/226 = 56.283 and 98·85/183 = 45.519
    # (sum 101.802); numerators (a·n0 − b·n1)/N are (960 − 530)/226 = 1.9027 and
    # (1870 − 1568)/183 = 1.6503 (sum 3.5529).  RD = 3.5529/101.802 = 0.034900.
    # Sato: ΣP = −1.18689, ΣQ = 10.58941, Var = (0.0349·(−1.18689) + 10.58941)/101.802²
    # = 0.00101778, SE = 0.031903.
    rd, var = _by_hand(UGDP)
    assert float(rd) == pytest.approx(0.0349003, abs=1e-7)
    assert float(var) == pytest.approx(0.00101778, rel=1e-5)
    result = st.mh_risk_difference(UGDP)
    assert result.difference == pytest.approx(100 * float(rd), rel=1e-12)
    half = 100 * 1.959963984540054 * math.sqrt(var)
    assert result.low == pytest.approx(100 * float(rd) - half, rel=1e-12)
    assert result.high == pytest.approx(100 * float(rd) + half, rel=1e-12)
    # 3.5 points (95 % interval −2.8 to 9.7): not significant, both strata used.
    assert (round(result.difference, 1), round(result.low, 1), round(result.high, 1)) == (
        3.5,
        -2.8,
        9.7,
    )
    assert result.verdict == st.NOT_SIGNIFICANT and result.strata == 2
    assert (result.women_n, result.men_n) == (204, 205)
    # The textbook's 90 % limits, rounded to three decimals as printed there: −0.018, 0.087.
    ninety = st.mh_risk_difference(UGDP, alpha=0.10)
    assert (round(ninety.low / 100, 3), round(ninety.high / 100, 3)) == (-0.018, 0.087)
    # The p-value is the Wald test that matches the interval.
    assert result.p_value == pytest.approx(
        2 * (1 - 0.5 * (1 + math.erf(float(rd) / math.sqrt(var) / math.sqrt(2))))
    )


def test_ugdp_age_does_not_change_the_conclusion():
    crude = st.proportion_gap(30, 204, 21, 205)  # 4.5 points, not significant
    adjusted = st.mh_risk_difference(UGDP)  # 3.5 points: less than a third smaller
    assert st.age_adjusted(crude, adjusted) == st.AGE_SAME
    assert st.age_change_reason(crude, adjusted) is None


def test_home_care_women_older_age_explains_the_gap():
    # Within each age band women and men are equally often in need (20 % and 60 %), but
    # three in four women are old and three in four men young: crude +20 points,
    # significant; adjusted 0, not significant.
    strata = [(20, 100, 60, 300), (180, 300, 60, 100)]
    crude = st.proportion_gap(200, 400, 120, 400)
    adjusted = st.mh_risk_difference(strata)
    assert crude.difference == pytest.approx(20) and crude.verdict == st.SIGNIFICANT
    assert adjusted.difference == pytest.approx(0, abs=1e-12)
    assert adjusted.verdict == st.NOT_SIGNIFICANT
    assert st.age_adjusted(crude, adjusted) == st.AGE_CHANGES
    assert st.age_change_reason(crude, adjusted) == st.AGE_VERDICT_FLIPS


def _gap(difference: float, verdict: str = st.SIGNIFICANT) -> st.Gap:
    return replace(st.proportion_gap(50, 100, 30, 100), difference=difference, verdict=verdict)


def _adj(difference: float, verdict: str = st.SIGNIFICANT) -> st.AdjustedGap:
    return replace(
        st.mh_risk_difference([(50, 100, 30, 100)]), difference=difference, verdict=verdict
    )


@pytest.mark.parametrize(
    ("crude", "adjusted", "code", "reason"),
    [
        (_gap(30), _adj(20), st.AGE_SAME, None),  # exactly a third: not more than
        (_gap(30), _adj(19.9), st.AGE_CHANGES, st.AGE_SMALLER),
        (_gap(-30), _adj(-40), st.AGE_SAME, None),
        (_gap(-30), _adj(-40.1), st.AGE_CHANGES, st.AGE_LARGER),
        (_gap(6), _adj(-3), st.AGE_CHANGES, st.AGE_REVERSED),
        (_gap(30), _adj(28, st.NOT_SIGNIFICANT), st.AGE_CHANGES, st.AGE_VERDICT_FLIPS),
        (_gap(10, st.NOT_SIGNIFICANT), _adj(12), st.AGE_CHANGES, st.AGE_VERDICT_FLIPS),
        (_gap(10, st.NOT_SIGNIFICANT), _adj(11, st.NOT_SIGNIFICANT), st.AGE_SAME, None),
        (_gap(30, st.TOO_FEW), _adj(0), st.AGE_NOT_ASSESSED, None),
        (_gap(30), _adj(0, st.TOO_FEW), st.AGE_NOT_ASSESSED, None),
        (_gap(30), replace(_adj(0), difference=None), st.AGE_NOT_ASSESSED, None),
    ],
)
def test_when_age_changes_the_conclusion(crude, adjusted, code, reason):
    assert st.age_adjusted(crude, adjusted) == code
    assert st.age_change_reason(crude, adjusted) == reason
    assert st.AgeAdjustment.of(crude, adjusted).code == code


def test_strata_without_women_or_men_are_skipped():
    with_empty = st.mh_risk_difference([*UGDP, (0, 0, 3, 10), (4, 9, 0, 0)])
    assert with_empty == st.mh_risk_difference(UGDP)
    nothing = st.mh_risk_difference([(0, 0, 3, 10)])
    assert nothing.difference is None and nothing.low is None and nothing.strata == 0
    assert nothing.verdict == st.TOO_FEW
    assert st.mh_risk_difference([]).verdict == st.TOO_FEW


def test_too_few_women_or_men_across_strata():
    # 2 + 2 women: below 5 in total, so no verdict even though the estimate exists.
    small = st.mh_risk_difference([(2, 2, 0, 20), (2, 2, 1, 20)])
    assert small.difference is not None and small.verdict == st.TOO_FEW
    assert st.mh_risk_difference([(2, 2, 0, 20), (2, 2, 1, 20)], min_n=3).verdict != st.TOO_FEW


def test_zero_variance_all_or_nothing():
    # Every woman and no man has the outcome in both bands: the gap is +100 points.
    r = st.mh_risk_difference([(5, 5, 0, 6), (7, 7, 0, 4)])
    assert (r.difference, r.low, r.high, r.p_value) == (100, 100, 100, 0.0)
    assert r.verdict == st.SIGNIFICANT
    none = st.mh_risk_difference([(0, 5, 0, 6), (0, 7, 0, 4)])
    assert (none.difference, none.p_value, none.verdict) == (0, 1.0, st.NOT_SIGNIFICANT)


def test_bad_input():
    with pytest.raises(ValueError):
        st.mh_risk_difference([(6, 5, 0, 5)])
    with pytest.raises(ValueError):
        st.mh_risk_difference([(1, 5, -1, 5)])
    with pytest.raises(ValueError):
        st.mh_risk_difference(UGDP, alpha=1)


@st_.composite
def _stratum(draw, min_n: int = 1):
    n1 = draw(st_.integers(min_n, 60))
    n0 = draw(st_.integers(min_n, 60))
    return (draw(st_.integers(0, n1)), n1, draw(st_.integers(0, n0)), n0)


@FAST
@given(_stratum())
def test_one_stratum_is_the_crude_difference(stratum):
    a, n1, b, n0 = stratum
    assert st.mh_risk_difference([stratum]).difference == pytest.approx(
        st.proportion_gap(a, n1, b, n0).difference, abs=1e-9
    )


@FAST
@given(
    n=st_.integers(2, 40),
    delta=st_.integers(-40, 40),
    men=st_.lists(st_.integers(0, 40), min_size=1, max_size=6),
    scale=st_.lists(st_.integers(1, 5), min_size=6, max_size=6),
)
def test_strata_with_the_same_difference_give_that_difference(n, delta, men, scale):
    # Stratum k: women b_k + δ of n, men b_k of n, each scaled by its own factor, so every
    # stratum's difference is δ/n while sizes and shares differ.
    strata = [
        (c * (b + delta), c * n, c * b, c * n)
        for b, c in zip(men, scale, strict=False)
        if 0 <= b + delta <= n and b <= n
    ]
    if not strata:
        return
    assert st.mh_risk_difference(strata).difference == pytest.approx(100 * delta / n, abs=1e-9)


@FAST
@given(st_.lists(_stratum(), min_size=1, max_size=6))
def test_properties(strata):
    r = st.mh_risk_difference(strata)
    # A weighted mean of the strata's differences lies between the smallest and largest.
    diffs = [100 * (a / n1 - b / n0) for a, n1, b, n0 in strata]
    assert min(diffs) - 1e-9 <= r.difference <= max(diffs) + 1e-9
    assert -100 <= r.low <= r.difference + 1e-9 and r.difference - 1e-9 <= r.high <= 100
    # Order of the strata does not matter; swapping the sexes negates the gap.
    assert st.mh_risk_difference(strata[::-1]).difference == pytest.approx(r.difference, abs=1e-9)
    swapped = st.mh_risk_difference([(b, n0, a, n1) for a, n1, b, n0 in strata])
    assert swapped.difference == pytest.approx(-r.difference, abs=1e-9)
    assert swapped.low == pytest.approx(-r.high, abs=1e-9)


def test_sato_variance_matches_simulation():
    # The estimator's spread over 4,000 simulated data sets against the mean of Sato's
    # estimated variance: an empirical check of the variance formula, independent of it.
    rng = np.random.default_rng(20260113)
    sizes = [(40, 15), (30, 30), (12, 45)]  # (women, men) per age band
    risks = [(0.15, 0.10), (0.35, 0.25), (0.60, 0.55)]
    estimates, variances, covered = [], [], 0
    true_w = [n1 * n0 / (n1 + n0) for n1, n0 in sizes]
    truth = (
        100 * sum(w * (p1 - p0) for w, (p1, p0) in zip(true_w, risks, strict=True)) / sum(true_w)
    )
    for _ in range(4000):
        strata = [
            (int(rng.binomial(n1, p1)), n1, int(rng.binomial(n0, p0)), n0)
            for (n1, n0), (p1, p0) in zip(sizes, risks, strict=True)
        ]
        r = st.mh_risk_difference(strata)
        estimates.append(r.difference)
        variances.append(((r.high - r.low) / (2 * 1.959963984540054)) ** 2)
        covered += r.low <= truth <= r.high
    empirical = float(np.var(estimates, ddof=1))
    assert float(np.mean(variances)) == pytest.approx(empirical, rel=0.08)
    assert 0.93 <= covered / 4000 <= 0.97


def test_adjusted_gaps_join_a_benjamini_hochberg_family():
    crude = st.proportion_gap(30, 100, 45, 100)
    adjusted = st.mh_risk_difference([(10, 50, 25, 50), (20, 50, 20, 50)])
    both = st.adjust_gaps([crude, adjusted])
    expected = st.benjamini_hochberg([crude.p_value, adjusted.p_value])
    assert [g.adjusted_p for g in both] == pytest.approx(expected)
    assert isinstance(both[1], st.AdjustedGap)


def test_age_adjustment_texts_follow_the_language():
    crude = st.proportion_gap(30, 204, 21, 205)
    adjusted = st.mh_risk_difference(UGDP)
    da = st.AgeAdjustment.of(crude, adjusted)
    en = st.AgeAdjustment.of(crude, adjusted, lang="en")
    assert (da.difference_text, da.interval_text) == ("+3 procentpoint", "−3 til 10 procentpoint")
    assert (en.difference_text, en.interval_text) == (
        "+3 percentage points",
        "−3 to 10 percentage points",
    )
    assert da.crude_text == "+4 procentpoint" and da.level_percent == 95


# --- The include that says it in one sentence -----------------------------------------


def _render(age, language: str) -> str:
    with translation.override(language):
        return " ".join(render_to_string("includes/age_adjusted.html", {"age": age}).split())


def test_include_says_age_does_not_change_the_conclusion():
    age = st.AgeAdjustment.of(st.proportion_gap(30, 204, 21, 205), st.mh_risk_difference(UGDP))
    assert _render(age, "da") == (
        '<p class="age-adjusted small">Justeret for alder er forskellen +3 procentpoint '
        "(95 %-interval −3 til 10 procentpoint). Aldersfordelingen ændrer ikke konklusionen.</p>"
    )
    en = st.AgeAdjustment.of(age.crude, age.adjusted, lang="en")
    assert "Adjusted for age, the difference is +3 percentage points (95 % interval" in _render(
        en, "en"
    )


def test_include_says_when_age_explains_the_gap():
    # Home care: three in four women are old, three in four men young; within each age
    # band women are 5 points above men (25 % vs 20 %, 60 % vs 55 %).  Crude +22.5 points.
    strata = [(100, 400, 240, 1200), (720, 1200, 220, 400)]
    crude = st.proportion_gap(820, 1600, 460, 1600)
    age = st.AgeAdjustment.of(crude, st.mh_risk_difference(strata))
    assert crude.difference == pytest.approx(22.5) and crude.verdict == st.SIGNIFICANT
    assert (age.code, age.reason, age.adjusted.verdict) == (
        st.AGE_CHANGES,
        st.AGE_SMALLER,
        st.SIGNIFICANT,
    )
    assert _render(age, "da") == (
        '<p class="age-adjusted small">Justeret for alder er forskellen +5 procentpoint '
        "(95 %-interval 1–9 procentpoint). "
        "Aldersfordelingen forklarer en stor del af forskellen.</p>"
    )
    # A quarter of the people: the same 5 points are no longer more than chance.
    small = [(25, 100, 60, 300), (180, 300, 55, 100)]
    age = st.AgeAdjustment.of(st.proportion_gap(205, 400, 115, 400), st.mh_risk_difference(small))
    assert age.reason == st.AGE_VERDICT_FLIPS
    assert _render(age, "da").endswith(
        "Når der tages højde for alder, kan forskellen skyldes tilfældigheder.</p>"
    )


@pytest.mark.parametrize(
    ("reason", "adjusted", "sentence"),
    [
        (st.AGE_LARGER, _adj(45), "Aldersfordelingen skjuler en del af forskellen"),
        (st.AGE_REVERSED, _adj(-5), "går forskellen den anden vej"),
        (
            st.AGE_VERDICT_FLIPS,
            _adj(28, st.NOT_SIGNIFICANT),
            "kan forskellen skyldes tilfældigheder",
        ),
    ],
)
def test_include_sentence_per_reason(reason, adjusted, sentence):
    age = st.AgeAdjustment.of(_gap(30), adjusted)
    assert age.reason == reason
    assert sentence in _render(age, "da")


def test_include_flip_to_significant_and_too_few_and_nothing():
    age = st.AgeAdjustment.of(_gap(10, st.NOT_SIGNIFICANT), _adj(12))
    assert "er forskellen større, end tilfældigheder kan forklare" in _render(age, "da")
    few = st.AgeAdjustment.of(_gap(30, st.TOO_FEW), _adj(0, st.TOO_FEW))
    assert _render(few, "da") == (
        '<p class="age-adjusted small">Der er for få kvinder eller mænd i aldersgrupperne '
        "til at justere forskellen for alder.</p>"
    )
    assert _render(None, "da") == ""
