"""The name django-axes counts failed logins under (AXES_USERNAME_CALLABLE)."""

from __future__ import annotations

from django.conf import settings

from .models import canonical_email


def lockout_username(request, credentials: dict | None = None) -> str:
    """The canonical e-mail address of the attempt, from the credentials or the form."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        raw = credentials.get(field)
    else:
        raw = getattr(request, "data", None) or request.POST
        raw = raw.get(field) if raw is not None else None
    return canonical_email(raw)
