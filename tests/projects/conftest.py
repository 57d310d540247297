import pytest

from logbooks.models import Entry, EntryTopic
from projects import measures


@pytest.fixture
def known_keys(monkeypatch):
    """Cell keys of 0 everywhere, so each published count is two less than the true one
    (noise −2; never below the threshold) and expectations can be worked out by hand.

    Manual and dataset figures get their keys from a hash of their identity (which holds
    database ids); logbook conversations from their record keys: call the returned
    function after writing entries.
    """
    monkeypatch.setattr(measures, "_hashed_keys", lambda *identity: (0, 0))
    monkeypatch.setattr(measures, "cell_key", lambda *identity: 0)

    def zero_record_keys() -> None:
        Entry.objects.update(record_key=0)
        EntryTopic.objects.update(record_key=0)

    return zero_record_keys
