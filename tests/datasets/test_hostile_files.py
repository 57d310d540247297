"""Hostile and broken files: refused with a clear message, nothing stored, nothing run."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from datasets import importing, services
from datasets.models import DatasetImport, Observation
from ligestilling.lib import privacy


def xlsx_bytes(rows) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_oversized_file_is_refused(dataset, write, settings):
    settings.UPLOAD_MAX_BYTES = 100
    path = write("big.csv", "Køn;Antal\n" + "K;1\n" * 50)
    with pytest.raises(importing.FileRefused, match="grænsen er 0,0 MB"):
        services.import_file(dataset=dataset, path=path)


def test_oversized_upload_is_refused_in_the_browser(client, world, dataset, settings, staged_files):
    settings.UPLOAD_MAX_BYTES = 1000
    client.force_login(world.odense.analytiker)
    file = SimpleUploadedFile("big.csv", b"K;1\n" * 1000)
    response = client.post(reverse("datasets:dataset_upload", args=[dataset.uuid]), {"file": file})
    assert response.status_code == 200 and "grænsen er" in response.content.decode()
    assert not DatasetImport.objects.exists()
    assert staged_files() == []


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))  # 60 MB of zeros -> ~60 kB
    return out.getvalue()


def test_zip_bomb_is_refused_before_unpacking(dataset, write, monkeypatch):
    data = zip_bomb()
    assert len(data) < 200_000
    opened = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: opened.append(1))
    with pytest.raises(importing.FileRefused, match="zip-bombe"):
        services.import_file(dataset=dataset, path=write("bomb.xlsx", data))
    assert not opened  # openpyxl never saw the file


def test_too_many_entries_are_refused(dataset, write, settings):
    settings.DATASETS_XLSX_MAX_ENTRIES = 5
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for i in range(10):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", "<x/>")
    with pytest.raises(importing.FileRefused, match="for mange dele"):
        services.import_file(dataset=dataset, path=write("many.xlsx", out.getvalue()))


def billion_laughs() -> bytes:
    """A valid workbook whose shared strings declare nested entities."""
    data = xlsx_bytes([["Køn", "Antal"], ["K", 1]])
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    entities = '<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)) + "]>"
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                if text.startswith("<?xml"):
                    head, sep, rest = text.partition("?>")
                    text = head + sep + entities + rest
                else:
                    text = entities + text
                assert "<v>1</v>" in text
                content = text.replace("<v>1</v>", "<v>&lol9;</v>").encode()
            zf.writestr(item, content)
    return out.getvalue()


def test_billion_laughs_is_refused(dataset, write):
    import defusedxml.ElementTree

    # openpyxl parses with defusedxml, which forbids entity declarations outright.
    from openpyxl import DEFUSEDXML

    assert DEFUSEDXML is True
    sheet = zipfile.ZipFile(io.BytesIO(billion_laughs())).read("xl/worksheets/sheet1.xml")
    with pytest.raises(defusedxml.EntitiesForbidden):
        defusedxml.ElementTree.fromstring(sheet)
    with pytest.raises(importing.FileRefused, match="Excel-fil"):
        services.import_file(dataset=dataset, path=write("lol.xlsx", billion_laughs()))
    assert not Observation.objects.filter(indicator__dataset=dataset).exists()


def test_formulas_are_not_run(dataset, write):
    # A formula cell has no cached value (never calculated): read as empty, so refused;
    # openpyxl never evaluates formulas.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Indikator", "Køn", "Antal"])
    ws.append(["Test", "K", "=1+1"])
    ws.append(["Test", "M", "=WEBSERVICE(\"http://evil\")"])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(services.ImportRefused) as info:
        services.import_file(dataset=dataset, path=write("f.xlsx", out.getvalue()))
    assert {e["reason"] for e in info.value.errors} == {"Tallet mangler."}
    assert not Observation.objects.filter(indicator__dataset=dataset).exists()


# The last three were let through by the importer's own detector before issue 14 made the
# privacy guard's the only one (en dash, fullwidth digits, a dot).
@pytest.mark.parametrize("cpr", ["010203-1234", "0102031234", "311299 1234", "010203\u20131234",
                                 "\uff10\uff11\uff10\uff12\uff10\uff13-\uff11\uff12\uff13\uff14", "010203.1234"])
def test_cpr_numbers_refuse_the_whole_file_without_echoing_them(dataset, write, cpr):
    text = f"Løbenr;Køn;Alder;Selvhjulpen\n1;K;65-74;ja\n2;M;65-74;nej\n{cpr};M;75-84;ja\n"
    with pytest.raises(services.ImportRefused) as info:
        services.import_file(dataset=dataset, path=write("cpr.csv", text))
    error = info.value.errors[0]
    assert (error["row"], error["column"]) == (4, "Løbenr")
    assert "CPR" in error["reason"]
    assert cpr not in str(info.value.errors) and cpr[:6] not in str(info.value.errors)
    assert error["value"] == privacy.MASKS["cpr"]
    assert not Observation.objects.filter(indicator__dataset=dataset).exists()


def test_cpr_in_an_ignored_column_of_an_xlsx_is_refused_too(dataset, write):
    data = xlsx_bytes([["Køn", "Antal", "Note"], ["K", 4, "ok"], ["M", 5, "borger 120345-6789"]])
    with pytest.raises(services.ImportRefused) as info:
        services.import_file(dataset=dataset, path=write("cpr.xlsx", data))
    assert info.value.errors[0]["row"] == 3 and info.value.errors[0]["column"] == "Note"
    assert "120345" not in str(info.value.errors)


def test_ten_digit_numbers_that_are_no_date_are_allowed(dataset, write):
    services.import_file(dataset=dataset, path=write("ok.csv", "Køn;Antal;Note\nK;4;9913001234\nM;5;x\n"))
    assert Observation.objects.filter(indicator__dataset=dataset).count() == 2


def test_not_a_table(dataset, write):
    with pytest.raises(importing.FileRefused):
        services.import_file(dataset=dataset, path=write("x.csv", b"\x00\x01\x02" * 100))
    with pytest.raises(importing.FileRefused):
        services.import_file(dataset=dataset, path=write("x.xlsx", b"PK\x03\x04garbage"))


def test_cpr_upload_in_the_browser_is_refused_at_the_mapping_step_without_keeping_the_file(client, world, dataset,
                                                                                           staged_files):
    client.force_login(world.odense.analytiker)
    file = SimpleUploadedFile("cpr.csv", "Cpr;Køn;Antal\n010203-1234;K;1\n".encode())
    response = client.post(reverse("datasets:dataset_upload", args=[dataset.uuid]), {"file": file})
    page = client.get(response.url)
    assert "010203" not in page.content.decode() and privacy.MASKS["cpr"] in page.content.decode()
    pending = DatasetImport.objects.get(dataset=dataset)
    response = client.post(response.url, {"kind": "aggregated", "col_0": "ignore", "col_1": "sex", "col_2": "value",
                                          "sex_0": "kvinde", "measure": "persons"}, follow=True)
    body = response.content.decode()
    assert "ligner et CPR-nummer" in body and "010203" not in body
    assert not Observation.objects.filter(indicator__dataset=dataset).exists()
    pending.refresh_from_db()
    assert pending.status == "failed" and not pending.staged_path
    assert staged_files() == []


def test_abandoned_uploads_are_deleted_after_a_day(dataset, time_machine, staging, staged_files):
    import datetime

    pending = services.stage_upload(dataset=dataset, upload=io.BytesIO(b"K\xf8n;Antal\nK;1\n"))
    assert staging.exists(pending.staged_path) and staged_files() == [pending.staged_path]
    time_machine.move_to(datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=25))
    assert services.discard_stale_uploads() == 1
    pending.refresh_from_db()
    assert not pending.staged_path and staged_files() == []


def test_an_error_report_never_echoes_an_identifier_in_any_error(dataset, write):
    """Issue 14: not only the CPR check masks; every error shows the cell without identifiers."""
    text = "Køn;År;Antal\nK;2014;navn@kommune.dk\nM;2014;x\n"
    with pytest.raises(services.ImportRefused) as info:
        services.import_file(dataset=dataset, path=write("mail.csv", text))
    values = [e["value"] for e in info.value.errors]
    assert "navn@kommune.dk" not in str(info.value.errors) and privacy.MASKS["email"] in values
    assert "x" in values  # an ordinary wrong value is still shown, so the uploader can fix it
