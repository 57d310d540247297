from django.urls import path

from .views import focus_groups, involvement, workshops

app_name = "workshops"

urlpatterns = [
    path("", workshops.workshop_list, name="workshop_list"),
    path("ny/", workshops.workshop_create, name="workshop_create"),
    path("<uuid:uuid>/", workshops.workshop_detail, name="workshop_detail"),
    path("<uuid:uuid>/rediger/", workshops.workshop_edit, name="workshop_edit"),
    path("<uuid:uuid>/slet/", workshops.workshop_delete, name="workshop_delete"),
    path("<uuid:uuid>/dagsorden/", workshops.workshop_agenda, name="workshop_agenda"),
    path("<uuid:uuid>/dagsorden/skabelon/", workshops.agenda_template, name="agenda_template"),
    path("<uuid:uuid>/dagsorden/<uuid:item>/", workshops.agenda_item_edit, name="agenda_item_edit"),
    path("<uuid:uuid>/dagsorden/<uuid:item>/flyt/", workshops.agenda_move, name="agenda_move"),
    path("<uuid:uuid>/dagsorden/<uuid:item>/fjern/", workshops.agenda_remove, name="agenda_remove"),
    path("<uuid:uuid>/dagsorden.pdf", workshops.workshop_pdf, name="workshop_pdf"),
    path("<uuid:uuid>/resultater/", workshops.workshop_outputs, name="workshop_outputs"),
    path("fokusgrupper/", focus_groups.focusgroup_list, name="focusgroup_list"),
    path("fokusgrupper/ny/", focus_groups.focusgroup_create, name="focusgroup_create"),
    path("fokusgrupper/<uuid:uuid>/", focus_groups.focusgroup_detail, name="focusgroup_detail"),
    path("fokusgrupper/<uuid:uuid>/rediger/", focus_groups.focusgroup_edit, name="focusgroup_edit"),
    path("fokusgrupper/<uuid:uuid>/slet/", focus_groups.focusgroup_delete, name="focusgroup_delete"),
    path("fokusgrupper/<uuid:uuid>/deltagere/", focus_groups.focusgroup_session, name="focusgroup_session"),
    path("fokusgrupper/<uuid:uuid>/fund/<uuid:item>/slet/", focus_groups.finding_delete, name="finding_delete"),
    path("fokusgrupper/<uuid:uuid>/guide.pdf", focus_groups.focusgroup_pdf, name="focusgroup_pdf"),
    path("borgerinddragelse/", involvement.involvement_list, name="involvement_list"),
    path("borgerinddragelse/ny/", involvement.involvement_create, name="involvement_create"),
    path("borgerinddragelse/<uuid:uuid>/", involvement.involvement_detail, name="involvement_detail"),
    path("borgerinddragelse/<uuid:uuid>/rediger/", involvement.involvement_edit, name="involvement_edit"),
    path("borgerinddragelse/<uuid:uuid>/slet/", involvement.involvement_delete, name="involvement_delete"),
    path("borgerinddragelse/<uuid:uuid>/moeder/ny/", involvement.involvement_session, name="involvement_session"),
]
