"""Background work: large imports run in the task worker (`manage.py db_worker`)."""

from django_tasks import task

from ligestilling import jobs


@task()
def import_dataset_file(pending_id: int, language: str = "da") -> None:
    from .services import run_staged_import

    jobs.expire_stale_jobs()  # the next worker that starts cleans up after dead ones
    run_staged_import(pending_id, language)
