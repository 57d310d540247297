from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Municipality
from datasets import importing, services
from datasets.models import Dataset


class Command(BaseCommand):
    help = ("Import a CSV or XLSX file into a municipality's dataset (created when missing). "
            "The columns are detected as on the mapping page; nothing is stored if any row is wrong.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--municipality", required=True, help="The municipality's short name (slug).")
        parser.add_argument("--dataset", required=True, help="The dataset's title.")
        parser.add_argument("--replace", action="store_true", help="Replace the dataset's data with the file's.")
        parser.add_argument("--period", default="", help="Period when the file has none, e.g. 2014.")
        parser.add_argument("--person-level", action="store_true",
                            help="One row per citizen or case; summed on import.")

    def handle(self, *args, file: Path, municipality: str, dataset: str, replace: bool, period: str,
               person_level: bool, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        place = Municipality.objects.filter(slug=municipality).first()
        if place is None:
            raise CommandError(f"No municipality with the short name {municipality!r}.")
        target = Dataset.objects.filter(municipality=place, title=dataset).first()
        created = target is None
        if created:
            target = services.create_dataset(municipality=place, title=dataset)
        try:
            detection = importing.detect(file)
            plan = importing.Plan(
                targets=detection.targets, kind=importing.PERSON if person_level else detection.kind,
                sex_codes=detection.sex_codes, default_indicator=dataset,
                default_period=importing.period(period) or "" if period else "",
            )
            result = services.import_file(dataset=target, path=file, plan=plan, replace=replace,
                                          filename=file.name)
        except (importing.FileRefused, services.ImportRefused) as exc:
            if created:
                # A refused file changes nothing: not even the dataset made for it.
                services.delete_dataset(dataset=target)
            if isinstance(exc, importing.FileRefused):
                raise CommandError(exc.message) from exc
            lines = [exc.message]
            for error in exc.errors:
                lines.append(f"  række {error['row']}, kolonne {error['column']!r}, værdi {error['value']!r}: "
                             f"{error['reason']}")
            if exc.total > len(exc.errors):
                lines.append(f"  … og {exc.total - len(exc.errors)} fejl mere.")
            raise CommandError("\n".join(lines)) from exc
        if created:
            self.stdout.write(f"Created the dataset “{dataset}” for {place.name}.")
        self.stdout.write(self.style.SUCCESS(
            f"Imported {result.rows} rows into “{dataset}”: {result.observations} figures, "
            f"{len(result.indicators)} indicators, {result.seconds:.1f} s."))
