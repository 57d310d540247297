"""Workflows on municipalities, units and users (keyword-only, atomic, validated)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, ProtectedError
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from . import audit, versions
from .models import Membership, Municipality, Role, Unit, User
from .tokens import token_generator


@transaction.atomic
def create_municipality(*, name: str, slug: str, code: str, suppression_threshold: int = 5) -> Municipality:
    municipality = Municipality(name=name, slug=slug, code=code, suppression_threshold=suppression_threshold)
    municipality.full_clean()
    municipality.save()
    return municipality


@transaction.atomic
def create_unit(
    *,
    municipality: Municipality,
    name: str,
    parent: Unit | None = None,
    kind: str = Unit.Kind.TEAM,
    by: User | None = None,
    request: HttpRequest | None = None,
) -> Unit:
    versions.bump(municipality.pk)
    if parent is not None and parent.municipality_id != municipality.pk:
        raise ValidationError({"parent": _("The parent unit belongs to another municipality.")})
    unit = Unit(municipality=municipality, name=name.strip(), parent=parent, kind=kind)
    unit.full_clean()
    unit.save()
    # The path needs the new primary key, hence the second write.
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.depth = (parent.depth + 1) if parent else 0
    unit.save(update_fields=["path", "depth"])
    if by is not None:
        audit.record("unit.create", request=request, user=by, obj=unit, name=unit.name)
    return unit


@transaction.atomic
def update_unit(*, unit: Unit, name: str, kind: str, by: User, request: HttpRequest | None = None) -> Unit:
    versions.bump(unit.municipality_id)
    unit.name = name.strip()
    unit.kind = kind
    unit.full_clean()
    unit.save(update_fields=["name", "kind"])
    audit.record("unit.update", request=request, user=by, obj=unit, name=unit.name)
    return unit


@transaction.atomic
def delete_unit(*, unit: Unit, by: User, request: HttpRequest | None = None) -> None:
    versions.bump(unit.municipality_id)
    if unit.children.exists():
        raise ValidationError(_("The unit has sub-units. Move or delete them first."))
    if unit.memberships.exists():
        raise ValidationError(_("The unit still has members. Remove their roles first."))
    if unit.datasets.exists():
        # Dataset.unit is SET_NULL: the dataset would become readable by the whole municipality.
        raise ValidationError(_("The unit holds data (logbooks, datasets or projects) and cannot be deleted."))
    record_id = str(unit.uuid)
    try:
        unit.delete()
    except ProtectedError as exc:
        raise ValidationError(_("The unit holds data (logbooks, datasets or projects) and cannot be deleted.")) from exc
    audit.record("unit.delete", request=request, user=by, municipality=by.municipality,
                 object_type="accounts.unit", object_id=record_id)


def _check_same_municipality(user: User, unit: Unit) -> None:
    if user.municipality_id != unit.municipality_id:
        raise ValidationError({"unit": _("The unit belongs to another municipality.")})


@transaction.atomic
def invite_user(
    *,
    by: User,
    email: str,
    full_name: str,
    unit: Unit,
    role: str,
    job_title: str = "",
    request: HttpRequest | None = None,
) -> User:
    """Create a user with no usable password and e-mail them a link to choose one."""
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A user with this e-mail address already exists.")})
    user = User(email=email, full_name=full_name.strip(), municipality=unit.municipality, job_title=job_title)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    membership = Membership(user=user, unit=unit, role=role)
    membership.full_clean()
    membership.save()
    audit.record("user.invite", request=request, user=by, obj=user, role=role, unit=str(unit.uuid))
    transaction.on_commit(lambda: send_invitation(user=user, request=request))
    return user


def invitation_link(*, user: User, request: HttpRequest | None = None) -> str:
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": token_generator.make_token(user)},
    )
    return request.build_absolute_uri(path) if request is not None else path


def send_invitation(*, user: User, request: HttpRequest | None = None) -> None:
    context = {"user": user, "link": invitation_link(user=user, request=request)}
    send_mail(
        subject=_("Your access to Ligestilling"),
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def set_role(*, by: User, user: User, unit: Unit, role: str, request: HttpRequest | None = None) -> Membership:
    _check_same_municipality(user, unit)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    membership, created = Membership.objects.select_for_update().get_or_create(
        user=user, unit=unit, defaults={"role": role}
    )
    if not created:
        membership.role = role
        membership.save(update_fields=["role"])
    audit.record("membership.set", request=request, user=by, obj=user, role=role, unit=str(unit.uuid))
    return membership


@transaction.atomic
def remove_membership(*, by: User, membership: Membership, request: HttpRequest | None = None) -> None:
    user = membership.user
    if membership.role == Role.ADMINISTRATOR and _is_last_administrator(membership):
        raise ValidationError(_("The municipality must keep at least one active administrator."))
    unit_uuid = str(membership.unit.uuid)
    membership.delete()
    if not user.memberships.exists():
        end_sessions(user=user)
    audit.record("membership.remove", request=request, user=by, obj=user, unit=unit_uuid)


def _is_last_administrator(membership: Membership) -> bool:
    return not Membership.objects.filter(
        role=Role.ADMINISTRATOR,
        unit__municipality_id=membership.unit.municipality_id,
        user__is_active=True,
    ).exclude(user_id=membership.user_id).exists()


def end_sessions(*, user: User) -> None:
    """End every session of the user and invalidate every password link sent to them, for
    good: the session generation is part of the session hash and of the tokens
    (accounts/models.py, accounts/tokens.py), so no later change (a reactivation, a new
    role) makes an old session cookie or link valid again."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])


@transaction.atomic
def deactivate_user(*, by: User, user: User, request: HttpRequest | None = None) -> User:
    """Deactivated users are logged out at their next request, for good (end_sessions)."""
    if user.pk == by.pk:
        raise ValidationError(_("You cannot deactivate yourself."))
    admin_membership = user.memberships.filter(role=Role.ADMINISTRATOR).select_related("unit").first()
    if admin_membership is not None and _is_last_administrator(admin_membership):
        raise ValidationError(_("The municipality must keep at least one active administrator."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    end_sessions(user=user)
    audit.record("user.deactivate", request=request, user=by, obj=user)
    return user


@transaction.atomic
def reactivate_user(*, by: User, user: User, request: HttpRequest | None = None) -> User:
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.record("user.reactivate", request=request, user=by, obj=user)
    return user


@transaction.atomic
def update_municipality_settings(
    *, by: User, municipality: Municipality, suppression_threshold: int, retention_months: int,
    request: HttpRequest | None = None,
) -> Municipality:
    versions.bump(municipality.pk)
    municipality.suppression_threshold = suppression_threshold
    municipality.retention_months = retention_months
    municipality.full_clean()
    municipality.save(update_fields=["suppression_threshold", "retention_months"])
    audit.record("municipality.settings", request=request, user=by, obj=municipality,
                 suppression_threshold=suppression_threshold, retention_months=retention_months)
    return municipality
