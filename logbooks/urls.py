from django.urls import path

from . import views

app_name = "logbooks"

urlpatterns = [
    path("", views.quick_entry, name="quick_entry"),
    path("mine/", views.my_entries, name="my_entries"),
    path("enhed/", views.unit_entries, name="unit_entries"),
    path("samtale/<uuid:uuid>/", views.entry_detail, name="entry_detail"),
    path("samtale/<uuid:uuid>/ret/", views.entry_edit, name="entry_edit"),
    path("samtale/<uuid:uuid>/slet/", views.entry_delete, name="entry_delete"),
    path("observationer/", views.observation_list, name="observation_list"),
    path("observationer/ny/", views.observation_create, name="observation_create"),
    path("observationer/<uuid:uuid>/", views.observation_detail, name="observation_detail"),
    path("observationer/<uuid:uuid>/svar/", views.observation_respond, name="observation_respond"),
    path("lister/<uuid:uuid>/", views.list_manage, name="list_manage"),
    path("lister/punkt/<uuid:uuid>/", views.list_item_toggle, name="list_item_toggle"),
    path("analyse/", views.analysis, name="analysis"),
]
