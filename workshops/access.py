"""The access helpers every workshop, focus-group and involvement view calls first.

- another municipality's object: 404 (audited, via accounts.access);
- read (READ here): the pages show citizen free text (goals, ideas, findings and quotes, what
  was learnt), so they need READ_ACTIVITIES of the role table (accounts.roles) on one of the
  units: medarbejder and leder, never the analytiker or administrator by their role alone.
  Besides, the organiser reads what they planned, and a workshop's invited participants
  read the workshop they took part in (staff who were in the room, whatever their role);
  the data sections of the pages are still shown only to those whose role allows them;
- plan/edit (LEAD): a leder of one of the units, or the organiser while they are a leder somewhere;
- create: LEAD somewhere.
Refusals inside the municipality are 403 and audited.
"""

from __future__ import annotations

from django.http import HttpRequest

from accounts import access, roles
from accounts.access import LEAD, READ

from .models import FocusGroup, InvolvementPlan, Workshop

__all__ = ["LEAD", "READ", "can_edit", "can_read", "get_focusgroup_for", "get_involvement_for",
           "get_workshop_for", "require_create"]


def can_read(obj, user, scope: access.Scope) -> bool:
    if obj.organiser_id == user.pk:
        return True
    unit_ids = scope.unit_ids(roles.READ_ACTIVITIES)
    if any(u.pk in unit_ids for u in obj.units.all()):
        return True
    if isinstance(obj, Workshop):
        return obj.participants.filter(pk=user.pk).exists()
    return False


def can_edit(obj, user, scope: access.Scope) -> bool:
    if obj.organiser_id == user.pk and scope.has(LEAD):
        return True
    lead_ids = scope.unit_ids(LEAD)
    return any(u.pk in lead_ids for u in obj.units.all())


def _get_for(request: HttpRequest, queryset, uuid, need: str):
    if need not in (READ, LEAD):
        raise ValueError(need)
    obj = access.get_in_municipality(request, queryset.prefetch_related("units"), uuid)
    scope = access.get_scope(request.user)
    allowed = can_read(obj, request.user, scope) if need == READ else can_edit(obj, request.user, scope)
    if not allowed:
        raise access.forbidden(request, queryset.model._meta.label_lower, uuid,
                               roles.READ_ACTIVITIES if need == READ else need)
    return obj


def get_workshop_for(request: HttpRequest, uuid, need: str = READ) -> Workshop:
    return _get_for(request, Workshop.objects.select_related("organiser"), uuid, need)


def get_focusgroup_for(request: HttpRequest, uuid, need: str = READ) -> FocusGroup:
    return _get_for(request, FocusGroup.objects.select_related("organiser"), uuid, need)


def get_involvement_for(request: HttpRequest, uuid, need: str = READ) -> InvolvementPlan:
    return _get_for(request, InvolvementPlan.objects.select_related("organiser"), uuid, need)


def require_create(request: HttpRequest) -> access.Scope:
    """Planning needs the leder role on some unit."""
    return access.require(request, LEAD)


def visible(request: HttpRequest, model):
    scope = access.require_member(request)
    return model.objects.visible_to(request.user, scope)
