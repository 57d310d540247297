"""Citizen involvement: plans, their sessions and the hypotheses they lead to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import access as accounts_access

from .. import access, services
from ..forms import HypothesisForm, InvolvementForm, InvolvementSessionForm
from ..models import InvolvementPlan
from .common import (
    checklist,
    form_error,
    initial_units,
    list_view,
    project_choices,
    record_hypothesis,
)

# --- Citizen involvement ---------------------------------------------------------------


@login_required
def involvement_list(request):
    return list_view(request, InvolvementPlan, "workshops/involvement_list.html", "involvement")


@login_required
def involvement_create(request):
    access.require_create(request)
    form = InvolvementForm(request.POST or None, municipality_id=request.user.municipality_id,
                           projects=project_choices(request),
                           initial={"transparency": InvolvementPlan._meta.get_field("transparency").default,
                                    **initial_units(request)})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units = data.pop("units")
        try:
            plan = services.create_involvement(by=request.user, units=units, request=request, **data)
        except ValidationError as exc:
            form_error(form, exc)
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
    if request.method == "POST" and hypothesis_form.is_valid() and record_hypothesis(request, plan, hypothesis_form):
        return redirect(reverse("workshops:involvement_detail", args=[plan.uuid]) + "#hypotheses")
    sessions = list(plan.sessions.all())
    return render(request, "workshops/involvement_detail.html", {
        "plan": plan, "can_edit": can_edit, "sessions": sessions, "hypothesis_form": hypothesis_form,
        "hypotheses": plan.hypotheses.order_by("created_at", "pk"),
        "advice": checklist(InvolvementPlan.Advice, plan.checklist),
        "women": sum(s.women for s in sessions), "men": sum(s.men for s in sessions),
    })


@login_required
def involvement_edit(request, uuid):
    plan = access.get_involvement_for(request, uuid, need=access.LEAD)
    form = InvolvementForm(request.POST or None, instance=plan, municipality_id=plan.municipality_id,
                           projects=project_choices(request, plan.project))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units = data.pop("units")
        try:
            services.update_involvement(plan=plan, by=request.user, units=units, request=request, **data)
        except ValidationError as exc:
            form_error(form, exc)
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
            form_error(form, exc)
        else:
            messages.success(request, _("The session has been recorded."))
            return redirect(reverse("workshops:involvement_detail", args=[plan.uuid]) + "#sessions")
    return render(request, "workshops/involvement_session.html", {"plan": plan, "form": form})
