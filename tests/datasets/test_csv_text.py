"""The text of a CSV file: a NUL byte anywhere, a file that mixes UTF-8 and Windows-1252,
and the blank `;;;;` lines Excel writes at the end."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from datasets import importing, services
from datasets.models import DatasetImport, Observation

HEADER = "Område;Køn;År;Antal\n"


def rows(count: int) -> list[str]:
    return [f"Søndersø {i};{'KM'[i % 2]};2014;{i}\n" for i in range(count)]


def upload(client, user, dataset, name: str, data: bytes):
    client.force_login(user)
    return client.post(reverse("datasets:dataset_upload", args=[dataset.uuid]),
                       {"file": SimpleUploadedFile(name, data)})


def test_a_nul_byte_late_in_the_file_is_refused_with_its_line(client, world, dataset, staged_files):
    lines = [HEADER, *rows(20_000)]
    lines[15_000] = "Søndersø;K;2014;1\x00\n"  # far beyond the first block the preview reads
    response = upload(client, world.odense.analytiker, dataset, "nul.csv", "".join(lines).encode())
    assert response.status_code == 200
    assert "Linje 15.001 i filen indeholder et NUL-tegn (byte 0)" in response.content.decode()
    assert not DatasetImport.objects.filter(dataset=dataset).exists() and staged_files() == []


def test_the_command_refuses_a_late_nul_byte_too(world, write):
    lines = [HEADER, *rows(500)]
    lines[400] = "A;K;2014;\x001\n"  # beyond the first 4 kB, where a NUL means: not a text file at all
    with pytest.raises(CommandError, match="Linje 401 i filen indeholder et NUL-tegn"):
        call_command("import_dataset", str(write("nul.csv", "".join(lines))), municipality="odense",
                     dataset="Nul")
    assert not Observation.objects.filter(indicator__dataset__title="Nul").exists()


def test_one_windows_1252_line_in_a_utf8_file_is_named_with_what_to_do(client, world, dataset, staged_files):
    data = (HEADER + "".join(rows(3000))).encode("utf-8")
    pasted = "Ærøskøbing;K;2014;7\n"
    at = data.index("Søndersø 2500;".encode())
    data = data[:at] + pasted.encode("cp1252") + data[at:]
    response = upload(client, world.odense.analytiker, dataset, "blandet.csv", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert ("Filen blander to tegnsæt: linje 1 er UTF-8, men linje 2.502 er ikke" in body
            and "Gem hele filen som UTF-8 (i Excel: “CSV UTF-8”)" in body)
    assert not DatasetImport.objects.filter(dataset=dataset).exists() and staged_files() == []


def test_a_whole_windows_1252_file_is_still_read(dataset, write):
    path = write("excel.csv", HEADER + "".join(rows(10)), encoding="cp1252")
    assert importing.detect_encoding(path) == "cp1252"
    assert importing.detect(path).header == ["Område", "Køn", "År", "Antal"]


def test_a_utf8_file_with_a_bom_is_utf8(write):
    path = write("bom.csv", "\ufeff" + HEADER + "".join(rows(3)))
    assert importing.detect_encoding(path) == "utf-8-sig"


def test_excels_blank_lines_at_the_end_are_skipped(dataset, write):
    text = HEADER + "".join(rows(4)) + ";;;\n;;;\r\n;;\n  ; ;;\n"
    result = services.import_file(dataset=dataset, path=write("excel.csv", text))
    assert result.rows == 4
    assert Observation.objects.filter(indicator__dataset=dataset).count() == 4


def test_blank_lines_are_skipped_through_the_browser(client, world, dataset):
    text = (HEADER + "".join(rows(4)) + ";;;\n;;;\n").encode("cp1252")
    response = upload(client, world.odense.analytiker, dataset, "excel.csv", text)
    assert response.status_code == 302
    response = client.post(response.url, {"kind": "aggregated", "col_0": "area", "col_1": "sex", "col_2": "period",
                                          "col_3": "value", "sex_0": "kvinde", "sex_1": "mand",
                                          "measure": "persons"})
    pending = DatasetImport.objects.get(dataset=dataset)
    assert pending.status == "done" and pending.rows == 4, pending.errors


def test_a_row_with_text_and_too_few_separators_is_still_an_error(dataset, write):
    text = HEADER + "".join(rows(2)) + "Søndersø;K\n"
    with pytest.raises(services.ImportRefused) as info:
        services.import_file(dataset=dataset, path=write("kort.csv", text))
    assert "et andet antal kolonner" in info.value.errors[0]["reason"]
