"""Pure statistics for gender-split reporting.

Nothing here knows about Django or the database: callers hand in counts, sums or
values and get frozen result objects back.  Keeping the maths pure means it can be
tested against scipy and published worked examples without settings, and that the
same numbers appear in the dashboard, the PDF and the export.

Conventions used throughout (also explained to users in ``docs/how-we-count.md``):

* **Sign convention: every difference is women minus men.**  A negative gap means
  the men's share (or mean) is higher.  Differences of shares are given in
  *percentage points* (``-39.0`` means the women's share is 39 points below the men's).
* Intervals are two-sided at ``level`` (default 95 %).  For shares we use the Wilson
  score interval, which behaves well for small groups and for 0 % / 100 %, where
  the textbook "p ± 1.96·se" interval collapses to zero width.
* Every distribution comes from :mod:`scipy.stats`.  The one estimator written out by
  hand is the Mantel–Haenszel risk difference (:func:`mh_risk_difference`), which
  neither scipy nor statsmodels offers.
* A comparison is only judged when both groups are large enough; otherwise the
  verdict is :data:`TOO_FEW` ("for få til at sige noget") rather than a p-value
  that small groups would make look meaningful.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

import numpy as np
from scipy import special, stats

from ligestilling.lib import formatting as fmt

# --- Sexes ---------------------------------------------------------------------------

KVINDE = "kvinde"
MAND = "mand"
ANDET = "andet"
UOPLYST = "uoplyst"
I_ALT = "i_alt"
#: The order sexes are shown in; totals last.
SEXES: tuple[str, ...] = (KVINDE, MAND, ANDET, UOPLYST)

# --- Verdicts and tests --------------------------------------------------------------

SIGNIFICANT = "significant"
NOT_SIGNIFICANT = "not_significant"
TOO_FEW = "too_few"
VERDICTS: tuple[str, ...] = (SIGNIFICANT, NOT_SIGNIFICANT, TOO_FEW)

FISHER = "fisher"
CHI2 = "chi2"
WELCH = "welch"

#: Smallest group size for which a proportion comparison is judged.  It equals the
#: default disclosure threshold on purpose: a group too small to publish is too
#: small to draw conclusions from.  Callers pass the municipality's threshold.
MIN_GROUP_N = 5


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")


def _check_count(count: int, n: int) -> None:
    if n < 0 or count < 0:
        raise ValueError(f"counts must be non-negative, got {count!r} of {n!r}")
    if count > n:
        raise ValueError(f"count {count!r} is larger than n {n!r}")


# --- Shares --------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def _z(level: float) -> float:
    """The two-sided normal quantile for `level` (cached: dashboards ask for it hundreds of times)."""
    return float(stats.norm.ppf(0.5 + level / 2))


def wilson_interval(count: int, n: int, level: float = 0.95) -> tuple[float | None, float | None]:
    """Wilson score interval for a proportion ``count / n``.

    Wilson rather than Wald because municipal groups are often small and shares of
    0 % or 100 % are common; Wilson stays inside [0, 1] and never has zero width.
    Returns ``(None, None)`` for ``n == 0``: there is nothing to estimate.
    """
    _check_level(level)
    _check_count(count, n)
    if n == 0:
        return (None, None)
    z = _z(level)
    p = count / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = (z / (1 + z2 / n)) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # Clamp the exact boundary cases so 0/n starts at exactly 0 and n/n ends at 1
    # (floating point would otherwise give e.g. 1e-17).
    low = 0.0 if count == 0 else max(0.0, centre - half)
    high = 1.0 if count == n else min(1.0, centre + half)
    return (low, high)


@dataclass(frozen=True)
class Share:
    """A proportion with its interval.  ``share`` is a fraction in [0, 1]."""

    count: int
    n: int
    share: float | None
    low: float | None
    high: float | None
    level: float = 0.95


def share(count: int, n: int, level: float = 0.95) -> Share:
    """The share ``count / n`` with its Wilson interval (all None when ``n == 0``)."""
    low, high = wilson_interval(count, n, level)
    return Share(
        count=count, n=n, share=(count / n if n else None), low=low, high=high, level=level
    )


def shares_by_sex(counts: Mapping[str, tuple[int, int]], level: float = 0.95) -> dict[str, Share]:
    """Shares per sex from ``{sex: (count, n)}``, plus the pooled :data:`I_ALT` share.

    The pooled share includes every key given (also ``andet`` and ``uoplyst``)
    because the total must describe everyone the service reached, not only the
    two sexes being compared.  A key ``i_alt`` in the input is rejected so the total
    cannot silently disagree with its parts.
    """
    if I_ALT in counts:
        raise ValueError("pass the sexes only; the total is computed")
    result = {sex: share(c, n, level) for sex, (c, n) in counts.items()}
    total_c = sum(c for c, _ in counts.values())
    total_n = sum(n for _, n in counts.values())
    result[I_ALT] = share(total_c, total_n, level)
    return result


# --- Gap between women's and men's shares -------------------------------------------


class _WomenMinusMen:
    """What every comparison of women and men (shares, means, age-adjusted) answers alike;
    `difference` and `alpha` are fields of the dataclass that inherits it."""

    difference: float | None
    alpha: float

    @property
    def level(self) -> float:
        return 1 - self.alpha

    @property
    def higher(self) -> str | None:
        """Which sex is higher (:data:`KVINDE`/:data:`MAND`), None if equal or unknown."""
        if self.difference is None or self.difference == 0:
            return None
        return KVINDE if self.difference > 0 else MAND


@dataclass(frozen=True)
class Gap(_WomenMinusMen):
    """Comparison of the women's and the men's share.

    ``difference``, ``low`` and ``high`` are in **percentage points, women minus men**
    (negative: men higher).  ``low``/``high`` is Newcombe's hybrid score interval.
    ``ratio`` is women's share / men's share.  ``test`` names the test behind
    ``p_value``: ``"fisher"`` (Fisher's exact, two-sided) or ``"chi2"`` (Pearson's
    chi-square *without* continuity correction).  ``adjusted_p`` is filled by
    :func:`adjust_gaps` when many gaps are tested together; the verdict then uses it.
    """

    women_count: int
    women_n: int
    men_count: int
    men_n: int
    p_women: float | None
    p_men: float | None
    difference: float | None
    low: float | None
    high: float | None
    ratio: float | None
    p_value: float | None
    test: str | None
    verdict: str
    alpha: float = 0.05
    min_n: int = MIN_GROUP_N
    adjusted_p: float | None = None



def _verdict(p: float | None, alpha: float, too_few: bool) -> str:
    if too_few or p is None:
        return TOO_FEW
    return SIGNIFICANT if p < alpha else NOT_SIGNIFICANT


def newcombe_interval(
    count1: int, n1: int, count2: int, n2: int, level: float = 0.95
) -> tuple[float | None, float | None]:
    """Newcombe's hybrid score interval for ``count1/n1 - count2/n2`` (as fractions).

    Method 10 of Newcombe (1998), Statistics in Medicine 17:873-890: combine the two
    Wilson intervals by "square and add".  Chosen because, unlike the Wald interval,
    it keeps its coverage for small groups and extreme shares, and needs no iteration.
    """
    l1, u1 = wilson_interval(count1, n1, level)
    l2, u2 = wilson_interval(count2, n2, level)
    if l1 is None or l2 is None or u1 is None or u2 is None:
        return (None, None)
    p1, p2 = count1 / n1, count2 / n2
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return (max(-1.0, low), min(1.0, high))


def _two_by_two_p(table: np.ndarray, test: str) -> tuple[float, str]:
    """p-value of a 2x2 table; ``test="auto"`` picks Fisher when an expected count is < 5."""
    row = table.sum(axis=1)
    col = table.sum(axis=0)
    expected = np.outer(row, col) / table.sum()
    if test == "auto":
        test = FISHER if (expected < 5).any() else CHI2
    if test == FISHER:
        return float(stats.fisher_exact(table).pvalue), FISHER
    if test == CHI2:
        if (expected == 0).any():
            raise ValueError("chi-square is undefined when an outcome never occurs; use Fisher")
        # Pearson's statistic for a 2x2 table in closed form, the same value as
        # stats.chi2_contingency(correction=False) at a fraction of its cost.
        (a, b), (c, d) = table.tolist()
        statistic = (a + b + c + d) * (a * d - b * c) ** 2 / (row[0] * row[1] * col[0] * col[1])
        return float(special.chdtrc(1, statistic)), CHI2
    raise ValueError(f"unknown test {test!r}; use 'auto', 'fisher' or 'chi2'")


def proportion_gap(
    women_count: int,
    women_n: int,
    men_count: int,
    men_n: int,
    *,
    alpha: float = 0.05,
    min_n: int = MIN_GROUP_N,
    test: str = "auto",
) -> Gap:
    """Compare the women's share with the men's share.

    Verdict :data:`TOO_FEW` when either group has fewer than ``min_n`` people
    (default 5, the disclosure threshold): with so few, a "no difference" is
    uninformative and a "difference" would rest on one or two persons.  The
    p-value is still computed whenever both groups are non-empty, for analysts,
    but such gaps are never called significant.

    ``test="auto"`` uses Fisher's exact test when any expected count in the 2x2
    table is below 5 (where the chi-square approximation is poor), otherwise
    Pearson's chi-square without continuity correction (Yates' correction is
    needlessly conservative).  ``"fisher"`` or ``"chi2"`` force a test.
    """
    _check_count(women_count, women_n)
    _check_count(men_count, men_n)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    p_w = women_count / women_n if women_n else None
    p_m = men_count / men_n if men_n else None
    difference = low = high = ratio = p_value = None
    used: str | None = None
    if p_w is not None and p_m is not None:
        # Exact rational form so that e.g. 64/200 - 71/100 is -39.0, not -38.999...
        difference = 100 * (women_count * men_n - men_count * women_n) / (women_n * men_n)
        lo, hi = newcombe_interval(women_count, women_n, men_count, men_n, 1 - alpha)
        low = None if lo is None else 100 * lo
        high = None if hi is None else 100 * hi
        ratio = p_w / p_m if p_m > 0 else None
        table = np.array(
            [[women_count, women_n - women_count], [men_count, men_n - men_count]], dtype=np.int64
        )
        p_value, used = _two_by_two_p(table, test)
    too_few = min(women_n, men_n) < max(min_n, 1)
    return Gap(
        women_count=women_count,
        women_n=women_n,
        men_count=men_count,
        men_n=men_n,
        p_women=p_w,
        p_men=p_m,
        difference=difference,
        low=low,
        high=high,
        ratio=ratio,
        p_value=p_value,
        test=used,
        verdict=_verdict(p_value, alpha, too_few),
        alpha=alpha,
        min_n=min_n,
    )


# --- Means ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MeanSummary:
    """Mean with a t-interval; ``median`` only when the raw values were given."""

    n: int
    mean: float | None
    sd: float | None
    low: float | None
    high: float | None
    median: float | None = None
    level: float = 0.95


def mean_summary(
    values: Iterable[float] | None = None,
    *,
    n: int | None = None,
    mean: float | None = None,
    sd: float | None = None,
    level: float = 0.95,
) -> MeanSummary:
    """Summarise either raw ``values`` or pre-aggregated ``n``/``mean``/``sd``.

    Both forms exist because registers often deliver only aggregates (e.g. average
    yearly cost per citizen), while the product's own data has the raw values.
    Missing values (NaN) in ``values`` are dropped, not treated as zero.  The
    interval is mean ± t(n-1)·sd/√n; it needs n >= 2 and an sd.
    """
    _check_level(level)
    median: float | None = None
    if values is not None:
        if n is not None or mean is not None or sd is not None:
            raise ValueError("give either values or n/mean/sd, not both")
        arr = np.asarray(list(values), dtype=float)
        arr = arr[~np.isnan(arr)]
        n = int(arr.size)
        mean = float(arr.mean()) if n else None
        sd = float(arr.std(ddof=1)) if n >= 2 else None
        median = float(np.median(arr)) if n else None
    else:
        if n is None:
            raise ValueError("give values or n")
        if n < 0:
            raise ValueError("n must be non-negative")
        if n > 0 and mean is None:
            raise ValueError("mean is required when n > 0")
        if sd is not None and sd < 0:
            raise ValueError("sd must be non-negative")
        if n == 0:
            mean = sd = None
    low = high = None
    if n >= 2 and sd is not None and mean is not None:
        half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
        low, high = mean - half, mean + half
    return MeanSummary(n=n, mean=mean, sd=sd, low=low, high=high, median=median, level=level)


@dataclass(frozen=True)
class MeanGap(_WomenMinusMen):
    """Welch comparison of two means; ``difference`` = women minus men, in the data's unit."""

    mean_women: float | None
    mean_men: float | None
    n_women: int
    n_men: int
    difference: float | None
    low: float | None
    high: float | None
    df: float | None
    ratio: float | None
    p_value: float | None
    verdict: str
    test: str = WELCH
    alpha: float = 0.05
    adjusted_p: float | None = None



def mean_gap(
    women: MeanSummary, men: MeanSummary, *, alpha: float = 0.05, min_n: int = 2
) -> MeanGap:
    """Welch's t-test and interval for ``women.mean - men.mean``.

    Welch, not Student, because the spread of e.g. costs differs between men and
    women and the groups differ in size; Welch does not assume equal variances.
    Degrees of freedom by Welch–Satterthwaite.  Verdict :data:`TOO_FEW` when a group
    has fewer than ``min_n`` (at least 2) values, or when both groups have zero
    spread (the t statistic is then undefined).
    """
    diff = women.mean - men.mean if women.mean is not None and men.mean is not None else None
    ratio = women.mean / men.mean if diff is not None and men.mean not in (None, 0) else None
    low = high = df = p = None
    enough = min(women.n, men.n) >= max(min_n, 2) and women.sd is not None and men.sd is not None
    if enough and diff is not None:
        vw = women.sd**2 / women.n
        vm = men.sd**2 / men.n
        se = math.sqrt(vw + vm)
        if se > 0:
            # Welch–Satterthwaite, scaled by the larger variance so that tiny
            # variances cannot underflow to 0/0.
            big = max(vw, vm)
            a, b = vw / big, vm / big
            df = (a + b) ** 2 / (a**2 / (women.n - 1) + b**2 / (men.n - 1))
            t_stat = diff / se
            p = float(2 * stats.t.sf(abs(t_stat), df))
            half = float(stats.t.ppf(1 - alpha / 2, df)) * se
            low, high = diff - half, diff + half
    return MeanGap(
        mean_women=women.mean,
        mean_men=men.mean,
        n_women=women.n,
        n_men=men.n,
        difference=diff,
        low=low,
        high=high,
        df=df,
        ratio=ratio,
        p_value=p,
        verdict=_verdict(p, alpha, not enough),
        alpha=alpha,
    )


# --- Rates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """Events per ``per`` units of the denominator (persons or person-years)."""

    numerator: int
    denominator: float
    per: float
    rate: float | None
    low: float | None
    high: float | None
    level: float = 0.95


def rate(numerator: int, denominator: float, per: float = 1000, level: float = 0.95) -> Rate:
    """Rate with the exact Poisson (Garwood 1936) interval from chi-square quantiles.

    Exact rather than normal-approximation because event counts (e.g. GP contacts
    of a small team's citizens) are often small, and the exact interval never
    goes below zero.
    """
    _check_level(level)
    if numerator < 0 or denominator < 0:
        raise ValueError("numerator and denominator must be non-negative")
    if denominator == 0:
        return Rate(numerator, denominator, per, None, None, None, level)
    a = 1 - level
    k = numerator
    low_count = 0.0 if k == 0 else float(stats.chi2.ppf(a / 2, 2 * k)) / 2
    high_count = float(stats.chi2.ppf(1 - a / 2, 2 * k + 2)) / 2
    scale = per / denominator
    return Rate(k, denominator, per, k * scale, low_count * scale, high_count * scale, level)


# --- Multiple comparisons ------------------------------------------------------------


def benjamini_hochberg(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini–Hochberg adjusted p-values (false discovery rate), in input order.

    Used when a report tests many gaps at once (every unit, every age band): at 5 %
    about one in twenty true non-differences would otherwise show as "significant".
    ``None`` entries (no test) pass through and do not count as tests.  The result
    is monotone in the raw p-values and capped at 1.
    """
    present = [(i, float(p)) for i, p in enumerate(p_values) if p is not None]
    for _, p in present:
        if math.isnan(p) or not 0 <= p <= 1:
            raise ValueError(f"p-value out of range: {p!r}")
    out: list[float | None] = [None] * len(p_values)
    if not present:
        return out
    # scipy's step-up procedure (running minimum of p·m/rank from the largest p down,
    # capped at 1); only the tests actually made form the family, so None is left out.
    adjusted = stats.false_discovery_control([p for _, p in present], method="bh")
    for (i, _), adj in zip(present, adjusted.tolist(), strict=True):
        out[i] = adj
    return out


G = TypeVar("G", Gap, MeanGap, "AdjustedGap")


def adjust_gaps(gaps: Sequence[G]) -> list[G]:
    """Return copies of ``gaps`` with ``adjusted_p`` filled and the verdict taken from it.

    Gaps whose verdict is :data:`TOO_FEW` are left out of the family of tests (they
    are never reported as findings) and keep ``adjusted_p=None``.
    """
    raw = [g.p_value if g.verdict != TOO_FEW else None for g in gaps]
    adjusted = benjamini_hochberg(raw)
    result: list[G] = []
    for g, adj in zip(gaps, adjusted, strict=True):
        if g.verdict == TOO_FEW:
            result.append(g)
        else:
            result.append(replace(g, adjusted_p=adj, verdict=_verdict(adj, g.alpha, False)))
    return result


# --- Age-adjusted gap (Mantel–Haenszel risk difference) -------------------------------

#: Codes of :func:`age_adjusted`: does adjusting for age change the conclusion?
AGE_CHANGES = "changes"
AGE_SAME = "same"
AGE_NOT_ASSESSED = "not_assessed"  # a gap is too small to judge or missing
AGE_CODES: tuple[str, ...] = (AGE_CHANGES, AGE_SAME, AGE_NOT_ASSESSED)

#: Codes of :func:`age_change_reason`: why the conclusion changes (first that applies).
AGE_VERDICT_FLIPS = "verdict_flips"  # significant on one side only
AGE_REVERSED = "reversed"  # the other sex is higher once age is taken into account
AGE_SMALLER = "smaller"  # age explains a large part of the gap
AGE_LARGER = "larger"  # the age distribution hides part of the gap


@dataclass(frozen=True)
class AdjustedGap(_WomenMinusMen):
    """Women-versus-men gap adjusted for a stratifying variable (age bands).

    ``difference``, ``low`` and ``high`` are in **percentage points, women minus men**,
    like :class:`Gap`.  ``strata`` is the number of strata that entered the estimate
    (those with both women and men); ``women_n``/``men_n`` count the people in them.
    The fields ``p_value``, ``verdict``, ``alpha`` and ``adjusted_p`` mirror
    :class:`Gap`, so :func:`adjust_gaps` can put adjusted gaps into a
    Benjamini–Hochberg family too.
    """

    difference: float | None
    low: float | None
    high: float | None
    strata: int
    women_n: int
    men_n: int
    p_value: float | None
    verdict: str
    alpha: float = 0.05
    min_n: int = MIN_GROUP_N
    adjusted_p: float | None = None



def mh_risk_difference(
    strata: Sequence[tuple[int, int, int, int]],
    *,
    alpha: float = 0.05,
    min_n: int = MIN_GROUP_N,
) -> AdjustedGap:
    """Mantel–Haenszel risk difference of women minus men across ``strata``.

    Each stratum (e.g. an age band) is ``(women_with, women_n, men_with, men_n)``.  The
    estimate is the weighted mean of the strata's differences with the Mantel–Haenszel
    (Cochran) weights ``w = n_women·n_men / N``:

        RD = Σ (a·n0 − b·n1) / N  /  Σ n1·n0 / N

    (a, n1: women with the outcome and all women; b, n0: the same for men; N = n1 + n0).
    A stratum lacking women or men has weight 0 and is skipped, as in Mantel–Haenszel.

    Its variance is Sato's (1989, Biometrics 45:1323-1324) estimator, the one
    recommended by Greenland & Robins (1985, Biometrics 41:55-68) and Rothman,
    Greenland & Lash (Modern Epidemiology): it is consistent both for a few large
    strata and for many sparse ones, which matters for age bands of a small team:

        Var = (RD·Σ P + Σ Q) / (Σ w)²
        P = (n1²·b − n0²·a + n1·n0·(n0 − n1)/2) / N²
        Q = (a·(n0 − b) + b·(n1 − a)) / (2·N)

    The interval is RD ± z·√Var (clipped to ±100 points) and the p-value the matching
    two-sided Wald test.  Verdict :data:`TOO_FEW` when the women or the men in the used
    strata are fewer than ``min_n`` (the same rule as :func:`proportion_gap`).  When the
    variance is 0 (every stratum all-or-nothing in both groups) the interval is the point
    and p is 1 for no difference, 0 otherwise.

    statsmodels' ``StratifiedTable`` has only the Mantel–Haenszel odds and risk *ratios*,
    so this is written out here; the tests check it against a hand-worked example.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    sum_w = sum_num = sum_p = sum_q = 0.0
    used = women = men = 0
    for stratum in strata:
        a, n1, b, n0 = (int(x) for x in stratum)
        _check_count(a, n1)
        _check_count(b, n0)
        if n1 == 0 or n0 == 0:
            continue
        big_n = n1 + n0
        used += 1
        women += n1
        men += n0
        sum_w += n1 * n0 / big_n
        sum_num += (a * n0 - b * n1) / big_n
        sum_p += (n1 * n1 * b - n0 * n0 * a + n1 * n0 * (n0 - n1) / 2) / (big_n * big_n)
        sum_q += (a * (n0 - b) + b * (n1 - a)) / (2 * big_n)
    too_few = min(women, men) < max(min_n, 1)
    if used == 0:
        return AdjustedGap(None, None, None, 0, women, men, None, TOO_FEW, alpha, min_n)
    rd = sum_num / sum_w
    # The variance is a sum of non-negative terms in exact arithmetic; rounding can
    # leave a tiny negative number when it is really 0.
    variance = max(0.0, (rd * sum_p + sum_q) / (sum_w * sum_w))
    se = math.sqrt(variance)
    if se > 0:
        half = _z(1 - alpha) * se
        low, high = max(-1.0, rd - half), min(1.0, rd + half)
        p_value = float(2 * stats.norm.sf(abs(rd) / se))
    else:
        low = high = rd
        p_value = 1.0 if rd == 0 else 0.0
    return AdjustedGap(
        difference=100 * rd,
        low=100 * low,
        high=100 * high,
        strata=used,
        women_n=women,
        men_n=men,
        p_value=p_value,
        verdict=_verdict(p_value, alpha, too_few),
        alpha=alpha,
        min_n=min_n,
    )


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def age_change_reason(crude: Gap, adjusted: AdjustedGap) -> str | None:
    """Why adjusting for age changes the conclusion, as a code; None when it does not.

    In order: the verdict flips (:data:`AGE_VERDICT_FLIPS`), the sign flips
    (:data:`AGE_REVERSED`), or the adjusted gap differs from the crude one by more than
    a third of the crude gap, towards zero (:data:`AGE_SMALLER`: age explains a large
    part) or away from it (:data:`AGE_LARGER`: the age distribution hides part of it).
    Compare like with like: both verdicts raw, or both Benjamini–Hochberg adjusted.
    """
    if TOO_FEW in (crude.verdict, adjusted.verdict):
        return None
    if crude.difference is None or adjusted.difference is None:
        return None
    if crude.verdict != adjusted.verdict:
        return AGE_VERDICT_FLIPS
    if _sign(crude.difference) != _sign(adjusted.difference):
        return AGE_REVERSED
    if abs(adjusted.difference - crude.difference) > abs(crude.difference) / 3:
        return AGE_SMALLER if abs(adjusted.difference) < abs(crude.difference) else AGE_LARGER
    return None


def age_adjusted(crude: Gap, adjusted: AdjustedGap) -> str:
    """Does the age-adjusted gap change the conclusion drawn from the crude gap?

    :data:`AGE_CHANGES` when the adjusted gap differs from the crude gap by more than a
    third of the crude gap, or the verdict (significant or not) or the sign flips;
    :data:`AGE_SAME` otherwise; :data:`AGE_NOT_ASSESSED` when either gap is
    :data:`TOO_FEW` or missing.  A third: a smaller shift is within what a reader would
    call "about the same gap", a larger one changes how big the problem is.
    """
    if TOO_FEW in (crude.verdict, adjusted.verdict):
        return AGE_NOT_ASSESSED
    if crude.difference is None or adjusted.difference is None:
        return AGE_NOT_ASSESSED
    return AGE_SAME if age_change_reason(crude, adjusted) is None else AGE_CHANGES


@dataclass(frozen=True)
class AgeAdjustment:
    """What a page shows beside a crude gap: the age-adjusted gap and whether it matters.

    The context object of ``templates/includes/age_adjusted.html``.  ``code`` is from
    :func:`age_adjusted`, ``reason`` from :func:`age_change_reason`.  ``lang`` is the
    display language the caller takes from the active locale; the ``*_text`` properties
    exist because a template cannot pass it to the formatters.
    """

    crude: Gap
    adjusted: AdjustedGap
    code: str
    reason: str | None
    lang: str = "da"

    @classmethod
    def of(cls, crude: Gap, adjusted: AdjustedGap, lang: str = "da") -> AgeAdjustment:
        return cls(
            crude, adjusted, age_adjusted(crude, adjusted), age_change_reason(crude, adjusted), lang
        )

    @property
    def difference_text(self) -> str:
        return fmt.fmt_pp(self.adjusted.difference, lang=self.lang)

    @property
    def interval_text(self) -> str:
        return fmt.fmt_interval(self.adjusted.low, self.adjusted.high, "pp", lang=self.lang)

    @property
    def crude_text(self) -> str:
        return fmt.fmt_pp(self.crude.difference, lang=self.lang)

    @property
    def level_percent(self) -> int:
        return round(100 * self.adjusted.level)
