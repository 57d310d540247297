"""Dashboards are cached under the municipality's data version: a repeated view is cheap,
and any change of the data shows at the next view."""

import datetime as dt

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import versions
from accounts.services import update_municipality_settings, update_unit
from logbooks import services as logbook_services
from logbooks.models import Entry
from reporting.testing import seed_known
from tests.guards import DataVersionGuardMiddleware
from tests.reporting.keyed import SEEDS, published, rekey

URL = reverse("reporting:dashboard")


@pytest.fixture
def known(world):
    seed_known(world.odense)
    return world


def dashboard(client, tenant, **params):
    client.force_login(tenant.leder)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"unit": tenant.team.uuid, "period": "2025", **params})
    assert response.status_code == 200
    return response, len(queries.captured_queries)


def women(response) -> int:
    """The women of the period as the dashboard publishes them (the trend table's total)."""
    return response.context["board"].section("trend").table.cells[-1][0].value


def men(response) -> int:
    return response.context["board"].section("trend").table.cells[-1][1].value


def team_2025(tenant, sex):
    return Entry.objects.filter(unit=tenant.team, date__year=2025, sex=sex)


def trend_values(response) -> list[list[int | None]]:
    return [[c.value for c in row] for row in response.context["board"].section("trend").table.cells]


def fresh_trend(tenant) -> list[list[int | None]]:
    """The trend table a direct query of today's conversations publishes: a stale cached
    table differs from it in the month, the sex and the totals a change touched."""
    team = Entry.objects.filter(unit=tenant.team, date__year=2025)
    pair = team.filter(sex__in=("kvinde", "mand"))
    rows = [[published(pair.filter(date__month=m, sex="kvinde")), published(pair.filter(date__month=m, sex="mand")),
             published(pair.filter(date__month=m))] for m in range(1, 13)]
    rows.append([published(pair.filter(sex="kvinde")), published(pair.filter(sex="mand")), published(pair)])
    return rows


def test_a_repeated_view_is_served_from_the_cache(client, known):
    first, cold = dashboard(client, known.odense)
    second, warm = dashboard(client, known.odense)
    assert women(first) == women(second) == published(team_2025(known.odense, "kvinde"))
    assert warm < cold - 5  # the counting queries are not run again
    assert first.context["board"].sections == second.context["board"].sections


def test_a_new_conversation_shows_at_the_next_view(client, known):
    t = known.odense
    dashboard(client, t)
    kind = t.team.logbook_items.filter(kind="samtale").first()
    logbook_services.create_entry(author=t.medarbejder, unit=t.team, fields={
        "date": dt.date(2025, 3, 3), "sex": "kvinde", "age_band": "30-39", "kind": kind})
    response, _ = dashboard(client, t)
    assert team_2025(t, "kvinde").count() == 41
    assert women(response) == published(team_2025(t, "kvinde"))
    assert trend_values(response) == fresh_trend(t)


def test_editing_and_deleting_show_at_the_next_view(client, known):
    t = known.odense
    entry = Entry.objects.filter(unit=t.team, sex="kvinde").first()
    dashboard(client, t)
    logbook_services.update_entry(entry=entry, by=t.medarbejder, expected_version=entry.version,
                                  fields={"sex": "mand"})
    response, _ = dashboard(client, t)
    assert team_2025(t, "kvinde").count() == 39
    assert (women(response), men(response)) == (published(team_2025(t, "kvinde")), published(team_2025(t, "mand")))
    assert trend_values(response) == fresh_trend(t)
    entry.refresh_from_db()
    logbook_services.delete_entry(entry=entry, by=t.medarbejder)
    response, _ = dashboard(client, t)
    assert team_2025(t, "mand").count() == 30
    assert men(response) == published(team_2025(t, "mand"))
    assert trend_values(response) == fresh_trend(t)


def test_new_record_keys_show_at_the_next_view(client, known):
    """The numbers follow the conversations' keys, and the cache follows the version: after
    re-keying (and the version bump that goes with every write) the dashboard publishes
    the numbers of the new keys, never a cached figure of the old ones."""
    t = known.odense
    seen = set()
    for seed in SEEDS:
        rekey(seed)
        response, _ = dashboard(client, t)
        assert women(response) == published(team_2025(t, "kvinde"))
        assert trend_values(response) == fresh_trend(t)
        seen.add(women(response))
    assert len(seen) > 1  # the keys do move the published number


def test_a_new_threshold_and_a_renamed_unit_show_at_the_next_view(client, known):
    t = known.odense
    dashboard(client, t, dimension="age_band")
    update_municipality_settings(by=t.administrator, municipality=t.municipality, suppression_threshold=50,
                                 retention_months=24)
    update_unit(unit=t.team, name="Træning Nord", kind=t.team.kind, by=t.administrator)
    response, _ = dashboard(client, t, dimension="age_band")
    assert response.context["board"].section("by_sex").table.cells[0][1].suppressed  # 30 < 50
    assert "Træning Nord" in response.content.decode()


def test_the_language_is_part_of_the_key(client, known):
    danish, _ = dashboard(client, known.odense)
    client.cookies["django_language"] = "en"
    english, _ = dashboard(client, known.odense)
    assert "Samtaler efter borgerens køn" in danish.content.decode()
    assert "Conversations by the citizen&#x27;s sex" in english.content.decode()


def test_another_municipalitys_write_does_not_touch_this_cache(client, known):
    before = versions.current(known.odense.municipality.pk)
    versions.bump(known.aarhus.municipality.pk)
    assert versions.current(known.odense.municipality.pk) == before
    _, cold = dashboard(client, known.odense)
    versions.bump(known.aarhus.municipality.pk)
    _, warm = dashboard(client, known.odense)
    assert warm < cold - 5


def test_versions_grow_with_every_bump_and_include_the_shared_data(db, world):
    m = world.odense.municipality.pk
    start = versions.current(m)
    versions.bump(m)
    own = versions.current(m)
    assert own > start
    # A version is never below the clock: a restored backup cannot reuse a cached version.
    assert own >= (timezone.now().timestamp() - 60) * 1_000_000
    versions.bump(None)  # the shared reference figures changed
    assert versions.current(m) > own
    versions.bump(m)
    versions.bump(m)
    assert versions.current(m) > own + 1


def test_the_guard_fails_a_request_that_writes_without_bumping(db, world):
    def sloppy_view(request):
        Entry.objects.filter(unit=world.odense.team).update(reflections="")  # no rows: allowed
        Entry.objects.create(municipality=world.odense.municipality, unit=world.odense.team,
                             author=world.odense.medarbejder, date=timezone.localdate(), sex="kvinde",
                             age_band="30-39")
        return HttpResponse()

    def careful_view(request):
        sloppy_view(request)
        versions.bump(world.odense.municipality.pk)
        return HttpResponse()

    request = RequestFactory().post("/")
    with pytest.raises(AssertionError, match="logbooks_entry"):
        DataVersionGuardMiddleware(sloppy_view)(request)
    assert DataVersionGuardMiddleware(careful_view)(request).status_code == 200
