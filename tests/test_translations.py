"""Every user-facing string has a Danish translation.

The catalogues are extracted afresh into a temporary copy, so a new string that nobody
ran `make messages` for is caught too.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "datasets", "logbooks", "projects", "workshops", "reporting"]


def _extract(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "migrations"))
    subprocess.run([sys.executable, "-P", "-m", "django", "makemessages", "-l", "da", "--no-obsolete", "-v0",
                    "--ignore=locale/*"], cwd=target, check=True, env={"PATH": "/usr/bin:/bin"})


def _untranslated(po_path: Path) -> list[str]:
    po = polib.pofile(str(po_path))
    return [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]


@pytest.mark.parametrize("app", [app for app in APPS if (ROOT / app / "locale").exists()])
def test_app_catalogue_is_complete(app, tmp_path):
    _extract(ROOT / app, tmp_path / app)
    po_path = tmp_path / app / "locale" / "da" / "LC_MESSAGES" / "django.po"
    if not po_path.exists():
        pytest.skip(f"{app} has no translatable strings yet")
    missing = _untranslated(po_path)
    assert not missing, f"{app}: untranslated strings: {missing[:20]}"


def test_project_catalogue_is_complete(tmp_path):
    target = tmp_path / "project"
    target.mkdir()
    for part in ["templates", "ligestilling", "locale"]:
        shutil.copytree(ROOT / part, target / part, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run([sys.executable, "-P", "-m", "django", "makemessages", "-l", "da", "--no-obsolete", "-v0"],
                   cwd=target, check=True, env={"PATH": "/usr/bin:/bin"})
    missing = _untranslated(target / "locale" / "da" / "LC_MESSAGES" / "django.po")
    assert not missing, f"untranslated strings: {missing[:20]}"
