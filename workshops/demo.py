"""Demo workshops, focus groups and citizen involvement after the pamphlet's cases. Idempotent.

- Aarhus: the 5-hour workshop for one rehabilitation team and two teams of the company
  strategy, with hypotheses and an action plan that flow into the Aarhus project.
- Odense: a focus group of 6 older men about home care (Hjemmeplejen Syd), and a
  citizen involvement plan for the training programme.
Runs after projects' demo (it links to the projects by title when they exist).
"""

from __future__ import annotations

from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Municipality, Unit, User
from datasets.models import Indicator
from projects.models import Project

from . import agenda, services
from .models import FocusGroup, InvolvementPlan, Workshop

AARHUS_PROJECT = "Køn i jobcenter og rehabilitering"
ODENSE_PROJECT = "Træning som hjælp"

AARHUS_AGENDA = [
    ("Velkommen", 15, "Formålet med pilotprojektet og dagen."),
    ("Oplæg om ligestilling og køn på området", 45,
     "Forskningsbaseret viden om kønnets betydning for beskæftigelse og sundhed."),
    ("Hypotesedannelse: »Hvorfor er ligestillingsvurdering vigtig på vores område?« – »Hvad fortæller data os?«", 60,
     "Med udgangspunkt i forberedelsesopgaven og kønsopdelte tal fra jobcentret."),
    ("Frokost", 30, ""),
    ("Idé-værksted: »Hvordan kan vi ændre praksis?«", 60,
     "Udfordr egen praksis i mødet med mandlige og kvindelige borgere."),
    ("Konkret plan for handlinger", 60, "Hvem gør hvad, og hvornår? Logbøger i pilotperioden."),
    ("Aftale om et opfølgende møde", 30, ""),
]


def _user(slug: str, role: str) -> User | None:
    return User.objects.filter(email=f"{role}@{slug}.demo").first()


def _units(municipality: Municipality, names: list[str]) -> list[Unit]:
    return list(Unit.objects.filter(municipality=municipality, name__in=names))


def _project(municipality: Municipality, title: str) -> Project | None:
    return Project.objects.filter(municipality=municipality, title=title).first()


def _indicators(municipality: Municipality, names: list[str]) -> list[Indicator]:
    """Indicators by name from the municipality's datasets or the shared reference figures (datasets' demo)."""
    from django.db.models import Q

    return list(Indicator.objects.filter(Q(dataset__municipality=municipality) | Q(dataset__municipality__isnull=True),
                                         name__in=names))


def _aarhus(today, stdout) -> None:
    municipality = Municipality.objects.filter(slug="aarhus").first()
    leder, medarbejder = _user("aarhus", "leder"), _user("aarhus", "medarbejder")
    analytiker = _user("aarhus", "analytiker")
    title = "Køns betydning for kerneydelsen"
    if municipality is None or leder is None or Workshop.objects.filter(municipality=municipality,
                                                                        title=title).exists():
        return
    units = _units(municipality, ["Rehabiliteringsteamet", "Virksomhedsstrategi Nord", "Virksomhedsstrategi Syd"])
    if not units:
        return
    project = _project(municipality, AARHUS_PROJECT)
    workshop = services.create_workshop(
        by=leder, units=units, participants=[u for u in (medarbejder, analytiker, leder) if u], use_template=False,
        title=title, date=today - timedelta(days=21), start_time=time(9, 0), place="Rådhuset, lokale 3.12",
        length=agenda.FULL_DAY, breadth=Workshop.Breadth.CROSS, project=project,
        indicators=_indicators(municipality, ["Første samtale inden for 14 dage", "Højt stressniveau, 16-24 år"]),
        goal="De tre pilotteams får et fælles grundlag for hypoteser om kønnets betydning i samtalerne med "
             "borgerne og en konkret handleplan for de næste 1-2 måneder.",
    )
    for item_title, minutes, note in AARHUS_AGENDA:
        services.add_agenda_item(workshop=workshop, title=item_title, minutes=minutes, note=note, by=leder)
    services.add_idea(workshop=workshop, by=leder,
                      text="Spørg alle borgere om jobønsker i den første samtale – også når helbredet fylder.")
    services.add_idea(workshop=workshop, by=leder,
                      text="Brug virksomhedskontakterne til at finde private praktikpladser til kvinder.")
    services.set_follow_up(workshop=workshop, by=leder, follow_up_date=today + timedelta(days=14))
    if project is not None:
        for statement in [
            "Samtaler med kvinder handler oftere om helbred og sjældnere om jobsøgning end samtaler med mænd.",
            "Kvinder tilbydes oftere offentlig end privat virksomhedspraktik, selvom privat praktik virker bedst.",
        ]:
            services.record_hypothesis(source=workshop, statement=statement, by=leder)
        services.record_action(workshop=workshop, by=leder, owner=medarbejder or leder,
                               description="Før logbog over emnerne i samtalerne med mænd og kvinder",
                               due_date=today + timedelta(days=7))
        services.record_action(workshop=workshop, by=leder, owner=leder,
                               description="Træk kønsopdelte tal for praktikpladser (offentlig/privat)",
                               due_date=today + timedelta(days=10))
    if stdout is not None:
        stdout.write(f"Workshops: {workshop.title} (Aarhus)")


def _odense(today, stdout) -> None:
    municipality = Municipality.objects.filter(slug="odense").first()
    leder = _user("odense", "leder")
    if municipality is None or leder is None:
        return
    created = []
    title = "Ældre mænd om hjemmeplejen"
    if not FocusGroup.objects.filter(municipality=municipality, title=title).exists():
        units = _units(municipality, ["Hjemmeplejen Syd"])
        if units:
            group = services.create_focusgroup(
                by=leder, units=units, title=title, project=_project(municipality, ODENSE_PROJECT),
                purpose="At forstå, hvordan ældre mænd oplever hjemmeplejen og træningen, og hvad der får dem til "
                        "at tage imod hjælp.",
                questions="Hvad betyder hjælpen hjemme for jeres hverdag?\n"
                          "Hvornår har I sidst bedt om hjælp – og hvornår lod I være?\n"
                          "Hvad skal der til, for at træning giver mening for jer?\n"
                          "Hvad taler hjemmehjælperen med jer om?",
                target_group="Mænd over 65, der modtager hjemmepleje i Hjemmeplejen Syd.",
                composition="men", planned_size=6,
                indicator=next(iter(_indicators(municipality, ["Ældre der får hjemmepleje"])), None),
                grounding="25 % af ældre kvinder modtager hjemmehjælp mod ca. 14 % af mændene, men nyvisiterede "
                          "mænd koster mere (læge, medicin, indlæggelser). Vi vil høre mændene selv.",
                date=today - timedelta(days=10), place="Aktivitetscentret, mødelokale 1",
            )
            services.record_session(focus_group=group, counts={("man", "65-79"): 2, ("man", "80+"): 4},
                                    checklist=["talk", "all_views", "questions", "gender", "no_names"], by=leder)
            for theme, kind, text in [
                ("At bede om hjælp", "finding", "Flere vil helst klare sig selv og venter, til det går galt."),
                ("At bede om hjælp", "quote", "Man ringer jo ikke bare og beder om noget."),
                ("Træning", "finding", "Træning sammen med andre mænd blev nævnt som mere motiverende."),
                ("Samtalen", "quote", "De spørger til benene, aldrig til hvordan jeg har det."),
            ]:
                services.add_finding(focus_group=group, theme=theme, kind=kind, text=text, by=leder)
            created.append(group.title)
    title = "Borgerne med i udviklingen af Træning som hjælp"
    if not InvolvementPlan.objects.filter(municipality=municipality, title=title).exists():
        units = _units(municipality, ["Træning som hjælp"])
        if units:
            plan = services.create_involvement(
                by=leder, units=units, title=title, project=_project(municipality, ODENSE_PROJECT),
                citizens="both", mode="views", phases=["start", "evaluation"], method="network",
                representative="Nyvisiterede kvinder og mænd i forløbet – dem, der i sidste ende skal have glæde af "
                               "træningen.",
                checklist=["several", "venue", "chair"],
            )
            services.add_session(plan=plan, by=leder, date=today - timedelta(days=5), phase="start", women=4, men=3,
                                 learnt="Kvinderne nævner oftere, at de ikke vil være til besvær; mændene vil "
                                        "gerne træne sammen med andre.")
            created.append(plan.title)
    if stdout is not None and created:
        stdout.write(f"Workshops: {', '.join(created)} (Odense)")


@transaction.atomic
def seed(*, stdout=None) -> None:
    today = timezone.localdate()
    _aarhus(today, stdout)
    _odense(today, stdout)
