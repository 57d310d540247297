"""Give the application's runtime database role exactly what it needs.

Run as the owner role after every `migrate` (new tables need their grants):

    DATABASE_URL=postgres://owner@db/ligestilling python manage.py migrate
    DATABASE_URL=postgres://owner@db/ligestilling python manage.py grant_runtime_role ligestilling_app

The runtime role (gunicorn and the task worker connect as it) may read and write the
application's tables, but owns none of them, so it cannot ALTER, DROP or DISABLE
TRIGGER; on the audit log it may only INSERT and SELECT; it may not TRUNCATE anything
and may not create objects in the schema.
"""

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.models import AuditEvent


class Command(BaseCommand):
    help = "Grant the runtime database role its least privileges (run as the owner after migrate)."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role gunicorn and the worker connect as")

    def handle(self, *args, role: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles exist on PostgreSQL only.")
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
            raise CommandError("A role name is lower-case letters, digits and underscores.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"There is no database role {role!r}; create it first (CREATE ROLE ... LOGIN).")
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone()[0]:
                raise CommandError(f"{role!r} is a superuser: the runtime role must be an ordinary role.")
            q = connection.ops.quote_name
            who, audit_table, database = q(role), q(AuditEvent._meta.db_table), q(connection.settings_dict["NAME"])
            statements = [
                f"GRANT CONNECT ON DATABASE {database} TO {who}",
                f"GRANT USAGE ON SCHEMA public TO {who}",
                f"REVOKE CREATE ON SCHEMA public FROM {who}",
                f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {who}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {who}",
                f"REVOKE UPDATE, DELETE ON {audit_table} FROM {who}",
                f"REVOKE INSERT, UPDATE, DELETE ON django_migrations FROM {who}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {who}",
            ]
            for statement in statements:
                cursor.execute(statement)
            cursor.execute(
                "SELECT has_schema_privilege(%s, 'public', 'CREATE'), "
                "EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s)",
                [role, role],
            )
            can_create, owns_tables = cursor.fetchone()
        if owns_tables:
            raise CommandError(f"{role!r} owns tables in the schema; the runtime role must own none "
                               "(run migrations as the owner role).")
        if can_create:
            self.stderr.write(self.style.WARNING(
                "The runtime role can still create objects in schema public (granted to PUBLIC?). "
                "Run as the schema's owner: REVOKE CREATE ON SCHEMA public FROM PUBLIC."))
        self.stdout.write(self.style.SUCCESS(f"Granted the runtime privileges to {role}."))
