"""Tests of Danish/English number formatting."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st_

from ligestilling.lib import formatting as f

M = "\u2212"  # the minus sign used for display


def test_fmt_int():
    assert f.fmt_int(12345) == "12.345"
    assert f.fmt_int(12345, lang="en") == "12,345"
    assert f.fmt_int(1234567) == "1.234.567"
    assert f.fmt_int(999) == "999"
    assert f.fmt_int(0) == "0"
    assert f.fmt_int(-4200) == f"{M}4.200"
    assert f.fmt_int(2.5) == "3"  # half away from zero
    assert f.fmt_int(None) == "–"


def test_fmt_decimal():
    assert f.fmt_decimal(3.14159, 1) == "3,1"
    assert f.fmt_decimal(3.14159, 1, lang="en") == "3.1"
    assert f.fmt_decimal(1234.5, 2) == "1.234,50"
    assert f.fmt_decimal(0.25, 1) == "0,3"  # not banker's rounding (0,2)
    assert f.fmt_decimal(-0.04, 1) == "0,0"  # no negative zero
    assert f.fmt_decimal(-2.75, 1) == f"{M}2,8"
    assert f.fmt_decimal(None) == "–"


def test_fmt_pct():
    assert f.fmt_pct(0.7123) == "71 pct."
    assert f.fmt_pct(0.7123, 1) == "71,2 pct."
    assert f.fmt_pct(0.7123, lang="en") == "71%"
    assert f.fmt_pct(0.32) == "32 pct."
    assert f.fmt_pct(0.005) == "1 pct."
    assert f.fmt_pct(1.0) == "100 pct."
    assert f.fmt_pct(0) == "0 pct."
    assert f.fmt_pct(None) == "–"


def test_fmt_pp():
    assert f.fmt_pp(-39.0) == f"{M}39 procentpoint"
    assert f.fmt_pp(12.4) == "+12 procentpoint"
    assert f.fmt_pp(12.4, signed=False) == "12 procentpoint"
    assert f.fmt_pp(0.2) == "0 procentpoint"
    assert f.fmt_pp(-39.85, 1) == f"{M}39,9 procentpoint"
    assert f.fmt_pp(-39.0, lang="en") == f"{M}39 percentage points"
    assert f.fmt_pp(1.0, lang="en") == "+1 percentage point"
    assert f.fmt_pp(None) == "–"


def test_fmt_dkk():
    assert f.fmt_dkk(36992) == "36.992 kr."
    assert f.fmt_dkk(15764, lang="en") == "DKK 15,764"
    assert f.fmt_dkk(1234.5, 2) == "1.234,50 kr."
    assert f.fmt_dkk(None) == "–"


def test_fmt_interval():
    assert f.fmt_interval(0.61, 0.79, "pct") == "61–79 pct."
    assert f.fmt_interval(0.61, 0.79, "pct", lang="en") == "61–79%"
    assert f.fmt_interval(-49.03, -27.31, "pp") == f"{M}49 til {M}27 procentpoint"
    assert f.fmt_interval(-5.2, 24.4, "pp", lang="en") == f"{M}5 to 24 percentage points"
    assert f.fmt_interval(5.2, 24.4, "pp") == "5–24 procentpoint"
    assert f.fmt_interval(30000, 43984, "dkk") == "30.000–43.984 kr."
    assert f.fmt_interval(30000, 43984, "dkk", lang="en") == "DKK 30,000–43,984"
    assert f.fmt_interval(2.25, 3.5, "decimal") == "2,3–3,5"
    assert f.fmt_interval(2, 3500, "count") == "2–3.500"
    assert f.fmt_interval(None, 3, "count") == "–"
    with pytest.raises(ValueError):
        f.fmt_interval(1, 2, "furlongs")


def test_fmt_p():
    assert f.fmt_p(1.8e-10) == "p < 0,001"
    assert f.fmt_p(1.8e-10, lang="en") == "p < 0.001"
    assert f.fmt_p(0.0946) == "p = 0,095"
    assert f.fmt_p(0.0946, lang="en") == "p = 0.095"
    assert f.fmt_p(0.001) == "p = 0,001"
    assert f.fmt_p(1.0) == "p = 1,000"
    assert f.fmt_p(None) == "–"
    with pytest.raises(ValueError):
        f.fmt_p(1.2)


def test_bad_input():
    with pytest.raises(ValueError):
        f.fmt_int(5, lang="de")
    with pytest.raises(ValueError):
        f.fmt_decimal(float("nan"))
    with pytest.raises(ValueError):
        f.fmt_decimal(1.0, -1)


@settings(max_examples=150, deadline=None)
@given(st_.integers(-(10**12), 10**12))
def test_fmt_int_round_trips(n):
    da = f.fmt_int(n)
    en = f.fmt_int(n, lang="en")
    assert int(da.replace(".", "").replace(M, "-")) == n
    assert int(en.replace(",", "").replace(M, "-")) == n
    assert "-" not in da  # ASCII hyphen is never used for negatives
