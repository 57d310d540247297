from django.urls import reverse

from logbooks.models import ListItem
from tests.logbooks.conftest import item
from tests.tenancy import assert_forbidden, assert_other_municipality_gets_404


def test_the_leder_adds_and_switches_off_choices(client, lists):
    t = lists.odense
    url = reverse("logbooks:list_manage", args=[t.team.uuid])
    client.force_login(t.leder)
    assert "Jobsøgning" in client.get(url).content.decode()
    assert client.post(url, {"kind": "emne", "label": "Ensomhed"}).status_code == 302
    assert ListItem.objects.filter(unit=t.team, kind="emne", label="Ensomhed").exists()
    duplicate = client.post(url, {"kind": "emne", "label": "ensomhed"})
    assert duplicate.status_code == 400 and "allerede" in duplicate.content.decode()
    job = item(t.team, "Jobsøgning")
    client.post(reverse("logbooks:list_item_toggle", args=[job.uuid]))
    job.refresh_from_db()
    assert not job.is_active
    # Switched-off choices no longer appear on the quick-entry screen.
    client.force_login(t.medarbejder)
    assert "Jobsøgning" not in client.get(reverse("logbooks:quick_entry")).content.decode()


def test_only_lederes_manage_lists(client, lists):
    t = lists.odense
    url = reverse("logbooks:list_manage", args=[t.team.uuid])
    assert_forbidden(client, [t.medarbejder, t.analytiker, t.administrator], url, method="get")
    job = item(t.team, "Jobsøgning")
    assert_forbidden(client, [t.medarbejder, t.analytiker], reverse("logbooks:list_item_toggle", args=[job.uuid]))


def test_other_municipality_gets_404_for_lists(client, lists):
    t = lists.odense
    job = item(t.team, "Jobsøgning")
    assert_other_municipality_gets_404(client, [lists.aarhus.leder],
                                       reverse("logbooks:list_manage", args=[t.team.uuid]))
    assert_other_municipality_gets_404(client, [lists.aarhus.leder],
                                       reverse("logbooks:list_item_toggle", args=[job.uuid]), "post")
    job.refresh_from_db()
    assert job.is_active


def test_the_leder_switches_on_extra_parameters(client, lists):
    t = lists.odense
    client.force_login(t.medarbejder)
    assert 'name="education"' not in client.get(reverse("logbooks:quick_entry")).content.decode()
    client.force_login(t.leder)
    response = client.post(reverse("logbooks:list_manage", args=[t.team.uuid]),
                           {"action": "parameters", "education": "on"})
    assert response.status_code == 302
    client.force_login(t.medarbejder)
    body = client.get(reverse("logbooks:quick_entry")).content.decode()
    assert 'name="education"' in body and 'name="origin"' not in body
    from tests.logbooks.test_quick_entry import valid_data

    client.post(reverse("logbooks:quick_entry"), valid_data(t.team, education="videregaaende"))
    from logbooks.models import Entry

    assert Entry.objects.get().education == "videregaaende"
