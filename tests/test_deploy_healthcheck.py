"""The container health check answers 200 with production settings (it got 400 for the
Host header and 301 from the SSL redirect, so every web container was "unhealthy")."""

import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "deploy" / "healthcheck.py"


@pytest.fixture
def production_like(settings):
    settings.ALLOWED_HOSTS = ["ligestilling.kommune.dk"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def _run(url, env):
    return subprocess.run([sys.executable, str(SCRIPT), url], env={"PATH": "/usr/bin:/bin", **env},
                          capture_output=True, text=True, timeout=30)


@pytest.mark.django_db(transaction=True)
def test_the_health_check_passes_with_production_settings(live_server, production_like, settings):
    url = f"{live_server.url}/sundhed/"
    # What the old compose check did: a plain request is refused by these settings.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=5)
    assert refused.value.code == 400
    assert _run(url, {"ALLOWED_HOSTS": "ligestilling.kommune.dk"}).returncode == 0
    settings.ALLOWED_HOSTS = [".kommune.dk"]  # a subdomain wildcard: its bare domain is asked
    assert _run(url, {"ALLOWED_HOSTS": ".kommune.dk"}).returncode == 0


@pytest.mark.django_db(transaction=True)
def test_the_health_check_fails_when_nothing_answers_or_the_host_is_wrong(live_server, production_like):
    assert _run("http://127.0.0.1:1/sundhed/", {}).returncode == 1
    assert _run(f"{live_server.url}/sundhed/", {"ALLOWED_HOSTS": "andet.example"}).returncode == 1
