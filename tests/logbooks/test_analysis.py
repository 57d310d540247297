import pytest
from django.urls import reverse

from logbooks import selectors
from ligestilling.lib import statistics as st
from tests.logbooks.conftest import bulk_entries
from tests.tenancy import assert_forbidden, assert_other_municipality_gets_404


@pytest.fixture
def known(lists):
    """40 conversations with women, 40 with men, 3 with 'andet', in Odense's team.

    Jobsøgning: women 10/40, men 30/40 (significant); Økonomi: 20/40 vs 22/40 (not);
    Sprog: 2/40 vs 6/40 (the women's count is below the threshold: hidden).
    """
    t = lists.odense
    bulk_entries(t, 40, sex="kvinde", topics=[("Jobsøgning", 10), ("Økonomi", 20), ("Sprog", 2)],
                 citizen=[("Jobsøgning", 5)])
    bulk_entries(t, 40, sex="mand", topics=[("Jobsøgning", 30), ("Økonomi", 22), ("Sprog", 6)])
    bulk_entries(t, 3, sex="andet")
    return lists


def picture_for(tenant):
    return selectors.gender_picture(municipality_id=tenant.municipality.pk, unit_ids=[tenant.team.pk],
                                    threshold=tenant.municipality.suppression_threshold)


def row(rows, label):
    return next(r for r in rows if r.label == label)


def test_the_numbers_on_a_known_fixture(known):
    p = picture_for(known.odense)
    assert (p.total, p.women_n, p.men_n) == (83, 40, 40)
    # 3 'andet' are below the threshold; the total would give them away, so it is hidden.
    assert [c.display("da") for c in p.by_sex.cells[0]] == ["40", "40", "<5", "0", "(skjult)"]

    job = row(p.topics, "Jobsøgning")
    assert (job.women.value, job.men.value) == (10, 30)
    assert job.women_share.value == pytest.approx(0.25) and job.men_share.value == pytest.approx(0.75)
    assert job.gap.difference == pytest.approx(-50.0)
    assert job.gap.verdict == st.SIGNIFICANT and job.gap.adjusted_p < 0.001
    assert job.gap.low < -50 < job.gap.high < 0
    assert job.citizen_women.value == 5 and job.citizen_men.value == 0

    economy = row(p.topics, "Økonomi")
    assert economy.gap.difference == pytest.approx(-5.0)
    assert economy.gap.verdict == st.NOT_SIGNIFICANT and economy.gap.adjusted_p > 0.05

    language = row(p.topics, "Sprog")
    assert language.women.suppressed and language.women.display("da") == "<5"
    assert language.women_share.suppressed and language.gap is None and language.gap_cell.suppressed

    # Topics nobody raised still get a row: 0 is shown, "nobody" identifies no one.
    childcare = row(p.topics, "Børnepasning")
    assert childcare.women.value == 0 and childcare.men.value == 0 and childcare.gap.difference == 0


def test_the_benjamini_hochberg_adjustment_covers_the_whole_page(known):
    p = picture_for(known.odense)
    tested = [r.gap for r in p.topics + p.offers + p.outcomes if r.gap and r.gap.verdict != st.TOO_FEW]
    raw = [g.p_value for g in tested]
    assert [g.adjusted_p for g in tested] == pytest.approx(st.benjamini_hochberg(raw))


def test_the_counting_happens_in_the_database(known, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        picture_for(known.odense)


def test_the_analysis_page_shows_the_picture_to_lederes_and_analysts(client, known):
    t = known.odense
    for user in (t.leder, t.analytiker):
        client.force_login(user)
        response = client.get(reverse("logbooks:analysis"), {"unit": str(t.team.uuid)})
        body = response.content.decode()
        assert response.status_code == 200
        assert "Jobsøgning" in body and "−50 procentpoint" in body and "Signifikant forskel" in body
        assert "Ikke signifikant" in body and "&lt;5" in body  # the one verdict label
        assert "fortrolig" not in body


def test_the_analysis_page_never_shows_free_text(client, known):
    from tests.logbooks.conftest import make_entry

    t = known.odense
    make_entry(t, reflections="Meget fortrolig refleksion", topics=["Jobsøgning"])
    client.force_login(t.analytiker)
    body = client.get(reverse("logbooks:analysis"), {"unit": str(t.team.uuid)}).content.decode()
    assert "fortrolig refleksion" not in body


def test_weak_roles_and_other_municipalities_are_refused(client, known):
    t = known.odense
    assert_forbidden(client, [t.medarbejder, t.administrator, known.outsider], reverse("logbooks:analysis"),
                     method="get")
    assert_other_municipality_gets_404(client, [known.aarhus.leder, known.aarhus.analytiker],
                                       reverse("logbooks:analysis") + f"?unit={t.team.uuid}")
