"""Log lines: time and level first; refusals in one line, server errors with their traceback."""

import logging

import pytest
from django.urls import reverse


@pytest.fixture
def captured(settings):
    """The console handler's formatted output of the request and security loggers."""
    records = []
    config = settings.LOGGING
    formatter = logging.Formatter(config["formatters"]["line"]["format"], config["formatters"]["line"]["datefmt"])

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(formatter.format(record))

    handler = Keep()
    for name in ("django.request", "django.security.DisallowedHost"):
        logging.getLogger(name).addHandler(handler)
    yield records
    for name in ("django.request", "django.security.DisallowedHost"):
        logging.getLogger(name).removeHandler(handler)


def test_a_refused_request_is_one_line_with_time_and_level(client, world, captured):
    client.force_login(world.odense.medarbejder)
    assert client.get(reverse("accounts:admin_home")).status_code == 403
    line = next(r for r in captured if "Forbidden" in r)
    assert "Traceback" not in line and "\n" not in line
    assert " WARNING django.request [" in line and line[:4].isdigit() and "T" in line[:11]


def test_a_foreign_host_is_one_warning_line(client, db, captured):
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400
    line = next(r for r in captured if "evil.example" in r)
    assert " WARNING " in line and "Traceback" not in line


def test_a_server_error_keeps_its_traceback(client, world, captured, monkeypatch):
    client.force_login(world.odense.leder)
    client.raise_request_exception = False
    monkeypatch.setattr("ligestilling.views.start_cards", lambda *a: 1 / 0)
    assert client.get(reverse("home")).status_code == 500
    line = next(r for r in captured if "Internal Server Error" in r)
    assert " ERROR django.request " in line and "ZeroDivisionError" in line and "Traceback" in line
