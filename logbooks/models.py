"""Logbook entries of citizen conversations (tool 7) and peer observations (tool 6).

No name, CPR number, address or other identifier of a citizen is ever stored: the
citizen is described only by sex, age band and optional broad parameters. Free text is
checked by the privacy guard (`ligestilling.lib.privacy`) in the form and again in
`full_clean()` (each model's `FREE_TEXT_FIELDS`).

Project link (the projects app comes later): entries carry no project column yet. The
projects app will add a nullable `project` FK to `Entry` in a logbooks migration
(`null=True, on_delete=SET_NULL`), so existing entries need no rework.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Municipality, Unit
from ligestilling.lib import disclosure
from ligestilling.lib.privacy import PrivacyGuardedModel


class Sex(models.TextChoices):
    KVINDE = "kvinde", _("Woman")
    MAND = "mand", _("Man")
    ANDET = "andet", _("Other")
    UOPLYST = "uoplyst", _("Not stated")


class AgeBand(models.TextChoices):
    UNDER_18 = "0-17", _("Under 18")
    A18 = "18-24", "18–24"
    A25 = "25-29", "25–29"
    A30 = "30-39", "30–39"
    A40 = "40-49", "40–49"
    A50 = "50-64", "50–64"
    A65 = "65-74", "65–74"
    A75 = "75+", _("75 and over")


class Education(models.TextChoices):
    BASIC = "grundskole", _("Primary school")
    UPPER = "ungdomsuddannelse", _("Upper secondary or vocational")
    HIGHER = "videregaaende", _("Higher education")
    UNKNOWN = "uoplyst", _("Not stated")


class CivilStatus(models.TextChoices):
    SINGLE = "enlig", _("Single")
    COUPLE = "par", _("Married or cohabiting")
    UNKNOWN = "uoplyst", _("Not stated")


class Origin(models.TextChoices):
    DANISH = "dansk", _("Danish origin")
    IMMIGRANT = "indvandrer", _("Immigrant")
    DESCENDANT = "efterkommer", _("Descendant")
    UNKNOWN = "uoplyst", _("Not stated")


class StaffRole(models.TextChoices):
    CASEWORKER = "sagsbehandler", pgettext_lazy("staff present", "Caseworker")
    CONSULTANT = "jobkonsulent", pgettext_lazy("staff present", "Job consultant")
    HEALTH = "sundhedsfaglig", pgettext_lazy("staff present", "Health professional")
    THERAPIST = "terapeut", pgettext_lazy("staff present", "Therapist")
    MANAGER = "leder", pgettext_lazy("staff present", "Manager")
    INTERPRETER = "tolk", pgettext_lazy("staff present", "Interpreter")
    OTHER = "anden", pgettext_lazy("staff present", "Other")


class RaisedBy(models.TextChoices):
    STAFF = "medarbejder", _("Staff")
    CITIZEN = "borger", _("Citizen")


class ListItem(PrivacyGuardedModel, models.Model):
    """One choice on a unit's list: a kind of conversation, a topic, an offer or an outcome."""

    class Kind(models.TextChoices):
        CONVERSATION = "samtale", _("Kind of conversation")
        TOPIC = "emne", _("Topic")
        OFFER = "tilbud", _("Offer")
        OUTCOME = "udfald", _("Outcome")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="logbook_items")
    kind = models.CharField(_("list"), max_length=10, choices=Kind.choices)
    label = models.CharField(_("text"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    is_active = models.BooleanField(_("in use"), default=True)

    FREE_TEXT_FIELDS = ("label",)

    class Meta:
        verbose_name = _("list item")
        verbose_name_plural = _("list items")
        ordering = ["kind", "position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "label"], name="logbook_item_unique_label"),
        ]

    def __str__(self):
        return self.label


class EntryQuerySet(models.QuerySet):
    def for_units(self, unit_ids):
        return self.filter(unit_id__in=list(unit_ids))


class Entry(PrivacyGuardedModel, models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="logbook_entries", verbose_name=_("unit"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="logbook_entries"
    )
    date = models.DateField(_("date of the conversation"))
    time = models.TimeField(_("time"), null=True, blank=True)
    kind = models.ForeignKey(
        ListItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("kind of conversation"),
    )
    staff_present = models.JSONField(_("staff present"), default=list, blank=True)
    sex = models.CharField(_("citizen's sex"), max_length=10, choices=Sex.choices)
    age_band = models.CharField(_("citizen's age"), max_length=10, choices=AgeBand.choices)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    civil_status = models.CharField(_("civil status"), max_length=20, choices=CivilStatus.choices, blank=True)
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices, blank=True)
    offers = models.ManyToManyField(ListItem, blank=True, related_name="+", verbose_name=_("offers made"))
    outcome = models.ForeignKey(
        ListItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("outcome")
    )
    outcome_text = models.TextField(_("outcome in your own words"), blank=True)
    gender_attention = models.TextField(_("particular attention to gender"), blank=True)
    reflections = models.TextField(_("reflections after the conversation"), blank=True)
    open_questions = models.TextField(_("open questions"), blank=True)
    version = models.PositiveIntegerField(default=1)
    # The cell-key method (ligestilling.lib.disclosure): a fixed random key per
    # conversation, summed with the counts, so the same set of conversations always gets
    # the same noise in every published table. Never shown.
    record_key = models.PositiveSmallIntegerField(default=disclosure.record_key, editable=False)
    # Made when the quick-entry form is shown: a repeated POST of that form (a double
    # click, a resent request) finds its entry instead of storing a second one.
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EntryQuerySet.as_manager()

    FREE_TEXT_FIELDS = ("outcome_text", "gender_attention", "reflections", "open_questions")

    class Meta:
        verbose_name = _("logbook entry")
        verbose_name_plural = _("logbook entries")
        ordering = ["-date", "-time", "-created_at"]
        indexes = [
            # Covering: the dashboard's and the analysis page's counts by sex, outcome and
            # background are index-only scans (PostgreSQL; other databases ignore `include`).
            models.Index(fields=["municipality", "unit", "date"], name="logbook_entry_unit_date_cover",
                         include=["sex", "outcome", "age_band", "education", "civil_status", "origin", "id",
                                  "record_key"]),
            models.Index(fields=["author", "-date"], name="logbook_entry_author_date"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["author", "idempotency_key"], name="logbook_entry_stored_once",
                                    condition=models.Q(idempotency_key__isnull=False)),
            models.CheckConstraint(condition=models.Q(record_key__lt=disclosure.KEY_RANGE),
                                   name="logbook_entry_record_key_range"),
        ]

    def __str__(self):
        return f"{self.date:%d.%m.%Y} {self.get_sex_display()}"


class EntryTopic(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="topics")
    topic = models.ForeignKey(ListItem, on_delete=models.PROTECT, related_name="+")
    raised_by = models.CharField(_("raised by"), max_length=12, choices=RaisedBy.choices, default=RaisedBy.STAFF)
    # Copies of the entry's fields that topic counts filter and group by, so the topics of
    # a unit and period are counted with one index-only scan instead of a lookup per entry
    # (the dashboard's most expensive query). Set by `EntryTopic.of`; the logbook services
    # rewrite an entry's topics whenever the entry is saved, so the copies never drift.
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+", db_index=False)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_index=False)
    date = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    record_key = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "topic"], name="logbook_entry_topic_once")]
        indexes = [
            models.Index(fields=["municipality", "unit", "date"], name="logbook_topic_unit_date_cover",
                         include=["topic", "sex", "raised_by", "record_key"]),
        ]

    def __str__(self):
        return f"{self.topic} ({self.get_raised_by_display()})"

    @classmethod
    def of(cls, entry: Entry, topic: ListItem, raised_by: str = RaisedBy.STAFF) -> EntryTopic:
        """A topic of `entry`, with the entry's fields copied (unsaved)."""
        return cls(entry=entry, topic=topic, raised_by=raised_by, municipality_id=entry.municipality_id,
                   unit_id=entry.unit_id, date=entry.date, sex=entry.sex, record_key=entry.record_key)


class Observation(PrivacyGuardedModel, models.Model):
    """Peer observation of a colleague's conversation, with feedback (tool 6)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    observer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    observed = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("observed colleague")
    )
    date = models.DateField(_("date"))
    focus = models.TextField(
        _("agreed focus"),
        help_text=_("Agree beforehand what you look for, e.g. which topics are raised with women and with men."),
    )
    topics_notes = models.TextField(
        _("topics raised"), blank=True,
        help_text=_("Be specific and descriptive: what was said, by whom. Describe rather than judge."),
    )
    questions_notes = models.TextField(
        _("questions the citizen asked and was asked"), blank=True,
        help_text=_("Write the questions as they were asked, without judging them."),
    )
    offers_notes = models.TextField(_("offers made"), blank=True, help_text=_("Which offers were made, and how."))
    what_worked = models.TextField(
        _("what worked"), blank=True, help_text=_("Notice what works, not only what does not."),
    )
    hypotheses = models.TextField(
        _("hypotheses formed together"), blank=True,
        help_text=_("Make time afterwards to form hypotheses together: why did it go as it did?"),
    )
    response = models.TextField(_("response from the observed colleague"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)  # as Entry's
    created_at = models.DateTimeField(auto_now_add=True)

    FREE_TEXT_FIELDS = ("focus", "topics_notes", "questions_notes", "offers_notes", "what_worked", "hypotheses",
                        "response")

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["-date", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["observer", "idempotency_key"], name="logbook_observation_stored_once",
                                    condition=models.Q(idempotency_key__isnull=False)),
        ]

    def __str__(self):
        return f"{self.date:%d.%m.%Y}"


class UnitSettings(models.Model):
    """Which optional citizen parameters a unit asks for (switched on by its leder).

    A unit asks for a parameter when it or a unit above it has switched it on.
    """

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="logbook_settings")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    ask_education = models.BooleanField(_("ask for education level"), default=False)
    ask_civil_status = models.BooleanField(_("ask for civil status"), default=False)
    ask_origin = models.BooleanField(_("ask for origin"), default=False)

    PARAMETERS = {"ask_education": "education", "ask_civil_status": "civil_status", "ask_origin": "origin"}

    class Meta:
        verbose_name = _("logbook settings")
        verbose_name_plural = _("logbook settings")

    def __str__(self):
        return str(self.unit)
