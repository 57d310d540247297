"""Record keys for the reporting tests: set them from a seed, and compute what a direct
query of a set of conversations publishes (the cell-key method of
ligestilling.lib.disclosure)."""

from __future__ import annotations

import random

from django.db.models import Count, OuterRef, Subquery, Sum

from accounts import versions
from accounts.models import Municipality
from ligestilling.lib import disclosure
from logbooks.models import Entry, EntryTopic

#: Fixed seeds: a differencing attack is a recovery only when it gives the true count
#: under every one of them (docs: issue 13, "a recovery is ... with certainty").
SEEDS = (1, 2, 3, 4, 5, 6)


def rekey(seed: int) -> None:
    """Give every conversation a new random record key (and its topics the same copy),
    as if the data had been stored again; cached dashboards move on with the version."""
    rng = random.Random(seed)
    entries = list(Entry.objects.order_by("pk").only("pk"))
    for entry in entries:
        entry.record_key = rng.randrange(disclosure.KEY_RANGE)
    Entry.objects.bulk_update(entries, ["record_key"], batch_size=500)
    EntryTopic.objects.update(
        record_key=Subquery(Entry.objects.filter(pk=OuterRef("entry_id")).values("record_key")[:1]))
    for pk in Municipality.objects.values_list("pk", flat=True):
        versions.bump(pk)


def keyed(entries) -> disclosure.Keyed:
    """The true count and cell key of a queryset of entries, straight from the database."""
    found = entries.order_by().aggregate(n=Count("id"), k=Sum("record_key"))
    return disclosure.Keyed.of(found["n"], found["k"])


def published(entries, threshold: int | None = None) -> int | None:
    """What any output must show for exactly these conversations (None: "<N")."""
    return disclosure.protect(keyed(entries), threshold)
