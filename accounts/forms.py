from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import Membership, Municipality, Role, Unit, User, canonical_email


class CanonicalEmailField(forms.EmailField):
    """An e-mail field that yields the stored form (see accounts.models.canonical_email)."""

    def to_python(self, value):
        return canonical_email(super().to_python(value))


class LoginForm(AuthenticationForm):
    username = CanonicalEmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _("Wrong e-mail address or password. Note that the password is case-sensitive."),
        "inactive": _("This account is deactivated."),
    }


def _unit_choices(municipality: Municipality):
    units = Unit.objects.filter(municipality=municipality).order_by("path")
    return [(u.pk, f"{'— ' * u.depth}{u.name}") for u in units]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'— ' * obj.depth}{obj.name}"


class InviteUserForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEDARBEJDER)

    def __init__(self, *args, municipality: Municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(municipality=municipality).order_by("path")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("A user with this e-mail address already exists."))
        return email


class MembershipForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, municipality: Municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(municipality=municipality).order_by("path")


class UnitForm(forms.ModelForm):
    parent = UnitChoiceField(label=_("Part of"), queryset=Unit.objects.none(), required=False,
                             empty_label=_("(top level)"))

    class Meta:
        model = Unit
        fields = ["name", "kind", "parent"]

    def __init__(self, *args, municipality: Municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Unit.objects.filter(municipality=municipality).order_by("path")
        if self.instance.pk:
            # Moving units re-shapes everyone's access; it is not offered here.
            del self.fields["parent"]


class MunicipalitySettingsForm(forms.ModelForm):
    class Meta:
        model = Municipality
        fields = ["suppression_threshold", "retention_months"]


class UserSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices])
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("Active and deactivated")), ("active", _("Active")), ("inactive", _("Deactivated"))],
    )


__all__ = ["LoginForm", "InviteUserForm", "MembershipForm", "UnitForm", "MunicipalitySettingsForm",
           "UserSearchForm", "Membership"]
