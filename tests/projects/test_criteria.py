"""Manual success criteria: measurements, live status, disclosure control."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ligestilling.lib import disclosure
from ligestilling.lib import statistics as st
from projects import measures, services
from projects.models import Criterion
from tests.projects.factories import make_criterion, make_project


def measure(criterion, **counts):
    return services.add_measurement(criterion=criterion, by=criterion.project.responsible,
                                    measured_on=counts.pop("on", date(2026, 2, 1)), **counts)


def shown(count: int) -> int | None:
    """The published count when every cell key is 0 (fixture known_keys)."""
    return disclosure.protect(disclosure.Keyed(count, 0), 5)


def test_per_sex_target_met_and_not_met(world, known_keys):
    project = make_project(world.odense)
    criterion = make_criterion(project, target_women=60, target_men=None)
    assert measures.evaluate(criterion).status == measures.TOO_LITTLE  # no measurement yet
    measure(criterion, women_count=64, women_n=200, men_count=71, men_n=100)
    assert measures.evaluate(criterion).status == measures.NOT_MET  # 32 % < 60 %
    measure(criterion, on=date(2026, 3, 1), women_count=130, women_n=200, men_count=70, men_n=100)
    evaluation = measures.evaluate(criterion)
    assert evaluation.status == measures.MET  # the latest measurement counts
    assert [row.status for row in evaluation.rows] == [measures.NOT_MET, measures.MET]
    first = evaluation.rows[0]
    # The published counts (key 0: two less), and shares and gap computed from them, so a
    # reader who recomputes from the table gets what it shows.
    assert (first.women.count.value, first.women.n.value, first.men.count.value, first.men.n.value) == (
        shown(64), shown(200), shown(71), shown(100)) == (62, 198, 69, 98)
    assert first.women.share.display() == "31 pct." and first.men.share.display() == "70 pct."
    assert first.women.share.value == pytest.approx(62 / 198)
    assert first.gap.value == pytest.approx(100 * (62 / 198 - 69 / 98))
    assert (first.gap.low, first.gap.high) == pytest.approx(
        tuple(100 * x for x in st.newcombe_interval(62, 198, 69, 98)))
    assert first.gap.display() == "−39 procentpoint"


def test_a_small_count_shows_below_n_and_hides_its_share_and_the_gap(world):
    criterion = make_criterion(make_project(world.odense), target_women=50, target_men=50)
    measure(criterion, women_count=2, women_n=40, men_count=20, men_n=30)
    row = measures.evaluate(criterion).rows[0]
    assert row.women.count.display() == "<5" and row.women.n.value is not None
    assert row.women.share.suppressed and row.women.share.value is None
    assert row.gap.suppressed and row.gap.value is None and row.gap.low is None
    assert row.men.share.value is not None


def test_a_hidden_count_decides_the_status_only_when_every_value_it_may_be_does(world, known_keys):
    """The status is computed from what is shown: "<5" of 198 (2 of 200) is 1 to 6 of 198,
    at most 3 %."""
    project = make_project(world.odense)
    for direction, target, status in (("at_most", 5, measures.MET), ("at_least", 50, measures.NOT_MET),
                                      ("at_most", 1, measures.TOO_LITTLE)):
        criterion = make_criterion(project, direction=direction, target_women=target, target_men=None)
        measure(criterion, women_count=2, women_n=200)
        evaluation = measures.evaluate(criterion)
        assert evaluation.rows[0].women.count.display() == "<5"
        assert evaluation.status == status, (direction, target)


def test_the_status_follows_the_shown_share_not_the_true_one(world, known_keys):
    """True 60 of 100 women meets "at least 60 %"; shown 58 of 98 (59 %) does not, and the
    page must not say "met" beside a share below the target."""
    criterion = make_criterion(make_project(world.odense), target_women=60, target_men=None)
    measure(criterion, women_count=60, women_n=100)
    evaluation = measures.evaluate(criterion)
    assert evaluation.rows[0].women.share.display() == "59 pct."
    assert evaluation.status == measures.NOT_MET


def test_at_most_direction(world):
    criterion = make_criterion(make_project(world.odense), direction="at_most", target_women=20, target_men=20)
    measure(criterion, women_count=10, women_n=100, men_count=15, men_n=100)
    assert measures.evaluate(criterion).status == measures.MET


def test_too_few_people_is_too_little_data(world):
    criterion = make_criterion(make_project(world.odense), target_women=50, target_men=50)
    measure(criterion, women_count=1, women_n=2, men_count=20, men_n=30)
    evaluation = measures.evaluate(criterion)
    assert evaluation.status == measures.TOO_LITTLE
    row = evaluation.rows[0]
    assert row.women.n.display() == "<5" and row.women.share.suppressed and row.women.share.value is None
    assert row.gap.suppressed


def test_missing_sex_with_a_target_is_too_little_data(world):
    criterion = make_criterion(make_project(world.odense), target_women=50, target_men=50)
    measure(criterion, women_count=30, women_n=40)
    assert measures.evaluate(criterion).status == measures.TOO_LITTLE


def test_gap_target(world, known_keys):
    project = make_project(world.odense)
    criterion = make_criterion(project, target_type=Criterion.TargetType.GAP, target_women=None,
                               target_men=None, target_gap=10)
    measure(criterion, women_count=18, women_n=40, men_count=29, men_n=42)  # 45 % vs 69 %
    assert measures.evaluate(criterion).status == measures.NOT_MET
    measure(criterion, on=date(2026, 3, 1), women_count=26, women_n=38, men_count=30, men_n=41)  # 68 vs 73
    assert measures.evaluate(criterion).status == measures.MET
    measure(criterion, on=date(2026, 4, 1), women_count=2, women_n=3, men_count=30, men_n=41)
    assert measures.evaluate(criterion).status == measures.TOO_LITTLE


def test_measurement_validation(world):
    criterion = make_criterion(make_project(world.odense))
    with pytest.raises(ValidationError):
        measure(criterion, women_count=10, women_n=5)
    with pytest.raises(ValidationError):
        measure(criterion, women_count=10)
    with pytest.raises(ValidationError):
        measure(criterion)
    assert not criterion.measurements.exists()


def test_criterion_needs_a_target(client, world):
    project = make_project(world.odense)
    client.force_login(world.odense.leder)
    response = client.post(reverse("projects:criterion_create", args=[project.uuid]), {
        "definition": "Andel der gennemfører", "kind": "manual", "target_type": "per_sex", "direction": "at_least",
    })
    assert response.status_code == 200 and not project.criteria.exists()
    assert "Angiv et mål for kvinder, for mænd eller for begge" in response.content.decode()


def test_criterion_and_measurement_through_the_pages(client, world, known_keys):
    t = world.odense
    project = make_project(t)
    client.force_login(t.medarbejder)  # a member of the group
    response = client.post(reverse("projects:criterion_create", args=[project.uuid]), {
        "definition": "Andel der gennemfører forløbet", "kind": "manual", "target_type": "per_sex",
        "direction": "at_least", "target_women": "60", "baseline_women": "32",
    })
    criterion = project.criteria.get()
    assert response.status_code == 302
    response = client.post(reverse("projects:measurement_create", args=[project.uuid, criterion.uuid]), {
        "measured_on": "2026-02-01", "women_count": "130", "women_n": "200", "men_count": "71", "men_n": "100",
    })
    assert response.status_code == 302
    m = criterion.measurements.get()
    assert m.entered_by == t.medarbejder
    body = client.get(reverse("projects:project_detail", args=[project.uuid])).content.decode()
    assert "Andel der gennemfører forløbet" in body
    assert "Opfyldt" in body and "65 pct." in body and "<svg" in body
    assert "kvinder mindst 60 pct." in body


def test_a_wrong_measurement_can_be_deleted(client, world):
    from accounts.models import AuditEvent

    t = world.odense
    project = make_project(t)
    criterion = make_criterion(project)
    m = measure(criterion, women_count=10, women_n=100, note="Tastefejl")
    client.force_login(t.leder)
    body = client.get(reverse("projects:project_detail", args=[project.uuid])).content.decode()
    assert "Tastefejl" in body and "Slet denne måling?" in body
    # A measurement of another criterion is not reachable through this one.
    other = make_criterion(project, definition="Andet")
    url = reverse("projects:measurement_delete", args=[project.uuid, other.uuid, m.uuid])
    assert client.post(url).status_code == 404
    url = reverse("projects:measurement_delete", args=[project.uuid, criterion.uuid, m.uuid])
    assert client.post(url).status_code == 302
    assert not criterion.measurements.exists()
    assert AuditEvent.objects.filter(action="project.measurement_delete", object_id=str(project.uuid)).exists()
