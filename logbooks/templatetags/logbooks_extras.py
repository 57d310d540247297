"""Template filters of the logbook analysis. Numbers, markers and verdicts come from the
one presentation path (`ligestilling.lib`), in the active language."""

from django import template
from django.utils.translation import gettext as _

from ligestilling.lib import disclosure
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
def notes(table) -> tuple[str, ...]:
    """The footnotes a table's markers and its perturbation need ("<N", "±2", hidden)."""
    return () if table is None else table.suppression_notes()


@register.simple_tag
def gap_notes(rows, threshold) -> tuple[str, ...]:
    """The same footnotes for a table of GapRows (counts protected, shares derived)."""
    cells = tuple((r.women, r.women_share, r.men, r.men_share, r.gap_cell) for r in rows)
    if not cells:
        return ()
    table = disclosure.Table(title="", row_labels=tuple(str(i) for i in range(len(cells))),
                             column_labels=("w", "ws", "m", "ms", "gap"), cells=cells,
                             threshold=disclosure.effective_threshold(threshold), perturbed=True)
    return table.suppression_notes()


@register.filter
def verdict(row) -> str:
    """The assessment of a GapRow through the one label function; an item nobody used in
    the period was not tested."""
    if not row.used:
        return _("Not used in the period")
    return verdict_label(None if row.gap is None else row.gap.verdict)


@register.filter
def pvalue(gap) -> str:
    if gap is None:
        return ""
    p = gap.adjusted_p if gap.adjusted_p is not None else gap.p_value
    return fmt.fmt_p(p) if p is not None else ""
