"""Tenancy helpers for tests: a world of two municipalities and isolation assertions.

Every view of municipality data must be covered by a call to
`assert_other_municipality_gets_404` (see tests/test_isolation_coverage.py, which fails
when a URL name is not).
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Membership, Municipality, Role, Unit, User
from accounts.services import create_unit

PASSWORD = "korrekt-hest-batteri-klips"


@dataclass
class Tenant:
    municipality: Municipality
    administration: Unit
    team: Unit
    other_team: Unit
    medarbejder: User
    leder: User
    analytiker: User
    administrator: User

    def users(self) -> list[User]:
        return [self.medarbejder, self.leder, self.analytiker, self.administrator]


@dataclass
class World:
    odense: Tenant
    aarhus: Tenant
    outsider: User  # an active Odense user with no role anywhere


def make_user(email: str, municipality: Municipality | None, unit: Unit | None = None, role: str | None = None,
              **extra) -> User:
    user = User.objects.create_user(email, PASSWORD, full_name=extra.pop("full_name", email.split("@")[0].title()),
                                    municipality=municipality, **extra)
    if unit is not None and role is not None:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


def build_tenant(name: str, slug: str, code: str, administration: str, team: str, other_team: str) -> Tenant:
    municipality = Municipality.objects.create(name=name, slug=slug, code=code)
    admin_unit = create_unit(municipality=municipality, name=administration, kind=Unit.Kind.ADMINISTRATION)
    team_unit = create_unit(municipality=municipality, name=team, parent=admin_unit)
    other_unit = create_unit(municipality=municipality, name=other_team, parent=admin_unit)
    return Tenant(
        municipality=municipality,
        administration=admin_unit,
        team=team_unit,
        other_team=other_unit,
        medarbejder=make_user(f"medarbejder@{slug}.test", municipality, team_unit, Role.MEDARBEJDER,
                              full_name=f"Medarbejder {name}"),
        leder=make_user(f"leder@{slug}.test", municipality, team_unit, Role.LEDER, full_name=f"Leder {name}"),
        analytiker=make_user(f"analytiker@{slug}.test", municipality, admin_unit, Role.ANALYTIKER,
                             full_name=f"Analytiker {name}"),
        administrator=make_user(f"administrator@{slug}.test", municipality, admin_unit, Role.ADMINISTRATOR,
                                full_name=f"Administrator {name}"),
    )


def build_world() -> World:
    odense = build_tenant("Odense Kommune", "odense", "461", "Ældre- og Handicapforvaltningen",
                          "Træning som hjælp", "Hjemmeplejen Syd")
    aarhus = build_tenant("Aarhus Kommune", "aarhus", "751", "Sociale Forhold og Beskæftigelse",
                          "Jobcenter", "Virksomhedsstrategi Nord")
    outsider = make_user("outsider@odense.test", odense.municipality, full_name="Uden Rolle")
    return World(odense=odense, aarhus=aarhus, outsider=outsider)


def _request(client, method: str, url: str, data: dict | None):
    if method == "get":
        return client.get(url, data or {})
    return getattr(client, method)(url, data or {})


def assert_other_municipality_gets_404(client, users, url: str, method: str = "get", data: dict | None = None) -> None:
    """Each of `users` (of another municipality) gets 404 and the refusal is audited."""
    from accounts.models import AuditEvent

    for user in users if isinstance(users, (list, tuple)) else [users]:
        client.force_login(user)
        before = AuditEvent.objects.filter(action="access.not_found").count()
        response = _request(client, method, url, data)
        assert response.status_code == 404, f"{user.email} {method.upper()} {url}: {response.status_code}, expected 404"
        assert AuditEvent.objects.filter(action="access.not_found").count() == before + 1, "404 not audited"
        client.logout()


def assert_forbidden(client, users, url: str, method: str = "post", data: dict | None = None) -> None:
    """Each of `users` (same municipality, too weak a role) gets 403."""
    for user in users if isinstance(users, (list, tuple)) else [users]:
        client.force_login(user)
        response = _request(client, method, url, data)
        assert response.status_code == 403, f"{user.email} {method.upper()} {url}: {response.status_code}, expected 403"
        client.logout()
