"""The dataset pages: list, create, detail, upload → mapping → import, status, export, delete."""

import csv
import io
import tempfile
from pathlib import Path

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from datasets import demo, selectors, services
from datasets.models import Dataset, DatasetImport, Indicator, Observation
from ligestilling.lib import disclosure as dc
from ligestilling.lib import formatting as fmt
from tests.tenancy import assert_forbidden, assert_other_municipality_gets_404

SHARE_CSV = "Indikator;År;Køn;Tæller;Nævner\nSelvhjulpen;2014;K;64;200\nSelvhjulpen;2014;M;71;100\n"


def import_text(dataset, text, name="data.csv", **kwargs):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(text, encoding="utf-8")
        return services.import_file(dataset=dataset, path=path, **kwargs)


def shown(dataset, count, sex, *, dimension="", category="", period="2014", threshold=5):
    """The number the page shows for a true count in that cell: protected by the cell-key
    method, its key hashed from the cell's identity (a dataset's uuid is new in every test)."""
    key = selectors.cell_key(dataset.uuid, dimension, category, period, sex, count)
    return dc.protect(dc.Keyed(count, key), threshold)


def shown_share(dataset, yes, n, sex, **where):
    """The share as the page shows it: the shown count over the shown base."""
    part, base = shown(dataset, yes, sex, **where), shown(dataset, n, sex, **where)
    return fmt.fmt_pct(min(part, base) / base)


def odense_dataset(world):
    dataset = services.create_dataset(municipality=world.odense.municipality, title=demo.ODENSE_TITLE)
    import_text(dataset, demo.odense_csv(), "odense.csv")
    return dataset


def upload(client, dataset, text, name="fil.csv"):
    file = SimpleUploadedFile(name, text.encode("utf-8") if isinstance(text, str) else text)
    return client.post(reverse("datasets:dataset_upload", args=[dataset.uuid]), {"file": file})


# --- isolation and roles ------------------------------------------------------------


def test_every_view_is_404_for_another_municipality(client, world, dataset):
    import_text(dataset, SHARE_CSV)
    indicator = Indicator.objects.get(dataset=dataset)
    pending = DatasetImport.objects.get(dataset=dataset)
    others = [world.aarhus.leder, world.aarhus.analytiker, world.aarhus.medarbejder]
    d, p = dataset.uuid, pending.uuid
    assert_other_municipality_gets_404(client, others, reverse("datasets:dataset_detail", args=[d]))
    assert_other_municipality_gets_404(client, others, reverse("datasets:dataset_delete", args=[d]), "post")
    assert_other_municipality_gets_404(client, others, reverse("datasets:dataset_upload", args=[d]))
    assert_other_municipality_gets_404(client, others, reverse("datasets:import_mapping", args=[d, p]))
    assert_other_municipality_gets_404(client, others, reverse("datasets:import_status", args=[d, p]))
    assert_other_municipality_gets_404(client, others, reverse("datasets:import_progress", args=[d, p]))
    assert_other_municipality_gets_404(client, others,
                                       reverse("datasets:indicator_export", args=[d, indicator.uuid, "csv"]))
    assert_other_municipality_gets_404(client, others, reverse("datasets:indicator_edit", args=[d, indicator.uuid]),
                                       "post", {"name": "Overtaget", "measure": "share", "better": "none"})
    assert Indicator.objects.get(pk=indicator.pk).name == "Selvhjulpen"
    # List and create take an optional unit; another municipality's unit does not exist.
    unit = world.odense.team.uuid
    assert_other_municipality_gets_404(client, [world.aarhus.leder, world.aarhus.analytiker],
                                       reverse("datasets:dataset_list") + f"?unit={unit}")
    assert_other_municipality_gets_404(client, [world.aarhus.leder, world.aarhus.analytiker],
                                       reverse("datasets:dataset_create") + f"?unit={unit}")
    assert Dataset.objects.filter(pk=dataset.pk).exists()


def test_caseworkers_and_administrators_get_403(client, world, dataset):
    import_text(dataset, SHARE_CSV)
    indicator = Indicator.objects.get(dataset=dataset)
    pending = DatasetImport.objects.get(dataset=dataset)
    weak = [world.odense.medarbejder, world.odense.administrator, world.outsider]
    d = dataset.uuid
    for url in [reverse("datasets:dataset_list"), reverse("datasets:dataset_create"),
                reverse("datasets:dataset_detail", args=[d]), reverse("datasets:dataset_upload", args=[d]),
                reverse("datasets:import_status", args=[d, pending.uuid]),
                reverse("datasets:indicator_edit", args=[d, indicator.uuid]),
                reverse("datasets:indicator_export", args=[d, indicator.uuid, "xlsx"])]:
        assert_forbidden(client, weak, url, "get")
    assert_forbidden(client, weak, reverse("datasets:dataset_delete", args=[d]), "post")
    assert Dataset.objects.filter(pk=dataset.pk).exists()


def test_reference_dataset_is_readable_by_all_and_writable_by_none(client, world):
    reference = Dataset.objects.get(municipality=None)
    for user in (world.odense.leder, world.aarhus.analytiker):
        client.force_login(user)
        response = client.get(reverse("datasets:dataset_detail", args=[reference.uuid]))
        assert response.status_code == 200
        body = response.content.decode()
        assert "Landstal fra pjecen" in body and "33 pct." in body and "16 pct." in body
        assert "182" in body and "207" in body
    assert_forbidden(client, [world.odense.analytiker], reverse("datasets:dataset_upload", args=[reference.uuid]),
                     "get")
    assert_forbidden(client, [world.odense.analytiker], reverse("datasets:dataset_delete", args=[reference.uuid]),
                     "post")
    assert Dataset.objects.filter(pk=reference.pk).exists()


# --- list and create ------------------------------------------------------------------


def test_list_shows_own_and_reference_datasets_with_search_and_filter(client, world, dataset, aarhus_dataset):
    client.force_login(world.odense.analytiker)
    body = client.get(reverse("datasets:dataset_list")).content.decode()
    assert "Hjemmepleje 2014" in body and "Landstal fra pjecen" in body and "Aarhus data" not in body
    body = client.get(reverse("datasets:dataset_list"), {"q": "omsorgssystem"}).content.decode()
    assert "Hjemmepleje 2014" in body and "Landstal fra pjecen" not in body
    body = client.get(reverse("datasets:dataset_list"), {"kind": "national"}).content.decode()
    assert "Hjemmepleje 2014" not in body and "Landstal fra pjecen" in body
    body = client.get(reverse("datasets:dataset_list"), {"q": "findes ikke"}).content.decode()
    assert "Ingen datasæt passer til søgningen." in body


def test_list_paginates(client, world):
    for i in range(25):
        Dataset.objects.create(municipality=world.odense.municipality, title=f"Datasæt {i:02d}")
    client.force_login(world.odense.leder)
    response = client.get(reverse("datasets:dataset_list"))
    assert "Side 1 af 2" in response.content.decode()


def test_create_dataset(client, world):
    client.force_login(world.odense.analytiker)
    response = client.post(reverse("datasets:dataset_create"), {
        "title": "Træning 2015", "source_kind": "own_system", "source": "Fagsystem", "unit": world.odense.team.pk,
    })
    dataset = Dataset.objects.get(title="Træning 2015")
    assert response.status_code == 302 and response.url == reverse("datasets:dataset_upload", args=[dataset.uuid])
    assert dataset.municipality == world.odense.municipality and dataset.created_by == world.odense.analytiker
    # Another municipality's unit cannot be chosen.
    response = client.post(reverse("datasets:dataset_create"), {
        "title": "Forkert enhed", "source_kind": "own_system", "unit": world.aarhus.team.pk,
    })
    assert response.status_code == 200 and not Dataset.objects.filter(title="Forkert enhed").exists()


# --- upload, mapping, import ------------------------------------------------------------


def test_upload_mapping_and_import(client, world, dataset, staged_files):
    client.force_login(world.odense.leder)
    response = upload(client, dataset, SHARE_CSV)
    pending = DatasetImport.objects.get(dataset=dataset)
    assert response.url == reverse("datasets:import_mapping", args=[dataset.uuid, pending.uuid])
    page = client.get(response.url).content.decode()
    assert "Tjek kolonnerne" in page and "Selvhjulpen" in page and "Kønskoden “K” betyder" in page
    form = {"kind": "aggregated", "col_0": "indicator", "col_1": "period", "col_2": "sex", "col_3": "numerator",
            "col_4": "denominator", "sex_0": "kvinde", "sex_1": "mand", "measure": "share", "default_period": "",
            "default_indicator": ""}
    response = client.post(response.url, form, follow=True)
    body = response.content.decode()
    assert shown_share(dataset, 71, 100, "mand") in body and shown_share(dataset, 64, 200, "kvinde") in body
    assert "Signifikant forskel" in body
    assert Observation.objects.filter(indicator__dataset=dataset).count() == 2
    pending.refresh_from_db()
    assert pending.status == "done" and not pending.staged_path
    assert staged_files() == []


def test_an_xlsx_written_by_excel_tools_is_accepted_through_the_form(client, world, dataset, staged_files):
    """Every .xlsx upload through the browser was refused: the staged copy is named
    "*.upload" and openpyxl refused that name. Written here by openpyxl and by pandas."""
    import io

    import openpyxl
    import pandas as pd

    rows = [["Selvhjulpen", "2015", "K", 71, 100], ["Selvhjulpen", "2015", "M", 32, 100]]
    header = ["Indikator", "År", "Køn", "Tæller", "Nævner"]
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    by_openpyxl = io.BytesIO()
    book.save(by_openpyxl)
    by_pandas = io.BytesIO()
    pd.DataFrame(rows, columns=header).to_excel(by_pandas, index=False)
    client.force_login(world.odense.analytiker)
    for content in (by_openpyxl.getvalue(), by_pandas.getvalue()):
        response = upload(client, dataset, content, name="Hjemmepleje 2015.xlsx")
        assert response.status_code == 302, response.content.decode()[:2000]
        page = client.get(response.url).content.decode()
        assert "Tjek kolonnerne" in page and "Nævner" in page and "Selvhjulpen" in page


def test_errors_are_shown_with_row_column_value_and_reason(client, world, dataset):
    client.force_login(world.odense.analytiker)
    response = upload(client, dataset, SHARE_CSV + "Selvhjulpen;2015;K;300;200\n")
    client.post(response.url, {"kind": "aggregated", "col_0": "indicator", "col_1": "period", "col_2": "sex",
                               "col_3": "numerator", "col_4": "denominator", "sex_0": "kvinde", "sex_1": "mand",
                               "measure": "share"})
    pending = DatasetImport.objects.get(dataset=dataset)
    response = client.get(reverse("datasets:import_status", args=[dataset.uuid, pending.uuid]))
    body = response.content.decode()
    assert "Filen blev ikke importeret" in body and "Tælleren er større end nævneren." in body
    assert "<td class=\"num\">4</td><td>Tæller</td><td><code>300</code></td>" in body
    assert not Observation.objects.filter(indicator__dataset=dataset).exists()
    progress = client.get(reverse("datasets:import_progress", args=[dataset.uuid, pending.uuid])).json()
    assert progress["status"] == "failed" and progress["finished"]


def test_mapping_refuses_a_plan_without_sex(client, world, dataset):
    client.force_login(world.odense.analytiker)
    response = upload(client, dataset, SHARE_CSV)
    response = client.post(response.url, {"kind": "aggregated", "col_0": "indicator", "col_1": "period",
                                          "col_2": "ignore", "col_3": "numerator", "col_4": "denominator",
                                          "measure": "share"})
    assert response.status_code == 200 and "Vælg den kolonne, der indeholder køn." in response.content.decode()


def test_only_analysts_import_origin(client, world, dataset):
    text = "Køn;År;Herkomst;Antal\nK;2014;Indvandrere;5\nM;2014;Indvandrere;7\n"
    form = {"kind": "aggregated", "col_0": "sex", "col_1": "period", "col_2": "origin", "col_3": "value",
            "sex_0": "kvinde", "sex_1": "mand", "measure": "persons"}
    client.force_login(world.odense.leder)
    response = client.post(upload(client, dataset, text).url, form)
    assert "Kun en analytiker må importere herkomst" in response.content.decode()
    assert not Observation.objects.filter(indicator__dataset=dataset).exists()
    client.force_login(world.odense.analytiker)
    client.post(upload(client, dataset, text).url, form)
    assert Observation.objects.filter(indicator__dataset=dataset, origin="indvandrer").count() == 2


def test_reupload_of_the_same_file_is_refused_clearly(client, world, dataset):
    import_text(dataset, SHARE_CSV)
    client.force_login(world.odense.analytiker)
    response = client.post(upload(client, dataset, SHARE_CSV).url, {
        "kind": "aggregated", "col_0": "indicator", "col_1": "period", "col_2": "sex", "col_3": "numerator",
        "col_4": "denominator", "sex_0": "kvinde", "sex_1": "mand", "measure": "share"})
    assert "allerede importeret" in response.content.decode()
    assert Observation.objects.filter(indicator__dataset=dataset).count() == 2


# --- the dataset page ---------------------------------------------------------------------


def test_odense_person_level_example(client, world):
    dataset = odense_dataset(world)
    assert dataset.person_level
    client.force_login(world.odense.leder)
    body = client.get(reverse("datasets:dataset_detail", args=[dataset.uuid])).content.decode()
    # No period in the file nor on the dataset: the figures are of "no period".
    assert shown_share(dataset, 71, 100, "mand", period="") in body
    assert shown_share(dataset, 64, 200, "kvinde", period="") in body
    assert "36.992 kr." in body and "15.764 kr." in body
    assert "Antal personer" in body and "Selvhjulpen" in body and "Årlig udgift (kr.)" in body
    # No row of the file is kept: 300 citizens became a handful of figures.
    assert Observation.objects.filter(indicator__dataset=dataset).count() < 50
    share = Observation.objects.get(indicator__name="Selvhjulpen", sex="mand", age_band="")
    assert (share.numerator, share.denominator) == (71, 100)


def test_intersectional_view_by_age_band(client, world):
    dataset = odense_dataset(world)
    client.force_login(world.odense.analytiker)
    body = client.get(reverse("datasets:dataset_detail", args=[dataset.uuid]), {"dimension": "age_band"}
                      ).content.decode()
    assert "65-74 år" in body and "85+ år" in body


def test_small_counts_are_suppressed(client, world, dataset):
    import_text(dataset, "Indikator;År;Køn;Tæller;Nævner\nFærdig;2014;K;2;40\nFærdig;2014;M;20;30\n")
    client.force_login(world.odense.leder)
    body = client.get(reverse("datasets:dataset_detail", args=[dataset.uuid])).content.decode()
    assert "&lt;5" in body and "(skjult)" in body
    assert ">5 pct." not in body  # 2/40 is not shown


def test_reference_comparison(client, world, dataset):
    import_text(dataset, "Indikator;År;Køn;Tæller;Nævner\nHjemmepleje;2014;K;300;1000\nHjemmepleje;2014;M;150;1000\n")
    reference = Indicator.objects.get(dataset__municipality=None, name="Ældre der får hjemmepleje")
    indicator = Indicator.objects.get(dataset=dataset)
    client.force_login(world.odense.leder)
    url = reverse("datasets:indicator_edit", args=[dataset.uuid, indicator.uuid])
    assert "Sammenlign med landstal" in client.get(url).content.decode()
    response = client.post(url, {"name": "Hjemmepleje", "measure": "share", "better": "none",
                                 "reference": reference.pk})
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.reference == reference
    body = client.get(reverse("datasets:dataset_detail", args=[dataset.uuid])).content.decode()
    assert "Landstal 2014" in body and "25 pct." in body and "14 pct." in body


def test_delete(client, world, dataset):
    import_text(dataset, SHARE_CSV)
    client.force_login(world.odense.analytiker)
    response = client.post(reverse("datasets:dataset_delete", args=[dataset.uuid]))
    assert response.status_code == 302
    assert not Dataset.objects.filter(pk=dataset.pk).exists()
    assert AuditEvent.objects.filter(action="dataset.delete", object_id=str(dataset.uuid)).exists()


# --- export -----------------------------------------------------------------------------


def test_export_csv_and_xlsx_neutralise_formulas_and_keep_suppression(client, world, dataset):
    import_text(dataset, "Indikator;År;Køn;Tæller;Nævner\n=HYPERLINK(\"http://x\");2014;K;2;40\n"
                         "=HYPERLINK(\"http://x\");2014;M;20;30\n")
    indicator = Indicator.objects.get(dataset=dataset)
    assert indicator.name.startswith("=")  # stored as text, never run
    client.force_login(world.odense.leder)
    response = client.get(reverse("datasets:indicator_export", args=[dataset.uuid, indicator.uuid, "csv"]))
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "'=HYPERLINK(\"http://x\")"
    assert "<5" in rows[2] and "(skjult)" in rows[2]
    assert "2" not in rows[2][1:3]
    assert AuditEvent.objects.filter(action="dataset.export", object_id=str(dataset.uuid)).exists()
    response = client.get(reverse("datasets:indicator_export", args=[dataset.uuid, indicator.uuid, "xlsx"]))
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    ws = wb.active
    assert ws["A1"].value == "'=HYPERLINK(\"http://x\")" and ws["A1"].data_type == "s"
    values = [c.value for c in ws[3]]
    assert "<5" in values and 2 not in values[1:3]
    assert all(not (isinstance(v, str) and v.startswith(("=", "+", "-", "@"))) for row in ws.iter_rows(values_only=True)
               for v in row)


def test_export_of_unknown_format_is_404(client, world, dataset):
    import_text(dataset, SHARE_CSV)
    indicator = Indicator.objects.get(dataset=dataset)
    client.force_login(world.odense.leder)
    assert client.get(reverse("datasets:indicator_export", args=[dataset.uuid, indicator.uuid, "pdf"])).status_code == 404


def test_mapping_page_for_a_person_level_file(client, world, dataset):
    client.force_login(world.odense.analytiker)
    response = upload(client, dataset, demo.odense_csv())
    body = client.get(response.url).content.decode()
    assert 'value="person" class="form-check-input" id="id_kind_1" required checked' in body or "checked" in body
    assert "Selvhjulpen" in body and "Årlig udgift (kr.)" in body
    response = client.post(response.url, {"kind": "person", "col_0": "person_id", "col_1": "sex", "col_2": "age_band",
                                          "col_3": "flag", "col_4": "number", "sex_0": "mand", "sex_1": "kvinde",
                                          "default_period": "2014", "measure": "persons"}, follow=True)
    body = response.content.decode()
    assert shown_share(dataset, 71, 100, "mand") in body and "36.992 kr." in body and "Andel af i alt" in body
    assert set(Observation.objects.filter(indicator__dataset=dataset).values_list("period", flat=True)) == {"2014"}


# --- the privacy guard (issue 16) ---------------------------------------------------------


def test_an_upload_whose_header_holds_a_cpr_number_is_refused_without_echoing_it(client, world, dataset,
                                                                                 staged_files):
    client.force_login(world.odense.analytiker)
    text = "Indikator;År;Køn;010190\u20131234;Nævner\nSelvhjulpen;2014;K;64;200\n"
    response = upload(client, dataset, text)
    assert response.status_code == 200
    body = response.content.decode()
    assert ("Kolonne 4 i filens overskriftsrække ser ud til at indeholde et CPR-nummer. Fjern det, og upload "
            "filen igen") in body
    assert "010190" not in body and "1234" not in body
    assert not DatasetImport.objects.exists() and staged_files() == []


def test_an_upload_with_a_number_split_over_two_header_cells_is_refused(client, world, dataset, staged_files):
    client.force_login(world.odense.analytiker)
    response = upload(client, dataset, "Køn;Tlf. 20 30;40 50;Antal\nK;1;2;3\n")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kolonnerne 2, 3 i filens overskriftsrække ser ud til at indeholde et telefonnummer." in body
    assert "40 50" not in body
    assert not DatasetImport.objects.exists() and staged_files() == []


def test_dataset_texts_and_indicator_names_are_checked(client, world, dataset):
    client.force_login(world.odense.analytiker)
    response = client.post(reverse("datasets:dataset_create"), {
        "title": "Træning 2015", "source_kind": "own_system", "source": "Ole, tlf. 12.34.56.78",
    })
    assert response.status_code == 200
    assert "telefonnummer" in response.context["form"].errors["source"][0]
    assert not Dataset.objects.filter(title="Træning 2015").exists()
    import_text(dataset, SHARE_CSV)
    indicator = Indicator.objects.get(dataset=dataset)
    response = client.post(reverse("datasets:indicator_edit", args=[dataset.uuid, indicator.uuid]), {
        "name": "Selvhjulpen", "measure": "share", "better": "none", "description": "Spørg ole(at)kommune.dk"})
    assert response.status_code == 200
    assert "e-mailadresse" in response.context["form"].errors["description"][0]
    indicator.refresh_from_db()
    assert indicator.description == ""


def test_a_file_without_totals_shows_totals_added_up_from_its_breakdown(client, world, dataset):
    """Issue 14: a file with only age bands was invisible in the plain view."""
    import_text(dataset, "Indikator;År;Køn;Alder;Tæller;Nævner\n"
                         "Selvhjulpen;2014;K;65-74;20;60\nSelvhjulpen;2014;M;65-74;30;50\n"
                         "Selvhjulpen;2014;K;75-84;25;70\nSelvhjulpen;2014;M;75-84;20;40\n")
    client.force_login(world.odense.leder)
    response = client.get(reverse("datasets:dataset_detail", args=[dataset.uuid]))
    [table] = response.context["tables"]
    [row] = table.rows
    assert row.figures["kvinde"].base.value == shown(dataset, 130, "kvinde")
    assert row.figures["mand"].part.value == shown(dataset, 50, "mand")
    body = response.content.decode()
    assert "Filen har ingen i alt-række: totalerne er summen af opdelingen på aldersgruppe." in body
    assert "Ingen tal for denne opdeling" not in body


def test_shares_given_as_percentages_are_not_added_up(client, world, dataset):
    import_text(dataset, "Indikator;År;Køn;Alder;Andel\n"
                         "Andel hjemmepleje;2014;K;65-74;25,4\nAndel hjemmepleje;2014;M;65-74;20,1\n"
                         "Andel hjemmepleje;2014;K;75-84;41,0\nAndel hjemmepleje;2014;M;75-84;33,3\n")
    client.force_login(world.odense.leder)
    body = client.get(reverse("datasets:dataset_detail", args=[dataset.uuid])).content.decode()
    assert "Filen har ingen i alt-tal for denne indikator" in body
