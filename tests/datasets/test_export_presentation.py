"""The dataset export goes through the one writer: Danish decimal commas, values rounded as
shown, the one verdict label, a file name with Danish letters."""

import csv
import io
import re
from urllib.parse import unquote

from django.urls import reverse

from datasets.models import Indicator
from tests.datasets.test_views import SHARE_CSV, import_text


def test_the_dataset_csv_is_written_like_every_other_export(client, world, dataset):
    import_text(dataset, SHARE_CSV)  # women 64/200, men 71/100: −39 procentpoint
    indicator = Indicator.objects.get(dataset=dataset)
    client.force_login(world.odense.leder)
    response = client.get(reverse("datasets:indicator_export", args=[dataset.uuid, indicator.uuid, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    row = next(r for r in rows if r and r[0] == "2014")
    # As shown, with decimal commas: two shares near 32 and 71 pct., a gap near −39 points.
    shares = [float(v.replace(",", ".")) for v in row if re.fullmatch(r"0,\d\d", v)]
    assert any(abs(v - 0.32) <= 0.02 for v in shares) and any(abs(v - 0.71) <= 0.02 for v in shares)
    assert any(re.fullmatch(r"-(3[6-9]|4[0-2])", v) for v in row)
    assert not any("." in v and v.replace(".", "").lstrip("-").isdigit() for v in row)  # no decimal points
    assert "Signifikant forskel" in row
    # Danish headers throughout, and a p-value below 0.001 as the page shows it, not as 0.
    header = next(r for r in rows if r and r[0] == "Periode")
    assert "Kvinder: grundlag (n)" in header and "Kvinder: 95 %-interval, nedre" in header
    assert not any(re.search(r"base \(n\)|interval, (low|high)", h) for h in header)
    p_values = row[header.index("p-værdi")], row[header.index("p-værdi, justeret (Benjamini–Hochberg)")]
    assert p_values == ("<0,001", "<0,001")
    assert ["Kilde: Omsorgssystemet"] in rows
    assert response["Content-Disposition"] == 'attachment; filename="Hjemmepleje 2014-Selvhjulpen.csv"'
    dataset.title = "Træning på Ørestad"
    dataset.save(update_fields=["title"])
    response = client.get(reverse("datasets:indicator_export", args=[dataset.uuid, indicator.uuid, "xlsx"]))
    assert unquote(response["Content-Disposition"].split("utf-8''", 1)[1]) == "Træning på Ørestad-Selvhjulpen.xlsx"
