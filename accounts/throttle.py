"""Counting requests per key and time window in the cache (Redis in production).

Used for password-reset mails (accounts.views.PasswordResetView). Keys are HMACs, so the
cache holds no e-mail or IP address. The cache is a convenience, not a dependency: when it
fails, the request is allowed and the failure logged, never a 500.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)


def _key(scope: str, value: str) -> str:
    return "throttle:" + salted_hmac("accounts.throttle", f"{scope}:{value}", algorithm="sha256").hexdigest()


def allow(scope: str, value: str, *, limit: int, window: int) -> bool:
    """Count one request for `value` in `scope`; False once more than `limit` requests fall
    in the window (which starts with the first of them)."""
    key = _key(scope, value)
    try:
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: this request starts a new window
            cache.set(key, 1, timeout=window)
            count = 1
    except Exception:
        logger.warning("The cache failed while counting %s requests; this one is allowed.", scope, exc_info=True)
        return True
    return count <= limit
