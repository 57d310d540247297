"""Report builder, list and kept reports: roles, isolation, preview (no PDF generated here)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from accounts.models import AuditEvent
from reporting import services
from reporting.models import Report
from reporting.testing import seed_known
from tests.tenancy import assert_forbidden, assert_other_municipality_gets_404


@pytest.fixture
def kept(world):
    """A finished team report and a municipality-wide report of Odense (PDF bytes stubbed)."""
    seed_known(world.odense)
    team = services.create_report(
        municipality=world.odense.municipality, unit=world.odense.team, user=world.odense.leder,
        title="Jobcentret 2025", committee="Beskæftigelsesudvalget", meeting_date=None,
        date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31), sections=["summary", "logbooks"])
    Report.objects.filter(pk=team.pk).update(status=Report.Status.DONE, pdf=b"%PDF-1.7 stub", progress=100)
    whole = services.create_report(
        municipality=world.odense.municipality, unit=None, user=world.odense.analytiker,
        title="Hele kommunen", committee="Økonomiudvalget", meeting_date=None,
        date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31), sections=["summary"])
    world.team_report, world.whole_report = team, whole
    return world


def form_data(world, **extra):
    return {"unit": str(world.odense.team.uuid), "title": "Rapport", "committee": "Udvalget",
            "date_from": "2025-01-01", "date_to": "2025-12-31", "sections": ["summary", "logbooks", "recommendations"],
            "summary": "Kort resumé.", "recommendation": "Indstilling.", **extra}


def test_every_report_url_is_isolated(client, kept):
    aarhus = [kept.aarhus.leder, kept.aarhus.analytiker]
    odense_unit = {"unit": str(kept.odense.team.uuid)}
    assert_other_municipality_gets_404(client, aarhus, reverse("reporting:report_list"), "get", odense_unit)
    assert_other_municipality_gets_404(client, aarhus, reverse("reporting:report_create"), "get", odense_unit)
    assert_other_municipality_gets_404(client, aarhus, reverse("reporting:report_create"), "post",
                                       form_data(kept))
    uuid = kept.team_report.uuid
    assert_other_municipality_gets_404(client, aarhus, reverse("reporting:report_detail", args=[uuid]), "get")
    assert_other_municipality_gets_404(client, aarhus, reverse("reporting:report_status", args=[uuid]), "get")
    assert_other_municipality_gets_404(client, aarhus, reverse("reporting:report_download", args=[uuid]), "get")
    assert not Report.objects.filter(municipality=kept.aarhus.municipality).exists()


def test_weak_roles_are_refused(client, kept):
    weak = [kept.odense.medarbejder, kept.odense.administrator, kept.outsider]
    for name in ("reporting:report_list", "reporting:report_create"):
        assert_forbidden(client, weak, reverse(name), "get")
    for name in ("reporting:report_detail", "reporting:report_status", "reporting:report_download"):
        assert_forbidden(client, weak, reverse(name, args=[kept.team_report.uuid]), "get")
    # A team leder cannot open the municipality-wide report, nor build one.
    assert_forbidden(client, kept.odense.leder, reverse("reporting:report_detail", args=[kept.whole_report.uuid]),
                     "get")
    client.force_login(kept.odense.leder)
    response = client.post(reverse("reporting:report_create"), form_data(kept, unit=""))
    assert response.status_code == 200 and Report.objects.count() == 2
    assert "Vælg en enhed." in response.content.decode()


def test_the_list_shows_what_the_user_may_see(client, kept):
    client.force_login(kept.odense.leder)
    html = client.get(reverse("reporting:report_list")).content.decode()
    assert "Jobcentret 2025" in html and "Hele kommunen" not in html
    client.force_login(kept.odense.analytiker)
    html = client.get(reverse("reporting:report_list")).content.decode()
    assert "Jobcentret 2025" in html and "Hele kommunen" in html


def test_download_again_is_audited(client, kept):
    client.force_login(kept.odense.analytiker)
    response = client.get(reverse("reporting:report_download", args=[kept.team_report.uuid]))
    assert response.status_code == 200 and response.content == b"%PDF-1.7 stub"
    assert AuditEvent.objects.filter(action="report.download").count() == 1
    # Not ready yet: nothing to download.
    assert client.get(reverse("reporting:report_download", args=[kept.whole_report.uuid])).status_code == 404
    status = client.get(reverse("reporting:report_status", args=[kept.whole_report.uuid])).json()
    assert status == {**status, "status": "queued", "finished": False, "download_url": None}


def test_the_builder_previews_without_keeping_anything(client, kept):
    client.force_login(kept.odense.leder)
    form = client.get(reverse("reporting:report_create"), {"unit": str(kept.odense.team.uuid)})
    assert form.status_code == 200
    html = form.content.decode()
    with translation.override("da"):
        for section in Report.Section:
            assert escape(str(section.label)) in html
    response = client.post(reverse("reporting:report_create"), form_data(kept, preview="1"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Forhåndsvis" in html and "Kort resumé." in html and "Indstilling." in html
    assert "Jobsøgning" in html and 'type="application/json"' in html and "vendor/plotly.min.js" in html
    assert "Fokusér på fakta, viden og data om kønsforskelle." in html
    assert Report.objects.count() == 2
    assert AuditEvent.objects.filter(action="report.preview").count() == 1


def test_the_builder_validates(client, kept):
    client.force_login(kept.odense.leder)
    response = client.post(reverse("reporting:report_create"),
                           form_data(kept, date_from="2025-12-31", date_to="2025-01-01", sections=[]))
    assert response.status_code == 200 and Report.objects.count() == 2
    assert response.context["form"].errors


def test_anonymous_visitors_are_sent_to_the_login(client, kept):
    uuid = kept.team_report.uuid
    for url in (reverse("reporting:dashboard"), reverse("reporting:export", args=["by_sex", "csv"]),
                reverse("reporting:report_list"), reverse("reporting:report_create"),
                reverse("reporting:report_detail", args=[uuid]), reverse("reporting:report_status", args=[uuid]),
                reverse("reporting:report_download", args=[uuid])):
        response = client.get(url)
        assert response.status_code == 302 and "/konto/log-ind/" in response["Location"], url


def test_a_fullwidth_e_mail_address_in_the_summary_is_refused(client, kept):
    """The summary is printed in the PDF (many times): the privacy guard refuses it."""
    client.force_login(kept.odense.leder)
    for extra in ({}, {"preview": "1"}):
        response = client.post(reverse("reporting:report_create"),
                                form_data(kept, summary="Skriv til anna\uff20example.com for detaljer", **extra))
        assert response.status_code == 200
        errors = response.context["form"].errors["summary"]
        assert errors == ["Teksten ser ud til at indeholde en e-mailadresse. Fjern det: der må ikke gemmes "
                          "oplysninger, som kan identificere en person."]
        assert errors[0] in response.content.decode()
        assert "document" not in response.context  # no preview either
    assert Report.objects.count() == 2


def test_identifiers_in_title_and_recommendation_are_refused(client, kept):
    client.force_login(kept.odense.leder)
    response = client.post(reverse("reporting:report_create"), form_data(
        kept, title="Sag om 010190/1234", recommendation="Kontakt 12 34 56 78"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "CPR-nummer" in errors["title"][0] and "telefonnummer" in errors["recommendation"][0]
    assert Report.objects.count() == 2
    with pytest.raises(ValidationError):  # and the service refuses it without a form
        services.create_report(
            municipality=kept.odense.municipality, unit=None, user=kept.odense.analytiker, title="Rapport",
            committee="Udvalget", meeting_date=None, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31),
            sections=["summary"], summary="navn[at]domæne.dk")
    assert Report.objects.count() == 2


def test_a_period_of_more_than_ten_years_is_refused_on_the_dashboard_and_the_report_form(client, world):
    client.force_login(world.odense.leder)
    body = client.get(reverse("reporting:dashboard"), {"period": "custom", "date_from": "2000-01-01",
                                                       "date_to": "9999-12-31"}).content.decode()
    assert "En periode kan højst være 10 år." in body
    response = client.post(reverse("reporting:report_create"), {
        "title": "Rapport", "committee": "Udvalget", "date_from": "2025-01-01", "date_to": "9999-12-31"})
    assert response.status_code == 200 and "En periode kan højst være 10 år." in response.content.decode()
    assert not Report.objects.exists()
