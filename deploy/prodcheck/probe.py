"""`make prodcheck`: an outside attacker against the production topology (issue 16's probe).

Runs after journey.py, through nginx, with real HTTP (web.py) and Debian's Chromium where
a browser is needed. Logs in as every role of Odense and Aarhus, plants hostile text in
every free-text field it reaches, crawls every page, then tries:

1. tenancy: every object URL of the other municipality, GET and POST, as every role;
2. injected script: every page that shows a planted payload, in Chromium;
3. PDFs: local files referenced from texts that reach a PDF;
4. exports: formulas planted in labels that reach a CSV/XLSX;
5. CSRF and open redirects;
6. concurrent edits of one stale form;
7. issue 16's findings as an attacker would retry them: lockout by spelling, the session
   of a reactivated user, password-reset mails, forged client addresses, malformed query
   parameters, huge and malformed uploads.

Prints what it tried and what held per area, then a Markdown table; exits non-zero on
any breach.
"""

from __future__ import annotations

import csv
import html
import io
import re
import subprocess
import sys
import threading
import time
import zipfile
from collections import Counter, defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit
from uuid import uuid4

import openpyxl
import requests
import web
from common import BASE, PASSWORD, ROLES, WORK, demo_login, launch_chromium, psql_admin
from plant import RUN, XLSX, Planter, payloads, plant_dataset, upload
from playwright.sync_api import sync_playwright

MUNICIPALITIES = ("odense", "aarhus")
#: Each municipality's planted texts carry its token: a page or file with the token
#: shows a payload, and the other municipality must never see it.
TOKENS = {"odense": "PRBodn", "aarhus": "PRBaar"}
MAX_PAGES_PER_USER = 400
#: Pages (and cross-municipality URLs) of one kind: enough to find what differs
#: between objects, few enough for the run time.
PER_SHAPE = 3
CROSS_PER_SHAPE = 8
WORKERS = 6
#: An upload the limits must refuse is answered within this many seconds.
REFUSE_WITHIN_S = 15
# Links a crawler must not follow: logging out, and anything that changes data on
# GET-looking paths (the views want POST there, but an attacker's crawler is careful).
SKIP_PATHS = re.compile(r"^/(static|platform-admin|i18n)/|/log-ud/|/slet/|/fjern/|/aktiv/|/invitation/")
DOWNLOADS = re.compile(r"\.pdf$|/pdf/$|/eksport[/.]")
DELETE_LINK = re.compile(r"/(slet|fjern)/$")

pool = ThreadPoolExecutor(max_workers=WORKERS)


def say(text: str) -> None:
    print(text, flush=True)


# --- Tally ------------------------------------------------------------------------------


@dataclass
class Area:
    """One row of the final table: what was tried, and every attempt that got through."""

    title: str
    unit: str
    tried: int = 0
    breaches: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def check(self, held: bool, what: str) -> bool:
        with self._lock:
            self.tried += 1
            if not held:
                self.breaches.append(what)
        return held

    def fail(self, what: str) -> None:
        """A breach found by looking at the whole (the logs, the database), not one attempt."""
        with self._lock:
            self.breaches.append(what)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def print(self) -> None:
        state = "held" if not self.breaches else f"FAILED ({len(self.breaches)})"
        say(f"  {self.title}: {self.tried:,} {self.unit}, {state}")
        for text in self.notes:
            say(f"    {text}")
        for text in self.breaches[:12]:
            say(f"    FAIL {text}")
        if len(self.breaches) > 12:
            say(f"    ... and {len(self.breaches) - 12} more")


AREAS: list[Area] = []
#: What the probe planted, printed under the table.
PLANTED: list[str] = []


def area(title: str, unit: str) -> Area:
    AREAS.append(Area(title, unit))
    return AREAS[-1]


# --- Users and crawling ---------------------------------------------------------------


@dataclass
class User:
    municipality: str
    role: str
    client: web.Client

    @property
    def token(self) -> str:
        return TOKENS[self.municipality]

    def __str__(self) -> str:
        return f"{self.role}@{self.municipality}"


@dataclass
class Crawl:
    """What one user saw: pages by URL, every same-site URL, the POST forms, downloads."""

    user: User
    pages: dict[str, str] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    post_forms: list[web.Form] = field(default_factory=list)
    downloads: dict[str, str] = field(default_factory=dict)  # url -> the page that links it
    delete_links: set[str] = field(default_factory=set)

    def post_targets(self) -> list[web.Form]:
        """The POST forms, and each delete link as the bare form its confirmation page has."""
        return self.post_forms + [web.Form(url, "post") for url in sorted(self.delete_links)]


def log_in(municipality: str, role: str) -> User:
    client = web.Client(f"{role}@{municipality}")
    response = client.login(demo_login(role, municipality))
    if response.status_code != 302 or "sessionid" not in client.cookies:
        raise SystemExit(f"probe: could not log in as {client.label} ({response.status_code})")
    return User(municipality, role, client)


def get_form_urls(form: web.Form) -> list[str]:
    """A GET form submitted as it is, and once per choice of each of its lists."""
    base = list(form.defaults())
    urls = [form.action.split("?")[0] + "?" + urlencode(base)]
    for f in form.fields:
        if f.tag == "select":
            for value, _selected in f.options[:6]:
                data = [(k, v) for k, v in base if k != f.name] + [(f.name, value)]
                urls.append(form.action.split("?")[0] + "?" + urlencode(data))
    return urls


def crawl(user: User, planter: Planter | None, foreign: Markers) -> Crawl:
    """Breadth first from the start page, PER_SHAPE pages of a kind, MAX_PAGES_PER_USER
    in all; plants into the POST forms on the way (so later pages show the payloads)."""
    result = Crawl(user)
    queue: deque[str] = deque()
    per_shape: Counter[str] = Counter()
    revisited: set[str] = set()

    def consider(url: str, *, again: bool = False) -> None:
        url = urljoin(BASE, url).split("#")[0]
        if not web.same_site(url):
            return
        result.seen.add(url)
        path = urlsplit(url).path
        if DOWNLOADS.search(path):
            result.downloads.setdefault(url, current)
        elif SKIP_PATHS.search(path):
            if DELETE_LINK.search(path):
                result.delete_links.add(url)
        elif again and url not in revisited:
            revisited.add(url)
            queue.append(url)
        elif url not in result.pages and url not in queue and per_shape[web.shape(url)] < PER_SHAPE:
            per_shape[web.shape(url)] += 1
            queue.append(url)

    current = BASE + "/"
    consider("/")
    fetched = 0
    while queue and fetched < MAX_PAGES_PER_USER:
        batch = [queue.popleft() for _ in range(min(len(queue), WORKERS * 2, MAX_PAGES_PER_USER - fetched))]
        fetched += len(batch)
        for url, response in zip(batch, pool.map(user.client.get, batch), strict=True):
            current = url
            if response.status_code in (301, 302):
                consider(response.headers["Location"])
                continue
            if "text/html" not in response.headers.get("Content-Type", ""):
                continue
            body = response.text
            result.pages[url] = body
            foreign.check_absent(body, f"{user} crawling {url}")
            page = web.parse(body, url)
            for link in page.links:
                consider(link)
            for form in page.forms:
                if form.method == "get":
                    for form_url in get_form_urls(form):
                        consider(form_url)
                    continue
                result.post_forms.append(form)
                result.seen.add(form.action)
                if planter is not None:
                    location = planter.plant(user.client, form)
                    if location:
                        consider(location)
                        consider(url, again=True)
    return result


# --- 1. Tenancy ------------------------------------------------------------------------


class Markers:
    """Text that only one municipality's pages may contain: its name, its own unit names
    and dataset titles, its users' addresses and its planted token."""

    def __init__(self, municipality: str, other: str, area: Area):
        self.area = area

        def names(slug: str) -> set[str]:
            return set(filter(None, psql_admin(
                f"SELECT m.name FROM accounts_municipality m WHERE m.slug = '{slug}' UNION "
                "SELECT u.name FROM accounts_unit u JOIN accounts_municipality m ON m.id = u.municipality_id "
                f"WHERE m.slug = '{slug}' UNION SELECT d.title FROM datasets_dataset d "
                f"JOIN accounts_municipality m ON m.id = d.municipality_id WHERE m.slug = '{slug}'",
            ).splitlines()))

        # A one-word unit name ("Jobcenter") is an ordinary word on any page, names of
        # several words are not; and what every visitor sees (the guidance quotes
        # Odense's demo data) is nobody's secret.
        public = "".join(web.Client().get(path).text for path in ("/vejledning/", "/konto/log-ind/"))
        own, theirs = names(municipality), names(other)
        self.texts = sorted(t for t in own - theirs if " " in t.strip() and t not in public)
        self.texts += [f"@{municipality}.demo", TOKENS[municipality]]

    def found(self, body: str) -> list[str]:
        text = html.unescape(body)
        return [t for t in self.texts if t in text]

    def check_absent(self, body: str, where: str) -> None:
        found = self.found(body)
        self.area.check(not found, f"{where} shows {found[:3]}")


def uuids(url: str) -> set[str]:
    return set(web.UUID.findall(url))


def reference_ids() -> set[str]:
    """The shared reference datasets (no municipality) and their indicators: everybody's."""
    return set(psql_admin(
        "SELECT d.uuid FROM datasets_dataset d WHERE d.municipality_id IS NULL UNION SELECT i.uuid "
        "FROM datasets_indicator i JOIN datasets_dataset d ON d.id = i.dataset_id WHERE d.municipality_id IS NULL"
    ).split())


def cross_urls(theirs: list[Crawl], ours: list[Crawl]) -> list[tuple[str, bool]]:
    """The other municipality's URLs that name one of its own objects (shared reference
    data, seen by both, is not theirs), CROSS_PER_SHAPE of each kind; with each, whether
    their object is only a filter value in the query string."""
    shared = reference_ids() | set().union(*(uuids(u) for c in ours for u in c.seen))
    per_shape: Counter[str] = Counter()
    chosen = []
    reached = set().union(*(c.seen for c in theirs)) - {f.action for c in theirs for f in c.post_forms}
    for url in sorted(reached | set().union(*(c.downloads for c in theirs))):
        if uuids(url) - shared and per_shape[web.shape(url)] < CROSS_PER_SHAPE:
            per_shape[web.shape(url)] += 1
            chosen.append((url, not uuids(urlsplit(url).path) - shared))
    return chosen


def judge(user: User, method: str, url: str, response, foreign: Markers, tally: Area, answers: Counter,
          *, filter_only: bool = False, data=None) -> None:
    """404, and nothing of theirs in the body. Two answers tell nothing either, when a
    made-up id gets the same: a role too weak for the view gets 403 (a POST-only view
    405) before any lookup, and a list ignores a filter value that is not one of ours."""
    status = response.status_code
    found = foreign.found(response.text if "text" in response.headers.get("Content-Type", "") else "")
    held, answer = status == 404 and not found, str(status)
    if not found and (status in (403, 405) or status == 200 and filter_only):
        made_up = web.UUID.sub(lambda _m: str(uuid4()), url)
        held = user.client.request(method, made_up, data=data).status_code == status
        answer = f"{status} as for a made-up id" if held else f"{status} unlike a made-up id"
    answers[answer] += 1
    tally.check(held, f"{user} {method} {url} -> {status}" + (f", shows {found[:3]}" if found else ""))


def cross_get(users: list[User], urls: list[tuple[str, bool]], foreign: Markers, tally: Area) -> None:
    answers: Counter[str] = Counter()

    def one(job):
        user, (url, filter_only) = job
        judge(user, "GET", url, user.client.get(url), foreign, tally, answers, filter_only=filter_only)

    list(pool.map(one, [(u, url) for u in users for url in urls]))
    tally.note(f"as {users[0].municipality}: {dict(answers.most_common())}")


def database_digest() -> str:
    """A fingerprint of every business table (the audit log, sessions and the login
    throttle change on every request and are left out)."""
    tables = psql_admin(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN "
        "('accounts_auditevent', 'django_session') AND tablename NOT LIKE 'axes%' "
        "AND tablename NOT LIKE 'django_tasks%' ORDER BY 1").split()
    sql = " UNION ALL ".join(f"SELECT '{t}', md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                             f"FROM {t} t" for t in tables)
    return psql_admin(sql)


def cross_post(users: list[User], forms: list[web.Form], shared: set[str], foreign: Markers, tally: Area) -> None:
    """Their edit and delete forms, submitted with our own session's CSRF token; no
    table may change."""
    targets = {}
    for form in forms:
        if uuids(urlsplit(form.action).path) - shared:
            targets.setdefault(form.action, form)
    answers: Counter[str] = Counter()
    before = database_digest()

    def one(job):
        user, form = job
        data = [(k, v) for k, v in form.defaults() if k != "csrfmiddlewaretoken"]
        data.append(("csrfmiddlewaretoken", user.client.csrf_token))
        judge(user, "POST", form.action, user.client.post(form.action, data), foreign, tally, answers, data=data)

    list(pool.map(one, [(u, f) for u in users for f in targets.values()]))
    changed = database_digest() != before
    if changed:
        tally.fail("the other municipality's POSTs changed data")
    tally.note(f"as {users[0].municipality}: {dict(answers.most_common())}; "
               + ("TABLES CHANGED" if changed else "no table changed"))


# --- 2. Injected script -----------------------------------------------------------------

WATCH_SCRIPT = """
window.__probeViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__probeViolations.push(e.effectiveDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || ''));
});
"""

INSPECT_SCRIPT = """() => ({
  ran: window.__probe || null,
  violations: window.__probeViolations || [],
  jsLinks: [...document.querySelectorAll('a')].map(a => a.getAttribute('href') || a.getAttribute('xlink:href') || '')
    .filter(h => /^\\s*javascript:/i.test(h)).length,
  handlers: document.querySelectorAll('[onerror], link[rel=attachment]').length,
  text: document.body ? document.body.innerText : '',
})"""


def sample(crawls: list[Crawl], urls_of, limit: int) -> list[tuple[User, str]]:
    """(user, url) pairs, `limit` of each kind of URL per municipality, in crawl order."""
    per_shape: Counter[tuple[str, str]] = Counter()
    chosen = []
    for crawl_ in crawls:
        for url in urls_of(crawl_):
            key = (crawl_.user.municipality, web.shape(url))
            if per_shape[key] < limit:
                per_shape[key] += 1
                chosen.append((crawl_.user, url))
    return chosen


def inspect(page, token: str) -> tuple[list[str], str]:
    """What ran or was blocked on the page that is open (empty when nothing did), and
    the page's text."""
    seen = page.evaluate(INSPECT_SCRIPT)
    problems = []
    if seen["ran"]:
        problems.append(f"script ran ({seen['ran']})")
    blocked = [v for v in seen["violations"] if v.startswith("script") or "__probe" in v]
    if blocked:
        problems.append(f"unescaped, blocked by the CSP: {blocked[:2]}")
    if seen["jsLinks"] or seen["handlers"]:
        problems.append(f"{seen['jsLinks']} javascript: links, {seen['handlers']} event handlers or attachments")
    evaluated = re.findall(rf"{token}-tpl (?!{{{{)\S+", seen["text"])
    if evaluated:
        problems.append(f"template syntax evaluated: {evaluated[:1]}")
    return problems, seen["text"]


def check_detector(browser, token: str) -> None:
    """The detector must see a payload that runs, and one that the CSP blocks; else a
    quiet result would prove nothing."""
    context = browser.new_context(ignore_https_errors=True)
    context.add_init_script(WATCH_SCRIPT)
    page = context.new_page()
    page.set_content(f"<p>{payloads(token)['image']}</p>")
    page.wait_for_timeout(100)
    running, _text = inspect(page, token)
    page.goto(BASE + "/konto/log-ind/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"window.__probe=1\">')")
    page.wait_for_timeout(100)
    blocked, _text = inspect(page, token)
    context.close()
    if not any("ran" in p for p in running) or not any("blocked" in p for p in blocked):
        raise SystemExit(f"probe: the script detector is blind (ran: {running}, blocked: {blocked})")


def check_scripts(crawls: list[Crawl], tally: Area) -> None:
    """Open the pages that show a planted payload as the user who saw them; nothing runs."""
    chosen = sample(crawls, lambda c: [u for u, body in c.pages.items() if c.user.token in body], 1)
    by_user: dict[str, list[str]] = defaultdict(list)
    users = {}
    for user, url in chosen:
        by_user[str(user)].append(url)
        users[str(user)] = user
    shown_as_text = 0
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        check_detector(browser, TOKENS["odense"])
        for name, urls in by_user.items():
            user = users[name]
            context = browser.new_context(ignore_https_errors=True)
            context.add_cookies([{"name": k, "value": v, "url": BASE, "secure": True}
                                 for k, v in user.client.cookies.items()])
            context.add_init_script(WATCH_SCRIPT)
            page = context.new_page()
            for url in urls:
                page.goto(url, wait_until="load")
                page.wait_for_timeout(30)  # an onerror fires after the broken image
                problems, text = inspect(page, user.token)
                shown_as_text += "<script>" in text
                tally.check(not problems, f"{user} {url}: {'; '.join(problems)}")
            context.close()
        browser.close()
    tally.note(f"{shown_as_text} pages show a planted <script> as text")


# --- 3. PDFs ----------------------------------------------------------------------------

LOCAL_FILE = "root:x:0:0"


def wait_for_reports(user: User, crawl_: Crawl) -> list[str]:
    """The download URLs of this municipality's planted committee reports, once built."""
    reports = {re.sub(r"(rapporter/[^/]+/).*", r"\1", u) for u in crawl_.pages
               if re.search(r"/overblik/rapporter/[0-9a-f-]{36}/$", u) and user.token in crawl_.pages[u]}
    urls = []
    for report in sorted(reports):
        for _ in range(240):
            status = user.client.get(report + "status/").json()
            if status["finished"]:
                break
            time.sleep(0.5)
        if status.get("download_url"):
            urls.append(status["download_url"])
    return urls


PDF_KINDS = {"rapporter": "committee report", "projektplan": "project plan", "dagsorden": "workshop agenda",
             "guide": "focus-group guide"}


def check_pdfs(crawls: list[Crawl], tally: Area) -> None:
    """The committee reports (built by the worker) and each kind of PDF of a planted
    object: no local file in the text, nothing attached."""
    kinds: Counter[str] = Counter()
    carried = 0
    for crawl_ in crawls:
        user = crawl_.user
        per_shape: Counter[str] = Counter()
        urls = wait_for_reports(user, crawl_)
        for url, page in crawl_.downloads.items():
            if url.endswith(".pdf") and user.token in crawl_.pages.get(page, "") and per_shape[web.shape(url)] < 2:
                per_shape[web.shape(url)] += 1
                urls.append(url)
        for url in urls:
            response = user.client.get(url, timeout=120)
            path = WORK / "probe.pdf"
            path.write_bytes(response.content)
            text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
            attached = subprocess.run(["pdfdetach", "-list", str(path)], capture_output=True, text=True).stdout
            carried += user.token in text
            kinds[next((k for part, k in PDF_KINDS.items() if part in url), "other")] += 1
            tally.check(response.content.startswith(b"%PDF") and LOCAL_FILE not in text
                        and attached.startswith("0 embedded files"),
                        f"{user} {url}: status {response.status_code}, local file shown: {LOCAL_FILE in text}, "
                        f"attachments: {attached.splitlines()[:1]}")
    # WeasyPrint logs every resource it could not fetch: a try at a local file shows there.
    fetched = [line for log in (WORK / "logs").glob("*.log") for line in log.read_text(errors="replace").splitlines()
               if "file:///etc/passwd" in line]
    if fetched:
        tally.fail(f"the logs show a fetch of a planted local file: {fetched[0]}")
    tally.note(f"{', '.join(f'{n} {k}' for k, n in kinds.most_common())}; {carried} carry a planted payload; "
               "no log line mentions a planted file:// URL")


# --- 4. Exports -------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[-+]?\d[\d.,]*(e[-+]?\d+)?%?")


def dangerous(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value)


def export_cells(response) -> list:
    kind = response.headers.get("Content-Type", "")
    if "spreadsheetml" in kind:
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        cells = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                # A formula cell is a breach whatever its text.
                cells += ["=formula " + str(c.value) if c.data_type == "f" else c.value for c in row]
        return cells
    charset = re.search(r"charset=([\w-]+)", kind)
    encoding = "utf-8-sig" if not charset or charset.group(1).lower() in ("utf-8", "utf8") else charset.group(1)
    text = response.content.decode(encoding)
    return [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]


def planted_exports(user: User, dataset_url: str) -> list[tuple[User, str]]:
    """Every export of the planted dataset: one indicator per kind of formula."""
    if not dataset_url:
        return []
    page = user.client.get(dataset_url)
    return [(user, url) for url in web.parse(page.text, page.url).links if "/eksport" in url]


def check_exports(crawls: list[Crawl], planted: list[tuple[User, str]], tally: Area) -> None:
    """The planted dataset's exports and each kind of export link per municipality,
    twice (those on pages that show a payload first); no cell a spreadsheet would run."""
    def one(job) -> tuple[int, int]:
        user, url = job
        response = user.client.get(url)
        cells = export_cells(response) if response.status_code == 200 else []
        bad = [c for c in cells if dangerous(c)]
        tally.check(response.status_code == 200 and not bad, f"{user} {url} -> {response.status_code}: {bad[:2]}")
        ours = [c for c in cells if isinstance(c, str) and user.token in c]
        return bool(ours), sum(c.startswith("'") for c in ours)

    def exports_of(c: Crawl) -> list[str]:
        urls = [u for u in c.downloads if "/eksport" in u]
        return sorted(urls, key=lambda u: (c.user.token not in c.pages.get(c.downloads[u], ""), u))

    results = list(pool.map(one, planted + sample(crawls, exports_of, 2)))
    tally.note(f"{sum(r[0] for r in results)} exports carry planted labels; {sum(r[1] for r in results)} "
               "planted formulas came out with a leading '")


# --- 5. CSRF and redirects --------------------------------------------------------------

OFF_SITE = ["https://evil.example/", "//evil.example", "/\\evil.example", "https:evil.example",
            "\\\\evil.example", "/%2F/evil.example", " //evil.example", "https://localhost@evil.example/"]


def off_site(location: str | None) -> bool:
    """Whether a browser would follow this Location away from the site (browsers read a
    backslash as a slash)."""
    if not location:
        return False
    normal = location.strip().replace("\\", "/")
    if normal.startswith("//"):
        return True
    if re.match(r"[a-z][a-z0-9+.-]*:", normal, re.I):
        return not (normal + "/").startswith(BASE + "/")
    return urlsplit(urljoin(BASE + "/", normal)).netloc != web.HOST


def check_csrf(crawls: list[Crawl], tally: Area) -> None:
    """Every kind of POST form without its token, and with a token but from another site."""
    jobs = []
    for crawl_ in crawls:
        done = set()
        for form in crawl_.post_targets():
            key = web.shape(form.action)
            if key not in done:
                done.add(key)
                jobs.append((crawl_.user, form))

    def one(job):
        user, form = job
        data = [(k, v) for k, v in form.defaults() if k != "csrfmiddlewaretoken"]
        response = user.client.post(form.action, data)
        tally.check(response.status_code == 403, f"{user} POST {form.action} without token -> {response.status_code}")
        data.append(("csrfmiddlewaretoken", user.client.csrf_token))
        response = user.client.post(form.action, data, headers={"Origin": "https://evil.example",
                                                                 "Referer": "https://evil.example/"})
        tally.check(response.status_code == 403, f"{user} POST {form.action} from evil.example -> {response.status_code}")

    list(pool.map(one, jobs))


def check_redirects(tally: Area) -> None:
    """Login, language switch and logout with a `next` that leaves the site."""
    email = demo_login("leder", "nyborg")
    for target in OFF_SITE:
        client = web.Client("redirect")
        response = client.login(email, next_url=target)
        tally.check(response.status_code == 302 and not off_site(response.headers.get("Location")),
                    f"login next={target!r} -> {response.status_code} {response.headers.get('Location')}")
        page = client.get("/konto/log-ind/?" + urlencode({"next": target}))
        tally.check(not off_site(page.headers.get("Location")),
                    f"login page next={target!r} -> {page.headers.get('Location')}")
        response = client.post("/i18n/setlang/", {"csrfmiddlewaretoken": client.csrf_token, "language": "en",
                                                  "next": target})
        tally.check(not off_site(response.headers.get("Location")),
                    f"language next={target!r} -> {response.status_code} {response.headers.get('Location')}")
        response = client.post("/konto/log-ud/?" + urlencode({"next": target}),
                               {"csrfmiddlewaretoken": client.csrf_token, "next": target})
        tally.check(not off_site(response.headers.get("Location")),
                    f"logout next={target!r} -> {response.status_code} {response.headers.get('Location')}")


# --- 6. Concurrent edits ----------------------------------------------------------------

CONCURRENT = 11


def own_entry(user: User) -> str:
    """The URL of one of the user's logbook entries; logs a conversation when there is none."""
    for _ in range(2):
        mine = user.client.get("/logbog/samtaler/mine/")
        entries = [u for u in web.parse(mine.text, mine.url).links if re.search(r"/samtaler/[0-9a-f-]{36}/$", u)]
        if entries:
            return entries[0]
        page = user.client.get("/logbog/samtaler/")
        form = web.parse(page.text, page.url).form_with("sex")
        user.client.post(form.action, web.filled(form))
    raise SystemExit(f"probe: {user} could not log a conversation")


def check_concurrent_edits(user: User, tally: Area) -> None:
    """One stale edit form of a logbook entry (the form that carries `version`), sent
    CONCURRENT times at once: exactly one is saved, the others get 409."""
    page = user.client.get(own_entry(user) + "ret/")
    form = web.parse(page.text, page.url).form_with("version")
    data = web.filled(form)
    web.set_value(data, "reflections", f"{user.token} concurrent edit")
    barrier = threading.Barrier(CONCURRENT)

    def submit(_):
        barrier.wait()
        return user.client.post(form.action, data).status_code

    with ThreadPoolExecutor(max_workers=CONCURRENT) as threads:
        statuses = list(threads.map(submit, range(CONCURRENT)))
    counts = Counter(statuses)
    # Each submission held when the outcomes together are one save and 409 for the rest.
    held = counts[302] == 1 and counts[409] == CONCURRENT - 1
    for status in statuses:
        tally.check(held, f"{CONCURRENT} concurrent edits of one form gave {dict(counts)} (one got {status})")
    tally.note(f"{counts[302]} saved, {counts[409]} of {CONCURRENT - 1} others got 409")


# --- 7. Issue 16's findings, retried ------------------------------------------------------


def check_lockout(tally: Area) -> None:
    """Five failures spread over spellings of one address lock every spelling, the right
    password included. A Nyborg login nothing else uses, so the journey is not locked."""
    email = demo_login("analytiker", "nyborg")
    local, domain = email.split("@")
    spellings = [email.upper(), f"  {email} ", local.capitalize() + "@" + domain.upper(),
                 "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in local) + "@" + domain,
                 email.replace("@", "\uff20")]
    for spelling in spellings:
        web.Client("lockout").login(spelling, "wrong-" + PASSWORD)
    for spelling in [email, *spellings]:
        client = web.Client("lockout")
        response = client.login(spelling, PASSWORD)
        tally.check(response.status_code != 302 and "sessionid" not in client.cookies,
                    f"after 5 failures over {len(spellings)} spellings, {spelling!r} still logs in")


def user_detail_url(admin: web.Client, email: str) -> str:
    """The administration page of the user with this address."""
    home = admin.get("/konto/administration/")
    for url in web.parse(home.text, home.url).links:
        if re.search(r"/brugere/[0-9a-f-]{36}/$", url) and email in admin.get(url).text:
            return url
    raise SystemExit(f"probe: {email} is not in the administration's user list")


def set_active(admin: web.Client, detail_url: str) -> None:
    """Press the page's (de)activate button."""
    page = admin.get(detail_url)
    form = web.parse(page.text, page.url).form_with("active")
    admin.post(form.action, form.defaults())


def check_reactivated_session(tally: Area) -> None:
    """A user the administrator deactivates is out at once, and the session they had
    stays dead when they are reactivated (issue 16: it worked again)."""
    email = demo_login("medarbejder", "nyborg")
    user, admin = web.Client("user"), web.Client("admin")
    user.login(email)
    admin.login(demo_login("administrator", "nyborg"))
    detail = user_detail_url(admin, email)
    set_active(admin, detail)
    tally.check(user.get("/").status_code == 302, "a deactivated user's session still opens the start page")
    set_active(admin, detail)
    tally.check(user.get("/").status_code == 302, "after reactivation, the session from before works again")


RESETS = 10


def check_reset_throttle(tally: Area) -> None:
    """Password-reset mails for one address are throttled (the console mail backend
    writes every mail to gunicorn's log, where they are counted)."""
    email = demo_login("leder", "nyborg")
    log = WORK / "logs" / "gunicorn.log"
    before = log.read_text(errors="replace").count(f"To: {email}")
    for _ in range(RESETS):
        client = web.Client("reset")
        page = client.get("/konto/glemt-adgangskode/", keep_cookies=True)
        form = web.parse(page.text, page.url).form_with("email")
        data = form.defaults()
        web.set_value(data, "email", email)
        client.post(form.action, data)
    time.sleep(0.5)
    sent = log.read_text(errors="replace").count(f"To: {email}") - before
    tally.tried += RESETS
    if sent >= RESETS:
        tally.fail(f"{RESETS} password-reset requests for one address sent {sent} mails")
    tally.note(f"{RESETS} requests for one address sent {sent} mails")


def check_audit_addresses(tally: Area) -> None:
    """Every request of the probe claimed 6.6.6.6 (web.FORGED_ADDRESS_HEADERS); the
    audit log must have recorded the loopback address nginx saw, never the claim."""
    rows = psql_admin("SELECT coalesce(host(ip), '-'), count(*) FROM accounts_auditevent GROUP BY 1").splitlines()
    for row in rows:
        address, count = row.rsplit("|", 1)
        tally.tried += int(count)
        if address not in ("127.0.0.1", "-"):
            tally.breaches.append(f"{count} audit events recorded the client's claimed address {address}")


FUZZ_VALUES = ["not-a-uuid", "%00", "abc%00def", "%FF%FE", "x" * 3000, "00000000-0000-0000-0000-00000000000%00"]


def fuzz_urls(crawls: list[Crawl]) -> list[tuple[User, str]]:
    """Each kind of page with `unit` and each of its own query parameters malformed."""
    jobs, done = [], set()
    for crawl_ in crawls:
        for url in crawl_.pages:
            parts = urlsplit(url)
            names = {k for k, _ in parse_qsl(parts.query, keep_blank_values=True)} | {"unit"}
            if web.shape(url) in done:
                continue
            done.add(web.shape(url))
            for name in sorted(names):
                for value in FUZZ_VALUES:
                    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
                    raw = urlencode(query) + ("&" if query else "") + f"{quote(name)}={value}"
                    jobs.append((crawl_.user, f"{BASE}{parts.path}?{raw}"))
    return jobs


def check_fuzz(crawls: list[Crawl], tally: Area) -> None:
    def one(job):
        user, url = job
        status = user.client.get(url).status_code
        tally.check(status < 500, f"{user} GET {url[len(BASE):][:120]} -> {status}")

    list(pool.map(one, fuzz_urls(crawls)))


def wide_csv() -> bytes:
    header = ";".join(f"kolonne{i}" for i in range(100_000))
    return (header + "\r\n" + ";".join("1" for _ in range(100_000)) + "\r\n").encode()


def zip_bomb_xlsx() -> bytes:
    """A workbook of about 30 MB whose shared strings unpack to 450 MB, a ratio of 14 that
    passes a ratio limit alone (issue 16's file: 26 MB to 450 MB)."""
    buffer = io.BytesIO()
    base = openpyxl.Workbook()
    base.active.append(["Køn", "Antal"])
    template = io.BytesIO()
    base.save(template)
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        for item in source.infolist():
            if item.filename != "xl/sharedStrings.xml":
                bomb.writestr(item, source.read(item.filename))
        with bomb.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                          b'spreadsheetml/2006/main">')
            chunk = "".join(f"<si><t>borger {i % 5000:04d} tekst</t></si>" for i in range(100_000))
            for _ in range(450 * 1024 * 1024 // len(chunk)):
                strings.write(chunk.encode())
            strings.write(b"</sst>")
    return buffer.getvalue()


def nul_late_csv() -> bytes:
    """A CSV whose NUL byte comes after the part read to suggest the mapping."""
    rows = "".join(f"{'K' if i % 2 else 'M'};{i % 90}\r\n" for i in range(50_000))
    return ("Køn;Antal\r\n" + rows + "K;\x001\r\n" + rows).encode()


def single_line_csv() -> bytes:
    """10 MB without a line break: a header that never ends."""
    return b"kolonne;" * (10 * 1024 * 1024 // 8)


def new_dataset(user: User, filename: str) -> str | None:
    """A dataset to upload into; the URL of its upload page."""
    page = user.client.get("/data/ny/")
    form = web.parse(page.text, page.url).form_with("title")
    data = web.filled(form)
    web.set_value(data, "title", f"{user.token} upload check {filename} {RUN}")
    return user.client.post(form.action, data).headers.get("Location")


def timed_upload(user: User, upload_url: str, filename: str, body: bytes, kind: str):
    """The answer (None when there was none in time) and the seconds it took."""
    started = time.monotonic()
    try:
        response = upload(user.client, upload_url, filename, body, kind, timeout=REFUSE_WITHIN_S + 5)
    except requests.Timeout:  # the client gave up; the server may still be working on it
        response = None
    return response, time.monotonic() - started


def refused(response) -> bool:
    """The upload page again with the file's error, or nginx's 413."""
    return response.status_code == 413 or (response.status_code in (200, 400)
                                            and "file" in (web.error_fields(response.text) or ()))


def import_to_the_end(user: User, mapping_url: str) -> list[int]:
    """Confirm the suggested mapping and follow the import; every status code on the way."""
    page = user.client.get(mapping_url)
    if page.status_code != 200:
        return [page.status_code]
    statuses = [page.status_code]
    form = web.parse(page.text, page.url).form_with("kind")
    response = user.client.post(form.action, web.filled(form))
    statuses.append(response.status_code)
    if response.status_code == 302:
        status_url = urljoin(BASE, response.headers["Location"])
        for _ in range(60):
            progress = user.client.get(status_url.rstrip("/") + ".json")
            statuses.append(progress.status_code)
            if progress.status_code != 200 or progress.json()["finished"]:
                break
            time.sleep(0.5)
        statuses.append(user.client.get(status_url + "?stay=1").status_code)
    return statuses


def check_uploads(user: User, tally: Area) -> None:
    """Huge files are refused quickly with a message, before any mapping page; malformed
    ones never give a 500, from the upload to the end of the import."""
    files = [("100,000-column CSV", "wide.csv", wide_csv, "text/csv", True),
             ("zip-bomb .xlsx", "bomb.xlsx", zip_bomb_xlsx, XLSX, True),
             ("CSV with a NUL byte late", "nul.csv", nul_late_csv, "text/csv", False),
             ("10 MB single-line CSV", "line.csv", single_line_csv, "text/csv", False)]
    for label, filename, make, kind, must_refuse in files:
        upload_url = new_dataset(user, filename)
        if not upload_url:
            tally.fail(f"{label}: could not create a dataset to upload into")
            continue
        body = make()
        label += f" ({len(body) / 1e6:.1f} MB)"
        response, seconds = timed_upload(user, upload_url, filename, body, kind)
        if response is None:
            held, outcome = False, f"no answer in {seconds:.0f} s"
        elif must_refuse:
            held = refused(response) and seconds <= REFUSE_WITHIN_S
            outcome = f"{response.status_code} in {seconds:.1f} s" + (
                " with a message" if refused(response) else ", accepted for the mapping page")
        else:
            statuses = [response.status_code]
            if response.status_code == 302:
                statuses += import_to_the_end(user, urljoin(BASE, response.headers["Location"]))
            held = max(statuses) < 500 and seconds <= REFUSE_WITHIN_S
            outcome = f"answered in {seconds:.1f} s, then {' '.join(map(str, statuses))}"
        tally.check(held, f"{label}: {outcome}")
        tally.note(f"{label}: {outcome}")


# --- Main --------------------------------------------------------------------------------


def main() -> None:
    started = time.monotonic()
    try:
        probe(started)
    finally:  # what was found so far is printed even when a step crashed
        held = report(time.monotonic() - started)
    sys.exit(0 if held else 1)


def probe(started: float) -> None:
    tenancy_pages = area("Tenancy: own pages free of the other municipality's data", "pages")
    tenancy_get = area("Tenancy: other municipality's object URLs, GET", "requests")
    tenancy_post = area("Tenancy: other municipality's edit/delete forms, POST with own CSRF token", "requests")
    scripts = area("Injected script: pages with a planted payload opened in Chromium", "pages")
    pdfs = area("PDFs: local files referenced from planted text", "PDFs")
    exports = area("Exports: planted formulas neutralised", "exports")
    csrf = area("CSRF: POST forms without token / from another origin", "requests")
    redirects = area("Open redirects: login, language switch, logout `next`", "attempts")
    concurrent = area("Concurrent edits of one stale form", "submissions")
    lockout = area("Lockout across spellings of one address", "logins")
    sessions = area("Session of a deactivated, then reactivated user", "requests")
    resets = area("Password-reset mails throttled per address", "requests")
    fuzz = area("Malformed ?unit=, NUL bytes, bad UTF-8 in query parameters", "requests")
    uploads = area("Uploads: huge files refused quickly, malformed ones never a 500", "uploads")
    audit_ip = area("Audit log records nginx's client address, not a forged one", "audit events")

    def phase(text: str) -> None:
        say(f"- [{time.monotonic() - started:5.0f} s] {text}")

    phase("logging in as every role of Odense and Aarhus")
    pairs = (MUNICIPALITIES, MUNICIPALITIES[::-1])  # (ours, theirs) both ways
    users = {m: [log_in(m, role) for role in reversed(ROLES)] for m in MUNICIPALITIES}
    role = {(u.municipality, u.role): u for m in MUNICIPALITIES for u in users[m]}
    markers = {m: Markers(m, other, tenancy_pages) for m, other in pairs}
    planters = {m: Planter(TOKENS[m]) for m in MUNICIPALITIES}

    phase("planting a dataset with hostile labels (imported by the worker)")
    for m in MUNICIPALITIES:
        plant_dataset(role[m, "analytiker"].client, planters[m])

    phase("crawling and planting as every role, both municipalities at once")
    with ThreadPoolExecutor(max_workers=len(MUNICIPALITIES)) as each:
        crawls = dict(zip(MUNICIPALITIES, each.map(
            lambda pair: [crawl(u, planters[pair[0]], markers[pair[1]]) for u in users[pair[0]]], pairs),
            strict=True))
    every_crawl = [c for m in MUNICIPALITIES for c in crawls[m]]
    for c in every_crawl:
        say(f"  {c.user}: {len(c.pages)} pages, {len(c.post_forms)} POST forms, {len(c.downloads)} downloads")
    for m in MUNICIPALITIES:
        say(f"  {m}: {planters[m].summary()}")
        PLANTED.append(f"{m.capitalize()}: {planters[m].forms_stored} forms with "
                       f"{sum(planters[m].stored.values())} fields")

    for m in MUNICIPALITIES:  # else the tenancy checks would look for text no page shows
        if not any(TOKENS[m] in body for c in crawls[m] for body in c.pages.values()):
            raise SystemExit(f"probe: no page of {m} shows its planted text; the tenancy checks would be blind")

    phase("tenancy: the other municipality's URLs as every role")
    for m, other in pairs:
        cross_get(users[m], cross_urls(crawls[other], crawls[m]), markers[other], tenancy_get)

    phase("exports; PDFs (the worker builds the committee reports)")
    planted = [job for m in MUNICIPALITIES for job in planted_exports(role[m, "analytiker"], planters[m].dataset_url)]
    check_exports(every_crawl, planted, exports)
    check_pdfs(every_crawl, pdfs)

    phase("tenancy: the other municipality's forms, POSTed")
    for m, other in pairs:
        shared = reference_ids() | set().union(*(uuids(u) for c in crawls[m] for u in c.seen))
        cross_post(users[m], [f for c in crawls[other] for f in c.post_targets()], shared, markers[other],
                   tenancy_post)

    phase("injected script, in Chromium")
    check_scripts(every_crawl, scripts)

    phase("CSRF, redirects, concurrent edits")
    check_csrf(every_crawl, csrf)
    check_redirects(redirects)
    check_concurrent_edits(role["odense", "medarbejder"], concurrent)

    phase("issue 16's findings: lockout, sessions, resets, malformed parameters, uploads, forged addresses")
    check_lockout(lockout)
    check_reactivated_session(sessions)
    check_reset_throttle(resets)
    check_fuzz(every_crawl, fuzz)
    check_uploads(role["odense", "analytiker"], uploads)
    check_audit_addresses(audit_ip)
    phase("done")


def report(seconds: float) -> bool:
    with open(WORK / "probe-breaches.txt", "w") as out:
        for a in AREAS:
            out.writelines(f"{a.title}: {text}\n" for text in a.breaches)
    say("\nWhat the probe tried, and what held (every breach: var/prodcheck/probe-breaches.txt):")
    for a in AREAS:
        a.print()
    say("\n| Area | Tried | Held |\n|---|---:|---|")
    for a in AREAS:
        held = "all" if not a.breaches else f"**no: {len(a.breaches)} failed**"
        say(f"| {a.title} | {a.tried:,} {a.unit} | {held} |")
    if PLANTED:
        say(f"\nPayloads planted through the forms: {'; '.join(PLANTED)}.")
    failed = [a for a in AREAS if a.breaches]
    say(f"\nprobe ran {seconds:.0f} s; " + ("every area held" if not failed else f"{len(failed)} area(s) failed"))
    return not failed


if __name__ == "__main__":
    main()
