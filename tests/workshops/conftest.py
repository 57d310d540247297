from datetime import date, time

import pytest

from workshops import services


@pytest.fixture
def workshop(world):
    """An Odense workshop for the team, planned by its leder, with the medarbejder invited."""
    t = world.odense
    return services.create_workshop(
        by=t.leder, units=[t.team], participants=[t.medarbejder], title="Køn i træningen",
        date=date(2026, 12, 3), start_time=time(9, 0), place="Mødelokale 2", length="short",
        goal="Hypoteser om køn i visitationssamtalen.",
    )


@pytest.fixture
def focus_group(world):
    t = world.odense
    return services.create_focusgroup(
        by=t.leder, units=[t.other_team], title="Ældre mænd om hjemmepleje", purpose="Hvordan oplever mænd hjælpen?",
        questions="Hvad betyder hjælpen for dig?\nHvad savner du?", target_group="Mænd over 75 med hjemmepleje",
        composition="men", planned_size=6,
    )


@pytest.fixture
def involvement(world):
    t = world.odense
    return services.create_involvement(
        by=t.leder, units=[t.team], title="Borgere med i udviklingen af træningen", citizens="both",
        representative="Nyvisiterede borgere i træningsforløbet", mode="views", phases=["start", "evaluation"],
        method="network",
    )


@pytest.fixture
def project(world):
    from projects import services as project_services

    t = world.odense
    return project_services.create_project(
        by=t.leder, units=[t.team], members=[t.medarbejder], title="Samtaleguiden i visitationen", responsible=t.leder,
        target_group="Nyvisiterede ældre", start_date=date(2026, 11, 1), end_date=date(2027, 2, 1),
    )
