from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("log-ind/", views.LoginView.as_view(), name="login"),
    path("log-ud/", auth_views.LogoutView.as_view(), name="logout"),
    path("adgangskode/", views.PasswordChangeView.as_view(), name="password_change"),
    path("glemt-adgangskode/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "glemt-adgangskode/sendt/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("adgangskode/ny/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("administration/", views.admin_home, name="admin_home"),
    path("administration/indstillinger/", views.municipality_settings, name="municipality_settings"),
    path("administration/brugere/ny/", views.user_invite, name="user_invite"),
    path("administration/brugere/<uuid:uuid>/", views.user_detail, name="user_detail"),
    path("administration/brugere/<uuid:uuid>/aktiv/", views.user_set_active, name="user_set_active"),
    path("administration/brugere/<uuid:uuid>/invitation/", views.user_resend_invitation,
         name="user_resend_invitation"),
    path("administration/brugere/<uuid:uuid>/roller/<uuid:unit_uuid>/fjern/", views.membership_remove,
         name="membership_remove"),
    path("administration/enheder/ny/", views.unit_create, name="unit_create"),
    path("administration/enheder/<uuid:uuid>/", views.unit_edit, name="unit_edit"),
    path("administration/enheder/<uuid:uuid>/slet/", views.unit_delete, name="unit_delete"),
]
