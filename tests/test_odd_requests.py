"""Odd requests never give a 500: every view, every parameter it reads, hostile values.

The test walks the project's URL patterns (like tests/test_isolation_coverage.py), fills
each path with real objects of a test world and logs in as a user who may see them. For
each view it finds the parameters the view reads:

- query parameters: the names the view reads from `request.GET` on a first request (a
  recording QueryDict notes every name looked up), the fields of the GET forms on the
  page, and `PARAMETERS_IN_CODE` for names read only on some branch;
- form fields: the fields of the page's POST forms that post back to it, and
  `PARAMETERS_IN_CODE` for views that only take POSTs.

Every query parameter gets each of `VALUES` (malformed UUIDs, NUL bytes, 10,000
characters, non-UTF-8 bytes, negative and huge numbers, odd dates). Each form gets every
value in all its fields at once, then one field at a time with the other fields plausibly
filled (the values that suit the field's kind), so that a value the form accepts reaches
the save path. The test fails on any 500 (the test client re-raises the view's
exception) and on any page that echoes a NUL byte. Django's admin, Django's own code, gets
fewer values and no field-by-field posts.

`test_every_parameter_read_in_the_code_is_fuzzed` fails when the code reads a parameter
by name that `PARAMETERS_IN_CODE` does not list, and `path_kwargs` fails for a URL whose
path argument has no object in the fuzz world, so a new view cannot slip past.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.db import transaction
from django.http import QueryDict
from django.template.base import Template
from django.test import override_settings
from django.test.utils import _TestState
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import AuditEvent, Municipality, User
from accounts.tokens import token_generator
from datasets import services as dataset_services
from datasets.models import DatasetImport, Indicator
from logbooks import services as logbook_services
from logbooks.models import ListItem
from projects import services as project_services
from projects.models import Criterion
from reporting import services as report_services
from reporting.models import Report
from tests.tenancy import PASSWORD, build_world
from workshops import services as workshop_services

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "datasets", "logbooks", "projects", "workshops", "reporting", "ligestilling")

#: The hostile values, as they appear in a query string or form body (already encoded).
VALUES = {
    "malformed uuid": "not-a-uuid",
    "NUL byte": "a%00b",
    "10,000 characters": "x" * 10_000,
    "non-UTF-8 bytes": "%ff%fe",
    "negative number": "-1",
    "huge number": "9" * 30,
    "impossible date": "2026-02-30",
    "last representable date": "9999-12-31",
    "first representable date": "0001-01-01",
}

#: Names read from request.GET / request.POST by name in the code, with the views that read
#: them. Names read on every request are found by the recording QueryDict as well; this
#: table also covers branches the first request does not take.
PARAMETERS_IN_CODE = {
    "page": ["accounts:admin_home", "datasets:dataset_list", "logbooks:my_entries", "logbooks:unit_entries",
             "logbooks:observation_list", "projects:project_list"],
    "parent": ["accounts:unit_create"],
    "active": ["accounts:user_set_active"],
    "unit": ["datasets:dataset_list", "datasets:dataset_create", "logbooks:quick_entry", "logbooks:my_entries",
             "logbooks:unit_entries", "logbooks:observation_list", "logbooks:observation_create",
             "logbooks:analysis", "reporting:dashboard", "reporting:export", "reporting:report_list",
             "reporting:report_create"],
    "q": ["datasets:dataset_list", "accounts:admin_home", "logbooks:my_entries"],
    "kind": ["datasets:dataset_list"],
    "scope": ["datasets:dataset_list"],
    "dimension": ["datasets:dataset_detail", "datasets:indicator_export", "reporting:dashboard",
                  "reporting:export"],
    "period": ["datasets:dataset_detail", "datasets:indicator_export", "reporting:dashboard", "reporting:export"],
    "stay": ["datasets:import_status"],
    "action": ["logbooks:list_manage"],
    "vis": ["projects:project_list"],
    "status": ["projects:project_list"],
    "enhed": ["projects:project_list", "workshops:workshop_list", "workshops:workshop_create",
              "workshops:focusgroup_list", "workshops:focusgroup_create", "workshops:involvement_list",
              "workshops:involvement_create"],
    "form": ["workshops:focusgroup_detail", "workshops:workshop_outputs"],
    "direction": ["workshops:agenda_move"],
    "project": ["reporting:dashboard", "reporting:export"],
    "sort": ["reporting:national_overview"],
    "preview": ["reporting:report_create"],
    # Django's own views.
    "next": ["accounts:login", "accounts:logout", "set_language", "admin:login", "admin:logout"],
    "language": ["set_language"],
}

#: The platform admin's change lists read their parameters by iterating request.GET.
ADMIN_CHANGELIST_PARAMETERS = ["q", "o", "p", "e", "all", "_to_field"]
#: Django's admin is Django's own code: the values that reach a database or a parser.
ADMIN_VALUES = {label: VALUES[label] for label in (
    "malformed uuid", "NUL byte", "10,000 characters", "non-UTF-8 bytes", "huge number")}

#: Who visits each view (the first matching prefix wins); None: anonymous.
VISITORS = [
    ("accounts:login", None), ("accounts:password_reset", None), ("accounts:password_reset_done", None),
    ("accounts:password_reset_confirm", None),
    ("accounts:password_change", "leder"), ("accounts:logout", "leder"),
    ("accounts:", "administrator"),
    ("admin:", "superuser"),
    ("reporting:national_overview", "superuser"),
    ("datasets:", "analytiker"),
    ("", "leder"),
]


def visitor_for(name: str) -> str | None:
    return next(role for prefix, role in VISITORS if name.startswith(prefix))


# --- the URL patterns ------------------------------------------------------------------


def _patterns(resolver: URLResolver, namespace: str | None = None, prefix: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, pattern.namespace or namespace, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield name or f"{namespace or ''}:{route}", pattern


def all_url_names() -> list[str]:
    return [name for name, _pattern in _patterns(get_resolver())]


# --- the test world ------------------------------------------------------------------------


def build_fuzz_world(tmp_path) -> SimpleNamespace:
    """The two-municipality world plus one object of every kind a URL names."""
    world = build_world()
    t = world.odense
    o = SimpleNamespace(world=world, t=t)
    o.superuser = User.objects.create_superuser("platform@fuzz.test", PASSWORD, full_name="Platform")
    # Logbooks: the leder logs (and is observed), so one user reaches every logbook page.
    logbook_services.seed_lists(unit=t.team, area="job")
    o.list_item = ListItem.objects.filter(unit=t.team).first()
    o.entry = logbook_services.create_entry(author=t.leder, unit=t.team, fields={
        "date": timezone.localdate(), "sex": "kvinde", "age_band": "30-39"})
    o.observation = logbook_services.create_observation(
        observer=t.medarbejder, observed=t.leder, unit=t.team,
        fields={"date": timezone.localdate(), "focus": "Hvilke emner tages op med kvinder og mænd"})
    # Projects with one of everything.
    o.project = project_services.create_project(
        by=t.leder, title="Træning som hjælp", responsible=t.leder, target_group="Nyvisiterede ældre",
        start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 4, 1), units=[t.team], members=[t.leder, t.medarbejder])
    o.cycle = project_services.open_cycle(project=o.project, by=t.leder)
    o.hypothesis = project_services.add_hypothesis(project=o.project, statement="Mænd spørges mindre", by=t.leder)
    o.action = project_services.add_action(project=o.project, description="Observer to samtaler",
                                           owner=t.medarbejder, due_date=None, by=t.leder)
    o.criterion = project_services.save_criterion(
        project=o.project, by=t.leder, definition="Andel selvhjulpne", target_type=Criterion.TargetType.PER_SEX,
        target_women=60, target_men=60)
    o.measurement = project_services.add_measurement(criterion=o.criterion, by=t.leder, women_count=3, women_n=10,
                                                     men_count=4, men_n=10)
    # Workshops, focus groups, citizen involvement.
    o.workshop = workshop_services.create_workshop(
        by=t.leder, units=[t.team], participants=[t.medarbejder], title="Køn i træningen",
        date=dt.date(2026, 12, 3), start_time=dt.time(9, 0), place="Mødelokale 2", length="short",
        goal="Hypoteser om køn i visitationssamtalen.")
    o.agenda_item = o.workshop.agenda_items.first()
    o.focus_group = workshop_services.create_focusgroup(
        by=t.leder, units=[t.team], title="Ældre mænd om hjemmepleje", purpose="Hvordan oplever mænd hjælpen?",
        questions="Hvad betyder hjælpen for dig?", target_group="Mænd over 75", composition="men", planned_size=6)
    o.finding = workshop_services.add_finding(focus_group=o.focus_group, theme="Hjælpen", kind="finding",
                                              text="Mændene savner praktisk hjælp", by=t.leder)
    o.involvement = workshop_services.create_involvement(
        by=t.leder, units=[t.team], title="Borgere med i udviklingen", citizens="both",
        representative="Nyvisiterede borgere", mode="views", phases=["start"], method="network")
    # A dataset with an imported indicator and an upload waiting for its mapping.
    o.dataset = dataset_services.create_dataset(municipality=t.municipality, title="Hjemmepleje",
                                                source="Omsorgssystemet", period_start=dt.date(2014, 1, 1))
    csv = "Indikator;År;Køn;Tæller;Nævner\nSelvhjulpen;2014;K;64;200\nSelvhjulpen;2014;M;71;100\n"
    path = tmp_path / "data.csv"
    path.write_text(csv, encoding="utf-8")
    dataset_services.import_file(dataset=o.dataset, path=path)
    o.indicator = Indicator.objects.get(dataset=o.dataset)
    o.done_import = DatasetImport.objects.get(dataset=o.dataset)
    staged = csv.replace("2014", "2015").encode()
    o.pending_import = dataset_services.stage_upload(
        dataset=o.dataset, upload=SimpleUploadedFile("ny.csv", staged), user=t.analytiker)

    def restage():
        storage = dataset_services.imports_storage()
        if not storage.exists(o.pending_import.staged_path):
            Path(storage.path(o.pending_import.staged_path)).write_bytes(staged)

    o.restage = restage
    # A finished committee report (PDF bytes stubbed).
    o.report = report_services.create_report(
        municipality=t.municipality, unit=t.team, user=t.leder, title="Jobcentret 2025", committee="Udvalget",
        meeting_date=None, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31), sections=["summary"])
    Report.objects.filter(pk=o.report.pk).update(status=Report.Status.DONE, pdf=b"%PDF-1.7 stub", progress=100)
    o.audit_event = AuditEvent.objects.first()
    o.reset_uidb64 = urlsafe_base64_encode(force_bytes(t.medarbejder.pk))
    o.reset_token = token_generator.make_token(t.medarbejder)
    o.municipality_type_id = ContentType.objects.get_for_model(Municipality).pk
    return o


#: (URL name prefix, path argument, the fuzz world's object); the first match wins. An
#: object is given by its attribute path in the world (its `uuid` is used when it has one)
#: or as "=literal". A new URL whose argument matches no row fails the test.
PATH_VALUES = [
    ("accounts:membership_remove", "unit_uuid", "t.team"),
    ("accounts:user_", "uuid", "t.medarbejder"), ("accounts:membership_", "uuid", "t.medarbejder"),
    ("accounts:unit_", "uuid", "t.other_team"),
    ("accounts:password_reset_confirm", "uidb64", "reset_uidb64"),
    ("accounts:password_reset_confirm", "token", "reset_token"),
    ("logbooks:entry_", "uuid", "entry"), ("logbooks:observation_", "uuid", "observation"),
    ("logbooks:list_manage", "uuid", "t.team"), ("logbooks:list_item_", "uuid", "list_item"),
    ("projects:cycle_", "item", "cycle"), ("projects:hypothesis_", "item", "hypothesis"),
    ("projects:action_", "item", "action"), ("projects:", "item", "criterion"),
    ("projects:", "measurement", "measurement"), ("projects:", "uuid", "project"),
    ("workshops:agenda_", "item", "agenda_item"), ("workshops:finding_", "item", "finding"),
    ("workshops:focusgroup_", "uuid", "focus_group"), ("workshops:finding_", "uuid", "focus_group"),
    ("workshops:involvement_", "uuid", "involvement"), ("workshops:", "uuid", "workshop"),
    ("datasets:import_mapping", "import_uuid", "pending_import"), ("datasets:", "import_uuid", "done_import"),
    ("datasets:", "indicator_uuid", "indicator"), ("datasets:", "uuid", "dataset"), ("datasets:", "fmt", "=csv"),
    ("reporting:export", "section", "=by_sex"), ("reporting:export", "fmt", "=csv"),
    ("reporting:", "uuid", "report"),
    # Django's admin: ids of real rows (or of none, which it answers itself).
    ("admin:view_on_site", "content_type_id", "municipality_type_id"),
    ("admin:view_on_site", "object_id", "t.municipality.pk"),
    ("admin:app_list", "app_label", "=accounts"), ("admin:auth_user_password_change", "id", "t.medarbejder.pk"),
    ("admin:accounts_municipality_", "object_id", "t.municipality.pk"),
    ("admin:platform-admin/accounts/municipality/", "object_id", "t.municipality.pk"),
    ("admin:accounts_unit_", "object_id", "t.team.pk"), ("admin:platform-admin/accounts/unit/", "object_id", "t.team.pk"),
    ("admin:accounts_user_", "object_id", "t.medarbejder.pk"),
    ("admin:platform-admin/accounts/user/", "object_id", "t.medarbejder.pk"),
    ("admin:accounts_auditevent_", "object_id", "audit_event.pk"),
    ("admin:platform-admin/accounts/auditevent/", "object_id", "audit_event.pk"),
    ("admin:", "object_id", "=1"), ("admin:", "url", "=ingen/side/"),
]


def path_kwargs(name: str, pattern: URLPattern, o) -> dict:
    """The path arguments of URL `name`, naming objects of the fuzz world."""
    route = name.partition(":")[2] if "/" in name else str(pattern.pattern)
    arguments = [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)]
    kwargs = {}
    for argument in arguments:
        path = next((path for prefix, arg, path in PATH_VALUES if name.startswith(prefix) and arg == argument), None)
        assert path is not None, f"No object of the fuzz world for {name}'s <{argument}>: add one to PATH_VALUES"
        if path.startswith("="):
            kwargs[argument] = path[1:]
            continue
        value = o
        for attribute in path.split("."):
            value = getattr(value, attribute)
        kwargs[argument] = getattr(value, "uuid", value)
    return kwargs


def url_for(name: str, kwargs: dict) -> str:
    _namespace, _colon, rest = name.partition(":")
    if "/" not in rest and "(" not in rest:
        return reverse(name, kwargs=kwargs)
    # An unnamed pattern (named here by its route): fill the route by hand.
    route = rest
    for key, value in kwargs.items():
        route = re.sub(rf"<(?:\w+:)?{key}>|\(\?P<{key}>[^)]*\)", str(value), route)
    return "/" + route.replace("^", "").replace("$", "")


# --- reading the pages ------------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(Form(method=(a.get("method") or "get").lower(), action=a.get("action") or ""))
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                if kind == "submit":
                    form.kinds.setdefault(name, "submit")
                return
            form.kinds.setdefault(name, kind)
            values = form.fields.setdefault(name, [])
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    values.append(a.get("value") or "on")
                form.kinds[f"{name}#options"] = form.kinds.get(f"{name}#options", "") + "\n" + (a.get("value") or "on")
            else:
                values.append(a.get("value") or "")
        elif tag == "select" and name:
            self._select, self._options = name, []
            form.kinds.setdefault(name, "select")
            form.fields.setdefault(name, [])
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            self._textarea = name
            form.kinds.setdefault(name, "textarea")
            form.fields.setdefault(name, [""])

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1].fields[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select and self.forms:
            form = self.forms[-1]
            chosen = [v for v, selected in self._options if selected]
            options = [v for v, _selected in self._options if v]
            form.fields[self._select] = chosen or options[:1]
            form.kinds[f"{self._select}#options"] = "\n".join(options)
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def page_forms(response) -> list[Form]:
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    parser = FormParser()
    parser.feed(response.content.decode("utf-8", errors="replace"))
    return parser.forms


def _filled(form: Form) -> dict[str, list[str]]:
    """The form's values, with empty required-looking inputs given plausible values, so
    that one hostile field at a time reaches the view's save path."""
    plausible = {"date": "2026-01-15", "time": "09:00", "number": "5", "email": "fuzz@example.dk",
                 "text": "Fuzz", "textarea": "Fuzz", "url": "https://example.dk/"}
    data = {}
    for name, values in form.fields.items():
        kind = form.kinds.get(name, "text")
        if kind == "submit" or name == "csrfmiddlewaretoken":
            continue
        if not any(values):
            options = [v for v in form.kinds.get(f"{name}#options", "").split("\n") if v]
            if kind in ("radio", "select") and options:
                values = options[:1]
            elif kind in plausible:
                values = [plausible[kind]]
        data[name] = values
    return data


def _encode(data: dict[str, list[str]], hostile: tuple[str, str] | None = None) -> str:
    """A urlencoded body; the hostile (name, raw value) is put in already encoded."""
    parts = []
    for name, values in data.items():
        if hostile and name == hostile[0]:
            continue
        parts += [f"{quote(name)}={quote(v)}" for v in values]
    if hostile:
        parts.append(f"{quote(hostile[0])}={hostile[1]}")
    return "&".join(parts)


# --- the recording QueryDict --------------------------------------------------------------


class RecordingQueryDict(QueryDict):
    """A QueryDict that notes every name looked up in it."""

    seen: set[str] | None = None

    def __getitem__(self, key):
        if self.seen is not None:
            self.seen.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        if self.seen is not None:
            self.seen.add(key)
        return super().__contains__(key)

    def getlist(self, key, default=None):
        if self.seen is not None:
            self.seen.add(key)
        return super().getlist(key, default)


def _recording(source: QueryDict, seen: set[str]) -> RecordingQueryDict:
    copy = RecordingQueryDict(mutable=True)
    for key, values in source.lists():
        copy.setlist(key, values)
    copy._mutable = False
    copy.seen = seen
    return copy


# --- checks --------------------------------------------------------------------------------------


class Problems(list):
    """What went wrong, collected over all requests to a view so that one run shows them all."""

    def request(self, what: str, send, *args, **kwargs):
        try:
            with transaction.atomic():  # on PostgreSQL a failed query spoils only this request
                response = send(*args, **kwargs)
        except Exception as exc:  # the view's own exception: a 500 in production
            self.append(f"{what}: {type(exc).__name__}: {str(exc)[:200]}")
            return None
        if response.status_code >= 500:
            self.append(f"{what}: {response.status_code}")
        elif not getattr(response, "streaming", False) and b"\x00" in response.content and any(
                kind in response.get("Content-Type", "") for kind in ("html", "json", "text")):
            self.append(f"{what}: the response echoes a NUL byte")
        return response


def values_for(kind: str) -> list[str]:
    """The hostile values sent in one field at a time, the other fields plausibly filled, so
    that a value the form accepts reaches the save path (a column too short, an integer out
    of range, date arithmetic that overflows). Every value is also sent in all fields at once."""
    by_kind = {
        "number": ["negative number", "huge number"],
        "date": ["impossible date", "last representable date", "first representable date"],
        "time": ["huge number"],
        "select": ["malformed uuid", "huge number"],
        "radio": ["malformed uuid", "huge number"],
        "checkbox": ["malformed uuid", "huge number"],
    }
    if kind in ("text", "textarea", "email", "url", "password", "search", "tel"):
        return ["10,000 characters"]
    return by_kind.get(kind, ["malformed uuid", "negative number", "huge number", "last representable date"])


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for all the views (built once: the tests roll back to it)."""
    folder = tmp_path_factory.mktemp("fuzz")
    storages = {**settings.STORAGES, "imports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": folder / "imports"}}}
    with django_db_blocker.unblock(), override_settings(STORAGES=storages):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_fuzz_world(folder)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


URL_NAMES = all_url_names()


@pytest.mark.parametrize("name", URL_NAMES)
def test_odd_values_in_every_parameter_never_give_a_500(name, fuzz_world, client, db, monkeypatch):
    o = fuzz_world
    # The committee PDF is built by a task (a failure there marks the report failed, never a
    # 500); rendering one per accepted form would only make this test slow.
    monkeypatch.setattr("reporting.services.start_generation", lambda report: None)
    # The test client's record of every template and context rendered is not needed here.
    monkeypatch.setattr(Template, "_render", _TestState.saved_data.template_render)
    role = visitor_for(name)
    if role is not None:
        client.force_login(o.superuser if role == "superuser" else getattr(o.t, role))
    url = url_for(name, path_kwargs(name, dict(_patterns(get_resolver()))[name], o))
    o.restage()  # a test before this one may have imported or discarded the staged file
    problems = Problems()

    # What the view reads: the names it looks up on a first request, and its forms' fields.
    with monkeypatch.context() as patch:
        seen = record_reads(patch)
        first = problems.request(f"GET {url}", client.get, url + "?fuzz=1")
    if not name.startswith("admin:"):  # Django's admin refuses some of its pages by design
        assert first is None or first.status_code not in (403, 404), f"the fuzz world does not reach {name}"
    forms = page_forms(first) if first is not None else []
    query = {n for n in seen if n != "fuzz"}
    query |= {n for f in forms if f.method == "get" for n in f.fields}
    query |= {p for p, names in PARAMETERS_IN_CODE.items() if name in names and p not in POST_ONLY}
    if name.startswith("admin:") and name.endswith("_changelist"):
        query |= set(ADMIN_CHANGELIST_PARAMETERS)
    for parameter in sorted(query):
        for label, value in (ADMIN_VALUES if name.startswith("admin:") else VALUES).items():
            problems.request(f"GET {url} with {label} in ?{parameter}", client.get,
                             f"{url}?{quote(parameter)}={value}")

    # The forms that post back here: one hostile field at a time, the others plausibly filled.
    path = urlsplit(url).path
    posted = [f for f in forms if f.method == "post" and (not f.action or urlsplit(f.action).path == path)]
    extra = {p for p, names in PARAMETERS_IN_CODE.items() if name in names}
    if not posted and extra:
        posted = [Form(method="post", action="", fields={p: [""] for p in extra})]
    for form in posted:
        data = _filled(form)
        for p in extra:
            data.setdefault(p, [""])
        for label, value in (ADMIN_VALUES if name.startswith("admin:") else VALUES).items():
            hostile = "&".join(f"{quote(p)}={value}" for p in data)
            problems.request(f"POST {url} with {label} in every field", client.post, url, hostile,
                             content_type="application/x-www-form-urlencoded")
        if name.startswith("admin:"):
            continue  # Django's own forms: every value in every field at once is enough
        for parameter in sorted(data):
            if re.search(r"-[1-9]\d*-", parameter):
                continue  # formset rows after the first are the first row again
            for label in values_for(form.kinds.get(parameter, "hidden")):
                problems.request(f"POST {url} with {label} in {parameter}", client.post, url,
                                 _encode(data, (parameter, VALUES[label])),
                                 content_type="application/x-www-form-urlencoded")
    assert not problems, f"{len(problems)} odd requests failed:\n" + "\n".join(problems[:30])


def test_the_walker_reaches_every_kind_of_view():
    # Guards the guard: the walk covers our apps, Django's admin and the unnamed patterns.
    names = set(URL_NAMES)
    assert {"logbooks:quick_entry", "datasets:dataset_list", "admin:index", "set_language"} <= names
    assert any(name.startswith("admin:platform-admin/") for name in names)


#: Names only ever read from request.POST (not sent in the query string).
POST_ONLY = {"active", "action", "form", "direction", "preview", "language"}


def _literal_reads(tree: ast.AST) -> set[str]:
    """Names read from request.GET / request.POST with a literal (.get("x"), ["x"], "x" in ...)
    or through accounts.params.optional_uuid(request, "x")."""
    names = set()
    for node in ast.walk(tree):
        target = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr in ("get", "getlist", "pop") and node.args:
            target, key = node.func.value, node.args[0]
        elif isinstance(node, ast.Subscript):
            target, key = node.value, node.slice
        elif isinstance(node, ast.Compare) and any(isinstance(op, ast.In) for op in node.ops):
            target, key = node.comparators[0], node.left
        if isinstance(target, ast.Attribute) and target.attr in ("GET", "POST") and \
                isinstance(key, ast.Constant) and isinstance(key.value, str):
            names.add(key.value)
        # accounts.params.optional_uuid(request, "unit", ...)
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == \
                "optional_uuid" and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
            names.add(node.args[1].value)
    return names


def test_every_parameter_read_in_the_code_is_fuzzed():
    read = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                read |= _literal_reads(ast.parse(path.read_text(encoding="utf-8")))
    assert {"unit", "direction", "enhed"} <= read  # the scan finds what it looks for
    missing = sorted(read - set(PARAMETERS_IN_CODE))
    assert not missing, f"Parameters read in the code but not fuzzed (add them to PARAMETERS_IN_CODE): {missing}"
    named = {name for names in PARAMETERS_IN_CODE.values() for name in names}
    assert not named - set(URL_NAMES), f"Unknown URL names in PARAMETERS_IN_CODE: {sorted(named - set(URL_NAMES))}"


def record_reads(patch) -> set[str]:
    """Make request.GET note every name a view looks up in it; returns the names."""
    seen: set[str] = set()
    original = WSGIRequest.__dict__["GET"].func

    def get(self):
        if "_recorded_get" not in self.__dict__:
            self.__dict__["_recorded_get"] = _recording(original(self), seen)
        return self.__dict__["_recorded_get"]

    patch.setattr(WSGIRequest, "GET", property(get))
    return seen
