from django.urls import resolve

from ligestilling.db import REPLICA, ReplicaRouter, reads_from_replica


def test_dashboard_reads_go_to_the_replica_when_one_is_configured(settings):
    settings.DATABASES = {**settings.DATABASES, REPLICA: settings.DATABASES["default"]}
    router = ReplicaRouter()
    seen = {}

    @reads_from_replica
    def view():
        seen["read"], seen["write"] = router.db_for_read(None), router.db_for_write(None)

    view()
    assert seen == {"read": REPLICA, "write": "default"}
    # Outside such a view, reads stay on the primary (users see their own writes).
    assert router.db_for_read(None) is None


def test_without_a_replica_nothing_changes(settings):
    assert REPLICA not in settings.DATABASES
    seen = {}

    @reads_from_replica
    def view():
        seen["read"] = ReplicaRouter().db_for_read(None)

    view()
    assert seen == {"read": None}


def test_the_aggregate_pages_use_the_replica():
    for path in ["/overblik/", "/overblik/landsoverblik/", "/overblik/eksport/by_sex/csv/"]:
        assert resolve(path).func.__wrapped__.__name__ in {"dashboard", "national_overview", "export"}
