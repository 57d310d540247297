"""Build a committee report from the command line (scheduled use).

    manage.py build_report --municipality aarhus --unit "Jobcenter" --period 2025 --output report.pdf

The report is kept like one built in the browser (same service, same numbers).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accounts.models import Municipality, Unit
from ligestilling.lib.periods import parse_period
from reporting import documents, pdf, services
from reporting.models import Report


class Command(BaseCommand):
    help = "Build a committee PDF report for a municipality or a unit and a period."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="The municipality's slug, e.g. aarhus.")
        parser.add_argument("--unit", default="", help="A unit's name or UUID (default: the whole municipality).")
        parser.add_argument("--period", default="12m", help="2025, 2025-03, 2025-01-01:2025-06-30 or 12m.")
        parser.add_argument("--output", required=True, help="Where to write the PDF.")
        parser.add_argument("--title", default="Ligestilling i vores ydelser")
        parser.add_argument("--committee", default="Udvalget")
        parser.add_argument("--sections", default="",
                            help="Comma-separated: " + ", ".join(Report.Section.values) + " (default: all available).")

    def handle(self, *args, **options):
        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"No municipality with the short name {options['municipality']!r}.")
        unit = None
        if options["unit"]:
            units = Unit.objects.filter(municipality=municipality)
            unit = units.filter(name=options["unit"]).first()
            if unit is None:
                try:
                    unit = units.filter(uuid=options["unit"]).first()
                except Exception:  # not a UUID
                    unit = None
            if unit is None:
                raise CommandError(f"No unit {options['unit']!r} in {municipality.name}.")
        try:
            period = parse_period(options["period"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        available = documents.available_sections()
        sections = [s.strip() for s in options["sections"].split(",") if s.strip()] or available
        unknown = set(sections) - set(available)
        if unknown:
            raise CommandError(f"Unknown or unavailable sections: {', '.join(sorted(unknown))}.")
        with translation.override("da"):
            report = services.create_report(
                municipality=municipality, unit=unit, user=None, title=options["title"],
                committee=options["committee"], meeting_date=None, date_from=period.date_from,
                date_to=period.date_to, sections=sections,
            )
            report = pdf.generate(report.pk)
        if report.status != Report.Status.DONE:
            raise CommandError(f"The report failed: {report.error}")
        data = Report.objects.values_list("pdf", flat=True).get(pk=report.pk)
        Path(options["output"]).write_bytes(bytes(data))
        self.stdout.write(f"{options['output']}: {report.pages} pages, {report.seconds} s (report {report.uuid})")
