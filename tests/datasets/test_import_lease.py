"""Crash-safe imports: an import whose worker died (its lease ran out) or that never started
is failed with a message the user understands, its staged file removed, by the next worker,
by `manage.py expire_stale_jobs` and by its own status page. Progress is rows read of rows
total, and never 100 % before the import is done."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from datasets import services
from datasets.models import DatasetImport, Observation
from datasets.tasks import import_dataset_file

TEXT = "Køn;År;Antal\n" + "".join(f"{'KM'[i % 2]};{2000 + i // 2};{i}\n" for i in range(200))
OPTIONS = {"targets": ["sex", "period", "value"], "kind": "aggregated", "sex_codes": {"K": "kvinde", "M": "mand"}}
FORM = {"kind": "aggregated", "col_0": "sex", "col_1": "period", "col_2": "value", "sex_0": "kvinde", "sex_1": "mand",
        "measure": "persons"}
STOPPED = "Importen stoppede, før den var færdig: baggrundsprocessen, der kørte den, holdt op med at svare."


def staged(dataset, *, status: str, heartbeat_minutes_ago: float | None = None, queued_minutes_ago: float = 0,
           task_id: str = "") -> DatasetImport:
    """An import as a dead (or live) worker left it: its file staged, its row queued or running."""
    pending = services.stage_upload(dataset=dataset, upload=io.BytesIO(TEXT.encode()))
    now = timezone.now()
    DatasetImport.objects.filter(pk=pending.pk).update(
        status=status, options=OPTIONS, queued_at=now - datetime.timedelta(minutes=queued_minutes_ago),
        heartbeat_at=None if heartbeat_minutes_ago is None else now - datetime.timedelta(minutes=heartbeat_minutes_ago),
        progress=0.09, progress_rows=18, progress_total=200, task_id=task_id)
    pending.refresh_from_db()
    return pending


def test_the_status_page_shows_an_import_whose_worker_died_as_failed(client, world, dataset, staged_files):
    dead = staged(dataset, status="running", heartbeat_minutes_ago=10)
    assert staged_files() == [dead.staged_path]
    client.force_login(world.odense.analytiker)
    status = client.get(reverse("datasets:import_progress", args=[dataset.uuid, dead.uuid])).json()
    assert status["status"] == "failed" and status["finished"]
    page = client.get(reverse("datasets:import_status", args=[dataset.uuid, dead.uuid])).content.decode()
    assert "Filen blev ikke importeret" in page and STOPPED in page
    assert "Upload filen igen for at starte en ny import." in page and "Upload en rettet fil" in page
    dead.refresh_from_db()
    assert dead.status == "failed" and not dead.staged_path and dead.detection == {}
    assert staged_files() == []
    assert not Observation.objects.filter(indicator__dataset=dataset).exists()


def test_the_scheduled_command_fails_dead_imports_and_leaves_live_ones(dataset, staged_files):
    dead = staged(dataset, status="running", heartbeat_minutes_ago=6)
    live = staged(dataset, status="running", heartbeat_minutes_ago=1)
    out = io.StringIO()
    call_command("expire_stale_jobs", stdout=out)
    assert "Stale jobs expired: 1." in out.getvalue()
    dead.refresh_from_db()
    live.refresh_from_db()
    assert dead.status == "failed" and STOPPED in dead.errors[0]["reason"] and not dead.staged_path
    assert live.status == "running" and staged_files() == [live.staged_path]


def test_the_next_worker_that_starts_fails_the_dead_import(dataset, staged_files):
    dead = staged(dataset, status="running", heartbeat_minutes_ago=30)
    queued = staged(dataset, status="queued")
    DatasetImport.objects.filter(pk=queued.pk).update(sha256="other")  # another file
    import_dataset_file.call(queued.pk, "da")  # a worker starts the next job
    dead.refresh_from_db()
    queued.refresh_from_db()
    assert dead.status == "failed" and STOPPED in dead.errors[0]["reason"]
    assert queued.status == "done" and queued.rows == 200
    assert staged_files() == []


def test_a_queued_import_that_waited_too_long_is_failed(client, world, dataset, staged_files):
    waiting = staged(dataset, status="queued", queued_minutes_ago=61)
    client.force_login(world.odense.analytiker)
    page = client.get(reverse("datasets:import_status", args=[dataset.uuid, waiting.uuid])).content.decode()
    assert "Importen gik aldrig i gang: den ventede mere end 60 minutter på en baggrundsproces." in page
    assert staged_files() == []


@pytest.fixture
def database_tasks(settings):
    """Tasks as in production: rows in the database, run by `manage.py db_worker`."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_queued_import_whose_task_row_is_gone_is_failed(client, world, dataset, settings, database_tasks,
                                                          django_capture_on_commit_callbacks, staged_files):
    settings.DATASETS_INLINE_IMPORT_BYTES = 100  # every file goes to the worker
    client.force_login(world.odense.analytiker)
    response = client.post(reverse("datasets:dataset_upload", args=[dataset.uuid]),
                           {"file": SimpleUploadedFile("stor.csv", TEXT.encode())})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(response.url, FORM)
    pending = DatasetImport.objects.get(dataset=dataset)
    task = DBTaskResult.objects.get()
    assert pending.status == "queued" and pending.task_id == str(task.id)
    assert client.get(response.url).status_code == 200
    pending.refresh_from_db()
    assert pending.status == "queued"  # the task waits for a worker: nothing to expire
    task.delete()  # the queue lost it (a restore, an operator's clean-up)
    call_command("expire_stale_jobs", stdout=io.StringIO())
    pending.refresh_from_db()
    assert pending.status == "failed"
    assert "Importen gik aldrig i gang: dens plads i baggrundskøen gik tabt." in pending.errors[0]["reason"]
    assert staged_files() == []


def test_a_queued_import_whose_task_failed_before_it_started_is_failed(dataset, database_tasks, staged_files):
    result = import_dataset_file.enqueue(0, "da")
    DBTaskResult.objects.filter(id=result.id).update(status="FAILED")
    pending = staged(dataset, status="queued", task_id=str(result.id))
    assert services.expire_stale_imports() == 1
    pending.refresh_from_db()
    assert pending.status == "failed" and staged_files() == []


def test_an_import_whose_lease_was_taken_stores_nothing(dataset, monkeypatch, staged_files):
    pending = staged(dataset, status="queued")
    real = services.import_file

    def failed_meanwhile(**kwargs):
        # The job was slow; the lease ran out and another worker failed it.
        DatasetImport.objects.filter(pk=pending.pk).update(status="failed", errors=[
            {"row": None, "column": "", "value": "", "reason": "expired"}])
        return real(**kwargs)

    monkeypatch.setattr(services, "import_file", failed_meanwhile)
    services.run_staged_import(pending.pk)
    pending.refresh_from_db()
    assert pending.status == "failed" and pending.errors[0]["reason"] == "expired"
    assert not Observation.objects.filter(indicator__dataset=dataset).exists()
    assert staged_files() == []


# Committed rows: on PostgreSQL the progress is written through a second connection.
@pytest.mark.django_db(transaction=True)
def test_progress_is_rows_read_of_rows_total_and_never_complete_before_the_end(client, world, dataset,
                                                                                monkeypatch):
    calls = []
    real = services._ProgressWriter.__call__

    def spy(self, rows, total):
        calls.append((rows, total))
        return real(self, rows, total)

    monkeypatch.setattr(services._ProgressWriter, "__call__", spy)
    pending = staged(dataset, status="queued")
    services.run_staged_import(pending.pk)
    assert calls[0] == (0, 200)  # the total is counted from the file before the import reads it
    assert calls[-1] == (200, 200)
    pending.refresh_from_db()
    assert pending.status == "done" and pending.progress == 1.0

    # Everything read, not yet committed: 99 %, never 100 %.
    running = staged(dataset, status="running", heartbeat_minutes_ago=0)
    services._ProgressWriter(running)(200, 200)
    running.refresh_from_db()
    assert services.read_progress(running) == {"fraction": 0.99, "rows": 200, "total": 200}
    services._ProgressWriter(running)(18, 200)
    client.force_login(world.odense.analytiker)
    status = client.get(reverse("datasets:import_progress", args=[dataset.uuid, running.uuid])).json()
    assert status["fraction"] == 0.09 and status["label"] == "18 af 200 rækker læst" and not status["finished"]
    page = client.get(reverse("datasets:import_status", args=[dataset.uuid, running.uuid])).content.decode()
    assert "18 af 200 rækker læst" in page


@pytest.mark.django_db(transaction=True)
def test_a_live_import_renews_its_lease(dataset):
    running = staged(dataset, status="running", heartbeat_minutes_ago=4)
    before = running.heartbeat_at
    services._ProgressWriter(running)(10, 200)
    running.refresh_from_db()
    assert running.heartbeat_at > before


def test_the_status_page_never_waits_for_a_busy_import_row(client, world, dataset, monkeypatch):
    """SQLite: a live import holds the writer lock, and its heartbeat is inside its transaction."""
    busy = staged(dataset, status="running", heartbeat_minutes_ago=10)

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "_expire", locked)
    client.force_login(world.odense.analytiker)
    status = client.get(reverse("datasets:import_progress", args=[dataset.uuid, busy.uuid]))
    assert status.status_code == 200 and status.json()["status"] == "running"
    busy.refresh_from_db()
    assert busy.status == "running" and busy.staged_path


def test_the_page_waits_only_a_moment_for_sqlites_writer_lock(dataset):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's busy timeout")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        before = cursor.fetchone()[0]
    with services._short_lock_wait(150), connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 150
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == before
