from django.urls import path

from . import views

app_name = "workshops"

urlpatterns = [
    path("", views.workshop_list, name="workshop_list"),
    path("ny/", views.workshop_create, name="workshop_create"),
    path("<uuid:uuid>/", views.workshop_detail, name="workshop_detail"),
    path("<uuid:uuid>/rediger/", views.workshop_edit, name="workshop_edit"),
    path("<uuid:uuid>/slet/", views.workshop_delete, name="workshop_delete"),
    path("<uuid:uuid>/dagsorden/", views.workshop_agenda, name="workshop_agenda"),
    path("<uuid:uuid>/dagsorden/skabelon/", views.agenda_template, name="agenda_template"),
    path("<uuid:uuid>/dagsorden/<uuid:item>/", views.agenda_item_edit, name="agenda_item_edit"),
    path("<uuid:uuid>/dagsorden/<uuid:item>/flyt/", views.agenda_move, name="agenda_move"),
    path("<uuid:uuid>/dagsorden/<uuid:item>/fjern/", views.agenda_remove, name="agenda_remove"),
    path("<uuid:uuid>/dagsorden.pdf", views.workshop_pdf, name="workshop_pdf"),
    path("<uuid:uuid>/resultater/", views.workshop_outputs, name="workshop_outputs"),
    path("fokusgrupper/", views.focusgroup_list, name="focusgroup_list"),
    path("fokusgrupper/ny/", views.focusgroup_create, name="focusgroup_create"),
    path("fokusgrupper/<uuid:uuid>/", views.focusgroup_detail, name="focusgroup_detail"),
    path("fokusgrupper/<uuid:uuid>/rediger/", views.focusgroup_edit, name="focusgroup_edit"),
    path("fokusgrupper/<uuid:uuid>/slet/", views.focusgroup_delete, name="focusgroup_delete"),
    path("fokusgrupper/<uuid:uuid>/deltagere/", views.focusgroup_session, name="focusgroup_session"),
    path("fokusgrupper/<uuid:uuid>/fund/<uuid:item>/slet/", views.finding_delete, name="finding_delete"),
    path("fokusgrupper/<uuid:uuid>/guide.pdf", views.focusgroup_pdf, name="focusgroup_pdf"),
    path("borgerinddragelse/", views.involvement_list, name="involvement_list"),
    path("borgerinddragelse/ny/", views.involvement_create, name="involvement_create"),
    path("borgerinddragelse/<uuid:uuid>/", views.involvement_detail, name="involvement_detail"),
    path("borgerinddragelse/<uuid:uuid>/rediger/", views.involvement_edit, name="involvement_edit"),
    path("borgerinddragelse/<uuid:uuid>/slet/", views.involvement_delete, name="involvement_delete"),
    path("borgerinddragelse/<uuid:uuid>/moeder/ny/", views.involvement_session, name="involvement_session"),
]
