from django.core.management.base import BaseCommand, CommandError

from accounts.maintenance import NotOwner, erase_municipality
from accounts.models import Municipality


class Command(BaseCommand):
    help = ("Delete all of a municipality's data and users for good, keeping its audit trail with the "
            "users replaced by pseudonyms. Run as the database owner role.")

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the municipality's short name, e.g. odense")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, slug: str, yes: bool, **options):
        municipality = Municipality.objects.filter(slug=slug).first()
        if municipality is None:
            raise CommandError(f"No municipality with the short name {slug!r}.")
        if not yes:
            answer = input(f"Erase {municipality.name} ({municipality.code}) and all its data? Type its short name: ")
            if answer.strip() != slug:
                raise CommandError("Not confirmed; nothing was deleted.")
        try:
            result = erase_municipality(municipality=municipality)
        except NotOwner as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(
            f"{municipality.name} erased: {result['rows']} rows and {result['users']} users deleted, "
            f"{result['audit_rows']} audit rows pseudonymised."))
