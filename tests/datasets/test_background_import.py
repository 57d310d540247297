"""Large files are imported by the background task; the status page polls a JSON endpoint."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from datasets import services
from datasets.models import DatasetImport, Observation

TEXT = "Køn;År;Alder;Antal\n" + "".join(f"{s};{2000 + y};{a}-{a + 4};{y * 3 + a}\n"
                                         for s in "KM" for y in range(10) for a in range(0, 100, 5))


def test_large_file_runs_in_the_task_and_reports_progress(client, world, dataset, settings,
                                                          django_capture_on_commit_callbacks):
    settings.DATASETS_INLINE_IMPORT_BYTES = 100  # every file counts as large
    client.force_login(world.odense.analytiker)
    response = client.post(reverse("datasets:dataset_upload", args=[dataset.uuid]),
                           {"file": SimpleUploadedFile("stor.csv", TEXT.encode())})
    form = {"kind": "aggregated", "col_0": "sex", "col_1": "period", "col_2": "age_band", "col_3": "value",
            "sex_0": "kvinde", "sex_1": "mand", "measure": "persons"}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(response.url, form)
    pending = DatasetImport.objects.get(dataset=dataset)
    assert response.url == reverse("datasets:import_status", args=[dataset.uuid, pending.uuid])
    assert pending.status == "queued" and len(callbacks) == 1
    # Before the worker runs: the page shows a progress bar driven by the static script.
    page = client.get(response.url).content.decode()
    assert 'id="import-progress"' in page and "datasets-progress.js" in page and "<script>" not in page
    status = client.get(reverse("datasets:import_progress", args=[dataset.uuid, pending.uuid])).json()
    assert status == {"status": "queued", "fraction": 0.0, "rows": 0, "total": 0, "finished": False,
                      "label": "Venter på, at en baggrundsproces starter importen."}
    services.write_progress(pending, 0.5, 200)
    assert client.get(reverse("datasets:import_progress", args=[dataset.uuid, pending.uuid])).json()["fraction"] == 0.5
    callbacks[0]()  # the worker (immediate backend) runs the task
    status = client.get(reverse("datasets:import_progress", args=[dataset.uuid, pending.uuid])).json()
    assert status["status"] == "done" and status["finished"] and status["fraction"] == 1.0
    assert Observation.objects.filter(indicator__dataset=dataset).count() == 400
    response = client.get(reverse("datasets:import_status", args=[dataset.uuid, pending.uuid]))
    assert response.status_code == 302 and response.url == reverse("datasets:dataset_detail", args=[dataset.uuid])
