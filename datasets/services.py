"""Dataset workflows: create, stage an upload, import (validate everything, then keep
all or nothing), replace, delete.

`import_file` is the one import path, used by the browser (through the background
task) and by `manage.py import_dataset`.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connection,
    connections,
    transaction,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from accounts import audit, versions
from accounts.access import get_scope
from accounts.roles import DATASETS
from ligestilling import jobs
from ligestilling.lib import privacy
from reporting.tasks import refresh_summary_task

from . import importing as imp
from . import tasks
from .models import Dataset, DatasetImport, Indicator, Measure, Observation
from .uploads import is_disk_full

OBSERVATION_COLUMNS = ["indicator_id", "period", "sex", "age_band", "education", "civil_status", "origin", "area",
                       "value", "numerator", "denominator", "n", "sd"]
TEXT_COLUMNS = ["period", "sex", "age_band", "education", "civil_status", "origin", "area"]
BATCH = 5000

logger = logging.getLogger(__name__)


def imports_storage() -> Storage:
    """Where staged uploads wait between upload and import: `STORAGES["imports"]`, a folder
    (var/imports) by default, an S3-compatible bucket when several hosts share the work."""
    return storages["imports"]


def inline_limit() -> int:
    """Files up to this size are imported within the request; larger ones in the background."""
    return int(getattr(settings, "DATASETS_INLINE_IMPORT_BYTES", 2 * 1024 * 1024))


class DiskFull(imp.FileRefused):
    """The disk (or quota) ran out while a file was written; nothing half-written is kept."""

    def __init__(self):
        super().__init__(_("The server has no room to store the file right now (its disk is full). Nothing was "
                           "saved. Try again later, and tell your IT support if it happens again."))


class ImportRefused(Exception):
    """Nothing was stored. `message` says why; `errors` lists rows (first 100) and `total`."""

    def __init__(self, message: str, errors: list[dict] | None = None, total: int = 0):
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        self.total = total or len(self.errors)


@dataclass
class ImportResult:
    dataset: Dataset
    rows: int
    observations: int
    indicators: list[str] = field(default_factory=list)
    seconds: float = 0.0
    replaced: bool = False


# --- Datasets ------------------------------------------------------------------------


@transaction.atomic
def create_dataset(*, municipality, user=None, request=None, **fields) -> Dataset:
    """A new dataset; with a `user`, only for a unit they may write datasets for (the
    management command passes none: it runs with the operator's authority)."""
    if municipality is None:
        raise PermissionDenied("Shared reference datasets are created by migrations only.")
    versions.bump(municipality.pk)
    dataset = Dataset(municipality=municipality, created_by=user, **fields)
    if dataset.unit_id and dataset.unit.municipality_id != municipality.pk:
        raise ValidationError({"unit": _("Choose a unit of your own municipality.")})
    if user is not None:
        _check_unit_in_scope(user, dataset)
    dataset.full_clean()
    dataset.save()
    audit.record("dataset.create", request=request, user=user, obj=dataset, title=dataset.title)
    return dataset


def _writable(dataset: Dataset) -> None:
    if dataset.is_reference:
        raise PermissionDenied("Shared reference datasets cannot be changed in the application.")


def _check_unit_in_scope(user, dataset: Dataset) -> None:
    """The rule of `DatasetQuerySet.writable_by`, for a dataset not saved yet."""

    scope = get_scope(user)
    if scope.municipality_id != dataset.municipality_id:
        raise PermissionDenied("Datasets are created in the user's own municipality.")
    if dataset.unit_id is None:
        if not scope.covers_municipality(DATASETS):
            raise ValidationError({"unit": _("Choose a unit. Only one whose role covers the whole municipality "
                                             "may create a dataset for the whole municipality.")})
    elif dataset.unit_id not in scope.unit_ids(DATASETS):
        raise ValidationError({"unit": _("Choose one of the units you work with data for.")})


@transaction.atomic
def delete_dataset(*, dataset: Dataset, user=None, request=None) -> None:
    versions.bump(dataset.municipality_id)
    _writable(dataset)
    if user is not None:

        if not Dataset.objects.writable_by(get_scope(user)).filter(pk=dataset.pk).exists():
            raise PermissionDenied("The user may not change this dataset.")
    audit.record("dataset.delete", request=request, user=user, obj=dataset, title=dataset.title,
                 observations=Observation.objects.filter(indicator__dataset=dataset).count())
    for pending in dataset.imports.exclude(staged_path=""):
        _discard(pending)
    dataset.delete()
    transaction.on_commit(lambda: refresh_summary_task.enqueue(municipality_id=dataset.municipality_id), robust=True)


@transaction.atomic
def update_indicator(*, indicator: Indicator, user=None, request=None, **fields) -> Indicator:
    versions.bump(indicator.dataset.municipality_id)
    _writable(indicator.dataset)
    reference = fields.get("reference")
    if reference is not None and not reference.dataset.is_reference:
        raise ValidationError({"reference": _("Choose a national reference figure.")})
    for name, value in fields.items():
        setattr(indicator, name, value)
    indicator.full_clean()
    indicator.save()
    audit.record("dataset.indicator_update", request=request, user=user, obj=indicator.dataset,
                 indicator=str(indicator.uuid))
    return indicator


# --- Uploads ------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _already_imported(dataset: Dataset, sha256: str) -> DatasetImport | None:
    return dataset.imports.filter(sha256=sha256, status=DatasetImport.Status.DONE).first()


def discard_stale_uploads(hours: int = 24) -> int:
    """Delete staged files that were never imported (uploads may hold personal data)."""
    cutoff = timezone.now() - datetime.timedelta(hours=hours)
    stale = list(DatasetImport.objects.filter(status=DatasetImport.Status.UPLOADED, created_at__lt=cutoff)
                 .exclude(staged_path=""))
    for pending in stale:
        _discard(pending)
    return len(stale)


def stage_upload(*, dataset: Dataset, upload, user=None) -> DatasetImport:
    """Save an uploaded file (Django UploadedFile or file object) for the mapping step.

    The file goes to `imports_storage()`, so the mapping page and the task worker can be
    on other hosts than the one that received it. It is checked (size) and hashed while
    it is read into an anonymous local temporary file; only a file within the limit is
    stored.
    """
    _writable(dataset)
    discard_stale_uploads()
    size = getattr(upload, "size", None)
    if size is not None and size > imp.max_upload_bytes():
        raise imp.FileRefused(_("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller "
                                "files.") % {"size": imp._mb(size), "limit": imp._mb(imp.max_upload_bytes())})
    written = 0
    digest = hashlib.sha256()
    storage = imports_storage()
    name = f"{uuid.uuid4().hex}.upload"
    try:
        with tempfile.SpooledTemporaryFile(max_size=1 << 20) as spool:
            chunks = upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(1 << 20), b"")
            for block in chunks:
                written += len(block)
                if written > imp.max_upload_bytes():
                    raise imp.FileRefused(_("The file is larger than the limit of %(limit)s MB.")
                                          % {"limit": imp._mb(imp.max_upload_bytes())})
                digest.update(block)
                spool.write(block)
            if written == 0:
                raise imp.FileRefused(_("The file is empty."))
            spool.seek(0)
            name = storage.save(name, File(spool))
    except OSError as exc:
        # A full disk (or quota) while spooling or storing: the storage may have left the
        # part it wrote (FileSystemStorage does).
        _delete_quietly(storage, name)
        if is_disk_full(exc):
            raise DiskFull() from exc
        raise
    try:
        return DatasetImport.objects.create(
            dataset=dataset, filename=os.path.basename(getattr(upload, "name", "") or "fil")[:255], size=written,
            sha256=digest.hexdigest(), staged_path=name, created_by=user,
        )
    except BaseException:
        imports_storage().delete(name)
        raise


def _delete_quietly(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # noqa: BLE001 - cleaning up after a failure must not hide it
        logger.warning("Could not delete the partial upload %s", name, exc_info=True)


def receive_upload(*, dataset: Dataset, upload, user=None) -> DatasetImport:
    """Stage an upload and check it for the mapping step, within the request's time budget.

    The file is checked against every limit (size, columns, header length, cells, line
    length, encoding, zip directory) before any parser builds a table, and the suggested
    mapping with its preview is kept on the import, so the mapping page never reads the
    file again. A refused file leaves nothing behind: no staged file, no import row. A
    file that breaks a reader in an unforeseen way is refused the same way (and logged).
    """
    pending = stage_upload(dataset=dataset, upload=upload, user=user)
    try:
        with staged_file(pending) as path:
            detection = imp.detect(path, budget=imp.Budget(imp.limits().preview_seconds))
        refuse_identifying_header(detection.header)
        pending.detection = detection.as_dict()
        pending.save(update_fields=["detection"])
    except imp.FileRefused:
        discard_upload(pending)
        raise
    except Exception as exc:
        discard_upload(pending)
        if is_disk_full(exc):
            raise DiskFull() from exc
        logger.exception("The upload %s could not be read", pending.uuid)
        raise imp.FileRefused(_("The file could not be read. Check that it is a CSV file or an Excel file (.xlsx) "
                                "with the column names in the first row.")) from exc
    except BaseException:
        discard_upload(pending)
        raise
    return pending


@contextlib.contextmanager
def staged_file(pending: DatasetImport) -> Iterator[Path]:
    """A local path to the staged upload, for the readers that need a file (pandas, zipfile).

    A storage with local files (the default folder) gives its own path, without a copy.
    One without (S3) is downloaded to a temporary file on this host, which is deleted
    when the block ends, however it ends.
    """
    storage = imports_storage()
    try:
        local = storage.path(pending.staged_path)
    except NotImplementedError:
        local = None
    if local is not None:
        yield Path(local)
        return
    handle, tmp = tempfile.mkstemp(prefix="ligestilling-import-", suffix=".upload")
    try:
        with os.fdopen(handle, "wb") as out, storage.open(pending.staged_path, "rb") as source:
            shutil.copyfileobj(source, out, 1 << 20)
        yield Path(tmp)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _discard(pending: DatasetImport) -> None:
    """Delete the staged file and the preview made from it (uploads may hold personal data)."""
    if pending.staged_path or pending.detection:
        if pending.staged_path:
            with contextlib.suppress(FileNotFoundError):
                imports_storage().delete(pending.staged_path)
        DatasetImport.objects.filter(pk=pending.pk).update(staged_path="", detection={})
        pending.staged_path = ""
        pending.detection = {}


def discard_upload(pending: DatasetImport) -> None:
    """Forget a staged upload that was refused before the mapping step."""
    _discard(pending)
    pending.delete()


class _ProgressWriter:
    """Writes a running import's progress (rows read of rows total) and renews its lease
    (`heartbeat_at`) on its `DatasetImport` row, which the status page on any web host reads.

    The import runs in one transaction (all or nothing), so a write on its connection
    would stay invisible until the commit (and on PostgreSQL that connection may be in
    the middle of a COPY). Inside a transaction on PostgreSQL the progress therefore goes
    through a second, autocommitting connection to the same database, opened once per
    import. Its UPDATE skips the row while a transaction holds it locked, so it never
    waits (no deadlock with the import's connection); when it cannot write the row (not
    committed yet, locked, an error) the progress is left out: it is a hint, never fatal.
    SQLite allows one writer at a time, so there it is written on the import's own
    connection and shows when the import ends (SQLite is for one machine, where imports
    usually run inline).

    Every write is for a RUNNING import only. When the row is no longer running, the job
    was failed as stale (its lease ran out, `expire_stale_imports`): `jobs.JobLost` stops
    the import, which then rolls back.
    """

    def __init__(self, pending: DatasetImport):
        self.pk = pending.pk
        self._side = None
        self._side_failed = False

    def __call__(self, rows: int, total: int) -> None:
        fraction = _fraction(rows / total if total else 0.0, cap=0.99)  # 100 % only when done
        if connection.in_atomic_block and connection.vendor == "postgresql":
            self._write_aside(fraction, rows, total)
        elif not DatasetImport.objects.filter(pk=self.pk, status=DatasetImport.Status.RUNNING).update(
                progress=fraction, progress_rows=rows, progress_total=total, heartbeat_at=timezone.now()):
            raise jobs.JobLost(self.pk)

    def _write_aside(self, fraction: float, rows: int, total: int) -> None:
        if self._side_failed:
            return
        try:
            if self._side is None:
                self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            quote = self._side.ops.quote_name
            table, pk = quote(DatasetImport._meta.db_table), quote(DatasetImport._meta.pk.column)
            status = quote("status")
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET {quote('progress')} = %s, {quote('progress_rows')} = %s, "
                    f"{quote('progress_total')} = %s, {quote('heartbeat_at')} = %s "
                    f"WHERE {pk} = (SELECT {pk} FROM {table} WHERE {pk} = %s AND {status} = %s "
                    f"FOR UPDATE SKIP LOCKED)",
                    [fraction, rows, total, timezone.now(), self.pk, DatasetImport.Status.RUNNING],
                )
                lost = False
                if cursor.rowcount == 0:  # locked for a moment, not committed yet, or no longer running?
                    cursor.execute(f"SELECT {status} FROM {table} WHERE {pk} = %s", [self.pk])
                    found = cursor.fetchone()
                    lost = found is not None and found[0] != DatasetImport.Status.RUNNING
        except DatabaseError:
            logger.warning("Could not record the progress of dataset import %s", self.pk, exc_info=True)
            self._side_failed = True
            return
        if lost:
            raise jobs.JobLost(self.pk)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


def _fraction(value: float, cap: float = 1.0) -> float:
    return round(min(max(value, 0.0), cap), 3)


def write_progress(pending: DatasetImport, fraction: float, rows: int) -> None:
    """Record how far an import is, from outside its transaction (the import itself writes
    through `_ProgressWriter`)."""
    DatasetImport.objects.filter(pk=pending.pk).update(progress=_fraction(fraction), progress_rows=rows)


def read_progress(pending: DatasetImport) -> dict:
    """Rows read of rows total; the fraction reaches 1.0 only when the import is done."""
    if pending.status in (DatasetImport.Status.DONE, DatasetImport.Status.REPLACED):
        return {"fraction": 1.0, "rows": pending.rows, "total": pending.rows}
    if not pending.staged_path:
        return {"fraction": 0.0, "rows": pending.rows, "total": pending.progress_total}
    return {"fraction": _fraction(pending.progress, cap=0.99), "rows": pending.progress_rows,
            "total": pending.progress_total}


def _failed(pending: DatasetImport, reason: str, *, errors: list[dict] | None = None, total: int = 0) -> bool:
    """Mark the import failed with a general reason (and row errors)."""
    return bool(DatasetImport.objects.filter(pk=pending.pk).update(
        status=DatasetImport.Status.FAILED, finished_at=timezone.now(),
        errors=[{"row": None, "column": "", "value": "", "reason": reason}] + (errors or []), error_count=total,
    ))


def run_staged_import(pending_id: int, language: str = "da") -> None:
    """Import a staged upload with its confirmed mapping; record the outcome on it.

    The job claims the import (QUEUED to RUNNING) and renews its lease while it reads;
    if the lease is taken from it (the import was failed as stale meanwhile) it stops
    and stores nothing.
    """
    pending = DatasetImport.objects.select_related("dataset", "created_by").get(pk=pending_id)
    Status = DatasetImport.Status
    claimed = DatasetImport.objects.filter(pk=pending.pk, status__in=(Status.QUEUED, Status.UPLOADED)).update(
        status=Status.RUNNING, progress=0.0, progress_rows=0, progress_total=0, heartbeat_at=timezone.now())
    if not claimed:
        return
    pending.status = Status.RUNNING
    progress = _ProgressWriter(pending)
    with override(language):
        try:
            with staged_file(pending) as path:
                result = import_file(
                    dataset=pending.dataset, path=path, user=pending.created_by,
                    plan=imp.Plan.from_dict(pending.options), replace=pending.replace,
                    filename=pending.filename, record=pending, progress=progress,
                )
        except jobs.JobLost:
            logger.warning("Dataset import %s was failed as stale while it ran; it stopped", pending.pk)
        except (ImportRefused, imp.FileRefused) as exc:
            _failed(pending, exc.message, errors=getattr(exc, "errors", []), total=getattr(exc, "total", 0))
            audit.record("dataset.import_refused", user=pending.created_by, obj=pending.dataset,
                         file=pending.filename, errors=getattr(exc, "total", 0))
        except Exception as exc:
            if is_disk_full(exc):  # a local copy of a file in S3 on a full disk
                _failed(pending, DiskFull().message)
                logger.error("Dataset import %s: the disk is full", pending.pk)
            else:
                _failed(pending, _("The import failed unexpectedly. Nothing was stored."))
                raise
        else:
            DatasetImport.objects.filter(pk=pending.pk).update(rows=result.rows, observations=result.observations,
                                                               progress=1.0, progress_rows=result.rows,
                                                               progress_total=result.rows)
        finally:
            progress.close()
            _discard(pending)


# --- Leases: imports whose worker died -----------------------------------------------------


def _expire(pending: DatasetImport, reason: str) -> bool:
    """Fail one stale import unless it changed meanwhile (its worker renewed the lease, or it
    ended); a row locked by its running import is skipped, never waited for."""
    with transaction.atomic():
        locked = (DatasetImport.objects.select_for_update(skip_locked=True)
                  .filter(pk=pending.pk, **jobs.unchanged(pending)).values_list("pk", flat=True).first())
        if locked is None or not _failed(pending, reason):
            return False
    _discard(pending)
    audit.record("dataset.import_expired", user=pending.created_by, obj=pending.dataset, file=pending.filename,
                 status=pending.status)
    return True


def _stale_reason(pending: DatasetImport, now: datetime.datetime) -> str | None:
    why = jobs.why_stale(pending, now)
    if why == jobs.STOPPED:
        return _("The import stopped before it finished: the background worker running it stopped "
                 "responding. Nothing was stored. Upload the file again to start a new import.")
    if why == jobs.WAITED:
        return _("The import never started: it waited more than %(minutes)s minutes for a background worker. "
                 "Nothing was stored. Upload the file again, and tell your IT support if it happens again.") % {
            "minutes": int(jobs.queue_limit().total_seconds() // 60)}
    if why == jobs.LOST:
        return _("The import never started: its place in the background queue was lost. Nothing was stored. "
                 "Upload the file again to start a new import.")
    return None


def expire_if_stale(pending: DatasetImport) -> bool:
    """Fail this import when its lease ran out (the status page calls it: the user never
    watches a dead import). The message is in the active language.

    It never makes the page wait or fail: on SQLite a live import's heartbeat stays inside
    its transaction, and the writer lock it holds is its sign of life; the page gives up
    after a moment, as it does on any database error, and the worker and the scheduled
    command, which can wait, decide.
    """
    reason = _stale_reason(pending, timezone.now())
    if reason is None:
        return False
    try:
        with _short_lock_wait():
            if not _expire(pending, reason):
                return False
    except DatabaseError:
        logger.info("Dataset import %s looked stale but its row is busy; left to the worker", pending.pk)
        return False
    pending.refresh_from_db()
    return True


@contextlib.contextmanager
def _short_lock_wait(milliseconds: int = 200):
    """On SQLite, wait this long for the writer lock instead of the connection's timeout."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(before)}")


def expire_stale_imports() -> int:
    """Fail every import whose worker died (lease ran out) or that never started (its task
    row is gone, or it waited longer than the queue limit), and delete its staged file.
    Run by the task worker before each job and by `manage.py expire_stale_jobs`; the
    messages are in the installation's language."""
    now = timezone.now()
    expired = 0
    with override(settings.LANGUAGE_CODE):
        for pending in DatasetImport.objects.select_related("dataset", "created_by").filter(jobs.candidates(now)):
            reason = _stale_reason(pending, now)
            if reason is not None and _expire(pending, reason):
                expired += 1
    return expired


# --- The import --------------------------------------------------------------------------


def import_file(
    *,
    dataset: Dataset,
    path: str | Path,
    user=None,
    request=None,
    plan: imp.Plan | dict | None = None,
    replace: bool = False,
    filename: str = "",
    allow_origin: bool | None = None,
    record: DatasetImport | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import a CSV or XLSX file into `dataset`: everything is checked, then all is kept or nothing.

    `plan` is the confirmed mapping (`importing.Plan`); None means: use the detection.
    Raises `importing.FileRefused` (the file as a whole) or `ImportRefused` (row errors,
    duplicate content, permission for origin data). On success the import is recorded
    with its sha256 so the same content is not imported twice; `replace=True` swaps
    the dataset's data for the file's in one transaction.
    """
    _writable(dataset)
    started = time.monotonic()
    path = Path(path)
    imp.check_size(path)
    sha256 = record.sha256 if record is not None else file_sha256(path)
    if not replace and _already_imported(dataset, sha256):
        raise ImportRefused(_("This file has already been imported into “%(title)s”. Choose “replace” to "
                              "import it again.") % {"title": dataset.title})
    source = imp.open_table(path)
    try:
        return _import_source(dataset=dataset, source=source, path=path, sha256=sha256, user=user, request=request,
                              plan=plan, replace=replace, filename=filename, allow_origin=allow_origin,
                              record=record, progress=progress, started=started)
    finally:
        source.close()


def _import_source(*, dataset: Dataset, source: imp.TableSource, path: Path, sha256: str, user, request,
                   plan: imp.Plan | dict | None, replace: bool, filename: str, allow_origin: bool | None,
                   record: DatasetImport | None, progress: Callable[[int, int], None] | None,
                   started: float) -> ImportResult:
    if plan is None:
        detection = imp.detect(path)
        plan = imp.Plan(targets=detection.targets, kind=detection.kind, sex_codes=detection.sex_codes,
                        default_indicator=dataset.title,
                        default_period=str(dataset.period_start.year) if dataset.period_start else "")
    elif isinstance(plan, dict):
        plan = imp.Plan.from_dict(plan)
    if not plan.default_indicator:
        plan.default_indicator = dataset.title[:200]
    problems = imp.check_plan(plan, source.header)
    if problems:
        raise ImportRefused(" ".join(problems))
    if imp.ORIGIN in plan.targets and allow_origin is False:
        raise ImportRefused(_("Only an analyst may import files with origin (herkomst), a special category of "
                              "personal data. Remove the column or ask an analyst."))
    validator = imp.ChunkValidator(plan, source.header, source.decimal_comma)
    try:
        with transaction.atomic():
            if replace:
                _clear(dataset)
            writer = _Writer(dataset, plan)
            try:
                _read_all(source, plan, validator, writer, progress)
            except BaseException as exc:
                writer.close(exc)
                raise
            writer.close()
            if validator.rows == 0:
                raise ImportRefused(_("The file has no data rows."))
            dataset.person_level = plan.kind == imp.PERSON
            dataset.contains_origin = dataset.contains_origin or validator.found_origin
            dataset.save(update_fields=["person_level", "contains_origin", "updated_at"])
            if replace:
                dataset.imports.filter(status=DatasetImport.Status.DONE).update(status=DatasetImport.Status.REPLACED)
            if record is None:
                record = DatasetImport(dataset=dataset, filename=filename or path.name, size=path.stat().st_size,
                                       sha256=sha256, created_by=user, replace=replace, options=plan.as_dict())
                fields = None
            else:
                # A background job finishes only while it holds its lease: one failed as
                # stale meanwhile stores nothing (its row lock also holds off the expiry).
                if not DatasetImport.objects.select_for_update().filter(
                        pk=record.pk, status=DatasetImport.Status.RUNNING).values_list("pk", flat=True).first():
                    raise jobs.JobLost(record.pk)
                fields = ["status", "rows", "observations", "finished_at"]
            record.status = DatasetImport.Status.DONE
            record.rows = validator.rows
            record.observations = writer.count
            record.finished_at = timezone.now()
            record.save(update_fields=fields)
            # Last: the version row stays locked until the commit.
            versions.bump(dataset.municipality_id)
            audit.record("dataset.replace" if replace else "dataset.import", request=request, user=user,
                         obj=dataset, file=record.filename, rows=validator.rows, observations=writer.count,
                         sha256=sha256)
    except IntegrityError as exc:
        raise ImportRefused(_("The file repeats a row (same indicator, period, sex and breakdown) or conflicts "
                              "with data already in the dataset. Nothing was stored.")) from exc
    transaction.on_commit(lambda: refresh_summary_task.enqueue(municipality_id=dataset.municipality_id), robust=True)
    return ImportResult(dataset=dataset, rows=validator.rows, observations=writer.count,
                        indicators=sorted(writer.names), seconds=time.monotonic() - started, replaced=replace)


def _read_all(source: imp.TableSource, plan: imp.Plan, validator: imp.ChunkValidator, writer: _Writer,
              progress: Callable[[int, int], None] | None) -> None:
    """Check every chunk; write while no error has been seen; raise the refusal at the end.

    `progress(rows read, rows total)` is called before the first chunk and after each one.
    """
    if progress:
        progress(0, source.total_rows)
    if plan.kind == imp.PERSON:
        aggregator = imp.PersonAggregator(validator)
        for start, df in source.chunks():
            aggregator.add(start, df)
            if progress:
                progress(validator.rows, source.total_rows)
        _bad_rows(source, validator)
        if validator.errors:
            raise _refusal(validator)
        writer.write_person(aggregator)
        return
    for start, df in source.chunks():
        frame = validator.aggregated(start, df, writer.indicator_ids)
        if frame is not None and not validator.errors:
            writer.write(frame)
        if progress:
            progress(validator.rows, source.total_rows)
    _bad_rows(source, validator)
    if validator.errors:
        raise _refusal(validator)


def _bad_rows(source: imp.TableSource, validator: imp.ChunkValidator) -> None:
    for number, _text in source.bad_rows:
        validator.errors.add(imp.RowError(number, "", "", _("The row has a different number of columns than the "
                                                             "header.")))


def _refusal(validator: imp.ChunkValidator) -> ImportRefused:
    return ImportRefused(
        _("The file has %(count)s errors. Nothing was stored; correct the file and upload it again.")
        % {"count": validator.errors.total},
        [e.as_dict() for e in validator.errors.shown()], validator.errors.total,
    )


def _clear(dataset: Dataset) -> None:
    Observation.objects.filter(indicator__dataset=dataset)._raw_delete(using="default")
    dataset.indicators.all().delete()


class _Writer:
    """Creates indicators on demand and writes observations: COPY on PostgreSQL,
    bulk_create elsewhere."""

    def __init__(self, dataset: Dataset, plan: imp.Plan):
        self.dataset = dataset
        self.plan = plan
        self.ids: dict[str, int] = dict(dataset.indicators.values_list("name", "id"))
        self.names: set[str] = set()
        self.count = 0
        self.position = dataset.indicators.count()
        measure = plan.measure or Measure.PERSONS
        if plan.kind == imp.AGGREGATED and imp.NUMERATOR in plan.targets:
            measure = Measure.SHARE
        self.measure = measure

    def indicator_ids(self, names: list[str], measure: str | None = None) -> dict[str, int]:
        for name in names:
            if name not in self.ids:
                self.close()  # no other query while a COPY is open
                if len(self.ids) >= 1000:
                    raise ImportRefused(_("The file has more than 1,000 indicators."))
                indicator = Indicator.objects.create(dataset=self.dataset, name=name, measure=measure or self.measure,
                                                     position=self.position)
                self.position += 1
                self.ids[name] = indicator.pk
            self.names.add(name)
        return self.ids

    def write(self, frame: pd.DataFrame) -> None:
        for column in ("n", "sd"):
            if column not in frame:
                frame[column] = pd.array([pd.NA] * len(frame), "Int64") if column == "n" else float("nan")
        frame = frame[OBSERVATION_COLUMNS]
        if connection.vendor == "postgresql":
            self._copy(frame)
        else:
            self._bulk(frame)
        self.count += len(frame)

    def _copy(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        table = pa.Table.from_pandas(frame, preserve_index=False)
        buffer = io.BytesIO()
        pacsv.write_csv(table, buffer, write_options=pacsv.WriteOptions(include_header=False))
        with connection.wrap_database_errors:  # psycopg errors become django.db errors
            copy = self._open_copy()
            view = buffer.getbuffer()
            for i in range(0, len(view), 1 << 20):
                copy.write(view[i:i + (1 << 20)])

    # One COPY stays open across chunks; psycopg's queued writer sends the data from a
    # thread while the next chunk is parsed and checked. It is closed before any other
    # query (a new indicator) and at the end.
    _copy_cm = None
    _copy_obj = None
    _cursor = None

    def _open_copy(self):
        if self._copy_obj is None:
            from psycopg.copy import QueuedLibpqWriter

            columns = ", ".join(OBSERVATION_COLUMNS)
            sql = (f"COPY {Observation._meta.db_table} ({columns}) FROM STDIN "
                   f"(FORMAT csv, FORCE_NOT_NULL ({', '.join(TEXT_COLUMNS)}))")
            self._cursor = connection.cursor()
            raw = self._cursor.cursor  # psycopg 3 cursor under Django's wrapper
            self._copy_cm = raw.copy(sql, writer=QueuedLibpqWriter(raw))
            self._copy_obj = self._copy_cm.__enter__()
        return self._copy_obj

    def close(self, exc: BaseException | None = None) -> None:
        if self._copy_obj is not None:
            cm, cursor = self._copy_cm, self._cursor
            self._copy_cm = self._copy_obj = self._cursor = None
            try:
                with connection.wrap_database_errors:
                    cm.__exit__(type(exc) if exc else None, exc, exc.__traceback__ if exc else None)
            finally:
                cursor.close()

    def _bulk(self, frame: pd.DataFrame) -> None:
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        for i in range(0, len(records), BATCH):
            Observation.objects.bulk_create([Observation(**r) for r in records[i:i + BATCH]])

    def write_person(self, aggregator: imp.PersonAggregator) -> None:
        header = aggregator.v.header
        rows = []
        for key, measure, fields in aggregator.observations():
            if key == "count":
                name, measure = _("Number of persons"), Measure.PERSONS
            else:
                name = header[int(key[1:])][:200] or key
                if measure is None:
                    measure = imp.number_measure(name)
            indicator_id = self.indicator_ids([name], measure)[name]
            rows.append({"indicator_id": indicator_id, "value": None, "numerator": None, "denominator": None,
                         "n": None, "sd": None, **fields})
        if rows:
            self.write(pd.DataFrame(rows))


def detect_for(pending: DatasetImport) -> imp.Detection:
    """The mapping suggested when the file was uploaded; read again (within the request's
    time budget) only for an upload staged before detections were kept."""
    if pending.detection:
        return imp.Detection.from_dict(pending.detection)
    with staged_file(pending) as path:
        detection = imp.detect(path, budget=imp.Budget(imp.limits().preview_seconds))
    refuse_identifying_header(detection.header)
    return detection


def refuse_identifying_header(header: list[str]) -> None:
    """The privacy guard on the column headers, which are shown on the mapping page and
    become indicator names: each alone and neighbours together ("010190" | "1234").

    The message names the column numbers and the kind, never the value.
    """
    values = {str(number): name for number, name in enumerate(header, start=1)}
    try:
        privacy.check_fields(values, values)
    except ValidationError as exc:
        columns = sorted(exc.error_dict, key=int)
        kinds = privacy.find_identifiers(" ".join(values[c] for c in columns))
        raise imp.FileRefused(ngettext(
            "Column %(columns)s of the file's header seems to contain %(what)s. Remove it and upload the file "
            "again: no information that identifies a person may be stored.",
            "Columns %(columns)s of the file's header seem to contain %(what)s. Remove it and upload the file "
            "again: no information that identifies a person may be stored.",
            len(columns),
        ) % {"columns": ", ".join(columns), "what": privacy.describe(kinds)}) from None


def confirm_import(*, pending: DatasetImport, plan: imp.Plan, replace: bool, user, request=None,
                   language: str = "da") -> DatasetImport:
    """Store the confirmed mapping and start the import (inline for small files)."""

    _writable(pending.dataset)
    if not replace and _already_imported(pending.dataset, pending.sha256):
        raise ImportRefused(_("This file has already been imported into “%(title)s”. Choose “replace” to "
                              "import it again.") % {"title": pending.dataset.title})
    pending.options = plan.as_dict()
    pending.replace = replace
    pending.status = DatasetImport.Status.QUEUED
    pending.queued_at = timezone.now()
    pending.save(update_fields=["options", "replace", "status", "queued_at"])
    if pending.size <= inline_limit():
        run_staged_import(pending.pk, language)
    else:
        def enqueue():
            result = tasks.import_dataset_file.enqueue(pending.pk, language)
            # Its task row, so that a queued import whose task is gone can be failed.
            DatasetImport.objects.filter(pk=pending.pk, status=DatasetImport.Status.QUEUED).update(
                task_id=str(result.id)[:64])

        transaction.on_commit(enqueue)
    pending.refresh_from_db()
    return pending

