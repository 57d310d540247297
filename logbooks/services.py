"""Workflows of the logbooks app: entries, lists, observations, retention.

All functions are keyword-only and atomic; free text always passes the privacy guard
(`ligestilling.lib.privacy`, in the models' `full_clean()`) here, whatever the caller's form did.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, versions
from accounts.models import Municipality, Unit, User
from ligestilling.lib import periods
from reporting.summary import count_conversation
from reporting.tasks import refresh_summary_task

from .models import Entry, EntryTopic, ListItem, Observation, RaisedBy, UnitSettings

# Seed lists per service area: (kinds of conversation, topics, offers, outcomes).
DEFAULT_LISTS: dict[str, dict[str, list[str]]] = {
    "job": {
        ListItem.Kind.CONVERSATION: ["Første samtale på jobcentret", "Opfølgningssamtale", "Rådighedssamtale",
                                     "Fællesmøde med virksomhed"],
        ListItem.Kind.TOPIC: ["Jobsøgning", "Uddannelse", "Helbred", "Børnepasning", "Økonomi", "Sprog",
                              "Praktik", "Netværk og familie"],
        ListItem.Kind.OFFER: ["Privat virksomhedspraktik", "Offentlig virksomhedspraktik", "Løntilskud",
                              "Kursus", "Uddannelsesforløb", "Mentor"],
        ListItem.Kind.OUTCOME: ["Aftale om aktivitet", "Ny samtale aftalt", "Henvist til anden indsats",
                                "Ingen aftale"],
    },
    "care": {
        ListItem.Kind.CONVERSATION: ["Visitationssamtale", "Start på rehabilitering", "Opfølgning",
                                     "Afslutningssamtale"],
        ListItem.Kind.TOPIC: ["Træning", "Hjemmehjælp", "Ensomhed", "Helbred", "Ernæring", "Hjælpemidler",
                              "Pårørende", "Økonomi"],
        ListItem.Kind.OFFER: ["Træningsforløb", "Hjemmehjælp", "Madservice", "Hjælpemiddel", "Aktivitetstilbud",
                              "Besøgsven"],
        ListItem.Kind.OUTCOME: ["Selvhjulpen", "Bevilget hjælp", "Henvist videre", "Ny samtale aftalt"],
    },
}


#: Relations of a new entry that create_entry checks itself (see there); the idempotency
#: key's uniqueness is the database's (create_once).
ENTRY_TRUSTED = ("municipality", "unit", "author", "kind", "outcome", "uuid", "idempotency_key")


class EntryChanged(ValidationError):
    """The entry was changed by someone else since the form was opened."""


def _check(obj, trusted: Iterable[str] = ()) -> None:
    """Model validation, the privacy guard of the model's `FREE_TEXT_FIELDS` included.
    `trusted`: relations the caller has already checked, so full_clean need not look each
    one up again. The record key is drawn by the model, never entered; the database's
    check constraint guards its range, so its validation query is not repeated here."""
    exclude = ["offers", *trusted]
    if isinstance(obj, Entry):
        exclude.append("record_key")
    obj.full_clean(exclude=exclude)


def unit_items(unit: Unit, kind: str | None = None, *, entry: Entry | None = None):
    """The active list items that apply to `unit`: its own and those of the units above it.

    With `entry`, also the switched-off items the entry already uses, so editing an old
    entry never drops its choices silently.
    """
    qs = ListItem.objects.filter(unit_id__in=set(unit.ancestor_ids) | {unit.pk})
    active = Q(is_active=True)
    if entry is not None and entry.pk:
        used = {entry.kind_id, entry.outcome_id} | set(entry.topics.values_list("topic_id", flat=True)) | set(
            entry.offers.values_list("pk", flat=True))
        active |= Q(pk__in=used - {None})
    qs = qs.filter(active)
    return qs.filter(kind=kind) if kind else qs


def _validate_items(unit: Unit, topics: Mapping[ListItem, str], offers: Iterable[ListItem],
                    kind: ListItem | None, outcome: ListItem | None, entry: Entry | None = None) -> None:
    allowed = set(unit_items(unit, entry=entry).values_list("pk", "kind"))
    checks = [(t, ListItem.Kind.TOPIC) for t in topics] + [(o, ListItem.Kind.OFFER) for o in offers]
    if kind is not None:
        checks.append((kind, ListItem.Kind.CONVERSATION))
    if outcome is not None:
        checks.append((outcome, ListItem.Kind.OUTCOME))
    for item, item_kind in checks:
        if (item.pk, item_kind) not in allowed:
            raise ValidationError(_("“%(item)s” is not on the unit's list.") % {"item": item.label})
    for raised_by in topics.values():
        if raised_by not in RaisedBy.values:
            raise ValidationError(_("Choose who raised the topic."))


def _write_relations(entry: Entry, topics: Mapping[ListItem, str], offers: Iterable[ListItem],
                     new: bool = False) -> None:
    if not new:
        entry.topics.all().delete()
    EntryTopic.objects.bulk_create(EntryTopic.of(entry, t, r) for t, r in topics.items())
    if new:
        through = Entry.offers.through
        through.objects.bulk_create(through(entry_id=entry.pk, listitem_id=o.pk) for o in offers)
    else:
        entry.offers.set(list(offers))


@transaction.atomic
def create_entry(
    *,
    author: User,
    unit: Unit,
    fields: Mapping[str, object],
    topics: Mapping[ListItem, str] | None = None,
    offers: Iterable[ListItem] = (),
    idempotency_key: uuid.UUID | None = None,
) -> Entry:
    """Store a logbook entry. `fields`: date, time, kind, staff_present, sex, age_band,
    education, civil_status, origin, outcome, outcome_text, gender_attention, reflections,
    open_questions. `topics` maps each topic to who raised it ("medarbejder"/"borger").
    With `idempotency_key`, a second entry of the author with the same key is refused by
    the database (IntegrityError): use create_once."""
    topics = dict(topics or {})
    offers = list(offers)
    if author.municipality_id != unit.municipality_id:
        raise ValidationError(_("The unit belongs to another municipality."))
    entry = Entry(municipality_id=unit.municipality_id, unit=unit, author=author, idempotency_key=idempotency_key,
                  **fields)
    # The unit and author are loaded objects of this municipality (checked above) and the
    # list items are checked against the unit's lists below; the uuid is new. Skipping
    # their existence and uniqueness checks saves six queries per logged conversation.
    _check(entry, trusted=ENTRY_TRUSTED)
    _validate_items(unit, topics, offers, entry.kind, entry.outcome)
    entry.save(force_insert=True)
    _write_relations(entry, topics, offers, new=True)
    count_conversation(municipality_id=entry.municipality_id, day=entry.date, sex=entry.sex, delta=1,
                       record_key=entry.record_key)
    # Last: the version row stays locked until the commit, and entries are written concurrently.
    versions.bump(entry.municipality_id)
    return entry


M = TypeVar("M", Entry, Observation)

#: The create functions that take an idempotency key: their model and its owner argument.
ONCE = {"create_entry": (Entry, "author"), "create_observation": (Observation, "observer")}


def create_once(create: Callable[..., M], *, idempotency_key: uuid.UUID | None, **kwargs) -> tuple[M, bool]:
    """`create(idempotency_key=..., **kwargs)` (create_entry or create_observation) once per
    key and owner: a repeated key returns the object the first call stored, and False.

    Costs nothing on the common path: the unique constraint (owner, key) refuses the second
    INSERT, which waits for the first one's transaction when both run at once; the refused
    call's transaction is rolled back whole, and the first call's object is read. Not
    atomic itself, so that on PostgreSQL the lookup runs after that rollback.
    """
    model, owner = ONCE[create.__name__]
    try:
        return create(idempotency_key=idempotency_key, **kwargs), True
    except IntegrityError:
        if idempotency_key is None:
            raise
        first = model.objects.filter(**{owner: kwargs[owner]}, idempotency_key=idempotency_key).first()
        if first is None:
            raise
        return first, False


@transaction.atomic
def update_entry(
    *,
    entry: Entry,
    by: User,
    expected_version: int,
    fields: Mapping[str, object],
    topics: Mapping[ListItem, str] | None = None,
    offers: Iterable[ListItem] = (),
) -> Entry:
    """Change an entry; refuses (EntryChanged) when it was saved by someone else since
    `expected_version` was read, so no edit silently overwrites another."""
    if entry.author_id != by.pk:
        raise ValidationError(_("Only the author can change an entry."))
    topics = dict(topics or {})
    offers = list(offers)
    stored = Entry.objects.get(pk=entry.pk)
    for name, value in fields.items():
        setattr(entry, name, value)
    _check(entry)
    _validate_items(entry.unit, topics, offers, entry.kind, entry.outcome, entry=stored)
    bumped = Entry.objects.filter(pk=entry.pk, version=expected_version).update(version=F("version") + 1)
    if not bumped:
        raise EntryChanged(
            _("The entry was changed elsewhere after you opened it. Reload it and make your change again."),
            code="stale",
        )
    entry.version = expected_version + 1
    entry.save()
    _write_relations(entry, topics, offers)
    if (stored.date.replace(day=1), stored.sex) != (entry.date.replace(day=1), entry.sex):
        count_conversation(municipality_id=entry.municipality_id, day=stored.date, sex=stored.sex, delta=-1,
                           record_key=stored.record_key)
        count_conversation(municipality_id=entry.municipality_id, day=entry.date, sex=entry.sex, delta=1,
                           record_key=stored.record_key)
    versions.bump(entry.municipality_id)
    return entry


@transaction.atomic
def delete_entry(*, entry: Entry, by: User) -> None:
    if entry.author_id != by.pk:
        raise ValidationError(_("Only the author can delete an entry."))
    key = entry.record_key  # read before the row is gone
    entry.delete()
    count_conversation(municipality_id=entry.municipality_id, day=entry.date, sex=entry.sex, delta=-1,
                       record_key=key)
    versions.bump(entry.municipality_id)


# --- Lists --------------------------------------------------------------------------


@transaction.atomic
def add_list_item(*, unit: Unit, kind: str, label: str, by: User | None = None) -> ListItem:
    versions.bump(unit.municipality_id)
    label = label.strip()
    if ListItem.objects.filter(unit=unit, kind=kind, label__iexact=label).exists():
        raise ValidationError({"label": _("The list already has “%(label)s”.") % {"label": label}})
    last = ListItem.objects.filter(unit=unit, kind=kind).order_by("-position").first()
    item = ListItem(municipality_id=unit.municipality_id, unit=unit, kind=kind, label=label,
                    position=(last.position + 10) if last else 10)
    item.full_clean()
    item.save()
    if by is not None:
        audit.record("logbook.list_item.add", user=by, obj=item, kind=kind)
    return item


@transaction.atomic
def set_list_item_active(*, item: ListItem, active: bool, by: User | None = None) -> ListItem:
    """Items are switched off, never deleted, so old entries keep their meaning."""
    versions.bump(item.municipality_id)
    item.is_active = active
    item.save(update_fields=["is_active"])
    if by is not None:
        audit.record("logbook.list_item.active" if active else "logbook.list_item.inactive", user=by, obj=item)
    return item


@transaction.atomic
def seed_lists(*, unit: Unit, area: str) -> None:
    """Give a unit the default lists of a service area ("job" or "care"); idempotent."""
    versions.bump(unit.municipality_id)
    for kind, labels in DEFAULT_LISTS[area].items():
        for position, label in enumerate(labels, start=1):
            ListItem.objects.get_or_create(
                unit=unit, kind=kind, label=label,
                defaults={"municipality_id": unit.municipality_id, "position": position * 10},
            )


def asked_parameters(unit: Unit) -> set[str]:
    """The optional entry fields ("education", "civil_status", "origin") the unit asks for."""
    asked: set[str] = set()
    for settings in UnitSettings.objects.filter(unit_id__in=set(unit.ancestor_ids) | {unit.pk}):
        asked |= {field for flag, field in UnitSettings.PARAMETERS.items() if getattr(settings, flag)}
    return asked


@transaction.atomic
def set_unit_parameters(*, unit: Unit, education: bool, civil_status: bool, origin: bool,
                        by: User | None = None) -> UnitSettings:
    settings, _created = UnitSettings.objects.get_or_create(unit=unit, defaults={"municipality_id": unit.municipality_id})
    settings.ask_education, settings.ask_civil_status, settings.ask_origin = education, civil_status, origin
    settings.full_clean()
    settings.save()
    if by is not None:
        audit.record("logbook.settings", user=by, obj=unit, education=education, civil_status=civil_status,
                     origin=origin)
    return settings


# --- Observations ---------------------------------------------------------------------


@transaction.atomic
def create_observation(*, observer: User, observed: User, unit: Unit, fields: Mapping[str, object],
                       idempotency_key: uuid.UUID | None = None) -> Observation:
    """With `idempotency_key`: once per observer and key, see create_once."""
    if not (observer.municipality_id == observed.municipality_id == unit.municipality_id):
        raise ValidationError(_("The colleague must work in your municipality."))
    if observer.pk == observed.pk:
        raise ValidationError({"observed": _("Choose the colleague you observed, not yourself.")})
    observation = Observation(municipality_id=unit.municipality_id, unit=unit, observer=observer,
                              observed=observed, idempotency_key=idempotency_key, **fields)
    _check(observation, trusted=("idempotency_key",))
    observation.save()
    return observation


@transaction.atomic
def respond_to_observation(*, observation: Observation, by: User, response: str) -> Observation:
    if observation.observed_id != by.pk:
        raise ValidationError(_("Only the observed colleague can respond."))
    observation.response = response
    observation.responded_at = timezone.now()
    _check(observation)
    observation.save(update_fields=["response", "responded_at"])
    return observation


# --- Retention ------------------------------------------------------------------------


def retention_cutoff(municipality: Municipality, today: dt.date | None = None) -> dt.date:
    """Entries of a conversation before this date are past retention."""
    today = today or timezone.localdate()
    return months_before(today, municipality.retention_months)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (clamped to the month's last day)."""
    return periods.add_months(day, -months)


@transaction.atomic
def purge_expired(*, today: dt.date | None = None) -> dict[str, int]:
    """Delete logbook entries older than each municipality's `retention_months`.
    Returns {municipality slug: entries deleted}."""
    deleted: dict[str, int] = {}
    for municipality in Municipality.objects.all():
        cutoff = retention_cutoff(municipality, today)
        expired = Entry.objects.filter(municipality=municipality, date__lt=cutoff)
        count = expired.count()
        if count:
            EntryTopic.objects.filter(entry__in=expired).delete()
            expired.delete()
            versions.bump(municipality.pk)
            audit.record("logbook.purge", municipality=municipality, object_type="logbooks.entry",
                         deleted=count, before=cutoff.isoformat())
            transaction.on_commit(lambda m=municipality.pk: refresh_summary_task.enqueue(municipality_id=m), robust=True)
        deleted[municipality.slug] = count
    return deleted
