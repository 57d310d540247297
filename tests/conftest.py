"""The shared test base: two municipalities, each with one user per role, plus an outsider.

Fixtures:
- `world`: Odense and Aarhus (see `tenancy.World`), built fresh for each test.
- `login(client, user)`: log a user in on the test client (no password hashing cost).
"""

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


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def as_user(client):
    def _as(user):
        client.force_login(user)
        return client

    return _as
