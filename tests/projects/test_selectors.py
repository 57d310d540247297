"""Overdue actions for the start page, and the public services API for workshops."""

from datetime import date, timedelta

from django.test import RequestFactory
from django.utils import timezone

from projects import selectors, services
from tests.projects.factories import make_project


def test_overdue_actions_for(world):
    t = world.odense
    project = make_project(t)
    today = timezone.localdate()
    late = services.add_action(project=project, description="Skriv logbog", owner=t.medarbejder,
                               due_date=today - timedelta(days=1), by=t.leder)
    services.add_action(project=project, description="I morgen", owner=t.medarbejder,
                        due_date=today + timedelta(days=1), by=t.leder)
    services.add_action(project=project, description="Færdig", owner=t.medarbejder,
                        due_date=today - timedelta(days=5), by=t.leder, status="done")
    services.add_action(project=project, description="Lederens", owner=t.leder,
                        due_date=today - timedelta(days=5), by=t.leder)
    services.add_action(project=project, description="Uden frist", owner=t.medarbejder, due_date=None, by=t.leder)
    assert list(selectors.overdue_actions_for(t.medarbejder)) == [late]
    assert list(selectors.overdue_actions_for(world.aarhus.medarbejder)) == []
    assert list(selectors.overdue_actions_for(t.medarbejder, today=date(2000, 1, 1))) == []


def test_overdue_panel_renders_the_include(world):
    t = world.odense
    project = make_project(t)
    services.add_action(project=project, description="Skriv logbog", owner=t.medarbejder,
                        due_date=timezone.localdate() - timedelta(days=1), by=t.leder)
    request = RequestFactory().get("/")
    request.user = t.medarbejder
    html = selectors.overdue_actions_panel(request)
    assert "Skriv logbog" in html and project.title in html and str(project.uuid) in html
    request.user = t.leder
    assert selectors.overdue_actions_panel(request) == ""


def test_workshops_api(world):
    t = world.odense
    project = make_project(t)
    h = services.add_hypothesis(project=project, statement="Mænd får færre tilbud", source="workshop", by=t.leder)
    a = services.add_action(project=project, description="Tjek data", owner=t.analytiker, due_date=None, by=t.leder)
    assert h.status == "open" and h.source == "workshop" and h.created_by == t.leder
    assert a.status == "open" and a.owner == t.analytiker
