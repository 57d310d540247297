"""What users see when a dependency fails: Redis stopped, the database stopped, slow
or locked (from a fault-injection run: /overblik/ gave 500 without Redis, and one table
lock stalled every page and the health check for 40 s)."""

import threading

import psycopg
import pytest
from django.core.cache import caches
from django.db import OperationalError, connection
from django.test import override_settings
from django.urls import reverse

from ligestilling.cache import ResilientRedisCache, cache_config

# What CACHE_URL=redis://... configures, at a port nothing listens on: every operation
# fails at once with "connection refused".
DEAD_REDIS = {"default": cache_config("redis://127.0.0.1:1/0")}


def test_a_dead_redis_is_a_cache_miss_not_an_error():
    cache = ResilientRedisCache("redis://127.0.0.1:1/0", {})
    assert cache.get("k") is None and cache.get("k", "fallback") == "fallback"
    cache.set("k", 1)
    assert cache.add("k", 1) is False and cache.get_many(["a", "b"]) == {}
    assert cache.get_or_set("k", 7) == 7


def test_dashboard_is_served_while_redis_is_down(client, world):
    with override_settings(CACHES=DEAD_REDIS):
        assert isinstance(caches["default"], ResilientRedisCache)
        client.force_login(world.odense.leder)
        response = client.get(reverse("reporting:dashboard"))
    assert response.status_code == 200
    assert "Overblik" in response.content.decode()


def test_database_trouble_is_a_503_with_retry_after(client, world, monkeypatch):
    client.force_login(world.odense.leder)
    client.raise_request_exception = False

    def broken(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("ligestilling.views.start_cards", broken)
    response = client.get(reverse("home"))
    assert response.status_code == 503 and response["Retry-After"] == "15"
    assert "midlertidigt utilgængeligt" in response.content.decode()
    # Any other error stays a 500.
    monkeypatch.setattr("ligestilling.views.start_cards", lambda *a: 1 / 0)
    assert client.get(reverse("home")).status_code == 500


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's time limits")


@postgres_only
def test_connections_carry_the_time_limits(db):
    with connection.cursor() as cursor:
        shown = {}
        for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"):
            cursor.execute(f"SHOW {name}")
            shown[name] = cursor.fetchone()[0]
    assert shown == {"statement_timeout": "30s", "lock_timeout": "5s", "idle_in_transaction_session_timeout": "1min"}


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_held_table_lock_gives_a_503_after_the_lock_timeout_not_a_hang(client, settings):
    from tests.tenancy import build_world

    world = build_world()
    client.force_login(world.odense.medarbejder)
    client.raise_request_exception = False
    params = connection.get_connection_params()
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        with psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"}) as other:
            other.execute("LOCK TABLE accounts_membership IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(30)

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(10)
        response = client.get(reverse("home"))  # the role lookup reads accounts_membership
    finally:
        release.set()
        holder.join()
    assert response.status_code == 503
