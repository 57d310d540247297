from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from accounts.roles import DATASETS
from ligestilling.lib.privacy import validate_no_identifiers

from . import importing as imp
from .models import Dataset, Indicator, Measure, Sex, SourceKind


class DateInput(forms.DateInput):
    input_type = "date"


class DatasetForm(forms.ModelForm):
    source_url = forms.URLField(label=_("Link to the source"), required=False, assume_scheme="https")

    class Meta:
        model = Dataset
        fields = ["title", "description", "source_kind", "source", "source_url", "unit", "period_start",
                  "period_end", "notes"]
        widgets = {
            "period_start": DateInput(format="%Y-%m-%d"),
            "period_end": DateInput(format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, municipality, scope, **kwargs):
        super().__init__(*args, **kwargs)

        self.municipality = municipality
        # Only units in the user's scope; a dataset for the whole municipality (no unit) only
        # for one whose role covers the whole municipality (see DatasetQuerySet).
        self.fields["unit"].queryset = Unit.objects.filter(
            municipality=municipality, pk__in=scope.unit_ids(DATASETS)).order_by("path")
        self.fields["unit"].label_from_instance = lambda u: ("— " * u.depth) + u.name
        self.fields["unit"].error_messages["invalid_choice"] = _("Choose one of the units you work with data for.")
        if scope.covers_municipality(DATASETS):
            self.fields["unit"].empty_label = _("The whole municipality")
            self.fields["unit"].help_text = _("Who may read and change the dataset: those with the role on this "
                                              "unit. Leave empty for the whole municipality.")
        else:
            self.fields["unit"].required = True
            self.fields["unit"].help_text = _("Who may read and change the dataset: those with the role on this "
                                              "unit.")

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        qs = Dataset.objects.filter(municipality=self.municipality, title__iexact=title)
        if self.instance.pk:
            qs = qs.exclude(pk=self.instance.pk)
        if qs.exists():
            raise forms.ValidationError(_("Your municipality already has a dataset with this title."))
        return title

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period must end after it starts."))
        return data


class DatasetSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind of source"), required=False,
                             choices=[("", _("All kinds"))] + list(SourceKind.choices))
    scope = forms.ChoiceField(label=_("Show"), required=False, choices=[
        ("", _("Own and national reference data")), ("own", _("Only our own")), ("reference", _("Only reference data")),
    ])


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or Excel .xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}))


class MappingForm(forms.Form):
    kind = forms.ChoiceField(label=_("What does a row of the file describe?"), widget=forms.RadioSelect, choices=[
        (imp.AGGREGATED, _("A figure (aggregated data: counts, shares, amounts)")),
        (imp.PERSON, _("One citizen or case (person-level data; summed on import, rows are not kept)")),
    ])
    default_indicator = forms.CharField(label=_("Indicator name when the file has no indicator column"),
                                        max_length=200, required=False, validators=[validate_no_identifiers])
    measure = forms.ChoiceField(label=_("What the value measures"), choices=Measure.choices, required=False)
    default_period = forms.CharField(label=_("Period when the file has no period column (e.g. 2014)"),
                                     max_length=10, required=False)
    replace = forms.BooleanField(label=_("Replace the dataset's current data with this file"), required=False)

    def __init__(self, *args, header: list[str], sex_codes: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.header = header
        self.sex_codes = list(sex_codes)
        choices = imp.target_choices()
        for i, name in enumerate(header):
            self.fields[f"col_{i}"] = forms.ChoiceField(
                label=_("Column “%(name)s”") % {"name": name or "?"}, choices=choices)
        sex_choices = [("", _("Not understood (refuse the rows)"))] + list(Sex.choices)
        for j, code in enumerate(self.sex_codes):
            self.fields[f"sex_{j}"] = forms.ChoiceField(
                label=_("Sex code “%(code)s” means") % {"code": code}, choices=sex_choices, required=False)

    @property
    def column_fields(self):
        return [(name, self[f"col_{i}"]) for i, name in enumerate(self.header)]

    @property
    def sex_fields(self):
        return [self[f"sex_{j}"] for j in range(len(self.sex_codes))]

    def clean_default_period(self):
        value = self.cleaned_data["default_period"].strip()
        if value and imp.period(value) is None:
            raise forms.ValidationError(_("Write the period as 2014, 2014K1 or 2014M03."))
        return imp.period(value) if value else ""

    def plan(self) -> imp.Plan:
        data = self.cleaned_data
        return imp.Plan(
            targets=[data[f"col_{i}"] for i in range(len(self.header))],
            kind=data["kind"],
            sex_codes={code: data.get(f"sex_{j}") or "" for j, code in enumerate(self.sex_codes)},
            default_period=data["default_period"],
            default_indicator=data["default_indicator"].strip(),
            measure=data["measure"] or Measure.PERSONS,
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        problems = imp.check_plan(self.plan(), self.header)
        for problem in problems:
            self.add_error(None, problem)
        return data


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "measure", "description", "better", "reference"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {"reference": _("Compare with the national figure")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference"].queryset = Indicator.objects.filter(dataset__municipality__isnull=True).select_related(
            "dataset").order_by("dataset__title", "position")
        self.fields["reference"].label_from_instance = lambda i: f"{i.dataset.title}: {i.name}"
        self.fields["reference"].empty_label = _("No comparison")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Indicator.objects.filter(dataset=self.instance.dataset, name=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("The dataset already has an indicator with this name."))
        return name
