"""Privacy guard for free text: no CPR numbers, phone numbers or e-mail addresses.

Reusable by any app with free text about citizens (logbooks, workshops):
`find_identifiers(text)` lists what was found, `check_text(text)` raises a
ValidationError with a Danish message saying what to remove, and `validate_no_identifiers`
is a field validator for forms and models.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# ddmmyy-xxxx or ddmmyyxxxx (also with a space instead of the dash); day 01-31, month 01-12.
CPR_RE = re.compile(r"(?<!\d)(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])\d{2}[-\s]?\d{4}(?!\d)")
# 8 digits, optionally after +45 / 0045, written together or in groups separated by spaces
# (2-2-2-2, 4-4 ...). Dates such as 12-03-2024 or 12.03.2024 are not phone numbers.
PHONE_RE = re.compile(r"(?<![\d+])(?:(?:\+|00)\s?45[\s-]?)?(?:\d ?){7}\d(?!\d)")
# Starts only where a run of address characters starts: from every position inside a
# long run the search would scan the rest of it again (10,000 characters took 0.4 s).
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)

KINDS = {
    "cpr": _("a CPR number"),
    "phone": _("a phone number"),
    "email": _("an e-mail address"),
}


def find_identifiers(text: str | None) -> list[str]:
    """The kinds of identifier found in `text`: a subset of "cpr", "phone", "email", in that order."""
    if not text:
        return []
    found = []
    if CPR_RE.search(text):
        found.append("cpr")
    if PHONE_RE.search(CPR_RE.sub(" ", text)):
        found.append("phone")
    if EMAIL_RE.search(text):
        found.append("email")
    return found


def message_for(kinds: list[str]) -> str:
    what = ", ".join(str(KINDS[k]) for k in kinds)
    return str(_(
        "The text seems to contain %(what)s. Remove it: no information that identifies the citizen "
        "may be stored."
    ) % {"what": what})


def validate_no_identifiers(text: str | None) -> None:
    kinds = find_identifiers(text)
    if kinds:
        raise ValidationError(message_for(kinds), code="identifier")


def check_fields(obj, field_names) -> None:
    """Raise one ValidationError with a message per offending field of `obj`."""
    errors = {}
    for name in field_names:
        kinds = find_identifiers(getattr(obj, name, ""))
        if kinds:
            errors[name] = ValidationError(message_for(kinds), code="identifier")
    if errors:
        raise ValidationError(errors)
