"""An outside client for the probe: HTTPS through nginx with a session of its own, the
links and forms of a page as a browser sees them (stdlib parser, nothing taken from the
templates), and forms filled in as a person would."""

from __future__ import annotations

import itertools
import re
import ssl
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import requests
from common import BASE, CERT, PASSWORD
from requests.adapters import HTTPAdapter

#: Text inputs that want a date (Django's DateField renders type="text" unless told).
DATE_NAME = re.compile(r"date|dato|_on$|_from$|_to$|^period")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
HOST = urlsplit(BASE).netloc

# Every request claims another client address in one of the ways clients do; the audit
# log must record the real one (checked at the end of the probe).
FORGED_ADDRESS_HEADERS = itertools.cycle([
    {"X-Forwarded-For": "6.6.6.6"},
    {"X-Forwarded-For": "6.6.6.6, 7.7.7.7"},
    {"X-Real-IP": "6.6.6.6"},
    {"Forwarded": "for=6.6.6.6;proto=https"},
])
_forged_lock = threading.Lock()


def forged_address() -> dict[str, str]:
    with _forged_lock:
        return dict(next(FORGED_ADDRESS_HEADERS))


class _TrustTheCheckCertificate(HTTPAdapter):
    """urllib3 builds its own TLS context; hand it one that trusts run.sh's certificate."""

    context = ssl.create_default_context(cafile=str(CERT))

    def init_poolmanager(self, *args, **kwargs):
        kwargs["ssl_context"] = self.context
        return super().init_poolmanager(*args, **kwargs)


def new_session() -> requests.Session:
    session = requests.Session()
    session.mount("https://", _TrustTheCheckCertificate(pool_connections=4, pool_maxsize=8))
    return session


class Client:
    """One person at one browser: a session cookie, a CSRF token, same-origin requests.

    Thread-safe for requests: each thread has its own connection pool and sends the
    cookies this client holds (only logging in changes them).
    """

    def __init__(self, label: str = "anonymous"):
        self.label = label
        self.cookies: dict[str, str] = {}
        self._local = threading.local()

    @property
    def _session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = new_session()
        return self._local.session

    def request(self, method: str, url: str, *, data=None, files=None, headers: dict | None = None,
                cookies: dict | None = None, timeout: float = 30, keep_cookies: bool = False) -> requests.Response:
        url = urljoin(BASE, url)
        sent = {"Origin": BASE, "Referer": url, **forged_address(), **(headers or {})}
        response = self._session.request(method, url, data=data, files=files, headers=sent,
                                         cookies=self.cookies if cookies is None else cookies,
                                         allow_redirects=False, timeout=timeout)
        self._session.cookies.clear()  # this client's cookies are self.cookies, nothing else
        if keep_cookies:
            self.cookies.update(response.cookies.get_dict())
        return response

    def get(self, url: str, **kwargs) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, data, **kwargs) -> requests.Response:
        return self.request("POST", url, data=data, **kwargs)

    @property
    def csrf_token(self) -> str:
        return self.cookies.get("csrftoken", "")

    def login(self, email: str, password: str = PASSWORD, *, next_url: str | None = None) -> requests.Response:
        """POST the login form; the session cookie is kept when it succeeds."""
        page = self.get("/konto/log-ind/", keep_cookies=True)
        form = parse(page.text, page.url).form_with("password")
        data = dict(form.defaults())
        data.update(username=email, password=password)
        if next_url is not None:
            data["next"] = next_url
        return self.post(form.action, data, keep_cookies=True)


# --- Pages -----------------------------------------------------------------------------


@dataclass
class Field:
    tag: str  # input, textarea, select, button
    name: str
    type: str = "text"
    value: str = ""
    checked: bool = False
    multiple: bool = False
    maxlength: int | None = None
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)
    invalid: bool = False

    @property
    def is_free_text(self) -> bool:
        return self.tag == "textarea" or (self.tag == "input" and self.type in ("text", "search", "url", "email"))


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)
    has_file: bool = False

    def names(self) -> set[str]:
        return {f.name for f in self.fields}

    def defaults(self) -> list[tuple[str, str]]:
        """What a browser submits when nobody touches the form."""
        data = []
        for f in self.fields:
            if f.tag == "button" or f.type in ("submit", "image", "reset", "file"):
                continue
            if f.type in ("checkbox", "radio"):
                if f.checked:
                    data.append((f.name, f.value or "on"))
            elif f.tag == "select":
                chosen = [v for v, selected in f.options if selected]
                if not chosen and f.options and not f.multiple:
                    chosen = [f.options[0][0]]
                data.extend((f.name, v) for v in chosen)
            else:
                data.append((f.name, f.value))
        return data


@dataclass
class Page:
    url: str
    links: list[str] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)

    def form_with(self, name: str) -> Form:
        """The form with this field (every page also has the logout and language forms)."""
        return next(f for f in self.forms if name in f.names())


class _PageParser(HTMLParser):
    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.page = Page(url)
        self._form: Form | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None
        self._option: list | None = None  # [value or None, selected, text]

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        invalid = "is-invalid" in a.get("class", "") or a.get("aria-invalid") == "true"
        if tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
        elif tag == "a" and a.get("href"):
            self.page.links.append(a["href"])
        elif tag == "form":
            self._form = Form(action=urljoin(self.page.url, a.get("action") or self.page.url),
                              method=(a.get("method") or "get").lower())
            self.page.forms.append(self._form)
        elif self._form is None or "disabled" in a or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            self._form.has_file |= kind == "file"
            self._form.fields.append(Field(
                "input", a["name"], kind, a.get("value", ""), "checked" in a,
                maxlength=int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None, invalid=invalid))
        elif tag == "textarea":
            self._textarea = Field("textarea", a["name"], "textarea", invalid=invalid,
                                   maxlength=int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None)
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = Field("select", a["name"], "select", multiple="multiple" in a, invalid=invalid)
            self._form.fields.append(self._select)
        elif tag == "button":
            self._form.fields.append(Field("button", a["name"], a.get("type", "submit"), a.get("value", "")))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        if self._option is not None:
            self._option[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "option" and self._option is not None:
            value, selected, text = self._option
            self._select.options.append((text.strip() if value is None else value, selected))
            self._option = None
        elif tag == "select":
            self._select = None


def parse(html: str, url: str) -> Page:
    parser = _PageParser(url)
    parser.feed(html)
    parser.close()
    page = parser.page
    page.links = [urldefrag(urljoin(url, href))[0] for href in page.links]
    return page


def same_site(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and parts.netloc == HOST


def shape(url: str) -> str:
    """The kind of page: the path with object ids and numbers blanked, and the query's names."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$)", "/{n}", UUID.sub("{uuid}", parts.path))
    names = sorted({p.split("=", 1)[0] for p in parts.query.split("&") if p})
    return path + ("?" + "&".join(names) if names else "")


def error_fields(html: str) -> set[str] | None:
    """The names of the fields a refused form marks as wrong; None when the page shows no error."""
    if not re.search(r"is-invalid|invalid-feedback|alert-danger|errorlist|aria-invalid=\"true\"", html):
        return None
    names = set()
    for form in parse(html, BASE).forms:
        names |= {f.name for f in form.fields if f.invalid}
    # Error texts next to a field: crispy's error_1_id_<name>, the apps' id_<name>_error.
    names |= set(re.findall(r'id="error_\d+_id_([\w-]+)"', html))
    names |= set(re.findall(r'id="id_([\w-]+?)[-_]error"', html))
    return names


# --- Filling in forms ------------------------------------------------------------------


def filled(form: Form) -> list[tuple[str, str]]:
    """The form's defaults with the blanks a person would fill: a choice in each list and
    group, today's date, a number."""
    values = list(form.defaults())
    given = {k for k, _v in values}
    groups: dict[str, list[Field]] = defaultdict(list)
    for f in form.fields:
        if f.type in ("radio", "checkbox"):
            groups[f.name].append(f)
    for name, boxes in groups.items():
        # A list of choices with none ticked (topics, units); single boxes stay as they are.
        if name not in given and (boxes[0].type == "radio" or len(boxes) > 1):
            values.append((name, boxes[0].value or "on"))
    for f in form.fields:
        if f.tag == "select" and f.multiple and f.name not in given and f.options:
            values.append((f.name, first_choice(f)))
        elif f.name in given and not dict(values).get(f.name) and (f.type == "date" or DATE_NAME.search(f.name)):
            set_value(values, f.name, date.today().isoformat())
        elif f.type == "time" and not dict(values).get(f.name):
            set_value(values, f.name, "10:00")
        elif f.type == "number" and not dict(values).get(f.name):
            set_value(values, f.name, "1")
    return values


def first_choice(f: Field) -> str:
    return next((v for v, _s in f.options if v), f.options[0][0] if f.options else "")


def set_value(values: list[tuple[str, str]], name: str, value: str) -> None:
    values[:] = [(k, v) for k, v in values if k != name] + [(name, value)]


def refill(form: Form, values: list[tuple[str, str]], wrong: set[str]) -> bool:
    """Give the refused non-text fields another plausible value; False when none was."""
    changed = False
    for f in form.fields:
        if f.name not in wrong or f.is_free_text and not DATE_NAME.search(f.name):
            continue
        if f.tag == "select":
            set_value(values, f.name, first_choice(f))
        elif f.type == "date" or DATE_NAME.search(f.name):
            set_value(values, f.name, date.today().isoformat())
        elif f.type == "number":
            set_value(values, f.name, "2")
        else:
            continue
        changed = True
    return changed
