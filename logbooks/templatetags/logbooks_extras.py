from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ligestilling.lib import disclosure
from ligestilling.lib import formatting as fmt
from ligestilling.lib import statistics as st

register = template.Library()


def _lang() -> str:
    return "en" if (get_language() or "da").startswith("en") else "da"


@register.filter
def cell(value) -> str:
    """A disclosure Cell as text (the marker when hidden)."""
    return "–" if value is None else value.display(_lang())


@register.filter
def interval(value) -> str:
    return "" if value is None else value.display_interval(_lang())


@register.filter
def notes(table) -> tuple[str, ...]:
    """The footnotes a table's markers and its perturbation need ("<N", "±2", hidden)."""
    return () if table is None else table.suppression_notes(_lang())


@register.simple_tag
def gap_notes(rows, threshold) -> tuple[str, ...]:
    """The same footnotes for a table of GapRows (counts protected, shares derived)."""
    cells = tuple((r.women, r.women_share, r.men, r.men_share, r.gap_cell) for r in rows)
    if not cells:
        return ()
    table = disclosure.Table(title="", row_labels=tuple(str(i) for i in range(len(cells))),
                             column_labels=("w", "ws", "m", "ms", "gap"), cells=cells,
                             threshold=disclosure.effective_threshold(threshold), perturbed=True)
    return table.suppression_notes(_lang())


@register.filter
def verdict(row) -> str:
    """The assessment of a GapRow: a code turned into text here, nowhere else on the page."""
    if not row.used:
        return _("Not used in the period")
    gap = row.gap
    if gap is None:
        return _("Hidden (too few)")
    return {
        st.SIGNIFICANT: _("Significant difference"),
        st.NOT_SIGNIFICANT: _("No clear difference"),
        st.TOO_FEW: _("Too few to say"),
    }[gap.verdict]


@register.filter
def pvalue(gap) -> str:
    if gap is None:
        return ""
    p = gap.adjusted_p if gap.adjusted_p is not None else gap.p_value
    return fmt.fmt_p(p, _lang()) if p is not None else ""
