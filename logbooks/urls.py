from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "logbooks"

urlpatterns = [
    # /logbog/ itself: the quick entry (unnamed, it shows nothing by itself).
    path("", RedirectView.as_view(pattern_name="logbooks:quick_entry")),
    path("samtaler/", views.quick_entry, name="quick_entry"),
    path("samtaler/mine/", views.my_entries, name="my_entries"),
    path("samtaler/enhed/", views.unit_entries, name="unit_entries"),
    path("samtaler/<uuid:uuid>/", views.entry_detail, name="entry_detail"),
    path("samtaler/<uuid:uuid>/ret/", views.entry_edit, name="entry_edit"),
    path("samtaler/<uuid:uuid>/slet/", views.entry_delete, name="entry_delete"),
    path("observationer/", views.observation_list, name="observation_list"),
    path("observationer/ny/", views.observation_create, name="observation_create"),
    path("observationer/<uuid:uuid>/", views.observation_detail, name="observation_detail"),
    path("observationer/<uuid:uuid>/svar/", views.observation_respond, name="observation_respond"),
    path("lister/<uuid:uuid>/", views.list_manage, name="list_manage"),
    path("lister/punkt/<uuid:uuid>/", views.list_item_toggle, name="list_item_toggle"),
    path("analyse/", views.analysis, name="analysis"),
]
