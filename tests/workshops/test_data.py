"""“What does the data tell us?”: indicators at the workshop, data behind a focus group, the units' logbooks."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from datasets.models import Dataset, Indicator, Observation
from ligestilling.lib import formatting as fmt
from tests.datasets.test_views import shown
from workshops import services


def share_indicator(municipality, name="Selvhjulpne efter forløbet"):
    dataset = Dataset.objects.create(municipality=municipality, title="Træning som hjælp 2014", source_kind="own_system")
    indicator = Indicator.objects.create(dataset=dataset, name=name, measure="share")
    for sex, num, den in [("kvinde", 64, 200), ("mand", 71, 100)]:
        Observation.objects.create(indicator=indicator, period="2014", sex=sex, numerator=num, denominator=den)
    return indicator


def shown_shares(indicator):
    """The women's and men's shares as published: protected counts over protected bases."""
    women = shown(indicator.dataset, 64, "kvinde") / shown(indicator.dataset, 200, "kvinde")
    men = shown(indicator.dataset, 71, "mand") / shown(indicator.dataset, 100, "mand")
    return women, men


def test_workshop_shows_the_chosen_indicators_with_the_gap(client, world, workshop):
    indicator = share_indicator(world.odense.municipality)
    client.force_login(world.odense.leder)
    body = client.get(reverse("workshops:workshop_edit", args=[workshop.uuid])).content.decode()
    assert "Træning som hjælp 2014: Selvhjulpne efter forløbet" in body
    workshop.indicators.add(indicator)
    body = client.get(reverse("workshops:workshop_detail", args=[workshop.uuid])).content.decode()
    assert "Hvad fortæller data os?" in body and "Selvhjulpne efter forløbet" in body
    women, men = shown_shares(indicator)  # about 32 % of the women, 71 % of the men
    assert fmt.fmt_pct(women) in body and fmt.fmt_pct(men) in body
    # An invited caseworker reads the workshop, but not a dataset (accounts.roles: DATASETS).
    client.force_login(world.odense.medarbejder)
    body = client.get(reverse("workshops:workshop_detail", args=[workshop.uuid])).content.decode()
    assert "Hvad fortæller data os?" in body and "Selvhjulpne efter forløbet" not in body
    assert "1 tabel med data, som er valgt til workshoppen, vises ikke" in body


def test_indicators_of_another_municipality_are_refused(world, workshop):
    foreign = share_indicator(world.aarhus.municipality)
    with pytest.raises(ValidationError):
        services.update_workshop(workshop=workshop, by=world.odense.leder, units=[world.odense.team],
                                 participants=[], indicators=[foreign])
    assert not workshop.indicators.exists()


def test_focus_group_shows_the_data_behind_its_composition(client, world, focus_group):
    indicator = share_indicator(world.odense.municipality)
    services.update_focusgroup(focus_group=focus_group, by=world.odense.leder, units=[world.odense.other_team],
                               indicator=indicator)
    client.force_login(world.odense.leder)
    body = client.get(reverse("workshops:focusgroup_detail", args=[focus_group.uuid])).content.decode()
    assert "Data bag valget" in body and "Selvhjulpne efter forløbet" in body


def test_leder_sees_the_units_logbook_summary(client, world, workshop):
    client.force_login(world.odense.leder)
    body = client.get(reverse("workshops:workshop_detail", args=[workshop.uuid])).content.decode()
    assert "Enhedernes logbøger" in body and "Registrerede samtaler: 0" in body
    # A caseworker does not see the logbook analysis.
    client.force_login(world.odense.medarbejder)
    assert "Enhedernes logbøger" not in client.get(
        reverse("workshops:workshop_detail", args=[workshop.uuid])).content.decode()


def test_focus_group_form_shows_the_gaps_to_ground_the_choice(client, world):
    indicator = share_indicator(world.odense.municipality)
    client.force_login(world.odense.leder)
    body = client.get(reverse("workshops:focusgroup_create")).content.decode()
    assert "Data om kvinder og mænd" in body and "Selvhjulpne efter forløbet" in body
    women, men = shown_shares(indicator)  # about 32 % of the women against 71 % of the men: −39
    assert fmt.fmt_pp(100 * (women - men)) in body
