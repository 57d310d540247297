"""The workshop agenda as pure functions: the pamphlet's template and the time arithmetic.

The pamphlet's example agenda for a workshop on gender equality: welcome; talk on gender
equality in the field; hypothesis forming; lunch; idea workshop; a concrete action plan;
agreement on a follow-up meeting. A workshop lasts 3-4 hours or a full day. Nothing here
touches the database, so the rules are tested directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils.translation import gettext as _

SHORT = "short"
FULL_DAY = "full_day"

# Minutes a workshop of each length should take (inclusive bounds).
LENGTH_BOUNDS: dict[str, tuple[int, int]] = {
    SHORT: (180, 240),
    FULL_DAY: (300, 480),
}

DEFAULT_PREPARATION_TASK = "Hvor i dit daglige arbejde kan køn have betydning for borgeren?"


@dataclass(frozen=True)
class TemplateItem:
    kind: str
    title: str
    minutes: dict[str, int]  # by workshop length
    note: str = ""


# The pamphlet's example agenda, in Danish (it is content, not interface text).
TEMPLATE: tuple[TemplateItem, ...] = (
    TemplateItem("welcome", "Velkommen", {SHORT: 10, FULL_DAY: 15},
                 "Formål med dagen og præsentation af deltagerne."),
    TemplateItem("talk", "Oplæg om ligestilling og køn på området", {SHORT: 30, FULL_DAY: 60},
                 "Forskningsbaseret viden om kønnets betydning på området."),
    TemplateItem("hypotheses",
                 "Hypotesedannelse: »Hvorfor er ligestillingsvurdering vigtig på vores område?« – "
                 "»Hvad fortæller data os?«",
                 {SHORT: 45, FULL_DAY: 75},
                 "Tag udgangspunkt i forberedelsesopgaven og i kønsopdelte data om målgruppen."),
    TemplateItem("lunch", "Frokost", {SHORT: 30, FULL_DAY: 45}),
    TemplateItem("ideas", "Idé-værksted: »Hvordan kan vi ændre praksis?«", {SHORT: 45, FULL_DAY: 90}),
    TemplateItem("action_plan", "Konkret plan for handlinger", {SHORT: 40, FULL_DAY: 60},
                 "Hvem gør hvad, og hvornår?"),
    TemplateItem("follow_up", "Aftale om et opfølgende møde", {SHORT: 15, FULL_DAY: 15},
                 "Hvornår ser vi på hypoteserne igen i lyset af data?"),
)


def template_items(length: str) -> list[dict]:
    """The template as rows ready to store: position, kind, title, minutes, note."""
    if length not in LENGTH_BOUNDS:
        raise ValueError(f"Unknown workshop length: {length!r}")
    return [
        {"position": i, "kind": item.kind, "title": item.title, "minutes": item.minutes[length], "note": item.note}
        for i, item in enumerate(TEMPLATE, start=1)
    ]


@dataclass(frozen=True)
class Slot:
    start: time
    end: time
    minutes: int


def schedule(start: time, minutes: list[int]) -> list[Slot]:
    """Start and end of each item, one after the other from `start`.

    Times past midnight wrap around (a workshop never runs that long, but the arithmetic
    must not crash on a typing error such as 900 minutes).
    """
    slots = []
    current = datetime.combine(date(2000, 1, 1), start)
    for length in minutes:
        if length < 0:
            raise ValueError("An agenda item cannot have a negative length.")
        end = current + timedelta(minutes=length)
        slots.append(Slot(start=current.time(), end=end.time(), minutes=length))
        current = end
    return slots


def total_minutes(minutes: list[int]) -> int:
    return sum(minutes)


def end_time(start: time, minutes: list[int]) -> time:
    return (datetime.combine(date(2000, 1, 1), start) + timedelta(minutes=total_minutes(minutes))).time()


def format_minutes(minutes: int) -> str:
    """Danish duration: "45 min", "3 t", "3 t 35 min"."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
    if hours:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(minutes)d min") % {"minutes": rest}


def length_warning(length: str, total: int) -> str | None:
    """A warning when the agenda's total does not fit the chosen length; None when it fits."""
    low, high = LENGTH_BOUNDS[length]
    if total == 0:
        return _("The agenda is empty.")
    if length == SHORT and total < low:
        return _("The agenda takes %(total)s, less than the 3-4 hours chosen.") % {"total": format_minutes(total)}
    if length == SHORT and total > high:
        return _("The agenda takes %(total)s, more than the 3-4 hours chosen. Shorten items or plan a full "
                 "day.") % {"total": format_minutes(total)}
    if length == FULL_DAY and total < low:
        return _("The agenda takes %(total)s, less than a full day. Choose 3-4 hours or add items.") % {
            "total": format_minutes(total)}
    if length == FULL_DAY and total > high:
        return _("The agenda takes %(total)s, more than a working day of 8 hours.") % {
            "total": format_minutes(total)}
    return None


def moved(order: list, index: int, direction: str) -> list:
    """A copy of `order` with the element at `index` moved one place "up" or "down".

    Moving the first item up or the last item down leaves the order unchanged.
    """
    if direction not in ("up", "down"):
        raise ValueError(f"Unknown direction: {direction!r}")
    result = list(order)
    if not 0 <= index < len(result):
        raise IndexError(index)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(result):
        result[index], result[other] = result[other], result[index]
    return result
