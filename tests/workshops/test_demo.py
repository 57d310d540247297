"""The demo: Aarhus's 5-hour workshop feeds the Aarhus project; Odense's focus group of 6 older men."""

import pytest

from accounts import demo as accounts_demo
from projects import demo as projects_demo
from projects.models import Action, Hypothesis
from workshops import demo
from workshops.models import FocusGroup, InvolvementPlan, Workshop


@pytest.mark.django_db
def test_demo_is_idempotent_and_feeds_the_project():
    accounts_demo.seed()
    projects_demo.seed()
    demo.seed()
    demo.seed()
    workshop = Workshop.objects.get()
    assert workshop.total_minutes() == 300 and workshop.length_warning() is None
    assert sorted(u.name for u in workshop.units.all()) == [
        "Rehabiliteringsteamet", "Virksomhedsstrategi Nord", "Virksomhedsstrategi Syd"]
    assert workshop.project.title == "Køn i jobcenter og rehabilitering"
    assert Hypothesis.objects.filter(project=workshop.project, workshops=workshop).count() == 2
    assert Action.objects.filter(project=workshop.project, workshops=workshop).count() == 2
    group = FocusGroup.objects.get()
    assert group.participant_total() == 6 and group.counts_by_sex() == {"woman": 0, "man": 6}
    assert [u.name for u in group.units.all()] == ["Hjemmeplejen Syd"]
    assert InvolvementPlan.objects.count() == 1


@pytest.mark.django_db
def test_demo_without_projects_still_seeds():
    accounts_demo.seed()
    demo.seed()
    assert Workshop.objects.get().project is None and not Workshop.objects.get().hypotheses.exists()
