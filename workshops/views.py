from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access as accounts_access
from accounts.models import Unit
from projects.models import Project

from . import access, agenda, selectors, services
from .forms import (
    ActionForm,
    AgendaItemForm,
    FindingForm,
    FocusGroupForm,
    FollowUpForm,
    HypothesisForm,
    IdeaForm,
    InvolvementForm,
    InvolvementSessionForm,
    ReviewForm,
    SessionForm,
    WorkshopForm,
)
from .models import AgeBand, Finding, FocusGroup, InvolvementPlan, Sex, Workshop


def _form_error(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _unit_filter(request):
    """The unit of `?enhed=<uuid>` (another municipality's unit: 404, audited), or None."""
    uuid = request.GET.get("enhed")
    if not uuid:
        return None
    try:
        return accounts_access.get_in_municipality(request, Unit.objects.all(), uuid)
    except ValidationError as exc:  # not a UUID
        raise accounts_access.not_found(request, "accounts.unit", uuid) from exc


def _list(request, model, template: str, section: str, **extra):
    unit = _unit_filter(request)
    objects = access.visible(request, model).prefetch_related("units").select_related("organiser")
    if unit is not None:
        objects = objects.filter(units=unit)
    scope = accounts_access.get_scope(request.user)
    units = Unit.objects.filter(municipality_id=scope.municipality_id, pk__in=scope.unit_ids())
    return render(request, template, {
        "objects": objects, "can_create": _can_create(request), "section": section, "unit": unit,
        "units": units.order_by("path"), **extra,
    })


def _initial_units(request) -> dict:
    unit = _unit_filter(request)
    return {"units": [unit]} if unit is not None else {}


def _projects(request, current=None):
    """Projects the user may link to: those they see, plus the one already linked."""
    scope = accounts_access.get_scope(request.user)
    ids = Project.objects.visible_to(request.user, scope).values("pk")
    q = Q(pk__in=ids) | Q(pk=current.pk) if current is not None else Q(pk__in=ids)
    return Project.objects.filter(q).order_by("title")


def _record_hypothesis(request, source, form) -> bool:
    try:
        services.record_hypothesis(source=source, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _form_error(form, exc)
        return False
    messages.success(request, _("The hypothesis has been added to the project “%(project)s”.")
                     % {"project": source.project.title})
    return True


def _can_create(request) -> bool:
    return accounts_access.get_scope(request.user).has(access.LEAD)


def _pdf_response(request, template: str, context: dict, filename: str) -> HttpResponse:
    import weasyprint

    with translation.override("da"):
        html = render_to_string(template, context, request=request)
    pdf = weasyprint.HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- Workshops -------------------------------------------------------------------------


@login_required
def workshop_list(request):
    return _list(request, Workshop, "workshops/workshop_list.html", "workshops")


@login_required
def workshop_create(request):
    access.require_create(request)
    form = WorkshopForm(request.POST or None, municipality_id=request.user.municipality_id, projects=_projects(request),
                        initial={"start_time": "09:00", "preparation_task": agenda.DEFAULT_PREPARATION_TASK,
                                 **_initial_units(request)})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units, participants = data.pop("units"), data.pop("participants")
        try:
            workshop = services.create_workshop(by=request.user, units=units, participants=participants,
                                                request=request, **data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The workshop has been planned with the pamphlet's agenda. Adjust it to "
                                        "your day."))
            return redirect("workshops:workshop_agenda", uuid=workshop.uuid)
    return render(request, "workshops/workshop_form.html", {"form": form, "workshop": None})


@login_required
def workshop_detail(request, uuid):
    workshop = access.get_workshop_for(request, uuid)
    scope = accounts_access.get_scope(request.user)
    return render(request, "workshops/workshop_detail.html", {
        "workshop": workshop,
        "can_edit": access.can_edit(workshop, request.user, scope),
        "items": workshop.scheduled_items(),
        "total": agenda.format_minutes(workshop.total_minutes()),
        "warning": workshop.length_warning(),
        "participants": workshop.participants.order_by("full_name"),
        "ideas": workshop.ideas.all(),
        "hypotheses": workshop.hypotheses.order_by("created_at", "pk"),
        "actions": workshop.actions.select_related("owner").order_by("due_date", "pk"),
        **_workshop_data(request, workshop, scope),
    })


def _workshop_data(request, workshop, scope) -> dict:
    """“What does the data tell us?”: attached indicators, and the units' logbooks for those who analyse."""
    threshold = workshop.municipality.suppression_threshold
    indicators = selectors.indicator_summaries(workshop.indicators.select_related("dataset"), threshold=threshold)
    unit_ids = [u.pk for u in workshop.units.all() if scope.has(accounts_access.ANALYSE, u.pk)]
    logbook = None
    if unit_ids:
        logbook = selectors.logbook_summary(municipality=workshop.municipality, unit_ids=unit_ids,
                                            today=timezone.localdate())
    return {"indicator_summaries": indicators, "logbook": logbook,
            "can_analyse": scope.has(accounts_access.ANALYSE),
            "analysis_unit": next((u for u in workshop.units.all() if u.pk in unit_ids), None)}


@login_required
def workshop_edit(request, uuid):
    workshop = access.get_workshop_for(request, uuid, need=access.LEAD)
    form = WorkshopForm(request.POST or None, instance=workshop, municipality_id=workshop.municipality_id,
                        projects=_projects(request, workshop.project))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units, participants = data.pop("units"), data.pop("participants")
        try:
            services.update_workshop(workshop=workshop, by=request.user, units=units, participants=participants,
                                     request=request, **data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The workshop has been saved."))
            return redirect("workshops:workshop_detail", uuid=workshop.uuid)
    return render(request, "workshops/workshop_form.html", {"form": form, "workshop": workshop})


@login_required
def workshop_delete(request, uuid):
    workshop = access.get_workshop_for(request, uuid, need=access.LEAD)
    if request.method == "POST":
        services.delete_workshop(workshop=workshop, by=request.user, request=request)
        messages.success(request, _("The workshop has been deleted."))
        return redirect("workshops:workshop_list")
    return render(request, "workshops/confirm_delete.html", {
        "object": workshop, "cancel_url": reverse("workshops:workshop_detail", args=[workshop.uuid]),
        "question": _("Delete the workshop “%(title)s” with its agenda and ideas? Hypotheses and actions already "
                      "in the project stay there.") % {"title": workshop.title},
    })


@login_required
def workshop_agenda(request, uuid):
    """The agenda editor: add items; reorder, edit and remove them with plain forms."""
    workshop = access.get_workshop_for(request, uuid, need=access.LEAD)
    form = AgendaItemForm(request.POST or None, initial={"minutes": 30})
    if request.method == "POST" and form.is_valid():
        try:
            services.add_agenda_item(workshop=workshop, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The item has been added to the agenda."))
            return redirect("workshops:workshop_agenda", uuid=workshop.uuid)
    return render(request, "workshops/workshop_agenda.html", {
        "workshop": workshop, "form": form, "items": workshop.scheduled_items(),
        "total": agenda.format_minutes(workshop.total_minutes()), "warning": workshop.length_warning(),
    })


@login_required
@require_POST
def agenda_template(request, uuid):
    workshop = access.get_workshop_for(request, uuid, need=access.LEAD)
    services.apply_template(workshop=workshop, by=request.user)
    messages.success(request, _("The agenda has been replaced by the pamphlet's template."))
    return redirect("workshops:workshop_agenda", uuid=workshop.uuid)


@login_required
@require_POST
def agenda_move(request, uuid, item):
    workshop = access.get_workshop_for(request, uuid, need=access.LEAD)
    agenda_item = get_object_or_404(workshop.agenda_items, uuid=item)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        services.move_agenda_item(item=agenda_item, direction=direction, by=request.user)
        messages.success(request, _("“%(title)s” has been moved.") % {"title": agenda_item.title})
    return redirect(reverse("workshops:workshop_agenda", args=[workshop.uuid]) + f"#item-{agenda_item.uuid}")


@login_required
@require_POST
def agenda_remove(request, uuid, item):
    workshop = access.get_workshop_for(request, uuid, need=access.LEAD)
    agenda_item = get_object_or_404(workshop.agenda_items, uuid=item)
    services.remove_agenda_item(item=agenda_item, by=request.user)
    messages.success(request, _("“%(title)s” has been removed from the agenda.") % {"title": agenda_item.title})
    return redirect("workshops:workshop_agenda", uuid=workshop.uuid)


@login_required
def agenda_item_edit(request, uuid, item):
    workshop = access.get_workshop_for(request, uuid, need=access.LEAD)
    agenda_item = get_object_or_404(workshop.agenda_items, uuid=item)
    form = AgendaItemForm(request.POST or None, instance=agenda_item)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_agenda_item(item=agenda_item, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The item has been saved."))
            return redirect("workshops:workshop_agenda", uuid=workshop.uuid)
    return render(request, "workshops/agenda_item_form.html", {"workshop": workshop, "form": form,
                                                                "item": agenda_item})


@login_required
def workshop_pdf(request, uuid):
    workshop = access.get_workshop_for(request, uuid)
    return _pdf_response(request, "workshops/workshop_pdf.html", {
        "workshop": workshop, "items": workshop.scheduled_items(),
        "total": agenda.format_minutes(workshop.total_minutes()),
        "participants": workshop.participants.order_by("full_name"),
    }, f"workshop-{workshop.date:%Y-%m-%d}.pdf")


@login_required
def workshop_outputs(request, uuid):
    """What came out of the workshop: hypotheses and actions into the project, ideas, the follow-up."""
    workshop = access.get_workshop_for(request, uuid, need=access.LEAD)
    which = request.POST.get("form") if request.method == "POST" else None
    data = request.POST if request.method == "POST" else None
    hypotheses = workshop.hypotheses.order_by("created_at", "pk")
    forms = {
        "hypothesis": HypothesisForm(data if which == "hypothesis" else None, prefix="hypothesis"),
        "action": ActionForm(data if which == "action" else None, prefix="action",
                             municipality_id=workshop.municipality_id),
        "idea": IdeaForm(data if which == "idea" else None, prefix="idea"),
        "follow_up": FollowUpForm(data if which == "follow_up" else None, instance=workshop, prefix="follow_up"),
        "review": ReviewForm(data if which == "review" else None, prefix="review", hypotheses=hypotheses),
    }
    form = forms.get(which)
    if form is not None and form.is_valid():
        if _save_output(request, workshop, which, form):
            anchor = {"hypothesis": "hypotheses", "action": "actions", "idea": "ideas", "follow_up": "follow-up",
                      "review": "review"}[which]
            return redirect(reverse("workshops:workshop_outputs", args=[workshop.uuid]) + f"#{anchor}")
    return render(request, "workshops/workshop_outputs.html", {
        "workshop": workshop, "forms": forms, "ideas": workshop.ideas.all(), "hypotheses": hypotheses,
        "actions": workshop.actions.select_related("owner").order_by("due_date", "pk"),
    })


def _save_output(request, workshop, which: str, form) -> bool:
    try:
        if which == "hypothesis":
            return _record_hypothesis(request, workshop, form)
        if which == "action":
            services.record_action(workshop=workshop, by=request.user, **form.cleaned_data)
            messages.success(request, _("The action has been added to the project “%(project)s”.")
                             % {"project": workshop.project.title})
        elif which == "idea":
            services.add_idea(workshop=workshop, by=request.user, **form.cleaned_data)
            messages.success(request, _("The idea has been recorded."))
        elif which == "follow_up":
            services.set_follow_up(workshop=workshop, by=request.user, **form.cleaned_data)
            messages.success(request, _("The follow-up meeting has been saved."))
        elif which == "review":
            for hypothesis, status, evidence in form.rows():
                services.review_hypothesis(source=workshop, hypothesis=hypothesis, by=request.user,
                                           status=form.cleaned_data[status.name],
                                           evidence=form.cleaned_data[evidence.name])
            messages.success(request, _("The hypotheses have been updated in the project."))
    except ValidationError as exc:
        _form_error(form, exc)
        return False
    return True


# --- Focus groups ----------------------------------------------------------------------


@login_required
def focusgroup_list(request):
    return _list(request, FocusGroup, "workshops/focusgroup_list.html", "focusgroups")


@login_required
def focusgroup_create(request):
    access.require_create(request)
    form = FocusGroupForm(request.POST or None, municipality_id=request.user.municipality_id, projects=_projects(request),
                          initial={"planned_size": 6, **_initial_units(request)})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units = data.pop("units")
        try:
            group = services.create_focusgroup(by=request.user, units=units, request=request, **data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The focus group has been planned."))
            if warning := group.size_warning():
                messages.warning(request, warning)
            return redirect("workshops:focusgroup_detail", uuid=group.uuid)
    return render(request, "workshops/focusgroup_form.html", {"form": form, "group": None,
                                                               **_grounding_candidates(request)})


@login_required
def focusgroup_detail(request, uuid):
    group = access.get_focusgroup_for(request, uuid)
    scope = accounts_access.get_scope(request.user)
    can_edit = access.can_edit(group, request.user, scope)
    which = request.POST.get("form", "finding") if request.method == "POST" else None
    finding_form = FindingForm(request.POST if which == "finding" else None)
    hypothesis_form = HypothesisForm(request.POST if which == "hypothesis" else None, prefix="hypothesis")
    if request.method == "POST" and not can_edit:
        raise accounts_access.forbidden(request, "workshops.focusgroup", uuid, access.LEAD)
    if which == "hypothesis" and hypothesis_form.is_valid() and _record_hypothesis(request, group, hypothesis_form):
        return redirect(reverse("workshops:focusgroup_detail", args=[group.uuid]) + "#hypotheses")
    if which == "finding":
        if finding_form.is_valid():
            try:
                services.add_finding(focus_group=group, by=request.user, **finding_form.cleaned_data)
            except ValidationError as exc:
                _form_error(finding_form, exc)
            else:
                messages.success(request, _("The finding has been recorded."))
                return redirect(reverse("workshops:focusgroup_detail", args=[group.uuid]) + "#findings")
    counts = {(c.sex, c.age_band): c.count for c in group.participant_counts.all()}
    count_rows = [(label, [counts.get((sex, band), 0) for band in AgeBand.values],
                   sum(counts.get((sex, band), 0) for band in AgeBand.values)) for sex, label in Sex.choices]
    return render(request, "workshops/focusgroup_detail.html", {
        "group": group, "can_edit": can_edit, "finding_form": finding_form, "hypothesis_form": hypothesis_form,
        "hypotheses": group.hypotheses.order_by("created_at", "pk"),
        "findings": group.findings.all(), "count_rows": count_rows, "age_bands": AgeBand.choices,
        "total": group.participant_total(), "checklist": _checklist(FocusGroup.Checklist, group.checklist),
        "grounding": group.indicator and selectors.indicator_summary(
            group.indicator, threshold=group.municipality.suppression_threshold),
        "can_analyse": scope.has(accounts_access.ANALYSE),
    })


def _grounding_candidates(request, limit: int = 30) -> dict:
    """The data that can ground the composition: indicators with their gap, clear differences first."""
    municipality = request.user.municipality
    summaries = selectors.indicator_summaries(selectors.indicator_choices(municipality.pk)[:limit],
                                              threshold=municipality.suppression_threshold)
    summaries.sort(key=lambda s: s.verdict != "significant")
    return {"candidates": summaries, "can_analyse": accounts_access.get_scope(request.user).has(
        accounts_access.ANALYSE)}


def _checklist(choices, ticked) -> list[tuple[str, bool]]:
    return [(label, value in (ticked or [])) for value, label in choices.choices]


@login_required
def focusgroup_edit(request, uuid):
    group = access.get_focusgroup_for(request, uuid, need=access.LEAD)
    form = FocusGroupForm(request.POST or None, instance=group, municipality_id=group.municipality_id,
                          projects=_projects(request, group.project))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units = data.pop("units")
        try:
            services.update_focusgroup(focus_group=group, by=request.user, units=units, request=request, **data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The focus group has been saved."))
            if warning := group.size_warning():
                messages.warning(request, warning)
            return redirect("workshops:focusgroup_detail", uuid=group.uuid)
    return render(request, "workshops/focusgroup_form.html", {"form": form, "group": group,
                                                               **_grounding_candidates(request)})


@login_required
def focusgroup_delete(request, uuid):
    group = access.get_focusgroup_for(request, uuid, need=access.LEAD)
    if request.method == "POST":
        services.delete_focusgroup(focus_group=group, by=request.user, request=request)
        messages.success(request, _("The focus group has been deleted."))
        return redirect("workshops:focusgroup_list")
    return render(request, "workshops/confirm_delete.html", {
        "object": group, "cancel_url": reverse("workshops:focusgroup_detail", args=[group.uuid]),
        "question": _("Delete the focus group “%(title)s” with its findings?") % {"title": group.title},
    })


@login_required
def focusgroup_session(request, uuid):
    group = access.get_focusgroup_for(request, uuid, need=access.LEAD)
    form = SessionForm(request.POST or None, focus_group=group)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_session(focus_group=group, counts=form.counts(),
                                    checklist=form.cleaned_data["checklist"], by=request.user)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The participants have been counted."))
            total = group.participant_total()
            if total and not 5 <= total <= 8:
                messages.warning(request, _("%(count)s took part. The pamphlet suggests a focus group of 5-8 "
                                            "people.") % {"count": total})
            return redirect("workshops:focusgroup_detail", uuid=group.uuid)
    return render(request, "workshops/focusgroup_session.html", {"group": group, "form": form,
                                                                  "age_bands": AgeBand.choices})


@login_required
@require_POST
def finding_delete(request, uuid, item):
    group = access.get_focusgroup_for(request, uuid, need=access.LEAD)
    finding = get_object_or_404(Finding, focus_group=group, uuid=item)
    services.delete_finding(finding=finding, by=request.user)
    messages.success(request, _("The finding has been deleted."))
    return redirect(reverse("workshops:focusgroup_detail", args=[group.uuid]) + "#findings")


@login_required
def focusgroup_pdf(request, uuid):
    group = access.get_focusgroup_for(request, uuid)
    return _pdf_response(request, "workshops/focusgroup_pdf.html", {
        "group": group, "checklist": FocusGroup.Checklist.choices,
        "grounding": group.indicator and selectors.indicator_summary(
            group.indicator, threshold=group.municipality.suppression_threshold),
    }, "fokusgruppe-guide.pdf")


# --- Citizen involvement ---------------------------------------------------------------


@login_required
def involvement_list(request):
    return _list(request, InvolvementPlan, "workshops/involvement_list.html", "involvement")


@login_required
def involvement_create(request):
    access.require_create(request)
    form = InvolvementForm(request.POST or None, municipality_id=request.user.municipality_id,
                           projects=_projects(request),
                           initial={"transparency": InvolvementPlan._meta.get_field("transparency").default,
                                    **_initial_units(request)})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units = data.pop("units")
        try:
            plan = services.create_involvement(by=request.user, units=units, request=request, **data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The involvement plan has been saved."))
            return redirect("workshops:involvement_detail", uuid=plan.uuid)
    return render(request, "workshops/involvement_form.html", {"form": form, "plan": None})


@login_required
def involvement_detail(request, uuid):
    plan = access.get_involvement_for(request, uuid)
    scope = accounts_access.get_scope(request.user)
    can_edit = access.can_edit(plan, request.user, scope)
    if request.method == "POST" and not can_edit:
        raise accounts_access.forbidden(request, "workshops.involvementplan", uuid, access.LEAD)
    hypothesis_form = HypothesisForm(request.POST or None, prefix="hypothesis")
    if request.method == "POST" and hypothesis_form.is_valid() and _record_hypothesis(request, plan, hypothesis_form):
        return redirect(reverse("workshops:involvement_detail", args=[plan.uuid]) + "#hypotheses")
    sessions = list(plan.sessions.all())
    return render(request, "workshops/involvement_detail.html", {
        "plan": plan, "can_edit": can_edit, "sessions": sessions, "hypothesis_form": hypothesis_form,
        "hypotheses": plan.hypotheses.order_by("created_at", "pk"),
        "advice": _checklist(InvolvementPlan.Advice, plan.checklist),
        "women": sum(s.women for s in sessions), "men": sum(s.men for s in sessions),
    })


@login_required
def involvement_edit(request, uuid):
    plan = access.get_involvement_for(request, uuid, need=access.LEAD)
    form = InvolvementForm(request.POST or None, instance=plan, municipality_id=plan.municipality_id,
                           projects=_projects(request, plan.project))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units = data.pop("units")
        try:
            services.update_involvement(plan=plan, by=request.user, units=units, request=request, **data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The involvement plan has been saved."))
            return redirect("workshops:involvement_detail", uuid=plan.uuid)
    return render(request, "workshops/involvement_form.html", {"form": form, "plan": plan})


@login_required
def involvement_delete(request, uuid):
    plan = access.get_involvement_for(request, uuid, need=access.LEAD)
    if request.method == "POST":
        services.delete_involvement(plan=plan, by=request.user, request=request)
        messages.success(request, _("The involvement plan has been deleted."))
        return redirect("workshops:involvement_list")
    return render(request, "workshops/confirm_delete.html", {
        "object": plan, "cancel_url": reverse("workshops:involvement_detail", args=[plan.uuid]),
        "question": _("Delete the involvement plan “%(title)s” with its sessions?") % {"title": plan.title},
    })


@login_required
def involvement_session(request, uuid):
    plan = access.get_involvement_for(request, uuid, need=access.LEAD)
    form = InvolvementSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_session(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The session has been recorded."))
            return redirect(reverse("workshops:involvement_detail", args=[plan.uuid]) + "#sessions")
    return render(request, "workshops/involvement_session.html", {"plan": plan, "form": form})
