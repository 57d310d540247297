import datetime as dt

from django.urls import reverse

from accounts.models import AuditEvent
from ligestilling.lib import disclosure
from logbooks import selectors, services
from logbooks.models import Entry
from tests.logbooks.conftest import item, make_entry
from tests.logbooks.test_quick_entry import valid_data
from tests.tenancy import assert_forbidden, assert_other_municipality_gets_404, make_user


def test_my_logbook_lists_own_entries_newest_first(client, lists):
    t = lists.odense
    today = dt.date.today()
    make_entry(t, date=today - dt.timedelta(days=5), topics=["Økonomi"])
    make_entry(t, date=today, topics=["Jobsøgning"], reflections="Meget motiveret")
    make_entry(t, author=t.leder, topics=["Praktik"])  # someone else's
    client.force_login(t.medarbejder)
    response = client.get(reverse("logbooks:my_entries"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "2 samtaler" in body and "Praktik" not in body
    assert body.index("Jobsøgning") < body.index("Økonomi")
    # Search in free text and topics; filter by sex.
    assert "1 samtale" in client.get(reverse("logbooks:my_entries"), {"q": "motiveret"}).content.decode()
    assert "Ingen notater" in client.get(reverse("logbooks:my_entries"), {"sex": "mand"}).content.decode()


def test_my_logbook_is_paginated(client, lists):
    t = lists.odense
    for _ in range(21):
        make_entry(t)
    client.force_login(t.medarbejder)
    assert "Side 1 af 2" in client.get(reverse("logbooks:my_entries")).content.decode()
    assert client.get(reverse("logbooks:my_entries"), {"page": 2}).context["page"].object_list.__len__() == 1


def test_the_author_and_the_leder_see_the_entry_in_full(client, lists):
    t = lists.odense
    entry = make_entry(t, reflections="Hun tog selv børnepasning op.")
    url = reverse("logbooks:entry_detail", args=[entry.uuid])
    client.force_login(t.medarbejder)
    assert "Hun tog selv børnepasning op." in client.get(url).content.decode()
    assert not AuditEvent.objects.filter(action="logbook.entry.read").exists()
    client.force_login(t.leder)
    assert "Hun tog selv børnepasning op." in client.get(url).content.decode()
    assert AuditEvent.objects.filter(action="logbook.entry.read", object_id=str(entry.uuid),
                                     user=t.leder).exists()


def test_analysts_colleagues_and_administrators_never_see_an_entry(client, lists):
    t = lists.odense
    entry = make_entry(t, reflections="fortroligt")
    colleague = make_user("kollega@odense.test", t.municipality, t.team, "medarbejder")
    other_leder = make_user("leder2@odense.test", t.municipality, t.other_team, "leder")
    weak = [t.analytiker, t.administrator, colleague, other_leder, lists.outsider]
    assert_forbidden(client, weak, reverse("logbooks:entry_detail", args=[entry.uuid]), method="get")
    # Only the author edits or deletes; the leder reads but does not change.
    assert_forbidden(client, weak + [t.leder], reverse("logbooks:entry_edit", args=[entry.uuid]), method="get")
    assert_forbidden(client, weak + [t.leder], reverse("logbooks:entry_delete", args=[entry.uuid]), method="post")
    assert Entry.objects.filter(pk=entry.pk).exists()


def test_other_municipality_gets_404_for_entries(client, lists):
    entry = make_entry(lists.odense)
    others = [lists.aarhus.medarbejder, lists.aarhus.leder, lists.aarhus.analytiker]
    assert_other_municipality_gets_404(client, others, reverse("logbooks:entry_detail", args=[entry.uuid]))
    assert_other_municipality_gets_404(client, others, reverse("logbooks:entry_edit", args=[entry.uuid]))
    assert_other_municipality_gets_404(client, others, reverse("logbooks:entry_delete", args=[entry.uuid]), "post")
    unit_filter = f"?unit={lists.odense.team.uuid}"
    assert_other_municipality_gets_404(client, others, reverse("logbooks:my_entries") + unit_filter)
    assert_other_municipality_gets_404(client, [lists.aarhus.leder], reverse("logbooks:unit_entries") + unit_filter)
    assert Entry.objects.filter(pk=entry.pk).exists()


def test_the_leder_lists_the_units_entries(client, lists):
    t = lists.odense
    make_entry(t, topics=["Jobsøgning"])
    client.force_login(t.leder)
    response = client.get(reverse("logbooks:unit_entries"))
    assert response.status_code == 200 and "Jobsøgning" in response.content.decode()
    assert_forbidden(client, [t.medarbejder, t.analytiker], reverse("logbooks:unit_entries"), method="get")


def test_the_author_edits_an_entry(client, lists):
    t = lists.odense
    entry = make_entry(t, topics=["Jobsøgning"])
    client.force_login(t.medarbejder)
    url = reverse("logbooks:entry_edit", args=[entry.uuid])
    page = client.get(url).content.decode()
    assert 'value="kvinde" id="id_sex_0" checked' in page
    assert f'value="{item(t.team, "Jobsøgning").pk}" id="topic-{item(t.team, "Jobsøgning").pk}-staff" data-pair' in page
    response = client.post(url, valid_data(t.team, sex="mand", version=1))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.sex == "mand" and entry.version == 2


def test_a_concurrent_edit_does_not_silently_overwrite(client, lists):
    t = lists.odense
    entry = make_entry(t)
    client.force_login(t.medarbejder)
    url = reverse("logbooks:entry_edit", args=[entry.uuid])
    # Two tabs opened version 1; the first saves, the second is told the entry changed.
    assert client.post(url, valid_data(t.team, reflections="første", version=1)).status_code == 302
    response = client.post(url, valid_data(t.team, reflections="anden", version=1))
    assert response.status_code == 409
    assert "ændret et andet sted" in response.content.decode()
    entry.refresh_from_db()
    assert entry.reflections == "første" and entry.version == 2


def test_an_edit_with_identifying_text_is_refused(client, lists):
    t = lists.odense
    entry = make_entry(t, reflections="ok")
    client.force_login(t.medarbejder)
    response = client.post(reverse("logbooks:entry_edit", args=[entry.uuid]),
                           valid_data(t.team, reflections="mail anna@example.com", version=1))
    assert response.status_code == 400 and "e-mailadresse" in response.content.decode()
    entry.refresh_from_db()
    assert entry.reflections == "ok"


def test_the_author_deletes_an_entry(client, lists):
    t = lists.odense
    entry = make_entry(t, topics=["Jobsøgning"], offers=["Kursus"])
    client.force_login(t.medarbejder)
    url = reverse("logbooks:entry_delete", args=[entry.uuid])
    assert "Slet samtalen" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Entry.objects.exists()
    assert item(t.team, "Jobsøgning")  # the list survives


def test_editing_keeps_a_choice_that_was_switched_off_since(client, lists):
    t = lists.odense
    entry = make_entry(t, topics=["Sprog"])
    services.set_list_item_active(item=item(t.team, "Sprog"), active=False)
    client.force_login(t.medarbejder)
    url = reverse("logbooks:entry_edit", args=[entry.uuid])
    assert "Sprog" in client.get(url).content.decode()
    data = valid_data(t.team, version=1, topics_staff=[item(t.team, "Sprog").pk], topics_citizen=[])
    assert client.post(url, data).status_code == 302
    assert [et.topic.label for et in entry.topics.all()] == ["Sprog"]
    # A new entry cannot choose it any more.
    assert "Sprog" not in client.get(reverse("logbooks:quick_entry")).content.decode().split("Emner")[1].split("Noter")[0]


def test_topic_counts_follow_an_edited_entry(lists):
    """Topics carry copies of their entry's sex, date, unit and record key for counting; an edit
    moves them."""
    t = lists.odense
    entries = [make_entry(t, sex="kvinde", topics=["Jobsøgning"], date=dt.date(2025, 3, 3)) for _ in range(3)]
    # The three conversations, protected as one cell: the same records, the same number.
    three = disclosure.protect(disclosure.Keyed(3, sum(e.record_key for e in entries)), 3)

    def jobsoegning(date_from, date_to):
        picture = selectors.gender_picture(municipality_id=t.municipality.pk, unit_ids=[t.team.pk], threshold=3,
                                           date_from=date_from, date_to=date_to)
        row = next(r for r in picture.topics if r.label == "Jobsøgning")
        return row.women.value, row.men.value

    march = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert jobsoegning(*march) == (three, 0)
    for entry in entries:
        services.update_entry(entry=entry, by=t.medarbejder, expected_version=1,
                              fields={"sex": "mand", "date": dt.date(2025, 4, 2)},
                              topics={item(t.team, "Jobsøgning"): "medarbejder"})
    assert jobsoegning(*march) == (0, 0)
    assert jobsoegning(dt.date(2025, 4, 1), dt.date(2025, 4, 30)) == (0, three)
    topic = entries[0].topics.get()
    assert (topic.sex, topic.date, topic.unit_id, topic.municipality_id, topic.record_key) == (
        "mand", dt.date(2025, 4, 2), t.team.pk, t.municipality.pk, entries[0].record_key)


def test_the_migration_copies_the_entry_fields_onto_existing_topics(lists):
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    from logbooks.models import EntryTopic

    t = lists.odense
    entry = make_entry(t, sex="mand", topics=["Jobsøgning", "Sprog"], date=dt.date(2025, 5, 5))
    EntryTopic.objects.filter(entry=entry).update(sex="kvinde", date=dt.date(2000, 1, 1))  # as if never copied
    migration = importlib.import_module("logbooks.migrations.0004_entry_topic_copies_for_counting")
    # The function only executes SQL; SQLite's schema editor cannot open inside a test's transaction.
    editor = SimpleNamespace(connection=connection, execute=lambda sql: connection.cursor().execute(sql))
    migration.copy_from_entries(apps, editor)
    assert set(entry.topics.values_list("sex", "date")) == {("mand", dt.date(2025, 5, 5))}
