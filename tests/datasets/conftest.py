import datetime

import pytest

from datasets import services
from datasets.models import Dataset


@pytest.fixture(autouse=True)
def staging(settings, tmp_path):
    """Staged uploads go to a fresh folder per test (the default kind of imports storage)."""
    settings.STORAGES = {**settings.STORAGES, "imports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "imports"},
    }}
    return services.imports_storage()


@pytest.fixture
def staged_files():
    """The names of the files in the imports storage now."""
    def _staged() -> list[str]:
        try:
            return services.imports_storage().listdir("")[1]
        except FileNotFoundError:  # the folder is made by the first upload
            return []
    return _staged


@pytest.fixture
def dataset(world):
    """Odense's team's dataset: its leder and the analytiker above it read and write it."""
    return services.create_dataset(municipality=world.odense.municipality, title="Hjemmepleje 2014",
                                   source="Omsorgssystemet", period_start=datetime.date(2014, 1, 1),
                                   unit=world.odense.team)


@pytest.fixture
def aarhus_dataset(world):
    return Dataset.objects.create(municipality=world.aarhus.municipality, title="Aarhus data")


@pytest.fixture
def write(tmp_path):
    """Write a test file: text in an encoding, or bytes."""
    def _write(name: str, content, encoding: str = "utf-8"):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode(encoding))
        return path
    return _write
