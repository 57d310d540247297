import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def test_csp_forbids_inline_scripts(client, world):
    client.force_login(world.odense.leder)
    response = client.get(reverse("home"))
    policy = response.headers["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'self'" in script_src
    assert "frame-ancestors 'none'" in policy


def test_pages_with_personal_data_are_not_cached(client, world):
    client.force_login(world.odense.leder)
    response = client.get(reverse("home"))
    assert "no-store" in response.headers["Cache-Control"]


def test_security_headers(client, world):
    response = client.get(reverse("accounts:login"))
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_check_deploy_passes_with_production_settings():
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for the live server; production never does.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "ligestilling.settings",
        "DEBUG": "false",
        "SECRET_KEY": "x7-" + "q9Zr2pLk" * 8,
        "ALLOWED_HOSTS": "ligestilling.example.dk",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_COOKIES": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
        "SECURE_HSTS_PRELOAD": "true",
        "DATABASE_URL": "sqlite:////tmp/ligestilling-check-deploy.sqlite3",
    }
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY",)}
    env.update({"DJANGO_SETTINGS_MODULE": "ligestilling.settings", "DEBUG": "false"})
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_session_expires_after_idle_time(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60 and settings.SESSION_SAVE_EVERY_REQUEST


def test_healthz(client, db):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}
