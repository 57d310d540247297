"""Workshop, focus-group and involvement services: agenda editing, privacy guard, counts, audit."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from workshops import services
from workshops.models import Finding, FocusGroup, InvolvementSession, ParticipantCount, Workshop


def titles(workshop):
    return list(workshop.agenda_items.values_list("title", flat=True))


def test_a_new_workshop_gets_the_template_agenda_and_the_preparation_task(workshop):
    assert titles(workshop)[0] == "Velkommen" and titles(workshop)[-1] == "Aftale om et opfølgende møde"
    assert workshop.preparation_task == "Hvor i dit daglige arbejde kan køn have betydning for borgeren?"
    assert workshop.length_warning() is None
    assert AuditEvent.objects.filter(action="workshop.create", object_id=str(workshop.uuid)).exists()


def test_times_recalculate_from_the_start_time(workshop):
    first, second = workshop.scheduled_items()[:2]
    assert first[1].start == time(9, 0) and second[1].start == time(9, 10)
    workshop.start_time = time(12, 0)
    assert workshop.scheduled_items()[1][1].start == time(12, 10)
    assert workshop.end_time() == time(15, 35)


def test_move_remove_and_add_items(world, workshop):
    by = world.odense.leder
    lunch = workshop.agenda_items.get(title="Frokost")
    services.move_agenda_item(item=lunch, direction="up", by=by)
    assert titles(workshop)[2] == "Frokost"
    services.move_agenda_item(item=lunch, direction="down", by=by)
    services.move_agenda_item(item=lunch, direction="down", by=by)
    assert titles(workshop)[4] == "Frokost"
    services.remove_agenda_item(item=workshop.agenda_items.get(title="Frokost"), by=by)
    assert "Frokost" not in titles(workshop)
    assert list(workshop.agenda_items.values_list("position", flat=True)) == [1, 2, 3, 4, 5, 6]
    item = services.add_agenda_item(workshop=workshop, title="Kaffe", minutes=15, by=by)
    assert item.position == 7 and titles(workshop)[-1] == "Kaffe"


def test_agenda_too_long_for_the_chosen_length_warns(world, workshop):
    services.add_agenda_item(workshop=workshop, title="Ekstra oplæg", minutes=60, by=world.odense.leder)
    assert "mere end" in workshop.length_warning()


def test_apply_template_replaces_the_agenda(world, workshop):
    services.add_agenda_item(workshop=workshop, title="Kaffe", minutes=15, by=world.odense.leder)
    workshop.length = "full_day"
    services.apply_template(workshop=workshop, by=world.odense.leder)
    assert "Kaffe" not in titles(workshop) and len(titles(workshop)) == 7
    assert workshop.length_warning() is None


def test_units_and_participants_must_be_of_the_municipality(world):
    t = world.odense
    with pytest.raises(ValidationError):
        services.create_workshop(by=t.leder, units=[world.aarhus.team], title="X", date=date(2026, 1, 1),
                                 start_time=time(9), place="Her", goal="Mål")
    with pytest.raises(ValidationError):
        services.create_workshop(by=t.leder, units=[t.team], participants=[world.aarhus.medarbejder], title="X",
                                 date=date(2026, 1, 1), start_time=time(9), place="Her", goal="Mål")
    assert not Workshop.objects.exists()


@pytest.mark.parametrize("text", ["Borgeren har cpr 010190-1234", "Ring på 20 30 40 50", "skriv til a@b.dk"])
def test_privacy_guard_refuses_identifiers_in_findings(world, focus_group, text):
    with pytest.raises(ValidationError) as exc:
        services.add_finding(focus_group=focus_group, theme="Hjælpen", kind="quote", text=text, by=world.odense.leder)
    assert "text" in exc.value.message_dict
    assert not Finding.objects.exists()


def test_privacy_guard_on_every_free_text(world, focus_group, involvement, workshop):
    by = world.odense.leder
    with pytest.raises(ValidationError):
        services.update_focusgroup(focus_group=focus_group, by=by, units=[world.odense.team],
                                   target_group="Hr. Jensen, tlf. 66 12 34 56")
    with pytest.raises(ValidationError):
        services.add_session(plan=involvement, by=by, date=date(2026, 1, 5), phase="start", women=3, men=2,
                             learnt="Hun (jens@example.com) savnede tilbud")
    with pytest.raises(ValidationError):
        services.add_idea(workshop=workshop, text="Ring til 12345678", by=by)
    with pytest.raises(ValidationError):
        services.add_agenda_item(workshop=workshop, title="Borger 0101901234 fortæller", minutes=10, by=by)
    assert not InvolvementSession.objects.exists()
    with pytest.raises(ValidationError):
        services.check_free_text("020202-2222")
    services.check_free_text("Mænd over 75 bliver spurgt mindre om netværk")


def test_session_counts_by_sex_and_age_band_only(world, focus_group):
    services.record_session(focus_group=focus_group, counts={("man", "65-79"): 2, ("man", "80+"): 4,
                                                             ("woman", "80+"): 0},
                            checklist=["talk", "all_views", "bogus"], by=world.odense.leder)
    assert focus_group.participant_total() == 6
    assert focus_group.counts_by_sex() == {"woman": 0, "man": 6}
    assert ParticipantCount.objects.count() == 2
    focus_group.refresh_from_db()
    assert focus_group.checklist == ["talk", "all_views"]
    with pytest.raises(ValidationError):
        services.record_session(focus_group=focus_group, counts={("other", "80+"): 1}, checklist=[],
                                by=world.odense.leder)


@pytest.mark.parametrize("size,warns", [(4, True), (5, False), (8, False), (9, True)])
def test_focus_group_size_warning(focus_group, size, warns):
    focus_group.planned_size = size
    assert bool(focus_group.size_warning()) is warns


def test_delete_is_audited(world, workshop, focus_group, involvement):
    by = world.odense.leder
    ids = [str(workshop.uuid), str(focus_group.uuid), str(involvement.uuid)]
    services.delete_workshop(workshop=workshop, by=by)
    services.delete_focusgroup(focus_group=focus_group, by=by)
    services.delete_involvement(plan=involvement, by=by)
    for action, object_id in zip(["workshop.delete", "focusgroup.delete", "involvement.delete"], ids, strict=True):
        assert AuditEvent.objects.filter(action=action, object_id=object_id).exists()
    assert not FocusGroup.objects.exists()


def test_involvement_phases_are_checked(world, involvement):
    assert involvement.phase_labels() == ["I starten", "I evalueringen"]
    with pytest.raises(ValidationError):
        services.update_involvement(plan=involvement, by=world.odense.leder, units=[world.odense.team],
                                    phases=["later"])
