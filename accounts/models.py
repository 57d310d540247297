import unicodedata
import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from ligestilling.lib.privacy import PrivacyGuardedModel

# Danmarks Statistik's practice: counts below 5 are not published; never below 3.
DEFAULT_SUPPRESSION_THRESHOLD = 5
MIN_SUPPRESSION_THRESHOLD = 3


class Municipality(PrivacyGuardedModel, models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    code = models.CharField(
        _("municipality code"),
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"^\d{3}$", _("The municipality code is three digits, e.g. 461."))],
        help_text=_("The official three-digit code, e.g. 461 for Odense."),
    )
    suppression_threshold = models.PositiveSmallIntegerField(
        _("suppression threshold"),
        default=DEFAULT_SUPPRESSION_THRESHOLD,
        validators=[MinValueValidator(MIN_SUPPRESSION_THRESHOLD), MaxValueValidator(50)],
        help_text=_("Counts from 1 up to this number minus one are shown as “<N”. Never below 3."),
    )
    retention_months = models.PositiveSmallIntegerField(
        _("retention of logbook entries (months)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    FREE_TEXT_FIELDS = ("name",)  # printed on every report

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(suppression_threshold__gte=MIN_SUPPRESSION_THRESHOLD),
                name="municipality_threshold_at_least_3",
            ),
            models.CheckConstraint(
                condition=models.Q(retention_months__gte=1), name="municipality_retention_positive"
            ),
        ]

    def __str__(self):
        return self.name


class UnitQuerySet(models.QuerySet):
    def subtree_of(self, unit):
        """The unit and everything below it (the materialised path makes this one query)."""
        return self.filter(municipality_id=unit.municipality_id, path__startswith=unit.path)


class Unit(PrivacyGuardedModel, models.Model):
    """An organisation unit: an administration, a department or a team, at any depth."""

    class Kind(models.TextChoices):
        ADMINISTRATION = "forvaltning", _("Administration")
        DEPARTMENT = "afdeling", _("Department")
        TEAM = "team", _("Team")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("part of"),
    )
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TEAM)
    # "/<id>/<id>/" from the root down; maintained by accounts.services.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = UnitQuerySet.as_manager()

    # Unit names are printed in reports and exports: the privacy guard refuses identifiers.
    FREE_TEXT_FIELDS = ("name",)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "parent", "name"], name="unit_unique_name_under_parent"
            ),
            models.UniqueConstraint(
                fields=["municipality", "name"],
                condition=models.Q(parent__isnull=True),
                name="unit_unique_top_level_name",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]


def canonical_email(value: object) -> str:
    """The one form of an e-mail address that is stored, looked up and throttled.

    Login matches this form exactly and the lockout counts failures under it too, so
    every spelling that could log in (case, surrounding spaces, fullwidth letters) shares
    one failure budget; a spelling with another canonical form can never log in.
    """
    return unicodedata.normalize("NFKC", str(value or "")).strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=canonical_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email=canonical_email(username))


class User(AbstractBaseUser, PermissionsMixin):
    """A member of staff. Platform superusers have no municipality."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="users",
        verbose_name=_("municipality"),
    )
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("platform staff"), default=False)
    date_joined = models.DateTimeField(_("created"), default=timezone.now)
    # Raised to end every session and every outstanding password link of the user
    # (accounts.services.end_sessions): it is part of the session hash and of the tokens.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_case_insensitive_unique"),
            # Login looks the address up exactly (see canonical_email), so it is stored so.
            models.CheckConstraint(condition=models.Q(email=Lower("email")), name="user_email_lowercase"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = canonical_email(self.email)

    def get_full_name(self):
        return self.full_name

    def _get_session_auth_hash(self, secret=None):
        """The hash every session of the user carries (`get_session_auth_hash`, and its
        fallbacks for SECRET_KEY_FALLBACKS): of the password, as in Django, and of the
        session generation, so raising the generation ends the sessions for good, whatever
        happens to the account afterwards (reactivation, a new role). Generation 0 gives
        Django's own hash, so sessions made before the field existed stay valid."""
        value = self.password if not self.session_generation else f"{self.password}:{self.session_generation}"
        return salted_hmac("django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash", value,
                           secret=secret, algorithm="sha256").hexdigest()

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    MEDARBEJDER = "medarbejder", _("Caseworker")
    LEDER = "leder", _("Manager")
    ANALYTIKER = "analytiker", _("Analyst")
    ADMINISTRATOR = "administrator", _("Administrator")


class Membership(models.Model):
    """A user's role in a unit; the role also covers every unit below it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="membership_one_role_per_unit"),
        ]

    def __str__(self):
        return f"{self.user} – {self.unit} ({self.get_role_display()})"


class AuditEventQuerySet(models.QuerySet):
    # The audit trail is append-only from the application: bulk changes are refused.
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # No database constraint and no cascade: the trail outlives the users and
    # municipalities it mentions, and must never be rewritten when they go.
    user = models.ForeignKey(
        User, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    actor = models.CharField(max_length=254, blank=True, help_text="The user's e-mail at the time.")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at"]
        indexes = [models.Index(fields=["municipality", "-at"], name="audit_municipality_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")


class DataVersion(models.Model):
    """A counter per municipality that every write of dashboard data raises in its own
    transaction (`accounts.versions.bump`). Cached dashboards are keyed on it, so a
    cached result can never outlive the data it was computed from.

    `tenant` is the municipality's id, or 0 for data shared by all municipalities (the
    national reference figures). Not a foreign key: the shared row has no municipality.
    """

    tenant = models.PositiveIntegerField(primary_key=True)
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self):
        return f"{self.tenant}: {self.version}"
