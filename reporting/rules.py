"""Who sees which dashboards and reports (on top of accounts.access).

- medarbejder, leder, analytiker: the dashboard of the units their roles cover (a role
  covers the unit and everything below it); aggregates only, never free text;
- leder and analytiker (access.ANALYSE): exports' big brother, the committee reports, for
  the units where they have ANALYSE; a municipality-wide report needs ANALYSE on every unit;
- administrator only: no citizen-related data (403), as in the rest of the product;
- another municipality: 404 (audited by accounts.access).
"""

from __future__ import annotations

from django.http import HttpRequest

from accounts import access, params, roles
from accounts.models import Unit
from projects.models import Project
from reporting.models import Report

DASHBOARD_ROLES = roles.roles_for(roles.DASHBOARD)
DASHBOARD = roles.DASHBOARD


def unit_ids_for(scope: access.Scope, need: str) -> set[int]:
    return scope.unit_ids(need)


def require(request: HttpRequest, need: str) -> access.Scope:
    scope = access.require_member(request)
    if not unit_ids_for(scope, need):
        raise access.forbidden(request, "municipality", scope.municipality_id, need)
    return scope


def municipality_unit_ids(scope: access.Scope) -> set[int]:
    return set(Unit.objects.filter(municipality_id=scope.municipality_id).values_list("pk", flat=True))


def units_for(scope: access.Scope, need: str) -> list[Unit]:
    ids = unit_ids_for(scope, need)
    return list(Unit.objects.filter(pk__in=ids).order_by("path"))


def covers_municipality(scope: access.Scope, need: str, all_ids: set[int] | None = None) -> bool:
    all_ids = municipality_unit_ids(scope) if all_ids is None else all_ids
    return bool(all_ids) and all_ids <= unit_ids_for(scope, need)


def unit_from_value(request: HttpRequest, raw: str | None, need: str) -> Unit | None:
    """A unit named by its UUID in a filter: 404 (audited) for another municipality, 403 outside the role."""
    value = params.uuid_or_404(request, raw, object_type="accounts.unit")
    if value is None:
        return None
    unit = access.get_in_municipality(request, Unit.objects.all(), value)
    if unit.pk not in unit_ids_for(access.get_scope(request.user), need):
        raise access.forbidden(request, "accounts.unit", value, need)
    return unit


def subtree_ids(unit: Unit, allowed: set[int]) -> tuple[int, ...]:
    ids = Unit.objects.subtree_of(unit).values_list("pk", flat=True)
    return tuple(sorted(set(ids) & allowed))


def visible_reports(request: HttpRequest):
    scope = access.get_scope(request.user)
    ids = unit_ids_for(scope, access.ANALYSE)
    qs = access.in_municipality(request, Report.objects.all())
    from django.db.models import Q

    condition = Q(unit_id__in=ids)
    if covers_municipality(scope, access.ANALYSE):
        condition |= Q(unit__isnull=True)
    return qs.filter(condition)


def get_report_for(request: HttpRequest, uuid) -> Report:
    """A kept report: 404 for another municipality, 403 without ANALYSE on its scope."""
    require(request, access.ANALYSE)
    report = access.get_in_municipality(request, Report.objects.select_related("unit", "created_by")
                                        .defer("pdf"), uuid)
    scope = access.get_scope(request.user)
    allowed = (covers_municipality(scope, access.ANALYSE) if report.unit_id is None
               else report.unit_id in unit_ids_for(scope, access.ANALYSE))
    if not allowed:
        raise access.forbidden(request, "reporting.report", uuid, access.ANALYSE)
    return report


def projects_for_filter(request: HttpRequest):
    """Active projects the user may see, for the dashboard's project filter."""

    scope = access.get_scope(request.user)
    return list(Project.objects.visible_to(request.user, scope).filter(status=Project.Status.ACTIVE)
                .order_by("title"))


def project_from_value(request: HttpRequest, raw: str | None):
    """A project named in a filter: 404 (audited) for another municipality, 403 when not visible."""
    value = params.uuid_or_404(request, raw, object_type="projects.project")
    if value is None:
        return None

    project = access.get_in_municipality(request, Project.objects.all(), value)
    scope = access.get_scope(request.user)
    if not Project.objects.visible_to(request.user, scope).filter(pk=project.pk).exists():
        raise access.forbidden(request, "projects.project", value, access.READ)
    return project
