"""The audit trail: who did what to which object, when and from where.

Every app records its events through `record`, so the trail has one shape.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR is the proxy's address behind a TLS proxy; the proxy must be trusted
    # to set X-Forwarded-For, which is why it is read only when SECURE_PROXY_SSL_HEADER is on.
    from django.conf import settings

    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


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
