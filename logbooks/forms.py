from __future__ import annotations

import uuid

from django import forms
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from ligestilling.lib.privacy import validate_no_identifiers

from .models import (
    AgeBand,
    CivilStatus,
    Education,
    Entry,
    EntryTopic,
    ListItem,
    Observation,
    Origin,
    RaisedBy,
    Sex,
    StaffRole,
)
from .services import asked_parameters, unit_items

TEXTAREA = {"rows": 2}


class A11yMixin:
    """Bootstrap classes on plain inputs; errors tied to their field with aria-describedby."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.HiddenInput)):
                continue
            widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                bf = self[name]
                ids = [f"{bf.auto_id}_error"]
                if self.fields[name].help_text:
                    ids.append(f"{bf.auto_id}_helptext")
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)
                css = self.fields[name].widget.attrs.get("class", "")
                if "is-invalid" not in css and css:
                    self.fields[name].widget.attrs["class"] = css + " is-invalid"


def _by_use(items, counts: dict[int, int]):
    """Most used first (by this author), then the list's own order."""
    return sorted(items, key=lambda i: (-counts.get(i.pk, 0), i.position, i.label))


RECENT_ENTRIES = 200


class IdempotencyKeyField(forms.UUIDField):
    """The hidden key of a form that creates something (logbooks.services.create_once): a
    new one each time the form is shown, kept while it is shown again with its errors. A
    missing or mangled key only means that this POST is not recognised if repeated."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, initial=uuid.uuid4, **kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            return None


class EntryForm(A11yMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(label=_("Time (optional)"), required=False,
                           widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    # Choices: the unit's list items, set in __init__ (cleaned to ListItem objects).
    kind = forms.ChoiceField(label=_("Kind of conversation"), required=False, widget=forms.RadioSelect)
    staff_present = forms.MultipleChoiceField(label=_("Staff present"), choices=StaffRole.choices, required=False,
                                              widget=forms.CheckboxSelectMultiple)
    sex = forms.ChoiceField(label=_("Citizen's sex"), choices=Sex.choices, widget=forms.RadioSelect)
    age_band = forms.ChoiceField(label=_("Citizen's age"), choices=AgeBand.choices, widget=forms.RadioSelect)
    education = forms.ChoiceField(label=_("Education"), choices=[("", "—"), *Education.choices], required=False)
    civil_status = forms.ChoiceField(label=_("Civil status"), choices=[("", "—"), *CivilStatus.choices],
                                     required=False)
    origin = forms.ChoiceField(label=_("Origin"), choices=[("", "—"), *Origin.choices], required=False)
    topics_staff = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    topics_citizen = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    offers = forms.MultipleChoiceField(label=_("Offers made"), required=False, widget=forms.CheckboxSelectMultiple)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, widget=forms.RadioSelect)
    outcome_text = forms.CharField(label=_("Outcome in your own words"), required=False,
                                   widget=forms.Textarea(attrs=TEXTAREA), validators=[validate_no_identifiers])
    gender_attention = forms.CharField(
        label=_("Particular attention to gender"), required=False, widget=forms.Textarea(attrs=TEXTAREA),
        validators=[validate_no_identifiers],
        help_text=_("Did gender play a part? E.g. what you asked about, what was offered, how the citizen reacted."))
    reflections = forms.CharField(label=_("Reflections after the conversation"), required=False,
                                  widget=forms.Textarea(attrs=TEXTAREA), validators=[validate_no_identifiers])
    open_questions = forms.CharField(label=_("Open questions"), required=False,
                                     widget=forms.Textarea(attrs=TEXTAREA), validators=[validate_no_identifiers])
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    idempotency_key = IdempotencyKeyField()  # new entries only

    FREE_TEXT_HELP = _("Never write the citizen's name, CPR number, phone number, address or e-mail.")

    def __init__(self, *args, unit, author: User, entry: Entry | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.author = author
        if entry is not None:
            del self.fields["idempotency_key"]
        asked = asked_parameters(unit)
        for name in ("education", "civil_status", "origin"):
            if name not in asked:
                del self.fields[name]
        # The unit's lists are read once; the choice fields check against them in memory.
        items = list(unit_items(unit, entry=entry))
        self.items_by_pk = {str(i.pk): i for i in items}
        self.by_kind = {k: [i for i in items if i.kind == k] for k in ListItem.Kind.values}
        self._set_choices({})
        if not self.is_bound:
            self.order_by_use()

    def _set_choices(self, use: dict[str, dict[int, int]]) -> None:
        self.topic_items = _by_use(self.by_kind[ListItem.Kind.TOPIC], use.get("topic", {}))
        topic_choices = [(str(i.pk), i.label) for i in self.topic_items]
        self.fields["topics_staff"].choices = topic_choices
        self.fields["topics_citizen"].choices = topic_choices
        for name, kind in (("kind", ListItem.Kind.CONVERSATION), ("offers", ListItem.Kind.OFFER),
                           ("outcome", ListItem.Kind.OUTCOME)):
            self.fields[name].choices = [(str(i.pk), i.label) for i in _by_use(self.by_kind[kind], use.get(name, {}))]

    def order_by_use(self) -> None:
        """Most used first, by this author's recent habits (the last entries only, which
        also keeps these counts cheap for an author with thousands of entries). Only for
        a form that is shown: a saved form redirects without needing the order."""
        recent = Entry.objects.filter(author=self.author).order_by("-date").values("pk")[:RECENT_ENTRIES]
        entries = Entry.objects.filter(pk__in=recent)
        self._set_choices({
            "topic": dict(EntryTopic.objects.filter(entry_id__in=recent).order_by()
                          .values_list("topic_id").annotate(n=Count("id"))),
            "offers": dict(Entry.offers.through.objects.filter(entry_id__in=recent).order_by()
                           .values_list("listitem_id").annotate(n=Count("id"))),
            "kind": dict(entries.order_by().values_list("kind_id").annotate(n=Count("id"))),
            "outcome": dict(entries.order_by().values_list("outcome_id").annotate(n=Count("id"))),
        })

    def _item(self, value: str) -> ListItem | None:
        return self.items_by_pk[value] if value else None

    def clean_kind(self):
        return self._item(self.cleaned_data.get("kind"))

    def clean_outcome(self):
        return self._item(self.cleaned_data.get("outcome"))

    def clean_offers(self):
        return [self.items_by_pk[pk] for pk in self.cleaned_data.get("offers") or []]

    def parameter_fields(self):
        return [self[name] for name in ("education", "civil_status", "origin") if name in self.fields]

    def parameters_filled(self) -> bool:
        return any(f.value() for f in self.parameter_fields())

    def topic_rows(self):
        """(item, staff checked, citizen checked) for the template's topic toggles."""
        staff = set(map(str, self["topics_staff"].value() or []))
        citizen = set(map(str, self["topics_citizen"].value() or []))
        return [(i, str(i.pk) in staff, str(i.pk) in citizen) for i in self.topic_items]

    def clean(self):
        data = super().clean()
        if data is None:
            return data
        if data.get("date") and data["date"] > timezone.localdate():
            self.add_error("date", _("The date cannot be in the future."))
        return data

    def topics(self) -> dict[ListItem, str]:
        by_id = self.items_by_pk
        result = {by_id[pk]: RaisedBy.STAFF for pk in self.cleaned_data.get("topics_staff", [])}
        for pk in self.cleaned_data.get("topics_citizen", []):
            result[by_id[pk]] = RaisedBy.CITIZEN
        return result

    def entry_fields(self) -> dict:
        d = self.cleaned_data
        return {name: d.get(name) for name in (
            "date", "time", "kind", "sex", "age_band", "outcome",
            "outcome_text", "gender_attention", "reflections", "open_questions")} | {
            name: d.get(name) or "" for name in ("education", "civil_status", "origin") if name in self.fields} | {
            "staff_present": list(d.get("staff_present") or [])}

    @classmethod
    def initial_for(cls, entry: Entry) -> dict:
        topics = list(entry.topics.all())
        return {
            "date": entry.date, "time": entry.time, "kind": entry.kind_id, "staff_present": entry.staff_present,
            "sex": entry.sex, "age_band": entry.age_band, "education": entry.education,
            "civil_status": entry.civil_status, "origin": entry.origin, "outcome": entry.outcome_id,
            "outcome_text": entry.outcome_text, "gender_attention": entry.gender_attention,
            "reflections": entry.reflections, "open_questions": entry.open_questions, "version": entry.version,
            "offers": [o.pk for o in entry.offers.all()],
            "topics_staff": [str(t.topic_id) for t in topics if t.raised_by == RaisedBy.STAFF],
            "topics_citizen": [str(t.topic_id) for t in topics if t.raised_by == RaisedBy.CITIZEN],
        }


class MyEntriesFilterForm(A11yMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    sex = forms.ChoiceField(label=_("Citizen's sex"), choices=[("", _("All")), *Sex.choices], required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ObservationForm(A11yMixin, forms.ModelForm):
    observed = forms.ModelChoiceField(label=_("Observed colleague"), queryset=User.objects.none())
    idempotency_key = IdempotencyKeyField()

    class Meta:
        model = Observation
        fields = ["observed", "date", "focus", "topics_notes", "questions_notes", "offers_notes", "what_worked",
                  "hypotheses"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **{f: forms.Textarea(attrs={"rows": 3}) for f in
               ["focus", "topics_notes", "questions_notes", "offers_notes", "what_worked", "hypotheses"]},
        }

    def __init__(self, *args, municipality_id: int, observer: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["observed"].queryset = User.objects.filter(
            municipality_id=municipality_id, is_active=True).exclude(pk=observer.pk).order_by("full_name")
        for name in Observation.FREE_TEXT_FIELDS:
            if name in self.fields:
                self.fields[name].validators.append(validate_no_identifiers)


class ObservationResponseForm(A11yMixin, forms.Form):
    response = forms.CharField(label=_("Your response"), widget=forms.Textarea(attrs={"rows": 4}),
                               validators=[validate_no_identifiers])


class ListItemForm(A11yMixin, forms.Form):
    kind = forms.ChoiceField(label=_("List"), choices=ListItem.Kind.choices)
    label = forms.CharField(label=_("New choice"), max_length=120, validators=[validate_no_identifiers])


class UnitParametersForm(A11yMixin, forms.Form):
    education = forms.BooleanField(label=_("Education level"), required=False)
    civil_status = forms.BooleanField(label=_("Civil status"), required=False)
    origin = forms.BooleanField(label=_("Origin"), required=False)

    def style_fields(self):
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-check-input"


class AnalysisForm(A11yMixin, forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

