"""Dashboard filters and the report builder."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ligestilling.lib import periods, privacy
from reporting.models import Report
from reporting.selectors import dimension_choices

CUSTOM = "custom"


def period_choices(today: dt.date | None = None) -> list[tuple[str, str]]:
    today = today or timezone.localdate()
    choices = [(periods.LAST_12_MONTHS, _("Last 12 months")), (periods.YEAR_TO_DATE, _("Year to date"))]
    choices += [(str(y), str(y)) for y in range(today.year, today.year - 5, -1)]
    choices.append((CUSTOM, _("Choose dates")))
    return choices


def _attrs_html(attrs: dict) -> str:
    """What django/forms/widgets/attrs.html renders: ` name="value"`, bare for True, nothing for False."""
    from django.utils.html import conditional_escape

    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items() if value is not False
    )


class FastSelect(forms.Select):
    """A Select with the markup of Django's select.html and select_option.html, built in Python.

    The dashboard's filters have dozens of options (units, projects) and each option was a
    template include on every dashboard request. Values and labels are escaped.
    """

    def render(self, name, value, attrs=None, renderer=None):
        from django.utils.html import conditional_escape
        from django.utils.safestring import mark_safe

        widget = self.get_context(name, value, attrs)["widget"]
        out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in group_choices:
                out.append(f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                           f'{_attrs_html(option["attrs"])}>{conditional_escape(option["label"])}</option>\n')  # as the template
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DashboardFilterForm(forms.Form):
    """GET filters; the unit is resolved (and access-checked) by the view from ?unit=."""

    unit = forms.ChoiceField(label=_("Unit (with sub-units)"), required=False, widget=FastSelect)
    period = forms.ChoiceField(label=_("Period"), required=False, widget=FastSelect)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    dimension = forms.ChoiceField(label=_("Second dimension"), required=False, widget=FastSelect)
    project = forms.ChoiceField(label=_("Project"), required=False, widget=FastSelect)

    def __init__(self, *args, units=(), whole_municipality: str | None = None, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        unit_choices = [("", whole_municipality)] if whole_municipality else []
        unit_choices += [(str(u.uuid), ("— " * u.depth) + u.name) for u in units]
        self.fields["unit"].choices = unit_choices
        self.fields["period"].choices = period_choices()
        self.fields["dimension"].choices = [("", _("None"))] + dimension_choices()
        if projects is None:
            del self.fields["project"]
        else:
            self.fields["project"].choices = [("", _("All active projects"))] + [
                (str(p.uuid), p.title) for p in projects]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field, forms.ChoiceField)
                                          else "form-control")

    def clean(self):
        data = super().clean()
        if data.get("period") == CUSTOM:
            if not data.get("date_from") or not data.get("date_to"):
                raise forms.ValidationError(_("Give both dates for a chosen period."))
            if data["date_from"] > data["date_to"]:
                raise forms.ValidationError(_("The start date is after the end date."))
            if periods.too_long(data["date_from"], data["date_to"]):
                raise forms.ValidationError(_("A period can be at most %(years)s years.") % {"years": periods.MAX_YEARS})
        return data

    def get_period(self) -> periods.Period:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("period") == CUSTOM:
            return periods.custom(data["date_from"], data["date_to"])
        return periods.parse_period(data.get("period") or periods.LAST_12_MONTHS, today=timezone.localdate())


class ReportForm(forms.Form):
    unit = forms.ChoiceField(label=_("Scope"), required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    committee = forms.CharField(label=_("Committee"), max_length=200,
                                help_text=_("E.g. Social- og Beskæftigelsesudvalget."))
    meeting_date = forms.DateField(label=_("Meeting date"), required=False, widget=DateInput())
    date_from = forms.DateField(label=_("Period from"), widget=DateInput())
    date_to = forms.DateField(label=_("Period to"), widget=DateInput())
    sections = forms.MultipleChoiceField(label=_("Sections"), widget=forms.CheckboxSelectMultiple)
    summary = forms.CharField(label=_("Summary"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("Your own short summary for the committee. Do not write about "
                                          "individual citizens."))
    recommendation = forms.CharField(label=_("Recommendation to the committee"), required=False, max_length=5000,
                                     widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, units=(), whole_municipality: str | None = None, available_sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        unit_choices = [("", whole_municipality)] if whole_municipality else []
        unit_choices += [(str(u.uuid), ("— " * u.depth) + u.name) for u in units]
        self.fields["unit"].choices = unit_choices
        labels = dict(Report.Section.choices)
        self.fields["sections"].choices = [(s, labels[s]) for s in available_sections]
        self.fields["unit"].widget.attrs["class"] = "form-select"

    def clean(self):
        data = super().clean()
        try:
            # Printed in the PDF (and the preview): the same guard as Report.full_clean().
            privacy.check_fields(data, Report.FREE_TEXT_FIELDS)
        except ValidationError as exc:
            self.add_error(None, exc)
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        if data.get("date_from") and data.get("date_to") and periods.too_long(data["date_from"], data["date_to"]):
            raise forms.ValidationError(_("A period can be at most %(years)s years.") % {"years": periods.MAX_YEARS})
        return data
