"""The audit trail: who did what to which object, when and from where.

Every app records its events through `record`, so the trail has one shape.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .models import AuditEvent

#: Actions that record a read or a login rather than a change; they are kept for
#: AUDIT_ACCESS_RETENTION_MONTHS, changes for AUDIT_CHANGE_RETENTION_MONTHS.
ACCESS_PREFIXES = ("auth.", "access.")
ACCESS_SUFFIXES = (".read", ".export", ".download", ".preview", ".dashboard", ".analysis",
                   ".national_overview")


def is_access_event(action: str) -> bool:
    return action.startswith(ACCESS_PREFIXES) or action.endswith(ACCESS_SUFFIXES)


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as the outermost trusted proxy saw it.

    Each of the TRUSTED_PROXY_COUNT proxies in front of the application appends the
    address it received the request from to X-Forwarded-For, so the client is the
    entry that many places from the right. Entries further left were written by the
    client and are never believed. Without trusted proxies REMOTE_ADDR is the client.
    """
    if request is None:
        return None
    count = settings.TRUSTED_PROXY_COUNT
    address = request.META.get("REMOTE_ADDR") or None
    if count > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        # Fewer entries than proxies: the request did not come through all of them, and
        # the TCP peer is the only address nobody could write.
        if len(hops) >= count:
            address = hops[-count]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    user=None,
    municipality=None,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    **detail: Any,
) -> AuditEvent:
    if user is None and request is not None and getattr(request, "user", None) is not None:
        if request.user.is_authenticated:
            user = request.user
    if municipality is None:
        municipality = getattr(obj, "municipality", None) or getattr(user, "municipality", None)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "uuid", None) or obj.pk)
    return AuditEvent.objects.create(
        user=user,
        actor=getattr(user, "email", "") or "",
        municipality=municipality,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        ip=client_ip(request),
        detail={k: v for k, v in detail.items() if v is not None},
    )
