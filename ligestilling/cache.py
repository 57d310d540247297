"""A Redis cache that fails open.

Everything this installation caches can be recomputed (dashboards keyed on a data
version, throttling counters), so a Redis outage must cost time, not pages: every
operation that fails with a connection or Redis error is logged and answered as a cache
miss (reads) or ignored (writes). A fault-injection run found /overblik/ answering 500
while Redis was stopped.
"""

from __future__ import annotations

import functools
import logging
import time

import environ
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

#: Log an outage at most this often per process (every request would otherwise log it).
LOG_EVERY_SECONDS = 30

_FAILURES = (RedisError, ConnectionError, OSError, TimeoutError)


def _fail_open(default):
    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except _FAILURES as error:
                self._log_failure(method.__name__, error)
                return default(args, kwargs) if callable(default) else default

        return wrapper

    return decorate


def _get_default(args, kwargs):
    return kwargs.get("default", args[1] if len(args) > 1 else None)


class ResilientRedisCache(RedisCache):
    """Django's RedisCache with short socket timeouts and every failure a miss."""

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        # Without timeouts a dead Redis host stalls each request for the OS's TCP timeout.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._last_logged = 0.0

    def _log_failure(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - self._last_logged >= LOG_EVERY_SECONDS:
            self._last_logged = now
            logger.warning("Cache unavailable (%s: %s); computing without it.", operation, error)

    get = _fail_open(_get_default)(RedisCache.get)
    get_many = _fail_open({})(RedisCache.get_many)
    has_key = _fail_open(False)(RedisCache.has_key)
    add = _fail_open(False)(RedisCache.add)
    set = _fail_open(None)(RedisCache.set)
    set_many = _fail_open([])(RedisCache.set_many)
    touch = _fail_open(False)(RedisCache.touch)
    delete = _fail_open(False)(RedisCache.delete)
    delete_many = _fail_open(None)(RedisCache.delete_many)
    clear = _fail_open(None)(RedisCache.clear)
    incr = _fail_open(None)(RedisCache.incr)


def cache_config(url: str) -> dict:
    """The CACHES entry for CACHE_URL; Redis gets the fail-open backend."""
    config = environ.Env.cache_url_config(url)
    if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        config["BACKEND"] = "ligestilling.cache.ResilientRedisCache"
    return config
