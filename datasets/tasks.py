"""Background work: large imports run in the task worker (`manage.py db_worker`)."""

from django_tasks import task


@task()
def import_dataset_file(pending_id: int, language: str = "da") -> None:
    from .services import run_staged_import

    run_staged_import(pending_id, language)
