"""Project workflows. Keyword-only, atomic, validated with full_clean().

Public API for other apps (workshops add hypotheses and actions to a project):
- `add_hypothesis(*, project, statement, source, by, status="open", evidence="", evidence_url="")`
- `add_action(*, project, description, owner, due_date, by, status="open")`
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access as base_access
from accounts import audit, versions

from . import access
from .models import Action, Criterion, Cycle, Hypothesis, Measurement, Project


def _check_same_municipality(project: Project, units: Iterable, members: Iterable) -> None:
    if any(u.municipality_id != project.municipality_id for u in units):
        raise ValidationError({"units": _("Choose units of your own municipality.")})
    if any(m.municipality_id != project.municipality_id for m in members):
        raise ValidationError({"members": _("Choose users of your own municipality.")})


@transaction.atomic
def create_project(*, by, units: Iterable, members: Iterable = (), request=None, **fields) -> Project:
    versions.bump(by.municipality_id)
    units, members = list(units), list(members)
    if not units:
        raise ValidationError({"units": _("Choose at least one unit.")})
    project = Project(municipality_id=by.municipality_id, created_by=by, **fields)
    project.full_clean()
    _check_same_municipality(project, units, members)
    access.check_units(by=by, units=units)
    project.save()
    project.units.set(units)
    project.members.set(members)
    audit.record("project.create", request=request, user=by, obj=project, title=project.title)
    return project


@transaction.atomic
def update_project(*, project: Project, by, units: Iterable, members: Iterable, request=None, **fields) -> Project:
    versions.bump(project.municipality_id)
    units, members = list(units), list(members)
    if not units:
        raise ValidationError({"units": _("Choose at least one unit.")})
    # A ModelForm may already have changed the instance: compare with what is stored.
    old_status = Project.objects.filter(pk=project.pk).values_list("status", flat=True).first()
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean()
    _check_same_municipality(project, units, members)
    access.check_units(by=by, units=units, project=project, responsible=project.responsible)
    project.save()
    project.units.set(units)
    project.members.set(members)
    if project.status != old_status:
        audit.record("project.status", request=request, user=by, obj=project, old=old_status, new=project.status)
    return project


@transaction.atomic
def set_status(*, project: Project, status: str, by, request=None) -> Project:
    versions.bump(project.municipality_id)
    if status not in Project.Status.values:
        raise ValidationError(_("Unknown status."))
    old = project.status
    if old != status:
        project.status = status
        project.full_clean()
        project.save(update_fields=["status", "updated_at"])
        audit.record("project.status", request=request, user=by, obj=project, old=old, new=status)
    return project


@transaction.atomic
def delete_project(*, project: Project, by, request=None) -> None:
    versions.bump(project.municipality_id)
    audit.record("project.delete", request=request, user=by, obj=project, title=project.title)
    project.delete()


@transaction.atomic
def open_cycle(*, project: Project, by, started_on: date | None = None) -> Cycle:
    """Open the next turn of the loop (numbered from 1)."""
    versions.bump(project.municipality_id)
    last = project.cycles.select_for_update().aggregate(n=Max("number"))["n"] or 0
    cycle = Cycle(project=project, number=last + 1, started_on=started_on or timezone.localdate(), created_by=by)
    cycle.full_clean()
    cycle.save()
    if project.status == Project.Status.PLANNED:
        set_status(project=project, status=Project.Status.ACTIVE, by=by)
    return cycle


@transaction.atomic
def update_cycle(*, cycle: Cycle, by, **fields) -> Cycle:
    versions.bump(cycle.project.municipality_id)
    for name, value in fields.items():
        setattr(cycle, name, value)
    cycle.full_clean()
    cycle.save()
    return cycle


@transaction.atomic
def add_hypothesis(*, project: Project, statement: str, source: str = Hypothesis.Source.OTHER, by,
                   status: str = Hypothesis.Status.OPEN, evidence: str = "", evidence_url: str = "") -> Hypothesis:
    versions.bump(project.municipality_id)
    hypothesis = Hypothesis(project=project, statement=statement, source=source, status=status,
                            evidence=evidence, evidence_url=evidence_url, created_by=by)
    hypothesis.full_clean()
    hypothesis.save()
    return hypothesis


@transaction.atomic
def update_hypothesis(*, hypothesis: Hypothesis, by, **fields) -> Hypothesis:
    versions.bump(hypothesis.project.municipality_id)
    for name, value in fields.items():
        setattr(hypothesis, name, value)
    hypothesis.full_clean()
    hypothesis.save()
    return hypothesis


@transaction.atomic
def add_action(*, project: Project, description: str, owner, due_date: date | None, by,
               status: str = Action.Status.OPEN) -> Action:
    versions.bump(project.municipality_id)
    action = Action(project=project, description=description, owner=owner, due_date=due_date,
                    status=status, created_by=by)
    if status == Action.Status.DONE:
        action.completed_at = timezone.now()
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def update_action(*, action: Action, by, **fields) -> Action:
    versions.bump(action.project.municipality_id)
    for name, value in fields.items():
        setattr(action, name, value)
    if action.status == Action.Status.DONE and action.completed_at is None:
        action.completed_at = timezone.now()
    elif action.status == Action.Status.OPEN:
        action.completed_at = None
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def save_criterion(*, project: Project, by, criterion: Criterion | None = None, **fields) -> Criterion:
    versions.bump(project.municipality_id)
    if criterion is None:
        criterion = Criterion(project=project, created_by=by)
    stored = Criterion.objects.filter(pk=criterion.pk).values_list("dataset_indicator_id", flat=True).first()
    for name, value in fields.items():
        setattr(criterion, name, value)
    if (criterion.kind == Criterion.Kind.DATASET and criterion.dataset_indicator_id is not None
            and criterion.dataset_indicator_id != stored
            and not access.dataset_readable(criterion, base_access.get_scope(by))):
        raise ValidationError({"dataset_indicator": _("Choose an indicator of a dataset that you have access to.")})
    criterion.full_clean()
    criterion.save()
    return criterion


@transaction.atomic
def add_measurement(*, criterion: Criterion, by, **fields) -> Measurement:
    versions.bump(criterion.project.municipality_id)
    cycle = fields.get("cycle")
    if cycle is not None and cycle.project_id != criterion.project_id:
        raise ValidationError({"cycle": _("Choose a cycle of this project.")})
    measurement = Measurement(criterion=criterion, entered_by=by, **fields)
    measurement.full_clean()
    measurement.save()
    return measurement


@transaction.atomic
def delete_measurement(*, measurement: Measurement, by, request=None) -> None:
    versions.bump(measurement.criterion.project.municipality_id)
    audit.record("project.measurement_delete", request=request, user=by, obj=measurement.criterion.project,
                 measurement=str(measurement.uuid), measured_on=measurement.measured_on.isoformat())
    measurement.delete()
