"""Action-learning projects (tool 3 of the pamphlet).

A project follows the pamphlet's plan template (title, responsible, target group, link
to a strategic intention, short description, actions, who does what, learning goals and
success criteria, timeline) and runs in cycles: action → reflection and learning →
rethinking → action. Success criteria are gender-specific and measured; their status is
computed live (see `projects/measures.py`), never stored.

Every free text passes the privacy guard (`ligestilling.lib.privacy`) in `full_clean()`:
each model lists its `FREE_TEXT_FIELDS`; a project's texts reach the committee PDF.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Municipality, Unit
from accounts.roles import READ_PROJECTS
from ligestilling.lib import formatting as fmt
from ligestilling.lib.privacy import PrivacyGuardedModel

# The pamphlet: a project lasts 1-6 months and is run by a group of 4-6 people.
MIN_MONTHS, MAX_MONTHS = 1, 6
MIN_GROUP, MAX_GROUP = 4, 6


def months_between(start: date, end: date) -> float:
    """Length of a period in months (30.44 days each), for the plan's warnings."""
    return (end - start).days / 30.44


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user, scope) -> ProjectQuerySet:
        """Projects of the user's municipality involving a unit they read, or their own
        (the rule of projects.access.can_read)."""
        if scope.municipality_id is None:
            return self.none()

        mine = models.Q(responsible=user) | models.Q(members=user)
        units = models.Q(units__in=scope.unit_ids(READ_PROJECTS))
        ids = self.filter(municipality_id=scope.municipality_id).filter(mine | units).values("pk")
        return self.filter(pk__in=ids)

    def mine(self, user) -> ProjectQuerySet:
        ids = self.filter(models.Q(responsible=user) | models.Q(members=user)).values("pk")
        return self.filter(pk__in=ids)


class Project(PrivacyGuardedModel, models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")

    class TargetSex(models.TextChoices):
        WOMEN = "women", _("Women")
        MEN = "men", _("Men")
        BOTH = "both", _("Both women and men")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="projects")
    title = models.CharField(
        _("project title"), max_length=200,
        help_text=_("A short, concrete name that says what you will try out."),
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="responsible_projects",
        verbose_name=_("responsible for the project"),
        help_text=_("Who holds the project together and makes sure the group meets?"),
    )
    target_group = models.TextField(
        _("target group"),
        help_text=_("Which citizens does the project concern? What do you know about the women and the men "
                    "among them (age, education, civil status, ethnicity)?"),
    )
    target_sex = models.CharField(
        _("the project concerns"), max_length=10, choices=TargetSex.choices, default=TargetSex.BOTH,
    )
    strategic_link = models.TextField(
        _("link to strategic intention"), blank=True,
        help_text=_("Which political goal, strategy or existing activity does the project support? "
                    "Use existing agendas as carriers."),
    )
    description = models.TextField(
        _("short description of the project"), blank=True,
        help_text=_("What is the idea, and why could gender matter here? A project can be new or add a "
                    "gender dimension to an existing one."),
    )
    actions_text = models.TextField(
        _("description of actions"), blank=True,
        help_text=_("What will you try out in practice? Keep it small and something you can start quickly."),
    )
    who_does_what = models.TextField(
        _("who does what"), blank=True,
        help_text=_("Who observes, who keeps the logbook, who gathers data, who calls the group together? "
                    "Involve the staff with direct citizen contact."),
    )
    learning_goals = models.TextField(
        _("learning goals and success criteria"), blank=True,
        help_text=_("What do you want to learn? Which gender-specific success criteria will you measure, e.g. "
                    "“we measure the number of referred men and women who complete our programme”? "
                    "Stay open to unexpected effects."),
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    units = models.ManyToManyField(
        Unit, related_name="projects", verbose_name=_("units involved"),
        help_text=_("A project may span administrations."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="project_memberships", blank=True,
        verbose_name=_("project group"),
        help_text=_("A small group, e.g. 4-6 people, who are responsible for the project together."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    FREE_TEXT_FIELDS = ("title", "target_group", "strategic_link", "description", "actions_text", "who_does_what",
                        "learning_goals")

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                   name="project_end_not_before_start"),
        ]
        indexes = [models.Index(fields=["municipality", "status"], name="project_municipality_status")]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end cannot be before the start.")})
        if self.responsible_id and self.municipality_id:
            if self.responsible.municipality_id != self.municipality_id:
                raise ValidationError({"responsible": _("Choose a user of your own municipality.")})

    @property
    def months(self) -> float | None:
        if self.start_date and self.end_date:
            return months_between(self.start_date, self.end_date)
        return None

    def group(self) -> list:
        """The project group: the members plus the responsible (once)."""
        people = list(self.members.all()) if self.pk else []
        if self.responsible_id and all(p.pk != self.responsible_id for p in people):
            people.insert(0, self.responsible)
        return people

    def plan_warnings(self, group_size: int | None = None) -> list[str]:
        """The pamphlet's advice, as warnings: saving is still allowed."""
        warnings = []
        months = self.months
        if months is not None and months > MAX_MONTHS:
            warnings.append(_("The project runs longer than 6 months. The pamphlet suggests small, bounded "
                              "projects of 1-6 months."))
        elif months is not None and months < MIN_MONTHS:
            warnings.append(_("The project is shorter than a month. The pamphlet suggests 1-6 months, so that "
                              "there is time for action, reflection and rethinking."))
        size = len(self.group()) if group_size is None else group_size
        if not MIN_GROUP <= size <= MAX_GROUP:
            warnings.append(_("The project group has %(count)s people. The pamphlet suggests a group of 4-6.")
                            % {"count": size})
        return warnings

    def is_editor(self, user) -> bool:
        if not user.is_authenticated or user.municipality_id != self.municipality_id:
            return False
        return self.responsible_id == user.pk or self.members.filter(pk=user.pk).exists()


class Milestone(PrivacyGuardedModel, models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_date = models.DateField(_("date"))
    done = models.BooleanField(_("reached"), default=False)

    FREE_TEXT_FIELDS = ("title",)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.title


class Cycle(PrivacyGuardedModel, models.Model):
    """One turn of the loop: action → reflection and learning → rethinking."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="cycles")
    number = models.PositiveSmallIntegerField(_("cycle"))
    started_on = models.DateField(_("action started"), default=timezone.localdate)
    action = models.TextField(
        pgettext_lazy("action learning", "action"), blank=True,
        help_text=_("What did you try out in practice, and when? Note observations and feedback as you go."),
    )
    reflection = models.TextField(
        _("reflection and learning"), blank=True,
        help_text=_("What happened? What did you notice about the women and the men? What surprised you?"),
    )
    rethinking = models.TextField(
        _("rethinking"), blank=True,
        help_text=_("What will you change in the next action because of what you learned?"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    FREE_TEXT_FIELDS = ("action", "reflection", "rethinking")

    class Meta:
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="cycle_unique_number")]

    def __str__(self):
        return f"{self.project} #{self.number}"

    @property
    def phase(self) -> str:
        """Where in the loop the cycle is: the first step with nothing written yet."""
        if not self.action:
            return "action"
        if not self.reflection:
            return "reflection"
        if not self.rethinking:
            return "rethinking"
        return "done"


class Hypothesis(PrivacyGuardedModel, models.Model):
    class Source(models.TextChoices):
        WORKSHOP = "workshop", _("Workshop")
        LOGBOOK = "logbook", _("Logbook")
        DATA = "data", _("Data")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SUPPORTED = "supported", _("Supported")
        REJECTED = "rejected", _("Rejected")
        UNCLEAR = "unclear", _("Unclear")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="hypotheses")
    statement = models.TextField(
        _("hypothesis"),
        help_text=_("E.g. “We ask men less often than women about their network.”"),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.OTHER)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    evidence = models.TextField(_("evidence"), blank=True,
                                help_text=_("What supports or contradicts the hypothesis?"))
    evidence_url = models.URLField(_("link to evidence"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Not evidence_url: a link, whose long digit runs (article and case ids) are no identifiers.
    FREE_TEXT_FIELDS = ("statement", "evidence")

    class Meta:
        verbose_name = _("hypothesis")
        verbose_name_plural = _("hypotheses")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.statement[:80]


class ActionQuerySet(models.QuerySet):
    def overdue(self, today: date | None = None) -> ActionQuerySet:
        today = today or timezone.localdate()
        return self.filter(status=Action.Status.OPEN, due_date__lt=today)


class Action(PrivacyGuardedModel, models.Model):
    """A task of the plan's "who does what"."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("what"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="project_actions",
        verbose_name=_("who"),
    )
    due_date = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ActionQuerySet.as_manager()

    FREE_TEXT_FIELDS = ("description",)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["status", models.F("due_date").asc(nulls_last=True), "pk"]
        indexes = [models.Index(fields=["owner", "status", "due_date"], name="action_owner_status_due")]

    def __str__(self):
        return self.description

    def clean(self):
        super().clean()
        if self.owner_id and self.project_id and self.owner.municipality_id != self.project.municipality_id:
            raise ValidationError({"owner": _("Choose a user of your own municipality.")})

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_date is not None and self.due_date < timezone.localdate()


percent_validators = [MinValueValidator(0), MaxValueValidator(100)]


class Criterion(PrivacyGuardedModel, models.Model):
    """A gender-specific success criterion, measured from data.

    The share measured is "count of n" per sex (e.g. completed of referred). The target is
    either per sex (e.g. women at least 60 %) or a maximum gap between women and men in
    percentage points. The status is computed live by `projects.measures.evaluate`.
    """

    class Kind(models.TextChoices):
        # Each kind has a function in projects/measures.py (MEASURES) returning its counts.
        MANUAL = "manual", _("Manual measurements")
        LOGBOOK = "logbook", _("Logbooks: share of the conversations")
        DATASET = "dataset", _("Dataset: an indicator's share")

    class TargetType(models.TextChoices):
        PER_SEX = "per_sex", _("A share for each sex")
        GAP = "gap", _("A maximum difference between women and men")

    class Direction(models.TextChoices):
        AT_LEAST = "at_least", _("at least")
        AT_MOST = "at_most", _("at most")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="criteria")
    definition = models.TextField(
        _("success criterion"),
        help_text=_("What do you measure, among whom? E.g. “Share of referred men and women who complete "
                    "the programme”."),
    )
    kind = models.CharField(_("measured from"), max_length=10, choices=Kind.choices, default=Kind.MANUAL)
    logbook_item = models.ForeignKey(
        # SET_NULL: deleting a list item or a dataset must not be blocked by a project;
        # the criterion then shows that its source is gone.
        "logbooks.ListItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("topic, offer or outcome"),
        help_text=_("Counted: the project units' logbook conversations with women and with men in which this "
                    "topic was raised, this offer made or this outcome reached, out of all their conversations, "
                    "per cycle."),
    )
    dataset_indicator = models.ForeignKey(
        "datasets.Indicator", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("indicator"),
        help_text=_("A share from one of your municipality's datasets, e.g. the share who are self-reliant after "
                    "the programme, counted per period and sex."),
    )
    count_label = models.CharField(
        _("what is counted"), max_length=100, blank=True,
        help_text=_("E.g. “completed”."),
    )
    n_label = models.CharField(
        _("out of"), max_length=100, blank=True,
        help_text=_("E.g. “referred”."),
    )
    baseline_women = models.DecimalField(_("baseline, women (%)"), max_digits=5, decimal_places=1,
                                         null=True, blank=True, validators=percent_validators)
    baseline_men = models.DecimalField(_("baseline, men (%)"), max_digits=5, decimal_places=1,
                                       null=True, blank=True, validators=percent_validators)
    target_type = models.CharField(_("target"), max_length=10, choices=TargetType.choices,
                                   default=TargetType.PER_SEX)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices,
                                 default=Direction.AT_LEAST)
    target_women = models.DecimalField(_("target, women (%)"), max_digits=5, decimal_places=1,
                                       null=True, blank=True, validators=percent_validators)
    target_men = models.DecimalField(_("target, men (%)"), max_digits=5, decimal_places=1,
                                     null=True, blank=True, validators=percent_validators)
    target_gap = models.DecimalField(
        _("maximum difference (percentage points)"), max_digits=5, decimal_places=1, null=True, blank=True,
        validators=percent_validators,
        help_text=_("E.g. 10: the difference between women and men is below 10 points."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    FREE_TEXT_FIELDS = ("definition", "count_label", "n_label")

    class Meta:
        verbose_name = _("success criterion")
        verbose_name_plural = _("success criteria")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.definition[:80]

    def clean(self):
        super().clean()
        if self.kind == self.Kind.LOGBOOK:
            if self.logbook_item_id is None:
                raise ValidationError({"logbook_item": _("Choose what is counted in the logbooks.")})
            if self.project_id and self.logbook_item.municipality_id != self.project.municipality_id:
                raise ValidationError({"logbook_item": _("Choose an item of your own municipality.")})
        else:
            self.logbook_item = None
        if self.kind == self.Kind.DATASET:
            indicator = self.dataset_indicator
            if indicator is None:
                raise ValidationError({"dataset_indicator": _("Choose the indicator to follow.")})
            if self.project_id and indicator.dataset.municipality_id != self.project.municipality_id:
                raise ValidationError({"dataset_indicator": _("Choose an indicator of your own municipality.")})
            if indicator.measure != "share":
                raise ValidationError({"dataset_indicator": _("Choose an indicator that is a share.")})
        else:
            self.dataset_indicator = None
        if self.target_type == self.TargetType.PER_SEX:
            if self.target_women is None and self.target_men is None:
                raise ValidationError(_("Give a target for women, for men or for both."))
        elif self.target_gap is None:
            raise ValidationError({"target_gap": _("Give the largest difference you will accept.")})

    @property
    def source_missing(self) -> bool:
        return (self.kind == self.Kind.LOGBOOK and self.logbook_item_id is None) or (
            self.kind == self.Kind.DATASET and self.dataset_indicator_id is None)

    def baseline_text(self) -> str:

        parts = []
        for label, value in ((_("women"), self.baseline_women), (_("men"), self.baseline_men)):
            if value is not None:
                parts.append(f"{label} {fmt.fmt_pct(float(value) / 100, 0 if value % 1 == 0 else 1)}")
        return ", ".join(parts)

    def target_text(self) -> str:

        if self.target_type == self.TargetType.GAP:
            return _("difference between women and men below %(gap)s") % {
                "gap": fmt.fmt_pp(float(self.target_gap), 0 if self.target_gap % 1 == 0 else 1, signed=False)}
        parts = []
        word = self.get_direction_display()
        for label, value in ((_("women"), self.target_women), (_("men"), self.target_men)):
            if value is not None:
                parts.append(f"{label} {word} {fmt.fmt_pct(float(value) / 100, 0 if value % 1 == 0 else 1)}")
        return ", ".join(parts)


class Measurement(PrivacyGuardedModel, models.Model):
    """A manual measurement by sex on a date: count of n for women and for men."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField(_("date"), default=timezone.localdate)
    cycle = models.ForeignKey(Cycle, on_delete=models.SET_NULL, null=True, blank=True, related_name="measurements",
                              verbose_name=_("cycle"))
    women_count = models.PositiveIntegerField(_("women: counted"), null=True, blank=True)
    women_n = models.PositiveIntegerField(_("women: out of"), null=True, blank=True)
    men_count = models.PositiveIntegerField(_("men: counted"), null=True, blank=True)
    men_n = models.PositiveIntegerField(_("men: out of"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    FREE_TEXT_FIELDS = ("note",)

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["measured_on", "pk"]

    def __str__(self):
        return f"{self.criterion} {self.measured_on}"

    def clean(self):
        super().clean()
        errors = {}
        for sex in ("women", "men"):
            count, n = getattr(self, f"{sex}_count"), getattr(self, f"{sex}_n")
            if (count is None) != (n is None):
                errors[f"{sex}_n"] = _("Give both the count and the total, or neither.")
            elif count is not None and count > n:
                errors[f"{sex}_count"] = _("The count cannot be larger than the total.")
        if errors:
            raise ValidationError(errors)
        if self.women_n is None and self.men_n is None:
            raise ValidationError(_("Give the numbers for women, for men or for both."))

    def counts(self) -> dict[str, tuple[int, int]]:
        result = {}
        if self.women_n is not None:
            result["kvinde"] = (self.women_count, self.women_n)
        if self.men_n is not None:
            result["mand"] = (self.men_count, self.men_n)
        return result
