"""Sessions end for good: deactivation, losing every role and a new password log a user out,
and neither reactivation nor a new role brings an old session cookie (or reset link) back."""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from tests.tenancy import PASSWORD


def logged_in(user) -> Client:
    """A browser that logged in through the login form (a real session cookie)."""
    browser = Client()
    response = browser.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")
    assert browser.get(reverse("home")).status_code == 200
    return browser


def is_logged_out(browser: Client) -> bool:
    response = browser.get(reverse("home"))
    return response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_a_reactivated_users_old_session_cookie_stays_logged_out(client, world):
    user = world.odense.medarbejder
    old = logged_in(user)
    client.force_login(world.odense.administrator)
    url = reverse("accounts:user_set_active", args=[user.uuid])
    client.post(url, {"active": "0"})
    client.post(url, {"active": "1"})
    user.refresh_from_db()
    assert user.is_active
    assert is_logged_out(old)
    # The user logs in again as usual.
    assert not is_logged_out(logged_in(user))


def test_the_old_cookie_is_refused_at_once_after_deactivation(client, world):
    user = world.odense.medarbejder
    old = logged_in(user)
    client.force_login(world.odense.administrator)
    client.post(reverse("accounts:user_set_active", args=[user.uuid]), {"active": "0"})
    assert is_logged_out(old)


def test_removing_every_role_ends_the_users_sessions(client, world):
    user = world.odense.leder
    old = logged_in(user)
    client.force_login(world.odense.administrator)
    client.post(reverse("accounts:membership_remove", args=[user.uuid, world.odense.team.uuid]))
    assert not Membership.objects.filter(user=user).exists()
    # A new role does not bring the old session back.
    client.post(reverse("accounts:user_detail", args=[user.uuid]), {"unit": world.odense.team.pk, "role": "leder"})
    assert Membership.objects.filter(user=user).exists()
    assert is_logged_out(old)


def test_removing_one_of_several_roles_keeps_the_session(client, world):
    user = world.odense.leder
    client.force_login(world.odense.administrator)
    client.post(reverse("accounts:user_detail", args=[user.uuid]), {"unit": world.odense.other_team.pk,
                                                                     "role": "medarbejder"})
    old = logged_in(user)
    client.post(reverse("accounts:membership_remove", args=[user.uuid, world.odense.other_team.uuid]))
    assert not is_logged_out(old)


def _reset_link(browser: Client, email: str) -> str:
    mail.outbox.clear()
    browser.post(reverse("accounts:password_reset"), {"email": email})
    assert len(mail.outbox) == 1
    return re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)


def test_a_password_reset_ends_the_other_sessions(world):
    user = world.odense.medarbejder
    old = logged_in(user)
    browser = Client()
    link = _reset_link(browser, user.email)
    form = browser.get(link, follow=True)
    response = browser.post(form.redirect_chain[-1][0], {"new_password1": "et-helt-nyt-kodeord-42",
                                                        "new_password2": "et-helt-nyt-kodeord-42"})
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert is_logged_out(old)


def test_a_reset_link_sent_before_a_deactivation_does_not_work_after_reactivation(client, world):
    user = world.odense.medarbejder
    browser = Client()
    link = _reset_link(browser, user.email)
    client.force_login(world.odense.administrator)
    url = reverse("accounts:user_set_active", args=[user.uuid])
    client.post(url, {"active": "0"})
    client.post(url, {"active": "1"})
    page = browser.get(link, follow=True).content.decode()
    assert "new_password1" not in page


def test_deactivation_in_the_platform_admin_ends_the_sessions_too(client, world, django_user_model):
    user = world.odense.medarbejder
    old = logged_in(user)
    client.force_login(django_user_model.objects.create_superuser("platform@x.test", PASSWORD, full_name="P"))
    url = reverse("admin:accounts_user_change", args=[user.pk])
    membership = user.memberships.get()
    response = client.post(url, {
        "email": user.email, "full_name": user.full_name, "job_title": "", "municipality": user.municipality_id,
        "is_staff": "", "is_superuser": "",  # is_active left out: unticked
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "1", "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000", "memberships-0-id": membership.pk, "memberships-0-user": user.pk,
        "memberships-0-unit": membership.unit_id, "memberships-0-role": membership.role,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert not user.is_active
    user.is_active = True
    user.save(update_fields=["is_active"])
    assert is_logged_out(old)
