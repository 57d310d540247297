"""Test-suite middleware: a request that changes dashboard data must raise the
municipality's data version (`accounts.versions.bump`) in the same request.

Dashboards are cached under that version; a write path that forgets to bump would
serve stale figures without any test noticing. Every view test that writes passes
through here, so a new write path without a bump fails the suite.
"""

from __future__ import annotations

import re

from django.db import connections

from accounts.models import DataVersion

#: Tables whose rows a dashboard (or its cache key) is computed from.
WATCHED = re.compile(
    r"^(accounts_municipality|accounts_unit|logbooks_listitem|logbooks_entry\w*|datasets_dataset|"
    r"datasets_indicator|datasets_observation|projects_\w+)$"
)
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY)\s+"?(\w+)"?', re.IGNORECASE)


class _Recorder:
    def __init__(self):
        self.written: set[str] = set()
        self.bumped = False

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        match = WRITE.match(sql)
        # An UPDATE or DELETE that touched no row (a refused version check) changes nothing.
        # (INSERTs always count: SQLite reports no row count for INSERT ... RETURNING.)
        if match and not (sql.lstrip()[:6].upper() in ("UPDATE", "DELETE") and context["cursor"].rowcount == 0):
            table = match.group(1)
            if table == DataVersion._meta.db_table:
                self.bumped = True
            elif WATCHED.match(table):
                self.written.add(table)
        return result


class DataVersionGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        recorder = _Recorder()
        with connections["default"].execute_wrapper(recorder):
            response = self.get_response(request)
        if recorder.written and not recorder.bumped:
            raise AssertionError(
                f"{request.method} {request.path} wrote {sorted(recorder.written)} without "
                "accounts.versions.bump(): cached dashboards would show stale figures."
            )
        return response
