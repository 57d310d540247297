"""Danish (and English) display formatting of numbers.

Plain functions that work in tests, in the PDF pipeline and in background tasks alike.
The language is the one place that knows Django: ``lang=None`` (the default of every
function here and of the disclosure cells) means the active locale
(``django.utils.translation.get_language()``, see :func:`resolve_lang`), so the
English interface never shows "procentpoint" because a caller forgot to pass it.
Choices, documented once here:

* Danish uses ``.`` as thousands separator and ``,`` as decimal mark
  (``12.345``, ``3,1``); English uses ``12,345`` and ``3.1``.
* Negative numbers use the real minus sign U+2212 (``−39``), never the ASCII
  hyphen: it is typographically correct in Danish and English, screen readers
  read it as "minus", and it cannot be confused with the en dash of an interval.
  Only *display* strings are affected; exports carry raw numbers.
* Rounding is half away from zero (``0,5 → 1``), as readers expect, not Python's
  round-half-to-even.
* A missing value (``None``) displays as an en dash ``–`` ("no figure").
* Shares are passed as fractions (0.7123) and shown as percentages; differences
  of shares are passed in percentage points (``-39.0``) and shown with the word
  "procentpoint" so that they are never mistaken for a percentage change.
"""

from __future__ import annotations

import functools
import math
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

MINUS = "\u2212"
EN_DASH = "\u2013"
MISSING = EN_DASH
LANGS = ("da", "en")

_SEPARATORS = {"da": (".", ","), "en": (",", ".")}


def resolve_lang(lang: str | None = None) -> str:
    """``"da"`` or ``"en"``: ``lang`` itself, or the active locale when it is None.

    The one place where the language of numbers, markers and units is decided. Any
    locale that is not English (``en``, ``en-gb``) counts as Danish, the default; an
    explicit unknown language is an error rather than a silent Danish text.
    """
    if lang is not None:
        if lang not in LANGS:
            raise ValueError(f"unknown language {lang!r}; use 'da' or 'en'")
        return lang
    try:
        active = translation.get_language()
    except ImproperlyConfigured:  # plain Python without Django settings (scripts, pure tests)
        active = None
    return "en" if (active or "da").lower().startswith("en") else "da"


def _seps(lang: str) -> tuple[str, str]:
    try:
        return _SEPARATORS[lang]
    except KeyError:
        raise ValueError(f"unknown language {lang!r}; use 'da' or 'en'") from None


def round_shown(value: float, digits: int) -> float | int:
    """``value`` rounded the way it is displayed (half away from zero), for exports.

    Whole numbers come back as ``int`` so a spreadsheet shows ``-39``, not ``-39.0``.
    """
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    if rounded == 0:
        return 0
    return int(rounded) if digits <= 0 else float(rounded)


def plain_number(value: float | int, lang: str | None = None) -> str:
    """A number for a CSV file: no thousands separator, the language's decimal mark
    (``-3,5`` in Danish, which Danish Excel reads as a number; ``-3.5`` in English)."""
    text = repr(value) if isinstance(value, float) else str(value)
    if "e" in text.lower():
        text = f"{value:f}".rstrip("0").rstrip(".")
    return text.replace(".", _seps(resolve_lang(lang))[1])


@functools.lru_cache(maxsize=8192)  # pure; a dashboard formats ~1,000 numbers, many of them alike
def _number(value: float, digits: int, lang: str, *, signed: bool = False) -> str:
    """Round half away from zero and insert the language's separators."""
    thousands, decimal_mark = _seps(lang)
    if digits < 0:
        raise ValueError("digits must be >= 0")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"cannot format {value!r}")
    quantum = Decimal(1).scaleb(-digits)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never show "−0"
    sign = ""
    if rounded < 0:
        sign = MINUS
    elif signed and rounded > 0:
        sign = "+"
    integer, _, fraction = f"{abs(rounded):f}".partition(".")
    groups = []
    while len(integer) > 3:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    groups.insert(0, integer)
    text = thousands.join(groups)
    if digits:
        text += decimal_mark + fraction
    return sign + text


def fmt_int(value: float | None, lang: str | None = None) -> str:
    """Whole number with thousands separators: ``12345 → "12.345"``."""
    lang = resolve_lang(lang)
    if value is None:
        return MISSING
    return _number(value, 0, lang)


def fmt_decimal(value: float | None, digits: int = 1, lang: str | None = None) -> str:
    """Decimal number: ``fmt_decimal(3.14159, 1) → "3,1"``."""
    lang = resolve_lang(lang)
    if value is None:
        return MISSING
    return _number(value, digits, lang)


def fmt_pct(value: float | None, digits: int = 0, lang: str | None = None) -> str:
    """A share given as a fraction: ``0.7123 → "71 pct."`` (English ``"71%"``).

    Whole percentages by default: with the group sizes of a municipality the
    first decimal is noise and only makes tables harder to read.
    """
    lang = resolve_lang(lang)
    if value is None:
        return MISSING
    number = _number(100 * value, digits, lang)
    return f"{number} pct." if lang == "da" else f"{number}%"


def _pp_unit(number_text: str, lang: str) -> str:
    if lang == "da":
        return "procentpoint"  # the same in singular and plural
    return "percentage point" if number_text.lstrip("+" + MINUS) == "1" else "percentage points"


def fmt_pp(value: float | None, digits: int = 0, lang: str | None = None, *, signed: bool = True) -> str:
    """A difference in percentage points: ``-39.0 → "−39 procentpoint"``.

    Signed by default (``"+12 procentpoint"``) because a gap's direction is its
    meaning: under the project's convention the sign says women minus men.
    """
    lang = resolve_lang(lang)
    if value is None:
        return MISSING
    number = _number(value, digits, lang, signed=signed)
    return f"{number} {_pp_unit(number, lang)}"


def fmt_dkk(value: float | None, digits: int = 0, lang: str | None = None) -> str:
    """An amount in Danish kroner: ``36992 → "36.992 kr."`` (English ``"DKK 36,992"``)."""
    lang = resolve_lang(lang)
    if value is None:
        return MISSING
    number = _number(value, digits, lang)
    return f"{number} kr." if lang == "da" else f"DKK {number}"


_INTERVAL_KINDS = ("pct", "pp", "dkk", "count", "decimal")


def fmt_interval(
    low: float | None,
    high: float | None,
    kind: str = "pct",
    digits: int | None = None,
    lang: str | None = None,
) -> str:
    """An interval with the unit once: ``(0.61, 0.79, "pct") → "61–79 pct."``.

    ``kind`` is ``"pct"`` (fractions), ``"pp"`` (percentage points), ``"dkk"``,
    ``"count"`` or ``"decimal"``.  When the lower end is negative the en dash would
    read as a minus, so the words "til"/"to" join the ends instead
    (``"−5 til 24 procentpoint"``).
    """
    lang = resolve_lang(lang)
    if kind not in _INTERVAL_KINDS:
        raise ValueError(f"unknown kind {kind!r}; use one of {_INTERVAL_KINDS}")
    if low is None or high is None:
        return MISSING
    if digits is None:
        digits = 1 if kind == "decimal" else 0
    if kind == "pct":
        low, high = 100 * low, 100 * high
    lo_text = _number(low, digits, lang)
    hi_text = _number(high, digits, lang)
    joiner = EN_DASH if not lo_text.startswith(MINUS) else (" til " if lang == "da" else " to ")
    span = f"{lo_text}{joiner}{hi_text}"
    if kind == "pct":
        return f"{span} pct." if lang == "da" else f"{span}%"
    if kind == "pp":
        return f"{span} {'procentpoint' if lang == 'da' else 'percentage points'}"
    if kind == "dkk":
        return f"{span} kr." if lang == "da" else f"DKK {span}"
    return span


def fmt_p(p: float | None, lang: str | None = None) -> str:
    """A p-value: ``"p < 0,001"`` below 0.001, else three decimals (``"p = 0,095"``).

    Smaller p-values are not shown in full because they suggest a precision the
    model assumptions cannot deliver.
    """
    lang = resolve_lang(lang)
    if p is None:
        return MISSING
    if not 0 <= p <= 1:
        raise ValueError(f"p-value out of range: {p!r}")
    if p < 0.001:
        return f"p < {_number(0.001, 3, lang)}"
    return f"p = {_number(p, 3, lang)}"
