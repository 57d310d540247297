"""The import service: every real-world file variant, all-or-nothing, duplicates, replace."""

import io

import openpyxl
import pytest

from accounts.models import AuditEvent
from datasets import importing, services
from datasets.models import DatasetImport, Indicator, Observation

DANISH_BOM = (
    "\ufeffIndikator;År;Køn;Alder;Antal\n"
    "Modtagere af hjemmepleje;2014;Kvinde;65-74 år;1.234\n"
    "Modtagere af hjemmepleje;2014;Mand;65-74 år;987\n"
    "Gennemsnitlige timer;2014;K;I alt;182,5\n"
    "Gennemsnitlige timer;2014;M;I alt;207,25\n"
)


def values(dataset):
    return {(o.indicator.name, o.sex, o.age_band): o.value
            for o in Observation.objects.filter(indicator__dataset=dataset).select_related("indicator")}


def test_utf8_bom_semicolon_decimal_comma_danish_headers(dataset, write):
    result = services.import_file(dataset=dataset, path=write("a.csv", DANISH_BOM))
    assert result.rows == 4 and result.observations == 4
    v = values(dataset)
    assert v[("Modtagere af hjemmepleje", "kvinde", "65-74")] == 1234
    assert v[("Gennemsnitlige timer", "mand", "")] == 207.25
    assert v[("Gennemsnitlige timer", "kvinde", "")] == 182.5
    assert AuditEvent.objects.filter(action="dataset.import", object_id=str(dataset.uuid)).exists()
    assert DatasetImport.objects.get(dataset=dataset).status == "done"


def test_windows_1252_excel_csv_with_dst_sex_codes_and_shares(dataset, write):
    text = ("Område;Periode;Køn;Tæller;Nævner\r\n"
            "Søndersø;2014K1;2;64;200\r\n"
            "Søndersø;2014K1;1;71;100\r\n"
            "Ærø-vej;2014K1;2;10;20\r\n")
    path = write("excel.csv", text, encoding="cp1252")
    assert importing.detect_encoding(path) == "cp1252"
    services.import_file(dataset=dataset, path=path)
    rows = list(Observation.objects.filter(indicator__dataset=dataset).order_by("area", "sex")
                .values_list("area", "period", "sex", "numerator", "denominator"))
    assert rows == [("Søndersø", "2014K1", "kvinde", 64, 200), ("Søndersø", "2014K1", "mand", 71, 100),
                    ("Ærø-vej", "2014K1", "kvinde", 10, 20)]
    assert Indicator.objects.get(dataset=dataset).measure == "share"


def test_english_headers_comma_separated(dataset, write):
    text = 'indicator,year,sex,age,count\n"GP contacts",2013,female,16-24,"8,9"\nGP contacts,2013,male,16-24,5.9\n'
    services.import_file(dataset=dataset, path=write("en.csv", text))
    v = values(dataset)
    assert v[("GP contacts", "kvinde", "16-24")] == 8.9
    assert v[("GP contacts", "mand", "16-24")] == 5.9


def make_xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_xlsx(dataset, write):
    data = make_xlsx([["Køn", "År", "Uddannelse", "Civilstand", "Antal"],
                      ["Kvinde", 2014, "Grundskole", "Gift", 12],
                      ["Mand", 2014, "Erhvervsfaglige uddannelser", "Ugift", 7.5]])
    services.import_file(dataset=dataset, path=write("a.xlsx", data))
    rows = set(Observation.objects.filter(indicator__dataset=dataset)
               .values_list("sex", "period", "education", "civil_status", "value"))
    assert rows == {("kvinde", "2014", "grundskole", "gift", 12.0), ("mand", "2014", "erhvervsfaglig", "ugift", 7.5)}


def test_one_bad_row_stores_nothing_and_reports_row_column_value_reason(dataset, write):
    text = DANISH_BOM + "Modtagere af hjemmepleje;2014;Q;65-74;12\nGennemsnitlige timer;2014;K;16-24;mange\n"
    with pytest.raises(services.ImportRefused) as info:
        services.import_file(dataset=dataset, path=write("bad.csv", text))
    errors = info.value.errors
    assert info.value.total == 2
    assert errors[0] == {"row": 6, "column": "Køn", "value": "Q", "reason": errors[0]["reason"]}
    assert "køn" in errors[0]["reason"].lower()
    assert errors[1]["row"] == 7 and errors[1]["column"] == "Antal" and errors[1]["value"] == "mange"
    assert errors[1]["reason"] == "Ikke et tal."
    assert not Observation.objects.filter(indicator__dataset=dataset).exists() and not Indicator.objects.filter(dataset=dataset).exists()
    assert not DatasetImport.objects.filter(dataset=dataset, status="done").exists()


def test_error_report_lists_first_100_and_the_total(dataset, write):
    text = "Køn;Område;Antal\n" + "".join(f"K;a{i};x{i}\n" for i in range(250))
    with pytest.raises(services.ImportRefused) as info:
        services.import_file(dataset=dataset, path=write("many.csv", text))
    assert info.value.total == 250 and len(info.value.errors) == 100
    assert info.value.errors[0]["row"] == 2 and "250" in info.value.message


def test_duplicate_rows_in_the_file_are_refused(dataset, write):
    text = "Køn;År;Antal\nK;2014;1\nM;2014;2\nK;2014;3\n"
    with pytest.raises(services.ImportRefused) as info:
        services.import_file(dataset=dataset, path=write("dup.csv", text))
    assert info.value.errors[0]["row"] == 4
    assert not Observation.objects.filter(indicator__dataset=dataset).exists()


def test_reimporting_the_same_file_is_refused(dataset, write):
    path = write("a.csv", DANISH_BOM)
    services.import_file(dataset=dataset, path=path)
    with pytest.raises(services.ImportRefused, match="allerede"):
        services.import_file(dataset=dataset, path=path)
    assert Observation.objects.filter(indicator__dataset=dataset).count() == 4


def test_replace_swaps_the_data(dataset, write):
    services.import_file(dataset=dataset, path=write("a.csv", DANISH_BOM))
    services.import_file(dataset=dataset, path=write("b.csv", "Køn;År;Antal\nK;2015;5\nM;2015;6\n"), replace=True)
    assert set(Observation.objects.filter(indicator__dataset=dataset).values_list("period", "sex", "value")) == {
        ("2015", "kvinde", 5.0), ("2015", "mand", 6.0)}
    assert AuditEvent.objects.filter(action="dataset.replace").exists()
    # The first file may come back with replace (its earlier import is marked replaced).
    services.import_file(dataset=dataset, path=write("a.csv", DANISH_BOM), replace=True)
    assert Observation.objects.filter(indicator__dataset=dataset).count() == 4


def test_a_failed_replace_keeps_the_old_data(dataset, write):
    services.import_file(dataset=dataset, path=write("a.csv", DANISH_BOM))
    with pytest.raises(services.ImportRefused):
        services.import_file(dataset=dataset, path=write("b.csv", "Køn;År;Antal\nK;2015;x\n"), replace=True)
    assert Observation.objects.filter(indicator__dataset=dataset).count() == 4


def test_origin_needs_permission(dataset, write):
    text = "Køn;År;Herkomst;Antal\nK;2014;Indvandrere;5\nM;2014;Personer af dansk oprindelse;7\n"
    with pytest.raises(services.ImportRefused, match="analytiker"):
        services.import_file(dataset=dataset, path=write("o.csv", text), allow_origin=False)
    services.import_file(dataset=dataset, path=write("o.csv", text), allow_origin=True)
    dataset.refresh_from_db()
    assert dataset.contains_origin
    assert set(Observation.objects.filter(indicator__dataset=dataset).values_list("origin", flat=True)) == {"indvandrer", "dansk"}


def test_reference_datasets_cannot_be_written(db, write):
    from django.core.exceptions import PermissionDenied

    from datasets.models import Dataset

    reference = Dataset.objects.get(municipality=None)
    with pytest.raises(PermissionDenied):
        services.import_file(dataset=reference, path=write("a.csv", DANISH_BOM))


@pytest.mark.parametrize("raw, expected", [
    ("K", "kvinde"), ("Kvinder", "kvinde"), ("female", "kvinde"), ("F", "kvinde"), ("2", "kvinde"),
    ("M", "mand"), ("Mænd", "mand"), ("male", "mand"), ("1", "mand"), ("I alt", "i_alt"), ("Total", "i_alt"),
])
def test_sex_codes(raw, expected):
    assert importing.sex_code(raw) == expected


def test_a_second_file_that_overlaps_the_data_is_refused_whole(dataset, write):
    services.import_file(dataset=dataset, path=write("a.csv", "Køn;År;Antal\nK;2014;1\n"))
    with pytest.raises(services.ImportRefused, match="strider mod data"):
        services.import_file(dataset=dataset, path=write("b.csv", "Køn;År;Antal\nM;2015;2\nK;2014;5\n"))
    assert list(Observation.objects.filter(indicator__dataset=dataset).values_list("value", flat=True)) == [1.0]


def test_deleting_a_dataset_deletes_its_observations(dataset, write):
    services.import_file(dataset=dataset, path=write("a.csv", DANISH_BOM))
    indicator_ids = list(dataset.indicators.values_list("id", flat=True))
    services.delete_dataset(dataset=dataset)
    assert not Observation.objects.filter(indicator_id__in=indicator_ids).exists()


def test_xlsx_errors_name_the_spreadsheet_row_even_after_empty_rows(dataset, write):
    data = make_xlsx([["Køn", "Antal"], ["K", 1], [None, None], ["M", "mange"]])
    with pytest.raises(services.ImportRefused) as info:
        services.import_file(dataset=dataset, path=write("gap.xlsx", data))
    assert [(e["row"], e["column"], e["value"]) for e in info.value.errors] == [(4, "Antal", "mange")]
