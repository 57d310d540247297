from projects import demo, measures
from projects.models import Criterion, Project


def test_demo_is_idempotent_and_follows_the_pamphlet(db):
    from accounts import demo as accounts_demo
    from datasets import demo as datasets_demo
    from logbooks import demo as logbooks_demo

    accounts_demo.seed()
    datasets_demo.seed()
    logbooks_demo.seed()
    demo.seed()
    demo.seed()
    assert Project.objects.count() == 3
    odense = Project.objects.get(title="Træning som hjælp")
    selfreliant = odense.criteria.get(kind=Criterion.Kind.DATASET)
    row = measures.evaluate(selfreliant).latest
    assert row.period.counts == {"kvinde": (64, 200), "mand": (71, 100)}
    assert measures.evaluate(selfreliant).status == measures.NOT_MET
    aarhus = Project.objects.get(title="Køn i jobcenter og rehabilitering")
    jobsearch = aarhus.criteria.get()
    assert jobsearch.kind == Criterion.Kind.LOGBOOK
    assert all(r.period.counts["kvinde"][1] > 0 for r in measures.evaluate(jobsearch).rows)


def test_demo_without_datasets_and_logbooks_uses_manual_criteria(db):
    from accounts import demo as accounts_demo

    accounts_demo.seed()
    demo.seed()
    odense = Project.objects.get(title="Træning som hjælp")
    m = odense.criteria.get(definition__contains="selvhjulpne").measurements.get()
    assert (m.men_count, m.men_n, m.women_count, m.women_n) == (71, 100, 64, 200)
    assert not Criterion.objects.exclude(kind=Criterion.Kind.MANUAL).exists()
