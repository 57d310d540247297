import os
import secrets
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


def env_example() -> dict[str, str]:
    """The variables of .env.example, as production sets them."""
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _equals, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def check_deploy(**overrides) -> subprocess.CompletedProcess:
    """`manage.py check --deploy --fail-level WARNING` with exactly .env.example's values
    and the production settings module: nothing of the test environment is passed on."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "SYSTEMROOT") if name in os.environ}
    env |= env_example() | {"DJANGO_SETTINGS_MODULE": "ligestilling.settings"} | overrides
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True)


def test_check_deploy_passes_with_the_values_of_env_example_and_a_real_key():
    """What the README promises. (The test before this one set its own variables, among
    them SECURE_HSTS_PRELOAD=true where .env.example has false, so it stayed green while
    the documented configuration failed with security.W021.)"""
    assert env_example()["DEBUG"] == "false" and env_example()["SECURE_SSL_REDIRECT"] == "true"
    result = check_deploy(SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_refuses_the_placeholder_of_env_example():
    placeholder = env_example()["SECRET_KEY"]
    assert placeholder.startswith("change-me")
    result = check_deploy(SECRET_KEY=placeholder)
    assert result.returncode != 0
    assert "ligestilling.E002" in result.stderr and "SECRET_KEY must be a long random secret" in result.stderr


def test_the_key_check_refuses_published_short_and_repetitive_keys(settings):
    from accounts.checks import secret_key_is_not_a_placeholder

    weak = {
        "the Dockerfile's build-only key": "build-only",
        "Django's development key": "django-insecure-" + secrets.token_urlsafe(50),
        "a placeholder in capitals": "CHANGE-ME-" + secrets.token_urlsafe(50),
        "a short key": secrets.token_urlsafe(30),
        "few distinct characters": "ab" * 40,
    }
    for what, key in weak.items():
        settings.SECRET_KEY = key
        assert [e.id for e in secret_key_is_not_a_placeholder()] == ["ligestilling.E002"], what
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    assert secret_key_is_not_a_placeholder() == []


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({"DJANGO_SETTINGS_MODULE": "ligestilling.settings", "DEBUG": "false"})
    for server in ("ligestilling.wsgi", "ligestilling.asgi"):
        result = subprocess.run([sys.executable, "-c", f"import {server}"], cwd=ROOT, env=env,
                                capture_output=True, text=True)
        assert result.returncode != 0 and "SECRET_KEY setting must not be empty" in result.stderr, server
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0 and "SECRET_KEY must be set when DEBUG is off" in result.stderr
    # Commands that sign nothing still run, e.g. the migrations check.
    result = subprocess.run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], cwd=ROOT,
                            env={**env, "DATABASE_URL": "sqlite:////tmp/ligestilling-no-key.sqlite3"},
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_session_expires_after_idle_time(client, world, settings):
    import time_machine
    from django.contrib.sessions.models import Session

    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    with time_machine.travel("2026-03-02 08:00 +0000", tick=False):
        client.force_login(world.odense.leder)
        assert client.get(reverse("home")).status_code == 200
    first_expiry = Session.objects.get().expire_date
    # Active after two hours: the expiry moves forward, so the session lives on.
    with time_machine.travel("2026-03-02 10:00 +0000", tick=False):
        assert client.get(reverse("home")).status_code == 200
    assert Session.objects.get().expire_date > first_expiry
    # Nine hours without a request: logged out.
    with time_machine.travel("2026-03-02 19:01 +0000", tick=False):
        response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_session_is_not_written_on_every_request(client, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.odense.leder)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("home"))
    assert not any("UPDATE" in q["sql"] and "django_session" in q["sql"] for q in ctx.captured_queries)


def test_healthz(client, db):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


def test_cache_url_selects_a_shared_redis_cache():
    """Several web processes or hosts share computed dashboards through CACHE_URL."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update({"DJANGO_SETTINGS_MODULE": "ligestilling.settings", "DEBUG": "true",
                "CACHE_URL": "redis://cache.internal:6379/1"})
    code = "import django; django.setup(); from django.conf import settings; print(settings.CACHES['default'])"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "ligestilling.cache.ResilientRedisCache" in result.stdout  # fails open (test_resilience.py)
    assert "redis://cache.internal:6379/1" in result.stdout
    env.pop("CACHE_URL")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert "LocMemCache" in result.stdout  # the zero-setup default: correct per process
