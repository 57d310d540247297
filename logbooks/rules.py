"""Who sees what in the logbooks (on top of accounts.access; the roles are those of the
table in accounts.roles):

- LOG (medarbejder, leder): log conversations and observe colleagues;
- READ_OWN: own entries and observations (as observer or observed) in full;
- READ_LOGBOOKS (leder): entries and observations of their units in full (free text; audited);
- analytiker: aggregates only (the analysis page), never an entry;
- another municipality: 404 (accounts.access).
"""

from __future__ import annotations

from django.http import HttpRequest

from accounts import access, audit, params, roles
from accounts.models import Unit

from .models import Entry, Observation

#: Roles that log conversations and observe colleagues.
LOG_ROLES = roles.roles_for(roles.LOG)


def log_unit_ids(scope: access.Scope) -> set[int]:
    return scope.unit_ids(roles.LOG)


def log_units(request: HttpRequest):
    return Unit.objects.filter(pk__in=log_unit_ids(access.get_scope(request.user))).order_by("path")


def require_logger(request: HttpRequest) -> access.Scope:
    scope = access.require_member(request)
    if not log_unit_ids(scope):
        raise access.forbidden(request, "municipality", scope.municipality_id, "log")
    return scope


def get_entry_for(request: HttpRequest, uuid, *, edit: bool = False) -> Entry:
    """The entry if the user may see it (author, or READ_LOGBOOKS on its unit); edit: author only."""
    scope = access.require_member(request)
    entry = access.get_in_municipality(
        request, Entry.objects.select_related("unit", "author", "kind", "outcome"), uuid
    )
    if entry.author_id == request.user.pk:
        return entry
    if not edit and scope.has(roles.READ_LOGBOOKS, entry.unit_id):
        audit.record("logbook.entry.read", request=request, obj=entry)
        return entry
    raise access.forbidden(request, "logbooks.entry", uuid, "edit" if edit else roles.READ_LOGBOOKS)


def get_observation_for(request: HttpRequest, uuid, *, respond: bool = False) -> Observation:
    scope = access.require_member(request)
    observation = access.get_in_municipality(
        request, Observation.objects.select_related("unit", "observer", "observed"), uuid
    )
    user_id = request.user.pk
    if respond:
        if observation.observed_id == user_id:
            return observation
    elif user_id in (observation.observer_id, observation.observed_id):
        return observation
    elif scope.has(roles.READ_LOGBOOKS, observation.unit_id):
        audit.record("logbook.observation.read", request=request, obj=observation)
        return observation
    raise access.forbidden(request, "logbooks.observation", uuid, "respond" if respond else roles.READ_LOGBOOKS)


def unit_from_query(request: HttpRequest, need: str = access.READ) -> Unit | None:
    """An optional `?unit=<uuid>` filter: 404 (audited) for another municipality's unit."""
    value = params.optional_uuid(request, "unit", object_type="accounts.unit")
    if value is None:
        return None
    return access.get_unit_for(request, value, need=need)
