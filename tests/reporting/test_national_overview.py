"""The national overview page: every municipality for platform staff, one's own beside the
installation total for a municipality's leder/analytiker, 403 for caseworkers."""

import random
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Municipality
from ligestilling.lib import disclosure, periods
from ligestilling.lib import statistics as st
from logbooks.models import Entry
from reporting import national
from reporting.summary import refresh_summary
from tests.tenancy import assert_forbidden, build_tenant, make_user

URL = "reporting:national_overview"
FREE_TEXT = "HEMMELIG-REFLEKSION"


def conversations(tenant, women: int, men: int) -> None:
    """Entries last month (inside the last 12 whole months), with free text that must never show."""
    day = periods.add_months(timezone.localdate().replace(day=1), -1)
    Entry.objects.bulk_create(
        Entry(municipality=tenant.municipality, unit=tenant.team, author=tenant.medarbejder, sex=sex,
              age_band="30-39", date=day, reflections=FREE_TEXT)
        for sex, n in (("kvinde", women), ("mand", men)) for _ in range(n)
    )


@pytest.fixture
def staff(db):
    return make_user("drift@platform.test", None, is_staff=True, is_superuser=True)


@pytest.fixture
def national_world(world):
    nyborg = build_tenant("Nyborg Kommune", "nyborg", "450", "Social og Sundhed", "Jobcenter Nyborg", "Ydelser")
    conversations(world.odense, 40, 30)
    conversations(world.aarhus, 25, 20)
    conversations(nyborg, 3, 12)  # 3 women: below the threshold
    kolding = build_tenant("Kolding Kommune", "kolding", "621", "Social", "Jobcenter Kolding", "Ydelser Kolding")
    conversations(kolding, 60, 50)
    # Old conversations (outside the last 12 months) are not counted.
    Entry.objects.create(municipality=world.aarhus.municipality, unit=world.aarhus.team,
                         author=world.aarhus.medarbejder, sex="kvinde", age_band="30-39",
                         date=timezone.localdate().replace(day=1, year=timezone.localdate().year - 2))
    # Known record keys, so the published (perturbed) counts can be worked out below.
    Entry.objects.update(record_key=0)
    refresh_summary()
    world.nyborg = nyborg
    return world


def shown(count: int, threshold: int = 5) -> int | None:
    """The published count of `count` conversations whose record keys are all 0."""
    return disclosure.protect(disclosure.Keyed(count, 0), threshold)


def pct(women: int, men: int) -> str:
    return f"{round(100 * women / (women + men))} pct."


def name(row: str) -> str:
    return "Alle" if row.startswith("Alle kommuner") else row.split(" Kommune")[0]


def body_rows(html: str) -> list[str]:
    tbody = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip()
            for r in re.findall(r"<tr[^>]*>(.*?)</tr>", tbody, re.S)]


def test_staff_see_every_municipality_and_the_national_total(client, staff, national_world):
    client.force_login(staff)
    response = client.get(reverse(URL))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "Landsoverblik" in html
    rows = body_rows(html)
    assert [name(r) for r in rows] == ["Aarhus", "Kolding", "Nyborg", "Odense", "Alle"]
    # Every count is the protected one (key 0: two less), the share from the numbers shown.
    w, m = shown(40), shown(30)
    assert (w, m) == (38, 28)  # the perturbation really changed them
    low, high = st.wilson_interval(w, w + m)
    assert rows[3].startswith(f"Odense Kommune 461 {w} {m} {pct(w, m)} {round(100 * low)}–{round(100 * high)} pct.")
    assert rows[1].startswith(f"Kolding Kommune 621 {shown(60)} {shown(50)} {pct(shown(60), shown(50))}")
    # Nyborg's 3 women are "<5" and the share with them is hidden; the men are shown:
    # no secondary suppression, the noise protects the totals.
    assert rows[2].startswith(f"Nyborg Kommune 450 &lt;5 {shown(12)} (skjult)")
    assert rows[0].startswith(f"Aarhus Kommune 751 {shown(25)} {shown(20)} {pct(shown(25), shown(20))}")
    # The national total is protected as a cell of its own, not the sum of the rows shown.
    assert rows[4].startswith(f"Alle kommuner {shown(128)} {shown(112)} {pct(shown(128), shown(112))}")
    assert shown(128) != shown(40) + shown(25) + shown(60) + 3
    assert "færre end 5 personer" in html and "ændret tilfældigt med højst ±2" in html
    assert "<caption>" in html and 'scope="col"' in html and 'scope="row"' in html
    assert FREE_TEXT not in html


def test_the_window_is_the_twelve_whole_months_before_this_one_and_the_header_says_so(client, staff,
                                                                                    national_world):
    """"Seneste 12 måneder" as everywhere (ligestilling.lib.periods): the running month is
    not counted, and the page states the first and the last day."""
    conversations(national_world.odense, 0, 0)
    Entry.objects.create(municipality=national_world.odense.municipality, unit=national_world.odense.team,
                         author=national_world.odense.medarbejder, sex="kvinde", age_band="30-39",
                         date=timezone.localdate())
    refresh_summary()
    client.force_login(staff)
    html = client.get(reverse(URL)).content.decode()
    odense = next(r for r in body_rows(html) if r.startswith("Odense"))
    # Today's conversation is not in the window: still 40 women and 30 men, as published.
    assert odense.startswith(f"Odense Kommune 461 {shown(40)} {shown(30)} ")
    window = periods.last_12_months(timezone.localdate())
    assert f"{periods.date_da(window.date_from)} – {periods.date_da(window.date_to)}" in html


def test_staff_can_sort_by_a_column_without_revealing_hidden_values(client, staff, national_world):
    client.force_login(staff)
    html = client.get(reverse(URL), {"sort": "-women"}).content.decode()
    names = [name(r) for r in body_rows(html)]
    # Visible values first (largest first), the hidden one last whatever its true value.
    assert names == ["Kolding", "Odense", "Aarhus", "Nyborg", "Alle"]
    assert 'aria-sort="descending"' in html and 'href="?sort=women"' in html
    html = client.get(reverse(URL), {"sort": "code"}).content.decode()
    assert [name(r) for r in body_rows(html)][:4] == ["Nyborg", "Odense", "Kolding", "Aarhus"]
    html = client.get(reverse(URL), {"sort": "nonsense"}).content.decode()
    assert [name(r) for r in body_rows(html)][:4] == ["Aarhus", "Kolding", "Nyborg", "Odense"]


def test_an_analytiker_sees_own_municipality_and_the_total_but_no_other(client, national_world):
    """Proves for tests/test_isolation_coverage.py that the page shows no other municipality."""
    for user in (national_world.aarhus.analytiker, national_world.aarhus.leder):
        client.force_login(user)
        response = client.get(reverse(URL))
        assert response.status_code == 200
        html = response.content.decode()
        rows = body_rows(html)
        assert len(rows) == 2
        assert rows[0].startswith(f"Aarhus Kommune 751 {shown(25)} {shown(20)} {pct(shown(25), shown(20))}")
        # The installation total: 40+25+3+60 women, 30+20+12+50 men (all municipalities).
        assert rows[1].startswith(f"Alle kommuner {shown(128)} {shown(112)} {pct(shown(128), shown(112))}")
        for other in ("Odense", "Nyborg", "Kolding", "461", "450", "621"):
            assert other not in html
        assert FREE_TEXT not in html
        assert "?sort=" not in html


def test_the_total_is_withheld_when_it_would_reveal_the_one_other_municipality(client, world):
    conversations(world.odense, 40, 30)
    conversations(world.aarhus, 25, 20)
    refresh_summary()
    client.force_login(world.aarhus.analytiker)
    html = client.get(reverse(URL)).content.decode()
    rows = body_rows(html)
    assert len(rows) == 1 and rows[0].startswith("Aarhus Kommune")
    assert "mindst to andre kommuner" in html
    assert "Odense" not in html and "65" not in rows[0]


def test_small_counts_of_the_own_municipality_are_suppressed(client, national_world):
    client.force_login(national_world.nyborg.analytiker)
    rows = body_rows(client.get(reverse(URL)).content.decode())
    assert rows[0].startswith(f"Nyborg Kommune 450 &lt;5 {shown(12)} (skjult)")


def test_caseworkers_administrators_and_users_without_a_role_get_403(client, national_world):
    assert_forbidden(client, [national_world.odense.medarbejder, national_world.odense.administrator,
                              national_world.outsider], reverse(URL), method="get")


def test_a_platform_account_without_staff_rights_gets_404(client, national_world):
    user = make_user("someone@platform.test", None)
    client.force_login(user)
    assert client.get(reverse(URL)).status_code == 404


def test_a_municipality_user_with_the_staff_flag_still_sees_only_their_own(client, national_world):
    user = national_world.aarhus.analytiker
    user.is_staff = True
    user.save()
    client.force_login(user)
    html = client.get(reverse(URL)).content.decode()
    assert "Odense" not in html and "Aarhus Kommune" in html


def test_municipalities_not_yet_counted_show_dashes(client, staff, national_world):
    Municipality.objects.create(name="Ærø Kommune", slug="aeroe", code="492")
    client.force_login(staff)
    html = client.get(reverse(URL)).content.decode()
    row = next(r for r in body_rows(html) if r.startswith("Ærø"))
    assert "–" in row and "1 kommune er ikke talt op endnu" in html


def test_the_query_count_does_not_grow_with_the_municipalities(client, staff, national_world,
                                                               django_assert_max_num_queries):
    client.force_login(staff)
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse(URL), {"sort": "-share"}).status_code == 200
    for k in range(20):
        tenant = build_tenant(f"Kommune {k}", f"kommune-{k}", f"{600 + k}", "Forvaltning", "Team A", "Team B")
        conversations(tenant, 10 + k, 12)
    refresh_summary()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse(URL), {"sort": "-share"}).status_code == 200
    client.force_login(national_world.aarhus.analytiker)
    with django_assert_max_num_queries(12):
        assert client.get(reverse(URL)).status_code == 200


def test_the_page_reads_only_the_summary_table(client, staff, national_world):
    Entry.objects.all().delete()  # raw data gone; the summary still holds the last count
    client.force_login(staff)
    rows = body_rows(client.get(reverse(URL)).content.decode())
    assert rows[3].startswith(f"Odense Kommune 461 {shown(40)} {shown(30)}")


def test_no_inline_scripts_and_the_dashboard_links_here(client, national_world):
    client.force_login(national_world.odense.analytiker)
    html = client.get(reverse(URL)).content.decode()
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag
    dashboard = client.get(reverse("reporting:dashboard")).content.decode()
    assert reverse(URL) in dashboard
    client.force_login(national_world.odense.medarbejder)
    assert reverse(URL) not in client.get(reverse("reporting:dashboard")).content.decode()


def test_the_share_of_women_is_computed_from_the_numbers_shown(national_world):
    overview = national.municipality_overview(national_world.odense.municipality)
    own = overview.rows[0]
    assert (own.women.value, own.men.value) == (shown(40), shown(30))
    w, m = shown(40), shown(30)
    assert own.share.value == pytest.approx(w / (w + m)) and own.share.value != pytest.approx(40 / 70)
    assert (own.share.low, own.share.high) == pytest.approx(st.wilson_interval(w, w + m))


def attack_all_minus_own(client, world, seed: int) -> dict[str, tuple[int, int]]:
    """Aarhus' analytiker reads the page; returns {sex: (total − own, Odense's true count)}."""
    rng = random.Random(seed)
    for entry in Entry.objects.all():
        Entry.objects.filter(pk=entry.pk).update(record_key=rng.randrange(disclosure.KEY_RANGE))
    refresh_summary()
    client.force_login(world.aarhus.analytiker)
    rows = body_rows(client.get(reverse(URL)).content.decode())
    own, total = (r.split() for r in rows)
    own_w, own_m = int(own[3]), int(own[4])
    all_w, all_m = int(total[2]), int(total[3])
    return {"kvinde": (all_w - own_w, 40), "mand": (all_m - own_m, 30)}


def test_all_municipalities_minus_own_never_gives_the_one_other_municipality(client, world):
    """Issue 13's recovery: with two municipalities holding data and a third without, the
    installation total minus one's own municipality was the other one's exact count.

    Under every choice of record keys the difference must not be certain to hit Odense's
    true count: a hit under one set of keys is chance; a hit under all is a recovery.
    """
    build_tenant("Nyborg Kommune", "nyborg", "450", "Social og Sundhed", "Jobcenter Nyborg", "Ydelser")  # no data
    conversations(world.odense, 40, 30)
    conversations(world.aarhus, 25, 20)
    results = [attack_all_minus_own(client, world, seed) for seed in range(8)]
    assert len(body_rows(client.get(reverse(URL)).content.decode())) == 2  # the total is shown
    for sex in ("kvinde", "mand"):
        differences = [r[sex][0] for r in results]
        truth = results[0][sex][1]
        assert not all(d == truth for d in differences), (sex, differences)
        assert all(abs(d - truth) <= 2 * disclosure.MAX_NOISE for d in differences)  # still useful
