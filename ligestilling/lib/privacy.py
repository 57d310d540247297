"""The privacy guard: the one detector of person identifiers in free text.

Finds CPR numbers, Danish phone numbers and e-mail addresses, after normalising the text
so that look-alike spellings match too. Pure code: it imports Django's ValidationError and
translation only, no app of this project. Which fields use it, and why: docs/privacy.md.

Public API:

- `find_identifiers(text) -> list[str]`: the kinds found, among "cpr", "phone", "email",
  in that order.
- `mask_identifiers(text) -> str`: the text (normalised) with each identifier replaced by a
  fixed mask ("••••••-••••", "•• •• •• ••", "•••@•••"), so nothing of it is revealed.
- `validate_no_identifiers(value)`: a Django validator (forms and model fields).
- `check_fields(source, names)`: checks several fields of one object or mapping at once,
  each alone and joined with a space in the given order, so "010190" in one field and
  "1234" in the next is refused too; the ValidationError names the fields concerned.
- `PrivacyGuardedModel`: a model mixin; `full_clean()` runs `check_fields` on the model's
  `FREE_TEXT_FIELDS` (those not excluded), so forms, services and the admin all refuse.
- `describe(kinds)`: "a CPR number and a phone number", for messages of other checks.

Normalisation (before any matching): Unicode NFKC (fullwidth digits and "＠" become ASCII);
every decimal digit of any script to ASCII (NFKC leaves e.g. Arabic-Indic digits alone);
every dash-like character to "-"; format characters (zero-width space and joiners, word
joiner, BOM, soft hyphen) removed; every space separator, tab and line break to a space.

Recognised, with or without surrounding text:

- CPR: ddmmyy and four digits (day 01-31, month 01-12), written together or separated by a
  dash, slash, dot or spaces ("010190-1234", "0101901234", "010190 - 1234", "010190/1234").
- Phone: eight digits, optionally after +45, (+45) or 0045, written together or grouped as
  people write them: 12345678, 1234 5678, 12 34 56 78, 12-34-56-78, 12.34.56.78 (one kind of
  separator in a number). Not an eight-digit run after "CVR", "SE-nr.", "P-nr.", "EAN",
  "konto" or "kr." or before "kr."/"%", nor two years ("2019-2024", "2019 2024").
- E-mail: name@domain.tld (Unicode names and domains), "@" with spaces around it, and the
  obfuscated "[at]", "(at)", "{at}", "<at>" (also "snabel-a") and a plain " at " when a
  domain with a dot follows; the dot may be written "[dot]", "(dot)", " dot " or "punktum".

Not refused: dates in every common Danish form, periods, times, amounts, percentages, case
and journal numbers, postal codes, counts and years (tests/test_privacy_guard.py has the
table). Addresses and names are not detected: the forms' help texts ask for neither.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = ["KINDS", "PrivacyGuardedModel", "check_fields", "describe", "find_identifiers", "mask_identifiers",
           "normalise", "validate_no_identifiers"]

KINDS = {
    "cpr": _("a CPR number"),
    "phone": _("a phone number"),
    "email": _("an e-mail address"),
}
MASKS = {"cpr": "••••••-••••", "phone": "•• •• •• ••", "email": "•••@•••"}

# --- Normalisation -----------------------------------------------------------------------

# Dash-like characters that are not in Unicode category Pd (which covers the hyphens, en
# and em dash, figure dash, fullwidth hyphen-minus, ...).
_EXTRA_DASHES = {"\u2212", "\u2043", "\u02d7", "\u2796", "\ufe63", "\u207b", "\u208b"}
_SPACES = {"\t", "\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x1f", "\x85"}


class _Table(dict):
    """str.translate table, filled per code point on first sight."""

    def __missing__(self, code: int):
        char = chr(code)
        category = unicodedata.category(char)
        if category == "Nd":
            value = str(unicodedata.decimal(char))
        elif category == "Pd" or char in _EXTRA_DASHES:
            value = "-"
        elif category == "Cf":
            value = ""
        elif category in ("Zs", "Zl", "Zp") or char in _SPACES:
            value = " "
        else:
            value = code
        self[code] = value
        return value


_TABLE = _Table()


def normalise(text: str) -> str:
    """The text as the detector reads it (see the module docstring)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return text.translate(_TABLE)


# --- Patterns (on normalised text) -----------------------------------------------------------

# Not part of a longer number: no digit right before, nor a digit and a decimal or thousands
# mark ("0,12345678", "1.12345678"); none after either. The leading lookaheads only make
# the scan faster (the lookbehinds are then tried at digits only).
_START = r"(?=\d)(?<!\d)(?<!\d[.,])"
_END = r"(?![.,]?\d)"

CPR_RE = re.compile(
    _START + r"(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d\d(?: {0,3}[-/.]? {0,3})\d{4}" + _END
)

_PREFIX = r"(?P<prefix>(?:\+ ?|00)45|\(\+?45\))[ .-]?"
PHONE_RE = re.compile(
    r"(?=[\d+(])(?<![\d+])(?<!\d[.,])(?:" + _PREFIX + r")?"
    r"(?P<number>\d{8}"
    r"|(?P<a>\d{4})[ .-](?P<b>\d{4})"
    r"|\d\d(?P<sep>[ .-])\d\d(?P=sep)\d\d(?P=sep)\d\d)" + _END
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_NOT_PHONE_BEFORE = re.compile(
    r"\b(?:(?:cvr|ean|reg|konto)(?:[-. ]{0,2}nr)?|(?:se|p)[-. ]{0,2}nr|kontonummer|kr|dkk)\.?:? ?$", re.IGNORECASE
)
_NOT_PHONE_AFTER = re.compile(r" ?(?:kr\b|dkk\b|%|pct\b|mio\b|mia\b)", re.IGNORECASE)

# Possessive quantifiers and a start only where a name can begin keep the e-mail patterns
# linear: a long run of letters, dots or dashes costs one pass, never one per position.
_LOCAL = r"(?<![\w.+-])[\w.+-]++"
_OPEN, _CLOSE = r"[\[({<]", r"[\])}>]"
_AT = r"(?: ?@ ?| ?" + _OPEN + r" ?(?:at|@|snabel-?a) ?" + _CLOSE + r" ?)"
_DOT = r"(?:\.| ?" + _OPEN + r" ?(?:dot|punktum|\.) ?" + _CLOSE + r" ?| dot | punktum )"
_DOMAIN = r"[\w-]++(?:" + _DOT + r"[\w-]++)++"
EMAIL_RE = re.compile(_LOCAL + _AT + _DOMAIN, re.IGNORECASE)
# " at " is also a Danish word ("for at hjælpe"), so after a plain " at " only a known
# top-level domain counts.
EMAIL_AT_WORD_RE = re.compile(_LOCAL + r" (?:at|snabel-?a) " + _DOMAIN, re.IGNORECASE)
_TLD = re.compile(r"[^\W\d_]{2,24}")
_KNOWN_TLDS = {"dk", "com", "net", "org", "eu", "info", "se", "no", "de", "nu", "io", "gl", "fo", "uk", "biz", "me"}
_LAST_LABEL = re.compile(r"(?<![\w-])[\w-]+$")  # the lookbehind keeps it linear


def _is_email(match: re.Match, known_tld: bool = False) -> bool:
    tld = _LAST_LABEL.search(match.group()).group()
    return bool(_TLD.fullmatch(tld)) and (not known_tld or tld.lower() in _KNOWN_TLDS)


def _is_phone(text: str, match: re.Match) -> bool:
    if match.group("prefix"):
        return True
    a, b = match.group("a"), match.group("b")
    if a and _YEAR.fullmatch(a) and _YEAR.fullmatch(b):
        return False  # a period, "2019-2024"
    start, end = match.span()
    if _NOT_PHONE_BEFORE.search(text[max(0, start - 16):start]):
        return False
    return not _NOT_PHONE_AFTER.match(text, end)


def _spans(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of each identifier in normalised `text`, in order of kind."""
    found = [("cpr", *m.span()) for m in CPR_RE.finditer(text)]
    rest = text
    for _kind, start, end in found:  # a CPR number holds no phone number
        rest = rest[:start] + "x" * (end - start) + rest[end:]
    found += [("phone", *m.span()) for m in PHONE_RE.finditer(rest) if _is_phone(rest, m)]
    if "@" in text or any(ch in text for ch in "[({<") or " at " in text.lower() or " snabel" in text.lower():
        found += [("email", *m.span()) for m in EMAIL_RE.finditer(text) if _is_email(m)]
        found += [("email", *m.span()) for m in EMAIL_AT_WORD_RE.finditer(text) if _is_email(m, known_tld=True)]
    return found


def _kinds(spans: Iterable[tuple[str, int, int]]) -> list[str]:
    seen = {kind for kind, _start, _end in spans}
    return [kind for kind in KINDS if kind in seen]


# --- Public API ---------------------------------------------------------------------------------


def find_identifiers(text: str | None) -> list[str]:
    """The kinds of identifier in `text`: a subset of "cpr", "phone", "email", in that order."""
    if not text:
        return []
    return _kinds(_spans(normalise(str(text))))


def mask_identifiers(text: str | None) -> str:
    """`text`, normalised, with each identifier replaced by a fixed mask of its kind.

    The mask has the same length whatever the identifier, so it reveals nothing of it.
    """
    if not text:
        return ""
    text = normalise(str(text))
    merged: list[list] = []
    for kind, start, end in sorted(_spans(text), key=lambda span: span[1]):
        if merged and start < merged[-1][2]:
            merged[-1][2] = max(merged[-1][2], end)
        else:
            merged.append([kind, start, end])
    parts, pos = [], 0
    for kind, start, end in merged:
        parts += [text[pos:start], MASKS[kind]]
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def describe(kinds: Iterable[str]) -> str:
    """The kinds in words: "a CPR number", "a CPR number and an e-mail address"."""
    words = [str(KINDS[k]) for k in KINDS if k in set(kinds)]
    if len(words) <= 1:
        return "".join(words)
    return str(_("%(items)s and %(last)s") % {"items": ", ".join(words[:-1]), "last": words[-1]})


def _message(kinds: Iterable[str], *, split: bool = False) -> ValidationError:
    if split:
        text = _("Read together with the neighbouring field, the text seems to contain %(what)s. Remove it: no "
                 "information that identifies a person may be stored.")
    else:
        text = _("The text seems to contain %(what)s. Remove it: no information that identifies a person may be "
                 "stored.")
    return ValidationError(text, code="identifier", params={"what": describe(kinds)})


def validate_no_identifiers(value: object) -> None:
    """Django validator: refuses a text holding a CPR number, phone number or e-mail address.

    The message says which kind to remove and never repeats the identifier.
    """
    kinds = find_identifiers(value if isinstance(value, str) else str(value or ""))
    if kinds:
        raise _message(kinds)


def check_fields(source: object, names: Iterable[str]) -> None:
    """Check the fields `names` of `source` (an object or a mapping) together.

    Each field alone, and all non-empty ones joined by a space in the order given, so an
    identifier split over neighbouring fields is found as well. Raises one ValidationError
    with a message on each field concerned.
    """
    get = source.get if isinstance(source, Mapping) else (lambda name, default: getattr(source, name, default))
    errors: dict[str, ValidationError] = {}
    pieces: list[tuple[str, int, int]] = []
    joined: list[str] = []
    offset = 0
    for name in names:
        value = get(name, "")
        if not value:
            continue
        text = normalise(str(value))
        kinds = _kinds(_spans(text))
        if kinds:
            errors[name] = _message(kinds)
        if joined:
            offset += 1
        pieces.append((name, offset, offset + len(text)))
        joined.append(text)
        offset += len(text)
    if len(pieces) > 1:
        split: dict[str, set[str]] = {}
        for kind, start, end in _spans(" ".join(joined)):
            concerned = [name for name, lo, hi in pieces if start < hi and end > lo]
            if len(concerned) > 1:
                for name in concerned:
                    split.setdefault(name, set()).add(kind)
        for name, kinds in split.items():
            errors.setdefault(name, _message(kinds, split=True))
    if errors:
        raise ValidationError(errors)


class PrivacyGuardedModel:
    """Model mixin: `full_clean()` refuses identifiers in the fields `FREE_TEXT_FIELDS`.

    Runs in `clean_fields`, which knows the fields a ModelForm leaves out, so a form that
    edits some of the fields gets its errors on its own fields (never a ValueError).
    """

    FREE_TEXT_FIELDS: tuple[str, ...] = ()

    def clean_fields(self, exclude=None):
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        names = [name for name in self.FREE_TEXT_FIELDS if not exclude or name not in exclude]
        try:
            check_fields(self, names)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
