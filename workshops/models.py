"""Workshops with staff, focus groups and citizen involvement (tools 2, 4 and 5 of the pamphlet).

No names or contact data of citizens are stored: participation is counted by sex (and,
for focus groups, age band), and every free text about citizens passes the privacy guard
(`ligestilling.lib.privacy`) in `full_clean()`: each model lists its `FREE_TEXT_FIELDS`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Municipality, Unit
from accounts.roles import READ_ACTIVITIES
from ligestilling.lib.privacy import PrivacyGuardedModel

from . import agenda

# The pamphlet: a focus group has 5-8 people.
FOCUS_GROUP_MIN, FOCUS_GROUP_MAX = 5, 8


class Composition(models.TextChoices):
    WOMEN = "women", _("Women")
    MEN = "men", _("Men")
    BOTH = "both", _("Both women and men")


class Sex(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")


class AgeBand(models.TextChoices):
    UNDER_30 = "0-29", _("Under 30")
    FROM_30 = "30-49", _("30-49")
    FROM_50 = "50-64", _("50-64")
    FROM_65 = "65-79", _("65-79")
    FROM_80 = "80+", _("80 and over")


class TenantQuerySet(models.QuerySet):
    """Shared by the three planned activities: who may see which."""

    def visible_to(self, user, scope):
        if scope.municipality_id is None:
            return self.none()

        # The same rule as workshops.access.can_read (the pages show citizen free text).
        q = models.Q(organiser=user) | models.Q(units__in=scope.unit_ids(READ_ACTIVITIES))
        if hasattr(self.model, "participants"):
            q |= models.Q(participants=user)
        ids = self.filter(municipality_id=scope.municipality_id).filter(q).values("pk")
        return self.filter(pk__in=ids)


class PlannedActivity(PrivacyGuardedModel, models.Model):
    """What workshops, focus groups and involvement plans have in common."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("organiser"),
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="%(class)ss",
        verbose_name=_("action-learning project"),
        help_text=_("Hypotheses and actions from here go into this project's register."),
    )
    # What was sent on to the project (the project's own rows; they stay when this is deleted).
    hypotheses = models.ManyToManyField("projects.Hypothesis", blank=True, editable=False, related_name="%(class)ss")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()


    class Meta:
        abstract = True

    def __str__(self):
        return self.title


class Workshop(PlannedActivity):
    class Length(models.TextChoices):
        SHORT = agenda.SHORT, _("3-4 hours")
        FULL_DAY = agenda.FULL_DAY, _("A full day")

    class Breadth(models.TextChoices):
        ONE_FIELD = "one_field", _("Staff of one field")
        CROSS = "cross", _("Cross-disciplinary")

    date = models.DateField(_("date"))
    start_time = models.TimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200)
    length = models.CharField(_("length"), max_length=10, choices=Length.choices, default=Length.SHORT,
                              help_text=_("The pamphlet: a short workshop of 3-4 hours or a full day."))
    units = models.ManyToManyField(Unit, related_name="workshops", verbose_name=_("units"))
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="workshops", blank=True, verbose_name=_("participants"),
        help_text=_("Make sure the key people for the work that follows are there."),
    )
    breadth = models.CharField(_("participants come from"), max_length=10, choices=Breadth.choices,
                               default=Breadth.ONE_FIELD)
    goal = models.TextField(_("goal"), help_text=_("What should the workshop lead to? A short workshop needs a "
                                                   "clear focus."))
    preparation_task = models.TextField(
        _("preparation task"), default=agenda.DEFAULT_PREPARATION_TASK,
        help_text=_("Sent to the participants beforehand, so that they arrive tuned in to gender."),
    )
    follow_up_date = models.DateField(_("follow-up meeting"), null=True, blank=True)
    follow_up_notes = models.TextField(_("notes from the follow-up meeting"), blank=True)
    actions = models.ManyToManyField("projects.Action", blank=True, editable=False, related_name="workshops")
    indicators = models.ManyToManyField(
        "datasets.Indicator", blank=True, related_name="workshops", verbose_name=_("data for the workshop"),
        help_text=_("“What does the data tell us?”: gender-split indicators shown at the workshop."),
    )

    FREE_TEXT_FIELDS = ("title", "place", "goal", "preparation_task", "follow_up_notes")

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        ordering = ["-date", "title"]

    def agenda_minutes(self) -> list[int]:
        return [item.minutes for item in self.agenda_items.all()]

    def total_minutes(self) -> int:
        return agenda.total_minutes(self.agenda_minutes())

    def length_warning(self) -> str | None:
        return agenda.length_warning(self.length, self.total_minutes())

    def scheduled_items(self) -> list[tuple]:
        items = list(self.agenda_items.all())
        return list(zip(items, agenda.schedule(self.start_time, [i.minutes for i in items]), strict=True))

    def end_time(self):
        return agenda.end_time(self.start_time, self.agenda_minutes())


class AgendaItem(PrivacyGuardedModel, models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, blank=True)
    title = models.CharField(_("item"), max_length=300)
    minutes = models.PositiveSmallIntegerField(
        _("length in minutes"), validators=[MinValueValidator(5), MaxValueValidator(480)],
    )
    note = models.TextField(_("note"), blank=True)

    FREE_TEXT_FIELDS = ("title", "note")

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class Idea(PrivacyGuardedModel, models.Model):
    """An idea from the idea workshop ("how can we change practice?")."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="ideas")
    text = models.TextField(_("idea"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    FREE_TEXT_FIELDS = ("text",)

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:80]


class FocusGroup(PlannedActivity):
    class Checklist(models.TextChoices):
        TALK = "talk", _("Give the participants room and time to talk to each other, not only to the chair.")
        ALL_VIEWS = "all_views", _("Make sure all views are heard, not only the dominant ones.")
        QUESTIONS = "questions", _("Be clear about what you want from the group and which questions to answer.")
        GENDER = "gender", _("Tell the participants openly that gender is the focus.")
        NO_NAMES = "no_names", _("Write down no names or other details that identify the participants.")

    units = models.ManyToManyField(Unit, related_name="focus_groups", verbose_name=_("units"))
    purpose = models.TextField(_("purpose"), help_text=_("What do you want to get out of the focus group?"))
    questions = models.TextField(_("questions guide"), help_text=_("One question per line."))
    target_group = models.TextField(_("target group"))
    composition = models.CharField(_("composition"), max_length=10, choices=Composition.choices,
                                   default=Composition.BOTH)
    planned_size = models.PositiveSmallIntegerField(
        _("planned number of participants"), default=6, validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("The pamphlet: 5-8 people."),
    )
    grounding = models.TextField(
        _("why this composition"), blank=True,
        help_text=_("Ground the choice in data about the target group, e.g. that more men than women complete "
                    "a programme."),
    )
    indicator = models.ForeignKey(
        "datasets.Indicator", on_delete=models.SET_NULL, null=True, blank=True, related_name="focus_groups",
        verbose_name=_("data behind the choice"),
        help_text=_("An indicator where women and men differ, e.g. who completes a programme."),
    )
    date = models.DateField(_("date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    checklist = models.JSONField(default=list, blank=True)

    FREE_TEXT_FIELDS = ("title", "purpose", "questions", "target_group", "grounding", "place")

    class Meta:
        verbose_name = _("focus group")
        verbose_name_plural = _("focus groups")
        ordering = ["-created_at"]

    def question_list(self) -> list[str]:
        return [line.strip() for line in self.questions.splitlines() if line.strip()]

    def size_warning(self) -> str | None:
        if not FOCUS_GROUP_MIN <= self.planned_size <= FOCUS_GROUP_MAX:
            return _("You plan %(count)s participants. The pamphlet suggests a focus group of 5-8 people.") % {
                "count": self.planned_size}
        return None

    def participant_total(self) -> int:
        return sum(c.count for c in self.participant_counts.all())

    def counts_by_sex(self) -> dict[str, int]:
        totals = {value: 0 for value in Sex.values}
        for c in self.participant_counts.all():
            totals[c.sex] += c.count
        return totals


class ParticipantCount(models.Model):
    """How many took part, by sex and age band: never who."""

    focus_group = models.ForeignKey(FocusGroup, on_delete=models.CASCADE, related_name="participant_counts")
    sex = models.CharField(_("sex"), max_length=5, choices=Sex.choices)
    age_band = models.CharField(_("age"), max_length=5, choices=AgeBand.choices)
    count = models.PositiveSmallIntegerField(_("number"), validators=[MaxValueValidator(30)])

    class Meta:
        verbose_name = _("participant count")
        verbose_name_plural = _("participant counts")
        ordering = ["sex", "age_band"]
        constraints = [
            models.UniqueConstraint(fields=["focus_group", "sex", "age_band"], name="focusgroup_count_unique"),
        ]

    def __str__(self):
        return f"{self.get_sex_display()} {self.get_age_band_display()}: {self.count}"


class Finding(PrivacyGuardedModel, models.Model):
    class Kind(models.TextChoices):
        FINDING = "finding", _("Finding")
        QUOTE = "quote", _("Quote")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    focus_group = models.ForeignKey(FocusGroup, on_delete=models.CASCADE, related_name="findings")
    theme = models.CharField(_("theme"), max_length=150)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FINDING)
    text = models.TextField(_("text"), help_text=_("No names, addresses or other details that identify a "
                                                   "participant."))
    created_at = models.DateTimeField(auto_now_add=True)

    FREE_TEXT_FIELDS = ("theme", "text")

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["theme", "kind", "created_at", "pk"]

    def __str__(self):
        return self.text[:80]


class InvolvementPlan(PlannedActivity):
    class Mode(models.TextChoices):
        WHOLE = "whole", _("Citizens join the whole process")
        VIEWS = "views", _("Citizens contribute views and ideas")

    class Phase(models.TextChoices):
        START = "start", _("At the start")
        DURING = "during", _("During the project")
        EVALUATION = "evaluation", _("In the evaluation")

    class Method(models.TextChoices):
        FOCUS_GROUP = "focus_group", _("Focus group")
        OBSERVATION = "observation", _("Observation")
        NETWORK = "network", _("Network meeting")
        IDEAS = "ideas", _("Joint idea development")

    class Advice(models.TextChoices):
        SEVERAL = "several", _("Invite several citizens of different genders at once; it makes each one feel "
                               "safer.")
        VENUE = "venue", _("Choose a venue that is comfortable for the citizens.")
        CHAIR = "chair", _("Have a clear chair, so citizens are guided through and know their role.")
        EXPECTATIONS = "expectations", _("Be clear about what is expected of the citizens before, during and "
                                         "after the meeting.")

    units = models.ManyToManyField(Unit, related_name="involvement_plans", verbose_name=_("units"))
    citizens = models.CharField(_("which citizens"), max_length=10, choices=Composition.choices,
                                default=Composition.BOTH)
    representative = models.TextField(
        _("why they are representative"),
        help_text=_("They should be the citizens who will in the end benefit from the service."),
    )
    mode = models.CharField(_("involvement"), max_length=10, choices=Mode.choices, default=Mode.VIEWS)
    phases = models.JSONField(_("phases"), default=list, blank=True)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.FOCUS_GROUP)
    transparency = models.TextField(
        _("transparency statement"),
        default="Vi ønsker jeres synspunkter med et kønsperspektiv: det er forskelle og ligheder mellem kvinder "
                "og mænd, vi vil blive klogere på.",
        help_text=_("Be open that gender is the focus and that you want the citizens' views from a gender "
                    "perspective."),
    )
    checklist = models.JSONField(default=list, blank=True)

    FREE_TEXT_FIELDS = ("title", "representative", "transparency")

    class Meta:
        verbose_name = _("citizen involvement plan")
        verbose_name_plural = _("citizen involvement plans")
        ordering = ["-created_at"]

    def clean(self):
        super().clean()
        unknown = set(self.phases or []) - set(self.Phase.values)
        if unknown:
            raise ValidationError({"phases": _("Unknown phase.")})

    def phase_labels(self) -> list[str]:
        return [str(self.Phase(p).label) for p in self.Phase.values if p in (self.phases or [])]


class InvolvementSession(PrivacyGuardedModel, models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(InvolvementPlan, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))
    phase = models.CharField(_("phase"), max_length=10, choices=InvolvementPlan.Phase.choices,
                             default=InvolvementPlan.Phase.START)
    women = models.PositiveSmallIntegerField(_("women taking part"), default=0,
                                             validators=[MaxValueValidator(500)])
    men = models.PositiveSmallIntegerField(_("men taking part"), default=0, validators=[MaxValueValidator(500)])
    learnt = models.TextField(_("what we learnt"))
    created_at = models.DateTimeField(auto_now_add=True)

    FREE_TEXT_FIELDS = ("learnt",)

    class Meta:
        verbose_name = _("involvement session")
        verbose_name_plural = _("involvement sessions")
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.plan} {self.date}"
