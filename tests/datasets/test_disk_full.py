"""A full disk (or quota) while an upload is written: the user gets the page with a clear
message, not a 500, and no partial file or half-made import is left."""

import errno
import io
import os

import pytest
from django.core.files import File, uploadhandler
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from datasets import services
from datasets.models import DatasetImport

TEXT = ("Køn;År;Antal\n" + "".join(f"{'KM'[i % 2]};{2000 + i % 20};{i}\n" for i in range(20_000))).encode()
MESSAGE = "Serveren har ikke plads til at gemme filen lige nu (disken er fuld). Intet er gemt."


class FullDiskStorage(FileSystemStorage):
    """Writes the first chunk of a file, then the disk is full (as FileSystemStorage does it,
    the part written stays on disk)."""

    error = errno.ENOSPC

    def _save(self, name, content):
        error = self.error

        class HalfWritten(File):
            def chunks(self, chunk_size=None):
                chunks = content.chunks(chunk_size)
                yield next(chunks)
                raise OSError(error, os.strerror(error))

        return super()._save(name, HalfWritten(content.file))


class FullQuotaStorage(FullDiskStorage):
    error = errno.EDQUOT


@pytest.fixture(params=[FullDiskStorage, FullQuotaStorage])
def full_disk(request, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "imports": {
        "BACKEND": f"{__name__}.{request.param.__name__}", "OPTIONS": {"location": tmp_path / "imports"},
    }}
    return tmp_path / "imports"


def files_in(folder) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_a_full_disk_while_staging_shows_a_message_and_leaves_no_partial_file(client, world, dataset, full_disk):
    assert len(TEXT) > 3 * 64 * 1024  # more than one chunk: a part is written before the disk is full
    client.force_login(world.odense.analytiker)
    response = client.post(reverse("datasets:dataset_upload", args=[dataset.uuid]),
                           {"file": SimpleUploadedFile("data.csv", TEXT)})
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert files_in(full_disk) == []
    assert not DatasetImport.objects.filter(dataset=dataset).exists()


def test_the_service_raises_disk_full_and_cleans_up(dataset, full_disk):
    with pytest.raises(services.DiskFull):
        services.stage_upload(dataset=dataset, upload=io.BytesIO(TEXT))
    assert files_in(full_disk) == [] and not DatasetImport.objects.exists()


def test_a_full_disk_while_django_spools_the_request_shows_the_page(world, dataset, settings, tmp_path,
                                                                    monkeypatch, staged_files):
    spool = tmp_path / "request-spool"
    spool.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(spool)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000  # the upload goes to a temporary file
    real = uploadhandler.TemporaryFileUploadHandler.receive_data_chunk

    def full_after_first_chunk(self, raw_data, start):
        if start > 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, raw_data, start)

    monkeypatch.setattr(uploadhandler.TemporaryFileUploadHandler, "receive_data_chunk", full_after_first_chunk)
    # As in production, the CSRF middleware reads the POST (and so the file) before the view.
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.odense.analytiker)
    url = reverse("datasets:dataset_upload", args=[dataset.uuid])
    client.get(url)
    # The token comes first, as in the page's form (the upload stops at the file).
    response = client.post(url, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value,
                                 "file": SimpleUploadedFile("data.csv", TEXT)})
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert files_in(spool) == []  # the part Django wrote is gone at once
    assert not DatasetImport.objects.exists() and staged_files() == []


def test_a_full_disk_in_the_worker_fails_the_import_with_the_message(dataset, staging, monkeypatch, staged_files):
    pending = services.stage_upload(dataset=dataset, upload=io.BytesIO(TEXT))
    DatasetImport.objects.filter(pk=pending.pk).update(status=DatasetImport.Status.QUEUED, options={
        "targets": ["sex", "period", "value"], "kind": "aggregated", "sex_codes": {"K": "kvinde", "M": "mand"}})

    def no_room(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(services, "import_file", no_room)  # e.g. the local copy of a file in S3
    services.run_staged_import(pending.pk)
    pending.refresh_from_db()
    assert pending.status == "failed" and MESSAGE in pending.errors[0]["reason"]
    assert staged_files() == []
