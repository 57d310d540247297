from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit, User
from projects.models import Hypothesis

from .models import (
    AgeBand,
    AgendaItem,
    Finding,
    FocusGroup,
    Idea,
    InvolvementPlan,
    InvolvementSession,
    Sex,
    Workshop,
)
from .selectors import indicator_choices


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, unit):
        return f"{'— ' * unit.depth}{unit.name}"


class UserChoiceLabel:
    def label_from_instance(self, user):
        return f"{user.full_name} ({user.email})" if user.full_name else user.email


class UserMultipleChoiceField(UserChoiceLabel, forms.ModelMultipleChoiceField):
    pass


class UserChoiceField(UserChoiceLabel, forms.ModelChoiceField):
    pass


def municipality_units(municipality_id):
    return Unit.objects.filter(municipality_id=municipality_id).order_by("path")


def municipality_users(municipality_id):
    return User.objects.filter(municipality_id=municipality_id, is_active=True).order_by("full_name", "email")


class IndicatorLabel:
    def label_from_instance(self, indicator):
        return f"{indicator.dataset.title}: {indicator.name}"


class IndicatorMultipleChoiceField(IndicatorLabel, forms.ModelMultipleChoiceField):
    pass


class IndicatorChoiceField(IndicatorLabel, forms.ModelChoiceField):
    pass


class MunicipalityFormMixin:
    """Limits unit (and user) choices to the municipality; project choices when the form has one."""

    def __init__(self, *args, municipality_id, scope=None, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = municipality_units(municipality_id)
        if "participants" in self.fields:
            self.fields["participants"].queryset = municipality_users(municipality_id)
        for name in ("indicators", "indicator"):
            if name in self.fields:

                if scope is None:
                    raise TypeError("A form with data choices needs the user's scope.")
                # Only data the user may read; what others attached stays (see services).
                field = self.fields[name]
                field.queryset = choices = indicator_choices(scope)
                current = getattr(self.instance, "indicator", None) if name == "indicator" else None
                if current is not None and not choices.filter(pk=current.pk).exists():
                    # Chosen by someone who may read it: shown as such, and left as it is.
                    field.disabled = True
                    field.queryset = choices.model.objects.filter(pk=current.pk)
                    field.label_from_instance = lambda indicator: _("Data that you do not have access to")
        if "project" in self.fields:
            if projects is None:
                del self.fields["project"]
            else:
                self.fields["project"].queryset = projects


class WorkshopForm(MunicipalityFormMixin, forms.ModelForm):
    units = UnitMultipleChoiceField(label=_("Units"), queryset=Unit.objects.none(),
                                    widget=forms.CheckboxSelectMultiple)
    participants = UserMultipleChoiceField(
        label=_("Participants"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple,
        required=False, help_text=_("Make sure the key people for the work that follows are there."),
    )
    indicators = IndicatorMultipleChoiceField(
        label=_("Data for the workshop"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple,
        required=False, help_text=_("“What does the data tell us?”: gender-split indicators shown at the workshop."),
    )

    class Meta:
        model = Workshop
        fields = ["title", "date", "start_time", "place", "length", "units", "breadth", "participants", "goal",
                  "preparation_task", "project", "indicators"]
        widgets = {
            "date": DateInput(), "start_time": TimeInput(),
            "length": forms.RadioSelect, "breadth": forms.RadioSelect,
            "goal": forms.Textarea(attrs={"rows": 3}),
            "preparation_task": forms.Textarea(attrs={"rows": 2}),
        }


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["title", "minutes", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2}),
                   "minutes": forms.NumberInput(attrs={"min": 5, "max": 480, "step": 5})}


class IdeaForm(forms.ModelForm):
    class Meta:
        model = Idea
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = Workshop
        fields = ["follow_up_date", "follow_up_notes"]
        widgets = {"follow_up_date": DateInput(), "follow_up_notes": forms.Textarea(attrs={"rows": 3})}


class FocusGroupForm(MunicipalityFormMixin, forms.ModelForm):
    units = UnitMultipleChoiceField(label=_("Units"), queryset=Unit.objects.none(),
                                    widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = FocusGroup
        field_classes = {"indicator": IndicatorChoiceField}
        fields = ["title", "units", "purpose", "questions", "target_group", "composition", "planned_size",
                  "grounding", "indicator", "date", "place", "project"]
        widgets = {
            "date": DateInput(), "composition": forms.RadioSelect,
            "purpose": forms.Textarea(attrs={"rows": 2}),
            "questions": forms.Textarea(attrs={"rows": 5}),
            "target_group": forms.Textarea(attrs={"rows": 2}),
            "grounding": forms.Textarea(attrs={"rows": 2}),
            "planned_size": forms.NumberInput(attrs={"min": 1, "max": 30}),
        }


class SessionForm(forms.Form):
    """Afterwards: counts by sex and age band (never names), and the checklist."""

    checklist = forms.MultipleChoiceField(
        label=_("During the session we …"), choices=FocusGroup.Checklist.choices,
        widget=forms.CheckboxSelectMultiple, required=False,
    )

    def __init__(self, *args, focus_group=None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        if focus_group is not None:
            initial.setdefault("checklist", focus_group.checklist)
            for c in focus_group.participant_counts.all():
                initial.setdefault(f"n_{c.sex}_{c.age_band}", c.count)
        super().__init__(*args, **kwargs)
        for sex, sex_label in Sex.choices:
            for band, band_label in AgeBand.choices:
                self.fields[f"n_{sex}_{band}"] = forms.IntegerField(
                    label=f"{sex_label}, {band_label}", min_value=0, max_value=30, required=False,
                    widget=forms.NumberInput(attrs={"min": 0, "max": 30, "class": "form-control count-input"}),
                )

    def rows(self):
        """The count inputs as a table: one row per sex, one column per age band."""
        return [(label, [self[f"n_{sex}_{band}"] for band in AgeBand.values]) for sex, label in Sex.choices]

    def counts(self) -> dict[tuple[str, str], int]:
        return {(sex, band): self.cleaned_data.get(f"n_{sex}_{band}") or 0
                for sex in Sex.values for band in AgeBand.values}


class FindingForm(forms.ModelForm):
    class Meta:
        model = Finding
        fields = ["theme", "kind", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "kind": forms.RadioSelect}


class InvolvementForm(MunicipalityFormMixin, forms.ModelForm):
    units = UnitMultipleChoiceField(label=_("Units"), queryset=Unit.objects.none(),
                                    widget=forms.CheckboxSelectMultiple)
    phases = forms.MultipleChoiceField(
        label=_("When do the citizens take part?"), choices=InvolvementPlan.Phase.choices,
        widget=forms.CheckboxSelectMultiple, required=False,
    )
    checklist = forms.MultipleChoiceField(
        label=_("Practical advice"), choices=InvolvementPlan.Advice.choices,
        widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("Tick what you have taken care of."),
    )

    class Meta:
        model = InvolvementPlan
        fields = ["title", "units", "citizens", "representative", "mode", "phases", "method", "transparency",
                  "checklist", "project"]
        widgets = {
            "citizens": forms.RadioSelect, "mode": forms.RadioSelect, "method": forms.RadioSelect,
            "representative": forms.Textarea(attrs={"rows": 2}),
            "transparency": forms.Textarea(attrs={"rows": 2}),
        }


class InvolvementSessionForm(forms.ModelForm):
    class Meta:
        model = InvolvementSession
        fields = ["date", "phase", "women", "men", "learnt"]
        widgets = {"date": DateInput(), "learnt": forms.Textarea(attrs={"rows": 3})}


class HypothesisForm(forms.Form):
    statement = forms.CharField(
        label=_("Hypothesis"), widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. “We ask men less often than women about their network.”"),
    )


class ActionForm(forms.Form):
    description = forms.CharField(label=_("What"), max_length=300)
    owner = UserChoiceField(label=_("Who"), queryset=User.objects.none())
    due_date = forms.DateField(label=_("Deadline"), required=False, widget=DateInput())

    def __init__(self, *args, municipality_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = municipality_users(municipality_id)


class ReviewForm(forms.Form):
    """The follow-up: each hypothesis's status in the light of the data."""

    def __init__(self, *args, hypotheses, **kwargs):

        super().__init__(*args, **kwargs)
        self.hypotheses = list(hypotheses)
        for h in self.hypotheses:
            self.fields[f"status_{h.pk}"] = forms.ChoiceField(
                label=_("Status"), choices=Hypothesis.Status.choices, initial=h.status)
            self.fields[f"evidence_{h.pk}"] = forms.CharField(
                label=_("What the data shows"), required=False, initial=h.evidence,
                widget=forms.Textarea(attrs={"rows": 2}))

    def rows(self):
        return [(h, self[f"status_{h.pk}"], self[f"evidence_{h.pk}"]) for h in self.hypotheses]
