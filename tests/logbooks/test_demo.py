import pytest

from accounts import access
from accounts import demo as accounts_demo
from accounts.models import Unit
from ligestilling.lib import statistics as st
from logbooks import demo, selectors
from logbooks.models import Entry, Observation


@pytest.mark.django_db
def test_demo_seed_is_idempotent_and_shows_the_job_search_gap():
    accounts_demo.seed()
    demo.seed()
    demo.seed()
    unit = Unit.objects.get(municipality__slug="aarhus", name="Jobcenter")
    assert Entry.objects.filter(unit=unit).count() == demo.ENTRY_COUNT
    assert Observation.objects.count() == 2
    picture = selectors.gender_picture(municipality_id=unit.municipality_id,
                                       unit_ids=access.unit_ids_with_descendants([unit.pk]), threshold=5)
    job = next(r for r in picture.topics if r.label == "Jobsøgning")
    childcare = next(r for r in picture.topics if r.label == "Børnepasning")
    assert job.gap.difference < -20 and job.gap.verdict == st.SIGNIFICANT
    assert childcare.gap.difference > 10 and childcare.gap.verdict == st.SIGNIFICANT
