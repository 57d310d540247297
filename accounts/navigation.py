"""The main navigation, by role.

Each entry names a URL and the capability of the role table (`accounts.roles`) its page
needs; entries whose URL is not (yet) installed are left out, so the menu only ever offers
what exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import access, roles


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    need: str | None  # a capability of accounts.roles; None: every municipality user


NAV: list[NavItem] = [
    NavItem(_("Start"), "home", None),
    NavItem(_("Logbook"), "logbooks:quick_entry", roles.LOG),
    NavItem(_("Observations"), "logbooks:observation_list", roles.LOG),
    NavItem(_("Projects"), "projects:project_list", roles.READ_PROJECTS),
    NavItem(_("Workshops"), "workshops:workshop_list", roles.READ_ACTIVITIES),
    NavItem(_("Data"), "datasets:dataset_list", roles.DATASETS),
    NavItem(_("Dashboard"), "reporting:dashboard", roles.DASHBOARD),
    NavItem(_("Reports"), "reporting:report_list", roles.ANALYSE),
    NavItem(_("Guidance"), "guidance", None),
    NavItem(_("Administration"), "accounts:admin_home", roles.ADMIN),
]


def navigation_for(request) -> list[dict]:
    scope = access.get_scope(request.user)
    items = []
    for item in NAV:
        if item.need is not None and not scope.has(item.need):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "active": False})
    # The longest URL that prefixes the path is the current section (reports live under
    # the dashboard's prefix, and only one item may be marked).
    matches = [i for i in items if (request.path == "/" if i["url"] == "/" else request.path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return items
