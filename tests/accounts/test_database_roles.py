"""The runtime role cannot erase the audit trail (PostgreSQL: roles exist there only).

An outside probe found that TRUNCATE and DISABLE TRIGGER worked for the application's
database user, because the application connected as the owner of its tables.
"""

import uuid

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from accounts.maintenance import NotOwner, owner_transaction
from accounts.models import AuditEvent

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's")

TABLE = AuditEvent._meta.db_table


@pytest.fixture
def runtime_role(db):
    role = f"lig_runtime_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN')
    call_command("grant_runtime_role", role, stdout=open("/dev/null", "w"))
    yield role
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')


def _as_role(role, statement, params=()):
    """Run one statement as `role` in a savepoint that is rolled back afterwards."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{role}"')
        cursor.execute(statement, params)
        result = cursor.fetchall() if cursor.description else None
        transaction.set_rollback(True)
        return result


def test_runtime_role_may_insert_and_read_audit_rows(runtime_role):
    event = AuditEvent.objects.create(action="test.event")
    assert _as_role(runtime_role, f"SELECT action FROM {TABLE} WHERE id = %s", [event.pk]) == [("test.event",)]
    _as_role(runtime_role, f"INSERT INTO {TABLE} (at, actor, action, object_type, object_id, detail) "
                           "VALUES (now(), '', 'x', '', '', '{}')")


@pytest.mark.parametrize("statement", [
    f"UPDATE {TABLE} SET action = 'changed'",
    f"DELETE FROM {TABLE}",
    f"TRUNCATE {TABLE}",
    f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL",
    f"DROP TABLE {TABLE}",
    # Even after claiming maintenance mode, which only the owner may use.
    f"SET LOCAL ligestilling.audit_maintenance = 'on'; DELETE FROM {TABLE}",
])
def test_runtime_role_cannot_change_or_erase_the_audit_log(runtime_role, statement):
    AuditEvent.objects.create(action="test.event")
    with pytest.raises(DatabaseError):
        _as_role(runtime_role, statement)
    assert AuditEvent.objects.filter(action="test.event").exists()


def test_runtime_role_reads_and_writes_business_tables_but_cannot_alter_them(runtime_role, world):
    assert _as_role(runtime_role, "SELECT count(*) FROM accounts_unit")[0][0] >= 6
    _as_role(runtime_role, "UPDATE accounts_unit SET name = name")
    for statement in ["ALTER TABLE accounts_unit ADD COLUMN x int", "TRUNCATE accounts_unit CASCADE",
                      "CREATE TABLE public.intruder (id int)"]:
        with pytest.raises(DatabaseError):
            _as_role(runtime_role, statement)


def test_a_truncate_trigger_refuses_even_a_granted_truncate(runtime_role):
    """The trigger is the second lock: a mistaken GRANT TRUNCATE does not open the door."""
    AuditEvent.objects.create(action="test.event")
    with connection.cursor() as cursor:
        cursor.execute(f'GRANT TRUNCATE ON {TABLE} TO "{runtime_role}"')
    with pytest.raises(DatabaseError, match="append-only"):
        _as_role(runtime_role, f"TRUNCATE {TABLE}")
    assert AuditEvent.objects.filter(action="test.event").exists()


def test_the_owner_changes_rows_only_in_maintenance_mode(db):
    event = AuditEvent.objects.create(action="test.event")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])
    with owner_transaction(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])
    assert not AuditEvent.objects.filter(pk=event.pk).exists()
    # The mode ends with its block, even inside an enclosing transaction.
    other = AuditEvent.objects.create(action="test.event")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [other.pk])


def test_the_grant_command_refuses_a_superuser_and_an_unknown_role(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="superuser"):
        call_command("grant_runtime_role", "postgres")
    with pytest.raises(CommandError, match="no database role"):
        call_command("grant_runtime_role", "lig_does_not_exist")
    with pytest.raises(CommandError, match="lower-case"):
        call_command("grant_runtime_role", 'x"; DROP TABLE accounts_user; --')


def test_maintenance_refuses_the_runtime_role(runtime_role):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{runtime_role}"')
        with pytest.raises(NotOwner, match="owner"), owner_transaction():
            pass
        transaction.set_rollback(True)
