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
    return response.context["board"].section("by_sex").table.cells[0][0].value


def test_a_repeated_view_is_served_from_the_cache(client, known):
    first, cold = dashboard(client, known.odense)
    second, warm = dashboard(client, known.odense)
    assert women(first) == women(second) == 40
    assert warm < cold - 5  # the counting queries are not run again
    assert first.context["board"].sections == second.context["board"].sections


def test_a_new_conversation_shows_at_the_next_view(client, known):
    t = known.odense
    dashboard(client, t)
    kind = t.team.logbook_items.filter(kind="samtale").first()
    logbook_services.create_entry(author=t.medarbejder, unit=t.team, fields={
        "date": dt.date(2025, 3, 3), "sex": "kvinde", "age_band": "30-39", "kind": kind})
    response, _ = dashboard(client, t)
    assert women(response) == 41


def test_editing_and_deleting_show_at_the_next_view(client, known):
    t = known.odense
    entry = Entry.objects.filter(unit=t.team, sex="kvinde").first()
    dashboard(client, t)
    logbook_services.update_entry(entry=entry, by=t.medarbejder, expected_version=entry.version,
                                  fields={"sex": "mand"})
    response, _ = dashboard(client, t)
    assert women(response) == 39
    entry.refresh_from_db()
    logbook_services.delete_entry(entry=entry, by=t.medarbejder)
    response, _ = dashboard(client, t)
    assert response.context["board"].section("by_sex").table.cells[0][1].value == 30


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
