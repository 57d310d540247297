"""The start page's "what can I do here" cards, by role.

Cards whose page is not installed are left out, so the start page only offers what exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accounts import access, roles


@dataclass(frozen=True)
class Card:
    title: str | Promise
    text: str | Promise
    url_name: str
    need: str | None


CARDS = [
    Card(_("Log a conversation"),
         _("Note who was present, what you talked about and what you noticed about gender. It takes under a minute."),
         "logbooks:quick_entry", roles.LOG),
    Card(_("Observe a colleague"),
         _("Agree a focus, observe a conversation and give specific, descriptive feedback."),
         "logbooks:observation_list", roles.LOG),
    Card(_("Do we talk to women and men about the same things?"),
         _("The gender-split picture of your unit's logbooks, with honest statistics."),
         "logbooks:analysis", roles.ANALYSE),
    Card(_("Action-learning projects"),
         _("Small projects with gender-specific success criteria, measured from your own data."),
         "projects:project_list", roles.READ_PROJECTS),
    Card(_("Workshops and focus groups"),
         _("Plan a workshop, a focus group or citizen involvement from the guidance."),
         "workshops:workshop_list", roles.LEAD),
    Card(_("Gender-split data"),
         _("Load registers and your own systems' exports; compare with national figures."),
         "datasets:dataset_list", roles.DATASETS),
    Card(_("Dashboard"),
         _("Where are women and men served differently?"),
         "reporting:dashboard", roles.DASHBOARD),
    Card(_("Committee report"),
         _("Build a PDF report for the political committee."),
         "reporting:report_list", roles.ANALYSE),
    Card(_("Users and units"),
         _("Invite colleagues, give roles and keep the organisation up to date."),
         "accounts:admin_home", roles.ADMIN),
    Card(_("Guidance"),
         _("What gender-equality assessment is, the seven tools and how to start."),
         "guidance", None),
]


def start_cards(request, scope: access.Scope) -> list[dict]:
    cards = []
    for card in CARDS:
        if card.need is not None and not scope.has(card.need):
            continue
        try:
            url = reverse(card.url_name)
        except NoReverseMatch:
            continue
        cards.append({"title": card.title, "text": card.text, "url": url})
    return cards


# Panels other apps put at the top of the start page: callables taking the request and
# returning HTML ("" when there is nothing to show).
PANELS = [
    "projects.selectors.overdue_actions_panel",
]


def start_panels(request) -> list[str]:
    panels = []
    for dotted in PANELS:
        html = import_string(dotted)(request)
        if html:
            panels.append(mark_safe(html))  # rendered by the app's own template, already escaped
    return panels
