"""Success criteria measured from the logbooks (kind 1)."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from logbooks.models import Entry, EntryTopic, ListItem
from projects import measures, services
from projects.models import Criterion
from tests.projects.factories import make_criterion, make_project


def topic(unit, label="Jobsøgning"):
    return ListItem.objects.create(municipality=unit.municipality, unit=unit, kind=ListItem.Kind.TOPIC, label=label)


def conversations(unit, author, day, sex, total, with_topic, item):
    for i in range(total):
        entry = Entry.objects.create(municipality=unit.municipality, unit=unit, author=author, date=day, sex=sex,
                                     age_band="30-39")
        if i < with_topic:
            EntryTopic.of(entry, item).save()


def test_logbook_criterion_counts_per_cycle_with_a_window_before(world, known_keys):
    t = world.aarhus
    today = timezone.localdate()
    project = make_project(t, start=today - timedelta(days=40), end=today + timedelta(days=40))
    item = topic(t.team)
    services.open_cycle(project=project, by=t.leder, started_on=today - timedelta(days=40))
    services.open_cycle(project=project, by=t.leder, started_on=today - timedelta(days=20))
    criterion = make_criterion(project, kind=Criterion.Kind.LOGBOOK, logbook_item=item,
                               target_type=Criterion.TargetType.GAP, target_women=None, target_men=None,
                               target_gap=10)
    # Before the project: women 7 of 20, men 15 of 20. Cycle 1: 10/20 vs 11/20. Cycle 2: too few women.
    conversations(t.team, t.medarbejder, today - timedelta(days=45), "kvinde", 20, 7, item)
    conversations(t.team, t.medarbejder, today - timedelta(days=45), "mand", 20, 15, item)
    conversations(t.team, t.medarbejder, today - timedelta(days=30), "kvinde", 20, 10, item)
    conversations(t.team, t.medarbejder, today - timedelta(days=30), "mand", 20, 11, item)
    conversations(t.team, t.medarbejder, today - timedelta(days=5), "kvinde", 3, 2, item)
    conversations(t.team, t.medarbejder, today - timedelta(days=5), "mand", 20, 12, item)
    # Another municipality's conversations never count.
    other = topic(world.odense.team)
    conversations(world.odense.team, world.odense.medarbejder, today - timedelta(days=30), "kvinde", 10, 10, other)
    known_keys()  # every record key 0: each published count is two less than the true one
    evaluation = measures.evaluate(criterion)
    assert [r.period.counts for r in evaluation.rows] == [
        {"kvinde": (7, 20), "mand": (15, 20)},
        {"kvinde": (10, 20), "mand": (11, 20)},
        {"kvinde": (2, 3), "mand": (12, 20)},
    ]
    # Judged from the shown counts: cycle 1 is 8 of 18 against 9 of 18, a gap of 6 points.
    assert [r.status for r in evaluation.rows] == [measures.NOT_MET, measures.MET, measures.TOO_LITTLE]
    cycle = evaluation.rows[1]
    assert [c.value for c in (cycle.women.count, cycle.women.n, cycle.men.count, cycle.men.n)] == [8, 18, 9, 18]
    assert cycle.gap.value == pytest.approx(100 * (8 / 18 - 9 / 18))
    assert evaluation.rows[0].period.label.startswith("Før projektet")
    assert evaluation.rows[2].women.n.display() == "<5"


def test_the_key_sums_come_from_the_conversations_counted(world):
    """The same conversations give the same cell key (and noise) however they are matched;
    a conversation with two matching topics adds its key once."""
    t = world.aarhus
    today = timezone.localdate()
    project = make_project(t, start=today - timedelta(days=10), end=today + timedelta(days=10))
    item = topic(t.team)
    twin = ListItem.objects.create(municipality=t.municipality, unit=t.other_team, kind=ListItem.Kind.TOPIC,
                                   label=item.label)
    criterion = make_criterion(project, kind=Criterion.Kind.LOGBOOK, logbook_item=item)
    conversations(t.team, t.medarbejder, today - timedelta(days=2), "kvinde", 12, 7, item)
    for entry in Entry.objects.filter(topics__isnull=False)[:3]:
        EntryTopic.of(entry, twin).save()  # the same text twice on one conversation
    period = measures.evaluate(criterion).rows[-1].period
    raised = Entry.objects.filter(topics__topic=item)
    assert period.counts["kvinde"] == (7, 12)
    assert period.keys["kvinde"] == (sum(e.record_key for e in raised),
                                     sum(e.record_key for e in Entry.objects.filter(sex="kvinde")))


def criterion_rows(html: str) -> list[list[str]]:
    """The cells of the course table's body rows, as text."""
    tbody = html.split('class="table table-sm criterion-table', 1)[1].split("<tbody>", 1)[1].split("</tbody>")[0]
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", tbody, re.S)]


def test_a_small_count_of_women_shows_below_n_and_no_gap_on_the_page(client, world):
    """Issue 13: the projects copy of the gap protected less than the logbook copy. A topic
    raised with 1 … N−1 women of the project's units shows "<N", and no share or gap that
    would give it back, whatever the record keys."""
    t = world.aarhus
    today = timezone.localdate()
    project = make_project(t, start=today - timedelta(days=10), end=today + timedelta(days=10))
    item = topic(t.team)
    make_criterion(project, kind=Criterion.Kind.LOGBOOK, logbook_item=item, target_type=Criterion.TargetType.GAP,
                   target_women=None, target_men=None, target_gap=10)
    conversations(t.team, t.medarbejder, today - timedelta(days=2), "kvinde", 30, 2, item)
    conversations(t.team, t.medarbejder, today - timedelta(days=2), "mand", 30, 12, item)
    client.force_login(t.leder)
    html = client.get(reverse("projects:project_detail", args=[project.uuid])).content.decode()
    label, w_count, w_n, w_share, w_interval, m_count, m_n, m_share, m_interval, gap, status = criterion_rows(html)[-1]
    assert label.startswith("Projektperioden")
    assert w_count == "&lt;5" and w_n.isdigit() and int(w_n) >= 28
    assert w_share == w_interval == gap == "(skjult)"
    assert m_count.isdigit() and m_share.endswith("pct.")
    assert status == "For lidt data"


def test_logbook_criterion_through_the_form(client, world):
    t = world.aarhus
    project = make_project(t, start=date(2026, 1, 1), end=date(2026, 3, 1))
    item = topic(t.team)
    topic(world.odense.team, "Odense-emne")
    client.force_login(t.leder)
    body = client.get(reverse("projects:criterion_create", args=[project.uuid])).content.decode()
    assert "Emne: Jobsøgning" in body and "Odense-emne" not in body
    response = client.post(reverse("projects:criterion_create", args=[project.uuid]), {
        "definition": "Andel samtaler om jobsøgning", "kind": "logbook", "target_type": "gap", "direction": "at_least",
    })
    assert response.status_code == 200 and "Vælg, hvad der tælles i logbøgerne" in response.content.decode()
    response = client.post(reverse("projects:criterion_create", args=[project.uuid]), {
        "definition": "Andel samtaler om jobsøgning", "kind": "logbook", "logbook_item": item.pk,
        "target_type": "gap", "target_gap": "10", "direction": "at_least",
    })
    assert response.status_code == 302
    criterion = project.criteria.get()
    assert criterion.logbook_item == item
    body = client.get(reverse("projects:project_detail", args=[project.uuid])).content.decode()
    assert "Andel samtaler om jobsøgning" in body and "Før projektet" in body and "Projektperioden" in body
    # Nothing to enter by hand for a logbook criterion.
    response = client.get(reverse("projects:measurement_create", args=[project.uuid, criterion.uuid]))
    assert response.status_code == 302


def test_item_of_another_municipality_is_refused(world):
    project = make_project(world.aarhus)
    with pytest.raises(ValidationError):
        make_criterion(project, kind=Criterion.Kind.LOGBOOK, logbook_item=topic(world.odense.team))
