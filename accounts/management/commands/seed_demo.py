import importlib
import importlib.util

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts import demo, versions
from accounts.models import Municipality

# Apps add their own demo content in <app>/demo.py (a `seed(stdout=...)` function),
# run in this order because later apps build on earlier ones.
APP_DEMOS = ["datasets", "logbooks", "projects", "workshops", "reporting"]


class Command(BaseCommand):
    help = "Create demo municipalities, users and content (idempotent). Refuses in production unless --force."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with known passwords and refuses to run with DEBUG off. "
                "Use --force if this really is a demo installation."
            )
        logins = demo.seed(stdout=self.stdout)
        for app in APP_DEMOS:
            if importlib.util.find_spec(f"{app}.demo") is not None:
                importlib.import_module(f"{app}.demo").seed(stdout=self.stdout)
        # Demo content is partly written in bulk, past the services: a running server must
        # not keep showing the dashboards it computed before.
        for municipality_id in Municipality.objects.values_list("pk", flat=True):
            versions.bump(municipality_id)
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Log in at http://127.0.0.1:8000/ with:"))
        for municipality, role, email in logins:
            self.stdout.write(f"  {municipality:<16} {role:<14} {email:<28} {demo.DEMO_PASSWORD}")
