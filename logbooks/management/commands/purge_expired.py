from django.core.management.base import BaseCommand, CommandError

from accounts.maintenance import NotOwner, purge_audit
from logbooks.services import purge_expired


class Command(BaseCommand):
    help = ("Daily retention: delete logbook entries older than each municipality's retention "
            "(retention_months, default 24) and audit events past AUDIT_ACCESS_RETENTION_MONTHS / "
            "AUDIT_CHANGE_RETENTION_MONTHS. Run as the database owner role (the audit log refuses "
            "deletes from the runtime role).")

    def handle(self, *args, **options):
        try:
            audit_deleted = purge_audit()
        except NotOwner as error:
            raise CommandError(str(error)) from None
        deleted = purge_expired()
        total = sum(deleted.values())
        for slug, count in deleted.items():
            if count:
                self.stdout.write(f"{slug}: {count} logbook entries deleted")
        self.stdout.write(self.style.SUCCESS(
            f"Purge done: {total} logbook entries and {audit_deleted['access']} access and "
            f"{audit_deleted['changes']} change audit events deleted."))
