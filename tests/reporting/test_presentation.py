"""One presentation path: the language of the interface, the municipality's own threshold,
file names and periods in every output, verdicts counted by code."""

import csv
import datetime as dt
import io
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import translation

from reporting import documents, pdf, selectors
from reporting.models import Report
from reporting.testing import seed_known


@pytest.fixture
def known(world):
    seed_known(world.odense)
    return world


def params(world):
    return {"unit": str(world.odense.team.uuid), "period": "2025"}


def test_the_english_dashboard_and_export_show_no_danish(client, known):
    client.force_login(known.odense.leder)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("reporting:dashboard"), params(known)).content.decode()
    assert "percentage points" in html and "(hidden)" in html  # the by-sex total is hidden (3 'andet')
    for danish in ("procentpoint", "(skjult)", " pct.", "Signifikant forskel", "1. januar 2025"):
        assert danish not in html, danish
    assert "Jan. 1, 2025 – Dec. 31, 2025" in html  # the header states the period's dates

    response = client.get(reverse("reporting:export", args=["topics", "csv"]), params(known))
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1][:2] == ["Item", "Women (count)"]
    job = next(r for r in rows if r and r[0] == "Jobsøgning")
    assert re.fullmatch(r"0\.\d\d", job[2]) and "Significant difference" in job  # a share, decimal point
    assert ["Period: Jan. 1, 2025 – Dec. 31, 2025"] in rows
    for danish in ("procentpoint", "(skjult)", "Kilde", "nedre", "Signifikant"):
        assert danish not in text, danish


def test_the_danish_export_has_decimal_commas_the_period_and_a_file_name_with_danish_letters(client, known):
    client.force_login(known.odense.leder)
    response = client.get(reverse("reporting:export", args=["topics", "csv"]), params(known))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    job = next(r for r in rows if r and r[0] == "Jobsøgning")
    assert re.fullmatch(r"0,\d\d", job[2]) and not any(re.fullmatch(r"\d+\.\d+", v) for v in job)
    assert ["Periode: 1. januar 2025 – 31. december 2025"] in rows
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")  # RFC 5987
    assert unquote(disposition.split("''", 1)[1]) == (
        "ligestilling-Emner i samtalen, fordelt på borgerens køn-2025-01-01-2025-12-31.csv")


def test_every_text_uses_the_municipalitys_own_threshold(client, known):
    municipality = known.odense.municipality
    municipality.suppression_threshold = 10
    municipality.save(update_fields=["suppression_threshold"])
    client.force_login(known.odense.leder)
    html = client.get(reverse("reporting:dashboard"), params(known)).content.decode()
    assert "færre end 10 personer" in html and "fem" not in html
    assert "„&lt;10“" in html or "„<10“" in html

    report = Report(municipality=municipality, unit=known.odense.team, title="Ligestilling", committee="Udvalget",
                    date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31),
                    sections=[Report.Section.SUMMARY, Report.Section.LOGBOOKS])
    with translation.override("da"):
        cover = pdf.render_html(documents.build_document(report))
    assert "Antal med færre end 10 personer vises som „<10“" in cover  # the cover
    assert "&lt;10: færre end 10 personer" in cover  # the tables' footnotes
    assert "færre end fem" not in cover and "&lt;5" not in cover


def test_the_summary_counts_verdict_codes_not_translated_text(known):
    """A dashboard built in English (as cached for an English user) summarised in Danish:
    matching the Danish label against English text would find no significant row."""
    report = Report(municipality=known.odense.municipality, unit=known.odense.team, title="x", committee="y",
                    date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31),
                    sections=[Report.Section.SUMMARY])
    subject = documents.subject_for(report)
    with translation.override("en"):
        board = selectors.build_dashboard(subject)
    with translation.override("da"):
        facts = dict(documents._facts(board))
        danish = dict(documents._facts(selectors.build_dashboard(subject)))
    significant = "Heraf signifikante på 5-procentniveau"
    assert int(facts[significant]) >= 1 and facts == danish


def test_the_english_logbook_analysis_shows_no_danish_markers_or_units(client, known):
    client.force_login(known.odense.leder)
    query = {"unit": str(known.odense.team.uuid), "date_from": "2025-01-01", "date_to": "2025-12-31"}
    danish = client.get(reverse("logbooks:analysis"), query).content.decode()
    assert "(skjult)" in danish and "procentpoint" in danish and "Signifikant forskel" in danish
    client.cookies["django_language"] = "en"
    english = client.get(reverse("logbooks:analysis"), query).content.decode()
    assert "(hidden)" in english and "percentage points" in english and "Significant difference" in english
    for word in ("(skjult)", "procentpoint", " pct.", "Signifikant"):
        assert word not in english, word
