import subprocess
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import CommandError, call_command

from ligestilling.lib import periods
from reporting.finders import STATIC_PATH, PlotlyFinder, plotly_js_path
from reporting.models import Report
from reporting.testing import seed_known

FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "reporting.finders.PlotlyFinder",
]


def test_the_finder_serves_plotly_from_the_installed_package(settings):
    settings.STATICFILES_FINDERS = FINDERS
    found = finders.find(STATIC_PATH)
    assert found == str(plotly_js_path()) and Path(found).stat().st_size > 1_000_000
    assert finders.find("vendor/other.js") is None
    listed = list(PlotlyFinder().list([]))
    assert [path for path, _ in listed] == [STATIC_PATH]
    storage = listed[0][1]
    with storage.open(STATIC_PATH) as handle:
        assert b"plotly" in handle.read(2000).lower()
    assert not PlotlyFinder().check()
    # Nothing was copied into the repository.
    assert not (Path(__file__).resolve().parents[2] / "static" / "vendor" / "plotly.min.js").exists()


def test_collectstatic_copies_it(settings, tmp_path):
    settings.STATICFILES_FINDERS = ["reporting.finders.PlotlyFinder"]
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / STATIC_PATH).stat().st_size == plotly_js_path().stat().st_size


def test_collectstatic_runs_with_the_production_storage(settings, tmp_path):
    """The storage production uses (hashed names, compressed copies): a raw file from a
    finder once crashed it with DEBUG off, and every page was a 500."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = list((tmp_path / "vendor").glob("plotly.min.*.js"))
    assert len(hashed) == 1 and hashed[0].stat().st_size == plotly_js_path().stat().st_size
    assert (tmp_path / "staticfiles.json").exists()
    assert list((tmp_path / "vendor").glob("plotly.min.*.js.gz"))


def test_periods():
    assert periods.parse_period("2025").label() == "1. januar 2025 – 31. december 2025"
    p = periods.parse_period("2025-02")
    assert (p.date_from.day, p.date_to.day) == (1, 28)
    assert periods.parse_period("2025-01-01:2025-03-31").months == [(2025, 1), (2025, 2), (2025, 3)]
    for bad in ("2025-13", "x", "2025-03-01:2025-01-01"):
        with pytest.raises(ValueError):
            periods.parse_period(bad)


@pytest.mark.django_db
def test_build_report_command(world, tmp_path):
    seed_known(world.odense)
    out = tmp_path / "report.pdf"
    call_command("build_report", municipality="odense", unit="Træning som hjælp", period="2025",
                 output=str(out), sections="logbooks", stdout=open(tmp_path / "log", "w"))
    assert out.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Jobsøgning" in text and "Træning som hjælp" in text
    report = Report.objects.get()
    assert report.status == Report.Status.DONE and report.unit == world.odense.team
    with pytest.raises(CommandError):
        call_command("build_report", municipality="nowhere", output=str(out))
    with pytest.raises(CommandError):
        call_command("build_report", municipality="odense", period="x", output=str(out))


def test_the_plotly_script_tag_degrades_without_the_file(monkeypatch):
    import django.templatetags.static as static_module

    from reporting.templatetags.reporting_tags import plotly_script

    assert plotly_script() == '<script src="/static/vendor/plotly.min.js"></script>'

    def missing(path):
        raise ValueError(f"Missing staticfiles manifest entry for '{path}'")

    monkeypatch.setattr(static_module, "static", missing)
    assert plotly_script() == ""
