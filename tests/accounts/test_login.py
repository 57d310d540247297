from django.urls import reverse

from accounts.models import AuditEvent
from tests.tenancy import PASSWORD


def _login(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_login_by_email_any_case(client, world):
    response = _login(client, world.odense.leder.email.upper(), PASSWORD)
    assert response.status_code == 302 and response.url == reverse("home")
    assert AuditEvent.objects.filter(action="auth.login", user=world.odense.leder).exists()


def test_wrong_password_is_refused_and_audited(client, world):
    response = _login(client, world.odense.leder.email, "forkert-forkert")
    assert response.status_code == 200
    assert "Forkert e-mailadresse eller adgangskode" in response.content.decode()
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.detail["username"] == world.odense.leder.email and "forkert" not in str(event.detail)


def test_five_failures_lock_the_username_whether_or_not_it_exists(client, world):
    for email in [world.odense.leder.email, "findes.ikke@odense.test"]:
        for _ in range(5):
            _login(client, email, "forkert-forkert")
        locked = _login(client, email, PASSWORD)
        assert locked.status_code == 429
        assert "For mange mislykkede loginforsøg" in locked.content.decode()
    # Same page for the real and the unknown account: nothing reveals which exists.
    real = _login(client, world.odense.leder.email, PASSWORD).content
    unknown = _login(client, "findes.ikke@odense.test", PASSWORD).content
    assert real.replace(b"csrfmiddlewaretoken", b"") .split(b"<main")[1].split(b"</main>")[0] == \
        unknown.replace(b"csrfmiddlewaretoken", b"").split(b"<main")[1].split(b"</main>")[0]


def test_another_username_is_not_locked(client, world):
    for _ in range(5):
        _login(client, world.odense.leder.email, "forkert-forkert")
    response = _login(client, world.odense.medarbejder.email, PASSWORD)
    assert response.status_code == 302


def test_pages_require_login(client, world):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_logout_is_a_post(client, world):
    client.force_login(world.odense.leder)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_validators_demand_twelve_characters(client, world):
    client.force_login(world.odense.leder)
    response = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "kort-1234", "new_password2": "kort-1234",
    })
    assert response.status_code == 200
    assert "mindst 12 tegn" in response.content.decode()
    response = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "password1234", "new_password2": "password1234",
    })
    assert "almindelig" in response.content.decode()


def test_case_spacing_and_width_variants_share_one_lockout_budget(client, world):
    """Axes once counted the raw name while login ignored case and spaces, so each
    spelling got a fresh budget of five guesses."""
    email = world.odense.administrator.email
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in email)
    variants = [email.upper(), f"  {email}", email.title(), f"{email} ", fullwidth]
    for variant in variants[:4]:
        assert _login(client, variant, "forkert-forkert").status_code == 200
    # The fifth failure, in a fifth spelling, locks the account.
    assert _login(client, variants[4], "forkert-forkert").status_code == 429
    for variant in [email, email.upper(), fullwidth]:
        assert _login(client, variant, PASSWORD).status_code == 429
    # The platform superuser's account is throttled the same way.
    from tests.tenancy import make_user

    root = make_user("root@platform.test", None, is_staff=True, is_superuser=True)
    for variant in ["ROOT@platform.test", "root@PLATFORM.test ", " Root@Platform.Test"] * 2:
        _login(client, variant, "forkert-forkert")
    assert _login(client, root.email, PASSWORD).status_code == 429


def test_every_spelling_that_logs_in_is_the_stored_address(client, world):
    email = world.odense.leder.email
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in email)
    for variant in [f" {email.upper()} ", fullwidth]:
        client.logout()
        assert _login(client, variant, PASSWORD).status_code == 302
    # A look-alike that is not the same address after normalisation cannot log in.
    client.logout()
    assert _login(client, email.replace("@", "\u200b@"), PASSWORD).status_code == 200
