from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts import access, audit, params, roles
from accounts.models import Unit
from ligestilling.downloads import file_name, file_response
from ligestilling.lib import exports

from . import importing as imp
from . import selectors, services
from .forms import DatasetForm, DatasetSearchForm, IndicatorForm, MappingForm, UploadForm
from .models import Dataset, DatasetImport, Indicator, Sex


def get_dataset_for(request, uuid, *, write: bool = False) -> Dataset:
    """The municipality's own dataset or a shared reference dataset, for leder/analytiker
    on the dataset's unit (the rule: `DatasetQuerySet.readable_by` / `writable_by`).

    Another municipality's dataset does not exist (404); a too-weak role, or a role on
    other units, gets 403; shared reference datasets are never writable in the application.
    """
    scope = access.require_member(request)
    dataset = Dataset.objects.visible_to(scope.municipality_id).filter(uuid=uuid).first()
    if dataset is None:
        raise access.not_found(request, "datasets.dataset", uuid)
    if not scope.has(roles.DATASETS) or not Dataset.objects.readable_by(scope).filter(pk=dataset.pk).exists():
        raise access.forbidden(request, "datasets.dataset", uuid, roles.DATASETS)
    if write and not Dataset.objects.writable_by(scope).filter(pk=dataset.pk).exists():
        raise access.forbidden(request, "datasets.dataset", uuid, "write")
    return dataset


def _get_import(request, dataset: Dataset, import_uuid) -> DatasetImport:
    pending = dataset.imports.filter(uuid=import_uuid).first()
    if pending is None:
        raise access.not_found(request, "datasets.datasetimport", import_uuid)
    return pending


def _unit_filter(request):
    """`?unit=<uuid>`: a unit of the user's own municipality, or 404."""
    value = params.optional_uuid(request, "unit", object_type="accounts.unit")
    if value is None:
        return None
    return access.get_in_municipality(request, Unit.objects.all(), value)


def _threshold(request) -> int:
    return request.user.municipality.suppression_threshold


@login_required
def dataset_list(request):
    scope = access.require(request, roles.DATASETS)
    unit = _unit_filter(request)
    form = DatasetSearchForm(request.GET or None)
    datasets = Dataset.objects.readable_by(scope).select_related("unit", "municipality").annotate(
        indicator_count=Count("indicators", distinct=True))
    if unit is not None:
        datasets = datasets.filter(unit=unit)
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            datasets = datasets.filter(Q(title__icontains=q) | Q(description__icontains=q) | Q(source__icontains=q))
        if form.cleaned_data["kind"]:
            datasets = datasets.filter(source_kind=form.cleaned_data["kind"])
        if form.cleaned_data["scope"] == "own":
            datasets = datasets.filter(municipality_id=scope.municipality_id)
        elif form.cleaned_data["scope"] == "reference":
            datasets = datasets.filter(municipality__isnull=True)
    page = Paginator(datasets.order_by("municipality_id", "title"), 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "datasets/dataset_list.html", {
        "form": form, "page": page, "query": query.urlencode(), "unit": unit,
        "filtered": bool(request.GET.get("q") or request.GET.get("kind") or request.GET.get("scope") or unit),
    })


@login_required
def dataset_create(request):
    scope = access.require(request, roles.DATASETS)
    unit = _unit_filter(request)
    if unit is None and not scope.covers_municipality(roles.DATASETS):
        unit = Unit.objects.filter(pk__in=scope.unit_ids(roles.DATASETS)).order_by("path").first()
    municipality = request.user.municipality
    form = DatasetForm(request.POST or None, municipality=municipality, scope=scope, initial={"unit": unit})
    if request.method == "POST" and form.is_valid():
        try:
            dataset = services.create_dataset(municipality=municipality, user=request.user, request=request,
                                              **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The dataset has been created. Now upload a file."))
            return redirect("datasets:dataset_upload", uuid=dataset.uuid)
    assert scope.is_member
    return render(request, "datasets/dataset_form.html", {"form": form})


@login_required
def dataset_detail(request, uuid):
    dataset = get_dataset_for(request, uuid)
    dimension = request.GET.get("dimension", "")
    if dimension not in dict(selectors.dimension_choices()):
        dimension = ""
    all_periods = selectors.periods_of(dataset.indicators.values_list("pk", flat=True))
    period = _breakdown_period(request, dimension, all_periods)
    tables = selectors.dataset_tables(dataset, threshold=_threshold(request), dimension=dimension, period=period)
    return render(request, "datasets/dataset_detail.html", {
        "dataset": dataset, "tables": tables, "dimension": dimension,
        "dimension_choices": selectors.dimension_choices(), "periods": all_periods,
        "tests": sum(len(t.tests) for t in tables),
        "period": period if dimension and period else "",
        "period_labels": [(p, selectors.period_label(p)) for p in all_periods],
        "imports": dataset.imports.filter(status__in=["done", "replaced"])[:10],
        "writable": Dataset.objects.writable_by(access.get_scope(request.user)).filter(pk=dataset.pk).exists(),
        "women": Sex.KVINDE, "men": Sex.MAND,
    })


def _breakdown_period(request, dimension: str, all_periods: list[str]) -> str | None:
    """A breakdown shows one period: the one asked for, else the latest of the dataset (the
    one the form selects); the page and its export links use the same."""
    period = request.GET.get("period") or None
    if dimension and not period and all_periods:
        period = all_periods[0]
    return period


@login_required
def dataset_delete(request, uuid):
    dataset = get_dataset_for(request, uuid, write=True)
    if request.method == "POST":
        title = dataset.title
        services.delete_dataset(dataset=dataset, user=request.user, request=request)
        messages.success(request, _("“%(title)s” has been deleted.") % {"title": title})
        return redirect("datasets:dataset_list")
    return render(request, "datasets/dataset_confirm_delete.html", {"dataset": dataset})


@login_required
def dataset_upload(request, uuid):
    dataset = get_dataset_for(request, uuid, write=True)
    form = UploadForm(request.POST or None, request.FILES or None)
    if getattr(request, "upload_disk_full", False):
        # This host's disk filled while Django wrote the upload (datasets/uploads.py).
        form.full_clean()
        form.errors["file"] = form.error_class([services.DiskFull().message])
    elif request.method == "POST" and form.is_valid():
        try:
            # Every limit is checked and the preview made here; a refused file leaves nothing.
            pending = services.receive_upload(dataset=dataset, upload=form.cleaned_data["file"], user=request.user)
        except imp.FileRefused as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("datasets:import_mapping", uuid=dataset.uuid, import_uuid=pending.uuid)
    return render(request, "datasets/dataset_upload.html", {
        "dataset": dataset, "form": form, "limit_mb": imp._mb(imp.max_upload_bytes()),
    })


@login_required
def import_mapping(request, uuid, import_uuid):
    dataset = get_dataset_for(request, uuid, write=True)
    pending = _get_import(request, dataset, import_uuid)
    if pending.status != DatasetImport.Status.UPLOADED or not pending.staged_path:
        return redirect("datasets:import_status", uuid=dataset.uuid, import_uuid=pending.uuid)
    try:
        detection = services.detect_for(pending)
    except imp.FileRefused as exc:
        messages.error(request, exc.message)
        return redirect("datasets:dataset_upload", uuid=dataset.uuid)
    initial = {f"col_{i}": t for i, t in enumerate(detection.targets)}
    initial |= {f"sex_{j}": v for j, v in enumerate(detection.sex_codes.values())}
    initial |= {"kind": detection.kind, "default_indicator": dataset.title,
                "default_period": str(dataset.period_start.year) if dataset.period_start else "",
                "measure": "persons"}
    form = MappingForm(request.POST or None, header=detection.header, sex_codes=detection.sex_codes,
                       initial=initial)
    if request.method == "POST" and form.is_valid():
        plan = form.plan()
        scope = access.get_scope(request.user)
        if imp.ORIGIN in plan.targets and not scope.has(roles.IMPORT_ORIGIN, dataset.unit_id):
            form.add_error(None, _("Only an analyst may import origin (herkomst), a special category of personal "
                                   "data. Set the column to “Ignore” or ask an analyst."))
        else:
            try:
                pending = services.confirm_import(pending=pending, plan=plan, replace=form.cleaned_data["replace"],
                                                  user=request.user, request=request, language=get_language())
            except services.ImportRefused as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("datasets:import_status", uuid=dataset.uuid, import_uuid=pending.uuid)
    return render(request, "datasets/import_mapping.html", {
        "dataset": dataset, "pending": pending, "form": form, "detection": detection,
        "preview_header": detection.header,
    })


@login_required
def import_status(request, uuid, import_uuid):
    dataset = get_dataset_for(request, uuid)
    pending = _get_import(request, dataset, import_uuid)
    services.expire_if_stale(pending)  # a dead worker's import shows as failed, with why
    if pending.status == DatasetImport.Status.DONE and request.GET.get("stay") != "1":
        messages.success(request, _("%(file)s is imported: %(rows)s rows, %(obs)s figures.") % {
            "file": pending.filename, "rows": pending.rows, "obs": pending.observations})
        return redirect("datasets:dataset_detail", uuid=dataset.uuid)
    general = [e for e in pending.errors if e.get("row") is None and not e.get("column")]
    row_errors = [e for e in pending.errors if e not in general]
    progress = services.read_progress(pending)
    return render(request, "datasets/import_status.html", {
        "dataset": dataset, "pending": pending, "progress": progress, "progress_label": _progress_label(pending, progress),
        "general_errors": general, "row_errors": row_errors,
        "more_errors": max(0, pending.error_count - len(row_errors)),
    })


@login_required
@require_GET
def import_progress(request, uuid, import_uuid):
    dataset = get_dataset_for(request, uuid)
    pending = _get_import(request, dataset, import_uuid)
    services.expire_if_stale(pending)
    progress = services.read_progress(pending)
    return JsonResponse({
        "status": pending.status, "fraction": progress["fraction"], "rows": progress["rows"],
        "total": progress["total"], "label": _progress_label(pending, progress),
        "finished": pending.status in (DatasetImport.Status.DONE, DatasetImport.Status.FAILED),
    })


def _progress_label(pending: DatasetImport, progress: dict) -> str:
    """"12.345 of 100.000 rows read" (the total is counted before the import, an upper bound)."""
    if pending.status == DatasetImport.Status.QUEUED:
        return _("Waiting for a background worker to start the import.")
    if pending.status != DatasetImport.Status.RUNNING or not progress["total"]:
        return ""
    return _("%(rows)s of %(total)s rows read") % {
        "rows": number_format(min(progress["rows"], progress["total"]), force_grouping=True),
        "total": number_format(progress["total"], force_grouping=True)}


@login_required
def indicator_edit(request, uuid, indicator_uuid):
    dataset = get_dataset_for(request, uuid, write=True)
    indicator = Indicator.objects.filter(dataset=dataset, uuid=indicator_uuid).first()
    if indicator is None:
        raise access.not_found(request, "datasets.indicator", indicator_uuid)
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_indicator(indicator=Indicator.objects.get(pk=indicator.pk), user=request.user,
                                      request=request, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The indicator has been saved."))
            return redirect("datasets:dataset_detail", uuid=dataset.uuid)
    return render(request, "datasets/indicator_form.html", {"dataset": dataset, "indicator": indicator,
                                                            "form": form})


@login_required
@require_GET
def indicator_export(request, uuid, indicator_uuid, fmt):
    dataset = get_dataset_for(request, uuid)
    indicator = Indicator.objects.filter(dataset=dataset, uuid=indicator_uuid).first()
    if indicator is None:
        raise access.not_found(request, "datasets.indicator", indicator_uuid)
    if fmt not in ("csv", "xlsx"):
        raise Http404()
    dimension = request.GET.get("dimension", "")
    if dimension not in dict(selectors.dimension_choices()):
        dimension = ""
    # The table exactly as the dataset page shows it: the same figures and the same family of tests.
    period = _breakdown_period(request, dimension,
                               selectors.periods_of(dataset.indicators.values_list("pk", flat=True))
                               if dimension else [])
    table = selectors.dataset_table(dataset, indicator, threshold=_threshold(request), dimension=dimension,
                                    period=period)
    header, rows = selectors.export_rows(table)
    footer = list(table.notes)
    if dimension:  # the rows are categories of one period (the chosen one, else the latest)
        chosen = request.GET.get("period") or next(iter(selectors.periods(indicator)), None)
        if chosen:
            footer.append(exports.period_line(selectors.period_label(chosen)))
    if dataset.source:
        footer.append(_("Source: %(source)s") % {"source": dataset.source})
    audit.record("dataset.export", request=request, obj=dataset, indicator=str(indicator.uuid), format=fmt,
                 rows=len(rows))
    # The one writer of every export: decimal mark of the language, formulas neutralised.
    sheet = exports.Sheet(title=indicator.name, header=header, rows=rows, footer=footer)
    body = exports.write_csv(sheet) if fmt == "csv" else exports.write_xlsx(sheet)
    return file_response(body, file_name(dataset.title, indicator.name, ext=fmt))
