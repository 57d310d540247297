from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm

from . import services, versions
from .models import AuditEvent, Membership, Municipality, Unit, User


class RaisesDataVersion:
    """Platform-admin edits change what dashboards show (the suppression threshold, unit
    names), so they raise the municipality's data version like the services do."""

    @staticmethod
    def municipality_id(obj) -> int:
        return obj.pk if isinstance(obj, Municipality) else obj.municipality_id

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        versions.bump(self.municipality_id(obj))

    def delete_model(self, request, obj):
        municipality_id = self.municipality_id(obj)
        super().delete_model(request, obj)
        versions.bump(municipality_id)

    def delete_queryset(self, request, queryset):
        ids = {self.municipality_id(obj) for obj in queryset}
        super().delete_queryset(request, queryset)
        for municipality_id in ids:
            versions.bump(municipality_id)


@admin.register(Municipality)
class MunicipalityAdmin(RaisesDataVersion, admin.ModelAdmin):
    list_display = ["name", "code", "slug", "suppression_threshold", "retention_months"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Unit)
class UnitAdmin(RaisesDataVersion, admin.ModelAdmin):
    list_display = ["name", "municipality", "kind", "parent"]
    list_filter = ["municipality", "kind"]
    readonly_fields = ["path", "depth"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


class PlatformUserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "municipality"]


class PlatformUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = PlatformUserCreationForm
    form = PlatformUserChangeForm
    ordering = ["email"]
    list_display = ["email", "full_name", "municipality", "is_active", "is_superuser"]
    list_filter = ["municipality", "is_active", "is_superuser"]
    search_fields = ["email", "full_name"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "job_title", "municipality"]}),
        ("Status", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "municipality",
                                                              "password1", "password2"]})]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            services.end_sessions(user=obj)  # as when a municipality's administrator deactivates


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor", "municipality_id", "object_type", "object_id", "ip"]
    list_filter = ["action"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
