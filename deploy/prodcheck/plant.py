"""Hostile text for the probe: payloads of every kind, planted through the real forms.

Each municipality's payloads carry its token, so a page, PDF or export that shows one
is found by the token, and the other municipality must never see it.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from urllib.parse import urljoin, urlsplit
from uuid import uuid4

import web
from common import BASE

# POST forms the planter leaves alone: destructive, about passwords or sessions, or
# settings that would change what everybody else sees (the suppression threshold).
NO_PLANT = re.compile(r"/log-ud/|/slet/|/fjern/|/aktiv/|/invitation/|adgangskode|/i18n/|/indstillinger/"
                      r"|/status/$|/flyt/|/lister/punkt/|/roller/")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Unique names (addresses, titles) stay unique when the probe runs twice on one database.
RUN = uuid4().hex[:6]


def payloads(token: str) -> dict[str, str]:
    """Every kind of hostile text, each carrying the municipality's token."""
    script = f"{token}<script>window.__probe='{token}'</script>"
    image = f"{token}\"><img src=x onerror=\"window.__probe='{token}'\">"
    link = f"<a href=\"javascript:window.__probe='{token}'\">{token}</a>"
    template = f"{token}-tpl {{{{ 7|add:7191 }}}} {{% now 'Y' %}} ${{7*7191}}"
    files = (f"{token}<img src=\"file:///etc/passwd\"><link rel=\"attachment\" href=\"file:///etc/passwd\">"
             f"<span style=\"background:url(file:///etc/passwd)\">{token}</span>")
    return {
        "script": script, "image": image, "link": link, "template": template, "file": files,
        "formula": f"=HYPERLINK(\"http://evil.example/\",\"{token}\")",
        "plus": f"+{token}+1", "minus": f"-{token}+1", "at": f"@SUM({token})",
        "combined": f"=HYPERLINK(\"http://evil.example/\",\"{token}\") {image} {script} {link} {template} {files}",
    }


#: Inputs named like a label reach exports (unit names, list items, indicators): formulas.
#: Other inputs reach pages and PDFs (titles): markup. Text areas get everything at once.
LABEL_KINDS = ("formula", "plus", "minus", "at")
INPUT_KINDS = ("image", "script", "file", "link", "template")


class Planter:
    """Submits every POST form of a municipality once with payloads in its free text,
    correcting the fields the form refuses (dates, lists, the privacy guard) until it
    is stored or three tries failed."""

    def __init__(self, token: str):
        self.token = token
        self.texts = payloads(self.token)
        self.done: set[tuple] = set()
        self.stored: Counter[str] = Counter()  # payload kind -> fields stored
        self.counter = 0
        self.forms_stored = 0
        self.forms_refused: list[str] = []
        self.dataset_url = ""  # plant_dataset's, once imported

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {k}" for k, n in self.stored.most_common())
        refused = ", ".join(self.forms_refused) or "none"
        return f"{self.forms_stored} forms stored with {sum(self.stored.values())} planted fields ({kinds}); " \
               f"refused even after corrections: {refused}"

    def chain(self, f: web.Field) -> list[str]:
        """The values a field gets, the next one when the form refuses the previous."""
        self.counter += 1
        plain = f"{self.token} plain {self.counter}"
        if f.type == "email":
            return [f"probe-{self.token.lower()}-{RUN}-{self.counter}@example.org"]
        if f.type == "url":
            return [f"javascript:window.__probe='{self.token}'", "https://evil.example/" + self.token]
        if f.tag == "textarea":
            kinds = ["combined", INPUT_KINDS[self.counter % len(INPUT_KINDS)]]
        elif re.search(r"name|label|indicator", f.name):
            kinds = [LABEL_KINDS[self.counter % len(LABEL_KINDS)]]
        else:
            kinds = [INPUT_KINDS[self.counter % len(INPUT_KINDS)], "formula"]
        values = [self.texts[k] for k in kinds]
        limit = f.maxlength or 10_000
        return [v for v in values if len(v) <= limit] + [plain[:limit]]

    def plant(self, client: web.Client, form: web.Form) -> str | None:
        """Plant into one form; the Location of the stored object, or None."""
        key = (web.shape(form.action), tuple(sorted(form.names())))
        texts = [f for f in form.fields if f.is_free_text and not web.DATE_NAME.search(f.name)]
        if key in self.done or form.has_file or NO_PLANT.search(urlsplit(form.action).path) or not texts:
            return None
        self.done.add(key)
        chains = {f.name: self.chain(f) for f in texts}
        values = web.filled(form)
        for attempt in range(4):
            data = [(k, v) for k, v in values if k not in chains] + [(n, c[0]) for n, c in chains.items()]
            response = client.post(form.action, data)
            if response.status_code in (302, 303):
                self.forms_stored += 1
                for chain in chains.values():
                    self.stored[kind_of(chain[0], self.texts)] += 1
                return response.headers["Location"]
            wrong = web.error_fields(response.text) if response.status_code in (200, 400, 409) else None
            if wrong is None or attempt == 3:
                break
            # The form as shown again: it may have grown since the page was read (a list
            # of hypotheses that another form on the page just added to).
            shown = next((f for f in web.parse(response.text, form.action).forms if wrong & f.names()), form)
            have = form.names() | {k for k, _v in values}
            values += [(k, v) for k, v in web.filled(shown) if k not in have]
            if not wrong & set(chains) and not web.refill(shown, values, wrong):
                wrong = set(chains)  # a form-wide error: plain text everywhere
            for name in wrong & set(chains):
                if len(chains[name]) > 1:
                    chains[name].pop(0)
        refused = ", ".join(sorted(wrong or ())) or "no field named"
        self.forms_refused.append(f"{web.shape(form.action)} ({response.status_code}: {refused})")
        return None


def kind_of(value: str, texts: dict[str, str]) -> str:
    return next((k for k, v in texts.items() if v == value), "plain" if " plain " in value else "address")


def plant_dataset(client: web.Client, planter: Planter) -> None:
    """A dataset whose file carries formulas and markup in its indicator and area names,
    imported by the worker before the crawl starts."""
    token = planter.token
    texts = planter.texts
    indicators = [texts["formula"], texts["plus"], texts["minus"], texts["at"], texts["image"]]
    rows = ["Indikator;År;Køn;Område;Antal"]
    for i, name in enumerate(indicators):
        quoted = '"' + name.replace('"', '""') + '"'
        for sex, count in (("K", 20 + i), ("M", 30 + i)):
            rows.append(f"{quoted};2024;{sex};\"\t{token} område {texts['script']}\";{count}")
    body = ("\r\n".join(rows) + "\r\n").encode("utf-8")
    page = client.get("/data/ny/")
    upload_url = planter.plant(client, web.parse(page.text, page.url).form_with("title"))
    if not upload_url:
        return
    response = upload(client, upload_url, "probe.csv", body, "text/csv")
    if response.status_code != 302:
        planter.forms_refused.append(f"dataset upload ({response.status_code})")
        return
    mapping = client.get(response.headers["Location"])
    form = web.parse(mapping.text, mapping.url).form_with("kind")
    response = client.post(form.action, web.filled(form))
    if response.status_code != 302:
        planter.forms_refused.append(f"import mapping ({response.status_code})")
        return
    status_url = urljoin(BASE, response.headers["Location"])
    for _ in range(120):
        if client.get(status_url.rstrip("/") + ".json").json()["finished"]:
            planter.dataset_url = urljoin(BASE, urlsplit(upload_url).path.rsplit("importer/", 1)[0])
            return
        time.sleep(0.5)
    planter.forms_refused.append("dataset import (the worker did not finish it in 60 s)")


def upload(client: web.Client, upload_url: str, filename: str, body: bytes, kind: str, timeout: float = 60):
    return client.request("POST", upload_url, data={"csrfmiddlewaretoken": client.csrf_token},
                          files={"file": (filename, body, kind)}, timeout=timeout)
