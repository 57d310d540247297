"""The committee PDF: one generation (a few seconds with Chromium) checked from every side."""

import datetime as dt
import os
import re
import subprocess

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import AuditEvent
from ligestilling.lib import formatting as fmt
from reporting import documents, selectors
from reporting.models import Report
from reporting.testing import seed_known


def pdftotext(data: bytes, tmp_path, layout=False) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + [str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def generated(client, world):
    seed_known(world.odense)
    client.force_login(world.odense.leder)
    response = client.post(reverse("reporting:report_create"), {
        "unit": str(world.odense.team.uuid), "title": "Ligestilling i jobcentret",
        "committee": "Beskæftigelsesudvalget", "meeting_date": "2026-02-03",
        "date_from": "2025-01-01", "date_to": "2025-12-31",
        "sections": ["summary", "logbooks", "recommendations"],
        "summary": "Kvinder og mænd får forskellige tilbud.", "recommendation": "Udvalget tager sagen til efterretning.",
        "generate": "1",
    })
    assert response.status_code == 302
    report = Report.objects.get()
    return world, report, response


def test_the_report_is_generated_kept_and_downloadable(client, generated, tmp_path):
    world, report, response = generated
    assert response["Location"] == reverse("reporting:report_detail", args=[report.uuid])
    assert report.status == Report.Status.DONE, report.error
    assert report.created_by == world.odense.leder and report.unit == world.odense.team
    assert report.sections == ["summary", "logbooks", "recommendations"]

    status = client.get(reverse("reporting:report_status", args=[report.uuid])).json()
    assert status["finished"] and status["status"] == "done" and status["progress"] == 100
    assert status["download_url"] == reverse("reporting:report_download", args=[report.uuid])

    download = client.get(status["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    data = download.content
    assert data.startswith(b"%PDF")
    if os.environ.get("REPORTING_KEEP_PDF"):
        (tmp_path / "keep").mkdir()
        open(os.environ["REPORTING_KEEP_PDF"], "wb").write(data)
    assert AuditEvent.objects.filter(action="report.create").count() == 1
    assert AuditEvent.objects.filter(action="report.download", object_id=str(report.uuid)).count() == 1

    text = pdftotext(data, tmp_path)
    # Cover, chosen sections, the committee's texts.
    with translation.override("da"):
        titles = [gettext(t) for t in ("Summary", "Logbook analysis", "The pamphlet's recommendations",
                                       "Recommendation to the committee", "How we count", "Contents")]
        not_chosen = gettext("Projects and their success criteria")
    for expected in ("Odense Kommune", "Ligestilling i jobcentret", "Beskæftigelsesudvalget", "3. februar 2026",
                     "Kvinder og mænd får forskellige tilbud.", "Udvalget tager sagen til efterretning.",
                     "Jobsøgning", *titles):
        assert expected in text, expected
    # A section that was not chosen is absent.
    assert not_chosen not in text
    # The charts are vector graphics: their axis titles are text in the PDF.
    assert "Forskel i procentpoint (kvinder − mænd)" in text
    assert "Antal samtaler" in text
    # Suppression: "<5" is printed, the hidden count (3 women with Økonomi) never is.
    assert "<5" in text
    layout = pdftotext(data, tmp_path, layout=True)
    okonomi = [line for line in layout.splitlines() if line.strip().startswith("Økonomi")]
    assert okonomi and all(not re.search(r"(?<![\d,.])3(?![\d,.])", line.split("Økonomi", 1)[1].split("<5")[0])
                           for line in okonomi)
    # Page numbers in the footer and in the table of contents.
    assert re.search(r"^\s*2\s*/\s*\d+\s*$", layout, re.M)
    assert re.search(titles[1] + r"\s*\.*\s*\d+", layout)
    info = subprocess.run(["pdfinfo", str(tmp_path / "report.pdf")], capture_output=True, text=True).stdout
    assert "Ligestilling i jobcentret" in info  # document title set
    assert re.search(r"Tagged:\s+yes", info)  # tagged PDF (PDF/UA-1) for screen readers
    assert report.pages and report.pages >= 4

    # One code path: the same figures on the dashboard, in the CSV export and in the PDF.
    board = selectors.build_dashboard(documents.subject_for(report))
    topics = board.section("topics").table
    job = topics.cells[topics.row_labels.index("Jobsøgning")]
    gap_text, interval_text = job[4].display(), job[4].display_interval()
    page = client.get(reverse("reporting:dashboard"), {"unit": str(world.odense.team.uuid), "period": "2025"})
    html = page.content.decode()
    assert gap_text in html and interval_text in html
    flat = " ".join(layout.split())
    assert gap_text in flat and job[1].display() in flat
    csv_text = client.get(reverse("reporting:export", args=["topics", "csv"]),
                          {"unit": str(world.odense.team.uuid), "period": "2025"}).content.decode("utf-8-sig")
    # As shown (rounded the same way), with the Danish decimal mark.
    share, gap = (fmt.plain_number(job[j].export_value(), "da") for j in (1, 4))
    assert f"Jobsøgning;{job[0].display()};{share};" in csv_text and f";{gap};" in csv_text


def test_the_reports_are_listed_and_the_status_page_polls(client, generated):
    world, report, _ = generated
    client.force_login(world.odense.analytiker)
    listing = client.get(reverse("reporting:report_list")).content.decode()
    assert "Ligestilling i jobcentret" in listing and "Hent PDF" in listing
    detail = client.get(reverse("reporting:report_detail", args=[report.uuid])).content.decode()
    assert 'data-status-url="/overblik/rapporter/' in detail and "reporting-progress.js" in detail


def test_a_failed_generation_is_recorded(world, monkeypatch):
    from reporting import pdf, services

    def boom(*args, **kwargs):
        raise RuntimeError("no browser")

    monkeypatch.setattr(pdf, "build_pdf", boom)
    report = services.create_report(
        municipality=world.odense.municipality, unit=None, user=world.odense.analytiker, title="T", committee="U",
        meeting_date=None, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31), sections=["summary"])
    services.start_generation(report)
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and "no browser" in report.error


def test_without_a_browser_the_pdf_has_the_tables_and_says_so(world, monkeypatch, tmp_path):
    from reporting import pdf, services

    def no_browser(figure):
        raise RuntimeError("Chromium missing")

    monkeypatch.setattr(pdf, "figure_svg", no_browser)
    seed_known(world.odense)
    report = services.create_report(
        municipality=world.odense.municipality, unit=world.odense.team, user=world.odense.leder, title="T",
        committee="U", meeting_date=None, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31),
        sections=["logbooks"])
    report = pdf.generate(report.pk)
    assert report.status == Report.Status.DONE
    text = pdftotext(bytes(Report.objects.values_list("pdf", flat=True).get(pk=report.pk)), tmp_path)
    assert "Jobsøgning" in text and "tallene står i tabellerne" in text
