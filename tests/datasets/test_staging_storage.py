"""Staged uploads live in the `imports` storage, so any web host or task worker can reach
them (S3 with several hosts); the import's progress lives in the database."""

import datetime
import io
import os
import tempfile
import threading
from pathlib import Path

import pytest
from django.core.files.storage import InMemoryStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse

from datasets import services
from datasets.models import DatasetImport, Observation

TEXT = "Køn;År;Alder;Antal\n" + "".join(f"{s};{2000 + y};{a}-{a + 4};{y * 3 + a}\n"
                                         for s in "KM" for y in range(10) for a in range(0, 100, 5))
FORM = {"kind": "aggregated", "col_0": "sex", "col_1": "period", "col_2": "age_band", "col_3": "value",
        "sex_0": "kvinde", "sex_1": "mand", "measure": "persons"}


class RemoteStorage(InMemoryStorage):
    """Like S3: the files are not on this host's disk, so there is no local path."""

    def path(self, name):
        raise NotImplementedError("This backend doesn't support absolute paths.")

    def _relative_path(self, name):  # InMemoryStorage finds its nodes through path()
        return os.path.relpath(InMemoryStorage.path(self, name), self.location)


@pytest.fixture
def remote(settings):
    settings.STORAGES = {**settings.STORAGES, "imports": {
        "BACKEND": f"{__name__}.RemoteStorage", "OPTIONS": {"location": "imports"},
    }}
    storage = services.imports_storage()
    assert isinstance(storage, RemoteStorage)
    return storage


@pytest.fixture
def worker_tmp(tmp_path, monkeypatch):
    """This host's temporary folder, to see the local copies made there."""
    folder = tmp_path / "worker-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def remote_names(storage) -> list[str]:
    try:
        return storage.listdir("")[1]
    except FileNotFoundError:
        return []


def test_an_upload_without_a_local_path_is_imported_from_a_temporary_copy(
        client, world, dataset, remote, worker_tmp, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.DATASETS_INLINE_IMPORT_BYTES = 100  # the task worker imports it
    client.force_login(world.odense.analytiker)
    response = client.post(reverse("datasets:dataset_upload", args=[dataset.uuid]),
                           {"file": SimpleUploadedFile("stor.csv", TEXT.encode())})
    pending = DatasetImport.objects.get(dataset=dataset)
    assert response.url == reverse("datasets:import_mapping", args=[dataset.uuid, pending.uuid])
    # The file is in the storage, not on this host's disk.
    assert remote_names(remote) == [pending.staged_path] and remote.size(pending.staged_path) == len(TEXT.encode())
    assert list(worker_tmp.iterdir()) == []  # the upload step's detection removed its copy
    page = client.get(response.url).content.decode()
    assert "Tjek kolonnerne" in page and list(worker_tmp.iterdir()) == []

    seen = []
    real_import = services.import_file

    def spy(*, path, **kwargs):
        seen.append(Path(path))
        assert Path(path).parent == worker_tmp and Path(path).read_bytes() == TEXT.encode()
        return real_import(path=path, **kwargs)

    monkeypatch.setattr(services, "import_file", spy)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(response.url, FORM)
    callbacks[0]()  # the task worker (on another host) runs the import
    pending.refresh_from_db()
    assert pending.status == "done" and pending.rows == 400, pending.errors
    assert Observation.objects.filter(indicator__dataset=dataset).count() == 400
    assert len(seen) == 1 and not seen[0].exists() and list(worker_tmp.iterdir()) == []
    assert not pending.staged_path and remote_names(remote) == []
    assert pending.progress == 1.0 and pending.progress_rows == 400


def test_a_refused_file_without_a_local_path_leaves_no_copy(dataset, remote, worker_tmp):
    pending = services.stage_upload(dataset=dataset, upload=io.BytesIO("Køn;Antal\nK;ikke et tal\n".encode()))
    plan = services.imp.Plan(targets=["sex", "value"], sex_codes={"K": "kvinde"}, default_period="2014")
    services.confirm_import(pending=pending, plan=plan, replace=False,
                            user=None)
    pending.refresh_from_db()
    assert pending.status == "failed" and pending.error_count == 1
    assert not Observation.objects.filter(indicator__dataset=dataset).exists()
    assert list(worker_tmp.iterdir()) == [] and remote_names(remote) == []


def test_stale_uploads_are_deleted_from_the_storage(dataset, remote, time_machine):
    old = services.stage_upload(dataset=dataset, upload=io.BytesIO("Køn;Antal\nK;1\n".encode()))
    assert remote.exists(old.staged_path)
    time_machine.move_to(datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=25))
    fresh = services.stage_upload(dataset=dataset, upload=io.BytesIO("Køn;Antal\nM;2\n".encode()))  # discards old
    old.refresh_from_db()
    assert not old.staged_path and remote_names(remote) == [fresh.staged_path]
    assert services.discard_stale_uploads() == 0


def test_the_status_json_shows_the_progress_written_by_the_worker(client, world, dataset):
    pending = services.stage_upload(dataset=dataset, upload=io.BytesIO(TEXT.encode()))
    DatasetImport.objects.filter(pk=pending.pk).update(status="running")
    url = reverse("datasets:import_progress", args=[dataset.uuid, pending.uuid])
    client.force_login(world.odense.analytiker)
    assert client.get(url).json() == {"status": "running", "fraction": 0.0, "rows": 0, "total": 0, "label": "",
                                      "finished": False}
    services.write_progress(pending, 0.25, 100)
    assert client.get(url).json() == {"status": "running", "fraction": 0.25, "rows": 100, "total": 0, "label": "",
                                      "finished": False}
    assert services.read_progress(DatasetImport.objects.get(pk=pending.pk)) == {"fraction": 0.25, "rows": 100,
                                                                                "total": 0}


@pytest.mark.django_db(transaction=True)
def test_another_web_host_sees_the_progress_while_the_import_transaction_is_open(client, world, dataset,
                                                                                monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite allows one writer: there the progress shows when the import ends")
    pending = services.stage_upload(dataset=dataset, upload=io.BytesIO(TEXT.encode()), user=world.odense.analytiker)
    pending.options = {"targets": ["sex", "period", "age_band", "value"], "kind": "aggregated",
                       "sex_codes": {"K": "kvinde", "M": "mand"}, "measure": "persons"}
    pending.status = DatasetImport.Status.QUEUED
    pending.save()
    client.force_login(world.odense.analytiker)
    url = reverse("datasets:import_progress", args=[dataset.uuid, pending.uuid])
    seen = []
    real = services._ProgressWriter.__call__

    def look_from_another_host():  # its own thread, so its own database connection
        try:
            seen.append((client.get(url).json(), Observation.objects.filter(indicator__dataset=dataset).count()))
        finally:
            connections.close_all()

    def spy(self, fraction, rows):
        real(self, fraction, rows)
        if connection.in_atomic_block:  # within the import's transaction
            thread = threading.Thread(target=look_from_another_host)
            thread.start()
            thread.join()

    monkeypatch.setattr(services._ProgressWriter, "__call__", spy)
    services.run_staged_import(pending.pk)
    pending.refresh_from_db()
    assert pending.status == "done" and pending.rows == 400, pending.errors
    assert seen, "the import reported no progress within its transaction"
    status, observations = seen[-1]
    assert status["status"] == "running" and status["rows"] == 400 and status["fraction"] > 0
    assert observations == 0  # nothing committed yet: the progress came through the second connection


@pytest.fixture
def s3_bucket(settings):
    """The `imports` storage exactly as the settings build it from IMPORTS_S3_BUCKET, against
    an in-process S3 (moto): django-storages and boto3 do real S3 calls, nothing leaves the host."""
    import json
    import subprocess
    import sys

    import boto3
    from moto import mock_aws

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ligestilling.settings", "DEBUG": "true",
           "IMPORTS_S3_BUCKET": "ligestilling-imports", "IMPORTS_S3_PREFIX": "staged",
           "AWS_S3_REGION_NAME": "eu-north-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    code = "import django, json; django.setup(); from django.conf import settings; print(json.dumps(settings.STORAGES['imports']))"
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True)
    config = json.loads(out.stdout.strip().splitlines()[-1])
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    with mock_aws():
        client = boto3.client("s3", region_name="eu-north-1", aws_access_key_id="test", aws_secret_access_key="test")
        client.create_bucket(Bucket="ligestilling-imports",
                             CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
        settings.STORAGES = {**settings.STORAGES, "imports": config}
        yield client


def s3_keys(client) -> list[str]:
    return [o["Key"] for o in client.list_objects_v2(Bucket="ligestilling-imports").get("Contents", [])]


def test_an_upload_staged_in_s3_is_imported_by_a_worker_and_removed(
        client, world, dataset, s3_bucket, worker_tmp, settings, django_capture_on_commit_callbacks):
    settings.DATASETS_INLINE_IMPORT_BYTES = 100  # the task worker imports it
    client.force_login(world.odense.analytiker)
    response = client.post(reverse("datasets:dataset_upload", args=[dataset.uuid]),
                           {"file": SimpleUploadedFile("stor.csv", TEXT.encode())})
    pending = DatasetImport.objects.get(dataset=dataset)
    assert s3_keys(s3_bucket) == [f"staged/{pending.staged_path}"]
    body = s3_bucket.get_object(Bucket="ligestilling-imports", Key=f"staged/{pending.staged_path}")["Body"].read()
    assert body == TEXT.encode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(response.url, FORM)
    callbacks[0]()  # the task worker (on another host) downloads a temporary copy and imports it
    pending.refresh_from_db()
    assert pending.status == "done" and pending.rows == 400, pending.errors
    assert Observation.objects.filter(indicator__dataset=dataset).count() == 400
    assert s3_keys(s3_bucket) == [] and list(worker_tmp.iterdir()) == []
