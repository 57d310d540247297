from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, Membership, Role, User
from tests.tenancy import assert_forbidden, assert_other_municipality_gets_404


def test_it_shows_the_administration_to_the_administrator(client, world):
    client.force_login(world.odense.administrator)
    response = client.get(reverse("accounts:admin_home"))
    assert response.status_code == 200
    assert "Træning som hjælp" in response.content.decode()
    assert world.odense.leder.email in response.content.decode()
    # Aarhus's users never appear in Odense's administration.
    assert world.aarhus.leder.email not in response.content.decode()


def test_it_rejects_other_roles(client, world):
    t = world.odense
    for name in ["accounts:admin_home", "accounts:user_invite", "accounts:unit_create",
                 "accounts:municipality_settings"]:
        assert_forbidden(client, [t.medarbejder, t.leder, t.analytiker, world.outsider], reverse(name), method="get")


def test_it_searches_users(client, world):
    client.force_login(world.odense.administrator)
    response = client.get(reverse("accounts:admin_home"), {"q": "leder"})
    body = response.content.decode()
    assert world.odense.leder.email in body
    assert world.odense.medarbejder.email not in body


def test_administrator_invites_a_user(client, world, django_capture_on_commit_callbacks):
    t = world.odense
    client.force_login(t.administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:user_invite"), {
            "full_name": "Ny Kollega", "email": "Ny.Kollega@Odense.test", "job_title": "Terapeut",
            "unit": t.team.pk, "role": Role.MEDARBEJDER,
        })
    user = User.objects.get(email="ny.kollega@odense.test")
    assert response.status_code == 302 and response.url == reverse("accounts:user_detail", args=[user.uuid])
    assert user.municipality == t.municipality and not user.has_usable_password()
    assert Membership.objects.get(user=user).role == Role.MEDARBEJDER
    assert len(mail.outbox) == 1 and "/konto/adgangskode/ny/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="user.invite", object_id=str(user.uuid)).exists()


def test_invite_refuses_a_duplicate_email(client, world):
    t = world.odense
    client.force_login(t.administrator)
    response = client.post(reverse("accounts:user_invite"), {
        "full_name": "Dublet", "email": t.leder.email.upper(), "unit": t.team.pk, "role": Role.LEDER,
    })
    assert response.status_code == 200
    assert "findes allerede" in response.content.decode()
    assert User.objects.filter(email__iexact=t.leder.email).count() == 1


def test_invite_refuses_a_unit_of_another_municipality(client, world):
    client.force_login(world.odense.administrator)
    response = client.post(reverse("accounts:user_invite"), {
        "full_name": "X", "email": "x@odense.test", "unit": world.aarhus.team.pk, "role": Role.LEDER,
    })
    assert response.status_code == 200
    assert not User.objects.filter(email="x@odense.test").exists()


def test_invitation_link_lets_the_user_choose_a_password(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.odense.administrator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:user_invite"), {
            "full_name": "Ny", "email": "ny@odense.test", "unit": world.odense.team.pk, "role": Role.MEDARBEJDER,
        })
    client.logout()
    link = next(line for line in mail.outbox[0].body.splitlines() if "/konto/adgangskode/ny/" in line)
    response = client.get(link.strip(), follow=True)
    assert response.status_code == 200
    response = client.post(response.redirect_chain[-1][0], {
        "new_password1": "en-lang-og-god-adgangskode", "new_password2": "en-lang-og-god-adgangskode",
    })
    assert response.status_code == 302
    assert User.objects.get(email="ny@odense.test").check_password("en-lang-og-god-adgangskode")


def test_administrator_changes_a_role(client, world):
    t = world.odense
    client.force_login(t.administrator)
    response = client.post(reverse("accounts:user_detail", args=[t.medarbejder.uuid]),
                           {"unit": t.team.pk, "role": Role.LEDER})
    assert response.status_code == 302
    assert Membership.objects.get(user=t.medarbejder, unit=t.team).role == Role.LEDER
    assert AuditEvent.objects.filter(action="membership.set", object_id=str(t.medarbejder.uuid)).exists()


def test_administrator_removes_a_role(client, world):
    t = world.odense
    client.force_login(t.administrator)
    client.post(reverse("accounts:membership_remove", args=[t.medarbejder.uuid, t.team.uuid]))
    assert not Membership.objects.filter(user=t.medarbejder).exists()


def test_the_last_administrator_cannot_be_removed(client, world):
    t = world.odense
    client.force_login(t.administrator)
    response = client.post(reverse("accounts:membership_remove", args=[t.administrator.uuid, t.administration.uuid]),
                           follow=True)
    assert Membership.objects.filter(user=t.administrator, role=Role.ADMINISTRATOR).exists()
    assert "mindst én aktiv administrator" in response.content.decode()


def test_deactivated_user_is_logged_out_at_next_request(client, world, django_user_model):
    t = world.odense
    from django.test import Client

    victim = Client()
    victim.force_login(t.medarbejder)
    assert victim.get(reverse("home")).status_code == 200
    client.force_login(t.administrator)
    client.post(reverse("accounts:user_set_active", args=[t.medarbejder.uuid]), {"active": "0"})
    assert not django_user_model.objects.get(pk=t.medarbejder.pk).is_active
    response = victim.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_administrator_cannot_deactivate_themself(client, world):
    t = world.odense
    client.force_login(t.administrator)
    client.post(reverse("accounts:user_set_active", args=[t.administrator.uuid]), {"active": "0"})
    t.administrator.refresh_from_db()
    assert t.administrator.is_active


def test_units_are_created_as_a_tree(client, world):
    t = world.odense
    client.force_login(t.administrator)
    response = client.post(reverse("accounts:unit_create"), {"name": "Hold A", "kind": "team", "parent": t.team.pk})
    assert response.status_code == 302
    unit = t.municipality.units.get(name="Hold A")
    assert unit.parent == t.team and unit.depth == 2
    assert unit.path == f"{t.team.path}{unit.pk}/"


def test_a_unit_with_members_cannot_be_deleted(client, world):
    t = world.odense
    client.force_login(t.administrator)
    client.post(reverse("accounts:unit_delete", args=[t.team.uuid]))
    assert t.municipality.units.filter(pk=t.team.pk).exists()


def test_threshold_cannot_go_below_three(client, world):
    t = world.odense
    client.force_login(t.administrator)
    response = client.post(reverse("accounts:municipality_settings"),
                           {"suppression_threshold": 2, "retention_months": 24})
    assert response.status_code == 200
    t.municipality.refresh_from_db()
    assert t.municipality.suppression_threshold == 5


def test_it_checks_ownership(client, world):
    o, a = world.odense, world.aarhus
    assert_other_municipality_gets_404(client, [a.administrator], reverse("accounts:user_detail", args=[o.leder.uuid]))
    assert_other_municipality_gets_404(client, [a.administrator],
                                       reverse("accounts:user_set_active", args=[o.leder.uuid]), "post", {"active": "0"})
    assert_other_municipality_gets_404(client, [a.administrator],
                                       reverse("accounts:user_resend_invitation", args=[o.leder.uuid]), "post")
    assert_other_municipality_gets_404(client, [a.administrator],
                                       reverse("accounts:membership_remove", args=[o.leder.uuid, o.team.uuid]), "post")
    assert_other_municipality_gets_404(client, [a.administrator], reverse("accounts:unit_edit", args=[o.team.uuid]))
    assert_other_municipality_gets_404(client, [a.administrator],
                                       reverse("accounts:unit_delete", args=[o.team.uuid]), "post")
    o.leder.refresh_from_db()
    assert o.leder.is_active and o.municipality.units.filter(pk=o.team.pk).exists()


def test_municipality_wide_pages_only_show_own_municipality(client, world):
    # admin_home, user_invite, unit_create and municipality_settings take no object from the
    # URL: they are scoped to the administrator's own municipality.
    client.force_login(world.aarhus.administrator)
    body = client.get(reverse("accounts:admin_home")).content.decode()
    assert "Træning som hjælp" not in body and world.odense.leder.email not in body
    assert_other_municipality_gets_404(client, [world.aarhus.administrator],
                                       reverse("accounts:unit_edit", args=[world.odense.administration.uuid]))




def test_a_unit_name_with_a_phone_number_is_refused(client, world):
    t = world.odense
    client.force_login(t.administrator)
    response = client.post(reverse("accounts:unit_create"),
                           {"name": "Hold A, tlf. 12-34-56-78", "kind": "team", "parent": t.team.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "Teksten ser ud til at indeholde et telefonnummer. Fjern det: der må ikke gemmes oplysninger, som kan "
        "identificere en person."]
    assert not t.municipality.units.filter(name__startswith="Hold A").exists()
    response = client.post(reverse("accounts:unit_edit", args=[t.team.uuid]),
                           {"name": "Jobteamet +45 20 30 40 50", "kind": "team"})
    assert response.status_code == 200 and "telefonnummer" in response.content.decode()
    t.team.refresh_from_db()
    assert "20 30" not in t.team.name
