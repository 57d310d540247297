import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from accounts import access
from accounts.models import AuditEvent, Membership, Role, Unit


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_roles_cover_units_below(world):
    t = world.odense
    scope = access.get_scope(t.analytiker)  # analytiker sits on the administration
    assert scope.has(access.ANALYSE, t.team.pk) and scope.has(access.ANALYSE, t.other_team.pk)
    leder_scope = access.get_scope(t.leder)  # leder sits on one team
    assert leder_scope.has(access.LEAD, t.team.pk)
    assert not leder_scope.has(access.LEAD, t.other_team.pk)
    assert not leder_scope.has(access.LEAD, t.administration.pk)


def test_medarbejder_is_not_a_leder(world):
    scope = access.get_scope(world.odense.medarbejder)
    assert scope.has(access.READ, world.odense.team.pk)
    assert not scope.has(access.LEAD) and not scope.has(access.ANALYSE)


def test_outsider_has_no_scope_in_units(world):
    scope = access.get_scope(world.outsider)
    assert scope.is_member and scope.unit_ids() == set()


def test_other_municipality_object_is_404_and_audited(world):
    request = _request(world.aarhus.leder)
    with pytest.raises(Http404):
        access.get_unit_for(request, world.odense.team.uuid)
    assert AuditEvent.objects.filter(action="access.not_found", user=world.aarhus.leder).count() == 1


def test_too_weak_role_is_403_and_audited(world):
    request = _request(world.odense.medarbejder)
    with pytest.raises(PermissionDenied):
        access.get_unit_for(request, world.odense.team.uuid, need=access.LEAD)
    assert AuditEvent.objects.filter(action="access.forbidden", user=world.odense.medarbejder).exists()


def test_in_municipality_filters_querysets(world):
    request = _request(world.aarhus.leder)
    names = set(access.in_municipality(request, Unit.objects.all()).values_list("name", flat=True))
    assert "Jobcenter" in names and "Træning som hjælp" not in names


def test_subtree_expansion(world):
    t = world.odense
    assert access.unit_ids_with_descendants([t.administration.pk]) == {t.administration.pk, t.team.pk, t.other_team.pk}


def test_platform_superuser_sees_no_municipality_data(world, django_user_model):
    root = django_user_model.objects.create_superuser("root@platform.test", "x" * 16, full_name="Root")
    request = _request(root)
    with pytest.raises(Http404):
        access.require_member(request)
    assert access.in_municipality(request, Unit.objects.all()).count() == 0


def test_one_role_per_user_and_unit(world):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Membership.objects.create(user=world.odense.leder, unit=world.odense.team, role=Role.ANALYTIKER)
