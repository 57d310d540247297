import datetime as dt

from django.urls import reverse

from accounts.models import AuditEvent
from logbooks import services
from logbooks.models import Observation
from tests.tenancy import assert_forbidden, assert_other_municipality_gets_404, make_user

FIELDS = {"focus": "Hvilke emner tages op med kvinder?", "topics_notes": "Jobsøgning først.",
          "what_worked": "Rolig start.", "hypotheses": "Vi spørger kvinder om familien før jobbet."}


def observe(tenant):
    return services.create_observation(observer=tenant.leder, observed=tenant.medarbejder, unit=tenant.team,
                                       fields={"date": dt.date.today(), **FIELDS})


def test_a_medarbejder_records_an_observation_of_a_colleague(client, world):
    t = world.odense
    client.force_login(t.medarbejder)
    page = client.get(reverse("logbooks:observation_create")).content.decode()
    assert "Beskriv frem for at vurdere" in page and "Aftal på forhånd" in page
    response = client.post(reverse("logbooks:observation_create"), {
        "observed": t.leder.pk, "date": dt.date.today().isoformat(), **FIELDS})
    observation = Observation.objects.get()
    assert response.status_code == 302 and observation.observer == t.medarbejder
    assert observation.observed == t.leder and observation.municipality == t.municipality


def test_a_colleague_of_another_municipality_cannot_be_chosen(client, world):
    client.force_login(world.odense.medarbejder)
    response = client.post(reverse("logbooks:observation_create"), {
        "observed": world.aarhus.medarbejder.pk, "date": dt.date.today().isoformat(), **FIELDS})
    assert response.status_code == 400 and not Observation.objects.exists()


def test_identifying_text_in_an_observation_is_refused(client, world):
    t = world.odense
    client.force_login(t.medarbejder)
    response = client.post(reverse("logbooks:observation_create"), {
        "observed": t.leder.pk, "date": dt.date.today().isoformat(), **FIELDS, "what_worked": "ring 20304050"})
    assert response.status_code == 400 and "telefonnummer" in response.content.decode()
    assert not Observation.objects.exists()


def test_the_observed_colleague_reads_and_responds(client, world):
    t = world.odense
    observation = observe(t)
    client.force_login(t.medarbejder)
    assert str(observation.uuid) in client.get(reverse("logbooks:observation_list")).content.decode()
    detail = client.get(reverse("logbooks:observation_detail", args=[observation.uuid])).content.decode()
    assert "Vi spørger kvinder om familien" in detail and "Dit svar" in detail
    response = client.post(reverse("logbooks:observation_respond", args=[observation.uuid]),
                           {"response": "Enig – jeg prøver at starte med jobmålet."})
    assert response.status_code == 302
    observation.refresh_from_db()
    assert observation.response.startswith("Enig") and observation.responded_at


def test_who_sees_an_observation(client, world):
    t = world.odense
    observation = observe(t)
    url = reverse("logbooks:observation_detail", args=[observation.uuid])
    colleague = make_user("kollega@odense.test", t.municipality, t.team, "medarbejder")
    assert_forbidden(client, [colleague, t.analytiker, t.administrator, world.outsider], url, method="get")
    # Only the observed colleague responds (not the observer, not the leder).
    respond = reverse("logbooks:observation_respond", args=[observation.uuid])
    assert_forbidden(client, [t.leder, colleague], respond, method="post", data={"response": "x"})
    # The observer sees it; a leder of the unit too (audited).
    leder2 = make_user("leder2@odense.test", t.municipality, t.administration, "leder")
    client.force_login(leder2)
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(action="logbook.observation.read", user=leder2).exists()
    listing = client.get(reverse("logbooks:observation_list")).content.decode()
    assert str(observation.uuid) in listing
    client.force_login(colleague)
    assert str(observation.uuid) not in client.get(reverse("logbooks:observation_list")).content.decode()


def test_other_municipality_gets_404_for_observations(client, world):
    observation = observe(world.odense)
    others = [world.aarhus.medarbejder, world.aarhus.leder]
    assert_other_municipality_gets_404(client, others, reverse("logbooks:observation_detail", args=[observation.uuid]))
    assert_other_municipality_gets_404(client, others, reverse("logbooks:observation_respond",
                                                               args=[observation.uuid]), "post", {"response": "x"})
    unit_filter = f"?unit={world.odense.team.uuid}"
    assert_other_municipality_gets_404(client, others, reverse("logbooks:observation_list") + unit_filter)
    assert_other_municipality_gets_404(client, others, reverse("logbooks:observation_create") + unit_filter)
    assert_forbidden(client, [world.odense.analytiker], reverse("logbooks:observation_create"), method="get")
