"""Maintenance that only the database owner may do: audit retention and erasing a
municipality.

The application runs as a role that may insert and read audit rows but never change or
delete them (`manage.py grant_runtime_role`, migration accounts 0005). These operations
do change them, so they run from management commands with the owner's DATABASE_URL
(the role that runs migrations), inside `owner_transaction()`, which refuses any other
role with a message saying how to run them, and switches the audit trigger's
maintenance mode on for that one transaction only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, models, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from . import audit
from .models import AuditEvent, DataVersion, Municipality, Unit, User


class NotOwner(Exception):
    """The database session is not the owner of the tables."""


def _is_owner() -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite has no roles: whoever can open the file owns it
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_has_role(current_user, relowner, 'MEMBER'), current_user "
            "FROM pg_class WHERE oid = %s::regclass",
            [AuditEvent._meta.db_table],
        )
        is_owner, _user = cursor.fetchone()
    return bool(is_owner)


@contextlib.contextmanager
def owner_transaction():
    """One transaction as the table owner, with audit maintenance allowed in it."""
    if not _is_owner():
        raise NotOwner(
            "This command changes the audit log and must run as the database owner role "
            "(the one migrations run as): set DATABASE_URL to the owner's connection."
        )
    with transaction.atomic():
        _set_maintenance("on")
        yield
        # SET LOCAL lasts until the outermost transaction ends; when this one is nested
        # (a savepoint), switch it off again so nothing after it inherits the mode.
        _set_maintenance("off")


def _set_maintenance(value: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('ligestilling.audit_maintenance', %s, true)", [value])


def _audit_rows() -> models.QuerySet[AuditEvent]:
    # AuditEvent's own manager refuses update() and delete() (the append-only rule of
    # the application); maintenance uses Django's plain queryset on purpose.
    return models.QuerySet(model=AuditEvent)


def purge_audit(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete audit events past their retention: access events (logins, reads, exports)
    after AUDIT_ACCESS_RETENTION_MONTHS, the rest (changes, administration) after
    AUDIT_CHANGE_RETENTION_MONTHS. Returns the counts deleted."""
    now = now or timezone.now()
    access_cutoff = now - relativedelta(months=settings.AUDIT_ACCESS_RETENTION_MONTHS)
    change_cutoff = now - relativedelta(months=settings.AUDIT_CHANGE_RETENTION_MONTHS)
    old = _audit_rows().filter(at__lt=max(access_cutoff, change_cutoff))
    access_ids = [pk for pk, action in old.values_list("pk", "action") if audit.is_access_event(action)]
    with owner_transaction():
        access = _audit_rows().filter(pk__in=access_ids, at__lt=access_cutoff).delete()[0]
        changes = (
            _audit_rows().filter(at__lt=change_cutoff).exclude(pk__in=access_ids).delete()[0]
        )
    return {"access": access, "changes": changes}


def pseudonym(user_id: int) -> str:
    """A stable stand-in for an erased user in the audit trail: the same user keeps
    the same pseudonym (the trail still reads as one actor), and nobody can go back
    from it to the user without the installation's secret."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"audit-user:{user_id}".encode(), hashlib.sha256)
    return f"slettet-bruger-{digest.hexdigest()[:12]}"


#: Audit detail keys that can identify a person.
IDENTIFYING_DETAIL_KEYS = frozenset({"username", "email", "name", "full_name", "actor"})


def _tenant_models() -> list[type[models.Model]]:
    """Every model with a foreign key to Municipality, units and users last."""
    found = []
    for model in apps.get_models():
        if model in (Unit, User, Municipality, AuditEvent):
            continue
        if any(f.many_to_one and f.related_model is Municipality for f in model._meta.get_fields()):
            found.append(model)
    return found


def _delete_business_rows(municipality: Municipality) -> int:
    """Delete every row of the municipality (cascading through Django's collector).

    Rows protect one another (entries protect their unit and list items, projects their
    responsible user), so models are deleted in rounds until none refuses; the set of
    models comes from the schema, so a new app's data is not forgotten.
    """
    pending = _tenant_models()
    deleted = 0
    while pending:
        refused = []
        for model in pending:
            field = next(f for f in model._meta.get_fields() if f.many_to_one and f.related_model is Municipality)
            try:
                with transaction.atomic():
                    deleted += model._base_manager.filter(**{field.name: municipality}).delete()[0]
            except ProtectedError:
                refused.append(model)
        if len(refused) == len(pending):
            names = ", ".join(m._meta.label for m in refused)
            raise RuntimeError(f"Could not delete the rows of {names}: they protect each other.")
        pending = refused
    # Units from the leaves up (a unit protects its children).
    for unit in Unit.objects.filter(municipality=municipality).order_by("-depth"):
        deleted += unit.delete()[0]
    return deleted


def erase_municipality(*, municipality: Municipality) -> dict[str, int]:
    """Delete all of a municipality's data and its users; keep its audit trail with the
    users replaced by pseudonyms and every identifying field emptied.

    After this, no business row refers to the municipality, its units or its users, and
    no audit row names one of its users (by id, e-mail, IP address or detail).
    """
    users = list(User.objects.filter(municipality=municipality).values_list("pk", "email"))
    user_ids = [pk for pk, _email in users]
    emails = {email for _pk, email in users}
    with owner_transaction():
        rows = _delete_business_rows(municipality)
        rows += _scrub_sessions(user_ids)
        rows += _delete_login_attempts(emails)
        rows += User.objects.filter(pk__in=user_ids).delete()[0]
        rows += DataVersion.objects.filter(tenant=municipality.pk).delete()[0]
        scrubbed = _scrub_audit(municipality.pk, user_ids, emails)
        name = municipality.name
        municipality_id = municipality.pk
        municipality.delete()
        AuditEvent.objects.create(action="municipality.erase", object_type="accounts.municipality",
                                  object_id=str(municipality_id), municipality_id=municipality_id,
                                  detail={"rows": rows, "audit_rows_pseudonymised": scrubbed,
                                          "users": len(user_ids), "name": name})
    return {"rows": rows, "users": len(user_ids), "audit_rows": scrubbed}


def _scrub_audit(municipality_id: int, user_ids: list[int], emails: set[str]) -> int:
    events = _audit_rows().filter(
        models.Q(user_id__in=user_ids) | models.Q(municipality_id=municipality_id)
        | models.Q(actor__in=emails) | models.Q(detail__username__in=list(emails))
    )
    scrubbed = 0
    for event in events.only("pk", "user_id", "actor", "detail"):
        detail = {k: v for k, v in (event.detail or {}).items()
                  if k not in IDENTIFYING_DETAIL_KEYS and v not in emails}
        actor = pseudonym(event.user_id) if event.user_id else ("" if event.actor in emails else event.actor)
        _audit_rows().filter(pk=event.pk).update(user_id=None, actor=actor, ip=None, detail=detail)
        scrubbed += 1
    return scrubbed


def _scrub_sessions(user_ids: list[int]) -> int:
    wanted = {str(pk) for pk in user_ids}
    stale = [s.pk for s in Session.objects.iterator() if s.get_decoded().get("_auth_user_id") in wanted]
    return Session.objects.filter(pk__in=stale).delete()[0]


def _delete_login_attempts(emails: set[str]) -> int:
    count = 0
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        count += model.objects.filter(username__in=emails).delete()[0]
    return count
