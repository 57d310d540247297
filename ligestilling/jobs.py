"""Leases for background jobs (dataset imports, committee PDFs).

A job row is QUEUED until a task worker claims it, then RUNNING until it ends. A running
job renews its lease (`heartbeat_at`) at every step; when its worker dies (killed, out
of memory, the host gone) the lease runs out and the job is failed with a message the
user understands, its staged file removed. A queued job whose task row is gone, or that
waited longer than the queue limit, is failed too.

Each kind of job has an expirer (listed in `EXPIRERS`); `expire_stale_jobs()` runs them
all. The task worker runs it before each job it starts, and
`python manage.py expire_stale_jobs` runs it on a schedule. The status pages expire
their own job when its lease has run out, so the user never watches a dead job.

This module imports no app: the expirers are named by their dotted paths.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db.models import Q
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks.exceptions import TaskResultDoesNotExist

logger = logging.getLogger(__name__)

#: One function per kind of job; each fails its expired jobs and returns how many.
EXPIRERS = (
    "datasets.services.expire_stale_imports",
    "datasets.services.discard_stale_uploads",
    "reporting.pdf.expire_stale_reports",
)


def lease() -> datetime.timedelta:
    """How long a running job may go without renewing its lease (longer than its longest step)."""
    return datetime.timedelta(seconds=int(getattr(settings, "JOBS_LEASE_SECONDS", 300)))


def queue_limit() -> datetime.timedelta:
    """How long a job may wait in the queue for a worker."""
    return datetime.timedelta(seconds=int(getattr(settings, "JOBS_QUEUE_LIMIT_SECONDS", 3600)))


#: Why a job is stale (`why_stale`).
STOPPED = "stopped"  # running, and its lease ran out: its worker died
WAITED = "waited"  # queued longer than the queue limit
LOST = "lost"  # queued, and its task row is gone (or ended without running it)


def candidates(now: datetime.datetime) -> Q:
    """The job rows to look at (either job model): every queued one, and the running ones
    whose lease ran out."""
    cutoff = now - lease()
    return (Q(status="queued") | Q(status="running", heartbeat_at__lt=cutoff)
            | Q(status="running", heartbeat_at__isnull=True, created_at__lt=cutoff))


def why_stale(job, now: datetime.datetime) -> str | None:
    """STOPPED, WAITED or LOST for a stale job (a row with status, heartbeat_at, queued_at,
    created_at and task_id), None for a job that is fine."""
    if job.status == "running":
        return STOPPED if (job.heartbeat_at or job.created_at) < now - lease() else None
    if job.status != "queued":
        return None
    if (job.queued_at or job.created_at) < now - queue_limit():
        return WAITED
    if job.task_id and task_is_gone(job.task_id):
        return LOST
    return None


def unchanged(job) -> dict:
    """Filter arguments that match the job's row only while it is as it was read: failing it
    then cannot race with its worker renewing the lease or finishing."""
    return {"status": job.status,
            **({"heartbeat_at": job.heartbeat_at} if job.heartbeat_at else {"heartbeat_at__isnull": True})}


class JobLost(Exception):
    """The job's lease was taken from it (it was failed as stale): stop without writing."""


def task_is_gone(task_id: str) -> bool:
    """The task row behind a queued job no longer exists, or ended without running the job.

    False when the backend cannot tell (the immediate backend keeps no rows).
    """
    if not task_id or not default_task_backend.supports_get_result:
        return False
    try:
        result = default_task_backend.get_result(task_id)
    except TaskResultDoesNotExist:
        return True
    return result.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


def expire_stale_jobs() -> dict[str, int]:
    """Fail every job whose worker died or that never started; returns counts per expirer.

    One expirer's failure (say, the database blinked) is logged and does not stop the
    others, nor the job that a worker is about to start.
    """
    counts = {}
    for path in EXPIRERS:
        try:
            counts[path] = import_string(path)()
        except Exception:
            logger.exception("expiring stale jobs with %s failed", path)
            counts[path] = 0
    return counts
