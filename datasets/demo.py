"""Demo datasets (used by `manage.py seed_demo`): Odense's "Træning som hjælp" from
person-level data, and an aggregated Aarhus jobcentre dataset. Both are imported
through the real import service, from in-memory CSV files. Idempotent."""

from __future__ import annotations

import datetime
import os
import tempfile

from accounts.models import Municipality, Unit

from . import services
from .models import Dataset

ODENSE_TITLE = "Træning som hjælp 2014"
AARHUS_TITLE = "Første samtale i jobcentret 2014"


def _spread(mean: int, count: int, step: int) -> list[int]:
    """`count` yearly costs around `mean` whose average is exactly `mean`."""
    values = []
    for k in range(count // 2):
        offset = step * (k + 1)
        values += [mean + offset, mean - offset]
    if count % 2:
        values.append(mean)
    return values


def odense_csv() -> str:
    """Pseudonymised citizens: 100 men (71 self-reliant, mean cost 36,992 kr.) and
    200 women (64 self-reliant, mean cost 15,764 kr.), as in the pamphlet."""
    lines = ["Løbenummer;Køn;Alder;Selvhjulpen;Årlig udgift (kr.)"]
    bands = ["65-74", "75-84", "85+"]
    number = 1
    for sex, count, yes, mean, step in (("M", 100, 71, 36992, 150), ("K", 200, 64, 15764, 60)):
        costs = _spread(mean, count, step)
        for i in range(count):
            lines.append(f"{number:05d};{sex};{bands[i % 3]};{'ja' if i < yes else 'nej'};{costs[i]}")
            number += 1
    return "\n".join(lines) + "\n"


def aarhus_csv() -> str:
    """Share of new social-assistance recipients with a first meeting within 14 days."""
    lines = ["Indikator;År;Køn;Alder;Tæller;Nævner"]
    name = "Første samtale inden for 14 dage"
    figures = {
        ("M", "18-29"): (88, 120), ("K", "18-29"): (70, 118),
        ("M", "30-49"): (95, 130), ("K", "30-49"): (74, 126),
        ("M", "50-64"): (40, 52), ("K", "50-64"): (31, 49),
    }
    for (sex, band), (num, den) in figures.items():
        lines.append(f"{name};2014;{sex};{band};{num};{den}")
    for sex in ("M", "K"):
        num = sum(v[0] for (s, _b), v in figures.items() if s == sex)
        den = sum(v[1] for (s, _b), v in figures.items() if s == sex)
        lines.append(f"{name};2014;{sex};I alt;{num};{den}")
    return "\n".join(lines) + "\n"


def _import_text(dataset: Dataset, text: str, name: str) -> None:
    handle, path = tempfile.mkstemp(suffix=".csv")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(text)
        services.import_file(dataset=dataset, path=path, filename=name)
    finally:
        os.unlink(path)


def seed(*, stdout=None) -> None:
    odense = Municipality.objects.filter(slug="odense").first()
    if odense is not None and not Dataset.objects.filter(municipality=odense, title=ODENSE_TITLE).exists():
        dataset = services.create_dataset(
            municipality=odense, title=ODENSE_TITLE, source_kind="own_system",
            unit=Unit.objects.filter(municipality=odense, name="Træning som hjælp").first(),
            description="Nyvisiterede borgere i Træning som hjælp: selvhjulpne efter forløbet og årlig udgift.",
            source="Odense Kommunes omsorgssystem, udtræk med pseudonymiserede løbenumre",
            period_start=datetime.date(2014, 1, 1), period_end=datetime.date(2014, 12, 31),
        )
        _import_text(dataset, odense_csv(), "traening-som-hjaelp-2014.csv")
        if stdout:
            stdout.write(f"Datasæt: {ODENSE_TITLE} (Odense)")
    aarhus = Municipality.objects.filter(slug="aarhus").first()
    if aarhus is not None and not Dataset.objects.filter(municipality=aarhus, title=AARHUS_TITLE).exists():
        dataset = services.create_dataset(
            municipality=aarhus, title=AARHUS_TITLE, source_kind="register",
            unit=Unit.objects.filter(municipality=aarhus, name="Jobcenter").first(),
            description="Nye kontanthjælpsmodtagere, der fik første samtale inden for 14 dage, efter køn og alder.",
            source="Jobcenter Aarhus, fagsystem", period_start=datetime.date(2014, 1, 1),
            period_end=datetime.date(2014, 12, 31),
        )
        _import_text(dataset, aarhus_csv(), "foerste-samtale-2014.csv")
        if stdout:
            stdout.write(f"Datasæt: {AARHUS_TITLE} (Aarhus)")
