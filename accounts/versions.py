"""The data version of a municipality: what cached dashboards are keyed on.

Every service that changes data a dashboard shows calls `bump()` inside its own
transaction. The version then moves exactly when the data does (readers see both or
neither), so a cache keyed on `current()` needs no expiry and no invalidation. In the
test suite a middleware (`tests/guards.py`) fails any request that writes such data
without bumping.
"""

from __future__ import annotations

import time

from django.db import connection

from .models import DataVersion

#: The key of data shared by every municipality (the national reference figures).
SHARED = 0

_TABLE = DataVersion._meta.db_table


def bump(municipality_id: int | None) -> None:
    """Raise the version of a municipality (None: of the shared data, which every
    municipality's dashboard includes). One upsert; call it in the writing transaction.

    The new version is at least the current time in microseconds: a database restored
    from a backup then never hands out a version that a shared cache already holds
    figures for.
    """
    tenant = SHARED if municipality_id is None else municipality_id
    now = time.time_ns() // 1000
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TABLE} (tenant, version) VALUES (%s, %s) "
            f"ON CONFLICT (tenant) DO UPDATE SET version = CASE WHEN {_TABLE}.version >= %s "
            f"THEN {_TABLE}.version + 1 ELSE %s END",
            [tenant, now, now, now],
        )


def current(municipality_id: int) -> int:
    """The municipality's version plus the shared version: both only grow, so the sum
    changes whenever either does (0: nothing was ever written)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(SUM(version), 0) FROM {_TABLE} WHERE tenant IN (%s, %s)",
                       [SHARED, municipality_id])
        return int(cursor.fetchone()[0])
