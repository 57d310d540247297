from django.urls import path

from ligestilling.db import reads_from_replica

from . import views

app_name = "reporting"

urlpatterns = [
    # Read-only aggregate pages may read from the replica (ligestilling/db.py).
    path("", reads_from_replica(views.dashboard), name="dashboard"),
    path("landsoverblik/", reads_from_replica(views.national_overview), name="national_overview"),
    path("eksport/<slug:section>/<slug:fmt>/", reads_from_replica(views.export), name="export"),
    path("rapporter/", views.report_list, name="report_list"),
    path("rapporter/ny/", views.report_create, name="report_create"),
    path("rapporter/<uuid:uuid>/", views.report_detail, name="report_detail"),
    path("rapporter/<uuid:uuid>/status/", views.report_status, name="report_status"),
    path("rapporter/<uuid:uuid>/igen/", views.report_restart, name="report_restart"),
    path("rapporter/<uuid:uuid>/pdf/", views.report_download, name="report_download"),
]
