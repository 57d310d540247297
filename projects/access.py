"""The access helper every project view calls first.

- another municipality's project: 404 (audited, via accounts.access);
- read: READ_PROJECTS of the role table (accounts.roles) on any involved unit, or being
  responsible / in the project group;
- edit: the responsible and the project group members;
- delete: the responsible, or a leder of an involved unit;
- create: LEAD somewhere (see `require_create`), and only with units the creator leads.
Refusals inside the municipality are 403 and audited.

Which units a project reaches (`check_units`, `counted_unit_ids`): a project's logbook
criteria show counts of its units' conversations to everyone who reads the project, so a
unit's counts may enter a project only by the act of someone who leads that unit:
- units are added (on creation or later) only by a user who leads them (LEAD covers the
  units below the unit the role is given on);
- the logbook criteria count only the project's units that its responsible leads.
Projects made before this rule may include units that nobody of the project leads. Who
added them is not recorded, so a data migration cannot tell a sanctioned unit from an
overreach; removing them would silently change projects that are in use. Instead such a
unit stays on the project (its people still see the project) but its conversations are
not counted, and the project page names it to the editors (`uncounted_units`). Changing
the responsible may bring more units into the count; only someone who leads those units
may do that.
Dataset criteria are shown only to viewers who may read the dataset (`dataset_readable`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts import access, roles
from accounts.models import User
from datasets.models import Dataset

from .models import Criterion, Project

READ = "read"
EDIT = "edit"
DELETE = "delete"


def can_read(project: Project, user, scope) -> bool:
    unit_ids = scope.unit_ids(roles.READ_PROJECTS)
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
        raise access.forbidden(request, "projects.project", uuid, roles.READ_PROJECTS if need == READ else need)
    return project


def require_create(request: HttpRequest):
    """Creating a project needs the leder role on some unit."""
    return access.require(request, access.LEAD)


# --- Which units a project reaches -----------------------------------------------------


def lead_unit_ids(user) -> set[int]:
    return access.get_scope(user).unit_ids(access.LEAD) if user is not None else set()


def _names(units: Iterable) -> str:
    return ", ".join(sorted(u.name for u in units))


def check_units(*, by, units: Iterable, project: Project | None = None, responsible=None) -> None:
    """Refuse units `by` may not bring into the project (ValidationError on "units" or
    "responsible"). `project`: the stored project when it is edited; `responsible`: the
    responsible it will have."""
    units = list(units)
    lead = lead_unit_ids(by)
    before = list(project.units.all()) if project is not None else []
    before_ids = {u.pk for u in before}
    added = [u for u in units if u.pk not in before_ids and u.pk not in lead]
    if added:
        raise ValidationError({"units": _("You can only add units that you lead. You do not lead: %(units)s.")
                               % {"units": _names(added)}})
    if project is None or responsible is None:
        return

    # A ModelForm may already have changed the instance: compare with what is stored.
    stored = User.objects.filter(responsible_projects=project).first()
    if stored is not None and responsible.pk == stored.pk:
        return
    counted_before = before_ids & lead_unit_ids(stored)
    counted_after = {u.pk for u in units} & lead_unit_ids(responsible)
    gained = [u for u in units if u.pk in counted_after - counted_before and u.pk not in lead]
    if gained:
        raise ValidationError({"responsible": _(
            "With this responsible, the conversations of %(units)s would count in the project's logbook criteria. "
            "Only a manager of those units can make that change.") % {"units": _names(gained)}})


def counted_unit_ids(project: Project) -> set[int]:
    """The project's units whose conversations its logbook criteria count (see above)."""
    lead = lead_unit_ids(project.responsible)
    return {u.pk for u in project.units.all() if u.pk in lead}


def uncounted_units(project: Project) -> list:
    counted = counted_unit_ids(project)
    return [u for u in project.units.all() if u.pk not in counted]


def dataset_readable(criterion: Criterion, scope) -> bool:
    """Whether a viewer may see a dataset criterion's figures (DatasetQuerySet.readable_by)."""

    indicator = criterion.dataset_indicator
    if criterion.kind != Criterion.Kind.DATASET or indicator is None:
        return True
    return Dataset.objects.readable_by(scope).filter(pk=indicator.dataset_id).exists()
