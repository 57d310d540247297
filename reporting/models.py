"""Kept committee reports.

The PDF is stored in the database (`pdf`, a BinaryField) rather than in MEDIA: a report
is tenant data, and keeping it in the row means it is only reachable through the
access-checked download view (a MEDIA URL would be public to anyone with the link),
is backed up and deleted with the rest of the municipality's data, and needs no shared
disk between the web and the worker processes. Reports are a few hundred kB.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Municipality, Unit
from ligestilling.lib.privacy import PrivacyGuardedModel


class Report(PrivacyGuardedModel, models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being generated")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Section(models.TextChoices):
        SUMMARY = "summary", _("Summary")
        PROJECTS = "projects", _("Projects and their success criteria")
        LOGBOOKS = "logbooks", _("Logbook analysis")
        INDICATORS = "indicators", _("Dataset indicators with national comparison")
        WORKSHOPS = "workshops", _("Workshops held")
        RECOMMENDATIONS = "recommendations", _("The pamphlet's recommendations")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports",
        verbose_name=_("unit"), help_text=_("Empty: the whole municipality."),
    )
    title = models.CharField(_("title"), max_length=200)
    committee = models.CharField(_("committee"), max_length=200)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    sections = models.JSONField(_("sections"), default=list)
    summary = models.TextField(_("summary"), blank=True)
    recommendation = models.TextField(_("recommendation to the committee"), blank=True)
    class Failure(models.TextChoices):
        ERROR = "error", _("Error while generating")
        STOPPED = "stopped", _("Stopped with its worker")
        NOT_STARTED = "not_started", _("Never started")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    # Why a failed report failed: an error while building it, or its job expired
    # (ligestilling/jobs.py): the worker died while building it, or it never started.
    failure = models.CharField(max_length=12, blank=True, choices=Failure.choices, editable=False)
    # The job's lease: when it was queued, its task row, the worker's last sign of life.
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    pdf_size = models.PositiveIntegerField(null=True, blank=True, editable=False)
    pages = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    seconds = models.FloatField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    # Printed in the PDF (the summary and recommendation many times): the privacy guard
    # (ligestilling.lib.privacy) refuses identifiers in them.
    FREE_TEXT_FIELDS = ("title", "committee", "summary", "recommendation")

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["municipality", "-created_at"], name="report_municipality_created")]
        constraints = [
            models.CheckConstraint(condition=models.Q(date_from__lte=models.F("date_to")),
                                   name="report_period_in_order"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    def section_labels(self) -> list[str]:
        labels = dict(self.Section.choices)
        return [str(labels[s]) for s in self.sections if s in labels]


# --- The summary table of the national overview ------------------------------------------
#
# Derived numbers, recomputed by `reporting.summary.refresh_summary` (after every write that
# changes them, and nightly by `manage.py refresh_summary`); never edited by hand. The rows
# are not addressed by URL (no uuid): only the national overview reads them, as aggregates.


class MunicipalitySummary(models.Model):
    """Per municipality: the counts of the national overview, as of `refreshed_at`."""

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, primary_key=True,
                                        related_name="summary")
    datasets = models.PositiveIntegerField(default=0)
    observations = models.BigIntegerField(default=0)
    active_projects = models.PositiveIntegerField(default=0)
    criteria_met = models.PositiveIntegerField(default=0)
    criteria_not_met = models.PositiveIntegerField(default=0)
    criteria_too_little_data = models.PositiveIntegerField(default=0)
    #: The moment the counting started: everything committed before it is included.
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("municipality summary")
        verbose_name_plural = _("municipality summaries")

    def __str__(self):
        return f"{self.municipality_id} @ {self.refreshed_at:%Y-%m-%d %H:%M}"


class MonthlyConversations(models.Model):
    """Logbook conversations per municipality, month (its first day) and the citizen's sex."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+",
                                     db_index=False)  # the unique constraint starts with it
    month = models.DateField()
    sex = models.CharField(max_length=10)
    conversations = models.PositiveIntegerField()
    #: The sum of the conversations' record keys (`logbooks.Entry.record_key`), for the
    #: cell-key method: the key of any set of these rows is their sum modulo 256
    #: (`ligestilling.lib.disclosure.Keyed.of` reduces it). A plain sum, not reduced
    #: here, so that logging a conversation stays one `key_sum = key_sum + k` (no modular
    #: arithmetic in SQL, whose `%` differs between databases for negative numbers).
    key_sum = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("conversations per month")
        verbose_name_plural = _("conversations per month")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "month", "sex"], name="monthly_conversations_unique"),
        ]
        # The national totals read a range of months across all municipalities.
        indexes = [models.Index(fields=["month", "sex"], name="monthly_conversations_month")]

    def __str__(self):
        return f"{self.municipality_id} {self.month:%Y-%m} {self.sex}: {self.conversations}"
