import pytest
from django.core.management import CommandError, call_command

from accounts import versions
from accounts.models import Membership, Municipality, User


@pytest.mark.django_db
def test_seed_demo_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    counts = (Municipality.objects.count(), User.objects.count(), Membership.objects.count())
    odense = Municipality.objects.get(code="461")
    before = versions.current(odense.pk)
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert counts == (Municipality.objects.count(), User.objects.count(), Membership.objects.count())
    # Seeding again must not leave a running server's cached dashboards in place.
    assert versions.current(odense.pk) > before
    assert set(Municipality.objects.values_list("code", flat=True)) >= {"461", "751", "450"}
    assert User.objects.get(email="leder@odense.demo").check_password("demo-ligestilling-2026")


@pytest.mark.django_db
def test_seed_demo_refuses_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()
