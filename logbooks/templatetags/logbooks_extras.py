"""Template filters of the logbook analysis. Numbers, markers and verdicts come from the
one presentation path (`ligestilling.lib`), in the active language."""

from django import template

from ligestilling.lib import formatting as fmt
from ligestilling.lib.verdicts import verdict_label

register = template.Library()


@register.filter
def cell(value) -> str:
    """A disclosure Cell as text (the marker when hidden)."""
    return fmt.MISSING if value is None else value.display()


@register.filter
def interval(value) -> str:
    return "" if value is None else value.display_interval()


@register.filter
def verdict(gap) -> str:
    """The gap's verdict through the one label function (a hidden gap has no verdict)."""
    return verdict_label(None if gap is None else gap.verdict)


@register.filter
def pvalue(gap) -> str:
    if gap is None:
        return ""
    p = gap.adjusted_p if gap.adjusted_p is not None else gap.p_value
    return fmt.fmt_p(p) if p is not None else ""
