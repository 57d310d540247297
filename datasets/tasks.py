"""Background work: large imports run in the task worker (`manage.py db_worker`)."""

from django_tasks import task

from ligestilling import jobs

# Mutual module imports (services enqueues this task, the task runs services): names are
# looked up at call time, so either module may be imported first.
from . import services


@task()
def import_dataset_file(pending_id: int, language: str = "da") -> None:
    jobs.expire_stale_jobs()  # the next worker that starts cleans up after dead ones
    services.run_staged_import(pending_id, language)
