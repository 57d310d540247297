import datetime as dt
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from ligestilling.lib import disclosure, periods
from ligestilling.lib import statistics as st
from logbooks import selectors
from logbooks.models import Entry, EntryTopic, ListItem
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


def zero_keys():
    """Every record key 0: each cell key is 0, so each count of N or more shows its noise for
    key 0 (the tests compute it with `disclosure.protect`, not by hand)."""
    Entry.objects.update(record_key=0)
    EntryTopic.objects.update(record_key=0)


def shown(count, threshold=5):
    """What a count shows when every record key is 0."""
    return disclosure.protect(disclosure.Keyed(count, 0), threshold)


def seed_keys(seed):
    """Fresh record keys for every conversation (and its topics), drawn from `seed`."""
    rng = random.Random(seed)
    entries = list(Entry.objects.order_by("pk"))
    for e in entries:
        e.record_key = rng.randrange(disclosure.KEY_RANGE)
    Entry.objects.bulk_update(entries, ["record_key"])
    keys = {e.pk: e.record_key for e in entries}
    topics = list(EntryTopic.objects.all())
    for t in topics:
        t.record_key = keys[t.entry_id]
    EntryTopic.objects.bulk_update(topics, ["record_key"])


def picture_for(tenant, unit_ids=None, **dates):
    return selectors.gender_picture(municipality_id=tenant.municipality.pk,
                                    unit_ids=unit_ids or [tenant.team.pk],
                                    threshold=tenant.municipality.suppression_threshold, **dates)


def displayed(p):
    """Everything the picture publishes, as text."""
    def gap_rows(rows):
        return [(r.label, *(c.display("da") for c in (r.women, r.women_share, r.men, r.men_share, r.gap_cell)),
                 r.women_share.display_interval("da"), r.gap_cell.display_interval("da"), r.verdict,
                 r.citizen_women and r.citizen_women.display("da"), r.citizen_men and r.citizen_men.display("da"))
                for r in rows]

    def table(t):
        return [[c.display("da") for c in row] for row in t.cells]

    return (table(p.by_sex), table(p.by_age), gap_rows(p.topics), gap_rows(p.offers), gap_rows(p.outcomes))


def row(rows, label):
    return next(r for r in rows if r.label == label)


def test_the_numbers_on_a_known_fixture(known):
    zero_keys()
    p = picture_for(known.odense)
    women, men = shown(40), shown(40)
    assert (p.total, p.women_n, p.men_n) == (83, women, men)
    # Every count is protected: 3 'andet' show "<5", nobody 'uoplyst' shows 0, and the total is
    # a protected cell of its own (no longer hidden: its noise protects 'andet').
    assert [c.display("da") for c in p.by_sex.cells[0]] == [str(women), str(men), "<5", "0", str(shown(83))]
    assert p.total_cell.value == shown(83)

    job = row(p.topics, "Jobsøgning")
    assert (job.women.value, job.men.value) == (shown(10), shown(30))
    # Shares, gap and test from the numbers shown beside them, against the shown bases.
    assert job.women_share.value == pytest.approx(shown(10) / women)
    assert job.men_share.value == pytest.approx(shown(30) / men)
    expected = st.proportion_gap(shown(10), women, shown(30), men)
    assert job.gap.difference == pytest.approx(expected.difference)
    assert job.gap.p_value == pytest.approx(expected.p_value)
    assert job.gap.verdict == st.SIGNIFICANT and job.gap.adjusted_p < 0.001
    assert job.gap.low < job.gap.difference < job.gap.high < 0
    assert job.citizen_women.value == shown(5) and job.citizen_men.value == 0

    economy = row(p.topics, "Økonomi")
    assert economy.gap.difference == pytest.approx(100 * (shown(20) - shown(22)) / women)
    assert economy.gap.verdict == st.NOT_SIGNIFICANT and economy.gap.adjusted_p > 0.05

    language = row(p.topics, "Sprog")
    assert language.women.suppressed and language.women.display("da") == "<5"
    assert language.men.value == shown(6)
    assert language.women_share.suppressed and language.gap is None and language.gap_cell.suppressed

    # Topics nobody raised still get a row: 0 is shown ("nobody" identifies no one), but
    # there is nothing to compare, so no test.
    childcare = row(p.topics, "Børnepasning")
    assert childcare.women.value == 0 and childcare.men.value == 0 and childcare.women_share.value == 0
    assert not childcare.used and childcare.gap is None and not childcare.gap_cell.suppressed


def test_every_shown_share_is_the_shown_count_over_the_shown_base(known):
    for seed in range(3):
        seed_keys(seed)
        p = picture_for(known.odense)
        base_women, base_men = p.by_sex.cells[0][0], p.by_sex.cells[0][1]
        assert (p.women_n, p.men_n) == (base_women.value, base_men.value)
        for r in p.topics + p.offers + p.outcomes:
            for part, share, base in ((r.women, r.women_share, base_women), (r.men, r.men_share, base_men)):
                if part.suppressed:
                    assert part.display("da") == "<5" and share.suppressed
                else:
                    assert share.value == pytest.approx(min(part.value, base.value) / base.value)
                    assert part.value == 0 or part.value >= 5
            if r.gap is not None:
                assert (r.gap.women_count, r.gap.women_n, r.gap.men_count, r.gap.men_n) == (
                    min(r.women.value, p.women_n), p.women_n, min(r.men.value, p.men_n), p.men_n)


def test_the_same_conversations_give_the_same_numbers_whatever_the_filter(known):
    """A period that adds only empty days, or a parent unit whose other branches are empty,
    selects the same records: the same keys, so the same noise; nothing to difference."""
    t = known.odense
    day = periods.add_months(timezone.localdate(), -1)  # where bulk_entries puts them
    narrow = picture_for(t, date_from=day, date_to=day)
    wide = picture_for(t, date_from=day - dt.timedelta(days=200), date_to=day + dt.timedelta(days=2))
    parent = picture_for(t, unit_ids=[t.administration.pk, t.team.pk, t.other_team.pk], date_from=day,
                         date_to=day)
    assert displayed(narrow) == displayed(wide) == displayed(parent)


def test_andet_can_no_longer_be_recovered_from_the_sex_and_age_tables(lists):
    """Issue 13: the sex table hid 'andet' but the age table showed the total, so
    andet = 28 − 14 − 13 = 1. The totals are now protected cells of their own: under
    several record-key seeds the difference is noise around 1, not 1 with certainty."""
    t = lists.odense
    bulk_entries(t, 14, sex="kvinde")
    bulk_entries(t, 13, sex="mand")
    bulk_entries(t, 1, sex="andet")
    differences = set()
    for seed in range(8):
        seed_keys(seed)
        p = picture_for(t)
        women, men, other, unknown, total = p.by_sex.cells[0]
        assert other.display("da") == "<5" and unknown.value == 0
        # The age table's grand total and its women/men columns are the same record sets
        # as the sex table's, so they show the same numbers: the page agrees with itself.
        age_total_row = p.by_age.cells[-1]
        assert (age_total_row[0].value, age_total_row[1].value, age_total_row[-1].value) == (
            women.value, men.value, total.value)
        differences.add(total.value - women.value - men.value)
    assert differences != {1}
    assert all(abs(d - 1) <= 3 * disclosure.MAX_NOISE for d in differences)


def test_a_clear_gap_is_not_drowned_by_list_items_nobody_used(lists):
    """Issue 13: 15 unused list items counted as tests turned a clear gap into "no clear
    difference". The Benjamini–Hochberg family is the comparisons actually made."""
    t = lists.odense
    for k in range(15):
        ListItem.objects.create(municipality=t.municipality, unit=t.team, kind=ListItem.Kind.TOPIC,
                                label=f"Ubrugt emne {k}", position=200 + k)
    bulk_entries(t, 40, sex="kvinde", topics=[("Jobsøgning", 12), ("Økonomi", 20), ("Helbred", 15),
                                               ("Uddannelse", 10)])
    bulk_entries(t, 40, sex="mand", topics=[("Jobsøgning", 24), ("Økonomi", 21), ("Helbred", 14),
                                             ("Uddannelse", 11)])
    zero_keys()
    p = picture_for(t)
    job = row(p.topics, "Jobsøgning")
    assert job.gap.p_value < 0.02
    tested = [r for r in p.topics + p.offers + p.outcomes if r.gap is not None]
    assert sorted(r.label for r in tested) == ["Helbred", "Jobsøgning", "Uddannelse", "Økonomi"]
    assert job.gap.adjusted_p == pytest.approx(min(1.0, job.gap.p_value * 4))
    assert job.verdict == st.SIGNIFICANT
    unused = [r for r in p.topics if r.label.startswith("Ubrugt")]
    assert len(unused) == 15 and all(not r.used and r.gap is None for r in unused)
    # Counted as tests, the same gap would not have been significant.
    family = len(p.topics + p.offers + p.outcomes)
    assert st.benjamini_hochberg([job.gap.p_value] + [1.0] * (family - 1))[0] > 0.05


def test_the_benjamini_hochberg_adjustment_covers_the_tested_gaps_of_the_whole_page(known):
    p = picture_for(known.odense)
    rows = p.topics + p.offers + p.outcomes
    tested = [r.gap for r in rows if r.gap and r.gap.verdict != st.TOO_FEW]
    raw = [g.p_value for g in tested]
    assert [g.adjusted_p for g in tested] == pytest.approx(st.benjamini_hochberg(raw))
    assert all(r.used for r in rows if r.gap is not None)


def test_the_counting_happens_in_the_database(known, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        picture_for(known.odense)


def test_the_analysis_page_shows_the_picture_to_lederes_and_analysts(client, known):
    t = known.odense
    zero_keys()
    job = row(picture_for(t).topics, "Jobsøgning")
    for user in (t.leder, t.analytiker):
        client.force_login(user)
        response = client.get(reverse("logbooks:analysis"), {"unit": str(t.team.uuid)})
        body = response.content.decode()
        assert response.status_code == 200
        assert "Jobsøgning" in body and job.gap_cell.display("da") in body and "Signifikant forskel" in body
        assert "Ikke signifikant" in body and "&lt;5" in body and "Ikke brugt i perioden" in body
        assert "højst ±2" in body  # the footnote of the protected tables
        assert "fortrolig" not in body.replace("fortroligheden", "")


def test_the_markers_use_the_municipalitys_threshold(client, known):
    t = known.odense
    t.municipality.suppression_threshold = 10
    t.municipality.save()
    client.force_login(t.analytiker)
    body = client.get(reverse("logbooks:analysis"), {"unit": str(t.team.uuid)}).content.decode()
    assert "&lt;10" in body and "&lt;5" not in body
    assert "færre end 10 personer" in body


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


def age_group(tenant, n, *, sex, band, with_topic):
    entries = bulk_entries(tenant, n, sex=sex, topics=[("Jobsøgning", with_topic)])
    Entry.objects.filter(pk__in=[e.pk for e in entries]).update(age_band=band)


def test_the_analysis_page_shows_when_age_explains_the_gap(client, lists):
    """Issue 13: women are older, and Jobsøgning depends on age only (80 % of the old, 30 %
    of the young, in both sexes). The crude gap is clear; adjusted for age it is gone, and
    the page says so beside the verdict."""
    t = lists.odense
    age_group(t, 60, sex="kvinde", band="75+", with_topic=48)
    age_group(t, 30, sex="kvinde", band="30-39", with_topic=9)
    age_group(t, 20, sex="mand", band="75+", with_topic=16)
    age_group(t, 60, sex="mand", band="30-39", with_topic=18)
    zero_keys()
    p = selectors.gender_picture(municipality_id=t.municipality.pk, unit_ids=[t.team.pk], threshold=5,
                                 age_adjust=True)
    job = row(p.topics, "Jobsøgning")
    assert job.gap.difference > 15 and job.verdict == st.SIGNIFICANT
    # Independent check from the shown numbers (every key 0: each count two less), by hand:
    # Mantel–Haenszel weights w_k = n1k·n0k/(n1k+n0k) and RD = Σ w_k·(p1k − p0k) / Σ w_k.
    strata = [(46, 58, 14, 18), (7, 28, 16, 58)]
    weights = [wn * mn / (wn + mn) for _w, wn, _m, mn in strata]
    expected = sum(wt * (w / wn - m / mn) for wt, (w, wn, m, mn) in zip(weights, strata, strict=True)) / sum(weights)
    assert job.age.adjusted.difference == pytest.approx(100 * expected)
    assert abs(job.age.adjusted.difference) < 5 and job.age.code == "changes"
    assert picture_for(t).topics[0].age is None  # the dashboard's picture leaves it out
    client.force_login(t.leder)
    body = client.get(reverse("logbooks:analysis"), {"unit": str(t.team.uuid)}).content.decode()
    assert "Justeret for alder er forskellen" in body


def test_a_unit_without_conversations_says_so_instead_of_tables_of_zeros(client, lists):
    t = lists.odense
    client.force_login(t.leder)
    body = client.get(reverse("logbooks:analysis"), {"unit": str(t.team.uuid)}).content.decode()
    assert "Der er ikke registreret samtaler i enheden i perioden." in body
    assert "Ikke brugt i perioden" not in body and 'id="h-age"' not in body
