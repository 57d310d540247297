from django import forms
from django.db import models
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from accounts.access import unit_ids_with_descendants
from accounts.models import Unit, User
from datasets.models import Dataset, Indicator, Measure
from logbooks.models import ListItem

from .models import Action, Criterion, Cycle, Hypothesis, Measurement, Milestone, Project


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, unit):
        return f"{'— ' * unit.depth}{unit.name}"


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.full_name} ({user.email})" if user.full_name else user.email


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return f"{user.full_name} ({user.email})" if user.full_name else user.email


def municipality_users(municipality_id):
    return User.objects.filter(municipality_id=municipality_id, is_active=True).order_by("full_name", "email")


class ProjectForm(forms.ModelForm):
    units = UnitMultipleChoiceField(
        label=_("Units involved"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("The units you lead (a unit covers the units below it). The logbook criteria count the "
                    "conversations of the units that the project's responsible leads."),
        error_messages={"invalid_choice": _("You can only add units that you lead.")},
    )
    members = UserMultipleChoiceField(
        label=_("Project group"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("A small group, e.g. 4-6 people, who are responsible for the project together."),
    )

    class Meta:
        model = Project
        fields = ["title", "responsible", "target_group", "target_sex", "strategic_link", "description",
                  "actions_text", "who_does_what", "learning_goals", "start_date", "end_date", "status",
                  "units", "members"]
        field_classes = {"responsible": UserChoiceField}
        widgets = {
            "start_date": DateInput(), "end_date": DateInput(),
            "target_group": forms.Textarea(attrs={"rows": 2}),
            "strategic_link": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "actions_text": forms.Textarea(attrs={"rows": 3}),
            "who_does_what": forms.Textarea(attrs={"rows": 3}),
            "learning_goals": forms.Textarea(attrs={"rows": 3}),
            "target_sex": forms.RadioSelect,
        }

    def __init__(self, *args, municipality_id, lead_unit_ids, **kwargs):
        super().__init__(*args, **kwargs)
        # The units the user leads, and those the project already has (which may stay; see
        # projects.access.check_units, which the service applies too).
        current = list(self.instance.units.values_list("pk", flat=True)) if self.instance.pk else []
        self.fields["units"].queryset = Unit.objects.filter(
            municipality_id=municipality_id, pk__in={*lead_unit_ids, *current}).order_by("path")
        users = municipality_users(municipality_id)
        self.fields["members"].queryset = users
        self.fields["responsible"].queryset = users

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end cannot be before the start."))
        return cleaned

    def group_size(self) -> int:
        members = {u.pk for u in self.cleaned_data.get("members", [])}
        responsible = self.cleaned_data.get("responsible")
        if responsible:
            members.add(responsible.pk)
        return len(members)


MilestoneFormSet = inlineformset_factory(
    Project, Milestone, fields=["title", "due_date", "done"], extra=2, can_delete=True,
    widgets={"due_date": DateInput()},
)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=Project.Status.choices)


class CycleForm(forms.ModelForm):
    class Meta:
        model = Cycle
        fields = ["started_on", "action", "reflection", "rethinking"]
        widgets = {
            "started_on": DateInput(),
            "action": forms.Textarea(attrs={"rows": 3}),
            "reflection": forms.Textarea(attrs={"rows": 3}),
            "rethinking": forms.Textarea(attrs={"rows": 3}),
        }


def _https_urls(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class HypothesisForm(forms.ModelForm):
    class Meta:
        model = Hypothesis
        formfield_callback = _https_urls
        fields = ["statement", "source", "status", "evidence", "evidence_url"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 2}), "evidence": forms.Textarea(attrs={"rows": 3})}


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["description", "owner", "due_date", "status"]
        field_classes = {"owner": UserChoiceField}
        widgets = {"due_date": DateInput()}

    def __init__(self, *args, municipality_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = municipality_users(municipality_id)


class LogbookItemField(forms.ModelChoiceField):
    def label_from_instance(self, item):
        return f"{item.get_kind_display()}: {item.label}"


def logbook_items_for(project):
    """Topics, offers and outcomes on the lists the project's units use (one per text)."""

    subtree = unit_ids_with_descendants(project.units.values_list("pk", flat=True))
    ancestors = {a for u in project.units.all() for a in u.ancestor_ids}
    items = ListItem.objects.filter(
        municipality_id=project.municipality_id, unit_id__in=subtree | ancestors,
        kind__in=[ListItem.Kind.TOPIC, ListItem.Kind.OFFER, ListItem.Kind.OUTCOME],
    ).order_by("kind", "label", "pk")
    seen, keep = set(), []
    for item in items:
        if (item.kind, item.label.lower()) not in seen:
            seen.add((item.kind, item.label.lower()))
            keep.append(item.pk)
    return ListItem.objects.filter(pk__in=keep).order_by("kind", "label")


class IndicatorField(forms.ModelChoiceField):
    def label_from_instance(self, indicator):
        return f"{indicator.dataset.title}: {indicator.name}"


def indicators_for(project, scope):
    """Share indicators of the municipality's datasets that the user may read."""

    return Indicator.objects.filter(dataset__in=Dataset.objects.readable_by(scope),
                                    dataset__municipality_id=project.municipality_id,
                                    measure=Measure.SHARE).select_related("dataset").order_by("dataset__title", "name")


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["definition", "kind", "logbook_item", "dataset_indicator", "count_label", "n_label", "baseline_women", "baseline_men",
                  "target_type", "direction", "target_women", "target_men", "target_gap"]
        field_classes = {"logbook_item": LogbookItemField, "dataset_indicator": IndicatorField}
        widgets = {"definition": forms.Textarea(attrs={"rows": 2}), "target_type": forms.RadioSelect,
                   "kind": forms.RadioSelect}

    def __init__(self, *args, project, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["logbook_item"].queryset = logbook_items_for(project)
        self.fields["dataset_indicator"].queryset = choices = indicators_for(project, scope)
        current = self.instance.dataset_indicator_id
        if current is not None and not choices.filter(pk=current).exists():
            # Chosen by someone who may read the dataset: this user cannot see or change it.
            self.fields["dataset_indicator"].disabled = True
            self.fields["dataset_indicator"].queryset = choices.model.objects.filter(pk=current)
            self.fields["dataset_indicator"].label_from_instance = lambda indicator: _(
                "A dataset that you do not have access to")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Criterion.Kind.LOGBOOK and not cleaned.get("logbook_item"):
            self.add_error("logbook_item", _("Choose what is counted in the logbooks."))
        if cleaned.get("kind") == Criterion.Kind.DATASET and not cleaned.get("dataset_indicator"):
            self.add_error("dataset_indicator", _("Choose the indicator to follow."))
        if cleaned.get("target_type") == Criterion.TargetType.PER_SEX:
            if cleaned.get("target_women") is None and cleaned.get("target_men") is None:
                self.add_error("target_women", _("Give a target for women, for men or for both."))
        elif cleaned.get("target_type") == Criterion.TargetType.GAP and cleaned.get("target_gap") is None:
            self.add_error("target_gap", _("Give the largest difference you will accept."))
        return cleaned


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["measured_on", "cycle", "women_count", "women_n", "men_count", "men_n", "note"]
        widgets = {"measured_on": DateInput()}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = project.cycles.all()
        self.fields["cycle"].label_from_instance = lambda c: _("Cycle %(number)s") % {"number": c.number}
