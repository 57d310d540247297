"""Read replica for dashboards.

With `DATABASE_REPLICA_URL` set, views decorated with `@reads_from_replica` (dashboards,
the national overview, exports) read from the replica; everything else, and every write,
uses the primary, so a user always sees their own writes on the pages where they make
them. Without a replica the decorator changes nothing.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_use_replica: ContextVar[bool] = ContextVar("use_replica", default=False)


def reads_from_replica(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = _use_replica.set(True)
        try:
            return view(*args, **kwargs)
        finally:
            _use_replica.reset(token)

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _use_replica.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None  # the default database

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the same database

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
