"""The platform admin (/platform-admin/, superusers only) edits municipalities and units;
such edits change what dashboards show, so they raise the data version too."""

from django.urls import reverse

from accounts import versions
from accounts.models import Unit, User


def superuser():
    return User.objects.create_superuser("platform@ligestilling.test", "a-long-platform-password-1")


def test_a_threshold_changed_in_the_platform_admin_raises_the_data_version(client, world):
    m = world.odense.municipality
    client.force_login(superuser())
    before = versions.current(m.pk)
    response = client.post(reverse("admin:accounts_municipality_change", args=[m.pk]), {
        "name": m.name, "slug": m.slug, "code": m.code, "suppression_threshold": 10, "retention_months": 24,
    })
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.suppression_threshold == 10
    assert versions.current(m.pk) > before


def test_a_unit_deleted_in_the_platform_admin_raises_the_data_version(client, world):
    t = world.odense
    client.force_login(superuser())
    before = versions.current(t.municipality.pk)
    unit = Unit.objects.create(municipality=t.municipality, name="Midlertidig", parent=t.administration,
                               path=f"{t.administration.path}999/", depth=1)
    response = client.post(reverse("admin:accounts_unit_delete", args=[unit.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Unit.objects.filter(pk=unit.pk).exists()
    assert versions.current(t.municipality.pk) > before


def test_the_platform_admin_is_for_superusers_only(client, world):
    client.force_login(world.odense.administrator)
    response = client.get(reverse("admin:accounts_municipality_changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_platform_admin_refuses_a_unit_name_with_a_phone_number(client, world):
    t = world.odense
    client.force_login(superuser())
    response = client.post(reverse("admin:accounts_unit_change", args=[t.team.pk]), {
        "municipality": t.municipality.pk, "parent": t.administration.pk, "name": "Jobteamet 2030 4050",
        "kind": "team"})
    assert response.status_code == 200 and "telefonnummer" in response.content.decode()
    t.team.refresh_from_db()
    assert t.team.name != "Jobteamet 2030 4050"
