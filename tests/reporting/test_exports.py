"""CSV/XLSX exports: suppression intact, formulas neutralised, audited, isolated."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent
from ligestilling.lib import disclosure, exports
from logbooks.models import Entry, EntryTopic
from reporting.testing import seed_known
from tests.tenancy import assert_forbidden, assert_other_municipality_gets_404


@pytest.fixture
def known(world):
    seed_known(world.odense)
    return world


def test_neutralise_only_touches_dangerous_text():
    assert exports.neutralise("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    for text in ("+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert exports.neutralise(text) == "'" + text
    assert exports.neutralise("Jobsøgning") == "Jobsøgning"
    assert exports.neutralise(-39.0) == -39.0 and exports.neutralise(3) == 3


def table_with_hostile_label():
    keyed = [[disclosure.Keyed(10, 0), disclosure.Keyed(3, 0)], [disclosure.Keyed(12, 0), disclosure.Keyed(20, 0)]]
    return disclosure.Table.from_keyed(keyed, row_labels=["=cmd|' /C calc'!A0", "Helbred"],
                                        column_labels=["Kvinder", "Mænd"], threshold=5, title="@Emner",
                                        row_header="Emne")


def test_csv_writer_keeps_suppression_and_neutralises_formulas():
    text = exports.write_csv(table_with_hostile_label()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["'@Emner"]
    assert rows[1] == ["Emne", "Kvinder", "Mænd", "I alt"]
    assert rows[2][0] == "'=cmd|' /C calc'!A0"
    assert rows[2][2] == "<5"
    assert "3" not in [cell for row in rows[2:5] for cell in row]


def test_xlsx_writer_keeps_suppression_and_neutralises_formulas():
    workbook = load_workbook(io.BytesIO(exports.write_xlsx(table_with_hostile_label())))
    sheet = workbook.active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[2][0].startswith("'=") and values[2][2] == "<5"
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    assert 3 not in [v for row in values[2:5] for v in row]


def test_dashboard_csv_export_equals_the_dashboard(client, known):
    # Every record key 0: each cell key is 0, whose noise is −2, so 10 women of 40 are
    # published as 8 of 38 and 24 men of 30 as 22 of 28 (ligestilling.lib.disclosure).
    Entry.objects.update(record_key=0)
    EntryTopic.objects.update(record_key=0)
    client.force_login(known.odense.leder)
    params = {"unit": str(known.odense.team.uuid), "period": "2025"}
    response = client.get(reverse("reporting:export", args=["topics", "csv"]), params)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header = rows[1]
    by_label = {r[0]: dict(zip(header, r, strict=False)) for r in rows[2:] if r and len(r) > 1}
    job = by_label["Jobsøgning"]
    assert job["Kvinder (antal)"] == "8" and job["Mænd (antal)"] == "22"
    assert float(job["Forskel (kvinder − mænd)"]) == round(100 * (8 / 38 - 22 / 28))  # rounded as shown
    assert job["Vurdering"] == "Signifikant forskel"
    economy = by_label["Økonomi"]
    assert economy["Kvinder (antal)"] == "<5" and "3" not in economy.values()
    event = AuditEvent.objects.get(action="reporting.export")
    assert event.detail["section"] == "topics" and event.detail["format"] == "csv"


def test_dashboard_xlsx_export_of_all_tables(client, known):
    # Keys 0 (noise −2): Økonomi's 3 women are "<5" whatever else happens; with other keys a
    # true 3 may be shown as 5 (the noise comes before the threshold).
    Entry.objects.update(record_key=0)
    EntryTopic.objects.update(record_key=0)
    client.force_login(known.odense.analytiker)
    response = client.get(reverse("reporting:export", args=["alle", "xlsx"]), {"period": "2025"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) >= 5
    sheet = next(workbook[name] for name in workbook.sheetnames if name.startswith("Emner"))
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert rows["Økonomi"][1] == "<5"
    assert 3 not in rows["Økonomi"]


def test_unknown_sections_and_formats_are_404(client, known):
    client.force_login(known.odense.leder)
    assert client.get(reverse("reporting:export", args=["nope", "csv"])).status_code == 404
    assert client.get(reverse("reporting:export", args=["topics", "pdf"])).status_code == 404


def test_export_isolation_and_roles(client, known):
    url = reverse("reporting:export", args=["by_sex", "csv"])
    assert_other_municipality_gets_404(client, [known.aarhus.leder, known.aarhus.medarbejder],
                                       reverse("reporting:export", args=["by_sex", "csv"]), "get",
                                       {"unit": str(known.odense.team.uuid)})
    assert_forbidden(client, [known.odense.administrator, known.outsider], url, "get")
