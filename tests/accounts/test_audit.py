import pytest
from django.db import connection, transaction

from accounts.models import AuditEvent


def test_audit_log_is_append_only(world):
    event = AuditEvent.objects.create(action="test.event")
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(action="changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_database_refuses_changes_to_the_audit_log(world):
    from django.db import DatabaseError

    event = AuditEvent.objects.create(action="test.event")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditevent SET action = 'x' WHERE id = %s", [event.pk])


@pytest.mark.parametrize("proxies, remote, forwarded, expected", [
    # No proxy: the TCP peer, whatever the client claims.
    (0, "203.0.113.7", "10.0.0.1", "203.0.113.7"),
    # nginx appends the client it saw; what the client sent before it is not believed.
    (1, "127.0.0.1", "10.9.9.9, 198.51.100.23", "198.51.100.23"),
    (1, "127.0.0.1", "198.51.100.23", "198.51.100.23"),
    # A load balancer in front of nginx: the second entry from the right.
    (2, "127.0.0.1", "6.6.6.6, 198.51.100.23, 192.0.2.10", "198.51.100.23"),
    # Fewer entries than proxies (the request skipped one): the TCP peer.
    (2, "192.0.2.10", "198.51.100.23", "192.0.2.10"),
    # Garbage is not stored as an address.
    (1, "127.0.0.1", "not-an-ip", None),
])
def test_audit_ip_comes_from_the_trusted_proxies(rf, settings, proxies, remote, forwarded, expected):
    """The probe found the first X-Forwarded-For entry used, which the client controls."""
    from accounts.audit import client_ip

    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_retention_purge_keeps_changes_longer_than_access(world, settings):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    settings.AUDIT_ACCESS_RETENTION_MONTHS = 6
    settings.AUDIT_CHANGE_RETENTION_MONTHS = 60
    now = timezone.now()
    ages = {"old_login": ("auth.login", 200), "old_read": ("logbook.entry.read", 200),
            "recent_read": ("logbook.entry.read", 100), "old_change": ("unit.create", 200),
            "ancient_change": ("unit.create", 365 * 6)}
    for key, (action, days) in ages.items():
        AuditEvent.objects.create(action=action, at=now - dt.timedelta(days=days), object_id=key)
    call_command("purge_expired", stdout=open("/dev/null", "w"))
    kept = set(AuditEvent.objects.filter(object_id__in=ages).values_list("object_id", flat=True))
    assert kept == {"recent_read", "old_change"}
