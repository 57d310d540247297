from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("ny/", views.project_create, name="project_create"),
    path("<uuid:uuid>/", views.project_detail, name="project_detail"),
    path("<uuid:uuid>/rediger/", views.project_edit, name="project_edit"),
    path("<uuid:uuid>/status/", views.project_status, name="project_status"),
    path("<uuid:uuid>/slet/", views.project_delete, name="project_delete"),
    path("<uuid:uuid>/projektplan.pdf", views.project_pdf, name="project_pdf"),
    path("<uuid:uuid>/cykler/ny/", views.cycle_open, name="cycle_open"),
    path("<uuid:uuid>/cykler/<uuid:item>/", views.cycle_edit, name="cycle_edit"),
    path("<uuid:uuid>/hypoteser/ny/", views.hypothesis_create, name="hypothesis_create"),
    path("<uuid:uuid>/hypoteser/<uuid:item>/", views.hypothesis_edit, name="hypothesis_edit"),
    path("<uuid:uuid>/handlinger/ny/", views.action_create, name="action_create"),
    path("<uuid:uuid>/handlinger/<uuid:item>/", views.action_edit, name="action_edit"),
    path("<uuid:uuid>/succeskriterier/ny/", views.criterion_create, name="criterion_create"),
    path("<uuid:uuid>/succeskriterier/<uuid:item>/", views.criterion_edit, name="criterion_edit"),
    path("<uuid:uuid>/succeskriterier/<uuid:item>/maalinger/ny/", views.measurement_create,
         name="measurement_create"),
    path("<uuid:uuid>/succeskriterier/<uuid:item>/maalinger/<uuid:measurement>/slet/", views.measurement_delete,
         name="measurement_delete"),
]
