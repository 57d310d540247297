"""Small builders for project tests."""

from datetime import date

from projects import services
from projects.models import Criterion, Project


def make_project(tenant, *, members=None, title="Træning som hjælp", start=date(2026, 1, 1), end=date(2026, 4, 1),
                 **fields) -> Project:
    members = [tenant.leder, tenant.medarbejder] if members is None else members
    return services.create_project(
        by=tenant.leder, title=title, responsible=tenant.leder, target_group="Nyvisiterede ældre",
        start_date=start, end_date=end, units=[tenant.team], members=members, **fields,
    )


def make_criterion(project, **fields) -> Criterion:
    defaults = {"definition": "Andel selvhjulpne efter forløbet", "target_type": Criterion.TargetType.PER_SEX,
                "target_women": 60, "target_men": 60}
    defaults.update(fields)
    return services.save_criterion(project=project, by=project.responsible, **defaults)
