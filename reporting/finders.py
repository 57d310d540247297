"""Serve plotly.js from the installed plotly package as the static file ``vendor/plotly.min.js``.

The 4.8 MB file is not copied into the repository: this finder points Django's
staticfiles (``findstatic``, ``collectstatic``, runserver, WhiteNoise after collectstatic)
at ``plotly/package_data/plotly.min.js`` of the installed package, so the version always
matches the plotly that builds the figures (and that kaleido uses for the PDF).

Enable with ``"reporting.finders.PlotlyFinder"`` in ``STATICFILES_FINDERS``.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

STATIC_PATH = "vendor/plotly.min.js"


def plotly_js_path() -> Path:
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


class _PackageStorage(FileSystemStorage):
    """Storage rooted at plotly's package_data that lists only the one file as ``vendor/``."""

    def __init__(self) -> None:
        super().__init__(location=str(plotly_js_path().parent))

    def path(self, name: str) -> str:
        if name.replace(os.sep, "/") == STATIC_PATH:
            return str(plotly_js_path())
        return super().path(name)

    # No open() of its own: FileSystemStorage.open wraps the file in a django File, which
    # collectstatic's manifest storage needs (it reads `.chunks()` to hash the content).


class PlotlyFinder(BaseFinder):
    def check(self, **kwargs):
        if not plotly_js_path().is_file():
            from django.core.checks import Error

            return [Error(f"plotly.min.js not found at {plotly_js_path()}", id="reporting.E001")]
        return []

    def find(self, path, find_all=False, **kwargs):
        # Django 5.2 passes `all`, newer versions `find_all`.
        find_all = kwargs.get("all", find_all)
        if path.replace(os.sep, "/") == STATIC_PATH and plotly_js_path().is_file():
            match = str(plotly_js_path())
            return [match] if find_all else match
        return []  # what Django's own finders return for "not here"

    def list(self, ignore_patterns):
        if plotly_js_path().is_file():
            yield STATIC_PATH, _PackageStorage()
