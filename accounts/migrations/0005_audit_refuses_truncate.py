"""The audit log cannot be rewritten by the role the application runs as.

0002 refused UPDATE and DELETE for everyone. This replaces its function:
- UPDATE and DELETE are refused unless the session is the table's owner (the role that
  runs migrations and the maintenance commands, never the runtime role) *and* has said
  so with `SET LOCAL ligestilling.audit_maintenance = 'on'` (accounts.maintenance), so even
  the owner cannot change a row by accident;
- TRUNCATE is refused for everyone but the owner (the test framework's flush and a
  deliberate `manage.py flush` run as the owner). The runtime role has no TRUNCATE
  privilege either (`manage.py grant_runtime_role`); the trigger is the second lock.
- DISABLE TRIGGER needs ownership, which the runtime role does not have.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION accounts_auditevent_append_only() RETURNS trigger AS $$
DECLARE
    is_owner boolean := pg_has_role(
        current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER');
BEGIN
    IF TG_OP = 'TRUNCATE' AND is_owner THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND is_owner
       AND coalesce(current_setting('ligestilling.audit_maintenance', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only (% refused for role %)', TG_OP, current_user
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS accounts_auditevent_no_truncate ON accounts_auditevent;
CREATE TRIGGER accounts_auditevent_no_truncate
    BEFORE TRUNCATE ON accounts_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_auditevent_append_only();
"""

# Back to 0002's function: refuse row changes for everyone, no truncate trigger.
DROP = """
DROP TRIGGER IF EXISTS accounts_auditevent_no_truncate ON accounts_auditevent;
CREATE OR REPLACE FUNCTION accounts_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_user_email_lowercase")]
    operations = [migrations.RunPython(forwards, backwards)]
