"""Workshops: planning, the agenda, the PDF and what came out of the day."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access as accounts_access
from accounts import roles
from ligestilling.downloads import file_name

from .. import access, agenda, selectors, services
from ..forms import (
    ActionForm,
    AgendaItemForm,
    FollowUpForm,
    HypothesisForm,
    IdeaForm,
    ReviewForm,
    WorkshopForm,
)
from ..models import Workshop
from .common import (
    form_error,
    initial_units,
    list_view,
    pdf_response,
    project_choices,
    record_hypothesis,
)

# --- Workshops -------------------------------------------------------------------------


@login_required
def workshop_list(request):
    return list_view(request, Workshop, "workshops/workshop_list.html", "workshops")


@login_required
def workshop_create(request):
    access.require_create(request)
    form = WorkshopForm(request.POST or None, municipality_id=request.user.municipality_id, projects=project_choices(request),
                        scope=accounts_access.get_scope(request.user),
                        initial={"start_time": "09:00", "preparation_task": agenda.DEFAULT_PREPARATION_TASK,
                                 **initial_units(request)})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units, participants = data.pop("units"), data.pop("participants")
        try:
            workshop = services.create_workshop(by=request.user, units=units, participants=participants,
                                                request=request, **data)
        except ValidationError as exc:
            form_error(form, exc)
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
    readable, hidden = selectors.readable_indicators(workshop.indicators.select_related("dataset"), scope)
    indicators = selectors.indicator_summaries(readable, threshold=threshold)
    unit_ids = [u.pk for u in workshop.units.all() if scope.has(accounts_access.ANALYSE, u.pk)]
    logbook = None
    if unit_ids:
        logbook = selectors.logbook_summary(municipality=workshop.municipality, unit_ids=unit_ids,
                                            today=timezone.localdate())
    return {"indicator_summaries": indicators, "hidden_indicators": hidden, "logbook": logbook,
            "can_analyse": scope.has(roles.DATASETS),
            "analysis_unit": next((u for u in workshop.units.all() if u.pk in unit_ids), None)}


@login_required
def workshop_edit(request, uuid):
    workshop = access.get_workshop_for(request, uuid, need=access.LEAD)
    form = WorkshopForm(request.POST or None, instance=workshop, municipality_id=workshop.municipality_id,
                        scope=accounts_access.get_scope(request.user),
                        projects=project_choices(request, workshop.project))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units, participants = data.pop("units"), data.pop("participants")
        try:
            services.update_workshop(workshop=workshop, by=request.user, units=units, participants=participants,
                                     request=request, **data)
        except ValidationError as exc:
            form_error(form, exc)
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
            form_error(form, exc)
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
            form_error(form, exc)
        else:
            messages.success(request, _("The item has been saved."))
            return redirect("workshops:workshop_agenda", uuid=workshop.uuid)
    return render(request, "workshops/agenda_item_form.html", {"workshop": workshop, "form": form,
                                                                "item": agenda_item})


@login_required
def workshop_pdf(request, uuid):
    workshop = access.get_workshop_for(request, uuid)
    return pdf_response(request, "workshops/workshop_pdf.html", {
        "workshop": workshop, "items": workshop.scheduled_items(),
        "total": agenda.format_minutes(workshop.total_minutes()),
        "participants": workshop.participants.order_by("full_name"),
    }, file_name("Workshop", workshop.title, f"{workshop.date:%Y-%m-%d}", ext="pdf"))


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
            return record_hypothesis(request, workshop, form)
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
        form_error(form, exc)
        return False
    return True
