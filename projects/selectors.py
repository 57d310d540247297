"""Reads for the start page and lists."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.template.loader import render_to_string

from .models import Action


def overdue_actions_for(user, today: date | None = None) -> QuerySet[Action]:
    """The user's open actions past their deadline, in projects of their municipality."""
    if not user.is_authenticated or user.municipality_id is None:
        return Action.objects.none()
    return (
        Action.objects.overdue(today)
        .filter(owner=user, project__municipality_id=user.municipality_id)
        .select_related("project")
        .order_by("due_date", "pk")
    )


def overdue_actions_panel(request) -> str:
    """The start-page panel as HTML ("" when nothing is overdue), for home's `panels`."""
    actions = list(overdue_actions_for(request.user))
    if not actions:
        return ""
    return render_to_string("projects/includes/overdue_actions.html", {"overdue_actions": actions}, request=request)
