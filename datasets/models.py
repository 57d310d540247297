"""Gender-split datasets: a dataset has indicators, an indicator has observations.

Observations are stored in long form, one row per indicator × period × sex × (optional)
dimension category. "No dimension" is the empty string, never NULL, so the unique
constraint also covers rows without a breakdown. The observations table is kept
narrow: it will hold millions of rows.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import DATASETS
from ligestilling.lib.privacy import PrivacyGuardedModel


class SourceKind(models.TextChoices):
    # Desk research: data already collected.
    REGISTER = "register", _("Register (desk research)")
    NATIONAL = "national", _("National statistics (desk research)")
    OWN_SYSTEM = "own_system", _("Own system (desk research)")
    # Field research: data gathered on purpose at the front line.
    AD_HOC = "ad_hoc", _("Ad-hoc analysis (field research)")
    INTERVIEWS = "interviews", _("Interviews (field research)")
    LOGBOOKS = "logbooks", _("Derived from logbooks (field research)")


class Sex(models.TextChoices):
    KVINDE = "kvinde", _("Women")
    MAND = "mand", _("Men")
    ANDET = "andet", _("Other")
    I_ALT = "i_alt", _("Total")


class Education(models.TextChoices):
    """Highest completed education, Danmarks Statistik's main groups (HFUDD)."""

    GRUNDSKOLE = "grundskole", _("Primary school")
    GYMNASIAL = "gymnasial", _("Upper secondary")
    ERHVERVSFAGLIG = "erhvervsfaglig", _("Vocational")
    KVU = "kvu", _("Short-cycle higher")
    MVU = "mvu", _("Medium-cycle higher")
    BACHELOR = "bachelor", _("Bachelor")
    LVU = "lvu", _("Long-cycle higher")
    PHD = "phd", _("PhD")
    UOPLYST = "uoplyst", _("Not stated")


class CivilStatus(models.TextChoices):
    """Danmarks Statistik's civil status (CIVILSTAND U/G/E/F)."""

    UGIFT = "ugift", _("Unmarried")
    GIFT = "gift", _("Married or registered partnership")
    ENKE = "enke", _("Widowed")
    SKILT = "skilt", _("Divorced")


class Origin(models.TextChoices):
    """Danmarks Statistik's origin (HERKOMST). Special category of personal data."""

    DANSK = "dansk", _("Danish origin")
    INDVANDRER = "indvandrer", _("Immigrant")
    EFTERKOMMER = "efterkommer", _("Descendant")
    UOPLYST = "uoplyst", _("Not stated")


class Measure(models.TextChoices):
    PERSONS = "persons", _("Persons")
    SHARE = "share", _("Share")
    AMOUNT_DKK = "amount_dkk", _("Amount (DKK)")
    HOURS = "hours", _("Hours")
    CONTACTS = "contacts", _("Contacts per person")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")
    NONE = "none", _("Neither")


DIMENSIONS = ("age_band", "education", "civil_status", "origin")


class DatasetQuerySet(models.QuerySet):
    """Who reads and who writes which dataset: the one place of the rule.

    Every reader of datasets (the dataset pages and exports, project criteria, workshop and
    focus-group data, dashboards and reports) calls `readable_by` or `for_units`; every
    writer calls `writable_by`. The capability is DATASETS of the role table
    (accounts.roles: leder and analytiker), on the dataset's unit or a unit above it:
    - a dataset with a unit: read and written with the capability on that unit;
    - a dataset without a unit is municipality-wide: read with the capability on any unit
      of the municipality, written only with it on every unit (a role at the top of each
      administration). A leder of one team must not replace figures that the whole
      municipality reads, and "a top-level unit" would still let one administration
      overwrite another's view of the municipality;
    - shared national reference datasets (no municipality): read by everyone, written by
      no one in the application.
    """

    def visible_to(self, municipality_id: int | None) -> DatasetQuerySet:
        """Tenancy only: the municipality's own datasets plus the shared reference datasets.
        Readers call `readable_by`, which applies the roles too."""
        if municipality_id is None:
            return self.none()
        return self.filter(Q(municipality_id=municipality_id) | Q(municipality__isnull=True))

    def for_units(self, municipality_id: int | None, unit_ids) -> DatasetQuerySet:
        """Datasets readable with the DATASETS capability on `unit_ids` (and the shared ones)."""
        shared = Q(municipality__isnull=True)
        unit_ids = list(unit_ids or ())
        if municipality_id is None or not unit_ids:
            return self.filter(shared)
        own = Q(municipality_id=municipality_id) & (Q(unit__isnull=True) | Q(unit_id__in=unit_ids))
        return self.filter(shared | own)

    def readable_by(self, scope) -> DatasetQuerySet:
        """The datasets a user may read (`scope`: accounts.access.Scope)."""

        if scope.municipality_id is None:
            return self.none()
        return self.for_units(scope.municipality_id, scope.unit_ids(DATASETS))

    def writable_by(self, scope) -> DatasetQuerySet:
        """The datasets a user may change: upload, replace, edit and delete."""

        if scope.municipality_id is None:
            return self.none()
        q = Q(unit_id__in=list(scope.unit_ids(DATASETS)))
        if scope.covers_municipality(DATASETS):
            q |= Q(unit__isnull=True)
        return self.filter(q, municipality_id=scope.municipality_id)


class Dataset(PrivacyGuardedModel, models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # NULL: a shared reference dataset (national figures), readable by every
    # municipality and created only by migrations or platform staff.
    municipality = models.ForeignKey(
        "accounts.Municipality", on_delete=models.CASCADE, null=True, blank=True,
        related_name="datasets", verbose_name=_("municipality"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source_kind = models.CharField(_("kind of source"), max_length=20, choices=SourceKind.choices,
                                   default=SourceKind.REGISTER)
    source = models.CharField(_("source"), max_length=300, blank=True,
                              help_text=_("Where the figures come from, e.g. “Danmarks Statistik, AUS07”."))
    source_url = models.URLField(_("link to the source"), blank=True)
    unit = models.ForeignKey("accounts.Unit", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="datasets", verbose_name=_("unit"))
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    person_level = models.BooleanField(
        _("aggregated from person-level data"), default=False, editable=False,
    )
    contains_origin = models.BooleanField(
        _("contains origin (special category of personal data)"), default=False, editable=False,
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DatasetQuerySet.as_manager()

    # Privacy guard (ligestilling.lib.privacy). Not source_url: a link, not prose.
    FREE_TEXT_FIELDS = ("title", "description", "source", "notes")

    class Meta:
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "title"], name="dataset_unique_title"),
            models.UniqueConstraint(fields=["title"], condition=Q(municipality__isnull=True),
                                    name="dataset_unique_reference_title"),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True) | Q(period_end__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="dataset_period_in_order",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_reference(self) -> bool:
        return self.municipality_id is None


class Indicator(PrivacyGuardedModel, models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("name"), max_length=200)
    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices, default=Measure.PERSONS)
    description = models.TextField(_("description"), blank=True)
    better = models.CharField(_("better direction"), max_length=10, choices=Direction.choices,
                              default=Direction.NONE)
    # The national figure to compare with, e.g. a municipality's home-care share
    # against "Landstal fra pjecen".
    reference = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("national reference"))
    position = models.PositiveIntegerField(default=0)

    FREE_TEXT_FIELDS = ("name", "description")

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "name"], name="indicator_unique_name"),
        ]

    def __str__(self):
        return self.name


class Observation(models.Model):
    """One figure: either a `value` (count, amount, mean) or `numerator`/`denominator`.

    Means from person-level files also keep `n` and `sd` so that a Welch test can be
    made. `period` is normalised: "2014", "2014K1" (quarter) or "2014M03" (month).
    """

    # No separate index: the unique constraint below starts with the indicator. No
    # database-level foreign key either: its per-row check halved the speed of COPY
    # (measured: 55k -> 103k rows/s for 1M rows). Observations are written only by
    # datasets.services with indicator ids created in the same transaction, and
    # deleted through the ORM, which cascades (Indicator/Dataset .delete()).
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations",
                                  db_index=False, db_constraint=False)
    period = models.CharField(max_length=7, blank=True)
    sex = models.CharField(max_length=6, choices=Sex.choices)
    age_band = models.CharField(max_length=7, blank=True, default="")
    education = models.CharField(max_length=14, blank=True, default="", choices=Education.choices)
    civil_status = models.CharField(max_length=5, blank=True, default="", choices=CivilStatus.choices)
    origin = models.CharField(max_length=11, blank=True, default="", choices=Origin.choices)
    area = models.CharField(max_length=100, blank=True, default="")
    value = models.FloatField(null=True, blank=True)
    numerator = models.BigIntegerField(null=True, blank=True)
    denominator = models.BigIntegerField(null=True, blank=True)
    n = models.IntegerField(null=True, blank=True)
    sd = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            # The one index of the table. On PostgreSQL migration 0004 makes it cover
            # value/numerator/denominator/n/sd (INCLUDE), so the per-indicator aggregate is an
            # index-only scan; SQLite has no covering indexes and keeps it plain.
            models.UniqueConstraint(
                fields=["indicator", "period", "sex", "age_band", "education", "civil_status", "origin", "area"],
                name="observation_unique_cell",
            ),
            models.CheckConstraint(condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                                   name="observation_denominator_positive"),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True)
                | (Q(numerator__gte=0) & Q(denominator__isnull=False) & Q(numerator__lte=models.F("denominator"))),
                name="observation_numerator_in_range",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | (Q(numerator__isnull=False) & Q(denominator__isnull=False)),
                name="observation_has_figure",
            ),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="observation_sex_valid"),
        ]

    def __str__(self):
        return f"{self.indicator_id} {self.period} {self.sex}"


class DatasetImport(models.Model):
    """One uploaded file: staged, mapped, imported (or refused). Keeps the content hash."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Awaiting mapping")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Refused")
        REPLACED = "replaced", _("Replaced")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    replace = models.BooleanField(_("replace the dataset's data"), default=False)
    options = models.JSONField(default=dict, blank=True)  # the confirmed mapping
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    observations = models.PositiveIntegerField(default=0)
    staged_path = models.CharField(max_length=255, blank=True, editable=False)  # name in storages["imports"]
    # How far a running import is (0..1, rows read), for the status page on any web host;
    # written by datasets.services._ProgressWriter outside the import's transaction.
    progress = models.FloatField(default=0.0, editable=False)
    progress_rows = models.PositiveIntegerField(default=0, editable=False)
    # The file's data rows, counted cheaply before the import (an upper bound): the status
    # page shows rows read of rows total.
    progress_total = models.PositiveIntegerField(default=0, editable=False)
    # The suggested mapping and preview, made once when the file was uploaded and checked,
    # so the mapping page never reads the file again. Emptied with the staged file.
    detection = models.JSONField(default=dict, blank=True, editable=False)
    # The job's lease (ligestilling/jobs.py): when it was queued, its task row, and the last
    # sign of life of the worker running it. A job whose lease ran out is failed.
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        constraints = [
            # A file's content is imported into a dataset once.
            models.UniqueConstraint(fields=["dataset", "sha256"], condition=Q(status="done"),
                                    name="dataset_import_unique_content"),
        ]

    def __str__(self):
        return self.filename

    @property
    def municipality(self):
        return self.dataset.municipality
