"""Synthetic but realistic data at a chosen scale.

Municipalities with administrations and teams, one user per role plus caseworkers,
logbook lists per team, logbook entries with topics and offers (women are asked about job
search less often, as in the pamphlet), dataset observations and projects. Everything bulk
is written with COPY; the product's own services are measured separately.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from accounts.models import Membership, Municipality, Role, Unit, User

from . import copyload


@dataclass(frozen=True)
class Scale:
    name: str
    municipalities: int
    entries: int
    observations: int
    projects: int
    import_rows: int
    runs: int
    load_seconds: int


SCALES = {
    "small": Scale("small", municipalities=3, entries=6_000, observations=30_000, projects=12,
                   import_rows=20_000, runs=3, load_seconds=3),
    "national": Scale("national", municipalities=98, entries=1_000_000, observations=5_000_000, projects=3_000,
                      import_rows=1_000_000, runs=3, load_seconds=10),
}

TOPICS = ["Jobsøgning", "Uddannelse", "Helbred", "Børnepasning", "Økonomi", "Træning", "Hjemmehjælp",
          "Ensomhed", "Bolig", "Netværk"]
OFFERS = ["Virksomhedspraktik (privat)", "Virksomhedspraktik (offentlig)", "Kursus", "Træningsforløb",
          "Samtale med psykolog"]
OUTCOMES = ["Plan aftalt", "Henvist", "Afsluttet", "Ny samtale aftalt"]
KINDS = ["Første samtale", "Opfølgning", "Visitation"]
SEXES = ["kvinde"] * 48 + ["mand"] * 48 + ["andet"] * 1 + ["uoplyst"] * 3
AGE_BANDS = ["u18", "18-24", "25-29", "30-39", "40-49", "50-64", "65-74", "75+"]
PASSWORD = "bench-ligestilling-2026"


@dataclass
class World:
    municipalities: list[Municipality]
    teams: list[Unit]
    users_by_municipality: dict[int, dict[str, User]]
    caseworkers: dict[int, list[int]]  # unit id -> user ids


def build_world(scale: Scale) -> World:
    password = make_password(PASSWORD)
    municipalities, teams, users, caseworkers = [], [], {}, {}
    for i in range(scale.municipalities):
        m = Municipality.objects.create(name=f"Bench Kommune {i:03d}", slug=f"bench-{i:03d}", code=f"{100 + i:03d}")
        municipalities.append(m)
        admins = []
        for a in range(2):
            admin = Unit.objects.create(municipality=m, name=f"Forvaltning {a + 1}", kind=Unit.Kind.ADMINISTRATION)
            admin.path, admin.depth = f"/{admin.pk}/", 0
            admin.save(update_fields=["path", "depth"])
            admins.append(admin)
            for t in range(3):
                team = Unit.objects.create(municipality=m, name=f"Team {a + 1}.{t + 1}", parent=admin)
                team.path, team.depth = f"{admin.path}{team.pk}/", 1
                team.save(update_fields=["path", "depth"])
                teams.append(team)
        first_team = Unit.objects.filter(municipality=m, depth=1).order_by("pk").first()
        users[m.pk] = {}
        for role in Role.values:
            u = User.objects.create(email=f"{role}@bench-{i:03d}.test", full_name=f"{role} {i}", municipality=m,
                                    password=password)
            Membership.objects.create(user=u, unit=first_team if role in ("medarbejder", "leder") else admins[0],
                                      role=role)
            users[m.pk][role] = u
        for team in Unit.objects.filter(municipality=m, depth=1):
            ids = []
            for k in range(3):
                u = User.objects.create(email=f"cw{team.pk}-{k}@bench-{i:03d}.test", full_name=f"Medarbejder {k}",
                                        municipality=m, password=password)
                Membership.objects.create(user=u, unit=team, role=Role.MEDARBEJDER)
                ids.append(u.pk)
            caseworkers[team.pk] = ids
    return World(municipalities, teams, users, caseworkers)


def load_world() -> World:
    """The world of an earlier run (for `--reuse`): municipalities, teams, users."""
    municipalities = list(Municipality.objects.filter(slug__startswith="bench-").order_by("pk"))
    teams = list(Unit.objects.filter(municipality__in=municipalities, depth=1).order_by("pk"))
    users: dict[int, dict[str, User]] = {m.pk: {} for m in municipalities}
    for role in Role.values:
        for u in User.objects.filter(email__startswith=f"{role}@bench-"):
            users[u.municipality_id][role] = u
    caseworkers: dict[int, list[int]] = {}
    for user_id, unit_id in Membership.objects.filter(unit__in=teams, user__email__startswith="cw").values_list(
            "user_id", "unit_id"):
        caseworkers.setdefault(unit_id, []).append(user_id)
    return World(municipalities, teams, users, caseworkers)


def build_logbooks(world: World, scale: Scale, rng: random.Random) -> dict:
    from logbooks.models import Entry, EntryTopic, ListItem

    items = []
    for team in world.teams:
        for kind, labels in ((ListItem.Kind.TOPIC, TOPICS), (ListItem.Kind.OFFER, OFFERS),
                             (ListItem.Kind.OUTCOME, OUTCOMES), (ListItem.Kind.CONVERSATION, KINDS)):
            for pos, label in enumerate(labels):
                items.append(ListItem(municipality_id=team.municipality_id, unit=team, kind=kind, label=label,
                                      position=pos))
    ListItem.objects.bulk_create(items, batch_size=5000)
    lists: dict[int, dict[str, list[int]]] = {}
    for item_id, unit_id, kind in ListItem.objects.values_list("id", "unit_id", "kind"):
        lists.setdefault(unit_id, {}).setdefault(kind, []).append(item_id)

    entry_table = Entry._meta.db_table
    topic_table = EntryTopic._meta.db_table
    offer_table = Entry.offers.through._meta.db_table
    first_id = copyload.next_id(entry_table)
    today = timezone.localdate()
    now = timezone.now().isoformat()
    per_team = max(1, scale.entries // len(world.teams))
    topics_rows, offers_rows = [], []

    def entries():
        entry_id = first_id
        for team in world.teams:
            team_lists = lists[team.pk]
            authors = world.caseworkers[team.pk]
            for _ in range(per_team):
                sex = rng.choice(SEXES)
                key = rng.randrange(256)  # the record key (cell-key method); the topics carry a copy
                day = today - dt.timedelta(days=rng.randrange(0, 540))
                yield {"id": entry_id, "uuid": uuid.uuid4(), "municipality_id": team.municipality_id,
                       "unit_id": team.pk, "author_id": rng.choice(authors), "date": day,
                       "kind_id": rng.choice(team_lists[ListItem.Kind.CONVERSATION]), "staff_present": "[]", "sex": sex,
                       "age_band": rng.choice(AGE_BANDS), "outcome_id": rng.choice(team_lists[ListItem.Kind.OUTCOME]),
                       "version": 1, "record_key": key, "created_at": now, "updated_at": now}
                job_search = team_lists[ListItem.Kind.TOPIC][0]
                chance = 0.35 if sex == "kvinde" else 0.6
                chosen = {job_search} if rng.random() < chance else set()
                chosen.update(rng.sample(team_lists[ListItem.Kind.TOPIC][1:], rng.randint(0, 2)))
                for topic_id in chosen:
                    topics_rows.append((entry_id, topic_id, "borger" if rng.random() < 0.3 else "medarbejder",
                                        team.municipality_id, team.pk, day, sex, key))
                if rng.random() < 0.4:
                    offers_rows.append((entry_id, rng.choice(team_lists[ListItem.Kind.OFFER])))
                entry_id += 1

    n_entries = copyload.copy_model_rows(Entry, entries())
    copyload.reset_sequence(entry_table)
    n_topics = copyload.copy_rows(topic_table, ["entry_id", "topic_id", "raised_by", "municipality_id", "unit_id",
                                                "date", "sex", "record_key"], topics_rows)
    n_offers = copyload.copy_rows(offer_table, ["entry_id", "listitem_id"], offers_rows)
    return {"entries": n_entries, "entry_topics": n_topics, "entry_offers": n_offers}


INDICATORS = [("Henvist til forløb", "persons"), ("Selvhjulpen efter forløbet", "share"),
              ("Første samtale inden for 14 dage", "share"), ("Borgere i hjemmepleje", "persons"),
              ("Gennemført uddannelse", "share")]


def build_datasets(world: World, scale: Scale, rng: random.Random) -> dict:
    """One register dataset per municipality; observations by indicator x year x sex x age x area."""
    from datasets.models import Dataset, Indicator, Observation

    per_municipality = scale.observations // len(world.municipalities)
    years = [str(y) for y in range(2019, 2025)]
    sexes = ["kvinde", "mand", "i_alt"]
    ages = ["", "0-17", "18-24", "25-29", "30-39", "40-49", "50-64", "65-74", "75+"]  # "" = all ages
    cells_per_area = len(INDICATORS) * len(years) * len(sexes) * len(ages)
    areas = max(1, per_municipality // cells_per_area)
    indicator_measure: dict[int, str] = {}
    for m in world.municipalities:
        dataset = Dataset.objects.create(municipality=m, title="Registerudtræk", source_kind="register",
                                         source="Syntetiske data til benchmark")
        for pos, (name, measure) in enumerate(INDICATORS):
            indicator = Indicator.objects.create(dataset=dataset, name=name, measure=measure, position=pos)
            indicator_measure[indicator.pk] = measure

    def rows():
        for indicator_id, measure in indicator_measure.items():
            for year in years:
                for age in ages:
                    for a in range(areas):
                        area = f"Område {a:03d}"
                        women_d, men_d = rng.randint(20, 400), rng.randint(20, 400)
                        women_n, men_n = rng.randint(0, women_d), rng.randint(0, men_d)
                        for sex, num, den in (("kvinde", women_n, women_d), ("mand", men_n, men_d),
                                              ("i_alt", women_n + men_n, women_d + men_d)):
                            if measure == "share":
                                yield {"indicator_id": indicator_id, "period": year, "sex": sex, "age_band": age,
                                       "area": area, "numerator": num, "denominator": den}
                            else:
                                yield {"indicator_id": indicator_id, "period": year, "sex": sex, "age_band": age,
                                       "area": area, "value": den}

    n = copyload.copy_model_rows(Observation, rows(), with_pk=False)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Observation._meta.db_table}")
    return {"datasets": len(world.municipalities), "observations": n}


def build_projects(world: World, scale: Scale, rng: random.Random) -> dict:
    """Projects with a manual criterion and measurements, spread over the municipalities."""
    from projects.models import Criterion, Measurement, Project

    today = timezone.localdate()
    projects = []
    teams_by_m: dict[int, list[Unit]] = {}
    for team in world.teams:
        teams_by_m.setdefault(team.municipality_id, []).append(team)
    for i in range(scale.projects):
        m = world.municipalities[i % len(world.municipalities)]
        leder = world.users_by_municipality[m.pk]["leder"]
        projects.append(Project(municipality=m, title=f"Projekt {i}", responsible=leder, target_group="Borgere",
                                description="Benchmark", start_date=today - dt.timedelta(days=60),
                                end_date=today + dt.timedelta(days=60),
                                status=rng.choice(["active", "active", "planned", "completed"]),
                                created_by=leder))
    Project.objects.bulk_create(projects, batch_size=2000)
    through = Project.units.through
    links = [through(project_id=p.pk, unit_id=rng.choice(teams_by_m[p.municipality_id]).pk) for p in projects]
    through.objects.bulk_create(links, batch_size=5000)
    criteria = [Criterion(project=p, definition="Andel af borgere, der gennemfører", kind="manual")
                for p in projects]
    Criterion.objects.bulk_create(criteria, batch_size=2000)
    measurements = [
        Measurement(criterion=c, measured_on=today - dt.timedelta(days=days), women_count=rng.randint(5, 40),
                    women_n=40, men_count=rng.randint(5, 40), men_n=40)
        for c in criteria for days in (45, 10)
    ]
    Measurement.objects.bulk_create(measurements, batch_size=5000)
    return {"projects": len(projects), "criteria": len(criteria), "measurements": Measurement.objects.count()}


def build_data(world: World, scale: Scale, rng: random.Random) -> dict:
    result = {**build_logbooks(world, scale, rng), **build_datasets(world, scale, rng),
              **build_projects(world, scale, rng)}
    # A production database has statistics and a visibility map from autovacuum; a freshly
    # loaded one must gather them, or the planner guesses (seen here: 170 ms instead of
    # 0.4 ms) and index-only scans visit the heap.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return result


def describe_data() -> dict:
    from datasets.models import Observation
    from logbooks.models import Entry, EntryTopic
    from projects.models import Project

    return {"municipalities": Municipality.objects.count(), "entries": Entry.objects.count(),
            "entry_topics": EntryTopic.objects.count(), "observations": Observation.objects.count(),
            "projects": Project.objects.count()}
