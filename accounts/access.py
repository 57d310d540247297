"""The one access layer for municipality data.

Every view of tenant data calls a helper from here first. The rules:
- an object of another municipality does not exist for the user: 404;
- an object of the user's own municipality that the user's role does not allow: 403;
- both refusals are written to the audit log.

Roles are given per unit and cover every unit below it (a leder of an administration
leads its teams too). The scope is computed once per request and cached on the user.
Which role has which need, and where, is the table in `accounts.roles`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.http import Http404, HttpRequest

from . import audit, roles
from .models import Membership, Unit, User

M = TypeVar("M", bound=models.Model)

READ = "read"  # any role on the unit
LEAD = roles.LEAD  # run projects, plan workshops, keep the unit's lists
ANALYSE = roles.ANALYSE  # aggregates across units: analysis, reports
ADMIN = roles.ADMIN  # administrator of the municipality

#: Every need: each capability of the role table, and "read" (any role).
NEED_ROLES: dict[str, frozenset[str]] = {
    READ: roles.ALL_ROLES,
    **{rule.capability: rule.roles for rule in roles.RULES},
}


@dataclass(frozen=True)
class Scope:
    """What one user may see: their municipality and their roles per unit id."""

    user_id: int | None
    municipality_id: int | None
    roles_by_unit: dict[int, frozenset[str]] = field(default_factory=dict)

    @property
    def is_member(self) -> bool:
        return self.municipality_id is not None

    @property
    def roles(self) -> frozenset[str]:
        return frozenset().union(*self.roles_by_unit.values()) if self.roles_by_unit else frozenset()

    @property
    def is_administrator(self) -> bool:
        return self.has(ADMIN)

    def has(self, need: str, unit_id: int | None = None) -> bool:
        """Whether the user has `need` on a unit (or anywhere, if unit_id is None).

        Administrators manage users and units; they see no citizen-related data unless
        they also hold another role, which keeps the system owner out of the content.
        A need whose reach is the whole municipality holds on every unit once held anywhere.
        """
        wanted = NEED_ROLES[need]
        if unit_id is None or (need != READ and roles.reach_of(need) == roles.MUNICIPALITY):
            return bool(self.roles & wanted)
        return bool(self.roles_by_unit.get(unit_id, frozenset()) & wanted)

    def unit_ids(self, need: str = READ) -> set[int]:
        wanted = NEED_ROLES[need]
        return {uid for uid, held in self.roles_by_unit.items() if held & wanted}

    def covers_municipality(self, need: str) -> bool:
        """Whether `need` holds on every unit of the municipality (one query)."""
        if self.municipality_id is None:
            return False
        all_ids = set(Unit.objects.filter(municipality_id=self.municipality_id).values_list("pk", flat=True))
        return bool(all_ids) and all_ids <= self.unit_ids(need)


def _compute_scope(user) -> Scope:
    if not user.is_authenticated or not user.is_active or user.municipality_id is None:
        return Scope(user_id=getattr(user, "pk", None), municipality_id=None)
    # One query: each unit of the municipality with the roles of the memberships at or
    # above it (a unit's path starts with the path of every unit above it). This runs
    # on every request, so it is written as one join rather than two queries and a loop.
    unit, membership = Unit._meta.db_table, Membership._meta.db_table
    sql = (
        f"SELECT u.id, m.role FROM {membership} m "
        f"JOIN {unit} mu ON mu.id = m.unit_id "
        f"JOIN {unit} u ON u.municipality_id = mu.municipality_id AND u.path LIKE mu.path || '%%' "
        "WHERE m.user_id = %s AND mu.municipality_id = %s"
    )
    roles_by_unit: dict[int, set[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, user.municipality_id])
        for unit_id, role in cursor.fetchall():
            roles_by_unit.setdefault(unit_id, set()).add(role)
    return Scope(
        user_id=user.pk,
        municipality_id=user.municipality_id,
        roles_by_unit={uid: frozenset(r) for uid, r in roles_by_unit.items()},
    )


def get_scope(user) -> Scope:
    cached = getattr(user, "_ligestilling_scope", None)
    if cached is None:
        cached = _compute_scope(user)
        if user.is_authenticated:
            user._ligestilling_scope = cached
    return cached


def forget_scope(user) -> None:
    """Drop the cached scope after the user's memberships change within a request."""
    if hasattr(user, "_ligestilling_scope"):
        del user._ligestilling_scope


def not_found(request: HttpRequest, object_type: str, object_id: object) -> Http404:
    audit.record("access.not_found", request=request, object_type=object_type, object_id=str(object_id))
    return Http404()


def forbidden(request: HttpRequest, object_type: str, object_id: object, need: str) -> PermissionDenied:
    audit.record(
        "access.forbidden", request=request, object_type=object_type, object_id=str(object_id), need=need
    )
    return PermissionDenied()


def require_member(request: HttpRequest) -> Scope:
    """The scope of a logged-in municipality user; platform accounts get 404 here."""
    scope = get_scope(request.user)
    if not scope.is_member:
        raise not_found(request, "municipality", "-")
    return scope


def require(request: HttpRequest, need: str, unit_id: int | None = None) -> Scope:
    scope = require_member(request)
    if not scope.has(need, unit_id):
        raise forbidden(request, "unit" if unit_id else "municipality", unit_id or scope.municipality_id, need)
    return scope


def in_municipality(request: HttpRequest, queryset: models.QuerySet[M], field_name: str = "municipality") -> models.QuerySet[M]:
    """Restrict a queryset to the requesting user's municipality (empty for outsiders)."""
    scope = get_scope(request.user)
    if scope.municipality_id is None:
        return queryset.none()
    return queryset.filter(**{f"{field_name}_id": scope.municipality_id})


def get_in_municipality(
    request: HttpRequest,
    queryset: models.QuerySet[M],
    uuid,
    *,
    field_name: str = "municipality",
) -> M:
    """Fetch an object by its public UUID within the user's municipality, or 404."""
    obj = in_municipality(request, queryset, field_name).filter(uuid=uuid).first()
    if obj is None:
        raise not_found(request, queryset.model._meta.label_lower, uuid)
    return obj


def get_unit_for(request: HttpRequest, uuid, need: str = READ) -> Unit:
    unit = get_in_municipality(request, Unit.objects.all(), uuid)
    scope = get_scope(request.user)
    if need == ADMIN:
        if not scope.is_administrator:
            raise forbidden(request, "accounts.unit", uuid, need)
    elif not scope.has(need, unit.pk):
        raise forbidden(request, "accounts.unit", uuid, need)
    return unit


def get_user_for(request: HttpRequest, uuid):
    """A user of the administrator's own municipality (the administrator pages)."""

    scope = require(request, ADMIN)
    user = User.objects.filter(municipality_id=scope.municipality_id, uuid=uuid).first()
    if user is None:
        raise not_found(request, "accounts.user", uuid)
    return user


def units_for(request: HttpRequest, need: str = READ) -> models.QuerySet[Unit]:
    scope = get_scope(request.user)
    return Unit.objects.filter(pk__in=scope.unit_ids(need))


def unit_ids_with_descendants(unit_ids: Iterable[int]) -> set[int]:
    """Expand units to their subtrees (for filters such as 'this unit and below')."""
    paths = list(Unit.objects.filter(pk__in=list(unit_ids)).values_list("municipality_id", "path"))
    if not paths:
        return set()
    q = models.Q()
    for municipality_id, path in paths:
        q |= models.Q(municipality_id=municipality_id, path__startswith=path)
    return set(Unit.objects.filter(q).values_list("pk", flat=True))
