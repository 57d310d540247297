"""The task worker for production: django-tasks-db's `db_worker` that survives a
database outage.

`db_worker` exits on the first database error that is not a lock and stays down (a
fault-injection run stopped PostgreSQL for a minute: imports and PDFs then waited until
someone restarted the worker). This command runs the same worker loop, and when the
database goes away it closes its connections, waits with a growing pause (1 s up to
30 s) and carries on once the database answers. Its connections get the longer
statement limit WORKER_STATEMENT_TIMEOUT_MS (imports and PDFs may run for minutes; web
requests keep DB_STATEMENT_TIMEOUT_MS). Same options as `db_worker`.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
)
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("ligestilling.worker")

MAX_PAUSE_SECONDS = 30.0


class ResilientWorker(db_worker.Worker):
    def run(self) -> None:
        pause = 1.0
        while self.running:
            try:
                super().run()
                return  # batch mode or max_tasks reached: a normal end
            except (OperationalError, InterfaceError, DatabaseError) as error:
                logger.warning("Database unavailable (%s); retrying in %.0f s.", error, pause)
                for connection in connections.all(initialized_only=True):
                    connection.close_if_unusable_or_obsolete()
                    if connection.errors_occurred or not connection.is_usable():
                        connection.close()
                time.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE_SECONDS)
                close_old_connections()
            else:
                pause = 1.0


def _worker_statement_timeout() -> None:
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        return
    timeouts = {**settings.DB_TIMEOUTS_MS, "statement_timeout": settings.WORKER_STATEMENT_TIMEOUT_MS}
    database.setdefault("OPTIONS", {})["options"] = " ".join(f"-c {k}={v}" for k, v in timeouts.items())
    connections["default"].close()  # the next connection is opened with the new options


class Command(db_worker.Command):
    help = "Run the background task worker (imports, PDF reports); reconnects after a database outage."

    def handle(self, *args, **options):
        _worker_statement_timeout()
        # db_worker's handle() builds its Worker from the module's name; swapping that
        # name for the duration keeps all of its option handling instead of copying it.
        original, db_worker.Worker = db_worker.Worker, ResilientWorker
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original
