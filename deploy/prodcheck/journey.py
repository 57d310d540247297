"""`make prodcheck`: a user's journey through nginx, gunicorn and the task worker.

Logs in, logs a conversation, uploads a CSV and an .xlsx that the worker imports,
survives the database dropping every connection of the application, builds a committee
PDF in the worker and downloads it. Uses the demo logins that run.sh seeded. Exits
non-zero at the first step that fails, with a screenshot in var/prodcheck/.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
from common import BASE, WORK, launch_chromium, login, psql_admin
from playwright.sync_api import Page, sync_playwright

ROWS = [(i, "K" if i % 3 else "M", "65-74" if i % 2 else "75-84", "ja" if i % 4 == 0 else "nej")
        for i in range(1, 61)]
HEADER = ("Løbenummer", "Køn", "Alder", "Selvhjulpen")


def step(name: str) -> None:
    print(f"- {name}", flush=True)


def log_a_conversation(page: Page) -> None:
    page.goto(f"{BASE}/logbog/samtaler/")
    page.get_by_text("Kvinde", exact=True).click()
    page.get_by_text("30–39", exact=True).click()
    page.locator(".lb-topic label").first.click()
    page.get_by_role("button", name="Gem samtale").click()
    page.get_by_text("Samtalen er gemt").wait_for()


def import_file(page: Page, title: str, path: Path) -> None:
    page.goto(f"{BASE}/data/")
    page.get_by_role("link", name="Nyt datasæt").first.click()
    page.get_by_label("Titel").fill(title)
    page.get_by_role("button", name="Opret og fortsæt").click()
    page.get_by_label("Fil (CSV eller Excel .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Upload og tjek").click()
    page.get_by_role("heading", name="Tjek kolonnerne").wait_for()
    page.get_by_role("button", name="Importér").click()
    # The worker imports it; the status page follows it until the dataset page opens.
    page.get_by_role("heading", name=title, level=1).wait_for(timeout=90_000)
    page.get_by_role("heading", name="Selvhjulpen").wait_for()


def drop_application_connections() -> int:
    """Every connection of the runtime role is cut, as when PostgreSQL restarts."""
    return int(psql_admin(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        f"WHERE usename = '{os.environ['APP']}'"))


def build_and_download_report(page: Page) -> bytes:
    page.goto(f"{BASE}/overblik/rapporter/ny/")
    page.locator("#id_title").fill("Prodcheck: ligestilling i Odense")
    page.locator("#id_committee").fill("Social- og Sundhedsudvalget")
    page.locator("#id_summary").fill("Rapporten er dannet af prodcheck gennem nginx og task-workeren.")
    page.get_by_role("button", name="Forhåndsvis").click()
    page.get_by_role("heading", name="Forhåndsvis", exact=True).wait_for()
    page.get_by_role("button", name="Dan PDF").click()
    page.wait_for_url("**/overblik/rapporter/*/")
    link = page.get_by_role("link", name="Hent PDF")
    link.wait_for(state="visible", timeout=120_000)
    with page.expect_download() as info:
        link.click()
    return Path(info.value.path()).read_bytes()


def main() -> None:
    csv_path, xlsx_path = WORK / "borgere.csv", WORK / "borgere.xlsx"
    # A semicolon CSV in Windows-1252, as Danish Excel saves it.
    text = ";".join(HEADER) + "\r\n" + "".join(";".join(map(str, row)) + "\r\n" for row in ROWS)
    csv_path.write_bytes(text.encode("cp1252"))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    xlsx_path.write_bytes(buffer.getvalue())

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        # The client claims another address; the audit log must record the real one.
        context = browser.new_context(ignore_https_errors=True, accept_downloads=True,
                                      extra_http_headers={"X-Forwarded-For": "6.6.6.6"})
        page = context.new_page()
        page.set_default_timeout(30_000)
        try:
            step("log in as a caseworker and log a conversation")
            login(page, "medarbejder@odense.demo")
            session = next(c for c in context.cookies() if c["name"] == "sessionid")
            assert session["secure"] and session["httpOnly"], session
            ip = psql_admin("SELECT host(ip) FROM accounts_auditevent WHERE action = 'auth.login' "
                            "ORDER BY id DESC LIMIT 1")
            assert ip == "127.0.0.1", f"audit recorded the client's claimed address {ip!r}"
            before = int(psql_admin("SELECT count(*) FROM logbooks_entry"))
            log_a_conversation(page)
            assert int(psql_admin("SELECT count(*) FROM logbooks_entry")) == before + 1

            step("log in as an analyst; the worker imports a cp1252 CSV and an .xlsx")
            context.clear_cookies()
            login(page, "analytiker@odense.demo")
            started = time.monotonic()
            import_file(page, "Prodcheck CSV", csv_path)
            import_file(page, "Prodcheck Excel", xlsx_path)
            print(f"  both imports done in {time.monotonic() - started:.1f} s")
            done = psql_admin("SELECT count(*) FROM datasets_datasetimport WHERE status = 'done' "
                              "AND filename IN ('borgere.csv', 'borgere.xlsx')")
            assert done == "2", done

            step("the database drops every connection of the application")
            cut = drop_application_connections()
            print(f"  {cut} connections terminated")
            assert cut >= 2, "expected the web and the worker to hold connections"

            step("log in as a leder; the worker builds the committee PDF; download it")
            context.clear_cookies()
            login(page, "leder@odense.demo")
            pdf = build_and_download_report(page)
            assert pdf.startswith(b"%PDF"), pdf[:20]
            (WORK / "rapport.pdf").write_bytes(pdf)
            text = subprocess.run(["pdftotext", str(WORK / "rapport.pdf"), "-"], capture_output=True,
                                  text=True, check=True).stdout
            assert "Prodcheck: ligestilling i Odense" in text
            print(f"  PDF of {len(pdf) // 1024} kB")
        except Exception:
            page.screenshot(path=str(WORK / "journey-failure.png"), full_page=True)
            print(f"journey failed at {page.url}; screenshot in {WORK / 'journey-failure.png'}", file=sys.stderr)
            raise
        finally:
            browser.close()
    print("journey passed")


if __name__ == "__main__":
    main()
