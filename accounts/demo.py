"""Demo municipalities, units and one user per role (used by `manage.py seed_demo`)."""

from __future__ import annotations

from django.db import transaction

from .models import Membership, Municipality, Role, Unit, User
from .services import create_unit

DEMO_PASSWORD = "demo-ligestilling-2026"

# name, slug, code, {administration: [teams]}
MUNICIPALITIES = [
    ("Odense Kommune", "odense", "461", {
        "Ældre- og Handicapforvaltningen": ["Træning som hjælp", "Hjemmeplejen Syd"],
        "Beskæftigelses- og Socialforvaltningen": ["Jobcenter Odense"],
    }),
    ("Aarhus Kommune", "aarhus", "751", {
        "Sociale Forhold og Beskæftigelse": ["Jobcenter", "Virksomhedsstrategi Nord", "Virksomhedsstrategi Syd"],
        "Sundhed og Omsorg": ["Rehabiliteringsteamet"],
    }),
    ("Nyborg Kommune", "nyborg", "450", {
        "Direktionen": ["Chefgruppen"],
    }),
]

# Where each role sits: the leder and medarbejder in the first team, the analytiker
# and administrator at the top of the first administration.
ROLE_PLACES = {
    Role.MEDARBEJDER: "team",
    Role.LEDER: "team",
    Role.ANALYTIKER: "administration",
    Role.ADMINISTRATOR: "administration",
}

# Further roles: the Aarhus leder also leads the two other teams of the cross-administration
# pilot project (projects/demo.py), since a project may only include units its maker leads.
EXTRA_ROLES = [
    ("aarhus", Role.LEDER, ["Rehabiliteringsteamet", "Virksomhedsstrategi Nord"]),
]

FIRST_NAMES = {
    "odense": {"medarbejder": "Mette Holm", "leder": "Lars Bach", "analytiker": "Sofie Krogh", "administrator": "Jens Friis"},
    "aarhus": {"medarbejder": "Ali Hassan", "leder": "Karen Juul", "analytiker": "Peter Mols", "administrator": "Hanne Lund"},
    "nyborg": {"medarbejder": "Tina Due", "leder": "Bo Riis", "analytiker": "Rasmus Kjær", "administrator": "Lone Berg"},
}


def demo_email(slug: str, role: str) -> str:
    return f"{role}@{slug}.demo"


@transaction.atomic
def seed(*, stdout=None) -> list[tuple[str, str, str]]:
    logins = []
    for name, slug, code, tree in MUNICIPALITIES:
        municipality, _ = Municipality.objects.get_or_create(slug=slug, defaults={"name": name, "code": code})
        first_admin = first_team = None
        for admin_name, teams in tree.items():
            administration = Unit.objects.filter(municipality=municipality, parent=None, name=admin_name).first()
            if administration is None:
                administration = create_unit(municipality=municipality, name=admin_name,
                                             kind=Unit.Kind.ADMINISTRATION)
            first_admin = first_admin or administration
            for team_name in teams:
                team = Unit.objects.filter(municipality=municipality, parent=administration, name=team_name).first()
                if team is None:
                    team = create_unit(municipality=municipality, name=team_name, parent=administration)
                first_team = first_team or team
        for role in Role.values:
            email = demo_email(slug, role)
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email, DEMO_PASSWORD, full_name=FIRST_NAMES[slug][role],
                                                municipality=municipality)
            unit = first_team if ROLE_PLACES[role] == "team" else first_admin
            Membership.objects.get_or_create(user=user, unit=unit, defaults={"role": role})
            logins.append((municipality.name, role, email))
        for extra_slug, role, unit_names in EXTRA_ROLES:
            if extra_slug != slug:
                continue
            user = User.objects.get(email=demo_email(slug, role))
            for unit in Unit.objects.filter(municipality=municipality, name__in=unit_names):
                Membership.objects.get_or_create(user=user, unit=unit, defaults={"role": role})
    return logins
