"""Demo lists, entries and observations (used by `manage.py seed_demo`, idempotent).

The Aarhus Jobcenter entries show the pattern the pamphlet describes: women are asked
about job search less often than men and more often about childcare, and are offered
public-sector rather than private-sector activation.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import Unit, User

from . import services
from .models import AgeBand, Entry, EntryTopic, ListItem, Observation, RaisedBy, Sex

UNIT_AREAS = {
    ("aarhus", "Jobcenter"): "job",
    ("aarhus", "Virksomhedsstrategi Nord"): "job",
    ("aarhus", "Virksomhedsstrategi Syd"): "job",
    ("aarhus", "Rehabiliteringsteamet"): "care",
    ("odense", "Træning som hjælp"): "care",
    ("odense", "Hjemmeplejen Syd"): "care",
    ("odense", "Jobcenter Odense"): "job",
    ("nyborg", "Chefgruppen"): "job",
}

ENTRY_COUNT = 320

# Probability that a topic is raised, for women and men.
TOPIC_P = {
    "Jobsøgning": (0.42, 0.78), "Børnepasning": (0.38, 0.08), "Uddannelse": (0.35, 0.30),
    "Helbred": (0.30, 0.22), "Økonomi": (0.25, 0.27), "Sprog": (0.10, 0.10), "Praktik": (0.20, 0.32),
    "Netværk og familie": (0.18, 0.12),
}
OFFER_P = {
    "Privat virksomhedspraktik": (0.15, 0.42), "Offentlig virksomhedspraktik": (0.38, 0.16),
    "Løntilskud": (0.10, 0.14), "Kursus": (0.22, 0.20), "Uddannelsesforløb": (0.12, 0.10), "Mentor": (0.03, 0.02),
}
OUTCOME_W = {"Aftale om aktivitet": (4, 5), "Ny samtale aftalt": (4, 3), "Henvist til anden indsats": (1, 1),
             "Ingen aftale": (1, 1)}
AGE_W = {AgeBand.A18: 3, AgeBand.A25: 4, AgeBand.A30: 6, AgeBand.A40: 5, AgeBand.A50: 4, AgeBand.A65: 0.3}


def _write(stdout, text):
    if stdout is not None:
        stdout.write(text)


@transaction.atomic
def seed(*, stdout=None) -> None:
    for (slug, name), area in UNIT_AREAS.items():
        unit = Unit.objects.filter(municipality__slug=slug, name=name).first()
        if unit is not None:
            services.seed_lists(unit=unit, area=area)
    unit = Unit.objects.filter(municipality__slug="aarhus", name="Jobcenter").first()
    author = User.objects.filter(email="medarbejder@aarhus.demo").first()
    if unit is None or author is None:
        return
    services.set_unit_parameters(unit=unit, education=True, civil_status=False, origin=True)
    if not Entry.objects.filter(unit=unit, author=author).exists():
        _seed_entries(unit, author)
        _write(stdout, f"Logbooks: {ENTRY_COUNT} demo entries for {unit.name}, Aarhus.")
    leder = User.objects.filter(email="leder@aarhus.demo").first()
    if leder is not None and not Observation.objects.filter(unit=unit).exists():
        _seed_observations(unit, author, leder)


def _seed_entries(unit: Unit, author: User) -> None:
    rng = random.Random(751)
    items = {(i.kind, i.label): i for i in ListItem.objects.filter(unit=unit)}
    kinds = [i for (k, _), i in items.items() if k == ListItem.Kind.CONVERSATION]
    today = timezone.localdate()
    entries, topics, offers = [], [], []
    for n in range(ENTRY_COUNT):
        sex = rng.choices([Sex.KVINDE, Sex.MAND, Sex.ANDET, Sex.UOPLYST], weights=[48, 48, 1, 3])[0]
        w = 0 if sex == Sex.KVINDE else 1
        outcome_label = rng.choices(list(OUTCOME_W), weights=[v[w] for v in OUTCOME_W.values()])[0]
        entry = Entry(
            municipality_id=unit.municipality_id, unit=unit, author=author,
            date=today - dt.timedelta(days=rng.randint(0, 364)),
            time=dt.time(rng.choice([8, 9, 10, 11, 13, 14]), rng.choice([0, 30])),
            kind=rng.choices(kinds, weights=[5, 8, 3, 1][: len(kinds)])[0],
            staff_present=["sagsbehandler"] + (["tolk"] if rng.random() < 0.05 else []),
            sex=sex, age_band=rng.choices(list(AGE_W), weights=list(AGE_W.values()))[0],
            outcome=items[(ListItem.Kind.OUTCOME, outcome_label)],
        )
        entries.append(entry)
        for label, p in TOPIC_P.items():
            if rng.random() < p[w]:
                raised = RaisedBy.CITIZEN if rng.random() < 0.25 else RaisedBy.STAFF
                topics.append((n, items[(ListItem.Kind.TOPIC, label)], raised))
        for label, p in OFFER_P.items():
            if rng.random() < p[w]:
                offers.append((n, items[(ListItem.Kind.OFFER, label)]))
    Entry.objects.bulk_create(entries)
    if entries[0].pk is None:  # databases that do not return keys from bulk_create
        entries = list(Entry.objects.filter(unit=unit, author=author).order_by("pk"))
    EntryTopic.objects.bulk_create(EntryTopic.of(entries[n], t, r) for n, t, r in topics)
    Through = Entry.offers.through
    Through.objects.bulk_create(Through(entry_id=entries[n].pk, listitem_id=o.pk) for n, o in offers)


def _seed_observations(unit: Unit, medarbejder: User, leder: User) -> None:
    today = timezone.localdate()
    services.create_observation(observer=leder, observed=medarbejder, unit=unit, fields={
        "date": today - dt.timedelta(days=20),
        "focus": "Hvilke emner tages op med kvinder og med mænd i første samtale?",
        "topics_notes": "Jobsøgning blev nævnt efter ti minutter, efter en længere snak om børnepasning.",
        "questions_notes": "Borgeren blev spurgt: »Hvordan får du det til at hænge sammen med børnene?«",
        "offers_notes": "Offentlig praktik i en daginstitution blev foreslået som det første.",
        "what_worked": "God, rolig indledning; borgeren fik plads til at fortælle om sine ønsker.",
        "hypotheses": "Vi spørger måske kvinder om familien før jobbet. Prøv at starte med jobmålet næste gang.",
    })
    services.create_observation(observer=medarbejder, observed=leder, unit=unit, fields={
        "date": today - dt.timedelta(days=6),
        "focus": "Hvilke tilbud nævnes, og i hvilken rækkefølge?",
        "topics_notes": "Økonomi og jobsøgning blev taget op i starten af samtalen.",
        "offers_notes": "Privat virksomhedspraktik og løntilskud blev nævnt.",
        "what_worked": "Konkrete eksempler på virksomheder i nærområdet.",
        "hypotheses": "Ville vi have foreslået det samme til en kvinde med samme profil?",
    })
