from django.core.management.base import BaseCommand

from logbooks.services import purge_expired


class Command(BaseCommand):
    help = ("Delete logbook entries older than each municipality's retention (retention_months, default 24). "
            "Run daily (cron or the task worker).")

    def handle(self, *args, **options):
        deleted = purge_expired()
        total = sum(deleted.values())
        for slug, count in deleted.items():
            if count:
                self.stdout.write(f"{slug}: {count} logbook entries deleted")
        self.stdout.write(self.style.SUCCESS(f"Purge done: {total} logbook entries deleted."))
