"""Fail background jobs whose worker died, and delete uploads never imported.

    manage.py expire_stale_jobs

A dataset import or committee PDF whose worker stopped renewing its lease
(JOBS_LEASE_SECONDS), or that is still queued after JOBS_QUEUE_LIMIT_SECONDS or lost its
task row, is marked failed with a message the user sees on its status page (and can
start again); a staged upload is deleted with it. The task worker does this before each
job it starts; run this every few minutes (cron) so it also happens when no job starts.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ligestilling import jobs


class Command(BaseCommand):
    help = ("Fail dataset imports and committee PDFs whose worker died or that never started, and delete "
            "uploads never imported. Run every few minutes.")

    def handle(self, *args, **options):
        counts = jobs.expire_stale_jobs()
        for path, count in counts.items():
            if count:
                self.stdout.write(f"{path}: {count}")
        self.stdout.write(self.style.SUCCESS(f"Stale jobs expired: {sum(counts.values())}."))
