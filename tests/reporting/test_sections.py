"""Projects, dataset indicators and workshops in the dashboard (read-only use of those apps)."""

import datetime as dt

import pytest
from django.urls import reverse

from ligestilling.lib import periods
from ligestilling.lib import statistics as st
from projects import measures
from reporting import selectors
from reporting.testing import seed_indicator, seed_known, seed_project
from tests.tenancy import assert_forbidden, assert_other_municipality_gets_404


@pytest.fixture
def full(world):
    seed_known(world.odense)
    project = seed_project(world.odense)
    seed_indicator(world.odense)
    world.project = project
    return world


def subject(tenant, **kw):
    return selectors.Subject(municipality=tenant.municipality, unit=tenant.team, unit_ids=(tenant.team.pk,),
                             period=periods.parse_period("2025"), **kw)


def test_the_projects_criteria_with_status_and_suppression(full, monkeypatch):
    # Cell keys 0 for the hand-entered measurement: 20 of 40 women is published as 18 of 38.
    monkeypatch.setattr(measures, "_hashed_keys", lambda *identity: (0, 0))
    [section] = selectors.project_sections(subject(full.odense))
    table = section.table
    assert table.row_labels == ("Flere kvinder i løntilskud: Andel der starter i løntilskud",)
    women, men, gap = table.cells[0]
    assert women.value == pytest.approx(18 / 38)
    assert (women.low, women.high) == pytest.approx(st.wilson_interval(18, 38))
    assert men.suppressed and men.value is None  # 3 men: "<5" and no share
    assert gap.suppressed
    status = dict(section.text_columns)
    assert list(status.values())[0][0]  # a status text (met / not met / too little data)
    ys = [y for trace in section.figure["data"] for y in trace["y"]]
    assert ys == [pytest.approx(100 * 18 / 38), None]


def test_the_indicators_next_to_the_national_figure(full):
    [section] = selectors.indicator_sections(subject(full.odense))
    table = section.table
    assert len(table.row_labels) == 2 and "2025" in table.row_labels[0]
    own, national = table.cells
    # The municipality's counts are perturbed by at most ±2 (exactly checked in
    # tests/datasets/test_cell_key.py), so its shares lie within a fraction of a point.
    assert own[0].value == pytest.approx(0.25, abs=0.005) and own[1].value == pytest.approx(0.12, abs=0.005)
    assert own[2].value == pytest.approx(13.0, abs=0.5)
    assert national[0].value == pytest.approx(0.25) and national[1].value == pytest.approx(0.14)
    assert "Landstal" in table.source or "KORA" in table.source


def test_the_dashboard_shows_projects_and_indicators_to_lederes(client, full):
    client.force_login(full.odense.leder)
    html = client.get(reverse("reporting:dashboard"), {"period": "2025"}).content.decode()
    assert "Flere kvinder i løntilskud" in html and "Ældre der får hjemmepleje" in html
    # The caseworker sees the team's aggregates and projects, not the analysts' datasets.
    client.force_login(full.odense.medarbejder)
    html = client.get(reverse("reporting:dashboard"), {"period": "2025"}).content.decode()
    assert "Flere kvinder i løntilskud" in html and "Ældre der får hjemmepleje" not in html


def test_the_project_filter(client, full):
    client.force_login(full.odense.leder)
    response = client.get(reverse("reporting:dashboard"), {"period": "2025", "project": str(full.project.uuid)})
    assert response.status_code == 200 and response.context["subject"].project == full.project
    # Without a chosen unit the dashboard covers the project's units.
    assert response.context["subject"].unit_ids == (full.odense.team.pk,)
    assert response.context["subject"].label == full.project.title
    assert_other_municipality_gets_404(client, [full.aarhus.leder], reverse("reporting:dashboard"), "get",
                                       {"project": str(full.project.uuid)})
    assert_forbidden(client, [full.odense.medarbejder], reverse("reporting:dashboard"), "get",
                     {"project": str(seed_project(full.odense).uuid), "unit": str(full.odense.other_team.uuid)})


def test_workshops_held_in_the_period(full):
    from workshops.models import Workshop

    workshop = Workshop.objects.create(
        municipality=full.odense.municipality, title="Køn i jobsamtalen", organiser=full.odense.leder,
        date=dt.date(2025, 3, 4), start_time=dt.time(9, 0), place="Rådhuset", goal="Hypoteser",
    )
    workshop.units.add(full.odense.team)
    workshop.participants.add(full.odense.medarbejder, full.odense.leder)
    [section] = selectors.workshop_sections(subject(full.odense))
    assert section.table.row_labels == ("Køn i jobsamtalen",)
    assert section.table.cells[0][0].value == 2
    assert dict(section.text_columns)[list(dict(section.text_columns))[0]] == ("4. marts 2025",)


def test_the_query_count_is_bounded_with_many_projects_and_indicators(client, full, django_assert_max_num_queries):
    from reporting import selectors as sel

    client.force_login(full.odense.leder)
    url = reverse("reporting:dashboard")
    client.get(url, {"period": "2025"})  # the session's first request also refreshes its idle timeout
    with django_assert_max_num_queries(200) as base:
        assert client.get(url, {"period": "2025"}).status_code == 200
    for _ in range(sel.MAX_PROJECTS + 3):
        seed_project(full.odense)
    with django_assert_max_num_queries(200) as many:
        assert client.get(url, {"period": "2025"}).status_code == 200
    for _ in range(3):
        seed_project(full.odense)
    with django_assert_max_num_queries(len(many.captured_queries)):
        assert client.get(url, {"period": "2025"}).status_code == 200
    assert len(base.captured_queries) <= len(many.captured_queries) <= 40
