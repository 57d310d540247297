"""The printable one-page project plan."""

import subprocess

from django.urls import reverse

from projects import services
from tests.projects.factories import make_criterion, make_project


def test_plan_pdf_shows_title_and_criterion(client, world, tmp_path):
    t = world.odense
    project = make_project(t, strategic_link="Ældrepolitikken")
    criterion = make_criterion(project, definition="Andel selvhjulpne kvinder og mænd")
    services.add_measurement(criterion=criterion, by=t.leder, women_count=64, women_n=200, men_count=71, men_n=100)
    client.force_login(t.medarbejder)
    response = client.get(reverse("projects:project_pdf", args=[project.uuid]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "plan.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    text = " ".join(text.split())  # labels may wrap inside their column
    assert "Træning som hjælp" in text
    assert "Andel selvhjulpne kvinder og mænd" in text
    assert "Kobling til strategisk intention" in text and "Ældrepolitikken" in text
    assert "Ikke opfyldt" in text
    pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in pages
