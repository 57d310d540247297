import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from ligestilling.lib import periods
from ligestilling.lib import statistics as st
from logbooks.models import Entry
from reporting import selectors
from reporting.testing import SECRET_COUNT, bulk, seed_known
from tests.reporting.keyed import published
from tests.tenancy import assert_forbidden, assert_other_municipality_gets_404

URL = "reporting:dashboard"


@pytest.fixture
def known(world):
    seed_known(world.odense)
    return world


def subject_for(tenant, unit=None, dimension=""):
    unit = unit or tenant.team
    return selectors.Subject(municipality=tenant.municipality, unit=unit, unit_ids=(unit.pk,),
                             period=periods.parse_period("2025"), dimension=dimension)


def row_of(section, label):
    i = section.table.row_labels.index(label)
    return section.table.cells[i], section.text_columns[0][1][i]


def shown_gap(cells, women_n, men_n):
    """The gap a reader computes from the published counts beside it (parts read as at
    most their base, as disclosure.shown_share does)."""
    w, m = cells[0].value, cells[2].value
    return st.proportion_gap(min(w, women_n), women_n, min(m, men_n), men_n)


def test_the_dashboard_numbers_equal_the_statistics_core(known):
    board = selectors.build_dashboard(subject_for(known.odense))
    by_sex = board.section("by_sex").table
    women, men, other, unstated, _total = by_sex.cells[0]
    # Protected counts: at most 2 from the truth; 3 "andet" are "<5"; a true zero stays 0.
    assert abs(women.value - 40) <= 2 and abs(men.value - 30) <= 2
    assert (other.display(), unstated.display()) == ("<5", "0")

    topics = board.section("topics")
    cells, verdict = row_of(topics, "Jobsøgning")
    assert abs(cells[0].value - 10) <= 2 and abs(cells[2].value - 24) <= 2
    # Shares and the gap are computed from the numbers shown beside them.
    expected = shown_gap(cells, women.value, men.value)
    assert cells[1].value == pytest.approx(min(cells[0].value, women.value) / women.value)
    assert cells[3].value == pytest.approx(min(cells[2].value, men.value) / men.value)
    assert cells[4].value == pytest.approx(expected.difference)
    assert (cells[4].low, cells[4].high) == pytest.approx((expected.low, expected.high))
    assert verdict == "Signifikant forskel"
    # The largest gap comes first.
    assert topics.table.row_labels[0] == "Jobsøgning"

    cells, verdict = row_of(topics, "Økonomi")
    assert cells[0].suppressed and cells[0].display() == "<5" and cells[0].value is None
    assert cells[4].suppressed and verdict == "For få til at sige noget"

    offers = board.section("offers")
    cells, _ = row_of(offers, "Løntilskud")
    assert cells[4].value == pytest.approx(shown_gap(cells, women.value, men.value).difference)
    outcomes = board.section("outcomes")
    cells, _ = row_of(outcomes, "Ingen aftale")
    assert cells[4].value == pytest.approx(shown_gap(cells, women.value, men.value).difference)

    trend = board.section("trend").table
    assert trend.row_labels[0] == "jan. 2025" and len(trend.row_labels) == 13  # 12 months + total
    team = Entry.objects.filter(unit=known.odense.team, date__year=2025)
    # Every month, and the totals, is what a direct query of those conversations publishes.
    for month in range(1, 13):
        for j, sex in enumerate(("kvinde", "mand")):
            assert trend.cells[month - 1][j].value == published(team.filter(date__month=month, sex=sex)), month
    assert trend.cells[-1][0].value == published(team.filter(sex="kvinde"))
    assert trend.cells[-1][-1].value == published(team.filter(sex__in=("kvinde", "mand")))
    # No secondary suppression: a cell is a number, 0 or "<5".
    assert {c.reason for row in trend.cells for c in row} <= {None, "primary"}
    assert any(c.display() == "<5" for row in trend.cells for c in row)


def test_the_figures_never_carry_a_hidden_count(known):
    board = selectors.build_dashboard(subject_for(known.odense, dimension="education"))
    by_sex = board.section("by_sex")
    assert [t["y"][0] for t in by_sex.figure["data"]] == [*[c.value for c in by_sex.table.cells[0][:2]], None, 0]
    assert "<5" in [a["text"] for a in by_sex.figure["layout"]["annotations"]]

    topics = board.section("topics")
    plotted = [y for trace in topics.figure["data"] for y in trace["y"]]
    assert not any(label.startswith("Økonomi") for label in plotted)
    hidden_gap = row_of(topics, "Økonomi")[0][4]
    assert any(a["text"] == hidden_gap.display() for a in topics.figure["layout"]["annotations"])
    # Non-significant gaps are labelled as such on the axis.
    ticks = topics.figure["layout"]["yaxis"]["categoryarray"]
    assert any("ikke signifikant" in t for t in ticks)
    for section in board.sections:
        for cell in (c for row in section.table.cells for c in row):
            if cell.suppressed:
                assert cell.value is None and cell.low is None


def test_the_dashboard_page_shows_charts_and_tables(client, known):
    client.force_login(known.odense.leder)
    response = client.get(reverse(URL), {"unit": known.odense.team.uuid, "period": "2025"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Jobsøgning" in html and "&lt;5" in html
    figures = re.findall(r'<script id="fig-c\d+" type="application/json">(.*?)</script>', html, re.S)
    assert len(figures) >= 5
    for raw in figures:
        figure = json.loads(raw)
        assert "data" in figure and "layout" in figure
    assert "<details" in html and "<caption>" in html
    assert 'src="/static/vendor/plotly.min.js"' in html
    # No inline script without a nonce: only JSON data blocks and static files.
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'type="application/json"' in tag or "src=" in tag


def test_the_query_count_does_not_grow_with_the_data(client, known, django_assert_max_num_queries):
    client.force_login(known.odense.leder)
    url = reverse(URL)
    params = {"unit": known.odense.team.uuid, "period": "2025", "dimension": "age_band"}
    with django_assert_max_num_queries(25) as small:
        assert client.get(url, params).status_code == 200
    bulk(known.odense, 60, sex="kvinde", topics=[("Helbred", 30), ("Sprog", 20)], offers=[("Mentor", 10)])
    bulk(known.odense, 60, sex="mand", topics=[("Helbred", 10)], outcome=("Ny samtale aftalt", 40))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url, params).status_code == 200


def test_the_dashboard_never_shows_free_text(client, known):
    Entry.objects.filter(unit=known.odense.team).update(reflections="Fortroligt: borgeren Hansen")
    client.force_login(known.odense.leder)
    response = client.get(reverse(URL), {"period": "2025"})
    assert response.status_code == 200
    assert "Hansen" not in response.content.decode()


def test_a_medarbejder_sees_the_own_units_aggregates_only(client, known):
    client.force_login(known.odense.medarbejder)
    response = client.get(reverse(URL), {"period": "2025"})
    assert response.status_code == 200
    assert response.context["subject"].unit == known.odense.team
    # A unit above the medarbejder's own is refused.
    assert_forbidden(client, known.odense.medarbejder, reverse(URL), "get",
                     {"unit": known.odense.administration.uuid})


def test_an_analyst_sees_the_administration_with_its_teams(client, known):
    client.force_login(known.odense.analytiker)
    response = client.get(reverse(URL), {"unit": known.odense.administration.uuid, "period": "2025"})
    assert response.status_code == 200
    total = response.context["board"].total
    assert total.suppressed or abs(total.value - 73) <= 2


def test_weak_roles_are_refused(client, known):
    assert_forbidden(client, [known.odense.administrator, known.outsider], reverse(URL), "get")


def test_another_municipality_gets_404(client, known):
    assert_other_municipality_gets_404(client, [known.aarhus.leder, known.aarhus.analytiker],
                                       reverse("reporting:dashboard"), "get", {"unit": str(known.odense.team.uuid)})


def test_the_period_filter_changes_the_numbers(client, known):
    client.force_login(known.odense.leder)
    response = client.get(reverse(URL), {"unit": known.odense.team.uuid, "period": "custom",
                                         "date_from": "2025-01-01", "date_to": "2025-01-31"})
    assert response.status_code == 200
    total = response.context["board"].total
    assert total.suppressed or total.value < 73
    assert SECRET_COUNT == 3


def test_an_empty_period_has_no_empty_charts(client, known):
    client.force_login(known.odense.leder)
    response = client.get(reverse(URL), {"period": "custom", "date_from": "2019-01-01", "date_to": "2019-12-31"})
    assert response.status_code == 200
    board = response.context["board"]
    assert all(s.figure is None for s in board.sections if s.key in ("by_sex", "trend", "topics"))
    assert "Der er ikke noteret samtaler i perioden." in response.content.decode()


def test_the_units_of_a_subtree_side_by_side(client, known):
    from logbooks import services as logbook_services

    logbook_services.seed_lists(unit=known.odense.other_team, area="job")
    bulk(known.odense, 20, sex="kvinde", unit=known.odense.other_team)
    bulk(known.odense, 6, sex="mand", unit=known.odense.other_team)
    administration = known.odense.administration
    ids = (administration.pk, known.odense.team.pk, known.odense.other_team.pk)
    board = selectors.build_dashboard(selectors.Subject(
        municipality=known.odense.municipality, unit=administration, unit_ids=ids,
        period=periods.parse_period("2025")))
    table = board.section("units").table
    assert set(table.row_labels[:2]) == {known.odense.team.name, known.odense.other_team.name}
    other = table.cells[table.row_labels.index(known.odense.other_team.name)]
    theirs = Entry.objects.filter(unit=known.odense.other_team)
    assert (other[0].value, other[1].value, other[2].value) == (
        published(theirs.filter(sex="kvinde")), published(theirs.filter(sex="mand")), published(theirs))
    assert abs(other[0].value - 20) <= 2 and abs(other[2].value - 26) <= 2
    figure = board.section("units").figure
    women = figure["data"][0]
    i = women["x"].index(known.odense.other_team.name)
    # The share is the one a reader computes from the two numbers shown.
    assert women["y"][i] == pytest.approx(100 * min(other[0].value, other[2].value) / other[2].value)


def test_the_largest_gap_month_by_month(known):
    from reporting.testing import bulk

    # Enough conversations in March 2025 for a visible monthly gap.
    bulk(known.odense, 30, sex="kvinde", topics=[("Jobsøgning", 6)], start=dt.date(2025, 3, 1))
    bulk(known.odense, 30, sex="mand", topics=[("Jobsøgning", 20)], start=dt.date(2025, 3, 1))
    spring = periods.parse_period("2025-01-01:2025-05-31")
    board = selectors.build_dashboard(selectors.Subject(
        municipality=known.odense.municipality, unit=known.odense.team, unit_ids=(known.odense.team.pk,),
        period=spring))
    section = board.section("gap_trend")
    assert "Jobsøgning" in section.title and "måned" in section.title
    table = section.table
    trend = board.section("trend").table
    for (y, m), label, cells, counts in zip(spring.months, table.row_labels, table.cells, trend.cells, strict=False):
        cell = cells[0]
        entries = Entry.objects.filter(unit=known.odense.team, date__year=y, date__month=m)
        # The published numbers of each record set: the month's women and men (the very
        # numbers of the trend table), those who touched the topic, and those who did not.
        wn, mn = published(entries.filter(sex="kvinde")), published(entries.filter(sex="mand"))
        assert (wn, mn) == (counts[0].value, counts[1].value)
        touched = entries.filter(topics__topic__label="Jobsøgning")
        w, mm = published(touched.filter(sex="kvinde")), published(touched.filter(sex="mand"))
        rest = entries.exclude(topics__topic__label="Jobsøgning")
        w_rest, m_rest = published(rest.filter(sex="kvinde")), published(rest.filter(sex="mand"))
        if cell.suppressed or cell.value is None:
            assert cell.value is None
            assert not wn or not mn or None in (w, mm, w_rest, m_rest), label
            continue
        expected = st.proportion_gap(min(w, wn), wn, min(mm, mn), mn)
        assert cell.value == pytest.approx(expected.difference), label
        assert (cell.low, cell.high) == pytest.approx((expected.low, expected.high)), label
    assert any(c[0].value is not None for c in table.cells)
    assert [c[0].value for c in table.cells] == section.figure["data"][0]["y"]

    # Over a whole year most months are too thin: the gap is shown by quarter instead.
    year = selectors.build_dashboard(subject_for(known.odense)).section("gap_trend")
    assert "kvartal" in year.title and len(year.table.row_labels) == 4
    first_quarter = year.table.cells[0][0]
    assert first_quarter.suppressed or first_quarter.value is not None
