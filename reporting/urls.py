from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("landsoverblik/", views.national_overview, name="national_overview"),
    path("eksport/<slug:section>/<slug:fmt>/", views.export, name="export"),
    path("rapporter/", views.report_list, name="report_list"),
    path("rapporter/ny/", views.report_create, name="report_create"),
    path("rapporter/<uuid:uuid>/", views.report_detail, name="report_detail"),
    path("rapporter/<uuid:uuid>/status/", views.report_status, name="report_status"),
    path("rapporter/<uuid:uuid>/pdf/", views.report_download, name="report_download"),
]
