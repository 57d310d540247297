"""Password-reset mails are throttled per address and per client address, and the page
never reveals whether an address has an account or was throttled."""

import logging
import uuid

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent

URL = reverse("accounts:password_reset")


def ask(client, email, ip="192.0.2.10"):
    return client.post(URL, {"email": email}, REMOTE_ADDR=ip)


def same_answer(a, b) -> bool:
    return (a.status_code, a.get("Location")) == (b.status_code, b.get("Location"))


def test_three_mails_per_address_an_hour_then_nothing_with_the_same_answer(client, world, settings):
    assert (settings.PASSWORD_RESET_MAX_PER_ADDRESS, settings.PASSWORD_RESET_MAX_PER_IP) == (3, 20)
    email = world.odense.medarbejder.email
    with time_machine.travel("2026-03-02 08:00 +0000", tick=False):
        answers = [ask(client, email, ip=f"192.0.2.{k}") for k in range(5)]
        assert len(mail.outbox) == 3
        assert all(same_answer(answers[0], a) for a in answers)
        assert answers[0].status_code == 302 and answers[0].url == reverse("accounts:password_reset_done")
        # Another spelling of the same address shares the budget.
        ask(client, email.upper() + " ", ip="192.0.2.99")
        assert len(mail.outbox) == 3
    with time_machine.travel("2026-03-02 09:01 +0000", tick=False):
        ask(client, email)
        assert len(mail.outbox) == 4
    events = AuditEvent.objects.filter(action="auth.password_reset").order_by("pk")
    assert [e.detail.get("throttled") for e in events] == [None, None, None, "address", "address", "address", None]
    assert events[0].detail["email"] == email and events[0].ip == "192.0.2.0"


def test_an_unknown_address_gets_the_same_answers(client, world):
    known, unknown = world.odense.medarbejder.email, "findes.ikke@odense.test"
    for _ in range(4):
        assert same_answer(ask(client, known), ask(client, unknown))
    assert len(mail.outbox) == 3


def test_twenty_requests_per_client_address_an_hour(client, world):
    for k in range(20):
        ask(client, f"nogen{k}@odense.test", ip="198.51.100.7")
    throttled = ask(client, world.odense.leder.email, ip="198.51.100.7")
    assert throttled.status_code == 302 and throttled.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []
    event = AuditEvent.objects.filter(action="auth.password_reset").latest("pk")
    assert event.detail["throttled"] == "ip"
    # Another client address is not affected, and the throttled requests did not use up
    # the address's own budget.
    ask(client, world.odense.leder.email, ip="198.51.100.8")
    assert len(mail.outbox) == 1


def test_a_cache_failure_lets_the_request_through_and_is_logged(client, world, settings, caplog):
    """Redis down (nothing listens on the port): no 500, the mail goes, the failure is logged."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:9/0"}}
    with caplog.at_level(logging.WARNING, logger="accounts.throttle"):
        response = ask(client, world.odense.medarbejder.email)
    assert response.status_code == 302 and len(mail.outbox) == 1
    assert "The cache failed while counting password-reset-ip requests" in caplog.text


def test_the_limits_hold_in_redis(client, world, settings):
    """Production shares the counts between processes in Redis (CACHE_URL)."""
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    # A prefix of its own: the Redis may be shared, so nothing is cleared (the keys expire).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/15", "KEY_PREFIX": uuid.uuid4().hex}}
    for _ in range(5):
        ask(client, world.odense.medarbejder.email)
    assert len(mail.outbox) == 3
