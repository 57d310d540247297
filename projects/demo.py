"""Demo projects after the pamphlet's cases (Odense, Aarhus, Nyborg). Idempotent.

The success criteria are manual measurements for now; when the datasets and logbooks
apps are in place, Odense's and Aarhus's criteria can be measured from them instead.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Municipality, Unit, User
from datasets.models import Indicator
from logbooks.models import ListItem

from . import services
from .models import Criterion, Project


def _user(slug: str, role: str) -> User | None:
    return User.objects.filter(email=f"{role}@{slug}.demo").first()


def _units(municipality: Municipality, names: list[str]) -> list[Unit]:
    return list(Unit.objects.filter(municipality=municipality, name__in=names))


def _logbook_item(municipality, unit_name: str, kind: str, label: str):

    return ListItem.objects.filter(municipality=municipality, unit__name=unit_name, kind=kind, label=label).first()


def _indicator(municipality, dataset_title: str, name: str):

    return Indicator.objects.filter(dataset__municipality=municipality, dataset__title=dataset_title,
                                    name=name).first()


def _project(slug: str, title: str, unit_names: list[str], **fields) -> Project | None:
    municipality = Municipality.objects.filter(slug=slug).first()
    leder = _user(slug, "leder")
    if municipality is None or leder is None:
        return None
    existing = Project.objects.filter(municipality=municipality, title=title).first()
    if existing is not None:
        return None
    members = [u for u in (_user(slug, r) for r in ("leder", "medarbejder", "analytiker")) if u]
    return services.create_project(by=leder, title=title, responsible=leder, units=_units(municipality, unit_names),
                                   members=members, **fields)


@transaction.atomic
def seed(*, stdout=None) -> None:
    today = timezone.localdate()
    created = []

    odense = _project(
        "odense", "Træning som hjælp", ["Træning som hjælp"],
        target_group="Nyvisiterede ældre borgere til rehabiliteringsforløbet „Træning som hjælp“.",
        target_sex=Project.TargetSex.WOMEN,
        strategic_link="Ældrepolitikken: flest mulige borgere skal kunne klare sig selv længst muligt.",
        description="71 % af de nyvisiterede mænd klarede sig uden hjemmehjælp, træning eller sygepleje efter "
                    "forløbet, men kun 32 % af kvinderne. Medarbejderne spurgte mænd og kvinder om forskellige "
                    "ting. Projektet afprøver en fælles samtaleguide til visitationssamtalen.",
        actions_text="Alle visitationssamtaler bruger samtaleguiden i to måneder; to kolleger observerer hinandens "
                     "samtaler hver uge.",
        who_does_what="Terapeuterne fører logbog; lederen samler gruppen hver 14. dag; analytikeren trækker data.",
        learning_goals="Vi lærer, hvilke spørgsmål der får kvinder til at tage imod træningen. Vi måler andelen af "
                       "selvhjulpne kvinder og mænd efter forløbet.",
        start_date=today - timedelta(days=60), end_date=today + timedelta(days=90),
        status=Project.Status.ACTIVE,
    )
    if odense:
        created.append(odense)
        c1 = services.open_cycle(project=odense, by=odense.responsible, started_on=today - timedelta(days=55))
        services.update_cycle(cycle=c1, by=odense.responsible,
                              action="Samtaleguiden brugt i alle visitationssamtaler.",
                              reflection="Kvinderne nævner oftere, at de ikke vil være til besvær.",
                              rethinking="Vi spørger mere til, hvad borgeren selv vil kunne igen.")
        c2 = services.open_cycle(project=odense, by=odense.responsible, started_on=today - timedelta(days=20))
        indicator = _indicator(odense.municipality, "Træning som hjælp 2014", "Selvhjulpen")
        if indicator is not None:
            services.save_criterion(
                project=odense, by=odense.responsible, kind=Criterion.Kind.DATASET, dataset_indicator=indicator,
                definition="Andel nyvisiterede kvinder og mænd, der er selvhjulpne efter forløbet",
                baseline_women=32, baseline_men=71,
                target_type=Criterion.TargetType.PER_SEX, target_women=60, target_men=70,
            )
        else:  # the datasets' demo is missing: the pamphlet's figures by hand
            criterion = services.save_criterion(
                project=odense, by=odense.responsible,
                definition="Andel nyvisiterede kvinder og mænd, der er selvhjulpne efter forløbet",
                count_label="selvhjulpne", n_label="nyvisiterede", baseline_women=32, baseline_men=71,
                target_type=Criterion.TargetType.PER_SEX, target_women=60, target_men=70,
            )
            services.add_measurement(criterion=criterion, by=odense.responsible,
                                     measured_on=today - timedelta(days=58), cycle=c1, women_count=64,
                                     women_n=200, men_count=71, men_n=100, note="Udgangspunkt fra pjecen")
        services.save_criterion(
            project=odense, by=odense.responsible,
            definition="Andel visitationssamtaler, hvor borgeren blev spurgt om egne mål for hverdagen",
            count_label="spurgt om egne mål", n_label="visitationssamtaler",
            target_type=Criterion.TargetType.GAP, target_gap=10,
        )
        ask = odense.criteria.get(definition__startswith="Andel visitationssamtaler")
        services.add_measurement(criterion=ask, by=odense.responsible, measured_on=today - timedelta(days=50),
                                 cycle=c1, women_count=9, women_n=30, men_count=17, men_n=25)
        services.add_measurement(criterion=ask, by=odense.responsible, measured_on=today - timedelta(days=10),
                                 cycle=c2, women_count=24, women_n=32, men_count=20, men_n=26)
        services.add_hypothesis(project=odense, by=odense.responsible,
                                statement="Vi spørger kvinder mindre end mænd om, hvad de selv vil kunne igen.",
                                source="logbook")
        services.add_action(project=odense, by=odense.responsible, owner=_user("odense", "medarbejder"),
                            description="Afprøv samtaleguiden i fem samtaler", due_date=today - timedelta(days=3))

    aarhus = _project(
        "aarhus", "Køn i jobcenter og rehabilitering", ["Jobcenter", "Rehabiliteringsteamet",
                                                         "Virksomhedsstrategi Nord"],
        target_group="Ledige borgere i rehabiliteringsforløb og i virksomhedsstrategien.",
        target_sex=Project.TargetSex.BOTH,
        strategic_link="Den fælles ambition i Sundhed og Omsorg og Sociale Forhold og Beskæftigelse om at "
                       "sammentænke sundheds- og beskæftigelsesindsatsen.",
        description="Pilotprojekt: ét rehabiliteringsteam og to teams under virksomhedsstrategien. "
                    "Samtaler med kvinder handler sjældnere om jobsøgning.",
        actions_text="Workshop på 5 timer; derefter logbøger om emner og spørgsmål i samtalerne.",
        who_does_what="Medarbejderne fører logbog; to chefer og én forvaltningschef følger op.",
        learning_goals="Samtaler med kvinder berører jobsøgning lige så ofte som samtaler med mænd.",
        start_date=today - timedelta(days=90), end_date=today + timedelta(days=30),
        status=Project.Status.ACTIVE,
    )
    if aarhus:
        created.append(aarhus)
        services.open_cycle(project=aarhus, by=aarhus.responsible, started_on=today - timedelta(days=85))
        c2 = services.open_cycle(project=aarhus, by=aarhus.responsible, started_on=today - timedelta(days=40))
        services.update_cycle(cycle=c2, by=aarhus.responsible,
                              action="Alle samtaler med kvinder slutter med et spørgsmål om jobønsker.",
                              reflection="Kvinderne tog oftere selv jobsøgning op, når vi spurgte åbent.")
        item = _logbook_item(aarhus.municipality, "Jobcenter", "emne", "Jobsøgning")
        if item is not None:
            services.save_criterion(
                project=aarhus, by=aarhus.responsible, kind=Criterion.Kind.LOGBOOK, logbook_item=item,
                definition="Andel samtaler med kvinder og mænd, hvor jobsøgning blev berørt",
                target_type=Criterion.TargetType.GAP, target_gap=10,
            )
        else:  # the logbooks' demo lists are missing: measure by hand instead
            criterion = services.save_criterion(
                project=aarhus, by=aarhus.responsible,
                definition="Andel samtaler med kvinder og mænd, hvor jobsøgning blev berørt",
                count_label="samtaler med jobsøgning", n_label="samtaler",
                target_type=Criterion.TargetType.GAP, target_gap=10,
            )
            services.add_measurement(criterion=criterion, by=aarhus.responsible,
                                     measured_on=today - timedelta(days=86), women_count=18, women_n=40,
                                     men_count=29, men_n=42, note="Før workshoppen")
            services.add_measurement(criterion=criterion, by=aarhus.responsible, measured_on=today - timedelta(days=5),
                                     cycle=c2, women_count=26, women_n=38, men_count=30, men_n=41)
        services.add_hypothesis(project=aarhus, by=aarhus.responsible, source="workshop",
                                statement="Vi taler mere om helbred end om job med kvinder.")
        services.add_action(project=aarhus, by=aarhus.responsible, owner=_user("aarhus", "medarbejder"),
                            description="Før logbog over de næste ti samtaler", due_date=today + timedelta(days=7))

    nyborg = _project(
        "nyborg", "Køn på de strategiske chefmøder", ["Chefgruppen"],
        target_group="Chefer i kommunen – og gennem dem kerneydelsen til borgerne.",
        target_sex=Project.TargetSex.BOTH,
        strategic_link="Forankring af køn og ligestilling på et strategisk plan.",
        description="Køn sættes på dagsordenen på de strategiske chefmøder, så det signalerer helt ud i "
                    "kerneydelsen, at køn og ligestilling er vigtigt.",
        actions_text="Et punkt om køn på hvert andet chefmøde med data fra en forvaltning.",
        who_does_what="Direktionen sætter punktet på; analytikeren forbereder data.",
        learning_goals="Topledelse og politikere ser, at det kan betale sig at medtænke køn.",
        start_date=today - timedelta(days=10), end_date=today + timedelta(days=160),
        status=Project.Status.PLANNED,
    )
    if nyborg:
        created.append(nyborg)
        criterion = services.save_criterion(
            project=nyborg, by=nyborg.responsible,
            definition="Andel kvindelige og mandlige chefer, der har brugt kønsopdelte data i en indstilling",
            count_label="har brugt kønsopdelte data", n_label="chefer",
            target_type=Criterion.TargetType.PER_SEX, target_women=50, target_men=50,
        )
        services.add_measurement(criterion=criterion, by=nyborg.responsible, measured_on=today - timedelta(days=2),
                                 women_count=3, women_n=9, men_count=6, men_n=11, note="Første opgørelse")
        nyborg.milestones.create(title="Første chefmøde med køn på dagsordenen", due_date=today + timedelta(days=14))
    if stdout is not None and created:
        stdout.write(f"Projects: {', '.join(p.title for p in created)}")
