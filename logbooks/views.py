from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access, audit, roles
from accounts.models import Unit
from ligestilling.lib import periods

from . import rules, selectors, services
from .forms import (
    AnalysisForm,
    EntryForm,
    ListItemForm,
    MyEntriesFilterForm,
    ObservationForm,
    ObservationResponseForm,
    UnitParametersForm,
)
from .models import Entry, ListItem, Observation, UnitSettings

PAGE_SIZE = 20


def _apply_service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _default_unit(request, units) -> Unit | None:
    last = Entry.objects.filter(author=request.user, unit__in=units).order_by("-created_at").first()
    return last.unit if last else units.first()


# --- Entries -------------------------------------------------------------------------


@login_required
def quick_entry(request):
    scope = rules.require_logger(request)
    units = rules.log_units(request)
    unit = rules.unit_from_query(request)
    if unit is not None and unit.pk not in rules.log_unit_ids(scope):
        raise access.forbidden(request, "accounts.unit", unit.uuid, "log")
    unit = unit or _default_unit(request, units)
    if request.method == "POST":
        form = EntryForm(request.POST, unit=unit, author=request.user)
        if form.is_valid():
            try:
                # A repeated POST of the same form (double click) finds the entry the first stored.
                entry, _created = services.create_once(
                    services.create_entry, idempotency_key=form.cleaned_data["idempotency_key"],
                    author=request.user, unit=unit, fields=form.entry_fields(), topics=form.topics(),
                    offers=form.cleaned_data["offers"])
            except ValidationError as exc:
                _apply_service_errors(form, exc)
            else:
                messages.success(request, _("The conversation is saved. The form is ready for the next one."))
                return redirect(f"{reverse('logbooks:quick_entry')}?{urlencode({'unit': entry.unit.uuid})}")
        form.order_by_use()  # shown again with its errors
    else:
        last = Entry.objects.filter(author=request.user, unit=unit).order_by("-created_at").first()
        initial = {"date": timezone.localdate()}
        if last is not None:  # the author's last context
            initial.update(kind=last.kind_id, staff_present=last.staff_present)
        form = EntryForm(unit=unit, author=request.user, initial=initial)
    status = 400 if form.errors else 200
    return render(request, "logbooks/entry_form.html", {
        "form": form, "unit": unit, "units": units, "is_new": True,
        "can_lead": scope.has(access.LEAD, unit.pk),
    }, status=status)


@login_required
def my_entries(request):
    access.require_member(request)
    unit = rules.unit_from_query(request)
    form = MyEntriesFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.my_entries(request.user, **{k: v for k, v in filters.items() if v})
    if unit is not None:
        qs = qs.filter(unit=unit)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(request, "logbooks/my_entries.html", {"form": form, "page": page, "query": query})


@login_required
def unit_entries(request):
    """A leder's view of the entries of their units (summaries; the detail is audited)."""
    scope = access.require(request, roles.READ_LOGBOOKS)
    unit = rules.unit_from_query(request, need=roles.READ_LOGBOOKS)
    unit_ids = access.unit_ids_with_descendants([unit.pk] if unit else scope.unit_ids(roles.READ_LOGBOOKS))
    qs = Entry.objects.filter(municipality_id=scope.municipality_id, unit_id__in=unit_ids).select_related(
        "unit", "author", "kind", "outcome").prefetch_related("topics__topic").order_by("-date", "-created_at")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({"unit": unit.uuid}) if unit else ""
    return render(request, "logbooks/unit_entries.html", {
        "page": page, "query": query, "unit": unit,
        "units": Unit.objects.filter(pk__in=scope.unit_ids(roles.READ_LOGBOOKS)).order_by("path"),
    })


@login_required
def entry_detail(request, uuid):
    entry = rules.get_entry_for(request, uuid)
    return render(request, "logbooks/entry_detail.html", {
        "entry": entry, "topics": entry.topics.select_related("topic"), "offers": entry.offers.all(),
        "is_author": entry.author_id == request.user.pk,
    })


@login_required
def entry_edit(request, uuid):
    entry = rules.get_entry_for(request, uuid, edit=True)
    form = EntryForm(request.POST or None, unit=entry.unit, author=request.user, entry=entry,
                     initial=EntryForm.initial_for(entry))
    status = 200
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version") or 0
        try:
            services.update_entry(entry=entry, by=request.user, expected_version=version,
                                  fields=form.entry_fields(), topics=form.topics(),
                                  offers=form.cleaned_data["offers"])
        except services.EntryChanged as exc:
            form.add_error(None, exc)
            status = 409
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("The entry is updated."))
            return redirect("logbooks:entry_detail", uuid=entry.uuid)
    if form.errors and status == 200:
        status = 400
    if form.is_bound:
        form.order_by_use()  # shown again with its errors
    return render(request, "logbooks/entry_form.html", {
        "form": form, "unit": entry.unit, "entry": entry, "is_new": False,
    }, status=status)


@login_required
def entry_delete(request, uuid):
    entry = rules.get_entry_for(request, uuid, edit=True)
    if request.method == "POST":
        services.delete_entry(entry=entry, by=request.user)
        messages.success(request, _("The entry is deleted."))
        return redirect("logbooks:my_entries")
    return render(request, "logbooks/entry_confirm_delete.html", {"entry": entry})


# --- Observations --------------------------------------------------------------------


@login_required
def observation_list(request):
    scope = access.require_member(request)
    unit = rules.unit_from_query(request)
    me = request.user.pk
    visible = Q(observer_id=me) | Q(observed_id=me) | Q(unit_id__in=access.unit_ids_with_descendants(
        scope.unit_ids(roles.READ_LOGBOOKS)))
    qs = Observation.objects.filter(visible, municipality_id=scope.municipality_id).select_related(
        "observer", "observed", "unit")
    if unit is not None:
        qs = qs.filter(unit=unit)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "logbooks/observation_list.html", {
        "page": page, "can_create": bool(rules.log_unit_ids(scope)),
    })


@login_required
def observation_create(request):
    scope = rules.require_logger(request)
    units = rules.log_units(request)
    unit = rules.unit_from_query(request)
    if unit is not None and unit.pk not in rules.log_unit_ids(scope):
        raise access.forbidden(request, "accounts.unit", unit.uuid, "log")
    unit = unit or _default_unit(request, units)
    form = ObservationForm(request.POST or None, municipality_id=scope.municipality_id, observer=request.user,
                           initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("observed", "idempotency_key")}
        try:
            observation, _created = services.create_once(
                services.create_observation, idempotency_key=form.cleaned_data["idempotency_key"],
                observer=request.user, observed=form.cleaned_data["observed"], unit=unit, fields=data)
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("The observation is saved. Your colleague can read it and respond."))
            return redirect("logbooks:observation_detail", uuid=observation.uuid)
    return render(request, "logbooks/observation_form.html", {"form": form, "unit": unit},
                  status=400 if form.errors else 200)


@login_required
def observation_detail(request, uuid):
    observation = rules.get_observation_for(request, uuid)
    form = None
    if observation.observed_id == request.user.pk:
        form = ObservationResponseForm(initial={"response": observation.response})
    return render(request, "logbooks/observation_detail.html", {"observation": observation, "form": form})


@login_required
@require_POST
def observation_respond(request, uuid):
    observation = rules.get_observation_for(request, uuid, respond=True)
    form = ObservationResponseForm(request.POST)
    if form.is_valid():
        try:
            services.respond_to_observation(observation=observation, by=request.user,
                                            response=form.cleaned_data["response"])
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("Your response is saved."))
            return redirect("logbooks:observation_detail", uuid=observation.uuid)
    return render(request, "logbooks/observation_detail.html", {"observation": observation, "form": form},
                  status=400)


# --- Lists (leder) --------------------------------------------------------------------


@login_required
def list_manage(request, uuid):
    unit = access.get_unit_for(request, uuid, need=access.LEAD)
    settings = UnitSettings.objects.filter(unit=unit).first()
    is_settings = request.POST.get("action") == "parameters"
    form = ListItemForm(request.POST if request.method == "POST" and not is_settings else None)
    params = UnitParametersForm(request.POST if is_settings else None, initial={
        "education": settings.ask_education, "civil_status": settings.ask_civil_status,
        "origin": settings.ask_origin} if settings else None)
    if is_settings and params.is_valid():
        services.set_unit_parameters(unit=unit, by=request.user, **params.cleaned_data)
        messages.success(request, _("The choice of extra information about the citizen is saved."))
        return redirect("logbooks:list_manage", uuid=unit.uuid)
    if request.method == "POST" and not is_settings and form.is_valid():
        try:
            services.add_list_item(unit=unit, kind=form.cleaned_data["kind"], label=form.cleaned_data["label"],
                                   by=request.user)
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("The choice is added."))
            return redirect("logbooks:list_manage", uuid=unit.uuid)
    items = ListItem.objects.filter(unit=unit)
    lists = [(label, [i for i in items if i.kind == kind]) for kind, label in ListItem.Kind.choices]
    return render(request, "logbooks/list_manage.html", {
        "unit": unit, "form": form, "lists": lists, "params": params,
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def list_item_toggle(request, uuid):
    item = access.get_in_municipality(request, ListItem.objects.select_related("unit"), uuid)
    access.require(request, access.LEAD, item.unit_id)
    services.set_list_item_active(item=item, active=not item.is_active, by=request.user)
    return redirect("logbooks:list_manage", uuid=item.unit.uuid)


# --- Analysis ---------------------------------------------------------------------------


@login_required
def analysis(request):
    scope = access.require(request, access.ANALYSE)
    units = Unit.objects.filter(pk__in=scope.unit_ids(access.ANALYSE)).order_by("path")
    unit = rules.unit_from_query(request, need=access.ANALYSE) or units.first()
    form = AnalysisForm(request.GET or None)
    today = timezone.localdate()
    default = periods.last_12_months(today)  # "Seneste 12 måneder", as on the dashboard
    date_from, date_to = default.date_from, default.date_to
    if form.is_valid():
        date_from = form.cleaned_data["date_from"] or date_from
        date_to = form.cleaned_data["date_to"] or date_to
    picture = selectors.gender_picture(
        municipality_id=scope.municipality_id, unit_ids=access.unit_ids_with_descendants([unit.pk]),
        threshold=request.user.municipality.suppression_threshold, date_from=date_from, date_to=date_to,
        age_adjust=True,
    )
    audit.record("logbook.analysis", request=request, obj=unit, date_from=date_from.isoformat(),
                 date_to=date_to.isoformat())
    return render(request, "logbooks/analysis.html", {
        "picture": picture, "unit": unit, "units": units, "form": form, "date_from": date_from,
        "date_to": date_to, "can_lead": scope.has(access.LEAD, unit.pk),
    })


