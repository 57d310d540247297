"""Workflows of workshops, focus groups and citizen involvement (keyword-only, atomic, validated).

Outputs flow into the linked action-learning project through the projects app's public
API (`projects.services.add_hypothesis`, `add_action`, `update_hypothesis`); the workshop
keeps a link to what it produced. Every free text passes the privacy guard in the
models' `full_clean()` (`ligestilling.lib.privacy`), and text sent on to a project is
checked here too.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts import audit
from accounts.access import get_scope
from datasets.models import Dataset
from ligestilling.lib.privacy import validate_no_identifiers
from projects import services as project_services
from projects.models import Action, Hypothesis

from . import agenda
from .models import (
    AgeBand,
    AgendaItem,
    Finding,
    FocusGroup,
    Idea,
    InvolvementPlan,
    InvolvementSession,
    ParticipantCount,
    Sex,
    Workshop,
)


def _check_municipality(municipality, *, units: Iterable = (), users: Iterable = (), project=None) -> None:
    if any(u.municipality_id != municipality.pk for u in units):
        raise ValidationError({"units": _("Choose units of your own municipality.")})
    if any(u.municipality_id != municipality.pk for u in users):
        raise ValidationError({"participants": _("Choose users of your own municipality.")})
    if project is not None and project.municipality_id != municipality.pk:
        raise ValidationError({"project": _("Choose a project of your own municipality.")})


def _check_indicators(municipality, indicators, *, by, kept=(), field: str = "indicators") -> None:
    """Data of the municipality (or shared) that `by` may read (DatasetQuerySet.readable_by);
    `kept`: indicators already attached, which may stay whoever attached them."""
    if any(i.dataset.municipality_id not in (None, municipality.pk) for i in indicators):
        raise ValidationError({field: _("Choose data of your own municipality.")})
    kept_ids = {i.pk for i in kept}
    new = [i for i in indicators if i.pk not in kept_ids]
    if new and len(_readable(by, new)) < len(new):
        raise ValidationError({field: _("Choose data that you have access to.")})


def _readable(by, indicators) -> list:

    ids = set(Dataset.objects.readable_by(get_scope(by)).filter(pk__in={i.dataset_id for i in indicators})
              .values_list("pk", flat=True))
    return [i for i in indicators if i.dataset_id in ids]


def _save(obj, **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


# --- Workshops -------------------------------------------------------------------------


@transaction.atomic
def create_workshop(*, by, units: Iterable, participants: Iterable = (), use_template: bool = True,
                    request: HttpRequest | None = None, **fields) -> Workshop:
    municipality = by.municipality
    units, participants = list(units), list(participants)
    if not units:
        raise ValidationError({"units": _("Choose at least one unit.")})
    _check_municipality(municipality, units=units, users=participants, project=fields.get("project"))
    indicators = list(fields.pop("indicators", []))
    _check_indicators(municipality, indicators, by=by)
    workshop = _save(Workshop(municipality=municipality, organiser=fields.pop("organiser", by)), **fields)
    workshop.units.set(units)
    workshop.participants.set(participants)
    workshop.indicators.set(indicators)
    if use_template:
        for row in agenda.template_items(workshop.length):
            AgendaItem.objects.create(workshop=workshop, **row)
    audit.record("workshop.create", request=request, user=by, obj=workshop, title=workshop.title)
    return workshop


@transaction.atomic
def update_workshop(*, workshop: Workshop, by, units: Iterable, participants: Iterable,
                    request: HttpRequest | None = None, **fields) -> Workshop:
    units, participants = list(units), list(participants)
    if not units:
        raise ValidationError({"units": _("Choose at least one unit.")})
    _check_municipality(workshop.municipality, units=units, users=participants, project=fields.get("project"))
    indicators = fields.pop("indicators", None)
    if indicators is not None:
        indicators, current = list(indicators), list(workshop.indicators.all())
        _check_indicators(workshop.municipality, indicators, by=by, kept=current)
        # An editor chooses among the data they may read; what another (who may read it)
        # attached and this editor cannot see stays attached.
        readable = {i.pk for i in _readable(by, current)}
        indicators += [i for i in current if i.pk not in readable and i not in indicators]
    _save(workshop, **fields)
    workshop.units.set(units)
    workshop.participants.set(participants)
    if indicators is not None:
        workshop.indicators.set(indicators)
    return workshop


@transaction.atomic
def delete_workshop(*, workshop: Workshop, by, request: HttpRequest | None = None) -> None:
    record_id, municipality, title = str(workshop.uuid), workshop.municipality, workshop.title
    workshop.delete()
    audit.record("workshop.delete", request=request, user=by, municipality=municipality,
                 object_type="workshops.workshop", object_id=record_id, title=title)


def _renumber(workshop: Workshop, items: list[AgendaItem]) -> None:
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


@transaction.atomic
def apply_template(*, workshop: Workshop, by) -> list[AgendaItem]:
    """Replace the agenda by the pamphlet's template for the workshop's length."""
    workshop.agenda_items.all().delete()
    return [AgendaItem.objects.create(workshop=workshop, **row) for row in agenda.template_items(workshop.length)]


@transaction.atomic
def add_agenda_item(*, workshop: Workshop, title: str, minutes: int, note: str = "", by) -> AgendaItem:
    last = workshop.agenda_items.order_by("-position").values_list("position", flat=True).first() or 0
    return _save(AgendaItem(workshop=workshop, position=last + 1), title=title, minutes=minutes, note=note)


@transaction.atomic
def update_agenda_item(*, item: AgendaItem, by, **fields) -> AgendaItem:
    return _save(item, **fields)


@transaction.atomic
def remove_agenda_item(*, item: AgendaItem, by) -> None:
    workshop = item.workshop
    item.delete()
    _renumber(workshop, list(workshop.agenda_items.all()))


@transaction.atomic
def move_agenda_item(*, item: AgendaItem, direction: str, by) -> None:
    items = list(item.workshop.agenda_items.select_for_update())
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    _renumber(item.workshop, agenda.moved(items, index, direction))


@transaction.atomic
def add_idea(*, workshop: Workshop, text: str, by) -> Idea:
    return _save(Idea(workshop=workshop, created_by=by), text=text.strip())


@transaction.atomic
def set_follow_up(*, workshop: Workshop, follow_up_date: date | None, follow_up_notes: str = "", by) -> Workshop:
    return _save(workshop, follow_up_date=follow_up_date, follow_up_notes=follow_up_notes)


# --- Focus groups ----------------------------------------------------------------------


@transaction.atomic
def create_focusgroup(*, by, units: Iterable, request: HttpRequest | None = None, **fields) -> FocusGroup:
    municipality = by.municipality
    units = list(units)
    if not units:
        raise ValidationError({"units": _("Choose at least one unit.")})
    _check_municipality(municipality, units=units, project=fields.get("project"))
    if fields.get("indicator") is not None:
        _check_indicators(municipality, [fields["indicator"]], by=by, field="indicator")
    focus_group = _save(FocusGroup(municipality=municipality, organiser=fields.pop("organiser", by)), **fields)
    focus_group.units.set(units)
    audit.record("focusgroup.create", request=request, user=by, obj=focus_group, title=focus_group.title)
    return focus_group


@transaction.atomic
def update_focusgroup(*, focus_group: FocusGroup, by, units: Iterable, request: HttpRequest | None = None,
                      **fields) -> FocusGroup:
    units = list(units)
    if not units:
        raise ValidationError({"units": _("Choose at least one unit.")})
    _check_municipality(focus_group.municipality, units=units, project=fields.get("project"))
    if fields.get("indicator") is not None:
        # A ModelForm may already have changed the instance: compare with what is stored.
        stored = FocusGroup.objects.filter(pk=focus_group.pk).values_list("indicator_id", flat=True).first()
        kept = [fields["indicator"]] if stored == fields["indicator"].pk else []
        _check_indicators(focus_group.municipality, [fields["indicator"]], by=by, kept=kept, field="indicator")
    _save(focus_group, **fields)
    focus_group.units.set(units)
    return focus_group


@transaction.atomic
def delete_focusgroup(*, focus_group: FocusGroup, by, request: HttpRequest | None = None) -> None:
    record_id, municipality, title = str(focus_group.uuid), focus_group.municipality, focus_group.title
    focus_group.delete()
    audit.record("focusgroup.delete", request=request, user=by, municipality=municipality,
                 object_type="workshops.focusgroup", object_id=record_id, title=title)


@transaction.atomic
def record_session(*, focus_group: FocusGroup, counts: dict[tuple[str, str], int], checklist: Iterable[str],
                   by) -> FocusGroup:
    """Store who took part, as counts by sex and age band only, and the checklist ticked."""
    focus_group.participant_counts.all().delete()
    for (sex, age_band), count in counts.items():
        if sex not in Sex.values or age_band not in AgeBand.values:
            raise ValidationError(_("Unknown sex or age band."))
        if count:
            _save(ParticipantCount(focus_group=focus_group, sex=sex, age_band=age_band), count=count)
    checklist = [c for c in FocusGroup.Checklist.values if c in set(checklist)]
    return _save(focus_group, checklist=checklist)


@transaction.atomic
def add_finding(*, focus_group: FocusGroup, theme: str, kind: str, text: str, by) -> Finding:
    return _save(Finding(focus_group=focus_group), theme=theme.strip(), kind=kind, text=text.strip())


@transaction.atomic
def delete_finding(*, finding: Finding, by) -> None:
    finding.delete()


# --- Citizen involvement ---------------------------------------------------------------


@transaction.atomic
def create_involvement(*, by, units: Iterable, request: HttpRequest | None = None, **fields) -> InvolvementPlan:
    municipality = by.municipality
    units = list(units)
    if not units:
        raise ValidationError({"units": _("Choose at least one unit.")})
    _check_municipality(municipality, units=units, project=fields.get("project"))
    plan = _save(InvolvementPlan(municipality=municipality, organiser=fields.pop("organiser", by)), **fields)
    plan.units.set(units)
    audit.record("involvement.create", request=request, user=by, obj=plan, title=plan.title)
    return plan


@transaction.atomic
def update_involvement(*, plan: InvolvementPlan, by, units: Iterable, request: HttpRequest | None = None,
                       **fields) -> InvolvementPlan:
    units = list(units)
    if not units:
        raise ValidationError({"units": _("Choose at least one unit.")})
    _check_municipality(plan.municipality, units=units, project=fields.get("project"))
    _save(plan, **fields)
    plan.units.set(units)
    return plan


@transaction.atomic
def delete_involvement(*, plan: InvolvementPlan, by, request: HttpRequest | None = None) -> None:
    record_id, municipality, title = str(plan.uuid), plan.municipality, plan.title
    plan.delete()
    audit.record("involvement.delete", request=request, user=by, municipality=municipality,
                 object_type="workshops.involvementplan", object_id=record_id, title=title)


@transaction.atomic
def add_session(*, plan: InvolvementPlan, by, **fields) -> InvolvementSession:
    return _save(InvolvementSession(plan=plan), **fields)


def check_free_text(text: str, field: str = "statement") -> None:
    """The privacy guard, for text that leaves this app (e.g. into a project)."""
    try:
        validate_no_identifiers(text)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


# --- Outputs into the action-learning project ------------------------------------------


def _project_of(obj):
    if obj.project_id is None:
        raise ValidationError(_("Link an action-learning project first; hypotheses and actions go into its "
                                "register."))
    return obj.project


@transaction.atomic
def record_hypothesis(*, source, statement: str, by) -> Hypothesis:
    """A hypothesis from a workshop, focus group or involvement session, into the project's register."""
    project = _project_of(source)
    statement = statement.strip()
    check_free_text(statement, "statement")
    kind = Hypothesis.Source.WORKSHOP if isinstance(source, Workshop) else Hypothesis.Source.OTHER
    hypothesis = project_services.add_hypothesis(project=project, statement=statement, source=kind, by=by)
    source.hypotheses.add(hypothesis)
    return hypothesis


@transaction.atomic
def record_action(*, workshop: Workshop, description: str, owner, due_date: date | None, by) -> Action:
    """An item of the workshop's action plan, into the project's actions (who does what, by when)."""
    project = _project_of(workshop)
    description = description.strip()
    check_free_text(description, "description")
    if owner.municipality_id != workshop.municipality_id:
        raise ValidationError({"owner": _("Choose users of your own municipality.")})
    action = project_services.add_action(project=project, description=description, owner=owner, due_date=due_date,
                                         by=by)
    workshop.actions.add(action)
    return action


@transaction.atomic
def review_hypothesis(*, source, hypothesis: Hypothesis, status: str, evidence: str, by) -> Hypothesis:
    """At the follow-up: the hypothesis is held against the data and its status updated in the project."""
    if not source.hypotheses.filter(pk=hypothesis.pk).exists():
        raise ValidationError(_("The hypothesis does not come from here."))
    check_free_text(evidence, "evidence")
    return project_services.update_hypothesis(hypothesis=hypothesis, by=by, status=status, evidence=evidence.strip())
