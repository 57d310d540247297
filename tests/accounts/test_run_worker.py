"""The task worker survives a database outage (db_worker exited and stayed down)."""

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.test import override_settings
from django_tasks import task
from django_tasks_db.models import DBTaskResult

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
done = []


@task()
def remember(value: int) -> int:
    done.append(value)
    return value


@pytest.mark.django_db(transaction=True)
def test_worker_waits_out_a_database_outage_and_then_runs_the_task(monkeypatch, caplog):
    with override_settings(TASKS=DB_TASKS):
        remember.enqueue(41)
        real_ready = DBTaskResult.objects.ready
        outages = iter([True, True])

        def flaky_ready():
            if next(outages, False):
                raise OperationalError("could not connect to server: Connection refused")
            return real_ready()

        monkeypatch.setattr(DBTaskResult.objects, "ready", flaky_ready)
        monkeypatch.setattr("accounts.management.commands.run_worker.time.sleep", lambda s: None)
        call_command("run_worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)
    assert done == [41]
    assert sum("Database unavailable" in r.getMessage() for r in caplog.records) == 2
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
