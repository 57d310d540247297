"""Crash-safe committee PDFs: a report whose worker died, or that never started, is failed
with a message saying what happened; the user starts it again from its page."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import AuditEvent
from reporting import pdf, services
from reporting.models import Report
from reporting.tasks import generate_report
from tests.tenancy import assert_forbidden, assert_other_municipality_gets_404

STOPPED = "Rapporten stoppede, før den var færdig: baggrundsprocessen, der dannede den, holdt op med at svare."
NOT_STARTED = "Rapporten blev aldrig startet: ingen baggrundsproces tog den op."


@pytest.fixture(autouse=True)
def quick_pdf(monkeypatch):
    """The PDF itself is not the point here (tests/reporting/test_report_pdf.py builds real ones)."""
    def build(report, progress=None):
        if progress:
            progress(50)
        return b"%PDF-1.7 stub", 1

    monkeypatch.setattr(pdf, "build_pdf", build)


def make_report(world, **state) -> Report:
    report = services.create_report(
        municipality=world.odense.municipality, unit=world.odense.team, user=world.odense.leder, title="Jobcentret",
        committee="Udvalget", meeting_date=None, date_from=datetime.date(2025, 1, 1),
        date_to=datetime.date(2025, 12, 31), sections=["summary"])
    Report.objects.filter(pk=report.pk).update(**state)
    report.refresh_from_db()
    return report


def ago(minutes: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=minutes)


def test_the_page_shows_a_report_whose_worker_died_as_failed_and_offers_to_start_it_again(client, world):
    dead = make_report(world, status="running", progress=40, heartbeat_at=ago(10))
    client.force_login(world.odense.leder)
    status = client.get(reverse("reporting:report_status", args=[dead.uuid])).json()
    assert status["status"] == "failed" and status["finished"] and status["error"].startswith(STOPPED)
    page = client.get(reverse("reporting:report_detail", args=[dead.uuid])).content.decode()
    assert STOPPED in page and "Start rapporten igen" in page
    dead.refresh_from_db()
    assert dead.status == "failed" and dead.failure == "stopped"


def test_starting_it_again_builds_the_report(client, world):
    dead = make_report(world, status="failed", failure="stopped", progress=40)
    client.force_login(world.odense.leder)
    response = client.post(reverse("reporting:report_restart", args=[dead.uuid]))
    assert response.status_code == 302 and response.url == reverse("reporting:report_detail", args=[dead.uuid])
    dead.refresh_from_db()
    assert dead.status == "done" and dead.progress == 100 and not dead.failure  # the immediate backend ran it
    assert AuditEvent.objects.filter(action="report.restart", object_id=str(dead.uuid)).exists()
    page = client.get(reverse("reporting:report_detail", args=[dead.uuid])).content.decode()
    assert "Hent PDF" in page


def test_only_a_failed_report_starts_again(client, world):
    done = make_report(world, status="done", progress=100, pdf=b"%PDF")
    client.force_login(world.odense.leder)
    client.post(reverse("reporting:report_restart", args=[done.uuid]))
    done.refresh_from_db()
    assert done.status == "done" and not AuditEvent.objects.filter(action="report.restart").exists()


def test_starting_again_is_isolated_and_needs_the_report(client, world):
    report = make_report(world, status="failed", failure="stopped")
    url = reverse("reporting:report_restart", args=[report.uuid])
    assert_other_municipality_gets_404(client, [world.aarhus.leder, world.aarhus.analytiker],
                                       reverse("reporting:report_restart", args=[report.uuid]), "post")
    assert_forbidden(client, [world.odense.medarbejder], url, "post")
    client.force_login(world.odense.leder)
    assert client.get(url).status_code == 405
    report.refresh_from_db()
    assert report.status == "failed"


def test_the_scheduled_command_fails_dead_reports_and_leaves_live_ones(world):
    dead = make_report(world, status="running", progress=60, heartbeat_at=ago(6))
    live = make_report(world, status="running", progress=60, heartbeat_at=ago(1))
    call_command("expire_stale_jobs", stdout=io.StringIO())
    dead.refresh_from_db()
    live.refresh_from_db()
    assert (dead.status, dead.failure) == ("failed", "stopped")
    assert live.status == "running"


def test_the_next_worker_that_starts_fails_the_dead_report(world):
    dead = make_report(world, status="running", heartbeat_at=ago(30))
    waiting = make_report(world)
    generate_report.call(waiting.pk)
    dead.refresh_from_db()
    waiting.refresh_from_db()
    assert (dead.status, dead.failure) == ("failed", "stopped") and waiting.status == "done"


def test_a_report_that_waited_too_long_in_the_queue_is_failed(client, world):
    waiting = make_report(world, queued_at=ago(61))
    client.force_login(world.odense.leder)
    status = client.get(reverse("reporting:report_status", args=[waiting.uuid])).json()
    assert status["status"] == "failed" and status["error"].startswith(NOT_STARTED)


def test_a_queued_report_whose_task_row_is_gone_is_failed(client, world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    report = make_report(world)
    services.start_generation(report)
    report.refresh_from_db()
    task = DBTaskResult.objects.get()
    assert report.status == "queued" and report.task_id == str(task.id)
    call_command("expire_stale_jobs", stdout=io.StringIO())
    report.refresh_from_db()
    assert report.status == "queued"  # waiting for a worker is fine
    task.delete()
    client.force_login(world.odense.leder)
    page = client.get(reverse("reporting:report_detail", args=[report.uuid])).content.decode()
    assert NOT_STARTED in page
    report.refresh_from_db()
    assert (report.status, report.failure) == ("failed", "not_started")


def test_a_slow_job_whose_lease_was_taken_stops_without_overwriting_the_failure(world, monkeypatch):
    report = make_report(world)

    def slow(report_, progress=None):
        # Meanwhile the lease ran out and another worker failed the report.
        Report.objects.filter(pk=report_.pk).update(status="failed", failure="stopped")
        progress(80)
        raise AssertionError("the job went on after losing its lease")

    monkeypatch.setattr(pdf, "build_pdf", slow)
    result = pdf.generate(report.pk)
    assert (result.status, result.failure) == ("failed", "stopped") and not result.pdf


def test_a_live_report_renews_its_lease(world, monkeypatch):
    report = make_report(world)
    seen = []

    def build(report_, progress=None):
        progress(50)
        seen.append(Report.objects.get(pk=report_.pk).heartbeat_at)
        return b"%PDF", 1

    monkeypatch.setattr(pdf, "build_pdf", build)
    pdf.generate(report.pk)
    assert seen[0] is not None and seen[0] > timezone.now() - datetime.timedelta(seconds=30)
