from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import access, audit, params, services, throttle
from .forms import (
    InviteUserForm,
    LoginForm,
    MembershipForm,
    MunicipalitySettingsForm,
    UnitForm,
    UserSearchForm,
)
from .models import Membership, Unit, User, canonical_email
from .tokens import token_generator


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """At most PASSWORD_RESET_MAX_PER_ADDRESS mails to one address and
    PASSWORD_RESET_MAX_PER_IP requests from one client address per
    PASSWORD_RESET_WINDOW_SECONDS. The answer is the same whether the address has an
    account, was throttled or not, so it reveals nothing; every request is audited."""

    template_name = "accounts/password_reset.html"
    token_generator = token_generator
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        address = canonical_email(form.cleaned_data["email"])
        window = settings.PASSWORD_RESET_WINDOW_SECONDS
        throttled = None
        # A throttled client address does not use up the budget of the addresses it names.
        if not throttle.allow("password-reset-ip", audit.client_ip(self.request) or "-",
                              limit=settings.PASSWORD_RESET_MAX_PER_IP, window=window):
            throttled = "ip"
        elif not throttle.allow("password-reset-address", address,
                                limit=settings.PASSWORD_RESET_MAX_PER_ADDRESS, window=window):
            throttled = "address"
        audit.record("auth.password_reset", request=self.request, obj=User.objects.filter(email=address).first(),
                     email=address, throttled=throttled)
        if throttled:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:login")
    token_generator = token_generator

    def form_valid(self, form):
        response = super().form_valid(form)
        # A new password ends the sessions anyway (the hash is of the password); the
        # generation also voids the other links sent before this one was used.
        services.end_sessions(user=form.user)
        messages.success(self.request, _("Your password is set. You can log in now."))
        return response


# --- Administration of the municipality (administrator role) -------------------------


@login_required
def admin_home(request):
    scope = access.require(request, access.ADMIN)
    municipality = request.user.municipality
    form = UserSearchForm(request.GET or None)
    users = User.objects.filter(municipality_id=scope.municipality_id).prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("unit").order_by("unit__path"))
    )
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            users = users.filter(Q(full_name__icontains=q) | Q(email__icontains=q) | Q(job_title__icontains=q))
        if form.cleaned_data["role"]:
            users = users.filter(memberships__role=form.cleaned_data["role"]).distinct()
        if form.cleaned_data["status"] == "active":
            users = users.filter(is_active=True)
        elif form.cleaned_data["status"] == "inactive":
            users = users.filter(is_active=False)
    page = Paginator(users.order_by("full_name", "email"), 25).get_page(request.GET.get("page"))
    units = Unit.objects.filter(municipality_id=scope.municipality_id).annotate(
        member_count=Count("memberships")
    ).order_by("path")
    return render(request, "accounts/admin_home.html", {
        "municipality": municipality, "form": form, "page": page, "units": units,
    })


@login_required
def user_invite(request):
    scope = access.require(request, access.ADMIN)
    municipality = request.user.municipality
    form = InviteUserForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invite_user(by=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(name)s has been created and an invitation has been sent to %(email)s.")
                             % {"name": user.full_name, "email": user.email})
            return redirect("accounts:user_detail", uuid=user.uuid)
    assert scope.is_administrator
    return render(request, "accounts/user_invite.html", {"form": form})


@login_required
def user_detail(request, uuid):
    user = access.get_user_for(request, uuid)
    form = MembershipForm(request.POST or None, municipality=request.user.municipality)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_role(by=request.user, user=user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The role has been saved."))
            return redirect("accounts:user_detail", uuid=user.uuid)
    memberships = user.memberships.select_related("unit").order_by("unit__path")
    return render(request, "accounts/user_detail.html", {
        "subject": user, "memberships": memberships, "form": form,
    })


@login_required
@require_POST
def membership_remove(request, uuid, unit_uuid):
    user = access.get_user_for(request, uuid)
    membership = get_object_or_404(Membership, unit__uuid=unit_uuid, user=user)
    try:
        services.remove_membership(by=request.user, membership=membership, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The role has been removed."))
    return redirect("accounts:user_detail", uuid=user.uuid)


@login_required
@require_POST
def user_set_active(request, uuid):
    user = access.get_user_for(request, uuid)
    activate = request.POST.get("active") == "1"
    try:
        if activate:
            services.reactivate_user(by=request.user, user=user, request=request)
            messages.success(request, _("%(name)s is active again.") % {"name": user.full_name})
        else:
            services.deactivate_user(by=request.user, user=user, request=request)
            messages.success(request, _("%(name)s is deactivated and logged out.") % {"name": user.full_name})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("accounts:user_detail", uuid=user.uuid)


@login_required
@require_POST
def user_resend_invitation(request, uuid):
    user = access.get_user_for(request, uuid)
    services.send_invitation(user=user, request=request)
    messages.success(request, _("A new invitation has been sent to %(email)s.") % {"email": user.email})
    return redirect("accounts:user_detail", uuid=user.uuid)


@login_required
def unit_create(request):
    access.require(request, access.ADMIN)
    municipality = request.user.municipality
    initial = {}
    if parent_uuid := params.optional_uuid(request, "parent", object_type="accounts.unit"):
        parent = Unit.objects.filter(municipality=municipality, uuid=parent_uuid).first()
        if parent:
            initial["parent"] = parent
    form = UnitForm(request.POST or None, municipality=municipality, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_unit(municipality=municipality, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The unit has been created."))
            return redirect(reverse("accounts:admin_home") + "#units")
    return render(request, "accounts/unit_form.html", {"form": form, "unit": None})


@login_required
def unit_edit(request, uuid):
    unit = access.get_unit_for(request, uuid, need=access.ADMIN)
    form = UnitForm(request.POST or None, instance=unit, municipality=request.user.municipality)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_unit(unit=unit, by=request.user, request=request,
                                 name=form.cleaned_data["name"], kind=form.cleaned_data["kind"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The unit has been saved."))
            return redirect(reverse("accounts:admin_home") + "#units")
    return render(request, "accounts/unit_form.html", {"form": form, "unit": unit})


@login_required
@require_POST
def unit_delete(request, uuid):
    unit = access.get_unit_for(request, uuid, need=access.ADMIN)
    try:
        services.delete_unit(unit=unit, by=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The unit has been deleted."))
    return redirect(reverse("accounts:admin_home") + "#units")


@login_required
def municipality_settings(request):
    access.require(request, access.ADMIN)
    municipality = request.user.municipality
    form = MunicipalitySettingsForm(request.POST or None, instance=municipality)
    if request.method == "POST" and form.is_valid():
        services.update_municipality_settings(by=request.user, municipality=municipality, request=request,
                                              **form.cleaned_data)
        messages.success(request, _("The settings have been saved."))
        return redirect("accounts:admin_home")
    return render(request, "accounts/municipality_settings.html", {"form": form, "municipality": municipality})
