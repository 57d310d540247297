"""Erasing a municipality: its business data and users go, its audit trail stays with
pseudonyms, and the other municipalities are untouched."""

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts import audit
from accounts.maintenance import pseudonym
from accounts.models import AuditEvent, Municipality, Unit, User


def _rows_referring_to(municipality_id, unit_ids, user_ids) -> dict[str, int]:
    """Every row of every model whose foreign key points at the municipality, one of its
    units or one of its users (found from the schema, not from a list)."""
    targets = {Municipality: {municipality_id}, Unit: set(unit_ids), User: set(user_ids)}
    found = {}
    for model in apps.get_models():
        if model is AuditEvent:
            continue
        for field in model._meta.get_fields():
            if field.many_to_one and field.related_model in targets and field.concrete:
                n = model._base_manager.filter(**{f"{field.attname}__in": targets[field.related_model]}).count()
                if n:
                    found[f"{model._meta.label}.{field.name}"] = n
            if field.many_to_many and not field.auto_created and field.related_model in targets:
                through = field.remote_field.through
                column = field.m2m_reverse_target_field_name()
                n = through._base_manager.filter(
                    **{f"{field.m2m_reverse_field_name()}__in": targets[field.related_model]}).count()
                if n:
                    found[f"{through._meta.label}.{column}"] = n
    return found


@pytest.fixture
def demo(db, settings, client):
    """The demo municipalities (data in every app; seeding costs ~20 s, so one test uses it)."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    settings.DEBUG = False
    aarhus = Municipality.objects.get(slug="aarhus")
    leder = User.objects.get(email="leder@aarhus.demo")
    # A session, a failed login and audit events with identifying fields.
    client.force_login(leder)
    client.post(reverse("accounts:login"), {"username": "leder@aarhus.demo", "password": "forkert-forkert"})
    audit.record("test.read", user=leder, municipality=aarhus, username=leder.email, rows=3)
    return aarhus


def test_erase_leaves_no_row_that_refers_to_the_municipality(demo):
    aarhus = demo
    unit_ids = list(Unit.objects.filter(municipality=aarhus).values_list("pk", flat=True))
    users = dict(User.objects.filter(municipality=aarhus).values_list("email", "pk"))
    user_ids, emails = list(users.values()), set(users)
    odense = Municipality.objects.get(slug="odense")

    def odense_rows():
        return _rows_referring_to(odense.pk, Unit.objects.filter(municipality=odense).values_list("pk", flat=True),
                                  User.objects.filter(municipality=odense).values_list("pk", flat=True))

    odense_before = odense_rows()
    before = _rows_referring_to(aarhus.pk, unit_ids, user_ids)
    # The demo has data in every app, the finder sees many-to-many rows (participants).
    assert len(before) > 10 and any("participants" in key for key in before), before
    audit_before = AuditEvent.objects.filter(municipality_id=aarhus.pk).count()

    call_command("erase_municipality", "aarhus", "--yes", stdout=open("/dev/null", "w"))

    assert _rows_referring_to(aarhus.pk, unit_ids, user_ids) == {}
    assert not Municipality.objects.filter(slug="aarhus").exists()
    assert all(s.get_decoded().get("_auth_user_id") not in {str(u) for u in user_ids}
               for s in Session.objects.all())
    # The trail stays, with no identifying field left, and one stable pseudonym per user.
    trail = AuditEvent.objects.filter(municipality_id=aarhus.pk)
    assert trail.count() >= audit_before
    for event in trail:
        assert event.user_id is None and event.ip is None
        assert event.actor == "" or event.actor.startswith("slettet-bruger-")
        assert not any(email in str(event.detail) for email in emails)
    assert not AuditEvent.objects.filter(actor__in=emails).exists()
    assert not AuditEvent.objects.filter(detail__username__in=list(emails)).exists()
    assert trail.filter(action="test.read", actor=pseudonym(users["leder@aarhus.demo"])).exists()
    assert pseudonym(users["leder@aarhus.demo"]) != pseudonym(users["medarbejder@aarhus.demo"])
    assert AuditEvent.objects.filter(action="municipality.erase", object_id=str(aarhus.pk)).exists()
    assert odense_rows() == odense_before


def test_erase_asks_for_the_short_name(world, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "aarhus")
    with pytest.raises(CommandError, match="Not confirmed"):
        call_command("erase_municipality", "odense")
    assert Municipality.objects.filter(slug="odense").exists()
    with pytest.raises(CommandError, match="No municipality"):
        call_command("erase_municipality", "atlantis", "--yes")
