"""The dashboard against differencing (issue 13): the same conversations get the same
number on every dashboard, and the recoveries of the issue no longer give a hidden count
with certainty.

A recovery is a count that follows from published numbers whatever the protection's
random part is (the decision in the issue notes): each attack is rerun under several
record-key seeds and counts only when it hits the true value under all of them. Every
attack is also run once with the noise switched off, as the old exact tables published
them: it must then recover the count every time, so the attack itself is sound and the
protection is what stops it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ligestilling.lib import disclosure, periods
from logbooks.models import AgeBand, Entry
from reporting import selectors
from reporting.testing import seed_known
from tests.reporting.keyed import SEEDS, published, rekey

MARCH = dt.date(2025, 3, 1)


def add(tenant, unit, n: int, sex: str, day: dt.date = MARCH, *, age_band: str = "30-39", spread: int = 28):
    """n conversations from `day` on, spread over `spread` days (keys are set by `rekey`)."""
    Entry.objects.bulk_create(
        Entry(municipality=tenant.municipality, unit=unit, author=tenant.medarbejder, sex=sex, age_band=age_band,
              date=day + dt.timedelta(days=k % spread))
        for k in range(n)
    )


def band(value: str) -> str:
    return str(AgeBand(value).label)


def board(tenant, unit, period: str, *, dimension: str = "") -> selectors.Dashboard:
    """The dashboard as the page gets it (through the cache, which the version keeps fresh)."""
    ids = (tenant.administration.pk, tenant.team.pk, tenant.other_team.pk) if unit == tenant.administration \
        else (unit.pk,)
    return selectors.cached_dashboard(selectors.Subject(
        municipality=tenant.municipality, unit=unit, unit_ids=ids, period=periods.parse_period(period),
        dimension=dimension))


def total_row(b: selectors.Dashboard, key: str = "trend") -> tuple[disclosure.Cell, ...]:
    return b.section(key).table.cells[-1]


def row(b: selectors.Dashboard, key: str, label: str) -> tuple[disclosure.Cell, ...]:
    table = b.section(key).table
    return table.cells[table.row_labels.index(label)]


def visible(*cells: disclosure.Cell) -> list[int]:
    assert all(not c.suppressed and c.value is not None for c in cells), [c.display() for c in cells]
    return [int(c.value) for c in cells]


def certain(attack) -> bool:
    """True when the attack gives the true count under every seed."""
    outcomes = []
    for seed in SEEDS:
        rekey(seed)
        outcomes.append(attack())
    return all(guess == truth for guess, truth in outcomes)


def attacked(attack, monkeypatch) -> None:
    """The attack recovers the count from exact tables and never with certainty from ours."""
    assert not certain(attack)
    with monkeypatch.context() as exact:
        exact.setattr(disclosure, "noise", lambda key: 0)
        assert certain(attack), "the attack must work on exact tables, or this test proves nothing"


def cells_of(b: selectors.Dashboard) -> dict[str, tuple]:
    return {s.key: s.table.cells for s in b.sections}


# --- the same conversations, the same numbers -------------------------------------------


def test_a_parent_with_one_active_team_shows_the_teams_numbers(world):
    t = world.odense
    seed_known(t)  # team A: 40 women, 30 men, 3 "andet", with topics (so a gap trend too)
    add(t, t.team, 3, "kvinde", dt.date(2025, 2, 3), age_band="75+")
    for seed in SEEDS:
        rekey(seed)
        team = board(t, t.team, "2025", dimension="age_band")
        parent = board(t, t.administration, "2025", dimension="age_band")
        assert parent.section("units") is None  # one unit with data: nothing to set side by side
        assert team.section("gap_trend") is not None
        assert cells_of(parent) == cells_of(team), seed
        assert parent.total == team.total


def test_a_month_and_the_same_dates_chosen_by_hand_show_the_same_numbers(world):
    t = world.odense
    add(t, t.team, 11, "kvinde")
    add(t, t.team, 2, "kvinde", dt.date(2025, 3, 30), age_band="75+", spread=2)
    add(t, t.team, 9, "mand")
    add(t, t.team, 6, "kvinde", dt.date(2025, 4, 1))  # outside the month
    for seed in SEEDS:
        rekey(seed)
        month = board(t, t.team, "2025-03", dimension="age_band")
        by_hand = board(t, t.team, "2025-03-01:2025-03-31", dimension="age_band")
        year = board(t, t.team, "2025", dimension="age_band")
        assert cells_of(month) == cells_of(by_hand), seed
        # The month's row is the same in the year's table, and so is its total.
        march = row(year, "trend", "mar. 2025")
        assert month.section("trend").table.cells[0] == march
        assert [c.value for c in total_row(month)] == [c.value for c in march]
        march_women = Entry.objects.filter(unit=t.team, date__month=3, sex="kvinde")
        assert march[0].value == published(march_women)


# --- the recoveries of the issue --------------------------------------------------------


def test_parent_minus_team_does_not_give_the_other_teams_women(world, monkeypatch):
    """(a) 14 women in the administration, 12 in team A, so 2 women in the other team."""
    t = world.odense
    add(t, t.team, 12, "kvinde")
    add(t, t.team, 10, "mand")
    add(t, t.other_team, 2, "kvinde")
    add(t, t.other_team, 9, "mand")

    def across_dashboards():
        parent, team = board(t, t.administration, "2025-03"), board(t, t.team, "2025-03")
        assert row(parent, "units", t.other_team.name)[0].display() == "<5"
        parent_women, = visible(total_row(parent)[0])
        team_women, = visible(total_row(team)[0])
        # Each is what a direct query of its own conversations publishes (the parent's a
        # keyed sum over the units' rows of one GROUP BY).
        women = Entry.objects.filter(municipality=t.municipality, sex="kvinde")
        assert (parent_women, team_women) == (published(women), published(women.filter(unit=t.team)))
        return parent_women - team_women, 2

    def within_the_units_table():
        parent = board(t, t.administration, "2025-03")
        team_women, total_women = visible(row(parent, "units", t.team.name)[0], total_row(parent, "units")[0])
        return total_women - team_women, 2

    attacked(across_dashboards, monkeypatch)
    attacked(within_the_units_table, monkeypatch)


def test_a_period_minus_one_day_does_not_give_that_days_woman(world, monkeypatch):
    """(b) One woman's conversation on 31 March: the month minus the month but its last day."""
    t = world.odense
    add(t, t.team, 9, "kvinde", spread=30)  # 1 … 30 March
    add(t, t.team, 1, "kvinde", dt.date(2025, 3, 31), age_band="75+", spread=1)
    add(t, t.team, 8, "mand", spread=30)

    def attack():
        whole = board(t, t.team, "2025-03-01:2025-03-31", dimension="age_band")
        shorter = board(t, t.team, "2025-03-01:2025-03-30", dimension="age_band")
        whole_women, = visible(total_row(whole)[0])
        shorter_women, = visible(total_row(shorter)[0])
        # Her age band shows only "<5" against 0: present, never how many.
        assert row(whole, "dimension", band("75+"))[0].display() == "<5"
        return whole_women - shorter_women, 1

    attacked(attack, monkeypatch)


def test_a_custom_period_minus_a_month_does_not_give_the_other_month(world, monkeypatch):
    """(c) Two women in February ("<5" on the year's dashboard): February + March chosen by
    hand, minus March as the year's dashboard shows it."""
    t = world.odense
    add(t, t.team, 2, "kvinde", dt.date(2025, 2, 3))
    add(t, t.team, 8, "kvinde")
    add(t, t.team, 7, "mand", dt.date(2025, 2, 3))
    add(t, t.team, 7, "mand")

    def attack():
        year = board(t, t.team, "2025")
        assert row(year, "trend", "feb. 2025")[0].display() == "<5"
        march, = visible(row(year, "trend", "mar. 2025")[0])
        spring, = visible(total_row(board(t, t.team, "2025-02-01:2025-03-31"))[0])
        return spring - march, 2

    attacked(attack, monkeypatch)


def test_men_and_the_total_do_not_give_the_women(world, monkeypatch):
    """(d) One dashboard shows men 7 and total 9, so women = 2."""
    t = world.odense
    add(t, t.team, 2, "kvinde")
    add(t, t.team, 7, "mand")

    def attack(key):
        def run():
            b = board(t, t.team, "2025-03", dimension="age_band")
            women, men, total = total_row(b, key)
            assert women.display() == "<5"
            return visible(total)[0] - visible(men)[0], 2
        return run

    for key in ("trend", "dimension"):
        attacked(attack(key), monkeypatch)


def test_no_row_or_column_of_a_count_table_gives_its_hidden_cell_back(world, monkeypatch):
    """Every count table of a parent's dashboard, every row and column with exactly one
    "<5": the total minus the other cells is never the hidden count under every seed."""
    t = world.odense
    add(t, t.team, 12, "kvinde", dt.date(2025, 1, 2), spread=80)
    add(t, t.team, 3, "kvinde", dt.date(2025, 2, 3), age_band="75+")
    add(t, t.team, 10, "mand", dt.date(2025, 1, 2), spread=80)
    add(t, t.other_team, 2, "kvinde", dt.date(2025, 2, 3))
    add(t, t.other_team, 9, "mand", dt.date(2025, 1, 9), spread=80)

    def differences() -> dict[tuple, int]:
        found = {}
        b = board(t, t.administration, "2025", dimension="age_band")
        for section in b.sections:
            table = section.table
            if not table.total_column or any(c.kind != disclosure.COUNT for r in table.cells for c in r):
                continue
            lines = [(("row", i), r) for i, r in enumerate(table.cells)]
            if table.total_row:
                lines += [(("column", j), col) for j, col in enumerate(zip(*table.cells, strict=True))]
            for where, line in lines:
                *inner, total = line
                hidden = [c for c in inner if c.suppressed]
                if len(hidden) == 1 and not total.suppressed:
                    found[(section.key, *where)] = int(total.value) - sum(int(c.value or 0) for c in inner)
        return found

    def per_seed() -> list[dict[tuple, int]]:
        out = []
        for seed in SEEDS:
            rekey(seed)
            out.append(differences())
        return out

    def recovered(runs) -> set[tuple]:
        # An exact derivation gives the same value whatever the keys: the same under every seed.
        common = set.intersection(*(set(r) for r in runs))
        return {k for k in common if len({r[k] for r in runs}) == 1 and 0 < runs[0][k] < 5}

    runs = per_seed()
    assert runs[0], "the data must leave single hidden cells to attack"
    assert recovered(runs) == set()
    with monkeypatch.context() as exact:
        exact.setattr(disclosure, "noise", lambda key: 0)
        assert recovered(per_seed())  # exact tables would give them back


# --- what the tables show ---------------------------------------------------------------


def test_small_counts_show_the_threshold_and_the_noise_is_explained(world, client):
    t = world.odense
    t.municipality.suppression_threshold = 10
    t.municipality.save(update_fields=["suppression_threshold"])
    add(t, t.team, 14, "kvinde")
    add(t, t.team, 4, "kvinde", dt.date(2025, 2, 3), age_band="75+")
    add(t, t.team, 6, "mand")
    add(t, t.other_team, 12, "mand")
    rekey(1)
    b = board(t, t.administration, "2025", dimension="age_band")
    for key in ("trend", "units", "dimension"):
        section = b.section(key)
        shown = {c.display() for r in section.table.cells for c in r}
        assert "<10" in shown and "(skjult)" not in shown, key
        assert {c.reason for r in section.table.cells for c in r} <= {None, disclosure.PRIMARY}
        assert any("færre end 10" in note for note in section.notes), key
        assert any("±2" in note for note in section.notes), key

    client.force_login(t.analytiker)
    response = client.get(reverse("reporting:dashboard"), {"unit": t.administration.uuid, "period": "2025"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "„&lt;10“ betyder færre end 10 personer" in html
    assert "±2" in html


def test_shares_are_computed_from_the_numbers_shown(world):
    t = world.odense
    add(t, t.team, 14, "kvinde")
    add(t, t.team, 6, "mand")
    add(t, t.team, 9, "kvinde", age_band="50-64")
    add(t, t.other_team, 12, "mand")
    add(t, t.other_team, 7, "kvinde")
    for seed in SEEDS[:3]:
        rekey(seed)
        b = board(t, t.administration, "2025-03", dimension="age_band")
        units = b.section("units")
        women = units.figure["data"][0]
        for label, cells in zip(units.table.row_labels[:-1], units.table.cells, strict=False):
            w, total = cells[0].value, cells[-1].value
            assert women["y"][women["x"].index(label)] == pytest.approx(100 * min(w, total) / total)
        dimension = b.section("dimension")
        women = dimension.figure["data"][0]
        column_total = dimension.table.cells[-1][0].value
        i = dimension.table.row_labels.index(band("50-64"))
        shown = dimension.table.cells[i][0].value
        assert women["y"][women["x"].index(band("50-64"))] == pytest.approx(100 * min(shown, column_total) / column_total)
