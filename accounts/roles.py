"""Who may do what, and on which units: the one table of role rules.

Every permission check reads this table: `accounts.access` (its needs), `logbooks.rules`,
the projects, workshops and datasets access helpers, `reporting.rules`, the main
navigation and the start page. README's "Roles and tenancy" is rendered from it
(`markdown_table`), and tests/accounts/test_roles.py checks that the README and the views
agree with it.

A role is given on a unit and covers every unit below it. `reach` says where a rule
applies:
- `units`: the units the role is given on, and every unit below them;
- `own`: what the user wrote or took part in, whatever their role is now;
- `municipality`: the whole municipality, whichever unit the role is given on.
`also` names who else may, beyond the roles (organisers, participants, project groups).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from .models import Role

UNITS = "units"
OWN = "own"
MUNICIPALITY = "municipality"

# Capabilities (the "needs" of accounts.access). The old needs READ, LEAD, ANALYSE and
# ADMIN keep their names: "read" is any role at all (see ALL_ROLES).
LOG = "log"
READ_OWN = "read_own"
READ_LOGBOOKS = "read_logbooks"
READ_ACTIVITIES = "read_activities"
READ_PROJECTS = "read_projects"
DASHBOARD = "dashboard"
ANALYSE = "analyse"
DATASETS = "datasets"
IMPORT_ORIGIN = "import_origin"
LEAD = "lead"
ADMIN = "admin"


@dataclass(frozen=True)
class Rule:
    capability: str
    roles: frozenset[str]
    reach: str
    summary: str | Promise
    also: str | Promise = ""


_M, _L, _A, _ADM = Role.MEDARBEJDER.value, Role.LEDER.value, Role.ANALYTIKER.value, Role.ADMINISTRATOR.value


def _roles(*roles: str) -> frozenset[str]:
    return frozenset(roles)


RULES: tuple[Rule, ...] = (
    Rule(LOG, _roles(_M, _L), UNITS, _("log conversations and observe colleagues")),
    Rule(READ_OWN, _roles(_M, _L), OWN,
         _("read their own logbook entries and observations in full (as author, observer or observed)")),
    Rule(READ_LOGBOOKS, _roles(_L), UNITS,
         _("read the unit's logbook entries and observations in full: citizen free text, each reading is "
           "audited")),
    Rule(READ_ACTIVITIES, _roles(_M, _L), UNITS,
         _("read the unit's workshops, focus groups (findings and quotes) and citizen involvement: citizen free "
           "text"),
         _("the organiser; a workshop's invited participants")),
    Rule(READ_PROJECTS, _roles(_M, _L, _A), UNITS, _("read the unit's action-learning projects"),
         _("the responsible and the project group")),
    Rule(DASHBOARD, _roles(_M, _L, _A), UNITS, _("see the unit's aggregates on the dashboard")),
    Rule(ANALYSE, _roles(_L, _A), UNITS,
         _("analyse: the logbook analysis, comparing units, committee reports (aggregates only)")),
    Rule(DATASETS, _roles(_L, _A), UNITS,
         _("read and manage the unit's datasets (upload, replace, delete); a dataset without a unit is read with "
           "the role anywhere and managed with the role on the whole municipality")),
    Rule(IMPORT_ORIGIN, _roles(_A), UNITS,
         _("import origin (herkomst), a special category of personal data, into the unit's datasets")),
    Rule(LEAD, _roles(_L), UNITS,
         _("run projects (only with units they lead); plan workshops, focus groups and citizen involvement; keep "
           "the unit's lists")),
    Rule(ADMIN, _roles(_ADM), MUNICIPALITY,
         _("administer users, roles, units and the municipality's settings; no citizen-related content")),
)

TABLE: dict[str, Rule] = {rule.capability: rule for rule in RULES}

#: Every role there is: the need "read" (any role on the unit).
ALL_ROLES: frozenset[str] = frozenset(Role.values)


def roles_for(capability: str) -> frozenset[str]:
    """The roles that have a capability (KeyError for an unknown one: no silent default)."""
    return TABLE[capability].roles


def reach_of(capability: str) -> str:
    return TABLE[capability].reach


def capabilities_of(role: str) -> list[str]:
    return [rule.capability for rule in RULES if role in rule.roles]


def markdown_table() -> str:
    """The table as README shows it (English), one row per capability."""
    reach_text = {UNITS: "the units of the role and below", OWN: "own", MUNICIPALITY: "the whole municipality"}
    roles = list(Role.values)
    with override("en"):
        lines = ["| may | " + " | ".join(roles) + " | where | also |",
                 "|---|" + "|".join(":-:" for _ in roles) + "|---|---|"]
        for rule in RULES:
            marks = " | ".join("✓" if role in rule.roles else "" for role in roles)
            lines.append(f"| {rule.summary} (`{rule.capability}`) | {marks} | {reach_text[rule.reach]} | "
                         f"{rule.also or ''} |")
    return "\n".join(lines) + "\n"
