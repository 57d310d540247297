"""Dashboards, exports and committee reports."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access, audit, roles
from ligestilling.downloads import file_name, file_response
from ligestilling.lib import exports
from reporting import documents, forms, national, pdf, rules, selectors, services
from reporting.models import Report

EXPORT_FORMATS = {"csv", "xlsx"}
ALL_TABLES = "alle"


def _dashboard_for(request, need: str = rules.DASHBOARD):
    """The filter form and the Subject for the current GET filters (access-checked)."""
    scope = rules.require(request, need)
    units = rules.units_for(scope, need)
    all_ids = rules.municipality_unit_ids(scope)
    allowed = rules.unit_ids_for(scope, need)
    whole = request.user.municipality.name if all_ids and all_ids <= allowed else None
    unit = rules.unit_from_value(request, request.GET.get("unit"), need)
    project = rules.project_from_value(request, request.GET.get("project"))
    projects = rules.projects_for_filter(request) if "projects" in selectors.integrated_sections() else None
    form = forms.DashboardFilterForm(request.GET or None, units=units, whole_municipality=whole, projects=projects)
    if unit is None and whole is None:
        unit = units[0]
    unit_ids = rules.subtree_ids(unit, allowed) if unit else tuple(sorted(all_ids))
    if project is not None and not request.GET.get("unit"):
        # A project without a chosen unit: the project's units (and below) that the user may see.
        project_ids = access.unit_ids_with_descendants(project.units.values_list("pk", flat=True)) & allowed
        if project_ids:
            unit, unit_ids = None, tuple(sorted(project_ids))
    dimension = ""
    if form.is_bound and form.is_valid():
        dimension = form.cleaned_data.get("dimension") or ""
    subject = selectors.Subject(
        municipality=request.user.municipality, unit=unit, unit_ids=unit_ids, period=form.get_period(),
        dimension=dimension, project=project,
        include_indicators=bool(set(unit_ids) & rules.unit_ids_for(scope, access.ANALYSE)),
        dataset_unit_ids=tuple(sorted(set(unit_ids) & scope.unit_ids(roles.DATASETS))),
    )
    return form, subject


@login_required
@require_GET
def dashboard(request):
    form, subject = _dashboard_for(request)
    board = selectors.cached_dashboard(subject)
    audit.record("reporting.dashboard", request=request, obj=subject.unit,
                 municipality=subject.municipality, date_from=subject.period.date_from.isoformat(),
                 date_to=subject.period.date_to.isoformat(), dimension=subject.dimension)
    query = request.GET.urlencode()
    scope = access.get_scope(request.user)
    return render(request, "reporting/dashboard.html", {
        "form": form, "board": board, "subject": subject, "query": query,
        "can_report": bool(rules.unit_ids_for(scope, access.ANALYSE)),
        "charts": [(f"c{i}", s) for i, s in enumerate(board.sections, start=1)],
    })


@login_required
@require_GET
def export(request, section: str, fmt: str):
    if fmt not in EXPORT_FORMATS:
        raise Http404()
    _form, subject = _dashboard_for(request)
    board = selectors.cached_dashboard(subject)
    if section == ALL_TABLES:
        if fmt != "xlsx":
            raise Http404()
        chosen = list(board.sections)
    else:
        found = board.section(section)
        if found is None:
            raise Http404()
        chosen = [found]
    audit.record("reporting.export", request=request, obj=subject.unit, municipality=subject.municipality,
                 section=section, format=fmt, date_from=subject.period.date_from.isoformat(),
                 date_to=subject.period.date_to.isoformat(), dimension=subject.dimension)
    period = subject.period
    name = file_name("ligestilling", chosen[0].title if len(chosen) == 1 else _("all tables"),
                     f"{period.date_from.isoformat()}-{period.date_to.isoformat()}", ext=fmt)
    if fmt == "csv":
        body = exports.write_csv(chosen[0].table, text_columns=dict(chosen[0].text_columns),
                                 period_text=period.label())
    else:
        body = exports.write_xlsx([(s.table, dict(s.text_columns)) for s in chosen], period_text=period.label())
    return file_response(body, name)


# --- reports ---------------------------------------------------------------------------


@login_required
@require_GET
def report_list(request):
    scope = rules.require(request, access.ANALYSE)
    unit = rules.unit_from_value(request, request.GET.get("unit"), access.ANALYSE)
    reports = rules.visible_reports(request).select_related("unit", "created_by").defer("pdf")
    if unit is not None:
        reports = reports.filter(unit=unit)
    return render(request, "reporting/report_list.html", {
        "reports": reports[:100], "unit": unit,
        "can_municipality": rules.covers_municipality(scope, access.ANALYSE),
    })


def _report_form(request, data=None, initial=None):
    scope = access.get_scope(request.user)
    units = rules.units_for(scope, access.ANALYSE)
    whole = request.user.municipality.name if rules.covers_municipality(scope, access.ANALYSE) else None
    return forms.ReportForm(data, initial=initial, units=units, whole_municipality=whole,
                            available_sections=documents.available_sections())


def _unsaved_report(request, form, unit) -> Report:
    data = form.cleaned_data
    return Report(
        municipality=request.user.municipality, unit=unit, created_by=request.user, title=data["title"],
        committee=data["committee"], meeting_date=data["meeting_date"], date_from=data["date_from"],
        date_to=data["date_to"], sections=[s for s in Report.Section.values if s in data["sections"]],
        summary=data["summary"], recommendation=data["recommendation"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request):
    """The report builder: choose scope, period and sections; preview as HTML; generate the PDF."""
    rules.require(request, access.ANALYSE)
    if request.method == "GET":
        unit = rules.unit_from_value(request, request.GET.get("unit"), access.ANALYSE)
        today = timezone.localdate()
        initial = {
            "unit": str(unit.uuid) if unit else "",
            "title": _("Gender equality in our services"),
            "date_from": today.replace(year=today.year - 1, month=1, day=1),
            "date_to": today.replace(year=today.year - 1, month=12, day=31),
            "sections": documents.available_sections(),
        }
        return render(request, "reporting/report_form.html", {"form": _report_form(request, initial=initial)})
    unit = rules.unit_from_value(request, request.POST.get("unit"), access.ANALYSE)
    form = _report_form(request, request.POST)
    if unit is None and not rules.covers_municipality(access.get_scope(request.user), access.ANALYSE):
        form.add_error("unit", _("Choose a unit."))
    if not form.is_valid():
        return render(request, "reporting/report_form.html", {"form": form}, status=200)
    if "preview" in request.POST:
        report = _unsaved_report(request, form, unit)
        document = documents.build_document(report)
        audit.record("report.preview", request=request, obj=unit, municipality=request.user.municipality,
                     sections=",".join(report.sections))
        return render(request, "reporting/report_form.html", {
            "form": form, "document": document,
            "charts": [(f"p{i}", s) for i, s in enumerate(
                [s for c in document.chapters for s in c.sections], start=1)],
        })
    data = form.cleaned_data
    report = services.create_report(
        municipality=request.user.municipality, unit=unit, user=request.user, title=data["title"],
        committee=data["committee"], meeting_date=data["meeting_date"], date_from=data["date_from"],
        date_to=data["date_to"], sections=data["sections"], summary=data["summary"],
        recommendation=data["recommendation"], request=request,
    )
    services.start_generation(report)
    return redirect("reporting:report_detail", uuid=report.uuid)


def _failure_message(report: Report) -> str:
    if report.failure == Report.Failure.STOPPED:
        return _("The report stopped before it was finished: the background worker making it stopped responding. "
                 "Start it again.")
    if report.failure == Report.Failure.NOT_STARTED:
        return _("The report was never started: no background worker picked it up. Start it again, and tell your "
                 "IT support if it happens again.")
    return _("The report could not be generated. Try again, or contact the system owner.")


@login_required
@require_GET
def report_detail(request, uuid):
    report = rules.get_report_for(request, uuid)
    pdf.expire_if_stale(report)  # a dead worker's report shows as failed, with why
    return render(request, "reporting/report_detail.html", {
        "report": report, "failure_message": _failure_message(report),
        "status_url": reverse("reporting:report_status", args=[report.uuid]),
        "download_url": reverse("reporting:report_download", args=[report.uuid]),
    })


@login_required
@require_GET
def report_status(request, uuid):
    report = rules.get_report_for(request, uuid)
    pdf.expire_if_stale(report)
    return JsonResponse({
        "status": report.status,
        "status_label": str(report.get_status_display()),
        "progress": report.progress,
        "finished": report.is_finished,
        "download_url": reverse("reporting:report_download", args=[report.uuid])
        if report.status == Report.Status.DONE else None,
        "error": _failure_message(report) if report.status == Report.Status.FAILED else "",
    })


@login_required
@require_POST
def report_restart(request, uuid):
    """Start a failed report again (its worker died, it never started, or it failed)."""
    report = rules.get_report_for(request, uuid)
    services.restart_generation(report, user=request.user, request=request)
    return redirect("reporting:report_detail", uuid=report.uuid)


@login_required
@require_GET
def report_download(request, uuid):
    report = rules.get_report_for(request, uuid)
    if report.status != Report.Status.DONE:
        raise Http404()
    pdf = Report.objects.filter(pk=report.pk).values_list("pdf", flat=True).first()
    audit.record("report.download", request=request, obj=report)
    stamp = report.created_at.date().isoformat()
    return file_response(bytes(pdf), file_name(report.title or "ligestilling-rapport", stamp, ext="pdf"))


# --- national overview -------------------------------------------------------------------


def is_platform_staff(user) -> bool:
    """Platform accounts (no municipality) with staff or superuser rights see every municipality."""
    return user.is_authenticated and user.municipality_id is None and (user.is_superuser or user.is_staff)


def _sort_columns(overview: national.Overview) -> list[dict]:
    labels = {
        "name": _("Municipality"), "code": _("Code"), "women": _("Women"), "men": _("Men"),
        "share": _("Share of women (95 % interval)"), "datasets": _("Datasets"),
        "observations": _("Observations"), "projects": _("Active projects"), "criteria": _("Criteria met"),
    }
    current, descending = overview.sort.lstrip("-"), overview.sort.startswith("-")
    columns = []
    for key in national.SORT_KEYS:
        active = key == current
        columns.append({
            "key": key, "label": labels[key], "numeric": key not in ("name", "code"),
            "href": "?sort=" + (key if active and descending else f"-{key}" if active else key),
            "aria_sort": ("descending" if descending else "ascending") if active else "",
        })
    return columns


@login_required
@require_GET
def national_overview(request):
    """All municipalities for platform staff; one's own beside the installation total for
    a municipality's leder/analytiker (ANALYSE). Reads only the summary table."""
    if is_platform_staff(request.user):
        overview = national.platform_overview(sort=request.GET.get("sort", "name"))
        audit.record("reporting.national_overview", request=request, scope="platform", sort=overview.sort)
    else:
        rules.require(request, access.ANALYSE)
        overview = national.municipality_overview(request.user.municipality)
        audit.record("reporting.national_overview", request=request, scope="municipality")
    return render(request, "reporting/national_overview.html", {
        "overview": overview, "columns": _sort_columns(overview),
    })
