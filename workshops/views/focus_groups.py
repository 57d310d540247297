"""Focus groups: planning, the participant count, findings and the guide PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access as accounts_access
from accounts import roles
from ligestilling.downloads import file_name

from .. import access, selectors, services
from ..forms import FindingForm, FocusGroupForm, HypothesisForm, SessionForm
from ..models import AgeBand, Finding, FocusGroup, Sex
from .common import (
    checklist,
    form_error,
    initial_units,
    list_view,
    pdf_response,
    project_choices,
    record_hypothesis,
)

# --- Focus groups ----------------------------------------------------------------------


@login_required
def focusgroup_list(request):
    return list_view(request, FocusGroup, "workshops/focusgroup_list.html", "focusgroups")


@login_required
def focusgroup_create(request):
    access.require_create(request)
    form = FocusGroupForm(request.POST or None, municipality_id=request.user.municipality_id, projects=project_choices(request),
                          scope=accounts_access.get_scope(request.user),
                          initial={"planned_size": 6, **initial_units(request)})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units = data.pop("units")
        try:
            group = services.create_focusgroup(by=request.user, units=units, request=request, **data)
        except ValidationError as exc:
            form_error(form, exc)
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
    if which == "hypothesis" and hypothesis_form.is_valid() and record_hypothesis(request, group, hypothesis_form):
        return redirect(reverse("workshops:focusgroup_detail", args=[group.uuid]) + "#hypotheses")
    if which == "finding":
        if finding_form.is_valid():
            try:
                services.add_finding(focus_group=group, by=request.user, **finding_form.cleaned_data)
            except ValidationError as exc:
                form_error(finding_form, exc)
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
        "total": group.participant_total(), "checklist": checklist(FocusGroup.Checklist, group.checklist),
        "grounding": _grounding(group, scope),
        "can_analyse": scope.has(roles.DATASETS),
    })


def _grounding(group, scope):
    """The data behind the composition, for a viewer who may read its dataset."""
    if group.indicator is None or not selectors.readable_indicators([group.indicator], scope)[0]:
        return None
    return selectors.indicator_summary(group.indicator, threshold=group.municipality.suppression_threshold)


def _grounding_candidates(request, limit: int = 30) -> dict:
    """The data that can ground the composition: indicators with their gap, clear differences first."""
    municipality = request.user.municipality
    scope = accounts_access.get_scope(request.user)
    summaries = selectors.indicator_summaries(selectors.indicator_choices(scope)[:limit],
                                              threshold=municipality.suppression_threshold)
    summaries.sort(key=lambda s: s.verdict != "significant")
    return {"candidates": summaries, "can_analyse": scope.has(roles.DATASETS)}


@login_required
def focusgroup_edit(request, uuid):
    group = access.get_focusgroup_for(request, uuid, need=access.LEAD)
    form = FocusGroupForm(request.POST or None, instance=group, municipality_id=group.municipality_id,
                          scope=accounts_access.get_scope(request.user),
                          projects=project_choices(request, group.project))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units = data.pop("units")
        try:
            services.update_focusgroup(focus_group=group, by=request.user, units=units, request=request, **data)
        except ValidationError as exc:
            form_error(form, exc)
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
            form_error(form, exc)
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
    return pdf_response(request, "workshops/focusgroup_pdf.html", {
        "group": group, "checklist": FocusGroup.Checklist.choices,
        "grounding": _grounding(group, accounts_access.get_scope(request.user)),
    }, file_name("Fokusgruppeguide", group.title, ext="pdf"))
