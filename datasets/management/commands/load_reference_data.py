from django.core.management.base import BaseCommand

from datasets import reference


class Command(BaseCommand):
    help = "Create or update the shared reference dataset with the national figures from the pamphlet."

    def handle(self, *args, **options):
        reference.load()
        self.stdout.write(self.style.SUCCESS(f"Reference dataset “{reference.REFERENCE_TITLE}” is up to date."))
