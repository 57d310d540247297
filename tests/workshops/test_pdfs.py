"""The printables: the workshop agenda with the preparation task, and the focus-group guide (A4 PDFs)."""

import shutil
import subprocess

import pytest
from django.urls import reverse

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_page_size(content: bytes, tmp_path) -> str:
    path = tmp_path / "size.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout


def test_agenda_pdf_contains_the_agenda_and_the_preparation_task(client, world, workshop, tmp_path):
    client.force_login(world.odense.medarbejder)  # an invited participant prints it
    response = client.get(reverse("workshops:workshop_pdf", args=[workshop.uuid]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "Køn i træningen" in text
    assert "Hvor i dit daglige arbejde kan køn have betydning for borgeren?" in text
    assert "Forberedelsesopgave" in text and "Dagsorden" in text
    for line in ["09:00–09:10", "Velkommen", "Frokost", "Konkret plan for handlinger", "Aftale om et opfølgende møde"]:
        assert line in text
    assert "12:20" in text and "09:00–12:35" in text  # the last item starts 12:20 and the day ends 12:35
    assert "(A4)" in pdf_page_size(response.content, tmp_path)


def test_focus_group_guide_pdf(client, world, focus_group, tmp_path):
    client.force_login(world.odense.leder)
    response = client.get(reverse("workshops:focusgroup_pdf", args=[focus_group.uuid]))
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "Fokusgruppeguide" in text and "Ældre mænd om" in text
    assert "Hvad betyder hjælpen for dig?" in text and "Hvad savner du?" in text
    assert "Sørg for, at alle synspunkter bliver hørt" in text
    assert "Mænd, 6 deltagere" in text
