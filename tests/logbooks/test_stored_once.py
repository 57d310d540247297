"""Quick entry and new observations store each submission once: the form carries an
idempotency key made when it is shown, and a repeated POST with that key (a double click,
a resent request) creates nothing new and answers as the first did."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from logbooks.models import Entry, EntryTopic, Observation
from reporting.models import MonthlyConversations
from tests.logbooks.test_quick_entry import URL, valid_data


def form_key(response) -> str:
    match = re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"', response.content.decode())
    assert match, "the form has no idempotency key"
    return match.group(1)


def test_the_form_carries_a_fresh_key_each_time_it_is_shown(client, lists):
    client.force_login(lists.odense.medarbejder)
    first, second = form_key(client.get(URL)), form_key(client.get(URL))
    assert first != second


def test_a_double_post_stores_one_entry_and_answers_the_same(client, lists):
    t = lists.odense
    client.force_login(t.medarbejder)
    data = valid_data(t.team, idempotency_key=form_key(client.get(URL)))
    first = client.post(URL, data)
    second = client.post(URL, data)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert Entry.objects.count() == 1 and EntryTopic.objects.count() == 2
    # The monthly count the dashboards read moved once, too.
    assert sum(MonthlyConversations.objects.values_list("conversations", flat=True)) == 1
    # The user sees the success message, not an error.
    page = client.get(second.url).content.decode()
    assert "Samtalen er gemt" in page and "alert-danger" not in page
    # A new form (a new key) stores the next conversation.
    client.post(URL, valid_data(t.team, idempotency_key=form_key(client.get(URL))))
    assert Entry.objects.count() == 2


def test_a_refused_form_keeps_its_key_so_the_corrected_post_is_stored_once(client, lists):
    t = lists.odense
    client.force_login(t.medarbejder)
    key = form_key(client.get(URL))
    refused = client.post(URL, valid_data(t.team, sex="", idempotency_key=key))
    assert refused.status_code == 400 and form_key(refused) == key
    for _ in range(2):
        client.post(URL, valid_data(t.team, idempotency_key=key))
    assert Entry.objects.count() == 1


def test_the_same_key_of_another_author_is_another_entry(client, lists):
    t = lists.odense
    key = "3f2c1a3e-8a55-4b5e-9a7e-0d1c2b3a4f5e"
    for user in (t.medarbejder, t.leder):
        client.force_login(user)
        client.post(URL, valid_data(t.team, idempotency_key=key))
    assert Entry.objects.count() == 2


def test_a_post_without_a_key_or_with_a_malformed_one_is_still_stored(client, lists):
    """An old form without the field, or a mangled value: stored, as before the keys."""
    t = lists.odense
    client.force_login(t.medarbejder)
    assert client.post(URL, valid_data(t.team)).status_code == 302
    assert client.post(URL, valid_data(t.team, idempotency_key="x" * 40)).status_code == 302
    assert Entry.objects.count() == 2


def test_the_key_costs_the_quick_entry_no_extra_query(client, lists):
    t = lists.odense
    client.force_login(t.medarbejder)
    client.post(URL, valid_data(t.team))  # warm up (first entry of the month)
    with CaptureQueriesContext(connection) as without_key:
        client.post(URL, valid_data(t.team))
    with CaptureQueriesContext(connection) as with_key:
        client.post(URL, valid_data(t.team, idempotency_key="6a1c6f1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b"))
    assert len(with_key) <= len(without_key) + 1


def test_a_double_post_of_a_new_observation_stores_one(client, world):
    t = world.odense
    client.force_login(t.medarbejder)
    url = reverse("logbooks:observation_create")
    key = form_key(client.get(url))
    data = {"observed": t.leder.pk, "date": timezone.localdate().isoformat(), "focus": "Emner med kvinder og mænd",
            "idempotency_key": key}
    first, second = client.post(url, data), client.post(url, data)
    assert Observation.objects.count() == 1
    observation = Observation.objects.get()
    assert first.url == second.url == reverse("logbooks:observation_detail", args=[observation.uuid])


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_posts_with_one_key_store_one_entry(lists):
    """Ten browsers' worth of the same submission at once, each on its own connection."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them)")
    t = lists.odense
    data = valid_data(t.team, idempotency_key="9b8e7d6c-5b4a-4392-8817-161514131211")
    start = threading.Barrier(10)
    statuses, errors = [], []

    def post():
        browser = Client(raise_request_exception=True)
        browser.force_login(t.medarbejder)
        start.wait()
        try:
            statuses.append(browser.post(URL, data).status_code)
        except Exception as exc:  # a 500
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and statuses == [302] * 10
    assert Entry.objects.count() == 1 and EntryTopic.objects.count() == 2
    assert sum(MonthlyConversations.objects.values_list("conversations", flat=True)) == 1

