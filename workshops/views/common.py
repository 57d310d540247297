"""Helpers shared by the workshop, focus-group and citizen-involvement views."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from accounts import access as accounts_access
from accounts import params, roles
from accounts.models import Unit
from ligestilling.downloads import file_response
from ligestilling.pdf import render_pdf
from projects.models import Project

from .. import access, services


def form_error(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def unit_filter(request):
    """The unit of `?enhed=<uuid>` (another municipality's unit: 404, audited), or None."""
    uuid = params.optional_uuid(request, "enhed", object_type="accounts.unit")
    if uuid is None:
        return None
    return accounts_access.get_in_municipality(request, Unit.objects.all(), uuid)


def list_view(request, model, template: str, section: str, **extra):
    unit = unit_filter(request)
    objects = access.visible(request, model).prefetch_related("units").select_related("organiser")
    if unit is not None:
        objects = objects.filter(units=unit)
    scope = accounts_access.get_scope(request.user)
    units = Unit.objects.filter(municipality_id=scope.municipality_id,
                                pk__in=scope.unit_ids(roles.READ_ACTIVITIES))
    return render(request, template, {
        "objects": objects, "can_create": can_create(request), "section": section, "unit": unit,
        "units": units.order_by("path"), **extra,
    })


def initial_units(request) -> dict:
    unit = unit_filter(request)
    return {"units": [unit]} if unit is not None else {}


def project_choices(request, current=None):
    """Projects the user may link to: those they see, plus the one already linked."""
    scope = accounts_access.get_scope(request.user)
    ids = Project.objects.visible_to(request.user, scope).values("pk")
    q = Q(pk__in=ids) | Q(pk=current.pk) if current is not None else Q(pk__in=ids)
    return Project.objects.filter(q).order_by("title")


def record_hypothesis(request, source, form) -> bool:
    try:
        services.record_hypothesis(source=source, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        form_error(form, exc)
        return False
    messages.success(request, _("The hypothesis has been added to the project “%(project)s”.")
                     % {"project": source.project.title})
    return True


def can_create(request) -> bool:
    return accounts_access.get_scope(request.user).has(access.LEAD)


def pdf_response(request, template: str, context: dict, filename: str) -> HttpResponse:
    """A Danish PDF of `template`, through the product's one PDF path (tagged PDF/UA)."""
    with translation.override("da"):
        html = render_to_string(template, context, request=request)
    pdf, _pages = render_pdf(html)
    return file_response(pdf, filename, inline=True)


def checklist(choices, ticked) -> list[tuple[str, bool]]:
    return [(label, value in (ticked or [])) for value, label in choices.choices]
