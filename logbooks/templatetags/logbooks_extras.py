from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

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
def verdict(gap) -> str:
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
