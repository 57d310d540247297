"""The shared test base: two municipalities, each with one user per role, plus an outsider.

Fixtures:
- `world`: Odense and Aarhus (see `tenancy.World`), built fresh for each test.
- `login(client, user)`: log a user in on the test client (no password hashing cost).
"""

import random
import uuid

import pytest

from tests.tenancy import build_world


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the database is rolled back between tests
    (and SQLite reuses ids), so a cached dashboard could otherwise match a new test's key."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _repeatable_record_keys(monkeypatch):
    """Record keys drawn from a seeded generator, so a test sees the same noise on every run
    (and on both databases): a true 3 is "<5" under most keys but 5 under some, and a test
    must not pass or fail by chance. Tests of the method itself set keys explicitly."""
    from datasets.models import Dataset
    from logbooks.models import Entry
    from projects.models import Measurement

    rng = random.Random(2026)
    monkeypatch.setattr(Entry._meta.get_field("record_key"), "_get_default", lambda: rng.randrange(256))
    # Imported figures and hand-entered measurements are keyed by a hash of their uuid.
    for model in (Dataset, Measurement):
        monkeypatch.setattr(model._meta.get_field("uuid"), "_get_default",
                            lambda: uuid.UUID(int=rng.getrandbits(128), version=4))


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def as_user(client):
    def _as(user):
        client.force_login(user)
        return client

    return _as
