"""The committee report's content, shared by the HTML preview and the PDF.

`build_document(report)` collects the chosen sections through `reporting.selectors`
(the same tables as the dashboard and the exports) into chapters; the preview draws
the figures with plotly.js, the PDF embeds the same figures as SVG from kaleido.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accounts.models import Unit
from ligestilling.lib import statistics as st
from ligestilling.lib.periods import date_da, period_from_dates
from reporting import selectors
from reporting.models import Report


def recommendations() -> list[tuple[str, str]]:
    """The pamphlet's recommendations and who they are for (docs: /work/shared/domain.md)."""
    return [
        (_("Focus on facts, knowledge and data about gender differences."),
         _("Politicians, leaders and staff")),
        (_("Use existing activities and political agendas as carriers."), _("Politicians and chiefs")),
        (_("Make small projects in a bounded area and try them out."), _("Chiefs and leaders")),
        (_("Involve staff with direct citizen contact."), _("Chiefs and leaders")),
        (_("Set gender-specific success criteria, e.g. “we measure the number of referred men and women "
           "who complete our programme”, and stay open to unexpected effects."), _("Chiefs and leaders")),
        (_("Change needs competence development and culture change."), _("Chiefs and leaders")),
        (_("Use gender-equality assessment as a political strategy."), _("Politicians and chiefs")),
    ]


@dataclass
class Chapter:
    key: str
    title: str
    text: str = ""
    sections: list[selectors.Section] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    items: list[tuple[str, str]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"kapitel-{self.key}"


@dataclass
class Document:
    report: Report
    subject: selectors.Subject
    chapters: list[Chapter]

    @property
    def figures(self) -> list[dict]:
        return [s.figure for c in self.chapters for s in c.sections if s.figure]

    @property
    def period_text(self) -> str:
        return self.subject.period.label()

    @property
    def meeting_text(self) -> str:
        return date_da(self.report.meeting_date) if self.report.meeting_date else ""


def available_sections() -> list[str]:
    """Sections the builder offers: those whose app is installed and ready."""
    keys = [Report.Section.SUMMARY, Report.Section.LOGBOOKS]
    keys += [k for k in (Report.Section.PROJECTS, Report.Section.INDICATORS, Report.Section.WORKSHOPS)
             if k in selectors.integrated_sections()]
    keys.append(Report.Section.RECOMMENDATIONS)
    return [str(k) for k in keys]


def subject_for(report: Report) -> selectors.Subject:
    if report.unit_id:
        unit_ids = tuple(Unit.objects.subtree_of(report.unit).values_list("pk", flat=True))
    else:
        unit_ids = tuple(Unit.objects.filter(municipality_id=report.municipality_id).values_list("pk", flat=True))
    return selectors.Subject(
        municipality=report.municipality, unit=report.unit, unit_ids=unit_ids,
        period=period_from_dates(report.date_from, report.date_to),
    )


def _facts(dashboard: selectors.Dashboard) -> list[tuple[str, str]]:
    # Women and men, not the grand total: the total is often hidden when a few
    # conversations have "other" as sex.
    facts = []
    by_sex = dashboard.section("by_sex")
    if by_sex is not None:
        row = by_sex.table.cells[0]
        facts.append((_("Conversations with women"), row[0].display()))
        facts.append((_("Conversations with men"), row[1].display()))
    tested = significant = 0
    largest = None
    for key in ("topics", "offers", "outcomes"):
        section = dashboard.section(key)
        if section is None:
            continue
        for label, cells, verdict in zip(section.table.row_labels, section.table.cells, section.verdicts,
                                         strict=False):
            gap = cells[-1]
            if gap.suppressed or gap.value is None:
                continue
            tested += 1
            if verdict == st.SIGNIFICANT:  # the code, not its translated label
                significant += 1
                if largest is None or abs(gap.value) > abs(largest[1].value):
                    largest = (label, gap)
    facts.append((_("Differences between women and men examined"), str(tested)))
    facts.append((_("Of these, significant at the 5 per cent level"), str(significant)))
    if largest is not None:
        facts.append((_("Largest significant difference"), f"{largest[0]}: {largest[1].display()} "
                      f"({largest[1].display_interval()})"))
    return facts


def build_document(report: Report) -> Document:
    subject = subject_for(report)
    chosen = set(report.sections)
    chapters: list[Chapter] = []
    dashboard = None
    if chosen & {Report.Section.SUMMARY, Report.Section.LOGBOOKS}:
        total, logbook_sections = selectors.logbook_sections(subject)
        dashboard = selectors.Dashboard(subject=subject, total=total, sections=tuple(logbook_sections))
    if Report.Section.SUMMARY in chosen:
        chapters.append(Chapter("summary", _("Summary"), text=report.summary, facts=_facts(dashboard)))
    if Report.Section.PROJECTS in chosen:
        sections = selectors.project_sections(subject, active_only=False)
        if sections:
            chapters.append(Chapter("projects", _("Projects and their success criteria"), sections=sections))
    if Report.Section.LOGBOOKS in chosen:
        chapters.append(Chapter(
            "logbooks", _("Logbook analysis"),
            text=_("Caseworkers record every conversation with a citizen in a logbook: the citizen's sex and "
                   "age band, the topics, the offers made and the outcome. The tables show how often each "
                   "was part of the conversations with women and with men."),
            sections=[s for s in dashboard.sections
                      if s.key in ("by_sex", "topics", "offers", "outcomes", "trend", "gap_trend", "units")],
        ))
    if Report.Section.INDICATORS in chosen:
        sections = selectors.indicator_sections(subject)
        if sections:
            chapters.append(Chapter("indicators", _("Dataset indicators with national comparison"),
                                    sections=sections))
    if Report.Section.WORKSHOPS in chosen:
        sections = selectors.workshop_sections(subject)
        if sections:
            chapters.append(Chapter("workshops", _("Workshops held"), sections=sections))
    if Report.Section.RECOMMENDATIONS in chosen:
        chapters.append(Chapter(
            "recommendations", _("The pamphlet's recommendations"),
            text=_("The recommendations of the ministry's pamphlet on gender-equality assessment (2015) that "
                   "apply to this work, with the people they are addressed to."),
            items=recommendations(),
        ))
    if report.recommendation.strip():
        chapters.append(Chapter("recommendation", _("Recommendation to the committee"), text=report.recommendation))
    return Document(report=report, subject=subject, chapters=chapters)
