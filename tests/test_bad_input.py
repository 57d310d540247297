"""Malformed input gets 400 or 404, never a 500 (tests/test_odd_requests.py fuzzes every view)."""

from django.urls import reverse

from accounts.models import AuditEvent, Unit
from logbooks.models import ListItem
from logbooks.services import seed_lists


def test_a_nul_byte_in_the_query_string_gets_the_danish_400_page(client, world):
    client.force_login(world.odense.medarbejder)
    response = client.get(reverse("logbooks:quick_entry") + "?unit=a%00b")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Forespørgslen kunne ikke forstås" in body and "\x00" not in body
    # In a parameter's name too.
    assert client.get(reverse("logbooks:my_entries") + "?a%00=1").status_code == 400


def test_a_nul_byte_in_a_form_field_gets_400_and_stores_nothing(client, world):
    seed_lists(unit=world.odense.team, area="job")
    client.force_login(world.odense.leder)
    url = reverse("logbooks:list_manage", args=[world.odense.team.uuid])
    before = ListItem.objects.count()
    response = client.post(url, {"kind": "emne", "label": "Bolig\x00"})
    assert response.status_code == 400 and "\x00" not in response.content.decode()
    assert ListItem.objects.count() == before
    # An ordinary value still works.
    assert client.post(url, {"kind": "emne", "label": "Bolig"}).status_code == 302


def test_a_cookie_with_a_nul_byte_is_ignored(client, world):
    client.cookies["sessionid"] = "abc\x00def0123456789"
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_a_malformed_unit_in_the_query_is_404_and_audited(client, world):
    client.force_login(world.odense.analytiker)
    for url in (reverse("datasets:dataset_list"), reverse("datasets:dataset_create"),
                reverse("logbooks:analysis"), reverse("reporting:report_list")):
        before = AuditEvent.objects.filter(action="access.not_found").count()
        response = client.get(url, {"unit": "not-a-uuid"})
        assert response.status_code == 404, url
        assert AuditEvent.objects.filter(action="access.not_found").count() == before + 1
    client.force_login(world.odense.administrator)
    assert client.get(reverse("accounts:unit_create"), {"parent": "x" * 10_000}).status_code == 404
    response = client.get(reverse("accounts:unit_create"), {"parent": str(world.odense.team.uuid)})
    assert response.status_code == 200


def test_an_id_no_column_can_hold_is_an_invalid_choice(client, world):
    """A multiple choice of objects with "99999999999999999999": the form's error, not
    SQLite's OverflowError (ligestilling/lookups.py)."""
    client.force_login(world.odense.leder)
    response = client.post(reverse("projects:project_create"), {
        "title": "Stor", "units": ["9" * 30], "members": ["9" * 30]})
    assert response.status_code in (200, 400)
    assert "units" in response.context["form"].errors
    assert Unit.objects.filter(pk__in=[world.odense.team.pk, 10**30]).get() == world.odense.team


def test_a_long_word_in_free_text_is_checked_in_linear_time():
    """The e-mail pattern of the privacy guard rescanned a long run of letters from every
    position: 10,000 characters took 0.4 s and 40,000 six seconds, so one posted field of a
    few hundred kilobytes held a worker for hours."""
    import time

    from ligestilling.lib.privacy import find_identifiers

    started = time.process_time()
    assert find_identifiers("x" * 200_000) == []
    assert find_identifiers("x" * 200_000 + "@kommune.dk") == ["email"]
    assert time.process_time() - started < 2
