from django.urls import path

from . import views

app_name = "datasets"

urlpatterns = [
    path("", views.dataset_list, name="dataset_list"),
    path("ny/", views.dataset_create, name="dataset_create"),
    path("<uuid:uuid>/", views.dataset_detail, name="dataset_detail"),
    path("<uuid:uuid>/slet/", views.dataset_delete, name="dataset_delete"),
    path("<uuid:uuid>/importer/", views.dataset_upload, name="dataset_upload"),
    path("<uuid:uuid>/importer/<uuid:import_uuid>/", views.import_mapping, name="import_mapping"),
    path("<uuid:uuid>/importer/<uuid:import_uuid>/status/", views.import_status, name="import_status"),
    path("<uuid:uuid>/importer/<uuid:import_uuid>/status.json", views.import_progress, name="import_progress"),
    path("<uuid:uuid>/indikatorer/<uuid:indicator_uuid>/", views.indicator_edit, name="indicator_edit"),
    path("<uuid:uuid>/indikatorer/<uuid:indicator_uuid>/eksport.<str:fmt>", views.indicator_export,
         name="indicator_export"),
]
