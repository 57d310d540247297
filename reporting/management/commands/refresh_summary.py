"""Recompute the national overview's summary table (nightly safety net).

    manage.py refresh_summary                      # every municipality
    manage.py refresh_summary --municipality aarhus

The table is refreshed after every import and logbook write already (a background task);
run this nightly so that project and criteria changes, and anything a failed task missed,
are in the overview by the morning.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Municipality
from reporting.summary import refresh_summary


class Command(BaseCommand):
    help = "Recompute the summary table of the national overview (all municipalities, or one). Run nightly."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", default="", help="A municipality's slug, e.g. aarhus (default: all).")

    def handle(self, *args, **options):
        municipality_id = None
        if options["municipality"]:
            municipality_id = Municipality.objects.filter(slug=options["municipality"]).values_list(
                "pk", flat=True).first()
            if municipality_id is None:
                raise CommandError(f"No municipality with the short name {options['municipality']!r}.")
        started = time.monotonic()
        count = refresh_summary(municipality_id=municipality_id)
        self.stdout.write(self.style.SUCCESS(
            f"Summary refreshed for {count} municipalities in {time.monotonic() - started:.1f} s."))
