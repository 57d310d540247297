"""Optional request parameters that name an object by its UUID (`?unit=<uuid>`).

Every view reads them through here, so a malformed value is a 404 (audited, like any
object the user cannot see) and never reaches a UUID lookup, which would raise a 500.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest, QueryDict

from . import access


def uuid_or_404(request: HttpRequest, raw: object, *, object_type: str) -> uuid.UUID | None:
    """None when the value is absent or empty; its UUID; otherwise 404."""
    if raw is None or raw == "":
        return None
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise access.not_found(request, object_type, str(raw)[:64]) from None


def optional_uuid(request: HttpRequest, name: str, *, object_type: str,
                  data: QueryDict | None = None) -> uuid.UUID | None:
    """The UUID in parameter `name` of the query string (or of `data`), None, or 404."""
    source = request.GET if data is None else data
    return uuid_or_404(request, source.get(name), object_type=object_type)
