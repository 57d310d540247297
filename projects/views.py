from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access as base_access
from accounts import params, roles
from accounts.models import Unit
from ligestilling.downloads import file_name, file_response
from ligestilling.pdf import render_pdf

from . import measures, services
from .access import (
    DELETE,
    EDIT,
    READ,
    can_delete,
    can_edit,
    dataset_readable,
    get_project_for,
    require_create,
    uncounted_units,
)
from .forms import (
    ActionForm,
    CriterionForm,
    CycleForm,
    HypothesisForm,
    MeasurementForm,
    MilestoneFormSet,
    ProjectForm,
    StatusForm,
)
from .models import Action, Criterion, Cycle, Hypothesis, Measurement, Project

PLAN_FIELDS = ["title", "responsible", "target_group", "target_sex", "strategic_link", "description",
               "actions_text", "who_does_what", "learning_goals", "start_date", "end_date", "status"]


def _child_or_404(request, queryset, uuid):
    obj = queryset.filter(uuid=uuid).first()
    if obj is None:
        raise base_access.not_found(request, queryset.model._meta.label_lower, uuid)
    return obj


def _apply_form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- List ------------------------------------------------------------------------------


@login_required
def project_list(request):
    # Any member: the projects they are responsible for or in the group of, besides those
    # of the units they read (READ_PROJECTS).
    scope = base_access.require_member(request)
    visible = Project.objects.visible_to(request.user, scope)
    show = request.GET.get("vis", "all")
    if show == "mine":
        projects = visible.mine(request.user)
    elif show == "units":
        projects = visible.filter(units__in=scope.unit_ids(roles.READ_PROJECTS)).distinct()
    else:
        show = "all"
        projects = visible
    status = request.GET.get("status", "")
    if status in Project.Status.values:
        projects = projects.filter(status=status)
    else:
        status = ""
    units = Unit.objects.filter(municipality_id=scope.municipality_id).order_by("path")
    unit_uuid = params.optional_uuid(request, "enhed", object_type="accounts.unit")
    unit = next((u for u in units if u.uuid == unit_uuid), None)
    if unit is not None:
        projects = projects.filter(units=unit).distinct()
    projects = projects.select_related("responsible").prefetch_related("units").order_by("-start_date", "title")
    page = Paginator(projects, 20).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in {"vis": show, "status": status, "enhed": unit_uuid if unit else ""}.items()
                       if v})
    return render(request, "projects/project_list.html", {
        "page": page, "query": query, "show": show, "status": status, "unit": unit, "units": units,
        "statuses": Project.Status.choices, "can_create": scope.has(base_access.LEAD),
        "filtered": bool(status or unit or show != "all"),
    })


# --- Plan ------------------------------------------------------------------------------


def _save_plan(request, form, formset, project=None):
    data = {name: form.cleaned_data[name] for name in PLAN_FIELDS}
    with transaction.atomic():
        if project is None:
            project = services.create_project(by=request.user, request=request, units=form.cleaned_data["units"],
                                              members=form.cleaned_data["members"], **data)
        else:
            services.update_project(project=project, by=request.user, request=request,
                                    units=form.cleaned_data["units"], members=form.cleaned_data["members"], **data)
        formset.instance = project
        formset.save()
    for warning in project.plan_warnings():
        messages.warning(request, warning)
    return project


@login_required
def project_create(request):
    scope = require_create(request)
    form = ProjectForm(request.POST or None, municipality_id=scope.municipality_id,
                       lead_unit_ids=scope.unit_ids(base_access.LEAD),
                       initial={"responsible": request.user.pk, "members": [request.user.pk],
                                "units": sorted(scope.unit_ids(base_access.LEAD))[:1],
                                "start_date": timezone.localdate()})
    formset = MilestoneFormSet(request.POST or None, instance=Project())
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            project = _save_plan(request, form, formset)
        except ValidationError as exc:
            _apply_form_errors(form, exc)
        else:
            messages.success(request, _("The project has been created."))
            return redirect("projects:project_detail", uuid=project.uuid)
    return render(request, "projects/project_form.html", {"form": form, "formset": formset, "project": None})


@login_required
def project_edit(request, uuid):
    project = get_project_for(request, uuid, EDIT)
    form = ProjectForm(request.POST or None, instance=project, municipality_id=project.municipality_id,
                       lead_unit_ids=base_access.get_scope(request.user).unit_ids(base_access.LEAD))
    formset = MilestoneFormSet(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            _save_plan(request, form, formset, project)
        except ValidationError as exc:
            _apply_form_errors(form, exc)
        else:
            messages.success(request, _("The project plan has been saved."))
            return redirect("projects:project_detail", uuid=project.uuid)
    return render(request, "projects/project_form.html", {"form": form, "formset": formset, "project": project})


@login_required
def project_detail(request, uuid):
    project = get_project_for(request, uuid, READ)
    scope = base_access.get_scope(request.user)
    criteria = list(project.criteria.select_related("logbook_item", "dataset_indicator__dataset")
                    .prefetch_related("measurements__entered_by", "measurements__cycle"))
    evaluations = []
    for evaluation in _evaluations(project, criteria, scope):
        evaluations.append({"evaluation": evaluation, "chart": measures.chart_points(evaluation)})
    has_logbook_criteria = any(c.kind == Criterion.Kind.LOGBOOK for c in criteria)
    return render(request, "projects/project_detail.html", {
        "project": project,
        "group": project.group(),
        "milestones": project.milestones.all(),
        "cycles": list(project.cycles.all()),
        "evaluations": evaluations,
        "hypotheses": project.hypotheses.all(),
        "actions": project.actions.select_related("owner"),
        "warnings": project.plan_warnings(),
        "can_edit": can_edit(project, request.user),
        "can_delete": can_delete(project, request.user, scope),
        "uncounted_units": uncounted_units(project) if has_logbook_criteria and can_edit(project, request.user) else [],
        "status_form": StatusForm(initial={"status": project.status}),
        "today": timezone.localdate(),
    })


@login_required
@require_POST
def project_status(request, uuid):
    project = get_project_for(request, uuid, EDIT)
    form = StatusForm(request.POST)
    if form.is_valid():
        services.set_status(project=project, status=form.cleaned_data["status"], by=request.user, request=request)
        messages.success(request, _("The status is now “%(status)s”.") % {"status": project.get_status_display()})
    return redirect("projects:project_detail", uuid=project.uuid)


@login_required
def project_delete(request, uuid):
    project = get_project_for(request, uuid, DELETE)
    if request.method == "POST":
        services.delete_project(project=project, by=request.user, request=request)
        messages.success(request, _("The project “%(title)s” has been deleted.") % {"title": project.title})
        return redirect("projects:project_list")
    return render(request, "projects/project_delete.html", {"project": project})


@login_required
def project_pdf(request, uuid):
    project = get_project_for(request, uuid, READ)
    with translation.override("da"):
        evaluations = _evaluations(project, project.criteria.select_related("dataset_indicator")
                                   .prefetch_related("measurements__cycle"), base_access.get_scope(request.user))
        html = render_to_string("projects/project_plan_pdf.html", {
            "project": project, "group": project.group(), "milestones": project.milestones.all(),
            "evaluations": evaluations, "actions": project.actions.select_related("owner"),
            "printed": timezone.localdate(), "lang": "da",
        }, request=request)
        pdf, _pages = render_pdf(html)
    return file_response(pdf, file_name("Projektplan", project.title, ext="pdf"), inline=True)


def _evaluations(project, criteria, scope) -> list[measures.Evaluation]:
    """Each criterion's course; a dataset criterion only for a viewer who may read the dataset."""
    threshold = project.municipality.suppression_threshold
    return [measures.evaluate(c, threshold) if dataset_readable(c, scope)
            else measures.Evaluation(criterion=c, threshold=threshold, restricted=True) for c in criteria]


# --- Cycles ----------------------------------------------------------------------------


@login_required
@require_POST
def cycle_open(request, uuid):
    project = get_project_for(request, uuid, EDIT)
    cycle = services.open_cycle(project=project, by=request.user)
    messages.success(request, _("Cycle %(number)s is open. Describe the action you try out.") % {"number": cycle.number})
    return redirect("projects:cycle_edit", uuid=project.uuid, item=cycle.uuid)


@login_required
def cycle_edit(request, uuid, item):
    project = get_project_for(request, uuid, EDIT)
    cycle = _child_or_404(request, Cycle.objects.filter(project=project), item)
    form = CycleForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        services.update_cycle(cycle=cycle, by=request.user, **form.cleaned_data)
        messages.success(request, _("Cycle %(number)s has been saved.") % {"number": cycle.number})
        return redirect(f"{project_url(project)}#cycles")
    return render(request, "projects/item_form.html", {
        "project": project, "form": form,
        "heading": _("Cycle %(number)s") % {"number": cycle.number},
        "intro": _("Action → reflection and learning → rethinking → action. Fill in each step as the cycle runs."),
    })


def project_url(project):
    from django.urls import reverse

    return reverse("projects:project_detail", args=[project.uuid])


# --- Hypotheses, actions ---------------------------------------------------------------


@login_required
def hypothesis_create(request, uuid):
    return _hypothesis_form(request, uuid, None)


@login_required
def hypothesis_edit(request, uuid, item):
    return _hypothesis_form(request, uuid, item)


def _hypothesis_form(request, uuid, item):
    project = get_project_for(request, uuid, EDIT)
    hypothesis = _child_or_404(request, Hypothesis.objects.filter(project=project), item) if item else None
    form = HypothesisForm(request.POST or None, instance=hypothesis)
    if request.method == "POST" and form.is_valid():
        if hypothesis is None:
            services.add_hypothesis(project=project, by=request.user, **form.cleaned_data)
        else:
            services.update_hypothesis(hypothesis=hypothesis, by=request.user, **form.cleaned_data)
        messages.success(request, _("The hypothesis has been saved."))
        return redirect(f"{project_url(project)}#hypotheses")
    return render(request, "projects/item_form.html", {
        "project": project, "form": form,
        "heading": _("New hypothesis") if hypothesis is None else _("Edit hypothesis"),
        "intro": _("A hypothesis is an assumption about how gender matters in your practice, which the project "
                   "can support or reject."),
    })


@login_required
def action_create(request, uuid):
    return _action_form(request, uuid, None)


@login_required
def action_edit(request, uuid, item):
    return _action_form(request, uuid, item)


def _action_form(request, uuid, item):
    project = get_project_for(request, uuid, EDIT)
    action = _child_or_404(request, Action.objects.filter(project=project), item) if item else None
    form = ActionForm(request.POST or None, instance=action, municipality_id=project.municipality_id,
                      initial={"owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            if action is None:
                services.add_action(project=project, by=request.user, **form.cleaned_data)
            else:
                services.update_action(action=action, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_form_errors(form, exc)
        else:
            messages.success(request, _("The action has been saved."))
            return redirect(f"{project_url(project)}#actions")
    return render(request, "projects/item_form.html", {
        "project": project, "form": form,
        "heading": _("New action") if action is None else _("Edit action"),
        "intro": _("Who does what, and by when? Open actions past their deadline are shown on the owner's "
                   "start page."),
    })


# --- Success criteria ------------------------------------------------------------------


@login_required
def criterion_create(request, uuid):
    return _criterion_form(request, uuid, None)


@login_required
def criterion_edit(request, uuid, item):
    return _criterion_form(request, uuid, item)


def _criterion_form(request, uuid, item):
    project = get_project_for(request, uuid, EDIT)
    criterion = _child_or_404(request, Criterion.objects.filter(project=project), item) if item else None
    form = CriterionForm(request.POST or None, instance=criterion, project=project,
                         scope=base_access.get_scope(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            criterion = services.save_criterion(project=project, by=request.user, criterion=criterion,
                                                **form.cleaned_data)
        except ValidationError as exc:
            _apply_form_errors(form, exc)
        else:
            messages.success(request, _("The success criterion has been saved."))
            return redirect(f"{project_url(project)}#criterion-{criterion.uuid}")
    return render(request, "projects/criterion_form.html", {"project": project, "form": form,
                                                            "criterion": criterion})


@login_required
def measurement_create(request, uuid, item):
    project = get_project_for(request, uuid, EDIT)
    criterion = _child_or_404(request, Criterion.objects.filter(project=project), item)
    if criterion.kind != Criterion.Kind.MANUAL:
        messages.info(request, _("This criterion is measured from the logbooks or a dataset; there is nothing to "
                                 "enter."))
        return redirect(f"{project_url(project)}#criterion-{criterion.uuid}")
    last_cycle = project.cycles.order_by("-number").first()
    form = MeasurementForm(request.POST or None, project=project,
                           initial={"cycle": last_cycle.pk if last_cycle else None})
    if request.method == "POST" and form.is_valid():
        try:
            services.add_measurement(criterion=criterion, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_form_errors(form, exc)
        else:
            messages.success(request, _("The measurement has been saved."))
            return redirect(f"{project_url(project)}#criterion-{criterion.uuid}")
    return render(request, "projects/item_form.html", {
        "project": project, "form": form,
        "heading": _("New measurement"),
        "intro": _("Criterion: %(definition)s. Enter how many were counted out of how many, for women and for "
                   "men.") % {"definition": criterion.definition},
    })


@login_required
@require_POST
def measurement_delete(request, uuid, item, measurement):
    project = get_project_for(request, uuid, EDIT)
    criterion = _child_or_404(request, Criterion.objects.filter(project=project), item)
    obj = _child_or_404(request, Measurement.objects.filter(criterion=criterion), measurement)
    services.delete_measurement(measurement=obj, by=request.user, request=request)
    messages.success(request, _("The measurement has been deleted."))
    return redirect(f"{project_url(project)}#criterion-{criterion.uuid}")
