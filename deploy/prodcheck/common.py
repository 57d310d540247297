"""What the prodcheck scripts share: where the site is, the demo logins, the database as
run.sh's admin role, and Chromium as journey.py and probe.py drive it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from playwright.sync_api import Browser, Page, Playwright

BASE = os.environ["BASE"]
WORK = Path(os.environ["WORK"])
#: The certificate run.sh made; clients trust exactly it, not "anything".
CERT = WORK / "tls" / "cert.pem"
#: seed_demo's password for every `<role>@<municipality>.demo` login.
PASSWORD = "demo-ligestilling-2026"
ROLES = ("medarbejder", "leder", "analytiker", "administrator")
# Debian's Chromium, headless, with nothing that talks to the outside world.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def demo_login(role: str, municipality: str) -> str:
    return f"{role}@{municipality}.demo"


def psql_admin(sql: str) -> str:
    """One statement as run.sh's admin role (not the application's), its rows as text."""
    return subprocess.run(
        ["psql", "-v", "ON_ERROR_STOP=1", "-qAt", "-h", os.environ["PGHOST"], "-p", os.environ["PGPORT"],
         "-U", os.environ["PGADMIN"], "-d", os.environ["DB"], "-c", sql],
        capture_output=True, text=True, check=True,
    ).stdout.strip()


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)


def login(page: Page, email: str, password: str = PASSWORD) -> None:
    """Log in through the login form, as a person would."""
    page.goto(f"{BASE}/konto/log-ind/")
    page.get_by_label("E-mailadresse").fill(email)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{BASE}/")
