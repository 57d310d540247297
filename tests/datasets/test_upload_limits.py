"""Resource limits on every upload: a wide or huge file is refused before any mapping page
is built, with a message naming the limit and the file's value, and leaves nothing behind
(no staged file, no import row). The same limits hold for `manage.py import_dataset`."""

import io
import itertools
import os
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from datasets import importing, services
from datasets.models import DatasetImport, Observation

from .test_hostile_files import xlsx_bytes as xlsx


def upload(client, user, dataset, name: str, data: bytes):
    client.force_login(user)
    return client.post(reverse("datasets:dataset_upload", args=[dataset.uuid]),
                       {"file": SimpleUploadedFile(name, data)})


def assert_refused_before_mapping(response, dataset, staged_files, *fragments):
    """The upload page again (no redirect to a mapping page), the reason shown, nothing kept."""
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    for fragment in fragments:
        assert fragment in body, fragment
    assert not DatasetImport.objects.filter(dataset=dataset).exists()
    assert staged_files() == []
    assert not Observation.objects.filter(indicator__dataset=dataset).exists()


def wide_csv(columns: int = 100_000) -> bytes:
    """The probe's file: 100,000 columns in under a megabyte."""
    header = ";".join(f"k{i}" for i in range(columns))
    return (header + "\n" + ";".join("1" * 1 for _ in range(columns)) + "\n").encode()


def zip_bomb_xlsx(shared_strings_bytes: int) -> bytes:
    """Like the probe's file: a small workbook whose shared strings unpack to
    `shared_strings_bytes`, compressed about 19:1 (below the ratio limit, as real text is)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
        with zf.open("xl/sharedStrings.xml", "w") as f:
            repeated = b"<si><t>Kvinder 65-74 aar</t></si>" * 2700  # ~90 kB that compress to nothing
            written = 0
            while written < shared_strings_bytes:  # never parsed: the size is exact, the XML need not be
                block = b"<si><t>" + os.urandom(2500).hex().encode() + b"</t></si>" + repeated
                block = block[:shared_strings_bytes - written]
                f.write(block)
                written += len(block)
    return out.getvalue()


@pytest.fixture
def opened(monkeypatch):
    """Every call of openpyxl.load_workbook (none may happen for a refused zip)."""
    calls = []
    real = openpyxl.load_workbook

    def spy(*args, **kwargs):
        calls.append("called")
        try:
            return real(*args, **kwargs)
        except Exception as exc:
            calls.append(type(exc).__name__)
            raise

    monkeypatch.setattr(openpyxl, "load_workbook", spy)
    return calls


def test_a_csv_with_100000_columns_is_refused_before_the_mapping_page(client, world, dataset, staged_files):
    data = wide_csv()
    assert len(data) < 1024 * 1024
    response = upload(client, world.odense.analytiker, dataset, "wide.csv", data)
    assert_refused_before_mapping(response, dataset, staged_files, "Filen har 100.000 kolonner; grænsen er 200.")


def test_the_command_refuses_the_wide_csv_too(world, write):
    path = write("wide.csv", wide_csv())
    with pytest.raises(CommandError, match="Filen har 100.000 kolonner; grænsen er 200"):
        call_command("import_dataset", str(path), municipality="odense", dataset="Bred")
    assert not Observation.objects.filter(indicator__dataset__title="Bred").exists()


def test_an_xlsx_whose_shared_strings_unpack_too_far_is_refused_from_the_zip_directory(
        client, world, dataset, staged_files, opened):
    data = zip_bomb_xlsx(30 * 1024 * 1024)  # 30 MB of shared strings in a small file
    assert len(data) < 3 * 1024 * 1024
    response = upload(client, world.odense.analytiker, dataset, "bombe.xlsx", data)
    assert_refused_before_mapping(response, dataset, staged_files, "xl/sharedStrings.xml",
                                  "ville fylde 30,0 MB udpakket; grænsen er 20,0 MB")
    assert opened == []  # openpyxl never saw the file


def test_the_zip_checks_name_the_limit_and_the_value(write, settings, opened):
    settings.DATASETS_XLSX_MAX_SHARED_STRINGS = 100 * 1024 * 1024
    settings.DATASETS_XLSX_MAX_PART = 5 * 1024 * 1024
    path = write("part.xlsx", zip_bomb_xlsx(6 * 1024 * 1024))
    with pytest.raises(importing.FileRefused, match=r"\(xl/sharedStrings.xml\) ville fylde 6,0 MB .* grænsen er 5,0 MB"):
        importing.detect(path)
    settings.DATASETS_XLSX_MAX_PART = 250 * 1024 * 1024
    settings.DATASETS_XLSX_MAX_RATIO = 10
    with pytest.raises(importing.FileRefused, match=r"zip-bombe”: \d+ til 1, grænsen er 10 til 1"):
        importing.detect(path)
    settings.DATASETS_XLSX_MAX_RATIO = 2000
    settings.DATASETS_XLSX_MAX_UNCOMPRESSED = 5 * 1024 * 1024
    with pytest.raises(importing.FileRefused, match="6,0 MB udpakket, over grænsen på 5,0 MB"):
        importing.detect(path)
    settings.DATASETS_XLSX_MAX_ENTRIES = 3
    with pytest.raises(importing.FileRefused, match=r"for mange dele \(4; grænsen er 3\)"):
        importing.detect(path)
    assert opened == []


def test_the_command_refuses_the_zip_bomb_too(world, write, opened):
    path = write("bombe.xlsx", zip_bomb_xlsx(30 * 1024 * 1024))
    with pytest.raises(CommandError, match="grænsen er 20,0 MB"):
        call_command("import_dataset", str(path), municipality="odense", dataset="Bombe")
    assert opened == [] and not Observation.objects.filter(indicator__dataset__title="Bombe").exists()


def test_a_10_mb_single_line_csv_is_refused_and_leaves_no_file(client, world, dataset, staged_files):
    data = b"K" * (10 * 1024 * 1024)
    response = upload(client, world.odense.analytiker, dataset, "linje.csv", data)
    assert_refused_before_mapping(response, dataset, staged_files,
                                  "Linje 1 i filen er 10.485.760 byte lang; grænsen er 65.536 byte pr. linje")


def test_a_long_line_further_down_is_named(write):
    text = "Køn;Antal\nK;1\nM;" + "9" * 70_000 + "\nK;3\n"
    with pytest.raises(importing.FileRefused, match="Linje 3 i filen er 70.002 byte lang"):
        importing.detect(write("lang.csv", text))


def test_a_long_column_name_is_refused(client, world, dataset, staged_files):
    data = ("Køn;" + "x" * 300 + "\nK;1\n").encode()
    response = upload(client, world.odense.analytiker, dataset, "navn.csv", data)
    assert_refused_before_mapping(response, dataset, staged_files,
                                  "Navnet på kolonne 2 i første række er 300 tegn langt; grænsen er 200.")


def test_a_long_column_name_in_an_xlsx_is_refused(write):
    with pytest.raises(importing.FileRefused, match="kolonne 2 i første række er 250 tegn langt"):
        importing.detect(write("navn.xlsx", xlsx([["Køn", "y" * 250], ["K", 1]])))


def test_too_many_cells_are_refused_before_reading_rows(client, world, dataset, staged_files, settings):
    settings.DATASETS_MAX_CELLS = 1000
    data = ("Køn;År;Antal\n" + "K;2014;1\n" * 400).encode()
    response = upload(client, world.odense.analytiker, dataset, "mange.csv", data)
    assert_refused_before_mapping(response, dataset, staged_files,
                                  "Filen har 400 rækker med 3 kolonner, 1.200 celler; grænsen er 1.000 celler.")


def test_too_many_cells_in_an_xlsx_are_refused_from_its_dimension(write, settings):
    settings.DATASETS_MAX_CELLS = 1000
    with pytest.raises(importing.FileRefused, match="400 rækker med 3 kolonner"):
        importing.detect(write("mange.xlsx", xlsx([["Køn", "År", "Antal"]] + [["K", 2014, 1]] * 400)))


def test_an_xlsx_without_a_dimension_has_its_rows_counted(write, settings):
    """Not every program writes the sheet's dimension; then its rows are counted in the stream."""
    settings.DATASETS_MAX_CELLS = 1000
    original = io.BytesIO(xlsx([["Køn", "År", "Antal"]] + [["K", 2014, 1]] * 400))
    out = io.BytesIO()
    with zipfile.ZipFile(original) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<dimension [^>]*/>", b"", data)
                assert b"<dimension" not in data
            dst.writestr(item, data)
    with pytest.raises(importing.FileRefused, match="400 rækker med 3 kolonner"):
        importing.detect(write("uden.xlsx", out.getvalue()))
    settings.DATASETS_MAX_CELLS = 2000
    assert importing.detect(write("uden.xlsx", out.getvalue())).header == ["Køn", "År", "Antal"]


def test_a_wide_xlsx_is_refused(write):
    with pytest.raises(importing.FileRefused, match="Filen har 300 kolonner; grænsen er 200"):
        importing.detect(write("bred.xlsx", xlsx([[f"k{i}" for i in range(300)], [1] * 300])))


@pytest.fixture
def slow_clock(monkeypatch):
    """A clock for the reading code that moves a second on every look."""
    ticks = itertools.count()
    monkeypatch.setattr(importing, "_clock", lambda: float(next(ticks)))


def test_the_request_stops_reading_when_its_time_budget_is_spent(client, world, dataset, staged_files, settings,
                                                                 slow_clock):
    settings.DATASETS_PREVIEW_SECONDS = 3
    data = ("Køn;Antal\n" + "K;1\n" * 600_000).encode()  # a few blocks of 1 MB
    response = upload(client, world.odense.analytiker, dataset, "stor.csv", data)
    assert_refused_before_mapping(response, dataset, staged_files,
                                  "Det tog mere end grænsen på 3 sekunder at læse filen")


def test_the_time_budget_also_stops_openpyxl_while_it_parses(client, world, dataset, staged_files, settings,
                                                             slow_clock, opened):
    settings.DATASETS_PREVIEW_SECONDS = 20
    data = xlsx([["Køn", "Note"]] + [["K", f"tekst nummer {i}"] for i in range(30_000)])
    response = upload(client, world.odense.analytiker, dataset, "stor.xlsx", data)
    assert_refused_before_mapping(response, dataset, staged_files, "grænsen på 20 sekunder")
    assert opened == ["called", "TooSlow"]  # stopped inside openpyxl's parsing, by its reads of the archive


def test_the_worker_and_the_command_have_no_time_budget(dataset, write, settings, slow_clock):
    settings.DATASETS_PREVIEW_SECONDS = 1
    path = write("ok.csv", "Køn;Antal\n" + "K;1\nM;2\n")
    result = services.import_file(dataset=dataset, path=path)
    assert result.rows == 2


def test_the_mapping_page_does_not_read_the_file_again(client, world, dataset, monkeypatch):
    response = upload(client, world.odense.analytiker, dataset, "ok.csv", "Køn;Antal\nK;4\nM;5\n".encode())
    assert response.status_code == 302
    pending = DatasetImport.objects.get(dataset=dataset)
    assert pending.detection["header"] == ["Køn", "Antal"]

    def no_reading(*args, **kwargs):
        raise AssertionError("the mapping page read the file again")

    with monkeypatch.context() as patch:
        patch.setattr(importing, "open_table", no_reading)
        page = client.get(response.url)
        assert page.status_code == 200 and "Antal" in page.content.decode()
    response = client.post(response.url, {"kind": "aggregated", "col_0": "sex", "col_1": "value", "sex_0": "kvinde",
                                          "sex_1": "mand", "measure": "persons"})
    pending.refresh_from_db()
    assert pending.status == "done"
    assert pending.detection == {} and not pending.staged_path  # the preview goes with the file


def test_a_file_that_breaks_a_reader_is_refused_and_leaves_nothing(client, world, dataset, staged_files,
                                                                   monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("something no one foresaw")

    monkeypatch.setattr(importing, "detect", broken)
    response = upload(client, world.odense.analytiker, dataset, "ok.csv", "Køn;Antal\nK;4\n".encode())
    assert_refused_before_mapping(response, dataset, staged_files, "Filen kunne ikke læses")
