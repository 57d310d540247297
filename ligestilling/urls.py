from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

handler500 = "ligestilling.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("vejledning/", views.guidance, name="guidance"),
    path("sundhed/", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("konto/", include("accounts.urls")),
    path("platform-admin/", admin.site.urls),
    path("logbog/", include("logbooks.urls")),
    path("projekter/", include("projects.urls")),
    path("workshops/", include("workshops.urls")),
    path("data/", include("datasets.urls")),
    path("overblik/", include("reporting.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
