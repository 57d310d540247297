"""The access helper every project view calls first.

- another municipality's project: 404 (audited, via accounts.access);
- read: READ on any involved unit, or being responsible / in the project group;
- edit: the responsible and the project group members;
- delete: the responsible, or a leder of an involved unit;
- create: LEAD somewhere (see `require_create`).
Refusals inside the municipality are 403 and audited.
"""

from __future__ import annotations

from django.http import HttpRequest

from accounts import access

from .models import Project

READ = "read"
EDIT = "edit"
DELETE = "delete"


def can_read(project: Project, user, scope) -> bool:
    unit_ids = scope.unit_ids(access.READ)
    if any(u.pk in unit_ids for u in project.units.all()):
        return True
    return project.is_editor(user)


def can_edit(project: Project, user) -> bool:
    return project.is_editor(user)


def can_delete(project: Project, user, scope) -> bool:
    if project.responsible_id == user.pk:
        return True
    lead_ids = scope.unit_ids(access.LEAD)
    return any(u.pk in lead_ids for u in project.units.all())


def get_project_for(request: HttpRequest, uuid, need: str = READ) -> Project:
    project = access.get_in_municipality(
        request, Project.objects.select_related("responsible", "municipality").prefetch_related("units"), uuid
    )
    scope = access.get_scope(request.user)
    allowed = {
        READ: lambda: can_read(project, request.user, scope),
        EDIT: lambda: can_edit(project, request.user),
        DELETE: lambda: can_delete(project, request.user, scope),
    }[need]()
    if not allowed:
        raise access.forbidden(request, "projects.project", uuid, need)
    return project


def require_create(request: HttpRequest):
    """Creating a project needs the leder role on some unit."""
    return access.require(request, access.LEAD)
